from datetime import timedelta

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from ingest.errors import MarkError, TimeError
from ingest.types import Incident
from ingest.vocab import GAPS, MILESTONES
from tests.timeline.factories import events, ts
from timeline.milestones import (
    Milestone,
    compute_gaps,
    find_milestones,
    parse_marks,
    quiet_periods,
)

INCIDENT = [
    {"ts": "2026-10-14T14:05:00Z", "source": "github", "kind": "deploy.succeeded", "ref": "d1"},
    {
        "ts": "2026-10-14T14:20:00Z",
        "source": "notes",
        "kind": "report.customer",
        "ref": "notes.txt:2",
        "kind_rule": "notes: 'customer complaint' -> report.customer",
    },
    {"ts": "2026-10-14T14:31:00Z", "source": "pagerduty", "kind": "alert.triggered", "ref": "T1"},
    {
        "ts": "2026-10-14T14:33:30Z",
        "source": "pagerduty",
        "kind": "alert.acknowledged",
        "ref": "A1",
    },
    {"ts": "2026-10-14T14:40:00Z", "source": "pagerduty", "kind": "alert.escalated", "ref": "E1"},
    {
        "ts": "2026-10-14T14:45:00Z",
        "source": "slack",
        "kind": "chat.message",
        "ref": "C1/1",
        "channel": "#status-updates",
        "summary": "We are investigating elevated errors",
    },
    {
        "ts": "2026-10-14T15:05:00Z",
        "source": "github",
        "kind": "deploy.succeeded",
        "ref": "d2",
        "tags": "rollback",
    },
    {"ts": "2026-10-14T15:20:00Z", "source": "pagerduty", "kind": "alert.resolved", "ref": "R1"},
]


def test_milestones_from_an_incident_have_the_right_evidence():
    found = find_milestones(
        events(INCIDENT), marks={}, incident=Incident(), comms_channels=("status-updates",)
    )
    assert found["detected"] == Milestone(ts("2026-10-14T14:31:00Z"), "observed", "T1", "")
    assert found["acknowledged"].ref == "A1"
    assert found["escalated"].ref == "E1"
    assert found["impact_start"].evidence == "inferred"
    assert found["impact_start"].ref == "notes.txt:2"
    assert found["mitigated"].evidence == "inferred"
    assert found["mitigated"].ref == "d2"
    assert "rollback" in found["mitigated"].rule
    assert found["resolved"] == Milestone(ts("2026-10-14T15:20:00Z"), "observed", "R1", "")
    assert found["first_comms"].ref == "C1/1"


def test_gaps_in_seconds():
    found = find_milestones(
        events(INCIDENT), marks={}, incident=Incident(), comms_channels=("status-updates",)
    )
    gaps = compute_gaps(found)
    assert gaps["time_to_detect"] == 11 * 60
    assert gaps["time_to_acknowledge"] == 150
    assert gaps["time_to_mitigate"] == 34 * 60
    assert gaps["time_to_resolve"] == 49 * 60
    assert gaps["time_to_first_comms"] == 14 * 60


def test_author_marks_win_and_are_observed():
    marks = parse_marks({"mitigated": "2026-10-14T10:58:00-04:00"})
    found = find_milestones(events(INCIDENT), marks=marks, incident=Incident())
    assert found["mitigated"].at == ts("2026-10-14T14:58:00Z")
    assert found["mitigated"].evidence == "observed"
    assert found["mitigated"].rule == "author mark"


def test_unknown_milestones_make_null_gaps_never_guesses():
    rows = [{"ts": "2026-10-14T14:31:00Z", "source": "pagerduty", "kind": "alert.triggered"}]
    found = find_milestones(events(rows), marks={}, incident=Incident())
    assert found["mitigated"].evidence == "unknown"
    assert found["mitigated"].at is None
    gaps = compute_gaps(found)
    assert gaps["time_to_mitigate"] is None
    assert gaps["escalation_to_mitigation"] is None


def test_detection_falls_back_to_first_channel_message_as_inferred():
    rows = [
        {
            "ts": "2026-10-14T14:30:00Z",
            "source": "slack",
            "kind": "chat.message",
            "tags": "system",
            "ref": "C/1",
        },
        {
            "ts": "2026-10-14T14:32:00Z",
            "source": "slack",
            "kind": "chat.message",
            "ref": "C/2",
            "actor": "Ana",
            "channel": "#inc",
        },
    ]
    found = find_milestones(events(rows), marks={}, incident=Incident())
    assert found["detected"].ref == "C/2"
    assert found["detected"].evidence == "inferred"
    assert found["detected"].rule == "first message in the incident channel"


