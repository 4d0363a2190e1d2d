"""Holding this process's shared lock on the ledger file so that closing a descriptor of it
cannot drop it (Linux's open file description locks): no other process's close can then find
itself the ledger's last user and delete the write-ahead log under us (audit 8, F1).

SQLite's unix VFS keeps a POSIX read lock on the database file's SHARED bytes while a connection
is open in WAL mode; a closing connection that can write-lock those bytes believes it is the
last, checkpoints, and deletes the -wal and -shm. POSIX locks belong to the process, and any
close() of the file in it drops them all (SQLite's "How To Corrupt", 2.2). An OFD lock belongs
to its own open file description, survives other closes, and blocks that write lock as SQLite's
own read lock does. Where there are none (macOS; Windows has no such bug) this holds nothing,
and walguard's check at each use is the defence.

Released before this process's last connection to the file closes (else that close could not
tidy up the log), and its descriptor closed only after that close: closing it drops the
process's POSIX locks on the file like any other close. Never reads or writes the file.
"""

from __future__ import annotations

import logging
import os
import struct

try:
    import fcntl
except ImportError:  # Windows
    fcntl = None  # type: ignore[assignment]

log = logging.getLogger(__name__)

# F_OFD_SETLK: Linux 3.15+, in Python's fcntl from 3.9; absent elsewhere
_OFD_SETLK: int | None = getattr(fcntl, "F_OFD_SETLK", None)

# SQLite's lock bytes (os_unix.c): PENDING_BYTE at 1 GiB, RESERVED after it, then 510 SHARED bytes
_SHARED_FIRST = 0x40000000 + 2
_SHARED_SIZE = 510


def _flock(kind: int) -> bytes:
    """A struct flock over the SHARED bytes; l_pid must be 0 for an OFD lock. Padded past the
    struct's size (32 bytes on 64-bit Linux), as fcntl() copies only what it is given."""
    fields = struct.pack("hhqqi", kind, os.SEEK_SET, _SHARED_FIRST, _SHARED_SIZE, 0)
    return fields.ljust(64, b"\0")


class SharedLock:
    """A read lock on the ledger's SHARED bytes that no close() elsewhere in the process drops."""

    def __init__(self, db: str) -> None:
        self._fd: int | None = None
        self.held = False
        if _OFD_SETLK is None:
            return
        try:
            self._fd = os.open(db, os.O_RDONLY | os.O_CLOEXEC)
        except OSError as exc:
            log.info("cannot hold a lock on the ledger %s (%s); its log is checked at use", db, exc)
            return
        self.held = self._set(fcntl.F_RDLCK)
        if not self.held:
            # the descriptor stays open until close(): closing it now would drop SQLite's locks
            log.info("the file system of %s refuses OFD locks; its log is checked at use", db)

    def _set(self, kind: int) -> bool:
        assert self._fd is not None and _OFD_SETLK is not None
        try:
            fcntl.fcntl(self._fd, _OFD_SETLK, _flock(kind))
        except OSError:
            return False
        return True

    def release(self) -> None:
        """Let go of the lock (the descriptor stays open): before the last connection closes."""
        if self.held:
            self._set(fcntl.F_UNLCK)
            self.held = False

    def close(self) -> None:
        """Release and close: only once this process has no connection to the file left."""
        self.release()
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None
