"""Small value types shared by connectors and the timeline: the window, the incident and the
read context."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, tzinfo
from typing import Any

import msgspec
import pandas as pd
from msgspec.structs import replace

from ingest.people import Identity
from ingest.shapes import DEFAULT_MAX_BYTES
from ingest.times import iso_to_utc, to_iso


class Window(msgspec.Struct, frozen=True):
    """The incident window, both ends UTC-aware, end inclusive."""

    start: pd.Timestamp
    end: pd.Timestamp

    def __post_init__(self) -> None:
        if self.start.tzinfo is None or self.end.tzinfo is None:
            raise ValueError("window ends must be UTC-aware")
        msgspec.structs.force_setattr(self, "start", self.start.tz_convert("UTC"))
        msgspec.structs.force_setattr(self, "end", self.end.tz_convert("UTC"))

    def contains(self, ts: pd.Series) -> pd.Series:
        """Vectorised: which of these UTC times fall inside the window."""
        return (ts >= self.start) & (ts <= self.end)


# Bounds on each input file (limits.max_file_size and limits.max_depth in the config).
DEFAULT_MAX_DEPTH = 100


class Incident(msgspec.Struct, frozen=True):
    """What is known of the incident itself: from its artifacts (a PagerDuty incident object),
    the command line and the config. The one shape of an incident from reader to summary.

    ``status`` and ``number`` are PagerDuty's, when the incident came from there; ``window`` is
    set once the pull has chosen it.
    """

    id: str = ""
    title: str = ""
    severity: str = ""
    url: str = ""
    service: str = ""
    created_at: pd.Timestamp | None = None
    resolved_at: pd.Timestamp | None = None
    window: Window | None = None
    status: str = ""
    number: int | None = None

    def updated(self, **values: Any) -> Incident:
        """This incident with each given field replaced where the new value is known (not None
        and not empty): a later source or an option fills in, never blanks out."""
        return replace(self, **{k: v for k, v in values.items() if _known(v)})

    def merged(self, other: Incident) -> Incident:
        """This incident with every field ``other`` knows taken from ``other``."""
        return self.updated(**{name: getattr(other, name) for name in self.__struct_fields__})

    def to_json(self) -> dict[str, Any]:
        """The ``incident`` object of summary.json (DESIGN.md section 7)."""
        window = self.window
        return {
            "id": self.id,
            "title": self.title,
            "severity": self.severity,
            "url": self.url,
            "service": self.service,
            "window": {
                "start": to_iso(window.start) if window else None,
                "end": to_iso(window.end) if window else None,
            },
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any] | None) -> Incident:
        """Read the summary.json ``incident`` object back; missing parts stay unknown."""
        data = data or {}
        ends = data.get("window") or {}
        start, end = iso_to_utc([ends.get("start"), ends.get("end")], what="summary window")
        return cls(
            id=str(data.get("id") or ""),
            title=str(data.get("title") or ""),
            severity=str(data.get("severity") or ""),
            url=str(data.get("url") or ""),
            service=str(data.get("service") or ""),
            window=None if pd.isna(start) or pd.isna(end) else Window(start, end),
        )


def _known(value: Any) -> bool:
    return value is not None and not (isinstance(value, str) and value == "")


class ReadContext(msgspec.Struct):
    """What a file connector is told, and where it reports what it found.

    ``window`` is None when the window is not known yet: read everything.
    Connectors append to ``warnings`` (one line each, naming file and line), update
    ``incident`` with what the artifact says about the incident (``ctx.incident =
    ctx.incident.merged(found)``) and fill ``artifacts`` with inventory entries
    ``{"source", "name", "records"}``; they add the users their records name to ``people``
    (``ingest.people``). ``max_bytes`` and ``max_depth`` bound each file read.
    """

    window: Window | None = None
    tz: tzinfo | None = None
    date: date | None = None
    channels: tuple[str, ...] = ()
    workspace_url: str = ""
    max_bytes: int = DEFAULT_MAX_BYTES
    max_depth: int = DEFAULT_MAX_DEPTH
    warnings: list[str] = msgspec.field(default_factory=list)
    incident: Incident = msgspec.field(default_factory=Incident)
    artifacts: list[dict[str, Any]] = msgspec.field(default_factory=list)
    people: list[Identity] = msgspec.field(default_factory=list)

    def warn(self, message: str) -> None:
        self.warnings.append(message)
