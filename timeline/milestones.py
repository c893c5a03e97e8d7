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
from ingest.vocab import CHAT_KINDS, GAPS, MILESTONES, has_tag
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
    kinds = frame["kind"]  # categorical: compared as it is, never copied to text
    read_from_source = frame["kind_rule"] == ""

    def first(mask: pd.Series, rule: str) -> Milestone:
        """The first row the source itself records; failing that, the first guessed one."""
        row = _first_row(frame, mask & read_from_source)
        if row is not None:
            return Milestone(row["ts"], "observed", row["ref"], rule)
        row = _first_row(frame, mask)
        if row is None:
            return UNKNOWN
        return Milestone(row["ts"], "inferred", row["ref"], str(row["kind_rule"]))

    found["detected"] = first((kinds == "alert.triggered") | has_tag(frame["tags"], "detected"), "")
    if found["detected"].evidence == "unknown":
        chat = (frame["source"] == "slack") & ~has_tag(frame["tags"], "system")
        row = _first_row(frame, chat & ~frame["channel"].isin(_hashed(comms_channels)))
        if row is not None:
            found["detected"] = Milestone(
                row["ts"], "inferred", row["ref"], "first message in the incident channel"
            )
    if found["detected"].evidence == "unknown":
        found["detected"] = first(kinds == "report.customer", "")
    detected_at = found["detected"].at

    impact = frame[
        kinds.isin(["report.customer", "alert.triggered"])
        | has_tag(frame["tags"], "impact_start")
        | has_tag(frame["tags"], "detected")
    ].sort_values("ts", kind="mergesort")
    found["impact_start"] = (
        Milestone(
            impact.iloc[0]["ts"],
            "inferred",
            impact.iloc[0]["ref"],
            str(impact.iloc[0]["kind_rule"]) or "earliest customer report or first alert",
        )
        if not impact.empty
        else UNKNOWN
    )

    found["acknowledged"] = first(
        (kinds == "alert.acknowledged") | has_tag(frame["tags"], "acknowledged"), ""
    )
    ack_at = found["acknowledged"].at
    escalation = kinds.isin(["alert.escalated", "alert.responder_requested"])
    escalation |= has_tag(frame["tags"], "escalated")
    if ack_at is not None:
        escalation |= (kinds == "alert.assigned") & (frame["ts"] > ack_at)
    found["escalated"] = first(escalation, "")

    found["mitigated"] = _mitigation(frame, kinds, detected_at)
    found["resolved"] = _resolution(frame, kinds, read_from_source, incident)

    comms = kinds.isin(["comms.status_page", "alert.status_update"]) | has_tag(
        frame["tags"], "first_comms"
    )
    if comms_channels:
        comms |= frame["channel"].isin(_hashed(comms_channels)) & ~has_tag(frame["tags"], "system")
    found["first_comms"] = first(comms, "")

    for name, at in marks.items():
        found[name] = Milestone(at, "observed", "author mark", "author mark")
    return {name: found.get(name, UNKNOWN) for name in MILESTONES}


def _mitigation(
    frame: pd.DataFrame, kinds: pd.Series, detected_at: pd.Timestamp | None
) -> Milestone:
    after = frame["ts"] >= detected_at if detected_at is not None else pd.Series(True, frame.index)
    rollback = has_tag(frame["tags"], "rollback")
    finished = rollback & (kinds == "deploy.succeeded")
    # A rollback counts when it finished; one still running counts only if none finished.
    rollback_rule = (
        "rollback deploy succeeded" if (finished & after).any() else "rollback deploy started"
    )
    candidates = [
        (
            finished if (finished & after).any() else rollback & (kinds == "deploy.started"),
            rollback_rule,
        ),
        (has_tag(frame["tags"], "revert"), "revert commit"),
        (has_tag(frame["tags"], "mitigation", "mitigated"), "notes say mitigated or recovered"),
        (
            _first_chat_saying_mitigated(frame, after),
            "a chat message says rolled back, mitigated or recovered",
        ),
    ]
    # Records from the systems themselves are preferred to lines guessed from pasted notes.
    for trusted in (frame["kind_rule"] == "", pd.Series(True, index=frame.index)):
        best: Milestone = UNKNOWN
        for mask, rule in candidates:
            row = _first_row(frame, mask & after & trusted)
            if row is None:
                continue
            if best.at is None or row["ts"] < best.at:
                best = Milestone(row["ts"], "inferred", row["ref"], rule)
        if best.at is not None:
            return best
    return UNKNOWN


def _first_chat_saying_mitigated(frame: pd.DataFrame, after: pd.Series) -> pd.Series:
    """Flags the first chat message after detection whose words say mitigated, and the first
    one among rows read from a source (only first rows count, and a year of chat is long)."""
    chat = (frame["kind"].isin(CHAT_KINDS) & after).to_numpy(dtype=bool)
    read_from_source = (frame["kind_rule"] == "").to_numpy(dtype=bool, na_value=False)
    flagged = np.zeros(len(frame), dtype=bool)
    among = (chat, chat & read_from_source)
    for position in first_matches(frame["summary"], _MITIGATION_WORDS, among, case=False):
        if position is not None:
            flagged[position] = True
    return pd.Series(flagged, index=frame.index)


def _resolution(
    frame: pd.DataFrame,
    kinds: pd.Series,
    read_from_source: pd.Series,
    incident: Incident,
) -> Milestone:
    resolved_at = incident.resolved_at
    if resolved_at is not None and not pd.isna(resolved_at):
        return Milestone(resolved_at, "observed", incident.id or "incident", "")
    observed = frame[(kinds == "alert.resolved") & read_from_source]
    if not observed.empty:
        row = observed.iloc[-1]
        return Milestone(row["ts"], "observed", row["ref"], "")
    # Words in notes: the first line that says resolved (later lines restate it).
    worded = frame[(kinds == "alert.resolved") | has_tag(frame["tags"], "resolved")]
    if not worded.empty:
        row = worded.sort_values("ts", kind="mergesort").iloc[0]
        return Milestone(row["ts"], "inferred", row["ref"], str(row["kind_rule"]))
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


def _first_row(frame: pd.DataFrame, mask: pd.Series) -> pd.Series | None:
    """The first row where ``mask`` holds, or None; the matching rows are not copied (in a
    year-long channel that may be most of the frame)."""
    hits = mask.to_numpy(dtype=bool, na_value=False)
    position = int(hits.argmax()) if len(hits) else 0
    return frame.iloc[position] if len(hits) and hits[position] else None


def _hashed(channels: tuple[str, ...]) -> list[str]:
    return [c if c.startswith("#") else f"#{c}" for c in channels] + list(channels)
