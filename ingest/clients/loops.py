"""Blocking calls into an asyncio client, from any thread, on a few event loops that are kept
(with the connections opened on them) for the whole run.

Each call takes an idle loop from the pool (or makes one when every loop is busy), runs to the
end on it in the calling thread, and gives the loop back. A loop is kept, not made per thread,
because a pull runs each source in a worker thread of its own and an export pulls incident
after incident: the next call, from whichever thread, finds the loop and the open connections
of the last one. Calls that overlap get a loop each, so a run opens one connection per host per
worker at once, never one per call.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Awaitable, Callable
from typing import Generic, TypeVar

State = TypeVar("State")
Result = TypeVar("Result")


class LoopPool(Generic[State]):
    """Event loops, each with the ``State`` that ``setup`` made on it (a client and its HTTP
    session); ``teardown`` closes a state on its own loop when the pool is closed."""

    def __init__(
        self,
        setup: Callable[[], Awaitable[State]],
        teardown: Callable[[State], Awaitable[None]],
    ) -> None:
        self._setup = setup
        self._teardown = teardown
        self._idle: list[tuple[asyncio.AbstractEventLoop, State]] = []
        self._lock = threading.Lock()
        self._closed = False

    def run(self, work: Callable[[State], Awaitable[Result]]) -> Result:
        """Run ``work(state)`` to the end on an idle loop, blocking the calling thread."""
        loop, state = self._take()
        try:
            return loop.run_until_complete(work(state))
        finally:
            self._give(loop, state)

    def close(self) -> None:
        """Close every idle loop and its state; a loop still in use is closed when given back."""
        with self._lock:
            self._closed = True
            idle, self._idle = self._idle, []
        for loop, state in idle:
            self._end(loop, state)

    def _take(self) -> tuple[asyncio.AbstractEventLoop, State]:
        with self._lock:
            if self._closed:
                raise RuntimeError("this client is closed")
            if self._idle:
                return self._idle.pop()
        loop = asyncio.new_event_loop()
        try:
            return loop, loop.run_until_complete(self._setup())
        except BaseException:
            loop.close()
            raise

    def _give(self, loop: asyncio.AbstractEventLoop, state: State) -> None:
        with self._lock:
            if not self._closed:
                self._idle.append((loop, state))
                return
        self._end(loop, state)

    def _end(self, loop: asyncio.AbstractEventLoop, state: State) -> None:
        try:
            loop.run_until_complete(self._teardown(state))
        finally:
            loop.close()
