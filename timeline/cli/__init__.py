"""The `postmortem` command line: parse options, load config, call one function, print."""

from __future__ import annotations

import gc
import os
import sys

from timeline.cli.main import main

__all__ = ["main", "run"]


def run() -> None:
    """The console script: the command, then an exit that skips tearing the interpreter down.

    By then every file is written, flushed and closed, and every worker and thread joined;
    freeing pandas and the event frame object by object would only add about a third of a
    second to each run. Tests call :func:`main` instead, which exits as usual.

    The garbage collector waits until the command has imported what it uses
    (:func:`timeline.cli.common.started`): start-up allocates several hundred thousand objects
    (pandas, pyarrow, these modules) that live until the exit, and walking them some two
    hundred times for cycles that are not there took a tenth of a short pull.
    """
    gc.disable()
    try:
        main()
        code = 0
    except SystemExit as e:
        code = _status(e.code)
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except OSError:  # a reader that went away (`postmortem ... | head`)
        code = code or 1
    os._exit(code)


def _status(code: object) -> int:
    """The exit status ``sys.exit(code)`` would give, printing a message as it would."""
    if code is None:
        return 0
    if isinstance(code, int):
        return code
    print(code, file=sys.stderr)
    return 1
