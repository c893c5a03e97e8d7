"""The raw-notes parser: dates, zones, midnight roll-over, sentence splitting, guessed kinds."""

from __future__ import annotations

import hashlib
import re
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ingest.errors import InputError, TimeError
from ingest.notes.kinds import guess_kind
from ingest.notes.reader import read_notes
from ingest.notes.sentences import split_sentences
from ingest.schema import validate
from ingest.times.zones import ABBREVIATIONS
from ingest.types import ReadContext, Window

FIXTURES = Path(__file__).parent.parent / "fixtures" / "notes"


def utc(text: str) -> pd.Timestamp:
    return pd.Timestamp(text, tz="UTC")


def read(path: Path, ctx: ReadContext | None = None) -> pd.DataFrame:
    ctx = ctx if ctx is not None else ReadContext()
    frames = list(read_notes(path, ctx))
    assert len(frames) == 1
    validate(frames[0])
    return frames[0]


def write(tmp_path: Path, text: str, name: str = "notes.md") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def times(frame: pd.DataFrame) -> list[pd.Timestamp]:
    return list(frame["ts"])


# --- the paragraph example, summer and winter -------------------------------------------------


def test_paragraph_on_a_summer_date_is_utc_minus_four():
    frame = read(FIXTURES / "paragraph.md", ReadContext(date=date(2026, 7, 14)))
    assert times(frame) == [
        utc("2026-07-14 11:14"),
        utc("2026-07-14 11:22"),
        utc("2026-07-14 11:31"),
    ]
    assert list(frame["kind"]) == ["deploy.succeeded", "report.customer", "alert.triggered"]
    assert list(frame["summary"]) == [
        "Deploy went out at 07:14 ET.",
        "First customer complaint in Zendesk at 07:22.",
        "Datadog alert fired at 07:31.",
    ]
    assert list(frame["ref"]) == ["paragraph.md:1"] * 3
    assert set(frame["source"]) == {"notes"}
    assert list(frame["kind_rule"]) == [
        "notes: 'deploy' -> deploy",
        "notes: 'customer complaint' -> customer_report",
        "notes: 'alert' -> detected",
    ]


def test_paragraph_on_a_winter_date_is_utc_minus_five():
    frame = read(FIXTURES / "paragraph.md", ReadContext(date=date(2026, 1, 14)))
    assert times(frame) == [
        utc("2026-01-14 12:14"),
        utc("2026-01-14 12:22"),
        utc("2026-01-14 12:31"),
    ]


def test_each_row_keeps_the_sentence_hash_and_empty_actor_and_url():
    frame = read(FIXTURES / "paragraph.md", ReadContext(date=date(2026, 7, 14)))
    for summary, digest in zip(frame["summary"], frame["raw_sha256"], strict=True):
        assert digest == hashlib.sha256(summary.encode("utf-8")).hexdigest()
    assert set(frame["actor"]) == {""}
    assert set(frame["url"]) == {""}


# --- a document with a dated heading, one zone and a midnight roll-over -----------------------


def test_overnight_notes_roll_over_midnight_in_the_heading_zone():
    ctx = ReadContext()
    frame = read(FIXTURES / "overnight.md", ctx)
    # PT on 2026-03-20 is PDT (UTC-7); times after midnight fall on the 21st local.
    assert times(frame) == [
        utc("2026-03-21 06:40"),
        utc("2026-03-21 06:52"),
        utc("2026-03-21 06:55"),
        utc("2026-03-21 07:03"),
        utc("2026-03-21 07:10"),
        utc("2026-03-21 07:25"),
        utc("2026-03-21 07:41"),
        utc("2026-03-21 07:58"),
    ]
    assert list(frame["kind"]) == [
        "deploy.succeeded",
        "alert.triggered",
        "alert.triggered",
        "alert.acknowledged",
        "alert.escalated",
        "deploy.succeeded",
        "note",
        "alert.resolved",
    ]
    assert list(frame["ref"]) == [f"overnight.md:{n}" for n in (7, 8, 8, 9, 10, 11, 12, 14)]
    assert list(frame["tags"])[5:8] == [
        "mitigated rollback approximate",
        "mitigated",
        "resolved first_comms",
    ]
    assert frame["summary"].iloc[1] == "[23:52] Datadog alert fired, e.g. p99 latency over 2s."
    # The untimed line belongs to the timed line above it in the same paragraph.
    assert frame["summary"].iloc[6] == (
        "Error rate back to normal at 00:41. Customers were told about it by email."
    )
    assert ctx.warnings == [
        "overnight.md:9: 00:03 read as 2026-03-21, the day that keeps it nearest the event before"
    ]
    assert ctx.artifacts == [{"source": "notes", "name": "overnight.md", "records": 8}]


