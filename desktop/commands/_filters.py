"""The transaction filter options that `fincast transactions` and `fincast export` share
(--account, --from, --to, --text, --category, ...), parsed once into a TxFilter.

Like every command module, imports nothing heavy at module level (the ledger only inside calls).
"""

from __future__ import annotations

import argparse
import datetime as dt
from decimal import Decimal
from typing import TYPE_CHECKING

from desktop.amount_query import AmountQueryError
from desktop.amount_query import size as amount_size
from desktop.commands import UserError

if TYPE_CHECKING:
    from data.ledger import Ledger, TxFilter


def date_arg(text: str) -> dt.date:
    """An ISO date (YYYY-MM-DD), or argparse's error."""
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text!r}") from None


def fraction_arg(text: str) -> float:
    """A number from 0 to 1, or argparse's error."""
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not 0.0 <= value <= 1.0:
        raise argparse.ArgumentTypeError(f"not a confidence between 0 and 1: {text!r}")
    return value


def size_arg(text: str) -> Decimal:
    """An amount's size: a plain decimal >= 0 ("49.99", "1200"), or argparse's error."""
    try:
        return amount_size(text)
    except AmountQueryError:
        raise argparse.ArgumentTypeError(
            f"not an amount's size (a number without a sign, e.g. 49.99): {text!r}"
        ) from None


def count_arg(text: str) -> int:
    """A whole number >= 0, or argparse's error."""
    if not text.isdigit():
        raise argparse.ArgumentTypeError(f"not a whole number >= 0: {text!r}")
    return int(text)


def add_filter_arguments(parser: argparse.ArgumentParser) -> None:
    """The filter options, each narrowing the transactions a command works on."""
    parser.add_argument("--account", metavar="NAME")
    parser.add_argument("--from", dest="date_from", type=date_arg, metavar="DATE")
    parser.add_argument("--to", dest="date_to", type=date_arg, metavar="DATE")
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
        type=fraction_arg,
        metavar="T",
        help="model categories with confidence below T",
    )
    parser.add_argument(
        "--amount",
        type=size_arg,
        metavar="SIZE",
        help="amounts of exactly this size, money in or out (49.99 finds -49.99 and 49.99)",
    )
    parser.add_argument(
        "--amount-from", type=size_arg, metavar="SIZE", help="amounts this size or more"
    )
    parser.add_argument(
        "--amount-to", type=size_arg, metavar="SIZE", help="amounts this size or less"
    )
    parser.add_argument("--batch", type=count_arg, metavar="ID")
    parser.add_argument("--pending", action="store_true", help="waiting for the categorizer")


def tx_filter(args: argparse.Namespace) -> TxFilter:
    """The TxFilter the options describe; a range that ends before it starts is refused."""
    from data.ledger import TxFilter

    if args.date_from and args.date_to and args.date_from > args.date_to:
        raise UserError("--from is after --to")
    low, high = args.amount_from, args.amount_to
    if args.amount is not None:
        if low is not None or high is not None:
            raise UserError("give --amount, or --amount-from and --amount-to, not both")
        low = high = args.amount
    if low is not None and high is not None and low > high:
        raise UserError("--amount-from is more than --amount-to")
    return TxFilter(
        account=args.account,
        date_from=args.date_from,
        date_to=args.date_to,
        text=args.text,
        category=args.category,
        uncategorized=args.uncategorized,
        low_confidence=args.low_confidence,
        batch_id=args.batch,
        categorize_state="pending" if args.pending else None,
        amount_from=low,
        amount_to=high,
    )


def check_account(ledger: Ledger, flt: TxFilter) -> None:
    """Refuse a filter naming an account the ledger does not have (almost always a typo)."""
    if flt.account is not None and ledger.account(flt.account) is None:
        raise UserError(f"no account named {flt.account!r} (see `fincast accounts`)")
