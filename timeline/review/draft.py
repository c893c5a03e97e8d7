"""A postmortem draft's Markdown structure: lines classified once, sections, tables, timeline rows.

Only what the review needs is parsed: ATX headings (``## Title``), fenced code, HTML comments
and pipe tables. Everything is addressed by 1-based line number, as findings report it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import timeline.review.rubric as rubric


@dataclass
class Section:
    """A heading and the lines under it, up to the next heading of the same or higher level."""

    title: str
    key: str
    level: int
    line: int
    start: int
    end: int


@dataclass
class Table:
    """A Markdown table: its header cells (plain, lower case) and its rows (line, raw cells)."""

    header: list[str]
    header_line: int
    rows: list[tuple[int, list[str]]] = field(default_factory=list)

    def column(self, *prefixes: str) -> int | None:
        """Index of the first header cell starting with one of the prefixes."""
        for index, name in enumerate(self.header):
            if name.startswith(prefixes):
                return index
        return None


_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
_FENCE = re.compile(r"^\s*(```|~~~)")
_SEPARATOR = re.compile(r"^\s*\|?\s*:?-+:?\s*(?:\|\s*:?-+:?\s*)*\|?\s*$")
_CELL_SPLIT = re.compile(r"(?<!\\)\|")


class Draft:
    """A draft's lines, classified once: code, comment, heading, blank or text; and sections."""

    def __init__(self, text: str) -> None:
        self.lines = text.splitlines()
        self.kinds = _classify(self.lines)
        self.sections: list[Section] = []
        for index, kind in enumerate(self.kinds):
            if kind == "heading":
                match = _HEADING.match(self.lines[index])
                assert match
                title = match.group(2)
                self.sections.append(
                    Section(
                        title, _section_key(title), len(match.group(1)), index + 1, index + 1, 0
                    )
                )
        for position, section in enumerate(self.sections):
            later = (s for s in self.sections[position + 1 :] if s.level <= section.level)
            following = next(later, None)
            section.end = following.line - 1 if following else len(self.lines)

    def section(self, key: str) -> Section | None:
        """The first section whose normalised heading starts with ``key``."""
        return next((s for s in self.sections if s.key.startswith(key)), None)

    def content(self, section: Section) -> list[tuple[int, str]]:
        """(line number, text) of the section's text lines, headings and comments left out."""
        return [
            (index + 1, self.lines[index])
            for index in range(section.start, section.end)
            if self.kinds[index] in ("text", "code")
        ]

    def tables(self, start: int = 0, end: int | None = None) -> list[Table]:
        """Tables between two line indexes (default: the whole draft)."""
        end = len(self.lines) if end is None else end
        tables: list[Table] = []
        index = start
        while index < end:
            if (
                not self._is_row(index)
                or index + 1 >= end
                or not _SEPARATOR.match(self.lines[index + 1])
            ):
                index += 1
                continue
            header = [rubric.plain(c).lower() for c in split_row(self.lines[index])]
            table = Table(header, index + 1)
            index += 2
            while index < end and self._is_row(index):
                table.rows.append((index + 1, split_row(self.lines[index])))
                index += 1
            tables.append(table)
        return tables

    def _is_row(self, index: int) -> bool:
        return self.kinds[index] == "text" and self.lines[index].lstrip().startswith("|")


def split_row(line: str) -> list[str]:
    """The cells of a table row, split on unescaped pipes, outer pipes dropped."""
    text = line.strip()
    if text.startswith("|"):
        text = text[1:]
    if text.endswith("|") and not text.endswith("\\|"):
        text = text[:-1]
    return [cell.strip() for cell in _CELL_SPLIT.split(text)]


def timeline_tables(draft: Draft) -> tuple[Section | None, list[Table]]:
    """The Timeline section and its event tables (first column a time), else all its tables."""
    section = draft.section("timeline")
    if section is None:
        return None, []
    tables = draft.tables(section.start, section.end)
    timed = [t for t in tables if t.header and re.search(r"time|when|date|utc", t.header[0])]
    return section, timed or tables


def row_ref_cells(table: Table, cells: list[str]) -> list[str]:
    """The cells that should hold a row's source: the Source column, else all but the time."""
    column = table.column("source", "ref", "link", "evidence")
    if column is not None:
        return cells[column : column + 1]
    return cells[1:]


def is_more_row(cells: list[str]) -> bool:
    """The skeleton's '… 12 more messages' row, which stands for events and has no source."""
    return not rubric.plain(cells[0]) and bool(
        re.search(r"\d+ more (?:message|event)", " ".join(cells))
    )


def _classify(lines: list[str]) -> list[str]:
    kinds = []
    fence: str | None = None
    in_comment = False
    for line in lines:
        stripped = line.strip()
        fence_match = _FENCE.match(line)
        if fence is not None:
            kinds.append("code")
            if fence_match and fence_match.group(1) == fence:
                fence = None
        elif fence_match:
            fence = fence_match.group(1)
            kinds.append("code")
        elif in_comment or stripped.startswith("<!--"):
            kinds.append("comment")
            in_comment = "-->" not in stripped
        elif not stripped:
            kinds.append("blank")
        elif _HEADING.match(line):
            kinds.append("heading")
        else:
            kinds.append("text")
    return kinds


def _section_key(title: str) -> str:
    text = rubric.plain(title).lower()
    text = re.sub(r"^(?:\d+(?:\.\d+)*[.)]?\s+)", "", text)
    return " ".join(text.replace(":", " ").split())
