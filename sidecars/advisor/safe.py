"""The `safe_to_save` figure: a cautious amount that can be set aside this month, with its reasons.

How it is worked out, in exact minor units:

1. surplus = the low end of this month's forecast net cash flow (the 80% band's lower edge, so in
   about nine months out of ten the month does at least this well), rounded down; this month's
   point is taken even when the forecast starts a month earlier (statements that stop last month),
   and a forecast that ends before this month suggests nothing;
2. reserve = `buffer_months` x this month's high-end spending forecast + known upcoming payments;
3. with balances known, the part of the reserve they do not already cover is taken off the surplus;
   without balances, the upcoming payments are taken off (the reserve cannot be checked). A
   balance row may carry `opening`, what the account held before its first imported transaction
   (from the statements' running balance, see opening.py): the ledger's sum of transactions plus
   that is what the account holds. A row without it (or with null) is a sum whose start is
   unknown: it is counted as it is, with a warning, and the confidence is at most medium;
   `"opening": "0"` says the amount already is the bank's balance;
4. amount = that, rounded down to whole currency units, never below zero.

The amount is 0 with the reason when the history is too short or the outlook is negative. This
module must never present the figure as investment advice, and never round money up.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from data.money import MoneyError, exponent, format_decimal, to_decimal, to_minor

MIN_HISTORY_MONTHS = 6
"""Months of history below which no amount is suggested."""
MAX_BUFFER_MONTHS = 24
DISCLAIMER = (
    "This is a cautious estimate from your own past transactions, not financial or investment"
    " advice; it cannot know about expenses that are not in your statements."
)
_SHORT_METHODS = frozenset({"none", "short_history_mean"})
_HIGH_CONFIDENCE_MONTHS = 12
_CONFIDENCE = {"none": 0.0, "low": 0.5, "medium": 0.75, "high": 0.9}


class AdviceInputError(ValueError):
    """The request cannot be read; str() is one clear sentence."""


@dataclass(frozen=True)
class Advice:
    """The answer: amount in minor units of `currency`, plus confidence, reasons and warnings."""

    amount: int
    currency: str
    confidence: str  # "none" | "low" | "medium" | "high"
    reasons: tuple[str, ...]
    warnings: tuple[str, ...]

    def to_json(self) -> dict[str, Any]:
        """Wire form: money as a decimal string."""
        return {
            "amount": format_decimal(self.amount, self.currency),
            "currency": self.currency,
            # Roughly the chance that the month does at least as well as the figure assumes:
            # 0.9 by the band's construction, less when the evidence behind it is thin.
            "confidence": _CONFIDENCE[self.confidence],
            "confidence_label": self.confidence,
            "reasons": list(self.reasons),
            "warnings": list(self.warnings),
        }


def _number(value: object, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise AdviceInputError(f"{where}: must be a finite number")
    return float(value)


def _point(
    series: object, where: str, month: str | None
) -> tuple[Mapping[str, Any] | None, str, str | None]:
    """The series' point for `month` ("YYYY-MM"; the first point when None or when the points say
    no month), its method, and the forecast's last month when it ends before `month`."""
    if not isinstance(series, Mapping):
        raise AdviceInputError(f"{where}: must be a forecast series with points")
    points = series.get("points")
    if not isinstance(points, Sequence) or isinstance(points, str):
        raise AdviceInputError(f"{where}.points: must be a list")
    method = series.get("method")
    method = method if isinstance(method, str) else "unknown"
    if not points:
        return None, method, None
    for i, point in enumerate(points):
        if not isinstance(point, Mapping):
            raise AdviceInputError(f"{where}.points[{i}]: must be a record")
    months = [str(p.get("month") or "")[:7] for p in points]
    i = 0
    if month is not None and month in months:
        i = months.index(month)
    elif month is not None and all(months) and months[-1] < month:
        return None, method, months[-1]
    for key in ("yhat", "lower", "upper"):
        _number(points[i].get(key), f"{where}.points[{i}].{key}")
    return points[i], method, None


