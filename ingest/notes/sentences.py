"""Splitting a line of notes into sentences, and a sentence into one clause per time."""

from __future__ import annotations

import re

from ingest.notes.words import IMPACT_WORDS, INCIDENT_WORD, OPEN_IMPACT, UPSTREAM
from ingest.times.clock import Clock
from ingest.times.zones import lookup

_BOUNDARY = re.compile(r"[.!?]+(?=\s)")
_NO_SPLIT_AFTER = re.compile(
    r"\b(?:e\.g|i\.e|eg|ie|etc|vs|approx|cf|incl|esp|viz|mr|mrs|ms|dr|jr|sr|inc|ltd|no)\.$", re.I
)
_AM_PM_END = re.compile(r"\b[ap]\.m\.$", re.I)
_PHASE_NUMBER = re.compile(r"(?:^|\s)(?:phase|step|part|\d{1,3})\.$", re.I)
# What joins the two ends of a range: "10:00-10:30", "from 10:00 to 10:30", "between A and B".
_RANGE_JOIN = re.compile(
    r"^\s*(?:-|–|—|to|until|till|through|and)\s*(?:approximately\s+|about\s+|around\s+|~)?$", re.I
)
_OPEN_START = re.compile(
    r"\b(?:from|starting\s+(?:at|from)?|since|began\s+at)\s+(?:\S+\s+){0,5}$", re.I
)
_OPEN_END = re.compile(r"\b(?:until|ended\s+at)\s+(?:\S+\s+){0,3}$", re.I)
_CLAUSE_CUT = re.compile(r"[,;]\s+(?:and\s+|then\s+|but\s+)?|\s+and\s+(?=\S+\s+(?:at|by)\s)", re.I)


def split_sentences(text: str) -> list[str]:
    """Split one line into sentences at . ! ? followed by a space.

    Never inside "v1.2.3" or "07:14" (no space follows), nor after "e.g.", "i.e.", "etc.";
    after "a.m."/"p.m." only when a capitalised word that is not a zone follows.
    """
    pieces: list[str] = []
    start = 0
    for boundary in _BOUNDARY.finditer(text):
        before = text[start : boundary.end()]
        after = text[boundary.end() :].lstrip()
        if not after or not _ends_sentence(before, after):
            continue
        pieces.append(before.strip())
        start = boundary.end()
    pieces.append(text[start:].strip())
    return [piece for piece in pieces if piece]


def range_pairs(text: str, clocks: list[Clock]) -> dict[int, int]:
    """{index of a range's first time: index of its end} for "A to B", "between A and B"."""
    pairs = {}
    for i in range(len(clocks) - 1):
        between = text[clocks[i].end : clocks[i + 1].start]
        between = re.sub(r"\s+on\s+[^,]*?(?=\s+(?:and|to|until|-|–|—)\s)", "", between)
        backwards = (
            not clocks[i].meridiem
            and not clocks[i + 1].meridiem
            and (0 < _minutes(clocks[i]) - _minutes(clocks[i + 1]) < 12 * 60)
        )  # "changed from 15:06 to 15:04" is a correction, not a range
        if (
            _RANGE_JOIN.match(between)
            and not backwards
            and (
                not between.strip().lower().startswith("and")
                or re.search(r"\bbetween\s+(?:\S+\s+){0,3}$", text[: clocks[i].start], re.I)
            )
        ):
            pairs[i] = i + 1
    return pairs


def clauses(text: str, clocks: list[Clock], pairs: dict[int, int]) -> list[str]:
    """One piece of ``text`` per time: cut between two times at a comma, semicolon or "and".

    The two ends of a range share one clause; text before the first time goes with it.
    """
    owners = [i for i in range(len(clocks)) if i not in pairs.values()]
    cuts = [0]
    for a, b in zip(owners, owners[1:], strict=False):
        last = pairs.get(a, a)
        gap_start, gap_end = clocks[last].end, clocks[b].start
        found = list(_CLAUSE_CUT.finditer(text, gap_start, gap_end))
        cuts.append(found[-1].end() if found else gap_start)
    cuts.append(len(text))
    pieces = [text[cuts[k] : cuts[k + 1]].strip(" ,;") for k in range(len(owners))]
    result = []
    for k, owner in enumerate(owners):
        result.append(pieces[k])
        if owner in pairs:
            result.append(pieces[k])
    return result


def range_roles(
    sentence: str, clock: Clock, starts: bool, ends: bool, clause: str
) -> dict[str, str]:
    """What a time's place in a range says: the start of impact, or its end."""
    before = sentence[: clock.start]
    incident = bool(INCIDENT_WORD.search(sentence))
    if UPSTREAM.search(sentence) or not (IMPACT_WORDS.search(sentence) or incident):
        return {}
    if not ends and not starts:
        if _OPEN_START.search(before) and (incident or OPEN_IMPACT.search(sentence)):
            starts = True
        elif _OPEN_END.search(before) and (incident or IMPACT_WORDS.search(before)):
            ends = True
    if ends:
        if incident and not re.search(r"\bcustomers?\b", clause, re.I):
            return {"resolved": "end of the incident window"}
        return {"mitigated": "end of the impact window"}
    if starts:
        return {"impact_start": "start of the impact window"}
    return {}


def _ends_sentence(before: str, after: str) -> bool:
    if _AM_PM_END.search(before):
        word = re.match(r"[A-Za-z]+", after)
        return after[0].isupper() and not (word and lookup(word.group(0)))
    if _PHASE_NUMBER.search(before):
        return False
    return not _NO_SPLIT_AFTER.search(before)


def _minutes(clock: Clock) -> int:
    return clock.hour * 60 + clock.minute
