"""Pasted notes are never dropped silently: the derived window keeps every line, lines outside
an explicit --since/--until are counted and named, a file without a time of day is an error."""

from __future__ import annotations

import json

from click.testing import CliRunner

from timeline.cli import main

NOTES = (
    "2026-03-01 (all times UTC)\n"
    "06:10 config change shipped to the edge\n"
    "09:00 alert fired for elevated 5xx\n"
    "09:05 on-call acknowledged\n"
    "09:40 rollback complete, error rate back to normal\n"
    "10:00 incident resolved\n"
    "15:30 follow-up: cache warmed again\n"
)


def pull(tmp_path, *options):
    notes = tmp_path / "notes.md"
    notes.write_text(NOTES)
    out = tmp_path / "out"
    result = CliRunner().invoke(
        main, ["pull", "--from", str(notes), "--id", "N1", "--out", str(out), *options]
    )
    return result, out


def test_the_derived_window_keeps_every_pasted_line(tmp_path):
    result, out = pull(tmp_path)
    assert result.exit_code == 0, result.output
    summary = json.loads((out / "N1" / "summary.json").read_text())
    # 06:10 is more than the 2 h lookback before the alert; 15:30 far past resolve + 30 min.
    assert summary["incident"]["window"]["start"] <= "2026-03-01T06:10:00Z"
    assert summary["incident"]["window"]["end"] >= "2026-03-01T15:30:00Z"
    notes = next(s for s in summary["sources"] if s["name"] == "notes")
    assert notes["events"] == 6


def test_lines_outside_an_explicit_window_are_counted_and_named(tmp_path):
    result, out = pull(
        tmp_path, "--since", "2026-03-01T08:00:00Z", "--until", "2026-03-01T12:00:00Z"
    )
    assert result.exit_code == 0, result.output
    warnings = json.loads((out / "N1" / "summary.json").read_text())["warnings"]
    assert (
        "2 notes lines are outside the window 2026-03-01T08:00:00Z to 2026-03-01T12:00:00Z; "
        "not in the timeline"
    ) in warnings
    assert "notes.md:2: 2026-03-01T06:10:00Z is outside the window; not in the timeline" in warnings
    assert "notes.md:7: 2026-03-01T15:30:00Z is outside the window; not in the timeline" in warnings


def test_a_notes_file_without_a_time_is_exit_1_naming_it_and_writes_nothing(tmp_path):
    notes = tmp_path / "notes.md"
    notes.write_text("We saw errors in the morning and fixed them by lunch.\n")
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["pull", "--from", str(notes), "--out", str(out)])
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        f"Error: {notes}: no line with a time of day (such as 14:05 or 2:05 PM); nothing to "
        "place on the timeline"
    ]
    assert not out.exists()
