"""The incident archive: rows from summaries, atomic upserts, partitioned events, and the
earlier incidents a new skeleton lists."""

from __future__ import annotations

import pandas as pd
import pytest

from ingest.errors import BundleError
from render.markdown import render_markdown
from tests.timeline.factories import events
from timeline.bundle import write_atomically
from timeline.export.archive import (
    INCIDENT_COLUMNS,
    INCIDENTS_FILE,
    clean_staging,
    earlier_incidents,
    incident_row,
    read_incidents,
    upsert_incidents,
    write_events,
)
from timeline.summary import Summary

EXPORTED = pd.Timestamp("2026-11-01T00:00:00Z")


def summary(
    incident_id: str,
    *,
    service: str = "checkout",
    mitigate: float | None = 900.0,
    detected: str = "2026-10-11T10:01:00Z",
) -> dict:
    return {
        "incident": {
            "id": incident_id,
            "title": f"Title {incident_id}",
            "severity": "SEV-1",
            "url": f"https://acme.pagerduty.com/incidents/{incident_id}",
            "service": service,
        },
        "sources": [
            {"name": "pagerduty", "status": "ok", "events": 3, "error": ""},
            {"name": "slack", "status": "failed", "events": 0, "error": "x"},
        ],
        "milestones": {
            "detected": {"at": detected, "evidence": "observed"},
            "resolved": {"at": "2026-10-11T11:00:00Z", "evidence": "observed"},
        },
        "gaps": {"time_to_mitigate": mitigate, "time_to_resolve": 3540.0},
        "counts": {"events": 3},
    }


def row(incident_id: str, opened: str, **kwargs) -> dict:
    return incident_row(
        Summary.from_json(summary(incident_id, **kwargs)),
        bundle=incident_id,
        exported_at=EXPORTED,
        created_at=pd.Timestamp(opened),
    )


def test_incident_row_reads_the_summary():
    got = incident_row(Summary.from_json(summary("P1")), bundle="P1", exported_at=EXPORTED)
    assert set(got) == set(INCIDENT_COLUMNS)
    assert got["created_at"] == pd.Timestamp("2026-10-11T10:01:00Z")  # detected stands in
    assert (got["status_pagerduty"], got["status_github"], got["status_slack"]) == (
        "ok",
        "",
        "failed",
    )
    assert got["time_to_mitigate"] == 900.0 and got["time_to_detect"] is None
    assert got["resolved_at"] == pd.Timestamp("2026-10-11T11:00:00Z")  # the resolved milestone
    unresolved = summary("P1")
    del unresolved["milestones"]["resolved"]
    fallback = incident_row(
        Summary.from_json(unresolved),
        bundle="P1",
        exported_at=EXPORTED,
        resolved_at=pd.Timestamp("2026-10-11T12:00:00Z"),
    )
    assert fallback["resolved_at"] == pd.Timestamp("2026-10-11T12:00:00Z")  # PagerDuty's
    with pytest.raises(BundleError, match="needs an incident ID"):
        incident_row(Summary.from_json({"incident": {}}), bundle="x", exported_at=EXPORTED)


def test_upsert_replaces_by_id_and_keeps_dtypes(tmp_path):
    upsert_incidents(
        tmp_path, [row("P2", "2026-10-12T10:00:00Z"), row("P1", "2026-10-11T10:00:00Z")]
    )
    upsert_incidents(tmp_path, [row("P2", "2026-10-12T10:00:00Z", mitigate=60.0)])
    table = read_incidents(tmp_path)
    assert list(table["id"]) == ["P1", "P2"]  # one row each, oldest first
    assert table.set_index("id").loc["P2", "time_to_mitigate"] == 60.0
    assert dict(table.dtypes) == {k: pd.Series(dtype=v).dtype for k, v in INCIDENT_COLUMNS.items()}
    assert read_incidents(tmp_path / "nothing").empty


