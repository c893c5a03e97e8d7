import csv
import json
import os
import threading
import time

import pandas as pd
import pytest

from ingest.errors import BundleError
from ingest.schema import validate
from ingest.types import Incident
from ingest.vocab import GAPS, MILESTONES
from tests.timeline.factories import events
from timeline.bundle import (
    FLUSH_EVERY,
    Bundle,
    _flush_until,
    _flushed,
    folder_name,
    read_bundle,
    write_atomically,
    write_bundle,
)
from timeline.summary import Summary

ROWS = [
    {
        "ts": "2026-10-14T14:31:00.123456Z",
        "source": "slack",
        "kind": "chat.message",
        "ref": "C/1",
        "summary": 'hello, "quoted" | piped',
    },
    {"ts": "2026-10-14T14:32:00Z", "source": "pagerduty", "kind": "alert.triggered", "ref": "T1"},
]


def bundle(title: str = "t"):
    return Bundle(frame=events(ROWS), summary=Summary(incident=Incident(id="PX1", title=title)))


def test_round_trip_keeps_dtypes_and_microseconds(tmp_path):
    path = write_bundle(bundle(), tmp_path, {"timeline.md": "# hi\n"})
    assert path == tmp_path / "PX1"
    assert sorted(p.name for p in path.iterdir()) == [
        "events.csv",
        "events.parquet",
        "summary.json",
        "timeline.md",
    ]
    back = read_bundle(path)
    validate(back.frame)
    assert back.frame["ts"].iloc[0] == pd.Timestamp("2026-10-14T14:31:00.123456Z")
    assert back.summary.incident.id == "PX1"
    csv = (path / "events.csv").read_text()
    assert "2026-10-14T14:31:00.123456Z" in csv


def test_parquet_keeps_statistics_of_times_only_a_dictionary_of_repeated_text_and_raw_hashes(
    tmp_path,
):
    import pyarrow.parquet as pq

    path = write_bundle(bundle(), tmp_path, {"timeline.md": "# hi\n"})
    meta = pq.read_metadata(path / "events.parquet")
    columns = {meta.schema.column(i).name: meta.row_group(0).column(i) for i in range(17)}
    assert meta.num_columns == 17
    assert columns["ts"].is_stats_set and columns["edited_at"].is_stats_set
    assert not columns["summary"].is_stats_set and not columns["raw_sha256"].is_stats_set
    assert "RLE_DICTIONARY" in columns["actor"].encodings
    assert "RLE_DICTIONARY" not in columns["summary"].encodings
    assert not columns["url"].has_dictionary_page and columns["tags"].has_dictionary_page
    assert columns["raw_sha256"].compression == "UNCOMPRESSED"
    assert columns["summary"].compression == columns["actor"].compression == "SNAPPY"


def test_events_csv_holds_every_row_as_text_a_csv_reader_reads_back(tmp_path):
    frame = events(
        [
            *ROWS,
            {
                "ts": "2026-10-14T14:33:00.000001Z",
                "source": "slack",
                "kind": "chat.reply",
                "ref": "C/2",
                "summary": "two\nlines, and a comma",
                "edited_at": "2026-10-14T14:40:00Z",
            },
        ]
    )
    frame.loc[1, "key"] = True
    summary = Summary(incident=Incident(id="PX2"))
    path = write_bundle(Bundle(frame=frame, summary=summary), tmp_path, {})
    with (path / "events.csv").open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert [r["ref"] for r in rows] == ["C/1", "T1", "C/2"]
    assert [r["ts"] for r in rows] == [
        "2026-10-14T14:31:00.123456Z",
        "2026-10-14T14:32:00.000000Z",
        "2026-10-14T14:33:00.000001Z",
    ]
    assert [r["edited_at"] for r in rows] == ["", "", "2026-10-14T14:40:00.000000Z"]
    assert [r["key"] for r in rows] == ["False", "True", "False"]
    assert [r["kind"] for r in rows] == ["chat.message", "alert.triggered", "chat.reply"]
    assert rows[0]["summary"] == 'hello, "quoted" | piped'
    assert rows[2]["summary"] == "two\nlines, and a comma"
    assert list(rows[0]) == list(read_bundle(path).frame.columns)


def test_rewrite_replaces_whole_and_leaves_no_temporary_folders(tmp_path):
    write_bundle(bundle(), tmp_path, {"timeline.md": "one", "extra.txt": "x"})
    path = write_bundle(bundle(), tmp_path, {"timeline.md": "two"})
    assert (path / "timeline.md").read_text() == "two"
    assert not (path / "extra.txt").exists()
    assert [p.name for p in tmp_path.iterdir()] == ["PX1"]


