"""Small helpers the file connectors share: loading JSON, plucking fields, hashing, windowing."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import orjson
import pandas as pd

from ingest.errors import InputError
from ingest.shapes import check_depth, check_size, parse_json
from ingest.types import DEFAULT_MAX_BYTES, ReadContext


def read_bytes(path: Path, max_bytes: int = DEFAULT_MAX_BYTES) -> bytes:
    """The file's bytes; InputError naming it if it is missing, unreadable or over
    ``max_bytes`` (checked before reading, so a huge file is never loaded)."""
    try:
        check_size(path.stat().st_size, max_bytes, path)
        return path.read_bytes()
    except FileNotFoundError as e:
        raise InputError("file not found", path=path) from e
    except IsADirectoryError as e:
        raise InputError("is a folder, not a file", path=path) from e
    except OSError as e:
        raise InputError(f"cannot read the file ({e.strerror})", path=path) from e


def load_json(path: Path, ctx: ReadContext | None = None) -> Any:
    """Parse a JSON file within the context's size and depth bounds; InputError naming the
    line and column where it breaks."""
    ctx = ctx or ReadContext()
    data = read_bytes(path, ctx.max_bytes)
    check_depth(data, ctx.max_depth, path)
    return parse_json(data, path)


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
    try:
        return [
            hashlib.sha256(orjson.dumps(r, option=orjson.OPT_SORT_KEYS)).hexdigest()
            for r in records
        ]
    except orjson.JSONEncodeError as e:
        raise InputError(f"a record cannot be kept as JSON ({e})") from None


def within_window(frame: pd.DataFrame, ctx: ReadContext) -> pd.DataFrame:
    """The rows inside ``ctx.window`` (all of them when the window is not known)."""
    if ctx.window is None:
        return frame
    return frame[ctx.window.contains(frame["ts"])].reset_index(drop=True)


def with_path(error: InputError, path: Path) -> InputError:
    """The same error (same class) with the file named in front of its message."""
    return type(error)(str(error), path=path)
