"""Which events are key rows of the skeleton (DESIGN.md §6); the rest stay in the frame.

Rows are chosen by what they carry, within a budget of timeline rows. Every row gets a rule:
the rule that chose it, or why it was not shown. Rules in order of precedence:

1. always: the incident's own records (alerts, acknowledgements, escalations, resolves,
   assignments, responder requests, status updates), deploys and rollbacks, merges, releases,
   reverts, status updates in a comms channel, pinned messages and messages with a configured
   reaction, customer reports and lines of notes;
2. then evidence: messages with figures (rates, counts, percentages, durations), decisions,
   hypotheses and findings, configured keywords; more signals first, then longer messages;
3. then each participant's first message, other records of the sources (commits, PagerDuty
   log entries of other types).

Chatter (messages with none of the above), system messages, notifications and twins (rows
folded into another record of the same event) are never shown; they are counted where they
fall. When more rows qualify than the budget allows, the earlier rules win, and within a rule
the stronger rows; the rest get ``over_budget:RULE``.

Everything is column-wise: no Python loop over rows, so a channel of hundreds of thousands of
messages costs a few vectorised passes.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pyarrow as pa

from ingest.textmatch import contains_each
from timeline.masks import FrameMasks

# rule -> precedence (lower wins when the budget is short)
RULES: dict[str, int] = {
    "alert": 0,
    "deploy": 0,
    "rollback": 0,
    "status_update": 0,
    "customer_report": 1,
    "role": 1,
    "pinned": 1,
    "reaction": 1,
    "notes": 2,
    "change": 2,
    "record": 2,
    "decision": 3,
    "figures": 3,
    "finding": 3,
    "keyword": 3,
    "first_message": 4,
    "commit": 4,
}
NOT_SHOWN = ("twin", "system", "notification", "chatter")

_INCIDENT_KINDS = (
    "alert.triggered",
    "alert.acknowledged",
    "alert.escalated",
    "alert.resolved",
    "alert.assigned",
    "alert.responder_requested",
    "alert.status_update",
)
_DEPLOY_KINDS = ("deploy.started", "deploy.succeeded", "deploy.failed")
_CHANGE_KINDS = ("pr.merged", "release.published")

_UNIT = (
    r"%|ms\b|s\b|secs?\b|seconds?\b|mins?\b|minutes?\b|h\b|hours?\b|x\b|k\b|tickets?\b"
    r"|errors?\b|requests?\b|orders?\b|customers?\b|users?\b|pods?\b|connections?\b|rps\b"
    r"|qps\b|times\b|replicas?\b|nodes?\b|merchants?\b|payments?\b|checkouts?\b|attempts?\b"
)
FIGURES = rf"\d(?:[\d.,]*\d)?\s?(?:{_UNIT})|\b[a-z]+_[a-z_]+ \d+|\bp\d\d\b"
DECISIONS = (
    r"\b(?:decided|decision|we will|we'll|rolling back|roll(?:ing)? (?:it )?back|going to"
    r"|plan:|will deploy|resolving|on hold)\b"
)
FINDINGS = (
    r"\b(?:confirm(?:s|ed)?|found|finding|shows?|looks like|seems|suspect|hypothes[ie]s"
    r"|likely|lead|matches|because|in total|back to|baseline|not charged|no refunds?)\b"
)
# Someone saying which part they take: the responders' roles as the chat records them.
ROLE_WORDS = (
    r"\b(?:incident commander|I'm IC|I am IC|taking IC|I'll be IC|primary on-?call"
    r"|on-?call here|comms lead)\b"
)
# How much each signal weighs when evidence competes for the budget.
_WEIGHTS = {"decision": 2, "figures": 2, "finding": 2, "impact": 1, "keyword": 1}
# Words about what customers met: they make a message weigh more, never choose it alone.
IMPACT = r"\b(?:charged|refunds?|tickets?|customers?|merchants?|orders?|checkouts?|revenue)\b"
_ALERT_BOT = r"^\W*(?:triggered|recovered|resolved|acknowledged|alert)\b"


def select_key_rows(
    frame: pd.DataFrame,
    *,
    keywords: tuple[str, ...],
    key_reactions: tuple[str, ...],
    comms_channels: tuple[str, ...] = (),
    max_rows: int = 60,
) -> pd.DataFrame:
    """Columns ``key`` (bool) and ``key_rule`` (str) for ``frame``, aligned with its index.

    At most ``max_rows`` rows are key rows. ``frame`` may carry twins marked by
    ``timeline.twins.fold_twins`` (a non-empty ``twin_ref``); they are never key rows.
    """
    if frame.empty:
        return pd.DataFrame({"key": pd.Series(dtype=bool), "key_rule": pd.Series(dtype=str)})
    rows = FrameMasks(frame)
    kind, tag = rows.kind, rows.tag
    summary = frame["summary"]
    chat = rows.source("slack")
    system = tag("system")
    bot = tag("bot")
    twin = rows.named("twin_ref")

    reaction = np.zeros(len(frame), dtype=bool)
    if key_reactions:
        reaction = tag(*(f"reaction:{name}" for name in key_reactions))
    # One call, so that the searches of a long column run side by side.
    searched = [FIGURES, DECISIONS, FINDINGS, _ALERT_BOT, ROLE_WORDS, IMPACT]
    if keywords:
        searched.append("|".join(re.escape(k) for k in keywords))
    found = [column.to_numpy(dtype=bool) for column in contains_each(summary, searched, case=False)]
    figures, decision, finding, alert_bot, role, impact, *keyword = found
    keyword = keyword[0] if keyword else np.zeros(len(frame), dtype=bool)
    in_comms = chat & rows.channel(_channel_names(comms_channels))
    revert = kind("commit") & tag("revert", "rollback")
    rollback = tag("rollback")
    person = chat & ~system & ~bot & rows.named("actor")
    first = rows.first_of_each("actor", person)
    deploy = kind(*_DEPLOY_KINDS)

    conditions = [
        (twin, "twin"),
        (system, "system"),
        (kind("alert.notified"), "notification"),
        (deploy & rollback, "rollback"),
        (deploy, "deploy"),
        (kind(*_INCIDENT_KINDS), "alert"),
        (chat & bot & alert_bot, "alert"),
        (kind("comms.status_page") | in_comms, "status_update"),
        (kind("report.customer"), "customer_report"),
        (chat & role, "role"),
        (chat & tag("pinned"), "pinned"),
        (chat & reaction, "reaction"),
        (rows.source("notes", "table"), "notes"),
        (kind(*_CHANGE_KINDS) | revert, "change"),
        (chat & decision, "decision"),
        (chat & figures, "figures"),
        (chat & finding, "finding"),
        (chat & keyword, "keyword"),
        (rows.source("pagerduty"), "record"),
        (first, "first_message"),
        (kind("commit"), "commit"),
    ]
    # Rules as codes into one list of names: a year of chat is too many rows for a string each.
    names = [r for _, r in conditions] + ["chatter"]
    codes = np.select([c for c, _ in conditions], np.arange(len(conditions)), len(conditions))
    candidates = np.array([RULES.get(name, 99) for name in names])[codes]
    eligible = np.flatnonzero(candidates < 99)
    signals = {
        "decision": decision,
        "figures": figures,
        "finding": finding,
        "impact": impact,
        "keyword": keyword,
    }
    weight = sum(signals[name] * w for name, w in _WEIGHTS.items())
    # A longer message carries more, up to a point: at most one signal's worth.
    weight = weight + summary.str.len().fillna(0).clip(upper=300).to_numpy(dtype=float) / 100
    # Precedence first, then the weight of what the row carries, then time order.
    order = eligible[np.lexsort((eligible, -weight[eligible], candidates[eligible]))]
    key = np.zeros(len(frame), dtype=bool)
    key[order[:max_rows]] = True
    codes[order[max_rows:]] += len(names)
    every_name = pa.array(names + [f"over_budget:{name}" for name in names], pa.large_string())
    rules = pa.DictionaryArray.from_arrays(pa.array(codes, pa.int32()), every_name)
    key_rule = pd.arrays.ArrowStringArray(rules.cast(pa.large_string()))
    return pd.DataFrame({"key": key, "key_rule": key_rule}, index=frame.index)


def _channel_names(channels: tuple[str, ...]) -> list[str]:
    names = [str(c) for c in channels]
    return [*names, *(c if c.startswith("#") else f"#{c}" for c in names)]
