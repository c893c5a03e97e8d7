"""Small helpers the file connectors share: loading JSON, plucking fields, hashing, windowing."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import orjson
import pandas as pd

from ingest.errors import InputError
from ingest.types import ReadContext


def read_bytes(path: Path) -> bytes:
    """The file's bytes; InputError naming it if it is missing or unreadable."""
    try:
        return path.read_bytes()
    except FileNotFoundError as e:
        raise InputError("file not found", path=path) from e
    except OSError as e:
        raise InputError(f"cannot read the file ({e.strerror})", path=path) from e


def load_json(path: Path) -> Any:
    """Parse a JSON file; InputError naming the line and column where it breaks."""
    try:
        return orjson.loads(read_bytes(path))
    except orjson.JSONDecodeError as e:
        raise InputError(
            f"not valid JSON at column {e.colno} ({e.msg}); is the file complete?",
            path=path,
            line=e.lineno,
        ) from e


def get(record: Mapping[str, Any], key: str, field: str) -> str:
    """``record[key][field]`` as a string, empty when either is missing or null."""
    inner = record.get(key)
    if not isinstance(inner, Mapping):
        return ""
    value = inner.get(field)
    return "" if value is None else str(value)


def text(record: Mapping[str, Any], key: str) -> str:
    """``record[key]`` as a string, empty when missing or null."""
    value = record.get(key)
    return "" if value is None else str(value)


def sha256_each(records: Iterable[Any]) -> list[str]:
    """SHA-256 of each record as canonical JSON (sorted keys), so key order does not matter."""
    return [
        hashlib.sha256(orjson.dumps(r, option=orjson.OPT_SORT_KEYS)).hexdigest() for r in records
    ]


def within_window(frame: pd.DataFrame, ctx: ReadContext) -> pd.DataFrame:
    """The rows inside ``ctx.window`` (all of them when the window is not known)."""
    if ctx.window is None:
        return frame
    return frame[ctx.window.contains(frame["ts"])].reset_index(drop=True)


def with_path(error: InputError, path: Path) -> InputError:
    """The same error (same class) with the file named in front of its message."""
    return type(error)(str(error), path=path)
