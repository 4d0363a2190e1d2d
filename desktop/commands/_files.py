"""What `fincast export` and `fincast backup` share: the ledger they read must already exist
(opening a missing one would create it, and a backup of nothing is no backup), and the file they
write is checked before any work starts.

Like every command module, imports nothing heavy at module level.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from desktop.commands import UserError


def existing_ledger(args: argparse.Namespace) -> Path:
    """The ledger file named by --db (or the default one), refused if there is none."""
    from data import paths

    db = getattr(args, "db", None)
    path = Path(db).expanduser() if db is not None else paths.default_ledger()
    if not path.exists():
        raise UserError(f"there is no ledger at {path} (give one with --db PATH)")
    return path


def output_file(args: argparse.Namespace, ledger: Path) -> Path:
    """FILE made absolute, after refusing an empty name, a folder, a missing or unwritable
    folder, the ledger itself, and an existing file unless --force."""
    from data.ledger.atomic import check_target

    return check_target(Path(args.file), overwrite=args.force, ledger=ledger)


def add_output_arguments(parser: argparse.ArgumentParser, what: str) -> None:
    """FILE and --force."""
    parser.add_argument("file", metavar="FILE", help=f"where to write the {what}")
    parser.add_argument(
        "--force", action="store_true", help="replace FILE if it exists (only once complete)"
    )
