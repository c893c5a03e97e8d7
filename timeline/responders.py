"""The responders (DESIGN.md §6): every person who acted or wrote, with the role the artifacts
give them, when they first appeared and their first action with its ref.

A role is only ever one the artifacts state: the config's roster, a PagerDuty assignment or
escalation ("Escalated to Kenji Watanabe (Database On-Call, level 2)"), or what the person said
of themselves in chat ("Joining as incident commander", "Support here", "Ravi from the DB
team"). Where none does, the role is left for the author (None).

A chat handle and a full name from another source are taken to be one person when exactly one
full name fits the handle: by first name ("priya", "Priya Raman"), initial and surname
("tbrooks", "Tom Brooks") or first name and initial ("tomb", "Tom Brooks").
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from ingest.people import directory_names
from ingest.textmatch import contains
from ingest.times import to_iso
from timeline.masks import FrameMasks

_SUMMARY_CHARS = 120
# What PagerDuty log entries say about a person's part: (pattern naming the person, role).
_PAGERDUTY_ROLES = (
    (re.compile(r"^Escalated to (?P<name>[^()]+?) \((?P<role>[^,()]+)"), "{role}"),
    (re.compile(r"^Assigned to (?P<name>.+?) by "), "assigned in PagerDuty"),
)
# What people say of themselves in chat, in order of precedence.
_CHAT_ROLES = (
    re.compile(
        r"\b(?:I'm|I am|as|taking|I'll be)\s+(?:the\s+)?(?P<role>incident commander|IC"
        r"|primary on-?call|secondary on-?call|comms lead|scribe)\b",
        re.IGNORECASE,
    ),
    re.compile(r"^(?:\w+ from )?(?:the )?(?P<role>[A-Za-z][\w -]{1,30}?) here\b"),
    re.compile(r"^\w+ from (?:the )?(?P<role>[\w -]{2,30}?)(?:,| here| joining)"),
    re.compile(r"\bI'm on the (?P<role>[\w -]{2,30}? team)\b", re.IGNORECASE),
)
_ROLE_NAMES = {"ic": "incident commander"}


def find_responders(
    frame: pd.DataFrame,
    roster: Mapping[str, str],
    directory: Sequence[Mapping[str, Any]] = (),
) -> list[dict[str, Any]]:
    """One entry per person, in order of first appearance (names the people ``directory`` of
    ``ingest.people`` joins are one person, under their full name):
    ``{"name", "also", "role", "role_source", "first_seen", "first_seen_ref",
    "first_action": {"at", "kind", "summary", "ref", "url"}}`` (times as ISO strings)."""
    if frame.empty:
        return []
    # Names and tags repeat on every row: each distinct one is judged once, and rows are
    # matched to people by number. A year-long channel has hundreds of thousands of rows and
    # a few dozen people; only the rows that come first become plain records.
    rows = FrameMasks(frame)
    codes, actors = rows.values("actor")
    actors = [actor.strip() for actor in actors]
    named = np.array([actor != "" for actor in actors], dtype=bool)[codes]
    people = np.flatnonzero(named & ~_system_rows(rows, codes, actors))
    if not len(people):
        return []
    names, name_codes = _by_appearance(actors, codes[people])
    person_of = _same_person(names)
    person_of.update(_joined(names, directory))
    persons = list(dict.fromkeys(person_of[name] for name in names))
    number = {name: i for i, name in enumerate(persons)}
    ids = np.array([number[person_of[name]] for name in names], dtype=np.int64)[name_codes]
    acting = ~rows.tag("system")[people]
    seen = _first_rows(ids)
    acted = np.flatnonzero(acting)[_first_rows(ids[acting])]
    firsts = zip(
        [persons[i] for i in ids[seen]], *_taken(frame, people[seen], ["ts", "ref"]), strict=True
    )
    actions = _taken(frame, people[acted], ["ts", "kind", "summary", "ref", "url"])
    first_actions = {
        persons[i]: action for i, action in zip(ids[acted], zip(*actions, strict=True), strict=True)
    }
    row_person = np.full(len(frame), None, dtype=object)
    row_person[people] = np.array(persons, dtype=object)[ids]
    roles = _roles(rows, row_person, person_of, roster)
    also: dict[str, list[str]] = {}
    for name, person in person_of.items():
        if name != person:
            also.setdefault(person, []).append(name)

    responders = []
    for person, first_seen, first_seen_ref in firsts:
        role, role_source = roles.get(person, (None, None))
        entry: dict[str, Any] = {
            "name": person,
            "also": sorted(also.get(person, ())),
            "role": role,
            "role_source": role_source,
            "first_seen": to_iso(first_seen),
            "first_seen_ref": first_seen_ref,
            "first_action": None,
        }
        action = first_actions.get(person)
        if action is not None:
            at, kind, summary, ref, url = action
            text = str(summary).replace("\n", " ").strip()
            if len(text) > _SUMMARY_CHARS:
                text = text[: _SUMMARY_CHARS - 1].rstrip() + "…"
            entry["first_action"] = {
                "at": to_iso(at),
                "kind": str(kind),
                "summary": text,
                "ref": str(ref),
                "url": str(url),
            }
        responders.append(entry)
    return responders


def _taken(frame: pd.DataFrame, rows: np.ndarray, columns: list[str]) -> list[list[Any]]:
    """The values of ``columns`` at the positions ``rows``, column by column."""
    return [frame[column].iloc[rows].tolist() for column in columns]


def _by_appearance(actors: list[str], codes: np.ndarray) -> tuple[list[str], np.ndarray]:
    """The different names of the rows (``codes`` into ``actors``) in order of first
    appearance, and each row's position among them (names that differ only in spaces around
    them are one)."""
    name_of, distinct = pd.factorize(np.array(actors, dtype=object))
    row_names = name_of[codes]
    present, first = np.unique(row_names, return_index=True)
    order = present[np.argsort(first, kind="stable")]
    position = np.empty(len(distinct), dtype=np.int64)
    position[order] = np.arange(len(order))
    return [str(distinct[i]) for i in order], position[row_names]


def _first_rows(ids: np.ndarray) -> np.ndarray:
    """The position of each id's first row, in row order."""
    return np.sort(np.unique(ids, return_index=True)[1])


