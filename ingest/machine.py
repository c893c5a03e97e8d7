"""What this machine lets the tool use at once."""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

T = TypeVar("T")
R = TypeVar("R")

# Below this many rows a column is searched before a thread would start.
PARALLEL_FROM_ROWS = 50_000


def usable_cores() -> int:
    """The cores this process may run on (its affinity, which a container may narrow)."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0)) or 1
    return os.cpu_count() or 1


def side_by_side(work: Callable[[T], R], items: Sequence[T], *, rows: int) -> list[R]:
    """``[work(item) for item in items]``, in one thread per usable core when each item is a
    search of ``rows`` rows or more: for work that lets go of the interpreter while it runs
    (Arrow's kernels do), so that the searches of a long column share the cores."""
    workers = min(len(items), usable_cores()) if rows >= PARALLEL_FROM_ROWS else 1
    if workers <= 1:
        return [work(item) for item in items]
    with ThreadPoolExecutor(workers) as pool:
        return list(pool.map(work, items))
