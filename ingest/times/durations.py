"""Durations as people read them: ``1h 04m 10s``. The one formatter for gaps, quiet periods,
the command line's summary and the cross-incident figures."""

from __future__ import annotations

import math
from datetime import timedelta

UNKNOWN_DURATION = "TK — unknown"


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
