"""Arrow-backed regex search gives the same rows as Python's ``re`` on every kind of text."""

from __future__ import annotations

import re

import pandas as pd
import pytest

from ingest.notes.words import PATTERNS
from ingest.textmatch import contains
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
