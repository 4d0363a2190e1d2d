"""The `forecast` method's work: request in, one forecast per series out, as plain JSON values.

Series: spending per category (positive numbers), total spending (category null) and net cash flow
(kind "net"). Each carries its method, its backtest, any honest note, the months it was fitted
on, what the months after them hold so far, and what the month before them holds when the
transactions begin part-way through it (docs/protocol.md, section 9). Results are cached
by a hash of the request, so asking again for an unchanged ledger costs nothing. This module must
never talk to the hub or import Prophet at module level.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import threading
from collections import OrderedDict
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np

from sidecars.forecaster import prophet_model
from sidecars.forecaster.backtest import SeriesForecast, forecast_series
from sidecars.forecaster.monthly import (
    FloatArray,
    InputError,
    MonthlyHistory,
    build_history,
    month_label,
    parse_date,
    parse_transactions,
)

PROPHET_CATEGORIES = 5
"""Prophet is tried on the total, the net and this many of the largest categories: each try costs
a dozen fits of ~0.2 s, and the small categories carry little of the money."""
DEFAULT_HORIZON = 3
MAX_HORIZON = 24
_CACHE_SIZE = 16
HISTORY_MONTHS = 36
"""Each series' reply carries at most this many of its last modelled months (the desktop sends
three years), so the answer stays small however long the ledger."""


def _horizon(params: Mapping[str, Any]) -> int:
    value = params.get("horizon_months", DEFAULT_HORIZON)
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_HORIZON:
        raise InputError(f"horizon_months must be a whole number from 1 to {MAX_HORIZON}")
    return value


def _today(params: Mapping[str, Any]) -> dt.date:
    value = params.get("today")
    return dt.date.today() if value is None else parse_date(value, "today")


def _months_json(start: int, values: FloatArray) -> list[dict[str, Any]]:
    return [
        {"month": month_label(start + i), "value": round(float(v), 2)} for i, v in enumerate(values)
    ]


def _series_json(
    category: str | None,
    kind: str,
    result: SeriesForecast,
    history: MonthlyHistory,
    pick: Callable[[MonthlyHistory], FloatArray],
) -> dict[str, Any]:
    # The history is the very array the forecast was fitted on (`pick(history)`), so a chart of
    # it shows the months as the model counted them: a fixed payment in its due month, refunds
    # netted, incomplete months and the months before a gap left out.
    values = pick(history)
    shown = min(len(values), HISTORY_MONTHS)
    so_far = history.so_far
    return {
        "category": category,
        "kind": kind,
        "method": result.method,
        "backtest": result.backtest,
        "note": result.note,
        "points": [
            {
                "month": month_label(p.month),
                "yhat": round(p.yhat, 2),
                "lower": round(p.lower, 2),
                "upper": round(p.upper, 2),
                "lower95": round(p.lower95, 2),
                "upper95": round(p.upper95, 2),
            }
            for p in result.points
        ],
        "history": _months_json(history.end - shown, values[len(values) - shown :]),
        "so_far": _months_json(so_far.start, pick(so_far)) if so_far is not None else [],
        "partial_start": _partial_json(history, pick),
    }


def _partial_json(
    history: MonthlyHistory, pick: Callable[[MonthlyHistory], FloatArray]
) -> list[dict[str, Any]]:
    """The month before the history that the transactions begin part-way through, with the day
    they begin ("from"), so a chart can show it as part of a month rather than a dip."""
    partial = history.partial_start
    if partial is None or history.covered_from is None:
        return []
    months = _months_json(partial.start, pick(partial))
    return [{**month, "from": history.covered_from.isoformat()} for month in months]


def is_regular(values: FloatArray) -> bool:
    """Spent in at least two months of three lately: a smooth trend-and-season model can apply."""
    recent = values[-prophet_model.MIN_HISTORY :]
    return int(np.count_nonzero(recent)) * 3 >= len(recent) * 2


def forecast_history(
    history: MonthlyHistory,
    horizon: int,
    *,
    use_prophet: bool = True,
    progress: Callable[[], None] | None = None,
) -> list[dict[str, Any]]:
    """Forecast every series of `history`: total, net, then each category by name."""

    by_size = sorted(history.spending, key=lambda c: -float(np.mean(history.spending[c][-12:])))
    largest = set(by_size[:PROPHET_CATEGORIES])

    def one(values: FloatArray, nonnegative: bool, large: bool = True) -> SeriesForecast:
        # Prophet is costly; for sporadic spending its smooth curves are no use, so skip it there.
        try_prophet = use_prophet and large and is_regular(values)
        extra = (prophet_model.METHOD,) if try_prophet else ()
        return forecast_series(
            values,
            history.start,
            horizon,
            nonnegative=nonnegative,
            extra=extra,
            progress=progress,
        )

    def spending(category: str) -> Callable[[MonthlyHistory], FloatArray]:
        return lambda h: h.spending[category]

    out = [
        _series_json(None, "spending", one(history.total, True), history, lambda h: h.total),
        _series_json(None, "net", one(history.net, False), history, lambda h: h.net),
    ]
    for category, values in sorted(history.spending.items()):
        result = one(values, True, category in largest)
        out.append(_series_json(category, "spending", result, history, spending(category)))
    return out


def request_key(params: Mapping[str, Any], today: dt.date) -> str:
    """A hash of everything the answer depends on."""
    canonical = json.dumps(
        {
            "t": params.get("transactions"),
            "h": params.get("horizon_months", DEFAULT_HORIZON),
            "p": params.get("use_prophet", True),
            "today": today.isoformat(),
        },
        sort_keys=True,
        separators=(",", ":"),
        default=str,
    )
    return hashlib.sha256(canonical.encode()).hexdigest()


class Forecaster:
    """Answers `forecast` requests, remembering the last few answers by a hash of their input."""

    def __init__(self, cache_size: int = _CACHE_SIZE) -> None:
        self._cache: OrderedDict[str, dict[str, Any]] = OrderedDict()
        self._size = cache_size
        self._lock = threading.Lock()

    def forecast(
        self, params: Mapping[str, Any], progress: Callable[[], None] | None = None
    ) -> dict[str, Any]:
        """Validate `params` and forecast; InputError (one clear sentence) for bad input."""
        horizon = _horizon(params)
        today = _today(params)
        use_prophet = params.get("use_prophet", True)
        if not isinstance(use_prophet, bool):
            raise InputError("use_prophet must be true or false")
        key = request_key(params, today)
        with self._lock:
            if key in self._cache:
                self._cache.move_to_end(key)
                return {**self._cache[key], "cached": True}
        txns = parse_transactions(params.get("transactions"))
        history = build_history(txns, today)
        notes = list(history.notes)
        if not txns:
            notes.append("no transactions: nothing to forecast yet")
        elif history.length == 0:
            notes.append("no complete month of history yet")
        result: dict[str, Any] = {
            "series": forecast_history(
                history, horizon, use_prophet=use_prophet, progress=progress
            ),
            "history": {
                "months": history.length,
                "first_month": month_label(history.start) if history.length else None,
                "last_month": month_label(history.end - 1) if history.length else None,
            },
            "first_month": month_label(history.end),
            "notes": notes,
            "key": key,
            "cached": False,
        }
        with self._lock:
            self._cache[key] = result
            while len(self._cache) > self._size:
                self._cache.popitem(last=False)
        return result
