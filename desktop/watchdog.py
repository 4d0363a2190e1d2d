"""An event-loop watchdog: a short repeating timer whose lateness is recorded, so tests and the
benchmark can show how long the GUI thread was ever kept from its event loop.

A stall of the main thread delays the next timeout by the stall's length. Recording only; it must
never act on what it sees.
"""

from __future__ import annotations

import time

from PySide6.QtCore import QObject, Qt, QTimer

INTERVAL_MS = 5


class LagRecorder(QObject):
    """Records each gap between timer ticks beyond the interval; `worst_ms` is the longest stall."""

    def __init__(self, interval_ms: int = INTERVAL_MS, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.interval_ms = interval_ms
        self.lags_ms: list[float] = []
        self._last = 0.0
        self._timer = QTimer(self)
        self._timer.setTimerType(Qt.TimerType.PreciseTimer)
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self._tick)

    def start(self) -> None:
        """Begin recording (clears what was recorded)."""
        self.lags_ms.clear()
        self._last = time.perf_counter()
        self._timer.start()

    def stop(self) -> None:
        """Stop recording."""
        self._timer.stop()

    def _tick(self) -> None:
        now = time.perf_counter()
        self.lags_ms.append(max(0.0, (now - self._last) * 1000 - self.interval_ms))
        self._last = now

    @property
    def worst_ms(self) -> float:
        """The longest stall seen (0 when nothing was recorded)."""
        return max(self.lags_ms, default=0.0)

    def percentile_ms(self, q: float) -> float:
        """The q-th percentile (0-100) of the recorded lags."""
        if not self.lags_ms:
            return 0.0
        ordered = sorted(self.lags_ms)
        return ordered[min(len(ordered) - 1, int(q / 100 * len(ordered)))]
