"""The bundle's summary as frozen types; ``to_json`` gives summary.json (DESIGN.md section 7).

Assembly builds a :class:`Summary` once, finished; nothing patches it afterwards. Bundles written
before these types existed read back through ``Summary.from_json``, which leaves what an old
file does not carry empty or unknown.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import msgspec
import pandas as pd

from ingest.times import iso_to_utc, to_iso
from ingest.types import Incident
from ingest.vocab import GAPS, MILESTONES


class Milestone(msgspec.Struct, frozen=True):
    """A milestone with its evidence: observed, inferred (``rule`` says how) or unknown."""

    at: pd.Timestamp | None
    evidence: str  # observed | inferred | unknown
    ref: str = ""
    rule: str = ""
    corroborated_by: tuple[str, ...] = ()  # refs of the same event from a second source

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "at": to_iso(self.at),
            "evidence": self.evidence,
            "ref": self.ref,
            "rule": self.rule,
        }
        if self.corroborated_by:
            data["corroborated_by"] = list(self.corroborated_by)
        return data

    @classmethod
    def from_json(cls, data: Mapping[str, Any] | None, *, name: str = "milestone") -> Milestone:
        data = data or {}
        (at,) = iso_to_utc([data.get("at")], what=f"summary milestone {name}")
        if pd.isna(at):
            return UNKNOWN
        return cls(
            at=at,
            evidence=str(data.get("evidence") or "observed"),
            ref=str(data.get("ref") or ""),
            rule=str(data.get("rule") or ""),
            corroborated_by=tuple(str(r) for r in data.get("corroborated_by") or ()),
        )


UNKNOWN = Milestone(at=None, evidence="unknown")


class QuietPeriod(msgspec.Struct, frozen=True):
    """A stretch between detection and resolve with no recorded event: worth asking about."""

    start: pd.Timestamp
    end: pd.Timestamp

    @property
    def seconds(self) -> float:
        return (self.end - self.start).total_seconds()

    def to_json(self) -> dict[str, Any]:
        return {"start": to_iso(self.start), "end": to_iso(self.end), "seconds": self.seconds}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> QuietPeriod:
        start, end = iso_to_utc([data.get("start"), data.get("end")], what="summary quiet period")
        return cls(start=start, end=end)


class SourceStatus(msgspec.Struct, frozen=True):
    """How one source fared: ``ok``, ``failed`` (``error`` says why) or ``skipped``."""

    name: str
    status: str = "ok"
    events: int = 0
    error: str = ""

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "status": self.status,
            "events": self.events,
            "error": self.error,
        }


class Counts(msgspec.Struct, frozen=True):
    events: int = 0
    key_events: int = 0
    other_messages: int = 0  # chat messages that are not key rows (nor twins)
    twins: int = 0  # rows folded into another record of the same event


class Tool(msgspec.Struct, frozen=True):
    name: str = "postmortem-timeline"
    version: str = ""


class Summary(msgspec.Struct, frozen=True):
    """Everything summary.json says. Records that are plain JSON already (redactions
    ``{kind, ref, count}`` as ``ingest.redact`` reports them, inventory entries, retries,
    earlier incidents) stay mappings."""

    incident: Incident
    sources: tuple[SourceStatus, ...] = ()
    milestones: Mapping[str, Milestone] | None = None  # None: every milestone unknown
    gaps: Mapping[str, float | None] | None = None  # None: every gap unknown
    # Each person who acted or wrote (timeline.responders): name, also, role, role_source,
    # first_seen, first_seen_ref, first_action {at, kind, summary, ref, url}.
    responders: tuple[Mapping[str, Any], ...] = ()
    # Each person and system the sources name (ingest.people.build_directory): names, ids,
    # emails, sources, role, system. What the public audience hides; never shown to it.
    people: tuple[Mapping[str, Any], ...] = ()
    quiet_periods: tuple[QuietPeriod, ...] = ()
    redactions: tuple[Mapping[str, Any], ...] = ()
    warnings: tuple[str, ...] = ()
    inventory: tuple[Mapping[str, Any], ...] = ()
    counts: Counts = Counts()
    tool: Tool = Tool()
    retries: Mapping[str, Any] | None = None  # live pulls: waits per source
    earlier_incidents: tuple[Mapping[str, Any], ...] | None = None  # when an archive is known

    def milestone(self, name: str) -> Milestone:
        return (self.milestones or {}).get(name, UNKNOWN)

    @property
    def partial(self) -> bool:
        """True when a source failed (the bundle is written, and the exit code is 3)."""
        return any(source.status == "failed" for source in self.sources)

    def to_json(self) -> dict[str, Any]:
        """summary.json, key for key as DESIGN.md section 7 and docs/architecture.md give it."""
        gaps = self.gaps or {}
        data: dict[str, Any] = {
            "incident": self.incident.to_json(),
            "sources": [source.to_json() for source in self.sources],
            "milestones": {name: self.milestone(name).to_json() for name in MILESTONES},
            "gaps": {name: gaps.get(name) for name in GAPS},
            "responders": [dict(r) for r in self.responders],
            "people": [dict(p) for p in self.people],
            "quiet_periods": [q.to_json() for q in self.quiet_periods],
            "redactions": [dict(r) for r in self.redactions],
            "warnings": list(self.warnings),
            "inventory": [dict(i) for i in self.inventory],
            "counts": {
                "events": self.counts.events,
                "key_events": self.counts.key_events,
                "other_messages": self.counts.other_messages,
                "twins": self.counts.twins,
            },
            "tool": {"name": self.tool.name, "version": self.tool.version},
        }
        if self.retries is not None:
            data["retries"] = {name: dict(value) for name, value in self.retries.items()}
        if self.earlier_incidents is not None:
            data["earlier_incidents"] = [dict(e) for e in self.earlier_incidents]
        return data

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Summary:
        """A summary.json mapping read back; parts an older bundle lacks are left empty."""
        counts = data.get("counts") or {}
        tool = data.get("tool") or {}
        milestones = data.get("milestones") or {}
        earlier = data.get("earlier_incidents")
        return cls(
            incident=Incident.from_json(data.get("incident")),
            sources=tuple(
                SourceStatus(
                    name=str(s.get("name") or ""),
                    status=str(s.get("status") or "ok"),
                    events=int(s.get("events") or 0),
                    error=str(s.get("error") or ""),
                )
                for s in data.get("sources") or []
            ),
            milestones={
                name: Milestone.from_json(milestones.get(name), name=name) for name in MILESTONES
            },
            gaps={name: (data.get("gaps") or {}).get(name) for name in GAPS},
            responders=tuple(data.get("responders") or ()),
            people=tuple(data.get("people") or ()),
            quiet_periods=tuple(QuietPeriod.from_json(q) for q in data.get("quiet_periods") or ()),
            redactions=tuple(data.get("redactions") or ()),
            warnings=tuple(str(w) for w in data.get("warnings") or ()),
            inventory=tuple(data.get("inventory") or ()),
            counts=Counts(
                events=int(counts.get("events") or 0),
                key_events=int(counts.get("key_events") or 0),
                other_messages=int(counts.get("other_messages") or 0),
                twins=int(counts.get("twins") or 0),
            ),
            tool=Tool(name=str(tool.get("name") or ""), version=str(tool.get("version") or "")),
            retries=data.get("retries"),
            earlier_incidents=None if earlier is None else tuple(earlier),
        )
