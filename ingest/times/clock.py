"""Clock times, dates and zones as people write them in notes.

    09:37, 9:37AM, 9:37 a.m., 3.14pm, 6pm, noon, midnight, 0:31:10
    2018-10-21, 2018/10/21, 10/20/2025, 2018 October 21, October 21, 2018, 21 Oct 2018,
    Oct 21, October 21st, 30th of May 2019
    UTC, ET, PDT, UTC+2, (GMT+1), UTC-07:00, US/Pacific, Paris time, Eastern time

Finding is done here; deciding which date a time takes is the notes reader's business.
"""

from __future__ import annotations

import re
from datetime import date

import msgspec

from ingest.times.zones import ZoneSpec, from_offset, lookup, lookup_word

_MONTHS = {
    m: i + 1
    for i, names in enumerate(
        (
            "jan january", "feb february", "mar march", "apr april", "may", "jun june",
            "jul july", "aug august", "sep sept september", "oct october", "nov november",
            "dec december",
        )
    )
    for m in names.split()
}  # fmt: skip
_MONTH = r"(?P<{g}>jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sept?(?:ember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"  # noqa: E501
_DAY = r"(?P<{g}>\d{{1,2}})(?:st|nd|rd|th)?"
_DATE = re.compile(
    r"(?<![\w/.-])(?:"
    r"(?P<iso>(?P<iy>\d{4})-(?P<im>\d{2})-(?P<id>\d{2}))(?=T|\b)"
    r"|(?P<ymd>(?P<sy>\d{4})/(?P<sm>\d{1,2})/(?P<sd>\d{1,2}))\b"
    r"|(?P<us>(?P<um>\d{1,2})/(?P<ud>\d{1,2})/(?P<uy>\d{4}))\b"
    rf"|(?P<y_md>(?P<ay>\d{{4}})\s+{_MONTH.format(g='am')}\s+{_DAY.format(g='ad')})\b"
    rf"|(?P<md>{_MONTH.format(g='bm')}\s+{_DAY.format(g='bd')}(?:,?\s+(?P<by>\d{{4}}))?)\b"
    rf"|(?P<dm>{_DAY.format(g='cd')}\s+(?:of\s+)?{_MONTH.format(g='cm')}(?:,?\s+(?P<cy>\d{{4}}))?)\b"
    r")(?!:\d)",
    re.IGNORECASE,
)
_MERIDIEM = r"(?P<mer>[ap])\.?\s?m\b\.?"
CLOCK = re.compile(
    r"(?<![\w:./+])(?:"
    rf"(?P<h>\d{{1,2}}):(?P<m>\d{{2}})(?::(?P<s>\d{{2}})(?:\.\d{{1,9}})?)?(?!\d|:\d)(?:\s?{_MERIDIEM})?"
    rf"|(?P<dh>\d{{1,2}})\.(?P<dm>\d{{2}})\s?{_MERIDIEM.replace('mer', 'dmer')}"
    rf"|(?P<bh>\d{{1,2}})\s?{_MERIDIEM.replace('mer', 'bmer')}"
    r"|(?P<word>noon|midday|midnight)(?=\s*(?:$|[-–—:,;)\]]|\s(?:UTC|GMT|[A-Z]{2,4}\b)))"
    r")(?:-ish)?",
    re.IGNORECASE,
)
# A word clock ("noon") counts only where a time is expected: at the start or after a preposition.
_WORD_CLOCK_BEFORE = re.compile(r"(?:^|\b(?:at|by|until|from|to|around|before|after)\s+)$", re.I)

_ZONE_AFTER = re.compile(
    r"""^[\])]?\s*[\[(]?\s*(?:
        (?:UTC|GMT)\s?(?P<prefixed>[+-]\d{1,2}(?::?\d{2})?)(?![\d:])
      | (?P<offset>[+-]\d{2}:?\d{2})(?![\d:])
      | (?P<iana>[A-Z][A-Za-z]+/[A-Za-z_]+)
      | (?P<word>[A-Za-z]+)\s+time\b
      | (?P<abbr>[A-Za-z]{1,5})(?![\w/])
    )""",
    re.VERBOSE,
)
_ZONE_SHAPED = re.compile(r"^[A-Z]{1,3}T$")
_NOT_ZONES = frozenset({"AT", "IT", "BOT", "GET", "GIT", "PUT", "POST", "LAST", "NEXT", "NOT"})
PREAMBLE = re.compile(
    r"\b(?:all\s+)?times?(?:\s+stamps?)?\s+(?:are\s+|given\s+)?(?:in\s+)?\(?\s*"
    r"(?P<zone>(?:UTC|GMT)\s?[+-]\d{1,2}(?::?\d{2})?|[A-Z][A-Za-z]+/[A-Za-z_]+|[A-Za-z]+\s+time\b"
    r"|[A-Za-z]{1,5}\b)",
    re.IGNORECASE,
)


def has_digit(text: str) -> bool:
    """Fast on megabytes of words: plain substring tests, no regular expression."""
    return any(digit in text for digit in "0123456789")


def may_hold_clock(text: str) -> bool:
    """False when ``text`` cannot hold a time of day: no digit and no "noon" or "midnight"."""
    if has_digit(text):
        return True
    lowered = text.lower()
    return any(word in lowered for word in ("noon", "midday", "midnight"))


def find_preamble(text: str) -> tuple[str, ZoneSpec] | None:
    """(what was written, zone) of a preamble such as "all times in CEST", "(times in PT)"."""
    if "time" not in text.lower():
        return None
    for m in PREAMBLE.finditer(text):
        spec = zone_from_text(m.group("zone"))
        if spec is not None:
            return m.group("zone"), spec
    return None


