"""Regex search over a string column at the speed of Arrow, with Python's ``re`` semantics.

pandas hands a pattern to Arrow's RE2 engine only when RE2 would agree with ``re`` on the whole
column; one non-ASCII message, or a ``\\s`` anywhere in the pattern, sends every row through
``re`` one by one. Here the rows are split instead: on ASCII text without line breaks RE2 agrees
with ``re`` (once ``\\s`` is spelled out as ``re`` reads it), so those rows go to RE2 and only the
rest to ``re``.
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
    if simple.any():
        try:
            matched = pc.match_substring_regex(text, re2_pattern, ignore_case=not case)
        except pa.ArrowInvalid:  # lookarounds, backreferences: only ``re`` has them
            simple[:] = False
        else:
            found[simple] = matched.to_numpy(zero_copy_only=False)[simple]
    rest = ~simple & ~values.isna().to_numpy()
    if rest.any():
        compiled = re.compile(pattern, 0 if case else re.IGNORECASE)
        found[rest] = [compiled.search(s) is not None for s in values[rest].astype(str)]
    return pd.Series(found, index=values.index, dtype=bool)


def _arrow(values: pd.Series) -> pa.ChunkedArray:
    if isinstance(values.dtype, pd.StringDtype) and values.dtype.storage == "pyarrow":
        data = pa.array(values.array)  # the column's own Arrow buffers, no copy
    else:
        data = pa.array(values.astype(object).where(values.notna(), None), type=pa.large_string())
    return data if isinstance(data, pa.ChunkedArray) else pa.chunked_array([data])


def _simple_rows(text: pa.ChunkedArray) -> np.ndarray:
    """Rows of ASCII text without line breaks: there RE2 reads a pattern as ``re`` does."""
    simple = pc.and_(pc.string_is_ascii(text), pc.invert(pc.match_substring(text, "\n")))
    return pc.fill_null(simple, False).to_numpy(zero_copy_only=False)


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
