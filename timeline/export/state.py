"""What an export folder records as done: the state file, and the journal a run appends to.

A backfill of N incidents must not rewrite the state file and the archive table after each
incident (that is N rewrites of files that grow with N). Instead each finished incident is one
line appended to the journal (``OUT/.export-journal.jsonl``, flushed to disk), and the run folds
the journal into the state file and the archive table once, at its end. A run killed midway
leaves its journal; reading the state replays it, and the next run folds it in before starting.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from ingest.errors import PostmortemError
from timeline.bundle import write_atomically
from timeline.export.archive import read_incidents, rows_frame, upsert_incidents

STATE_FILE = ".export-state.json"
JOURNAL_FILE = ".export-journal.jsonl"
STATE_VERSION = 1


def read_state(out_dir: Path) -> dict[str, Any]:
    """The state, with what a killed run journaled replayed on it:
    ``{"version", "exported": {ID: {...}}, "failed": {ID: {...}}}``."""
    state = _read_state_file(Path(out_dir))
    for entry in _journal_entries(Path(out_dir)):
        _apply(state, entry)
    return state


def write_state(out_dir: Path, state: Mapping[str, Any]) -> None:
    """Replace the state file atomically."""
    text = json.dumps(state, indent=2, sort_keys=True) + "\n"
    write_atomically(Path(out_dir) / STATE_FILE, text)


def compact(out_dir: Path, archive_dir: Path) -> bool:
    """Fold the journal into the archive table and the state file (one write each), then remove
    it. Safe to repeat after a crash at any point: both folds replace by incident ID. Returns
    whether there was anything to fold. Call it only while holding the export lock."""
    out_dir = Path(out_dir)
    entries = list(_journal_entries(out_dir))
    if not entries:
        (out_dir / JOURNAL_FILE).unlink(missing_ok=True)
        return False
    state = _read_state_file(out_dir)
    rows: dict[str, dict[str, Any]] = {}
    for entry in entries:
        _apply(state, entry)
        if entry.get("row"):
            rows[entry["id"]] = entry["row"]
    upsert_incidents(archive_dir, list(rows.values()))
    write_state(out_dir, state)
    (out_dir / JOURNAL_FILE).unlink(missing_ok=True)
    return True


class RunRecord:
    """The state and archive rows of one run, kept in memory and journaled line by line.

    Use it from one thread (the run's main thread records each finished incident).
    """

    def __init__(self, out_dir: Path, archive_dir: Path) -> None:
        self.out_dir = Path(out_dir)
        self.state = read_state(self.out_dir)
        self.table = read_incidents(archive_dir)
        self.rows: list[dict[str, Any]] = []

    def exported(self, incident_id: str, entry: dict[str, Any], row: dict[str, Any]) -> None:
        self.rows.append(row)
        self._append({"id": incident_id, "exported": entry, "row": _jsonable(row)})

    def failed(self, incident_id: str, entry: dict[str, Any]) -> None:
        self._append({"id": incident_id, "failed": entry})

    def incidents(self) -> pd.DataFrame:
        """The archive table as it will be once this run's rows are folded in."""
        rows = list(self.rows)  # export threads ask while the main thread appends
        if not rows:
            return self.table
        new = rows_frame(rows)
        kept = self.table[~self.table["id"].isin(new["id"])]
        return pd.concat([kept, new], ignore_index=True) if len(kept) else new

    def _append(self, entry: dict[str, Any]) -> None:
        _apply(self.state, entry)
        line = json.dumps(entry, sort_keys=True) + "\n"
        path = self.out_dir / JOURNAL_FILE
        try:
            with open(path, "a", encoding="utf-8") as journal:
                journal.write(line)
                journal.flush()
                os.fsync(journal.fileno())
        except OSError as e:
            raise PostmortemError(f"{path}: cannot append ({e.strerror})") from e


def _apply(state: dict[str, Any], entry: Mapping[str, Any]) -> None:
    incident_id = entry["id"]
    if "exported" in entry:
        state["failed"].pop(incident_id, None)
        state["exported"][incident_id] = entry["exported"]
    elif "failed" in entry:
        state["failed"][incident_id] = entry["failed"]


def _read_state_file(out_dir: Path) -> dict[str, Any]:
    path = out_dir / STATE_FILE
    empty: dict[str, Any] = {"version": STATE_VERSION, "exported": {}, "failed": {}}
    if not path.exists():
        return empty
    try:
        state = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as e:
        raise PostmortemError(
            f"{path}: the export state cannot be read ({e}); "
            "move it away to export everything again"
        ) from e
    if not isinstance(state, dict) or state.get("version") != STATE_VERSION:
        raise PostmortemError(f"{path}: not an export state file of version {STATE_VERSION}")
    return {**empty, **state}


def _journal_entries(out_dir: Path) -> Iterator[dict[str, Any]]:
    """The journal's entries in order. A line cut short by a kill is the last one and is not
    a finished incident: it is skipped, and that incident is exported again."""
    path = out_dir / JOURNAL_FILE
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return
    except OSError as e:
        raise PostmortemError(f"{path}: cannot read ({e.strerror})") from e
    for line in text.splitlines():
        try:
            entry = json.loads(line)
        except json.JSONDecodeError:
            continue
        if isinstance(entry, dict) and isinstance(entry.get("id"), str):
            yield entry


def _jsonable(row: Mapping[str, Any]) -> dict[str, Any]:
    """An archive row for the journal: times as ISO 8601 (rows_frame reads them back)."""
    out: dict[str, Any] = {}
    for name, value in row.items():
        if isinstance(value, pd.Timestamp):
            value = value.tz_convert("UTC").isoformat() if value.tzinfo else value.isoformat()
        elif value is not None and not isinstance(value, (str, int, float, bool)):
            value = str(value)
        out[name] = value
    return out
