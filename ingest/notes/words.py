"""The words that name a milestone in text people write: one list of patterns per milestone.

Shared by the notes reader (which tags each line with the milestones its words name) and by
``timeline.milestones`` (which reads chat messages with the same words). Kept as data, one
regular expression per milestone, so that a caller can match a whole column at once.

Patterns allow inflection ("fires", "fired", "firing") and a few words between the noun and the
verb ("alert on elevated 5xx fired"). Qualifiers stop a match from counting: a negation
("not resolved"), and for completions (mitigated, resolved) an attempt, a partial or hedged
statement, or a future one ("rollback started", "most services recovered", "we thought it
was fixed", "should return to normal").
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping

_GAP = r"(?:[\w'%.-]+\s+){0,4}?"  # up to four words between a noun and its verb

_WORDS: dict[str, tuple[str, ...]] = {
    "escalated": (
        r"escalat\w*\s+to\b",
        r"(?:incident|page|call|issue)\s+(?:was\s+|is\s+)?escalated",
        r"\bjoin(?:ed|s|ing)?\b(?!\s+(?:table|query))",
        r"\bpull(?:ed|s)?\s+in\b",
        r"\bbrought\s+in\b",
        rf"\bpaged\s+(?:the|our|a|an|another|more)\s+{_GAP}(?:team|lead|engineers?|manager|"
        r"experts?|cto|owners?|dba)\b",
        r"\b(?:cto|vp|director|manager)\s+(?:respond|join|engag)\w*",
    ),
    "acknowledged": (
        r"\back(?:nowledg\w*|ed|s|'d)?\b",
        rf"\bon-?call\s+{_GAP}(?:engag|respond|pick|began|begin|start)\w*",
    ),
    "detected": (
        r"\balert(?:s|ed)?\b",
        r"\bpag(?:ed|ing)\b",
        rf"\b(?:monitor\w*|automat\w*|synthetic|checks?|probes?)\s+{_GAP}"
        r"(?:notic|identif|detect|saw|see|spot|caught|flag|warn|first\s+saw)\w*",
        r"\b(?:notic|identif|detect|caught|flagg)\w*\s+by\s+(?:\w+\s+){0,2}(?:monitor|automat|alert)",
        r"\bautomated\s+warning",
        r"\bnotic(?:ed|es|e)\b",
        r"\bdetect(?:ed|s)\b",
        r"\b(?:declare[sd]?|open(?:ed|s)?)\s+(?:an?\s+)?(?:internal\s+)?incident\b",
        r"\bincident\s+(?:was\s+|is\s+)?declared",
    ),
    "resolved": (
        r"(?<!to\s)\bresolved\b",
        r"\bfull\s+resolution\b",
        r"\bfully\s+(?:restored|mitigated)\b",
        r"\b(?:all|every)\s+(?:[\w'-]+\s+){0,6}?(?:has|had|have|was|were)\s+(?:been\s+)?"
        r"(?:restored|recovered)",
        r"\boperating\s+normally\b",
        r"\b(?:verified|confirmed)\s+(?:\w+\s+)?(?:operational|stable|healthy|resolved)\b",
        r"\bverified\b",
        r"\b(?:is|was|are|were)\s+stable\b",
        r"\ball[\s-]clear\b",
        r"\bincident\s+(?:was\s+|is\s+)?closed\b|\bclosed\s+the\s+incident\b",
        r"\bback\s+to\s+green\b",
        r"\b(?:were|was|has\s+been|have\s+been)\s+fixed\b",
    ),
    "mitigated": (
        rf"\broll(?:ed)?\s*-?\s*back\s+{_GAP}(?:complete[d]?|done|finished|succeeded|successful)",
        rf"\brolled\s+{_GAP}back\b",
        r"\brevert(?:ed)?\b(?!\s+commit)",
        rf"\breverts?\s+{_GAP}(?:is|was)\s+(?:done|complete)",
        rf"\bfail(?:ed)?[\s-]?over\s+{_GAP}(?:complete[d]?|done|finished|succeeded)",
        r"\bfailed\s+over\b",
        rf"\b(?:flag|feature)\s+{_GAP}disabled\b|\bdisabled\s+(?:the\s+)?(?:\S+\s+)?flag\b",
        rf"\berror\s+rates?\s+{_GAP}(?:drop\w*|fell|falls?|back|returned|recovered|normal)",
        r"\b(?:back|returned)\s+to\s+normal\b",
        r"\bmitigated\b",
        r"\brecovered\b",
        r"\brestored\b",
        r"\bfully\s+healthy\b|\bhealthy\s+again\b",
        rf"\b(?:online|working|running|up|available|operational|serving|responsive|succeed\w*|"
        rf"works?)\s+{_GAP}again\b",
        r"\bback\s+(?:online|up)\b",
        r"\bimpact\s+(?:stopped|ended)\b",
        rf"\b(?:fix|patch)\s+{_GAP}(?:live|deployed|in\s+place|on\s+our\s+servers|rolled\s+out)",
        r"\bfinished\s+rolling\s+out\b",
        rf"\b(?:migration|restore|repair)\s+{_GAP}(?:finished|completed|done)\b",
        r"^\s*end(?:\s+(?:date|time))?\s*:",
    ),
    "first_comms": (
        r"\bstatus[\s.]?page\b|\bstatus\.\w+",
        r"(?<!commit\s)\bstatus\s+(?:post|update)\w*",
        r"\bblog\s+post\b",
        r"\bcustomers?\s+(?:were\s+)?notified\b|\bnotif(?:ied|y)\s+customers\b",
        r"\bupdate\s+(?:was\s+)?published\b|\bposted\s+an\s+update\b",
        r"\btold\s+(?:its|our|the)\s+users\b",
        r"\bpublic\s+(?:incident|status)\b",
        r"\b(?:set|moved|switched)\s+(?:\w+\s+){0,2}?to\s+(?:yellow|red)\b",
    ),
    "customer_report": (
        r"\bcustomers?\s+(?:complain\w*|report\w*)",
        r"\bcomplaint\b",
        r"\bsupport\s+(?:tickets?|team\s+let\s+us\s+know)",
        r"\bzendesk\b",
    ),
    "impact_start": (
        rf"\b(?:outage|disruption|incident|impact|degradation|trouble|problems?)\s+{_GAP}"
        r"(?:began|begins|begin|started|starts)\b",
        rf"\b(?:had|experienced|saw)\s+an?\s+{_GAP}(?:outage|disruption)\b",
        r"\b(?:cut|lost)\s+connectivity\b|\bconnectivity\s+(?:was\s+)?(?:cut|lost)\b",
        r"\bcustomers?\s+(?:\w+\s+){0,2}?(?:lost|were\s+affected|affected|hit)\b",
        r"\bhurting\s+customer",
        rf"\b(?:error|failure)\s+rates?\s+{_GAP}(?:start\w*|begin\w*|began|ris\w*|climb\w*)",
        r"\bcould\s+not\s+serve\b|\bstopped\s+(?:responding|serving)\b",
        r"^\s*start(?:ed)?(?:\s+(?:date|time))?\s*:",
    ),
}

# One regular expression per milestone, as text (for callers that compile it their own way) and
# compiled on first use: a pull that reads one milestone's words compiles only that one.
SOURCES: dict[str, str] = {
    name: "|".join(f"(?:{p})" for p in patterns) for name, patterns in _WORDS.items()
}


class _Compiled(Mapping[str, re.Pattern[str]]):
    """``SOURCES`` compiled (case-insensitive, ``^`` at each line) when first looked up."""

    def __init__(self) -> None:
        self._done: dict[str, re.Pattern[str]] = {}

    def __getitem__(self, name: str) -> re.Pattern[str]:
        if name not in self._done:
            self._done[name] = re.compile(SOURCES[name], re.IGNORECASE | re.MULTILINE)
        return self._done[name]

    def __iter__(self) -> Iterator[str]:
        return iter(SOURCES)

    def __len__(self) -> int:
        return len(SOURCES)


PATTERNS: Mapping[str, re.Pattern[str]] = _Compiled()

# What a time range says about impact: "from 09:54 to 19:20, transfers failed".
IMPACT_WORDS = re.compile(
    r"\b(?:outage|disrupt\w*|degrad\w*|unavailable|unreachable|offline|affected|impact\w*|"
    r"fail\w*|errors?|delay\w*|could\s+not|couldn't|unable|lost\s+access|stopped|down|"
    r"latency|timeouts?|broken|trouble)\b",
    re.IGNORECASE,
)
INCIDENT_WORD = re.compile(r"\bincident\b", re.IGNORECASE)
# A window that is someone else's ("upstream outage") or the aftermath ("recovering from").
UPSTREAM = re.compile(r"\bupstream\b|\brecover\w*\s+from\b", re.IGNORECASE)
# What an open start ("from 01:30, ...") needs to be the start of impact on customers.
OPEN_IMPACT = re.compile(
    r"\b(?:customers?|users?|outage|disrupt\w*|affected|impact\w*|unavailable|degraded|"
    r"offline|lost\s+access)\b",
    re.IGNORECASE,
)

NEGATED = re.compile(
    r"(?:\bnot|\bno|n't|\bnever|\bwithout|\bfailed\s+to)\s+(?:[\w-]+\s+){0,2}$", re.I
)
# Words that make a completion (mitigated, resolved) not one: started, tried, partial, future.
NOT_DONE = re.compile(
    r"\b(?:attempt\w*|tried|trying|try|start(?:ed|s|ing)?|began|begins?|initiat\w*|kick\w*\s+off|"
    r"in\s+progress|being|fail(?:s|ed)?\b(?!\s+over)|did\s+not|didn't|no\s+effect|unsuccessful|"
    r"without\s+success|some|most|several|partial\w*|first|majority|\d+\s*%|should|will|"
    r"expect\w*|once|hope\w*)\b",
    re.IGNORECASE,
)
HEDGED = re.compile(r"\b(?:thought|believed|seemed|appeared|assumed)\b", re.IGNORECASE)
COMPLETIONS = ("mitigated", "resolved")


def milestone_hits(text: str) -> dict[str, str]:
    """{milestone: phrase} for every milestone the words of ``text`` name, qualifiers applied."""
    hits: dict[str, str] = {}
    for name, pattern in PATTERNS.items():
        for match in pattern.finditer(text):
            if NEGATED.search(text[: match.start()]):
                continue
            if name in COMPLETIONS and _not_done(text, match.start(), match.end()):
                continue
            hits[name] = " ".join(match.group(0).lower().split())
            break
    return hits


def _not_done(text: str, start: int, end: int) -> bool:
    """A qualifier in the clause of the match, or a hedge in its sentence."""
    sentence = _around(text, start, end, ".!?")
    clause = _around(text, start, end, ".!?,;")
    return bool(NOT_DONE.search(clause) or HEDGED.search(sentence))


def _around(text: str, start: int, end: int, stops: str) -> str:
    left = max((text.rfind(c, 0, start) for c in stops), default=-1)
    rights = [i for i in (text.find(c, end) for c in stops) if i != -1]
    return text[left + 1 : min(rights) if rights else len(text)]
