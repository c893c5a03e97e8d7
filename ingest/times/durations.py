"""Durations both ways: read as people write them in config and options (``90s``, ``10m``,
``2h``, ``7d``), and written as people read them (``1h 04m 10s``), the one formatter for gaps,
quiet periods, the command line's summary and the cross-incident figures."""

from __future__ import annotations

import math
import re
from datetime import timedelta

from ingest.errors import TimeError

UNKNOWN_DURATION = "TK — unknown"

_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(s|sec|m|min|h|d|w)\s*$")
_UNIT_SECONDS = {"s": 1, "sec": 1, "m": 60, "min": 60, "h": 3600, "d": 86400, "w": 604800}


def parse_duration(text: str, *, what: str = "duration") -> timedelta:
    """'90s', '10m', '2h', '7d', '1w' to a timedelta; TimeError naming the value otherwise."""
    match = _DURATION.match(str(text))
    if not match:
        raise TimeError(f"{what} {text!r} is not a duration such as '30m', '2h' or '7d'")
    return timedelta(seconds=float(match.group(1)) * _UNIT_SECONDS[match.group(2)])


def format_duration(seconds: object, *, unknown: str = UNKNOWN_DURATION) -> str:
    """Seconds as ``1h 04m 10s`` (``2d 03h 00m 00s``, ``4m 05s``, ``9s``), signed when negative.

    None, NaN or pandas' NA give ``unknown``. Fractions are rounded to the nearest second.
    """
    if isinstance(seconds, timedelta):
        seconds = seconds.total_seconds()
    if seconds is None:
        return unknown
    try:
        amount = float(seconds)  # type: ignore[arg-type]
    except TypeError:  # pandas.NA
        return unknown
    if math.isnan(amount):
        return unknown
    sign = "-" if amount < 0 else ""
    days, rest = divmod(round(abs(amount)), 86_400)
    hours, rest = divmod(rest, 3_600)
    minutes, secs = divmod(rest, 60)
    if days:
        text = f"{days}d {hours:02d}h {minutes:02d}m {secs:02d}s"
    elif hours:
        text = f"{hours}h {minutes:02d}m {secs:02d}s"
    elif minutes:
        text = f"{minutes}m {secs:02d}s"
    else:
        text = f"{secs}s"
    return sign + text
