"""`fincast transactions`: list the ledger's transactions, newest first, with filters.

--json prints a JSON array (streamed, so a million rows never sit in memory at once) of objects
with id, date (ISO), amount (decimal string), currency, description, payee, account, category,
category_source, confidence, suggestion, categorize_state and batch.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import TYPE_CHECKING, Any

from desktop.commands import add_db_argument, add_json_argument, open_ledger
from desktop.commands._filters import add_filter_arguments, check_account, count_arg, tx_filter

if TYPE_CHECKING:
    from data.ledger import Txn


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the `transactions` command."""
    parser = subparsers.add_parser(
        "transactions", help="list transactions", description=__doc__.split("\n\n")[0]
    )
    add_db_argument(parser)
    add_json_argument(parser)
    add_filter_arguments(parser)
    parser.add_argument("--limit", type=count_arg, metavar="N", help="at most N (default: all)")
    parser.add_argument("--offset", type=count_arg, default=0, metavar="N")
    parser.add_argument(
        "--order",
        default="date_desc",
        choices=("date_desc", "date_asc", "amount_asc", "amount_desc"),
    )
    parser.set_defaults(func=run)


def to_json(txn: Txn) -> dict[str, Any]:
    """The CLI's (and the wire's) JSON shape of one transaction; money as a decimal string."""
    from data.money import format_decimal

    return {
        "id": txn.id,
        "date": txn.date.isoformat(),
        "amount": format_decimal(txn.amount, txn.currency),
        "currency": txn.currency,
        "description": txn.description,
        "payee": txn.payee,
        "account": txn.account,
        "category": txn.category,
        "category_source": txn.category_source,
        "confidence": txn.confidence,
        "suggestion": txn.suggestion,
        "categorize_state": txn.categorize_state,
        "batch": txn.batch_id,
    }


WIDEST = 24  # a longer account or category name pushes its row's later columns out


def run(args: argparse.Namespace) -> int:
    """Print the matching transactions as a table or a JSON array."""
    from data.money import format_decimal

    flt = tx_filter(args)
    out = sys.stdout
    with open_ledger(args) as ledger:
        check_account(ledger, flt)
        # columns as wide as the longest name (to a point), so the table lines up
        account_width = min(max((len(a.name) for a in ledger.accounts()), default=0), WIDEST)
        category_width = min(max((len(c.name) for c in ledger.categories()), default=1), WIDEST)
        page = 5000 if args.limit is None else min(args.limit, 5000)
        offset, left = args.offset, args.limit
        first = True
        if args.json:
            out.write("[")
        while left is None or left > 0:
            txns = ledger.transactions(flt, offset=offset, limit=page, order=args.order)
            if left is not None:
                txns = txns[:left]
                left -= len(txns)
            for txn in txns:
                if args.json:
                    text = json.dumps(to_json(txn), ensure_ascii=False)
                    out.write(text if first else ",\n" + text)
                else:
                    amount = format_decimal(txn.amount, txn.currency)
                    print(
                        f"{txn.date.isoformat()}  {amount:>12} {txn.currency}  "
                        f"{txn.account:<{account_width}}  "
                        f"{txn.category or '-':<{category_width}}  {txn.payee}"
                    )
                first = False
            if len(txns) < page:
                break
            offset += page
        if args.json:
            out.write("]\n")
    return 0
