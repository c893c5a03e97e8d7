"""The kind of a notes event and the milestones its words name, from the shared milestone words."""

from __future__ import annotations

import re

from ingest.notes.words import milestone_hits

# Which kind a line gets when its words name several milestones: the strongest statement wins.
_KIND_BY_MILESTONE = (
    ("resolved", "alert.resolved"),
    ("mitigated", "note"),
    ("escalated", "alert.escalated"),
    ("acknowledged", "alert.acknowledged"),
    ("detected", "alert.triggered"),
    ("first_comms", "comms.status_page"),
    ("customer_report", "report.customer"),
)
# The tags that timeline.milestones reads (milestone names; customer reports are a kind).
MILESTONE_TAGS = ("impact_start", "detected", "acknowledged", "escalated", "mitigated", "resolved",
                  "first_comms")  # fmt: skip


_DEPLOY = re.compile(r"\b(?:deploy(?:ed|s|ment)?|shipped|went\s+out)\b", re.I)
_ROLLBACK = re.compile(r"roll|revert", re.I)


def guess_kind(text: str, extra: dict[str, str] | None = None) -> tuple[str, str, str]:
    """(kind, tags, kind_rule) from the words of ``text``; ("note", "", "") if none match.

    ``extra`` adds milestones known from the layout (a range's end, a status-page state word).
    Tags name every milestone the words support; the rule lists the phrases that matched.
    """
    hits = {**milestone_hits(text), **(extra or {})}
    deploy = _DEPLOY.search(text)
    if not hits:
        if deploy:
            return "deploy.succeeded", "", f"notes: '{deploy.group(0).lower()}' -> deploy"
        return "note", "", ""
    kind = next((k for name, k in _KIND_BY_MILESTONE if name in hits), "note")
    if kind == "note" and _ROLLBACK.search(hits.get("mitigated", "")):
        kind = "deploy.succeeded"
    tags = [name for name in MILESTONE_TAGS if name in hits]
    if _ROLLBACK.search(hits.get("mitigated", "")):
        tags.append("rollback")
    rule = "; ".join(f"'{phrase}' -> {name}" for name, phrase in hits.items())
    return kind, " ".join(tags), f"notes: {rule}"
