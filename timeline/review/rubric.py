"""The blameless postmortem rubric: rule ids, word lists and the checks on single cells and lines.

``timeline.review.check`` walks a draft's structure and calls these; everything here works on one
piece of text at a time, so each rule can be read (and changed) on its own.
"""

from __future__ import annotations

import re
from typing import Literal

import msgspec

import ingest.vocab as vocab
from ingest.errors import TimeError
from ingest.times import PartialDateError, calendar_date
from timeline.review.text import plain

# rule id -> level. Each id is stable: users filter on it and the JSON output carries it.
Level = Literal["error", "warning", "note"]

RULES: dict[str, Level] = {
    "section-missing": "error",
    "section-empty": "warning",
    "lucky-empty": "error",
    "timeline-source-missing": "error",
    "impact-no-number": "error",
    "impact-vague": "warning",
    "impact-unsourced": "warning",
    "blame-wording": "error",
    "blame-person": "error",
    "hindsight-wording": "warning",
    "single-contributing-factor": "warning",
    "action-items-table": "error",
    "action-vague": "error",
    "action-owner": "error",
    "action-due": "error",
    "action-type": "error",
    "unredacted-secret": "error",
    "unredacted-personal-data": "error",
    "unredacted-customer-id": "error",
    "tk-open": "error",
    "timeline-time-mismatch": "error",
    "key-time-mismatch": "error",
    "key-time-moved": "note",
    "timeline-ref-unknown": "warning",
    "key-event-missing": "warning",
    "naive-time": "warning",
    "time-unreadable": "warning",
}

# (key as normalised from the heading, name shown to the user). A heading matches when its
# normalised text starts with the key, so "Timeline (UTC)" is the Timeline.
REQUIRED_SECTIONS: tuple[tuple[str, str], ...] = (
    ("summary", "Summary"),
    ("customer impact", "Customer impact"),
    ("timeline", "Timeline"),
    ("contributing factors", "Contributing factors"),
    ("what went well", "What went well"),
    ("what went wrong", "What went wrong"),
    ("where we got lucky", "Where we got lucky"),
    ("action items", "Action items"),
    ("lessons learned", "Lessons learned"),
    ("distribution", "Distribution"),
)
# Other headings the seeds' own templates and examples give a required section ("Impact",
# "Impact summary"; "What went poorly").
SECTION_ALIASES: dict[str, tuple[str, ...]] = {
    "customer impact": ("impact",),
    "what went wrong": ("what went poorly",),
}
NEAR_MISS_IMPACT = "customer impact avoided"
KEY_TIMESTAMPS = "key timestamps"

# Redaction kinds that are personal data rather than credentials: nothing to rotate.
PERSONAL_KINDS = frozenset({"email", "phone", "card_number"})

EMPTY_ANSWERS = frozenset({"", "n/a", "na", "none", "nothing", "no", "-", "—", "nil"})

# A source reference: a link, a Slack CHANNEL/ts, a file:line, a commit SHA, or an ID.
REF_PATTERN = re.compile(
    r"https?://[^\s)>\]|]+"
    r"|[\w#.-]+/\d{9,10}\.\d{6}"
    r"|(?:[\w.-]+/)*[\w-]+\.[A-Za-z0-9]{1,8}:\d+\b"
    r"|\b(?=[0-9a-f]*\d)(?=[0-9a-f]*[a-f])[0-9a-f]{7,40}\b"
    r"|\b(?=[A-Z0-9]*\d)[A-Z][A-Z0-9]{5,}\b"
    r"|\b[A-Z][A-Z0-9]+-\d+\b"
    r"|#\d+\b"
    r"|\b\d{6,}\b"
)


class Finding(msgspec.Struct):
    """One problem in a draft: where it is, what it says, why it matters, what to write."""

    rule: str
    level: Level
    line: int
    quote: str
    why: str
    suggestion: str = ""


def finding(rule: str, line: int, quote: str, why: str, suggestion: str = "") -> Finding:
    """A finding at the level the rubric gives its rule, with the quote cut to one short line."""
    quote = " ".join(quote.split())
    if len(quote) > 100:
        quote = quote[:99] + "…"
    return Finding(rule, RULES[rule], line, quote, why, suggestion)


def _words(pattern: str) -> re.Pattern[str]:
    return re.compile(rf"\b(?:{pattern})\b", re.IGNORECASE)


