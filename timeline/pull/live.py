"""Pulling an incident live by its PagerDuty ID: the three APIs at once, then the same bundle.

PagerDuty is required (it says what the incident is and when); GitHub and Slack are pulled
concurrently with it. A source that fails is recorded and the others still land.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pandas as pd

from ingest.clients import Clients, RetryLog, RetryPolicy
from ingest.config import Config, parse_duration
from ingest.errors import PostmortemError
from ingest.progress import Progress
from ingest.schema import concat
from ingest.types import Window
from timeline.assemble import IncidentFacts, SourceOutcome, assemble
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
    incident: Mapping[str, Any] | None = None,
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

    config = request.config
    progress = progress or Progress()
    marks = parse_marks({**config.marks, **request.marks})
    log = _RetryLogToProgress(progress)
    with clients.log.also_to(log):
        if incident is None:
            incident = pagerduty_api.fetch_incident(
                clients.pagerduty, ref, severity_map=config.pagerduty.severity_map
            )
    incident = dict(incident)
    window, warnings = live_window(incident, request, config)
    jobs = _jobs(clients, config, incident, window, progress)
    with ThreadPoolExecutor(max_workers=len(jobs)) as pool:
        futures = {
            name: pool.submit(_run, name, label, job, skip, progress, clients.log, log)
            for name, (label, job, skip) in jobs.items()
        }
        outcomes = [futures[name].result() for name in jobs]

    bundle = assemble(
        outcomes,
        window=window,
        incident=IncidentFacts(
            id=str(incident["id"]),
            title=str(incident.get("title") or ""),
            severity=str(incident.get("severity") or ""),
            url=str(incident.get("url") or ""),
            service=str(incident.get("service") or ""),
            resolved_at=incident.get("resolved_at"),
        ),
        config=config,
        marks=marks,
        warnings=warnings,
        now=request.now,
    )
    slack_pulled = any(o.name == "slack" and o.status != "skipped" for o in outcomes)
    if config.slack.exact_permalinks and slack_pulled:
        from ingest.slack import live as slack_api

        with clients.log.also_to(log):
            _exact_permalinks(bundle, lambda refs: slack_api.permalinks(clients.slack, refs))
    bundle.summary["retries"] = {
        source: {"count": len(log.of(source)), "seconds": round(sum(log.of(source)), 3)}
        for source in jobs
    }
    return bundle


def _jobs(
    clients: Clients,
    config: Config,
    incident: Mapping[str, Any],
    window: Window,
    progress: Progress,
) -> dict[str, tuple[str, Job | None, str]]:
    """What each source's worker runs, or why it is skipped."""
    from ingest.github import live as github_api
    from ingest.pagerduty import live as pagerduty_api
    from ingest.slack import live as slack_api

    jobs: dict[str, tuple[str, Job | None, str]] = {
        "pagerduty": (
            f"incident {incident['id']} (API)",
            lambda: pagerduty_api.pull_pagerduty(clients.pagerduty, incident, window, progress),
            "",
        )
    }
    github_settings = config.github
    if github_settings.repos or github_settings.services:
        jobs["github"] = (
            "repositories (API)",
            lambda: github_api.pull_github(
                clients.github,
                github_settings,
                window,
                progress,
                service=str(incident.get("service") or ""),
            ),
            "",
        )
    else:
        jobs["github"] = (
            "repositories (API)",
            None,
            "no repositories configured: set github.repos",
        )
    slack_settings = config.slack
    if slack_settings.channels or slack_settings.channel_template or slack_settings.comms_channels:
        jobs["slack"] = (
            "channels (API)",
            lambda: slack_api.pull_slack(
                clients.slack, slack_settings, window, progress, incident=incident
            ),
            "",
        )
    else:
        jobs["slack"] = ("channels (API)", None, "no channels configured: set slack.channels")
    return jobs


class _RetryLogToProgress(RetryLog):
    """Every wait before a retry also shows in the progress display."""

    def __init__(self, progress: Progress) -> None:
        super().__init__()
        self.progress = progress

    def record(self, source: str, status: int, seconds: float) -> None:
        super().record(source, status, seconds)
        self.progress.retry(source, seconds)


def live_window(
    incident: Mapping[str, Any], request: FilePull, config: Config
) -> tuple[Window, list[str]]:
    """First trigger minus the lookback to the resolve plus the lookahead; now if unresolved."""
    warnings: list[str] = []
    lookback = parse_duration(config.window.lookback, what="window.lookback")
    lookahead = parse_duration(config.window.lookahead, what="window.lookahead")
    start = request.since or incident["created_at"] - lookback
    end = request.until
    if end is None:
        resolved = incident.get("resolved_at")
        if resolved is None:
            end = request.now
            warnings.append(
                f"incident {incident['id']} is not resolved; "
                f"the window ends now ({end:%Y-%m-%d %H:%M} UTC)"
            )
        else:
            end = resolved + lookahead
    return Window(start, end), warnings


def _run(
    name: str,
    label: str,
    job: Job | None,
    skip: str,
    progress: Progress,
    run_log: RetryLog,
    pull_log: RetryLog,
) -> SourceOutcome:
    if job is None:
        progress.finish(name, skip)
        return SourceOutcome(name, label, status="skipped", error=skip)
    try:
        with run_log.also_to(pull_log):
            frame = concat(job())
    except PostmortemError as e:
        progress.finish(name, str(e))
        return SourceOutcome(name, label, status="failed", error=str(e))
    progress.finish(name)
    counts = dict(progress.sources[name].counts) if name in progress.sources else {}
    return SourceOutcome(name, label, frame=frame, counts=counts)


def _exact_permalinks(bundle: Bundle, fetch: Callable[[list[str]], dict[str, str]]) -> None:
    """Replace built permalinks of key Slack rows by the ones Slack gives (one call each)."""
    frame = bundle.frame
    rows = frame["key"] & (frame["source"] == "slack")
    if not rows.any():
        return
    try:
        exact = fetch(list(frame.loc[rows, "ref"]))
    except PostmortemError as e:
        bundle.summary["warnings"].append(f"permalinks: {e}; built links kept")
        return
    found = frame.loc[rows, "ref"].map(exact)
    frame.loc[found.dropna().index, "url"] = found.dropna()
