"""Slack message objects to schema frames, column by column.

One normaliser for both Slack readers: the workspace export's day files and the Web API's
``conversations.history`` / ``conversations.replies`` answers carry the same message shapes.
Text is kept as written; only Slack's markup is resolved (mentions, channel links, URLs, the
three HTML entities), and shared file names are appended.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from hashlib import sha256
from typing import Any

import orjson
import pandas as pd
import pyarrow as pa

from ingest.errors import InputError
from ingest.schema import KIND, UTC_TIME, frame_from_columns
from ingest.shapes import describe
from ingest.slack.shape import COLUMN_FIELDS, first_misshapen
from ingest.times import slack_ts_to_utc

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
_SLACK_TS = re.compile(r"\d+(?:\.\d*)?")
_MARKUP = re.compile(r"<([^<>|]*)(?:\|([^<>]*))?>")


def user_names(members: Iterable[Mapping[str, Any]]) -> dict[str, str]:
    """``{user id: display name}`` from users.json or ``users.list`` members.

    The name is the profile's display name, else its real name, else the top-level
    ``real_name``, else ``name``: the first that is not empty.
    """
    names: dict[str, str] = {}
    for member in members:
        user_id = member.get("id")
        if not user_id:
            continue
        profile = member.get("profile") or {}
        names[user_id] = (
            profile.get("display_name")
            or profile.get("real_name")
            or member.get("real_name")
            or member.get("name")
            or user_id
        )
    return names


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


def apply_edits(frame: pd.DataFrame, edits: Mapping[str, str], channel_id: str) -> dict[str, str]:
    """Set ``edited_at`` on the rows of ``frame`` that these edits name (in place, never earlier
    than an edit already recorded); return the edits whose message is not in the frame."""
    if not edits or frame.empty:
        return dict(edits)
    prefix = channel_id + "/"
    wanted = pd.Series(list(edits.values()), index=[prefix + ts for ts in edits])
    hit = frame["ref"].isin(wanted.index)
    if hit.any():
        new_times = slack_ts_to_utc(wanted.loc[frame.loc[hit, "ref"]].to_list())
        current = frame.loc[hit, "edited_at"]
        new_times.index = current.index
        frame.loc[hit, "edited_at"] = new_times.where(
            current.isna() | (new_times > current), current
        )
    found = set(frame.loc[hit, "ref"])
    return {ts: at for ts, at in edits.items() if prefix + ts not in found}


def messages_frame(
    messages: Sequence[Mapping[str, Any]],
    *,
    channel_id: str,
    channel_name: str,
    users: Mapping[str, str],
    workspace_url: str = "",
) -> pd.DataFrame:
    """Slack message objects (as parsed from JSON) to a schema frame, one row per message.

    Thread replies are rows at their own ``ts`` with ``thread_ref`` naming the parent.
    ``message_changed`` events set ``edited_at`` on their original when it is in ``messages``
    and never become rows (see :func:`message_edits` for the rest); ``message_deleted`` stays a
    ``system`` row. ``users`` maps user IDs to display names (:func:`user_names`).
    ``workspace_url`` (``https://acme.slack.com``) gives each row a permalink; without it
    ``url`` is empty and ``ref`` (``CHANNEL_ID/ts``) still names the message.
    Raises InputError when a message has no valid ``ts``; the caller adds the file name.
    """
    columns = message_columns(
        messages, channel_id=channel_id, users=users, workspace_url=workspace_url
    )
    return columns_frame(columns, channel_name=channel_name)


def message_columns(
    messages: Sequence[Mapping[str, Any]],
    *,
    channel_id: str,
    users: Mapping[str, str],
    workspace_url: str = "",
) -> dict[str, list[str]]:
    """The first, pure-Python half of :func:`messages_frame`: one list per column, times still
    as Slack ``ts`` strings (``ts``, ``edited``). Lists of several calls may be joined
    (``list.extend``) and turned into one frame by :func:`columns_frame`, so that the parsed
    records can be freed early and the frame's fixed cost is paid once.

    Raises InputError when a record is not shaped like a Slack message.
    """
    try:
        return _message_columns(messages, channel_id, users, workspace_url)
    except (AttributeError, TypeError, KeyError, IndexError, orjson.JSONEncodeError) as e:
        raise InputError(
            first_misshapen(messages)
            or f"a message is not shaped like a Slack message object ({type(e).__name__}: {e})"
        ) from e


def _message_columns(
    messages: Sequence[Mapping[str, Any]],
    channel_id: str,
    users: Mapping[str, str],
    workspace_url: str,
) -> dict[str, list[str]]:
    subtypes = [record.get("subtype") or "" for record in messages]
    edits = message_edits(messages) if "message_changed" in subtypes else {}
    if _RESTATING_SUBTYPES.intersection(subtypes):
        kept = [i for i, subtype in enumerate(subtypes) if subtype not in _RESTATING_SUBTYPES]
        messages = [messages[i] for i in kept]
        subtypes = [subtypes[i] for i in kept]

    stamps = [record.get("ts") or "" for record in messages]
    thread_stamps = [record.get("thread_ts") or "" for record in messages]
    is_reply = [
        bool(parent) and parent != ts for parent, ts in zip(thread_stamps, stamps, strict=True)
    ]
    prefix = channel_id + "/"
    return {
        "ts": stamps,
        "edited": _edit_stamps(messages, stamps, edits),
        "kind": ["chat.reply" if reply else "chat.message" for reply in is_reply],
        "actor": _actors(messages, users),
        "summary": _summaries(messages, subtypes, users, prefix),
        "ref": [prefix + ts for ts in stamps],
        "url": _permalinks(stamps, thread_stamps, is_reply, channel_id, workspace_url),
        "thread_ref": [
            prefix + parent if reply else ""
            for parent, reply in zip(thread_stamps, is_reply, strict=True)
        ],
        "raw_sha256": [sha256(orjson.dumps(record)).hexdigest() for record in messages],
        "subtype": subtypes,
        "tags": [
            _tags(record, subtype)
            if subtype or "reactions" in record or "pinned_to" in record or "bot_id" in record
            else ""
            for record, subtype in zip(messages, subtypes, strict=True)
        ],
    }


def first_bad_time(columns: Mapping[str, list[str]]) -> tuple[int, str] | None:
    """``(row, what is wrong)`` for the first row of :func:`message_columns` output whose
    ``ts`` or ``edited.ts`` is not a Slack timestamp; None when all are good."""
    for name, fields in COLUMN_FIELDS.items():
        for row, value in enumerate(columns.get(name, ())):
            if not isinstance(value, str):
                return row, (
                    f"message {columns['ts'][row]} has {describe(value)} in {fields}, "
                    "where Slack writes a string"
                )
    for row, (ts, edited) in enumerate(zip(columns["ts"], columns["edited"], strict=True)):
        if not isinstance(ts, str) or not isinstance(edited, str):
            return row, f"a message has ts or edited.ts {ts!r}, expected a string"
        if not _SLACK_TS.fullmatch(ts):
            if not ts:
                return row, "a message has no ts; every Slack message needs one"
            return row, f"a message has ts {ts!r}, expected seconds.micros like '1355517523.000005'"
        if edited and not _SLACK_TS.fullmatch(edited):
            return row, f"message {ts} has edited.ts {edited!r}, expected seconds.micros"
    return None


def columns_frame(columns: Mapping[str, list[str]], *, channel_name: str) -> pd.DataFrame:
    """The second half of :func:`messages_frame`: column lists to a schema frame.

    Raises InputError quoting the first ``ts`` or ``edited.ts`` that is not a Slack timestamp
    (see :func:`first_bad_time` to find its row).
    """
    stamps, edited = columns["ts"], columns["edited"]
    count = len(stamps)
    edited_rows = [i for i, stamp in enumerate(edited) if stamp]  # few messages are edited
    try:
        posted = slack_ts_to_utc(stamps)
        edit_stamps = [edited[i] for i in edited_rows]
        edit_times = slack_ts_to_utc(edit_stamps)
        good = not posted.isna().any() and not edit_times.isna().any()
        good = good and all(isinstance(stamp, str) for stamp in edit_stamps)
    except (ValueError, TypeError, InputError):  # not digits, a dot and digits
        good = False
    if not good:
        bad = first_bad_time(columns)
        raise InputError(bad[1] if bad else "a message has a ts that is not a Slack timestamp")
    edited_at = pd.Series(pd.NaT, index=range(count), dtype=UTC_TIME)
    edited_at.iloc[edited_rows] = edit_times.array

    try:
        frame_columns: dict[str, Any] = {
            # Straight to Arrow: far cheaper than letting pandas infer from Python lists.
            name: pd.arrays.ArrowStringArray(pa.array(values, type=pa.large_string()))
            for name, values in columns.items()
            if name not in ("ts", "edited", "kind")
        }
    except (TypeError, pa.ArrowException) as e:  # a value that is not a string
        bad = first_bad_time(columns)
        raise InputError(bad[1] if bad else f"a message field is not text ({e})") from None
    frame_columns.update(
        ts=posted.array,
        edited_at=edited_at.array,
        kind=pd.Categorical(columns["kind"], dtype=KIND),
        source="slack",
        channel="#" + channel_name,
    )
    return frame_from_columns(frame_columns, length=count)


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


def _permalinks(
    stamps: Sequence[str],
    thread_stamps: Sequence[str],
    is_reply: Sequence[bool],
    channel_id: str,
    workspace_url: str,
) -> list[str]:
    if not workspace_url:
        return [""] * len(stamps)
    base = f"{workspace_url.rstrip('/')}/archives/{channel_id}/p"
    return [
        base + ts.replace(".", "") + (f"?thread_ts={parent}&cid={channel_id}" if reply else "")
        for ts, parent, reply in zip(stamps, thread_stamps, is_reply, strict=True)
    ]


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
