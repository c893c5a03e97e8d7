"""PagerDuty API responses saved as JSON files, read through the shared normaliser."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd

from ingest.errors import InputError
from ingest.pagerduty.normalise import (
    PAYLOAD_KEYS,
    SOURCE,
    alerts_frame,
    incident_info,
    log_entries_frame,
    merge_notes,
    notes_frame,
)
from ingest.people import pagerduty_identities
from ingest.records import load_json, with_path, within_window
from ingest.schema import concat
from ingest.shapes import describe
from ingest.types import Incident, ReadContext


def read_pagerduty_file(path: Path, ctx: ReadContext) -> Iterator[pd.DataFrame]:
    """Read PagerDuty API responses saved as JSON, yielding one frame of all their events.

    Accepts ``{"incident": …}``, ``{"log_entries": […]}``, ``{"alerts": […]}``,
    ``{"notes": […]}``, an object holding several of these, or a JSON array of such pages.
    Fills ``ctx.incident`` from the incident object and adds inventory entries. A note and
    the annotate log entry it stands for are one row (:func:`merge_notes`), as in a live pull.
    """
    pages = _pages(load_json(path, ctx), path)
    incidents = [p["incident"] for p in pages if p.get("incident") is not None]
    for number, incident in enumerate(incidents, start=1):
        if not isinstance(incident, dict):
            where = f"incident #{number}" if len(incidents) > 1 else "'incident'"
            raise InputError(f"{where} must be an object, not {describe(incident)}", path=path)
    info = _incident_into_context(incidents, ctx, path)
    incident_id = info.id or "?"
    service = info.service

    counts = dict.fromkeys(PAYLOAD_KEYS[1:], 0)
    frames = []
    try:
        for page in pages:
            for key in counts:
                records = page.get(key)
                if records is None:
                    continue
                if not isinstance(records, list):
                    raise InputError(f"{key!r} must be a list of objects, not {describe(records)}")
                counts[key] += len(records)
                if key == "log_entries":
                    frames.append(
                        log_entries_frame(records, incident_id=incident_id, service=service)
                    )
                elif key == "alerts":
                    frames.append(alerts_frame(records))
                else:
                    frames.append(notes_frame(records, incident_id=incident_id, service=service))
    except InputError as e:
        raise with_path(e, path) from e

    for key, count in counts.items():
        if any(key in p for p in pages):
            ctx.artifacts.append({"source": SOURCE, "name": f"{path.name} {key}", "records": count})
    ctx.people.extend(pagerduty_identities(pages))
    frame = within_window(merge_notes(concat(frames)), ctx)
    if len(frame):
        yield frame


def _incident_into_context(incidents: list[dict], ctx: ReadContext, path: Path) -> Incident:
    if not incidents:
        return ctx.incident
    try:
        info = incident_info(incidents[-1])
    except InputError as e:
        raise with_path(e, path) from e
    ctx.incident = ctx.incident.merged(info)
    ctx.artifacts.append(
        {"source": SOURCE, "name": f"{path.name} incident", "records": len(incidents)}
    )
    return info


def _pages(payload: Any, path: Path) -> list[dict]:
    pages = payload if isinstance(payload, list) else [payload]
    expected = ", ".join(repr(k) for k in PAYLOAD_KEYS)
    for number, page in enumerate(pages, start=1):
        if not isinstance(page, dict) or not any(k in page for k in PAYLOAD_KEYS):
            found = ", ".join(repr(k) for k in page) if isinstance(page, dict) else "no object"
            where = f"page {number} " if isinstance(payload, list) else ""
            raise InputError(
                f"{where}is not a PagerDuty API response: expected an object with one of "
                f"{expected} (found {found or 'an empty object'})",
                path=path,
            )
    return pages
