"""Small value types shared by connectors and the timeline: the window and the read context."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, tzinfo
from typing import Any

import pandas as pd


@dataclass(frozen=True)
class Window:
    """The incident window, both ends UTC-aware, end inclusive."""

    start: pd.Timestamp
    end: pd.Timestamp

    def __post_init__(self) -> None:
        if self.start.tzinfo is None or self.end.tzinfo is None:
            raise ValueError("window ends must be UTC-aware")
        object.__setattr__(self, "start", self.start.tz_convert("UTC"))
        object.__setattr__(self, "end", self.end.tz_convert("UTC"))

    def contains(self, ts: pd.Series) -> pd.Series:
        """Vectorised: which of these UTC times fall inside the window."""
        return (ts >= self.start) & (ts <= self.end)


# Bounds on each input file (limits.max_file_size and limits.max_depth in the config).
DEFAULT_MAX_BYTES = 10**9
DEFAULT_MAX_DEPTH = 100


@dataclass
class ReadContext:
    """What a file connector is told, and where it reports what it found.

    ``window`` is None when the window is not known yet: read everything.
    Connectors append to ``warnings`` (one line each, naming file and line) and fill
    ``incident`` with what the artifact says about the incident (id, title, severity, url,
    created_at, resolved_at, service) and ``artifacts`` with inventory entries
    ``{"source", "name", "records"}``. ``max_bytes`` and ``max_depth`` bound each file read.
    """

    window: Window | None = None
    tz: tzinfo | None = None
    date: date | None = None
    channels: tuple[str, ...] = ()
    workspace_url: str = ""
    max_bytes: int = DEFAULT_MAX_BYTES
    max_depth: int = DEFAULT_MAX_DEPTH
    warnings: list[str] = field(default_factory=list)
    incident: dict[str, Any] = field(default_factory=dict)
    artifacts: list[dict[str, Any]] = field(default_factory=list)

    def warn(self, message: str) -> None:
        self.warnings.append(message)
