"""The visual timeline: an inline SVG with a lane per source, key events as marks, milestones as
numbered vertical lines, the impact period hatched and quiet periods shaded.

The chart is drawn twice, for wide and for narrow screens (the page's CSS shows one), each with a
viewBox whose width is close to the pixels it gets, so its text stays readable at that size.
Milestone names and times are not drawn in the chart: each line carries a number that the list
under the chart explains, so labels never overlap one another or the marks.

Every piece of text is escaped here, because the result is inserted into the HTML as markup.
Each key event is one element of class ``mark`` with a ``data-ref`` attribute and a ``<title>``
child, inside a link to its row in the table (``row_anchor``), which works on touch too.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping, Sequence
from html import escape
from typing import Any

import msgspec
import numpy as np
import pandas as pd

from ingest.schema import SOURCES
from ingest.times.durations import format_duration
from ingest.vocab import has_tag, kind_label
from render.chart_axis import TimeScale, ticks
from render.filters import format_clock, format_time


class Layout(msgspec.Struct, frozen=True):
    name: str
    width: int  # viewBox units, about the CSS pixels the chart gets
    font: int  # font size in viewBox units


LAYOUTS = {"wide": Layout("wide", 1000, 14), "narrow": Layout("narrow", 370, 12)}
SIDE = 8
BADGE_RADIUS = 9
BADGE_ROW = 2 * BADGE_RADIUS + 4
LANE_LABEL_HEIGHT = 20
MARKS_HEIGHT = 52
LANE_HEIGHT = LANE_LABEL_HEIGHT + MARKS_HEIGHT
MARK_RADIUS = 5
# Marks closer than this in one lane are spread over rows above and below the lane's middle.
STACK_OFFSETS = (0, -10, 10, -20, 20)
FAMILIES = {
    "alert": "alert",
    "deploy": "change",
    "commit": "change",
    "pr": "change",
    "release": "change",
    "chat": "chat",
}


def row_anchor(ref: object) -> str:
    """The id of a key event's row in the table, which the chart's marks link to."""
    text = str(ref)
    slug = re.sub(r"[^A-Za-z0-9]+", "-", text).strip("-")[:32]
    digest = hashlib.sha1(text.encode("utf-8")).hexdigest()[:8]
    return f"event-{slug}-{digest}" if slug else f"event-{digest}"


def timeline_svg(
    frame: pd.DataFrame,
    milestones: Sequence[Mapping[str, Any]],
    quiet_periods: Sequence[Mapping[str, Any]],
    *,
    layout: str = "wide",
) -> str:
    """The SVG markup of the visual timeline for the frame's key rows (twins are left out: they
    are drawn as the one mark of the row they were folded into).

    ``milestones`` and ``quiet_periods`` are the rows of ``render.markdown.build_context``
    (times as UTC Timestamps or None); the milestones with a time are numbered from 1 in order.
    """
    shape = LAYOUTS[layout]
    twin = pd.Series(False, index=frame.index)
    if "tags" in frame:
        twin = has_tag(frame["tags"], "twin")
    if "twin_ref" in frame:
        twin = twin | (frame["twin_ref"].fillna("").astype(str) != "")
    key = frame.loc[frame["key"].astype(bool) & ~twin].reset_index(drop=True)
    sources = [s for s in SOURCES if (frame["source"] == s).any()]
    sources += sorted(set(frame["source"].astype(str)) - set(sources))
    known = [m for m in milestones if m.get("at") is not None]
    quiet = [q for q in quiet_periods if q.get("start") is not None and q.get("end") is not None]
    scale = TimeScale.fit(
        [*key["ts"], *(m["at"] for m in known), *(q["start"] for q in quiet)]
        + [q["end"] for q in quiet],
        SIDE + MARK_RADIUS,
        shape.width - SIDE - MARK_RADIUS,
    )
    badge_rows = _badge_rows(known, scale)
    top = BADGE_ROW * (max(badge_rows, default=-1) + 1) + 4
    lanes_bottom = top + LANE_HEIGHT * max(len(sources), 1)
    height = lanes_bottom + int(shape.font * 3.2)
    title = f"Timeline of {len(key)} key events from {len(sources)} sources"
    ids = f"timeline-{shape.name}"

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="timeline {shape.name}" role="img" '
        f'width="100%" viewBox="0 0 {shape.width} {height}" font-size="{shape.font}" '
        f'aria-labelledby="{ids}-title">',
        f'<title id="{ids}-title">{escape(title)}</title>',
        f'<defs><pattern id="{ids}-hatch" width="6" height="6" patternUnits="userSpaceOnUse" '
        f'patternTransform="rotate(45)"><rect class="impact-ground" width="6" height="6"/>'
        f'<line class="impact-line" x1="0" y1="0" x2="0" y2="6"/></pattern></defs>',
    ]
    bands, labels = _lanes(sources, frame, key, top, shape)
    parts += bands
    parts += _impact(milestones, scale, top, lanes_bottom, f"url(#{ids}-hatch)")
    parts += _quiet(quiet, scale, top, lanes_bottom)
    parts += _axis(scale, lanes_bottom, shape)
    parts += _milestones(known, badge_rows, scale, lanes_bottom)
    parts += labels  # over the shading and the milestone lines, so they stay readable
    parts += _marks(key, sources, scale, top)
    parts.append("</svg>")
    return "\n".join(parts)


def _lanes(
    sources: list[str], frame: pd.DataFrame, key: pd.DataFrame, top: int, shape: Layout
) -> tuple[list[str], list[str]]:
    """A band per source and its label (all its events and the ones shown), above its marks."""
    every = frame["source"].astype(str).value_counts()
    shown = key["source"].astype(str).value_counts()
    bands, labels = [], []
    for number, source in enumerate(sources):
        y = top + number * LANE_HEIGHT
        total, drawn = int(every.get(source, 0)), int(shown.get(source, 0))
        events = "event" if total == 1 else "events"
        bands.append(
            f'<rect class="lane lane-{number % 2}" x="0" y="{y}" '
            f'width="{shape.width}" height="{LANE_HEIGHT}"/>'
        )
        labels.append(
            f'<text class="lane-label" x="{SIDE}" y="{y + shape.font + 2}">{escape(source)} '
            f'<tspan class="lane-count">{total} {events}, {drawn} shown</tspan></text>'
        )
    return bands, labels


def _impact(
    milestones: Sequence[Mapping[str, Any]], scale: TimeScale, top: int, bottom: int, fill: str
) -> list[str]:
    """The impact period, from impact start to resolved (or to mitigated), hatched."""
    at = {m["name"]: m.get("at") for m in milestones}
    start = at.get("impact_start")
    end = at.get("resolved") or at.get("mitigated")
    if start is None or end is None or end <= start:
        return []
    until = "resolved" if at.get("resolved") is not None else "mitigated"
    x0, x1 = scale.x_of(start), scale.x_of(end)
    duration = format_duration((end - start).total_seconds())
    text = f"Impact period: impact start to {until}, {duration}"
    return [
        f'<rect class="impact" x="{x0:.1f}" y="{top + LANE_LABEL_HEIGHT - 4}" '
        f'width="{x1 - x0:.1f}" height="{bottom - top - LANE_LABEL_HEIGHT + 4}" fill="{fill}">'
        f"<title>{escape(text)}</title></rect>"
    ]


def _quiet(quiet: list[Mapping[str, Any]], scale: TimeScale, top: int, bottom: int) -> list[str]:
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


def _axis(scale: TimeScale, bottom: int, shape: Layout) -> list[str]:
    """The axis line, ticks kept inside the chart, and a caption on its own line below."""
    label_y = bottom + shape.font + 4
    parts = [f'<line class="axis" x1="0" y1="{bottom}" x2="{shape.width}" y2="{bottom}"/>']
    for x, label in ticks(scale, shape.font):
        half = len(label) * shape.font * 0.31
        text_x = min(max(x, half + 1), shape.width - half - 1)
        parts.append(
            f'<line class="tick" x1="{x:.1f}" y1="{bottom}" x2="{x:.1f}" y2="{bottom + 4}"/>'
        )
        parts.append(
            f'<text class="tick-label" x="{text_x:.1f}" y="{label_y}" '
            f'text-anchor="middle">{label}</text>'
        )
    parts.append(
        f'<text class="axis-caption" x="{SIDE}" y="{label_y + shape.font + 3}">times in UTC</text>'
    )
    return parts


def _badge_rows(milestones: list[Mapping[str, Any]], scale: TimeScale) -> list[int]:
    """A row per milestone number badge, so that badges close in time do not overlap."""
    row_ends: list[float] = []
    rows = []
    for milestone in milestones:
        left = scale.x_of(milestone["at"]) - BADGE_RADIUS
        row = next((i for i, end in enumerate(row_ends) if end + 2 < left), len(row_ends))
        if row == len(row_ends):
            row_ends.append(0.0)
        row_ends[row] = left + 2 * BADGE_RADIUS
        rows.append(row)
    return rows


def _milestones(
    milestones: list[Mapping[str, Any]], rows: list[int], scale: TimeScale, bottom: int
) -> list[str]:
    parts = []
    for number, (milestone, row) in enumerate(zip(milestones, rows, strict=True), start=1):
        x = scale.x_of(milestone["at"])
        y = 2 + BADGE_ROW * row + BADGE_RADIUS
        evidence = milestone.get("evidence") or "unknown"
        name = escape(milestone["name"])
        text = f"{number}. {milestone['label']}: {format_time(milestone['at'])} UTC ({evidence})"
        if milestone.get("rule"):
            text += f", rule: {milestone['rule']}"
        parts.append(
            f'<g class="milestone evidence-{escape(evidence)} milestone-{name}" '
            f'data-milestone="{name}"><title>{escape(text)}</title>'
            f'<line x1="{x:.1f}" y1="{y + BADGE_RADIUS}" x2="{x:.1f}" y2="{bottom}"/>'
            f'<circle class="badge" cx="{x:.1f}" cy="{y}" r="{BADGE_RADIUS}"/>'
            f'<text class="badge-number" x="{x:.1f}" y="{y}" text-anchor="middle" '
            f'dominant-baseline="central">{number}</text></g>'
        )
    return parts


def _marks(key: pd.DataFrame, sources: list[str], scale: TimeScale, top: int) -> list[str]:
    if key.empty:
        return []
    xs = scale.x(key["ts"])
    lane = key["source"].astype(str).map({s: i for i, s in enumerate(sources)}).to_numpy()
    offsets = _stack(xs, lane)
    parts = []
    for row, x, number, offset in zip(key.to_dict("records"), xs, lane, offsets, strict=True):
        y = top + number * LANE_HEIGHT + LANE_LABEL_HEIGHT + MARKS_HEIGHT / 2 + offset
        kind = str(row["kind"])
        family = FAMILIES.get(kind.split(".")[0], "other")
        when = format_time(row["ts"])
        text = f"{when} UTC · {row['source']} · {kind_label(kind)}: {row['summary']}"
        if row["actor"]:
            text += f" — {row['actor']}"
        attributes = (
            f'class="mark {family}" data-ref="{escape(str(row["ref"]))}" data-kind="{escape(kind)}"'
        )
        title = f"<title>{escape(text)}</title>"
        shape = _shape(family, attributes, x, y, title)
        parts.append(f'<a href="#{row_anchor(row["ref"])}">{shape}</a>')
    return parts


def _shape(family: str, attributes: str, x: float, y: float, title: str) -> str:
    """Alerts are diamonds, changes squares, the rest circles: readable without colour."""
    r = MARK_RADIUS
    if family == "change":
        side = r * 1.7
        return (
            f'<rect {attributes} x="{x - side / 2:.1f}" y="{y - side / 2:.1f}" '
            f'width="{side:.1f}" height="{side:.1f}">{title}</rect>'
        )
    if family == "alert":
        r += 1
        points = f"{x:.1f},{y - r:.1f} {x + r:.1f},{y:.1f} {x:.1f},{y + r:.1f} {x - r:.1f},{y:.1f}"
        return f'<polygon {attributes} points="{points}">{title}</polygon>'
    return f'<circle {attributes} cx="{x:.1f}" cy="{y:.1f}" r="{r}">{title}</circle>'


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
