"""Small event frames for timeline tests, built through the schema like connectors do."""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

from ingest.schema import frame_from_columns


def events(rows: Iterable[dict]) -> pd.DataFrame:
    """rows: dicts with ts (ISO text with offset) and any other schema column."""
    rows = list(rows)
    columns: dict[str, list] = {}
    names = {name for row in rows for name in row}
    for name in names:
        columns[name] = [row.get(name) for row in rows]
    columns["ts"] = pd.to_datetime(columns["ts"], utc=True, format="ISO8601")
    if "edited_at" in columns:
        columns["edited_at"] = pd.to_datetime(columns["edited_at"], utc=True, format="ISO8601")
    for name in (
        "actor",
        "summary",
        "url",
        "channel",
        "thread_ref",
        "tags",
        "kind_rule",
        "subtype",
        "key_rule",
        "twin_ref",
    ):
        if name in columns:
            columns[name] = [v or "" for v in columns[name]]
    columns.setdefault("ref", [f"r{i}" for i in range(len(rows))])
    columns.setdefault("summary", [""] * len(rows))
    return frame_from_columns(columns, length=len(rows))


def ts(text: str) -> pd.Timestamp:
    return pd.Timestamp(text).tz_convert("UTC")
