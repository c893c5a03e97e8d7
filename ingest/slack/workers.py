"""Slack day files reduced to column lists, in worker processes when there are many.

Parsing JSON and walking every message is plain Python and holds the interpreter's lock, so a
year of a busy channel reads faster in several processes. Results come back in file order, and
only a few files are read ahead, so memory stays bounded however long the channel is.
"""

from __future__ import annotations

import gc
import os
import signal
from collections import deque
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import Future
from contextlib import contextmanager

from ingest.slack.columns import day_columns

# Below this many bytes of day files the worker processes cost more than they save.
PARALLEL_BYTES = 48_000_000

Reduced = tuple[dict[str, list[str]], dict[str, str]]


def worker_count(total_bytes: int) -> int:
    """How many worker processes to read this many bytes with: one per usable core, none
    (read in this process) for a small read or a single core."""
    return usable_cores() if total_bytes >= PARALLEL_BYTES else 1


def usable_cores() -> int:
    """The cores this process may run on (its affinity, which a container may narrow)."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0)) or 1
    return os.cpu_count() or 1


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
    file's columns and edits, or raises its InputError (without the file's name)."""
    options = {
        "channel_id": channel_id,
        "users": users,
        "workspace_url": workspace_url,
        "bounds": bounds,
    }
    if workers <= 1:
        for relpath in relpaths:
            data, done = read(relpath), Future()
            with _collector_paused():
                try:
                    done.set_result(day_columns(data, **options))
                except Exception as e:  # handed over as the worker pool would hand it
                    done.set_exception(e)
            yield relpath, done
        return
    import multiprocessing  # only a long read pays for the pool's modules
    from concurrent.futures import ProcessPoolExecutor

    # Spawned, not forked: a fork of a process whose libraries run threads is not safe, and
    # spawned workers are this process's own children, so their CPU time is counted as its.
    context = multiprocessing.get_context("spawn")
    pool = ProcessPoolExecutor(workers, mp_context=context, initializer=_start_worker)
    pending: deque[tuple[str, Future[Reduced]]] = deque()
    try:
        for relpath in relpaths:
            data = read(relpath)
            with _interrupts_held():  # a worker started here starts with Ctrl-C held too
                pending.append((relpath, pool.submit(day_columns, data, **options)))
            if len(pending) > 2 * workers:
                yield pending.popleft()
        while pending:
            yield pending.popleft()
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def _start_worker() -> None:
    """A worker leaves Ctrl-C to the pull: interrupted mid-answer, it would leave the pool's
    result queue locked and the pull waiting on it forever. It was started with Ctrl-C held
    (:func:`_interrupts_held`), so one pressed while it started up is dropped here. Parsed
    JSON has no cycles for the garbage collector to find."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if hasattr(signal, "pthread_sigmask"):
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})
    gc.disable()


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
