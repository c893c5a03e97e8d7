"""Slack day files reduced to Arrow record batches, in worker processes when there are many.

Parsing JSON and walking every message is plain Python and holds the interpreter's lock, so a
year of a busy channel reads faster in several processes: this one and one worker per other
core. Results come back in file order, and only a few dozen files are read ahead, so memory
stays bounded however long the channel is.
"""

from __future__ import annotations

import gc
import importlib.abc
import signal
import sys
from collections import deque
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import Future
from contextlib import contextmanager
from typing import Any

import pyarrow as pa

from ingest.errors import InputError
from ingest.machine import usable_cores
from ingest.slack.arrays import day_batch

# Below this many bytes of day files the worker processes cost more than they save.
PARALLEL_BYTES = 48_000_000

# Said of the first day file left unread when a worker was ended from outside (by the system's
# out-of-memory killer, say), which leaves the pool unusable.
WORKER_STOPPED = (
    "a worker process stopped before this day file was read (the system may have ended it "
    "for want of memory); run the pull again, with more memory if it happens again"
)

# A day file as one record batch, or as column lists when a value is wrong; and its edits.
Reduced = tuple[pa.RecordBatch | dict[str, list[str]], dict[str, str]]


def worker_count(total_bytes: int) -> int:
    """How many worker processes to read this many bytes with: one per usable core, none
    (read in this process) for a small read or a single core."""
    return usable_cores() if total_bytes >= PARALLEL_BYTES else 1


def reduced_days(
    read: Callable[[str], bytes],
    relpaths: Sequence[str],
    *,
    workers: int,
    channel_id: str,
    users: Mapping[str, str],
    workspace_url: str,
    bounds: tuple[int, int] | None = None,
) -> Iterator[tuple[str, Future[Reduced]]]:
    """``(day file, future)`` in the order of ``relpaths``: the future's ``result()`` is the
    file's :data:`Reduced`, or raises its InputError: from ``read`` (which names the file), or
    from its content (without the file's name, which the caller adds).

    Workers read the files themselves with ``read``, which must pickle (it is sent to each
    worker once), so that a file's bytes are never copied from process to process."""
    options = {
        "channel_id": channel_id,
        "users": users,
        "workspace_url": workspace_url,
        "bounds": bounds,
    }
    if workers <= 1:
        for relpath in relpaths:
            yield relpath, _reduced_here(read, relpath, options)
        return
    import multiprocessing  # only a long read pays for the pool's modules
    from concurrent.futures import ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool

    # This process reads too: it would otherwise only wait. So the pool has one worker fewer
    # than there are cores (one process less to start, and no core shared by two readers),
    # and whenever the next file in order is not back from a worker, this process reduces the
    # next file nobody has taken yet instead of waiting.
    helpers = workers - 1
    # Spawned, not forked: a fork of a process whose libraries run threads is not safe, and
    # spawned workers are this process's own children, so their CPU time is counted as its.
    context = multiprocessing.get_context("spawn")
    pool = ProcessPoolExecutor(
        helpers, mp_context=context, initializer=_start_worker, initargs=(read, options)
    )
    untaken = deque(relpaths)
    # In file order, each file once, and whether a worker has it; at most `ahead` files are
    # held reduced but not yet handed on, which bounds memory however long the channel is.
    pending: deque[tuple[str, Future[Reduced], bool]] = deque()
    ahead = 16 * workers
    try:
        while untaken or pending:
            busy = sum(pooled and not reduced.done() for _, reduced, pooled in pending)
            while untaken and busy < 8 * helpers and len(pending) < ahead:
                relpath = untaken.popleft()
                with _interrupts_held():  # a worker started here starts with Ctrl-C held too
                    try:
                        reduced = pool.submit(_reduce_day, relpath)
                    except BrokenProcessPool:  # a worker was ended: said at its first file
                        reduced = _worker_stopped()
                pending.append((relpath, reduced, True))
                busy += 1
            if untaken and len(pending) < ahead and not pending[0][1].done():
                relpath = untaken.popleft()
                pending.append((relpath, _reduced_here(read, relpath, options), False))
                continue
            relpath, reduced, pooled = pending.popleft()
            if pooled and isinstance(reduced.exception(), BrokenProcessPool):
                reduced = _worker_stopped()
            yield relpath, reduced
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
        # Its queues are let go of now, not at the interpreter's teardown, which the
        # console script skips: else a pool a worker broke is reported as leaked.
        del pool


def _worker_stopped() -> Future[Reduced]:
    stopped: Future[Reduced] = Future()
    stopped.set_exception(InputError(WORKER_STOPPED))
    return stopped


def _reduced_here(read: Callable[[str], bytes], relpath: str, options: Any) -> Future[Reduced]:
    """A day file reduced in this process, handed over as the worker pool would hand it."""
    done: Future[Reduced] = Future()
    with _collector_paused():
        try:
            done.set_result(day_batch(read(relpath), **options))
        except Exception as e:
            done.set_exception(e)
    return done


def _start_worker(read: Callable[[str], bytes], options: dict[str, Any]) -> None:
    """A worker leaves Ctrl-C to the pull: interrupted mid-answer, it would leave the pool's
    result queue locked and the pull waiting on it forever. It was started with Ctrl-C held
    (:func:`_interrupts_held`), so one pressed while it started up is dropped here. Parsed
    JSON has no cycles for the garbage collector to find."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if hasattr(signal, "pthread_sigmask"):
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})
    gc.disable()
    # Arrow imports pandas, if it can, the first time it builds an array, only to recognise
    # pandas objects, which a worker never has: that would cost each worker 0.4 s and 60 MB.
    if "pandas" not in sys.modules:
        sys.meta_path.insert(0, _NoPandas())
    _WORKER_TASK[:] = [read, options]


class _NoPandas(importlib.abc.MetaPathFinder):
    """Makes ``import pandas`` fail in a worker, as it would where pandas is not installed."""

    def find_spec(self, name: str, path: object, target: object = None) -> None:
        if name.partition(".")[0] == "pandas":
            raise ModuleNotFoundError("a worker reading day files does not load pandas", name=name)
        return None


_WORKER_TASK: list[Any] = []  # in a worker: how to read a day file, and day_batch's options


def _reduce_day(relpath: str) -> Reduced:
    read, options = _WORKER_TASK
    return day_batch(read(relpath), **options)


@contextmanager
def _interrupts_held() -> Iterator[None]:
    """Hold Ctrl-C in this thread while the pool may start a worker: the worker inherits the
    held signal, so it cannot be interrupted while Python starts up, before it can ignore it.
    Ctrl-C still reaches the pull at once through its other threads, or when released."""
    if not hasattr(signal, "pthread_sigmask"):
        yield
        return
    held = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, held)


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while a day file is parsed and reduced to columns.

    Parsed JSON holds no reference cycles, so the collector can free nothing in it; but the
    many dicts it allocates set off collections that each walk every live object (all of
    pandas), which doubled the reading time. The records are freed before it resumes.
    """

    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
