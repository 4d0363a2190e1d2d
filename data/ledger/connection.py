"""Opening a ledger file safely: created 0600 before SQLite touches it, WAL, foreign keys, and a
refusal (not a crash) for directories, foreign files and databases from another application.

Never opens anything but the path it is given; never deletes or rewrites a file it did not create.
"""

from __future__ import annotations

import os
import sqlite3
import time
from pathlib import Path

from .schema import migrate
from .types import LedgerError

# "FCst" in ASCII: marks the file as a Fincast ledger (PRAGMA application_id).
APPLICATION_ID = 0x46437374
BUSY_MS = 5000  # how long a write waits for another connection's write to end


def contains_text(description: str, payee: str, needle: str) -> bool:
    """Whether lower-cased `needle` is in `description` or `payee`, case-insensitively: the text
    filter for rows the text index does not hold yet (SQL function fincast_contains)."""
    return needle in description.lower() or needle in payee.lower()


def _create_private(path: Path) -> None:
    """Create `path` empty with mode 0600 so that the ledger is never briefly world-readable."""
    try:
        if not path.parent.is_dir():
            path.parent.mkdir(parents=True, mode=0o700)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        if path.exists():  # created by someone else meanwhile: open it as usual
            return
        raise LedgerError(f"cannot create the ledger {path}: a parent is not a directory") from None
    except PermissionError as exc:
        raise LedgerError(f"cannot create the ledger {path}: permission denied") from exc
    except OSError as exc:
        raise LedgerError(f"cannot create the ledger {path}: {exc.strerror or exc}") from exc
    os.close(fd)


def connect(path: Path) -> sqlite3.Connection:
    """An autocommit connection to the ledger at `path`, migrated to the newest schema."""
    if path.is_dir():
        raise LedgerError(f"{path} is a directory, not a ledger file")
    created = not path.exists()
    if created:
        _create_private(path)
    elif not os.access(path, os.R_OK | os.W_OK):
        raise LedgerError(f"cannot open the ledger {path}: permission denied")
    try:
        # isolation_level=None: we issue BEGIN/COMMIT ourselves, so a transaction is exactly
        # what the code says; check_same_thread=False lets a worker thread own the ledger.
        conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    except sqlite3.Error as exc:
        raise LedgerError(f"cannot open the ledger {path}: {exc}") from exc
    try:
        _check_ours(conn, path)
        conn.execute(f"PRAGMA busy_timeout = {BUSY_MS}")
        conn.create_function("fincast_contains", 3, contains_text, deterministic=True)
        mode = _enter_wal(conn)
        if str(mode).lower() != "wal":
            raise LedgerError(f"cannot open the ledger {path}: write-ahead logging unavailable")
        conn.execute("PRAGMA synchronous = NORMAL")  # safe with WAL: a crash loses no commit
        conn.execute("PRAGMA foreign_keys = ON")
        conn.execute("PRAGMA temp_store = MEMORY")
        # 16 MiB of page cache: a 1M-row import peaked at 167 MB RSS with 64 MiB and at 74 MB with
        # 16 MiB, using no more CPU; listing reads are served by the OS page cache either way
        conn.execute("PRAGMA cache_size = -16384")
        if conn.execute("PRAGMA application_id").fetchone()[0] == 0:
            conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
        migrate(conn)
    except sqlite3.DatabaseError as exc:
        conn.close()
        raise LedgerError(f"cannot use the ledger {path}: {exc}") from exc
    except BaseException:
        conn.close()
        raise
    return conn


def _enter_wal(conn: sqlite3.Connection) -> str:
    """Switch to write-ahead logging (a no-op once the file is in WAL); returns the mode.

    Switching a new file needs its exclusive lock, and SQLite answers "database is locked" at
    once, without the busy handler, when another connection opening the same new ledger holds
    a lock meanwhile (the desktop opens five lanes at once): so wait here, as busy_timeout would.
    """
    deadline = time.monotonic() + BUSY_MS / 1000
    while True:
        try:
            return str(conn.execute("PRAGMA journal_mode = WAL").fetchone()[0])
        except sqlite3.OperationalError as exc:
            if exc.sqlite_errorcode != sqlite3.SQLITE_BUSY or time.monotonic() > deadline:
                raise
            time.sleep(0.002)


def _check_ours(conn: sqlite3.Connection, path: Path) -> None:
    """Refuse files that are not SQLite, and SQLite databases that belong to something else."""
    try:
        # one statement, so one snapshot: read apart, another connection opening the same new
        # ledger could stamp and migrate it in between (id 0 read before, tables after), and
        # the file was refused as another application's (the desktop opens five lanes at once)
        app_id, tables = conn.execute(
            "SELECT (SELECT application_id FROM pragma_application_id), "
            "(SELECT count(*) FROM sqlite_master)"
        ).fetchone()
    except sqlite3.DatabaseError as exc:
        raise LedgerError(f"{path} is not a Fincast ledger (not an SQLite database)") from exc
    if app_id not in (0, APPLICATION_ID) or (app_id == 0 and tables > 0):
        raise LedgerError(
            f"{path} is an SQLite database of another application, not a Fincast ledger"
        )
