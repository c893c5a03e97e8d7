"""The bundle: one folder per incident, written atomically, read back for drafts and reviews."""

from __future__ import annotations

import json
import os
import re
import shutil
import tempfile
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from ingest.errors import BundleError
from ingest.schema import COLUMNS, STRING, UTC_TIME, validate

EVENTS_PARQUET = "events.parquet"
EVENTS_CSV = "events.csv"
SUMMARY_JSON = "summary.json"
TIMELINE_MD = "timeline.md"


@dataclass
class Bundle:
    """What a pull produces: the ordered events frame and the summary mapping."""

    frame: pd.DataFrame
    summary: dict[str, Any]

    @property
    def name(self) -> str:
        incident = self.summary.get("incident", {})
        return folder_name(incident.get("id") or "", incident.get("title") or "")


def folder_name(incident_id: str, title: str) -> str:
    """The bundle folder: the incident ID, else a slug of the title."""
    for candidate in (incident_id, title):
        slug = slugify(candidate)
        if slug:
            return slug
    return "incident"


def slugify(text: str) -> str:
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    text = re.sub(r"[^A-Za-z0-9._-]+", "-", text).strip("-.")
    return text[:80]


def write_bundle(
    bundle: Bundle, out_dir: Path, files: Mapping[str, str], *, name: str | None = None
) -> Path:
    """Write the bundle to ``out_dir/NAME`` atomically and return that path.

    ``files`` are extra rendered documents (``timeline.md`` at least). Everything is written
    into a temporary folder beside the target, which is renamed into place at the end: a
    crash leaves no half bundle, and an earlier bundle of the same incident is replaced whole.
    """
    validate(bundle.frame)
    target = out_dir / (name or bundle.name)
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".tmp", dir=out_dir))
    except OSError as e:
        raise BundleError(f"{out_dir}: cannot create the output folder ({e.strerror})") from e
    try:
        bundle.frame.to_parquet(staging / EVENTS_PARQUET, index=False)
        events_csv(bundle.frame).to_csv(staging / EVENTS_CSV, index=False)
        (staging / SUMMARY_JSON).write_text(
            json.dumps(bundle.summary, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
        )
        for filename, text in files.items():
            (staging / filename).write_text(text, encoding="utf-8")
        _fsync_dir(staging)
        _replace_dir(staging, target)
    except OSError as e:
        shutil.rmtree(staging, ignore_errors=True)
        raise BundleError(f"{target}: cannot write the bundle ({e.strerror})") from e
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return target


def write_text_atomic(target: Path, text: str) -> None:
    """Write a file through a temporary sibling and a rename: readers never see half of it."""
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(text)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, target)
    except OSError as e:
        raise BundleError(f"{target}: cannot write ({e.strerror})") from e


def read_bundle(path: Path) -> Bundle:
    """Read a bundle folder back; BundleError naming the folder and the missing file."""
    for required in (EVENTS_PARQUET, SUMMARY_JSON):
        if not (path / required).exists():
            raise BundleError(
                f"{path}: not a bundle (no {required}); give a folder written by 'postmortem pull'"
            )
    try:
        summary = json.loads((path / SUMMARY_JSON).read_text(encoding="utf-8"))
        frame = pd.read_parquet(path / EVENTS_PARQUET)
    except (json.JSONDecodeError, OSError, ValueError) as e:
        raise BundleError(f"{path}: the bundle is damaged ({e}); pull it again") from e
    frame = frame.reindex(columns=list(COLUMNS))
    # A bundle written before a column existed reads it as empty.
    text = [name for name, dtype in COLUMNS.items() if dtype is STRING]
    frame[text] = frame[text].fillna("")
    frame["key"] = frame["key"].fillna(False)
    frame = frame.astype(COLUMNS)
    return Bundle(frame=frame, summary=summary)


def events_csv(frame: pd.DataFrame) -> pd.DataFrame:
    """The frame as written to CSV: times as ISO 8601 with Z, microseconds kept."""
    out = frame.copy()
    for column, dtype in COLUMNS.items():
        if dtype is UTC_TIME:
            out[column] = out[column].dt.strftime("%Y-%m-%dT%H:%M:%S.%fZ").fillna("")
    return out


def _replace_dir(staging: Path, target: Path) -> None:
    if not target.exists():
        os.rename(staging, target)
        return
    old = target.with_name(f".{target.name}.old")
    shutil.rmtree(old, ignore_errors=True)
    os.rename(target, old)
    os.rename(staging, target)
    shutil.rmtree(old, ignore_errors=True)


def _fsync_dir(folder: Path) -> None:
    for child in folder.iterdir():
        with open(child, "rb") as handle:
            os.fsync(handle.fileno())
