"""The reviewer on the hand-labelled drafts corpus: recall, false alarms, clean seed examples."""

from __future__ import annotations

import pytest

from tests.timeline.review.drafts_corpus import cases, score
from timeline.review.check import review_draft
from timeline.review.text import plain


@pytest.fixture(scope="module")
def result():
    return score()


def test_recall_on_planted_faults_is_at_least_95_percent(result):
    print(result.line())
    assert result.expected >= 45
    assert result.recall >= 0.95, result.missed


def test_at_most_one_false_alarm_over_the_corpus(result):
    assert len(result.false_alarms) <= 1, result.false_alarms


def test_clean_drafts_have_no_error(result):
    assert result.clean >= 20
    assert result.clean_with_errors == []


@pytest.mark.parametrize(
    "path", [p for p, labels in cases() if "seed" in labels.get("source", "")], ids=lambda p: p.name
)
def test_every_seed_example_is_clean_of_errors(path):
    findings = review_draft(path.read_text(encoding="utf-8"))
    assert [f for f in findings if f.level == "error"] == []


def test_each_finding_quotes_words_from_its_own_line():
    for path, _ in cases():
        lines = path.read_text(encoding="utf-8").splitlines()
        for f in review_draft("\n".join(lines) + "\n"):
            if f.rule == "section-missing":
                continue  # a missing section has no line of its own
            line = " ".join(plain(lines[f.line - 1]).split())
            words = f.quote.replace("…", "").split()[:4]
            if f.rule.startswith("unredacted-") and f.rule != "unredacted-customer-id":
                words = [w for w in words if "REDACTED" not in w]
            assert all(plain(w) in line for w in words), (path.name, f)
