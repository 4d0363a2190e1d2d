"""Simple forecasting methods every series is measured against: cheap, transparent, hard to beat.

Each method maps a history (oldest first) to point forecasts for the next `horizon` months. They are
the floor a fancier model has to clear in the backtest. This module must never import Prophet.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True)
class Method:
    """A named forecasting rule and the shortest history it can work from."""

    name: str
    min_history: int
    predict: Callable[[FloatArray, int, int], FloatArray]  # (history, start month, horizon)
    description: str
    costly: bool = False  # a model fit per call: run in parallel, report progress


def _recent_mean(window: int) -> Callable[[FloatArray, int, int], FloatArray]:
    def predict(history: FloatArray, start: int, horizon: int) -> FloatArray:
        return np.full(horizon, float(np.mean(history[-window:])))

    return predict


def _seasonal_naive(history: FloatArray, start: int, horizon: int) -> FloatArray:
    # Month t+h repeats month t+h-12 (taken from the last full year of history).
    last_year = history[-12:]
    return np.array([last_year[h % 12] for h in range(horizon)], dtype=np.float64)


def _seasonal_blend(history: FloatArray, start: int, horizon: int) -> FloatArray:
    # Half last year's same month, half the recent level: seasonal shape without its full noise.
    level = float(np.mean(history[-3:]))
    return 0.5 * _seasonal_naive(history, start, horizon) + 0.5 * level


SEASONAL_NAIVE = Method("seasonal_naive", 13, _seasonal_naive, "the same month last year")
MEAN_3 = Method("mean_3", 3, _recent_mean(3), "the mean of the last 3 months")
MEAN_6 = Method("mean_6", 6, _recent_mean(6), "the mean of the last 6 months")
MEAN_12 = Method("mean_12", 12, _recent_mean(12), "the mean of the last 12 months")
SEASONAL_BLEND = Method(
    "seasonal_blend", 13, _seasonal_blend, "half the same month last year, half the 3-month mean"
)

BASELINES: tuple[Method, ...] = (SEASONAL_NAIVE, MEAN_3, MEAN_6, MEAN_12, SEASONAL_BLEND)
