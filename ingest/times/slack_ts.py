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
    stamps = pd.Series(values, dtype=object).fillna("").astype(str)
    if stamps.empty:
        return pd.Series([], dtype=UTC_TIME)
    arrow = pa.array(stamps.to_list(), type=pa.string())
    if pc.all(pc.match_substring_regex(arrow, _CANONICAL_TS)).as_py():
        micros = pc.cast(pc.replace_substring(arrow, ".", ""), pa.int64()).to_numpy()
        return pd.Series(
            pd.to_datetime(micros * 1_000, unit="ns", utc=True), index=stamps.index, dtype=UTC_TIME
        )
    parts = stamps.str.partition(".")
    present = parts[0].str.fullmatch(r"\d+")
    seconds = parts[0][present].astype(np.int64)
    fraction = parts[2][present].str.slice(0, 6).str.ljust(6, "0")
    nanos = seconds * 1_000_000_000 + pd.to_numeric(fraction).astype(np.int64) * 1_000
    result = pd.Series(pd.NaT, index=stamps.index, dtype=UTC_TIME)
    result[present] = pd.to_datetime(nanos.to_numpy(), unit="ns", utc=True)
    return result


def slack_ts_second(stamp: str) -> pd.Timestamp:
    """The whole second of one ``ts`` (for messages about it); NaT when it is not one."""
    return slack_ts_to_utc([stamp]).iloc[0].floor("s")
