"""Bad usage of any option exits 2 with one line naming the option; a zone written in a time
beats --tz, which only fills in for times written without one."""

import json

import pytest
from click.testing import CliRunner

from timeline.cli import main

KNOWN = "impact_start, detected, acknowledged, escalated, mitigated, resolved, first_comms"


def run(*args):
    return CliRunner().invoke(main, list(args))


def assert_usage(result, line):
    assert result.exit_code == 2, result.output
    assert result.stderr.splitlines() == [line]
    assert "Traceback" not in result.output


@pytest.fixture
def table(tmp_path):
    path = tmp_path / "events.csv"
    path.write_text(
        "time,event\n"
        "2024-07-01T09:30:00Z,alert fired\n"
        "2024-07-01 11:45,rollback complete\n"
        "2024-07-01 03:50 PDT,status page updated\n"
    )
    return path


def pulled(tmp_path, table, *args):
    out = tmp_path / "out"
    result = run("pull", "--from", str(table), "--id", "INC-1", "--out", str(out), *args)
    assert result.exit_code == 0, result.output
    summary = json.loads((out / "INC-1" / "summary.json").read_text())
    events = (out / "INC-1" / "events.csv").read_text()
    return summary, events


def test_a_zone_written_in_since_beats_tz(tmp_path, table):
    summary, events = pulled(
        tmp_path,
        table,
        "--since",
        "2024-07-01 02:00 PDT",
        "--until",
        "2024-07-01 14:00 CEST",
        "--tz",
        "Europe/Berlin",
    )
    assert summary["incident"]["window"] == {
        "start": "2024-07-01T09:00:00Z",
        "end": "2024-07-01T12:00:00Z",
    }
    # The naive cell takes --tz (Berlin, UTC+2); the cell that names PDT keeps PDT.
    assert "2024-07-01T09:45:00" in events
    assert "2024-07-01T10:50:00" in events


def test_a_zone_written_in_since_needs_no_tz(tmp_path, table):
    table.write_text("time,event\n2024-07-01T09:30:00Z,alert fired\n")
    summary, _ = pulled(
        tmp_path, table, "--since", "2024-07-01 02:00 PDT", "--until", "Jul 1 2024 5:00 AM PDT"
    )
    assert summary["incident"]["window"] == {
        "start": "2024-07-01T09:00:00Z",
        "end": "2024-07-01T12:00:00Z",
    }


def test_offsets_in_every_written_form(tmp_path, table):
    table.write_text("time,event\n2024-07-01T09:30:00Z,alert fired\n")
    summary, _ = pulled(
        tmp_path,
        table,
        "--since",
        "2024-07-01 11:00 UTC+2",
        "--until",
        "GMT-07:00 2024-07-01 05:00",
    )
    assert summary["incident"]["window"] == {
        "start": "2024-07-01T09:00:00Z",
        "end": "2024-07-01T12:00:00Z",
    }


def test_naive_since_without_tz(tmp_path):
    assert_usage(
        run("pull", "--example", "--since", "2026-10-14 10:00", "--out", str(tmp_path)),
        "Error: Invalid value for '--since': time '2026-10-14 10:00' has no time zone: add an "
        "offset such as 'Z' or '+02:00' or an abbreviation such as PDT, or give --tz",
    )
    assert not any(tmp_path.iterdir())


def test_unreadable_until(tmp_path):
    assert_usage(
        run("pull", "--example", "--until", "after lunch", "--out", str(tmp_path)),
        "Error: Invalid value for '--until': time 'after lunch' is not a time I can read: write "
        "it as YYYY-MM-DD HH:MM with an offset or zone, such as 2024-07-01 09:00Z or 2024-07-01 "
        "02:00 PDT",
    )


def test_unknown_abbreviation_in_since(tmp_path):
    assert_usage(
        run("pull", "--example", "--since", "2026-10-14 10:00 XYZT", "--out", str(tmp_path)),
        "Error: Invalid value for '--since': time '2026-10-14 10:00 XYZT': unknown time zone "
        "abbreviation 'XYZT'; use one of UTC, ET, PT, CET, BST, IST, JST, AEST or an offset such "
        "as +02:00, or an IANA name",
    )


