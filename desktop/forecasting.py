"""Forecaster -> advisor, headless: read the ledger, ask the forecaster, then the advisor with its
net cash-flow forecast; keep the last good answers (with their date) for when a service is down.

Used by `fincast forecast` / `fincast advise` and usable from the desktop's worker thread. Without a
fresh forecast the advisor is not asked, and the outcome says why; a cached forecast is shown with
the time it was made. This module must never import Qt or a model library, and never write the
ledger.
"""

from __future__ import annotations

import datetime as dt
import logging
from concurrent.futures import Future
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from data.ledger import Ledger, TxFilter
from data.money import format_decimal
from data.transfers import is_transfer
from desktop import balances, insighting, result_cache

log = logging.getLogger(__name__)

FORECAST_TIMEOUT_S = 180.0  # Prophet on a few years of many categories, cold; PROGRESS extends it
ADVICE_TIMEOUT_S = 15.0
INSIGHTS_TIMEOUT_S = insighting.DEFAULT_TIMEOUT_S
HISTORY_YEARS = 3  # what the forecaster is sent: enough for yearly seasonality, and bounded
# A fixed payment paid this many days before its 1st counts in that 1st's month (the forecaster's
# due_months, sidecars/forecaster/monthly.py, whose numpy the desktop does not import).
EARLY_DAYS = 5
# Payments due within this many days of today are reserved by the advisor (a month, at most).
UPCOMING_DAYS = 31
# An account whose rows stop this many days before the others' may be missing its statements.
STOPPED_DAYS = 35


class Requester(Protocol):
    """The part of supervisor.Hub this module uses (a test may pass a stand-in with this shape)."""

    def request(
        self, service: str, method: str, params: dict[str, Any] | None = ..., timeout: float = ...
    ) -> Future[dict[str, Any]]: ...


@dataclass
class Outcome:
    """What the forecaster and the advisor gave, or why they did not."""

    currency: str
    forecast: dict[str, Any] | None = None
    forecast_saved: dt.datetime | None = None  # when the forecast was made (fresh or cached)
    fresh: bool = False
    forecast_problem: str | None = None
    advice: dict[str, Any] | None = None
    advice_saved: dt.datetime | None = None
    advice_problem: str | None = None
    notes: list[str] = field(default_factory=list)
    advice_notes: list[str] = field(default_factory=list)  # what the advice had to leave out

    def to_json(self) -> dict[str, Any]:
        """Everything, JSON-ready (dates as ISO strings)."""
        return {
            "currency": self.currency,
            "forecast": self.forecast,
            "forecast_saved": self.forecast_saved.isoformat() if self.forecast_saved else None,
            "fresh": self.fresh,
            "forecast_problem": self.forecast_problem,
            "advice": self.advice,
            "advice_saved": self.advice_saved.isoformat() if self.advice_saved else None,
            "advice_problem": self.advice_problem,
            "notes": self.notes,
            "advice_notes": self.advice_notes,
        }


def main_currency(ledger: Ledger) -> str:
    """The currency forecasts are made in: the Dashboard's (the one most transactions are in).

    Counting accounts instead tied a pound current account with a euro travel card, and the tie
    went to the first name, so the forecast was the card's euros beside a Dashboard in pounds."""
    main = ledger.stats().main_currency
    if main is not None:
        return main
    return min((a.currency for a in ledger.accounts()), default="USD")  # accounts, no rows yet


def forecast_params(
    ledger: Ledger, currency: str, *, horizon_months: int = 3, today: dt.date | None = None
) -> tuple[dict[str, Any], list[str]]:
    """The forecaster's params (the last HISTORY_YEARS in `currency`) and what was left out."""
    today = today or dt.date.today()
    notes: list[str] = []
    # The window ends at this currency's newest row: counted from another currency's, a euro
    # forecast beside a pound account imported later read 5 months of 19 years (audit 8, L1).
    end = ledger.newest_day(currency, today)
    if end is None:
        return {"transactions": [], "horizon_months": horizon_months}, notes
    # From a few days before the window's first 1st: cut at the 1st, the window's first month
    # lost its rent when it was paid early (the forecaster then leaves that month out as not
    # whole); the days before it are a part of a month the forecaster leaves out itself.
    since = end.replace(year=end.year - HISTORY_YEARS, day=1) - dt.timedelta(days=EARLY_DAYS)
    if ledger.transactions(TxFilter(date_to=since - dt.timedelta(days=1)), limit=1):
        notes.append(
            f"transactions before {since.isoformat()} were left out: the forecast reads the last"
            f" {HISTORY_YEARS} years"
        )
    rows: list[dict[str, Any]] = []
    other_currency = transfers = 0
    last: dict[str, dt.date] = {}  # each account's newest row up to today
    for t in ledger.iter_transactions(TxFilter(date_from=since), order="date_asc"):
        if t.currency != currency:
            other_currency += 1
        elif is_transfer(t.description, t.category):
            transfers += 1
        else:
            if t.date <= today:
                last[t.account] = t.date
            rows.append(
                {
                    "date": t.date.isoformat(),
                    "amount": format_decimal(t.amount, t.currency),
                    "category": t.category,
                }
            )
    if other_currency:
        notes.append(f"{other_currency} transaction(s) not in {currency} were left out")
    if transfers:
        notes.append(f"{transfers} transfer(s) between accounts were left out")
    notes += _stopped_accounts(last)
    params = {"transactions": rows, "horizon_months": horizon_months, "today": today.isoformat()}
    return params, notes


