"""`fincast undo BATCH`: remove one import (a batch) and every transaction it added.

`fincast undo --list` shows the batches that can be undone.
"""

from __future__ import annotations

import argparse
import json

from desktop.commands import UserError, add_db_argument, add_json_argument, open_ledger


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the `undo` command."""
    parser = subparsers.add_parser("undo", help="undo an import batch", description=__doc__)
    parser.add_argument("batch", nargs="?", metavar="BATCH", help="batch id printed by import")
    parser.add_argument("--list", action="store_true", help="list the import batches")
    add_db_argument(parser)
    add_json_argument(parser)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Undo the batch, or list batches."""
    if args.list:
        with open_ledger(args) as ledger:
            batches = ledger.batches()
        if args.json:
            print(json.dumps([b.__dict__ for b in batches], ensure_ascii=False))
        for b in [] if args.json else batches:
            print(
                f"{b.id:>6}  {b.created}  {b.account}  {b.file_name}  "
                f"imported {b.imported}, duplicates {b.duplicates}"
            )
        return 0
    if args.batch is None:
        raise UserError("which batch? give its id (see `fincast undo --list`)")
    try:
        batch_id = int(args.batch)
    except ValueError:
        raise UserError(f"not a batch id: {args.batch!r} (see `fincast undo --list`)") from None
    with open_ledger(args) as ledger:
        removed = ledger.undo_batch(batch_id)
    if args.json:
        print(json.dumps({"batch": batch_id, "removed": removed}))
    else:
        print(f"batch {batch_id} undone: removed {removed} transactions")
    return 0
