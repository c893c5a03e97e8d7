"""The visual timeline: an inline SVG with a lane per source, key events as marks, milestones as
labelled vertical lines and quiet periods shaded.

Every piece of text is escaped here, because the result is inserted into the HTML as markup.
Each key event is one element of class ``mark`` with a ``data-ref`` attribute and a ``<title>``
child (the hover text); a mark whose record has an http(s) URL links to it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from html import escape
from typing import Any

import numpy as np
import pandas as pd

from ingest.schema import SOURCES
from ingest.times.durations import format_duration
from ingest.vocab import kind_label
from render.filters import format_clock, format_time, safe_url

WIDTH = 1000
LEFT = 120  # room for the lane labels
RIGHT = 24
LANE_HEIGHT = 56
LABEL_ROW_HEIGHT = 15
AXIS_HEIGHT = 34
MARK_RADIUS = 5
# Marks closer than this in one lane are spread over rows above and below the lane's middle.
STACK_OFFSETS = (0, -10, 10, -20, 20)
TICK_STEPS = (
    60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400, 172800, 604800
)  # fmt: skip
MAX_TICKS = 8
FAMILIES = {
    "alert": "alert",
    "deploy": "change",
    "commit": "change",
    "pr": "change",
    "release": "change",
    "chat": "chat",
}


def timeline_svg(
    frame: pd.DataFrame,
    milestones: Sequence[Mapping[str, Any]],
    quiet_periods: Sequence[Mapping[str, Any]],
) -> str:
    """The SVG markup of the visual timeline for the frame's key rows.

    ``milestones`` and ``quiet_periods`` are the rows of ``render.markdown.build_context``
    (times as UTC Timestamps or None).
    """
    key = frame.loc[frame["key"].astype(bool)].reset_index(drop=True)
    sources = [s for s in SOURCES if (frame["source"] == s).any()]
    sources += sorted(set(frame["source"].astype(str)) - set(sources))
    known = [m for m in milestones if m.get("at") is not None]
    quiet = [q for q in quiet_periods if q.get("start") is not None and q.get("end") is not None]
    scale = _TimeScale.fit(
        [
            *key["ts"],
            *(m["at"] for m in known),
            *(q["start"] for q in quiet),
            *(q["end"] for q in quiet),
        ]
    )
    labels = _milestone_label_rows(known, scale)
    top = 12 + LABEL_ROW_HEIGHT * (max((row for row, _ in labels), default=-1) + 1)
    lanes_bottom = top + LANE_HEIGHT * max(len(sources), 1)
    height = lanes_bottom + AXIS_HEIGHT
    title = f"Timeline of {len(key)} key events from {len(sources)} sources"

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="timeline" role="img" width="100%" '
        f'viewBox="0 0 {WIDTH} {height}" preserveAspectRatio="xMinYMin meet" '
        f'aria-labelledby="timeline-svg-title">',
        f'<title id="timeline-svg-title">{escape(title)}</title>',
    ]
    parts += _lanes(sources, key, top)
    parts += _quiet(quiet, scale, top, lanes_bottom)
    parts += _axis(scale, lanes_bottom)
    parts += _milestones(known, labels, scale, top, lanes_bottom)
    parts += _marks(key, sources, scale, top)
    parts.append("</svg>")
    return "\n".join(parts)


class _TimeScale:
    """Maps UTC times to x positions between the lane labels and the right edge."""

    def __init__(self, start: pd.Timestamp, end: pd.Timestamp) -> None:
        self.start, self.end = start, end
        self.seconds = (end - start).total_seconds()

    @classmethod
    def fit(cls, times: Sequence[pd.Timestamp]) -> _TimeScale:
        known = pd.DatetimeIndex([t for t in times if t is not None and not pd.isna(t)])
        if known.empty:
            epoch = pd.Timestamp(0, tz="UTC")
            return cls(epoch, epoch + pd.Timedelta(hours=1))
        start, end = known.min(), known.max()
        pad = max((end - start) * 0.03, pd.Timedelta(minutes=1))
        return cls(start - pad, end + pad)

    def x(self, times: Any) -> np.ndarray:
        offsets = (pd.DatetimeIndex(times) - self.start).total_seconds().to_numpy()
        return LEFT + offsets / self.seconds * (WIDTH - LEFT - RIGHT)

    def x_of(self, time: pd.Timestamp) -> float:
        return float(self.x([time])[0])


def _lanes(sources: list[str], key: pd.DataFrame, top: int) -> list[str]:
    counts = key["source"].astype(str).value_counts()
    parts = []
    for number, source in enumerate(sources):
        y = top + number * LANE_HEIGHT
        middle = y + LANE_HEIGHT / 2
        parts.append(
            f'<rect class="lane lane-{number % 2}" x="{LEFT}" y="{y}" '
            f'width="{WIDTH - LEFT - RIGHT}" height="{LANE_HEIGHT}"/>'
        )
        parts.append(
            f'<text class="lane-label" x="{LEFT - 8}" y="{middle:.1f}" text-anchor="end" '
            f'dominant-baseline="middle">{escape(source)} '
            f'<tspan class="lane-count">({int(counts.get(source, 0))})</tspan></text>'
        )
    return parts


def _quiet(quiet: list[Mapping[str, Any]], scale: _TimeScale, top: int, bottom: int) -> list[str]:
    parts = []
    for period in quiet:
        x0, x1 = scale.x_of(period["start"]), scale.x_of(period["end"])
        text = (
            f"Quiet period: {format_duration(period.get('seconds'))}, "
            f"{format_clock(period['start'])}–{format_clock(period['end'])} UTC"
        )
        parts.append(
            f'<rect class="quiet" x="{x0:.1f}" y="{top}" width="{max(x1 - x0, 1):.1f}" '
            f'height="{bottom - top}"><title>{escape(text)}</title></rect>'
        )
    return parts


def _axis(scale: _TimeScale, bottom: int) -> list[str]:
    step = next((s for s in TICK_STEPS if scale.seconds / s <= MAX_TICKS), TICK_STEPS[-1])
    first = int(np.ceil(scale.start.timestamp() / step) * step)
    ticks = pd.to_datetime(np.arange(first, scale.end.timestamp(), step), unit="s", utc=True)
    fmt = "%m-%d %H:%M" if scale.seconds > 86400 else "%H:%M"
    parts = [f'<line class="axis" x1="{LEFT}" y1="{bottom}" x2="{WIDTH - RIGHT}" y2="{bottom}"/>']
    for tick, x in zip(ticks, scale.x(ticks), strict=True):
        parts.append(
            f'<line class="tick" x1="{x:.1f}" y1="{bottom}" x2="{x:.1f}" y2="{bottom + 5}"/>'
        )
        parts.append(
            f'<text class="tick-label" x="{x:.1f}" y="{bottom + 18}" '
            f'text-anchor="middle">{tick.strftime(fmt)}</text>'
        )
    parts.append(
        f'<text class="tick-label" x="{LEFT - 8}" y="{bottom + 18}" text-anchor="end">UTC</text>'
    )
    return parts


def _milestone_label_rows(
    milestones: list[Mapping[str, Any]], scale: _TimeScale
) -> list[tuple[int, str]]:
    """(label row, text anchor) per milestone, so that labels close in time do not overlap."""
    row_ends: list[float] = []
    placed = []
    for milestone in milestones:
        x = scale.x_of(milestone["at"])
        width = 6.5 * len(milestone["label"]) + 6
        anchor = "end" if x + width > WIDTH - RIGHT else "start"
        left = x - width if anchor == "end" else x
        row = next((i for i, end in enumerate(row_ends) if end < left), len(row_ends))
        if row == len(row_ends):
            row_ends.append(0.0)
        row_ends[row] = left + width
        placed.append((row, anchor))
    return placed


def _milestones(
    milestones: list[Mapping[str, Any]],
    labels: list[tuple[int, str]],
    scale: _TimeScale,
    top: int,
    bottom: int,
) -> list[str]:
    parts = []
    for milestone, (row, anchor) in zip(milestones, labels, strict=True):
        x = scale.x_of(milestone["at"])
        y = 12 + LABEL_ROW_HEIGHT * row + 10
        evidence = milestone.get("evidence") or "unknown"
        text = f"{milestone['label']}: {format_time(milestone['at'])} UTC ({evidence})"
        if milestone.get("rule"):
            text += f", rule: {milestone['rule']}"
        nudge = -3 if anchor == "end" else 3
        parts.append(
            f'<g class="milestone evidence-{escape(evidence)}" '
            f'data-milestone="{escape(milestone["name"])}"><title>{escape(text)}</title>'
            f'<line x1="{x:.1f}" y1="{y + 3}" x2="{x:.1f}" y2="{bottom}"/>'
            f'<text x="{x + nudge:.1f}" y="{y}" text-anchor="{anchor}">'
            f"{escape(milestone['label'])}</text></g>"
        )
    return parts


def _marks(key: pd.DataFrame, sources: list[str], scale: _TimeScale, top: int) -> list[str]:
    if key.empty:
        return []
    xs = scale.x(key["ts"])
    lane = key["source"].astype(str).map({s: i for i, s in enumerate(sources)}).to_numpy()
    offsets = _stack(xs, lane)
    parts = []
    for row, x, number, offset in zip(key.to_dict("records"), xs, lane, offsets, strict=True):
        y = top + number * LANE_HEIGHT + LANE_HEIGHT / 2 + offset
        kind = str(row["kind"])
        family = FAMILIES.get(kind.split(".")[0], "other")
        when = format_time(row["ts"])
        text = f"{when} UTC · {row['source']} · {kind_label(kind)}: {row['summary']}"
        if row["actor"]:
            text += f" — {row['actor']}"
        attributes = (
            f'class="mark {family}" data-ref="{escape(str(row["ref"]))}" data-kind="{escape(kind)}"'
        )
        if family == "change":
            side = MARK_RADIUS * 1.7
            shape = (
                f'<rect {attributes} x="{x - side / 2:.1f}" y="{y - side / 2:.1f}" '
                f'width="{side:.1f}" height="{side:.1f}">'
                f"<title>{escape(text)}</title></rect>"
            )
        else:
            shape = (
                f'<circle {attributes} cx="{x:.1f}" cy="{y:.1f}" r="{MARK_RADIUS}">'
                f"<title>{escape(text)}</title></circle>"
            )
        url = safe_url(row["url"])
        parts.append(f'<a href="{escape(url)}">{shape}</a>' if url else shape)
    return parts


def _stack(xs: np.ndarray, lanes: np.ndarray) -> list[int]:
    """A vertical offset per mark: marks that would overlap in a lane move to other rows."""
    offsets = [0] * len(xs)
    last: dict[tuple[int, int], float] = {}
    for position in np.lexsort((xs, lanes)):
        lane = int(lanes[position])
        for offset in STACK_OFFSETS:
            if xs[position] - last.get((lane, offset), -1e9) >= 2 * MARK_RADIUS + 1:
                break
        else:
            offset = min(STACK_OFFSETS, key=lambda o: last.get((lane, o), -1e9))
        last[(lane, offset)] = float(xs[position])
        offsets[position] = offset
    return offsets
