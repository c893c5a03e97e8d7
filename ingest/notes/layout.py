"""The shape of pasted notes: which lines are headings, table rows, status-page stamps and
state words, and which paragraph each line is in."""

from __future__ import annotations

import re
from dataclasses import dataclass

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
STAMP_FILLER = re.compile(r"^[\s,.\-–—|:]*(?:posted|updated)?(?:\b(?:on|at)\b|[\s,.\-–—|:])*$", re.I)


@dataclass
class Unit:
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
