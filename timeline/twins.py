"""One row per event (DESIGN.md §6): records of the same event from two sources become one row.

Two cases are folded:

- a line of notes or a table row next to the system record of the same event: the same kind
  (a notes line about the status page and a post in a comms channel count as the same kind),
  within ``window`` of each other. The system record is kept; it has the exact time and a link.
- a status update echoed in another channel: a message that starts "Status page …" or
  "Status update …" within ``window`` of a post in a comms channel. The comms post is kept.

Nothing is deleted. The folded row gets ``twin_ref`` (the ref of the record it was folded into)
and the tag ``twin``; the kept record gets the tag ``corroborated``.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from ingest.textmatch import contains
from ingest.vocab import add_tag, has_tag

PASTED_SOURCES = ("notes", "table")
SYSTEM_SOURCES = ("pagerduty", "github")
COMMS = "comms"
# A message in another channel that reports a status update rather than discussing one.
_ECHO = r"^\W*(?:status (?:page|update)s?\b|posted (?:the |a )?status)"
_NEVER_TWINS = ("alert.notified", "chat.message", "chat.reply", "note", "commit")


def fold_twins(
    frame: pd.DataFrame, *, window: pd.Timedelta, comms_channels: Sequence[str] = ()
) -> pd.DataFrame:
    """The frame with twins marked: ``twin_ref`` and tag ``twin`` on each folded row, tag
    ``corroborated`` on the record it was folded into. Row order and count do not change."""
    frame = frame.copy()
    if frame.empty:
        return frame
    source = frame["source"]
    system_message = has_tag(frame["tags"], "system")
    in_comms = frame["channel"].isin(_channel_names(comms_channels)) & (source == "slack")
    kinds = frame["kind"].astype(object)
    cls = kinds.where(~kinds.isin(["comms.status_page"]), COMMS)
    cls = cls.where(~(in_comms & ~system_message), COMMS)

    pasted = source.isin(PASTED_SOURCES) & ~kinds.isin(_NEVER_TWINS)
    records = (source.isin(SYSTEM_SOURCES) & ~kinds.isin(_NEVER_TWINS)) | (
        in_comms & ~system_message
    )
    pairs = [_nearest(frame, cls, pasted, records, window)]

    if len(comms_channels):
        echo = (
            (source == "slack")
            & ~in_comms
            & ~system_message
            & contains(frame["summary"], _ECHO, case=False)
        )
        comms_cls = pd.Series(COMMS, index=frame.index)
        pairs.append(_nearest(frame, comms_cls, echo, in_comms & ~system_message, window))

    matched = pd.concat(pairs)
    if matched.empty:
        return frame
    folded, kept = matched.index.to_numpy(), matched.to_numpy()
    frame.loc[folded, "twin_ref"] = frame.loc[kept, "ref"].to_numpy()
    frame.loc[folded, "tags"] = add_tag(frame.loc[folded, "tags"], "twin")
    kept_rows = np.unique(kept)
    frame.loc[kept_rows, "tags"] = add_tag(frame.loc[kept_rows, "tags"], "corroborated")
    return frame


def _nearest(
    frame: pd.DataFrame,
    cls: pd.Series,
    left: pd.Series,
    right: pd.Series,
    window: pd.Timedelta,
) -> pd.Series:
    """For each ``left`` row, the index of the nearest ``right`` row of the same class within
    ``window``; a right row takes at most one left row (the closest)."""
    if not left.any() or not right.any():
        return pd.Series(dtype="int64")
    lefts = pd.DataFrame({"ts": frame.loc[left, "ts"], "cls": cls[left], "at": frame.index[left]})
    rights = pd.DataFrame(
        {"ts": frame.loc[right, "ts"], "cls": cls[right], "kept": frame.index[right]}
    )
    merged = pd.merge_asof(
        lefts.sort_values("ts"),
        rights.sort_values("ts"),
        on="ts",
        by="cls",
        direction="nearest",
        tolerance=window,
    ).dropna(subset=["kept"])
    if merged.empty:
        return pd.Series(dtype="int64")
    merged["kept"] = merged["kept"].astype("int64")
    kept_ts = frame.loc[merged["kept"], "ts"].to_numpy()
    merged["distance"] = np.abs(merged["ts"].to_numpy() - kept_ts)
    merged = merged.sort_values(["distance", "at"]).drop_duplicates("kept", keep="first")
    return pd.Series(merged["kept"].to_numpy(), index=merged["at"].to_numpy())


def _channel_names(channels: Sequence[str]) -> list[str]:
    names = [str(c) for c in channels]
    return [*names, *(c if c.startswith("#") else f"#{c}" for c in names)]
