"""The event frame: one row per event, every row naming its source.

This module owns the column names and their dtypes (the kinds are named in ``ingest.vocab``).
Connectors build frames with :func:`frame_from_columns` and tests check them with
:func:`validate`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import pandas as pd
import pyarrow as pa

from ingest.errors import SchemaError
from ingest.machine import side_by_side
from ingest.vocab import KINDS

SOURCES: tuple[str, ...] = ("pagerduty", "github", "slack", "notes", "table")

UTC_TIME = pd.DatetimeTZDtype(unit="ns", tz="UTC")
STRING = pd.StringDtype("pyarrow")
KIND = pd.CategoricalDtype(list(KINDS))
SOURCE = pd.CategoricalDtype(list(SOURCES))

# Column -> dtype. The first twelve are the contract of DESIGN.md section 4; the others
# carry what key-row selection and evidence tagging need:
#   subtype    the record's own type at its source (PagerDuty log entry type, Slack subtype,
#              GitHub deployment status state), empty when it has none;
#   tags       space-separated flags: "pinned", "reaction:NAME", "broadcast", "system", "bot",
#              "rollback", "revert", "edited_after_mitigation";
#   kind_rule  empty when the kind is read from the source; else the rule that guessed it
#              (a kind guessed from free text is evidence "inferred", never "observed");
#   key_rule   the rule that made the row a key row ("alert", "figures", "first_message"...), or
#              why it is not one ("chatter", "system", "twin", "over_budget:figures"...);
#   twin_ref   on a row folded into another record of the same event (a notes line beside the
#              PagerDuty entry, a status update echoed in another channel): that record's ref.
#              The row stays in the frame; the record it points to is tagged "corroborated".
COLUMNS: dict[str, Any] = {
    "ts": UTC_TIME,
    "source": SOURCE,
    "kind": KIND,
    "actor": STRING,
    "summary": STRING,
    "ref": STRING,
    "url": STRING,
    "channel": STRING,
    "thread_ref": STRING,
    "edited_at": UTC_TIME,
    "key": bool,
    "raw_sha256": STRING,
    "subtype": STRING,
    "tags": STRING,
    "kind_rule": STRING,
    "key_rule": STRING,
    "twin_ref": STRING,
}

REQUIRED = ("ts", "source", "kind", "summary", "ref")
_STRING_COLUMNS = [name for name, dtype in COLUMNS.items() if dtype is STRING]


def empty_frame() -> pd.DataFrame:
    """A frame with every column and no rows."""
    return frame_from_columns({name: [] for name in REQUIRED}, length=0)


def frame_from_columns(columns: Mapping[str, Any], length: int | None = None) -> pd.DataFrame:
    """Build a schema frame from column arrays; missing optional columns get their empty value.

    ``ts`` and ``edited_at`` must already be UTC-aware (use ``ingest.times``). A scalar value is
    broadcast to every row.
    """
    if length is None:
        length = len(columns["ts"])
    data: dict[str, Any] = {}
    for name, dtype in COLUMNS.items():
        value = columns.get(name)
        if value is None:
            if name in ("ts",):
                raise SchemaError(f"column {name!r} is required")
            if dtype is UTC_TIME:
                value = pd.Series(pd.NaT, index=range(length), dtype=UTC_TIME)
            elif name == "key":
                value = [False] * length
            else:
                value = _repeated("", length)
        elif _is_scalar(value):
            value = _repeated(value, length) if dtype is STRING else [value] * length
        data[name] = pd.Series(value, index=range(length)).astype(dtype)
    frame = pd.DataFrame(data)
    for name in _STRING_COLUMNS:
        if frame[name].hasnans:
            frame[name] = frame[name].fillna("")
    return frame


def _repeated(text: str, length: int) -> pd.arrays.ArrowStringArray:
    """``text`` on every row, filled in by Arrow rather than through a Python list."""
    return pd.arrays.ArrowStringArray(pa.nulls(length, pa.large_string()).fill_null(str(text)))


def concat(frames: Iterable[pd.DataFrame]) -> pd.DataFrame:
    """Concatenate schema frames, keeping the dtypes (categories are fixed, so they survive).

    Each text column comes out as one Arrow array: Arrow copies a column of several pieces
    whole for every selection of rows from it (10 ms a column for a year of chat, even to
    select none), so it is copied once here instead: the columns side by side, one thread per
    core, as Arrow lets go of the interpreter while it copies (a year of chat: 0.35 s → 0.12 s,
    most of it the system handing over fresh pages)."""
    parts = [f for f in frames if len(f)]
    if not parts:
        return empty_frame()
    frame = pd.concat(parts, ignore_index=True)
    pieces = {name: pa.array(frame[name].array) for name in _STRING_COLUMNS}
    chunked = {
        name: column
        for name, column in pieces.items()
        if isinstance(column, pa.ChunkedArray) and column.num_chunks > 1
    }
    whole = side_by_side(pa.ChunkedArray.combine_chunks, list(chunked.values()), rows=len(frame))
    for name, column in zip(chunked, whole, strict=True):
        frame[name] = pd.arrays.ArrowStringArray(column)
    return frame


def validate(frame: pd.DataFrame) -> None:
    """Raise SchemaError unless the frame has exactly the schema's columns and dtypes."""
    if list(frame.columns) != list(COLUMNS):
        raise SchemaError(f"columns {list(frame.columns)} are not {list(COLUMNS)}")
    for name, dtype in COLUMNS.items():
        if frame[name].dtype != dtype:
            raise SchemaError(f"column {name!r} has dtype {frame[name].dtype}, expected {dtype}")
    for name in REQUIRED:
        if frame[name].isna().any():
            raise SchemaError(f"column {name!r} has missing values")
    if (frame["ref"] == "").any():
        raise SchemaError("every row needs a ref (its ID at the source)")


def _is_scalar(value: Any) -> bool:
    return isinstance(value, (str, bool, int, float)) or value is pd.NaT
