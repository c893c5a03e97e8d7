"""A worker's record batch handed to the pull through a file in memory, not the pool's pipe.

Through the pipe, the pool's reader thread in the pull takes a batch in pipe-sized pieces, and
needs the interpreter's lock for each, which the pull's main thread holds while it reduces day
files of its own; the worker waited on its full pipe for about a third of the read. A file is
written and read back whole, each in one call that lets go of the lock.

The files live in a private folder (mode 0700) under ``/dev/shm``, which is memory: chat text is
not written to disk before redaction. Each file is removed as soon as it is read, and the folder
when the read ends. Where there is no such folder, or it has little room, batches go through the
pipe as before; so does a batch the folder has no room left for.
"""

from __future__ import annotations

import itertools
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from typing import Any, NamedTuple

import pyarrow as pa
import pyarrow.ipc

from ingest.errors import InputError
from ingest.slack.arrays import Batches

# Memory the system lends as files (tmpfs), and how much of it must be free to be used.
MEMORY_FOLDER = "/dev/shm"
MIN_FREE_BYTES = 1 << 30

LOST = (
    "a worker's reading of this day file was lost before this process took it (its file "
    "under {folder} could not be read: {error}); run the pull again"
)


@contextmanager
def handover_folder() -> Iterator[str | None]:
    """A new private folder for handed-over batches, removed on leaving with what is left in
    it; None when :data:`MEMORY_FOLDER` is missing, not writable, or has less than
    :data:`MIN_FREE_BYTES` free."""
    folder = None
    with suppress(OSError, AttributeError):  # no such folder; no statvfs (Windows)
        space = os.statvfs(MEMORY_FOLDER)
        if space.f_bavail * space.f_frsize >= MIN_FREE_BYTES:
            folder = tempfile.mkdtemp(prefix="postmortem-", dir=MEMORY_FOLDER)
    try:
        yield folder
    finally:
        if folder is not None:
            shutil.rmtree(folder, ignore_errors=True)


class Spilled(NamedTuple):
    """:class:`Batches` whose record batch waits in a file of the handover folder."""

    path: str
    outcomes: list[Any]

    def loaded(self) -> Batches:
        """The batches back, the file read whole and removed; InputError if it cannot be."""
        try:
            with pa.OSFile(self.path) as source:
                data = source.read_buffer()
            batch = pa.ipc.open_stream(data).read_next_batch()
        except (OSError, pa.ArrowException) as e:
            folder = os.path.dirname(self.path)
            raise InputError(LOST.format(folder=folder, error=e)) from None
        finally:
            with suppress(OSError):
                os.remove(self.path)
        return Batches(batch, self.outcomes)


_SERIAL = itertools.count()


def handed_over(batches: Batches, folder: str | None) -> Batches | Spilled:
    """``batches`` with its record batch written to a file of ``folder``; as it is when there
    is no folder, no batch, or no room for it."""
    if folder is None or batches.batch is None:
        return batches
    path = os.path.join(folder, f"{os.getpid()}-{next(_SERIAL)}.arrows")
    try:
        with pa.OSFile(path, "wb") as sink, pa.ipc.new_stream(sink, batches.batch.schema) as out:
            out.write_batch(batches.batch)
    except (OSError, pa.ArrowException):  # full: the pipe instead
        with suppress(OSError):
            os.remove(path)
        return batches
    return Spilled(path, batches.outcomes)
