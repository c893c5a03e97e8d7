"""Row masks of an events frame, computed column by column without copies of its text."""

from __future__ import annotations

from collections.abc import Callable
from functools import cached_property

import numpy as np
import pandas as pd

from ingest.schema import KIND, SOURCE
from ingest.textmatch import distinct_values
from ingest.vocab import tags_hold


class FrameMasks:
    """Which rows of an events frame are of a kind, carry a tag, come from a source, sit in a
    channel or name someone, as NumPy masks; and the values of single rows, by position.

    Each column is looked at once, when first asked about: kinds and sources by their category
    number, text (tags, channels, actors) by its distinct values, which repeat on every row
    and are judged once each. Pandas costs a fixed time per operation, which a short window
    would otherwise pay some sixty times over; a year-long channel pays no copy of a long
    column."""

    def __init__(self, frame: pd.DataFrame) -> None:
        self.frame = frame
        self.ts = frame["ts"]
        self._texts: dict[str, tuple[np.ndarray, list[str]]] = {}

    def kind(self, *names: str) -> np.ndarray:
        return _among(self._kinds, names)

    def source(self, *names: str) -> np.ndarray:
        return _among(self._sources, names)

    def tag(self, *names: str) -> np.ndarray:
        """Rows whose tags hold any of ``names`` (whole tags, as ``ingest.vocab.tags_hold``)."""
        return self.where("tags", lambda text: tags_hold(text, *names))

    def channel(self, names: list[str]) -> np.ndarray:
        wanted = set(names)
        return self.where("channel", lambda name: name in wanted)

    def named(self, column: str) -> np.ndarray:
        """Rows where the text ``column`` is not empty (missing counts as empty)."""
        return self.where(column, lambda text: text != "")

    def where(self, column: str, judge: Callable[[str], bool]) -> np.ndarray:
        """Rows whose text ``column`` ``judge`` accepts, each distinct value judged once."""
        codes, values = self.values(column)
        hit = np.array([judge(value) for value in values], dtype=bool)
        return hit[codes] if len(hit) else np.zeros(len(self.frame), dtype=bool)

    def values(self, column: str) -> tuple[np.ndarray, list[str]]:
        """``(codes, distinct)`` of the text ``column`` (``ingest.textmatch.distinct_values``)."""
        known = self._texts.get(column)
        if known is None:
            known = self._texts[column] = distinct_values(self.frame[column])
        return known

    def first_of_each(self, column: str, mask: np.ndarray) -> np.ndarray:
        """Rows of ``mask`` that are the first of ``mask`` with their value of ``column``."""
        codes, _ = self.values(column)
        rows = np.flatnonzero(mask)
        first = np.zeros(len(mask), dtype=bool)
        first[rows[np.unique(codes[rows], return_index=True)[1]]] = True
        return first

    def after(self, at: pd.Timestamp | None, *, strictly: bool = False) -> np.ndarray:
        """Rows at ``at`` or later (later only, ``strictly``); every row when ``at`` is None."""
        if at is None:
            return np.ones(len(self.frame), dtype=bool)
        later = self.ts > at if strictly else self.ts >= at
        return later.to_numpy(dtype=bool, na_value=False)

    @cached_property
    def read_from_source(self) -> np.ndarray:
        """Rows whose kind the source records (no rule guessed it)."""
        return (self.frame["kind_rule"] == "").to_numpy(dtype=bool, na_value=False)

    def first(self, mask: np.ndarray) -> int | None:
        """The position of the first row where ``mask`` holds, or None."""
        position = int(mask.argmax()) if len(mask) else 0
        return position if len(mask) and mask[position] else None

    def last(self, mask: np.ndarray) -> int | None:
        hits = np.flatnonzero(mask)
        return int(hits[-1]) if len(hits) else None

    def earliest(self, mask: np.ndarray) -> int | None:
        """The row of the earliest time where ``mask`` holds, the first of equal times (a row
        without a time comes last)."""
        hits = np.flatnonzero(mask)
        if not len(hits):
            return None
        times = self._times[hits]
        order = np.where(np.isnat(times), np.iinfo(np.int64).max, times.view(np.int64))
        return int(hits[np.argmin(order)])

    def at(self, row: int) -> pd.Timestamp:
        return self.ts.iloc[row]

    def ref(self, row: int) -> str:
        return str(self.frame["ref"].iloc[row])

    def kind_rule(self, row: int) -> str:
        return str(self.frame["kind_rule"].iloc[row])

    @cached_property
    def _kinds(self) -> pd.Categorical:
        return _categories(self.frame["kind"], KIND)

    @cached_property
    def _sources(self) -> pd.Categorical:
        return _categories(self.frame["source"], SOURCE)

    @cached_property
    def _times(self) -> np.ndarray:
        return self.ts.to_numpy(dtype="datetime64[ns]")


def _categories(column: pd.Series, dtype: pd.CategoricalDtype) -> pd.Categorical:
    return (column if isinstance(column.dtype, pd.CategoricalDtype) else column.astype(dtype)).array


def _among(values: pd.Categorical, names: tuple[str, ...]) -> np.ndarray:
    """Rows whose category is one of ``names``, by category number (never as text)."""
    numbers = [values.categories.get_loc(name) for name in names if name in values.categories]
    return np.isin(values.codes, numbers)
