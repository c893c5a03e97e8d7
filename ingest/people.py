"""Who the people of an incident are, from every source: one entry per person.

Each source reports the identities its records carry: Slack's ``users.json`` (user ID, handle,
display name, real name, first and last name, e-mail), PagerDuty user references in any field
(ID, name, e-mail), GitHub authors, committers and pull-request users (login, name, e-mail),
and the config's roster. :func:`build_directory` joins them into people: identities that share
an e-mail address, then a real name (case and spacing ignored), then roster keys that give the
same role, are one person. Bots, services and integrations are systems and never join a person.

The directory is what the public audience hides; the internal audience ignores it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from functools import lru_cache
from typing import Any

import msgspec
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

_GITHUB_BOT = re.compile(r"\[bot\]$|[-_]bot$|^github-actions$|^web-flow$", re.IGNORECASE)
_NOREPLY_SYSTEMS = frozenset({"noreply@github.com"})
_PAGERDUTY_USER_TYPES = frozenset({"user", "user_reference"})
_CO_AUTHOR = re.compile(r"(?im)^co-authored-by:\s*(.+?)\s*<([^<>]+)>")
_TOKEN_EDGES = "@<>.,:;!?()[]{}\"'`*_~|/"


class Identity(msgspec.Struct, frozen=True):
    """What one source knows of one user. ``ids`` are exact tokens (user IDs, handles, logins);
    ``names`` are how the user is shown; ``real_names`` are the names identities join on."""

    source: str
    ids: tuple[str, ...] = ()
    names: tuple[str, ...] = ()
    real_names: tuple[str, ...] = ()
    emails: tuple[str, ...] = ()
    system: bool = False

    def identifiers(self) -> list[str]:
        return [*self.ids, *self.names, *self.real_names, *self.emails]


def _clean(values: Iterable[Any]) -> tuple[str, ...]:
    found = (str(v).strip() for v in values if isinstance(v, str | int) and str(v).strip())
    return tuple(dict.fromkeys(found))


@lru_cache(maxsize=65_536)  # a directory folds each name again for every way of joining
def _fold(text: str) -> str:
    """Case and spacing ignored: the form names are compared in."""
    return " ".join(str(text).split()).casefold()


# --- what each source knows ---------------------------------------------------------------------


def slack_identities(members: Iterable[Mapping[str, Any]]) -> list[Identity]:
    """Identities of ``users.json`` (or ``users.list`` / ``users.info``) members."""
    found = []
    for member in members:
        if not isinstance(member, Mapping) or not member.get("id"):
            continue
        profile = member.get("profile") if isinstance(member.get("profile"), Mapping) else {}
        first, last = profile.get("first_name") or "", profile.get("last_name") or ""
        real = _clean([member.get("real_name"), profile.get("real_name"), f"{first} {last}"])
        found.append(
            Identity(
                source="slack",
                ids=_clean([member.get("id"), member.get("name")]),
                names=_clean([profile.get("display_name"), first, last]),
                real_names=real,
                emails=_clean([profile.get("email")]),
                system=bool(
                    member.get("is_bot") or profile.get("bot_id") or member.get("id") == "USLACKBOT"
                ),
            )
        )
    return found


def pagerduty_identities(records: Iterable[Any]) -> list[Identity]:
    """Identities of every PagerDuty user reference, at any depth of ``records`` (agents,
    assignees, acknowledgers, notified users, note authors, escalation targets)."""
    found: list[Identity] = []
    stack = list(records)
    while stack:
        item = stack.pop()
        if isinstance(item, list):
            stack.extend(item)
        elif isinstance(item, Mapping):
            kind = item.get("type")
            if isinstance(kind, str) and kind in _PAGERDUTY_USER_TYPES:
                name = item.get("summary") or item.get("name")
                found.append(
                    Identity(
                        "pagerduty",
                        ids=_clean([item.get("id")]),
                        real_names=_clean([name]),
                        emails=_clean([item.get("email")]),
                    )
                )
            stack.extend(v for v in item.values() if isinstance(v, list | Mapping))
    return found


def github_identities(records: Iterable[Any]) -> list[Identity]:
    """Identities of GitHub commit authors and committers (the account and the git name and
    e-mail, which are the same person), co-authors, pull-request users and deployment creators,
    at any depth of ``records``."""
    found: list[Identity] = []
    stack = list(records)
    while stack:
        item = stack.pop()
        if isinstance(item, list):
            stack.extend(item)
            continue
        if not isinstance(item, Mapping):
            continue
        skipped: tuple[str, ...] = ()
        git = item.get("commit")
        if isinstance(git, Mapping):
            for role in ("author", "committer"):
                account = item.get(role) if isinstance(item.get(role), Mapping) else {}
                person = git.get(role) if isinstance(git.get(role), Mapping) else {}
                if account or person:
                    found.append(_github_identity(account, person))
            message = git.get("message") if isinstance(git.get("message"), str) else ""
            for name, email in _CO_AUTHOR.findall(message):
                found.append(Identity("github", real_names=_clean([name]), emails=_clean([email])))
            skipped = ("author", "committer", "commit")
        elif "login" in item:
            found.append(_github_identity(item, {}))
        stack.extend(
            v for k, v in item.items() if k not in skipped and isinstance(v, list | Mapping)
        )
    return found


def _github_identity(account: Mapping[str, Any], person: Mapping[str, Any]) -> Identity:
    login = str(account.get("login") or "")
    email = str(person.get("email") or account.get("email") or "")
    name = str(person.get("name") or account.get("name") or "")
    system = (
        account.get("type") in ("Bot", "Organization")  # a repository's owner may be an org
        or bool(_GITHUB_BOT.search(login))
        or email.casefold() in _NOREPLY_SYSTEMS
        or email.casefold().endswith("[bot]@users.noreply.github.com")
    )
    return Identity(
        "github",
        ids=_clean([login]),
        real_names=_clean([name]),
        emails=() if email.casefold().endswith("noreply.github.com") else _clean([email]),
        system=system,
    )


def roster_identities(roster: Mapping[str, str]) -> list[Identity]:
    """One identity per roster key: a user ID, handle, login, display or real name, e-mail."""
    found = []
    for key in roster:
        text = str(key).strip()
        if not text:
            continue
        if "@" in text and not text.startswith("@"):
            found.append(Identity("roster", emails=(text,)))
        elif len(text.lstrip("@").split()) > 1:
            found.append(Identity("roster", real_names=(text,)))
        else:
            found.append(Identity("roster", ids=(text.lstrip("@"),)))
    return found


# --- one entry per person -----------------------------------------------------------------------


def build_directory(
    identities: Sequence[Identity],
    roster: Mapping[str, str],
    *,
    frame: pd.DataFrame | None = None,
    keep_emails: bool = True,
) -> list[dict[str, Any]]:
    """Join identities into people and systems, as summary.json's ``people`` list.

    Each entry: ``{"names", "ids", "emails", "sources", "role", "system"}``. Identities join by
    e-mail, then real name, then roster keys with the same role. With ``frame``, only people and
    systems it shows (as an actor or a word of its text) are kept, and the roster's people. With
    ``keep_emails`` False (e-mail addresses are redacted), addresses are used to join but not
    kept.
    """
    everyone = [*identities, *roster_identities(roster)]
    roles = {_fold(k): str(v) for k, v in roster.items() if str(k).strip()}
    parent = list(range(len(everyone)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    def join_on(keys_of: Any, *, systems: bool = False) -> None:
        first: dict[str, int] = {}
        for index, identity in enumerate(everyone):
            if identity.system and not systems:
                continue
            for key in keys_of(identity):
                if key in first:
                    parent[find(index)] = find(first[key])
                else:
                    first[key] = index

    # The same account seen twice (a login on many commits, a Slack ID in two files).
    join_on(
        lambda i: [f"{i.source}:{_fold(k)}" for k in i.ids if i.source != "roster"], systems=True
    )
    join_on(lambda i: [e.casefold() for e in i.emails])
    join_on(lambda i: [_fold(n) for n in i.real_names if len(n.split()) > 1])
    join_on(lambda i: [f"role:{roles[_fold(k)]}" for k in i.identifiers() if _fold(k) in roles])
    # A roster key that is exactly another identity's handle or name is that identity.
    join_on(lambda i: [f"key:{_fold(k)}" for k in i.identifiers() if _fold(k) in roles])

    groups: dict[int, list[Identity]] = {}
    for index, identity in enumerate(everyone):
        groups.setdefault(find(index), []).append(identity)
    seen = _seen(frame, list(groups.values())) if frame is not None else None
    return [
        _entry(members, roles, keep_emails)
        for members in groups.values()
        if seen is None or any(m.source == "roster" for m in members) or _is_seen(members, *seen)
    ]


def _entry(members: list[Identity], roles: Mapping[str, str], keep_emails: bool) -> dict:
    ids = _clean(i for m in members for i in m.ids)
    names = _clean(n for m in members for n in (*m.real_names, *m.names))
    emails = _clean(e for m in members for e in m.emails) if keep_emails else ()
    role = next(
        (roles[_fold(k)] for m in members for k in m.identifiers() if _fold(k) in roles), None
    )
    return {
        "names": list(names),
        "ids": list(ids),
        "emails": list(emails),
        "sources": sorted({m.source for m in members}),
        "role": role,
        "system": all(m.system for m in members) and role is None,
    }


def _seen(
    frame: pd.DataFrame, groups: Sequence[Sequence[Identity]]
) -> tuple[frozenset[str], frozenset[str]]:
    """The frame's actors and the words of its text, casefolded, computed column-wise. Words
    are only looked for where they can still decide something: for the people none of whose
    names acts in the frame. Only the rows that may hold one of their words are split into
    words (one Arrow search finds them), when every such word is ASCII: a long channel has
    millions of words."""
    actors = frozenset(_fold(a) for a in pd.unique(frame["actor"].fillna("").astype(str)))
    wanted = {
        part
        for members in groups
        if not _acts(members, actors)
        for identity in members
        for identifier in (*identity.identifiers(), *identity.real_names)
        for part in _fold(identifier).split()
    }
    if not wanted:
        return actors, frozenset()
    text = pa.array(frame["summary"].astype("string[pyarrow]").fillna(""), pa.large_string())
    if all(part.isascii() for part in wanted):
        pattern = "|".join(re.escape(part) for part in sorted(wanted))
        text = text.filter(pc.match_substring_regex(text, pattern, ignore_case=True))
    words = pc.unique(pc.list_flatten(pc.utf8_split_whitespace(text))).to_pylist()
    return actors, frozenset(w.strip(_TOKEN_EDGES).casefold() for w in words)


def _acts(members: Sequence[Identity], actors: frozenset[str]) -> bool:
    """Whether one of these names is an actor of the frame (then the person is seen)."""
    return any(_fold(identifier) in actors for m in members for identifier in m.identifiers())


def _is_seen(members: list[Identity], actors: frozenset[str], words: frozenset[str]) -> bool:
    """An identifier is an actor or a word of the text, or a real name's first name or
    surname is ("Fairbanks" in notes)."""
    if _acts(members, actors):
        return True
    for member in members:
        if any(_fold(identifier) in words for identifier in member.identifiers()):
            return True
        for name in member.real_names:
            if any(len(part) > 2 and part in words for part in _fold(name).split()):
                return True
    return False


def directory_names(directory: Iterable[Mapping[str, Any]] | None) -> dict[str, int]:
    """Casefolded identifier -> index of its entry in ``directory`` (for matching text)."""
    found: dict[str, int] = {}
    for index, entry in enumerate(directory or ()):
        if not isinstance(entry, Mapping):
            continue
        for key in ("ids", "names", "emails"):
            for value in entry.get(key) or ():
                if isinstance(value, str) and value.strip():
                    found.setdefault(_fold(value).lstrip("@"), index)
    return found
