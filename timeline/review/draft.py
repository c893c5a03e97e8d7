"""A postmortem draft's Markdown structure, read with markdown-it-py: sections, tables, blocks.

The parser's token line maps give each block, heading and table row its exact source line, so
findings name the line they quote. Any CommonMark heading counts (``## Title``, ``## Title ##``
and setext underlines), and GitHub tables with or without outer pipes.
Everything is addressed by 1-based line number, as findings report it.
"""

from __future__ import annotations

import re

import msgspec
from markdown_it import MarkdownIt
from markdown_it.token import Token

from timeline.review.text import plain

# Block structure only: the checks read each block's source text, so inline parsing (the
# slowest part on a long draft) is switched off.
_PARSER = MarkdownIt("commonmark", {"html": True}).enable("table").disable(["inline", "text_join"])


class Section(msgspec.Struct):
    """A heading and the lines under it, up to the next heading of the same or higher level.

    ``line`` is the heading's first line; ``start`` the index (0-based) of the first line after
    the heading; ``end`` the last line (1-based) of the section.
    """

    title: str
    key: str
    level: int
    line: int
    start: int
    end: int


class Table(msgspec.Struct):
    """A Markdown table: its header cells (plain, lower case) and its rows (line, raw cells)."""

    header: list[str]
    header_line: int
    rows: list[tuple[int, list[str]]] = msgspec.field(default_factory=list)

    def column(self, *prefixes: str) -> int | None:
        """Index of the first header cell starting with the first prefix that any cell has."""
        for prefix in prefixes:
            for index, name in enumerate(self.header):
                if name.startswith(prefix):
                    return index
        return None


class Block(msgspec.Struct):
    """A run of prose (a paragraph, a heading's text) with the line its text starts on.

    ``text`` keeps the source's line breaks, so the line of a match at offset ``i`` is
    ``line + text.count("\\n", 0, i)``. ``quoted`` is set inside a block quote.
    """

    line: int
    text: str
    quoted: bool = False

    def line_at(self, offset: int) -> int:
        """The source line of a character offset in ``text``."""
        return self.line + self.text.count("\n", 0, offset)


class Draft:
    """A draft's lines, classified once (code, comment, heading, blank, text), and its parts."""

    def __init__(self, text: str) -> None:
        self.lines = text.splitlines()
        self.kinds = ["blank"] * len(self.lines)
        self.sections: list[Section] = []
        self.table_list: list[Table] = []
        self.blocks: list[Block] = []
        self.items: list[tuple[int, int]] = []  # (line, nesting depth) of each list item
        self._read(_PARSER.parse(text))
        for position, section in enumerate(self.sections):
            later = (s for s in self.sections[position + 1 :] if s.level <= section.level)
            following = next(later, None)
            section.end = following.line - 1 if following else len(self.lines)

    def section(self, key: str, aliases: tuple[str, ...] = ()) -> Section | None:
        """The first section whose normalised heading starts with ``key``, else with one of
        ``aliases``."""
        for prefix in (key, *aliases):
            found = next((s for s in self.sections if s.key.startswith(prefix)), None)
            if found is not None:
                return found
        return None

    def content(self, section: Section) -> list[tuple[int, str]]:
        """(line number, text) of the section's text lines, headings and comments left out."""
        return [
            (index + 1, self.lines[index])
            for index in range(section.start, section.end)
            if self.kinds[index] in ("text", "code")
        ]

    def tables(self, start: int = 0, end: int | None = None) -> list[Table]:
        """Tables whose header is between two line indexes (default: the whole draft)."""
        end = len(self.lines) if end is None else end
        return [t for t in self.table_list if start <= t.header_line - 1 < end]

    def items_in(self, section: Section) -> list[int]:
        """Lines of the section's outermost list items."""
        inside = [(n, depth) for n, depth in self.items if section.start < n <= section.end]
        if not inside:
            return []
        top = min(depth for _, depth in inside)
        return [line for line, depth in inside if depth == top]

    def _mark(self, token: Token, kind: str) -> None:
        if token.map:
            for index in range(token.map[0], min(token.map[1], len(self.lines))):
                self.kinds[index] = kind

    def _read(self, tokens: list[Token]) -> None:
        quote_depth = 0
        list_depth = 0
        table: Table | None = None
        row: list[str] | None = None
        row_line = 0
        for position, token in enumerate(tokens):
            kind = token.type
            if kind == "blockquote_open":
                quote_depth += 1
            elif kind == "blockquote_close":
                quote_depth -= 1
            elif kind in ("bullet_list_open", "ordered_list_open"):
                list_depth += 1
            elif kind in ("bullet_list_close", "ordered_list_close"):
                list_depth -= 1
            elif kind == "list_item_open" and token.map:
                self.items.append((token.map[0] + 1, list_depth))
            elif kind == "heading_open" and token.map:
                self._mark(token, "heading")
                title = tokens[position + 1].content
                line = token.map[0] + 1
                level = int(token.tag[1])
                self.sections.append(Section(title, section_key(title), level, line, line, 0))
                self.sections[-1].start = token.map[1]
                self.blocks.append(Block(line, title, quote_depth > 0))
            elif kind in ("fence", "code_block"):
                self._mark(token, "code")
            elif kind == "html_block":
                self._mark(token, "comment")
            elif kind == "paragraph_open" and token.map:
                self._mark(token, "text")
                inline = tokens[position + 1]
                self.blocks.append(Block(token.map[0] + 1, inline.content, quote_depth > 0))
            elif kind == "table_open" and token.map:
                self._mark(token, "text")
                table = Table([], token.map[0] + 1)
                self.table_list.append(table)
            elif kind == "tr_open" and token.map:
                row, row_line = [], token.map[0] + 1
            elif kind == "inline" and row is not None:
                row.append(token.content.strip())
            elif kind == "tr_close" and table is not None and row is not None:
                if not table.header:
                    table.header = [plain(cell).lower() for cell in row]
                else:
                    table.rows.append((row_line, row))
                row = None
            elif kind == "table_close":
                table = None


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
    return not plain(cells[0]) and bool(re.search(r"\d+ more (?:message|event)", " ".join(cells)))


def section_key(title: str) -> str:
    """A heading as compared with the required sections: plain, lower case, no numbering."""
    text = plain(title).lower()
    text = re.sub(r"^(?:\d+(?:\.\d+)*[.)]?\s+)", "", text)
    return " ".join(text.replace(":", " ").split())