def _money_rows(
    rows: object, where: str, currency: str | None
) -> tuple[list[tuple[int, str, str, int | None]], str | None]:
    """(minor, currency, label, opening or None) per row; the currency of the first row when none
    was given."""
    if rows is None:
        return [], currency
    if isinstance(rows, Mapping):  # {account name: {amount, currency}} is accepted too
        rows = [
            {**row, "account": name} if isinstance(row, Mapping) else row
            for name, row in rows.items()
        ]
    if not isinstance(rows, Sequence) or isinstance(rows, str):
        raise AdviceInputError(f"{where}: must be a list of {{amount, currency}} records")
    out: list[tuple[int, str, str, int | None]] = []
    for i, row in enumerate(rows):
        if not isinstance(row, Mapping):
            raise AdviceInputError(f"{where}[{i}]: must be a record with amount and currency")
        cur = row.get("currency") or currency or "USD"
        if not isinstance(cur, str) or not (3 <= len(cur) <= 8) or not cur.isalpha():
            raise AdviceInputError(f"{where}[{i}].currency: not a currency code")
        cur = cur.upper()
        amount = row.get("amount")
        if not isinstance(amount, str):
            raise AdviceInputError(f'{where}[{i}].amount: must be a decimal string like "-12.50"')
        try:
            minor = to_minor(amount, cur)
        except MoneyError as exc:
            raise AdviceInputError(f"{where}[{i}].amount: {exc}") from exc
        opening = row.get("opening")
        if opening is not None:
            if not isinstance(opening, str):
                raise AdviceInputError(f"{where}[{i}].opening: must be a decimal string or null")
            try:
                opening = to_minor(opening, cur)
            except MoneyError as exc:
                raise AdviceInputError(f"{where}[{i}].opening: {exc}") from exc
        label = row.get("account") or row.get("name") or row.get("merchant") or f"#{i + 1}"
        out.append((minor, cur, str(label)[:80], opening))
        currency = currency or cur
    return out, currency


def _minor_floor(value: float, currency: str) -> int:
    """A statistical figure as minor units, rounded toward minus infinity (never in our favour)."""
    return math.floor(Decimal(repr(value)).scaleb(exponent(currency)))


def _minor_ceil(value: float, currency: str) -> int:
    return math.ceil(Decimal(repr(value)).scaleb(exponent(currency)))


@dataclass(frozen=True)
class _Inputs:
    net: Mapping[str, Any] | None
    net_method: str
    spending: Mapping[str, Any] | None
    buffer_months: float
    balances: list[tuple[int, str, str, int | None]]  # (sum, currency, account, opening)
    upcoming: list[tuple[int, str, str, int | None]]
    currency: str
    history: int | None
    warnings: list[str]
    ends: str | None  # the forecast's last month, when it ends before the current month


def _read(params: Mapping[str, Any], month: str | None) -> _Inputs:
    net, net_method, ends = _point(params.get("net_forecast"), "net_forecast", month)
    spending = None
    if params.get("spending_forecast") is not None:
        spending, _, _ = _point(params.get("spending_forecast"), "spending_forecast", month)
    buffer_months = _number(params.get("buffer_months", 1), "buffer_months")
    if not 0 <= buffer_months <= MAX_BUFFER_MONTHS:
        raise AdviceInputError(f"buffer_months: must be between 0 and {MAX_BUFFER_MONTHS}")
    requested = params.get("currency")
    if requested is not None and (not isinstance(requested, str) or not requested.isalpha()):
        raise AdviceInputError("currency: not a currency code")
    balances, currency = _money_rows(params.get("balances"), "balances", requested)
    upcoming, currency = _money_rows(
        params.get("upcoming_recurring"), "upcoming_recurring", currency
    )
    currency = (currency or "USD").upper()
    history_raw = params.get("history_months")
    history = None if history_raw is None else int(_number(history_raw, "history_months"))
    warnings = [DISCLAIMER]
    other = {c for _, c, _, _ in balances + upcoming if c != currency}
    if other:
        warnings.append(
            f"Amounts in {', '.join(sorted(other))} were left out: only {currency} is counted."
        )
    return _Inputs(
        net=net,
        net_method=net_method,
        spending=spending,
        buffer_months=buffer_months,
        balances=[b for b in balances if b[1] == currency],
        upcoming=[u for u in upcoming if u[1] == currency],
        currency=currency,
        history=history,
        warnings=warnings,
        ends=ends,
    )


