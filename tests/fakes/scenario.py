"""Serve the example incident (timeline/example/) from the three fakes, as the live APIs would."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

from .github import FakeGitHub
from .pagerduty import FakePagerDuty
from .slack import FakeSlack


def _load(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def serve_example(
    example: Path, pagerduty: FakePagerDuty, github: FakeGitHub, slack: FakeSlack
) -> None:
    """Load the example incident's artifacts into the fakes."""
    incident = _load(example / "pagerduty-incident.json")["incident"]
    entries = _load(example / "pagerduty-log-entries.json")["log_entries"]
    pagerduty.add_incident(incident, log_entries=entries)

    exported = _load(example / "github-deployments.json")
    repo = github.repo(exported["repo"])
    for deployment in copy.deepcopy(exported["deployments"]):
        repo.statuses[deployment["id"]] = deployment.pop("statuses", [])
        repo.deployments.append(deployment)
    repo.commits.extend(exported.get("commits", []))
    repo.pulls.extend(exported.get("pulls", []))
    repo.releases.extend(exported.get("releases", []))

    export = example / "slack-export"
    for user in _load(export / "users.json"):
        slack.add_user(user["id"], user["name"], user.get("real_name") or user["name"])
    for info in _load(export / "channels.json"):
        channel = slack.add_channel(info["id"], info["name"])
        for day in sorted((export / info["name"]).glob("*.json")):
            for message in _load(day):
                thread = message.get("thread_ts")
                is_reply = thread and thread != message["ts"]
                if is_reply:
                    channel.replies.setdefault(thread, []).append(message)
                if not is_reply or message.get("subtype") == "thread_broadcast":
                    channel.messages.append(message)
                if message.get("pinned_to"):
                    channel.pinned.append(message["ts"])
