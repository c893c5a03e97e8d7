"""Reading pasted notes into events: one per time written, at its UTC instant.

    Deploy went out at 07:14 ET. First customer complaint in Zendesk at 07:22.
    - 2026-03-08 01:55 PT - paged on-call
    [14:02 UTC] rolled back to v41
    ### 2018 October 21 22:52 UTC       (a timed heading: the paragraph below is its text)
    Resolved / This incident has been resolved. / Posted Mar 13, 2018 - 10:16 MDT

A time takes the date written right after it ("00:05 UTC on 30 October"), else the last date
before it on its line, else the date carried from above (``--date`` to start). The zone is the
one written after it (or after its range's end), else the one carried from above, else the
document's ("all times in CEST", or the first zone it names), else ``--tz``. A carried date is
rolled to the next day when the time would fall more than 12 hours before the previous event;
in a newest-first list, to the day before when it would fall more than 12 hours after it.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from pathlib import Path

import msgspec
import pandas as pd

from ingest.errors import InputError, TimeError
from ingest.notes.context import DocumentFacts, document_facts, scheduled
from ingest.notes.kinds import guess_kind
from ingest.notes.layout import STAMP_FILLER, Unit, is_context, read_lines, units
from ingest.notes.sentences import clauses, range_pairs, range_roles, split_sentences
from ingest.schema import frame_from_columns
from ingest.times.clock import (
    AmbiguousDate,
    Clock,
    UnknownZone,
    find_clocks,
    find_dates,
    find_preamble,
    may_hold_clock,
    to_24h,
)
from ingest.times.zones import AMBIGUOUS, EXAMPLES, ZoneSpec, to_utc, zone_name
from ingest.types import ReadContext

SOURCE = "notes"
_APPROXIMATE = re.compile(
    r"(?:~|≈|\bapprox\.?|\bapproximately|\baround|\babout|\broughly|\bcirca|shortly\s+before)\s*$",
    re.I,
)
_AFTER_DATE = re.compile(r"^\s*,?\s*(?:on\s+)?(?:[A-Z][a-z]+day,?\s+)?$")
_STATE_MILESTONES = {"resolved": "resolved"}
_NOT_PLACED = "not placed on the timeline"
_ISO_T = re.compile(r"(\d{4}-\d{2}-\d{2})T(?=\d)")


class _Event(msgspec.Struct):
    ts: pd.Timestamp
    line: int
    text: str
    approximate: bool
    extra: dict[str, str] = msgspec.field(default_factory=dict)
    more: list[str] = msgspec.field(default_factory=list)
    bare: bool = False  # the line is only a date and time (a heading, a status-page stamp)


class _State(msgspec.Struct):
    date: date | None
    zone: ZoneSpec | None = None
    previous: pd.Timestamp | None = None


def read_notes(path: Path, ctx: ReadContext) -> Iterator[pd.DataFrame]:
    """Read a notes file into one frame of events, one per time of day written in it.

    Raises InputError when the file cannot be read, holds no time of day, or a time has no
    date; TimeError when a time has no zone or an unknown abbreviation.
    """
    path = Path(path)
    lines = read_lines(path)
    found = units(lines)
    facts = document_facts(found, ctx.date)
    state = _State(date=ctx.date)
    events: list[_Event] = []
    attach_to: _Event | None = None  # the event that untimed lines below belong to
    for unit in _ordered(found, facts):
        made = _read_unit(unit, state, facts, ctx, path, attach_to)
        if made:
            events.extend(made)
            attach_to = made[-1]
            if facts.status_page and unit.number in facts.stamps:
                attach_to.extra["first_comms"] = "status page post"
            continue
        if unit.state and facts.status_page and attach_to is not None:
            attach_to.more.append(unit.text)
            if unit.state in _STATE_MILESTONES:
                attach_to.extra[_STATE_MILESTONES[unit.state]] = f"status '{unit.state}'"
            continue
        if unit.heading or unit.state or is_context(unit.text):
            attach_to = attach_to if attach_to and attach_to.bare and not unit.heading else None
            continue
        if attach_to is not None and (attach_to.bare or _same_paragraph(attach_to, unit, found)):
            attach_to.more.append(unit.text)
        else:
            ctx.warn(f"{path.name}:{unit.number}: no time in {_short(unit.text)!r}; {_NOT_PLACED}")
    if not events:
        raise InputError(
            "no line with a time of day (such as 14:05 or 2:05 PM); nothing to place on the "
            "timeline",
            path=path,
        )
    ctx.artifacts.append({"source": SOURCE, "name": path.name, "records": len(events)})
    frame = _frame(events, path)
    if ctx.window is not None:
        frame = frame[ctx.window.contains(frame["ts"])].reset_index(drop=True)
    if len(frame):
        yield frame


def _read_unit(
    unit: Unit,
    state: _State,
    facts: DocumentFacts,
    ctx: ReadContext,
    path: Path,
    above: _Event | None,
) -> list[_Event]:
    if not may_hold_clock(unit.text):
        preamble = find_preamble(unit.text)
        state.zone = preamble[1] if preamble else state.zone
        return []
    iso_starts = frozenset(m.end() for m in _ISO_T.finditer(unit.text))
    text = _ISO_T.sub(r"\1 ", unit.text)
    preamble = find_preamble(text)
    if preamble:
        state.zone = preamble[1]
    try:
        dates = find_dates(text, facts.year)
    except AmbiguousDate as e:
        raise InputError(
            f"date {str(e)!r} could be month/day or day/month; write it as YYYY-MM-DD",
            path=path,
            line=unit.number,
        ) from e
    masked = text
    for start, end, _, _ in dates:
        masked = masked[:start] + " " * (end - start) + masked[end:]
    try:
        clocks = find_clocks(masked, iso_starts)
    except UnknownZone as e:
        raise TimeError(
            f"unknown time zone abbreviation {e}; use one of {EXAMPLES}",
            path=path,
            line=unit.number,
        ) from e
    clocks = _without_alternates(masked, clocks)
    kept = []
    for clock in clocks:
        if scheduled(masked[: clock.start]):
            ctx.warn(
                f"{path.name}:{unit.number}: {clock.text.strip()} is a planned time, not an "
                "event; not placed"
            )
        else:
            kept.append(clock)
    if not kept:
        if dates and dates[-1][2] is not None:
            state.date = dates[-1][2]
        return []
    bare = not re.search(r"[A-Za-z]{3,}", STAMP_FILLER.sub("", _strip_times(masked, kept)))
    bare = bare or unit.heading
    events: list[_Event] = []
    offset = 0
    for sentence in split_sentences(text):
        start = text.find(sentence, offset)
        offset = start + len(sentence)
        inside = [c for c in kept if start <= c.start < offset]
        if not inside:
            if events:
                events[-1].more.append(sentence)
            elif above is not None and above.bare:
                above.more.append(sentence)
            else:
                ctx.warn(
                    f"{path.name}:{unit.number}: no time in {_short(sentence)!r}; {_NOT_PLACED}"
                )
            continue
        local = [_shift(c, -start) for c in inside]
        pairs = range_pairs(sentence, local)
        pieces = clauses(sentence, local, pairs)
        for i, clock in enumerate(inside):
            partner = pairs.get(i)
            first = next((a for a, b in pairs.items() if b == i), None)
            end_clock = inside[partner] if partner is not None else None
            ts = _place(clock, end_clock, text, dates, state, facts, ctx, path, unit.number)
            event = _Event(
                ts, unit.number, pieces[i], bool(_APPROXIMATE.search(masked[: clock.start])),
                bare=bare,
            )  # fmt: skip
            event.extra = range_roles(
                sentence, local[i], partner is not None, first is not None, pieces[i]
            )
            events.append(event)
    return events


def _place(
    clock: Clock,
    end_clock: Clock | None,
    text: str,
    dates: list[tuple[int, int, date | None, bool]],
    state: _State,
    facts: DocumentFacts,
    ctx: ReadContext,
    path: Path,
    number: int,
) -> pd.Timestamp:
    written = _written_date(clock, text, dates)
    day = written or state.date or facts.first_date
    if day is None:
        missing = "no year" if any(d[2] is None for d in dates) else "no date"
        raise InputError(
            f"{missing} for {clock.text.strip()!r}: pass --date YYYY-MM-DD or write the date "
            "above this line",
            path=path,
            line=number,
        )
    spec = clock.zone or (end_clock.zone if end_clock else None)
    if spec is not None:
        state.zone = spec
        _warn_ambiguous(spec, ctx, path, number)
    spec = spec or state.zone or facts.preamble_zone
    if spec is None and ctx.tz is not None:
        spec = ZoneSpec(zone_name(ctx.tz), ctx.tz)
    spec = spec or facts.zone
    if spec is None:
        raise TimeError(
            f"no time zone for {clock.text.strip()!r}: add a zone such as UTC or pass --tz",
            path=path,
            line=number,
        )
    meridiem = end_clock.meridiem if end_clock and clock.hour <= end_clock.hour else ""
    hour = to_24h(clock, meridiem)
    ts, note = _at(day, hour, clock, spec)
    if written is None and state.previous is not None:
        step = timedelta(days=-1 if facts.newest_first else 1)
        while (
            (ts > state.previous + timedelta(hours=12))
            if facts.newest_first
            else (ts < state.previous - timedelta(hours=12))
        ):
            day += step
            ts, note = _at(day, hour, clock, spec)
        if day != state.date:
            ctx.warn(
                f"{path.name}:{number}: {clock.text.strip()} read as {day:%Y-%m-%d}, the day "
                "that keeps it nearest the event before"
            )
    if note:
        ctx.warn(f"{path.name}:{number}: {note}")
    state.date, state.previous = day, ts
    return ts


def _at(day: date, hour: int, clock: Clock, spec: ZoneSpec) -> tuple[pd.Timestamp, str]:
    naive = datetime(day.year, day.month, day.day, hour, clock.minute, clock.second)
    return to_utc(naive, spec, written=clock.zone is not None)


def _written_date(
    clock: Clock, text: str, dates: list[tuple[int, int, date | None, bool]]
) -> date | None:
    """The date written right after the time, else the last one before it on the line."""
    for start, _, value, _ in dates:
        if start >= clock.end and _AFTER_DATE.match(text[clock.end : start]):
            return value
    before = [value for _, end, value, _ in dates if end <= clock.start]
    return before[-1] if before else None


def _frame(events: list[_Event], path: Path) -> pd.DataFrame:
    columns: dict[str, list[object]] = {
        name: [] for name in ("ts", "kind", "summary", "ref", "raw_sha256", "tags", "kind_rule")
    }
    for event in events:
        kind, tags, rule = guess_kind(event.text, event.extra)
        if event.more and (event.bare or (kind == "note" and not tags)):
            kind, tags, rule = guess_kind(" ".join([event.text, *event.more]), event.extra)
        summary = " ".join([event.text, *event.more])
        columns["ts"].append(event.ts)
        columns["kind"].append(kind)
        columns["summary"].append(summary)
        columns["ref"].append(f"{path.name}:{event.line}")
        columns["raw_sha256"].append(hashlib.sha256(summary.encode("utf-8")).hexdigest())
        columns["tags"].append(" ".join(t for t in (tags, "approximate" * event.approximate) if t))
        columns["kind_rule"].append(rule)
    return frame_from_columns({**columns, "ts": pd.DatetimeIndex(columns["ts"]), "source": SOURCE})


def _ordered(found: list[Unit], facts: DocumentFacts) -> list[Unit]:
    """Lines in reading order; in a status-page history each stamp is read before its block,
    so the block's undated times take the stamp's date."""
    if not facts.status_page:
        return found
    ordered: list[Unit] = []
    block: list[Unit] = []
    for unit in found:
        block.append(unit)
        if unit.number in facts.stamps:
            ordered.append(unit)
            ordered.extend(block[:-1])
            block = []
    return ordered + block


def _without_alternates(text: str, clocks: list[Clock]) -> list[Clock]:
    """Drop "(11:00 a.m. PDT)" after "8:00 p.m. Paris time": the same instant in another zone."""
    kept: list[Clock] = []
    for clock in clocks:
        before = text[kept[-1].end : clock.start] if kept else ""
        if kept and kept[-1].zone is not None and before.strip() == "(" and clock.zone:
            continue
        kept.append(clock)
    return kept


def _warn_ambiguous(spec: ZoneSpec, ctx: ReadContext, path: Path, number: int) -> None:
    meaning = AMBIGUOUS.get(spec.label)
    message = f"{path.name}: '{spec.label}' read as {meaning}; write an offset to choose"
    if meaning and message not in ctx.warnings:
        ctx.warn(message)


def _same_paragraph(event: _Event, unit: Unit, found: list[Unit]) -> bool:
    owner = next((u for u in found if u.number == event.line), None)
    return owner is not None and owner.paragraph == unit.paragraph


def _strip_times(text: str, clocks: list[Clock]) -> str:
    for clock in reversed(clocks):
        text = text[: clock.start] + " " + text[clock.end :]
    return text


def _shift(clock: Clock, by: int) -> Clock:
    return Clock(clock.start + by, clock.end + by, clock.hour, clock.minute, clock.second,
                 clock.meridiem, clock.zone, clock.text)  # fmt: skip


def _short(text: str) -> str:
    return text if len(text) <= 80 else text[:77] + "..."