class Clock(msgspec.Struct, frozen=True):
    """A time of day found in text, with what was written right after it."""

    start: int
    end: int  # end of the clock and of the zone written after it
    hour: int
    minute: int
    second: int
    meridiem: str  # "a", "p" or ""
    zone: ZoneSpec | None
    text: str


class UnknownZone(ValueError):
    """An abbreviation after a time that looks like a zone but is not one we know."""


class AmbiguousDate(ValueError):
    """A numeric date that reads both ways: 03/08/2026."""


def find_dates(text: str, year: int | None) -> list[tuple[int, int, date | None, bool]]:
    """(start, end, date, has_year) for each date written in ``text``.

    A date without a year takes ``year``; when that is None the date is None (unknown year).
    A date that does not exist ("February 30") is skipped.
    """
    found: list[tuple[int, int, date | None, bool]] = []
    if not has_digit(text):
        return found  # every date form has a digit; skip the long pattern on words alone
    for m in _DATE.finditer(text):
        g = m.groupdict()
        if g["iso"]:
            y, mo, d = int(g["iy"]), int(g["im"]), int(g["id"])
        elif g["ymd"]:
            y, mo, d = int(g["sy"]), int(g["sm"]), int(g["sd"])
        elif g["us"]:
            y, mo, d = int(g["uy"]), int(g["um"]), int(g["ud"])
            if mo <= 12 and d <= 12 and mo != d:
                raise AmbiguousDate(m.group(0))
        elif g["y_md"]:
            y, mo, d = int(g["ay"]), _MONTHS[g["am"].lower()], int(g["ad"])
        elif g["md"]:
            y, mo, d = int(g["by"] or 0), _MONTHS[g["bm"].lower()], int(g["bd"])
        else:
            y, mo, d = int(g["cy"] or 0), _MONTHS[g["cm"].lower()], int(g["cd"])
        has_year = y != 0
        y = y or (year or 0)
        try:
            value = date(y, mo, d) if y else None
        except ValueError:
            continue
        found.append((m.start(), m.end(), value, has_year))
    return found


def first_year(text: str) -> int | None:
    """The year of the first date with a year in ``text`` (the incident's year), else None."""
    try:
        found = find_dates(text, None)
    except AmbiguousDate:
        return None
    for _, _, value, has_year in found:
        if has_year and value is not None:
            return value.year
    return None


def find_clocks(text: str, iso_starts: frozenset[int] = frozenset()) -> list[Clock]:
    """Every valid time of day in ``text``, with the zone written right after it (if any).

    Dates must be blanked out first. "14:02-14:30" is a range, "14:02 -05:00", "14:02:00-05:00"
    and an ISO time (its start in ``iso_starts``) take an offset. Raises UnknownZone for an
    unknown zone-like abbreviation.
    """
    clocks: list[Clock] = []
    if not may_hold_clock(text):
        return clocks
    for m in CLOCK.finditer(text):
        g = m.groupdict()
        if clocks and m.start() < clocks[-1].end:
            continue  # inside the offset written after the time before ("UTC-07:00")
        if g["word"]:
            if not _WORD_CLOCK_BEFORE.search(text[: m.start()]):
                continue
            word = g["word"].lower()
            hour, minute, second, mer = (0 if word == "midnight" else 12), 0, 0, ""
        elif g["h"] is not None:
            hour, minute, second = int(g["h"]), int(g["m"]), int(g["s"] or 0)
            mer = (g["mer"] or "").lower()
        elif g["dh"] is not None:
            hour, minute, second, mer = int(g["dh"]), int(g["dm"]), 0, g["dmer"].lower()
        else:
            hour, minute, second, mer = int(g["bh"]), 0, 0, g["bmer"].lower()
        if minute > 59 or second > 59 or hour > (12 if mer else 23) or (mer and hour == 0):
            continue
        rest = text[m.end() :]
        attached = rest[:1] == "-" and not g["s"] and m.start() not in iso_starts
        try:
            zone, zone_end = (None, 0) if attached else zone_after(rest)
        except UnknownZone as e:
            raise UnknownZone(f"{e} after {m.group(0).strip()!r}") from None
        clocks.append(
            Clock(m.start(), m.end() + zone_end, hour, minute, second, mer, zone, m.group(0))
        )
    return clocks


def zone_after(rest: str) -> tuple[ZoneSpec | None, int]:
    """The zone written at the start of ``rest`` and how many characters it takes."""
    found = _ZONE_AFTER.match(rest)
    if found is None:
        return None, 0
    spec = zone_from_text(found.group(0).strip(" [()]"))
    if spec is None:
        abbr = found.group("abbr")
        if abbr and _ZONE_SHAPED.match(abbr) and abbr not in _NOT_ZONES:
            raise UnknownZone(repr(abbr))
        return None, 0
    end = found.end()
    if rest[end : end + 1] in ")]":
        end += 1
    return spec, end


def zone_from_text(text: str) -> ZoneSpec | None:
    """A zone from what was written: an offset, an IANA name, a zone word or an abbreviation."""
    text = text.strip()
    offset = re.fullmatch(r"(?:UTC|GMT)?\s?([+-]\d{1,2}(?::?\d{2})?)", text, re.I)
    if offset:
        try:
            return from_offset(offset.group(1))
        except ValueError:
            return None
    return lookup(text) or lookup_word(text)


def to_24h(clock: Clock, meridiem: str = "") -> int:
    """The hour on a 24-hour clock, with the clock's meridiem or the one given."""
    mer = clock.meridiem or meridiem
    if mer == "p" and clock.hour < 12:
        return clock.hour + 12
    if mer == "a" and clock.hour == 12:
        return 0
    return clock.hour
