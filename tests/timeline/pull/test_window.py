from datetime import timedelta

import pytest

from ingest.errors import UsageError
from tests.timeline.factories import events, ts
from timeline.pull.window import derive_window

ROWS = [
    {"ts": "2026-10-14T14:10:00Z", "source": "github", "kind": "deploy.succeeded"},
    {"ts": "2026-10-14T14:31:00Z", "source": "pagerduty", "kind": "alert.triggered"},
    {"ts": "2026-10-14T15:20:00Z", "source": "pagerduty", "kind": "alert.resolved"},
]
LOOK = {"lookback": timedelta(hours=2), "lookahead": timedelta(minutes=30)}


def test_window_from_first_alert_and_resolve():
    window, warnings = derive_window(
        events(ROWS), created_at=None, resolved_at=None, since=None, until=None, **LOOK
    )
    assert window.start == ts("2026-10-14T12:31:00Z")
    assert window.end == ts("2026-10-14T15:50:00Z")
    assert warnings == []


def test_incident_resolved_at_wins_over_alert_resolves():
    window, _ = derive_window(
        events(ROWS),
        created_at=None,
        resolved_at=ts("2026-10-14T16:00:00Z"),
        since=None,
        until=None,
        **LOOK,
    )
    assert window.end == ts("2026-10-14T16:30:00Z")


def test_unresolved_incident_warns_and_ends_after_last_event():
    window, warnings = derive_window(
        events(ROWS[:2]), created_at=None, resolved_at=None, since=None, until=None, **LOOK
    )
    assert window.end == ts("2026-10-14T15:01:00Z")
    assert "no resolve" in warnings[0]


def test_explicit_bounds_win():
    window, _ = derive_window(
        events(ROWS),
        created_at=None,
        resolved_at=None,
        since=ts("2026-10-14T14:00:00Z"),
        until=ts("2026-10-14T14:40:00Z"),
        **LOOK,
    )
    assert (window.start, window.end) == (ts("2026-10-14T14:00:00Z"), ts("2026-10-14T14:40:00Z"))


def test_backwards_window_is_a_usage_error():
    with pytest.raises(UsageError, match="ends .* before it starts"):
        derive_window(
            events(ROWS),
            created_at=None,
            resolved_at=None,
            since=ts("2026-10-14T15:00:00Z"),
            until=ts("2026-10-14T14:00:00Z"),
            **LOOK,
        )


def test_nothing_to_anchor_gives_no_window():
    window, _ = derive_window(
        events(ROWS).iloc[0:0], created_at=None, resolved_at=None, since=None, until=None, **LOOK
    )
    assert window is None


def test_nothing_read_yet_needs_both_ends_or_the_incident_times():
    given = {"since": ts("2026-10-14T14:00:00Z"), "until": ts("2026-10-14T16:00:00Z")}
    window, _ = derive_window(None, created_at=None, resolved_at=None, **given, **LOOK)
    assert (window.start, window.end) == (given["since"], given["until"])
    window, _ = derive_window(
        None,
        created_at=ts("2026-10-14T14:31:00Z"),
        resolved_at=None,
        since=None,
        until=None,
        **LOOK,
    )
    assert window.start == ts("2026-10-14T12:31:00Z")
    nothing, _ = derive_window(
        None, created_at=None, resolved_at=None, since=None, until=None, **LOOK
    )
    assert nothing is None
