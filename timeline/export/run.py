"""The scheduled export: every PagerDuty incident resolved in a range, of chosen severities,
pulled live once into its own bundle, and added to the archive.

The output folder holds the bundles (``OUT/ID/``), the archive (``OUT/archive/``), a state file
(``OUT/.export-state.json``) recording what was exported and when, the journal of the run in
progress (``OUT/.export-journal.jsonl``, see timeline.export.state) and a lock file
(``OUT/.export.lock``). Every write is atomic or an appended line, so a run killed at any point
leaves complete bundles and a readable state, and the next run exports exactly what is not
recorded as done. A second export on the same folder while one runs stops with
:class:`ExportBusyError`.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from pathlib import Path
from typing import TYPE_CHECKING, Any

import msgspec
import pandas as pd
from msgspec.structs import replace

from ingest.config import Config
from ingest.errors import PostmortemError, UsageError
from ingest.redact import redact_text
from ingest.times import parse_duration, to_iso
from ingest.types import Incident
from timeline.bundle import Bundle, folder_name, write_bundle
from timeline.export.archive import (
    clean_staging,
    earlier_incidents,
    incident_row,
    write_events,
)
from timeline.export.state import STATE_FILE as STATE_FILE  # re-exported for callers
from timeline.export.state import RunRecord, compact, read_state

LOCK_FILE = ".export.lock"
ARCHIVE_DIR = "archive"

if TYPE_CHECKING:
    from ingest.clients import Clients, RetryPolicy

# Renders a pulled bundle into the documents written beside its data ({"timeline.md": text}).
Render = Callable[[Bundle], Mapping[str, str]]


class ExportBusyError(PostmortemError):
    """Another export holds the output folder's lock."""


class ExportRequest(msgspec.Struct):
    """What ``postmortem export`` is asked for; the command line fills it."""

    out_dir: Path
    since: pd.Timestamp  # resolved at or after
    until: pd.Timestamp  # resolved before
    severities: tuple[str, ...] = ()  # empty: every severity
    config: Config = msgspec.field(default_factory=Config)
    force: bool = False
    dry_run: bool = False
    concurrency: int | None = None  # None: config export.concurrency
    archive_dir: Path | None = None  # None: OUT/archive
    now: pd.Timestamp = msgspec.field(default_factory=lambda: pd.Timestamp.now(tz="UTC"))

    @property
    def archive(self) -> Path:
        return self.archive_dir or self.out_dir / ARCHIVE_DIR


class IncidentOutcome(msgspec.Struct):
    """What became of one listed incident.

    ``status``: ``exported``; ``partial`` (bundle written, a source failed); ``failed`` (no
    bundle, ``error`` says why); ``skipped`` (exported before); ``pending`` (a dry run).
    ``incident`` is the redacted incident: from its bundle when one was written, else as
    listed with its title through the same redaction. Print only this.
    """

    incident: Incident
    status: str
    path: str = ""
    error: str = ""

    @property
    def id(self) -> str:
        return self.incident.id


class ExportReport(msgspec.Struct):
    outcomes: list[IncidentOutcome]

    def count(self, status: str) -> int:
        return sum(1 for o in self.outcomes if o.status == status)

    @property
    def incomplete(self) -> bool:
        """True when an incident failed or a bundle is partial (exit code 3)."""
        return any(o.status in ("failed", "partial") for o in self.outcomes)


def export_incidents(
    request: ExportRequest,
    *,
    render: Render,
    environ: Mapping[str, str] | None = None,
    on_outcome: Callable[[IncidentOutcome], None] | None = None,
    policy: RetryPolicy | None = None,
) -> ExportReport:
    """List the incidents resolved in ``[since, until)`` of the chosen severities and export
    each one not exported before (all of them with ``force``), at most ``concurrency`` at once.

    The run builds one set of clients (with ``environ`` and the retry ``policy``), shared by
    the list and every incident, and closes it at the end.

    A failure of one incident is recorded (state file and outcome) and the others go on. A dry
    run lists and reads the state but writes nothing and takes no lock. ``on_outcome`` is
    called (in this thread) as each incident finishes.
    """
    from ingest.clients import DEFAULT_POLICY, Clients

    with Clients(request.config, environ=environ, policy=policy or DEFAULT_POLICY) as clients:
        return _export(request, render, clients, on_outcome)


