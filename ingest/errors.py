"""One root exception, subclassed per area. The message of each is what the user reads.

Messages say what to fix: the file (and line), the value, the valid choices, the setting or the
environment variable. Tokens never appear in them.
"""

from __future__ import annotations


class PostmortemError(Exception):
    """Something the user can fix; shown as one line on stderr."""


class InputError(PostmortemError):
    """An artifact file could not be read: missing, malformed, of unknown format."""

    def __init__(self, message: str, *, path: object = None, line: int | None = None) -> None:
        where = ""
        if path is not None:
            where = f"{path}:{line}: " if line is not None else f"{path}: "
        super().__init__(f"{where}{message}")
        self.path = path
        self.line = line


class TimeError(InputError):
    """A time could not be read as one instant: naive with no zone, unknown zone, unparseable."""


class ConfigError(PostmortemError):
    """The configuration file has a missing, unknown or wrong key."""


class UsageError(PostmortemError):
    """The command line asks for something that cannot be done (bad --mark, bad window)."""


class MarkError(PostmortemError):
    """An author mark names an unknown milestone."""


class SchemaError(PostmortemError):
    """A frame does not have the event schema's columns and dtypes (a bug in a connector)."""


class SourceError(PostmortemError):
    """A live source failed: bad token, missing scope, not found, rate limited, unreachable."""

    def __init__(
        self, message: str, *, source: str, url: str = "", status: int | None = None
    ) -> None:
        super().__init__(f"{source}: {message}")
        self.source = source
        self.url = url
        self.status = status


class BundleError(PostmortemError):
    """A bundle could not be written or read."""
