"""Choose each series' method by a rolling-origin backtest, and size its bands from the errors seen.

The default is exponential smoothing of the level with its smoothing weight fitted to the series'
own past, on an outlier-damped (winsorised) copy of the history: one extraordinary month (a bonus,
a yearly bill paid twice) moves a recent mean a lot and a robust level little. Any other method
(seasonal naive, the 3- or 12-month mean, Prophet) replaces it only on evidence: scored on at least
BACKTEST_ORIGINS one-step origins, clearly better (CHALLENGER_MARGIN) and closer in significantly
many of those months (a sign test), because on a handful of backtest months a lead is mostly luck:
measured on real ledgers, picking whichever method led a 6-month backtest forecast worse out of
sample than keeping the robust default. Bands are split-conformal intervals over the chosen
method's backtest errors at each horizon, against the actual (not damped) months, so the 80% band
covers about 80% when the future behaves like the past.
This module must never import Prophet; it receives it as a Method.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import numpy as np

from sidecars.forecaster.baselines import (
    MEAN_3,
    MEAN_12,
    SEASONAL_NAIVE,
    FloatArray,
    Method,
)

BACKTEST_ORIGINS = 12
"""Months at the end of the history that every candidate is scored on, and the evidence another
method needs before it may replace the default."""
CALIBRATION_ORIGINS = 24
"""Months of backtest errors behind the bands of a cheap method."""
MIN_MONTHS = 4
"""Below this the series gets the plain-average fallback, which says it was not backtested."""
CHALLENGER_MARGIN = 0.8
"""A challenger must reach this fraction of the default's error (20% lower) to win."""
EVIDENCE_LEVEL = 0.05
"""Sign-test level: how unlikely a challenger's count of closer months must be under a tie."""
WINSOR_MADS = 3.0
"""Months beyond the median +- this many (scaled) median absolute deviations are clipped to it
before the level is smoothed: the usual robust cut, about 3 standard deviations for normal data."""
_MAD_TO_SD = 1.4826
_ALPHAS = np.linspace(0.05, 1.0, 20)
_Z80, _Z95 = 1.2816, 1.9600
_FIT_WORKERS = 2
_FEW_ERRORS = 6


def damp_outliers(history: FloatArray) -> FloatArray:
    """`history` with months beyond median +- WINSOR_MADS scaled MADs clipped to that limit."""
    median = float(np.median(history))
    mad = float(np.median(np.abs(history - median))) * _MAD_TO_SD
    if mad == 0.0:  # over half the months equal: nothing to measure an outlier by
        return history
    return np.clip(history, median - WINSOR_MADS * mad, median + WINSOR_MADS * mad)


def smoothed_level(history: FloatArray) -> tuple[float, float]:
    """Exponentially smoothed level of the damped history and the weight that fitted it best.

    The weight is the one of _ALPHAS with the least total one-step absolute error over the history
    (absolute, because the forecasts are judged by their absolute error); ties go to the smoother.
    """
    y = damp_outliers(history)
    levels = np.full(len(_ALPHAS), float(y[0]))
    loss = np.zeros(len(_ALPHAS))
    for value in y[1:]:
        loss += np.abs(value - levels)
        levels += _ALPHAS * (value - levels)
    best = int(np.argmin(loss))  # argmin takes the first minimum: the smallest weight
    return float(levels[best]), float(_ALPHAS[best])


def _ses(history: FloatArray, start: int, horizon: int) -> FloatArray:
    return np.full(horizon, smoothed_level(history)[0])


SMOOTHED = Method(
    "smoothed_level",
    3,
    _ses,
    "exponential smoothing of the level (weight fitted, outlier months damped)",
)
NAIVE: tuple[Method, ...] = (SEASONAL_NAIVE, MEAN_3)


@dataclass(frozen=True)
class Point:
    """One forecast month with its 80% and 95% bands."""

    month: int
    yhat: float
    lower: float
    upper: float
    lower95: float
    upper95: float


@dataclass(frozen=True)
class SeriesForecast:
    """A series' forecast, the method that made it, and how that method fared in the backtest."""

    method: str
    points: tuple[Point, ...]
    backtest: dict[str, Any] | None
    note: str | None


def conformal(errors: Sequence[float], level: float) -> float | None:
    """Split-conformal half-width for `level` from absolute errors; None if there are too few."""
    m = len(errors)
    k = math.ceil((m + 1) * level)
    if m == 0 or k > m:
        return None
    return float(sorted(abs(e) for e in errors)[k - 1])


