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
from ingest.schema import COLUMNS, KINDS, SOURCES, concat, empty_frame, frame_from_columns, validate
from ingest.types import ReadContext, Window

__all__ = [
    "COLUMNS",
    "KINDS",
    "SOURCES",
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
