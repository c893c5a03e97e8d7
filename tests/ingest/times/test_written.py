"""One time as written: any aware time in any supported form is one UTC instant, and a zone in
the text beats the zone given for times without one."""

from datetime import UTC, date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pandas as pd
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from ingest.errors import TimeError
from ingest.times import PartialDateError, calendar_date, named_zone, parse_one, read_time
from ingest.times.zones import ABBREVIATIONS

instants = st.datetimes(
    min_value=datetime(1972, 1, 1), max_value=datetime(2099, 1, 1), timezones=st.just(UTC)
).map(lambda moment: moment.replace(microsecond=0))
other_zones = st.sampled_from(
    [None, ZoneInfo("Europe/Berlin"), ZoneInfo("Asia/Tokyo"), timezone(timedelta(hours=-3))]
)
# Where the date goes and how the clock is written, for the free forms.
LAYOUTS = (
    "{d:%Y-%m-%d %H:%M:%S} {z}",
    "{d:%b %d %Y %I:%M:%S %p} {z}",
    "{d:%d %B %Y %H:%M:%S} ({z})",
    "{d:%A, %B %d, %Y %H:%M:%S} {z}",
)


def _single_reading(local: datetime) -> bool:
    """The wall time reads one way in its zone (not repeated when clocks go back)."""
    wall = local.replace(tzinfo=None)
    first, second = (wall.replace(tzinfo=local.tzinfo, fold=f) for f in (0, 1))
    return first.utcoffset() == second.utcoffset()


@settings(deadline=None)  # timing varies on a shared machine
@given(instants, st.sampled_from(sorted(ABBREVIATIONS)), st.sampled_from(LAYOUTS), other_zones)
def test_an_abbreviation_with_the_season_of_its_date_is_one_instant(moment, abbr, layout, tz):
    name, daylight = ABBREVIATIONS[abbr]
    local = moment.astimezone(ZoneInfo(name))
    assume(daylight is None or bool(local.dst()) == daylight)
    assume(_single_reading(local))
    text = layout.format(d=local, z=abbr)
    assert parse_one(text, tz=tz) == pd.Timestamp(moment)


@settings(deadline=None)  # timing varies on a shared machine
@given(
    instants,
    st.integers(min_value=-14 * 60, max_value=14 * 60),
    st.sampled_from(["iso", "spaced", "utc", "gmt", "bracketed"]),
    other_zones,
)
def test_an_offset_in_any_form_is_one_instant(moment, minutes, form, tz):
    offset = timedelta(minutes=minutes)
    local = moment.astimezone(timezone(offset))
    sign = "-" if minutes < 0 else "+"
    hh, mm = divmod(abs(minutes), 60)
    written = {
        "iso": local.isoformat(),
        "spaced": f"{local:%Y-%m-%d %H:%M:%S} {sign}{hh:02d}{mm:02d}",
        "utc": f"{local:%Y-%m-%d %H:%M:%S} UTC{sign}{hh}" + (f":{mm:02d}" if mm else ""),
        "gmt": f"GMT{sign}{hh:02d}:{mm:02d} {local:%d %b %Y %H:%M:%S}",
        "bracketed": f"{local:%B %d, %Y %I:%M:%S %p} (UTC{sign}{hh:02d}:{mm:02d})",
    }[form]
    assert parse_one(written, tz=tz) == pd.Timestamp(moment)


@settings(deadline=None)  # timing varies on a shared machine
@given(instants, st.sampled_from(["America/Los_Angeles", "Europe/London", "Australia/Sydney"]))
def test_an_iana_name_written_after_the_time(moment, name):
    local = moment.astimezone(ZoneInfo(name))
    assume(_single_reading(local))
    assert parse_one(f"{local:%Y-%m-%d %H:%M:%S} {name}", tz=named_zone("+05:00")) == moment


@settings(deadline=None)  # timing varies on a shared machine
@given(instants, st.sampled_from(["America/New_York", "Europe/Berlin", "Asia/Kolkata"]))
def test_a_time_written_without_a_zone_takes_tz(moment, name):
    local = moment.astimezone(ZoneInfo(name))
    assume(_single_reading(local))
    assert parse_one(f"{local:%Y-%m-%d %H:%M:%S}", tz=ZoneInfo(name)) == moment


