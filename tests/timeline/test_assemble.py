import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ingest.config import Config
from ingest.schema import validate
from ingest.types import Incident, Window
from tests.timeline.factories import events, ts
from timeline.assemble import SourceOutcome, assemble

WINDOW = Window(ts("2026-10-14T14:00:00Z"), ts("2026-10-14T16:00:00Z"))
NOW = ts("2026-10-15T00:00:00Z")


def build(outcomes, **kwargs):
    return assemble(
        outcomes,
        window=WINDOW,
        incident=kwargs.pop("incident", Incident()),
        config=Config(),
        marks=kwargs.pop("marks", {}),
        warnings=[],
        now=NOW,
    )


def test_order_dedupe_and_window_counts():
    pd_rows = events(
        [
            {
                "ts": "2026-10-14T14:31:00Z",
                "source": "pagerduty",
                "kind": "alert.triggered",
                "ref": "T",
            },
            {
                "ts": "2026-10-14T13:00:00Z",
                "source": "pagerduty",
                "kind": "alert.notified",
                "ref": "early",
            },
        ]
    )
    same_again = events(
        [
            {
                "ts": "2026-10-14T14:31:00Z",
                "source": "pagerduty",
                "kind": "alert.triggered",
                "ref": "T",
            },
        ]
    )
    notes = events(
        [
            {"ts": "2026-10-14T14:31:00Z", "source": "notes", "kind": "note", "ref": "n.txt:1"},
            {"ts": "2026-10-14T14:35:00Z", "source": "notes", "kind": "note", "ref": "n.txt:1"},
        ]
    )
    bundle = build(
        [
            SourceOutcome("pagerduty", "a.json", pd_rows),
            SourceOutcome("pagerduty", "b.json", same_again),
            SourceOutcome("notes", "n.txt", notes),
        ]
    )
    validate(bundle.frame)
    assert list(bundle.frame["ref"]) == ["T", "n.txt:1", "n.txt:1"]
    inventory = {e["name"]: e for e in bundle.summary.to_json()["inventory"]}
    assert (inventory["a.json"]["in_window"], inventory["a.json"]["outside_window"]) == (1, 1)
    assert bundle.summary.to_json()["sources"] == [
        {"name": "pagerduty", "status": "ok", "events": 1, "error": ""},
        {"name": "notes", "status": "ok", "events": 2, "error": ""},
    ]


def test_failed_source_is_recorded_and_others_land():
    ok = events([{"ts": "2026-10-14T14:31:00Z", "source": "pagerduty", "kind": "alert.triggered"}])
    bundle = build(
        [
            SourceOutcome("pagerduty", "api", ok),
            SourceOutcome("slack", "#inc", status="failed", error="slack: not_in_channel"),
        ]
    )
    statuses = {s["name"]: s for s in bundle.summary.to_json()["sources"]}
    assert statuses["slack"] == {
        "name": "slack",
        "status": "failed",
        "events": 0,
        "error": "slack: not_in_channel",
    }
    assert statuses["pagerduty"]["events"] == 1


def test_warnings_for_late_edits_future_events_and_empty_sources():
    rows = events(
        [
            {
                "ts": "2026-10-14T14:31:00Z",
                "source": "pagerduty",
                "kind": "alert.triggered",
                "ref": "T",
            },
            {
                "ts": "2026-10-14T14:50:00Z",
                "source": "slack",
                "kind": "chat.message",
                "ref": "C/1",
                "actor": "Ana",
                "summary": "it was the pool config",
                "edited_at": "2026-10-14T15:30:00Z",
            },
            {
                "ts": "2026-10-14T15:00:00Z",
                "source": "slack",
                "kind": "chat.message",
                "ref": "C/2",
                "actor": "Ana",
                "summary": "we rolled back",
            },
        ]
    )
    old = events([{"ts": "2026-10-10T00:00:00Z", "source": "github", "kind": "commit", "ref": "c"}])
    bundle = assemble(
        [SourceOutcome("pagerduty", "x", rows), SourceOutcome("github", "gh.json", old)],
        window=WINDOW,
        incident=Incident(),
        config=Config(),
        marks={},
        warnings=[],
        now=ts("2026-10-14T14:55:00Z"),
    )
    warnings = bundle.summary.to_json()["warnings"]
    assert "C/1: edited after mitigation; may contain hindsight" in warnings
    assert "gh.json: 1 events, none inside the window" in warnings
    assert any("in the future" in w for w in warnings)
    tags = dict(zip(bundle.frame["ref"], bundle.frame["tags"], strict=True))
    assert "edited_after_mitigation" in tags["C/1"]


def test_secrets_are_redacted_before_the_bundle_exists():
    rows = events(
        [
            {
                "ts": "2026-10-14T14:31:00Z",
                "source": "slack",
                "kind": "chat.message",
                "ref": "C/1",
                "actor": "Ana",
                "summary": "token xoxb-123456789012-123456789012-abcdefghijklmnopqrstuvwx",
            }
        ]
    )
    bundle = build([SourceOutcome("slack", "#inc", rows)])
    assert "xoxb-1234" not in bundle.frame["summary"].iloc[0]
    assert bundle.summary.to_json()["redactions"] == [
        {"kind": "slack_token", "ref": "C/1", "count": 1}
    ]


refs = st.text(alphabet="abcdef", min_size=1, max_size=3)
sources = st.sampled_from(["pagerduty", "github", "slack", "notes"])
minutes = st.integers(min_value=0, max_value=5)


@settings(max_examples=50, deadline=None)
@given(st.lists(st.tuples(minutes, sources, refs), min_size=1, max_size=30))
def test_ordering_is_by_time_then_source_then_ref_and_stable(rows):
    frame = events(
        [
            {"ts": f"2026-10-14T15:0{m}:00Z", "source": s, "kind": "note", "ref": r}
            for m, s, r in rows
        ]
    )
    bundle = build([SourceOutcome("notes", "x", frame)])
    got = list(
        zip(bundle.frame["ts"], bundle.frame["source"].cat.codes, bundle.frame["ref"], strict=True)
    )
    assert got == sorted(got)
    assert len(set(got)) == len(got)


def test_the_bundle_is_finished_when_assembled():
    bundle = build([SourceOutcome("notes", "notes.txt")], incident=Incident(id="P1", title="t"))
    with pytest.raises(AttributeError):
        bundle.summary = bundle.summary  # type: ignore[misc]
    with pytest.raises(AttributeError):
        bundle.summary.warnings = ("added later",)  # type: ignore[misc]
    assert bundle.summary.incident.window == WINDOW  # the window is in the incident already
