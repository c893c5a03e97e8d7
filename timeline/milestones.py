"""Milestones with their evidence, the gaps between them, and quiet periods (DESIGN.md §5).

A milestone is observed when an artifact records it, inferred when a rule derives it (the rule is
kept), unknown when neither: then it is rendered as TK and every gap touching it is null.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta, tzinfo

import numpy as np
import pandas as pd

from ingest.errors import MarkError
from ingest.notes.words import SOURCES
from ingest.textmatch import first_matches
from ingest.times import parse_one
from ingest.types import Incident
from ingest.vocab import CHAT_KINDS, GAPS, MILESTONES
from timeline.masks import FrameMasks
from timeline.summary import UNKNOWN, Milestone, QuietPeriod

_MITIGATION_WORDS = SOURCES["mitigated"]  # compiled by first_matches, case-insensitive


def parse_marks(
    marks: Mapping[str, str | pd.Timestamp],
    *,
    tz: tzinfo | None = None,
    what: str = "--mark",
) -> dict[str, pd.Timestamp]:
    """``{"mitigated": "2026-10-14T15:06Z"}`` to UTC times (a written zone, else ``tz``);
    MarkError for unknown names. Times the command line already read pass through."""
    parsed: dict[str, pd.Timestamp] = {}
    for name, value in marks.items():
        if name not in MILESTONES:
            raise MarkError(
                f"{what} {name}: unknown milestone; known milestones: {', '.join(MILESTONES)}"
            )
        if isinstance(value, pd.Timestamp):
            parsed[name] = value.tz_convert("UTC")
        else:
            parsed[name] = parse_one(value, tz=tz, what=f"{what} {name}")
    return parsed


def find_milestones(
    frame: pd.DataFrame,
    *,
    marks: Mapping[str, pd.Timestamp],
    incident: Incident,
    comms_channels: tuple[str, ...] = (),
) -> dict[str, Milestone]:
    """Every milestone of DESIGN.md §5 from an ordered events frame; author marks win."""
    found: dict[str, Milestone] = {}
    rows = FrameMasks(frame)
    kind, tag = rows.kind, rows.tag

    def first(mask: np.ndarray, rule: str) -> Milestone:
        """The first row the source itself records; failing that, the first guessed one."""
        row = rows.first(mask & rows.read_from_source)
        if row is not None:
            return Milestone(rows.at(row), "observed", rows.ref(row), rule)
        row = rows.first(mask)
        if row is None:
            return UNKNOWN
        return Milestone(rows.at(row), "inferred", rows.ref(row), rows.kind_rule(row))

    found["detected"] = first(kind("alert.triggered") | tag("detected"), "")
    if found["detected"].evidence == "unknown":
        chat = rows.source("slack") & ~tag("system")
        row = rows.first(chat & ~rows.channel(_hashed(comms_channels)))
        if row is not None:
            found["detected"] = Milestone(
                rows.at(row), "inferred", rows.ref(row), "first message in the incident channel"
            )
    if found["detected"].evidence == "unknown":
        found["detected"] = first(kind("report.customer"), "")
    detected_at = found["detected"].at

    row = rows.earliest(
        kind("report.customer", "alert.triggered") | tag("impact_start") | tag("detected")
    )
    found["impact_start"] = (
        Milestone(
            rows.at(row),
            "inferred",
            rows.ref(row),
            rows.kind_rule(row) or "earliest customer report or first alert",
        )
        if row is not None
        else UNKNOWN
    )

    found["acknowledged"] = first(kind("alert.acknowledged") | tag("acknowledged"), "")
    ack_at = found["acknowledged"].at
    escalation = kind("alert.escalated", "alert.responder_requested") | tag("escalated")
    if ack_at is not None:
        escalation |= kind("alert.assigned") & rows.after(ack_at, strictly=True)
    found["escalated"] = first(escalation, "")

    found["mitigated"] = _mitigation(rows, detected_at)
    found["resolved"] = _resolution(rows, incident)

    comms = kind("comms.status_page", "alert.status_update") | tag("first_comms")
    if comms_channels:
        comms |= rows.channel(_hashed(comms_channels)) & ~tag("system")
    found["first_comms"] = first(comms, "")

    for name, at in marks.items():
        found[name] = Milestone(at, "observed", "author mark", "author mark")
    return {name: found.get(name, UNKNOWN) for name in MILESTONES}


def _mitigation(rows: FrameMasks, detected_at: pd.Timestamp | None) -> Milestone:
    after = rows.after(detected_at)
    rollback = rows.tag("rollback")
    finished = rollback & rows.kind("deploy.succeeded")
    # A rollback counts when it finished; one still running counts only if none finished.
    rollback_rule = (
        "rollback deploy succeeded" if (finished & after).any() else "rollback deploy started"
    )
    candidates = [
        (
            finished if (finished & after).any() else rollback & rows.kind("deploy.started"),
            rollback_rule,
        ),
        (rows.tag("revert"), "revert commit"),
        (rows.tag("mitigation", "mitigated"), "notes say mitigated or recovered"),
        (
            _first_chat_saying_mitigated(rows, after),
            "a chat message says rolled back, mitigated or recovered",
        ),
    ]
    # Records from the systems themselves are preferred to lines guessed from pasted notes.
    for trusted in (rows.read_from_source, np.ones(len(after), dtype=bool)):
        best: Milestone = UNKNOWN
        for mask, rule in candidates:
            row = rows.first(mask & after & trusted)
            if row is None:
                continue
            if best.at is None or rows.at(row) < best.at:
                best = Milestone(rows.at(row), "inferred", rows.ref(row), rule)
        if best.at is not None:
            return best
    return UNKNOWN


def _first_chat_saying_mitigated(rows: FrameMasks, after: np.ndarray) -> np.ndarray:
    """Flags the first chat message after detection whose words say mitigated, and the first
    one among rows read from a source (only first rows count, and a year of chat is long)."""
    chat = rows.kind(*CHAT_KINDS) & after
    flagged = np.zeros(len(after), dtype=bool)
    among = (chat, chat & rows.read_from_source)
    for position in first_matches(rows.frame["summary"], _MITIGATION_WORDS, among, case=False):
        if position is not None:
            flagged[position] = True
    return flagged


def _resolution(rows: FrameMasks, incident: Incident) -> Milestone:
    resolved_at = incident.resolved_at
    if resolved_at is not None and not pd.isna(resolved_at):
        return Milestone(resolved_at, "observed", incident.id or "incident", "")
    resolved = rows.kind("alert.resolved")
    row = rows.last(resolved & rows.read_from_source)
    if row is not None:
        return Milestone(rows.at(row), "observed", rows.ref(row), "")
    # Words in notes: the first line that says resolved (later lines restate it).
    row = rows.earliest(resolved | rows.tag("resolved"))
    if row is not None:
        return Milestone(rows.at(row), "inferred", rows.ref(row), rows.kind_rule(row))
    return UNKNOWN


def compute_gaps(milestones: Mapping[str, Milestone]) -> dict[str, float | None]:
    """Seconds between milestones; None when either end is unknown (never guessed)."""
    gaps: dict[str, float | None] = {}
    for name, gap in GAPS.items():
        a, b = milestones[gap.start].at, milestones[gap.end].at
        gaps[name] = None if a is None or b is None else (b - a).total_seconds()
    return gaps


def quiet_periods(
    times: pd.Series, start: pd.Timestamp | None, end: pd.Timestamp | None, threshold: timedelta
) -> list[QuietPeriod]:
    """Stretches between ``start`` and ``end`` with no event for longer than ``threshold``."""
    if start is None or end is None or end <= start:
        return []
    inside = times[(times >= start) & (times <= end)]
    points = pd.concat([pd.Series([start]), inside, pd.Series([end])]).sort_values()
    points = points.drop_duplicates().reset_index(drop=True)
    lengths = points.diff()
    long = lengths > pd.Timedelta(threshold)
    periods = []
    for i in lengths.index[long]:
        a, b = points[i - 1], points[i]
        periods.append(QuietPeriod(a, b))
    return periods


def _hashed(channels: tuple[str, ...]) -> list[str]:
    return [c if c.startswith("#") else f"#{c}" for c in channels] + list(channels)
