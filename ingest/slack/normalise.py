"""Slack message objects to schema frames, column by column.

One normaliser for both Slack readers: the workspace export's day files and the Web API's
``conversations.history`` / ``conversations.replies`` answers carry the same message shapes.
Text is kept as written; only Slack's markup is resolved (mentions, channel links, URLs, the
three HTML entities), and shared file names are appended.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from ingest.errors import InputError
from ingest.schema import KIND, frame_from_columns
from ingest.shapes import describe
from ingest.slack.arrays import SLACK_TS, TEXT_COLUMNS, columns_batch
from ingest.slack.columns import message_columns, message_edits
from ingest.slack.shape import COLUMN_FIELDS
from ingest.times import slack_ts_to_utc

__all__ = [
    "apply_edits",
    "batches_frame",
    "columns_frame",
    "message_columns",
    "message_edits",
    "user_names",
]


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
    columns = message_columns(messages, channel_id=channel_id, users=users)
    return columns_frame(
        columns, channel_id=channel_id, channel_name=channel_name, workspace_url=workspace_url
    )


def what_is_wrong(columns: Mapping[str, list[str]]) -> str:
    """What is wrong with the first message of :func:`message_columns` output that cannot
    become a row: a field that is not text, or a ``ts`` or ``edited.ts`` that is not a Slack
    timestamp."""
    for name, fields in COLUMN_FIELDS.items():
        for row, value in enumerate(columns.get(name, ())):
            if not isinstance(value, str):
                return (
                    f"message {columns['ts'][row]} has {describe(value)} in {fields}, "
                    "where Slack writes a string"
                )
    for ts, edited in zip(columns["ts"], columns["edited"], strict=True):
        if not isinstance(ts, str) or not isinstance(edited, str):
            return f"a message has ts or edited.ts {ts!r}, expected a string"
        if not SLACK_TS.fullmatch(ts):
            if not ts:
                return "a message has no ts; every Slack message needs one"
            return f"a message has ts {ts!r}, expected seconds.micros like '1355517523.000005'"
        if edited and not SLACK_TS.fullmatch(edited):
            return f"message {ts} has edited.ts {edited!r}, expected seconds.micros"
    return "a message has a ts that is not a Slack timestamp"


def columns_frame(
    columns: Mapping[str, list[str]], *, channel_id: str, channel_name: str, workspace_url: str = ""
) -> pd.DataFrame:
    """The second half of :func:`messages_frame`: column lists to a schema frame.

    Raises InputError saying what is wrong with the first message that cannot be a row
    (:func:`what_is_wrong`).
    """
    batch = columns_batch(columns, channel_id=channel_id, workspace_url=workspace_url)
    if batch is None:
        raise InputError(what_is_wrong(columns))
    return batches_frame([batch], channel_name=channel_name)


def batches_frame(batches: Sequence[pa.RecordBatch], *, channel_name: str) -> pd.DataFrame:
    """Record batches of :func:`ingest.slack.arrays.columns_batch` to one schema frame; the
    text stays in its Arrow buffers, in pieces (one per batch) until ``ingest.schema.concat`` joins
    the pages."""
    table = pa.Table.from_batches(batches, schema=batches[0].schema)
    reply = table["reply"].to_numpy()
    kinds = np.where(reply, KIND.categories.get_loc("chat.reply"), _MESSAGE_CODE)
    frame_columns: dict[str, Any] = {
        name: pd.arrays.ArrowStringArray(table[name]) for name in TEXT_COLUMNS
    }
    frame_columns.update(
        ts=table["ts"].to_pandas().array,
        edited_at=table["edited_at"].to_pandas().array,
        kind=pd.Categorical.from_codes(kinds, dtype=KIND),
        source="slack",
        channel="#" + channel_name,
    )
    return frame_from_columns(frame_columns, length=table.num_rows)


_MESSAGE_CODE = KIND.categories.get_loc("chat.message")
