"""How connectors report progress: pages fetched, events found, time waited on rate limits.

Connectors call these; the command line decides how (or whether) to show them.
"""

from __future__ import annotations

import threading

import msgspec


class SourceProgress(msgspec.Struct):
    pages: int = 0
    events: int = 0
    requests: int = 0
    retries: int = 0
    waited: float = 0.0
    done: bool = False
    failed: str = ""
    counts: dict[str, int] = msgspec.field(default_factory=dict)  # e.g. old_threads


class Progress(msgspec.Struct):
    """Thread-safe counters per source; subclass ``changed`` to display them."""

    sources: dict[str, SourceProgress] = msgspec.field(default_factory=dict)
    _lock: threading.Lock = msgspec.field(default_factory=threading.Lock)

    def __repr__(self) -> str:  # the lock is not shown
        return f"{type(self).__qualname__}(sources={self.sources!r})"

    def page(self, source: str, events: int) -> None:
        with self._lock:
            state = self.sources.setdefault(source, SourceProgress())
            state.pages += 1
            state.events += events
        self.changed(source)

    def request(self, source: str) -> None:
        with self._lock:
            self.sources.setdefault(source, SourceProgress()).requests += 1
        self.changed(source)

    def retry(self, source: str, seconds: float) -> None:
        with self._lock:
            state = self.sources.setdefault(source, SourceProgress())
            state.retries += 1
            state.waited += seconds
        self.changed(source)

    def count(self, source: str, name: str, n: int = 1) -> None:
        """Add ``n`` to a named count of ``source`` (``old_threads``: threads started before
        the window with replies inside it)."""
        with self._lock:
            counts = self.sources.setdefault(source, SourceProgress()).counts
            counts[name] = counts.get(name, 0) + n
        self.changed(source)

    def finish(self, source: str, error: str = "") -> None:
        with self._lock:
            state = self.sources.setdefault(source, SourceProgress())
            state.done = True
            state.failed = error
        self.changed(source)

    def changed(self, source: str) -> None:
        """Called after every update; the default shows nothing."""
