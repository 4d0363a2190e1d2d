"""The `fincast` subcommands, one module each: every module here exposes `register(subparsers)`
(adds its parser and sets `func=run`) and `run(args) -> int`; desktop/cli.py finds them by pkgutil.

Shared helpers live here. A command module must import nothing heavy at module level (no Qt, no
model library, not even the ledger): the CLI imports every command module at start-up.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from data.ledger import Ledger


class UserError(Exception):
    """A problem the user can fix; the CLI prints str(e) as one line on stderr and exits 1."""


def add_db_argument(parser: argparse.ArgumentParser) -> None:
    """`--db PATH` on a subcommand (SUPPRESS keeps a top-level `fincast --db X cmd` working)."""
    parser.add_argument(
        "--db",
        type=Path,
        default=argparse.SUPPRESS,
        metavar="PATH",
        help="ledger file (default: the one in your data directory)",
    )


def add_json_argument(parser: argparse.ArgumentParser) -> None:
    """`--json`: print machine-readable results on stdout."""
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")


def open_ledger(args: argparse.Namespace) -> Ledger:
    """The ledger named by --db (or the default one); problems become LedgerError."""
    from data.ledger import Ledger

    return Ledger.open(getattr(args, "db", None))
