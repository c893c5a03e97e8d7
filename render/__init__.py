"""Rendering a bundle (events frame + summary) as a Markdown or HTML skeleton or draft.

The modules are imported by name (``render.markdown``, ``render.html``, ``render.audience``):
a pull renders Markdown only and does not pay for loading the HTML and SVG renderers.
"""
