"""The Markdown postmortem skeleton: a bundle's events frame and summary through Jinja2 templates.

Templates live in ``render/templates/``; a directory given as ``template_dir`` is searched
first, so a file of the same name there replaces the packaged one (the whole
``timeline.md.j2`` or one of its ``_part.md.j2`` includes).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import jinja2
import pandas as pd

from ingest.errors import InputError
from ingest.vocab import CHANGE_KINDS, CHAT_KINDS, GAPS, MILESTONE_LABELS, has_tag
from render.filters import FILTERS, UNKNOWN, to_utc

TEMPLATE = "timeline.md.j2"
PACKAGED_TEMPLATES = Path(__file__).parent / "templates"

_ROW_COLUMNS = ["ts", "source", "kind", "actor", "summary", "ref", "url", "channel", "thread_ref"]


def render_markdown(
    frame: pd.DataFrame, summary: Mapping[str, Any], *, template_dir: Path | None = None
) -> str:
    """Render the postmortem skeleton (DESIGN.md section 6) as Markdown.

    ``frame`` is the bundle's events frame in timeline order with ``key`` set; ``summary`` is
    the summary.json mapping. Raises InputError for a missing ``template_dir`` or a broken
    template in it, TimeError for a summary time without a zone.
    """
    context = build_context(frame, summary)
    environment = template_environment(template_dir, html=False)
    try:
        text = environment.get_template(TEMPLATE).render(**context)
    except jinja2.TemplateSyntaxError as e:
        raise InputError(f"template error: {e.message}", path=e.filename, line=e.lineno) from e
    except jinja2.TemplateError as e:
        where = template_dir if template_dir is not None else PACKAGED_TEMPLATES
        raise InputError(f"template error: {e}; check the templates", path=where) from e
    return re.sub(r"\n{3,}", "\n\n", text).strip("\n") + "\n"


def build_context(frame: pd.DataFrame, summary: Mapping[str, Any]) -> dict[str, Any]:
    """Everything the templates read, with summary times parsed and missing parts defaulted."""
    frame = frame.reset_index(drop=True)
    incident = dict(summary.get("incident") or {})
    window = incident.get("window") or {}
    milestones = milestone_rows(frame, summary.get("milestones") or {})
    detected = next(m["at"] for m in milestones if m["name"] == "detected")
    key = frame["key"].astype(bool)
    sources = _entries(summary.get("sources"), ("name", "status", "events", "error"))
    return {
        "incident": {
            "id": incident.get("id") or "",
            "title": incident.get("title") or "",
            "severity": incident.get("severity") or "",
            "url": incident.get("url") or "",
            "start": to_utc(window.get("start"), what="window start"),
            "end": to_utc(window.get("end"), what="window end"),
        },
        "sources": sources,
        "milestones": milestones,
        "gaps": gap_rows(summary.get("gaps") or {}),
        "preceding_changes": preceding_changes(frame, detected),
        "timeline": timeline_rows(frame),
        "counts": {"events": len(frame), "key": int(key.sum()), "other": int((~key).sum())},
        "quiet_periods": [
            {
                "start": to_utc(q.get("start"), what="quiet period start"),
                "end": to_utc(q.get("end"), what="quiet period end"),
                "seconds": q.get("seconds"),
            }
            for q in summary.get("quiet_periods") or []
        ],
        "inventory": _entries(
            summary.get("inventory"), ("source", "name", "records", "in_window", "outside_window")
        ),
        "missing": [s for s in sources if s["status"] != "ok"],
        "redactions": _entries(summary.get("redactions"), ("kind", "ref", "count")),
        "warnings": list(summary.get("warnings") or []),
        "earlier_incidents": list(summary.get("earlier_incidents", []) or []),
        "tool": _entries([summary.get("tool") or {}], ("name", "version"))[0],
    }


def milestone_rows(frame: pd.DataFrame, milestones: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The seven milestones in order; a missing one is unknown. A ref found in the frame gets
    that row's URL so the Source cell can link to it."""
    rows = []
    for name, label in MILESTONE_LABELS.items():
        given = dict(milestones.get(name) or {})
        at = to_utc(given.get("at"), what=f"milestone {name}")
        evidence = given.get("evidence") if at is not None else "unknown"
        rows.append(
            {
                "name": name,
                "label": label,
                "at": at,
                "evidence": evidence,
                "rule": given.get("rule") or "",
                "ref": given.get("ref") or "",
                "url": "",
            }
        )
    refs = {row["ref"] for row in rows if row["ref"]}
    if refs:
        linked = frame.loc[frame["ref"].isin(refs) & (frame["url"] != ""), ["ref", "url"]]
        urls = linked.drop_duplicates("ref").set_index("ref")["url"]
        for row in rows:
            row["url"] = urls.get(row["ref"], "")
    return rows