def _joined(names: list[str], directory: Sequence[Mapping[str, Any]]) -> dict[str, str]:
    """Each actor name the directory knows -> the name standing for its person: their real
    name in the directory, else an actor's full name."""
    index = directory_names(directory)
    members: dict[int, list[str]] = {}
    for name in names:
        found = index.get(" ".join(name.split()).casefold().lstrip("@"))
        if found is not None and not directory[found].get("system"):
            members.setdefault(found, []).append(name)
    joined = {}
    for found, group in members.items():
        full = [n for n in group if len(n.split()) > 1 and "(" not in n]
        known = [str(n) for n in directory[found].get("names") or () if len(str(n).split()) > 1]
        standing = (known or full or group)[0]
        joined.update(dict.fromkeys(group, standing))
    return joined


def _system_rows(rows: FrameMasks, codes: np.ndarray, actors: list[str]) -> np.ndarray:
    """Rows whose actor is a system: bots, PagerDuty services and integrations. ``codes``
    index each row's actor in ``actors``."""
    pagerduty = rows.source("pagerduty")
    channel_codes, channels = rows.values("channel")
    services = {channels[i].casefold() for i in np.unique(channel_codes[pagerduty])}
    folded = [actor.casefold() for actor in actors]
    bot_name = np.array([_BOT_NAME.search(actor) is not None for actor in actors], dtype=bool)
    github_bot = rows.source("github") & bot_name[codes]
    slack_bot = rows.source("slack") & rows.tag("bot")
    pagerduty_system = pagerduty & (
        np.array([name in services for name in folded], dtype=bool)[codes]
        | rows.where("subtype", lambda subtype: subtype == "alert")
        | rows.kind("alert.notified")
    )
    bots = {folded[i] for i in np.unique(codes[slack_bot | github_bot])}
    a_bot = np.array([name in bots for name in folded], dtype=bool)
    return github_bot | slack_bot | pagerduty_system | a_bot[codes]


_BOT_NAME = re.compile(r"\[bot\]$|[-_]bot$|^github-actions$", re.IGNORECASE)


def _same_person(names: list[str]) -> dict[str, str]:
    """Each name -> the name that stands for its person (a full name over a handle)."""
    full = [n for n in names if len(n.split()) > 1 and "(" not in n]
    handles_of = []
    for name in full:
        words = name.casefold().split()
        first, last = words[0], words[-1]
        handles_of.append((name, {first, first[0] + last, first + last[0]}))
    person_of = {n: n for n in names}
    for handle in (n for n in names if len(n.split()) == 1):
        folded = handle.casefold()
        fits = [name for name, handles in handles_of if folded in handles]
        if len(fits) == 1:
            person_of[handle] = fits[0]
    return person_of


