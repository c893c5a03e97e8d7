"""The notes reader on text nobody on the team wrote (tests/corpus/timelines, see its README).

Every labelled timed line must land at its UTC time, no unlabelled time may appear, and at
least 95% of the labelled milestones must be found. The seed cases are also run through the
command line and must give the seeds' own figures.
"""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.corpus.corpus_scoring import CORPUS, cases, score_case, score_corpus
from timeline.cli import main


def test_every_case_has_labels_and_the_corpus_covers_the_layouts():
    found = cases()
    assert len(found) >= 36
    layouts = {tag for case in found for tag in _labels(case)["layouts"]}
    for needed in (
        "bracketed-time", "em-dash", "numbered-list", "noon", "midnight",
        "numeric-offset-in-parentheses", "mdt", "preamble-zone-in-heading",
        "schedule-not-event", "statuspage-newest-first", "markdown-table-time-column",
        "heading-date-time", "comma-clauses", "twelve-hour-clock",
    ):  # fmt: skip
        assert needed in layouts, needed


@pytest.mark.parametrize("case", cases(), ids=lambda p: p.stem)
def test_every_timed_line_is_at_its_labelled_utc_time(case):
    score = score_case(case)
    events = [m for m in score.misses if ": event " in m or "pull failed" in m]
    assert events == []
    assert score.extras == []
    assert score.events_found == score.events_total


def test_at_least_95_percent_of_labelled_milestones_are_found():
    scores = score_corpus()
    found = sum(s.milestones_found for s in scores)
    total = sum(s.milestones_total for s in scores)
    misses = [m for s in scores for m in s.misses if "milestone" in m]
    assert total >= 100
    assert found / total >= 0.95, "\n".join(misses)


def _pull(tmp_path: Path, case: str, *options: str) -> dict:
    out = tmp_path / "out"
    result = CliRunner().invoke(
        main,
        ["pull", "--from", f"notes:{CORPUS / case}", "--id", "SEED", "--out", str(out), *options],
    )
    assert result.exit_code == 0, result.output
    return json.loads((out / "SEED" / "summary.json").read_text())


def test_black_friday_seed_gives_the_seeds_figures(tmp_path):
    summary = _pull(tmp_path, "03-seed-black-friday-et-paragraph.md", "--date", "2023-11-24")
    milestones, gaps = summary["milestones"], summary["gaps"]
    assert milestones["detected"]["at"] == "2023-11-24T12:31:00Z"
    assert milestones["impact_start"]["at"] == "2023-11-24T12:22:00Z"
    assert milestones["resolved"]["at"] == "2023-11-24T13:47:00Z"
    assert gaps["time_to_detect"] == 9 * 60
    assert gaps["detection_to_escalation"] == 20 * 60
    assert gaps["time_to_mitigate"] == 48 * 60


def test_payments_seed_gives_the_seeds_figures(tmp_path):
    summary = _pull(tmp_path, "01-seed-payments-tagged-notes.md", "--date", "2024-06-15")
    milestones = summary["milestones"]
    assert milestones["detected"]["at"] == "2024-06-15T14:45:00Z"
    assert milestones["acknowledged"]["at"] == "2024-06-15T14:50:00Z"
    assert milestones["mitigated"]["at"] == "2024-06-15T15:30:00Z"


def test_comma_line_seed_is_four_events_with_detection_and_acknowledgement(tmp_path):
    summary = _pull(
        tmp_path, "02-seed-comma-separated-line.md", "--date", "2026-04-17", "--tz", "UTC"
    )
    notes = next(s for s in summary["sources"] if s["name"] == "notes")
    assert notes["events"] == 4
    assert summary["milestones"]["detected"]["at"] == "2026-04-17T14:03:00Z"
    assert summary["milestones"]["acknowledged"]["at"] == "2026-04-17T14:07:00Z"
    assert summary["milestones"]["mitigated"]["at"] is None  # "rollback began" is no completion


def _labels(case: Path) -> dict:
    with case.with_suffix(".toml").open("rb") as f:
        return tomllib.load(f)