def test_a_line_with_its_own_date_does_not_roll_over(tmp_path):
    path = write(
        tmp_path,
        "2026-03-10 09:00 UTC deploy shipped\n2026-03-10 08:00 UTC the earlier alert fired\n",
    )
    ctx = ReadContext()
    frame = read(path, ctx)
    assert times(frame) == [utc("2026-03-10 09:00"), utc("2026-03-10 08:00")]
    assert ctx.warnings == []


def test_a_date_in_a_line_applies_to_later_lines(tmp_path):
    path = write(tmp_path, "Incident on 2026-02-01 at 10:00 UTC.\n10:05 paged on-call\n")
    frame = read(path, ReadContext(date=date(2025, 1, 1)))
    assert times(frame) == [utc("2026-02-01 10:00"), utc("2026-02-01 10:05")]


def test_spring_forward_day_uses_each_times_own_offset(tmp_path):
    path = write(tmp_path, "2026-03-08 01:55 PT - paged on-call\n03:05 PT acked\n")
    frame = read(path)
    # 01:55 is still PST (UTC-8); 03:05 is already PDT (UTC-7): ten minutes apart.
    assert times(frame) == [utc("2026-03-08 09:55"), utc("2026-03-08 10:05")]


# --- zones -------------------------------------------------------------------------------------


def test_zone_carries_forward_to_sentences_without_one(tmp_path):
    path = write(tmp_path, "09:00 CET deploy\n09:10 alert fired\n09:20 UTC acked\n09:30 resolved\n")
    frame = read(path, ReadContext(date=date(2026, 1, 5)))
    assert times(frame) == [
        utc("2026-01-05 08:00"),
        utc("2026-01-05 08:10"),
        utc("2026-01-05 09:20"),
        utc("2026-01-05 09:30"),
    ]


def test_unknown_abbreviation_names_file_line_and_abbreviation(tmp_path):
    path = write(tmp_path, "09:00 UTC deploy\n09:05 XYZT alert fired\n")
    with pytest.raises(TimeError) as caught:
        list(read_notes(path, ReadContext(date=date(2026, 1, 5))))
    assert str(caught.value) == (
        f"{path}:2: unknown time zone abbreviation 'XYZT' after '09:05'; "
        "use one of UTC, ET, PT, CET, BST, IST, JST, AEST or an offset such as +02:00"
    )


def test_no_zone_and_no_tz_is_an_error_naming_file_and_line(tmp_path):
    path = write(tmp_path, "Timeline:\n07:14 deploy went out\n")
    with pytest.raises(TimeError) as caught:
        list(read_notes(path, ReadContext(date=date(2026, 1, 5))))
    assert str(caught.value) == (
        f"{path}:2: no time zone for '07:14': add a zone such as UTC or pass --tz"
    )


def test_tz_option_is_used_when_the_text_has_no_zone(tmp_path):
    path = write(tmp_path, "07:14 deploy went out\n")
    ctx = ReadContext(date=date(2026, 7, 1), tz=ZoneInfo("Europe/Berlin"))
    assert times(read(path, ctx)) == [utc("2026-07-01 05:14")]


