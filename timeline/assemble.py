"""From what each source produced to the bundle: order, de-duplicate, redact, derive, summarise.

Both the file pull and the live pull end here, so every bundle is made the same way.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import msgspec
import pandas as pd
from msgspec.structs import replace

from ingest.config import Config
from ingest.errors import PostmortemError
from ingest.people import Identity, build_directory
from ingest.redact import redact_frame, redact_text
from ingest.schema import concat, empty_frame
from ingest.times import parse_duration, to_iso
from ingest.types import Incident, Window
from ingest.vocab import add_tag
from timeline import __version__
from timeline.bundle import Bundle
from timeline.keyrows import select_key_rows
from timeline.milestones import compute_gaps, find_milestones, quiet_periods
from timeline.responders import find_responders
from timeline.summary import Counts, Milestone, SourceStatus, Summary, Tool
from timeline.twins import fold_twins

TOOL_NAME = "postmortem-timeline"
# Late edits named one by one in the warnings; the rest are counted (all stay tagged).
LISTED_LATE_EDITS = 10


class SourceOutcome(msgspec.Struct):
    """What one source (a file or a live API) gave: its events, or why it failed."""

    name: str  # the source slug: pagerduty, github, slack, notes, table
    label: str  # what to call it in the inventory: a file name, "#channel (API)", a repo
    frame: pd.DataFrame = msgspec.field(default_factory=empty_frame)
    status: str = "ok"  # ok | failed | skipped
    error: str = ""
    artifacts: list[dict[str, Any]] = msgspec.field(default_factory=list)
    # Shown in the inventory (old_threads).
    counts: dict[str, int] = msgspec.field(default_factory=dict)
    people: list[Identity] = msgspec.field(default_factory=list)  # the users its records name


# The archive's earlier incidents on the incident's service, given the finished (redacted)
# incident and its detected time.
EarlierIncidents = Callable[[Incident, pd.Timestamp | None], list[dict[str, Any]]]


class Finishing(msgspec.Struct, frozen=True):
    """What only the caller knows how to get, asked for by :func:`assemble` when it is needed,
    so that the bundle it returns is finished and nobody patches it afterwards.

    ``permalinks``: the source's own links for key Slack rows, by ref (a live pull asks Slack);
    ``earlier_incidents``: the archive's earlier incidents on the same service, given the
    finished (redacted) incident and the detected time; ``retries``: waits per source, read
    last so that every request of the pull is counted.
    """

    permalinks: Callable[[list[str]], Mapping[str, str]] | None = None
    earlier_incidents: EarlierIncidents | None = None
    retries: Callable[[], Mapping[str, Any]] | None = None


NOTHING_TO_FINISH = Finishing()


def assemble(
    outcomes: list[SourceOutcome],
    *,
    window: Window,
    incident: Incident,
    config: Config,
    marks: Mapping[str, pd.Timestamp],
    warnings: list[str],
    now: pd.Timestamp,
    finishing: Finishing = NOTHING_TO_FINISH,
) -> Bundle:
    """Build the bundle's frame and summary. Redaction runs here, before anything is written,
    and the incident in the summary is the redacted one: print only from the bundle."""
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
        if outcome.name == "notes" and not inside.all():
            outside = outcome.frame[~inside]
            warnings.append(
                f"{len(outside)} notes lines are outside the window "
                f"{to_iso(window.start)} to {to_iso(window.end)}; not in the timeline"
            )
            warnings.extend(
                f"{ref}: {to_iso(ts)} is outside the window; not in the timeline"
                for ref, ts in zip(outside["ref"], outside["ts"], strict=True)
            )
        if outcome.status == "ok" and len(outcome.frame) and not inside.any():
            warnings.append(f"{outcome.label}: {len(outcome.frame)} events, none inside the window")

    frame = concat(in_window_frames)
    # Times strictly increasing (one big source, say a Slack channel) are already in order and
    # cannot repeat an event: the sort and the de-duplication of 400,000 rows are skipped.
    if not (frame["ts"].is_monotonic_increasing and frame["ts"].is_unique):
        frame = frame.sort_values(["ts", "source", "ref"], kind="mergesort")
        # The same record read twice (two overlapping files) is one event; two sentences on
        # one line of notes share a ref but not a time, so they stay two.
        frame = frame.drop_duplicates(subset=["source", "ref", "ts", "summary"], keep="first")
    frame = frame.reset_index(drop=True)

    frame, redactions = redact_frame(frame, config.redaction)
    title, title_findings = redact_text(incident.title, config.redaction, ref="incident title")
    redactions.extend(title_findings)
    incident = replace(incident, title=title, window=window)

    comms = config.slack.comms_channels
    twin_window = parse_duration(config.timeline.twin_window, what="timeline.twin_window")
    frame = fold_twins(frame, window=pd.Timedelta(twin_window), comms_channels=comms)
    milestones = find_milestones(frame, marks=marks, incident=incident, comms_channels=comms)
    gaps = compute_gaps(milestones)
    for name, seconds in gaps.items():
        if seconds is not None and seconds < 0:
            warnings.append(f"negative gap {name}: {seconds:.0f} s; check the milestone times")

    mitigated_at = milestones["mitigated"].at
    if mitigated_at is not None:
        late_edit = frame["edited_at"].notna() & (frame["edited_at"] > mitigated_at)
        if late_edit.any():
            frame.loc[late_edit, "tags"] = add_tag(
                frame.loc[late_edit, "tags"], "edited_after_mitigation"
            )
            refs = frame.loc[late_edit, "ref"]
            for ref in refs.iloc[:LISTED_LATE_EDITS]:
                warnings.append(f"{ref}: edited after mitigation; may contain hindsight")
            if len(refs) > LISTED_LATE_EDITS:
                warnings.append(
                    f"{len(refs) - LISTED_LATE_EDITS} more events edited after mitigation; "
                    "tagged edited_after_mitigation in events.csv"
                )

    future = frame["ts"] > now
    if future.any():
        warnings.append(
            f"{int(future.sum())} events have times in the future "
            f"(first: {frame.loc[future, 'ref'].iloc[0]})"
        )

    chosen = select_key_rows(
        frame,
        keywords=config.timeline.keywords,
        key_reactions=config.timeline.key_reactions,
        comms_channels=comms,
        max_rows=config.timeline.max_rows,
    )
    frame["key"] = chosen["key"].to_numpy()
    frame["key_rule"] = chosen["key_rule"].astype(frame["key_rule"].dtype)
    quiet = quiet_periods(
        frame["ts"],
        milestones["detected"].at,
        milestones["resolved"].at,
        parse_duration(config.window.quiet_threshold, what="window.quiet_threshold"),
    )
    if finishing.permalinks is not None:
        warning = _exact_permalinks(frame, finishing.permalinks)
        if warning:
            warnings.append(warning)
    earlier = None
    if finishing.earlier_incidents is not None:
        earlier = tuple(finishing.earlier_incidents(incident, milestones["detected"].at))

    people = build_directory(
        [identity for outcome in outcomes for identity in outcome.people],
        config.roster,
        frame=frame,
        keep_emails=not config.redaction.emails,
    )
    summary = Summary(
        incident=incident,
        sources=_source_statuses(outcomes, frame),
        milestones=_with_corroboration(milestones, frame),
        gaps=gaps,
        responders=tuple(find_responders(frame, config.roster, people)),
        people=tuple(people),
        quiet_periods=tuple(quiet),
        redactions=tuple(redactions),
        warnings=tuple(warnings),
        inventory=tuple(inventory),
        counts=Counts(
            events=int(len(frame)),
            key_events=int(frame["key"].sum()),
            other_messages=int(
                (~frame["key"] & (frame["source"] == "slack") & (frame["twin_ref"] == "")).sum()
            ),
            twins=int((frame["twin_ref"] != "").sum()),
        ),
        tool=Tool(name=TOOL_NAME, version=__version__),
        retries=finishing.retries() if finishing.retries is not None else None,
        earlier_incidents=earlier,
    )
    return Bundle(frame=frame, summary=summary)


def _exact_permalinks(
    frame: pd.DataFrame, fetch: Callable[[list[str]], Mapping[str, str]]
) -> str | None:
    """Replace built permalinks of key Slack rows by the source's own (a warning if it fails)."""
    rows = frame["key"] & (frame["source"] == "slack")
    if not rows.any():
        return None
    try:
        exact = fetch(list(frame.loc[rows, "ref"]))
    except PostmortemError as e:
        return f"permalinks: {e}; built links kept"
    found = frame.loc[rows, "ref"].map(exact).dropna()
    frame.loc[found.index, "url"] = found
    return None


