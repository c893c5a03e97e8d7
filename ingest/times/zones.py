"""Time zone abbreviations as people write them in notes ("07:14 ET"), mapped to IANA zones.

An abbreviation names a place, and the IANA zone of that place decides the offset for the date:
"ET" in July is UTC-4, in January UTC-5. A seasonal abbreviation ("EST", "CEST") is read as the
local clock too, because people write "EST" all year; when it disagrees with the season, or
when the wall time falls in a DST gap or overlap, :func:`to_utc` says so in a note.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import msgspec
import pandas as pd

from ingest.errors import TimeError

# abbreviation -> (IANA zone, daylight saving time: True for summer names, False for
# standard-time names, None for names that cover both or a zone without DST)
ABBREVIATIONS: dict[str, tuple[str, bool | None]] = {
    "UTC": ("UTC", None),
    "GMT": ("UTC", None),
    "Z": ("UTC", None),
    "ET": ("America/New_York", None),
    "EST": ("America/New_York", False),
    "EDT": ("America/New_York", True),
    "CT": ("America/Chicago", None),
    "CST": ("America/Chicago", False),
    "CDT": ("America/Chicago", True),
    "MT": ("America/Denver", None),
    "MST": ("America/Denver", False),
    "MDT": ("America/Denver", True),
    "PT": ("America/Los_Angeles", None),
    "PST": ("America/Los_Angeles", False),
    "PDT": ("America/Los_Angeles", True),
    "AKST": ("America/Anchorage", False),
    "AKDT": ("America/Anchorage", True),
    "HST": ("Pacific/Honolulu", None),
    "BRT": ("America/Sao_Paulo", None),
    "WET": ("Europe/Lisbon", False),
    "WEST": ("Europe/Lisbon", True),
    "BST": ("Europe/London", True),
    "CET": ("Europe/Paris", False),
    "CEST": ("Europe/Paris", True),
    "EET": ("Europe/Athens", False),
    "EEST": ("Europe/Athens", True),
    "MSK": ("Europe/Moscow", None),
    "IST": ("Asia/Kolkata", None),
    "SGT": ("Asia/Singapore", None),
    "HKT": ("Asia/Hong_Kong", None),
    "JST": ("Asia/Tokyo", None),
    "KST": ("Asia/Seoul", None),
    "AWST": ("Australia/Perth", None),
    "ACST": ("Australia/Adelaide", False),
    "ACDT": ("Australia/Adelaide", True),
    "AEST": ("Australia/Sydney", False),
    "AEDT": ("Australia/Sydney", True),
    "NZST": ("Pacific/Auckland", False),
    "NZDT": ("Pacific/Auckland", True),
}

# Abbreviations that name more than one zone: the default chosen, said in a warning.
AMBIGUOUS: dict[str, str] = {
    "IST": "India (UTC+5:30); Irish and Israel time also use IST",
    "CST": "US Central (America/Chicago); China Standard Time also uses CST",
}

# Zone words people write instead of abbreviations ("Pacific", "Paris time", "Eastern time").
ZONE_WORDS: dict[str, str] = {
    "pacific": "America/Los_Angeles",
    "mountain": "America/Denver",
    "central": "America/Chicago",
    "eastern": "America/New_York",
    "atlantic": "America/Halifax",
    "hawaii": "Pacific/Honolulu",
    "uk": "Europe/London",
    "london": "Europe/London",
    "british": "Europe/London",
    "irish": "Europe/Dublin",
    "dublin": "Europe/Dublin",
    "paris": "Europe/Paris",
    "berlin": "Europe/Berlin",
    "amsterdam": "Europe/Amsterdam",
    "madrid": "Europe/Madrid",
    "european": "Europe/Paris",
    "india": "Asia/Kolkata",
    "singapore": "Asia/Singapore",
    "tokyo": "Asia/Tokyo",
    "japan": "Asia/Tokyo",
    "sydney": "Australia/Sydney",
    "utc": "UTC",
}

# A few names to show in an error about an unknown abbreviation.
EXAMPLES = "UTC, ET, PT, CET, BST, IST, JST, AEST or an offset such as +02:00"


class ZoneSpec(msgspec.Struct, frozen=True):
    """A zone as read from the text (or given with --tz): what was written and what it means."""

    label: str
    tz: tzinfo
    daylight: bool | None = None


def lookup(abbreviation: str) -> ZoneSpec | None:
    """The zone for a known abbreviation ("ET", "utc"), or None if it is not one we know."""
    key = abbreviation.upper() if abbreviation.lower() in ("utc", "gmt") else abbreviation
    found = ABBREVIATIONS.get(key)
    if found is None:
        return None
    name, daylight = found
    return ZoneSpec(label=key, tz=ZoneInfo(name), daylight=daylight)


def lookup_word(text: str) -> ZoneSpec | None:
    """A zone from a word or an IANA name: "Pacific", "Paris time", "US/Pacific"; else None."""
    words = text.strip().lower().removesuffix(" time").strip()
    name = ZONE_WORDS.get(words)
    if name is None and "/" in text:
        try:
            return ZoneSpec(label=text.strip(), tz=ZoneInfo(text.strip()))
        except (ZoneInfoNotFoundError, ValueError):
            return None
    return ZoneSpec(label=text.strip(), tz=ZoneInfo(name)) if name else None


def from_offset(text: str) -> ZoneSpec:
    """A fixed zone from an offset as written: "+02:00", "-0500", "+2", "+5:30"."""
    sign = -1 if text.startswith("-") else 1
    digits = text[1:].replace(":", "")
    hours, minutes = (digits, "0") if len(digits) <= 2 else (digits[:-2], digits[-2:])
    offset = timedelta(hours=int(hours), minutes=int(minutes))
    if offset > timedelta(hours=14) or int(minutes) >= 60:
        raise ValueError(f"offset {text!r} is out of range")
    return ZoneSpec(label=text, tz=timezone(sign * offset))


# An offset as people write it: "+02:00", "-0700", "UTC+2", "GMT-07:00", "utc +5:30".
OFFSET_TEXT = re.compile(r"(?:(?:UTC|GMT)\s*)?(?P<offset>[+-]\d{1,2}(?::?\d{2})?)", re.IGNORECASE)


def offset_spec(text: str) -> ZoneSpec | None:
    """A fixed zone from a whole offset ("UTC+2", "+02:00"), None when the text is not one.

    ValueError for an offset out of range ("+15:00", "+02:75").
    """
    found = OFFSET_TEXT.fullmatch(text.strip())
    if found is None:
        return None
    spec = from_offset(found.group("offset"))
    return ZoneSpec(label=text.strip(), tz=spec.tz)


def named_zone(name: str) -> tzinfo:
    """The zone ``--tz`` names: an IANA name ("Europe/Berlin", "UTC") or a fixed offset
    ("+02:00", "UTC-7"). TimeError saying what to write otherwise."""
    text = name.strip()
    try:
        spec = offset_spec(text)
    except ValueError as e:
        raise TimeError(f"time zone {name!r}: {e}; offsets go from -14:00 to +14:00") from e
    if spec is not None:
        return spec.tz
    if text.upper() in ("UTC", "GMT", "Z"):
        return ZoneInfo("UTC")
    try:
        return ZoneInfo(text)
    except (ZoneInfoNotFoundError, ValueError, OSError) as e:
        raise TimeError(
            f"unknown time zone {name!r}: give an IANA name such as 'UTC' or "
            "'America/New_York', or an offset such as '+02:00'"
        ) from e


def zone_name(tz: tzinfo) -> str:
    """The IANA key of a zone, else its own name ("UTC+02:00")."""
    return getattr(tz, "key", None) or str(tz)


def to_utc(naive: datetime, spec: ZoneSpec, *, written: bool = True) -> tuple[pd.Timestamp, str]:
    """Place a wall-clock time in a zone and return the UTC instant and a note ("" if none).

    The note explains a choice the reader should check: a wall time skipped by a DST change,
    a wall time that happens twice, or (when the abbreviation was ``written`` on this line) a
    standard-time name used in summer or the reverse.
    """
    first = naive.replace(tzinfo=spec.tz, fold=0)
    second = naive.replace(tzinfo=spec.tz, fold=1)
    zone = zone_name(spec.tz)
    note = ""
    chosen = first
    if first.utcoffset() != second.utcoffset():
        if _exists(first):
            if spec.daylight is not None:
                chosen = first if bool(first.dst()) == spec.daylight else second
            else:
                note = (
                    f"{naive:%Y-%m-%d %H:%M} happens twice in {zone} (clocks went back); "
                    f"read as the first, UTC{_offset(first)}"
                )
        else:
            note = (
                f"{naive:%Y-%m-%d %H:%M} does not exist in {zone} (clocks went forward); "
                f"read as UTC{_offset(first)}"
            )
    elif written and spec.daylight is not None and bool(first.dst()) != spec.daylight:
        season = "daylight saving" if first.dst() else "standard"
        note = (
            f"'{spec.label}' written but {zone} is on {season} time on {naive:%Y-%m-%d}; "
            f"read as local time there, UTC{_offset(first)}"
        )
    return pd.Timestamp(chosen.astimezone(UTC)), note


def _exists(aware: datetime) -> bool:
    """False for a wall time inside a DST gap (it does not survive a round trip through UTC)."""
    back = aware.astimezone(UTC).astimezone(aware.tzinfo)
    return back.replace(tzinfo=None) == aware.replace(tzinfo=None)


def _offset(aware: datetime) -> str:
    offset = aware.utcoffset() or timedelta(0)
    sign = "-" if offset < timedelta(0) else "+"
    minutes = abs(int(offset.total_seconds())) // 60
    return f"{sign}{minutes // 60:02d}:{minutes % 60:02d}"
