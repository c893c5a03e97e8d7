"""One time as a person writes it (an option, a config value, a table cell, a draft row).

The wall-clock time and the zone written with it are read apart, so the zone can be placed
with the date's daylight saving ("02:00 PDT" on 2024-07-01 is UTC-7) and so a zone in the
text always beats ``--tz``, which only fills in for a time written without one.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta, timezone, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import msgspec
import pandas as pd
from dateutil import parser as dateutil_parser

from ingest.errors import TimeError
from ingest.times.zones import EXAMPLES, OFFSET_TEXT, ZoneSpec, from_offset, lookup, to_utc

# ISO 8601 as the tools write it: date, optional time, optional numeric offset or Z.
_ISO = re.compile(
    r"(?P<wall>\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,6})?)?)?)"
    r"\s*(?P<zone>Z|[+-]\d{2}(?::?\d{2})?)?"
)
# "UTC+2", "GMT-07:00": dateutil would read these the POSIX way round (UTC+2 as UTC-2).
_PREFIXED_OFFSET = re.compile(r"\b(?:UTC|GMT)\s*[+-]\d{1,2}(?::?\d{2})?\b", re.IGNORECASE)
_IANA_NAME = re.compile(r"\b[A-Z][A-Za-z_]+(?:/[A-Za-z_+-]+)+\b")
# Two defaults that differ in every date field: a field the text leaves out differs too.
_DEFAULTS = (datetime(2000, 1, 1), datetime(2001, 2, 2))


class PartialDateError(TimeError):
    """A date that leaves out the day, month or year ("March", "Oct 14")."""


class WrittenTime(msgspec.Struct, frozen=True):
    """A time as written: the wall clock, the zone written with it (if any), and whether the
    text gave a full date (a clock-only "14:03" takes the day it was read with)."""

    text: str
    wall: datetime
    zone: ZoneSpec | None
    has_date: bool

    def to_utc(
        self, tz: tzinfo | None = None, *, what: str = "time", strict: bool = True
    ) -> pd.Timestamp:
        """The UTC instant: the written zone, else ``tz``; TimeError when there is neither.

        ``strict`` also refuses a wall time that a daylight-saving change skips or repeats
        and a seasonal abbreviation used out of season ("PST" in July), saying what to write.
        """
        if self.zone is not None:
            spec, written = self.zone, True
        elif tz is not None:
            spec, written = ZoneSpec(label=str(tz), tz=tz), False
        else:
            raise TimeError(
                f"{what} {self.text!r} has no time zone: add an offset such as 'Z' or '+02:00' "
                "or an abbreviation such as PDT, or give --tz"
            )
        stamp, note = to_utc(self.wall, spec, written=written)
        if note and strict:
            raise TimeError(
                f"{what} {self.text!r}: {note.split(';')[0]}; write it with its UTC offset"
            )
        return stamp


def read_time(text: str, *, day: date | None = None, what: str = "time") -> WrittenTime:
    """Read one time: ISO 8601 or free forms ("Jul 1 2024 2:00 AM PDT"), with a zone written as
    an offset ("+02:00", "UTC+2", "GMT-07:00"), an abbreviation (PDT, CEST, BST, ...) or an
    IANA name. A time without a date takes ``day``. TimeError for what it cannot read."""
    value = str(text).strip()
    found = _ISO.fullmatch(value)
    if found is not None:
        try:
            wall = datetime.fromisoformat(found.group("wall"))
            zone = found.group("zone")
            spec = None if zone is None else _offset_zone("+00:00" if zone == "Z" else zone)
            return WrittenTime(value, wall, spec, has_date=True)
        except ValueError:
            pass  # "2024-02-30": let the general reader word the error
    return _read_free(value, day, what)


def parse_one(text: str, *, tz: tzinfo | None = None, what: str = "time") -> pd.Timestamp:
    """One time with a date, as UTC: the zone written in it, else ``tz``, else TimeError."""
    written = read_time(text, what=what)
    if not written.has_date:
        raise TimeError(f"{what} {text!r} has no date: write it as YYYY-MM-DD HH:MM with a zone")
    return written.to_utc(tz, what=what)


def calendar_date(text: str, *, what: str = "date") -> date:
    """A full calendar date ("2024-07-01", "1 July 2024", "July 1st, 2024").

    TimeError for text that is no date or leaves out the day, month or year ("March").
    """
    value = str(text).strip()
    try:
        return date.fromisoformat(value)
    except ValueError:
        pass
    try:
        first, second = (dateutil_parser.parse(value, default=d, ignoretz=True) for d in _DEFAULTS)
    except (ValueError, OverflowError) as e:
        raise TimeError(f"{what} {text!r} is not a date: write it as YYYY-MM-DD") from e
    if first.date() != second.date():
        raise PartialDateError(
            f"{what} {text!r} is not a full date with day, month and year: write it as YYYY-MM-DD"
        )
    if first.time() != datetime.min.time():
        raise TimeError(f"{what} {text!r} is more than a date: write it as YYYY-MM-DD")
    return first.date()


def _read_free(value: str, day: date | None, what: str) -> WrittenTime:
    zones: list[ZoneSpec] = []
    rest = _PREFIXED_OFFSET.sub(lambda m: _take(zones, _offset_zone(m.group(0))), value)
    rest = _IANA_NAME.sub(lambda m: _take(zones, _iana_zone(m.group(0), value, what)), rest)
    rest = rest.replace("(", " ").replace(")", " ")

    def seen(name: str | None, offset: int | None) -> tzinfo | None:
        if name is None and offset is None:
            return None  # dateutil asks even when the text names no zone
        if name is None or name.upper() in ("UTC", "GMT", "Z"):
            seconds = offset or 0
            sign = "-" if seconds < 0 else "+"
            minutes = abs(seconds) // 60
            _take(zones, _offset_zone(f"{sign}{minutes // 60:02d}:{minutes % 60:02d}"))
        else:
            spec = lookup(name)
            if spec is None:
                raise _UnknownZone(name)
            _take(zones, spec)
            if offset is not None:  # "PDT +02:00": two zones, refused below
                _take(zones, ZoneSpec(label=str(offset), tz=timezone(timedelta(seconds=offset))))
        return UTC  # a placeholder: only the wall clock is kept

    try:
        first = dateutil_parser.parse(rest, default=_DEFAULTS[0], tzinfos=seen)
        second = dateutil_parser.parse(rest, default=_DEFAULTS[1], ignoretz=True)
        has_date = first.date() == second.date()
        if not has_date and day is not None:
            first = dateutil_parser.parse(rest, default=_midnight(day), ignoretz=True)
    except _UnknownZone as e:
        raise TimeError(
            f"{what} {value!r}: unknown time zone abbreviation {e.args[0]!r}; use one of "
            f"{EXAMPLES}, or an IANA name"
        ) from None
    except (ValueError, OverflowError) as e:
        raise TimeError(
            f"{what} {value!r} is not a time I can read: write it as YYYY-MM-DD HH:MM with an "
            "offset or zone, such as 2024-07-01 09:00Z or 2024-07-01 02:00 PDT"
        ) from e
    if len({spec.tz for spec in zones}) > 1:
        raise TimeError(f"{what} {value!r} names more than one zone; keep one")
    return WrittenTime(value, first.replace(tzinfo=None), zones[0] if zones else None, has_date)


def _midnight(day: date) -> datetime:
    return datetime(day.year, day.month, day.day)


class _UnknownZone(Exception):
    pass


def _take(zones: list[ZoneSpec], spec: ZoneSpec) -> str:
    zones.append(spec)
    return " "


def _offset_zone(text: str) -> ZoneSpec:
    found = OFFSET_TEXT.fullmatch(text.strip())
    if found is None:
        raise TimeError(f"offset {text!r} is not one such as '+02:00' or 'UTC+2'")
    try:
        spec = from_offset(found.group("offset"))
    except ValueError as e:
        raise TimeError(f"{e}: offsets go from -14:00 to +14:00") from e
    if spec.tz.utcoffset(None) == timedelta(0):
        return ZoneSpec(label="UTC", tz=ZoneInfo("UTC"))
    return ZoneSpec(label=text.strip(), tz=spec.tz)


def _iana_zone(name: str, value: str, what: str) -> ZoneSpec:
    try:
        return ZoneSpec(label=name, tz=ZoneInfo(name))
    except (ZoneInfoNotFoundError, ValueError, OSError) as e:
        raise TimeError(
            f"{what} {value!r}: unknown time zone {name!r}; give an IANA name such as "
            "'America/New_York'"
        ) from e