def test_failure_while_writing_leaves_nothing(tmp_path):
    class Boom(Exception):
        pass

    class Exploding(dict):
        def items(self):
            raise Boom()

    with pytest.raises(Boom):
        write_bundle(bundle(), tmp_path, Exploding())
    assert list(tmp_path.iterdir()) == []


def test_documents_rendered_while_the_events_are_written_are_the_same(tmp_path):
    given = write_bundle(bundle(), tmp_path / "given", {"timeline.md": "# hi\n"})
    rendered = write_bundle(bundle(), tmp_path / "rendered", lambda: {"timeline.md": "# hi\n"})
    for name in ("timeline.md", "events.csv", "events.parquet", "summary.json"):
        assert (given / name).read_bytes() == (rendered / name).read_bytes(), name


def test_summary_json_is_written_as_the_standard_library_writes_it(tmp_path):
    # Non-ASCII text stays as written, two-space indents, a final newline.
    path = write_bundle(bundle("Café checkout — 5xx \u2028 “quoted”"), tmp_path, {})
    written = (path / "summary.json").read_text(encoding="utf-8")
    assert written == json.dumps(json.loads(written), indent=2, ensure_ascii=False) + "\n"
    assert "Café checkout — 5xx" in written and written.count("\n") > 20


def test_a_render_that_fails_leaves_nothing(tmp_path):
    class Boom(Exception):
        pass

    def render():
        raise Boom()

    with pytest.raises(Boom):
        write_bundle(bundle(), tmp_path, render)
    assert list(tmp_path.iterdir()) == []


def test_read_of_a_non_bundle_names_the_missing_file(tmp_path):
    with pytest.raises(BundleError, match="not a bundle \\(no events.parquet\\)"):
        read_bundle(tmp_path)


def test_folder_name_prefers_id_then_title_slug():
    assert folder_name("PT4KHLK", "x") == "PT4KHLK"
    assert folder_name("", "Checkout API: 5xx / errors!") == "Checkout-API-5xx-errors"
    assert folder_name("", "") == "incident"


def test_summary_is_json_with_unicode(tmp_path):
    b = bundle(title="Zahlungsausfall – Köln")
    path = write_bundle(b, tmp_path, {})
    assert (
        json.loads((path / "summary.json").read_text())["incident"]["title"]
        == "Zahlungsausfall – Köln"
    )


def test_atomic_text_write_replaces_and_leaves_no_temporary(tmp_path):
    target = tmp_path / "drafts" / "draft-public.md"
    write_atomically(target, "first\n")
    write_atomically(target, "second\n")
    assert target.read_text() == "second\n"
    assert [p.name for p in target.parent.iterdir()] == ["draft-public.md"]


