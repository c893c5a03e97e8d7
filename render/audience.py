"""Audiences: the bundle as written (``internal``) or with people as roles or aliases (``public``).

For wider distribution a postmortem names no one. ``public`` replaces each person with a role
from the roster, else a stable alias ("Responder A", "Responder B", ... in order of first
appearance in the frame), in the ``actor`` column and wherever their name shows up in text:
``@name`` mentions, bare names, e-mail addresses. System actors keep their names: PagerDuty
services and integrations, chat bots, deploy bots, GitHub Actions.

Who is a system actor is decided by the rows: a GitHub actor ending in ``[bot]`` (or ``-bot``),
a Slack row tagged ``bot``, a PagerDuty actor that names a service (a PagerDuty ``channel``),
an alert's integration, the agent of a notification, or a Slack bot. A roster entry always
makes a name a person. Anything else with a name is a person: when unsure, hide the name.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable, Iterable, Mapping
from typing import Any

import msgspec
import pandas as pd

from ingest.errors import UsageError
from ingest.vocab import has_tag

AUDIENCES = ("internal", "public")
ALIAS_PREFIX = "Responder"
EMAIL_PLACEHOLDER = "[email]"

# Mentions that address a channel, not a person.
_SPECIAL_MENTIONS = frozenset({"here", "channel", "everyone"})
_EMAIL = r"(?P<email>[\w.+-]+@[\w-]+(?:\.[\w-]+)+)"
_MENTION = r"(?<![\w@])@(?P<mention>\w(?:[\w.-]*\w)?)"


def for_audience(
    frame: pd.DataFrame,
    summary: Mapping[str, Any],
    *,
    audience: str,
    roster: Mapping[str, str],
) -> tuple[pd.DataFrame, dict]:
    """Copies of the events frame and summary for ``audience`` (``internal`` or ``public``).

    ``internal`` returns them unchanged. ``public`` puts roles (``roster`` maps a Slack user
    ID, display name or PagerDuty user name to a role) or stable aliases in place of people's
    names and e-mail addresses. Raises UsageError for an unknown audience.
    """
    if audience not in AUDIENCES:
        raise UsageError(f"unknown audience {audience!r}: choose one of {', '.join(AUDIENCES)}")
    frame = frame.copy()
    copied: dict = copy.deepcopy(dict(summary))
    if audience == "internal":
        return frame, copied
    people = People.from_frame(frame, roster, copied.pop("people", None))
    frame["actor"] = frame["actor"].map(people.label_actor).astype(frame["actor"].dtype)
    for column in ("summary", "channel"):
        frame[column] = people.scrub_column(frame[column])
    _scrub_summary(copied, people)
    return frame, copied


class People(msgspec.Struct):
    """The people of one bundle, how each is shown, and the pattern that finds them in text."""

    roles: dict[str, str]  # casefolded roster key -> role
    groups: dict[str, str]  # casefolded name -> the casefolded name standing for its person
    systems: frozenset[str]  # casefolded names of system actors, shown as written
    pattern: re.Pattern[str]
    aliases: dict[str, str] = msgspec.field(default_factory=dict)  # person -> alias, in order given

    @classmethod
    def from_frame(
        cls,
        frame: pd.DataFrame,
        roster: Mapping[str, str],
        directory: Iterable[Mapping[str, Any]] | None = None,
    ) -> People:
        """Find the people in ``frame`` and in the bundle's ``directory`` of people (summary.json
        ``people``, see ``ingest.people``); aliases go in order of first appearance."""
        roles = {str(k).strip().casefold(): str(v) for k, v in roster.items() if str(k).strip()}
        known, known_systems, known_roles = _directory_groups(directory)
        roles.update(known_roles)
        systems = frozenset(_system_actors(frame) - known.keys() | known_systems) - roles.keys()
        actors = frame["actor"].fillna("").astype(str).str.strip()
        referenced = _referenced_people(frame)
        names = [n for n in [*pd.unique(actors), *referenced] if n and n.casefold() not in systems]
        guessed = _same_person([*names, *roles, *known])
        groups = {n: known.get(n) or known.get(p) or p for n, p in guessed.items()}
        people = cls(roles, groups, systems, _text_pattern([*groups, *systems]))
        # Each row's actor, then the people its text names, row after row.
        named = frame["summary"].fillna("").astype(str).map(people.names_in)
        order = pd.concat([actors.map(lambda a: [a]), named], axis=1).to_numpy().ravel()
        for name in pd.Series(order, dtype=object).explode().dropna():
            if name and not people.is_shown_as_written(name):
                people.label_for(name)
        return people

    def label_for(self, name: str) -> str:
        """The role or alias shown for a person's name (a new alias if never seen)."""
        folded = name.strip().casefold()
        if folded in self.roles:
            return self.roles[folded]
        person = self.groups.get(folded, folded)
        for member, owner in self.groups.items():
            if owner == person and member in self.roles:
                return self.roles[member]
        if person not in self.aliases:
            self.aliases[person] = _alias(len(self.aliases))
        return self.aliases[person]

    def is_shown_as_written(self, name: str) -> bool:
        """True for system actors and channel-wide mentions."""
        folded = name.strip().casefold()
        return folded in self.systems or folded in _SPECIAL_MENTIONS

    def names_in(self, text: str) -> list[str]:
        """People's names and mentions in ``text``, in order (e-mail addresses left out)."""
        found = (m.group("known") or m.group("mention") for m in self.pattern.finditer(text))
        return [name for name in found if name and not self.is_shown_as_written(name)]

    def label_actor(self, actor: object) -> object:
        """The actor's role or alias; system actors and empty actors as they are."""
        if actor is None or actor is pd.NA or not str(actor).strip():
            return actor
        if self.is_shown_as_written(str(actor)):
            return actor
        return self.label_for(str(actor))

    def scrub(self, text: str) -> str:
        """``text`` with every person's name, mention and e-mail address replaced."""
        return self.pattern.sub(self._replace, text)

    def scrub_column(self, column: pd.Series) -> pd.Series:
        """A text column with :meth:`scrub` applied to every value."""
        return column.str.replace(self.pattern, self._replace, regex=True).astype(column.dtype)

    def _replace(self, match: re.Match[str]) -> str:
        if match.group("email"):
            return self.email_label(match.group("email"))
        name = match.group("known") or match.group("mention")
        if self.is_shown_as_written(name):
            return match.group(0)
        at = "@" if match.group(0).startswith("@") else ""
        surname = match.group("surname") or ""
        if surname and (" " in name.strip() or surname.strip().casefold() in self.systems):
            return at + self.label_for(name) + surname  # a full name already, or a system
        return at + self.label_for(name)

    def email_label(self, address: str) -> str:
        """A known person's label for their address, else a placeholder."""
        folded = address.casefold()
        local = folded.split("@", 1)[0]
        for candidate in (folded, local, re.sub(r"[._+-]+", " ", local)):
            if candidate in self.roles or candidate in self.groups:
                return self.label_for(candidate)
        return EMAIL_PLACEHOLDER


