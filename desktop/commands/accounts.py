"""`fincast accounts`: list accounts with their currency, transaction count and balance (as the
last statement stated it, as the Dashboard shows it; the rows' sum where no statement states one);
`fincast accounts add NAME [--currency EUR]` creates one ahead of its first import;
`fincast accounts rename OLD NEW` renames one (never onto an existing account: they may hold
different currencies); `fincast accounts delete NAME [--with-transactions]` deletes one, with its
transactions and imports only when asked (that cannot be undone)."""

from __future__ import annotations

import argparse
import json
from typing import Any

from desktop.commands import UserError, add_db_argument, add_json_argument, open_ledger


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the `accounts` command."""
    parser = subparsers.add_parser("accounts", help="list or add accounts", description=__doc__)
    parser.add_argument(
        "action", nargs="?", choices=("list", "add", "rename", "delete"), default="list"
    )
    parser.add_argument("name", nargs="?", metavar="NAME", help="account name (OLD for rename)")
    parser.add_argument("new", nargs="?", metavar="NEW", help="the new name (for rename)")
    parser.add_argument("--currency", default="USD", metavar="CODE", help="for add (default USD)")
    parser.add_argument(
        "--with-transactions",
        action="store_true",
        help="for delete: delete the account's transactions and imports too (no undo)",
    )
    add_db_argument(parser)
    add_json_argument(parser)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """List (or add) accounts."""
    from data.money import format_decimal
    from desktop.balances import account_balances

    if args.with_transactions and args.action != "delete":
        raise UserError("--with-transactions goes with delete: fincast accounts delete NAME")
    if args.action in ("rename", "delete"):
        return _tidy(args)
    if args.new is not None:
        raise UserError(f"unexpected {args.new!r}: only rename takes a second name")
    with open_ledger(args) as ledger:
        if args.action == "add":
            if not args.name:
                raise UserError("give the new account's name: fincast accounts add NAME")
            if ledger.account(args.name) is not None:
                raise UserError(f"an account named {args.name!r} already exists")
            ledger.ensure_account(args.name, args.currency)
        balances = account_balances(ledger)
        foreign = ledger.foreign_rows()
        rows: list[dict[str, Any]] = [
            {
                "name": a.name,
                "currency": a.currency,
                "transactions": a.transactions,
                "balance": format_decimal(balances[a.name].balance, a.currency),
                # the sum of the imported rows, and the balance the statements stated (or null)
                "rows_balance": format_decimal(balances[a.name].rows, a.currency),
                "stated_balance": _decimal(balances[a.name].stated, a.currency),
                # rows in other currencies, left out of the balance: {currency: count}
                "other_currencies": foreign.get(a.name, {}),
            }
            for a in ledger.account_usage()
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
                + _why(r)
            )
    return 0


def _decimal(minor: int | None, currency: str) -> str | None:
    from data.money import format_decimal

    return None if minor is None else format_decimal(minor, currency)


def _why(row: dict[str, Any]) -> str:
    """Why the balance is not the rows' sum, when it is not: the statements say the account held
    money before its first imported row (or a statement's running balance disagrees with its
    amounts), and the bank's figure is the one its owner checks against."""
    if row["stated_balance"] is None or row["stated_balance"] == row["rows_balance"]:
        return ""
    return (
        f"; balance as stated on the last statement (the imported rows sum to"
        f" {row['rows_balance']}; the rest is what it held before the first of them)"
    )


def _tidy(args: argparse.Namespace) -> int:
    """Rename or delete an account of an existing ledger; one line (or JSON object) says what."""
    from data.ledger import Ledger, LedgerError, TxFilter
    from desktop.commands._files import existing_ledger

    if not args.name or (args.action == "rename") != (args.new is not None):
        usage = "rename OLD NEW" if args.action == "rename" else "delete NAME [--with-transactions]"
        raise UserError(f"usage: fincast accounts {usage}")
    with Ledger.open(existing_ledger(args)) as ledger:
        try:
            if args.action == "rename":
                change = ledger.rename_account(args.name, args.new)
                result: dict[str, Any] = {"old": change.old, "new": change.new}
                line = f"renamed the account {change.old!r} to {change.new!r}"
            else:
                found = ledger.account(args.name)
                n = ledger.count(TxFilter(account=found.name)) if found is not None else 0
                if found is not None and n and not args.with_transactions:
                    raise UserError(
                        f"the account {found.name!r} has {n} transaction{'s' if n != 1 else ''}; "
                        "--with-transactions deletes them with it (no undo: "
                        "`fincast backup FILE` keeps a copy first)"
                    )
                gone = ledger.delete_account(args.name, with_transactions=args.with_transactions)
                result = {
                    "deleted": gone.name,
                    "transactions": gone.transactions,
                    "batches": gone.batches,
                    "profiles": gone.profiles,
                    "rules": gone.rules,
                }
                line = (
                    f"deleted the account {gone.name!r} with {gone.transactions} transactions, "
                    f"{gone.batches} imports and {gone.rules} rules limited to it"
                )
        except LedgerError as exc:
            raise UserError(str(exc)) from None
    print(json.dumps(result, ensure_ascii=False) if args.json else line)
    return 0
