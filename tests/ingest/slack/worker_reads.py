"""Readers of day files for tests/ingest/slack/test_workers.py, in a module of their own: the
pull's worker processes import them, and a worker refuses to load pandas, which test modules do.
"""

from __future__ import annotations

import multiprocessing
import os


def ended_in_workers(relpath: str) -> bytes:
    """A day file of one message, except in a worker process, which is ended on the spot as
    the system's out-of-memory killer would end it."""
    if multiprocessing.parent_process() is not None:
        os._exit(9)
    return b'[{"type": "message", "user": "U1", "text": "hi", "ts": "1700000000.000100"}]'


def stamp_micros(relpath: str) -> int:
    """The ts of the one message in the day file of :func:`stamped_by_name`, in microseconds."""
    return (1_700_000_000 + int(relpath.rpartition("-")[2])) * 1_000_000


def stamped_by_name(relpath: str) -> bytes:
    """A day file of one message whose ts comes from the file's name, and whose author says
    which process read it."""
    reader = "worker" if multiprocessing.parent_process() is not None else "here"
    seconds = stamp_micros(relpath) // 1_000_000
    return (
        f'[{{"type": "message", "username": "{reader}", "text": "x", "ts": "{seconds}.000000"}}]'
    ).encode()
