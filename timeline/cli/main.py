"""The command line: parse options, load config, call one library function, write the result.

Heavy modules (pandas, the API clients) are imported inside the commands so that
``postmortem --help`` stays fast.

Exit codes: 0 done; 1 an error (one line on stderr, nothing written); 2 bad usage;
3 partial (a bundle was written and some source failed: summary.json says which and why).
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import click

from timeline.cli.common import (
    EXIT_ERROR,
    EXIT_PARTIAL,
    OneLineErrorGroup,
    config_option,
    one_line_errors,
    started,
    template_option,
)
from timeline.cli.params import DATE, MARK, TIME, ZONE

TIME_FORMS = (
    "ISO 8601 or a written date and time, with an offset (Z, +02:00, UTC+2) or a zone "
    "abbreviation (PDT, CEST, BST); times without one take --tz"
)


@click.group(cls=OneLineErrorGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="postmortem-timeline")
def main() -> None:
    """Pull incident artifacts into one UTC timeline and a hindsight-free postmortem skeleton."""


@main.command()
@click.argument("incident", required=False)
@click.option(
    "--from",
    "sources",
    multiple=True,
    metavar="[FORMAT:]PATH",
    help="An exported artifact: Slack export (ZIP or folder), PagerDuty or GitHub JSON, "
    "CSV/JSONL table, or raw notes. Repeatable. FORMAT is one of slack-export, "
    "pagerduty, github, table, notes; detected when omitted.",
)
@click.option("--example", is_flag=True, help="Pull the example incident shipped with the tool.")
@click.option(
    "--since",
    type=TIME,
    metavar="TIME",
    help=f"Window start: {TIME_FORMS}. Default: first alert - lookback.",
)
@click.option(
    "--until",
    type=TIME,
    metavar="TIME",
    help="Window end, like --since. Default: resolve + lookahead.",
)
@click.option(
    "--tz",
    type=ZONE,
    is_eager=True,
    metavar="ZONE",
    help="IANA zone (Europe/Berlin) or offset (+02:00) for times written without a zone "
    "(options, tables, notes). A zone written with a time always wins.",
)
@click.option(
    "--date",
    "on_date",
    type=DATE,
    metavar="YYYY-MM-DD",
    help="Date for notes that give only times.",
)
@click.option("--channel", "channels", multiple=True, help="Slack channel to read (repeatable).")
@click.option("--slack-workspace-url", help="e.g. https://acme.slack.com, to build permalinks.")
@click.option(
    "--mark",
    "marks",
    multiple=True,
    type=MARK,
    metavar="NAME=TIME",
    help="Author mark for a milestone (impact_start, detected, acknowledged, escalated, "
    "mitigated, resolved, first_comms); marks always win.",
)
@click.option("--id", "incident_id", help="Incident ID for the bundle folder and header.")
@click.option("--title", help="Incident title.")
@click.option("--severity", help="Incident severity, e.g. SEV-1.")
@click.option(
    "--out",
    "out_dir",
    type=click.Path(path_type=Path),
    default=Path("postmortems"),
    show_default=True,
    help="Folder that receives the bundle folder.",
)
@config_option()
@template_option
@click.option("--quiet", "-q", is_flag=True, help="No progress or result lines on stderr/stdout.")
@one_line_errors
def pull(
    incident: str | None,
    sources: tuple[str, ...],
    example: bool,
    since: Any,
    until: Any,
    tz: Any,
    on_date: Any,
    channels: tuple[str, ...],
    slack_workspace_url: str | None,
    marks: tuple[tuple[str, Any], ...],
    incident_id: str | None,
    title: str | None,
    severity: str | None,
    out_dir: Path,
    config_path: Path | None,
    template_dir: Path | None,
    quiet: bool,
) -> None:
    """Pull one incident into a bundle: from files (--from), the example, or live by ID.

    \b
    Examples:
      postmortem pull --example
      postmortem pull --from slack-export.zip --from pd-log-entries.json \\
                      --from deployments.json --from notes.txt --tz America/New_York
      postmortem pull PT4KHLK          (live, tokens from the environment)
    """
    from ingest.config import load_config
    from ingest.errors import UsageError
    from ingest.files import parse_spec
    from timeline.pull.files import EXAMPLE_DIR, FilePull, example_specs, pull_files

    started()
    if not (sources or example or incident):
        raise UsageError("nothing to pull: give an incident ID, --from FILE or --example")
    if example and config_path is None:
        config_path = EXAMPLE_DIR / "postmortem.toml"
    config = load_config(config_path)
    request = FilePull(
        specs=(example_specs() if example else []) + [parse_spec(s) for s in sources],
        config=config,
        since=since,
        until=until,
        tz=tz,
        date=on_date,
        channels=channels,
        workspace_url=slack_workspace_url or "",
        incident_id=incident_id or "",
        title=title or "",
        severity=severity or "",
        marks=dict(marks),
        earlier_incidents=_earlier_incidents(out_dir),
    )
    if incident and not request.specs:
        from timeline.pull.live import pull_live

        with _progress_display(quiet) as progress:
            bundle = pull_live(incident, request, progress=progress)
    else:
        bundle = pull_files(request)
    path = _write(bundle, out_dir, template_dir)
    if not quiet:
        _report(bundle, path)
    if bundle.summary.partial:
        sys.exit(EXIT_PARTIAL)


@main.command()
@click.argument("bundle_dir", metavar="BUNDLE", type=click.Path(path_type=Path, file_okay=False))
@click.option(
    "--audience",
    type=click.Choice(["internal", "public"]),
    default="internal",
    show_default=True,
    help="public renders roles or stable aliases instead of names.",
)
@click.option("--format", "fmt", type=click.Choice(["md", "html"]), default="md", show_default=True)
@click.option(
    "--output",
    "-o",
    type=click.Path(path_type=Path, dir_okay=False),
    help="File to write; default BUNDLE/draft-AUDIENCE.md or .html.",
)
@config_option("for the roster of roles")
@template_option
@one_line_errors
def draft(
    bundle_dir: Path,
    audience: str,
    fmt: str,
    output: Path | None,
    config_path: Path | None,
    template_dir: Path | None,
) -> None:
    """Re-render a pulled bundle as a draft without pulling again.

    \b
    Examples:
      postmortem draft postmortems/PXM2K7Q
      postmortem draft postmortems/PXM2K7Q --audience public --format html
    """
    from ingest.config import load_config
    from render.audience import for_audience
    from timeline.bundle import read_bundle, write_atomically

    started()
    config = load_config(config_path)
    bundle = read_bundle(bundle_dir)
    frame, summary = for_audience(
        bundle.frame, bundle.summary.to_json(), audience=audience, roster=config.roster
    )
    if fmt == "html":
        from render.html import render_html

        text = render_html(frame, summary, template_dir=template_dir)
    else:
        from render.markdown import render_markdown

        text = render_markdown(frame, summary, template_dir=template_dir)
    target = output or bundle_dir / f"draft-{audience}.{fmt}"
    write_atomically(target, text)
    click.echo(f"Wrote {target}")


@main.command()
@click.argument("draft_path", metavar="DRAFT", type=click.Path(path_type=Path, dir_okay=False))
@click.option(
    "--bundle",
    "bundle_dir",
    type=click.Path(path_type=Path, file_okay=False),
    help="Cross-check times, refs and milestones against this bundle.",
)
@click.option(
    "--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True
)
@config_option("for extra redaction patterns")
@one_line_errors
def review(draft_path: Path, bundle_dir: Path | None, fmt: str, config_path: Path | None) -> None:
    """Check a postmortem draft against the blameless rubric (and the bundle).

    Exit 0 when there is no error-level finding; 1 when there is one, or the draft or bundle
    cannot be read; 2 on bad usage. A postmortems repository can run it in CI.

    \b
    Example:
      postmortem review my-postmortem.md --bundle postmortems/PXM2K7Q
    """
    from ingest.config import load_config
    from timeline.bundle import read_bundle
    from timeline.review.check import format_findings, has_errors, read_draft, review_draft

    started()
    config = load_config(config_path)
    text = read_draft(draft_path)
    bundle = read_bundle(bundle_dir) if bundle_dir else None
    findings = review_draft(text, bundle, redaction=config.redaction)
    click.echo(format_findings(findings, fmt, path=str(draft_path)))
    if has_errors(findings):
        sys.exit(EXIT_ERROR)


def _earlier_incidents(out_dir: Path) -> Any:
    """When OUT holds an export archive, the skeleton lists the service's earlier incidents."""
    archive = out_dir / "archive"
    if not (archive / "incidents.parquet").exists():
        return None

    def earlier(incident: Any, detected: Any) -> list[dict[str, Any]]:
        from timeline.bundle import folder_name
        from timeline.export.archive import earlier_incidents

        return earlier_incidents(
            archive,
            incident.service,
            detected if detected is not None else incident.window.start,
            relative_to=out_dir / folder_name(incident.id, incident.title),
        )

    return earlier


