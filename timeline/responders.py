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
from ingest.vocab import has_tag

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
    actor = frame["actor"].fillna("").str.strip()
    people = (actor != "") & ~_system_rows(frame, actor)
    if not people.any():
        return []
    rows = actor[people]
    codes, distinct = pd.factorize(rows)
    names = list(distinct)
    person_of = _same_person(names)
    person_of.update(_joined(names, directory))
    # Only the columns used, and only the rows that come first, are copied: a year-long
    # channel has hundreds of thousands of rows and a few dozen people, so rows are matched
    # to people by number (each distinct name once), and the first rows per person become
    # plain records.
    persons = list(dict.fromkeys(person_of[name] for name in names))
    number = {name: i for i, name in enumerate(persons)}
    ids = np.array([number[person_of[name]] for name in names], dtype=np.int64)[codes]
    person = pd.Series(np.array(persons, dtype=object)[ids], index=rows.index)
    acting = ~has_tag(frame.loc[people, "tags"], "system").to_numpy(dtype=bool)
    seen_at = _first_rows(ids)
    acted_at = np.flatnonzero(acting)[_first_rows(ids[acting])]
    firsts = (
        frame.loc[rows.index[seen_at], ["ts", "ref"]]
        .assign(person=[persons[i] for i in ids[seen_at]])
        .to_dict("records")
    )
    first_actions = {
        action["person"]: action
        for action in frame.loc[rows.index[acted_at], ["ts", "kind", "summary", "ref", "url"]]
        .assign(person=[persons[i] for i in ids[acted_at]])
        .to_dict("records")
    }
    # People's chat messages, searched in place: a copy of a long column would be searched
    # from scratch.
    chat = people.to_numpy(dtype=bool) & (frame["source"] == "slack").to_numpy(dtype=bool)
    roles = _roles(frame, chat, person, person_of, roster)

    responders = []
    for record in firsts:
        person = record["person"]
        also = sorted({n for n, p in person_of.items() if p == person and n != person})
        role, role_source = roles.get(person, (None, None))
        entry: dict[str, Any] = {
            "name": person,
            "also": also,
            "role": role,
            "role_source": role_source,
            "first_seen": to_iso(record["ts"]),
            "first_seen_ref": record["ref"],
            "first_action": None,
        }
        action = first_actions.get(person)
        if action is not None:
            text = str(action["summary"]).replace("\n", " ").strip()
            if len(text) > _SUMMARY_CHARS:
                text = text[: _SUMMARY_CHARS - 1].rstrip() + "…"
            entry["first_action"] = {
                "at": to_iso(action["ts"]),
                "kind": str(action["kind"]),
                "summary": text,
                "ref": str(action["ref"]),
                "url": str(action["url"]),
            }
        responders.append(entry)
    return responders


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


def _system_rows(frame: pd.DataFrame, actor: pd.Series) -> pd.Series:
    """Rows whose actor is a system: bots, PagerDuty services and integrations."""
    source = frame["source"]
    services = set(frame.loc[source == "pagerduty", "channel"].astype(str).str.casefold())
    # Names repeat on every message: each distinct one is folded and matched once.
    codes, distinct = pd.factorize(actor.fillna(""))
    names = pd.Series(distinct, dtype=object)
    folded = names.str.casefold()
    bot_name = contains(names, r"\[bot\]$|[-_]bot$|^github-actions$", case=False).to_numpy()
    github_bot = (source == "github").to_numpy(dtype=bool) & bot_name[codes]
    slack_bot = (source == "slack").to_numpy(dtype=bool) & has_tag(frame["tags"], "bot").to_numpy()
    pagerduty_system = (source == "pagerduty").to_numpy(dtype=bool) & (
        folded.isin(services).to_numpy()[codes]
        | (frame["subtype"] == "alert").to_numpy(dtype=bool, na_value=False)
        | (frame["kind"] == "alert.notified").to_numpy(dtype=bool, na_value=False)
    )
    bots = set(folded.to_numpy()[np.unique(codes[slack_bot | github_bot])])
    system = github_bot | slack_bot | pagerduty_system | folded.isin(bots).to_numpy()[codes]
    return pd.Series(system, index=frame.index)


def _same_person(names: list[str]) -> dict[str, str]:
    """Each name -> the name that stands for its person (a full name over a handle)."""
    full = [n for n in names if len(n.split()) > 1 and "(" not in n]
    person_of = {n: n for n in names}
    for handle in (n for n in names if len(n.split()) == 1):
        folded = handle.casefold()
        fits = []
        for name in full:
            first, last = name.casefold().split()[0], name.casefold().split()[-1]
            if folded in (first, first[0] + last, first + last[0]):
                fits.append(name)
        if len(fits) == 1:
            person_of[handle] = fits[0]
    return person_of


def _roles(
    frame: pd.DataFrame,
    chat: np.ndarray,
    row_person: pd.Series,
    person_of: Mapping[str, str],
    roster: Mapping[str, str],
) -> dict[str, tuple[str, str]]:
    """person -> (roles, where the artifacts say them), in this order: the roster, a role
    someone names for themselves ("incident commander"), PagerDuty escalations and
    assignments, then the team someone says they speak for ("Support here")."""
    found: dict[str, list[tuple[str, str]]] = {}

    def add(person: str | None, role: str, where: str) -> None:
        if person and role.casefold() not in (r.casefold() for r, _ in found.get(person, [])):
            found.setdefault(person, []).append((role, where))

    folded_roster = {str(k).strip().casefold(): str(v) for k, v in roster.items()}
    for name, person in person_of.items():
        if name.casefold() in folded_roster:
            add(person, folded_roster[name.casefold()], "roster")
    said = _said(frame, chat, row_person, _CHAT_ROLES)
    for person, role, ref in said[0]:
        add(person, _ROLE_NAMES.get(role.casefold(), role), f"said in chat {ref}")
    pagerduty = frame.loc[frame["source"] == "pagerduty", ["summary", "ref"]]
    for text, ref in pagerduty.itertuples(index=False):
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
    row_person: pd.Series,
    patterns: Sequence[re.Pattern[str]],
) -> list[list[tuple[str, str, str]]]:
    """For each pattern, (person, role, ref) for each person's first chat message (``chat``
    marks the rows; ``row_person`` names each row's person) matching it."""
    # Arrow finds the few messages any pattern matches, in one pass over the column; only
    # those go through ``re``, pattern by pattern, for the role.
    union = "|".join(f"(?:{_unnamed(_inline_flags(p))})" for p in patterns)
    rows = np.flatnonzero(contains(frame["summary"], union).to_numpy() & chat)
    names = row_person.loc[frame.index[rows]].tolist()
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
