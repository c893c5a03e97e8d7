"""The bundle's key events a draft's timeline leaves out, the weightiest first.

Alerts, acknowledgements, escalations, deploys and rollbacks, status updates and decisions are
always listed, however many there are. Other key events (chat, commits, notes) follow in time
order, up to a cap, with one line for the rest. A deploy's several status events (started,
succeeded) share a URL and stand for one deploy: when the draft cites one, the deploy is in.
"""

from __future__ import annotations

import re
from typing import Any

import pandas as pd

from ingest.vocab import has_tag
from timeline.review.draft import Section
from timeline.review.rubric import Finding, finding

OTHERS_SHOWN = 10
WEIGHTY_KINDS = (
    "alert.triggered",
    "alert.acknowledged",
    "alert.escalated",
    "alert.responder_requested",
    "alert.resolved",
    "alert.status_update",
    "comms.status_page",
    "deploy.started",
    "deploy.succeeded",
    "deploy.failed",
    "release.published",
)
_DECISION = re.compile(
    r"\b(?:decid\w*|decision|roll(?:ing)?[ -]?back|revert\w*|failover|fail over|declar\w*|"
    r"status page|escalat\w*)\b",
    re.IGNORECASE,
)


def missing_key_events(frame: pd.DataFrame, matched: set[str], section: Section) -> list[Finding]:
    """Findings at the Timeline heading for each key event the draft has no row for."""
    key = frame[frame["key"].fillna(False).astype(bool)]
    refs = key["ref"].astype(str)
    urls = key["url"].fillna("").astype(str)
    cited_urls = set(urls[refs.isin(matched) & (urls != "")])
    left_out = key[~refs.isin(matched) & ~(urls.isin(cited_urls) & (urls != ""))]
    deploy = left_out["kind"].astype(str).str.startswith("deploy.")
    # one row per deploy: its first status event stands for the others
    repeated = deploy & (left_out["url"].fillna("") != "") & left_out["url"].duplicated()
    left_out = left_out[~repeated]
    weighty = left_out["kind"].astype(str).isin(WEIGHTY_KINDS) | has_tag(
        left_out["tags"], "rollback", "revert", "mitigation", "pinned"
    )
    weighty |= left_out["summary"].fillna("").astype(str).str.contains(_DECISION, regex=True)
    first = left_out[weighty].sort_values("ts", kind="stable")
    others = left_out[~weighty].sort_values("ts", kind="stable")
    found = [_finding(row, section) for row in first.itertuples(index=False)]
    found += [_finding(row, section) for row in others.head(OTHERS_SHOWN).itertuples(index=False)]
    rest = len(others) - OTHERS_SHOWN
    if rest > 0:
        found.append(
            finding(
                "key-event-missing",
                section.line,
                f"{rest} more key events (messages, commits, notes)",
                f"{rest} more key events of the bundle are not in the timeline; none is an "
                "alert, acknowledgement, escalation, deploy, status update or decision",
                "compare the timeline with the bundle's timeline.md",
            )
        )
    return found


def _finding(row: Any, section: Section) -> Finding:
    return finding(
        "key-event-missing",
        section.line,
        f"{row.ts.strftime('%Y-%m-%d %H:%M:%S')} {row.kind} {row.summary} ({row.ref})",
        "the bundle marks this event as key but the timeline has no row for it",
        "add a row with its source, or say in the draft why it is left out",
    )
