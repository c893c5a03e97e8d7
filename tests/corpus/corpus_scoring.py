"""Score the notes reader on the pasted-timeline corpus (tests/corpus/timelines).

Each case is read the way a user runs it: a file pull of the one notes file, with the case's
``date`` and ``tz`` as --date and --tz. An event scores when a row of the same line has the
labelled UTC time; a row whose time is not labelled on its line (and the line is not in
``ignore_lines``) is an extra. A milestone scores when the pull's milestone has the labelled time.
"""

from __future__ import annotations

import functools
import tomllib
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from zoneinfo import ZoneInfo

import pandas as pd

from ingest.errors import InputError, TimeError, UsageError
from ingest.files import FileSpec
from timeline.pull.files import FilePull, pull_files

CORPUS = Path(__file__).parent / "timelines"
# A fixed "now" after every case, so no event is "in the future".
NOW = pd.Timestamp("2030-01-01T00:00:00Z")


@dataclass
class CaseScore:
    name: str
    events_found: int = 0
    events_total: int = 0
    milestones_found: int = 0
    milestones_total: int = 0
    misses: list[str] = field(default_factory=list)
    extras: list[str] = field(default_factory=list)


def cases() -> list[Path]:
    """Every case's Markdown file, in order."""
    return sorted(p for p in CORPUS.glob("*.md") if p.name != "README.md")


def labels(case: Path) -> dict:
    with case.with_suffix(".toml").open("rb") as f:
        return tomllib.load(f)


def pull_case(case: Path) -> tuple[pd.DataFrame, dict]:
    """(events frame, milestones) for one case, as `postmortem pull --from notes:CASE` gives."""
    label = labels(case)
    request = FilePull(
        specs=[FileSpec("notes", case)],
        tz=ZoneInfo(label["tz"]) if "tz" in label else None,
        date=date.fromisoformat(label["date"]) if "date" in label else None,
        now=NOW,
    )
    bundle = pull_files(request)
    return bundle.frame, bundle.summary.to_json()["milestones"]


@functools.cache
def score_case(case: Path) -> CaseScore:
    """One case's score (each case is pulled once per run)."""
    label = labels(case)
    expected = Counter((e["line"], pd.Timestamp(e["at"])) for e in label.get("events", []))
    wanted = label.get("milestones", {})
    score = CaseScore(case.stem, events_total=sum(expected.values()), milestones_total=len(wanted))
    try:
        frame, milestones = pull_case(case)
    except (InputError, TimeError, UsageError) as e:
        score.misses.append(f"{case.stem}: the pull failed: {e}")
        return score
    got: Counter = Counter()
    for ref, ts in zip(frame["ref"], frame["ts"], strict=True):
        got[(int(str(ref).rsplit(":", 1)[1]), pd.Timestamp(ts))] += 1
    ignored = set(label.get("ignore_lines", []))
    for key, count in expected.items():
        found = min(count, got[key])
        score.events_found += found
        for _ in range(count - found):
            score.misses.append(f"{case.stem}:{key[0]}: event {key[1]:%Y-%m-%d %H:%M:%S}Z missing")
    for key, count in (got - expected).items():
        if key[0] not in ignored:
            score.extras.append(
                f"{case.stem}:{key[0]}: extra event at {key[1]:%Y-%m-%d %H:%M:%S}Z (x{count})"
            )
    for name, at in wanted.items():
        found_at = milestones[name]["at"]
        if found_at is not None and pd.Timestamp(found_at) == pd.Timestamp(at):
            score.milestones_found += 1
        else:
            rule = milestones[name]["rule"] or milestones[name]["evidence"]
            score.misses.append(
                f"{case.stem}: milestone {name} {found_at or 'unknown'} ({rule}), labelled {at}"
            )
    return score


def score_corpus() -> list[CaseScore]:
    return [score_case(case) for case in cases()]