def test_incident_resolved_at_is_observed():
    found = find_milestones(
        events(INCIDENT[:3]),
        marks={},
        incident=Incident(id="PX1", resolved_at=ts("2026-10-14T16:00:00Z")),
    )
    assert found["resolved"] == Milestone(ts("2026-10-14T16:00:00Z"), "observed", "PX1", "")


def test_mitigation_before_detection_is_not_used():
    rows = [
        {
            "ts": "2026-10-14T14:00:00Z",
            "source": "github",
            "kind": "deploy.succeeded",
            "tags": "rollback",
            "ref": "early",
        },
        {"ts": "2026-10-14T14:31:00Z", "source": "pagerduty", "kind": "alert.triggered"},
    ]
    assert (
        find_milestones(events(rows), marks={}, incident=Incident())["mitigated"].evidence
        == "unknown"
    )


def test_mitigation_from_chat_words_is_inferred():
    rows = INCIDENT[:5] + [
        {
            "ts": "2026-10-14T14:50:00Z",
            "source": "slack",
            "kind": "chat.reply",
            "ref": "C/9",
            "summary": "Error rate is back to normal after the config flag flip",
        },
    ]
    found = find_milestones(events(rows), marks={}, incident=Incident())
    assert found["mitigated"].ref == "C/9"
    assert "chat message" in found["mitigated"].rule


def test_reassignment_after_acknowledge_is_escalation():
    rows = [
        {
            "ts": "2026-10-14T14:31:00Z",
            "source": "pagerduty",
            "kind": "alert.assigned",
            "ref": "S0",
        },
        {
            "ts": "2026-10-14T14:32:00Z",
            "source": "pagerduty",
            "kind": "alert.acknowledged",
            "ref": "A",
        },
        {
            "ts": "2026-10-14T14:39:00Z",
            "source": "pagerduty",
            "kind": "alert.assigned",
            "ref": "S1",
        },
    ]
    assert find_milestones(events(rows), marks={}, incident=Incident())["escalated"].ref == "S1"


def test_unknown_mark_name_is_a_usage_error():
    with pytest.raises(
        MarkError, match="--mark fixed: unknown milestone; known milestones: impact_start"
    ):
        parse_marks({"fixed": "2026-10-14T15:00:00Z"})


def test_naive_mark_is_a_time_error():
    with pytest.raises(TimeError, match="has no time zone"):
        parse_marks({"mitigated": "2026-10-14 15:00"})


def test_quiet_periods_between_detection_and_resolve():
    times = events(INCIDENT)["ts"]
    periods = quiet_periods(
        times, ts("2026-10-14T14:31:00Z"), ts("2026-10-14T15:20:00Z"), timedelta(minutes=10)
    )
    assert [p.to_json() for p in periods] == [
        {"start": "2026-10-14T14:45:00Z", "end": "2026-10-14T15:05:00Z", "seconds": 1200.0},
        {"start": "2026-10-14T15:05:00Z", "end": "2026-10-14T15:20:00Z", "seconds": 900.0},
    ]


def test_no_quiet_periods_when_an_end_is_unknown():
    times = events(INCIDENT)["ts"]
    assert quiet_periods(times, None, ts("2026-10-14T15:20:00Z"), timedelta(minutes=1)) == []


moments = st.datetimes(
    min_value=pd.Timestamp("2000-01-01").to_pydatetime(),
    max_value=pd.Timestamp("2090-01-01").to_pydatetime(),
    timezones=st.sampled_from([None]).map(lambda _: __import__("datetime").timezone.utc),
)


@given(st.dictionaries(st.sampled_from(MILESTONES), st.one_of(st.none(), moments)))
def test_gaps_are_null_exactly_when_an_end_is_unknown(values):
    milestones = {
        name: Milestone(pd.Timestamp(values[name]), "observed")
        if values.get(name)
        else Milestone(None, "unknown")
        for name in MILESTONES
    }
    gaps = compute_gaps(milestones)
    for name, gap in GAPS.items():
        a, b = milestones[gap.start].at, milestones[gap.end].at
        if a is None or b is None:
            assert gaps[name] is None
        else:
            assert gaps[name] == (b - a).total_seconds()


