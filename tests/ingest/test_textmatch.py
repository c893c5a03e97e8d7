"""Arrow-backed regex search gives the same rows as Python's ``re`` on every kind of text."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

from ingest import textmatch
from ingest.machine import PARALLEL_FROM_ROWS
from ingest.notes.words import PATTERNS
from ingest.textmatch import _without_lookarounds, contains, contains_each, first_matches
from timeline.keyrows import DECISIONS, FIGURES
from timeline.twins import _ECHO

# ASCII, non-ASCII, line breaks, the whitespace RE2 and re disagree on, missing values.
TEXTS = [
    "error rate 12% at p99",
    "latency 300 ms",
    "3\x0bs",
    "all\x0bclear",
    "all-clear now",
    "rollback\n",
    "x\nrollback",
    "été 5 s",
    "٣ s",  # an Arabic-Indic digit: \d in re, not in RE2
    "café_ok 4",
    None,
    "",
    "Status page updated",
    "  status updates posted",
    "we decided to roll it back",
    "fully  restored",
    "]",
    "pinned reaction:eyes",
    "the ticket went to resolved",
    "we resolved it",
    "revert commit abc1234",
    "reverted the flag",
    "(a)",
]
PATTERNS_TO_CHECK = [
    FIGURES,
    DECISIONS,
    _ECHO,
    r"(?:^|\s)(?:rollback|pinned)(?:\s|$)",
    r"\ball[\s-]clear\b",
    r"[]\s]",
    r"[^\S]s",
    r"\S+$",
    r"(\w)\1",  # a backreference: RE2 refuses it
    PATTERNS["mitigated"].pattern,  # lookarounds
    PATTERNS["resolved"].pattern,  # a lookbehind
    r"\brevert(?:ed)?\b(?!\s+commit)",
    r"(?=\()[(]a(?<![)]).",  # lookarounds holding brackets and parentheses
    r"(?<!\w)(\w)\1",  # a lookaround and a backreference
]


@pytest.mark.parametrize("pattern", PATTERNS_TO_CHECK)
@pytest.mark.parametrize("case", [True, False])
def test_contains_agrees_with_re(pattern: str, case: bool) -> None:
    values = pd.Series(TEXTS, dtype=pd.StringDtype("pyarrow"))
    compiled = re.compile(pattern, 0 if case else re.IGNORECASE)
    expected = [text is not None and compiled.search(text) is not None for text in TEXTS]
    assert contains(values, pattern, case=case).tolist() == expected


def test_contains_keeps_the_index_and_takes_object_columns() -> None:
    values = pd.Series(["p99 up", None, "nothing"], index=[7, 3, 5], dtype=object)
    found = contains(values, r"\bp\d\d\b")
    assert found.index.tolist() == [7, 3, 5]
    assert found.tolist() == [True, False, False]
    assert contains(values.iloc[:0], "x").empty


@pytest.mark.parametrize(
    ("pattern", "wider"),
    [
        (r"\brevert(?:ed)?\b(?!\s+commit)", r"\brevert(?:ed)?\b"),
        (r"(?<!to\s)\bresolved\b", r"\bresolved\b"),
        (r"a(?=(b|c)d)x", "ax"),
        (r"[(?!]x(?<=[)]\))y", r"[(?!]xy"),
        (r"\(?!x\)", r"\(?!x\)"),  # escaped parentheses open no group
    ],
)
def test_lookarounds_are_left_out_of_the_prefilter(pattern: str, wider: str) -> None:
    assert _without_lookarounds(pattern) == wider


@pytest.mark.parametrize("pattern", PATTERNS_TO_CHECK)
@pytest.mark.parametrize("case", [True, False])
def test_first_match_is_the_first_row_re_finds_among_the_chosen(pattern: str, case: bool) -> None:
    values = pd.Series(TEXTS * 2, dtype=pd.StringDtype("pyarrow"))
    compiled = re.compile(pattern, 0 if case else re.IGNORECASE)
    masks = (np.ones(len(values), bool), np.arange(len(values)) % 3 == 1)
    expected = [
        next(
            (
                i
                for i, text in enumerate(TEXTS * 2)
                if among[i] and text is not None and compiled.search(text)
            ),
            None,
        )
        for among in masks
    ]
    assert first_matches(values, pattern, masks, case=case) == expected


def test_first_match_in_a_long_column_is_found_past_the_first_stretches() -> None:
    # Stretches of 4,096, then 16,384 rows, then the rest; the answers lie in each of them,
    # one just past a stretch's end, one only in rows a mask holds, and one nowhere.
    texts = [f"line {i} all quiet" for i in range(40_000)]
    for row, text in ((4_096, "we Mitigated it"), (9_000, "mitigated é"), (30_000, "mitigated")):
        texts[row] = text
    values = pd.Series(texts, index=range(7, 40_007), dtype=pd.StringDtype("pyarrow"))
    every, odd, late, none = (
        np.ones(len(texts), bool),
        np.arange(len(texts)) % 2 == 1,
        np.arange(len(texts)) >= 20_480,
        np.zeros(len(texts), bool),
    )
    masks = (every, odd, late, none, every & ~late)
    assert first_matches(values, "mitigated", masks, case=False) == [
        4_096,
        None,
        30_000,
        None,
        4_096,
    ]
    assert first_matches(values, "mitigated", masks, case=True) == [
        9_000,
        None,
        30_000,
        None,
        9_000,
    ]


def test_first_match_among_no_rows_is_none() -> None:
    values = pd.Series(["mitigated"], dtype=pd.StringDtype("pyarrow"))
    assert first_matches(values, "mitigated", [np.zeros(1, bool)]) == [None]
    assert first_matches(values, "mitigated", [np.ones(1, bool), np.zeros(1, bool)]) == [0, None]


@pytest.mark.parametrize("case", [True, False])
def test_each_pattern_of_a_long_column_agrees_with_re(case: bool) -> None:
    # Long enough for the searches to run side by side in threads.
    repeats = PARALLEL_FROM_ROWS // len(TEXTS) + 1
    texts = [f"{text} {i}" if text is not None and i % 7 == 0 else text for i, text in
             enumerate(TEXTS * repeats)]  # fmt: skip
    values = pd.Series(texts, dtype=pd.StringDtype("pyarrow"))
    assert len(values) >= PARALLEL_FROM_ROWS
    found = contains_each(values, PATTERNS_TO_CHECK, case=case)
    for pattern, rows in zip(PATTERNS_TO_CHECK, found, strict=True):
        compiled = re.compile(pattern, 0 if case else re.IGNORECASE)
        expected = [text is not None and compiled.search(text) is not None for text in texts]
        assert rows.tolist() == expected, pattern


def test_searching_columns_in_turn_answers_for_each_column() -> None:
    # What is known about one column's rows (where RE2 may judge) must never be used for
    # another's: RE2's \w is ASCII only, so it would miss "été", which re matches.
    size = textmatch._KEEP_FROM_ROWS
    texts = ["plain", "été", "two words", "été"] * 3
    for text in texts:
        values = pd.Series([text] * size, dtype=pd.StringDtype("pyarrow"))
        expected = re.search(r"^\w+$", text) is not None
        assert contains(values, r"^\w+$").tolist() == [expected] * size, text


@pytest.mark.parametrize("start", [1, 7, 9])
def test_a_slice_of_a_column_is_judged_by_its_own_rows(start: int) -> None:
    # A slice shares its column's buffers from an offset: rows must be read from there.
    values = pd.Series(TEXTS * 2, dtype=pd.StringDtype("pyarrow")).iloc[start:]
    texts = (TEXTS * 2)[start:]
    for pattern in (r"^\w+\b", r"s$", r"\d"):
        expected = [t is not None and re.search(pattern, t) is not None for t in texts]
        assert contains(values, pattern).tolist() == expected, pattern