def _stopped_accounts(last: dict[str, dt.date]) -> list[str]:
    """A note for each account whose rows stop more than a month before the others'.

    The forecaster sees one stream of rows: a card whose statements are imported only to August
    beside a current account imported to November reads as three months without card spending
    (its repayments are transfers, left out), a dip and a surplus that are not there. Whether
    the card was closed or its statements are missing only the person knows, so it is said, not
    cut."""
    if not last:
        return []
    newest = max(last.values())
    return [
        f"{account}'s transactions stop on {day.isoformat()} while others go on to"
        f" {newest.isoformat()}: if its statements are missing, the months since read low"
        for account, day in sorted(last.items())
        if (newest - day).days > STOPPED_DAYS
    ]


def advice_params(
    ledger: Ledger,
    forecast: dict[str, Any],
    currency: str,
    *,
    upcoming: list[dict[str, Any]] | None = None,
    buffer_months: float = 1,
    today: dt.date | None = None,
) -> dict[str, Any] | None:
    """The advisor's params from a forecast; None when the forecast has no net series. Its
    upcoming payments are `upcoming` (regular ones) and the payments in `currency` the ledger
    holds dated from tomorrow to UPCOMING_DAYS on (scheduled ones)."""
    series = forecast.get("series") or []
    net = next((s for s in series if s.get("kind") == "net"), None)
    total = next(
        (s for s in series if s.get("kind") == "spending" and s.get("category") is None), None
    )
    if net is None:
        return None
    today = today or dt.date.today()
    held = ledger.account_balances()
    # What each account holds today: a row dated later (a scheduled payment, pay announced
    # early) has not happened yet, and the forecast leaves it out too; counted, an early salary
    # would be in the balance and again in the month's forecast surplus.
    # Such a payment due within UPCOMING_DAYS is a known upcoming one: taken out of the balance
    # and reserved nowhere, a council tax scheduled for the 20th was not counted at all.
    scheduled: list[dict[str, Any]] = []
    horizon = today + dt.timedelta(days=UPCOMING_DAYS)
    later = TxFilter(date_from=today + dt.timedelta(days=1))
    for t in ledger.iter_transactions(later, order="date_asc"):
        minor, cur = held.get(t.account, (0, ""))
        if cur == t.currency:
            held[t.account] = (minor - t.amount, cur)
        if (
            t.currency == currency
            and t.amount < 0
            and t.date <= horizon
            and not is_transfer(t.description, t.category)
        ):
            scheduled.append(
                {
                    "merchant": t.payee or t.description,
                    "amount": format_decimal(t.amount, t.currency),
                    "currency": t.currency,
                }
            )
    balances = [
        {
            "account": name,
            "amount": format_decimal(minor, cur),
            "currency": cur,
            "opening": _opening(ledger, name, cur),
        }
        for name, (minor, cur) in sorted(held.items())
        if cur == currency
    ]
    history = forecast.get("history") or {}
    return {
        "net_forecast": net,
        "spending_forecast": total,
        "balances": balances,
        "upcoming_recurring": [*(upcoming or []), *scheduled],
        "buffer_months": buffer_months,
        "currency": currency,
        "history_months": history.get("months"),
        "today": today.isoformat(),
    }


