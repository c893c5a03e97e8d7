import numpy as np
import pandas as pd

from ingest.schema import frame_from_columns
from tests.timeline.factories import events
from timeline.keyrows import select_key_rows

ROWS = [
    {"ts": "2026-10-14T14:31:00Z", "source": "pagerduty", "kind": "alert.triggered", "ref": "t"},
    {"ts": "2026-10-14T14:31:05Z", "source": "pagerduty", "kind": "alert.notified", "ref": "n"},
    {
        "ts": "2026-10-14T14:32:00Z",
        "source": "slack",
        "kind": "chat.message",
        "ref": "join",
        "actor": "Ana",
        "tags": "system",
        "subtype": "channel_join",
    },
    {
        "ts": "2026-10-14T14:33:00Z",
        "source": "slack",
        "kind": "chat.message",
        "ref": "ana1",
        "actor": "Ana",
        "summary": "looking",
    },
    {
        "ts": "2026-10-14T14:34:00Z",
        "source": "slack",
        "kind": "chat.message",
        "ref": "ana2",
        "actor": "Ana",
        "summary": "still looking",
    },
    {
        "ts": "2026-10-14T14:35:00Z",
        "source": "slack",
        "kind": "chat.reply",
        "ref": "ana3",
        "actor": "Ana",
        "summary": "dashboards attached",
        "tags": "pinned",
    },
    {
        "ts": "2026-10-14T14:36:00Z",
        "source": "slack",
        "kind": "chat.message",
        "ref": "ana4",
        "actor": "Ana",
        "summary": "Proposing a ROLLBACK of the config",
    },
    {
        "ts": "2026-10-14T14:37:00Z",
        "source": "slack",
        "kind": "chat.message",
        "ref": "ana5",
        "actor": "Ana",
        "summary": "graph",
        "tags": "reaction:rotating_light",
    },
    {"ts": "2026-10-14T14:38:00Z", "source": "github", "kind": "commit", "ref": "c1"},
    {"ts": "2026-10-14T14:39:00Z", "source": "github", "kind": "deploy.started", "ref": "d1"},
    {
        "ts": "2026-10-14T14:40:00Z",
        "source": "slack",
        "kind": "chat.message",
        "ref": "ops",
        "actor": "Bo",
        "channel": "#status-updates",
        "summary": "update",
    },
    {
        "ts": "2026-10-14T14:41:00Z",
        "source": "slack",
        "kind": "chat.message",
        "ref": "bo2",
        "actor": "Bo",
        "channel": "#status-updates",
        "summary": "second",
        "tags": "system",
    },
]


def choose(frame, **kwargs):
    settings = {"keywords": ("rollback",), "key_reactions": ("rotating_light",)}
    settings.update(kwargs)
    return select_key_rows(frame, **settings)


def test_key_rows_follow_the_rules():
    frame = events(ROWS)
    chosen = choose(frame, comms_channels=("status-updates",))
    rules = dict(zip(frame["ref"], chosen["key_rule"], strict=True))
    assert set(frame.loc[chosen["key"], "ref"]) == {
        "t",
        "ana1",
        "ana3",
        "ana4",
        "ana5",
        "d1",
        "ops",
        "c1",
    }
    assert rules["t"] == "alert"
    assert rules["n"] == "notification"
    assert rules["join"] == "system" and rules["bo2"] == "system"
    assert rules["ana1"] == "first_message"
    assert rules["ana2"] == "chatter"
    assert rules["ana3"] == "pinned" and rules["ana5"] == "reaction"
    assert rules["ana4"] == "keyword"
    assert rules["d1"] == "deploy" and rules["ops"] == "status_update"


def test_keywords_and_reactions_are_configurable():
    frame = events(ROWS)
    chosen = select_key_rows(frame, keywords=(), key_reactions=(), comms_channels=())
    shown = set(frame.loc[chosen["key"], "ref"])
    assert "ana4" not in shown and "ana5" not in shown
    assert "ana3" in shown  # pinned


def chat(i: int, text: str, actor: str = "ana", **extra) -> dict:
    return {
        "ts": f"2026-10-14T14:{i // 60:02d}:{i % 60:02d}Z",
        "source": "slack",
        "kind": "chat.message",
        "ref": f"m{i}",
        "actor": actor,
        "summary": text,
        **extra,
    }


def test_the_budget_keeps_the_strongest_rows_and_names_the_rest():
    rows = [
        {"ts": "2026-10-14T13:59:00Z", "source": "pagerduty", "kind": "alert.triggered", "ref": "t"}
    ]
    rows += [chat(i, "ok") for i in range(1, 30)]
    rows += [chat(30, "Payments confirms: failed attempts were not charged, so no refunds")]
    rows += [chat(31, "5xx 7.8%"), chat(32, "43 tickets in total, all answered")]
    rows += [chat(33, "Decision: roll back to a1b2c3d", "bo")]
    frame = events(rows)
    chosen = choose(frame, max_rows=4)
    shown = list(frame.loc[chosen["key"], "ref"])
    assert len(shown) == 4
    assert "t" in shown and "m33" in shown  # the alert first, then the heaviest evidence
    assert {"m30", "m32"} <= set(shown)
    rules = dict(zip(frame["ref"], chosen["key_rule"], strict=True))
    assert rules["m31"] == "over_budget:figures"
    assert rules["m1"] == "over_budget:first_message"
    assert rules["m2"] == "chatter"  # chatter is counted, never a candidate


def test_twins_are_never_key_rows():
    rows = [
        {
            "ts": "2026-10-14T14:31:00Z",
            "source": "notes",
            "kind": "alert.triggered",
            "ref": "n:1",
            "twin_ref": "t",
        },
        {
            "ts": "2026-10-14T14:31:07Z",
            "source": "pagerduty",
            "kind": "alert.triggered",
            "ref": "t",
        },
    ]
    chosen = choose(events(rows))
    assert list(chosen["key"]) == [False, True]
    assert list(chosen["key_rule"]) == ["twin", "alert"]


def test_selection_is_column_wise_on_a_large_channel():
    """A 200,000-message channel: the budget holds and every row has a rule."""
    count = 200_000
    texts = np.array(["ok", "looking", "5xx 7.8%", "Decision: roll back now", "thanks"])
    frame = frame_from_columns(
        {
            "ts": pd.date_range("2026-10-14", periods=count, freq="s", tz="UTC"),
            "source": "slack",
            "kind": "chat.message",
            "ref": [f"m{i}" for i in range(count)],
            "actor": [f"person{i % 300}" for i in range(count)],
            "summary": texts[np.arange(count) % len(texts)],
            "tags": np.where(np.arange(count) % 5000 == 0, "pinned", ""),
        },
        length=count,
    )
    chosen = select_key_rows(frame, keywords=(), key_reactions=(), max_rows=60)
    assert int(chosen["key"].sum()) == 60
    assert (chosen.loc[chosen["key"], "key_rule"] == "pinned").sum() == count // 5000
    assert chosen["key_rule"].ne("").all()
