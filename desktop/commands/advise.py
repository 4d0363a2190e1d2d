"""`fincast advise`: a cautious amount that is safe to set aside this month, with its reasons.

Starts a hub with the forecaster, the insights and the advisor, asks the forecaster (and the
insights for the regular payments due), then the advisor with the net cash-flow forecast, as the
window's Forecast page does; prints the amount, the reasons, the warnings and what the advice had
to leave out, and stops them. Without a fresh forecast the advisor is not asked, and it says why.
Never investment advice.
"""

from __future__ import annotations

import argparse
import json
import sys

from desktop.commands import UserError, add_db_argument, add_json_argument, open_ledger


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the `advise` command."""
    parser = subparsers.add_parser(
        "advise", help="how much is safe to set aside this month", description=__doc__
    )
    add_db_argument(parser)
    add_json_argument(parser)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Forecast, advise, print."""
    from desktop.commands._services import forecast_outcome

    with open_ledger(args) as ledger:
        outcome = forecast_outcome(ledger, ("forecaster", "insights", "advisor"), with_advice=True)
    if args.json:
        print(json.dumps(outcome.to_json(), ensure_ascii=False))
        return 0 if outcome.advice is not None else 1
    advice = outcome.advice
    if advice is None:
        raise UserError(outcome.advice_problem or "no advice")
    if outcome.advice_problem:  # an earlier answer, shown because the advisor is down now
        saved = f" from {outcome.advice_saved:%Y-%m-%d %H:%M} UTC" if outcome.advice_saved else ""
        print(f"{outcome.advice_problem}; showing the earlier answer{saved}", file=sys.stderr)
    label = advice.get("confidence_label") or advice.get("confidence")
    amount = f"{advice['amount']} {advice['currency']}"
    print(f"Safe to set aside this month: {amount} (confidence: {label})")
    for reason in advice.get("reasons", []):
        print(f"  - {reason}")
    for warning in advice.get("warnings", []):
        print(f"warning: {warning}")
    for note in outcome.advice_notes:  # e.g. regular payments not reserved: the figure is higher
        print(f"note: {note}")
    return 0
