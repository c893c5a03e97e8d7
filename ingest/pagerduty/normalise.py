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


def incident_info(incident: dict, severity_map: Mapping[str, str] | None = None) -> Incident:
    """What an incident object says about the incident, times as UTC Timestamps or None.

    Severity is the priority (mapped through ``severity_map`` when it names it), else
    ``urgency:high|low``, else empty.
    """
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
