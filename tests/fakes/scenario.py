"""Serve incidents from the three fakes, as the live APIs would: the example incident
(timeline/example/), or a made-up one of any size."""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from . import github as gh
from . import pagerduty as pd_fake
from . import slack as sl
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


REPO = "acme/checkout-api"
USERS = ("U0ALICE01", "U0BOB0001", "U0CAROL01")


def serve_incident(
    pagerduty: FakePagerDuty,
    github: FakeGitHub,
    slack: FakeSlack,
    number: int,
    *,
    day: int = 14,
    log_entries: int = 3,
    commits: int = 3,
    messages: int = 6,
    threads: int = 2,
) -> str:
    """Serve one incident (opened October ``day`` 10:00, resolved at 11:00) from the three
    fakes: its log entries, commits to ``REPO`` and a deployment inside its hour, and its Slack
    channel ``inc-NUMBER`` with ``messages`` messages, the first ``threads`` of them with two
    replies each. Returns the incident ID. Large counts give several pages per source."""
    incident_id = f"PINC{number:04d}"
    start = datetime(2026, 10, day, 10, tzinfo=UTC)

    def iso(seconds: float) -> str:
        return (start + timedelta(seconds=seconds)).strftime("%Y-%m-%dT%H:%M:%SZ")

    def ts(seconds: float) -> str:
        return f"{(start + timedelta(seconds=seconds)).timestamp():.6f}"

    entries = [pd_fake.log_entry(f"R{number}T", incident_id, created_at=iso(60))]
    entries += [
        pd_fake.log_entry(
            f"R{number}N{i:05d}", incident_id, created_at=iso(120 + i), type="notify_log_entry"
        )
        for i in range(max(log_entries - 2, 0))
    ]
    entries.append(
        pd_fake.log_entry(
            f"R{number}R", incident_id, created_at=iso(3600), type="resolve_log_entry"
        )
    )
    pagerduty.add_incident(
        pd_fake.incident(
            incident_id, number, created_at=iso(0), resolved_at=iso(3600), service_name="checkout"
        ),
        log_entries=entries,
    )

    repo = github.repo(REPO)
    for i in range(commits):
        sha = f"{number:08x}{i:032x}"
        repo.commits.append(gh.commit(REPO, sha, committed_at=iso(300 + i)))
    deployment_id = number * 1000
    repo.deployments.append(
        gh.deployment(REPO, deployment_id, sha=f"{number:040x}", created_at=iso(900))
    )
    repo.statuses[deployment_id] = [
        gh.deployment_status(
            REPO, deployment_id, deployment_id + 1, state="success", created_at=iso(960)
        )
    ]

    for user in USERS:
        slack.add_user(user, user.lower(), user.title())
    channel = slack.add_channel(f"C0INC{number:05d}", f"inc-{number}")
    step = 3000 / max(messages, 1)
    for i in range(messages):
        parent_ts = ts(120 + i * step)
        record = sl.message(parent_ts, f"update {i}", user=USERS[i % len(USERS)])
        if i < threads:
            replies = [
                sl.reply(ts(121 + i * step + r), f"reply {r}", parent_ts=parent_ts, user=USERS[r])
                for r in range(2)
            ]
            record.update(reply_count=2, thread_ts=parent_ts, latest_reply=replies[-1]["ts"])
            channel.replies[parent_ts] = replies
        channel.messages.append(record)
    return incident_id
