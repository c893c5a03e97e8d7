"""PagerDuty: incidents, log entries, alerts and notes (REST API v2 shapes) into event frames.

The normalisers are pure functions over the dicts the API returns, shared by the file reader
(``ingest.pagerduty.file``) and the live reader (``ingest.pagerduty.live``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

from ingest.errors import InputError
from ingest.records import get, sha256_each
from ingest.schema import empty_frame, frame_from_columns
from ingest.shapes import INT, STR, check_records
from ingest.times import iso_to_utc
from ingest.types import Incident

SOURCE = "pagerduty"

# Log entry type (without the "_log_entry" suffix) -> kind. Anything else is "alert.other".
KIND_BY_LOG_ENTRY_TYPE: dict[str, str] = {
    "trigger": "alert.triggered",
    "acknowledge": "alert.acknowledged",
    "acknowledgement": "alert.acknowledged",
    "unacknowledge": "alert.unacknowledged",
    "escalate": "alert.escalated",
    "exhaust_escalation_path": "alert.escalated",
    "repeat_escalation_path": "alert.escalated",
    "assign": "alert.assigned",
    "delegate": "alert.assigned",
    "reassign": "alert.assigned",
    "notify": "alert.notified",
    "annotate": "alert.annotated",
    "resolve": "alert.resolved",
    "priority_change": "alert.priority_changed",
    "responder_request": "alert.responder_requested",
    "status_update": "alert.status_update",
}

PAYLOAD_KEYS = ("incident", "log_entries", "alerts", "notes")

# The fields each record is read for, with their types in the REST API v2 schema.
_NAMED = {"summary": STR}
INCIDENT_SHAPE = {
    "id": STR,
    "title": STR,
    "summary": STR,
    "html_url": STR,
    "status": STR,
    "urgency": STR,
    "incident_number": INT,
    "created_at": STR,
    "resolved_at": STR,
    "priority": {"summary": STR, "name": STR},
    "service": _NAMED,
}
LOG_ENTRY_SHAPE = {
    "id": STR,
    "type": STR,
    "summary": STR,
    "html_url": STR,
    "created_at": STR,
    "agent": _NAMED,
    "channel": _NAMED,
    "note": STR,
    "service": _NAMED,
}
ALERT_SHAPE = {
    "id": STR,
    "severity": STR,
    "summary": STR,
    "html_url": STR,
    "created_at": STR,
    "integration": _NAMED,
    "service": _NAMED,
}
NOTE_SHAPE = {"id": STR, "content": STR, "created_at": STR, "updated_at": STR, "user": _NAMED}
# An annotate log entry and the note it records are written within moments of each other.
NOTE_MATCH = pd.Timedelta(seconds=2)


def incident_info(incident: dict, severity_map: Mapping[str, str] | None = None) -> Incident:
    """What an incident object says about the incident, times as UTC Timestamps or None.

    Severity is the priority (mapped through ``severity_map`` when it names it), else
    ``urgency:high|low``, else empty.
    """
    check_records([incident], INCIDENT_SHAPE, what="incident", required=("id",))
    what = f"incident {incident.get('id', '?')}"
    created, resolved = iso_to_utc(
        [incident.get("created_at"), incident.get("resolved_at")], what=f"{what} time"
    )
    return _info(incident, severity_map or {}, created, resolved)


def incidents_info(
    incidents: list[dict], severity_map: Mapping[str, str] | None = None
) -> list[Incident]:
    """:func:`incident_info` of each incident of a list, the times of all parsed at once (an
    incident list runs to thousands)."""
    if not incidents:
        return []
    check_records(incidents, INCIDENT_SHAPE, what="incident", required=("id",))
    times = [i.get(key) for i in incidents for key in ("created_at", "resolved_at")]
    stamps = iso_to_utc(times, what="incident list time")
    return [
        _info(incident, severity_map or {}, stamps.iloc[2 * n], stamps.iloc[2 * n + 1])
        for n, incident in enumerate(incidents)
    ]


def _info(incident: dict, severity_map: Mapping[str, str], created: Any, resolved: Any) -> Incident:
    priority = incident.get("priority") or {}
    priority_name = str(priority.get("summary") or priority.get("name") or "")
    if priority_name:
        severity = severity_map.get(priority_name, priority_name)
    elif incident.get("urgency"):
        severity = f"urgency:{incident['urgency']}"
    else:
        severity = ""
    return Incident(
        id=str(incident.get("id") or ""),
        title=str(incident.get("title") or incident.get("summary") or ""),
        severity=severity,
        url=str(incident.get("html_url") or ""),
        service=get(incident, "service", "summary"),
        created_at=None if pd.isna(created) else created,
        resolved_at=None if pd.isna(resolved) else resolved,
        status=str(incident.get("status") or ""),
        number=incident.get("incident_number"),
    )


def log_entries_frame(entries: list[dict], *, incident_id: str, service: str = "") -> pd.DataFrame:
    """One row per log entry; unknown types are kept as ``alert.other``, never dropped.

    ``service`` fills ``channel`` for entries that do not name their own service.
    """
    if not entries:
        return empty_frame()
    what = f"incident {incident_id} log entry"
    check_records(entries, LOG_ENTRY_SHAPE, what="log entry", required=("id", "created_at"))
    ids = _required(entries, "id", what)
    raw_type = pd.Series([str(e.get("type") or "") for e in entries], dtype=object)
    base_type = raw_type.str.removesuffix("_reference").str.removesuffix("_log_entry")
    kind = base_type.map(KIND_BY_LOG_ENTRY_TYPE).fillna("alert.other")

    summary = pd.Series([str(e.get("summary") or "") for e in entries], dtype=object)
    note = pd.Series(
        [get(e, "channel", "summary") or str(e.get("note") or "") for e in entries], dtype=object
    )
    add_note = (kind == "alert.annotated") & (note != "") & (note != summary)
    summary = summary.where(~add_note, summary + ": " + note)
    unknown = kind == "alert.other"
    named_type = raw_type.where(raw_type != "", "unknown type")
    summary = summary.where(~unknown, "[" + named_type + "] " + summary).str.strip()

    channel = pd.Series([get(e, "service", "summary") for e in entries], dtype=object)
    return frame_from_columns(
        {
            "ts": _times(entries, "created_at", ids, what),
            "source": SOURCE,
            "kind": kind,
            "actor": [get(e, "agent", "summary") for e in entries],
            "summary": summary,
            "ref": ids,
            "url": [str(e.get("html_url") or "") for e in entries],
            "channel": channel.where(channel != "", service),
            "raw_sha256": sha256_each(entries),
            "subtype": raw_type,
        }
    )


def alerts_frame(alerts: list[dict]) -> pd.DataFrame:
    """One ``alert.triggered`` row per alert, at its ``created_at``.

    Alerts carry no ``resolved_at``, so no resolve row is made up for resolved alerts.
    """
    if not alerts:
        return empty_frame()
    check_records(alerts, ALERT_SHAPE, what="alert", required=("id", "created_at"))
    ids = _required(alerts, "id", "alert")
    severity = pd.Series([str(a.get("severity") or "") for a in alerts], dtype=object)
    summary = pd.Series([str(a.get("summary") or "") for a in alerts], dtype=object)
    summary = ("Alert (" + severity + "): " + summary).where(severity != "", "Alert: " + summary)
    return frame_from_columns(
        {
            "ts": _times(alerts, "created_at", ids, "alert"),
            "source": SOURCE,
            "kind": "alert.triggered",
            "actor": [
                get(a, "integration", "summary") or get(a, "service", "summary") for a in alerts
            ],
            "summary": summary,
            "ref": ids,
            "url": [str(a.get("html_url") or "") for a in alerts],
            "channel": [get(a, "service", "summary") for a in alerts],
            "raw_sha256": sha256_each(alerts),
            "subtype": "alert",
        }
    )


def notes_frame(notes: list[dict], *, incident_id: str, service: str = "") -> pd.DataFrame:
    """One ``alert.annotated`` row per incident note; a later ``updated_at`` is its edit time."""
    if not notes:
        return empty_frame()
    what = f"incident {incident_id} note"
    check_records(notes, NOTE_SHAPE, what="note", required=("id", "created_at"))
    ids = _required(notes, "id", what)
    created = _times(notes, "created_at", ids, what)
    updated = iso_to_utc([n.get("updated_at") for n in notes], what=f"{what} updated_at")
    return frame_from_columns(
        {
            "ts": created,
            "source": SOURCE,
            "kind": "alert.annotated",
            "actor": [get(n, "user", "summary") for n in notes],
            "summary": [str(n.get("content") or "") for n in notes],
            "ref": ids,
            "channel": service,
            "edited_at": updated.where(updated > created),
            "raw_sha256": sha256_each(notes),
            "subtype": "note",
        }
    )


def merge_notes(frame: pd.DataFrame) -> pd.DataFrame:
    """One row per note: an annotate log entry that a note stands for is dropped, and the note
    row takes the entry's link. A note is the better row of the two: its text is the note
    itself and it carries its edit time. Entries no note stands for stay as they are.

    ``frame`` holds rows of :func:`log_entries_frame` and :func:`notes_frame` (and may hold
    others); both readers call this once they have the log entries and the notes.
    """
    is_note = frame["subtype"] == "note"
    is_entry = (frame["kind"] == "alert.annotated") & ~is_note
    if not is_note.any() or not is_entry.any():
        return frame
    entries = frame.loc[is_entry, ["ts", "url"]].rename(columns={"url": "entry_url"})
    entries = entries.assign(entry_ts=entries["ts"], entry_index=entries.index)
    notes = frame.loc[is_note, ["ts"]].assign(note_index=frame.index[is_note])
    notes = notes.assign(note_ts=notes["ts"])
    # Each entry goes with its nearest note; each note takes the link of its nearest entry.
    by_entry = pd.merge_asof(
        entries.sort_values("ts"),
        notes.sort_values("ts"),
        on="ts",
        direction="nearest",
        tolerance=NOTE_MATCH,
    )
    by_note = pd.merge_asof(
        notes.sort_values("ts"),
        entries.sort_values("ts"),
        on="ts",
        direction="nearest",
        tolerance=NOTE_MATCH,
    )
    linked = by_note[by_note["entry_url"].notna()]
    merged = frame.copy()
    merged.loc[linked["note_index"].to_numpy(), "url"] = linked["entry_url"].to_numpy()
    replaced = by_entry.loc[by_entry["note_ts"].notna(), "entry_index"]
    return merged.drop(index=replaced).reset_index(drop=True)


def _required(records: list[dict], key: str, what: str) -> list[str]:
    values = [str(r.get(key) or "") for r in records]
    if "" in values:
        raise InputError(f"{what} #{values.index('') + 1} has no {key!r}")
    return values


def _times(records: list[dict], key: str, ids: list[str], what: str) -> pd.Series:
    times = iso_to_utc([r.get(key) for r in records], what=f"{what} {key}")
    if times.isna().any():
        missing = ids[int(times.isna().to_numpy().argmax())]
        raise InputError(f"{what} {missing} has no {key!r}")
    return times