def test_a_zone_in_the_text_wins_over_the_tz_option_from_then_on(tmp_path):
    path = write(tmp_path, "07:00 deploy\n07:14 UTC alert fired\n07:20 acked\n")
    ctx = ReadContext(date=date(2026, 7, 1), tz=ZoneInfo("Europe/Berlin"))
    assert times(read(path, ctx)) == [
        utc("2026-07-01 05:00"),
        utc("2026-07-01 07:14"),
        utc("2026-07-01 07:20"),
    ]


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("14:02 UTC: rolled back to v41", "2026-06-01 14:02"),
        ("14:02 +02:00 rolled back", "2026-06-01 12:02"),
        ("14:02 UTC+5:30 rolled back", "2026-06-01 08:32"),
        ("2026-06-01T14:02:30Z rolled back", "2026-06-01 14:02:30"),
        ("2026-06-01T14:02:00-05:00 rolled back", "2026-06-01 19:02"),
        ("at 7:14am ET the deploy went out", "2026-06-01 11:14"),
        ("at 7:14 p.m. ET the deploy went out", "2026-06-01 23:14"),
        ("around 9 pm BST the deploy went out", "2026-06-01 20:00"),
        ("[14:02 IST] deploy", "2026-06-01 08:32"),
        ("(14:02) (JST) deploy", "2026-06-01 05:02"),
        ("14:02 utc deploy", "2026-06-01 14:02"),
        ("14:02 -05:00 deploy", "2026-06-01 19:02"),
        ("14:02:00-05:00 deploy", "2026-06-01 19:02"),
        ("2026-06-01T14:02-05:00 deploy", "2026-06-01 19:02"),
        ("14:02-14:30 PT errors elevated", "2026-06-01 21:02 2026-06-01 21:30"),
        ("14:02 to 14:30 PT errors elevated", "2026-06-01 21:02 2026-06-01 21:30"),
        ("14:02 – 2:30pm PT errors elevated", "2026-06-01 21:02 2026-06-01 21:30"),
        ("between 2:56 and 3:32pm PDT, nothing", "2026-06-01 21:56 2026-06-01 22:32"),
        ("12:00 UTC+2 noon check", "2026-06-01 10:00"),
        ("noon GMT+1 — status page updated", "2026-06-01 11:00"),
        ("at 3.14pm UTC Slack posted", "2026-06-01 15:14"),
        ("9:37 a.m. Pacific time: paged", "2026-06-01 16:37"),
        ("09:00 Europe/Paris deploy", "2026-06-01 07:00"),
        (
            "Between 15:45 UTC on 29 May and 00:05 UTC on 30 May 2026",
            "2026-05-29 15:45 2026-05-30 00:05",
        ),
        ("2026 June 1 22:52 UTC start", "2026-06-01 22:52"),
        ("21 Jun 2026 09:00 UTC", "2026-06-21 09:00"),
        ("30th of May 2026, 6:00 AM (GMT)", "2026-05-30 06:00"),
        ("June 2nd 10:00 UTC", "2026-06-02 10:00"),
        ("June 1, 2026 14:02 AEST deploy", "2026-06-01 04:02"),
        ("1st Jun 2026 14:02 NZST deploy", "2026-06-01 02:02"),
    ],
)
def test_time_zone_and_date_forms(tmp_path, line, expected):
    path = write(tmp_path, line + "\n")
    words = expected.split()
    expected_times = [
        utc(f"{day} {clock}") for day, clock in zip(words[::2], words[1::2], strict=True)
    ]
    assert times(read(path, ReadContext(date=date(2026, 6, 1)))) == expected_times


def test_standard_time_name_in_summer_is_local_time_with_a_warning(tmp_path):
    path = write(tmp_path, "~07:40 EST status page updated\n")
    ctx = ReadContext(date=date(2026, 7, 14))
    frame = read(path, ctx)
    assert times(frame) == [utc("2026-07-14 11:40")]
    assert list(frame["tags"]) == ["first_comms approximate"]
    assert ctx.warnings == [
        "notes.md:1: 'EST' written but America/New_York is on daylight saving time on "
        "2026-07-14; read as local time there, UTC-04:00"
    ]


def test_seasonal_name_picks_the_right_hour_when_clocks_go_back(tmp_path):
    # 2026-11-01 01:30 happens twice in New York: EDT (05:30Z), then EST (06:30Z).
    path = write(tmp_path, "2026-11-01 01:30 EDT paged\n2026-11-01 01:30 EST acked\n")
    assert times(read(path)) == [utc("2026-11-01 05:30"), utc("2026-11-01 06:30")]


# --- dates -------------------------------------------------------------------------------------


def test_no_date_anywhere_says_to_pass_date(tmp_path):
    path = write(tmp_path, "07:14 UTC deploy went out\n")
    with pytest.raises(InputError) as caught:
        list(read_notes(path, ReadContext()))
    assert str(caught.value) == (
        f"{path}:1: no date for '07:14': pass --date YYYY-MM-DD or write the date above this line"
    )


def test_ambiguous_slashed_date_is_an_error(tmp_path):
    path = write(tmp_path, "03/08/2026 07:14 UTC deploy\n")
    with pytest.raises(InputError, match="could be month/day or day/month; write it as YYYY-MM-DD"):
        list(read_notes(path, ReadContext()))


