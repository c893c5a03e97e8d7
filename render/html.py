"""The postmortem skeleton as one self-contained HTML file: inline CSS, an inline SVG timeline,
no scripts, fonts, styles or images from anywhere else.

The page holds the same content as the Markdown skeleton (``render.markdown``) and is built
from the same context. Jinja2 autoescapes everything; links are kept only when they are http(s).
Templates live in ``render/templates/`` (``report.html.j2`` and its ``_html_*.j2`` parts); a
directory given as ``template_dir`` is searched first, so a file of the same name there
replaces the packaged one.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import jinja2
import pandas as pd
from markupsafe import Markup

from ingest.errors import InputError
from render.filters import FILTERS, safe_url
from render.markdown import PACKAGED_TEMPLATES, build_context, template_environment
from render.svg import row_anchor, timeline_svg

TEMPLATE = "report.html.j2"
# The format-neutral filters; the Markdown escapers have no place in HTML.
_TEXT_FILTERS = ("utc", "clock", "duration", "kind_label", "event_text", "short_ref", "evidence")


def render_html(
    frame: pd.DataFrame, summary: Mapping[str, Any], *, template_dir: Path | None = None
) -> str:
    """Render the postmortem skeleton as a self-contained HTML page.

    ``frame`` is the bundle's events frame in timeline order with ``key`` set; ``summary`` is
    the summary.json mapping. Raises InputError for a missing ``template_dir`` or a broken
    template in it, TimeError for a summary time without a zone.
    """
    context = build_context(frame, summary)
    rows = frame.reset_index(drop=True)
    charts = [
        timeline_svg(rows, context["milestones"], context["quiet_periods"], layout=layout)
        for layout in ("wide", "narrow")
    ]
    context["timeline_svg"] = Markup("\n".join(charts))
    environment = _environment(template_dir)
    try:
        return environment.get_template(TEMPLATE).render(**context)
    except jinja2.TemplateSyntaxError as e:
        raise InputError(f"template error: {e.message}", path=e.filename, line=e.lineno) from e
    except jinja2.TemplateError as e:
        where = template_dir if template_dir is not None else PACKAGED_TEMPLATES
        raise InputError(f"template error: {e}; check the templates", path=where) from e


def href(url: object) -> str:
    """An http(s) URL for an ``href`` attribute, or "" for anything else (then link nothing)."""
    return safe_url(url) or ""


def _environment(template_dir: Path | None) -> jinja2.Environment:
    environment = template_environment(template_dir, html=True)
    environment.filters.update({name: FILTERS[name] for name in _TEXT_FILTERS})
    environment.filters["href"] = href
    environment.filters["row_anchor"] = row_anchor
    return environment
