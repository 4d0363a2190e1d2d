"""`fincast accounts`: list accounts with their currency, transaction count and ledger balance;
`fincast accounts add NAME [--currency EUR]` creates one ahead of its first import."""

from __future__ import annotations

import argparse
import json
from typing import Any

from desktop.commands import UserError, add_db_argument, add_json_argument, open_ledger


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the `accounts` command."""
    parser = subparsers.add_parser("accounts", help="list or add accounts", description=__doc__)
    parser.add_argument("action", nargs="?", choices=("list", "add"), default="list")
    parser.add_argument("name", nargs="?", metavar="NAME", help="account name (for add)")
    parser.add_argument("--currency", default="USD", metavar="CODE", help="for add (default USD)")
    add_db_argument(parser)
    add_json_argument(parser)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """List (or add) accounts."""
    from data.ledger import TxFilter
    from data.money import format_decimal

    with open_ledger(args) as ledger:
        if args.action == "add":
            if not args.name:
                raise UserError("give the new account's name: fincast accounts add NAME")
            if ledger.account(args.name) is not None:
                raise UserError(f"an account named {args.name!r} already exists")
            ledger.ensure_account(args.name, args.currency)
        balances = ledger.account_balances()
        foreign = ledger.foreign_rows()
        rows: list[dict[str, Any]] = [
            {
                "name": a.name,
                "currency": a.currency,
                "transactions": ledger.count(TxFilter(account=a.name)),
                "balance": format_decimal(balances[a.name][0], a.currency),
                # rows in other currencies, left out of the balance: {currency: count}
                "other_currencies": foreign.get(a.name, {}),
            }
            for a in ledger.accounts()
        ]
    if args.json:
        print(json.dumps(rows, ensure_ascii=False))
    elif not rows:
        print("no accounts yet: `fincast import FILE --account NAME` creates one")
    else:
        width = max(len(r["name"]) for r in rows)
        for r in rows:
            others = ", ".join(f"{n} in {c}" for c, n in r["other_currencies"].items())
            print(
                f"{r['name']:<{width}}  {r['currency']}  {r['balance']:>14}  "
                f"{r['transactions']} transactions"
                + (f" ({others} not in the balance)" if others else "")
            )
    return 0
