"""`fincast export FILE`: write transactions to a CSV file, oldest first, with the same filters
as `fincast transactions` (--account, --from, --to, --category, --text, ...).

Columns: date, account, description (as imported), vendor (the payee), amount (exact decimal,
e.g. -12.50), currency, category, category_source. UTF-8, one header row. The file is written
whole or not at all, readable by you only, and FILE is never replaced unless --force is given.
An export of one account imports back with
`fincast import FILE --account NAME --currency CODE` (--currency: for a new account).
"""

from __future__ import annotations

import argparse
import json

from desktop.commands import add_db_argument, add_json_argument
from desktop.commands._files import add_output_arguments, existing_ledger, output_file
from desktop.commands._filters import add_filter_arguments, check_account, tx_filter


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the `export` command."""
    parser = subparsers.add_parser(
        "export",
        help="export transactions to a CSV file",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_output_arguments(parser, "CSV file")
    add_db_argument(parser)
    add_json_argument(parser)
    add_filter_arguments(parser)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Export the matching transactions; say how many went where."""
    from data.ledger import Ledger

    ledger_path = existing_ledger(args)
    target = output_file(args, ledger_path)
    flt = tx_filter(args)
    with Ledger.open(ledger_path) as ledger:
        check_account(ledger, flt)
        written = ledger.export_csv(target, flt, overwrite=args.force)
    if args.json:
        print(json.dumps({"exported": written, "file": str(target)}, ensure_ascii=False))
    else:
        print(f"exported {written} transactions to {target}")
    return 0
