"""A day file's bytes to its messages, fast: only the fields the normaliser reads become
dicts (a message's blocks and profile images are skipped, never built), and each message's own
bytes are kept, so that its ``raw_sha256`` is of the record exactly as the export holds it.

Anything off the common shape (a message that is not an object, a profile that is not one) is
read whole instead, by :func:`parse_day`, whose checks name what is wrong.
"""

from __future__ import annotations

from typing import Any, TypedDict

import msgspec

from ingest.errors import InputError
from ingest.shapes import describe, parse_json


class _Named(TypedDict, total=False):
    display_name: Any
    real_name: Any
    name: Any


class _Message(TypedDict, total=False):
    """The fields of a Slack message that :mod:`ingest.slack.columns` reads, and no others."""

    ts: Any
    thread_ts: Any
    subtype: Any
    user: Any
    text: Any
    username: Any
    bot_id: Any
    user_profile: _Named | None
    bot_profile: _Named | None
    edited: Any
    files: Any
    attachments: Any
    reactions: Any
    pinned_to: Any
    deleted_ts: Any
    previous_message: Any
    message: Any


_RECORDS = msgspec.json.Decoder(list[msgspec.Raw])
_MESSAGES = msgspec.json.Decoder(list[_Message])


def read_day(data: bytes) -> tuple[list[dict[str, Any]], list[Any] | None]:
    """The day file's messages (only the fields read) and each one's bytes in the file (None
    when the file is JSON a strict reader refuses, though it parses). Raises InputError,
    without the file's name, unless the file is a JSON array of message objects."""
    try:
        raw = _RECORDS.decode(data)
    except (msgspec.DecodeError, RecursionError):  # not an array or not JSON: the exact error
        return parse_day(data), None
    try:
        return _MESSAGES.decode(data), raw
    # A record off the common shape, or text that is not UTF-8 (which only a decoded string
    # reveals): read whole, the checks name it.
    except (msgspec.DecodeError, RecursionError, UnicodeDecodeError):
        return parse_day(data), raw


def parse_day(data: bytes) -> list[dict[str, Any]]:
    """A day file's messages; InputError unless it is a JSON array of objects."""
    hint = "the file is truncated or damaged; re-export the workspace or unpack it again"
    day = parse_json(data, None, hint=hint)
    if not isinstance(day, list) or set(map(type, day)) - {dict}:
        found = f"not {describe(day)}"
        if isinstance(day, list):
            first = next(i for i, record in enumerate(day) if not isinstance(record, dict))
            found = f"message #{first + 1} is {describe(day[first])}"
        raise InputError(
            f"a day file must be a JSON array of message objects ({found}); re-export the workspace"
        )
    return day