def safe_to_save(params: Mapping[str, Any], today: dt.date | None = None) -> Advice:
    """Work out the cautious amount; AdviceInputError for malformed params."""
    this_month = today.strftime("%Y-%m") if today is not None else None
    inputs = _read(params, this_month)
    currency, warnings, net = inputs.currency, inputs.warnings, inputs.net

    def fmt(minor: int) -> str:
        # thousands grouped, as people read money: "3,474.62 GBP", not "3474.62 GBP"
        return f"{to_decimal(minor, currency):,} {currency}"

    def zero(reason: str, confidence: str = "none") -> Advice:
        return Advice(0, currency, confidence, (reason,), tuple(warnings))

    history = inputs.history
    if inputs.ends is not None:
        # A surplus forecast for a month gone by says nothing about this one, and the balances
        # are those of the last statement.
        return zero(
            f"The forecast ends in {inputs.ends}, before this month ({this_month}): your"
            " statements stop too long ago to suggest an amount; import newer ones."
        )
    if (
        net is None
        or inputs.net_method in _SHORT_METHODS
        or (history is not None and history < MIN_HISTORY_MONTHS)
    ):
        months = "too few months" if history is None else f"{history} month(s)"
        return zero(
            f"The history covers {months}; at least {MIN_HISTORY_MONTHS} whole months are"
            " needed before suggesting an amount to set aside."
        )
    _warn_if_ahead(params, net, this_month, warnings)
    surplus = _minor_floor(float(net["lower"]), currency)
    expected = _minor_floor(float(net["yhat"]), currency)
    if surplus <= 0:
        return zero(
            f"In a bad month (about one in ten) your money out may exceed your money in: the low"
            f" end of this month's forecast net cash flow is {fmt(surplus)} (expected"
            f" {fmt(expected)}), so nothing is suggested.",
            "medium",
        )
    reasons = [
        f"This month you are expected to have {fmt(expected)} more coming in than going out; in"
        f" a bad month (about one in ten) only {fmt(surplus)}."
    ]
    amount = surplus - _reserve_cut(inputs, reasons, fmt)
    unit = 10 ** exponent(currency)
    amount = max(amount, 0) // unit * unit  # whole units, rounded down
    if amount == 0:
        reasons.append("Nothing is left to set aside safely after that.")
    else:
        reasons.append(f"So {fmt(amount)} can be set aside this month (rounded down).")
    confidence = "high"
    if not inputs.balances or (history is not None and history < _HIGH_CONFIDENCE_MONTHS):
        confidence = "low"
    elif any(opening is None for *_, opening in inputs.balances):
        confidence = "medium"  # what the account really holds is not known
    elif float(net["upper"]) - float(net["lower"]) > 2 * abs(float(net["yhat"])):
        confidence = "medium"  # the band is wide compared to the expected surplus
    return Advice(amount, currency, confidence, tuple(reasons), tuple(warnings))


def _warn_if_ahead(
    params: Mapping[str, Any], net: Mapping[str, Any], this_month: str | None, warnings: list[str]
) -> None:
    """Say so when the figure is not from the forecast's first month, or not for this month."""
    month = net.get("month")
    if this_month is None or not isinstance(month, str):
        return
    first = str(params["net_forecast"]["points"][0].get("month") or "")[:7]
    if month[:7] != this_month:
        warnings.append(
            f"The forecast is for {month}, not the current month: import newer statements for an"
            " up-to-date figure."
        )
    elif first and first != this_month:
        # Statements that end last month or earlier: this month is further ahead than the
        # forecast's first month (a wider range), and the balances are the last statement's.
        warnings.append(
            f"The forecast starts at {first}, the first month your statements do not cover"
            " whole: this month's figure is forecast from further back, and the balances are as"
            " of your last statement; import newer statements for an up-to-date figure."
        )


def _reserve_cut(inputs: _Inputs, reasons: list[str], fmt: Callable[[int], str]) -> int:
    """What comes off the surplus for the reserve and the upcoming payments (adds the reasons)."""
    currency = inputs.currency
    due = sum(abs(minor) for minor, *_ in inputs.upcoming)
    buffer = 0
    if inputs.spending is not None:
        buffer = _minor_ceil(float(inputs.spending["upper"]) * inputs.buffer_months, currency)
    elif inputs.buffer_months > 0:
        inputs.warnings.append(
            "No spending forecast was given, so the safety buffer could not be sized."
        )
    if not inputs.balances:
        inputs.warnings.append(
            "No account balances are known, so the reserve could not be checked."
        )
        if due:
            reasons.append(f"Known upcoming payments of {fmt(due)} are taken off.")
        return due
    openings = sum(opening or 0 for *_, opening in inputs.balances)
    held = sum(minor for minor, *_ in inputs.balances) + openings
    unknown = [account for _, _, account, opening in inputs.balances if opening is None]
    if unknown:
        inputs.warnings.append(
            f"The balance of {', '.join(unknown)} is only the sum of its imported transactions:"
            " no statement gave the balance it started from, so it may hold more or less than"
            " that and the reserve check may be off."
        )
    started = (
        f" (including {fmt(openings)} they held before the first imported transaction)"
        if openings
        else ""
    )
    reserve = buffer + due
    shortfall = max(reserve - held, 0)
    reasons.append(
        f"You want to keep {fmt(reserve)} in reserve ({inputs.buffer_months:g} month(s) of"
        f" high-end spending, {fmt(buffer)}, plus {fmt(due)} of known upcoming payments); your"
        f" balances hold {fmt(held)}{started}."
    )
    if shortfall:
        reasons.append(f"The reserve is {fmt(shortfall)} short, so that comes off first.")
    return shortfall