def upcoming_payments(
    ledger: Ledger, insights: dict[str, Any], today: dt.date, *, days: int = UPCOMING_DAYS
) -> list[dict[str, Any]]:
    """Regular payments due within `days` of `today`, from an insights result, each in the
    currency of its own transactions; and those due since its account's statements end: with
    statements to 30 November read on 7 December, the rent due on the 1st is not in the balances
    yet (and, being before today, was not reserved).

    A recurring series on the wire names no currency; tagged with one currency for all, a euro
    subscription was taken off a pound figure as pounds. The ledger says which currency its
    transactions are in; a series whose transactions are gone (an older result) keeps the
    result's currency."""
    fallback = str(insights.get("currency") or "USD")
    horizon = (today + dt.timedelta(days=days)).isoformat()
    due = [
        r
        for r in insights.get("recurring", [])
        if isinstance(r, dict)
        and r.get("active", True)
        and isinstance(r.get("amount"), str)
        and str(r["amount"]).startswith("-")
        and "" < str(r.get("next_date") or "") <= horizon
    ]
    # A few of each series' newest rows are enough, and keep the query's parameters bounded.
    ids = {i for r in due for i in (r.get("transactions") or [])[-5:] if isinstance(i, int)}
    rows = (
        {t.id: t for t in ledger.iter_transactions(TxFilter(ids=tuple(sorted(ids))))} if ids else {}
    )
    ends: dict[str, str] = {}  # each account's newest row up to today, as an ISO date

    def statements_end(account: str) -> str:
        if account not in ends:
            newest = ledger.transactions(TxFilter(account=account, date_to=today), limit=1)
            ends[account] = newest[0].date.isoformat() if newest else ""
        return ends[account]

    out = []
    for r in due:
        # the newest transaction (a series is grouped by currency, so all agree on it)
        known = [rows[i] for i in r.get("transactions") or [] if i in rows]
        when = str(r["next_date"])
        if when < today.isoformat() and not (known and when > statements_end(known[-1].account)):
            continue  # due before today on a day its statements cover, and not paid: not due
        out.append(
            {
                "merchant": r.get("merchant"),
                "amount": r["amount"],
                "currency": known[-1].currency if known else fallback,
            }
        )
    return out


def _ask_insights(
    hub: Requester, ledger: Ledger, today: dt.date | None
) -> Future[dict[str, Any]] | None:
    """The insights request for the ledger's recurring payments, sent (None with no rows)."""
    rows = insighting.ledger_rows(ledger)
    if not rows:
        return None
    params = insighting.request_params(rows, today)
    return hub.request(insighting.SERVICE, "insights", params, timeout=INSIGHTS_TIMEOUT_S)


def regular_payments(
    insights: Future[dict[str, Any]] | None,
    ledger: Ledger,
    db: Path,
    currency: str,
    *,
    today: dt.date | None = None,
    unasked: str | None = None,
) -> tuple[list[dict[str, Any]], str | None]:
    """The regular payments the advisor reserves (upcoming_payments) and, when they are not
    from a fresh answer of the insights sidecar, a note that says where they are from or that
    they were left out. The window and `fincast advise` both come here: the window once read
    only the Insights page's cached result and the command line nothing at all, so the same
    ledger reserved 1,857.68 less on the command line: a bigger figure whenever the balances
    are what limits it (audit 9)."""
    from supervisor import HubError

    today = today or dt.date.today()
    try:
        if insights is None:
            raise HubError(unasked or "no hub is running")
        result = insights.result(timeout=INSIGHTS_TIMEOUT_S * 2)
        return upcoming_payments(ledger, {**result, "currency": currency}, today), None
    except HubError as exc:
        why = str(exc) if insights is None and unasked else _why("insights service", exc)
    except FutureTimeout:
        why = f"the insights service did not answer within {INSIGHTS_TIMEOUT_S * 2:g} s"
    cached = result_cache.load(db, "insights")
    if cached is not None and isinstance(cached[1], dict):
        saved, found = cached
        return upcoming_payments(ledger, found, today), (
            f"regular payments are reserved as the insights found them on"
            f" {saved:%Y-%m-%d %H:%M} UTC ({why})"
        )
    return [], (
        f"regular payments (rent, bills, subscriptions) are not reserved: {why}, and there is no"
        " earlier result; the figure may be higher than is safe"
    )


def _opening(ledger: Ledger, account: str, currency: str) -> str | None:
    """What the account held before its first imported row, from the statements' running
    balance; None when no row states one (the advisor then says it only knows the sum)."""
    minor = balances.opening(ledger, account)
    return None if minor is None else format_decimal(minor, currency)


