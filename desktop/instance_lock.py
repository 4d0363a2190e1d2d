"""One desktop window per ledger: a second `fincast` on the same ledger says where it is open.

Two windows on one ledger would each run a categorize pump, a text-index catch-up and their own
sidecars over the same rows, and each would show the other's edits only on its next read. SQLite
keeps the file consistent either way; this keeps the person from wondering which window is true.
The command line is not locked out: it may import or list while the window is open (WAL).

QLockFile writes the holder's pid, host and program name into `<ledger>.lock`; a lock left by a
process that died (even by SIGKILL) is recognised as stale and taken over. Qt's advice for
long-held locks: no stale time, and tryLock with a short timeout.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QLockFile

WAIT_MS = 200  # a window that is just closing lets go within this


class LedgerInUse(Exception):
    """Another live process holds the ledger's window lock; str() says which."""


def lock_path(db: Path) -> Path:
    return db.with_name(db.name + ".lock")


def claim(db: Path) -> QLockFile | None:
    """Hold `db`'s window lock until the returned object is unlocked or collected.

    Raises LedgerInUse when another live process holds it. None when no lock can be made at all
    (a read-only folder): the window opens unguarded rather than not at all."""
    lock = QLockFile(str(lock_path(db)))
    lock.setStaleLockTime(0)  # stale only when its process is gone, never by age
    if lock.tryLock(WAIT_MS):
        return lock
    if lock.error() != QLockFile.LockError.LockFailedError:
        return None  # PermissionError or UnknownError: nothing to guard with
    try:
        pid, host, _program = lock.getLockInfo()
        holder = f" (process {pid} on {host})"
    except (TypeError, ValueError):  # no readable info: say what is known
        holder = ""
    raise LedgerInUse(
        f"the ledger {db} is already open in another Fincast window{holder}; "
        "switch to that window, or close it first"
    )
