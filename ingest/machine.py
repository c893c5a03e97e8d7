"""What this machine lets the tool use at once."""

from __future__ import annotations

import os


def usable_cores() -> int:
    """The cores this process may run on (its affinity, which a container may narrow)."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0)) or 1
    return os.cpu_count() or 1
