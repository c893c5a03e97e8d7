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
from collections.abc import Callable, Iterator, Sequence
from functools import lru_cache
from typing import Any, TypeVar

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from ingest.machine import side_by_side

# What ``re`` counts as whitespace in ASCII text; RE2's \s lacks \v and \x1c-\x1f.
_ASCII_SPACE = r"\t\n\x0b\x0c\r \x1c-\x1f"

R = TypeVar("R")


def contains(values: pd.Series, pattern: str, *, case: bool = True) -> pd.Series:
    """Which rows of ``values`` ``pattern`` matches somewhere (``re.search``); missing is False.

    Same answer as ``values.str.contains(pattern, case=case, regex=True)``."""
    return contains_each(values, [pattern], case=case)[0]


def contains_each(
    values: pd.Series, patterns: Sequence[str], *, case: bool = True
) -> list[pd.Series]:
    """:func:`contains` for each of ``patterns``; on a long column the RE2 searches run side
    by side, one per core (Arrow lets go of the interpreter while it searches)."""
    if values.empty:
        return [pd.Series(False, index=values.index, dtype=bool) for _ in patterns]
    text = _arrow(values)
    re2_patterns = [_for_re2(pattern) for pattern in patterns]
    simple = np.zeros(len(values), bool)
    if any(p is not None for p in re2_patterns):
        simple = _simple_rows(text)
    wanted = [p if p is not None and simple.any() else None for p in re2_patterns]
    searches = side_by_side(
        lambda p: (None, True) if p is None else _re2_search(text, p, case),
        wanted,
        rows=len(values),
    )
    missing = values.isna().to_numpy()
    no_rows = np.zeros(len(values), bool)
    return [
        _completed(values, pattern, no_rows if p is None else simple, search, missing, case)
        for pattern, p, search in zip(patterns, wanted, searches, strict=True)
    ]


def _completed(
    values: pd.Series,
    pattern: str,
    simple: np.ndarray,
    search: tuple[np.ndarray | None, bool],
    missing: np.ndarray,
    case: bool,
) -> pd.Series:
    """The answer of :func:`contains` from RE2's ``search`` on the ``simple`` rows: ``re``
    judges the other rows and the candidates of a wider search."""
    matched, exact = search
    found = np.zeros(len(values), dtype=bool)
    if matched is None:
        simple = np.zeros(len(values), dtype=bool)
    else:
        found[simple] = matched[simple]
    check = (~simple & ~missing) | (False if exact else found)
    if check.any():
        compiled = re.compile(pattern, 0 if case else re.IGNORECASE)
        found[check] = [compiled.search(s) is not None for s in values[check].astype(str)]
    return pd.Series(found, index=values.index, dtype=bool)


def first_matches(
    values: pd.Series, pattern: str, among: Sequence[np.ndarray], *, case: bool = True
) -> list[int | None]:
    """For each mask of ``among``, the position of the first row of ``values`` where the mask
    holds and ``pattern`` matches (``re.search``), or None. The column is searched from its
    start in growing stretches, only on rows some unanswered mask holds, and the search stops
    once every mask has its answer: in a year of chat the first few are near the start."""
    answers: list[int | None] = [None] * len(among)
    open_masks = [i for i, mask in enumerate(among) if mask.any()]
    start, size = 0, _FIRST_STRETCH
    while open_masks and start < len(values):
        stop = min(start + size, len(values))
        wanted = np.logical_or.reduce([among[i][start:stop] for i in open_masks])
        rows = np.flatnonzero(wanted)
        if len(rows):
            hits = np.zeros(stop - start, bool)
            hits[rows] = contains(values.iloc[start + rows], pattern, case=case).to_numpy()
            for i in list(open_masks):
                first = np.flatnonzero(hits & among[i][start:stop])
                if len(first):
                    answers[i] = start + int(first[0])
                    open_masks.remove(i)
        start, size = stop, size * 4
    return answers


# The first stretch first_matches searches; each next one is four times as long.
_FIRST_STRETCH = 4_096


def _re2_search(text: pa.ChunkedArray, pattern: str, case: bool) -> tuple[np.ndarray | None, bool]:
    """RE2's search (missing rows False) and whether it is exact. A pattern with lookarounds,
    which RE2 lacks, is searched without them: every row it matches, and maybe more (not
    exact). None when RE2 cannot read even that (backreferences)."""
    wider = _without_lookarounds(pattern)
    try:
        matched = pc.match_substring_regex(text, wider, ignore_case=not case)
    except pa.ArrowInvalid:
        return None, False
    return pc.fill_null(matched, False).to_numpy(zero_copy_only=False), wider == pattern


_LOOKAROUNDS = ("(?=", "(?!", "(?<=", "(?<!")


@lru_cache(maxsize=256)  # the same patterns are searched column after column
def _without_lookarounds(pattern: str) -> str:
    """``pattern`` with every ``(?=…)``, ``(?!…)``, ``(?<=…)``, ``(?<!…)`` removed. A lookaround
    only ever forbids a match, so the result matches wherever ``pattern`` does."""
    out, depth = [], 0  # depth > 0: inside a lookaround being left out
    for start, token, in_class in _tokens(pattern):
        opens = token == "(" and not in_class
        closes = token == ")" and not in_class
        if depth:
            depth += opens - closes
        elif opens and pattern.startswith(_LOOKAROUNDS, start):
            depth = 1
        else:
            out.append(token)
    return "".join(out)


