"""Slack ``ts`` strings ("1355517523.000005") to UTC, exact to the microsecond, never via float."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from ingest.schema import UTC_TIME

_CANONICAL_TS = r"^\d{10}\.\d{6}$"


def slack_ts_to_utc(values: Sequence[str] | pd.Series) -> pd.Series:
    """Slack ``ts`` strings to a UTC series; empty or malformed values become NaT.

    Real ones all have the shape ``1355517523.000005``: without the dot they are integer
    microseconds, which Arrow reads at C speed. Any other shape is split into whole seconds
    and a fraction, both read as integers.
    """
    canonical = _canonical_micros(values)
    if canonical is not None:
        index = values.index if isinstance(values, pd.Series) else None
        times = pd.to_datetime(canonical * 1_000, unit="ns", utc=True)
        return pd.Series(times, index=index, dtype=UTC_TIME)
    stamps = pd.Series(values, dtype=object).fillna("").astype(str)
    if stamps.empty:
        return pd.Series([], dtype=UTC_TIME)
    parts = stamps.str.partition(".")
    present = parts[0].str.fullmatch(r"\d+")
    seconds = parts[0][present].astype(np.int64)
    fraction = parts[2][present].str.slice(0, 6).str.ljust(6, "0")
    nanos = seconds * 1_000_000_000 + pd.to_numeric(fraction).astype(np.int64) * 1_000
    result = pd.Series(pd.NaT, index=stamps.index, dtype=UTC_TIME)
    result[present] = pd.to_datetime(nanos.to_numpy(), unit="ns", utc=True)
    return result


def _canonical_micros(values: Sequence[str] | pd.Series) -> np.ndarray | None:
    """Integer microseconds when every value is a string shaped ``1355517523.000005``."""
    try:
        if isinstance(values, pd.Series):
            arrow = pa.array(values.array, type=pa.string())
        else:
            arrow = pa.array(values, type=pa.string())
    except (pa.ArrowInvalid, pa.ArrowTypeError):  # a value that is not a string
        return None
    if not len(arrow) or arrow.null_count:
        return None
    if not pc.all(pc.match_substring_regex(arrow, _CANONICAL_TS)).as_py():
        return None
    return pc.cast(pc.replace_substring(arrow, ".", ""), pa.int64()).to_numpy()


def slack_ts_second(stamp: str) -> pd.Timestamp:
    """The whole second of one ``ts`` (for messages about it); NaT when it is not one."""
    return slack_ts_to_utc([stamp]).iloc[0].floor("s")
