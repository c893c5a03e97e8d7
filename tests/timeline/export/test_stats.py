"""Cross-incident figures, checked against medians and percentiles computed by hand."""

from __future__ import annotations

import csv
import io
import json

import pandas as pd
import pytest
from click.testing import CliRunner

from ingest.errors import UsageError
from timeline.cli.export import stats as stats_command
from timeline.export.archive import INCIDENT_COLUMNS, upsert_incidents
from timeline.export.stats import compute_stats, format_stats, recurrences

GAP_NAMES = [name for name, dtype in INCIDENT_COLUMNS.items() if dtype == "float64"]


def incident(incident_id: str, service: str, severity: str, opened: str, **gaps: float) -> dict:
    record = {name: None for name in INCIDENT_COLUMNS}
    record.update(
        id=incident_id,
        title=incident_id,
        service=service,
        severity=severity,
        url="",
        created_at=opened,
        events=1,
        bundle=incident_id,
        exported_at="2026-12-01T00:00:00Z",
        **gaps,
    )
    return record


@pytest.fixture
def archive(tmp_path):
    """checkout: time_to_mitigate 60, 120, 300, 600 and one unknown; opened on Sep 1, 10, 25
    (three in 30 days), Oct 30 and Nov 5. search: one incident (100 s), Sep 1, 40 days apart
    from its next (Oct 11)."""
    upsert_incidents(
        tmp_path,
        [
            incident(
                "C1",
                "checkout",
                "SEV-1",
                "2026-09-01T10:00:00Z",
                time_to_mitigate=60.0,
                time_to_acknowledge=30.0,
            ),
            incident("C2", "checkout", "SEV-2", "2026-09-10T10:00:00Z", time_to_mitigate=120.0),
            incident("C3", "checkout", "SEV-1", "2026-09-25T10:00:00Z", time_to_mitigate=300.0),
            incident("C4", "checkout", "SEV-2", "2026-10-30T10:00:00Z", time_to_mitigate=600.0),
            incident("C5", "checkout", "SEV-2", "2026-11-05T10:00:00Z"),
            incident("S1", "search", "SEV-1", "2026-09-01T12:00:00Z", time_to_mitigate=100.0),
            incident("S2", "search", "SEV-2", "2026-10-11T12:00:00Z"),
        ],
    )
    return tmp_path


def by_group(figures: dict) -> dict:
    return {g["group"]: g for g in figures["groups"]}


def test_median_and_90th_percentile_per_service(archive):
    groups = by_group(compute_stats(archive, by="service"))
    checkout = groups["checkout"]
    assert checkout["incidents"] == 5
    # Known: 60, 120, 300, 600. Median (120 + 300) / 2 = 210. p90: rank 0.9 * 3 = 2.7 ->
    # 300 + 0.7 * (600 - 300) = 510.
    assert checkout["gaps"]["time_to_mitigate"] == {"n": 4, "median": 210.0, "p90": 510.0}
    assert checkout["gaps"]["time_to_acknowledge"] == {"n": 1, "median": 30.0, "p90": 30.0}
    assert checkout["gaps"]["time_to_detect"] == {"n": 0, "median": None, "p90": None}
    assert groups["search"]["gaps"]["time_to_mitigate"] == {"n": 1, "median": 100.0, "p90": 100.0}
    assert (checkout["recurring"], groups["search"]["recurring"]) == (True, False)


def test_by_severity_and_month_and_since(archive):
    severity = by_group(compute_stats(archive, by="severity"))
    # SEV-1: 60, 300, 100 -> median 100; p90 rank 1.8 -> 100 + 0.8 * (300 - 100) = 260.
    assert severity["SEV-1"]["gaps"]["time_to_mitigate"] == {"n": 3, "median": 100.0, "p90": 260.0}
    assert severity["SEV-2"]["incidents"] == 4
    month = by_group(compute_stats(archive, by="month"))
    assert {k: v["incidents"] for k, v in month.items()} == {
        "2026-09": 4,
        "2026-10": 2,
        "2026-11": 1,
    }
    since = compute_stats(archive, by="service", since=pd.Timestamp("2026-10-01T00:00:00Z"))
    assert since["incidents"] == 3
    assert by_group(since)["checkout"]["gaps"]["time_to_mitigate"]["median"] == 600.0
    assert since["recurring"] == []  # two checkout incidents left: not three


def test_recurrence_is_three_incidents_on_a_service_within_30_days(archive):
    figures = compute_stats(archive)
    assert figures["recurring"] == [
        {
            "service": "checkout",
            "incidents": 3,
            "from": "2026-09-01T10:00:00Z",
            "to": "2026-09-25T10:00:00Z",
        }
    ]
    spaced = pd.DataFrame(
        {
            "service": ["a", "a", "a"],
            "created_at": pd.to_datetime(
                ["2026-01-01T00:00:00Z", "2026-01-16T00:00:00Z", "2026-01-31T00:00:01Z"], utc=True
            ),
        }
    )
    assert recurrences(spaced) == []  # the third opens one second past 30 days
    spaced.loc[2, "created_at"] = pd.Timestamp("2026-01-31T00:00:00Z")
    assert recurrences(spaced)[0]["incidents"] == 3


def test_csv_and_json_carry_the_same_figures(archive):
    figures = compute_stats(archive)
    rows = list(csv.DictReader(io.StringIO(format_stats(figures, "csv"))))
    assert [r["service"] for r in rows] == ["checkout", "search"]
    assert (rows[0]["incidents"], rows[0]["recurring"]) == ("5", "true")
    assert (
        rows[0]["time_to_mitigate_n"],
        rows[0]["time_to_mitigate_median_s"],
        rows[0]["time_to_mitigate_p90_s"],
    ) == ("4", "210", "510")
    assert rows[0]["time_to_detect_median_s"] == ""
    assert json.loads(format_stats(figures, "json")) == figures


def test_table_shows_durations_and_the_recurring_flag(archive):
    lines = format_stats(compute_stats(archive), "table").splitlines()
    assert lines[0].startswith("7 incidents, by service;")
    assert "checkout: 5 incidents  RECURRING" in lines
    assert "  time_to_mitigate              4          3m 30s          8m 30s" in lines
    assert "  checkout: 3 incidents from 2026-09-01T10:00:00Z to 2026-09-25T10:00:00Z" in lines


def test_unknown_grouping_and_format_are_usage_errors(archive):
    with pytest.raises(UsageError, match="--by 'team': choose one of service, severity, month"):
        compute_stats(archive, by="team")
    with pytest.raises(UsageError, match="choose one of table, csv, json"):
        format_stats(compute_stats(archive), "xml")


def test_stats_command_reads_an_export_folder(archive, tmp_path):
    export_folder = tmp_path / "export"
    (export_folder / "archive").mkdir(parents=True)
    for path in archive.glob("*.parquet"):
        (export_folder / "archive" / path.name).write_bytes(path.read_bytes())
    result = CliRunner().invoke(
        stats_command,
        [
            str(export_folder),
            "--by",
            "severity",
            "--format",
            "json",
            "--since",
            "2026-10-01T00:00:00Z",
        ],
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["incidents"] == 3
    missing = CliRunner().invoke(stats_command, [str(tmp_path / "empty")])
    assert missing.exit_code == 2
    assert missing.stderr.splitlines()[0] == (
        f"Error: {tmp_path / 'empty'}: no archive here (no incidents.parquet); give the --out "
        "folder of 'postmortem export' or its archive folder"
    )
