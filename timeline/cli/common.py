"""What every command shares: exit codes, one-line errors, and the --config/--template options.

Part of the command-line layer (it imports click); both ``cli.py`` and ``cli_export.py`` use it.
"""

from __future__ import annotations

import functools
import gc
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

EXIT_ERROR = 1
EXIT_USAGE = 2
EXIT_PARTIAL = 3

F = TypeVar("F", bound=Callable[..., Any])


class OneLineErrorGroup(click.Group):
    """Click's own usage errors (a bad option value, an unknown option) as one line too.

    Click prints the usage and a hint before ``Error: ...``; here the error line stands alone
    (it names the option and says what to write), with click's exit code 2.
    """

    def main(self, *args: Any, standalone_mode: bool = True, **kwargs: Any) -> Any:
        if not standalone_mode:
            return super().main(*args, standalone_mode=False, **kwargs)
        try:
            result = super().main(*args, standalone_mode=False, **kwargs)
        except click.ClickException as e:
            click.echo(f"Error: {e.format_message()}", err=True)
            sys.exit(e.exit_code)
        except click.Abort:
            click.echo("Aborted!", err=True)
            sys.exit(EXIT_ERROR)
        sys.exit(result if isinstance(result, int) else 0)


def one_line_errors(func: F) -> F:
    """Expected failures become one line on stderr and an exit code, never a traceback."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        from ingest.errors import PostmortemError, UsageError

        try:
            return func(*args, **kwargs)
        except UsageError as e:
            click.echo(f"Error: {e}", err=True)
            sys.exit(EXIT_USAGE)
        except PostmortemError as e:
            click.echo(f"Error: {e}", err=True)
            sys.exit(EXIT_ERROR)

    return wrapper  # type: ignore[return-value]


def started() -> None:
    """Start-up is over: a command calls this once it has imported what it uses. If the console
    script held the garbage collector through start-up, it collects from here on, over what
    the command allocates; what start-up made is set aside for good (it lives until the exit).
    """
    if not gc.isenabled():
        gc.freeze()
        gc.enable()


def config_option(purpose: str = "") -> Callable[[F], F]:
    """``--config PATH``; ``purpose`` says what the command reads from it."""
    what = f", {purpose}" if purpose else ""
    return click.option(
        "--config",
        "config_path",
        type=click.Path(path_type=Path),
        help=f"TOML config{what} (default ./postmortem.toml if present).",
    )


template_option = click.option(
    "--template",
    "template_dir",
    type=click.Path(path_type=Path, file_okay=False),
    help="Folder of Jinja2 templates overriding the packaged ones.",
)