VAGUE_IMPACT = _words(
    r"significant(?:ly)?|substantial|a lot of|lots of|a few|a handful of|a number of|"
    r"widespread|massive|huge|(?:many|some|most|several|numerous|various)\s+"
    r"(?:users?|customers?|requests?|people|accounts?|merchants?|orders?|tenants?)"
)
_IMPACT_NOISE = re.compile(
    r"https?://\S+|\d{4}-\d{2}-\d{2}|\b\d{1,2}:\d{2}(?::\d{2})?\b|" + REF_PATTERN.pattern
)
_IMPACT_NUMBER = re.compile(r"(?<![\w./-])\d[\d,.]*\s*(?:%|k\b|m\b)?")
_IMPACT_SOURCE = re.compile(
    r"https?://|\]\(|\b(?:source[sd]?|according to|measured|query|dashboard|per the)\b",
    re.IGNORECASE,
)

_SOURCE_IN_WORDS = re.compile(r"\((?:[^()\d]*?[A-Za-z]{3,}){2}[^()]*\)")
_VAGUE_ACTION_ANYWHERE = _words(
    r"be more careful|more careful|communicate better|better communication|double[- ]check|"
    r"review the runbook|pay more attention|be aware|remind (?:people|everyone|the team)"
)
_VAGUE_ACTION_START = re.compile(
    r"^\W*(?:improve|consider|investigate|look into|explore|think about|try to)\b", re.IGNORECASE
)
_NO_OWNER = frozenset({"", "tbd", "tk", "tba", "?", "-", "—", "n/a", "na", "none", "unassigned"})
# Seed vocabulary: nouns and verbs, any letter case.
ACTION_TYPES = {
    "prevention": "Prevention",
    "prevent": "Prevention",
    "detection": "Detection",
    "detect": "Detection",
    "mitigation": "Mitigation",
    "mitigate": "Mitigation",
    "process": "Process",
}
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def impact_has_number(text: str) -> bool:
    """True when impact text states a number that is not a date, a time or a reference."""
    return bool(_IMPACT_NUMBER.search(_IMPACT_NOISE.sub(" ", text)))


def impact_has_source(text: str) -> bool:
    """True when impact text says where its figures come from.

    A link, a ref, a phrase such as "per the dashboard", or a source named in words in
    parentheses as the seed examples write it: "(failed checkout count)", "(finance estimate)".
    """
    return bool(
        _IMPACT_SOURCE.search(text) or REF_PATTERN.search(text) or _SOURCE_IN_WORDS.search(text)
    )


def vague_action(action: str) -> str | None:
    """The vague wording of an action item ("be more careful", "Improve ..."), else None."""
    text = plain(action)
    match = _VAGUE_ACTION_ANYWHERE.search(text) or _VAGUE_ACTION_START.search(text)
    return match.group(0).strip(" -*:") if match else None


def owner_problem(owner: str) -> str | None:
    """Why an Owner cell names no owner, else None.

    One person (``@nadia``), a person with a team (``@jamie (SRE)``), a role (``on-call SRE``)
    and a team (``platform team``) are all owners, as the template's "(team or role)" allows.
    """
    text = re.sub(r"\s+", " ", plain(owner))
    if text.lower().strip(" .") in _NO_OWNER or not re.search(r"[A-Za-z]", text):
        return "has no owner"
    return None


def due_problem(due: str) -> str | None:
    """Why a Due cell is not a real calendar date, else None."""
    text = plain(due)
    if not text or text.lower() in _NO_OWNER:
        return "has no due date"
    if _ISO_DATE.match(text):
        try:
            calendar_date(text)
        except TimeError:
            return "is not a valid date"
        return None
    try:
        calendar_date(text)
    except PartialDateError:  # "March" or "next Friday"
        return "is not a full date with day, month and year"
    except TimeError:
        return "is not a date"
    return None


def type_problem(kind: str) -> str | None:
    """Why a Type cell is not an action type (Prevention, Detection, Mitigation, Process)."""
    if plain(kind).lower().strip(" .") in ACTION_TYPES:
        return None
    return "is not one of Prevention, Detection, Mitigation, Process"


# How a draft may name each summary milestone in its key timestamps: its name, its label in the
# skeleton, and the other words authors use.
MILESTONE_LABELS: dict[str, str] = {
    **{name: name for name in vocab.MILESTONES},
    **{label.lower(): name for name, label in vocab.MILESTONE_LABELS.items()},
    "impact started": "impact_start",
    "impact began": "impact_start",
    "start of impact": "impact_start",
    "detection": "detected",
    "acked": "acknowledged",
    "escalation": "escalated",
    "mitigation": "mitigated",
    "resolution": "resolved",
    "first comms": "first_comms",
    "first customer communication": "first_comms",
}