def _half_widths(errors: Sequence[float]) -> tuple[float, float]:
    """80% and 95% half-widths from one horizon's errors."""
    rms = math.sqrt(sum(e * e for e in errors) / len(errors))
    q80 = conformal(errors, 0.8)
    if q80 is None:  # too few errors for the conformal rank: a normal band from their spread
        q80 = _Z80 * rms
    q95 = conformal(errors, 0.95)
    if q95 is None:
        q95 = max(q80 * _Z95 / _Z80, *(abs(e) for e in errors))
    return q80, max(q95, q80)


def _errors(
    method: Method,
    y: FloatArray,
    start: int,
    origins: Sequence[int],
    horizon: int,
    *,
    progress: Callable[[], None] | None = None,
) -> list[list[float]]:
    """errors[h] = actual - forecast, h+1 months after each origin that the history reaches."""

    def predict(origin: int) -> FloatArray:
        return method.predict(y[:origin], start, min(horizon, len(y) - origin))

    by_h: list[list[float]] = [[] for _ in range(horizon)]
    if method.costly:
        # A Prophet fit is mostly a cmdstan child process: two at a time use both cores.
        predictions = []
        with ThreadPoolExecutor(max_workers=_FIT_WORKERS) as pool:
            for predicted in pool.map(predict, origins):
                predictions.append(predicted)
                if progress is not None:
                    progress()  # on the request's own thread, where the runtime can see it
    else:
        predictions = [predict(origin) for origin in origins]
    for origin, predicted in zip(origins, predictions, strict=True):
        for h, value in enumerate(predicted):
            by_h[h].append(float(y[origin + h] - value))
    return by_h


def _bands(by_h: list[list[float]], horizon: int) -> list[tuple[float, float]]:
    """Half-widths per horizon; beyond the horizons the backtest reached, widen by sqrt(h)."""
    widths: list[tuple[float, float]] = []
    last: tuple[int, float, float] | None = None
    for h in range(horizon):
        errs = by_h[h] if h < len(by_h) else []
        if len(errs) >= 3:
            q80, q95 = _half_widths(errs)
            last = (h, q80, q95)
        elif last is not None:
            scale = math.sqrt((h + 1) / (last[0] + 1))
            q80, q95 = last[1] * scale, last[2] * scale
        else:
            q80 = q95 = 0.0
        if widths:  # never narrower further out
            q80, q95 = max(q80, widths[-1][0]), max(q95, widths[-1][1])
        widths.append((q80, q95))
    return widths


def _points(
    yhat: FloatArray, widths: list[tuple[float, float]], first: int, nonnegative: bool
) -> tuple[Point, ...]:
    floor = 0.0 if nonnegative else -math.inf
    points = []
    for h, (q80, q95) in enumerate(widths):
        centre = max(float(yhat[h]), floor) + 0.0  # + 0.0 turns -0.0 into 0.0
        points.append(
            Point(
                month=first + h,
                yhat=centre,
                lower=max(centre - q80, floor),
                upper=centre + q80,
                lower95=max(centre - q95, floor),
                upper95=centre + q95,
            )
        )
    return tuple(points)


def _fallback(y: FloatArray, first: int, horizon: int, nonnegative: bool) -> SeriesForecast:
    """A plain average with deliberately wide bands, for histories too short to test anything."""
    n = len(y)
    mean = float(np.mean(y))
    spread = float(np.std(y, ddof=1)) if n > 1 else 0.0
    # Half the level at least: with one to three months nothing says the next will be similar.
    q80 = max(_Z80 * spread * math.sqrt(1 + 1 / n), 0.5 * abs(mean))
    widths = [(q80, q80 * _Z95 / _Z80)] * horizon
    return SeriesForecast(
        method="short_history_mean",
        points=_points(np.full(horizon, mean), widths, first, nonnegative),
        backtest=None,
        note=(
            f"only {n} month(s) of history: the forecast is their plain average with wide bands,"
            f" not backtested (needs {MIN_MONTHS})"
        ),
    )


def sign_test(closer: int, further: int) -> float:
    """One-sided sign-test p-value: the chance of `closer` or more wins in `closer + further`
    months if the two methods were equally good (ties left out)."""
    n = closer + further
    if n == 0:
        return 1.0
    return float(sum(math.comb(n, i) for i in range(closer, n + 1))) / float(2**n)


