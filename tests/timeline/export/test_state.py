"""The export's state and journal: a backfill writes each incident's files once and folds the
state file and the archive table once per run, whatever the number of incidents. Writes are
counted through Python's audit events (every atomic write ends in a rename; journal lines are
opened for appending), so nothing is patched."""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path

from tests.timeline.export.test_export import add, request, run
from timeline.export.archive import INCIDENTS_FILE, read_incidents
from timeline.export.state import JOURNAL_FILE, STATE_FILE, compact, read_state

_recording: list[tuple[str, str]] | None = None


def _audit(event: str, args: tuple) -> None:
    if _recording is None:
        return
    if event == "os.rename":
        _recording.append(("replace", Path(args[1]).name))
    elif event == "open" and isinstance(args[0], str | Path) and args[1] and "a" in args[1]:
        _recording.append(("append", Path(args[0]).name))


sys.addaudithook(_audit)


def writes_of_export(fake, ca_bundle_path, out: Path, until: str) -> Counter:
    """How many times each file name was replaced or appended to by one export run."""
    global _recording
    _recording = []
    try:
        report = run(request(fake, ca_bundle_path, out, since=SINCE, until=until))
    finally:
        recorded, _recording = _recording, None
    assert report.count("exported") == len(report.outcomes) > 0
    return Counter(name for _, name in recorded)


SINCE = "2026-10-01T00:00:00Z"


def test_a_backfill_writes_state_and_archive_table_once_whatever_its_size(
    fake_pagerduty, ca_bundle_path, tmp_path
):
    ids = [add(fake_pagerduty, n, day=1 + n) for n in range(1, 13)]  # October 2 to 13
    few = writes_of_export(fake_pagerduty, ca_bundle_path, tmp_path / "few", "2026-10-05T00:00Z")
    many = writes_of_export(fake_pagerduty, ca_bundle_path, tmp_path / "many", "2026-10-14T00:00Z")

    for writes, count in ((few, 3), (many, 12)):
        assert writes[STATE_FILE] == 1
        assert writes[INCIDENTS_FILE] == 1
        assert writes[JOURNAL_FILE] == count  # one line appended per incident
    # Four times the incidents, at most four times the files written.
    assert sum(many.values()) <= 4 * sum(few.values())
    assert sorted(read_state(tmp_path / "many")["exported"]) == ids
    assert sorted(read_incidents(tmp_path / "many" / "archive")["id"]) == ids
    assert not (tmp_path / "many" / JOURNAL_FILE).exists()


def test_the_journal_of_a_killed_run_is_replayed_then_folded_in(
    fake_pagerduty, ca_bundle_path, tmp_path
):
    ids = [add(fake_pagerduty, n, day=1 + n) for n in range(1, 4)]
    out = tmp_path / "out"
    run(request(fake_pagerduty, ca_bundle_path, out, since=SINCE, until="2026-10-05T00:00Z"))
    # What a run killed mid-append leaves: the state file and table without its incidents, and
    # a journal whose last line was cut short.
    lines = [
        '{"id": "PEX9001", "exported": {"at": "2026-10-20T00:00:00Z", "bundle": "PEX9001", '
        '"complete": true, "resolved_at": null}, "row": {"id": "PEX9001", "title": "Late", '
        '"created_at": "2026-10-19T10:00:00+00:00", "events": 4, "bundle": "PEX9001"}}',
        '{"id": "PEX9002", "failed": {"at": "2026-10-20T00:00:00Z", "error": "timeout"}}',
        '{"id": "PEX9003", "exported": {"at": "2026-10-2',
    ]
    (out / JOURNAL_FILE).write_text("\n".join(lines))

    state = read_state(out)
    assert sorted(state["exported"]) == [*ids, "PEX9001"]
    assert state["failed"] == {"PEX9002": {"at": "2026-10-20T00:00:00Z", "error": "timeout"}}
    assert "PEX9001" not in set(read_incidents(out / "archive")["id"])

    assert compact(out, out / "archive") is True
    assert not (out / JOURNAL_FILE).exists()
    assert read_state(out) == state
    table = read_incidents(out / "archive").set_index("id")
    assert sorted(table.index) == [*ids, "PEX9001"]
    assert (table.loc["PEX9001", "title"], table.loc["PEX9001", "events"]) == ("Late", 4)
    assert compact(out, out / "archive") is False
