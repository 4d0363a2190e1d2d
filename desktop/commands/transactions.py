"""`fincast transactions`: list the ledger's transactions, newest first, with filters.

--json prints a JSON array (streamed, so a million rows never sit in memory at once) of objects
with id, date (ISO), amount (decimal string), currency, description, payee, account, category,
category_source, confidence, suggestion, categorize_state and batch.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from typing import TYPE_CHECKING, Any

from desktop.commands import UserError, add_db_argument, add_json_argument, open_ledger

if TYPE_CHECKING:
    from data.ledger import Txn


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text!r}") from None


def _fraction(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not 0.0 <= value <= 1.0:
        raise argparse.ArgumentTypeError(f"not a confidence between 0 and 1: {text!r}")
    return value


def _count(text: str) -> int:
    if not text.isdigit():
        raise argparse.ArgumentTypeError(f"not a whole number >= 0: {text!r}")
    return int(text)


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the `transactions` command."""
    parser = subparsers.add_parser(
        "transactions", help="list transactions", description=__doc__.split("\n\n")[0]
    )
    add_db_argument(parser)
    add_json_argument(parser)
    parser.add_argument("--account", metavar="NAME")
    parser.add_argument("--from", dest="date_from", type=_date, metavar="DATE")
    parser.add_argument("--to", dest="date_to", type=_date, metavar="DATE")
    parser.add_argument(
        "--search",
        "--text",
        dest="text",
        metavar="TEXT",
        help="substring of the description or payee (case-insensitive)",
    )
    parser.add_argument("--category", metavar="NAME")
    parser.add_argument("--uncategorized", action="store_true")
    parser.add_argument(
        "--low-confidence",
        type=_fraction,
        metavar="T",
        help="model categories with confidence below T",
    )
    parser.add_argument("--batch", type=_count, metavar="ID")
    parser.add_argument("--pending", action="store_true", help="waiting for the categorizer")
    parser.add_argument("--limit", type=_count, metavar="N", help="at most N (default: all)")
    parser.add_argument("--offset", type=_count, default=0, metavar="N")
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


def run(args: argparse.Namespace) -> int:
    """Print the matching transactions as a table or a JSON array."""
    from data.ledger import TxFilter
    from data.money import format_decimal

    if args.date_from and args.date_to and args.date_from > args.date_to:
        raise UserError("--from is after --to")
    flt = TxFilter(
        account=args.account,
        date_from=args.date_from,
        date_to=args.date_to,
        text=args.text,
        category=args.category,
        uncategorized=args.uncategorized,
        low_confidence=args.low_confidence,
        batch_id=args.batch,
        categorize_state="pending" if args.pending else None,
    )
    out = sys.stdout
    with open_ledger(args) as ledger:
        if args.account is not None and ledger.account(args.account) is None:
            raise UserError(f"no account named {args.account!r} (see `fincast accounts`)")
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
                        f"{txn.date.isoformat()}  {amount:>12} {txn.currency}  {txn.account}  "
                        f"{txn.category or '-':<20}  {txn.payee}"
                    )
                first = False
            if len(txns) < page:
                break
            offset += page
        if args.json:
            out.write("]\n")
    return 0
