"""How hard the clients retry, and the record of every retry they made.

A :class:`RetryPolicy` says how many retries a request gets after its first try, the first
backoff (doubling) when the server names no wait, the longest wait a server may ask for, and
how to sleep; tests give a short policy, or a ``sleep`` that only records, instead of waiting
for real. Every retry is recorded in a :class:`RetryLog`, so a progress display counts retries
(never the first try) and the time spent waiting.
"""

from __future__ import annotations

import contextlib
import email.utils
import threading
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

import msgspec

SERVER_ERRORS = frozenset({500, 502, 503, 504})
NETWORK = 0  # the status recorded for a retry after a network error (no HTTP answer)


class RetryPolicy(msgspec.Struct, frozen=True):
    """``retries`` after the first try (so ``retries + 1`` attempts at most); ``backoff`` is
    the first wait when the server gives none (doubling); ``max_wait`` is the longest single
    wait a server may ask for before we give up; ``sleep`` is how a wait is spent."""

    retries: int = 4
    backoff: float = 0.5
    max_wait: float = 120.0
    sleep: Callable[[float], None] = time.sleep

    # ``sleep`` is how, not how much: two policies that differ only in it are equal.
    def __eq__(self, other: object) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        return self._compared() == other._compared()  # type: ignore[attr-defined]

    def __hash__(self) -> int:
        return hash(self._compared())

    def _compared(self) -> tuple[int, float, float]:
        return (self.retries, self.backoff, self.max_wait)

    @property
    def attempts(self) -> int:
        return self.retries + 1

    def backoff_for(self, retry: int) -> float:
        """The wait before retry number ``retry`` (0 for the first) when the server gives none."""
        return self.backoff * 2**retry


DEFAULT_POLICY = RetryPolicy()


class RetryLog(msgspec.Struct):
    """Retries made, as ``(source, status, seconds waited before it)``, shared by the clients
    of one run; ``status`` is 0 after a network error."""

    waits: list[tuple[str, int, float]] = msgspec.field(default_factory=list)
    _lock: threading.Lock = msgspec.field(default_factory=threading.Lock)
    _local: threading.local = msgspec.field(default_factory=threading.local)

    def __repr__(self) -> str:  # the lock and the thread-local state are not shown
        return f"{type(self).__qualname__}(waits={self.waits!r})"

    def record(self, source: str, status: int, seconds: float) -> None:
        with self._lock:
            self.waits.append((source, status, float(seconds)))
        also = getattr(self._local, "also", None)
        if also is not None:
            also.record(source, status, seconds)

    @contextlib.contextmanager
    def also_to(self, other: RetryLog) -> Iterator[None]:
        """While the block runs, retries made in this thread are also recorded in ``other``:
        how one incident of a run whose clients are shared counts its own retries."""
        before = getattr(self._local, "also", None)
        self._local.also = other
        try:
            yield
        finally:
            self._local.also = before

    @property
    def total(self) -> float:
        """Seconds waited in all."""
        return sum(seconds for _, _, seconds in self.waits)

    def of(self, source: str) -> list[float]:
        """The waits one source spent, in order: one per retry."""
        return [seconds for name, _, seconds in self.waits if name == source]


def attempts_said(attempts: int) -> str:
    """``1 attempt`` / ``3 attempts (2 retries)``: the first try is not a retry."""
    if attempts <= 1:
        return "1 attempt"
    retries = attempts - 1
    return f"{attempts} attempts ({retries} {'retry' if retries == 1 else 'retries'})"


def retry_after(headers: Any) -> float | None:
    """Seconds the server asks a client to wait before trying again, from response headers.

    ``Retry-After`` (delay seconds or an HTTP date), else PagerDuty's ``ratelimit-reset``
    (seconds); never negative; None when neither is there or readable. ``headers`` is any
    mapping, in any casing, whose values are strings or lists of strings (as slack_sdk gives).
    """
    lowered = {str(key).lower(): value for key, value in headers.items()}
    for name in ("retry-after", "ratelimit-reset"):
        value = lowered.get(name)
        if isinstance(value, (list, tuple)):
            value = value[0] if value else None
        text = str(value or "").strip()
        if not text:
            continue
        try:
            return max(float(text), 0.0)
        except ValueError:
            pass
        try:
            when = email.utils.parsedate_to_datetime(text)
        except (TypeError, ValueError):
            continue
        if when.tzinfo is None:  # RFC 9110 dates are GMT
            when = when.replace(tzinfo=UTC)
        return max((when - datetime.now(UTC)).total_seconds(), 0.0)
    return None