def gap_rows(gaps: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The eight gaps in order with their milestone labels; a missing gap is unknown (None)."""
    rows = []
    for name, gap in GAPS.items():
        seconds = gaps.get(name)
        rows.append(
            {
                "name": name,
                "label": gap.label,
                "from": MILESTONE_LABELS[gap.start],
                "to": MILESTONE_LABELS[gap.end],
                "seconds": seconds,
                "negative": seconds is not None and float(seconds) < 0,
            }
        )
    return rows


def preceding_changes(frame: pd.DataFrame, detected: pd.Timestamp | None) -> list[dict[str, Any]]:
    """Deploys, commits, merges and releases earlier than detection, in frame order.

    Empty when detection is unknown: without it, "before" means nothing.
    """
    if detected is None or frame.empty:
        return []
    earlier = frame["kind"].isin(CHANGE_KINDS) & (frame["ts"] < detected)
    return _records(frame[earlier])


def timeline_rows(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """Key rows in frame order, with the non-key rows between two key rows folded into one
    ``{"more": True, "count", "chat", "places": [{"count", "source", "channel", "chat"}]}``."""
    if frame.empty:
        return []
    key = frame["key"].astype(bool)
    # Rows after the n-th key row (and before the next) share gap number n.
    gap = key.cumsum()
    others = frame.loc[~key, ["source", "channel"]].assign(
        gap=gap[~key], chat=frame.loc[~key, "kind"].isin(CHAT_KINDS)
    )
    places = (
        others.groupby(["gap", "source", "channel"], sort=False, observed=True)
        .agg(count=("chat", "size"), chat=("chat", "all"))
        .reset_index()
    )
    folded: dict[int, list[dict[str, Any]]] = {}
    for place in places.to_dict("records"):
        folded.setdefault(int(place.pop("gap")), []).append(place)
    key_records = _records(frame[key])
    rows: list[dict[str, Any]] = []
    for number in range(len(key_records) + 1):
        if number:
            rows.append(key_records[number - 1])
        if number in folded:
            group = folded[number]
            rows.append(
                {
                    "more": True,
                    "count": sum(p["count"] for p in group),
                    "chat": all(p["chat"] for p in group),
                    "places": group,
                }
            )
    return rows


def _entries(items: Any, keys: tuple[str, ...]) -> list[dict[str, Any]]:
    """A summary list of mappings with every key present (None where the bundle left it out)."""
    return [{name: dict(item).get(name) for name in keys} for item in items or []]


def _records(rows: pd.DataFrame) -> list[dict[str, Any]]:
    """Frame rows as template records; NaT becomes None and the tag flags become booleans."""
    records = rows[_ROW_COLUMNS].assign(
        edited_at=rows["edited_at"].astype(object).where(rows["edited_at"].notna(), None),
        after_mitigation=has_tag(rows["tags"], "edited_after_mitigation"),
        reply=(rows["kind"] == "chat.reply") | (rows["thread_ref"] != ""),
        more=False,
    )
    return records.to_dict("records")


def template_environment(template_dir: Path | None, *, html: bool) -> jinja2.Environment:
    """Templates from ``template_dir`` first (overriding by name), then the packaged ones.

    HTML autoescapes every value; Markdown escapes through the filters instead.
    """
    loaders: list[jinja2.BaseLoader] = []
    if template_dir is not None:
        if not Path(template_dir).is_dir():
            suffix = ".j2" if html else ".md.j2"
            raise InputError(
                f"template directory not found: give a folder holding {suffix} templates",
                path=template_dir,
            )
        loaders.append(jinja2.FileSystemLoader(str(template_dir)))
    loaders.append(jinja2.FileSystemLoader(str(PACKAGED_TEMPLATES)))
    environment = jinja2.Environment(
        loader=jinja2.ChoiceLoader(loaders),
        undefined=jinja2.StrictUndefined,
        autoescape=html,
        keep_trailing_newline=not html,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    environment.globals["TK"] = UNKNOWN
    if not html:
        environment.filters.update(FILTERS)
    return environment
