"""The shape of a Slack message object, for the fields the normaliser reads, and finding the
message that breaks it. Used only once reading has failed, so the common path pays nothing."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import orjson

from ingest.shapes import STR, record_problem

# The fields of a message object the normaliser reads, with their types (Slack's message event).
_NAMED = {"display_name": STR, "real_name": STR, "name": STR}
MESSAGE_SHAPE = {
    "ts": STR,
    "thread_ts": STR,
    "subtype": STR,
    "user": STR,
    "text": STR,
    "username": STR,
    "bot_id": STR,
    "user_profile": _NAMED,
    "bot_profile": _NAMED,
    "edited": {"ts": STR},
    "files": [{"name": STR, "title": STR, "id": STR}],
    "attachments": [{"fallback": STR, "text": STR, "title": STR}],
    "reactions": [{"name": STR}],
    "deleted_ts": STR,
    "previous_message": {"ts": STR},
    "message": {"ts": STR, "edited": {"ts": STR}},
}
# A column of message_columns -> the message fields its values come from.
COLUMN_FIELDS = {
    "thread_ts": "'thread_ts'",
    "actor": "'user', 'user_profile', 'username' or 'bot_profile'",
    "summary": "'text', 'files' or 'attachments'",
    "subtype": "'subtype'",
    "tags": "'reactions'",
}


def first_misshapen(messages: Sequence[Any]) -> str:
    """Which message (number and ts) has which field of the wrong type; empty if none.
    Only run once reading has failed, so the common path pays nothing for it."""
    for number, record in enumerate(messages, start=1):
        problem = record_problem(record, MESSAGE_SHAPE)
        if problem:
            stamp = record.get("ts") if isinstance(record, dict) else None
            named = f" ({stamp})" if isinstance(stamp, str) and len(stamp) < 40 else ""
            return f"message #{number}{named}: {problem}"
        if isinstance(record, dict) and "raw" not in record:
            try:
                orjson.dumps(record)
            except orjson.JSONEncodeError as e:
                return f"message #{number}: cannot be kept as JSON ({e})"
    return ""