def _with_corroboration(
    milestones: Mapping[str, Milestone], frame: pd.DataFrame
) -> dict[str, Milestone]:
    """Each milestone whose record has a twin names the twin's ref: two sources agree."""
    twins = frame.loc[frame["twin_ref"] != "", ["ref", "twin_ref"]]
    found = dict(milestones)
    if twins.empty:
        return found
    for name, milestone in milestones.items():
        if not milestone.ref:
            continue
        others = list(twins.loc[twins["twin_ref"] == milestone.ref, "ref"])
        others += list(twins.loc[twins["ref"] == milestone.ref, "twin_ref"])
        if others:
            found[name] = replace(milestone, corroborated_by=tuple(dict.fromkeys(others)))
    return found


def _source_statuses(
    outcomes: list[SourceOutcome], frame: pd.DataFrame
) -> tuple[SourceStatus, ...]:
    counts = frame["source"].astype(object).value_counts()
    rank = {"ok": 0, "skipped": 1, "failed": 2}
    statuses: dict[str, SourceStatus] = {}
    for outcome in outcomes:
        entry = statuses.get(outcome.name, SourceStatus(outcome.name))
        if outcome.status != "ok":
            status = outcome.status if rank[outcome.status] > rank[entry.status] else entry.status
            error = "; ".join(e for e in (entry.error, outcome.error) if e)
            entry = replace(entry, status=status, error=error)
        statuses[outcome.name] = entry
    return tuple(
        replace(entry, events=int(counts.get(name, 0))) for name, entry in statuses.items()
    )
