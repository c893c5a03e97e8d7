"""The words of the timeline: event kinds, milestones, gaps and row tags, each with its label.

Everything that names a kind, a milestone, a gap or a tag reads it from here, so the frame's
categories, the summary's keys, the rendered tables and the archive's columns cannot drift apart.
The rules that decide *which* row is a milestone live in ``timeline.milestones``; the words a
notes line uses for one live in ``ingest.notes.words``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import msgspec

if TYPE_CHECKING:
    import pandas as pd

# Event kind -> what a reader of the timeline calls it (DESIGN.md section 4), in schema order.
KIND_LABELS: dict[str, str] = {
    "alert.triggered": "Alert triggered",
    "alert.acknowledged": "Alert acknowledged",
    "alert.unacknowledged": "Alert unacknowledged",
    "alert.escalated": "Alert escalated",
    "alert.assigned": "Alert assigned",
    "alert.notified": "Responder notified",
    "alert.annotated": "Alert note",
    "alert.resolved": "Alert resolved",
    "alert.priority_changed": "Priority changed",
    "alert.responder_requested": "Responder requested",
    "alert.status_update": "Status update",
    "alert.other": "Alert log entry",
    "deploy.started": "Deploy started",
    "deploy.succeeded": "Deploy succeeded",
    "deploy.failed": "Deploy failed",
    "commit": "Commit",
    "pr.merged": "Pull request merged",
    "release.published": "Release published",
    "chat.message": "Message",
    "chat.reply": "Reply in thread",
    "comms.status_page": "Status page",
    "report.customer": "Customer report",
    "note": "Note",
}
KINDS: tuple[str, ...] = tuple(KIND_LABELS)

CHAT_KINDS: tuple[str, ...] = ("chat.message", "chat.reply")
# Changes to the system: listed as "preceding changes" when they come before detection.
CHANGE_KINDS: tuple[str, ...] = (
    "deploy.started",
    "deploy.succeeded",
    "deploy.failed",
    "commit",
    "pr.merged",
    "release.published",
)

# Milestone -> label (DESIGN.md section 5), in the order they are shown.
MILESTONE_LABELS: dict[str, str] = {
    "impact_start": "Impact start",
    "detected": "Detected",
    "acknowledged": "Acknowledged",
    "escalated": "Escalated",
    "mitigated": "Mitigated",
    "resolved": "Resolved",
    "first_comms": "First communication",
}
MILESTONES: tuple[str, ...] = tuple(MILESTONE_LABELS)


class Gap(msgspec.Struct, frozen=True):
    """The time from one milestone to another, in seconds."""

    name: str
    label: str
    start: str  # milestone name
    end: str  # milestone name


# In the order of DESIGN.md section 5.
GAPS: dict[str, Gap] = {
    gap.name: gap
    for gap in (
        Gap("time_to_detect", "Time to detect", "impact_start", "detected"),
        Gap("time_to_acknowledge", "Time to acknowledge", "detected", "acknowledged"),
        Gap("detection_to_escalation", "Detection to escalation", "detected", "escalated"),
        Gap("escalation_to_mitigation", "Escalation to mitigation", "escalated", "mitigated"),
        Gap("time_to_mitigate", "Time to mitigate", "detected", "mitigated"),
        Gap("time_to_resolve", "Time to resolve", "detected", "resolved"),
        Gap("impact_duration", "Impact duration", "impact_start", "resolved"),
        Gap("time_to_first_comms", "Time to first communication", "detected", "first_comms"),
    )
}

# Flags in the frame's space-separated ``tags`` column -> what they mean to a reader.
# ``reaction:NAME`` carries the Slack reaction's name after the colon.
TAG_LABELS: dict[str, str] = {
    "pinned": "pinned in the channel",
    "reaction": "has a reaction",
    "broadcast": "thread reply also sent to the channel",
    "system": "written by Slack itself (join, topic change)",
    "bot": "written by a bot",
    "rollback": "rollback deploy",
    "revert": "revert commit",
    "mitigation": "notes say mitigated or recovered",
    "approximate": "time written as approximate",
    "impact_start": "notes say impact began",
    "detected": "notes say an alert fired or someone noticed",
    "acknowledged": "notes say acknowledged",
    "escalated": "notes say more people were pulled in",
    "mitigated": "notes say mitigated or recovered",
    "resolved": "notes say resolved",
    "first_comms": "notes say customers were told",
    "edited_after_mitigation": "edited after mitigation; may contain hindsight",
    "twin": "the same event as another record (twin_ref), shown on that record's row",
    "corroborated": "the same event is recorded by a second source",
}
TAGS: tuple[str, ...] = tuple(TAG_LABELS)


def kind_label(kind: object) -> str:
    """A reader's label for an event kind ("alert.triggered" -> "Alert triggered")."""
    return KIND_LABELS.get(str(kind), str(kind))


def tags_hold(tags: str | None, *names: str) -> bool:
    """Whether one row's ``tags`` hold any of ``names``: whole tags, never substrings (tags are
    separated by whitespace, so a whole tag is a word of the split)."""
    return not set(names).isdisjoint((tags or "").split())


def has_tag(tags: pd.Series, *names: str) -> pd.Series:
    """Vectorised :func:`tags_hold`: which rows' ``tags`` hold any of ``names``."""
    import numpy as np
    import pandas as pd  # kept out of importing this module

    from ingest.textmatch import distinct_values

    # Rows share a few dozen tag strings: each distinct one is judged once.
    codes, distinct = distinct_values(tags)
    hit = np.array([tags_hold(text, *names) for text in distinct], dtype=bool)
    return pd.Series(hit[codes] if len(hit) else False, index=tags.index, dtype=bool)


def add_tag(tags: pd.Series, name: str, *, first: bool = False) -> pd.Series:
    """``tags`` with ``name`` added where it is not there yet: at the end, or at the start with
    ``first`` (where a reader puts it, so the same record gives the same tags either way)."""
    import numpy as np
    import pandas as pd  # kept out of importing this module

    from ingest.textmatch import distinct_values

    # Rows share a few dozen tag strings: each distinct one gets the tag once.
    codes, distinct = distinct_values(tags)
    added = [
        text if tags_hold(text, name) else (f"{name} {text}" if first else f"{text} {name}").strip()
        for text in distinct
    ]
    values = np.array(added, dtype=object)[codes] if added else np.array([], dtype=object)
    return pd.Series(values, index=tags.index).astype(tags.dtype)
