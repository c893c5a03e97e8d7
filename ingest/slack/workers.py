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
from typing import Any, TypeVar

from ingest.errors import InputError
from ingest.machine import usable_cores
from ingest.slack.arrays import Batches, Reduced, day_batches
from ingest.slack.handover import Spilled, handed_over, handover_folder

R = TypeVar("R")

# Below this many bytes of day files the worker processes cost more than they save.
PARALLEL_BYTES = 48_000_000

# Said of the first day file left unread when a worker was ended from outside (by the system's
# out-of-memory killer, say), which leaves the pool unusable.
WORKER_STOPPED = (
    "a worker process stopped before this day file was read (the system may have ended it "
    "for want of memory); run the pull again, with more memory if it happens again"
)


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

    Files are reduced in runs of up to :data:`RUN_FILES` consecutive files. Workers read the
    files themselves with ``read``, which must pickle (it is sent to each worker once), so
    that a file's bytes are never copied from process to process."""
    options = {
        "channel_id": channel_id,
        "users": users,
        "workspace_url": workspace_url,
        "bounds": bounds,
    }
    runs = deque(list(relpaths[i : i + RUN_FILES]) for i in range(0, len(relpaths), RUN_FILES))
    if workers <= 1:
        for run in runs:
            yield from _each_file(run, _reduced_here(read, run, options))
        return
    with handover_folder() as folder:
        yield from _pooled(read, runs, options, workers, folder)


def _pooled(
    read: Callable[[str], bytes],
    runs: deque[list[str]],
    options: dict[str, Any],
    workers: int,
    folder: str | None,
) -> Iterator[tuple[str, Future[Reduced]]]:
    import multiprocessing  # only a long read pays for the pool's modules
    from concurrent.futures import ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool

    # This process reads too: it would otherwise only wait. So the pool has one worker fewer
    # than there are cores (one process less to start, and no core shared by two readers),
    # and whenever the next run in order is not back from a worker, this process reduces the
    # next run no worker has taken instead of waiting.
    helpers = workers - 1
    # Spawned, not forked: a fork of a process whose libraries run threads is not safe, and
    # spawned workers are this process's own children, so their CPU time is counted as its.
    context = multiprocessing.get_context("spawn")
    pool = ProcessPoolExecutor(
        helpers, mp_context=context, initializer=_start_worker, initargs=(read, options, folder)
    )
    # Runs in file order, and whether a worker has each; at most `ahead` runs are held
    # reduced but not yet handed on, which bounds memory however long the channel is.
    pending: deque[tuple[list[str], Future[Batches | Spilled], bool]] = deque()
    ahead = 4 * workers
    try:
        while runs or pending:
            busy = sum(pooled and not reduced.done() for _, reduced, pooled in pending)
            while runs and busy < 2 * helpers and len(pending) < ahead:
                run = runs.popleft()
                with _interrupts_held():  # a worker started here starts with Ctrl-C held too
                    try:
                        reduced = pool.submit(_reduce_run, run)
                    except BrokenProcessPool as e:  # a worker was ended: said below
                        reduced = _failed(e)
                pending.append((run, reduced, True))
                busy += 1
            if runs and len(pending) < ahead and not pending[0][1].done():
                run = runs.popleft()
                pending.append((run, _reduced_here(read, run, options), False))
                continue
            run, reduced, pooled = pending.popleft()
            if pooled and isinstance(reduced.exception(), BrokenProcessPool):
                reduced = _failed(InputError(WORKER_STOPPED))
            yield from _each_file(run, _taken(reduced))
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
        # Its queues are let go of now, not at the interpreter's teardown, which the
        # console script skips: else a pool a worker broke is reported as leaked.
        del pool


def _taken(reduced: Future[Batches | Spilled]) -> Future[Batches]:
    """A worker's answer with its record batch in hand (read from the handover folder)."""
    answer = reduced.result() if reduced.exception() is None else None
    if not isinstance(answer, Spilled):
        return reduced  # type: ignore[return-value]
    try:
        return _done(answer.loaded())
    except InputError as e:
        return _failed(e)


# Consecutive day files reduced together, at most: a run shares the fixed cost of Arrow's
# calls and of a worker's answer, and is still short enough to share the work out evenly.
RUN_FILES = 8


def _each_file(run: list[str], reduced: Future[Batches]) -> Iterator[tuple[str, Future[Reduced]]]:
    """A run's files, each with a future of its own; a run that failed whole (a worker that
    stopped) fails at its first file."""
    if reduced.exception() is not None:
        yield run[0], reduced  # type: ignore[misc]
        return
    for relpath, outcome in zip(run, reduced.result().per_file(), strict=True):
        yield relpath, (_failed(outcome) if isinstance(outcome, InputError) else _done(outcome))


def _failed(error: BaseException) -> Future[Any]:
    future: Future[Any] = Future()
    future.set_exception(error)
    return future


def _done(result: R) -> Future[R]:
    future: Future[R] = Future()
    future.set_result(result)
    return future


def _reduced_here(read: Callable[[str], bytes], run: list[str], options: Any) -> Future[Batches]:
    """A run of day files reduced in this process, handed over as the worker pool would."""
    done: Future[Batches] = Future()
    with _collector_paused():
        try:
            done.set_result(_reduced(read, run, options))
        except Exception as e:
            done.set_exception(e)
    return done


def _reduced(read: Callable[[str], bytes], run: list[str], options: Any) -> Batches:
    return day_batches([_read_or_error(read, relpath) for relpath in run], **options)


def _read_or_error(read: Callable[[str], bytes], relpath: str) -> bytes | InputError:
    try:
        return read(relpath)
    except InputError as e:
        return e


def _start_worker(
    read: Callable[[str], bytes], options: dict[str, Any], folder: str | None
) -> None:
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
    _WORKER_TASK[:] = [read, options, folder]


class _NoPandas(importlib.abc.MetaPathFinder):
    """Makes ``import pandas`` fail in a worker, as it would where pandas is not installed."""

    def find_spec(self, name: str, path: object, target: object = None) -> None:
        if name.partition(".")[0] == "pandas":
            raise ModuleNotFoundError("a worker reading day files does not load pandas", name=name)
        return None


# In a worker: how to read a day file, day_batches' options, and the handover folder.
_WORKER_TASK: list[Any] = []


def _reduce_run(run: list[str]) -> Batches | Spilled:
    read, options, folder = _WORKER_TASK
    return handed_over(_reduced(read, run, options), folder)


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
