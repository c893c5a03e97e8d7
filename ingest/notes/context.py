"""What holds for a whole notes document: its year, its zone, whether it is a status-page
history (newest first, each stamp closing the block above it)."""

from __future__ import annotations

import re
from datetime import date

import msgspec

from ingest.notes.layout import STAMP_FILLER, Unit
from ingest.times.clock import (
    AmbiguousDate,
    UnknownZone,
    find_clocks,
    find_dates,
    find_preamble,
    first_year,
    may_hold_clock,
)
from ingest.times.zones import ZoneSpec

_SCHEDULE = re.compile(
    r"\b(?:scheduled|planned|next\s+update|update\s+again|expected|expect|due)\b"
    r"(?:\s+\S+){0,3}\s+(?:for|at|by|around)\s+(?:\S+\s+){0,2}$",
    re.I,
)


class DocumentFacts(msgspec.Struct):
    year: int | None
    zone: ZoneSpec | None
    status_page: bool = False
    newest_first: bool = False
    stamps: set[int] = msgspec.field(default_factory=set)
    first_date: date | None = None  # for times above the first date written
    preamble_zone: ZoneSpec | None = None


def document_facts(found: list[Unit], given: date | None) -> DocumentFacts:
    """The year (``--date``'s, else the first one written), the document's zone (a preamble,
    else the first zone written after a time), and the status-page shape."""
    text = "\n".join(u.text for u in found)
    year = given.year if given else first_year(text)
    preamble = find_preamble(text)
    zone = preamble[1] if preamble else None
    preamble_zone = zone
    stamps: set[int] = set()
    leading: list[tuple[int, int]] = []  # (line, minutes) of lines that start with a time
    for unit in found:
        if not may_hold_clock(unit.text):
            continue
        masked = unit.text
        try:
            for start, end, _, _ in find_dates(masked, year):
                masked = masked[:start] + " " * (end - start) + masked[end:]
            clocks = find_clocks(masked)
        except (UnknownZone, AmbiguousDate):
            continue
        if zone is None:
            zone = next((c.zone for c in clocks if c.zone is not None), None)
        if clocks and not masked[: clocks[0].start].strip(" -[(*"):
            leading.append((unit.number, clocks[0].hour * 60 + clocks[0].minute))
        rest = masked
        for clock in reversed(clocks):
            rest = rest[: clock.start] + rest[clock.end :]
        if clocks and not re.search(r"[A-Za-z]{3,}", STAMP_FILLER.sub("", rest)):
            stamps.add(unit.number)
    states = [u.number for u in found if u.state]
    status_page = bool(states) and any(s > min(states) for s in stamps)
    steps = [b[1] - a[1] for a, b in zip(leading, leading[1:], strict=False)]
    # Newest first when reading the list backwards makes it span less time than forwards.
    forwards = sum(step % 1440 for step in steps)
    backwards = sum(-step % 1440 for step in steps)
    newest_first = status_page or (len(steps) >= 2 and backwards < forwards)
    try:
        dated = [d[2] for d in find_dates(text, year) if d[2] is not None]
    except AmbiguousDate:
        dated = []
    return DocumentFacts(
        year,
        zone,
        status_page,
        newest_first,
        stamps if status_page else set(),
        given or (dated[0] if dated else None),
        preamble_zone,
    )


def scheduled(before: str) -> bool:
    """True when the words before a time say it is planned ("scheduled for 22:00")."""
    return bool(_SCHEDULE.search(before))
