"""A ledger connection that keeps its write-ahead log from being deleted under it where it can,
and otherwise notices, and reopens rather than write into a log nobody will read (audit 8, F1).

How that happens: closing any descriptor of the ledger file in this process drops every POSIX
lock the process holds on it (SQLite's "How To Corrupt Your Database", 2.2; Qt's file dialog did
it). The next other process to close the ledger (a `fincast` command, the import child) then
finds itself alone, checkpoints, and deletes the -wal and -shm; our connections keep the deleted
files open, so every later write is lost and a later read meets a malformed image.

Prevention: while this process has a connection to the file, it also holds its shared lock as
an OFD lock, which no close drops (sharedlock.py; Linux). Detection, where that cannot be
(macOS, file systems without OFD locks): a connection bound to a log has it open, so the log's
inode cannot be reused; a different (st_dev, st_ino) at the log's path, or none, at a use
outside a transaction (one os.stat) means it was deleted under us, and the connection reopens.

SQLite shares its locks and wal-index among all of a process's connections to one file, so one
connection may reopen only when no other connection of this process is still bound to a lost
log: reopened beside one, it shares that log's deleted index and holds no lock (measured: the
next closer deleted the new log too, and a later read failed with "disk I/O error"). Until
then it refuses (WalLost) and stays closed; each stale connection lets go at its next use.

Never deletes or renames a file; never closes a connection that another thread might be using.
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
from .sharedlock import SharedLock
from .types import LedgerError

log = logging.getLogger(__name__)

FileId = tuple[int, int]  # (st_dev, st_ino)


class WalLost(LedgerError):
    """The write-ahead log was deleted under this process, and another of its connections is
    still bound to it: nothing was read or written; a later try reopens once that one let go."""


def _file_id(path: str | Path) -> FileId | None:
    try:
        st = os.stat(path)
    except OSError:  # missing, or no such path (connect says which, in words)
        return None
    return (st.st_dev, st.st_ino)


class _Sharers:
    """This process's open connections to one ledger file, counted by the log each is bound to,
    and the shared lock they hold together."""

    def __init__(self, db: str) -> None:
        self.wal = db + "-wal"
        self.bound: Counter[FileId | None] = Counter()
        self.lock = SharedLock(db)

    def stale(self) -> int:
        """How many are bound to a log that is no longer the one at the log's path."""
        current = _file_id(self.wal)
        return sum(n for bound, n in self.bound.items() if bound != current)


# Held while a connection opens and registers, and while the last one closes and its shared
# lock ends: that end closes a descriptor of the file, which would drop the POSIX locks of a
# connection opened meanwhile.
_lock = threading.Lock()
_files: dict[FileId, _Sharers] = {}
# connections dropped without close(), counted out at the next open or close: a finalizer may
# run inside any allocation, even one made while this thread holds _lock
_forgotten: list[tuple[FileId, FileId | None]] = []


def _count_out(key: FileId, bound: FileId | None) -> _Sharers | None:
    """One connection fewer (under _lock); the file's sharers if it was the last one."""
    sharers = _files.get(key)
    if sharers is None:
        return None
    sharers.bound[bound] -= 1
    if sharers.bound[bound] <= 0:
        del sharers.bound[bound]
    return _files.pop(key) if not sharers.bound else None


def _settle_forgotten() -> None:
    """Count out the connections dropped without close() (under _lock; SQLite closed them)."""
    while _forgotten:
        gone = _count_out(*_forgotten.pop())
        if gone is not None:
            gone.lock.close()


class GuardedConnection:
    """The ledger's connection, checked against its write-ahead log at each use. Use it from one
    thread at a time (as the Ledger that holds it)."""

    def __init__(self, path: Path, on_reopen: Callable[[], None]) -> None:
        self.path = path
        self._on_reopen = on_reopen  # forgets what was read through the old connection
        self._live: sqlite3.Connection | None = None
        self._key: FileId = (0, 0)
        self._wal = ""
        self._bound: FileId | None = None
        self._closed = False
        self._forget: weakref.finalize[..., GuardedConnection] | None = None
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
        conn, self._live = self._live, None
        assert conn is not None and self._forget is not None
        self._forget.detach()
        with _lock:
            _settle_forgotten()
            gone = _count_out(self._key, self._bound)
            try:
                if gone is not None:
                    gone.lock.release()  # so that the last close may checkpoint and tidy up
                conn.close()
            finally:
                if gone is not None:
                    gone.lock.close()  # after that close: closing it drops SQLite's locks too

    def _open(self) -> None:
        with _lock:
            _settle_forgotten()
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
                # the name SQLite itself uses (absolute, links resolved): its log is this + -wal
                name = str(conn.execute("PRAGMA database_list").fetchone()[2])
                key = _file_id(name)
                bound = _file_id(name + "-wal")  # there by now: connect has read the ledger
                assert key is not None
                sharers = _files.get(key)
                if sharers is None:
                    sharers = _files[key] = _Sharers(name)
            except BaseException:
                conn.close()
                raise
            sharers.bound[bound] += 1
        self._live, self._key, self._wal, self._bound = conn, key, name + "-wal", bound
        self._forget = weakref.finalize(self, _forgotten.append, (key, bound))
