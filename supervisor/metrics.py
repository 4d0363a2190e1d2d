"""Request metrics kept by the hub: latency ring buffers (p50/p99) and counters per service.

Updated only under the hub's lock (its I/O thread, or a caller dispatching), so a record is a plain
list or dict write with no lock of its own, on every request; readers copy. This module must never
time anything itself: callers pass durations in.
"""

from __future__ import annotations

import math
from collections import Counter


class LatencyWindow:
    """The last ``size`` latencies in a ring buffer, with nearest-rank percentiles."""

    def __init__(self, size: int = 1024) -> None:
        if size < 1:
            raise ValueError("a latency window holds at least one value")
        self._values: list[float] = []
        self._size = size
        self._next = 0

    def add(self, seconds: float) -> None:
        """Record one latency (one writer at a time: the hub's lock)."""
        if len(self._values) < self._size:
            self._values.append(seconds)
        else:
            self._values[self._next] = seconds
        self._next = (self._next + 1) % self._size

    def __len__(self) -> int:
        return len(self._values)

    def percentile_ms(self, p: float) -> float | None:
        """The ``p``-th percentile (0-100) in milliseconds, or None before any value."""
        values = sorted(self._values.copy())  # one atomic copy under the GIL, then sort
        if not values:
            return None
        rank = max(1, math.ceil(p / 100 * len(values)))
        return round(values[rank - 1] * 1000, 3)


class ServiceMetrics:
    """Counters of one service: requests, outcomes, retries, restarts; and its latency window."""

    def __init__(self) -> None:
        self.counts: Counter[str] = Counter()
        self.latency = LatencyWindow()

    def count(self, what: str, n: int = 1) -> None:
        """Add ``n`` to counter ``what`` (requests, ok, deadline, unavailable, retried...)."""
        counts = self.counts
        counts[what] = counts.get(what, 0) + n  # one writer at a time: the hub's lock

    def snapshot(self) -> dict[str, float | int | None]:
        """A copy of the counters plus p50/p99 in milliseconds."""
        out: dict[str, float | int | None] = dict(self.counts.copy())
        out["p50_ms"] = self.latency.percentile_ms(50)
        out["p99_ms"] = self.latency.percentile_ms(99)
        return out
