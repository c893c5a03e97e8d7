"""The time axis of the visual timeline: the time-to-x scale and ticks at a readable step."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

MINUTE, HOUR, DAY = 60, 3600, 86400
# Readable steps: minutes, then hours, then days.
TICK_STEPS = (
    MINUTE, 2 * MINUTE, 5 * MINUTE, 10 * MINUTE, 15 * MINUTE, 30 * MINUTE,
    HOUR, 2 * HOUR, 3 * HOUR, 6 * HOUR, 12 * HOUR, DAY, 2 * DAY, 7 * DAY,
)  # fmt: skip


class TimeScale:
    """Maps UTC times to x positions between ``left`` and ``right``."""

    def __init__(self, start: pd.Timestamp, end: pd.Timestamp, left: float, right: float) -> None:
        self.start, self.end = start, end
        self.left, self.right = left, right
        self.seconds = (end - start).total_seconds()

    @classmethod
    def fit(cls, times: Sequence[Any], left: float, right: float) -> TimeScale:
        """A scale over the known times with a little room at both ends."""
        known = pd.DatetimeIndex([t for t in times if t is not None and not pd.isna(t)])
        if known.empty:
            epoch = pd.Timestamp(0, tz="UTC")
            return cls(epoch, epoch + pd.Timedelta(hours=1), left, right)
        start, end = known.min(), known.max()
        pad = max((end - start) * 0.03, pd.Timedelta(minutes=1))
        return cls(start - pad, end + pad, left, right)

    def x(self, times: Any) -> np.ndarray:
        offsets = (pd.DatetimeIndex(times) - self.start).total_seconds().to_numpy()
        return self.left + offsets / self.seconds * (self.right - self.left)

    def x_of(self, time: pd.Timestamp) -> float:
        return float(self.x([time])[0])


def tick_step(seconds: float, max_ticks: int) -> int:
    """The smallest readable step that puts at most ``max_ticks`` ticks over ``seconds``."""
    return next((s for s in TICK_STEPS if seconds / s <= max_ticks), TICK_STEPS[-1])


def ticks(scale: TimeScale, font_size: float) -> list[tuple[float, str]]:
    """(x, label) per tick, spaced so that labels of ``font_size`` keep clear of each other.

    Labels carry the date when the span passes midnight.
    """
    if scale.start.date() == scale.end.date() and scale.seconds < DAY:
        fmt = "%H:%M"
    else:
        fmt = "%b %d %H:%M"
    label_width = len(scale.start.strftime(fmt)) * font_size * 0.62 + 2 * font_size
    max_ticks = max(int((scale.right - scale.left) // label_width), 2)
    step = tick_step(scale.seconds, max_ticks)
    if step >= DAY:
        fmt = "%b %d"
    first = int(np.ceil(scale.start.timestamp() / step) * step)
    times = pd.to_datetime(np.arange(first, scale.end.timestamp(), step), unit="s", utc=True)
    return [(float(x), t.strftime(fmt)) for t, x in zip(times, scale.x(times), strict=True)]