def _tokens(pattern: str) -> Iterator[tuple[int, str, bool]]:
    """``(start, token, in a character class)`` for each escape (``\\s``), class opening
    (``[``, ``[^``, ``[]``, ``[^]``: a "]" right after the bracket is a literal) and other
    character of a regular expression."""
    i, in_class = 0, False
    while i < len(pattern):
        end = i + 1
        if pattern[i] == "\\":
            end = i + 2
        elif pattern[i] == "[" and not in_class:
            in_class = True
            end += pattern.startswith("^", end)
            end += pattern.startswith("]", end)
        elif pattern[i] == "]" and in_class:
            yield i, "]", True
            in_class, i = False, end
            continue
        yield i, pattern[i:end], in_class
        i = end


def _arrow(values: pd.Series) -> pa.ChunkedArray:
    if isinstance(values.dtype, pd.StringDtype) and values.dtype.storage == "pyarrow":
        data = pa.array(values.array)  # the column's own Arrow buffers, no copy
    else:
        data = pa.array(values.astype(object).where(values.notna(), None), type=pa.large_string())
    return data if isinstance(data, pa.ChunkedArray) else pa.chunked_array([data])


def _simple_rows(text: pa.ChunkedArray) -> np.ndarray:
    """Rows of ASCII text without line breaks: there RE2 reads a pattern as ``re`` does."""
    return _kept(text, "simple", _all_simple).copy()


def _all_simple(text: pa.ChunkedArray) -> np.ndarray:
    return np.concatenate([_simple_in_chunk(c) for c in text.chunks] or [np.zeros(0, bool)])


def distinct_values(values: pd.Series) -> tuple[np.ndarray, list[str]]:
    """``(codes, distinct)``: each row's position in ``distinct``, its different values
    (missing read as ""). A column of a few dozen values repeated on every row (tags, kinds)
    is then judged once per value."""
    if isinstance(values.dtype, pd.StringDtype) and values.dtype.storage == "pyarrow":
        return _kept(_arrow(values), "distinct", lambda _: _factorized(values))
    return _factorized(values)


def _factorized(values: pd.Series) -> tuple[np.ndarray, list[str]]:
    codes, distinct = pd.factorize(values.fillna(""))
    return codes, [str(value) for value in distinct]


def _kept(text: pa.ChunkedArray, what: str, compute: Callable[[pa.ChunkedArray], R]) -> R:
    """``compute(text)``, kept for the last few long columns asked about (with the columns, so
    that their buffers cannot be freed and their addresses reused): one column is often
    searched many times, between searches of other columns."""
    key = (what,) + tuple(
        (chunk.offset, len(chunk), *(b.address if b is not None else 0 for b in chunk.buffers()))
        for chunk in text.chunks
    )
    kept = _KEPT.get(key)
    if kept is not None:
        return kept[1]
    answer = compute(text)
    if len(text) >= _KEEP_FROM_ROWS:
        if len(_KEPT) >= _KEEP_ANSWERS:
            del _KEPT[next(iter(_KEPT))]
        _KEPT[key] = (text, answer)
    return answer


def _simple_in_chunk(chunk: pa.Array) -> np.ndarray:
    """:func:`_simple_rows` of one chunk, read from its bytes: a byte over 0x7f or a line feed
    marks its row (faster than Arrow's substring search)."""
    if len(chunk) == 0:
        return np.zeros(0, bool)
    kind = np.int64 if pa.types.is_large_string(chunk.type) else np.int32
    _, offsets_buffer, data_buffer = chunk.buffers()
    offsets = np.frombuffer(offsets_buffer, dtype=kind)[
        chunk.offset : chunk.offset + len(chunk) + 1
    ]
    data = (
        np.frombuffer(data_buffer, dtype=np.uint8)[offsets[0] : offsets[-1]]
        if data_buffer
        else None
    )
    rows = np.ones(len(chunk), bool)
    if data is not None and len(data):
        # One pass over the text: read as signed, a byte over 0x7f is negative, and a line
        # feed is below 11; the few bytes that pass are then told apart.
        marked = np.flatnonzero(data.view(np.int8) < 11)
        found = data[marked]
        marked = marked[(found > 0x7F) | (found == 0x0A)] + offsets[0]
        rows[np.searchsorted(offsets, marked, side="right") - 1] = False
    if chunk.null_count:
        rows &= chunk.is_valid().to_numpy(zero_copy_only=False)
    return rows


# Short columns are cheap to look at again, and keeping them would push the long ones out.
_KEEP_FROM_ROWS = 10_000
_KEEP_ANSWERS = 8
_KEPT: dict[tuple, tuple[pa.ChunkedArray, Any]] = {}


@lru_cache(maxsize=256)  # as _without_lookarounds
def _for_re2(pattern: str) -> str | None:
    """``pattern`` with ``\\s`` and ``\\S`` spelled as ``re`` reads them on ASCII text, or None
    where that cannot be spelled for RE2 (``\\S`` inside a character class)."""
    out = []
    for _, token, in_class in _tokens(pattern):
        if token == "\\s":
            out.append(_ASCII_SPACE if in_class else f"[{_ASCII_SPACE}]")
        elif token == "\\S":
            if in_class:
                return None
            out.append(f"[^{_ASCII_SPACE}]")
        else:
            out.append(token)
    return "".join(out)