def test_events_of_all_incidents_read_as_one_dataset(tmp_path):
    frame = events(
        [
            {
                "ts": "2026-10-11T10:01:00Z",
                "source": "pagerduty",
                "kind": "alert.triggered",
                "ref": "Q1",
            }
        ]
    )
    write_events(tmp_path, "P1", frame)
    write_events(tmp_path, "P2", pd.concat([frame, frame], ignore_index=True))
    together = pd.read_parquet(tmp_path / "events")
    assert together.groupby("incident", observed=True).size().to_dict() == {"P1": 1, "P2": 2}
    assert str(together["ts"].dtype) == "datetime64[ns, UTC]"


def test_a_failed_write_leaves_the_old_file_and_no_temporary(tmp_path):
    upsert_incidents(tmp_path, [row("P1", "2026-10-11T10:00:00Z")])
    before = (tmp_path / INCIDENTS_FILE).read_bytes()

    def half_then_crash(tmp):
        tmp.write_bytes(b"PAR1 half a file")
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        write_atomically(tmp_path / INCIDENTS_FILE, half_then_crash)
    assert (tmp_path / INCIDENTS_FILE).read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == [INCIDENTS_FILE]


def test_clean_staging_removes_only_leftovers(tmp_path):
    (tmp_path / "P1").mkdir()
    (tmp_path / ".P2.abc.tmp").mkdir()
    (tmp_path / ".P1.old").mkdir()
    (tmp_path / ".incidents.parquet.123.tmp").write_text("x")
    part = tmp_path / "events" / "incident=P1"
    part.mkdir(parents=True)
    (part / "events.parquet").write_text("x")
    (part / ".events.parquet.9.tmp").write_text("x")
    assert clean_staging(tmp_path) == 4
    assert sorted(p.name for p in tmp_path.iterdir()) == ["P1", "events"]
    assert [p.name for p in part.iterdir()] == ["events.parquet"]


def test_earlier_incidents_on_the_service_in_the_90_days_before(tmp_path):
    archive = tmp_path / "archive"
    upsert_incidents(
        archive,
        [
            row("POLD", "2026-07-01T10:00:00Z"),  # more than 90 days before
            row("PA", "2026-09-20T10:00:00Z", mitigate=None),
            row("PB", "2026-10-01T10:00:00Z"),
            row("POTHER", "2026-10-02T10:00:00Z", service="search"),
            row("PNOW", "2026-10-11T10:00:00Z"),  # the incident itself: not before
        ],
    )
    found = earlier_incidents(
        archive, "checkout", pd.Timestamp("2026-10-11T10:00:00Z"), relative_to=tmp_path / "PNOW"
    )
    assert [(e["id"], e["date"], e["time_to_mitigate"], e["link"]) for e in found] == [
        ("PA", "2026-09-20T10:00:00Z", None, "../PA/timeline.md"),
        ("PB", "2026-10-01T10:00:00Z", 900.0, "../PB/timeline.md"),
    ]
    assert found[1]["bundle"] == "PB" and found[1]["title"] == "Title PB"
    assert earlier_incidents(archive, "", pd.Timestamp("2026-10-11T10:00:00Z")) == []
    assert (
        earlier_incidents(tmp_path / "none", "checkout", pd.Timestamp("2026-10-11T00:00:00Z")) == []
    )


def test_the_skeleton_lists_earlier_incidents_only_when_there_are_some():
    frame = events(
        [
            {
                "ts": "2026-10-11T10:01:00Z",
                "source": "pagerduty",
                "kind": "alert.triggered",
                "ref": "Q1",
            }
        ]
    )
    base = summary("PNOW")
    assert "Earlier incidents" not in render_markdown(frame, base)
    base["earlier_incidents"] = [
        {
            "id": "PA",
            "title": "Checkout | 5xx",
            "severity": "SEV-2",
            "date": "2026-09-20T10:00:00Z",
            "link": "../PA/timeline.md",
            "time_to_mitigate": 3725.0,
        }
    ]
    text = render_markdown(frame, base)
    assert "## Earlier incidents on this service" in text
    assert (
        "| 2026-09-20 10:00:00 | [PA](../PA/timeline.md): Checkout \\| 5xx | SEV-2 | 1h 02m 05s |"
    ) in text
