"""A ledger connection that notices when another process deleted or replaced its write-ahead log,
and reopens rather than write into a log that nobody else will ever read (audit 8, F1).

How that happens: closing any descriptor of the ledger file in this process drops every POSIX
lock the process holds on it (SQLite's "How To Corrupt Your Database", 2.2; Qt's file dialog did
it). The next other process to close the ledger (a `fincast` command, the import child) then
finds itself alone, checkpoints, and deletes the -wal and -shm; our connections keep the deleted
files open, so every later write is lost and a later read meets a malformed image. A connection
bound to a log has it open, so the log's inode cannot be reused while we compare: a different
(st_dev, st_ino) at the log's path, or none, means it was deleted under us.

SQLite shares its locks and wal-index among all of a process's connections to one file, so one
connection may reopen only when no other connection of this process is still bound to a lost
log: reopened beside one, it shares that log's deleted index and holds no lock (measured: the
next closer deleted the new log too, and the last close wrote the stale index's view back).
Until then it refuses (WalLost) and stays closed; each stale connection lets go at its next use.

Never opens, deletes or renames a file (one os.stat per use); never closes a connection that
another thread might be using.
"""

from __future__ import annotations

import logging
import os
import sqlite3
import threading
import weakref
from collections import Counter
from collections.abc import Callable
from pathlib import Path

from .connection import connect
from .types import LedgerError

log = logging.getLogger(__name__)

FileId = tuple[int, int]  # (st_dev, st_ino)


class WalLost(LedgerError):
    """The write-ahead log was deleted under this process, and another of its connections is
    still bound to it: nothing was written; the next try reopens once that one has let go."""


def _file_id(path: str | Path) -> FileId | None:
    try:
        st = os.stat(path)
    except OSError:  # missing, or no such path (connect says which, in words)
        return None
    return (st.st_dev, st.st_ino)


class _Sharers:
    """This process's open connections to one ledger file, counted by the log each is bound to."""

    def __init__(self, wal: str) -> None:
        self.wal = wal
        self.bound: Counter[FileId | None] = Counter()

    def stale(self) -> int:
        """How many are bound to a log that is no longer the one at the log's path."""
        current = _file_id(self.wal)
        return sum(n for bound, n in self.bound.items() if bound != current)


_lock = threading.Lock()
_files: dict[FileId, _Sharers] = {}


def _release(key: FileId, bound: FileId | None) -> None:
    with _lock:
        sharers = _files[key]
        sharers.bound[bound] -= 1
        if sharers.bound[bound] <= 0:
            del sharers.bound[bound]
        if not sharers.bound:
            del _files[key]


class GuardedConnection:
    """The ledger's connection, checked against its write-ahead log at each use. Use it from one
    thread at a time (as the Ledger that holds it)."""

    def __init__(self, path: Path, on_reopen: Callable[[], None]) -> None:
        self.path = path
        self._on_reopen = on_reopen  # forgets what was read through the old connection
        self._live: sqlite3.Connection | None = None
        self._wal = ""
        self._bound: FileId | None = None
        self._closed = False
        self._release: weakref.finalize[..., GuardedConnection] | None = None
        self._open()

    def current(self) -> sqlite3.Connection:
        """The connection, first reopened if its log was deleted or replaced; inside a
        transaction the one that holds it (a transaction is never moved)."""
        conn = self._live
        if conn is not None and (conn.in_transaction or _file_id(self._wal) == self._bound):
            return conn
        if self._closed:
            raise sqlite3.ProgrammingError("Cannot operate on a closed database.")
        if conn is not None:
            log.warning(
                "another process deleted or replaced the ledger's write-ahead log %s while this "
                "connection had it open (this process's locks on the ledger were lost: a "
                "descriptor of the file was closed); reopening, so that nothing is written into "
                "a deleted log",
                self._wal,
            )
            self._let_go()
        self._open()
        self._on_reopen()
        assert self._live is not None
        return self._live

    def close(self) -> None:
        """Close the connection; it cannot be used afterwards."""
        self._closed = True
        if self._live is not None:
            self._let_go()

    def _let_go(self) -> None:
        assert self._live is not None and self._release is not None
        try:
            self._live.close()
        finally:
            self._live = None
            self._release()

    def _open(self) -> None:
        with _lock:
            key = _file_id(self.path)
            sharers = _files.get(key) if key is not None else None
            if sharers is not None and sharers.stale():
                raise WalLost(
                    f"another program deleted the ledger's write-ahead log ({sharers.wal}) while "
                    f"Fincast had the ledger open; nothing was read or saved this time, so that "
                    f"nothing goes into (or comes from) a deleted log. Try again: Fincast's other "
                    f"connections to the ledger reopen as they are next used"
                )
        conn = connect(self.path)
        try:
            # the name SQLite itself uses (absolute, links resolved): its log is this plus -wal
            name = str(conn.execute("PRAGMA database_list").fetchone()[2])
            key = _file_id(name)
            bound = _file_id(name + "-wal")  # there by now: connect has read the ledger
        except BaseException:
            conn.close()
            raise
        assert key is not None
        with _lock:
            sharers = _files.setdefault(key, _Sharers(name + "-wal"))
            sharers.bound[bound] += 1
        self._live, self._wal, self._bound = conn, name + "-wal", bound
        # a Ledger dropped without close() still lets go of its count
        self._release = weakref.finalize(self, _release, key, bound)
