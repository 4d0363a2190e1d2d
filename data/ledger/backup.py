"""A consistent copy of the ledger through SQLite's online backup API, safe while another
connection (the desktop) writes: the copy is one snapshot, taken in a single backup step, so it
never holds half of an import, and in WAL mode the writer is not held up by it.

The copy is a complete ledger file (0600 like the ledger, written beside its target and renamed
over it when complete): restoring is opening it, `fincast --db BACKUP`, or copying it over the
ledger while Fincast is closed. Never writes to the ledger it copies.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from pathlib import Path

from .atomic import check_target, replacing
from .types import LedgerError


@dataclass(frozen=True)
class BackupInfo:
    """A finished backup: where it is, how many transactions it holds, its size in bytes."""

    path: Path
    transactions: int
    size: int


def backup(
    source: sqlite3.Connection, ledger: Path, target: Path, *, overwrite: bool
) -> BackupInfo:
    """Copy the database behind `source` (the ledger at `ledger`) to `target`."""
    if source.in_transaction:
        # the copy would hold this connection's uncommitted writes
        raise LedgerError("cannot back up the ledger inside one of its own transactions")
    path = check_target(target, overwrite=overwrite, ledger=ledger)
    with replacing(path, overwrite=overwrite) as temp:
        copy = sqlite3.connect(temp)
        try:
            # pages=-1: every page in one step, so one read transaction on the source (a backup
            # in several steps starts again whenever another connection writes in between)
            source.backup(copy, pages=-1)
            # the copy leaves WAL mode, so that it is one self-contained file (a WAL-mode copy
            # would leave -wal and -shm files beside its temporary name)
            copy.execute("PRAGMA journal_mode = DELETE")
            ok = copy.execute("PRAGMA quick_check").fetchone()[0]
            held = int(copy.execute("SELECT count(*) FROM transactions").fetchone()[0])
        except sqlite3.Error as exc:
            raise LedgerError(f"could not back up the ledger to {path}: {exc}") from exc
        finally:
            copy.close()
        if ok != "ok":
            raise LedgerError(f"the backup at {path} failed its check ({ok}); nothing was written")
    return BackupInfo(path, held, path.stat().st_size)
