"""The shape each JSON record must have for the fields the tool reads, and the bounds on input.

A shape maps a field to what it must hold: ``STR``, ``INT``, ``BOOL``, ``ANY``, ``ID`` (a
string or an integer), a nested shape (an object), or a one-element list ``[shape]`` (a list
of such). Only the fields the normalisers read are named, so a record may carry anything else.
A field may be missing or null unless it is required. Checking is a few ``isinstance`` calls
per field read: cheap next to building the frame.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import orjson

from ingest.errors import InputError

STR = (str,)
INT = (int,)
BOOL = (bool,)
ID = (str, int)
ANY = ()

_TYPE_NAMES = {str: "a string", int: "an integer", bool: "true or false"}


def check_records(
    records: Any,
    shape: Mapping[str, Any],
    *,
    what: str,
    required: Sequence[str] = (),
    id_key: str = "id",
) -> None:
    """Raise InputError naming the record (``what #N``, with its id when it has one) and the
    field, for the first record that is not an object, lacks a required field, or holds a
    value of the wrong type in a field the tool reads."""
    if not isinstance(records, list):
        raise InputError(f"{what} records must be a JSON list, not {describe(records)}")
    for number, record in enumerate(records, start=1):
        problem = record_problem(record, shape, required)
        if problem:
            raise InputError(f"{what} #{number}{_id_of(record, id_key)}: {problem}")


def record_problem(record: Any, shape: Mapping[str, Any], required: Sequence[str] = ()) -> str:
    """What is wrong with one record, or an empty string."""
    if not isinstance(record, dict):
        return f"must be an object, not {describe(record)}"
    for key in required:
        if record.get(key) in (None, ""):
            return f"has no {key!r}"
    return _problem(record, shape, "")


def _problem(record: Mapping[str, Any], shape: Mapping[str, Any], prefix: str) -> str:
    for key, expected in shape.items():
        value = record.get(key)
        if value is None:
            continue
        name = prefix + key
        if isinstance(expected, dict):
            if not isinstance(value, dict):
                return f"field {name!r} must be an object, not {describe(value)}"
            problem = _problem(value, expected, name + ".")
        elif isinstance(expected, list):
            problem = _list_problem(value, expected[0], name)
        else:
            problem = _value_problem(value, expected, name)
        if problem:
            return problem
    return ""


def _list_problem(value: Any, item: Any, name: str) -> str:
    if not isinstance(value, list):
        return f"field {name!r} must be a list, not {describe(value)}"
    for index, element in enumerate(value):
        where = f"{name}[{index}]"
        if isinstance(item, dict):
            if not isinstance(element, dict):
                return f"field {where!r} must be an object, not {describe(element)}"
            problem = _problem(element, item, where + ".")
        else:
            problem = _value_problem(element, item, where)
        if problem:
            return problem
    return ""


def _value_problem(value: Any, expected: tuple[type, ...], name: str) -> str:
    if not expected:
        return ""
    if isinstance(value, bool) and bool not in expected:
        return f"field {name!r} must be {_names(expected)}, not {describe(value)}"
    if not isinstance(value, expected):
        return f"field {name!r} must be {_names(expected)}, not {describe(value)}"
    return ""


def _names(expected: tuple[type, ...]) -> str:
    return " or ".join(_TYPE_NAMES.get(t, t.__name__) for t in expected)


def _id_of(record: Any, id_key: str) -> str:
    if isinstance(record, dict) and isinstance(record.get(id_key), (str, int)):
        shown = str(record[id_key])
        if shown and len(shown) <= 80:
            return f" ({shown})"
    return ""


def parse_json(data: bytes, where: object, *, hint: str = "is the file complete?") -> Any:
    """``orjson.loads`` with its errors as one InputError naming ``where``."""
    try:
        return orjson.loads(data)
    except orjson.JSONDecodeError as e:
        if "recursion" in e.msg.lower() or "depth limit" in e.msg.lower():
            raise InputError(
                "JSON nested too deeply to read (over 1,024 levels); this is not an export "
                "the tool reads",
                path=where,
            ) from None
        raise InputError(
            f"not valid JSON at column {e.colno} ({e.msg}); {hint}", path=where, line=e.lineno
        ) from None


def describe(value: Any) -> str:
    """A short name for a JSON value's type, for messages."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, (int, float)):
        return "a number"
    return type(value).__name__


# -- bounds -----------------------------------------------------------------------------------

_BRACKETS = np.zeros(256, dtype=bool)
_BRACKETS[[ord("["), ord("{"), ord("]"), ord("}"), ord('"')]] = True
_STEP = np.zeros(256, dtype=np.int64)
_STEP[[ord("["), ord("{")]] = 1
_STEP[[ord("]"), ord("}")]] = -1


# Bounds on each input file (limits.max_file_size in the config), the size checked here.
DEFAULT_MAX_BYTES = 10**9


def check_size(size: int, limit: int, where: object) -> None:
    """InputError naming the file when it is over ``limit`` bytes (``limits.max_file_size``)."""
    if size > limit:
        raise InputError(
            f"is {size:,} bytes, over the limit of {limit:,} (limits.max_file_size); "
            "give a smaller file or raise the limit in the config",
            path=where,
        )


def json_depth(data: bytes) -> int:
    """How deeply the JSON text nests objects and lists, brackets inside strings not counted.
    Vectorised over the bytes: only brackets and quotes are looked at one by one."""
    raw = np.frombuffer(data, dtype=np.uint8)
    positions = np.flatnonzero(_BRACKETS[raw])
    if not len(positions):
        return 0
    marks = raw[positions]
    quotes = marks == ord('"')
    # A quote preceded by an odd run of backslashes is escaped and does not end a string.
    # The runs are measured a step back at a time, for all the quotes still in one at once.
    escaped = np.zeros(len(marks), dtype=bool)
    open_runs = np.flatnonzero(quotes & (positions > 0))
    back = 1
    while len(open_runs):
        at = positions[open_runs] - back
        backslash = (at >= 0) & (raw[np.maximum(at, 0)] == 0x5C)
        open_runs = open_runs[backslash]
        escaped[open_runs] = ~escaped[open_runs]
        back += 1
    real_quotes = quotes & ~escaped
    inside = (np.cumsum(real_quotes) - real_quotes) % 2 == 1
    steps = np.where(inside | quotes, 0, _STEP[marks])
    return int(np.cumsum(steps).max(initial=0))


def check_depth(data: bytes, limit: int, where: object) -> None:
    """InputError naming the file when its JSON nests deeper than ``limit`` levels."""
    if data.count(b"[") + data.count(b"{") <= limit:
        return
    depth = json_depth(data)
    if depth > limit:
        raise InputError(
            f"JSON nested {depth:,} levels deep, over the limit of {limit} "
            "(limits.max_depth); this is not an export the tool reads",
            path=where,
        )