def test_observed_events_win_over_guesses_from_notes():
    rows = [
        {
            "ts": "2026-10-14T14:30:00Z",
            "source": "notes",
            "kind": "alert.triggered",
            "ref": "notes.txt:1",
            "kind_rule": "notes: 'alert fired' -> alert.triggered",
        },
        {
            "ts": "2026-10-14T14:31:07Z",
            "source": "pagerduty",
            "kind": "alert.triggered",
            "ref": "T",
        },
    ]
    found = find_milestones(events(rows), marks={}, incident=Incident())
    assert found["detected"] == Milestone(ts("2026-10-14T14:31:07Z"), "observed", "T", "")
    only_notes = find_milestones(events(rows[:1]), marks={}, incident=Incident())["detected"]
    assert only_notes.evidence == "inferred"
    assert only_notes.rule == "notes: 'alert fired' -> alert.triggered"


def test_a_rollback_counts_when_it_finished():
    rows = INCIDENT[:5] + [
        {
            "ts": "2026-10-14T15:02:00Z",
            "source": "github",
            "kind": "deploy.started",
            "tags": "rollback",
            "ref": "rb-start",
        },
        {
            "ts": "2026-10-14T15:05:30Z",
            "source": "github",
            "kind": "deploy.succeeded",
            "tags": "rollback",
            "ref": "rb-done",
        },
    ]
    found = find_milestones(events(rows), marks={}, incident=Incident())["mitigated"]
    assert (found.ref, found.rule) == ("rb-done", "rollback deploy succeeded")
    found = find_milestones(events(rows[:-1]), marks={}, incident=Incident())["mitigated"]
    assert (found.ref, found.rule) == ("rb-start", "rollback deploy started")


def test_a_recorded_rollback_wins_over_one_read_from_notes():
    rows = INCIDENT[:5] + [
        {
            "ts": "2026-10-14T15:05:00Z",
            "source": "notes",
            "kind": "deploy.succeeded",
            "tags": "rollback",
            "ref": "notes.txt:9",
            "kind_rule": "notes: 'rollback'",
        },
        {
            "ts": "2026-10-14T15:05:34Z",
            "source": "github",
            "kind": "deploy.succeeded",
            "tags": "rollback",
            "ref": "gh",
        },
    ]
    assert find_milestones(events(rows), marks={}, incident=Incident())["mitigated"].ref == "gh"
    assert (
        find_milestones(events(rows[:-1]), marks={}, incident=Incident())["mitigated"].ref
        == "notes.txt:9"
    )


def test_milestones_read_rows_by_position_whatever_the_frames_index():
    """A frame cut from a longer one keeps its row labels: milestones name the same rows."""
    frame = events(INCIDENT)
    relabelled = frame.set_axis(range(100, 100 + 2 * len(frame), 2))
    expected = find_milestones(
        frame, marks={}, incident=Incident(), comms_channels=("#status-updates",)
    )
    found = find_milestones(
        relabelled, marks={}, incident=Incident(), comms_channels=("#status-updates",)
    )
    assert found == expected
    assert found["detected"].ref == "T1" and found["mitigated"].ref == "d2"


def test_impact_starts_at_the_earliest_report_even_out_of_row_order():
    """Pasted notes can sit out of time order: the earliest customer report or alert is the
    impact start, the first row of equal times when several share it."""
    rows = [
        {
            "ts": "2026-10-14T14:31:00Z",
            "source": "pagerduty",
            "kind": "alert.triggered",
            "ref": "T1",
        },
        {
            "ts": "2026-10-14T14:20:00Z",
            "source": "notes",
            "kind": "report.customer",
            "ref": "notes.txt:4",
            "kind_rule": "notes: 'customers report' -> report.customer",
        },
        {
            "ts": "2026-10-14T14:20:00Z",
            "source": "notes",
            "kind": "report.customer",
            "ref": "notes.txt:5",
            "kind_rule": "notes: 'customers report' -> report.customer",
        },
    ]
    found = find_milestones(events(rows), marks={}, incident=Incident())["impact_start"]
    assert (found.at, found.ref) == (ts("2026-10-14T14:20:00Z"), "notes.txt:4")
    assert found.rule == "notes: 'customers report' -> report.customer"
