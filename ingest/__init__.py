"""Reading incident artifacts (files and live APIs) into frames of UTC events."""

from ingest.errors import (
    BundleError,
    ConfigError,
    InputError,
    MarkError,
    PostmortemError,
    SchemaError,
    SourceError,
    TimeError,
    UsageError,
)
from ingest.schema import COLUMNS, SOURCES, concat, empty_frame, frame_from_columns, validate
from ingest.types import ReadContext, Window
from ingest.vocab import GAPS, KINDS, MILESTONES, TAGS

__all__ = [
    "COLUMNS",
    "GAPS",
    "KINDS",
    "MILESTONES",
    "SOURCES",
    "TAGS",
    "BundleError",
    "ConfigError",
    "InputError",
    "MarkError",
    "PostmortemError",
    "ReadContext",
    "SchemaError",
    "SourceError",
    "TimeError",
    "UsageError",
    "Window",
    "concat",
    "empty_frame",
    "frame_from_columns",
    "validate",
]
