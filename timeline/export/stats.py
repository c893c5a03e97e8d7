"""Cross-incident figures from the archive: per group the number of incidents and the median and
90th percentile of each gap, and services with recurring incidents.

Medians and percentiles, not means: one eight-hour outage would drag a mean far from what a
typical incident looks like. Percentiles interpolate linearly between the two nearest values
(numpy's and pandas' default); a gap unknown for an incident (null) is left out of its figures,
and ``n`` says how many incidents each figure stands on.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ingest.errors import UsageError
from ingest.times import to_iso
from ingest.times.durations import format_duration
from ingest.vocab import GAPS
from timeline.export.archive import INCIDENTS_FILE, read_incidents

GROUPINGS = ("service", "severity", "month")
FORMATS = ("table", "csv", "json")
RECURRENCE_COUNT = 3
RECURRENCE_DAYS = 30
NO_GROUP = "(none)"


def find_archive(folder: Path) -> Path:
    """The archive folder: ``folder`` itself, or ``folder/archive`` for an export folder."""
    folder = Path(folder)
    for candidate in (folder, folder / "archive"):
        if (candidate / INCIDENTS_FILE).exists():
            return candidate
    raise UsageError(
        f"{folder}: no archive here (no {INCIDENTS_FILE}); give the --out folder of "
        "'postmortem export' or its archive folder"
    )


def compute_stats(
    archive_dir: Path, *, by: str = "service", since: pd.Timestamp | None = None
) -> dict[str, Any]:
    """Figures per group of archived incidents opened at or after ``since``.

    Returns ``{"by", "since", "incidents", "groups": [{"group", "incidents", "recurring",
    "gaps": {GAP: {"n", "median", "p90"}}}], "recurring": [{"service", "incidents", "from",
    "to"}]}``; seconds are floats, None where no incident of the group has the gap.
    ``recurring`` lists each service with ``RECURRENCE_COUNT`` or more incidents opened within
    ``RECURRENCE_DAYS`` days (its busiest such stretch); a group is ``recurring`` when its
    service is listed (grouping by service only).
    """
    if by not in GROUPINGS:
        raise UsageError(f"--by {by!r}: choose one of {', '.join(GROUPINGS)}")
    table = read_incidents(archive_dir)
    if since is not None:
        table = table[table["created_at"] >= since]
    keys = _group_keys(table, by)
    gap_columns = list(GAPS)
    grouped = table[gap_columns].groupby(keys, sort=True)
    counts, medians, p90s = grouped.count(), grouped.median(), grouped.quantile(0.9)
    sizes = keys.value_counts()
    recurring = recurrences(table)
    recurring_services = {r["service"] for r in recurring}
    groups = []
    for group in counts.index:
        groups.append(
            {
                "group": str(group),
                "incidents": int(sizes[group]),
                "recurring": by == "service" and group in recurring_services,
                "gaps": {
                    gap: {
                        "n": int(counts.at[group, gap]),
                        "median": _seconds(medians.at[group, gap]),
                        "p90": _seconds(p90s.at[group, gap]),
                    }
                    for gap in gap_columns
                },
            }
        )
    return {
        "by": by,
        "since": to_iso(since),
        "incidents": int(len(table)),
        "groups": groups,
        "recurring": recurring,
    }


def recurrences(
    table: pd.DataFrame, *, count: int = RECURRENCE_COUNT, days: int = RECURRENCE_DAYS
) -> list[dict[str, Any]]:
    """Services with ``count`` or more incidents opened within ``days`` days: for each, the most
    incidents one such stretch holds and its first and last opening, by service name."""
    opened = table.loc[table["service"] != "", ["service", "created_at"]].dropna()
    window = np.timedelta64(days, "D")
    found = []
    for name, times in opened.groupby(opened["service"].astype(str), sort=True)["created_at"]:
        values = np.sort(times.dt.tz_convert(None).to_numpy())
        # For each opening, how many of the service's incidents open in the `days` from it.
        ends = values.searchsorted(values + window, side="right")
        ahead = ends - np.arange(len(values))
        start = int(ahead.argmax())
        if ahead[start] < count:
            continue
        found.append(
            {
                "service": name,
                "incidents": int(ahead[start]),
                "from": to_iso(pd.Timestamp(values[start], tz="UTC")),
                "to": to_iso(pd.Timestamp(values[ends[start] - 1], tz="UTC")),
            }
        )
    return found


def format_stats(stats: dict[str, Any], fmt: str = "table") -> str:
    """The figures as a plain-text table, CSV (one row per group, seconds) or JSON."""
    if fmt == "json":
        return json.dumps(stats, indent=2) + "\n"
    if fmt == "csv":
        return _csv(stats)
    if fmt == "table":
        return _table(stats)
    raise UsageError(f"--format {fmt!r}: choose one of {', '.join(FORMATS)}")


# -- internals --------------------------------------------------------------------------------


def _group_keys(table: pd.DataFrame, by: str) -> pd.Series:
    if by == "month":
        keys = table["created_at"].dt.strftime("%Y-%m")
    else:
        keys = table[by].astype(object)
    keys = keys.fillna(NO_GROUP).astype(str)
    return keys.where(keys != "", NO_GROUP).rename(by)


def _seconds(value: Any) -> float | None:
    return None if pd.isna(value) else round(float(value), 3)


def _csv(stats: dict[str, Any]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    header = [stats["by"], "incidents", "recurring"]
    for gap in GAPS:
        header += [f"{gap}_n", f"{gap}_median_s", f"{gap}_p90_s"]
    writer.writerow(header)
    for group in stats["groups"]:
        row = [group["group"], group["incidents"], str(group["recurring"]).lower()]
        for gap in GAPS:
            figures = group["gaps"][gap]
            row += [figures["n"], _blank(figures["median"]), _blank(figures["p90"])]
        writer.writerow(row)
    return out.getvalue()


def _blank(value: float | None) -> str:
    return "" if value is None else f"{value:g}"


def _table(stats: dict[str, Any]) -> str:
    since = f" opened since {stats['since']}" if stats["since"] else ""
    lines = [
        f"{stats['incidents']} incidents{since}, by {stats['by']}; "
        "gaps as median and 90th percentile, n = incidents with both ends known",
    ]
    width = max(len(gap) for gap in GAPS)
    for group in stats["groups"]:
        mark = "  RECURRING" if group["recurring"] else ""
        lines += ["", f"{group['group']}: {group['incidents']} incidents{mark}"]
        lines.append(f"  {'gap':<{width}}  {'n':>5}  {'median':>14}  {'p90':>14}")
        for gap, figures in group["gaps"].items():
            median = format_duration(figures["median"], unknown="-")
            p90 = format_duration(figures["p90"], unknown="-")
            lines.append(f"  {gap:<{width}}  {figures['n']:>5}  {median:>14}  {p90:>14}")
    if stats["recurring"]:
        lines += [
            "",
            f"Recurring ({RECURRENCE_COUNT}+ incidents on one service in {RECURRENCE_DAYS} days):",
        ]
        for item in stats["recurring"]:
            span = f"from {item['from']} to {item['to']}"
            lines.append(f"  {item['service']}: {item['incidents']} incidents {span}")
    return "\n".join(lines) + "\n"