def _roles(
    rows: FrameMasks,
    row_person: np.ndarray,
    person_of: Mapping[str, str],
    roster: Mapping[str, str],
) -> dict[str, tuple[str, str]]:
    """person -> (roles, where the artifacts say them), in this order: the roster, a role
    someone names for themselves ("incident commander"), PagerDuty escalations and
    assignments, then the team someone says they speak for ("Support here").
    ``row_person`` names each row's person (None: a system or nobody)."""
    found: dict[str, list[tuple[str, str]]] = {}

    def add(person: str | None, role: str, where: str) -> None:
        if person and role.casefold() not in (r.casefold() for r, _ in found.get(person, [])):
            found.setdefault(person, []).append((role, where))

    folded_roster = {str(k).strip().casefold(): str(v) for k, v in roster.items()}
    for name, person in person_of.items():
        if name.casefold() in folded_roster:
            add(person, folded_roster[name.casefold()], "roster")
    # People's chat messages, searched in place: a copy of a long column would be searched
    # from scratch.
    chat = ~pd.isna(row_person) & rows.source("slack")
    said = _said(rows.frame, chat, row_person, _CHAT_ROLES)
    for person, role, ref in said[0]:
        add(person, _ROLE_NAMES.get(role.casefold(), role), f"said in chat {ref}")
    pagerduty = np.flatnonzero(rows.source("pagerduty"))
    for text, ref in zip(*_taken(rows.frame, pagerduty, ["summary", "ref"]), strict=True):
        for pattern, template in _PAGERDUTY_ROLES:
            match = pattern.match(str(text))
            if match:
                person = _person_named(match.group("name"), person_of)
                add(person, template.format(**match.groupdict()).strip(), f"PagerDuty {ref}")
    for person, role, ref in (entry for entries in said[1:] for entry in entries):
        if person not in found:
            add(person, role, f"said in chat {ref}")
    return {
        person: ("; ".join(r for r, _ in roles), "; ".join(w for _, w in roles))
        for person, roles in found.items()
    }


def _said(
    frame: pd.DataFrame,
    chat: np.ndarray,
    row_person: np.ndarray,
    patterns: Sequence[re.Pattern[str]],
) -> list[list[tuple[str, str, str]]]:
    """For each pattern, (person, role, ref) for each person's first chat message (``chat``
    marks the rows; ``row_person`` names each row's person) matching it."""
    # Arrow finds the few messages any pattern matches, in one pass over the column; only
    # those go through ``re``, pattern by pattern, for the role.
    union = "|".join(f"(?:{_unnamed(_inline_flags(p))})" for p in patterns)
    rows = np.flatnonzero(contains(frame["summary"], union).to_numpy() & chat)
    names = row_person[rows].tolist()
    texts = frame["summary"].iloc[rows].astype(str).tolist()
    refs = frame["ref"].iloc[rows].tolist()
    said = []
    for pattern in patterns:
        first: dict[str, tuple[str, str, str]] = {}
        for name, text, ref in zip(names, texts, refs, strict=True):
            match = pattern.search(text)
            if match and match.group("role") is not None and name not in first:
                first[name] = (name, match.group("role"), ref)
        said.append(list(first.values()))
    return said


def _unnamed(pattern: str) -> str:
    """The pattern with its named groups unnamed, so that several can be searched as one."""
    return re.sub(r"(?<!\\)\(\?P<\w+>", "(?:", pattern)


def _inline_flags(pattern: re.Pattern[str]) -> str:
    """The pattern's text, made case-blind inline where it was compiled so."""
    return f"(?i:{pattern.pattern})" if pattern.flags & re.IGNORECASE else pattern.pattern


def _person_named(name: str, person_of: Mapping[str, str]) -> str | None:
    """The person a full name in a PagerDuty entry stands for: an actor of that name, or the
    one handle that fits it."""
    name = name.strip()
    folded = name.casefold()
    for known, person in person_of.items():
        if known.casefold() == folded:
            return person
    parts = folded.split()
    if len(parts) < 2:
        return None
    first, last = parts[0], parts[-1]
    fits = {
        person
        for known, person in person_of.items()
        if known.casefold() in (first, first[0] + last, first + last[0])
    }
    return fits.pop() if len(fits) == 1 else None