def _ask(
    hub: Requester, service: str, method: str, params: dict[str, Any], timeout: float
) -> dict[str, Any]:
    """The reply, or an exception whose str() says what went wrong (hub errors pass through)."""
    future = hub.request(service, method, params, timeout=timeout)
    try:
        # The hub always resolves its futures by the deadline; the slack covers PROGRESS extensions.
        return future.result(timeout=timeout * 4)
    except FutureTimeout:
        raise TimeoutError(f"the {service} did not answer within {timeout * 4:g} s") from None


def _why(service: str, exc: BaseException) -> str:
    text = " ".join(str(exc).split()) or type(exc).__name__
    return f"the {service} could not answer: {text}"


def run(
    hub: Requester | None,
    ledger: Ledger,
    db: Path,
    *,
    with_advice: bool = True,
    horizon_months: int = 3,
    insights_down: str | None = None,
    today: dt.date | None = None,
    forecast_timeout: float = FORECAST_TIMEOUT_S,
    advice_timeout: float = ADVICE_TIMEOUT_S,
) -> Outcome:
    """Ask the forecaster (else fall back to its last answer), then the advisor if it is fresh,
    reserving the regular payments the insights find (regular_payments). `insights_down` says
    why the insights sidecar is known to be down (the window knows its health): it is not
    waited for then."""
    from supervisor import HubError

    currency = main_currency(ledger)
    outcome = Outcome(currency=currency)
    params, outcome.notes = forecast_params(
        ledger, currency, horizon_months=horizon_months, today=today
    )
    if not params["transactions"]:
        outcome.forecast_problem = "there is nothing to forecast yet: import some statements first"
        day = today or dt.date.today()
        if ledger.transactions(TxFilter(date_from=day + dt.timedelta(days=1)), limit=1):
            # statements were imported: saying "import some" sends the person round in circles
            outcome.forecast_problem = (
                f"every transaction is dated after today ({day.isoformat()}), so there is no"
                " past to forecast from: check the dates of the imported statements"
            )
        outcome.advice_problem = "the advisor needs a forecast, and there is none"
        return outcome
    # The insights look for regular payments while the forecaster works: the advisor needs both.
    insights = None
    if with_advice and hub is not None and insights_down is None:
        insights = _ask_insights(hub, ledger, today)
    try:
        if hub is None:
            raise HubError("no hub is running")
        outcome.forecast = _ask(hub, "forecaster", "forecast", params, forecast_timeout)
    except (HubError, TimeoutError) as exc:
        outcome.forecast_problem = _why("forecaster", exc)
        cached = result_cache.load(db, "forecast")
        if cached is not None and isinstance(cached[1], dict) and cached[1].get("forecast"):
            outcome.forecast_saved, outcome.forecast = cached[0], cached[1]["forecast"]
            # its figures are in the currency it was made in, whatever the ledger's is now
            outcome.currency = str(cached[1].get("currency") or currency)
        outcome.advice_problem = (
            "the advisor was not asked: it needs a fresh forecast, and " + outcome.forecast_problem
        )
        return outcome
    outcome.fresh = True
    outcome.forecast_saved = dt.datetime.now(dt.UTC)
    result_cache.save(db, "forecast", {"forecast": outcome.forecast, "currency": currency})
    if with_advice and hub is not None:
        _advise(
            hub,
            ledger,
            db=db,
            outcome=outcome,
            insights=insights,
            insights_down=insights_down,
            today=today,
            timeout=advice_timeout,
        )
    return outcome


def _advise(
    hub: Requester,
    ledger: Ledger,
    *,
    db: Path,
    outcome: Outcome,
    insights: Future[dict[str, Any]] | None,
    insights_down: str | None,
    today: dt.date | None,
    timeout: float,
) -> None:
    from supervisor import HubError

    assert outcome.forecast is not None
    upcoming, note = regular_payments(
        insights, ledger, db, outcome.currency, today=today, unasked=insights_down
    )
    if note:
        outcome.advice_notes.append(note)
    params = advice_params(
        ledger, outcome.forecast, outcome.currency, upcoming=upcoming, today=today
    )
    if params is None:
        outcome.advice_problem = "the forecast has no net cash flow, so the advisor was not asked"
        return
    try:
        outcome.advice = _ask(hub, "advisor", "safe_to_save", params, timeout)
    except (HubError, TimeoutError) as exc:
        outcome.advice_problem = _why("advisor", exc)
        cached = result_cache.load(db, "advice")
        if cached is not None and isinstance(cached[1], dict):
            outcome.advice_saved, outcome.advice = cached
        return
    outcome.advice_saved = dt.datetime.now(dt.UTC)
    result_cache.save(db, "advice", outcome.advice)
