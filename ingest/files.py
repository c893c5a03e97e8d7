"""The file connectors by format name, and detecting a file's format from its contents."""

from __future__ import annotations

import zipfile
from collections.abc import Callable, Iterator
from importlib import import_module
from pathlib import Path

import msgspec
import pandas as pd

from ingest.errors import InputError
from ingest.records import read_bytes
from ingest.shapes import parse_json
from ingest.types import ReadContext

# format name -> (module, function, source slug). Imported on use, so a broken or slow
# connector costs nothing when it is not asked for.
FORMATS: dict[str, tuple[str, str, str]] = {
    "slack-export": ("ingest.slack.export", "read_slack_export", "slack"),
    "pagerduty": ("ingest.pagerduty.file", "read_pagerduty_file", "pagerduty"),
    "github": ("ingest.github.file", "read_github_file", "github"),
    "table": ("ingest.tabular", "read_table", "table"),
    "notes": ("ingest.notes.reader", "read_notes", "notes"),
}

Reader = Callable[[Path, ReadContext], Iterator[pd.DataFrame]]

_TABLE_SUFFIXES = {".csv", ".jsonl", ".ndjson"}
_NOTES_SUFFIXES = {".txt", ".md", ".text", ".log", ".notes"}
_PAGERDUTY_KEYS = {"incident", "log_entries", "alerts", "notes", "incidents"}
_GITHUB_KEYS = {"deployments", "commits", "pulls", "releases", "statuses"}


class FileSpec(msgspec.Struct, frozen=True):
    """One ``--from`` argument: a format and a path."""

    format: str
    path: Path

    @property
    def source(self) -> str:
        return FORMATS[self.format][2]

    def reader(self) -> Reader:
        module, function, _ = FORMATS[self.format]
        reader: Reader = getattr(import_module(module), function)
        return reader


def parse_spec(text: str) -> FileSpec:
    """``PATH`` or ``FORMAT:PATH``; the format is detected when not named."""
    prefix, sep, rest = text.partition(":")
    if sep and prefix in FORMATS:
        path = Path(rest)
        _require_exists(path)
        return FileSpec(prefix, path)
    path = Path(text)
    _require_exists(path)
    return FileSpec(detect_format(path), path)


def detect_format(path: Path) -> str:
    """Which connector reads this file; InputError naming the file when none does."""
    if path.is_dir():
        if (path / "channels.json").exists() or (path / "users.json").exists():
            return "slack-export"
        raise _unknown(path, "a folder that is not a Slack export (no channels.json)")
    suffix = path.suffix.lower()
    if suffix == ".zip":
        try:
            with zipfile.ZipFile(path) as archive:
                names = {Path(n).name for n in archive.namelist()}
        except zipfile.BadZipFile as e:
            raise InputError("not a valid ZIP file; re-download the export", path=path) from e
        if "channels.json" in names or "users.json" in names:
            return "slack-export"
        raise _unknown(path, "a ZIP that is not a Slack export (no channels.json)")
    if suffix in _TABLE_SUFFIXES:
        return "table"
    if suffix in _NOTES_SUFFIXES:
        return "notes"
    if suffix == ".json":
        return _detect_json(path)
    raise _unknown(path, f"an unknown file type {suffix or '(no suffix)'!r}")


def _detect_json(path: Path) -> str:
    data = parse_json(read_bytes(path), path)
    records = data if isinstance(data, list) else [data]
    keys: set[str] = set()
    for record in records[:20]:
        if isinstance(record, dict):
            keys |= set(record)
    if keys & _PAGERDUTY_KEYS:
        return "pagerduty"
    if keys & _GITHUB_KEYS or {"sha", "commit"} <= keys or "tag_name" in keys:
        return "github"
    if {"statuses_url", "environment"} <= keys or {"merged_at", "number"} <= keys:
        return "github"
    if "log_entry" in str(records[:1]):
        return "pagerduty"
    raise _unknown(path, "JSON that is neither a PagerDuty nor a GitHub API response")


def _unknown(path: Path, what: str) -> InputError:
    names = ", ".join(FORMATS)
    return InputError(
        f"{what}; name the format as --from FORMAT:{path} with FORMAT one of {names}", path=path
    )


def _require_exists(path: Path) -> None:
    if not path.exists():
        raise InputError("file not found; check the path given to --from", path=path)