def test_atomic_write_that_cannot_happen_is_one_bundle_error(tmp_path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    with pytest.raises(BundleError, match="not-a-folder/out.md: cannot write"):
        write_atomically(blocker / "out.md", "text")
    assert [p.name for p in tmp_path.iterdir()] == ["not-a-folder"]


def test_bundle_folder_and_files_share_one_writer(tmp_path):
    # A failure inside the folder writer removes the hidden staging folder, like a file's.
    def half_then_fail(folder):
        (folder / "events.parquet").write_bytes(b"half")
        raise OSError(28, "No space left on device")

    with pytest.raises(BundleError, match="PX1: cannot write \\(No space left on device\\)"):
        write_atomically(tmp_path / "PX1", half_then_fail, folder=True)
    assert list(tmp_path.iterdir()) == []


def test_an_events_file_written_slowly_is_whole_and_its_flusher_always_stops(tmp_path):
    # The writer writes in steps slower than the flusher's beat; the file is whole at the
    # end, and no flushing thread outlives it, whether the writer finishes or fails.
    threads = threading.active_count()

    def slowly(table, path):
        with open(path, "wb") as out:
            for part in table:
                out.write(part)
                out.flush()
                time.sleep(2 * FLUSH_EVERY)

    _flushed(slowly, [b"a" * 10, b"b" * 10], tmp_path / "events.csv")
    assert (tmp_path / "events.csv").read_bytes() == b"a" * 10 + b"b" * 10
    assert threading.active_count() == threads

    def fails(table, path):
        path.write_bytes(b"half")
        raise OSError(28, "No space left on device")

    with pytest.raises(OSError, match="No space left"):
        _flushed(fails, None, tmp_path / "events.parquet")
    assert threading.active_count() == threads


def test_a_file_that_cannot_be_flushed_stops_the_flusher_quietly(monkeypatch):
    # A pipe cannot be flushed to disk: the flusher gives up at once, with no traceback, and
    # the last fsync (of a real file) is what reports a disk that fails.
    uncaught = []
    monkeypatch.setattr(threading, "excepthook", uncaught.append)
    read, write = os.pipe()
    stop = threading.Event()
    flusher = threading.Thread(target=_flush_until, args=(write, stop), daemon=True)
    flusher.start()
    flusher.join(timeout=10)
    gave_up = not flusher.is_alive()
    stop.set()
    os.close(read)
    os.close(write)
    assert gave_up and uncaught == []


def test_summary_json_round_trips_through_the_types(tmp_path):
    written = {
        "incident": {
            "id": "PX1",
            "title": "Checkout 5xx",
            "severity": "SEV-2",
            "url": "https://acme.pagerduty.com/incidents/PX1",
            "service": "checkout-api",
            "window": {"start": "2026-10-14T12:00:00Z", "end": "2026-10-14T17:00:00.250000Z"},
        },
        "sources": [{"name": "slack", "status": "failed", "events": 0, "error": "HTTP 500"}],
        "milestones": {
            name: {"at": None, "evidence": "unknown", "ref": "", "rule": ""} for name in MILESTONES
        }
        | {
            "detected": {
                "at": "2026-10-14T14:31:07Z",
                "evidence": "inferred",
                "ref": "C1/1.2",
                "rule": "first message in the incident channel",
                "corroborated_by": ["notes.txt:5"],
            }
        },
        "gaps": {name: None for name in GAPS} | {"time_to_mitigate": 2067.0},
        "responders": [
            {
                "name": "Priya Raman",
                "also": ["priya"],
                "role": "primary on-call",
                "role_source": "said in chat C1/1.2",
                "first_seen": "2026-10-14T14:33:41Z",
                "first_seen_ref": "R1",
                "first_action": {
                    "at": "2026-10-14T14:33:41Z",
                    "kind": "alert.acknowledged",
                    "summary": "Acknowledged by Priya Raman.",
                    "ref": "R1",
                    "url": "",
                },
            }
        ],
        "people": [
            {
                "names": ["Priya Raman", "priya"],
                "ids": ["U07A1PRAMN"],
                "emails": [],
                "sources": ["pagerduty", "slack"],
                "role": None,
                "system": False,
            }
        ],
        "quiet_periods": [
            {"start": "2026-10-14T14:40:00Z", "end": "2026-10-14T14:55:00Z", "seconds": 900.0}
        ],
        "redactions": [{"kind": "slack_token", "ref": "C1/1.2", "count": 1}],
        "warnings": ["notes.txt:3: no time"],
        "inventory": [{"source": "notes", "name": "notes.txt", "records": 3}],
        "counts": {"events": 3, "key_events": 2, "other_messages": 1, "twins": 1},
        "tool": {"name": "postmortem-timeline", "version": "0.1.0"},
        "retries": {"slack": {"count": 1, "seconds": 0.5}},
        "earlier_incidents": [],
    }
    summary = Summary.from_json(written)
    assert summary.partial
    assert summary.milestone("detected").at == pd.Timestamp("2026-10-14T14:31:07Z")
    assert summary.milestone("detected").corroborated_by == ("notes.txt:5",)
    assert summary.counts.twins == 1 and summary.responders[0]["role"] == "primary on-call"
    assert summary.to_json() == written
    assert list(summary.to_json()) == list(written)


def test_a_bundle_written_before_the_types_still_reads(tmp_path):
    path = write_bundle(bundle(), tmp_path, {})
    old = {"incident": {"id": "PX1", "title": "t", "window": {"start": None, "end": None}}}
    (path / "summary.json").write_text(json.dumps(old))
    back = read_bundle(path).summary
    assert back.incident.id == "PX1" and back.incident.window is None
    assert back.milestone("resolved").evidence == "unknown"
    assert "earlier_incidents" not in back.to_json()


def test_a_summary_time_without_zone_is_a_damaged_bundle(tmp_path):
    path = write_bundle(bundle(), tmp_path, {})
    bad = {"incident": {"id": "PX1"}, "milestones": {"detected": {"at": "2026-10-14T14:31"}}}
    (path / "summary.json").write_text(json.dumps(bad))
    with pytest.raises(BundleError, match="the bundle is damaged"):
        read_bundle(path)
