"""The command line: exit codes, the exact first line of each error, and nothing half-written."""

import json
import shutil
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from timeline.cli import main
from timeline.pull.files import EXAMPLE_DIR

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"


def run(*args):
    return CliRunner().invoke(main, list(args))


def first_error_line(result):
    return result.stderr.splitlines()[0]


def test_example_pull_writes_a_complete_bundle(tmp_path):
    result = run("pull", "--example", "--out", str(tmp_path))
    assert result.exit_code == 0, result.output
    bundle = tmp_path / "PXM2K7Q"
    assert f"Wrote {bundle}" in result.stdout
    assert "time_to_mitigate" in result.stdout
    assert sorted(p.name for p in bundle.iterdir()) == [
        "events.csv",
        "events.parquet",
        "summary.json",
        "timeline.md",
    ]
    summary = json.loads((bundle / "summary.json").read_text())
    assert {s["name"]: s["status"] for s in summary["sources"]} == {
        "pagerduty": "ok",
        "github": "ok",
        "slack": "ok",
        "notes": "ok",
    }
    assert summary["milestones"]["detected"]["evidence"] == "observed"
    assert summary["milestones"]["mitigated"]["evidence"] == "inferred"
    assert summary["gaps"]["time_to_mitigate"] > 0
    assert any(r["kind"] == "slack_token" for r in summary["redactions"])
    assert any("edited after mitigation" in w for w in summary["warnings"])
    frame = pd.read_parquet(bundle / "events.parquet")
    assert frame["ts"].is_monotonic_increasing
    assert (frame["ref"] != "").all()
    assert (frame["kind"] == "alert.other").any()
    markdown = (bundle / "timeline.md").read_text()
    for section in (
        "## Key timestamps",
        "## Gaps",
        "## Timeline",
        "## Quiet periods",
        "Where we got lucky",
        "TK — author to confirm",
    ):
        assert section in markdown


def test_planted_token_is_in_no_file_of_the_bundle(tmp_path):
    planted = [
        line
        for line in (EXAMPLE_DIR / "slack-export").rglob("*.json")
        if "xoxb-" in line.read_text()
    ]
    assert planted, "the example plants a fake Slack token"
    run("pull", "--example", "--out", str(tmp_path))
    for path in (tmp_path / "PXM2K7Q").iterdir():
        assert b"EXAMPLEfakeT0kenNotReal" not in path.read_bytes(), path.name


def test_files_with_marks_and_explicit_window(tmp_path):
    example = EXAMPLE_DIR
    result = run(
        "pull",
        "--from",
        f"pagerduty:{example / 'pagerduty-log-entries.json'}",
        "--from",
        str(example / "github-deployments.json"),
        "--from",
        str(example / "notes.txt"),
        "--mark",
        "mitigated=2026-10-14T11:00:00-04:00",
        "--since",
        "2026-10-14T13:00:00Z",
        "--until",
        "2026-10-14T17:00:00Z",
        "--id",
        "INC-2231",
        "--out",
        str(tmp_path),
    )
    assert result.exit_code == 0, result.output
    summary = json.loads((tmp_path / "INC-2231" / "summary.json").read_text())
    assert summary["milestones"]["mitigated"] == {
        "at": "2026-10-14T15:00:00Z",
        "evidence": "observed",
        "ref": "author mark",
        "rule": "author mark",
    }
    assert summary["incident"]["window"] == {
        "start": "2026-10-14T13:00:00Z",
        "end": "2026-10-14T17:00:00Z",
    }


def assert_fails_cleanly(result, tmp_path, code, first_line):
    assert result.exit_code == code, result.output
    assert first_error_line(result) == first_line
    assert "Traceback" not in result.output
    assert list(tmp_path.iterdir()) == [] if tmp_path.exists() else True


@pytest.fixture
def out(tmp_path):
    path = tmp_path / "out"
    return path


def test_truncated_json(tmp_path, out):
    bad = tmp_path / "pd.json"
    bad.write_text('{"log_entries": [{"id": "R1", "type": "trigger_log_entry"')
    result = run("pull", "--from", str(bad), "--out", str(out))
    assert result.exit_code == 1
    assert first_error_line(result).startswith(f"Error: {bad}:1: not valid JSON at column")
    assert not out.exists()


def test_unknown_format(tmp_path, out):
    bad = tmp_path / "dump.bin"
    bad.write_bytes(b"\x00\x01")
    result = run("pull", "--from", str(bad), "--out", str(out))
    assert_fails_cleanly(
        result,
        out,
        1,
        f"Error: {bad}: an unknown file type '.bin'; name the format as --from FORMAT:{bad} "
        "with FORMAT one of slack-export, pagerduty, github, table, notes",
    )


def test_missing_file(tmp_path, out):
    result = run("pull", "--from", str(tmp_path / "nope.json"), "--out", str(out))
    assert_fails_cleanly(
        result,
        out,
        1,
        f"Error: {tmp_path / 'nope.json'}: file not found; check the path given to --from",
    )


