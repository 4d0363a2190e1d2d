"""`fincast forecast`: monthly spending per category, total spending and net cash flow for the next
months, each with its 80% band, the method the backtest chose and how it compared to naive.

Starts a hub with just the forecaster, asks, prints, stops. When the forecaster cannot answer it
shows the last forecast with its date, or says why there is none.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from desktop.commands import UserError, add_db_argument, add_json_argument, open_ledger


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the `forecast` command."""
    parser = subparsers.add_parser(
        "forecast", help="forecast spending and net cash flow", description=__doc__
    )
    parser.add_argument(
        "--months", type=int, default=3, metavar="N", help="months ahead (1-24, default 3)"
    )
    add_db_argument(parser)
    add_json_argument(parser)
    parser.set_defaults(func=run)


def series_name(series: dict[str, Any]) -> str:
    """How a series is listed: its category, "All spending" or "Net cash flow"."""
    if series.get("kind") == "net":
        return "Net cash flow"
    return series.get("category") or "All spending"


def _skill(series: dict[str, Any]) -> str:
    backtest = series.get("backtest")
    if not backtest:
        return "not backtested"
    skill = float(backtest.get("skill_vs_naive", 0.0))
    naive = backtest.get("naive_method", "naive")
    if skill > 0:
        return f"{skill:.0%} better than {naive}"
    return f"as good as {naive}" if skill == 0 else f"{-skill:.0%} worse than {naive}"


def print_forecast(forecast: dict[str, Any], currency: str) -> None:
    """The forecast as a table: next month's value and band per series, then the notes."""
    series = forecast.get("series", [])
    rows = []
    for s in series:
        points = s.get("points") or []
        if not points:
            rows.append((series_name(s), "-", "-", s.get("method", ""), s.get("note") or ""))
            continue
        p = points[0]
        rows.append(
            (
                series_name(s),
                f"{p['yhat']:,.2f}",
                f"{p['lower']:,.2f} .. {p['upper']:,.2f}",
                str(s.get("method", "")),
                _skill(s),
            )
        )
    first = forecast.get("first_month", "")
    print(f"Forecast for {first} in {currency} (80% band); method chosen by backtest:")
    header = ("series", "expected", "80% band", "method", "backtest")
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(5)]
    for row in [header, *rows]:
        print(
            "  ".join(
                str(v).ljust(w) if i in (0, 3, 4) else str(v).rjust(w)
                for i, (v, w) in enumerate(zip(row, widths, strict=True))
            ).rstrip()
        )
    for note in forecast.get("notes", []):
        print(f"note: {note}")
    for s in series:
        if s.get("note"):
            print(f"note ({series_name(s)}): {s['note']}")


def run(args: argparse.Namespace) -> int:
    """Forecast and print."""
    if not 1 <= args.months <= 24:
        raise UserError("--months must be between 1 and 24")
    from desktop.commands._services import forecast_outcome

    with open_ledger(args) as ledger:
        outcome = forecast_outcome(ledger, ("forecaster",), with_advice=False, months=args.months)
    if args.json:
        print(json.dumps(outcome.to_json(), ensure_ascii=False))
        return 0 if outcome.forecast is not None or outcome.fresh else 1
    if outcome.forecast is None:
        raise UserError(outcome.forecast_problem or "no forecast")
    if not outcome.fresh and outcome.forecast_saved is not None:
        print(
            f"{outcome.forecast_problem}; showing the forecast from "
            f"{outcome.forecast_saved:%Y-%m-%d %H:%M} UTC",
            file=sys.stderr,
        )
    print_forecast(outcome.forecast, outcome.currency)
    for note in outcome.notes:
        print(f"note: {note}")
    return 0
