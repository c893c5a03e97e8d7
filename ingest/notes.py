"""Raw incident notes: free text pasted into an incident doc, one event per line or sentence.

    Deploy went out at 07:14 ET. First customer complaint in Zendesk at 07:22.
    - 2026-03-08 01:55 PT - paged on-call
    [14:02 UTC] rolled back to v41

The date comes from ``--date`` or from the text (a date applies to its sentence and the ones
after); the zone from the abbreviation after a time (carried forward), else ``--tz``. A time
earlier than the one before, with no date of its own, is the next day. The kind is guessed from
the words and the rule is recorded in ``kind_rule``; the summary is the sentence as written.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

import pandas as pd
from dateutil import parser as dateutil_parser

from ingest.errors import InputError, TimeError
from ingest.schema import frame_from_columns
from ingest.times.zones import EXAMPLES, ZoneSpec, from_offset, lookup, to_utc, zone_name
from ingest.types import ReadContext

SOURCE = "notes"

_MONTH = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
)
_DATE = re.compile(
    rf"""(?<![\w/-])(?:
        (?P<iso>\d{{4}}-\d{{2}}-\d{{2}}) | (?P<ymd>\d{{4}}/\d{{1,2}}/\d{{1,2}})
      | (?P<slashed>\d{{1,2}}/\d{{1,2}}/\d{{4}})
      | (?P<words>{_MONTH}\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{4}}
                | \d{{1,2}}(?:st|nd|rd|th)?\s+{_MONTH},?\s+\d{{4}})
    )(?![\w/-])""",
    re.IGNORECASE | re.VERBOSE,
)
_AMPM = r"[ap]\.?m\b\.?"
_TIME = re.compile(
    rf"(?<![\w:.])(?:\d{{1,2}}:\d{{2}}(?::\d{{2}}(?:\.\d{{1,9}})?)?(?!\d)(?:\s?{_AMPM})?"
    rf"|\d{{1,2}}\s?{_AMPM})",
    re.IGNORECASE,
)
# What may follow a time: an offset (with or without UTC/GMT before it) or an abbreviation,
# possibly after the bracket that closes the time or inside one of its own.
_AFTER_TIME = re.compile(
    r"""^[\])]?\s*[\[(]?\s*(?:
        (?:UTC|GMT)\s?(?P<prefixed>[+-]\d{1,2}(?::?\d{2})?)(?![\d:])
      | (?P<offset>[+-]\d{2}:?\d{2})(?![\d:])
      | (?P<abbr>[A-Za-z]{1,5})(?![\w])
    )""",
    re.VERBOSE,
)
# The end of a range ("10:00-10:30", "10:00 to 10:30"), skipped before looking for the zone.
# An attached "-05:00" is an offset instead when the time has seconds or an ISO "T" before it.
_RANGE_END = re.compile(
    rf"^(?:\s*(?:–|—|to|until)\s*|-|\s+-\s+)\d{{1,2}}:\d{{2}}(?::\d{{2}})?(?:\s?{_AMPM})?", re.I
)
# An uppercase word that looks like a zone we do not know ("XYZT"); a few common words excluded.
_ZONE_SHAPED = re.compile(r"^[A-Z]{1,3}T$")
_NOT_ZONES = frozenset({"AT", "IT", "BOT", "GET", "GIT", "PUT", "POST", "LAST", "NEXT", "NOT"})
_ALL_TIMES_IN = re.compile(
    r"(?i:\b(?:all\s+)?times?\s+(?:are\s+)?(?:in\s+)?)\(?(?P<abbr>[A-Za-z]{1,5})\b"
)
_WEEKDAY = re.compile(r"\b(?:mon|tues?|wed(?:nes)?|thu(?:rs)?|fri|sat(?:ur)?|sun)(?:day)?\b", re.I)
_APPROXIMATE = re.compile(r"(?:~|≈|\bapprox\.?|\bapproximately|\baround|\bcirca)\s*$", re.I)

_BULLET = re.compile(r"^(?:[-*•+]|\d{1,3}[.)])\s+")
_RULE_LINE = re.compile(r"^(?:={3,}|-{3,}|\*{3,}|_{3,})$")
_BOLD_LINE = re.compile(r"^\*\*[^*]+\*\*:?$")
_BOUNDARY = re.compile(r"[.!?]+(?=\s)")
_NO_SPLIT_AFTER = re.compile(
    r"\b(?:e\.g|i\.e|eg|ie|etc|vs|approx|cf|incl|esp|viz|mr|mrs|ms|dr|jr|sr|inc|ltd)\.$", re.I
)
_AM_PM_END = re.compile(r"\b[ap]\.m\.$", re.I)
_NEGATED = re.compile(r"(?:\bnot|\bno|n't|\bnever|\bwithout)\s+(?:[\w-]+\s+){0,2}$", re.I)

# (phrase pattern, kind, tag), first match wins: specific phrases before the words they
# contain ("status page" before "page", "rolled back" before "deploy").
_KIND_RULES: tuple[tuple[re.Pattern[str], str, str], ...] = tuple(
    (re.compile(rf"\b(?:{pattern})\b", re.I), kind, tag)
    for pattern, kind, tag in (
        (r"status\s?page", "comms.status_page", ""),
        (r"rolled\s+back|rollback|reverted", "deploy.succeeded", "rollback"),
        (r"acknowledged|acked|ack'd", "alert.acknowledged", ""),
        (r"escalated|joined|pulled\s+in", "alert.escalated", ""),
        (r"resolved", "alert.resolved", ""),
        (r"mitigated|recovered|back\s+to\s+normal", "note", "mitigation"),
        (
            r"alerts?\s+(?:fired|triggered|went\s+off)|alerted|paged|paging|page",
            "alert.triggered",
            "",
        ),
        (r"customers?\s+(?:complain\w*|report\w*)|support\s+tickets?", "report.customer", ""),
        (r"deploy(?:ed|s|ment)?|shipped", "deploy.succeeded", ""),
    )
)


@dataclass
class _State:
    """What carries from one sentence to the next."""

    date: date | None
    zone: ZoneSpec | None = None
    previous: pd.Timestamp | None = None


def read_notes(path: Path, ctx: ReadContext) -> Iterator[pd.DataFrame]:
    """Read a notes file into one frame of events, one per sentence that carries a time.

    Sentences without a time become warnings. Raises InputError when the file cannot be read
    or a time has no date, TimeError when a time has no zone or an unknown abbreviation.
    """
    path = Path(path)
    lines = _read_lines(path)
    columns: dict[str, list[object]] = {
        name: [] for name in ("ts", "kind", "summary", "ref", "raw_sha256", "tags", "kind_rule")
    }
    state = _State(date=ctx.date)
    for number, body in _sentence_lines(lines):
        if _is_heading(body, lines, number):
            _take_context(body, state, ctx, path, number)
            continue
        _take_all_times_zone(body, state)
        for sentence in split_sentences(body):
            event = _read_sentence(sentence, state, ctx, path, number)
            if event is not None:
                for name, value in event.items():
                    columns[name].append(value)
    ctx.artifacts.append({"source": SOURCE, "name": path.name, "records": len(columns["ts"])})
    if not columns["ts"]:
        return
    frame = frame_from_columns({**columns, "ts": pd.DatetimeIndex(columns["ts"]), "source": SOURCE})
    if ctx.window is not None:
        frame = frame[ctx.window.contains(frame["ts"])].reset_index(drop=True)
    if len(frame):
        yield frame


def split_sentences(text: str) -> list[str]:
    """Split one line into sentences at . ! ? followed by a space.

    Never inside "v1.2.3" or "07:14" (no space follows), nor after "e.g.", "i.e.", "etc.";
    after "a.m."/"p.m." only when a capitalised word that is not a zone follows.
    """
    pieces: list[str] = []
    start = 0
    for boundary in _BOUNDARY.finditer(text):
        before = text[start : boundary.end()]
        after = text[boundary.end() :].lstrip()
        if not after or not _ends_sentence(before, after):
            continue
        pieces.append(before.strip())
        start = boundary.end()
    pieces.append(text[start:].strip())
    return [piece for piece in pieces if piece]


def guess_kind(sentence: str) -> tuple[str, str, str]:
    """(kind, tag, kind_rule) from the words of a sentence; ("note", "", "") if none match.

    A phrase right after "not", "no", "never" or "without" does not count.
    """
    for pattern, kind, tag in _KIND_RULES:
        for match in pattern.finditer(sentence):
            if _NEGATED.search(sentence[: match.start()]):
                continue
            phrase = " ".join(match.group(0).lower().split())
            rule = f"notes: '{phrase}' -> {kind}" + (f" ({tag})" if tag else "")
            return kind, tag, rule
    return "note", "", ""


def _read_lines(path: Path) -> list[str]:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError as e:
        raise InputError("file not found", path=path) from e
    except IsADirectoryError as e:
        raise InputError("is a folder; give a notes file", path=path) from e
    except UnicodeDecodeError as e:
        raise InputError(f"not UTF-8 text ({e.reason}); save the notes as UTF-8", path=path) from e
    lines = text.splitlines()
    if not any(line.strip() for line in lines):
        raise InputError("the notes file is empty", path=path)
    return lines


def _sentence_lines(lines: list[str]) -> Iterator[tuple[int, str]]:
    """(1-based line number, text without its bullet) for each line that may hold events."""
    for index, line in enumerate(lines):
        text = line.strip()
        if not text or _RULE_LINE.match(text):
            continue
        yield index + 1, _BULLET.sub("", text, count=1)


def _is_heading(body: str, lines: list[str], number: int) -> bool:
    """Markdown headings, underlined or bold lines, short "Timeline:" lines, context lines."""
    underlined = number < len(lines) and bool(_RULE_LINE.match(lines[number].strip()))
    if body.startswith("#") or underlined or _BOLD_LINE.match(body):
        return True
    if _TIME.search(body):
        return False
    if body.endswith(":") and len(body) <= 60:
        return True
    return _is_context_line(body)


def _is_context_line(body: str) -> bool:
    """A line that only sets the scene: "Date: 2026-03-08 (Sunday)", "All times ET."."""
    rest = _WEEKDAY.sub("", _DATE.sub("", body))
    times_in = _ALL_TIMES_IN.search(rest)
    if times_in and lookup(times_in.group("abbr")):
        rest = rest.replace(times_in.group(0), "")
    rest = re.sub(r"\b(?:date|dated|on)\b", "", rest, flags=re.I)
    return rest != body and not re.search(r"[A-Za-z]{2,}", rest)


def _take_context(heading: str, state: _State, ctx: ReadContext, path: Path, number: int) -> None:
    """A heading's date and zone apply to the lines after it; its time does not."""
    clock = _TIME.search(heading)
    if clock:
        written = _zone_after(heading[clock.end() :], clock.group(0), False, path, number)
        state.zone = written or state.zone
        ctx.warn(
            f"{path.name}:{number}: heading {heading!r} has a time; headings are not placed "
            "on the timeline, so write the event on a line of its own"
        )
    found = _DATE.search(heading)
    if found:
        state.date = _parse_date(found, path, number)
    _take_all_times_zone(heading, state)


def _take_all_times_zone(text: str, state: _State) -> None:
    found = _ALL_TIMES_IN.search(text)
    spec = lookup(found.group("abbr")) if found else None
    if spec is not None:
        state.zone = spec


def _read_sentence(
    sentence: str, state: _State, ctx: ReadContext, path: Path, number: int
) -> dict[str, object] | None:
    ref = f"{path.name}:{number}"
    work = re.sub(r"(\d{4}-\d{2}-\d{2})T(?=\d)", r"\1 ", sentence)
    date_match = _DATE.search(work)
    if date_match:
        state.date = _parse_date(date_match, path, number)
    without_dates = _DATE.sub(lambda m: " " * len(m.group(0)), work)
    clocks = (m for m in _TIME.finditer(without_dates) if _valid_clock(m.group(0)))
    time_match = next(clocks, None)
    if time_match is None:
        ctx.warn(f"{ref}: no time in {sentence!r}; not placed on the timeline")
        return None
    clock = time_match.group(0)
    iso = work != sentence
    written = _zone_after(work[time_match.end() :], clock, iso, path, number)
    if written is not None:
        state.zone = written
    spec = state.zone or (ZoneSpec(zone_name(ctx.tz), ctx.tz) if ctx.tz is not None else None)
    if spec is None:
        raise TimeError(
            f"no time zone for {clock!r}: add a zone such as UTC or pass --tz",
            path=path,
            line=number,
        )
    if state.date is None:
        raise InputError(
            f"no date for {clock!r}: pass --date YYYY-MM-DD or write the date above this line",
            path=path,
            line=number,
        )
    ts, note = _place(clock, state.date, spec, written is not None, path, number)
    if date_match is None and state.previous is not None and ts < state.previous:
        state.date += timedelta(days=1)
        ts, note = _place(clock, state.date, spec, written is not None, path, number)
        ctx.warn(f"{ref}: {clock} is earlier than the time before; read as {state.date:%Y-%m-%d}")
    if note:
        ctx.warn(f"{ref}: {note}")
    state.previous = ts
    kind, tag, rule = guess_kind(sentence)
    approximate = "approximate" if _APPROXIMATE.search(work[: time_match.start()]) else ""
    return {
        "ts": ts,
        "kind": kind,
        "summary": sentence,
        "ref": ref,
        "raw_sha256": hashlib.sha256(sentence.encode("utf-8")).hexdigest(),
        "tags": " ".join(t for t in (tag, approximate) if t),
        "kind_rule": rule,
    }


def _zone_after(rest: str, clock: str, iso: bool, path: Path, number: int) -> ZoneSpec | None:
    """The zone written right after a time (or its range), None if none.

    TimeError for an abbreviation we do not know.
    """
    if not ((iso or clock.count(":") == 2) and re.match(r"-\d{2}:?\d{2}", rest)):
        rest = _RANGE_END.sub("", rest, count=1)
    found = _AFTER_TIME.match(rest)
    if found is None:
        return None
    offset = found.group("prefixed") or found.group("offset")
    if offset:
        try:
            return from_offset(offset)
        except ValueError as e:
            raise TimeError(f"{e} after {clock!r}", path=path, line=number) from e
    abbr = found.group("abbr")
    spec = lookup(abbr)
    if spec is None and _ZONE_SHAPED.match(abbr) and abbr not in _NOT_ZONES:
        raise TimeError(
            f"unknown time zone abbreviation {abbr!r} after {clock!r}; use one of {EXAMPLES}",
            path=path,
            line=number,
        )
    return spec


def _place(
    clock: str, day: date, spec: ZoneSpec, written: bool, path: Path, number: int
) -> tuple[pd.Timestamp, str]:
    text = re.sub(r"([ap])\.?m\.?", r"\1m", clock, flags=re.I)
    try:
        naive = dateutil_parser.parse(text, default=datetime(day.year, day.month, day.day))
    except (ValueError, OverflowError) as e:
        raise TimeError(f"{clock!r} is not a time of day", path=path, line=number) from e
    return to_utc(naive, spec, written=written)


def _parse_date(found: re.Match[str], path: Path, number: int) -> date:
    text = found.group(0)
    if found.group("slashed"):
        first, second, _ = (int(part) for part in text.split("/"))
        if first <= 12 and second <= 12 and first != second:
            raise InputError(
                f"date {text!r} could be month/day or day/month; write it as YYYY-MM-DD",
                path=path,
                line=number,
            )
    try:
        return dateutil_parser.parse(text, dayfirst=False).date()
    except (ValueError, OverflowError) as e:
        raise InputError(
            f"{text!r} is not a date; write it as YYYY-MM-DD", path=path, line=number
        ) from e


def _valid_clock(clock: str) -> bool:
    """Reject "25:00" and "7:75": a time-shaped number that is not a time is no time."""
    parts = re.match(r"(\d{1,2})(?::(\d{2}))?", clock)
    assert parts is not None
    return int(parts.group(1)) <= 23 and int(parts.group(2) or 0) <= 59


def _ends_sentence(before: str, after: str) -> bool:
    if _AM_PM_END.search(before):
        word = re.match(r"[A-Za-z]+", after)
        return after[0].isupper() and not (word and lookup(word.group(0)))
    return not _NO_SPLIT_AFTER.search(before)