def test_unambiguous_slashed_date_is_read(tmp_path):
    path = write(tmp_path, "03/18/2026 07:14 UTC deploy\n")
    assert times(read(path)) == [utc("2026-03-18 07:14")]


def test_missing_and_empty_files_are_input_errors(tmp_path):
    with pytest.raises(InputError, match="file not found"):
        list(read_notes(tmp_path / "absent.md", ReadContext()))
    with pytest.raises(InputError, match="the notes file is empty"):
        list(read_notes(write(tmp_path, "\n  \n"), ReadContext()))


# --- lines, headings, warnings -----------------------------------------------------------------


def test_headings_and_blank_lines_are_skipped_without_warnings(tmp_path):
    text = (
        "Timeline\n========\n\n# Notes\n**Sunday 2026-03-01**\n2026-03-01\n---\n"
        "What happened:\n\n- 10:00 UTC deploy\n"
    )
    ctx = ReadContext()
    frame = read(write(tmp_path, text), ctx)
    assert times(frame) == [utc("2026-03-01 10:00")]
    assert list(frame["ref"]) == ["notes.md:10"]
    assert list(frame["summary"]) == ["10:00 UTC deploy"]
    assert ctx.warnings == []


def test_context_lines_set_date_and_zone_without_warnings(tmp_path):
    ctx = ReadContext()
    frame = read(write(tmp_path, "Date: Tuesday 2026-07-14\nAll times ET.\n07:14 deploy\n"), ctx)
    assert times(frame) == [utc("2026-07-14 11:14")]
    assert ctx.warnings == []


def test_a_heading_with_a_time_is_an_event_whose_text_is_the_paragraph_below(tmp_path):
    ctx = ReadContext()
    text = (
        "## 2026-03-01 09:55 UTC\n\nMonitoring alerts fired.\n\n"
        "## 2026-03-01 10:20 UTC\n10:30 deploy\n"
    )
    frame = read(write(tmp_path, text), ctx)
    assert times(frame) == [
        utc("2026-03-01 09:55"),
        utc("2026-03-01 10:20"),
        utc("2026-03-01 10:30"),
    ]
    assert list(frame["ref"]) == ["notes.md:1", "notes.md:5", "notes.md:6"]
    assert frame["summary"].iloc[0] == "2026-03-01 09:55 UTC Monitoring alerts fired."
    assert frame["kind"].iloc[0] == "alert.triggered"
    assert ctx.warnings == []


def test_sentence_after_a_timed_one_joins_its_summary_and_one_before_is_a_warning(tmp_path):
    ctx = ReadContext(date=date(2026, 3, 1))
    text = "Nothing odd early on. 10:00 UTC deploy. Nobody noticed at first.\n"
    frame = read(write(tmp_path, text), ctx)
    assert list(frame["summary"]) == ["10:00 UTC deploy. Nobody noticed at first."]
    assert ctx.warnings == [
        "notes.md:1: no time in 'Nothing odd early on.'; not placed on the timeline"
    ]


@pytest.mark.parametrize(
    "text",
    [
        "ratio hit 25:99 today\n",
        "25:61 paged\n",
        "no times here at all.\nNor here.\n",
        "word " * 1_000_000 + "\n",
    ],
    ids=["25:99", "25:61", "no-times", "5MB-of-words"],
)
def test_notes_without_a_time_of_day_are_an_error_naming_the_file(tmp_path, text):
    path = write(tmp_path, text)
    with pytest.raises(InputError) as caught:
        list(read_notes(path, ReadContext(date=date(2026, 3, 1))))
    assert str(caught.value) == (
        f"{path}: no line with a time of day (such as 14:05 or 2:05 PM); nothing to place "
        "on the timeline"
    )


def test_first_real_clock_in_a_sentence_is_used(tmp_path):
    path = write(tmp_path, "ratio hit 25:99, then at 07:14 UTC paged\n")
    assert times(read(path, ReadContext(date=date(2026, 3, 1)))) == [utc("2026-03-01 07:14")]