def _write(bundle: Any, out_dir: Path, template_dir: Path | None) -> Path:
    from render.markdown import render_markdown
    from timeline.bundle import TIMELINE_MD, write_bundle

    def documents() -> dict[str, str]:  # rendered while the events files are written
        summary = bundle.summary.to_json()
        return {TIMELINE_MD: render_markdown(bundle.frame, summary, template_dir=template_dir)}

    return write_bundle(bundle, out_dir, documents)


def _report(bundle: Any, path: Path) -> None:
    """What the pull made, from the bundle as written (redacted)."""
    from ingest.times.durations import format_duration

    summary = bundle.summary
    counts = summary.counts
    click.echo(f"Wrote {path} ({counts.events} events, {counts.key_events} key rows)")
    for source in summary.sources:
        detail = source.error if source.status != "ok" else f"{source.events} events"
        click.echo(f"  {source.name:<10} {source.status:<8} {detail}")
    click.echo("Gaps:")
    for name, seconds in (summary.gaps or {}).items():
        click.echo(f"  {name:<26} {format_duration(seconds, unknown='unknown (TK)')}")
    if summary.redactions:
        total = sum(r["count"] for r in summary.redactions)
        click.echo(f"Redacted {total} secrets or personal data; see timeline.md to rotate them.")
    if summary.warnings:
        click.echo(f"{len(summary.warnings)} warnings in summary.json.")


