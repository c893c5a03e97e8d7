"""Pulling an incident from exported files: read each, choose the window, assemble the bundle."""

from __future__ import annotations

from datetime import date, tzinfo
from pathlib import Path

import msgspec
import pandas as pd

from ingest.config import Config, parse_size
from ingest.files import FileSpec
from ingest.schema import concat
from ingest.times import parse_duration
from ingest.types import ReadContext, Window
from timeline.assemble import EarlierIncidents, Finishing, SourceOutcome, assemble
from timeline.bundle import Bundle
from timeline.milestones import parse_marks
from timeline.pull.window import derive_window

EXAMPLE_DIR = Path(__file__).parents[1] / "example"


class FilePull(msgspec.Struct):
    """Everything a file pull is asked for; the command line fills it from options and config."""

    specs: list[FileSpec]
    config: Config = msgspec.field(default_factory=Config)
    since: pd.Timestamp | None = None
    until: pd.Timestamp | None = None
    tz: tzinfo | None = None
    date: date | None = None
    channels: tuple[str, ...] = ()
    workspace_url: str = ""
    incident_id: str = ""
    title: str = ""
    severity: str = ""
    marks: dict[str, str | pd.Timestamp] = msgspec.field(default_factory=dict)
    # The archive's earlier incidents on the same service (see timeline.assemble.Finishing).
    earlier_incidents: EarlierIncidents | None = None
    now: pd.Timestamp = msgspec.field(default_factory=lambda: pd.Timestamp.now(tz="UTC"))


def example_specs() -> list[FileSpec]:
    """The example incident shipped with the package, as --from arguments would name it."""
    return [
        FileSpec("pagerduty", EXAMPLE_DIR / "pagerduty-incident.json"),
        FileSpec("pagerduty", EXAMPLE_DIR / "pagerduty-log-entries.json"),
        FileSpec("github", EXAMPLE_DIR / "github-deployments.json"),
        FileSpec("slack-export", EXAMPLE_DIR / "slack-export"),
        FileSpec("notes", EXAMPLE_DIR / "notes.txt"),
    ]


def pull_files(request: FilePull) -> Bundle:
    """Read every file, derive the window, and assemble the bundle (nothing is written here)."""
    marks = parse_marks({**request.config.marks, **request.marks}, tz=request.tz)
    config = request.config
    context = ReadContext(
        tz=request.tz,
        date=request.date,
        channels=_channels(request.channels or config.slack.channels, config.slack.comms_channels),
        workspace_url=request.workspace_url or config.slack.workspace_url,
        max_bytes=parse_size(config.limits.max_file_size),
        max_depth=config.limits.max_depth,
    )
    # Slack exports can be huge: read them after the window is known, so that only the day
    # files around the incident are opened.
    first = [s for s in request.specs if s.format != "slack-export"]
    later = [s for s in request.specs if s.format == "slack-export"]
    outcomes = [_read(spec, context) for spec in first]

    lookback = parse_duration(config.window.lookback, what="window.lookback")
    lookahead = parse_duration(config.window.lookahead, what="window.lookahead")

    def window_now() -> tuple[Window | None, list[str]]:
        facts = context.incident
        return derive_window(
            concat(o.frame for o in outcomes) if outcomes else None,
            created_at=facts.created_at,
            resolved_at=facts.resolved_at,
            since=request.since,
            until=request.until,
            lookback=lookback,
            lookahead=lookahead,
        )

    window, window_warnings = window_now()
    if later:
        context.window = window
        outcomes.extend(_read(spec, context) for spec in later)
        if window is None:
            window, window_warnings = window_now()
    if window is None:
        window = Window(request.now, request.now + lookahead)
        window_warnings.append("no events were found in the artifacts")
    return assemble(
        outcomes,
        window=window,
        incident=context.incident.updated(
            id=request.incident_id, title=request.title, severity=request.severity
        ),
        config=config,
        marks=marks,
        warnings=[*window_warnings, *context.warnings],
        now=request.now,
        finishing=Finishing(earlier_incidents=request.earlier_incidents),
    )


def _read(spec: FileSpec, context: ReadContext) -> SourceOutcome:
    before, people_before = len(context.artifacts), len(context.people)
    frame = concat(spec.reader()(spec.path, context))
    return SourceOutcome(
        name=spec.source,
        label=spec.path.name,
        frame=frame,
        artifacts=context.artifacts[before:],
        people=context.people[people_before:],
    )


def _channels(incident_channels: tuple[str, ...], comms: tuple[str, ...]) -> tuple[str, ...]:
    """The incident channels and the comms channels, once each; empty means every channel."""
    if not incident_channels:
        return ()
    return tuple(dict.fromkeys([*incident_channels, *comms]))
