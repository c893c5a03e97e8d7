"""The ``export`` and ``stats`` commands, registered on the main group by ``timeline.cli.main``.

Like ``timeline.cli.main`` this is the command-line layer: it parses options, calls one
library function (``export_incidents``, ``compute_stats``) and prints the result.
Heavy modules are imported inside the commands.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from timeline.cli.common import (
    EXIT_PARTIAL,
    config_option,
    one_line_errors,
    started,
    template_option,
)
from timeline.cli.params import AGO_OR_TIME, resolve_ago

F = TypeVar("F", bound=Callable[..., Any])

STATUS_WORDS = {
    "exported": "exported",
    "partial": "partial ",
    "failed": "FAILED  ",
    "skipped": "skipped ",
    "pending": "would export",
}


@click.command()
@click.option(
    "--resolved-since",
    "resolved_since",
    required=True,
    type=AGO_OR_TIME,
    metavar="DURATION|TIME",
    help="Export incidents resolved since then: a duration ago (90m, 24h, 7d, 2w) or a time "
    "with a zone (2026-10-01T00:00:00Z, '2026-10-01 02:00 PDT').",
)
@click.option(
    "--until",
    type=AGO_OR_TIME,
    metavar="DURATION|TIME",
    help="Resolved before this (a duration ago or a time with a zone). Default: now.",
)
@click.option(
    "--severity",
    "severities",
    multiple=True,
    metavar="SEV[,SEV...]",
    help="Severities to export, e.g. SEV-1,SEV-2 (PagerDuty priorities through "
    "pagerduty.severity_map; urgency:high|low for incidents without one). "
    "Repeatable. Default: all.",
)
@click.option(
    "--out",
    "out_dir",
    type=click.Path(path_type=Path, file_okay=False),
    default=Path("postmortems"),
    show_default=True,
    help="Folder of bundles; it also holds the archive, the state and the lock file.",
)
@click.option(
    "--archive",
    "archive_dir",
    type=click.Path(path_type=Path, file_okay=False),
    help="Archive folder. Default: OUT/archive.",
)
@click.option("--force", is_flag=True, help="Pull again incidents exported before.")
@click.option("--dry-run", is_flag=True, help="List what would be exported; write nothing.")
@click.option(
    "--concurrency",
    type=click.IntRange(min=1),
    help="Incidents pulled at once. Default: export.concurrency (4).",
)
@config_option()
@template_option
@click.option("--quiet", "-q", is_flag=True, help="Print only failures.")
@one_line_errors
def export(
    resolved_since: Any,
    until: Any,
    severities: tuple[str, ...],
    out_dir: Path,
    archive_dir: Path | None,
    force: bool,
    dry_run: bool,
    concurrency: int | None,
    config_path: Path | None,
    template_dir: Path | None,
    quiet: bool,
) -> None:
    """Export every PagerDuty incident resolved in a range, once each, into bundles and the
    archive. Exit 3 when an incident failed or a bundle is partial (the others still land).

    \b
    Examples:
      postmortem export --resolved-since 24h --severity SEV-1,SEV-2 --out incidents/
      postmortem export --resolved-since 2026-10-01T00:00:00Z --until 7d --dry-run
    """
    import pandas as pd

    from ingest.config import load_config
    from render.markdown import render_markdown
    from timeline.bundle import TIMELINE_MD
    from timeline.export.run import ExportRequest, export_incidents

    started()
    now = pd.Timestamp.now(tz="UTC")
    request = ExportRequest(
        out_dir=out_dir,
        since=resolve_ago(resolved_since, now),
        until=resolve_ago(until, now) if until is not None else now,
        severities=tuple(s for value in severities for s in value.split(",") if s.strip()),
        config=load_config(config_path),
        force=force,
        dry_run=dry_run,
        concurrency=concurrency,
        archive_dir=archive_dir,
        now=now,
    )

    def render(bundle: Any) -> dict[str, str]:
        return {
            TIMELINE_MD: render_markdown(
                bundle.frame, bundle.summary.to_json(), template_dir=template_dir
            )
        }

    def show(outcome: Any) -> None:
        if quiet and outcome.status not in ("failed", "partial"):
            return
        incident = outcome.incident  # redacted: from the bundle, or listed and redacted
        resolved = incident.resolved_at
        when = resolved.strftime("%Y-%m-%d %H:%M") if resolved is not None else "-"
        line = (
            f"{STATUS_WORDS[outcome.status]} {incident.id:<10} {incident.severity or '-':<8} "
            f"resolved {when}  {incident.title}"
        )
        if outcome.error:
            line += f"\n    {outcome.error}"
        click.echo(line, err=outcome.status == "failed")

    report = export_incidents(request, render=render, on_outcome=None if dry_run else show)
    if dry_run:
        for outcome in report.outcomes:
            show(outcome)
    if not quiet:
        counts = ", ".join(
            f"{report.count(status)} {status}"
            for status in ("exported", "partial", "failed", "skipped", "pending")
            if report.count(status)
        )
        click.echo(f"{len(report.outcomes)} incidents resolved in the range: {counts or 'none'}")
    if report.incomplete:
        sys.exit(EXIT_PARTIAL)


@click.command()
@click.argument("folder", type=click.Path(path_type=Path, file_okay=False))
@click.option(
    "--by",
    type=click.Choice(["service", "severity", "month"]),
    default="service",
    show_default=True,
    help="Group incidents by this.",
)
@click.option(
    "--since",
    type=AGO_OR_TIME,
    metavar="DURATION|TIME",
    help="Only incidents opened since then (a duration ago, e.g. 90d, or a time with a zone).",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "csv", "json"]),
    default="table",
    show_default=True,
)
@one_line_errors
def stats(folder: Path, by: str, since: Any, fmt: str) -> None:
    """Incidents, and the median and 90th percentile of each gap, per group, from the archive
    that 'postmortem export' keeps (FOLDER: its --out folder or the archive itself). Services
    with 3 or more incidents in 30 days are flagged as recurring."""
    import pandas as pd

    from timeline.export.stats import compute_stats, find_archive, format_stats

    started()
    now = pd.Timestamp.now(tz="UTC")
    start = resolve_ago(since, now) if since is not None else None
    figures = compute_stats(find_archive(folder), by=by, since=start)
    click.echo(format_stats(figures, fmt), nl=False)
