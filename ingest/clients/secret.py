"""Tokens in a :class:`Secret`, whose ``repr`` and ``str`` are masked; unwrapped only by the
client builders of this package, to hand to the client."""

from __future__ import annotations

import os
from typing import Any

from ingest.errors import ConfigError

MASK = "********"


class Secret:
    """A token. Its ``repr`` and ``str`` are masked so it cannot leak into logs or errors."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    @classmethod
    def from_env(cls, name: str, environ: Any = None) -> Secret:
        """The token in environment variable ``name``; ConfigError saying what to set if unset."""
        value = (os.environ if environ is None else environ).get(name, "").strip()
        if not value:
            raise ConfigError(
                f"environment variable {name} is not set: export it with the API token"
            )
        return cls(value)

    def reveal(self) -> str:
        """The token itself, for a client constructor only."""
        return self._value

    def __repr__(self) -> str:
        return f"Secret('{MASK}')"

    def __str__(self) -> str:
        return MASK

    def __reduce__(self) -> Any:
        raise TypeError("a Secret cannot be pickled")


def reveal(token: Secret) -> str:
    """The token of ``token``; TypeError for anything but a Secret (a bare string could leak)."""
    if not isinstance(token, Secret):
        raise TypeError("pass the token as ingest.clients.Secret")
    return token.reveal()
