from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ingest.errors import TimeError
from ingest.times import iso_to_utc, parse_one, slack_ts_to_utc, to_iso, written_to_utc
from ingest.times.columns import CellTimeError

offsets = st.integers(min_value=-14 * 60, max_value=14 * 60).map(
    lambda m: timezone(timedelta(minutes=m))
)
aware = st.datetimes(
    min_value=datetime(1971, 1, 1), max_value=datetime(2099, 1, 1), timezones=offsets
)


@settings(deadline=None)  # timing varies on a shared machine
@given(aware)
def test_any_aware_time_maps_to_one_utc_instant(moment):
    text = moment.isoformat()
    parsed = iso_to_utc([text]).iloc[0]
    assert parsed == pd.Timestamp(moment)
    assert str(parsed.tz) == "UTC"
    assert parse_one(text) == parsed


@settings(deadline=None)  # timing varies on a shared machine
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


def test_unreadable_iso_is_a_one_line_error_naming_the_value():
    with pytest.raises(TimeError) as raised:
        iso_to_utc(["2015-10-06T 1:30:42Z"], what="created_at")
    message = str(raised.value)
    assert "\n" not in message
    assert message.startswith("created_at could not be read as ISO 8601")
    assert "2015-10-06T 1:30:42Z" in message


def test_to_iso_uses_z_and_keeps_microseconds():
    assert to_iso(pd.Timestamp("2026-10-14T14:31:00.000005Z")) == "2026-10-14T14:31:00.000005Z"
    assert to_iso(pd.Timestamp("2026-10-14T16:31:00+02:00")) == "2026-10-14T14:31:00Z"
    assert to_iso(None) is None


def test_empty_slack_ts_column():
    assert slack_ts_to_utc([]).empty


def test_slack_ts_odd_shapes_take_the_exact_path():
    parsed = slack_ts_to_utc(["1355517523.5", "1355517523", "", "not-a-ts"])
    assert parsed[0].value == 1355517523_500000_000
    assert parsed[1].value == 1355517523_000000_000
    assert parsed[2:].isna().all()


def test_table_cells_in_every_written_form():
    cells = pd.Series(
        [
            "2024-07-01T09:00:00Z",
            "2024-07-01 11:00",
            "2024-07-01 02:00 PDT",
            "Jul 1 2024 11:00 AM UTC+2",
            "2024-07-01 10:00 BST",
        ],
        index=[10, 11, 12, 13, 14],
    )
    parsed = written_to_utc(cells, tz=ZoneInfo("Europe/Berlin"))
    assert list(parsed.index) == [10, 11, 12, 13, 14]
    assert (parsed == pd.Timestamp("2024-07-01T09:00:00Z")).all()


def test_a_bad_cell_is_named_by_its_label():
    cells = pd.Series(["2024-07-01T09:00:00Z", "2024-07-01 11:00"], index=[4, 7])
    with pytest.raises(CellTimeError) as caught:
        written_to_utc(cells, tz=None)
    assert caught.value.label == 7
    assert "has no time zone" in str(caught.value)


@settings(deadline=None)  # timing varies on a shared machine
@given(aware, st.sampled_from(["America/New_York", "Europe/Berlin", "Asia/Kolkata", "UTC"]))
def test_vectorised_cells_agree_with_one_by_one(moment, name):
    tz = ZoneInfo(name)
    naive = moment.astimezone(tz).replace(tzinfo=None, microsecond=0)
    text = naive.isoformat(sep=" ")
    try:
        one = parse_one(text, tz=tz)
    except TimeError:  # skipped or repeated by a daylight-saving change: both must refuse it
        with pytest.raises(CellTimeError):
            written_to_utc(pd.Series([text]), tz=tz)
        return
    assert written_to_utc(pd.Series([text, moment.isoformat()]), tz=tz).iloc[0] == one