def test_pdt_beats_tz():
    expected = pd.Timestamp("2024-07-01T09:00:00Z")
    assert parse_one("2024-07-01 02:00 PDT", tz=ZoneInfo("Europe/Berlin")) == expected
    assert parse_one("2024-07-01 02:00 PDT") == expected
    assert parse_one("2024-07-01 02:00 PT") == expected
    assert parse_one("2024-12-01 02:00 PST") == pd.Timestamp("2024-12-01T10:00:00Z")


def test_daylight_saving_comes_from_the_date():
    assert parse_one("2024-07-01 12:00 ET") == pd.Timestamp("2024-07-01T16:00:00Z")
    assert parse_one("2024-01-15 12:00 ET") == pd.Timestamp("2024-01-15T17:00:00Z")
    assert parse_one("2024-07-01 12:00 CEST") == pd.Timestamp("2024-07-01T10:00:00Z")
    assert parse_one("2024-07-01 12:00 BST") == pd.Timestamp("2024-07-01T11:00:00Z")


def test_a_repeated_hour_is_told_apart_by_the_abbreviation():
    assert parse_one("2024-11-03 01:30 EDT") == pd.Timestamp("2024-11-03T05:30:00Z")
    assert parse_one("2024-11-03 01:30 EST") == pd.Timestamp("2024-11-03T06:30:00Z")
    with pytest.raises(TimeError, match=r"happens twice in America/New_York"):
        parse_one("2024-11-03 01:30 ET")


def test_a_standard_name_in_summer_is_refused():
    with pytest.raises(
        TimeError,
        match=r"^time '2024-07-01 02:00 PST': 'PST' written but America/Los_Angeles is on "
        r"daylight saving time on 2024-07-01; write it with its UTC offset$",
    ):
        parse_one("2024-07-01 02:00 PST")


def test_naive_without_tz_says_what_to_do():
    with pytest.raises(TimeError, match=r"^--since '2024-07-01 02:00' has no time zone: add an "):
        parse_one("2024-07-01 02:00", what="--since")


def test_a_time_without_a_date_is_refused():
    with pytest.raises(TimeError, match=r"'14:03 UTC' has no date"):
        parse_one("14:03 UTC")


def test_two_different_zones_are_refused():
    with pytest.raises(TimeError, match="names more than one zone"):
        parse_one("2024-07-01 02:00 PDT +02:00")


def test_unknown_abbreviation_and_iana_name():
    with pytest.raises(TimeError, match="unknown time zone abbreviation 'XYZT'"):
        parse_one("2024-07-01 02:00 XYZT")
    with pytest.raises(TimeError, match="unknown time zone 'Mars/Olympus'"):
        parse_one("2024-07-01 02:00 Mars/Olympus")


def test_offset_out_of_range():
    with pytest.raises(TimeError, match="out of range"):
        parse_one("2024-07-01 02:00 UTC+15")


def test_a_clock_takes_the_day_it_is_read_with():
    written = read_time("14:03 UTC", day=date(2024, 7, 1))
    assert not written.has_date
    assert written.to_utc() == pd.Timestamp("2024-07-01T14:03:00Z")
    assert read_time("2024-07-02 14:03", day=date(2024, 7, 1)).has_date


def test_named_zone_takes_iana_names_and_offsets():
    assert named_zone("Europe/Berlin") == ZoneInfo("Europe/Berlin")
    assert named_zone("utc") == ZoneInfo("UTC")
    assert named_zone("UTC+2").utcoffset(None) == timedelta(hours=2)
    assert named_zone("-07:00").utcoffset(None) == timedelta(hours=-7)
    for bad in ("Mars/Olympus", "America", "", "UTC+25"):
        with pytest.raises(TimeError):
            named_zone(bad)


@pytest.mark.parametrize(
    "text", ["2024-07-01", "1 July 2024", "July 1st, 2024", "Mon, 1 Jul 2024", "2024/07/01"]
)
def test_calendar_dates(text):
    assert calendar_date(text) == date(2024, 7, 1)


@pytest.mark.parametrize(
    "text", ["March", "July 1", "next Friday", "2024-02-30", "2024-07-01 9:00"]
)
def test_not_calendar_dates(text):
    with pytest.raises(TimeError):
        calendar_date(text)


def test_a_partial_date_is_told_apart():
    with pytest.raises(PartialDateError):
        calendar_date("July 1")