@contextlib.contextmanager
def _progress_display(quiet: bool) -> Iterator[Any]:
    """Per-source pages, events and retry waits on stderr: live with rich on a terminal, plain
    lines (one per finished source) otherwise, nothing with --quiet."""
    from ingest.progress import Progress

    def line(name: str, state: Any) -> str:
        status = f"failed: {state.failed}" if state.failed else ("done" if state.done else "...")
        retries = "retry" if state.retries == 1 else "retries"
        waited = ""
        if state.retries:
            waited = f", {state.retries} {retries} ({state.waited:.1f} s waited)"
        old = state.counts.get("old_threads", 0)
        threads = f", {old} older thread{'s' if old != 1 else ''}" if old else ""
        return f"{name:<10} {state.pages} pages, {state.events} events{threads}{waited}  {status}"

    if quiet:
        yield Progress()
        return
    if not sys.stderr.isatty():

        class Plain(Progress):
            def changed(self, source: str) -> None:
                state = self.sources[source]
                if state.done:
                    click.echo(line(source, state), err=True)

        yield Plain()
        return

    from rich.console import Console
    from rich.live import Live
    from rich.text import Text

    class Rich(Progress):
        live: Any = None

        def render(self) -> Text:
            return Text("\n".join(line(n, s) for n, s in sorted(self.sources.items())))

        def changed(self, source: str) -> None:
            if self.live is not None:
                self.live.update(self.render())

    display = Rich()
    with Live(display.render(), console=Console(stderr=True), refresh_per_second=8) as live:
        display.live = live
        yield display
        live.update(display.render())


from timeline.cli.export import export, stats  # noqa: E402

main.add_command(export)
main.add_command(stats)

if __name__ == "__main__":  # pragma: no cover
    main()
