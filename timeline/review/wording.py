"""Blame and hindsight in the author's words: the patterns, and who counts as a person.

Works on one block of text at a time (a paragraph, a heading, a table cell) with its line
breaks kept, so a sentence that runs over several lines is read whole and each finding gives
the offset where its wording starts. Quotations, code spans and link targets are left out:
what an artifact said is recorded as it was said.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import msgspec

from timeline.review.text import authored


class Wording(msgspec.Struct, frozen=True):
    """A wording found: its rule id, offset in the block, the words, why, and what to write."""

    rule: str
    offset: int
    words: str
    why: str
    suggestion: str


def _words(pattern: str, flags: int = re.IGNORECASE) -> re.Pattern[str]:
    return re.compile(rf"\b(?:{pattern})\b", flags)


_HINDSIGHT_WHY = "judges what people knew then with what is known only now"
_HINDSIGHT_SUGGESTION = (
    "say which signals were there at the time and why they did not stand out, or what the "
    "system allowed"
)
_PARTICIPLE = (
    r"been|known|seen|caught|done|spotted|noticed|thought|told|run|read|felt|taken|"
    r"found|heard|gone|written|given|kept|made|sent|\w+ed"
)
HINDSIGHT: tuple[re.Pattern[str], ...] = (
    re.compile(r"(?<!\bnot )(?<!n't )\bobviously\b", re.IGNORECASE),
    _words(
        r"clearly\s+(?:showed|shows?|indicated|indicates|pointed|visible|was|were|is|had|"
        r"should|must|caused|meant|signall?ed|wrong|broken)|(?:was|were|is|been)\s+clearly"
    ),
    _words(r"it\s+(?:was|is|should\s+have\s+been|must\s+have\s+been)\s+(?:clear|obvious|evident)"),
    _words(rf"should(?:\s+not|n't)?(?:\s+have|'ve)\s+(?:{_PARTICIPLE})"),
    _words(r"could(?:\s+have|'ve)\s+(?:easily\s+)?(?:prevented|avoided|caught|stopped)"),
    _words(r"(?:in|with(?:\s+the\s+benefit\s+of)?)\s+hindsight|in\s+retrospect"),
    re.compile(
        r"\b(?i:had)\s+(?:(?i:anyone|anybody|someone|somebody|we|they|he|she|you)|"
        r"(?i:the)\s+(?i:on-?call\w*|team|reviewer|engineer|responders?|author|SRE)|"
        r"[A-Z][a-z]+|@[\w.-]+)\b[^.;]*?\b(?i:would\s+have)\b"
    ),
    _words(
        r"failed\s+to\s+(?:notice|see|spot|catch|check|read|escalate|respond|act|acknowledge|"
        r"reali[sz]e|recogni[sz]e|understand|look|consider|verify|review)"
    ),
)
BLAME_WORDING: tuple[tuple[re.Pattern[str], str, str], ...] = (
    (
        _words(r"careless(?:ly|ness)?|negligen(?:t|ce)|sloppy|reckless(?:ly)?|incompeten\w*"),
        "judges a person instead of the conditions they worked in",
        "describe what the system allowed: which guard, check or default was missing",
    ),
    (
        _words(r"did(?:n't|\s+not)\s+follow|ignored\s+the\s+runbook|did(?:n't|\s+not)\s+read"),
        "blames people for a procedure that did not hold",
        "describe what made the documented procedure hard to follow or easy to skip",
    ),
)
_HUMAN_ERROR = _words(r"human\s+error|operator\s+error|user\s+error|pilot\s+error")
_HUMAN_ERROR_WHY = "'human error' is where an analysis starts, not a conclusion"
_HUMAN_ERROR_SUGGESTION = (
    "name the conditions that made the error possible: a missing guard, a confusing interface, "
    "time pressure, an unclear runbook"
)
_NEGATION_BEFORE = re.compile(
    r"\b(?:not|no|never|rather than|instead of|beyond|avoid\w*|isn't|wasn't|than)\W+(?:\w+\W+)?$",
    re.IGNORECASE,
)

PERSON_WHY = "names a person as the cause"
PERSON_SUGGESTION = (
    "name the change and the conditions instead: 'a config change reached production without "
    "validation'"
)
_NAME = r"@[\w.-]*\w|[A-Za-z][\w.-]*[A-Za-z0-9]"
_POSSESSIVE = re.compile(rf"(?<![\w@])({_NAME})(?:['’]s|['’])(?=\s)")
_BLAME_NOUN = re.compile(
    r"\s+(?:(?:own|big|bad|careless|sloppy|rushed|untested|faulty|broken)\s+)?"
    r"(?:mistakes?|errors?|fault|faults|oversights?|blunders?|negligence|screw-?ups?|slip)\b"
    r"|\s+(?:bad|careless|sloppy|rushed|untested|faulty|broken)\s+\w+",
    re.IGNORECASE,
)
_CHANGE_NOUN = re.compile(
    r"\s+(?:\w+\s+)?(?:change|changes|deploy|deployment|commit|pr|pull request|push|edit|merge|"
    r"config|migration|script|patch|release|typo)\b",
    re.IGNORECASE,
)
_ERROR_BY = re.compile(
    rf"\b(?:human\s+error|mistake|error|oversight|negligence|fault)\s+(?:by|of|from)\s+({_NAME})",
    re.IGNORECASE,
)
# "were shortened by jmorales ..., and this caused": a lower-case agent counts only here,
# where the causal word is elsewhere in the sentence ("caused by retries" names no one).
_AGENT = re.compile(
    r"\b(?:was|were|been|being|got)\s+(?:\w+\s+)?"
    rf"(?!caused|triggered|introduced|started|broken)\w+\s+by\s+({_NAME})"
)
_CAUSED_BY = re.compile(
    rf"\b(?:caused|triggered|introduced|broken|started)\s+by\s+({_NAME})", re.IGNORECASE
)
_ACTIVE = re.compile(
    rf"(?<![\w@])({_NAME})\s+(?:caused|broke|triggered|introduced|took\s+down|brought\s+down|"
    r"crashed|nuked)\b"
)
_CAUSAL = _words(
    r"caus(?:e|ed|es|ing)|trigger(?:ed|s)?|led\s+to|leads?\s+to|result(?:ed|s)?\s+in|broke|"
    r"brought\s+down|took\s+down|responsible\s+for|root\s+cause|starts?\s+the|started\s+the"
)
_SENTENCE = re.compile(r"[^.!?]+(?:[.!?](?!\w)|$)")

# Capitalised words that open sentences or name systems, never a person on their own.
NOT_A_NAME = frozenset(
    """the this that these those it its which what nothing something who a an one each every
    our their his her my your no we they he she you i everyone anyone someone nobody team
    deploy change release commit config migration update rollout job script pipeline system
    service monitor alert load traffic default design accident hand automation retries retry
    cron bot ci cd pagerduty datadog grafana github slack redis postgres kubernetes helm aws
    gcp azure terraform jenkins sentry kafka nginx zendesk statuspage the on-call sre oncall
    customer customers user users support finance platform engineering management today
    yesterday monday tuesday wednesday thursday friday saturday sunday""".split()
)


def person_named(token: str, actors: frozenset[str], *, lower_ok: bool) -> bool:
    """True when ``token`` names a person: a handle, a known actor, or a name-like word.

    ``lower_ok`` lets a lower-case word count (a login as the agent of a passive verb).
    """
    word = token.strip(".,;:'’").lower()
    if not word or word in NOT_A_NAME or re.search(r"(?:^|[-_])bots?$|\[bot\]", word):
        return False
    if token.startswith("@") or word in actors:
        return True
    if token[:1].isupper() and token[1:2].islower():
        return True
    return lower_ok and len(word) >= 4 and word.isalpha()


def find(text: str, actors: frozenset[str] = frozenset()) -> list[Wording]:
    """Blame and hindsight wordings in one block of text, each at most once, in order found.

    ``actors`` are lower-cased names of the people a bundle knows.
    """
    own = authored(text)
    found = [*_hindsight(own), *_blame_wording(own), *_person(own, actors)]
    return sorted(found, key=lambda w: w.offset)


def _hindsight(text: str) -> Iterator[Wording]:
    for pattern in HINDSIGHT:
        for match in pattern.finditer(text):
            words = " ".join(match.group(0).split())
            yield Wording(
                "hindsight-wording",
                match.start(),
                words,
                _HINDSIGHT_WHY,
                _HINDSIGHT_SUGGESTION,
            )


def _blame_wording(text: str) -> Iterator[Wording]:
    for pattern, why, suggestion in BLAME_WORDING:
        for match in pattern.finditer(text):
            yield Wording("blame-wording", match.start(), match.group(0), why, suggestion)
    for match in _HUMAN_ERROR.finditer(text):
        if not _NEGATION_BEFORE.search(text[: match.start()]):
            yield Wording(
                "blame-wording",
                match.start(),
                match.group(0),
                _HUMAN_ERROR_WHY,
                _HUMAN_ERROR_SUGGESTION,
            )


def _person(text: str, actors: frozenset[str]) -> Iterator[Wording]:
    """A person given as the cause, at most once per sentence."""
    for sentence in _SENTENCE.finditer(text):
        hit = _person_in_sentence(sentence.group(0), actors)
        if hit is not None:
            offset, words = hit
            yield Wording(
                "blame-person",
                sentence.start() + offset,
                " ".join(words.split()),
                PERSON_WHY,
                PERSON_SUGGESTION,
            )


def _person_in_sentence(sentence: str, actors: frozenset[str]) -> tuple[int, str] | None:
    causal = bool(_CAUSAL.search(sentence))
    for match in _POSSESSIVE.finditer(sentence):
        if not person_named(match.group(1), actors, lower_ok=False):
            continue
        after = sentence[match.end() :]
        noun = _BLAME_NOUN.match(after)
        if noun or (causal and _CHANGE_NOUN.match(after)):
            end = match.end() + (noun or _CHANGE_NOUN.match(after)).end()  # type: ignore[union-attr]
            return match.start(), sentence[match.start() : end]
    for match in _ERROR_BY.finditer(sentence):
        if person_named(match.group(1), actors, lower_ok=True):
            return match.start(), match.group(0)
    for pattern in (_CAUSED_BY, _ACTIVE):
        for match in pattern.finditer(sentence):
            if person_named(match.group(1), actors, lower_ok=False):
                return match.start(), match.group(0)
    if causal:
        for match in _AGENT.finditer(sentence):
            if person_named(match.group(1), actors, lower_ok=True):
                return match.start(), match.group(0)
    return None
