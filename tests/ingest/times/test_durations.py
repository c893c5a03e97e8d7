from datetime import timedelta

import pytest

from ingest.errors import TimeError
from ingest.times import parse_duration


@pytest.mark.parametrize(
    ("text", "expected"),
    [("90s", 90), ("10m", 600), ("1.5h", 5400), ("7d", 604800), ("2w", 1209600), (" 3 min ", 180)],
)
def test_durations(text, expected):
    assert parse_duration(text) == timedelta(seconds=expected)


@pytest.mark.parametrize("text", ["2 hours", "h", "-1h", "7", ""])
def test_not_durations(text):
    with pytest.raises(TimeError, match=r"is not a duration such as '30m', '2h' or '7d'"):
        parse_duration(text, what="window.lookback")