def _system_actors(frame: pd.DataFrame) -> set[str]:
    """Casefolded names of the actors that are systems, decided row by row."""
    actor = frame["actor"].fillna("").astype(str).str.strip()
    source = frame["source"].astype(str)
    subtype = frame["subtype"].fillna("").astype(str)
    pagerduty = source == "pagerduty"
    services = set(frame.loc[pagerduty, "channel"].astype(str).str.strip().str.casefold())
    github_bot = (source == "github") & actor.str.contains(
        r"\[bot\]$|[-_]bot$|^github-actions$", case=False, regex=True
    )
    slack_bot = (source == "slack") & has_tag(frame["tags"], "bot")
    # A PagerDuty actor is a system only as a service or an alert's integration: the users
    # who are notified, acknowledge or escalate are people.
    pagerduty_system = pagerduty & (
        actor.str.casefold().isin(services)
        | (subtype == "alert")  # an alert's actor is its integration or service
    )
    bots = set(actor[slack_bot | github_bot].str.casefold())
    pagerduty_bots = pagerduty & actor.str.casefold().isin(bots)
    names = set(actor[github_bot | slack_bot | pagerduty_system | pagerduty_bots].str.casefold())
    return {name for name in names if name}


# "Escalated to Kenji Watanabe", "Acknowledged by Kenji Watanabe", "Notified Kenji Watanabe by
# SMS": the PagerDuty user a log entry's summary names, up to two or three capitalised words.
_REFERENCED = re.compile(
    r"\b(?i:escalated to|acknowledged by|resolved by|assigned to|reassigned to|notified|"
    r"unacknowledged by|snoozed by|responder request(?:ed)? (?:for|to)|requested)\s+"
    r"(?P<name>[A-Z][\w'’-]*(?:\s+[A-Z][\w'’-]*){0,3})"
)
_NOT_PEOPLE = frozenset({"level", "the", "a", "an", "via", "by", "service", "escalation"})