def test_window_keeps_only_events_inside_it(tmp_path):
    path = write(tmp_path, "09:00 UTC deploy\n10:00 alert fired\n11:00 resolved\n")
    window = Window(utc("2026-03-01 09:30"), utc("2026-03-01 10:30"))
    ctx = ReadContext(date=date(2026, 3, 1), window=window)
    frame = read(path, ctx)
    assert times(frame) == [utc("2026-03-01 10:00")]
    assert ctx.artifacts == [{"source": "notes", "name": "notes.md", "records": 3}]


# --- sentence splitting ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Deploy went out at 07:14 ET. First complaint at 07:22. Alert fired at 07:31.",
            ["Deploy went out at 07:14 ET.", "First complaint at 07:22.", "Alert fired at 07:31."],
        ),
        (
            "Shipped v1.2.3 at 07:14. Rolled back to v1.2.2.",
            ["Shipped v1.2.3 at 07:14.", "Rolled back to v1.2.2."],
        ),
        ("Saw errors, e.g. 502s, at 07:14. Paged.", ["Saw errors, e.g. 502s, at 07:14.", "Paged."]),
        ("Checked i.e. the LB at 07:14 ET.", ["Checked i.e. the LB at 07:14 ET."]),
        ("Deploy at 7:14 a.m. ET was fine.", ["Deploy at 7:14 a.m. ET was fine."]),
        ("Deploy at 7:14 a.m. Alert at 7:31.", ["Deploy at 7:14 a.m.", "Alert at 7:31."]),
        ("What broke? Nobody knew! 07:14 paged.", ["What broke?", "Nobody knew!", "07:14 paged."]),
        ("Latency 1.5s at 07:14", ["Latency 1.5s at 07:14"]),
    ],
)
def test_split_sentences(text, expected):
    assert split_sentences(text) == expected


# --- kinds -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sentence", "kind", "tags", "rule"),
    [
        ("Datadog alert fired", "alert.triggered", "detected", "notes: 'alert' -> detected"),
        ("Alert fires", "alert.triggered", "detected", "notes: 'alert' -> detected"),
        (
            "alert on elevated 5xx firing",
            "alert.triggered",
            "detected",
            "notes: 'alert' -> detected",
        ),
        ("paged on-call", "alert.triggered", "detected", "notes: 'paged' -> detected"),
        (
            "Fastly monitoring identifies the disruption",
            "alert.triggered",
            "detected",
            "notes: 'monitoring identifies' -> detected",
        ),
        (
            "identified by monitoring",
            "alert.triggered",
            "detected",
            "notes: 'identified by monitor' -> detected",
        ),
        (
            "an automated warning came in",
            "alert.triggered",
            "detected",
            "notes: 'automated warning' -> detected",
        ),
        ("we noticed spammers", "alert.triggered", "detected", "notes: 'noticed' -> detected"),
        (
            "Alice acked the page",
            "alert.acknowledged",
            "acknowledged",
            "notes: 'acked' -> acknowledged",
        ),
        (
            "on-call engages",
            "alert.acknowledged",
            "acknowledged",
            "notes: 'on-call engages' -> acknowledged",
        ),
        ("Bob joined the bridge", "alert.escalated", "escalated", "notes: 'joined' -> escalated"),
        ("Pulled in DB on-call", "alert.escalated", "escalated", "notes: 'pulled in' -> escalated"),
        (
            "escalated to the payments lead",
            "alert.escalated",
            "escalated",
            "notes: 'escalated to' -> escalated",
        ),
        ("the problem escalated, causing a lockup", "note", "", ""),
        (
            "Rolled back the deploy",
            "deploy.succeeded",
            "mitigated rollback",
            "notes: 'rolled back' -> mitigated",
        ),
        (
            "Reverted abc123",
            "deploy.succeeded",
            "mitigated rollback",
            "notes: 'reverted' -> mitigated",
        ),
        ("rollback attempted", "note", "", ""),
        ("rollback fails on a schema check", "note", "", ""),
        ("rollback started", "note", "", ""),
        (
            "rollback complete, error rate drops",
            "deploy.succeeded",
            "mitigated rollback",
            "notes: 'rollback complete' -> mitigated",
        ),
        ("Error rate back to normal", "note", "mitigated", "notes: 'error rate back' -> mitigated"),
        ("Service recovered", "note", "mitigated", "notes: 'recovered' -> mitigated"),
        ("Most services recovered", "note", "", ""),
        ("Incident resolved", "alert.resolved", "resolved", "notes: 'resolved' -> resolved"),
        ("we are working to resolve it", "note", "", ""),
        (
            "S3 was operating normally",
            "alert.resolved",
            "resolved",
            "notes: 'operating normally' -> resolved",
        ),
        (
            "fully restored",
            "alert.resolved",
            "mitigated resolved",
            "notes: 'fully restored' -> resolved; 'restored' -> mitigated",
        ),
        (
            "checkout confirmed stable",
            "alert.resolved",
            "resolved",
            "notes: 'confirmed stable' -> resolved",
        ),
        (
            "verified operational",
            "alert.resolved",
            "resolved",
            "notes: 'verified operational' -> resolved",
        ),
        ("not resolved yet", "note", "", ""),
        (
            "Status page updated",
            "comms.status_page",
            "first_comms",
            "notes: 'status page' -> first_comms",
        ),
        (
            "customers notified by email",
            "comms.status_page",
            "first_comms",
            "notes: 'customers notified' -> first_comms",
        ),
        (
            "Support ticket opened",
            "report.customer",
            "",
            "notes: 'support ticket' -> customer_report",
        ),
        (
            "Customer reported 500s",
            "report.customer",
            "",
            "notes: 'customer reported' -> customer_report",
        ),
        ("Shipped v42", "deploy.succeeded", "", "notes: 'shipped' -> deploy"),
        ("Decided not to roll back; no rollback needed", "note", "", ""),
        ("Looked at dashboards", "note", "", ""),
    ],
)
def test_guess_kind(sentence, kind, tags, rule):
    assert guess_kind(sentence) == (kind, tags, rule)


