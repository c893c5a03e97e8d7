"""The incident archive: one row per exported incident, and the events of every incident.

Layout of an archive folder (``OUT/archive`` for ``postmortem export --out OUT``)::

    incidents.parquet                      one row per incident (INCIDENT_COLUMNS)
    events/incident=ID/events.parquet      the bundle's events frame, partitioned by incident

Both are written atomically (``timeline.bundle.write_atomically``: a hidden temporary file
beside the target, renamed into place), so a reader (pandas, DuckDB) never sees half a file,
and a crash leaves at worst a hidden ``*.tmp`` file that readers ignore and
:func:`clean_staging` removes.
"""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pandas as pd

from ingest.errors import BundleError
from ingest.schema import STRING, UTC_TIME
from ingest.times import iso_to_utc, to_iso
from ingest.vocab import GAPS, MILESTONES
from timeline.bundle import write_atomically
from timeline.summary import Summary

INCIDENTS_FILE = "incidents.parquet"
EVENTS_DIR = "events"
EVENTS_FILE = "events.parquet"
LIVE_SOURCES = ("pagerduty", "github", "slack")
EARLIER_DAYS = 90

INCIDENT_COLUMNS: dict[str, Any] = {
    "id": STRING,
    "title": STRING,
    "service": STRING,
    "severity": STRING,
    "url": STRING,
    "created_at": UTC_TIME,  # opened in PagerDuty
    **{f"{name}_at": UTC_TIME for name in MILESTONES},  # resolved_at among them
    **{name: "float64" for name in GAPS},
    **{f"status_{name}": STRING for name in LIVE_SOURCES},
    "events": "int64",
    "bundle": STRING,  # the bundle folder, relative to the archive folder's parent
    "exported_at": UTC_TIME,
}

# Rewrites of incidents.parquet in one process take turns; across processes the export lock
# (timeline.export.run) keeps a second writer out.
_incidents_lock = threading.Lock()


def incident_row(
    summary: Summary,
    *,
    bundle: str,
    exported_at: pd.Timestamp,
    created_at: pd.Timestamp | None = None,
    resolved_at: pd.Timestamp | None = None,
) -> dict[str, Any]:
    """The archive row of one bundle, from its summary.

    ``created_at`` (the incident's opening) comes from PagerDuty when known, else the detected
    milestone stands in; ``resolved_at`` (PagerDuty's resolve) fills the resolved milestone's
    column only when the bundle left that milestone unknown.
    """
    incident = summary.incident
    gaps = summary.gaps or {}
    statuses = {s.name: s.status for s in summary.sources}
    at = {name: summary.milestone(name).at for name in MILESTONES}
    row: dict[str, Any] = {
        "id": incident.id,
        "title": incident.title,
        "service": incident.service,
        "severity": incident.severity,
        "url": incident.url,
        "created_at": created_at if created_at is not None else at["detected"],
        **{f"{name}_at": at[name] for name in MILESTONES},
        **{name: gaps.get(name) for name in GAPS},
        **{f"status_{name}": str(statuses.get(name) or "") for name in LIVE_SOURCES},
        "events": summary.counts.events,
        "bundle": bundle,
        "exported_at": exported_at,
    }
    if row["resolved_at"] is None and resolved_at is not None:
        row["resolved_at"] = resolved_at
    if not row["id"]:
        raise BundleError("an archived bundle needs an incident ID (summary.json incident.id)")
    return row


def rows_frame(rows: list[Mapping[str, Any]]) -> pd.DataFrame:
    """Archive rows as a frame with the archive's columns and dtypes."""
    frame = pd.DataFrame(list(rows), columns=list(INCIDENT_COLUMNS))
    for name, dtype in INCIDENT_COLUMNS.items():
        if dtype is UTC_TIME:
            frame[name] = iso_to_utc(frame[name], what=f"archive {name}")
        elif dtype is STRING:
            frame[name] = frame[name].astype(object).fillna("")
    return frame.astype(INCIDENT_COLUMNS)