def _export(
    request: ExportRequest,
    render: Render,
    clients: Clients,
    on_outcome: Callable[[IncidentOutcome], None] | None,
) -> ExportReport:
    concurrency = request.concurrency or request.config.export.concurrency
    if concurrency < 1:
        raise UsageError(f"--concurrency {concurrency}: give 1 or more")
    if request.since >= request.until:
        since, until = to_iso(request.since), to_iso(request.until)
        raise UsageError(f"--resolved-since {since} is not before --until {until}")
    listed = resolved_incidents(request, clients=clients)
    if request.dry_run:
        state = read_state(request.out_dir)
        return ExportReport([_planned(i, state, request.force, "pending") for i in listed])
    with export_lock(request.out_dir):
        clean_staging(request.out_dir)
        clean_staging(request.archive)
        compact(request.out_dir, request.archive)  # what a killed run left in its journal
        record = RunRecord(request.out_dir, request.archive)
        planned = [_planned(i, record.state, request.force, "") for i in listed]
        outcomes = [o for o in planned if o.status == "skipped"]
        for outcome in outcomes:
            _notify(on_outcome, outcome)
        todo = {o.id: i for o, i in zip(planned, listed, strict=True) if o.status != "skipped"}
        try:
            with ThreadPoolExecutor(max_workers=concurrency) as pool:
                running: dict[Future, Incident] = {
                    pool.submit(_export_one, info, request, render, clients, record): info
                    for info in todo.values()
                }
                while running:
                    done, _ = wait(running, return_when=FIRST_COMPLETED)
                    for future in done:
                        info = running.pop(future)
                        outcome = _record(future, info, record)
                        outcomes.append(outcome)
                        _notify(on_outcome, outcome)
        finally:
            compact(request.out_dir, request.archive)
    order = {i.id: n for n, i in enumerate(listed)}
    return ExportReport(sorted(outcomes, key=lambda o: order[o.id]))


def resolved_incidents(request: ExportRequest, *, clients: Clients) -> list[Incident]:
    """The incidents resolved in ``[since, until)`` whose severity was asked for, oldest
    resolve first, with their titles redacted (nothing unredacted is handed on).

    PagerDuty filters the list by creation time, so incidents opened from ``export.max_age``
    before ``since`` up to ``until`` are listed (status resolved) and filtered here.
    """
    from ingest.pagerduty import live as pagerduty_api

    config = request.config
    max_age = parse_duration(config.export.max_age, what="export.max_age")
    listed = list(
        pagerduty_api.list_incidents(
            clients.pagerduty,
            since=request.since - max_age,
            until=request.until,
            statuses=("resolved",),
            severity_map=config.pagerduty.severity_map,
        )
    )
    wanted = {s.strip().casefold() for s in request.severities if s.strip()}
    chosen = []
    for incident in listed:
        resolved = incident.resolved_at
        if resolved is None or not (request.since <= resolved < request.until):
            continue
        severity = severity_of(incident, config.pagerduty.severity_map)
        if wanted and severity.casefold() not in wanted:
            continue
        title, _ = redact_text(incident.title, config.redaction)
        chosen.append(replace(incident, severity=severity, title=title))
    return sorted(chosen, key=lambda i: (i.resolved_at, i.id))


def severity_of(incident: Incident, severity_map: Mapping[str, str]) -> str:
    """The incident's severity: its priority through ``pagerduty.severity_map``, else its
    urgency (``urgency:high``), itself mapped when the map names it (``"urgency:high" =
    "SEV-2"``)."""
    return str(severity_map.get(incident.severity, incident.severity))


