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
import os
import re
import zipfile
import zlib
from abc import ABC, abstractmethod
from collections.abc import Iterator, Mapping, Sequence
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pandas as pd

from ingest.errors import InputError
from ingest.people import slack_identities
from ingest.shapes import STR, check_depth, check_records, check_size, parse_json
from ingest.slack.columns import near_window, parse_day
from ingest.slack.normalise import apply_edits, columns_frame, first_bad_time, user_names
from ingest.slack.shape import first_misshapen
from ingest.slack.workers import reduced_days, worker_count
from ingest.times import slack_ts_second
from ingest.types import DEFAULT_MAX_BYTES, ReadContext, Window

# Day files are normalised together, per channel, up to this many messages to a page: real
# exports hold thousands of small day files, and building a frame has a fixed cost.
PAGE_MESSAGES = 20_000

_DAY_FILE = re.compile(r"\d{4}-\d{2}-\d{2}\.json")
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
    with _open_export(Path(path)) as export:
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
    export: _Export, channel: Mapping[str, Any], users: Mapping[str, str], ctx: ReadContext
) -> Iterator[pd.DataFrame]:
    channel_id, name = channel["id"], channel["name"]
    files = export.day_files(name, ctx.window)
    for extra in export.other_files(name) if ctx.window is None else ():
        ctx.warn(f"{export.label(extra)}: skipped, not a YYYY-MM-DD.json day file")

    held: pd.DataFrame | None = None  # the previous page, kept back for edits made after it
    batch = _Batch(_bounds(ctx.window))
    days = reduced_days(
        export.read,
        files,
        workers=worker_count(sum(map(export.size, files))),
        channel_id=channel_id,
        users=users,
        workspace_url=ctx.workspace_url,
        bounds=batch.bounds,
    )
    for index, (relpath, reduced) in enumerate(days):
        try:
            columns, edits = reduced.result()
        except InputError as e:
            raise InputError(str(e), path=export.label(relpath), line=e.line) from None
        batch.add(relpath, columns, edits)
        if batch.size < PAGE_MESSAGES and index < len(files) - 1:
            continue
        frame = batch.frame(name, export)
        leftover = apply_edits(frame, batch.edits, channel_id)
        if held is not None:
            leftover = apply_edits(held, leftover, channel_id)
            yield from _in_window(held, ctx.window)
        _warn_unapplied(leftover, channel_id, export.label(name), ctx)
        held, batch = frame, _Batch(batch.bounds)
    if held is not None:
        yield from _in_window(held, ctx.window)


class _Batch:
    """Column lists of consecutive day files of one channel, waiting to become one page."""

    def __init__(self, bounds: tuple[int, int] | None) -> None:
        self.bounds = bounds  # the day files were read for a window: see near_window
        self.columns: dict[str, list[str]] = {}
        self.files: list[tuple[str, int]] = []  # (day file, rows before it)
        self.edits: dict[str, str] = {}
        self.size = 0

    def add(self, relpath: str, columns: dict[str, list[str]], edits: dict[str, str]) -> None:
        self.files.append((relpath, self.size))
        for key, values in columns.items():
            self.columns.setdefault(key, []).extend(values)
        self.size += len(columns["ts"])
        for stamp, at in edits.items():  # a later file's edit of the same message is later
            self.edits[stamp] = at

    def frame(self, channel_name: str, export: _Export) -> pd.DataFrame:
        try:
            return columns_frame(self.columns, channel_name=channel_name)
        except InputError as e:
            bad = first_bad_time(self.columns)
            if bad is None:
                raise
            relpath = max((f for f in self.files if f[1] <= bad[0]), key=lambda f: f[1])[0]
            # Reading the day file again (only on this failing path) names the exact field.
            day = parse_day(export.read(relpath))
            exact = first_misshapen(near_window(day, self.bounds) if self.bounds else day)
            raise InputError(exact or bad[1], path=export.label(relpath)) from e


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


def _read_list(export: _Export, names: Sequence[str], ctx: ReadContext) -> list[dict[str, Any]]:
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


def _day_range(window: Window) -> list[str]:
    first: date = (window.start - timedelta(days=1)).date()
    last: date = (window.end + timedelta(days=1)).date()
    return [f"{first + timedelta(days=n)}.json" for n in range((last - first).days + 1)]


