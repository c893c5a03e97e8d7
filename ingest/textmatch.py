"""Regex search over a string column at the speed of Arrow, with Python's ``re`` semantics.

pandas hands a pattern to Arrow's RE2 engine only when RE2 would agree with ``re`` on the whole
column; one non-ASCII message, or a ``\\s`` anywhere in the pattern, sends every row through
``re`` one by one. Here the rows are split instead: on ASCII text without line breaks RE2 agrees
with ``re`` (once ``\\s`` is spelled out as ``re`` reads it), so those rows go to RE2 and only the
rest to ``re``. A pattern with lookarounds, which RE2 lacks, is first searched without them (a
pattern that matches wherever the exact one does); ``re`` then checks only the rows that matched.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

# What ``re`` counts as whitespace in ASCII text; RE2's \s lacks \v and \x1c-\x1f.
_ASCII_SPACE = r"\t\n\x0b\x0c\r \x1c-\x1f"


def contains(values: pd.Series, pattern: str, *, case: bool = True) -> pd.Series:
    """Which rows of ``values`` ``pattern`` matches somewhere (``re.search``); missing is False.

    Same answer as ``values.str.contains(pattern, case=case, regex=True)``."""
    if values.empty:
        return pd.Series(False, index=values.index, dtype=bool)
    text = _arrow(values)
    found = np.zeros(len(values), dtype=bool)
    re2_pattern = _for_re2(pattern)
    simple = _simple_rows(text) if re2_pattern is not None else np.zeros(len(values), bool)
    exact_after = False
    if simple.any():
        try:
            matched = pc.match_substring_regex(text, re2_pattern, ignore_case=not case)
        except pa.ArrowInvalid:  # lookarounds, backreferences: only ``re`` has them
            matched = _superset_search(text, re2_pattern, case)
            exact_after = matched is not None
        if matched is None:
            simple[:] = False
        else:
            found[simple] = matched.to_numpy(zero_copy_only=False)[simple]
    # Rows RE2 cannot judge exactly: the rest, and the candidates of a superset search.
    check = (~simple & ~values.isna().to_numpy()) | (found if exact_after else False)
    if check.any():
        compiled = re.compile(pattern, 0 if case else re.IGNORECASE)
        found[check] = [compiled.search(s) is not None for s in values[check].astype(str)]
    return pd.Series(found, index=values.index, dtype=bool)


def first_match(
    values: pd.Series, pattern: str, among: np.ndarray, *, case: bool = True
) -> int | None:
    """The position of the first row of ``values`` where ``among`` holds and ``pattern``
    matches (``re.search``), or None. Only the rows RE2 cannot rule out reach ``re``, and only
    until the first match: the cheap way to find one row in a long column."""
    if not among.any():
        return None
    text = _arrow(values)
    candidates = among & ~values.isna().to_numpy()
    re2_pattern = _for_re2(pattern)
    wider = _without_lookarounds(re2_pattern) if re2_pattern is not None else None
    if wider is not None:
        try:
            possible = pc.match_substring_regex(text, wider, ignore_case=not case)
        except pa.ArrowInvalid:  # backreferences: every row goes to ``re``
            pass
        else:
            simple = _simple_rows(text)
            possible = pc.fill_null(possible, False).to_numpy(zero_copy_only=False)
            candidates &= ~simple | possible
    compiled = re.compile(pattern, 0 if case else re.IGNORECASE)
    for position in np.flatnonzero(candidates):
        if compiled.search(values.iat[position]) is not None:
            return int(position)
    return None


def _superset_search(text: pa.ChunkedArray, pattern: str, case: bool) -> pa.ChunkedArray | None:
    """RE2's search for ``pattern`` with its lookarounds left out: every row the exact pattern
    matches, and maybe more. None when RE2 cannot read even that (backreferences)."""
    wider = _without_lookarounds(pattern)
    if wider == pattern:
        return None
    try:
        return pc.match_substring_regex(text, wider, ignore_case=not case)
    except pa.ArrowInvalid:
        return None


def _without_lookarounds(pattern: str) -> str:
    """``pattern`` with every ``(?=…)``, ``(?!…)``, ``(?<=…)``, ``(?<!…)`` removed. A lookaround
    only ever forbids a match, so the result matches wherever ``pattern`` does."""
    out, i, in_class = [], 0, False
    while i < len(pattern):
        char = pattern[i]
        if char == "\\":
            out.append(pattern[i : i + 2])
            i += 2
            continue
        if in_class:
            in_class = char != "]"
        elif char == "[":
            in_class = True
            out.append(char)
            i += 1
            for lead in ("^", "]"):  # a "]" right after the opening bracket is a literal
                if pattern.startswith(lead, i):
                    out.append(lead)
                    i += 1
            continue
        elif pattern.startswith(("(?=", "(?!", "(?<=", "(?<!"), i):
            i = _group_end(pattern, i)
            continue
        out.append(char)
        i += 1
    return "".join(out)


def _group_end(pattern: str, start: int) -> int:
    """The index just after the group opened at ``start``."""
    depth, i, in_class = 0, start, False
    while i < len(pattern):
        char = pattern[i]
        if char == "\\":
            i += 2
            continue
        if in_class:
            in_class = char != "]"
        elif char == "[":
            in_class = True
            if pattern.startswith("^", i + 1):
                i += 1
            if pattern.startswith("]", i + 1):
                i += 1
        elif char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
            if depth == 0:
                return i + 1
        i += 1
    return i


def _arrow(values: pd.Series) -> pa.ChunkedArray:
    if isinstance(values.dtype, pd.StringDtype) and values.dtype.storage == "pyarrow":
        data = pa.array(values.array)  # the column's own Arrow buffers, no copy
    else:
        data = pa.array(values.astype(object).where(values.notna(), None), type=pa.large_string())
    return data if isinstance(data, pa.ChunkedArray) else pa.chunked_array([data])


def _simple_rows(text: pa.ChunkedArray) -> np.ndarray:
    """Rows of ASCII text without line breaks: there RE2 reads a pattern as ``re`` does.

    The answer for the last column asked about is kept (with the column, so that its buffers
    cannot be freed and their addresses reused): one column is often searched many times."""
    key = tuple(
        (chunk.offset, len(chunk), *(b.address if b is not None else 0 for b in chunk.buffers()))
        for chunk in text.chunks
    )
    if _LAST_SIMPLE and _LAST_SIMPLE[0] == key:
        return _LAST_SIMPLE[2].copy()
    simple = pc.and_(pc.string_is_ascii(text), pc.invert(pc.match_substring(text, "\n")))
    rows = pc.fill_null(simple, False).to_numpy(zero_copy_only=False)
    _LAST_SIMPLE[:] = [key, text, rows]
    return rows.copy()


_LAST_SIMPLE: list = []


def _for_re2(pattern: str) -> str | None:
    """``pattern`` with ``\\s`` and ``\\S`` spelled as ``re`` reads them on ASCII text, or None
    where that cannot be spelled for RE2 (``\\S`` inside a character class)."""
    out, i, in_class = [], 0, False
    while i < len(pattern):
        char = pattern[i]
        if char == "\\" and i + 1 < len(pattern):
            escaped = pattern[i + 1]
            if escaped == "s":
                out.append(_ASCII_SPACE if in_class else f"[{_ASCII_SPACE}]")
            elif escaped == "S":
                if in_class:
                    return None
                out.append(f"[^{_ASCII_SPACE}]")
            else:
                out.append(pattern[i : i + 2])
            i += 2
            continue
        if char == "[" and not in_class:
            in_class = True
            out.append(char)
            # a "]" (or "^]") right after the opening bracket is a literal
            for lead in ("^", "]"):
                if pattern.startswith(lead, i + 1):
                    out.append(lead)
                    i += 1
        elif char == "]" and in_class:
            in_class = False
            out.append(char)
        else:
            out.append(char)
        i += 1
    return "".join(out)
