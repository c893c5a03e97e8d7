"""Plain text of a Markdown cell or line, as the rubric's patterns read it."""

from __future__ import annotations

import re

# Emphasis stars, code ticks and inline HTML; underscores stay, as refs and names hold them.
_MARKUP = re.compile(r"\*+|`|<(?!https?://)[^>]*>")
_ESCAPED = re.compile(r"\\([\\`*_{}\[\]()#+\-.!|<>~])")
_LINK_TARGET = re.compile(r"(?<=\])\([^)\s]*\)")
# Quoted speech or messages: what an artifact said is recorded as it was said.
_QUOTED = re.compile(r"\"[^\"\n]*\"|“[^”\n]*”")


def plain(text: str) -> str:
    """Cell or line text without Markdown escapes, emphasis, code ticks or inline HTML."""
    return _MARKUP.sub("", _ESCAPED.sub(r"\1", text)).strip()


def authored(text: str) -> str:
    """The author's own words: quotations, code spans and link targets blanked, same length.

    Offsets stay valid, so a match in the result has the same position in ``text``.
    """

    def blank(match: re.Match[str]) -> str:
        return re.sub(r"[^\n]", " ", match.group(0))

    text = _QUOTED.sub(blank, text)
    text = re.sub(r"`[^`\n]*`", blank, text)
    return _LINK_TARGET.sub(blank, text)
