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
import numpy as np
import pandas as pd

from ingest.errors import InputError
from ingest.vocab import CHANGE_KINDS, CHAT_KINDS, GAPS, MILESTONE_LABELS, tags_hold
from render.filters import FILTERS, UNKNOWN, to_utc
from render.template_cache import bytecode_cache

TEMPLATE = "timeline.md.j2"
PACKAGED_TEMPLATES = Path(__file__).parent / "templates"

FOLD_ROWS = 10  # hidden rows listed under each "… N more" in the HTML report
_ROW_COLUMNS = ["ts", "source", "kind", "actor", "summary", "ref", "url", "channel", "thread_ref"]
_CONTEXT_COLUMNS = [*_ROW_COLUMNS, "edited_at", "tags", "key", "key_rule", "twin_ref"]


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
    # Only the columns read here: every row selection below then copies less.
    frame = frame[[name for name in _CONTEXT_COLUMNS if name in frame]]
    frame.index = pd.RangeIndex(len(frame))
    incident = dict(summary.get("incident") or {})
    window = incident.get("window") or {}
    milestones = milestone_rows(frame, summary.get("milestones") or {})
    detected = next(m["at"] for m in milestones if m["name"] == "detected")
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
        "responders": responder_rows(summary.get("responders")),
        # Public drafts only: the roles held, not tied to anyone (render.audience).
        "roles": summary.get("roles"),
        "preceding_changes": preceding_changes(frame, detected),
        "timeline": timeline_rows(frame),
        "counts": _counts(frame),
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
                "corroborated_by": list(given.get("corroborated_by") or []),
            }
        )
    refs = {row["ref"] for row in rows if row["ref"]}
    if refs:
        # The first row with a URL for each ref; a handful of rows, so plain lists.
        named = frame.loc[frame["ref"].isin(refs).to_numpy(), ["ref", "url"]]
        urls: dict[str, str] = {}
        for ref, url in zip(named["ref"].to_list(), named["url"].to_list(), strict=True):
            if url != "":
                urls.setdefault(ref, url)
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


def responder_rows(responders: Any) -> list[dict[str, Any]]:
    """The summary's responders with times parsed; missing parts are None."""
    rows = []
    for item in responders or []:
        entry = dict(item) if isinstance(item, Mapping) else {"name": str(item)}
        action = entry.get("first_action")
        rows.append(
            {
                "name": entry.get("name") or "",
                "also": list(entry.get("also") or []),
                "role": entry.get("role"),
                "role_source": entry.get("role_source"),
                "first_seen": to_utc(entry.get("first_seen"), what="responder first seen"),
                "first_action": None
                if not action
                else {
                    "at": to_utc(action.get("at"), what="responder first action"),
                    "kind": action.get("kind") or "",
                    "summary": action.get("summary") or "",
                    "ref": action.get("ref") or "",
                    "url": action.get("url") or "",
                },
            }
        )
    return rows


def preceding_changes(frame: pd.DataFrame, detected: pd.Timestamp | None) -> list[dict[str, Any]]:
    """Deploys, commits, merges and releases earlier than detection, in frame order.

    Empty when detection is unknown: without it, "before" means nothing.
    """
    if detected is None or frame.empty:
        return []
    earlier = (
        frame["kind"].isin(CHANGE_KINDS).to_numpy()
        & (frame["ts"] < detected).to_numpy()
        & ~_twin_rows(frame)
    )
    return _records(frame.iloc[np.flatnonzero(earlier)])


def _counts(frame: pd.DataFrame) -> dict[str, int]:
    key = frame["key"].to_numpy(dtype=bool)
    twin = _twin_rows(frame)
    return {
        "events": len(frame),
        "key": int(key.sum()),
        "twins": int(twin.sum()),
        "other": int((~key & ~twin).sum()),
    }


def _twin_rows(frame: pd.DataFrame) -> np.ndarray:
    """Rows folded into another record of the same event (shown as that row's second source)."""
    if "twin_ref" not in frame:
        return np.zeros(len(frame), dtype=bool)
    return (frame["twin_ref"] != "").to_numpy(dtype=bool, na_value=False)


