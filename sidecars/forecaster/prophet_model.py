"""Prophet as one candidate method: monthly fits with the seasonality the history supports.

Prophet (and cmdstanpy under it) is imported lazily, on the first fit, so that the sidecar starts
fast and nothing else in the process pays ~1.5 s for it; their log chatter is routed to this
process's logging (the service log), never to the console. Fits are memoised by their input,
because a rolling-origin backtest asks for the same prefix again and again. This module must never
decide which method wins; backtest.py does.
"""

from __future__ import annotations

import hashlib
import logging
import threading
from collections import OrderedDict

import numpy as np

from sidecars.forecaster.baselines import FloatArray, Method
from sidecars.forecaster.monthly import month_label

log = logging.getLogger(__name__)

MIN_HISTORY = 24
"""Months before Prophet is tried: two full years, so a yearly pattern can be told from noise."""
_YEARLY_FOURIER_ORDER = 3  # a few harmonics: monthly data with 2-3 years cannot support more
_MEMO_SIZE = 4096

_lock = threading.Lock()
_memo: OrderedDict[bytes, FloatArray] = OrderedDict()
_quieted = False
fit_count = 0
"""Prophet fits made by this process (the benchmark reports it beside the time they took)."""


def quiet_libraries() -> None:
    """Send Prophet's and cmdstanpy's messages to our logging at WARNING, not to the console."""
    global _quieted  # noqa: PLW0603 - once per process
    if _quieted:
        return
    _quieted = True
    # Prophet logs an error at import when plotly is missing; we never plot, so it is noise.
    logging.getLogger("prophet.plot").setLevel(logging.CRITICAL)
    for name in ("cmdstanpy", "prophet"):
        logger = logging.getLogger(name)
        for handler in list(logger.handlers):
            logger.removeHandler(handler)
        # cmdstanpy installs its console handler on first use only if the logger has none.
        logger.addHandler(logging.NullHandler())
        logger.setLevel(logging.WARNING)
        logger.propagate = True


def _fit_predict(history: FloatArray, start: int, horizon: int) -> FloatArray:
    quiet_libraries()
    import pandas as pd
    from prophet import Prophet

    quiet_libraries_after_import()
    months = pd.to_datetime([f"{month_label(start + i)}-01" for i in range(len(history) + horizon)])
    model = Prophet(
        growth="linear",
        yearly_seasonality=_YEARLY_FOURIER_ORDER if len(history) >= MIN_HISTORY else False,
        weekly_seasonality=False,
        daily_seasonality=False,
        uncertainty_samples=0,  # bands come from backtest residuals, which are calibrated
    )
    global fit_count  # noqa: PLW0603 - a plain counter; += on an int under the GIL is enough here
    fit_count += 1
    model.fit(pd.DataFrame({"ds": months[: len(history)], "y": history}))
    future = model.predict(pd.DataFrame({"ds": months[len(history) :]}))
    return np.asarray(future["yhat"].to_numpy(), dtype=np.float64)


def quiet_libraries_after_import() -> None:
    """Prophet and cmdstanpy set their own handlers and levels when imported: undo that."""
    for name in ("cmdstanpy", "prophet"):
        logger = logging.getLogger(name)
        for handler in list(logger.handlers):
            if not isinstance(handler, logging.NullHandler):
                logger.removeHandler(handler)
        logger.setLevel(logging.WARNING)
        logger.propagate = True


def predict(history: FloatArray, start: int, horizon: int) -> FloatArray:
    """Prophet's point forecasts for the `horizon` months after `history` (memoised)."""
    key = hashlib.blake2b(
        history.astype(np.float64).tobytes() + f"|{start}|{horizon}".encode(), digest_size=16
    ).digest()
    with _lock:
        if key in _memo:
            _memo.move_to_end(key)
            return _memo[key].copy()
    result = _fit_predict(history, start, horizon)
    with _lock:
        _memo[key] = result
        while len(_memo) > _MEMO_SIZE:
            _memo.popitem(last=False)
    return result.copy()


def clear_memo() -> None:
    """Forget memoised fits (the benchmark measures cold runs)."""
    with _lock:
        _memo.clear()


METHOD = Method(
    "prophet", MIN_HISTORY, predict, "Prophet (trend and yearly seasonality)", costly=True
)
"""Prophet as a candidate for backtest.forecast_series."""
