"""The scheduled export: the real PagerDuty client over HTTPS against the fake API, bundles and
the archive written to a temporary folder. Nothing here patches a client."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from ingest.config import config_from_mapping
from ingest.errors import PostmortemError
from render.markdown import render_markdown
from tests.fakes import PAGERDUTY_TEST_TOKEN
from tests.fakes import pagerduty as pd_fake
from timeline.cli import main
from timeline.export.archive import read_incidents
from timeline.export.run import (
    LOCK_FILE,
    STATE_FILE,
    ExportBusyError,
    ExportRequest,
    export_incidents,
    export_lock,
    read_state,
)

ROOT = Path(__file__).resolve().parents[3]
ENVIRON = {"PAGERDUTY_API_TOKEN": PAGERDUTY_TEST_TOKEN}
SINCE, UNTIL = "2026-10-10T00:00:00Z", "2026-10-20T00:00:00Z"
SEVERITY_MAP = {"P1": "SEV-1", "P2": "SEV-2", "P3": "SEV-3", "urgency:high": "SEV-2"}
BUNDLE_FILES = {"events.parquet", "events.csv", "summary.json", "timeline.md"}


def add(
    fake,
    number: int,
    *,
    day: int,
    priority: str | None = "P1",
    service: str = "checkout",
    resolved_day: int | None = None,
    title: str = "",
) -> str:
    """An incident opened on October ``day`` 10:00, resolved an hour later (or on
    ``resolved_day``), with trigger, acknowledge and resolve log entries."""
    incident_id = f"PEX{number:04d}"
    opened = f"2026-10-{day:02d}T10:00:00Z"
    resolved = f"2026-10-{resolved_day or day:02d}T11:00:00Z"
    fake.add_incident(
        pd_fake.incident(
            incident_id,
            number,
            created_at=opened,
            resolved_at=resolved,
            priority=priority,
            service_name=service,
            title=title or f"Incident {number}",
        ),
        log_entries=[
            pd_fake.log_entry(
                f"Q{number}T", incident_id, created_at=f"2026-10-{day:02d}T10:01:00Z"
            ),
            pd_fake.log_entry(
                f"Q{number}A",
                incident_id,
                created_at=f"2026-10-{day:02d}T10:05:00Z",
                type="acknowledge_log_entry",
            ),
            pd_fake.log_entry(
                f"Q{number}R", incident_id, created_at=resolved, type="resolve_log_entry"
            ),
        ],
    )
    return incident_id


def settings(fake, ca_bundle_path: str) -> dict:
    return {
        "pagerduty": {
            "base_url": fake.origin,
            "ca_bundle": ca_bundle_path,
            "timeout": 5,
            "severity_map": SEVERITY_MAP,
        }
    }


def write_config(tmp_path: Path, fake, ca_bundle_path: str) -> Path:
    pagerduty = settings(fake, ca_bundle_path)["pagerduty"]
    mapping = ", ".join(f'"{k}" = "{v}"' for k, v in SEVERITY_MAP.items())
    path = tmp_path / "postmortem.toml"
    path.write_text(
        f'[pagerduty]\nbase_url = "{pagerduty["base_url"]}"\nca_bundle = "{ca_bundle_path}"\n'
        f"timeout = 5.0\nseverity_map = {{ {mapping} }}\n[export]\nconcurrency = 2\n"
    )
    return path


def request(fake, ca_bundle_path, out: Path, **kwargs) -> ExportRequest:
    return ExportRequest(
        out_dir=out,
        since=pd.Timestamp(kwargs.pop("since", SINCE)),
        until=pd.Timestamp(kwargs.pop("until", UNTIL)),
        config=config_from_mapping(settings(fake, ca_bundle_path)),
        **kwargs,
    )


def render(bundle) -> dict[str, str]:
    return {"timeline.md": render_markdown(bundle.frame, bundle.summary.to_json())}


def run(req: ExportRequest):
    return export_incidents(req, render=render, environ=ENVIRON)


def total(request) -> bool:
    """The one-record request that asks how many incidents the list holds."""
    return request.arg("total") == "true" and request.arg("limit") == "1"


def pulled(fake) -> set[str]:
    """Incidents whose log entries were fetched (one pull each)."""
    return {r.path.split("/")[2] for r in fake.requests_to("/log_entries")}


def cli(*args: str):
    return CliRunner().invoke(main, ["export", *args], env=ENVIRON)


# -- selection --------------------------------------------------------------------------------


def test_only_incidents_resolved_in_range_of_chosen_severities(
    fake_pagerduty, ca_bundle_path, tmp_path
):
    sev1 = add(fake_pagerduty, 1, day=12)
    add(fake_pagerduty, 2, day=13, priority="P3")  # SEV-3: not asked for
    by_urgency = add(fake_pagerduty, 3, day=14, priority=None)  # urgency:high -> SEV-2
    add(fake_pagerduty, 4, day=21)  # resolved after --until
    add(fake_pagerduty, 5, day=8)  # opened and resolved before the range
    long_open = add(fake_pagerduty, 6, day=1, resolved_day=11)  # opened before, resolved in it
    report = run(
        request(fake_pagerduty, ca_bundle_path, tmp_path / "out", severities=("sev-1", "SEV-2"))
    )
    assert [(o.id, o.incident.severity, o.status) for o in report.outcomes] == [
        (long_open, "SEV-1", "exported"),
        (sev1, "SEV-1", "exported"),
        (by_urgency, "SEV-2", "exported"),
    ]
    listing = fake_pagerduty.requests_to("/incidents")[0]
    assert listing.path == "/incidents"
    assert listing.args("statuses[]") == ["resolved"]
    # Listed by creation time from export.max_age (30 days) before --resolved-since.
    assert (listing.arg("since"), listing.arg("until")) == ("2026-09-10T00:00:00Z", UNTIL)


def test_listing_follows_pagination(fake_pagerduty, ca_bundle_path, tmp_path):
    ids = [add(fake_pagerduty, n, day=11 + n % 8) for n in range(1, 131)]
    report = run(request(fake_pagerduty, ca_bundle_path, tmp_path / "out", dry_run=True))
    assert sorted(o.id for o in report.outcomes) == sorted(ids)
    pages = [r for r in fake_pagerduty.requests if r.path == "/incidents" and not total(r)]
    assert [r.arg("offset") for r in pages] == ["0", "100"]


# -- once each, state, force, dry run ----------------------------------------------------------


def test_two_consecutive_exports_export_each_incident_once(
    fake_pagerduty, ca_bundle_path, tmp_path
):
    ids = [add(fake_pagerduty, n, day=10 + n) for n in (1, 2, 3)]
    out = tmp_path / "out"
    first = run(request(fake_pagerduty, ca_bundle_path, out, concurrency=3))
    assert [o.status for o in first.outcomes] == ["exported"] * 3
    assert pulled(fake_pagerduty) == set(ids)
    fake_pagerduty.reset_log()
    second = run(request(fake_pagerduty, ca_bundle_path, out))
    assert [o.status for o in second.outcomes] == ["skipped"] * 3
    assert pulled(fake_pagerduty) == set()
    for incident_id in ids:
        assert {p.name for p in (out / incident_id).iterdir()} == BUNDLE_FILES
    state = read_state(out)
    assert sorted(state["exported"]) == ids
    assert state["exported"][ids[0]]["resolved_at"] == "2026-10-11T11:00:00Z"
    assert list(read_incidents(out / "archive")["id"]) == ids


def test_force_pulls_again_and_keeps_one_archive_row_each(fake_pagerduty, ca_bundle_path, tmp_path):
    ids = [add(fake_pagerduty, n, day=10 + n) for n in (1, 2)]
    out = tmp_path / "out"
    run(request(fake_pagerduty, ca_bundle_path, out))
    fake_pagerduty.reset_log()
    report = run(request(fake_pagerduty, ca_bundle_path, out, force=True))
    assert [o.status for o in report.outcomes] == ["exported", "exported"]
    assert pulled(fake_pagerduty) == set(ids)
    assert list(read_incidents(out / "archive")["id"]) == ids


def test_dry_run_lists_and_writes_nothing(fake_pagerduty, ca_bundle_path, tmp_path):
    add(fake_pagerduty, 1, day=11)
    add(fake_pagerduty, 2, day=12)
    config = write_config(tmp_path, fake_pagerduty, ca_bundle_path)
    out = tmp_path / "out"
    result = cli(
        "--resolved-since",
        SINCE,
        "--until",
        UNTIL,
        "--out",
        str(out),
        "--config",
        str(config),
        "--dry-run",
    )
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        "would export PEX0001    SEV-1    resolved 2026-10-11 11:00  Incident 1",
        "would export PEX0002    SEV-1    resolved 2026-10-12 11:00  Incident 2",
        "2 incidents resolved in the range: 2 pending",
    ]
    assert not out.exists()
    assert pulled(fake_pagerduty) == set()


SECRET = "xoxb-123456789012-123456789012-abcdefghijklmnopqrstuvwx"


def test_a_secret_in_an_incident_title_is_never_printed(fake_pagerduty, ca_bundle_path, tmp_path):
    exported = add(fake_pagerduty, 1, day=11, title=f"Checkout down, token {SECRET} leaked")
    failing = add(fake_pagerduty, 2, day=12, title=f"Login down {SECRET}")
    fake_pagerduty.fail_next(1, 404, path=f"/incidents/{failing}/log_entries")
    config = write_config(tmp_path, fake_pagerduty, ca_bundle_path)
    out = tmp_path / "out"
    args = ("--resolved-since", SINCE, "--until", UNTIL, "--out", str(out), "--config", str(config))

    planned = cli(*args, "--dry-run")
    result = cli(*args)

    assert planned.exit_code == 0, planned.output
    assert result.exit_code == 3, result.output
    for printed in (planned.stdout, planned.stderr, result.stdout, result.stderr):
        assert "xoxb-" not in printed
    assert "would export PEX0001" in planned.stdout and "[REDACTED" in planned.stdout
    exported_line = next(line for line in result.stdout.splitlines() if exported in line)
    assert exported_line.startswith("exported PEX0001")
    summary = json.loads((out / exported / "summary.json").read_text())
    assert exported_line.endswith(summary["incident"]["title"])  # printed from the bundle
    assert "xoxb-" not in (out / exported / "timeline.md").read_text()
    partial_line = next(line for line in result.stdout.splitlines() if failing in line)
    assert partial_line.startswith(f"partial  {failing}") and "[REDACTED" in partial_line


# -- failures ------------------------------------------------------------------------------


def test_a_failing_source_gives_exit_3_a_partial_bundle_and_the_others_land(
    fake_pagerduty, ca_bundle_path, tmp_path
):
    ids = [add(fake_pagerduty, n, day=10 + n) for n in (1, 2, 3)]
    fake_pagerduty.fail_next(1, 404, path="/incidents/PEX0002/log_entries")
    config = write_config(tmp_path, fake_pagerduty, ca_bundle_path)
    out = tmp_path / "out"
    args = ("--resolved-since", SINCE, "--until", UNTIL, "--out", str(out), "--config", str(config))
    result = cli(*args)
    assert result.exit_code == 3
    assert "partial  PEX0002    SEV-1    resolved 2026-10-12 11:00  Incident 2" in (
        result.stdout.splitlines()
    )
    assert (
        result.stdout.splitlines()[-1] == "3 incidents resolved in the range: 2 exported, 1 partial"
    )
    assert sorted(p.name for p in out.iterdir() if not p.name.startswith(".")) == [
        *ids,
        "archive",
    ]
    state = read_state(out)
    assert sorted(state["exported"]) == ids
    assert state["exported"][ids[1]]["complete"] is False

    fake_pagerduty.reset_log()
    again = cli(*args)
    assert again.exit_code == 0, again.output
    assert pulled(fake_pagerduty) == {ids[1]}  # only the partial one is pulled again
    assert read_state(out)["exported"][ids[1]]["complete"] is True


def test_a_failed_source_makes_a_partial_bundle_that_the_next_run_retries(
    fake_pagerduty, ca_bundle_path, tmp_path
):
    incident_id = add(fake_pagerduty, 1, day=11)
    fake_pagerduty.fail_next(1, 403, path=f"/incidents/{incident_id}/alerts")
    out = tmp_path / "out"
    report = run(request(fake_pagerduty, ca_bundle_path, out))
    assert [o.status for o in report.outcomes] == ["partial"] and report.incomplete
    summary = json.loads((out / incident_id / "summary.json").read_text())
    assert summary["sources"][0]["status"] == "failed"
    assert read_state(out)["exported"][incident_id]["complete"] is False
    assert read_incidents(out / "archive")["status_pagerduty"].tolist() == ["failed"]
    again = run(request(fake_pagerduty, ca_bundle_path, out))
    assert [o.status for o in again.outcomes] == ["exported"] and not again.incomplete
    assert read_incidents(out / "archive")["status_pagerduty"].tolist() == ["ok"]


def test_bad_resolved_since_is_a_usage_error():
    result = cli("--resolved-since", "yesterday-ish")
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [
        "Error: Invalid value for '--resolved-since': 'yesterday-ish' is neither a duration ago "
        "(90m, 24h, 7d) nor a time with a zone (2026-10-14T00:00:00Z, '2026-10-14 02:00 PDT')"
    ]


# -- lock and crash safety -----------------------------------------------------------------


def test_a_second_export_on_the_same_folder_is_refused(fake_pagerduty, ca_bundle_path, tmp_path):
    add(fake_pagerduty, 1, day=11)
    out = tmp_path / "out"
    config = write_config(tmp_path, fake_pagerduty, ca_bundle_path)
    with export_lock(out):
        with pytest.raises(ExportBusyError, match="another export is running on this folder"):
            run(request(fake_pagerduty, ca_bundle_path, out))
        result = cli(
            "--resolved-since", SINCE, "--until", UNTIL, "--out", str(out), "--config", str(config)
        )
        assert result.exit_code == 1
        assert result.stderr.splitlines()[0] == (
            f"Error: {out}: another export is running on this folder (process {os.getpid()}, "
            f"lock {LOCK_FILE}); wait for it to finish or give another --out"
        )
    assert pulled(fake_pagerduty) == set()
    assert [o.status for o in run(request(fake_pagerduty, ca_bundle_path, out)).outcomes] == [
        "exported"
    ]


def test_a_run_killed_after_its_first_bundle_leaves_no_half_bundle_and_the_rerun_completes(
    fake_pagerduty, ca_bundle_path, tmp_path
):
    ids = [add(fake_pagerduty, n, day=10 + n) for n in range(1, 7)]
    fake_pagerduty.latency = 0.1  # slow enough that the kill lands mid-run
    config = write_config(tmp_path, fake_pagerduty, ca_bundle_path)
    out = tmp_path / "out"
    args = [
        "--resolved-since",
        SINCE,
        "--until",
        UNTIL,
        "--out",
        str(out),
        "--config",
        str(config),
        "--concurrency",
        "1",
        "--quiet",
    ]
    code = f"from timeline.cli.export import export; export({args!r})"
    child = subprocess.Popen(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**os.environ, **ENVIRON, "PYTHONPATH": str(ROOT)},
    )
    try:
        deadline = time.monotonic() + 60
        while not any(out.glob("PEX*")):
            assert child.poll() is None, "the export ended before it could be killed"
            assert time.monotonic() < deadline, "no bundle appeared"
            time.sleep(0.005)
        child.send_signal(signal.SIGKILL)
    finally:
        child.wait()
    assert child.returncode == -signal.SIGKILL

    for bundle in out.glob("PEX*"):
        assert {p.name for p in bundle.iterdir()} == BUNDLE_FILES, bundle
    done = set(read_state(out)["exported"])  # the state file parses (or is absent)
    assert done < set(ids)

    fake_pagerduty.latency = 0
    fake_pagerduty.reset_log()
    result = CliRunner().invoke(main, ["export", *args], env=ENVIRON)
    assert result.exit_code == 0, result.output
    assert pulled(fake_pagerduty) == set(ids) - done
    assert sorted(read_state(out)["exported"]) == ids
    assert sorted(p.name for p in out.glob("PEX*")) == ids
    assert sorted(read_incidents(out / "archive")["id"]) == ids
    assert [p.name for p in out.iterdir() if p.name.endswith((".tmp", ".old"))] == []


# -- archive and the skeleton ----------------------------------------------------------------


def test_archive_rows_events_and_earlier_incidents_section(
    fake_pagerduty, ca_bundle_path, tmp_path
):
    first = add(fake_pagerduty, 1, day=11)
    add(fake_pagerduty, 2, day=12, service="search")
    second = add(fake_pagerduty, 3, day=15)
    out = tmp_path / "out"
    run(request(fake_pagerduty, ca_bundle_path, out, until="2026-10-14T00:00:00Z"))
    run(request(fake_pagerduty, ca_bundle_path, out))

    table = read_incidents(out / "archive")
    row = table.set_index("id").loc[first]
    assert (row["service"], row["severity"], row["bundle"]) == ("checkout", "SEV-1", first)
    assert row["time_to_acknowledge"] == 240.0 and row["time_to_resolve"] == 3540.0
    assert row["detected_at"] == pd.Timestamp("2026-10-11T10:01:00Z")
    assert (row["status_pagerduty"], row["status_github"]) == ("ok", "skipped")
    events = pd.read_parquet(out / "archive" / "events")
    assert events.groupby("incident", observed=True).size().to_dict() == {
        first: 3,
        "PEX0002": 3,
        second: 3,
    }

    text = (out / second / "timeline.md").read_text()
    assert "## Earlier incidents on this service" in text
    assert (
        f"| 2026-10-11 10:00:00 | [{first}](../{first}/timeline.md): Incident 1 | SEV-1 | "
        "not recorded |"
    ) in text
    assert "PEX0002" not in text  # another service
    summary = json.loads((out / second / "summary.json").read_text())
    assert [e["id"] for e in summary["earlier_incidents"]] == [first]
    assert "Earlier incidents" not in (out / first / "timeline.md").read_text()


def test_a_damaged_state_file_is_named_with_what_to_do(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / STATE_FILE).write_text('{"version": 1, "exported": {')
    with pytest.raises(PostmortemError) as caught:
        read_state(out)
    assert str(caught.value).startswith(f"{out / STATE_FILE}: the export state cannot be read")
    assert str(caught.value).endswith("move it away to export everything again")
