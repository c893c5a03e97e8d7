"""Columns of times to UTC series, vectorised: API payload times (ISO 8601 with an offset) and
table cells (ISO fast, any other written form one by one through :mod:`ingest.times.written`).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import tzinfo

import pandas as pd

from ingest.errors import TimeError
from ingest.schema import UTC_TIME
from ingest.times.written import read_time

_ISO_AWARE = r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2})"
_ISO_NAIVE = r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?"


# The span a nanosecond time can hold (pandas' own limits, about 1677-09-21 to 2262-04-11).
_EARLIEST = pd.Timestamp.min.tz_localize("UTC")
_LATEST = pd.Timestamp.max.tz_localize("UTC")


class CellTimeError(TimeError):
    """A time in a column could not be read; ``label`` is its index label in the column."""

    def __init__(self, message: str, label: object) -> None:
        super().__init__(message)
        self.label = label


def iso_to_utc(values: Sequence[object] | pd.Series, *, what: str = "time") -> pd.Series:
    """ISO 8601 strings with offsets (``Z`` or ``±HH:MM``, mixed), as APIs send them, to UTC.

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
        # pandas appends suggestions on more lines; the error stays one line.
        reason = str(e).partition("\n")[0].removesuffix(" You might want to try:")
        raise TimeError(f"{what} could not be read as ISO 8601 ({reason})") from e
    out = pd.Series(pd.NaT, index=series.index, dtype=UTC_TIME)
    out[present] = _held(parsed, text, what)
    return out


def written_to_utc(values: pd.Series, *, tz: tzinfo | None, what: str = "time") -> pd.Series:
    """Times as people write them in a table to UTC: the zone in the cell, else ``tz``.

    ISO 8601 cells are read in one pass; the rest ("2024-07-01 02:00 PDT", "Jul 1 2024 2 PM
    UTC+2") one by one. CellTimeError names the first cell that cannot be one instant.
    """
    text = values.astype(str).str.strip()
    out = pd.Series(pd.NaT, index=text.index, dtype=UTC_TIME)
    aware = text.str.fullmatch(_ISO_AWARE)
    if aware.any():
        parsed = pd.to_datetime(text[aware], utc=True, format="ISO8601", errors="coerce")
        out[aware] = _held(parsed, text, what)
    naive = text.str.fullmatch(_ISO_NAIVE)
    if tz is not None and naive.any():
        wall = pd.to_datetime(text[naive], format="ISO8601", errors="coerce")
        local = wall.dt.tz_localize(tz, ambiguous="NaT", nonexistent="NaT")
        out[naive] = _held(local.dt.tz_convert("UTC"), text, what)
    for label in text.index[out.isna().to_numpy()]:
        try:
            written = read_time(text[label], what=what)
            if not written.has_date:
                raise TimeError(f"{what} {text[label]!r} has no date: write YYYY-MM-DD HH:MM")
            at = pd.Series([written.to_utc(tz, what=what)], index=[label])
            out[label] = _held(at, text, what).iloc[0]
        except TimeError as e:
            raise CellTimeError(str(e), label) from None
    return out


def _held(parsed: pd.Series, text: pd.Series, what: str) -> pd.Series:
    """``parsed`` as nanosecond UTC times; a time outside the span they can hold is an error
    naming the cell, never an overflow traceback."""
    outside = parsed.notna() & ((parsed < _EARLIEST) | (parsed > _LATEST))
    if outside.any():
        label = outside.index[outside.to_numpy()][0]
        raise CellTimeError(
            f"{what} {text[label]!r} is outside the years 1678 to 2261 that a time can have",
            label,
        )
    return parsed.astype(UTC_TIME)


def to_iso(ts: pd.Timestamp | None) -> str | None:
    """ISO 8601 with ``Z`` (as summary.json wants), None for a missing time."""
    if ts is None or pd.isna(ts):
        return None
    ts = pd.Timestamp(ts).tz_convert("UTC")
    text = ts.strftime("%Y-%m-%dT%H:%M:%S")
    if ts.microsecond:
        text += f".{ts.microsecond:06d}"
    return text + "Z"
