"""Escaping and formatting helpers shared by the renderers: safe text, links, times, durations.

Text from artifacts is untrusted: it may hold table pipes, emphasis markers, HTML or
``javascript:`` links. Everything here turns it into inert text for the format it goes into.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Mapping
from datetime import datetime
from typing import Any
from urllib.parse import quote, urlsplit

import pandas as pd

from ingest.errors import TimeError
from ingest.times import read_time
from ingest.times.durations import format_duration
from ingest.vocab import kind_label

UNKNOWN = "TK — author to confirm"

# Everything a renderer or a text processor may treat as the end of a line.
_LINE_BREAK = re.compile(r"\r\n|[\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]")
_MARKDOWN_PUNCTUATION = re.compile(r"([\\`*_\[\]|~<])")
_ENTITY_LIKE = re.compile(r"&(?=#?[0-9A-Za-z]+;)")
# A heading, list item, thematic break or setext underline, were the text to start a line.
_BLOCK_MARKER = re.compile(
    r"^(#{1,6}(?=\s|$)|[-+](?=\s|$)|>)"  # heading, bullet, block quote
    r"|^(\d{1,9})([.)])(?=\s|$)"  # ordered list item
    r"|^([=-])(?=[=-]*\s*$)"  # setext underline, thematic break
)
_URL_SAFE = ":/?#[]@!$&'*+,;=%-._~"
_CODE_UNSAFE = re.compile(r"[`|\\]")


def escape_markdown(text: object, *, line_break: str = "<br>") -> str:
    """Artifact text as inert Markdown that is safe inside a table cell.

    Escapes ``\\ ` * _ [ ] | ~ <`` with a backslash (an escaped ``<`` opens no HTML tag or
    autolink, so a lone ``>`` is harmless and stays as written), keeps an entity-like
    ``&name;`` literal, escapes a leading heading, list or quote marker, and replaces every
    line break with ``line_break``. Text is never turned into entities: a reader of the
    Markdown source sees ``5xx rate > 5%``, not ``&gt;``.
    """
    if text is None or text is pd.NA:
        return ""
    value = str(text).strip()
    value = _ENTITY_LIKE.sub("&amp;", value)
    value = _MARKDOWN_PUNCTUATION.sub(r"\\\1", value)
    value = _BLOCK_MARKER.sub(_escape_block_marker, value)
    return _LINE_BREAK.sub(line_break, value)


def escape_line(text: object) -> str:
    """Like :func:`escape_markdown`, for one-line places such as a heading: breaks become spaces."""
    return escape_markdown(text, line_break=" ")


def cell(text: object, empty: str = "—") -> str:
    """An escaped table cell, or ``empty`` when there is nothing to show."""
    return escape_markdown(text) or empty


def code_span(text: object) -> str:
    """Text as a Markdown code span, or escaped plain text when a span could not hold it safely."""
    value = "" if text is None else str(text).strip()
    if not value:
        return ""
    if _CODE_UNSAFE.search(value) or _LINE_BREAK.search(value):
        return escape_markdown(value)
    return f"`{value}`"


_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def safe_url(url: object) -> str | None:
    """An http(s) URL ready for a Markdown link destination, or None for anything else.

    ``javascript:``, ``data:``, relative and malformed URLs give None; characters that would end
    the destination or a table cell (spaces, parentheses, pipes, angle brackets) are
    percent-encoded.
    """
    if url is None or url is pd.NA or not url:
        return None
    value = str(url).strip()
    if _CONTROL.search(value):
        return None
    try:
        parts = urlsplit(value)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return None
    return quote(value, safe=_URL_SAFE)


def md_link(text: object, url: object) -> str:
    """``[text](url)`` when the URL is http(s), else the escaped text alone."""
    label = escape_markdown(text)
    target = safe_url(url)
    if target is None:
        return label
    return f"[{label or target}]({target})"


def source_cell(ref: object, url: object) -> str:
    """The Source cell of a row: a link to the record when it has an http(s) URL, else its ref."""
    if safe_url(url) is not None:
        return md_link(ref, url)
    return code_span(ref)


# How summary.json writes a time (ingest.times.to_iso): read directly, as pandas reads ISO.
_SUMMARY_TIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d{1,9})?Z")


def to_utc(value: object, *, what: str = "time") -> pd.Timestamp | None:
    """A summary or frame time (ISO string with offset, Timestamp, datetime) as UTC, or None."""
    if value is None or value is pd.NA or value == "":
        return None
    if isinstance(value, str) and _SUMMARY_TIME.fullmatch(value):
        with contextlib.suppress(ValueError):  # "2024-02-30...": the reader below words it
            return pd.Timestamp(value).tz_convert("UTC")
    if not isinstance(value, (pd.Timestamp, datetime)):
        try:
            written = read_time(str(value), what=what)
        except TimeError as e:
            raise TimeError(f"{what} {value!r} is not an ISO 8601 time") from e
        if written.zone is None:
            raise TimeError(f"{what} {value!r} has no time zone offset: summary times end in 'Z'")
        return written.to_utc(what=what)
    stamp = pd.Timestamp(value)
    if pd.isna(stamp):
        return None
    if stamp.tzinfo is None:
        raise TimeError(f"{what} {value!r} has no time zone offset: summary times end in 'Z'")
    return stamp.tz_convert("UTC")


def format_time(value: object, *, unknown: str = "TK") -> str:
    """``YYYY-MM-DD HH:MM:SS`` in UTC, or ``unknown`` for a missing time."""
    stamp = to_utc(value)
    return unknown if stamp is None else stamp.strftime("%Y-%m-%d %H:%M:%S")


def format_clock(value: object, *, unknown: str = "TK") -> str:
    """``HH:MM:SS`` in UTC, or ``unknown`` for a missing time."""
    stamp = to_utc(value)
    return unknown if stamp is None else stamp.strftime("%H:%M:%S")


# Prefixes some sources put before their text that repeat the kind label in other words.
_REDUNDANT_PREFIX = re.compile(
    r"^(?:(?:note added|deploy (?:in progress|succeeded|failed|started|queued|pending|errored))"
    r"\s*\.?\s*:\s*|(?:merged pr|committed|published release)\s+(?=\S))",
    re.IGNORECASE,
)


def event_text(summary: object, kind: object) -> str:
    """An event's text without a prefix that repeats its kind label, so a row reads
    "Deploy succeeded: production e7f3a9c", never "Deploy succeeded: Deploy succeeded: …"."""
    if summary is None or summary is pd.NA:
        return ""
    text = str(summary).strip()
    label = re.escape(kind_label(kind))
    text = re.sub(rf"^{label}\s*\.?\s*:\s*", "", text, flags=re.IGNORECASE)
    return _REDUNDANT_PREFIX.sub("", text) or text


_FULL_SHA = re.compile(r"[0-9a-f]{40}")


def short_ref(ref: object, *, limit: int = 20) -> str:
    """A ref short enough to sit on one line of a narrow screen: a commit SHA as its first
    seven characters, a long ID as its start and end around an ellipsis. Links keep the full
    ref; this is only what is shown."""
    text = "" if ref is None or ref is pd.NA else str(ref).strip()
    if _FULL_SHA.fullmatch(text):
        return text[:7]
    if len(text) <= limit:
        return text
    return f"{text[: limit - 8]}…{text[-7:]}"


def evidence_tag(milestone: Mapping[str, Any] | None) -> str:
    """``observed``, ``inferred (rule)``, or the TK marker when the milestone is unknown."""
    if (
        not milestone
        or milestone.get("at") in (None, "")
        or milestone.get("evidence")
        not in (
            "observed",
            "inferred",
        )
    ):
        return UNKNOWN
    if milestone["evidence"] == "inferred":
        rule = milestone.get("rule") or ""
        tag = f"inferred ({rule})" if rule else "inferred"
    else:
        tag = "observed"
    also = [str(ref) for ref in milestone.get("corroborated_by") or [] if ref]
    if also:
        tag += f"; corroborated by {', '.join(also)}"
    return tag


FILTERS = {
    "md": escape_markdown,
    "md_line": escape_line,
    "cell": cell,
    "code": code_span,
    "link": md_link,
    "source_cell": source_cell,
    "utc": format_time,
    "clock": format_clock,
    "duration": format_duration,
    "kind_label": kind_label,
    "event_text": event_text,
    "short_ref": short_ref,
    "evidence": evidence_tag,
}


def _escape_block_marker(match: re.Match[str]) -> str:
    if match.group(2):
        return f"{match.group(2)}\\{match.group(3)}"
    return "\\" + (match.group(1) or match.group(4))
