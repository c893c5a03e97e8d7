"""The bundled example incident holds every case the tool must handle, in the official shapes.

These tests read the files directly (json, tomllib), not through the connectors.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

from ingest.config import load_config

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "timeline" / "example"
EXPORT = EXAMPLE / "slack-export"
GENERATOR = ROOT / "examples" / "make_example_incident.py"
INCIDENT_CHANNEL = "inc-2231-checkout-5xx"
COMMS_CHANNEL = "status-updates"
TS_PATTERN = re.compile(r"^\d{10}\.\d{6}$")


def load(name: str) -> dict | list:
    return json.loads((EXAMPLE / name).read_text(encoding="utf-8"))


def day_files(channel: str) -> list[Path]:
    return sorted((EXPORT / channel).glob("*.json"))


def messages(channel: str) -> list[dict]:
    return [m for path in day_files(channel) for m in json.loads(path.read_text("utf-8"))]


def ts_time(ts: str) -> datetime:
    seconds, micros = ts.split(".")
    return datetime.fromtimestamp(int(seconds), UTC).replace(microsecond=int(micros))


def iso_time(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(UTC)


def is_reply(message: dict) -> bool:
    return "thread_ts" in message and message["thread_ts"] != message["ts"]


def rollback_deployment() -> dict:
    (rollback,) = [
        d for d in load("github-deployments.json")["deployments"] if "Rollback" in d["description"]
    ]
    return rollback


def status_time(deployment: dict, state: str) -> datetime:
    (status,) = [s for s in deployment["statuses"] if s["state"] == state]
    return iso_time(status["created_at"])


def test_example_fits_in_one_megabyte():
    size = sum(p.stat().st_size for p in EXAMPLE.rglob("*") if p.is_file())
    assert size < 1_000_000


def test_incident_channel_has_at_least_150_messages():
    assert len(messages(INCIDENT_CHANNEL)) >= 150


def test_every_ts_is_a_string_with_microseconds_and_unique_in_its_channel():
    for channel in (INCIDENT_CHANNEL, COMMS_CHANNEL):
        stamps = [m["ts"] for m in messages(channel)]
        assert all(isinstance(ts, str) and TS_PATTERN.match(ts) for ts in stamps)
        assert len(set(stamps)) == len(stamps)


def test_day_files_hold_only_messages_of_their_utc_date():
    assert len(day_files(INCIDENT_CHANNEL)) >= 2
    for channel in (INCIDENT_CHANNEL, COMMS_CHANNEL):
        for path in day_files(channel):
            for message in json.loads(path.read_text("utf-8")):
                assert ts_time(message["ts"]).strftime("%Y-%m-%d") == path.stem


def test_a_reply_is_posted_after_a_later_top_level_message():
    chat = messages(INCIDENT_CHANNEL)
    top_level = [m for m in chat if not is_reply(m)]
    assert any(
        any(m["ts"] > reply["thread_ts"] and m["ts"] < reply["ts"] for m in top_level)
        for reply in chat
        if is_reply(reply)
    )


def test_thread_parents_index_exactly_their_replies():
    chat = messages(INCIDENT_CHANNEL)
    parents = [m for m in chat if m.get("reply_count")]
    assert len(parents) >= 3
    for parent in parents:
        replies = [m["ts"] for m in chat if is_reply(m) and m["thread_ts"] == parent["ts"]]
        assert [r["ts"] for r in parent["replies"]] == replies
        assert parent["reply_count"] == len(replies)
        assert parent["latest_reply"] == replies[-1]


def test_a_message_is_edited_after_the_rollback_finished():
    finished = status_time(rollback_deployment(), "success")
    edits = [ts_time(m["edited"]["ts"]) for m in messages(INCIDENT_CHANNEL) if "edited" in m]
    assert any(edit > finished for edit in edits)
    assert any(edit < finished for edit in edits), "also one ordinary edit, before mitigation"


def test_joins_bot_messages_and_a_pinned_message_are_present():
    chat = messages(INCIDENT_CHANNEL)
    subtypes = [m.get("subtype") for m in chat]
    assert subtypes.count("channel_join") >= 5
    bots = [m for m in chat if m.get("subtype") == "bot_message"]
    assert bots and all("bot_id" in m and "user" not in m for m in bots)
    pinned = [m["ts"] for m in chat if "C07INC2231" in m.get("pinned_to", [])]
    assert pinned
    (channel,) = [c for c in load("slack-export/channels.json") if c["name"] == INCIDENT_CHANNEL]
    assert channel["id"] == "C07INC2231"
    assert sorted(p["id"] for p in channel["pins"]) == sorted(pinned)


def test_reactions_and_mentions_name_known_users():
    user_ids = {u["id"] for u in load("slack-export/users.json")}
    chat = messages(INCIDENT_CHANNEL)
    reactions = [r for m in chat for r in m.get("reactions", [])]
    assert {"rotating_light", "white_check_mark"} <= {r["name"] for r in reactions}
    assert all(set(r["users"]) <= user_ids and r["count"] == len(r["users"]) for r in reactions)
    mentioned = {i for m in chat for i in re.findall(r"<@(U\w+)>", m["text"])}
    assert len(mentioned) >= 3
    assert mentioned <= user_ids


def test_a_clearly_fake_slack_token_is_planted():
    texts = [m["text"] for m in messages(INCIDENT_CHANNEL)]
    tokens = [t for text in texts for t in re.findall(r"xoxb-\d+-\d+-\w+", text)]
    assert len(tokens) == 1
    assert "EXAMPLE" in tokens[0]


def test_users_have_real_names_zones_and_a_bot():
    users = load("slack-export/users.json")
    people = [u for u in users if not u["is_bot"]]
    assert 8 <= len(people) <= 10
    assert all(u["profile"]["real_name"] and u["tz"] for u in people)
    assert any(u["profile"]["display_name"] == "" for u in people), "one falls back to real name"
    assert any(u["is_bot"] for u in users)


def test_comms_channel_first_update_follows_the_alert():
    incident = load("pagerduty-incident.json")["incident"]
    first = min(ts_time(m["ts"]) for m in messages(COMMS_CHANNEL))
    assert first > iso_time(incident["created_at"])
    assert [c["name"] for c in load("slack-export/channels.json")] == [
        INCIDENT_CHANNEL,
        COMMS_CHANNEL,
    ]


def test_pagerduty_incident_is_resolved_p1_on_checkout_api():
    incident = load("pagerduty-incident.json")["incident"]
    assert (incident["id"], incident["incident_number"]) == ("PXM2K7Q", 2231)
    assert incident["priority"]["summary"] == "P1"
    assert incident["service"]["summary"] == "checkout-api"
    assert incident["urgency"] == "high"
    assert incident["status"] == "resolved"
    assert iso_time(incident["resolved_at"]) > iso_time(incident["created_at"])
    assert incident["html_url"].endswith("/incidents/PXM2K7Q")


def test_log_entries_have_escalation_an_unknown_type_and_mixed_offsets():
    page = load("pagerduty-log-entries.json")
    assert (page["limit"], page["offset"], page["more"]) == (100, 0, False)
    entries = page["log_entries"]
    types = {e["type"] for e in entries}
    assert {
        "trigger_log_entry",
        "notify_log_entry",
        "acknowledge_log_entry",
        "escalate_log_entry",
        "assign_log_entry",
        "annotate_log_entry",
        "responder_request_log_entry",
        "priority_change_log_entry",
        "status_update_log_entry",
        "resolve_log_entry",
    } <= types
    assert "custom_action_log_entry" in types
    stamps = [e["created_at"] for e in entries]
    assert sum(s.endswith("Z") for s in stamps) > len(stamps) / 2
    assert sum(s.endswith("-04:00") for s in stamps) >= 2
    (escalate,) = [e for e in entries if e["type"] == "escalate_log_entry"]
    assert escalate["assignees"] and escalate["agent"]["type"] == "user_reference"


def test_log_entry_times_match_the_incident():
    incident = load("pagerduty-incident.json")["incident"]
    by_type = {
        e["type"]: iso_time(e["created_at"])
        for e in load("pagerduty-log-entries.json")["log_entries"]
    }
    assert by_type["trigger_log_entry"] == iso_time(incident["created_at"])
    assert by_type["resolve_log_entry"] == iso_time(incident["resolved_at"])
    assert by_type["trigger_log_entry"] < by_type["acknowledge_log_entry"]


def test_rollback_redeploys_an_earlier_sha_after_the_alert():
    deployments = load("github-deployments.json")["deployments"]
    rollback = rollback_deployment()
    assert rollback["description"] == "Rollback to a1b2c3d"
    earlier = [d for d in deployments if d["sha"] == rollback["sha"] and d["id"] != rollback["id"]]
    assert earlier and all(
        status_time(d, "success") < status_time(rollback, "in_progress") for d in earlier
    )
    states = [s["state"] for s in sorted(rollback["statuses"], key=lambda s: s["created_at"])]
    assert states == ["in_progress", "success"]
    alert = iso_time(load("pagerduty-incident.json")["incident"]["created_at"])
    assert status_time(rollback, "success") > alert


def test_a_deploy_finishes_shortly_before_the_alert():
    alert = iso_time(load("pagerduty-incident.json")["incident"]["created_at"])
    finished = [status_time(d, "success") for d in load("github-deployments.json")["deployments"]]
    assert any(0 < (alert - f).total_seconds() < 3600 for f in finished)


def test_commits_include_a_revert_and_pulls_are_merged_and_unmerged():
    github = load("github-deployments.json")
    assert github["repo"] == "acme/checkout-api"
    messages_ = [c["commit"]["message"] for c in github["commits"]]
    assert any(m.startswith('Revert "') for m in messages_)
    assert all(re.fullmatch(r"[0-9a-f]{40}", c["sha"]) for c in github["commits"])
    merged = [p for p in github["pulls"] if p["merged_at"]]
    unmerged = [p for p in github["pulls"] if p["merged_at"] is None]
    assert merged and unmerged
    assert any(p["state"] == "closed" for p in unmerged), "one closed without merging"


def test_config_uses_only_known_keys():
    config = load_config(EXAMPLE / "postmortem.toml")
    assert config.slack.workspace_url == "https://acme.slack.com"
    assert config.slack.channels == (INCIDENT_CHANNEL,)
    assert config.slack.comms_channels == (COMMS_CHANNEL,)


def test_notes_are_in_eastern_time_with_one_untimed_line():
    lines = (EXAMPLE / "notes.txt").read_text("utf-8").splitlines()
    assert "Oct 14, 2026" in lines
    assert sum(" ET" in line for line in lines) == 1, "the zone is written once, then carried"
    timed = [line for line in lines if re.search(r"\b\d{1,2}:\d\d\b", line)]
    assert len(timed) >= 8
    assert [line for line in lines[2:] if line not in timed], "a line with no time"


def test_the_generator_writes_the_committed_files(tmp_path):
    subprocess.run(
        [sys.executable, str(GENERATOR), "--out", str(tmp_path)],
        check=True,
        capture_output=True,
    )
    written = {p.relative_to(tmp_path) for p in tmp_path.rglob("*") if p.is_file()}
    committed = {p.relative_to(EXAMPLE) for p in EXAMPLE.rglob("*") if p.is_file()}
    assert written == committed
    for name in sorted(written):
        assert (tmp_path / name).read_bytes() == (EXAMPLE / name).read_bytes(), name
