"""Compiled templates kept between runs, in the user's cache directory.

Compiling the templates costs more than rendering a short window, so Jinja2's bytecode of each
template is kept under ``$XDG_CACHE_HOME/postmortem-timeline/`` (``~/.cache`` when that is not
set), in a folder named for the Jinja2 and Python versions: an upgrade of either starts a new
folder, and Jinja2 itself recompiles a template whose source changed. The cache only ever saves
time: a directory that cannot be made, read or written (a read-only home) means compiling as
before, silently. ``POSTMORTEM_TEMPLATE_CACHE=off`` turns it off.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import jinja2
from jinja2.bccache import Bucket

DISABLE_VARIABLE = "POSTMORTEM_TEMPLATE_CACHE"
_OFF = {"0", "off", "no", "false"}


def cache_directory(kind: str) -> Path | None:
    """Where templates of one environment ``kind`` ("markdown", "html") are cached, or None
    when caching is turned off or there is no home to put it in."""
    if os.environ.get(DISABLE_VARIABLE, "").strip().lower() in _OFF:
        return None
    base = os.environ.get("XDG_CACHE_HOME", "")
    if not os.path.isabs(base):  # unset, empty or relative: the spec says to ignore it
        try:
            base = str(Path.home() / ".cache")
        except (RuntimeError, KeyError):  # no home directory known
            return None
    versions = f"jinja-{jinja2.__version__}-{sys.implementation.cache_tag}"
    return Path(base, "postmortem-timeline", versions, kind)


def bytecode_cache(kind: str) -> jinja2.BytecodeCache | None:
    """A bytecode cache for one environment kind (their options differ, so do their compiled
    templates), or None when there is no usable directory."""
    directory = cache_directory(kind)
    if directory is None:
        return None
    try:
        directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    except OSError:
        return None
    return _QuietCache(str(directory))


class _QuietCache(jinja2.FileSystemBytecodeCache):
    """A file cache whose failures cost a compile, never the run."""

    def load_bytecode(self, bucket: Bucket) -> None:
        try:
            super().load_bytecode(bucket)
        except (OSError, EOFError, ValueError, TypeError):  # unreadable or damaged: compile
            bucket.reset()

    def dump_bytecode(self, bucket: Bucket) -> None:
        try:
            super().dump_bytecode(bucket)
        except OSError:
            pass
