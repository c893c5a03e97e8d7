"""Clock times, dates and zones as written in notes (ingest/times/clock.py)."""

from datetime import date

import pytest

from ingest.times.clock import (
    AmbiguousDate,
    UnknownZone,
    find_clocks,
    find_dates,
    find_preamble,
    first_year,
    to_24h,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2018 October 21 22:52 UTC", date(2018, 10, 21)),
        ("October 21, 2018", date(2018, 10, 21)),
        ("21 Oct 2018", date(2018, 10, 21)),
        ("Thursday, 13th of September 2018, 6:00 AM", date(2018, 9, 13)),
        ("Oct 21", date(2024, 10, 21)),
        ("October 21st", date(2024, 10, 21)),
        ("2017/01/31 6pm", date(2017, 1, 31)),
        ("10/20/2025 06:53 UTC", date(2025, 10, 20)),
        ("2024-06-15T14:45:00Z", date(2024, 6, 15)),
    ],
)
def test_date_forms(text, expected):
    (found,) = find_dates(text, 2024)
    assert found[2] == expected


def test_a_date_without_a_year_and_no_year_given_is_unknown():
    (found,) = find_dates("Mar 13, 10:16 MDT", None)
    assert found[2] is None and found[3] is False


def test_a_numeric_date_that_reads_both_ways_is_refused():
    with pytest.raises(AmbiguousDate):
        find_dates("03/08/2026 07:14", 2026)


def test_first_year_is_the_first_full_date():
    assert first_year("On May 17 ... Posted Jul 13, 2018 - 16:27 UTC") == 2018


@pytest.mark.parametrize(
    ("text", "hour", "minute", "zone"),
    [
        ("9:37AM PST", 9, 37, "PST"),
        ("9:37 a.m. Pacific time", 9, 37, "Pacific time"),
        ("3.14pm", 15, 14, None),
        ("6pm UTC", 18, 0, "UTC"),
        ("11pm-ish UTC", 23, 0, "UTC"),
        ("0:31:10", 0, 31, None),
        ("at noon", 12, 0, None),
        ("midnight — replay finished", 0, 0, None),
        ("09:14 (GMT+2)", 9, 14, "+2"),
        ("00:25 UTC-07:00", 0, 25, "-07:00"),
        ("[09:12] alert", 9, 12, None),
        ("15:40 US/Pacific", 15, 40, "US/Pacific"),
    ],
)
def test_clock_forms_and_the_zone_written_after_them(text, hour, minute, zone):
    (clock,) = find_clocks(text)
    assert (to_24h(clock), clock.minute) == (hour, minute)
    assert (clock.zone.label if clock.zone else None) == zone


@pytest.mark.parametrize("text", ["25:61 paged", "7:75", "13pm", "crossing midnight twice"])
def test_impossible_or_prose_times_are_no_times(text):
    assert find_clocks(text) == []


def test_an_unknown_zone_like_abbreviation_is_named():
    with pytest.raises(UnknownZone, match="'XYZT' after '09:05'"):
        find_clocks("09:05 XYZT deploy")


@pytest.mark.parametrize(
    ("text", "zone"),
    [
        ("All times in CEST", "CEST"),
        ("Search latency (times in PT)", "PT"),
        ("(all times are US/Pacific)", "US/Pacific"),
        ("| Time stamps (UTC) | Event |", "UTC"),
        ("all times Eastern time", "Eastern time"),
    ],
)
def test_preambles(text, zone):
    found = find_preamble(text)
    assert found is not None and found[0] == zone


def test_no_preamble_in_plain_prose():
    assert find_preamble("It took some time to find the cause.") is None
