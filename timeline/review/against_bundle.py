"""Cross-checking a draft against its bundle: row times and refs, key timestamps, left-out events.

The bundle is indexed once (ref -> times, url -> ref); each draft row is then a few dict
look-ups, so the check does not grow with bundle size per row.
"""

from __future__ import annotations

import re
from datetime import date
from zoneinfo import ZoneInfo

import msgspec
import pandas as pd

import timeline.review.rubric as rubric
from ingest import times
from ingest.errors import TimeError
from timeline.bundle import Bundle
from timeline.review.draft import Draft, is_more_row, row_ref_cells, timeline_tables
from timeline.review.missing import missing_key_events
from timeline.review.rubric import Finding, finding

TOLERANCE_NS = 60 * 1_000_000_000

_ISO_TIME = re.compile(
    r"(?P<date>\d{4}-\d{2}-\d{2})?[T ]?\s*(?P<clock>\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)"
    r"\s*(?P<zone>Z|UTC|GMT|[+-]\d{2}:?\d{2})?(?![\d:])"
)
_LINK = re.compile(r"\]\((https?://[^)\s]+)\)|<(https?://[^>\s]+)>")
_TOKEN = re.compile(r"[^\s`|()\[\]<>*]+")
_LABEL_LINE = re.compile(
    r"^\s*(?:[-*+]\s+)?[*_]*(?P<label>[A-Za-z][A-Za-z _]{1,40}?)[*_]*\s*(?:\(UTC\))?\s*:[*_]*"
    r"\s*(?P<value>.*\d.*)$"
)


class _Index(msgspec.Struct):
    """The bundle's events by ref (times in ns since the epoch) and by url."""

    times: dict[str, list[int]]
    url_ref: dict[str, str]

    @classmethod
    def of(cls, frame: pd.DataFrame) -> _Index:
        refs = frame["ref"].astype(str)
        nanos = frame["ts"].dt.as_unit("ns").astype("int64")
        times: dict[str, list[int]] = {}
        unique = ~refs.duplicated(keep=False)
        times.update(zip(refs[unique].tolist(), ([t] for t in nanos[unique].tolist()), strict=True))
        if not unique.all():
            for ref, group in nanos[~unique].groupby(refs[~unique]):
                times[str(ref)] = group.tolist()
        has_url = frame["url"].fillna("") != ""
        # the first event of a shared URL wins, as it comes first in time
        urls = frame.loc[has_url, "url"].tolist()[::-1]
        pairs = zip(urls, refs[has_url].tolist()[::-1], strict=True)
        url_ref = dict(pairs)
        return cls(times, url_ref)

    def find(self, cells: list[str]) -> str | None:
        """The first ref in these cells that the bundle knows, by its text, else by link target.

        Refs come first: several events can share one URL (a deployment's statuses).
        """
        text = " ".join(cells)
        tokens = [t.strip(".,;:'\"") for t in _TOKEN.findall(rubric.plain(text))]
        for token in tokens:
            if token in self.times:
                return token
        links = [m.group(1) or m.group(2) for m in _LINK.finditer(text)]
        for url in [*links, *tokens]:
            if url in self.url_ref:
                return self.url_ref[url]
        return None


def cross_check(draft: Draft, bundle: Bundle) -> list[Finding]:
    """Findings from checking the draft's timeline and key timestamps against the bundle."""
    index = _Index.of(bundle.frame)
    section, tables = timeline_tables(draft)
    found: list[Finding] = []
    matched: set[str] = set()
    day = _incident_day(bundle)
    for table in tables:
        utc = "utc" in (table.header[0] if table.header else "") or bool(
            section and "utc" in section.key
        )
        naive_lines: list[int] = []
        previous: pd.Timestamp | None = None
        for line, cells in table.rows:
            if is_more_row(cells):
                continue
            ref_cells = row_ref_cells(table, cells)
            ref = index.find(ref_cells)
            when, state = read_time(cells[0], day=previous.date() if previous else day, utc=utc)
            if state == "clock" and previous is not None and when is not None and when < previous:
                when += pd.Timedelta(days=1)  # a clock-only row after midnight
            previous = when if when is not None else previous
            if state == "naive":
                naive_lines.append(line)
            elif state == "unreadable":
                found.append(_unreadable(line, cells[0]))
            if ref is None:
                if rubric.REF_PATTERN.search(rubric.plain(" ".join(ref_cells))):
                    found.append(_unknown_ref(line, " ".join(ref_cells)))
                continue
            matched.add(ref)
            if when is not None:
                found.extend(_compare(line, cells[0], when, index.times[ref], ref, "timeline"))
        if naive_lines:
            found.append(_naive(naive_lines, draft.lines[table.header_line - 1]))
    found.extend(_check_key_timestamps(draft, bundle, day, index))
    if section is not None:
        found.extend(missing_key_events(bundle.frame, matched, section))
    return found


def read_time(text: str, *, day: date | None, utc: bool) -> tuple[pd.Timestamp | None, str]:
    """A draft time as UTC, and its state: ok, clock (ok, but no date), naive, unreadable, skip.

    A clock-only time takes ``day``. A time with no zone counts as UTC only when ``utc``
    (naive: the header does not say UTC).
    """
    value = rubric.plain(re.sub(r"\(.*?\)", "", text))
    if not value or value.upper().startswith("TK") or value in ("—", "-"):
        return None, "skip"
    parsed = _parse(value, day)
    if parsed is None:
        return None, "unreadable"
    written, has_date = parsed
    if written.zone is None and not utc:
        return None, "naive"
    stamp = written.to_utc(ZoneInfo("UTC"), strict=False)
    return stamp, "ok" if has_date else "clock"


