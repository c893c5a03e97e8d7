"""Building the ordered timeline, its milestones and gaps, and the bundle; reviewing drafts.

The names below are imported on first use, so that ``postmortem --help`` (which imports
``timeline.cli``) does not pay for pandas.
"""

from importlib import import_module
from typing import Any

# The package version (pyproject.toml reads it from here), also written into each bundle.
__version__ = "0.1.0"

_WHERE = {
    "Finishing": "timeline.assemble",
    "SourceOutcome": "timeline.assemble",
    "assemble": "timeline.assemble",
    "Summary": "timeline.summary",
    "Bundle": "timeline.bundle",
    "read_bundle": "timeline.bundle",
    "write_bundle": "timeline.bundle",
    "FilePull": "timeline.pull.files",
    "example_specs": "timeline.pull.files",
    "pull_files": "timeline.pull.files",
    "pull_live": "timeline.pull.live",
    "GAPS": "ingest.vocab",
    "MILESTONES": "ingest.vocab",
    "compute_gaps": "timeline.milestones",
    "find_milestones": "timeline.milestones",
    "Finding": "timeline.review.check",
    "format_findings": "timeline.review.check",
    "review_draft": "timeline.review.check",
}

__all__ = sorted(_WHERE)


def __getattr__(name: str) -> Any:
    if name not in _WHERE:
        raise AttributeError(f"module 'timeline' has no attribute {name!r}")
    return getattr(import_module(_WHERE[name]), name)
