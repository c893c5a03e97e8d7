"""Pulling an incident live by its PagerDuty ID: the three APIs at once, then the same bundle.

PagerDuty is required (it says what the incident is and when); GitHub and Slack are pulled
concurrently with it. A source that fails is recorded and the others still land. Each source
also reports the users its records name (``ingest.people``), from the answers it already has,
so that the bundle's people directory is built as a file pull's is.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor

import msgspec
import pandas as pd

from ingest.clients import Clients, RetryLog, RetryPolicy
from ingest.config import Config
from ingest.errors import PostmortemError
from ingest.people import Identity
from ingest.progress import Progress
from ingest.schema import concat
from ingest.times import parse_duration
from ingest.types import Incident, Window
from timeline.assemble import Finishing, SourceOutcome, assemble
from timeline.bundle import Bundle
from timeline.milestones import parse_marks
from timeline.pull.files import FilePull

Job = Callable[[], Iterator[pd.DataFrame]]


def pull_live(
    ref: str,
    request: FilePull,
    *,
    progress: Progress | None = None,
    environ: Mapping[str, str] | None = None,
    clients: Clients | None = None,
    incident: Incident | None = None,
    policy: RetryPolicy | None = None,
) -> Bundle:
    """Pull incident ``ref`` (an ID or number) from the live APIs and assemble its bundle.

    ``clients`` are the run's clients (an export shares one set across its incidents); None
    builds a set for this pull (with ``environ`` and ``policy``) and closes it at the end.
    ``incident`` is the incident as ``list_incidents`` already gave it, so it is not fetched
    again; None fetches it.
    """
    if clients is None:
        own = Clients(request.config, environ=environ, policy=policy or RetryPolicy())
        with own:
            return pull_live(ref, request, progress=progress, clients=own, incident=incident)
    from ingest.pagerduty import live as pagerduty_api
    from ingest.slack import live as slack_api

    config = request.config
    progress = progress or Progress()
    marks = parse_marks({**config.marks, **request.marks}, tz=request.tz)
    log = _RetryLogToProgress(progress=progress)
    if incident is None:
        with clients.log.also_to(log):
            incident = pagerduty_api.fetch_incident(
                clients.pagerduty, ref, severity_map=config.pagerduty.severity_map
            )
    incident = incident.updated(title=request.title, severity=request.severity)
    window, warnings = live_window(incident, request, config)
    jobs = _jobs(clients, config, incident, window, progress)
    with ThreadPoolExecutor(max_workers=len(jobs)) as pool:
        futures = {
            name: pool.submit(_run, name, job, progress, clients.log, log)
            for name, job in jobs.items()
        }
        outcomes = [futures[name].result() for name in jobs]

    def permalinks(refs: list[str]) -> dict[str, str]:
        with clients.log.also_to(log):
            return slack_api.permalinks(clients.slack, refs)

    def retries() -> dict[str, dict[str, float]]:
        return {
            source: {"count": len(log.of(source)), "seconds": round(sum(log.of(source)), 3)}
            for source in jobs
        }

    slack_pulled = any(o.name == "slack" and o.status != "skipped" for o in outcomes)
    exact = config.slack.exact_permalinks and slack_pulled
    return assemble(
        outcomes,
        window=window,
        incident=incident,
        config=config,
        marks=marks,
        warnings=warnings,
        now=request.now,
        finishing=Finishing(
            permalinks=permalinks if exact else None,
            earlier_incidents=request.earlier_incidents,
            retries=retries,
        ),
    )


class _Job(msgspec.Struct):
    """What one source's worker runs (None: skipped, ``skip`` says why), and the users the
    records it reads name, filled in as it runs."""

    label: str
    run: Job | None
    skip: str = ""
    people: list[Identity] = msgspec.field(default_factory=list)


def _jobs(
    clients: Clients, config: Config, incident: Incident, window: Window, progress: Progress
) -> dict[str, _Job]:
    """What each source's worker runs, or why it is skipped."""
    from ingest.github import live as github_api
    from ingest.pagerduty import live as pagerduty_api
    from ingest.slack import live as slack_api

    pagerduty = _Job(f"incident {incident.id} (API)", None)
    pagerduty.run = lambda: pagerduty_api.pull_pagerduty(
        clients.pagerduty, incident, window, progress, identities=pagerduty.people
    )
    jobs = {"pagerduty": pagerduty}
    github_settings = config.github
    github = _Job("repositories (API)", None, "no repositories configured: set github.repos")
    if github_settings.repos or github_settings.services:
        github.run = lambda: github_api.pull_github(
            clients.github,
            github_settings,
            window,
            progress,
            service=incident.service,
            identities=github.people,
        )
    jobs["github"] = github
    slack_settings = config.slack
    slack = _Job("channels (API)", None, "no channels configured: set slack.channels")
    if slack_settings.channels or slack_settings.channel_template or slack_settings.comms_channels:
        slack.run = lambda: slack_api.pull_slack(
            clients.slack,
            slack_settings,
            window,
            progress,
            incident=incident,
            people=slack_api.SlackPeople(identities=slack.people),
        )
    jobs["slack"] = slack
    return jobs


class _RetryLogToProgress(RetryLog, kw_only=True):
    """Every wait before a retry also shows in the progress display."""

    progress: Progress

    def record(self, source: str, status: int, seconds: float) -> None:
        super().record(source, status, seconds)
        self.progress.retry(source, seconds)


def live_window(incident: Incident, request: FilePull, config: Config) -> tuple[Window, list[str]]:
    """First trigger minus the lookback to the resolve plus the lookahead; now if unresolved."""
    warnings: list[str] = []
    lookback = parse_duration(config.window.lookback, what="window.lookback")
    lookahead = parse_duration(config.window.lookahead, what="window.lookahead")
    start = request.since or incident.created_at - lookback
    end = request.until
    if end is None:
        resolved = incident.resolved_at
        if resolved is None:
            end = request.now
            warnings.append(
                f"incident {incident.id} is not resolved; "
                f"the window ends now ({end:%Y-%m-%d %H:%M} UTC)"
            )
        else:
            end = resolved + lookahead
    return Window(start, end), warnings


def _run(
    name: str, job: _Job, progress: Progress, run_log: RetryLog, pull_log: RetryLog
) -> SourceOutcome:
    label = job.label
    if job.run is None:
        progress.finish(name, job.skip)
        return SourceOutcome(name, label, status="skipped", error=job.skip)
    try:
        with run_log.also_to(pull_log):
            frame = concat(job.run())
    except PostmortemError as e:
        progress.finish(name, str(e))
        return SourceOutcome(name, label, status="failed", error=str(e))
    progress.finish(name)
    counts = dict(progress.sources[name].counts) if name in progress.sources else {}
    return SourceOutcome(name, label, frame=frame, counts=counts, people=job.people)