def _parse(value: str, day: date | None) -> tuple[times.WrittenTime, bool] | None:
    """(time as written, whether the text had a date); else the first time-shaped part."""
    inner = _ISO_TIME.search(value)
    for candidate in (value, inner.group(0) if inner else None):
        if not candidate:
            continue
        try:
            written = times.read_time(candidate, day=day)
        except TimeError:
            continue
        if not written.has_date and day is None:
            return None
        return written, written.has_date
    return None


def _compare(
    line: int, quote: str, when: pd.Timestamp, times: list[int], ref: str, what: str
) -> list[Finding]:
    offsets = [abs(when.value - t) for t in times]
    best = min(offsets)
    if best <= TOLERANCE_NS:
        return []
    recorded = pd.Timestamp(times[offsets.index(best)], tz="UTC")
    seconds = round(best / 1_000_000_000)
    rule = "timeline-time-mismatch" if what == "timeline" else "key-time-mismatch"
    return [
        finding(
            rule,
            line,
            quote,
            f"{rubric.plain(quote)} is {seconds} s away from the bundle's "
            f"{recorded.strftime('%Y-%m-%d %H:%M:%S')} UTC for {ref}",
            "use the time recorded at the source, in UTC",
        )
    ]


def _check_key_timestamps(
    draft: Draft, bundle: Bundle, day: date | None, index: _Index
) -> list[Finding]:
    """Key timestamps against the bundle's milestones.

    A time away from the milestone is an error, unless the entry cites an artifact the bundle
    has at that time, or it moves the impact start earlier and names its source: then it is a
    note, as the author has evidence the tool's rule did not use.
    """
    found = []
    for line, name, value, utc, rest in _key_timestamp_entries(draft):
        at = bundle.summary.milestone(name).at
        if at is None:
            continue
        when, state = read_time(value, day=day, utc=utc)
        if state == "naive":
            found.append(_naive([line], draft.lines[line - 1]))
        elif state == "unreadable":
            found.append(_unreadable(line, value))
        elif when is not None:
            recorded = pd.Timestamp(at).tz_convert("UTC")
            mismatch = _compare(line, value, when, [recorded.value], name, "key")
            if mismatch:
                moved = _moved_with_evidence(name, when, recorded, rest, index)
                found.append(moved(line, value, recorded) if moved else mismatch[0])
    return found


def _moved_with_evidence(
    name: str, when: pd.Timestamp, recorded: pd.Timestamp, rest: list[str], index: _Index
):
    """A note maker when the entry's own source backs its time, else None."""
    ref = index.find(rest)
    if ref is not None and not _compare(0, "", when, index.times[ref], ref, "key"):
        evidence = f"it cites {ref}, which the bundle has at that time"
    elif (
        name == "impact_start"
        and when < recorded
        and rubric.REF_PATTERN.search(rubric.plain(" ".join(rest)))
    ):
        evidence = "it moves the impact start earlier and names its source"
    else:
        return None

    def note(line: int, value: str, at: pd.Timestamp) -> Finding:
        return finding(
            "key-time-moved",
            line,
            value,
            f"differs from the bundle's {name} ({at.strftime('%Y-%m-%d %H:%M:%S')} UTC), but "
            f"{evidence}",
            "keep it if the artifact is the better evidence; say so in the Evidence column",
        )

    return note


def _key_timestamp_entries(draft: Draft) -> list[tuple[int, str, str, bool, list[str]]]:
    """(line, milestone, time text, header says UTC, the entry's other text) from the Key
    timestamps table and from labelled lines."""
    entries = []
    table_lines: set[int] = set()
    for table in draft.tables():
        table_lines.update(line for line, _ in table.rows)
        table_lines.add(table.header_line)
    section = draft.section(rubric.KEY_TIMESTAMPS)
    if section is not None:
        for table in draft.tables(section.start, section.end):
            column = table.column("time", "when", "at") or 1
            utc = "utc" in section.key or "utc" in " ".join(table.header)
            for line, cells in table.rows:
                name = rubric.MILESTONE_LABELS.get(rubric.plain(cells[0]).lower())
                if name and column < len(cells):
                    rest = cells[:column] + cells[column + 1 :]
                    entries.append((line, name, cells[column], utc, rest))
    for index, text in enumerate(draft.lines):
        if draft.kinds[index] != "text" or index + 1 in table_lines:
            continue
        match = _LABEL_LINE.match(text)
        name = match and rubric.MILESTONE_LABELS.get(" ".join(match.group("label").lower().split()))
        if match and name:
            utc = "(utc)" in text.lower() or bool(section and "utc" in section.key)
            entries.append((index + 1, name, match.group("value"), utc, [text]))
    return entries


def _incident_day(bundle: Bundle) -> date | None:
    window = bundle.summary.incident.window
    if window is not None:
        return window.start.date()
    if len(bundle.frame):
        return bundle.frame["ts"].min().date()
    return None


def _naive(lines: list[int], quote: str) -> Finding:
    more = f" (lines {', '.join(map(str, lines[:5]))}{', …' if len(lines) > 5 else ''})"
    return finding(
        "naive-time",
        lines[0],
        quote,
        f"{len(lines)} time(s) have no zone and the header does not say UTC{more}; not compared",
        "write times in UTC and say so in the header, e.g. 'Time (UTC)'",
    )


def _unreadable(line: int, text: str) -> Finding:
    return finding(
        "time-unreadable",
        line,
        text,
        "this time could not be read; it was not compared",
        "write it as YYYY-MM-DD HH:MM:SS UTC",
    )


def _unknown_ref(line: int, text: str) -> Finding:
    return finding(
        "timeline-ref-unknown",
        line,
        text,
        "this source ref is not among the bundle's events",
        "check the ref against events.csv, or pull the missing source again",
    )
