"""The one duration formatter: gaps, quiet periods, the command's summary, the figures."""

from __future__ import annotations

import math
import re
from datetime import timedelta

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from ingest.errors import TimeError
from ingest.times.durations import format_duration, parse_duration


@pytest.mark.parametrize(
    ("seconds", "expected"),
    [
        (3850, "1h 04m 10s"),
        (0, "0s"),
        (9, "9s"),
        (59.6, "1m 00s"),
        (245, "4m 05s"),
        (90061, "1d 01h 01m 01s"),
        (-3850, "-1h 04m 10s"),
        (-0.2, "-0s"),
        (timedelta(minutes=2), "2m 00s"),
    ],
)
def test_durations(seconds: object, expected: str) -> None:
    assert format_duration(seconds) == expected


@pytest.mark.parametrize("seconds", [None, math.nan])
def test_unknown_duration_is_a_tk_marker(seconds: object) -> None:
    assert format_duration(seconds) == "TK — unknown"


def _seconds_of(text: str) -> int:
    sign = -1 if text.startswith("-") else 1
    units = {"d": 86_400, "h": 3_600, "m": 60, "s": 1}
    return sign * sum(int(n) * units[u] for n, u in re.findall(r"(\d+)([dhms])", text))


@given(st.integers(min_value=-(10**8), max_value=10**8))
def test_duration_text_reads_back_to_the_same_seconds(seconds: int) -> None:
    text = format_duration(seconds)
    assert _seconds_of(text) == seconds
    assert text.startswith("-") == (seconds < 0)


def test_unknown_text_can_be_chosen() -> None:
    assert format_duration(None, unknown="-") == "-"
    assert format_duration(pd.NA, unknown="-") == "-"
    assert format_duration(3725, unknown="-") == "1h 02m 05s"


def test_filters_and_figures_use_the_same_formatter() -> None:
    from render.filters import FILTERS
    from timeline.export import stats

    assert FILTERS["duration"] is format_duration
    assert stats.format_duration is format_duration


@pytest.mark.parametrize(
    ("text", "expected"),
    [("90s", 90), ("10m", 600), ("1.5h", 5400), ("7d", 604800), ("2w", 1209600), (" 3 min ", 180)],
)
def test_written_durations(text: str, expected: int) -> None:
    assert parse_duration(text) == timedelta(seconds=expected)


@pytest.mark.parametrize("text", ["2 hours", "h", "-1h", "7", ""])
def test_not_durations(text: str) -> None:
    with pytest.raises(TimeError, match=r"is not a duration such as '30m', '2h' or '7d'"):
        parse_duration(text, what="window.lookback")
