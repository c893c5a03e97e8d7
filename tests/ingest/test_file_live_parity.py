"""The same records read from files and pulled live (real clients over HTTP(S) on loopback against
the fakes) give the same rows: same refs, times, kinds, summaries and links, source by source.

The records are the example incident's (timeline/example/), which the fakes serve as the APIs
would, plus PagerDuty alerts and notes in the official payload shapes (tests/fixtures/api/).
"""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pandas as pd
import pytest

from ingest.clients import RetryPolicy, Secret, github_client, pagerduty_client, slack_client
from ingest.config import GitHubSettings, PagerDutySettings, SlackSettings
from ingest.github.file import read_github_file
from ingest.github.live import pull_github
from ingest.pagerduty.file import read_pagerduty_file
from ingest.pagerduty.live import fetch_incident, pull_pagerduty
from ingest.progress import Progress
from ingest.schema import concat, validate
from ingest.slack.export import read_slack_export
from ingest.slack.live import pull_slack
from ingest.types import ReadContext, Window
from tests.fakes import GITHUB_TEST_TOKEN, PAGERDUTY_TEST_TOKEN, SLACK_TEST_TOKEN
from tests.fakes.scenario import serve_example
from timeline.pull.files import EXAMPLE_DIR

API = Path(__file__).parents[1] / "fixtures" / "api"
FAST = RetryPolicy(retries=1, backoff=0.01, max_wait=2)
WINDOW = Window(pd.Timestamp("2026-10-14T12:00:00Z"), pd.Timestamp("2026-10-15T12:00:00Z"))
COMPARED = ["ref", "ts", "kind", "summary", "url"]
WORKSPACE = "https://acme.slack.com"


def _load(path: Path):
    return json.loads(path.read_text(encoding="utf-8"))


def _rows(frames) -> pd.DataFrame:
    frame = concat(list(frames))
    validate(frame)
    rows = frame[COMPARED].astype({c: object for c in COMPARED if c != "ts"})
    return rows.sort_values(["ts", "ref"], ignore_index=True)


def _same_rows(from_files: pd.DataFrame, live: pd.DataFrame) -> None:
    assert len(from_files), "the records gave no rows at all"
    only_files = sorted(set(from_files["ref"]) - set(live["ref"]))
    only_live = sorted(set(live["ref"]) - set(from_files["ref"]))
    assert (only_files, only_live) == ([], [])
    for (_, a), (_, b) in zip(from_files.iterrows(), live.iterrows(), strict=True):
        assert a.to_dict() == b.to_dict()


@pytest.fixture
def served(fake_pagerduty, fake_github, fake_slack):
    serve_example(EXAMPLE_DIR, fake_pagerduty, fake_github, fake_slack)
    return fake_pagerduty, fake_github, fake_slack


# -- PagerDuty --------------------------------------------------------------------------------


def _pagerduty_extras(incident_id: str) -> tuple[list[dict], list[dict]]:
    """Alerts and notes in the official shapes, re-dated into the example incident; the first
    note is the one its annotate log entry records (two seconds apart, as the API writes them)."""
    entries = _load(EXAMPLE_DIR / "pagerduty-log-entries.json")["log_entries"]
    annotate = next(e for e in entries if e["type"] == "annotate_log_entry")
    alerts = copy.deepcopy(_load(API / "pagerduty_list_incident_alerts.json")["alerts"])
    for alert in alerts:
        alert["created_at"] = "2026-10-14T14:30:55Z"
        alert["incident"]["id"] = incident_id
    notes = copy.deepcopy(_load(API / "pagerduty_list_incident_notes.json")["notes"])
    notes[0]["content"] = annotate["channel"]["summary"]
    notes[0]["created_at"] = "2026-10-14T14:36:04Z"
    notes[0]["updated_at"] = "2026-10-14T14:40:00Z"
    notes[1]["created_at"] = "2026-10-14T15:20:00Z"
    notes[1]["updated_at"] = "2026-10-14T15:20:00Z"
    return alerts, notes


def test_pagerduty_file_and_live_give_the_same_rows(served, ca_bundle_path, tmp_path):
    fake = served[0]
    incident = fake.incidents[0]
    alerts, notes = _pagerduty_extras(incident["id"])
    fake.alerts[incident["id"]] = alerts
    fake.notes[incident["id"]] = notes
    path = tmp_path / "pagerduty.json"
    entries = _load(EXAMPLE_DIR / "pagerduty-log-entries.json")["log_entries"]
    path.write_text(
        json.dumps(
            [
                {"incident": incident},
                {"log_entries": entries},
                {"alerts": alerts},
                {"notes": notes},
            ]
        )
    )
    from_files = _rows(read_pagerduty_file(path, ReadContext(window=WINDOW)))

    settings = PagerDutySettings(base_url=fake.origin, ca_bundle=ca_bundle_path, timeout=5)
    client = pagerduty_client(settings, Secret(PAGERDUTY_TEST_TOKEN), policy=FAST)
    try:
        info = fetch_incident(client, incident["id"], severity_map={})
        live = _rows(pull_pagerduty(client, info, WINDOW, Progress()))
    finally:
        client.close()

    _same_rows(from_files, live)
    # The note stands for its annotate log entry: one row, with the entry's link.
    annotate = next(e for e in entries if e["type"] == "annotate_log_entry")
    assert annotate["id"] not in set(from_files["ref"])
    note = from_files[from_files["ref"] == notes[0]["id"]].iloc[0]
    assert note["url"] == annotate["html_url"]
    unmatched = from_files[from_files["ref"] == notes[1]["id"]].iloc[0]
    assert unmatched["url"] == ""


# -- GitHub -----------------------------------------------------------------------------------


def test_github_file_and_live_give_the_same_rows(served):
    fake = served[1]
    path = EXAMPLE_DIR / "github-deployments.json"
    from_files = _rows(read_github_file(path, ReadContext(window=WINDOW)))

    settings = GitHubSettings(base_url=fake.base_url, repos=(_load(path)["repo"],), timeout=5)
    client = github_client(settings, Secret(GITHUB_TEST_TOKEN), policy=FAST)
    try:
        live = _rows(pull_github(client, settings, WINDOW, Progress()))
    finally:
        client.close()

    _same_rows(from_files, live)
    assert set(from_files["kind"]) >= {"deploy.succeeded", "commit", "pr.merged"}


# -- Slack ------------------------------------------------------------------------------------


def test_slack_export_and_live_give_the_same_rows(served):
    fake = served[2]
    # The API's users.info answers with the same member objects the export's users.json holds.
    for member in _load(EXAMPLE_DIR / "slack-export" / "users.json"):
        fake.users[member["id"]] = member
    channels = ("inc-2231-checkout-5xx", "status-updates")
    ctx = ReadContext(window=WINDOW, channels=channels, workspace_url=WORKSPACE)
    from_files = _rows(read_slack_export(EXAMPLE_DIR / "slack-export", ctx))

    settings = SlackSettings(
        base_url=fake.base_url, workspace_url=WORKSPACE, channels=channels, timeout=5
    )
    with slack_client(settings, Secret(SLACK_TEST_TOKEN), policy=FAST) as client:
        incident = {"id": "PXM2K7Q", "number": 2231}
        live = _rows(pull_slack(client, settings, WINDOW, Progress(), incident=incident))

    _same_rows(from_files, live)
    assert set(from_files["kind"]) == {"chat.message", "chat.reply"}
