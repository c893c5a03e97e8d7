"""Scoring the reviewer on the hand-labelled drafts corpus in tests/corpus/drafts/.

A finding matches an expectation when rule and line are the same. Recall counts matched
expectations; a false alarm is any finding that matches none, or an error-level finding on a
draft labelled clean. Shared by the corpus test and bench/bench_review.py.
"""

from __future__ import annotations

import tomllib
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from timeline.review.check import review_draft

CORPUS = Path(__file__).resolve().parents[2] / "corpus" / "drafts"


@dataclass
class Score:
    expected: int = 0
    found: int = 0
    false_alarms: list[str] = field(default_factory=list)
    missed: list[str] = field(default_factory=list)
    negatives: int = 0
    negatives_fired: list[str] = field(default_factory=list)
    clean: int = 0
    clean_with_errors: list[str] = field(default_factory=list)
    per_rule: Counter = field(default_factory=Counter)  # rule -> expected
    per_rule_found: Counter = field(default_factory=Counter)
    per_rule_false: Counter = field(default_factory=Counter)

    @property
    def recall(self) -> float:
        return self.found / self.expected if self.expected else 1.0

    def line(self) -> str:
        return (
            f"drafts corpus: recall {self.found}/{self.expected} ({self.recall:.1%}), "
            f"false alarms {len(self.false_alarms)}, "
            f"negative lines fired {len(self.negatives_fired)}/{self.negatives}, "
            f"clean drafts with an error {len(self.clean_with_errors)}/{self.clean}"
        )


def cases() -> list[tuple[Path, dict]]:
    """(draft path, labels) for every draft of the corpus, in file order."""
    return [
        (path, tomllib.loads(path.with_suffix(".toml").read_text(encoding="utf-8")))
        for path in sorted(CORPUS.glob("[0-9][0-9]-*.md"))
    ]


def score() -> Score:
    """Run the reviewer over the corpus and compare its findings with the labels."""
    result = Score()
    for path, labels in cases():
        findings = review_draft(path.read_text(encoding="utf-8"))
        expected = {(e["rule"], e["line"]) for e in labels.get("expect", [])}
        got = {(f.rule, f.line) for f in findings}
        result.expected += len(expected)
        for rule, line in expected:
            result.per_rule[rule] += 1
            if (rule, line) in got:
                result.found += 1
                result.per_rule_found[rule] += 1
            else:
                result.missed.append(f"{path.name}:{line} {rule}")
        for f in findings:
            if (f.rule, f.line) not in expected:
                result.false_alarms.append(f"{path.name}:{f.line} {f.rule} {f.quote!r}")
                result.per_rule_false[f.rule] += 1
        negative_lines = {n["line"] for n in labels.get("negative", [])}
        result.negatives += len(negative_lines)
        for line in sorted(negative_lines & {f.line for f in findings}):
            result.negatives_fired.append(f"{path.name}:{line}")
        if labels.get("clean"):
            result.clean += 1
            if any(f.level == "error" for f in findings):
                result.clean_with_errors.append(path.name)
    return result


if __name__ == "__main__":
    s = score()
    print(s.line())
    for rule in sorted(set(s.per_rule) | set(s.per_rule_false)):
        print(
            f"  {rule}: {s.per_rule_found[rule]}/{s.per_rule[rule]} found, "
            f"{s.per_rule_false[rule]} false"
        )
    print("missed:", *s.missed, sep="\n  ")
    print("false alarms:", *s.false_alarms, sep="\n  ")