# -- state and lock ---------------------------------------------------------------------------


@contextlib.contextmanager
def export_lock(out_dir: Path) -> Iterator[None]:
    """Hold the output folder's lock (an advisory ``flock``, which the system releases when
    the holder dies, so a killed run never blocks the next); ExportBusyError if taken."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / LOCK_FILE
    handle = open(path, "a+", encoding="utf-8")  # noqa: SIM115 - held for the whole block
    try:
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "unknown"
            raise ExportBusyError(
                f"{out_dir}: another export is running on this folder (process {holder}, "
                f"lock {LOCK_FILE}); wait for it to finish or give another --out"
            ) from None
        handle.seek(0)
        handle.truncate()
        handle.write(str(os.getpid()))
        handle.flush()
        yield
    finally:
        handle.close()  # closing releases the lock


# -- one incident ---------------------------------------------------------------------------


def _export_one(
    listed: Incident,
    request: ExportRequest,
    render: Render,
    clients: Clients,
    record: RunRecord,
) -> tuple[Path, dict[str, Any], Bundle]:
    """Pull (with the run's clients, from the incident as listed: it is not fetched again),
    render and write one incident's bundle and its archived events."""
    from timeline.pull.files import FilePull
    from timeline.pull.live import pull_live

    def earlier(incident: Incident, _detected: pd.Timestamp | None) -> list[dict[str, Any]]:
        return earlier_incidents(
            request.archive,
            incident.service,
            listed.created_at,
            relative_to=request.out_dir / folder_name(incident.id, incident.title),
            table=record.incidents(),
        )

    pull = FilePull(
        specs=[],
        config=request.config,
        severity=listed.severity,
        earlier_incidents=earlier,
        now=request.now,
    )
    bundle = pull_live(listed.id, pull, clients=clients, incident=listed)
    path = write_bundle(bundle, request.out_dir, render(bundle))
    write_events(request.archive, listed.id, bundle.frame)
    row = incident_row(
        bundle.summary,
        bundle=Path(os.path.relpath(path.resolve(), request.archive.resolve().parent)).as_posix(),
        exported_at=pd.Timestamp.now(tz="UTC"),
        created_at=listed.created_at,
        resolved_at=listed.resolved_at,
    )
    return path, row, bundle


def _record(future: Future, listed: Incident, record: RunRecord) -> IncidentOutcome:
    """Journal a finished incident, its state and archive row (in the calling thread)."""
    incident_id = listed.id
    now = to_iso(pd.Timestamp.now(tz="UTC"))
    try:
        path, row, bundle = future.result()
    except Exception as e:  # noqa: BLE001 - one incident's failure must not stop the others
        error = str(e) if isinstance(e, PostmortemError) else f"{type(e).__name__}: {e}"
        record.failed(incident_id, {"at": now, "error": error})
        return IncidentOutcome(listed, "failed", error=error)
    partial = bundle.summary.partial
    entry = {
        "at": now,
        "bundle": row["bundle"],
        "resolved_at": to_iso(listed.resolved_at),
        "complete": not partial,
    }
    record.exported(incident_id, entry, row)
    # What is shown is the bundle's incident (redacted there), with the listing's resolve time.
    shown = bundle.summary.incident.updated(resolved_at=listed.resolved_at)
    return IncidentOutcome(shown, "partial" if partial else "exported", path=str(path))


def _planned(
    incident: Incident, state: Mapping[str, Any], force: bool, todo: str
) -> IncidentOutcome:
    done = state["exported"].get(incident.id)
    # A partial bundle is tried again: the failed source may answer this time.
    if done and done.get("complete", True) and not force:
        return IncidentOutcome(incident, "skipped", path=str(done.get("bundle") or ""))
    return IncidentOutcome(incident, todo)


def _notify(callback: Callable[[IncidentOutcome], None] | None, outcome: IncidentOutcome) -> None:
    if callback is not None:
        callback(outcome)