class _Export(ABC):
    """Read access to an export, the same for a folder and a ZIP (paths use ``/``)."""

    max_bytes: int = DEFAULT_MAX_BYTES

    @abstractmethod
    def label(self, relpath: str) -> str: ...

    @abstractmethod
    def has(self, relpath: str) -> bool: ...

    @abstractmethod
    def read(self, relpath: str) -> bytes: ...

    @abstractmethod
    def size(self, relpath: str) -> int: ...

    @abstractmethod
    def listing(self, folder: str) -> list[str]: ...

    def day_files(self, folder: str, window: Window | None) -> list[str]:
        """The channel folder's day files in date order; for a window only those in its
        range, found by name without listing or opening the others."""
        if window is None:
            names = sorted(n for n in self.listing(folder) if _DAY_FILE.fullmatch(n))
        else:
            names = [n for n in _day_range(window) if self.has(f"{folder}/{n}")]
        return [f"{folder}/{n}" for n in names]

    def other_files(self, folder: str) -> list[str]:
        return sorted(f"{folder}/{n}" for n in self.listing(folder) if not _DAY_FILE.fullmatch(n))

    def __enter__(self) -> _Export:
        return self

    def __exit__(self, *exc: object) -> None:
        return None


class _FolderExport(_Export):
    def __init__(self, root: Path) -> None:
        self.root = root

    def label(self, relpath: str) -> str:
        return str(self.root / relpath) if relpath else str(self.root)

    def has(self, relpath: str) -> bool:
        try:
            return (self.root / relpath).is_file()
        except OSError:  # a name the file system cannot hold is not in the export
            return False

    def size(self, relpath: str) -> int:
        try:
            return (self.root / relpath).stat().st_size
        except OSError:  # read() names the problem
            return 0

    def read(self, relpath: str) -> bytes:
        try:
            check_size((self.root / relpath).stat().st_size, self.max_bytes, self.label(relpath))
            return (self.root / relpath).read_bytes()
        except OSError as e:
            raise InputError(f"cannot read ({e.strerror})", path=self.label(relpath)) from e

    def listing(self, folder: str) -> list[str]:
        try:
            return [entry.name for entry in os.scandir(self.root / folder) if entry.is_file()]
        except OSError:  # no such folder, or a name the file system cannot hold
            return []


class _ZipExport(_Export):
    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            self.archive = zipfile.ZipFile(path)
        except (zipfile.BadZipFile, OSError) as e:
            raise InputError("not a readable ZIP file; download the export again", path=path) from e
        names = self.archive.namelist()
        # Some exports are zipped with a top folder: find the root by its channels.json.
        roots = sorted(
            (n[: -len("channels.json")] for n in names if n.rsplit("/", 1)[-1] == "channels.json"),
            key=len,
        )
        self.prefix = roots[0] if roots else ""
        self.members = {n[len(self.prefix) :] for n in names if n.startswith(self.prefix)}
        self.folders: dict[str, list[str]] | None = None

    def label(self, relpath: str) -> str:
        return f"{self.path}!{relpath}" if relpath else str(self.path)

    def has(self, relpath: str) -> bool:
        return relpath in self.members

    def size(self, relpath: str) -> int:
        return self.archive.getinfo(self.prefix + relpath).file_size

    def read(self, relpath: str) -> bytes:
        try:
            size = self.archive.getinfo(self.prefix + relpath).file_size
            check_size(size, self.max_bytes, self.label(relpath))
            return self.archive.read(self.prefix + relpath)
        except (zipfile.BadZipFile, zlib.error, OSError, EOFError, ValueError) as e:
            raise InputError(
                f"cannot read from the ZIP ({e}); download the export again",
                path=self.label(relpath),
            ) from e

    def listing(self, folder: str) -> list[str]:
        if self.folders is None:
            self.folders = {}
            for member in self.members:
                parent, _, name = member.rpartition("/")
                if name:
                    self.folders.setdefault(parent, []).append(name)
        return self.folders.get(folder, [])

    def __exit__(self, *exc: object) -> None:
        self.archive.close()


def _open_export(path: Path) -> _Export:
    if path.is_dir():
        return _FolderExport(path)
    if path.is_file():
        return _ZipExport(path)
    raise InputError("no such file or folder; give a Slack export ZIP or its folder", path=path)
