"""From what each source produced to the bundle: order, de-duplicate, redact, derive, summarise.

Both the file pull and the live pull end here, so every bundle is made the same way.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from ingest.config import Config, parse_duration
from ingest.redact import redact_frame, redact_text
from ingest.schema import concat, empty_frame
from ingest.times import to_iso
from ingest.types import Window
from timeline.bundle import Bundle
from timeline.keyrows import select_key_rows
from timeline.milestones import compute_gaps, find_milestones, quiet_periods

TOOL_NAME = "postmortem-timeline"


@dataclass
class SourceOutcome:
    """What one source (a file or a live API) gave: its events, or why it failed."""

    name: str  # the source slug: pagerduty, github, slack, notes, table
    label: str  # what to call it in the inventory: a file name, "#channel (API)", a repo
    frame: pd.DataFrame = field(default_factory=empty_frame)
    status: str = "ok"  # ok | failed | skipped
    error: str = ""
    artifacts: list[dict[str, Any]] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)  # shown in the inventory (old_threads)


@dataclass
class IncidentFacts:
    """What is known of the incident itself: from the artifacts, the command line, the config."""

    id: str = ""
    title: str = ""
    severity: str = ""
    url: str = ""
    service: str = ""
    resolved_at: pd.Timestamp | None = None


def assemble(
    outcomes: list[SourceOutcome],
    *,
    window: Window,
    incident: IncidentFacts,
    config: Config,
    marks: Mapping[str, pd.Timestamp],
    warnings: list[str],
    now: pd.Timestamp,
) -> Bundle:
    """Build the bundle's frame and summary. Redaction runs here, before anything is written."""
    warnings = list(warnings)
    inventory = []
    in_window_frames = []
    for outcome in outcomes:
        inside = window.contains(outcome.frame["ts"])
        in_window_frames.append(outcome.frame[inside])
        entry = {
            "source": outcome.name,
            "name": outcome.label,
            "records": int(len(outcome.frame)),
            "in_window": int(inside.sum()),
            "outside_window": int((~inside).sum()),
            "status": outcome.status,
            **outcome.counts,
        }
        inventory.append(entry)
        if outcome.status == "ok" and len(outcome.frame) and not inside.any():
            warnings.append(f"{outcome.label}: {len(outcome.frame)} events, none inside the window")

    frame = concat(in_window_frames)
    frame = frame.sort_values(["ts", "source", "ref"], kind="mergesort")
    # The same record read twice (two overlapping files) is one event; two sentences on one
    # line of notes share a ref but not a time, so they stay two.
    frame = frame.drop_duplicates(subset=["source", "ref", "ts"], keep="first").reset_index(
        drop=True
    )

    frame, redactions = redact_frame(frame, config.redaction)
    title, title_findings = redact_text(incident.title, config.redaction, ref="incident title")
    redactions.extend(title_findings)

    comms = config.slack.comms_channels
    milestones = find_milestones(
        frame,
        marks=marks,
        incident={"id": incident.id, "resolved_at": incident.resolved_at},
        comms_channels=comms,
    )
    gaps = compute_gaps(milestones)
    for name, seconds in gaps.items():
        if seconds is not None and seconds < 0:
            warnings.append(f"negative gap {name}: {seconds:.0f} s; check the milestone times")

    mitigated_at = milestones["mitigated"].at
    if mitigated_at is not None:
        late_edit = frame["edited_at"].notna() & (frame["edited_at"] > mitigated_at)
        if late_edit.any():
            frame.loc[late_edit, "tags"] = (
                frame.loc[late_edit, "tags"] + " edited_after_mitigation"
            ).str.strip()
            for ref in frame.loc[late_edit, "ref"]:
                warnings.append(f"{ref}: edited after mitigation; may contain hindsight")

    future = frame["ts"] > now
    if future.any():
        warnings.append(
            f"{int(future.sum())} events have times in the future "
            f"(first: {frame.loc[future, 'ref'].iloc[0]})"
        )

    frame["key"] = select_key_rows(
        frame,
        keywords=config.timeline.keywords,
        key_reactions=config.timeline.key_reactions,
        comms_channels=comms,
    )
    quiet = quiet_periods(
        frame["ts"],
        milestones["detected"].at,
        milestones["resolved"].at,
        parse_duration(config.window.quiet_threshold, what="window.quiet_threshold"),
    )

    summary = {
        "incident": {
            "id": incident.id,
            "title": title,
            "severity": incident.severity,
            "url": incident.url,
            "service": incident.service,
            "window": {"start": to_iso(window.start), "end": to_iso(window.end)},
        },
        "sources": _source_statuses(outcomes, frame),
        "milestones": {name: m.as_dict() for name, m in milestones.items()},
        "gaps": gaps,
        "quiet_periods": quiet,
        "redactions": redactions,
        "warnings": warnings,
        "inventory": inventory,
        "counts": {
            "events": int(len(frame)),
            "key_events": int(frame["key"].sum()),
            "other_messages": int((~frame["key"] & (frame["source"] == "slack")).sum()),
        },
        "tool": {"name": TOOL_NAME, "version": _version()},
    }
    return Bundle(frame=frame, summary=summary)


def _source_statuses(outcomes: list[SourceOutcome], frame: pd.DataFrame) -> list[dict[str, Any]]:
    counts = frame["source"].astype(str).value_counts()
    statuses: dict[str, dict[str, Any]] = {}
    for outcome in outcomes:
        entry = statuses.setdefault(
            outcome.name, {"name": outcome.name, "status": "ok", "events": 0, "error": ""}
        )
        if outcome.status != "ok":
            rank = {"ok": 0, "skipped": 1, "failed": 2}
            if rank[outcome.status] > rank[entry["status"]]:
                entry["status"] = outcome.status
            entry["error"] = "; ".join(e for e in (entry["error"], outcome.error) if e)
    for name, entry in statuses.items():
        entry["events"] = int(counts.get(name, 0))
    return list(statuses.values())


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(TOOL_NAME)
    except PackageNotFoundError:
        return "0+unknown"
