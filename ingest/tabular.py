"""Hand-kept tables of events (CSV or JSON Lines) into event frames.

A table needs a time column (``time``, ``ts`` or ``timestamp``) and an event column (``event``,
``summary`` or ``description``); it may add ``source``, ``actor``, ``ref``, ``url`` and
``kind``. The table's own ``source`` (say "statuspage" or "support desk") goes to ``channel``:
the frame's ``source`` is always ``table``.
"""

from __future__ import annotations

import csv
import hashlib
import io
from collections.abc import Iterator
from pathlib import Path

import orjson
import pandas as pd

from ingest.errors import InputError, TimeError
from ingest.records import read_bytes, within_window
from ingest.schema import frame_from_columns
from ingest.shapes import check_depth, describe
from ingest.times import CellTimeError, written_to_utc
from ingest.types import ReadContext
from ingest.vocab import KINDS

SOURCE = "table"
TIME_COLUMNS = ("time", "ts", "timestamp")
EVENT_COLUMNS = ("event", "summary", "description")
OPTIONAL_COLUMNS = ("source", "actor", "ref", "url", "kind")
JSON_LINES_SUFFIXES = (".jsonl", ".ndjson")


def read_table(path: Path, ctx: ReadContext) -> Iterator[pd.DataFrame]:
    """Read a CSV or JSON Lines table of events into one frame (times to UTC).

    Naive times take ``ctx.tz``; without it they are a TimeError naming file and line.
    A row's ``ref`` defaults to ``FILE:LINE``; a missing ``kind`` is ``note``.
    """
    try:
        content = read_bytes(path, ctx.max_bytes).decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise InputError(f"is not UTF-8 text (byte {e.start}); save it as UTF-8", path=path) from e
    if path.suffix.lower() in JSON_LINES_SUFFIXES or content.lstrip().startswith("{"):
        check_depth(content.encode(), ctx.max_depth, path)
        rows, lines, raw = _json_lines(content, path)
    else:
        rows, lines, raw = _csv_rows(content, path)
    if not len(rows):
        raise InputError(
            "has no rows: the table is empty; give a table with a time and an event per row",
            path=path,
        )
    ctx.artifacts.append({"source": SOURCE, "name": path.name, "records": len(rows)})
    frame = _frame(rows, lines, raw, path, ctx)
    frame = within_window(frame, ctx)
    if len(frame):
        yield frame


def _frame(
    rows: pd.DataFrame, lines: list[int], raw: list[str], path: Path, ctx: ReadContext
) -> pd.DataFrame:
    time_column = _pick(rows, TIME_COLUMNS, "time", path)
    event_column = _pick(rows, EVENT_COLUMNS, "event", path)
    line = pd.Series(lines, index=rows.index)
    column = {
        name: rows[name] if name in rows else pd.Series("", index=rows.index)
        for name in OPTIONAL_COLUMNS
    }

    kind = column["kind"].str.strip().replace("", "note")
    unknown = ~kind.isin(KINDS)
    if unknown.any():
        first = unknown.to_numpy().argmax()
        raise InputError(
            f"kind {kind.iloc[first]!r} is not one of: {', '.join(KINDS)}",
            path=path,
            line=int(line.iloc[first]),
        )
    summary = rows[event_column].str.strip()
    if (summary == "").any():
        first = (summary == "").to_numpy().argmax()
        raise InputError(
            f"the {event_column!r} column is empty; describe the event",
            path=path,
            line=int(line.iloc[first]),
        )
    ref = column["ref"].str.strip()
    return frame_from_columns(
        {
            "ts": _times(rows[time_column], line, path, ctx),
            "source": SOURCE,
            "kind": kind,
            "actor": column["actor"].str.strip(),
            "summary": summary,
            "ref": ref.where(ref != "", path.name + ":" + line.astype(str)),
            "url": column["url"].str.strip(),
            "channel": column["source"].str.strip(),
            "raw_sha256": [hashlib.sha256(text.encode()).hexdigest() for text in raw],
        }
    )


def _times(values: pd.Series, line: pd.Series, path: Path, ctx: ReadContext) -> pd.Series:
    """Times to UTC: the zone written in the cell, else ``ctx.tz``; a bad one names its line."""
    text = values.str.strip()
    empty = text == ""
    if empty.any():
        raise TimeError("the time is empty", path=path, line=int(line[empty].iloc[0]))
    try:
        return written_to_utc(text, tz=ctx.tz)
    except CellTimeError as e:
        raise TimeError(str(e), path=path, line=int(line[e.label])) from None


def _pick(rows: pd.DataFrame, names: tuple[str, ...], what: str, path: Path) -> str:
    for name in names:
        if name in rows:
            return name
    found = ", ".join(rows.columns) or "none"
    raise InputError(f"needs a {what} column ({', '.join(names)}); found: {found}", path=path)


def _csv_rows(content: str, path: Path) -> tuple[pd.DataFrame, list[int], list[str]]:
    """CSV records with the line each starts on and its raw text (fields may span lines)."""
    physical = list(io.StringIO(content, newline=""))
    reader = csv.reader(iter(physical))
    try:
        header = [name.strip().lower() for name in next(reader, [])]
        repeated = sorted({name for name in header if header.count(name) > 1})
        if repeated:
            raise InputError(
                f"the header names {', '.join(repeated)} more than once", path=path, line=1
            )
        records, lines, raw = [], [], []
        end = reader.line_num
        for record in reader:
            start, end = end + 1, reader.line_num
            if not any(field.strip() for field in record):
                continue
            if len(record) > len(header):
                raise InputError(
                    f"has {len(record)} fields but the header names {len(header)}",
                    path=path,
                    line=start,
                )
            records.append(record + [""] * (len(header) - len(record)))
            lines.append(start)
            raw.append("".join(physical[start - 1 : end]))
    except csv.Error as e:
        raise InputError(f"is not valid CSV ({e})", path=path, line=reader.line_num) from e
    return pd.DataFrame(records, columns=header, dtype=str), lines, raw


def _json_lines(content: str, path: Path) -> tuple[pd.DataFrame, list[int], list[str]]:
    """One JSON object per non-blank line, with its line number and raw text."""
    records, lines, raw = [], [], []
    for number, text in enumerate(content.split("\n"), start=1):
        text = text.removesuffix("\r")
        if not text.strip():
            continue
        try:
            record = orjson.loads(text)
        except orjson.JSONDecodeError as e:
            raise InputError(
                f"not valid JSON at column {e.colno} ({e.msg})", path=path, line=number
            ) from e
        if not isinstance(record, dict):
            raise InputError(
                f"each line must be a JSON object, not {describe(record)}", path=path, line=number
            )
        try:
            records.append({str(k).strip().lower(): _cell(v) for k, v in record.items()})
        except orjson.JSONEncodeError as e:
            raise InputError(f"a value cannot be kept as JSON ({e})", path=path, line=number) from e
        lines.append(number)
        raw.append(text)
    return pd.DataFrame(records, dtype=str).fillna(""), lines, raw


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, (dict, list)):
        return orjson.dumps(value).decode()
    return str(value)
