"""The blameless postmortem rubric: rule ids, word lists and the checks on single cells and lines.

``timeline.review.check`` walks a draft's structure and calls these; everything here works on one
piece of text at a time, so each rule can be read (and changed) on its own.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from dateutil import parser as dateutil_parser

import ingest.vocab as vocab

# rule id -> level. Each id is stable: users filter on it and the JSON output carries it.
Level = Literal["error", "warning"]

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
    "tk-open": "error",
    "timeline-time-mismatch": "error",
    "key-time-mismatch": "error",
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


@dataclass
class Finding:
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


@dataclass(frozen=True)
class PhraseRule:
    """A wording to flag: the rule id it reports under, the pattern, why, and what to write."""

    rule: str
    pattern: re.Pattern[str]
    why: str
    suggestion: str
    negatable: bool = False


def _words(pattern: str) -> re.Pattern[str]:
    return re.compile(rf"\b(?:{pattern})\b", re.IGNORECASE)


BLAME_PHRASES: tuple[PhraseRule, ...] = (
    PhraseRule(
        "hindsight-wording",
        _words(r"should(?: have|'ve)|could(?: have|'ve) prevented"),
        "judges a past decision with what is known only now",
        "describe what the system allowed and what people knew then: "
        "'the pipeline let the change ship without a canary'",
    ),
    PhraseRule(
        "hindsight-wording",
        _words(r"failed to"),
        "frames an outcome as a personal failure",
        "say what happened and what made it likely: 'the alert did not fire because ...'",
    ),
    PhraseRule(
        "hindsight-wording",
        _words(r"obviously|clearly should|in hindsight|with hindsight|in retrospect"),
        "what is obvious after the fact was not obvious during the incident",
        "say which signals were available at the time and why they did not stand out",
    ),
    PhraseRule(
        "blame-wording",
        _words(r"careless(?:ly|ness)?|negligen(?:t|ce)|sloppy|reckless(?:ly)?"),
        "judges a person instead of the conditions they worked in",
        "describe what the system allowed: which guard, check or default was missing",
    ),
    PhraseRule(
        "blame-wording",
        _words(r"did(?:n't| not) follow|ignored the runbook|did(?:n't| not) read the runbook"),
        "blames people for a procedure that did not hold",
        "describe what made the documented procedure hard to follow or easy to skip",
    ),
    PhraseRule(
        "blame-wording",
        _words(r"human error|operator error|user error|pilot error"),
        "'human error' is where an analysis starts, not a conclusion",
        "name the conditions that made the error possible: a missing guard, a confusing "
        "interface, time pressure, an unclear runbook",
        negatable=True,
    ),
)
_NEGATION_BEFORE = re.compile(
    r"\b(?:not|no|never|rather than|instead of|beyond|avoid\w*|isn't|wasn't|than)\W+(?:\w+\W+)?$",
    re.IGNORECASE,
)

_HANDLE = r"@[\w.-]*\w"
_NOT_A_NAME = frozenset(
    "The This That It Which What Nothing Something Who A An One Each Every Our Their No "
    "Deploy Change Release Commit Config Migration Update Rollout Job Script".split()
)
_CAUSED_BY = re.compile(
    r"\b(?:caused|triggered|introduced|broken|started) by\s+(@?[\w.'-]+(?:\s+[\w'-]+){0,2})"
)
_POSSESSIVE_BLAME = re.compile(
    rf"({_HANDLE}|\b[A-Z][a-z]+)['’]s\s+(?:mistake|error|fault|oversight|blunder|negligence|"
    r"screw-?up|bad (?:deploy|change|push))\b"
)
_BROKE_PROD = re.compile(
    rf"({_HANDLE}|\b[A-Z][a-z]+)\s+(?:broke|took down|brought down|crashed|nuked)\s+"
    r"(?:prod\b|production|the site|the service|everything|the build|checkout)"
)
PERSON_BLAME_WHY = "names a person as the cause"
PERSON_BLAME_SUGGESTION = (
    "name the change and the conditions instead: 'a config change reached production "
    "without validation'"
)

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

_VAGUE_ACTION_ANYWHERE = _words(
    r"be more careful|more careful|communicate better|better communication|double[- ]check|"
    r"review the runbook|pay more attention|be aware|remind (?:people|everyone|the team)"
)
_VAGUE_ACTION_START = re.compile(
    r"^\W*(?:improve|consider|investigate|look into|explore|think about|try to)\b", re.IGNORECASE
)
_TEAM_OWNER = _words(
    r"team|squad|crew|group|guild|department|everyone|everybody|all|engineering|eng|ops|"
    r"devops|sre|sres|on-?call|oncall|management|leads|staff"
)
_NO_OWNER = frozenset({"", "tbd", "tk", "tba", "?", "-", "—", "n/a", "na", "none", "unassigned"})
_TWO_OWNERS = re.compile(r",|;|&|\+|\band\b|/|\bor\b")
ACTION_TYPES = ("prevention", "detection", "mitigation")
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
# Emphasis stars, code ticks and inline HTML; underscores stay, as refs and names hold them.
_MARKUP = re.compile(r"\*+|`|<(?!https?://)[^>]*>")
_ESCAPED = re.compile(r"\\([\\`*_{}\[\]()#+\-.!|<>~])")


def plain(text: str) -> str:
    """Cell or line text without Markdown escapes, emphasis, code ticks or inline HTML."""
    return _MARKUP.sub("", _ESCAPED.sub(r"\1", text)).strip()


def blame_matches(line: str, actors: frozenset[str] = frozenset()) -> list[tuple[PhraseRule, str]]:
    """Blame and hindsight wordings in one line: (rule, matched text) pairs, in rule order.

    ``actors`` are lower-cased names known from a bundle, so "caused by alice" is caught too.
    """
    found: list[tuple[PhraseRule, str]] = []
    for rule in BLAME_PHRASES:
        for match in rule.pattern.finditer(line):
            if rule.negatable and _NEGATION_BEFORE.search(line[: match.start()]):
                continue
            found.append((rule, match.group(0)))
            break
    person = _person_blamed(line, actors)
    if person:
        found.append((_PERSON_RULE, person))
    return found


# The person check needs more than one pattern and the bundle's names: see _person_blamed.
_PERSON_RULE = PhraseRule("blame-person", _CAUSED_BY, PERSON_BLAME_WHY, PERSON_BLAME_SUGGESTION)


def _person_blamed(line: str, actors: frozenset[str]) -> str | None:
    for match in _CAUSED_BY.finditer(line):
        words = match.group(1).rstrip(".,;:'").lower().split()
        names = {" ".join(words[:n]).rstrip(".,;:'") for n in range(1, len(words) + 1)}
        if words[0].startswith("@") or names & actors:
            return match.group(0).rstrip(".,;:'")
    for pattern in (_POSSESSIVE_BLAME, _BROKE_PROD):
        for match in pattern.finditer(line):
            if match.group(1) not in _NOT_A_NAME:
                return match.group(0)
    return None


def impact_has_number(text: str) -> bool:
    """True when impact text states a number that is not a date, a time or a reference."""
    return bool(_IMPACT_NUMBER.search(_IMPACT_NOISE.sub(" ", text)))


def impact_has_source(text: str) -> bool:
    """True when impact text says where its figures come from (a link, ref or named source)."""
    return bool(_IMPACT_SOURCE.search(text) or REF_PATTERN.search(text))


def vague_action(action: str) -> str | None:
    """The vague wording of an action item ("be more careful", "Improve ..."), else None."""
    text = plain(action)
    match = _VAGUE_ACTION_ANYWHERE.search(text) or _VAGUE_ACTION_START.search(text)
    return match.group(0).strip(" -*:") if match else None


def owner_problem(owner: str) -> str | None:
    """Why an Owner cell does not name one person, else None."""
    text = plain(owner)
    if text.lower() in _NO_OWNER:
        return "has no owner"
    if ("/" in text and text.startswith("@")) or _TEAM_OWNER.search(text):
        return "names a team, not one person"
    if _TWO_OWNERS.search(text) or len(re.findall(_HANDLE, text)) > 1:
        return "names more than one owner"
    return None


def due_problem(due: str) -> str | None:
    """Why a Due cell is not a real calendar date, else None."""
    text = plain(due)
    if not text or text.lower() in _NO_OWNER:
        return "has no due date"
    if _ISO_DATE.match(text):
        try:
            datetime.strptime(text, "%Y-%m-%d")
        except ValueError:
            return "is not a valid date"
        return None
    # Parse twice with different defaults: a field the text leaves out comes from the default,
    # so "March" or "next Friday" give two different dates and are not a real date.
    try:
        first = dateutil_parser.parse(text, default=datetime(2000, 1, 1))
        second = dateutil_parser.parse(text, default=datetime(2001, 2, 2))
    except (ValueError, OverflowError):
        return "is not a date"
    if first.date() != second.date():
        return "is not a full date with day, month and year"
    return None


def type_problem(kind: str) -> str | None:
    """Why a Type cell is not Prevention, Detection or Mitigation, else None."""
    text = plain(kind).lower()
    if text in ACTION_TYPES:
        return None
    return "is not one of Prevention, Detection, Mitigation"


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