def test_unknown_tz(tmp_path):
    assert_usage(
        run("pull", "--example", "--tz", "Mars/Olympus", "--out", str(tmp_path)),
        "Error: Invalid value for '--tz': unknown time zone 'Mars/Olympus': give an IANA name "
        "such as 'UTC' or 'America/New_York', or an offset such as '+02:00'",
    )


def test_bad_date(tmp_path):
    assert_usage(
        run("pull", "--example", "--date", "2026-02-30", "--out", str(tmp_path)),
        "Error: Invalid value for '--date': date '2026-02-30' is not a date: write it as "
        "YYYY-MM-DD",
    )


def test_date_without_a_year(tmp_path):
    assert_usage(
        run("pull", "--example", "--date", "October 14", "--out", str(tmp_path)),
        "Error: Invalid value for '--date': date 'October 14' is not a full date with day, month "
        "and year: write it as YYYY-MM-DD",
    )


def test_mark_without_equals(tmp_path):
    assert_usage(
        run("pull", "--example", "--mark", "mitigated", "--out", str(tmp_path)),
        "Error: Invalid value for '--mark': 'mitigated': write it as NAME=TIME, e.g. "
        "mitigated=2026-10-14T15:06Z",
    )


def test_mark_with_an_unknown_milestone(tmp_path):
    assert_usage(
        run("pull", "--example", "--mark", "fixed=2026-10-14T15:00:00Z", "--out", str(tmp_path)),
        f"Error: Invalid value for '--mark': 'fixed=2026-10-14T15:00:00Z': unknown milestone "
        f"'fixed'; known milestones: {KNOWN}",
    )
    assert not any(tmp_path.iterdir())


def test_mark_with_a_naive_time_and_no_tz(tmp_path):
    assert_usage(
        run("pull", "--example", "--mark", "mitigated=2026-10-14 11:00", "--out", str(tmp_path)),
        "Error: Invalid value for '--mark': time '2026-10-14 11:00' has no time zone: add an "
        "offset such as 'Z' or '+02:00' or an abbreviation such as PDT, or give --tz",
    )


def test_mark_takes_tz_given_after_it(tmp_path):
    out = tmp_path / "out"
    result = run(
        "pull",
        "--example",
        "--mark",
        "mitigated=2026-10-14 11:00",
        "--tz",
        "America/New_York",
        "--out",
        str(out),
    )
    assert result.exit_code == 0, result.output
    summary = json.loads((out / "PXM2K7Q" / "summary.json").read_text())
    assert summary["milestones"]["mitigated"]["at"] == "2026-10-14T15:00:00Z"


def test_export_resolved_since(tmp_path):
    assert_usage(
        run("export", "--resolved-since", "2026-10-14 10:00", "--out", str(tmp_path)),
        "Error: Invalid value for '--resolved-since': time '2026-10-14 10:00' has no time zone: "
        "add an offset such as 'Z' or '+02:00' or an abbreviation such as PDT, or give --tz",
    )


def test_export_until(tmp_path):
    assert_usage(
        run("export", "--resolved-since", "7d", "--until", "3 fortnights", "--out", str(tmp_path)),
        "Error: Invalid value for '--until': '3 fortnights' is neither a duration ago (90m, 24h, "
        "7d) nor a time with a zone (2026-10-14T00:00:00Z, '2026-10-14 02:00 PDT')",
    )


def test_export_concurrency(tmp_path):
    assert_usage(
        run("export", "--resolved-since", "7d", "--concurrency", "0", "--out", str(tmp_path)),
        "Error: Invalid value for '--concurrency': 0 is not in the range x>=1.",
    )


def test_stats_since(tmp_path):
    assert_usage(
        run("stats", str(tmp_path), "--since", "ninety days"),
        "Error: Invalid value for '--since': 'ninety days' is neither a duration ago (90m, 24h, "
        "7d) nor a time with a zone (2026-10-14T00:00:00Z, '2026-10-14 02:00 PDT')",
    )


def test_unknown_option_is_one_line():
    assert_usage(
        run("pull", "--sinse", "7d"), "Error: No such option '--sinse'. Did you mean '--since'?"
    )


def test_review_bad_format(tmp_path):
    draft = tmp_path / "draft.md"
    draft.write_text("# Draft\n")
    assert_usage(
        run("review", str(draft), "--format", "yaml"),
        "Error: Invalid value for '--format': 'yaml' is not one of 'text', 'json'.",
    )
