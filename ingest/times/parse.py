"""Turning the sources' many time formats into UTC instants, vectorised where it matters.

A time with no zone is an error unless a zone is given: guessing would move events by hours.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import numpy as np
import pandas as pd
from dateutil import parser as dateutil_parser

from ingest.errors import TimeError
from ingest.schema import UTC_TIME


def zone(name: str) -> tzinfo:
    """An IANA zone by name ("Europe/Berlin", "UTC"); TimeError naming it if unknown."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as e:
        raise TimeError(
            f"unknown time zone {name!r}: give an IANA name such as 'UTC' or 'America/New_York'"
        ) from e


def iso_to_utc(values: Sequence[object] | pd.Series, *, what: str = "time") -> pd.Series:
    """ISO 8601 strings with offsets (``Z`` or ``±HH:MM``, mixed) to a UTC series.

    Empty or None values become NaT. A value with no offset raises TimeError.
    """
    series = pd.Series(values, dtype=object)
    present = series.notna() & (series != "")
    if not present.any():
        return pd.Series(pd.NaT, index=series.index, dtype=UTC_TIME)
    text = series[present].astype(str)
    has_zone = text.str.contains(r"(?:Z|[+-]\d\d:?\d\d)$", regex=True)
    if not has_zone.all():
        bad = text[~has_zone].iloc[0]
        raise TimeError(f"{what} {bad!r} has no time zone offset")
    try:
        parsed = pd.to_datetime(text, utc=True, format="ISO8601")
    except (ValueError, TypeError) as e:
        raise TimeError(f"{what} could not be read as ISO 8601 ({e})") from e
    out = pd.Series(pd.NaT, index=series.index, dtype=UTC_TIME)
    out[present] = parsed.astype(UTC_TIME)
    return out


def slack_ts_to_utc(values: Sequence[str] | pd.Series) -> pd.Series:
    """Slack ``ts`` strings ("1355517523.000005") to UTC, keeping the microseconds exactly.

    Never goes through float: the seconds and the fraction are parsed as integers.
    Empty values become NaT.
    """
    series = pd.Series(values, dtype=object).fillna("").astype(str)
    if series.empty:
        return pd.Series([], dtype=UTC_TIME)
    parts = series.str.partition(".")
    present = parts[0].str.fullmatch(r"\d+")
    seconds = parts[0][present].astype(np.int64)
    micros = parts[2][present].str.slice(0, 6).str.ljust(6, "0")
    nanos = seconds * 1_000_000_000 + pd.to_numeric(micros).astype(np.int64) * 1_000
    result = pd.Series(pd.NaT, index=series.index, dtype=UTC_TIME)
    result[present] = pd.to_datetime(nanos.to_numpy(), unit="ns", utc=True)
    return result


def parse_one(text: str, *, tz: tzinfo | None = None, what: str = "time") -> pd.Timestamp:
    """One time from the command line or config: ISO 8601 or any dateutil form.

    Naive times take ``tz`` if given, else raise TimeError saying how to fix it.
    """
    try:
        moment: datetime = dateutil_parser.isoparse(text)
    except ValueError:
        try:
            moment = dateutil_parser.parse(text)
        except (ValueError, OverflowError) as e:
            raise TimeError(f"{what} {text!r} is not a time I can read") from e
    if moment.tzinfo is None:
        if tz is None:
            raise TimeError(
                f"{what} {text!r} has no time zone: add an offset such as 'Z' or '+02:00', "
                "or give --tz"
            )
        moment = moment.replace(tzinfo=tz)
    return pd.Timestamp(moment).tz_convert("UTC")


def to_iso(ts: pd.Timestamp | None) -> str | None:
    """ISO 8601 with ``Z`` (as summary.json wants), None for a missing time."""
    if ts is None or pd.isna(ts):
        return None
    ts = pd.Timestamp(ts).tz_convert("UTC")
    text = ts.strftime("%Y-%m-%dT%H:%M:%S")
    if ts.microsecond:
        text += f".{ts.microsecond:06d}"
    return text + "Z"
