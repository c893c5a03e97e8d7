"""The Slack workspace export (a ZIP, or the folder it unpacks to) as pages of chat events.

An export holds ``users.json``, ``channels.json`` (and ``groups.json`` for private channels)
and a folder per channel, named by channel name, of ``YYYY-MM-DD.json`` day files. Which zone
splits the days is not documented (recent exports use America/Los_Angeles), so for a window
the reader opens the day files from one day before its start to one day after its end, and
takes every time from the messages' ``ts``, never from a file name. Files outside that range
are never opened, so reading a window costs the same in a month's export as in a decade's.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator, Mapping, Sequence
from contextlib import closing
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa

from ingest.errors import InputError
from ingest.people import slack_identities
from ingest.shapes import STR, check_depth, check_records, parse_json
from ingest.slack.archive import Export, open_export
from ingest.slack.arrays import Reduced
from ingest.slack.columns import near_window
from ingest.slack.dayfile import parse_day
from ingest.slack.normalise import apply_edits, batches_frame, user_names, what_is_wrong
from ingest.slack.shape import first_misshapen
from ingest.slack.workers import reduced_days, worker_count
from ingest.times import slack_ts_second
from ingest.types import ReadContext, Window

# Day files are normalised together, per channel, up to this many messages to a page: real
# exports hold thousands of small day files, and building a frame has a fixed cost.
PAGE_MESSAGES = 100_000

# Channel names are folder names in the export: never a path of their own.
_CHANNEL_NAME = re.compile(r"(?!\.{1,2}$)[^/\\\x00]{1,80}")


def read_slack_export(path: Path, ctx: ReadContext) -> Iterator[pd.DataFrame]:
    """Yield schema frames of the export's messages, channel by channel, in day-file order.

    ``ctx.channels`` picks channels by name (with or without ``#``) or ID; empty reads every
    channel in channels.json and groups.json. With ``ctx.window`` only messages whose ``ts``
    lies in it are kept. Appends ``{"source": "slack", "name": "#NAME (export)", "records": N}``
    to ``ctx.artifacts`` for each channel read. Raises InputError naming the file for a
    missing or malformed export, and for a channel the export does not have.
    """
    with open_export(Path(path)) as export:
        export.max_bytes = ctx.max_bytes
        channels = _read_list(export, ("channels.json",), ctx)
        channels += _read_list(export, ("groups.json",), ctx)
        chosen = _select_channels(channels, ctx.channels, export.label("channels.json"))
        members = _read_list(export, _USERS_FILES, ctx)
        users = user_names(members)
        ctx.people.extend(slack_identities(members))
        del members
        for channel in chosen:
            records = 0
            for page in _channel_pages(export, channel, users, ctx):
                records += len(page)
                yield page
            name = f"#{channel['name']} (export)"
            ctx.artifacts.append({"source": "slack", "name": name, "records": records})


_USERS_FILES = ("users.json", "org_users.json")


def _channel_pages(
    export: Export, channel: Mapping[str, Any], users: Mapping[str, str], ctx: ReadContext
) -> Iterator[pd.DataFrame]:
    channel_id, name = channel["id"], channel["name"]
    files = export.day_files(name, ctx.window)
    for extra in export.other_files(name) if ctx.window is None else ():
        ctx.warn(f"{export.label(extra)}: skipped, not a YYYY-MM-DD.json day file")

    held: pd.DataFrame | None = None  # the previous page, kept back for edits made after it
    batch = _Batch(_bounds(ctx.window))
    # Closed at once on an error, so that the workers are stopped before the pull ends.
    with closing(
        reduced_days(
            export.read,
            files,
            workers=worker_count(sum(map(export.size, files))),
            channel_id=channel_id,
            users=users,
            workspace_url=ctx.workspace_url,
            bounds=batch.bounds,
        )
    ) as days:
        for index, (relpath, reduced) in enumerate(days):
            try:
                batch.add(relpath, reduced.result(), export)
            except InputError as e:
                if e.path is not None:  # reading the file failed, and said which
                    raise
                raise InputError(str(e), path=export.label(relpath), line=e.line) from None
            if batch.size < PAGE_MESSAGES and index < len(files) - 1:
                continue
            frame = batch.frame(name)
            leftover = apply_edits(frame, batch.edits, channel_id)
            if held is not None:
                leftover = apply_edits(held, leftover, channel_id)
                yield from _in_window(held, ctx.window)
            _warn_unapplied(leftover, channel_id, export.label(name), ctx)
            held, batch = frame, _Batch(batch.bounds)
    if held is not None:
        yield from _in_window(held, ctx.window)


class _Batch:
    """Record batches of consecutive day files of one channel, waiting to become one page."""

    def __init__(self, bounds: tuple[int, int] | None) -> None:
        self.bounds = bounds  # the day files were read for a window: see near_window
        self.batches: list[pa.RecordBatch] = []
        self.edits: dict[str, str] = {}
        self.size = 0

    def add(self, relpath: str, reduced: Reduced, export: Export) -> None:
        """Add a day file's batch and edits; InputError naming the file and the first wrong
        value when the worker could only give the column lists."""
        columns, edits = reduced
        if isinstance(columns, dict):
            # Reading the day file again (only on this failing path) names the exact field.
            day = parse_day(export.read(relpath))
            exact = first_misshapen(near_window(day, self.bounds) if self.bounds else day)
            raise InputError(exact or what_is_wrong(columns), path=export.label(relpath))
        self.batches.append(columns)
        self.size += columns.num_rows
        for stamp, at in edits.items():  # a later file's edit of the same message is later
            self.edits[stamp] = at

    def frame(self, channel_name: str) -> pd.DataFrame:
        return batches_frame(self.batches, channel_name=channel_name)


def _in_window(frame: pd.DataFrame, window: Window | None) -> Iterator[pd.DataFrame]:
    if window is not None:
        inside = window.contains(frame["ts"])
        if not inside.all():  # a page wholly inside (most of a long window) is not copied
            frame = frame[inside]
    if not len(frame):
        return
    if not frame["ts"].is_monotonic_increasing:
        frame = frame.sort_values("ts", kind="stable")
    yield frame.reset_index(drop=True)


def _warn_unapplied(
    edits: Mapping[str, str], channel_id: str, where: str, ctx: ReadContext
) -> None:
    for stamp in sorted(edits):
        seconds = slack_ts_second(stamp)
        if ctx.window is None or ctx.window.start <= seconds <= ctx.window.end:
            ctx.warn(
                f"{where}: an edit of message {channel_id}/{stamp} was not applied: "
                "the message is not in the day files read"
            )


def _bounds(window: Window | None) -> tuple[int, int] | None:
    """The whole seconds a message may lie in to be in the window (a second either side)."""
    if window is None:
        return None
    return math.floor(window.start.timestamp()) - 1, math.floor(window.end.timestamp()) + 1


def _read_list(export: Export, names: Sequence[str], ctx: ReadContext) -> list[dict[str, Any]]:
    for name in names:
        if export.has(name):
            where = export.label(name)
            data = export.read(name)
            check_depth(data, ctx.max_depth, where)
            records = _parse(data, where)
            shape, required, what = _LIST_SHAPES[names[0]]
            try:
                check_records(records, shape, what=what, required=required)
            except InputError as e:
                raise InputError(str(e), path=where) from None
            return records
    if names[0] == "users.json":
        raise InputError(
            "users.json is missing: it maps user IDs to names, and a full workspace export "
            "has it; export the workspace again (Settings, Import/Export Data) or add it",
            path=export.label(""),
        )
    return []


_NAME_FIELDS = {"display_name": STR, "real_name": STR, "name": STR}
# first file name looked for -> (shape of each record, required fields, what a record is)
_LIST_SHAPES: dict[str, tuple[dict[str, Any], tuple[str, ...], str]] = {
    "users.json": (
        {"id": STR, "name": STR, "real_name": STR, "profile": _NAME_FIELDS},
        ("id",),
        "user",
    ),
    "channels.json": ({"id": STR, "name": STR}, ("id", "name"), "channel"),
    "groups.json": ({"id": STR, "name": STR}, ("id", "name"), "channel"),
}


def _parse(data: bytes, where: str) -> Any:
    return parse_json(
        data,
        where,
        hint="the file is truncated or damaged; re-export the workspace or unpack it again",
    )


def _select_channels(
    channels: list[dict[str, Any]], wanted: Sequence[str], where: str
) -> list[dict[str, Any]]:
    usable = [c for c in channels if c.get("id") and c.get("name")]
    for channel in usable:
        if not _CHANNEL_NAME.fullmatch(channel["name"]):
            raise InputError(
                f"channel {channel['id']} has the name {channel['name'][:40]!r}, which is not a "
                "Slack channel name (at most 80 characters, no '/'); the channel "
                "folders are named by it, so the export cannot be read",
                path=where,
            )
    if not usable:
        raise InputError(
            "the export lists no channels (channels.json and groups.json are missing or empty); "
            "give the folder or ZIP of a Slack workspace export",
            path=where,
        )
    if not wanted:
        return usable
    by_key = {c["id"]: c for c in usable} | {c["name"]: c for c in usable}
    chosen: list[dict[str, Any]] = []
    for key in wanted:
        channel = by_key.get(key.removeprefix("#"))
        if channel is None:
            names = sorted("#" + c["name"] for c in usable)
            shown = ", ".join(names[:30]) + (
                f" and {len(names) - 30} more" if len(names) > 30 else ""
            )
            raise InputError(f"channel {key!r} is not in this export; it has {shown}", path=where)
        if channel not in chosen:
            chosen.append(channel)
    return chosen
