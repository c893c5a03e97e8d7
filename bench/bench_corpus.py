"""How well the notes reader does on the pasted-timeline corpus (tests/corpus/timelines).

Prints `events N/M; milestones N/M` (labelled events at the right UTC time on the right line;
labelled milestones found at the labelled time), then every miss and every extra event.
Usage: python bench/bench_corpus.py
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).parents[1]
sys.path.insert(0, str(ROOT))

from tests.corpus.corpus_scoring import score_corpus  # noqa: E402


def main() -> int:
    scores = score_corpus()
    events = sum(s.events_found for s in scores), sum(s.events_total for s in scores)
    milestones = sum(s.milestones_found for s in scores), sum(s.milestones_total for s in scores)
    extras = [line for s in scores for line in s.extras]
    print(
        f"events {events[0]}/{events[1]}; milestones {milestones[0]}/{milestones[1]}; "
        f"extra events {len(extras)}; cases {len(scores)}"
    )
    for s in scores:
        for line in s.misses:
            print(f"  miss  {line}")
    for line in extras:
        print(f"  extra {line}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
