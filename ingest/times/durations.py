"""Durations as people write them in config and options: ``90s``, ``10m``, ``2h``, ``7d``."""

from __future__ import annotations

import re
from datetime import timedelta

from ingest.errors import TimeError

_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(s|sec|m|min|h|d|w)\s*$")
_UNIT_SECONDS = {"s": 1, "sec": 1, "m": 60, "min": 60, "h": 3600, "d": 86400, "w": 604800}


def parse_duration(text: str, *, what: str = "duration") -> timedelta:
    """'90s', '10m', '2h', '7d', '1w' to a timedelta; TimeError naming the value otherwise."""
    match = _DURATION.match(str(text))
    if not match:
        raise TimeError(f"{what} {text!r} is not a duration such as '30m', '2h' or '7d'")
    return timedelta(seconds=float(match.group(1)) * _UNIT_SECONDS[match.group(2)])