# --- properties --------------------------------------------------------------------------------

_PLACES = sorted(name for name, (_, daylight) in ABBREVIATIONS.items() if daylight is None)


@settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    abbreviation=st.sampled_from(_PLACES),
    moment=st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2037, 12, 31)),
)
def test_any_abbreviation_maps_to_its_zones_offset_on_that_date(tmp_path, abbreviation, moment):
    moment = moment.replace(second=0, microsecond=0)
    zone = ZoneInfo(ABBREVIATIONS[abbreviation][0])
    local = moment.replace(tzinfo=zone)
    if local.astimezone(UTC).astimezone(zone).replace(tzinfo=None) != moment:
        return  # a wall time skipped by a DST change has no instant to compare with
    path = write(tmp_path, f"{moment:%Y-%m-%d %H:%M} {abbreviation} deploy\n")
    (ts,) = times(read(path))
    assert ts == pd.Timestamp(local.astimezone(UTC))
    assert ts.tz_convert(zone).tz_localize(None) == pd.Timestamp(moment)


@settings(
    max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    start=st.datetimes(min_value=datetime(2020, 1, 1), max_value=datetime(2030, 1, 1)),
    steps=st.lists(st.integers(min_value=1, max_value=12 * 60 - 1), min_size=1, max_size=30),
    offset_hours=st.integers(min_value=-11, max_value=13),
)
def test_clock_times_alone_recover_each_instant_across_midnights(
    tmp_path, start, steps, offset_hours
):
    start = start.replace(second=0, microsecond=0)
    zone = timezone(timedelta(hours=offset_hours))
    moments = [start]
    for minutes in steps:
        moments.append(moments[-1] + timedelta(minutes=minutes))
    sign = "+" if offset_hours >= 0 else "-"
    lines = [f"{start:%Y-%m-%d %H:%M} {sign}{abs(offset_hours):02d}:00 deploy"]
    lines += [f"{m:%H:%M} alert fired" for m in moments[1:]]
    frame = read(write(tmp_path, "\n".join(lines) + "\n"))
    expected = [pd.Timestamp(m.replace(tzinfo=zone)).tz_convert("UTC") for m in moments]
    assert times(frame) == expected
    assert frame["ts"].is_monotonic_increasing


@given(
    parts=st.lists(
        st.tuples(
            st.sampled_from(["Shipped", "Rolled back to", "Saw", "Checked"]),
            st.from_regex(r"v\d\.\d{1,2}\.\d{1,2}|\d{2}:\d{2}|e\.g\. 5xx", fullmatch=True),
        ),
        min_size=1,
        max_size=6,
    )
)
def test_versions_times_and_eg_never_split_a_sentence(parts):
    sentences = [f"{verb} {thing} at once." for verb, thing in parts]
    assert split_sentences(" ".join(sentences)) == sentences


# --- layouts and rules of the notes issue --------------------------------------------------------