def choose(errors: Mapping[str, Sequence[float]], default: str) -> str:
    """The default, unless another method was clearly better on enough backtest origins.

    `errors` are each method's absolute one-step errors at the same origins. Clearly better is
    CHALLENGER_MARGIN of the default's mean error, and closer in significantly many of the months
    (a sign test at EVIDENCE_LEVEL): a lead built on one or two months (a spike that the same
    month last year happened to repeat) is not evidence.
    """
    base = errors[default]
    if len(base) < BACKTEST_ORIGINS:
        return default
    base_mae = float(np.mean(base))
    best, best_mae = default, base_mae
    for name, errs in errors.items():
        mae = float(np.mean(errs))
        closer = sum(e < d - 1e-9 for e, d in zip(errs, base, strict=True))
        further = sum(e > d + 1e-9 for e, d in zip(errs, base, strict=True))
        if (
            mae < best_mae
            and mae < base_mae * CHALLENGER_MARGIN - 1e-9
            and sign_test(closer, further) <= EVIDENCE_LEVEL
        ):
            best, best_mae = name, mae
    return best


def forecast_series(
    y: FloatArray,
    start: int,
    horizon: int,
    *,
    nonnegative: bool,
    extra: Sequence[Method] = (),
    progress: Callable[[], None] | None = None,
) -> SeriesForecast:
    """Backtest the candidates on `y` (monthly, oldest first), pick one, forecast ahead."""
    n = len(y)
    first = start + n
    if n == 0:
        return SeriesForecast("none", (), None, "no complete month of history yet")
    if n < MIN_MONTHS:
        return _fallback(y, first, horizon, nonnegative)
    k = min(BACKTEST_ORIGINS, n - SMOOTHED.min_history)
    origins = list(range(n - k, n))
    candidates = [SMOOTHED, *NAIVE, MEAN_12, *extra]
    eligible = [m for m in candidates if m.min_history <= n - k]
    # One prediction per origin, as far ahead as the history reaches (a costly fit is made once).
    scored = {m.name: _errors(m, y, start, origins, horizon, progress=progress) for m in eligible}
    one_step = {name: [abs(e) for e in by_h[0]] for name, by_h in scored.items()}
    maes = {name: float(np.mean(errs)) for name, errs in one_step.items()}
    chosen_name = choose(one_step, SMOOTHED.name)
    chosen = next(m for m in eligible if m.name == chosen_name)
    # Cheap methods are calibrated on up to two years of origins; costly ones on the scored ones.
    calibration = scored[chosen_name]
    if chosen in (SMOOTHED, *NAIVE, MEAN_12):
        first_origin = max(chosen.min_history, n - CALIBRATION_ORIGINS)
        calibration = _errors(chosen, y, start, range(first_origin, n), horizon)
    yhat = chosen.predict(y, start, horizon)
    widths = _bands(calibration, horizon)
    if len(calibration[0]) < _FEW_ERRORS:
        # A handful of backtest errors can all be small by luck: no narrower than the spread.
        spread = _Z80 * float(np.std(y, ddof=1)) * math.sqrt(1 + 1 / n)
        widths = [(max(q80, spread), max(q95, spread * _Z95 / _Z80)) for q80, q95 in widths]
    naive_maes = {m.name: maes[m.name] for m in NAIVE if m.name in maes}
    best_naive = min(naive_maes, key=naive_maes.__getitem__)
    backtest: dict[str, Any] = {
        "origins": k,
        "calibration_origins": len(calibration[0]),
        "mae": {name: round(value, 4) for name, value in maes.items()},
        # Candidates the history is too short to score (Prophet needs two years before its first
        # backtest origin): they were not tried, and this says so.
        "not_scored": {
            m.name: f"needs {m.min_history + BACKTEST_ORIGINS} months of history"
            for m in candidates
            if m not in eligible
        },
        "chosen_mae": round(maes[chosen_name], 4),
        "naive_method": best_naive,
        "naive_mae": round(naive_maes[best_naive], 4),
        # Fraction of the best naive method's error that the chosen method saves (0 = as good).
        "skill_vs_naive": (
            round(1 - maes[chosen_name] / naive_maes[best_naive], 4)
            if naive_maes[best_naive] > 0
            else 0.0
        ),
    }
    note = None
    if k < BACKTEST_ORIGINS:
        note = (
            f"backtested on only {k} month(s): too few for another method to replace the default"
            f" (needs {BACKTEST_ORIGINS}); treat the bands as rough"
        )
    return SeriesForecast(
        method=chosen_name,
        points=_points(yhat, widths, first, nonnegative),
        backtest=backtest,
        note=note,
    )