def test_naive_time_in_a_table(tmp_path, out):
    table = tmp_path / "events.csv"
    table.write_text("time,event\n2026-10-14 14:31:00,alert fired\n")
    result = run("pull", "--from", str(table), "--out", str(out))
    assert result.exit_code == 1
    line = first_error_line(result)
    assert line.startswith(f"Error: {table}:2:")
    assert "--tz" in line
    assert not out.exists()


def test_unknown_zone_abbreviation_in_notes(tmp_path, out):
    notes = tmp_path / "notes.txt"
    notes.write_text("2026-10-14\nAlert fired at 10:31 XYZT.\n")
    result = run("pull", "--from", str(notes), "--out", str(out))
    assert result.exit_code == 1
    line = first_error_line(result)
    assert line.startswith(f"Error: {notes}:2:")
    assert "XYZT" in line
    assert not out.exists()


def test_nothing_to_pull_is_usage():
    result = run("pull")
    assert result.exit_code == 2
    assert first_error_line(result) == (
        "Error: nothing to pull: give an incident ID, --from FILE or --example"
    )


def test_slack_export_zip_and_channel_option(tmp_path):
    archive = shutil.make_archive(str(tmp_path / "export"), "zip", EXAMPLE_DIR / "slack-export")
    result = run(
        "pull",
        "--from",
        archive,
        "--channel",
        "inc-2231-checkout-5xx",
        "--slack-workspace-url",
        "https://acme.slack.com",
        "--since",
        "2026-10-14T14:00:00Z",
        "--until",
        "2026-10-14T16:00:00Z",
        "--title",
        "Checkout errors",
        "--out",
        str(tmp_path / "out"),
    )
    assert result.exit_code == 0, result.output
    frame = pd.read_parquet(tmp_path / "out" / "Checkout-errors" / "events.parquet")
    assert set(frame["channel"]) == {"#inc-2231-checkout-5xx"}
    assert frame["url"].str.startswith("https://acme.slack.com/archives/").all()


def test_review_of_a_good_draft_exits_0():
    result = run("review", str(FIXTURES / "drafts" / "good.md"))
    assert result.exit_code == 0, result.output


def test_review_of_the_raw_skeleton_lists_open_tk_markers_and_exits_1(tmp_path):
    run("pull", "--example", "--out", str(tmp_path))
    bundle = tmp_path / "PXM2K7Q"
    result = run("review", str(bundle / "timeline.md"), "--bundle", str(bundle), "--format", "json")
    assert result.exit_code == 1
    report = json.loads(result.stdout)
    rules = {f["rule"] for f in report["findings"]}
    assert "tk-open" in rules
    # The skeleton agrees with its own bundle: no time or milestone mismatch.
    assert not rules & {"timeline-time-mismatch", "key-time-mismatch"}


def test_review_of_a_missing_draft(tmp_path):
    result = run("review", str(tmp_path / "draft.md"))
    assert result.exit_code == 1
    assert first_error_line(result).startswith("Error: ")
    assert "draft.md" in first_error_line(result)


def test_draft_of_a_non_bundle(tmp_path):
    result = run("draft", str(tmp_path))
    assert result.exit_code == 1
    assert first_error_line(result) == (
        f"Error: {tmp_path}: not a bundle (no events.parquet); give a folder written by "
        "'postmortem pull'"
    )


def test_pull_into_an_export_folder_lists_earlier_incidents_of_the_service(tmp_path):
    from timeline.export.archive import incident_row, upsert_incidents
    from timeline.summary import Summary

    earlier = {
        "incident": {
            "id": "PEARLY1",
            "title": "Checkout latency",
            "severity": "SEV-2",
            "url": "",
            "service": "checkout-api",
            "window": {"start": "2026-09-30T10:00:00Z", "end": "2026-09-30T12:00:00Z"},
        },
        "milestones": {
            name: {"at": None, "evidence": "unknown", "ref": "", "rule": ""}
            for name in (
                "impact_start",
                "detected",
                "acknowledged",
                "escalated",
                "mitigated",
                "resolved",
                "first_comms",
            )
        },
        "gaps": {"time_to_mitigate": 1500.0},
        "sources": [],
        "counts": {"events": 0},
    }
    row = incident_row(
        Summary.from_json(earlier),
        bundle="out/PEARLY1",
        exported_at=pd.Timestamp("2026-10-01T00:00:00Z"),
        created_at=pd.Timestamp("2026-09-30T10:30:00Z"),
    )
    upsert_incidents(tmp_path / "out" / "archive", [row])
    result = run("pull", "--example", "--out", str(tmp_path / "out"))
    assert result.exit_code == 0, result.output
    summary = json.loads((tmp_path / "out" / "PXM2K7Q" / "summary.json").read_text())
    assert [e["id"] for e in summary["earlier_incidents"]] == ["PEARLY1"]
    markdown = (tmp_path / "out" / "PXM2K7Q" / "timeline.md").read_text()
    assert "Earlier incidents on this service" in markdown
    assert "Checkout latency" in markdown
