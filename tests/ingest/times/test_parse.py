from datetime import datetime, timedelta, timezone

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from ingest.errors import TimeError
from ingest.times import iso_to_utc, parse_one, slack_ts_to_utc, to_iso, zone

offsets = st.integers(min_value=-14 * 60, max_value=14 * 60).map(
    lambda m: timezone(timedelta(minutes=m))
)
aware = st.datetimes(
    min_value=datetime(1971, 1, 1), max_value=datetime(2099, 1, 1), timezones=offsets
)


@given(aware)
def test_any_aware_time_maps_to_one_utc_instant(moment):
    text = moment.isoformat()
    parsed = iso_to_utc([text]).iloc[0]
    assert parsed == pd.Timestamp(moment)
    assert str(parsed.tz) == "UTC"
    assert parse_one(text) == parsed


@given(
    st.integers(min_value=1_000_000_000, max_value=4_000_000_000),
    st.integers(min_value=0, max_value=999_999),
)
def test_slack_ts_keeps_every_microsecond(seconds, micros):
    text = f"{seconds}.{micros:06d}"
    parsed = slack_ts_to_utc([text]).iloc[0]
    assert parsed.value == seconds * 1_000_000_000 + micros * 1_000


def test_mixed_offsets_in_one_column():
    parsed = iso_to_utc(["2015-10-06T21:30:42Z", "2018-08-09T14:40:48-07:00", None, ""])
    assert list(parsed[:2]) == [
        pd.Timestamp("2015-10-06T21:30:42Z"),
        pd.Timestamp("2018-08-09T21:40:48Z"),
    ]
    assert parsed[2:].isna().all()


def test_naive_iso_is_an_error_naming_the_value():
    with pytest.raises(TimeError, match="created_at '2026-10-14T14:31:00' has no time zone offset"):
        iso_to_utc(["2026-10-14T14:31:00"], what="created_at")


def test_naive_cli_time_takes_tz_or_errors():
    assert parse_one("2026-10-14 10:31", tz=zone("America/New_York")) == pd.Timestamp(
        "2026-10-14T14:31:00Z"
    )
    with pytest.raises(TimeError, match="--since '2026-10-14 10:31' has no time zone"):
        parse_one("2026-10-14 10:31", what="--since")


def test_unknown_zone_name():
    with pytest.raises(TimeError, match="unknown time zone 'Mars/Olympus'"):
        zone("Mars/Olympus")


def test_to_iso_uses_z_and_keeps_microseconds():
    assert to_iso(pd.Timestamp("2026-10-14T14:31:00.000005Z")) == "2026-10-14T14:31:00.000005Z"
    assert to_iso(pd.Timestamp("2026-10-14T16:31:00+02:00")) == "2026-10-14T14:31:00Z"
    assert to_iso(None) is None


def test_empty_slack_ts_column():
    assert slack_ts_to_utc([]).empty
