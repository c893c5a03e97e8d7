"""How long `postmortem review` takes on a 2,000-line draft against a 100,000-event bundle,
and how well it does on the hand-labelled drafts corpus (tests/corpus/drafts/).

Generates the draft and bundle at run time and prints the best of a few runs; then prints the
corpus's recall on planted faults and its false alarms, with a line per rule.
Usage: python bench/bench_review.py [--events N] [--rows N] [--runs N]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

from ingest.schema import frame_from_columns
from timeline.bundle import Bundle
from timeline.review.check import review_draft
from timeline.summary import Summary

START = pd.Timestamp("2026-10-14T12:00:00Z")


def make_bundle(events: int) -> Bundle:
    """A bundle of alerts, deploys and chat messages one second apart; every 50th is key."""
    positions = np.arange(events)
    kinds = np.array(["alert.triggered", "deploy.succeeded", "chat.message", "chat.reply"])
    refs = pd.Series(positions).map("C0BENCH/{:010d}.000100".format)
    urls = pd.Series(positions).map(
        "https://example.slack.com/archives/C0BENCH/p{:010d}000100".format
    )
    frame = frame_from_columns(
        {
            "ts": pd.Series(START + pd.to_timedelta(positions, unit="s")),
            "source": "slack",
            "kind": kinds[positions % len(kinds)],
            "actor": pd.Series(positions % 40).map("user{:02d}".format),
            "summary": pd.Series(positions).map("message number {}".format),
            "ref": refs,
            "url": urls.where(positions % 2 == 0, ""),
            "key": positions % 50 == 0,
        }
    )
    summary = Summary.from_json(
        {
            "incident": {
                "id": "PBENCH1",
                "window": {"start": "2026-10-14T12:00:00Z", "end": None},
            },
            "milestones": {"detected": {"at": "2026-10-14T12:00:00Z", "evidence": "observed"}},
        }
    )
    return Bundle(frame=frame, summary=summary)


def make_draft(rows: int, events: int) -> str:
    """A complete draft whose timeline has ``rows`` rows citing events spread over the bundle."""
    lines = [
        "# Postmortem: benchmark",
        "",
        "## Summary",
        "",
        "Checkout failed for 40 minutes.",
        "",
        "## Customer impact",
        "",
        "1,200 requests failed, per the API dashboard.",
        "",
        "## Key timestamps",
        "",
        "- Detected: 2026-10-14 12:00:00 UTC",
        "",
        "## Timeline",
        "",
        "| Time (UTC) | Event | Source | Actor |",
        "|---|---|---|---|",
    ]
    step = max(events // rows, 1)
    for n in range(rows):
        position = n * step
        ts = (START + pd.Timedelta(seconds=position)).strftime("%Y-%m-%d %H:%M:%S")
        ref = f"C0BENCH/{position:010d}.000100"
        source = f"[{ref}](https://example.slack.com/archives/x)" if n % 3 else f"`{ref}`"
        lines.append(f"| {ts} | Message: step {n} of the response | {source} | user{n % 40:02d} |")
    lines += [
        "",
        "## Contributing factors",
        "",
        "- A shared setting.",
        "- No canary for config.",
        "",
        "## What went well",
        "",
        "- Fast rollback.",
        "",
        "## What went wrong",
        "",
        "- Slow alert.",
        "",
        "## Where we got lucky",
        "",
        "- Low traffic.",
        "",
        "## Action items",
        "",
        "| Action | Type | Owner | Due |",
        "|---|---|---|---|",
        "| Add a canary stage for config changes | Prevention | @dana | 2026-11-30 |",
        "",
        "## Lessons learned",
        "",
        "Shared settings reach further than their names.",
        "",
        "## Distribution",
        "",
        "Engineering.",
    ]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--rows", type=int, default=1_950)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    bundle = make_bundle(args.events)
    draft = make_draft(args.rows, args.events)
    timings = []
    for _ in range(args.runs):
        started = time.perf_counter()
        findings = review_draft(draft, bundle)
        timings.append(time.perf_counter() - started)
    lines = draft.count("\n")
    errors = sum(f.level == "error" for f in findings)
    print(
        f"review: {lines} draft lines, {len(bundle.frame):,} bundle events: "
        f"best {min(timings):.3f} s, worst {max(timings):.3f} s over {args.runs} runs "
        f"({len(findings)} findings, {errors} errors)"
    )

    print_corpus_score()


def print_corpus_score() -> None:
    """Recall and false alarms on the drafts corpus, overall and per rule."""
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from tests.timeline.review.drafts_corpus import score

    result = score()
    print(result.line())
    for rule in sorted(set(result.per_rule) | set(result.per_rule_false)):
        print(
            f"  {rule}: {result.per_rule_found[rule]}/{result.per_rule[rule]} found, "
            f"{result.per_rule_false[rule]} false alarms"
        )


if __name__ == "__main__":
    main()
