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


def test_key_rows_follow_the_rules():
    frame = events(ROWS)
    key = select_key_rows(
        frame,
        keywords=("rollback",),
        key_reactions=("rotating_light",),
        comms_channels=("status-updates",),
    )
    chosen = set(frame.loc[key, "ref"])
    assert chosen == {"t", "ana1", "ana3", "ana4", "ana5", "d1", "ops"}


def test_keywords_and_reactions_are_configurable():
    frame = events(ROWS)
    key = select_key_rows(frame, keywords=(), key_reactions=(), comms_channels=())
    chosen = set(frame.loc[key, "ref"])
    assert "ana4" not in chosen and "ana5" not in chosen
    assert "ana3" in chosen  # pinned