def test_ambiguous_abbreviation_uses_the_documented_default_and_warns(tmp_path):
    ctx = ReadContext(date=date(2026, 6, 1))
    frame = read(write(tmp_path, "10:00 IST deploy\n10:30 IST alert fired\n"), ctx)
    assert times(frame) == [utc("2026-06-01 04:30"), utc("2026-06-01 05:00")]
    assert ctx.warnings == [
        "notes.md: 'IST' read as India (UTC+5:30); Irish and Israel time also use IST; "
        "write an offset to choose"
    ]


def test_a_newest_first_list_without_dates_is_never_rolled_forward(tmp_path):
    text = (
        "00:40 UTC resolved\n00:10 UTC monitoring\n23:50 UTC identified\n23:30 UTC investigating\n"
    )
    frame = read(write(tmp_path, text), ReadContext(date=date(2026, 6, 2)))
    assert times(frame) == [
        utc("2026-06-02 00:40"),
        utc("2026-06-02 00:10"),
        utc("2026-06-01 23:50"),
        utc("2026-06-01 23:30"),
    ]


def test_a_small_step_back_stays_on_the_same_day(tmp_path):
    text = (
        "10:00 UTC alert fired\n11:30 UTC rollback complete\n"
        "11:20 UTC (noted late) customer report\n"
    )
    frame = read(write(tmp_path, text), ReadContext(date=date(2026, 6, 2)))
    assert times(frame) == [
        utc("2026-06-02 10:00"),
        utc("2026-06-02 11:30"),
        utc("2026-06-02 11:20"),
    ]


def test_a_planned_time_is_not_an_event_and_does_not_roll_the_day(tmp_path):
    ctx = ReadContext(date=date(2026, 6, 2))
    text = (
        "09:00 UTC alert fired\nMaintenance is scheduled for 22:00 UTC tonight.\n"
        "09:30 UTC resolved\n"
    )
    frame = read(write(tmp_path, text), ctx)
    assert times(frame) == [utc("2026-06-02 09:00"), utc("2026-06-02 09:30")]
    assert ctx.warnings == ["notes.md:2: 22:00 is a planned time, not an event; not placed"]


def test_a_preamble_sets_the_zone_for_the_whole_document_and_tz_only_fills_gaps(tmp_path):
    text = "Timeline (times in PT)\n\n09:12 alert fires\n"
    path = write(tmp_path, text)
    ctx = ReadContext(date=date(2026, 3, 14), tz=ZoneInfo("Europe/Berlin"))
    assert times(read(path, ctx)) == [utc("2026-03-14 16:12")]


def test_comma_clauses_each_with_a_time_are_separate_events(tmp_path):
    path = write(
        tmp_path, "Alert 14:03, acknowledged 14:07, rollback began 14:29, verified 14:50\n"
    )
    frame = read(path, ReadContext(date=date(2026, 4, 17), tz=ZoneInfo("UTC")))
    assert list(frame["summary"]) == [
        "Alert 14:03",
        "acknowledged 14:07",
        "rollback began 14:29",
        "verified 14:50",
    ]
    assert list(frame["kind"]) == [
        "alert.triggered",
        "alert.acknowledged",
        "note",
        "alert.resolved",
    ]


# --- the milestone words, compiled on first use -------------------------------------------
CORPUS = Path(__file__).resolve().parents[1] / "corpus" / "timelines"


def corpus_lines() -> list[str]:
    """Every line of the public postmortem timelines in the corpus."""
    return [
        line
        for path in sorted(CORPUS.glob("*.md"))
        for line in path.read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]


def test_lazily_compiled_words_match_what_the_patterns_always_matched():
    from ingest.notes.words import _WORDS, PATTERNS, SOURCES

    lines = corpus_lines()
    assert set(PATTERNS) == set(_WORDS) == set(SOURCES)
    hits = 0
    for name, patterns in _WORDS.items():
        eager = re.compile("|".join(f"(?:{p})" for p in patterns), re.IGNORECASE | re.MULTILINE)
        assert PATTERNS[name] is PATTERNS[name]  # compiled once
        assert PATTERNS[name].flags == eager.flags
        for line in lines:
            found, expected = PATTERNS[name].search(line), eager.search(line)
            assert (found and found.span()) == (expected and expected.span()), (name, line)
            hits += expected is not None
    assert hits > 100  # the corpus does name milestones
