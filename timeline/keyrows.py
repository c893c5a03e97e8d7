"""Which events are key rows of the skeleton (DESIGN.md §6); the rest stay in the frame."""

from __future__ import annotations

import re

import pandas as pd

from ingest.vocab import has_tag

_ALWAYS_KEY_KINDS = {
    "deploy.started",
    "deploy.succeeded",
    "deploy.failed",
    "pr.merged",
    "release.published",
    "comms.status_page",
    "report.customer",
}


def select_key_rows(
    frame: pd.DataFrame,
    *,
    keywords: tuple[str, ...],
    key_reactions: tuple[str, ...],
    comms_channels: tuple[str, ...] = (),
) -> pd.Series:
    """A boolean Series: every PagerDuty event but notifications, every deploy, merge and
    release, revert commits, notes and table rows, and for chat: pinned messages, messages with a
    configured reaction or keyword, comms-channel messages and each participant's first message.
    System messages (joins, topic changes) are never key rows.
    """
    kinds = frame["kind"].astype(str)
    source = frame["source"].astype(str)
    tags = frame["tags"]
    system = has_tag(tags, "system")

    key = (source == "pagerduty") & (kinds != "alert.notified")
    key |= kinds.isin(_ALWAYS_KEY_KINDS)
    key |= source.isin(["notes", "table"])
    key |= (kinds == "commit") & has_tag(tags, "revert", "rollback")

    chat = source == "slack"
    chat_key = has_tag(tags, "pinned")
    if key_reactions:
        chat_key |= has_tag(tags, *(f"reaction:{name}" for name in key_reactions))
    if keywords:
        words = "|".join(re.escape(k) for k in keywords)
        chat_key |= frame["summary"].str.contains(words, case=False, regex=True)
    if comms_channels:
        hashed = [c if c.startswith("#") else f"#{c}" for c in comms_channels]
        chat_key |= frame["channel"].isin(hashed + list(comms_channels))
    people = chat & ~system & (frame["actor"] != "")
    first_of_person = people & ~frame["actor"].where(people).duplicated(keep="first")
    chat_key |= first_of_person
    key |= chat & chat_key & ~system
    return key.astype(bool)