def _referenced_people(frame: pd.DataFrame) -> list[str]:
    """People a PagerDuty summary names as the one escalated to, acknowledging or notified."""
    pagerduty = frame["source"].astype(str) == "pagerduty"
    found: list[str] = []
    for text in frame.loc[pagerduty, "summary"].fillna("").astype(str):
        for match in _REFERENCED.finditer(text):
            words = match.group("name").split()
            if words[0][:1].isupper() and words[0].casefold() not in _NOT_PEOPLE:
                found.append(" ".join(w for w in words if w.casefold() not in _NOT_PEOPLE))
    return list(dict.fromkeys(found))


def _directory_groups(
    directory: Iterable[Mapping[str, Any]] | None,
) -> tuple[dict[str, str], frozenset[str], dict[str, str]]:
    """From the bundle's people directory: casefolded identifier -> the identifier standing for
    its person, the casefolded names of systems, and person -> role from the roster."""
    groups: dict[str, str] = {}
    systems: set[str] = set()
    roles: dict[str, str] = {}
    for entry in directory or ():
        if not isinstance(entry, Mapping):
            continue
        found = [
            str(v).strip().lstrip("@").casefold()
            for key in ("names", "ids", "emails")
            for v in entry.get(key) or ()
            if isinstance(v, str) and len(v.strip().lstrip("@")) > 1
        ]
        if not found:
            continue
        if entry.get("system"):
            systems.update(found)
            continue
        # Each entry is one person: a name two entries share stays with the first.
        person = next((n for n in found if n not in groups), f"person {len(roles)} {found[0]}")
        for name in found:
            groups.setdefault(name, person)
        if isinstance(entry.get("role"), str) and entry["role"].strip():
            roles[person] = entry["role"]
    return groups, frozenset(systems - groups.keys()), roles


def _same_person(names: Iterable[str]) -> dict[str, str]:
    """Casefolded name -> the casefolded name that stands for its person.

    A one-word handle is taken to be the same person as a full name when exactly one full name
    fits it by first name ("priya" and "Priya Raman") or initial and surname ("dchen" and
    "David Chen"); an ambiguous handle stays a person of its own.
    """
    folded = list(dict.fromkeys(n.casefold() for n in names))
    full = [n for n in folded if len(n.split()) > 1]
    groups = {n: n for n in folded}
    for handle in (n for n in folded if len(n.split()) == 1):
        fits = [
            f for f in full if handle == f.split()[0] or handle == f.split()[0][0] + f.split()[-1]
        ]
        if len(fits) == 1:
            groups[handle] = fits[0]
    # Bare first names of full names ("Priya" in notes) also find their person, if unambiguous.
    firsts: dict[str, list[str]] = {}
    for name in full:
        first = name.split()[0]
        if re.fullmatch(r"\w{2,}", first):
            firsts.setdefault(first, []).append(name)
    for first, owners in firsts.items():
        if first not in groups and len(owners) == 1:
            groups[first] = owners[0]
    # Surnames too ("Watanabe" in a note), when one full name has it and it is no handle.
    lasts: dict[str, list[str]] = {}
    for name in full:
        last = name.split()[-1]
        if re.fullmatch(r"[^\W\d_]{3,}", last):
            lasts.setdefault(last, []).append(name)
    for last, owners in lasts.items():
        if last not in groups and len(owners) == 1:
            groups[last] = owners[0]
    return groups