def timeline_rows(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """Key rows in frame order, with the non-key rows between two key rows folded into one
    ``{"more": True, "count", "chat", "places": [{"count", "source", "channel", "chat"}],
    "events": [records]}``. A key row lists its twins (the same event from another source)
    under ``twins``; twins are not counted again among the others."""
    if frame.empty:
        return []
    key = frame["key"].to_numpy(dtype=bool)
    # A twin is shown as its kept row's second source; a twin whose kept row is hidden is
    # counted with the other hidden rows, so no event goes uncounted.
    twin = _twin_rows(frame)
    if twin.any():
        twin &= frame["twin_ref"].isin(frame["ref"].iloc[np.flatnonzero(key)]).to_numpy()
    # Rows after the n-th key row (and before the next) share gap number n.
    gap = np.cumsum(key)
    hidden_at = np.flatnonzero(~key & ~twin)
    folded = _places(frame, hidden_at, gap)
    # The first few hidden rows of each fold, for a reader who opens it; the rest stay in the
    # events files (the page stays small however long the channel). Gap numbers only grow, so
    # a hidden row's rank in its fold is its distance from the fold's first hidden row.
    folds = gap[hidden_at]
    shown_at = hidden_at[np.arange(len(folds)) - np.searchsorted(folds, folds) < FOLD_ROWS]
    key_at, twin_at = np.flatnonzero(key), np.flatnonzero(twin)
    # Every row the page shows becomes a record in one pass.
    wanted = np.union1d(np.union1d(key_at, twin_at), shown_at)
    record_at = dict(zip(wanted.tolist(), _records(frame.iloc[wanted]), strict=True))
    fold_events: dict[int, list[dict[str, Any]]] = {}
    for position in shown_at.tolist():
        fold_events.setdefault(int(gap[position]), []).append(record_at[position])
    twins_of: dict[str, list[dict[str, Any]]] = {}
    kept_refs = frame["twin_ref"].to_numpy()[twin_at] if len(twin_at) else []
    for position, kept in zip(twin_at.tolist(), kept_refs, strict=True):
        twins_of.setdefault(str(kept), []).append(dict(record_at[position]))
    key_records = [record_at[position] for position in key_at.tolist()]
    for record in key_records:
        record["twins"] = twins_of.get(record["ref"], [])
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
                    "events": fold_events.get(number, []),
                }
            )
    return rows


def _places(frame: pd.DataFrame, hidden_at: np.ndarray, gap: np.ndarray) -> dict[int, list[Any]]:
    """The hidden rows counted by gap, then by source and channel in the order they first
    appear: ``{gap: [{"source", "channel", "count", "chat"}]}``, where ``chat`` says whether
    every one of them is a chat message. Grouped on integer codes, since a short window has a
    few dozen rows and a year of chat hundreds of thousands."""
    if not len(hidden_at):
        return {}
    sources, source_names = pd.factorize(frame["source"].take(hidden_at), use_na_sentinel=False)
    channels, channel_names = pd.factorize(frame["channel"].take(hidden_at), use_na_sentinel=False)
    chat = frame["kind"].isin(CHAT_KINDS).to_numpy()[hidden_at]
    folds = gap[hidden_at].astype(np.int64)
    # One number per (gap, source, channel); gap numbers only grow, so the groups in order of
    # their first row are in gap order, each gap's places in the order they appear.
    place = (folds * len(source_names) + sources) * len(channel_names) + channels
    _, first, group = np.unique(place, return_index=True, return_inverse=True)
    counts = np.bincount(group)
    not_chat = np.bincount(group, weights=~chat)
    folded: dict[int, list[Any]] = {}
    for number in np.argsort(first, kind="stable").tolist():
        row = first[number]
        folded.setdefault(int(folds[row]), []).append(
            {
                "source": source_names[sources[row]],
                "channel": channel_names[channels[row]],
                "count": int(counts[number]),
                "chat": bool(not_chat[number] == 0),
            }
        )
    return folded


def _entries(items: Any, keys: tuple[str, ...]) -> list[dict[str, Any]]:
    """A summary list of mappings with every key present (None where the bundle left it out)."""
    return [{name: dict(item).get(name) for name in keys} for item in items or []]


def _records(rows: pd.DataFrame) -> list[dict[str, Any]]:
    """Frame rows as template records; NaT becomes None and the tag flags become booleans.

    Only the rows a page shows come here (a bounded number), so after one list per column the
    rest is plain Python: cheaper than a pandas operation per flag on a few dozen rows."""
    if rows.empty:
        return []
    # Column by column to plain lists, then one dict per row: DataFrame.to_dict boxes each
    # value on its own.
    columns = {name: _plain(rows[name]) for name in _ROW_COLUMNS}
    columns["edited_at"] = [
        None if stamp is pd.NaT else stamp for stamp in rows["edited_at"].to_list()
    ]
    columns["after_mitigation"] = [
        tags_hold(tags, "edited_after_mitigation") for tags in rows["tags"].to_list()
    ]
    columns["reply"] = [
        kind == "chat.reply" or bool(thread)
        for kind, thread in zip(columns["kind"], columns["thread_ref"], strict=True)
    ]
    columns["key_rule"] = rows["key_rule"].to_list() if "key_rule" in rows else [""] * len(rows)
    names = list(columns)
    return [
        {**dict(zip(names, values, strict=True)), "more": False, "twins": []}
        for values in zip(*columns.values(), strict=True)
    ]


def _plain(values: pd.Series) -> list[Any]:
    """A column as Python values, a missing string as None (as DataFrame.to_dict gives it)."""
    items = values.to_list()
    if values.hasnans:
        return [None if item is pd.NA else item for item in items]
    return items


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
        bytecode_cache=bytecode_cache("html" if html else "markdown"),
    )
    environment.globals["TK"] = UNKNOWN
    if not html:
        environment.filters.update(FILTERS)
    return environment