def read_incidents(archive_dir: Path) -> pd.DataFrame:
    """The archive's incidents table; an empty table when the archive has none yet."""
    path = Path(archive_dir) / INCIDENTS_FILE
    if not path.exists():
        return rows_frame([])
    try:
        frame = pd.read_parquet(path)
    except (OSError, ValueError) as e:
        raise BundleError(
            f"{path}: the archive table cannot be read ({e}); export again with --force"
        ) from e
    return frame.reindex(columns=list(INCIDENT_COLUMNS)).astype(INCIDENT_COLUMNS)


def upsert_incidents(archive_dir: Path, rows: list[Mapping[str, Any]]) -> None:
    """Add or replace (by ``id``) rows of incidents.parquet, atomically."""
    if not rows:
        return
    new = rows_frame(rows)
    with _incidents_lock:
        old = read_incidents(archive_dir)
        kept = old[~old["id"].isin(new["id"])]
        frame = pd.concat([kept, new], ignore_index=True) if len(kept) else new
        frame = frame.sort_values(["created_at", "id"], kind="mergesort").reset_index(drop=True)
        write_atomically(
            Path(archive_dir) / INCIDENTS_FILE, lambda tmp: frame.to_parquet(tmp, index=False)
        )


def write_events(archive_dir: Path, incident_id: str, frame: pd.DataFrame) -> Path:
    """Store one incident's events as ``events/incident=ID/events.parquet``, atomically."""
    folder = Path(archive_dir) / EVENTS_DIR / f"incident={incident_id}"
    path = folder / EVENTS_FILE
    write_atomically(path, lambda tmp: frame.to_parquet(tmp, index=False))
    return path


def earlier_incidents(
    archive_dir: Path,
    service: str,
    before: pd.Timestamp,
    *,
    days: int = EARLIER_DAYS,
    relative_to: Path | None = None,
    table: pd.DataFrame | None = None,
) -> list[dict[str, Any]]:
    """Archived incidents on ``service`` opened in the ``days`` before ``before``, oldest first.

    Each is ``{id, title, severity, date, url, bundle, link, time_to_mitigate}``: ``date`` is
    ISO 8601 with Z; ``bundle`` the bundle folder as archived (relative to the archive folder's
    parent); ``link`` its ``timeline.md``, percent-encoded for a Markdown link, relative to
    ``relative_to`` when given (e.g. the new bundle's folder), else absolute;
    ``time_to_mitigate`` seconds or None. Empty when the archive has none or the service is
    unknown. ``table`` stands for the archive's incidents table when the caller holds a newer
    one than the file (an export run, before it folds its journal in).
    """
    if not service or before is None:
        return []
    if table is None:
        table = read_incidents(archive_dir)
    before = pd.Timestamp(before).tz_convert("UTC")
    opened = table["created_at"]
    chosen = table[
        (table["service"] == service)
        & (opened < before)
        & (opened >= before - pd.Timedelta(days=days))
    ].sort_values("created_at", kind="mergesort")
    base = Path(archive_dir).resolve().parent
    found = []
    for row in chosen.to_dict("records"):
        bundle = base / row["bundle"]
        timeline_md = bundle / "timeline.md"
        link = os.path.relpath(timeline_md, relative_to) if relative_to else str(timeline_md)
        mitigate = row["time_to_mitigate"]
        found.append(
            {
                "id": row["id"],
                "title": row["title"],
                "severity": row["severity"],
                "date": to_iso(row["created_at"]),
                "url": row["url"],
                "bundle": row["bundle"],
                "link": quote(Path(link).as_posix(), safe="/._-~"),
                "time_to_mitigate": None if pd.isna(mitigate) else float(mitigate),
            }
        )
    return found


def clean_staging(folder: Path) -> int:
    """Remove what a killed run left in ``folder`` (an export folder or an archive): hidden
    ``*.tmp`` files and folders and ``.*.old`` bundle folders at its top and in its
    ``events/incident=ID/`` partitions. Returns how many were removed.

    Call it only while holding the export lock: a running writer's temporaries look the same.
    """
    folder = Path(folder)
    if not folder.is_dir():
        return 0
    candidates = [*folder.glob(".*"), *folder.glob(f"{EVENTS_DIR}/*/.*")]
    stale = [e for e in candidates if e.name.endswith((".tmp", ".old"))]
    for entry in stale:
        if entry.is_dir():
            shutil.rmtree(entry, ignore_errors=True)
        else:
            entry.unlink(missing_ok=True)
    return len(stale)
