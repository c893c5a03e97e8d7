"""Rendering a bundle (events frame + summary) as a Markdown or HTML skeleton."""