def _text_pattern(names: Iterable[str]) -> re.Pattern[str]:
    """One pattern for e-mail addresses, known names (longest first) and @mentions."""
    known = sorted({n for n in names if n}, key=len, reverse=True)
    alternatives = [_EMAIL]
    if known:
        listed = "|".join(re.escape(n) for n in known)
        # A capitalised word right after a known one-word name is taken as its surname, so
        # "Kenji Watanabe" with only "kenji" known loses the surname too.
        alternatives.append(
            rf"(?<!\w)@?(?P<known>{listed})(?!\w)(?P<surname>\s(?-i:[A-Z][a-z'’-]+))?"
        )
    alternatives.append(_MENTION)
    return re.compile("|".join(alternatives), re.IGNORECASE)


def public_names(
    frame: pd.DataFrame,
    roster: Mapping[str, str],
    directory: Iterable[Mapping[str, Any]] | None = None,
) -> Callable[[str], str]:
    """How the public audience shows any identifier of a person in this frame.

    The returned function maps a name, handle, login, user ID or e-mail address to the role or
    alias :func:`for_audience` gives that person for the same frame and roster (a new alias for
    an identifier never seen, as an unknown name is hidden too); system names stay as written.
    For a Responders section or a roles line rendered outside the frame. ``directory`` is the
    bundle's people (summary.json ``people``).
    """
    people = People.from_frame(frame, roster, directory)

    def public_name(identifier: str) -> str:
        text = str(identifier).strip()
        if not text or people.is_shown_as_written(text):
            return text
        if re.fullmatch(_EMAIL, text):
            label = people.email_label(text)
            return label if label != EMAIL_PLACEHOLDER else people.label_for(text)
        return people.label_for(text.lstrip("@"))

    return public_name


def _alias(number: int) -> str:
    """The alias for the n-th person: Responder A ... Z, then AA, AB, ..."""
    letters = ""
    number += 1
    while number:
        number, rest = divmod(number - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return f"{ALIAS_PREFIX} {letters}"


# Summary keys whose values are IDs, links, times, counts or fixed words, never a person.
_KEPT_KEYS = frozenset(
    """id ref refs url urls at start end ts created_at resolved_at severity status number kind
    evidence source tool version events records gaps window rule_id""".split()
)


def _scrub_summary(summary: dict, people: People) -> None:
    """Scrub every string of the summary in place but IDs, links and times, at any depth.

    New fields (a responders list, a roles line) are covered without naming them here.
    """
    if isinstance(summary.get("responders"), list):
        roles: dict[str, str] = {}
        summary["responders"] = [
            _scrub_responder(entry, people, roles)
            if isinstance(entry, dict)
            else _scrubbed(entry, people)
            for entry in summary["responders"]
        ]
        summary["roles"] = sorted(roles.values(), key=str.casefold)
    for key, value in summary.items():
        if key not in _KEPT_KEYS and key != "responders":
            summary[key] = _scrubbed(value, people)


def _scrubbed(value: Any, people: People) -> Any:
    if isinstance(value, str):
        return people.scrub(value)
    if isinstance(value, dict):
        _scrub_summary(value, people)
        return value
    if isinstance(value, list):
        return [_scrubbed(item, people) for item in value]
    return value


def _scrub_responder(entry: dict, people: People, roles: dict[str, str]) -> dict:
    """A responder as the public sees them: the role or alias, never the handles.

    A role is kept on the row only when it is the public name (the roster's); any other is
    moved to ``roles``, the roles named without saying which alias holds them, and where the
    artifacts say it (a ref that leads to the person) is dropped.
    """
    if isinstance(entry.get("name"), str):
        entry["name"] = people.label_actor(entry["name"])
    entry["also"] = []
    role = entry.get("role")
    if isinstance(role, str) and role.strip():
        parts = [p.strip() for p in people.scrub(role).split(";") if p.strip()]
        for part in parts:
            roles.setdefault(part.casefold(), part)
        entry["role"] = entry.get("name") if entry.get("name") in parts else None
    entry["role_source"] = None
    action = entry.get("first_action")
    if isinstance(action, dict) and isinstance(action.get("summary"), str):
        action["summary"] = people.scrub(action["summary"])
    return entry
