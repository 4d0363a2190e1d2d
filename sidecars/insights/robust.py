"""Robust statistics for "usual" amounts: medians and median absolute deviations.

Amounts are compared on a log scale (a 10.00 coffee shop and a 1,000.00 landlord vary in
proportion, not in absolute terms), and a spread never falls below a floor, so that a merchant
that always charges the same price does not make a cent's difference look extraordinary.
Pure functions over floats; money itself never passes through here.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

# MAD to standard deviation for normally distributed data.
MAD_TO_SIGMA = 1.4826
# The smallest log-scale spread used: about +-10%, the wobble of a grocery bill.
MIN_LOG_SPREAD = math.log(1.10)


def median(values: Sequence[float]) -> float:
    """The median of a non-empty sequence."""
    ordered = sorted(values)
    mid = len(ordered) // 2
    return ordered[mid] if len(ordered) % 2 else (ordered[mid - 1] + ordered[mid]) / 2


@dataclass(frozen=True, slots=True)
class Usual:
    """What is usual for a set of (positive) amounts."""

    median: float
    log_median: float
    log_spread: float  # robust sigma of log amounts, at least MIN_LOG_SPREAD

    def ratio(self, magnitude: float) -> float:
        """How many times the usual amount `magnitude` is."""
        return magnitude / self.median if self.median > 0 else math.inf

    def z(self, magnitude: float) -> float:
        """Robust z-score of `magnitude` on the log scale (positive: larger than usual)."""
        return (math.log(max(magnitude, 1e-9)) - self.log_median) / self.log_spread


def usual(magnitudes: Sequence[float]) -> Usual:
    """The usual amount and spread of non-empty, positive `magnitudes`."""
    logs = [math.log(max(m, 1e-9)) for m in magnitudes]
    centre = median(logs)
    mad = median([abs(v - centre) for v in logs])
    return Usual(median(magnitudes), centre, max(MAD_TO_SIGMA * mad, MIN_LOG_SPREAD))
