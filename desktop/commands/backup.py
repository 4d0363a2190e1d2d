"""`fincast backup FILE`: a consistent copy of the whole ledger (accounts, transactions,
categories, rules, import profiles and batches), safe to take while the desktop is open and
writing. The copy is written whole or not at all and is readable by you only.

A backup is itself a ledger file. To look at it, or to carry on from it, open it directly:
`fincast --db FILE` (the desktop) or `fincast transactions --db FILE`. To restore it in place:
close Fincast, move the ledger and any LEDGER-wal and LEDGER-shm files beside it out of the way
(a stale -wal file would be replayed onto the restored copy), then copy FILE to the ledger's
path (the default ledger is ledger.sqlite in Fincast's data directory, e.g.
~/.local/share/Fincast on Linux).
"""

from __future__ import annotations

import argparse
import json

from desktop.commands import add_db_argument, add_json_argument
from desktop.commands._files import add_output_arguments, existing_ledger, output_file


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the `backup` command."""
    parser = subparsers.add_parser(
        "backup",
        help="copy the ledger to a backup file",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_output_arguments(parser, "backup")
    add_db_argument(parser)
    add_json_argument(parser)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Back up the ledger; say where, and what the copy holds."""
    from data.ledger import Ledger

    ledger_path = existing_ledger(args)
    target = output_file(args, ledger_path)
    with Ledger.open(ledger_path) as ledger:
        done = ledger.backup(target, overwrite=args.force)
    if args.json:
        print(
            json.dumps(
                {"file": str(done.path), "transactions": done.transactions, "bytes": done.size},
                ensure_ascii=False,
            )
        )
    else:
        print(
            f"backed up the ledger ({done.transactions} transactions, {done.size:,} bytes) "
            f"to {done.path}; open it with `fincast --db {done.path}`"
        )
    return 0
