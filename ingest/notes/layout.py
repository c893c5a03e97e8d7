"""The shape of pasted notes: which lines are headings, table rows, status-page stamps and
state words, and which paragraph each line is in."""

from __future__ import annotations

import re
from pathlib import Path

import msgspec

from ingest.errors import InputError
from ingest.times.clock import find_dates, find_preamble

_BULLET = re.compile(r"^(?:>\s*)*(?:[-*•+]|\d{1,3}[.)])\s+|^(?:>\s*)+")
_RULE_LINE = re.compile(r"^(?:={3,}|-{3,}|\*{3,}|_{3,})$")
_TABLE_SEPARATOR = re.compile(r"^\|?\s*:?-{2,}:?\s*(?:\|\s*:?-{2,}:?\s*)*\|?$")
_BOLD_LINE = re.compile(r"^\*\*[^*]+\*\*:?$")
STATE_WORDS = re.compile(
    r"^(?P<state>resolved|monitoring|identified|investigating|update|postmortem|scheduled|"
    r"in progress|verifying|completed)$",
    re.I,
)
# What a stamp line may hold besides its date and time: "Posted Mar 13, 2018 - 10:16 MDT".
STAMP_FILLER = re.compile(
    r"^[\s,.\-–—|:]*(?:posted|updated)?(?:\b(?:on|at)\b|[\s,.\-–—|:])*$", re.I
)


_CONTEXT_WORDS = re.compile(
    r"\b(?:date|dated|on|as\s+of|published|updated?|posted|(?:all\s+)?times?(?:\s+are)?(?:\s+in)?|"
    r"(?:mon|tues?|wed(?:nes)?|thu(?:rs)?|fri|sat(?:ur)?|sun)(?:day)?)\b",
    re.I,
)


class Unit(msgspec.Struct):
    """One line of notes, cleaned of its bullet or table pipes."""

    number: int  # 1-based line in the file
    text: str
    paragraph: int
    heading: bool = False
    state: str = ""  # a status-page state word alone on its line ("resolved")


def units(lines: list[str]) -> list[Unit]:
    """The lines that may carry events or context, in order."""
    found: list[Unit] = []
    paragraph = 0
    for index, line in enumerate(lines):
        text = line.strip()
        if not text or _RULE_LINE.match(text) or text in (">",):
            paragraph += 1
            continue
        following = lines[index + 1].strip() if index + 1 < len(lines) else ""
        if text.startswith("|"):
            if _TABLE_SEPARATOR.match(text):
                continue
            cells = [c.strip() for c in text.strip("|").split("|")]
            header = bool(_TABLE_SEPARATOR.match(following))
            found.append(Unit(index + 1, " ".join(c for c in cells if c), paragraph, header))
            continue
        underlined = bool(_RULE_LINE.match(following)) and not following.startswith("*")
        body = _BULLET.sub("", text, count=1)
        heading = body.startswith("#") or underlined or bool(_BOLD_LINE.match(body))
        body = body.lstrip("#").strip().strip("*").strip()
        state = STATE_WORDS.match(body)
        found.append(
            Unit(index + 1, body, paragraph, heading, state.group("state").lower() if state else "")
        )
    return found


def read_lines(path: Path) -> list[str]:
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


def is_context(text: str) -> bool:
    """A line that only sets the scene: "Date: Tuesday 2026-07-14", "All times ET.",
    "What happened:"."""
    if text.endswith(":") and len(text) <= 60:
        return True
    if len(text) > 200:
        return False  # a line that long says more than a date and a zone
    rest = _CONTEXT_WORDS.sub(" ", text)
    for start, end, _, _ in find_dates(rest, 2000):
        rest = rest[:start] + " " * (end - start) + rest[end:]
    preamble = find_preamble(text)
    if preamble:
        rest = rest.replace(preamble[0], " ")
    return not re.search(r"[A-Za-z]{2,}", rest)
