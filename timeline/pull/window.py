"""The incident window: given, or derived from the artifacts (first alert minus a lookback to
the resolve plus a lookahead)."""

from __future__ import annotations

from datetime import timedelta

import pandas as pd

from ingest.errors import UsageError
from ingest.schema import empty_frame
from ingest.types import Window


def derive_window(
    frame: pd.DataFrame | None,
    *,
    created_at: pd.Timestamp | None,
    resolved_at: pd.Timestamp | None,
    since: pd.Timestamp | None,
    until: pd.Timestamp | None,
    lookback: timedelta,
    lookahead: timedelta,
) -> tuple[Window | None, list[str]]:
    """The window and any warning about how it was chosen; None when nothing anchors it.
    ``frame`` holds the events read so far (None: nothing read yet)."""
    warnings: list[str] = []
    if since is not None and until is not None:
        return _checked(since, until), warnings
    if frame is None:
        frame = empty_frame()

    alerts = frame.loc[frame["kind"] == "alert.triggered", "ts"]
    # Pasted notes are what the author chose to paste: a derived window keeps every line.
    notes = frame.loc[frame["source"] == "notes", "ts"] if len(frame) else frame.get("ts")
    pasted = (None, None) if notes is None or notes.empty else (notes.min(), notes.max())
    given_since = since
    if since is None:
        anchor = _earliest(alerts.min(), created_at)
        if anchor is None and len(frame):
            anchor = frame["ts"].min()
        if anchor is None:
            return None, warnings
        since = anchor - lookback

    if until is None:
        resolves = frame.loc[frame["kind"] == "alert.resolved", "ts"]
        end = resolved_at if resolved_at is not None else _present(resolves.max())
        if end is None:
            last = _present(frame["ts"].max())
            end = last if last is not None else since + lookback
            warnings.append(
                "the artifacts show no resolve; the window ends at the last event plus the "
                "lookahead (give --until to choose)"
            )
        until = end + lookahead
        if pasted[1] is not None:
            until = max(until, pasted[1])
    if given_since is None and pasted[0] is not None:
        since = min(since, pasted[0])
    return _checked(since, until), warnings


def _checked(since: pd.Timestamp, until: pd.Timestamp) -> Window:
    if until <= since:
        raise UsageError(
            f"the window ends ({until}) before it starts ({since}); check --since/--until"
        )
    return Window(since, until)


def _present(value: object) -> pd.Timestamp | None:
    return None if value is None or pd.isna(value) else pd.Timestamp(value)


def _earliest(*values: object) -> pd.Timestamp | None:
    present = [v for v in (_present(x) for x in values) if v is not None]
    return min(present) if present else None
