"""Rendering a bundle (events frame + summary) as a Markdown or HTML skeleton or draft."""

from render.audience import for_audience
from render.html import render_html
from render.markdown import render_markdown

__all__ = ["for_audience", "render_html", "render_markdown"]
