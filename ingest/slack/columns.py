"""Slack message objects to column lists, in plain Python: the half of normalisation that runs
per message, kept free of pandas so that day files can be reduced in worker processes.

Text is kept as written; only Slack's markup is resolved (mentions, channel links, URLs, the
three HTML entities), and shared file names are appended.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from hashlib import sha256
from typing import Any

import orjson

from ingest.errors import InputError
from ingest.slack.dayfile import read_day
from ingest.slack.shape import first_misshapen

# Subtypes written by Slack itself, not by a person: tagged "system". Subtypes are an open set;
# one not listed here is treated as a person's message.
SYSTEM_SUBTYPES = frozenset(
    {
        "bot_add",
        "bot_remove",
        "bot_disable",
        "bot_enable",
        "channel_archive",
        "channel_canvas_updated",
        "channel_convert_to_private",
        "channel_convert_to_public",
        "channel_join",
        "channel_leave",
        "channel_name",
        "channel_posting_permissions",
        "channel_purpose",
        "channel_topic",
        "channel_unarchive",
        "ekm_access_denied",
        "group_archive",
        "group_join",
        "group_leave",
        "group_name",
        "group_purpose",
        "group_topic",
        "group_unarchive",
        "joiner_notification",
        "message_deleted",
        "pinned_item",
        "reminder_add",
        "sh_room_created",
        "tombstone",
        "unpinned_item",
    }
)


BOT_SUBTYPES = frozenset({"bot_message", "slackbot_response"})


# Hidden events that restate another message rather than post one: never rows of their own.
# message_changed carries an edit (applied to the original's edited_at); message_replied only
# announces that a thread got a reply, and the reply is its own message.
_RESTATING_SUBTYPES = frozenset({"message_changed", "message_replied"})


# <@U123>, <@U123|name>, <#C123|name>, <!here>, <!subteam^S1|@team>, <https://x|label>
_MARKUP = re.compile(r"<([^<>|]*)(?:\|([^<>]*))?>")


def day_columns(
    data: bytes,
    *,
    channel_id: str,
    users: Mapping[str, str],
    bounds: tuple[int, int] | None = None,
) -> tuple[dict[str, list[str]], dict[str, str]]:
    """A day file's bytes to :func:`message_columns` and the edits its ``message_changed``
    events carry (:func:`message_edits`); with ``bounds`` (first and last whole second of a
    window) only the messages :func:`near_window` keeps. Raises InputError without the file's
    name, which the caller knows."""
    day, raw = read_day(data)
    if bounds is not None:
        rows = window_rows(day, bounds)
        day = [day[i] for i in rows]
        raw = [raw[i] for i in rows] if raw is not None else None
    columns = message_columns(day, channel_id=channel_id, users=users, raw=raw)
    # A byte search first: most day files hold no edit at all.
    edits = message_edits(day) if b"message_changed" in data else {}
    return columns, edits


def near_window(day: list[dict[str, Any]], bounds: tuple[int, int]) -> list[dict[str, Any]]:
    """The messages of :func:`window_rows`."""
    return [day[i] for i in window_rows(day, bounds)]


def window_rows(day: list[dict[str, Any]], bounds: tuple[int, int]) -> list[int]:
    """The messages of a day file that may lie in a window (``bounds``: its first and last
    whole second), so that a short window does not normalise the whole of the days around
    it. A message is dropped only when its ``ts`` is a well-formed time outside the bounds;
    events that carry edits, and anything malformed, stay for the normaliser to apply or to
    report."""
    first, last = bounds
    if _all_within(day, first, last):  # a day wholly inside a long window: nothing to drop
        return list(range(len(day)))
    kept = []
    for row, record in enumerate(day):
        seconds = record.get("ts")
        if isinstance(seconds, str):
            seconds = seconds.partition(".")[0]
            if (
                seconds.isascii()
                and seconds.isdigit()
                and not first <= int(seconds) <= last
                and record.get("subtype") != "message_changed"
            ):
                continue
        kept.append(row)
    return kept


def _all_within(day: list[dict[str, Any]], first: int, last: int) -> bool:
    """Whether every message has a ``ts`` of the usual shape (ten digits, a dot, six) from
    second ``first`` to ``last``: checked on the joined text at C speed, and such stamps
    sort as text as they do as numbers."""
    low, high = str(first), str(last)
    if not day or len(low) != 10 or len(high) != 10:
        return False
    stamps = [record.get("ts") for record in day]
    try:
        if not _CANONICAL_STAMPS.fullmatch("\n".join(stamps)):
            return False
    except TypeError:  # a ts that is not text
        return False
    return min(stamps)[:10] >= low and max(stamps)[:10] <= high


# A Slack ts as Slack writes every one: ten digits of seconds, a dot and six of microseconds.
CANONICAL_TS = r"[0-9]{10}\.[0-9]{6}"
_CANONICAL_STAMPS = re.compile(rf"{CANONICAL_TS}(?:\n{CANONICAL_TS})*")


def message_edits(messages: Sequence[Mapping[str, Any]]) -> dict[str, str]:
    """The edits carried by ``message_changed`` events: ``{original ts: latest edit ts}``."""
    edits: dict[str, str] = {}
    for record in messages:
        if record.get("subtype") != "message_changed":
            continue
        new = record.get("message") or {}
        original = new.get("ts")
        edited = (new.get("edited") or {}).get("ts") or record.get("ts")
        if original and edited and _later(edited, edits.get(original)):
            edits[original] = edited
    return edits


def message_columns(
    messages: Sequence[Mapping[str, Any]],
    *,
    channel_id: str,
    users: Mapping[str, str],
    raw: Sequence[Any] | None = None,
) -> dict[str, list[str]]:
    """The first, pure-Python half of ``messages_frame``: one list per column, times still as
    Slack ``ts`` strings (``ts``, ``edited``, and ``thread_ts``, "" for none), from which
    ``ingest.slack.arrays.columns_batch`` derives the kind, ref, thread ref and permalink in
    Arrow. ``raw``, when given, holds each message's bytes as received, which ``raw_sha256``
    is the hash of; without it, the hash is of the message as orjson writes it.

    Raises InputError when a record is not shaped like a Slack message.
    """
    try:
        return _message_columns(messages, channel_id, users, raw)
    except (AttributeError, TypeError, KeyError, IndexError, orjson.JSONEncodeError) as e:
        raise InputError(
            first_misshapen(messages)
            or f"a message is not shaped like a Slack message object ({type(e).__name__}: {e})"
        ) from e


def _message_columns(
    messages: Sequence[Mapping[str, Any]],
    channel_id: str,
    users: Mapping[str, str],
    raw: Sequence[Any] | None,
) -> dict[str, list[str]]:
    subtypes = [record.get("subtype") or "" for record in messages]
    edits = message_edits(messages) if "message_changed" in subtypes else {}
    if _RESTATING_SUBTYPES.intersection(subtypes):
        kept = [i for i, subtype in enumerate(subtypes) if subtype not in _RESTATING_SUBTYPES]
        messages = [messages[i] for i in kept]
        subtypes = [subtypes[i] for i in kept]
        raw = [raw[i] for i in kept] if raw is not None else None
    if raw is None:  # parsed records only (an API answer): hashed as orjson writes them
        raw = [orjson.dumps(record) for record in messages]

    stamps = [record.get("ts") or "" for record in messages]
    return {
        "ts": stamps,
        "edited": _edit_stamps(messages, stamps, edits),
        "thread_ts": [record.get("thread_ts") or "" for record in messages],
        "actor": _actors(messages, users),
        "summary": _summaries(messages, subtypes, users, channel_id + "/"),
        "raw_sha256": [sha256(record).hexdigest() for record in raw],
        "subtype": subtypes,
        "tags": [
            _tags(record, subtype)
            if subtype or "reactions" in record or "pinned_to" in record or "bot_id" in record
            else ""
            for record, subtype in zip(messages, subtypes, strict=True)
        ],
    }


def _edit_stamps(
    messages: Sequence[Mapping[str, Any]], stamps: Sequence[str], edits: Mapping[str, str]
) -> list[str]:
    edited = [
        (record["edited"].get("ts") or "") if record.get("edited") else "" for record in messages
    ]
    for i, stamp in enumerate(stamps) if edits else ():
        later = edits.get(stamp)
        if later and _later(later, edited[i]):
            edited[i] = later
    return edited


def _later(stamp: str, other: str | None) -> bool:
    """Whether Slack ts ``stamp`` is after ``other`` (compared as integers, never as floats)."""
    if not other:
        return True
    return _ts_key(stamp) > _ts_key(other)


def _ts_key(stamp: str) -> tuple[int, int]:
    seconds, _, fraction = stamp.partition(".")
    return int(seconds or 0), int((fraction[:6] or "0").ljust(6, "0"))


def _actors(messages: Sequence[Mapping[str, Any]], users: Mapping[str, str]) -> list[str]:
    known = users.get
    return [known(record.get("user") or "") or _fallback_actor(record) for record in messages]


def _fallback_actor(record: Mapping[str, Any]) -> str:
    profile = record.get("user_profile") or {}
    bot = record.get("bot_profile") or {}
    return (
        profile.get("display_name")
        or profile.get("real_name")
        or profile.get("name")
        or record.get("username")
        or bot.get("name")
        or record.get("user")
        or record.get("bot_id")
        or ""
    )


def _summaries(
    messages: Sequence[Mapping[str, Any]],
    subtypes: Sequence[str],
    users: Mapping[str, str],
    prefix: str,
) -> list[str]:
    texts = [record.get("text") or "" for record in messages]
    summaries = [
        _resolve_markup(text, users) if "<" in text or "&" in text else text for text in texts
    ]
    # Rare cases, patched by index so the common path stays one comprehension.
    rare = [i for i, record in enumerate(messages) if "files" in record or "attachments" in record]
    if "message_deleted" in subtypes:
        rare += [i for i, subtype in enumerate(subtypes) if subtype == "message_deleted"]
    for i in sorted(set(rare)):
        summaries[i] = _with_extras(summaries[i], messages[i], subtypes[i], users, prefix)
    return summaries


def _with_extras(
    summary: str, record: Mapping[str, Any], subtype: str, users: Mapping[str, str], prefix: str
) -> str:
    if not summary and record.get("attachments"):
        # Bots often post only an attachment; its fallback is the text Slack itself shows.
        first = record["attachments"][0] or {}
        text = first.get("fallback") or first.get("text") or first.get("title") or ""
        summary = _resolve_markup(text, users) if "<" in text or "&" in text else text
    if record.get("files"):
        names = [f.get("name") or f.get("title") or f.get("id") or "?" for f in record["files"]]
        summary = (
            f"{summary} [files: {', '.join(names)}]" if summary else f"[files: {', '.join(names)}]"
        )
    if subtype == "message_deleted" and not summary:
        deleted = record.get("deleted_ts") or (record.get("previous_message") or {}).get("ts")
        summary = f"message {prefix}{deleted} was deleted" if deleted else "a message was deleted"
    return summary


def _resolve_markup(text: str, users: Mapping[str, str]) -> str:
    if "<" in text:
        text = _MARKUP.sub(lambda match: _markup_text(match, users), text)
    if "&" in text:
        text = text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
    return text


def _markup_text(match: re.Match[str], users: Mapping[str, str]) -> str:
    target, label = match.group(1), match.group(2)
    if target.startswith("@"):
        return "@" + (users.get(target[1:]) or label or target[1:])
    if target.startswith("#"):
        return "#" + (label or target[1:])
    if target.startswith("!"):
        # <!here>, <!channel>, <!subteam^S1|@team>, <!date^...|fallback>
        if label:
            return label
        return "@" + target[1:]
    if label and label != target:
        return f"{label} ({target})"
    return target


def _tags(record: Mapping[str, Any], subtype: str) -> str:
    tags = []
    if record.get("pinned_to"):
        tags.append("pinned")
    for reaction in record.get("reactions") or ():
        if reaction.get("name"):
            tags.append("reaction:" + reaction["name"])
    if subtype == "thread_broadcast":
        tags.append("broadcast")
    if subtype in BOT_SUBTYPES or record.get("bot_id"):
        tags.append("bot")
    if subtype in SYSTEM_SUBTYPES:
        tags.append("system")
    return " ".join(tags)
