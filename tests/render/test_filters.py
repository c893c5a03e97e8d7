"""Escaping, link and formatting helpers of render/filters.py."""

from __future__ import annotations

import re

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from ingest.errors import TimeError
from render.filters import (
    UNKNOWN,
    code_span,
    escape_line,
    escape_markdown,
    evidence_tag,
    format_clock,
    format_time,
    md_link,
    safe_url,
    source_cell,
    to_utc,
)

SPECIAL = "\\`*_[]|~"


def unescaped(text: str, chars: str) -> list[str]:
    """Characters from ``chars`` in ``text`` that no backslash escapes."""
    found, index = [], 0
    while index < len(text):
        if text[index] == "\\":
            index += 2
            continue
        if text[index] in chars:
            found.append(text[index])
        index += 1
    return found


@pytest.mark.parametrize("char", list(SPECIAL))
def test_each_markdown_special_character_is_backslash_escaped(char: str) -> None:
    out = escape_markdown(f"a{char}b")
    assert out == f"a\\{char}b"


def test_angle_brackets_are_escaped_so_no_html_survives() -> None:
    out = escape_markdown('<script>alert("x")</script><img src=x onerror=y>')
    assert re.findall(r"(?<!\\)<", out) == []
    assert out.startswith("\\<script>")
    html = MarkdownIt("commonmark").render(f"| a |\n|---|\n| {out} |\n")
    assert "<script" not in html and "<img" not in html


def test_slack_style_comparisons_read_as_written() -> None:
    assert escape_markdown("5xx rate > 5%") == "5xx rate > 5%"
    assert escape_markdown("> quoted") == "\\> quoted"


def test_entity_like_text_stays_literal() -> None:
    assert escape_markdown("a &lt;b&gt; &amp; c & d") == "a &amp;lt;b&amp;gt; &amp;amp; c & d"


@pytest.mark.parametrize("newline", ["\n", "\r\n", "\r", "\u2028", "\x0b", "\x85"])
def test_every_line_break_becomes_br(newline: str) -> None:
    out = escape_markdown(f"one{newline}two")
    assert out == "one<br>two"
    assert len(out.splitlines()) == 1


def test_escape_line_joins_lines_with_spaces() -> None:
    assert escape_line("Checkout\nerrors | high") == "Checkout errors \\| high"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("# heading", "\\# heading"),
        ("- item", "\\- item"),
        ("+ item", "\\+ item"),
        ("1. item", "1\\. item"),
        ("---", "\\---"),
        ("===", "\\==="),
        ("#hashtag", "#hashtag"),
        ("0.1.0", "0.1.0"),
        ("-5 errors", "-5 errors"),
    ],
)
def test_a_leading_block_marker_is_escaped_and_nothing_else(text: str, expected: str) -> None:
    assert escape_markdown(text) == expected


def test_missing_text_is_empty() -> None:
    assert escape_markdown(None) == ""
    assert escape_markdown(pd.NA) == ""


@given(st.text())
def test_escaped_text_is_one_inert_line(text: str) -> None:
    out = escape_markdown(text)
    assert len(out.replace("<br>", "").splitlines()) <= 1
    assert unescaped(out, SPECIAL.replace("\\", "")) == []
    assert re.findall(r"(?<!\\)<", out.replace("<br>", "")) == []
    assert not out.startswith(">")


def test_code_span_wraps_clean_refs_and_escapes_risky_ones() -> None:
    assert code_span("C0123/1714557600.000200") == "`C0123/1714557600.000200`"
    assert code_span("a|b") == "a\\|b"
    assert code_span("a`b") == "a\\`b"
    assert code_span("a\nb") == "a<br>b"
    assert code_span("") == ""


@pytest.mark.parametrize(
    "url",
    [
        "https://example.pagerduty.com/incidents/P1",
        "http://ghe.internal/api/v3/repos/o/r",
        "HTTPS://EXAMPLE.COM/x",
    ],
)
def test_http_urls_are_kept(url: str) -> None:
    assert safe_url(url) == url


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)",
        "JavaScript:alert(1)",
        "  javascript:alert(1)",
        "java\nscript:alert(1)",
        "ht\ttp://example.com",
        "data:text/html,<script>",
        "/relative/path",
        "https:///no-host",
        "http://[::1",
        "",
        None,
    ],
)
def test_anything_but_http_urls_is_dropped(url: str | None) -> None:
    assert safe_url(url) is None


def test_url_characters_that_would_break_a_link_or_cell_are_encoded() -> None:
    out = safe_url("https://example.com/a b(c)|d<e>`f\\g?q=1&r=%20")
    assert out == "https://example.com/a%20b%28c%29%7Cd%3Ce%3E%60f%5Cg?q=1&r=%20"


def test_link_falls_back_to_plain_text_for_unsafe_urls() -> None:
    assert md_link("P1", "https://x.test/P1") == "[P1](https://x.test/P1)"
    assert md_link("P_1", "javascript:alert(1)") == "P\\_1"


def test_source_cell_links_or_shows_the_ref_as_code() -> None:
    assert source_cell("abc123", "https://github.com/o/r/commit/abc123") == (
        "[abc123](https://github.com/o/r/commit/abc123)"
    )
    assert source_cell("notes.md:12", "") == "`notes.md:12`"
    assert source_cell("R1", "javascript:alert(1)") == "`R1`"


def test_times_are_shown_in_utc_with_seconds() -> None:
    assert format_time("2024-05-01T10:00:00.250Z") == "2024-05-01 10:00:00"
    assert format_time("2024-05-01T12:00:07+02:00") == "2024-05-01 10:00:07"
    assert format_time(pd.Timestamp("2024-05-01T10:00:00", tz="Europe/Berlin")) == (
        "2024-05-01 08:00:00"
    )
    assert format_clock("2024-05-01T23:59:59Z") == "23:59:59"
    assert format_time(None) == "TK"
    assert format_time(pd.NaT) == "TK"


def test_a_time_without_zone_is_an_error() -> None:
    with pytest.raises(TimeError, match="no time zone"):
        format_time("2024-05-01T10:00:00")
    with pytest.raises(TimeError, match="not an ISO 8601 time"):
        format_time("yesterday-ish")


@pytest.mark.parametrize(
    "written",
    ["2024-05-01T10:00:00Z", "2024-05-01T10:00:00.250000Z", "2024-05-01T12:00:00+02:00"],
)
def test_summary_times_read_the_same_however_written(written: str) -> None:
    """A time as summary.json writes it is read directly; the same instant written with an
    offset goes through the general reader; both give the same UTC time."""
    stamp = to_utc(written)
    assert stamp is not None and str(stamp.tz) == "UTC"
    assert stamp.floor("s") == pd.Timestamp("2024-05-01T10:00:00Z")


def test_an_impossible_summary_time_is_a_time_error_not_a_crash() -> None:
    with pytest.raises(TimeError, match="2024-02-30"):
        to_utc("2024-02-30T10:00:00Z", what="window start")


def test_evidence_tags() -> None:
    assert evidence_tag({"at": "2024-05-01T10:00:00Z", "evidence": "observed"}) == "observed"
    inferred = {"at": "2024-05-01T10:00:00Z", "evidence": "inferred", "rule": "first alert"}
    assert evidence_tag(inferred) == "inferred (first alert)"
    assert evidence_tag({"at": None, "evidence": "unknown"}) == UNKNOWN
    assert evidence_tag({"at": None, "evidence": "observed"}) == UNKNOWN
    assert evidence_tag(None) == UNKNOWN
