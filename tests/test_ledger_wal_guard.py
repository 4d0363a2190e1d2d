"""Closing a descriptor of the ledger no longer costs the window its write-ahead log (audit 8,
F1): on Linux the process's shared lock is held as an OFD lock that the close cannot drop, and
where that is not possible (macOS; here with it switched off) a ledger whose log another
process deleted reopens instead of writing into the deleted log, and its readers do not go on
reading a stale one.

Real files and real processes, without Qt: closing any descriptor of the ledger file in this
process (as Qt's file dialog did) drops every POSIX lock the process holds on it, and the next
`fincast` command to close the ledger then finds itself alone, checkpoints, and deletes the
-wal and -shm."""

from __future__ import annotations

import gc
import json
import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest

from data.ledger import Ledger, LedgerError, TxFilter, marks, search, sharedlock

FINCAST = Path(sys.executable).with_name("fincast")
linux_only = pytest.mark.skipif(sys.platform != "linux", reason="OFD locks are Linux's")


@pytest.fixture
def check_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    """As on a system without OFD locks: the check at each use is the only defence."""
    monkeypatch.setattr(sharedlock, "_OFD_SETLK", None)


def _wal(db: Path) -> Path:
    return db.with_name(db.name + "-wal")


def _drop_our_locks(db: Path) -> None:
    """What Qt's QMimeDatabase did: open the ledger file, read its first bytes, close it."""
    fd = os.open(db, os.O_RDONLY)
    try:
        os.read(fd, 16)
    finally:
        os.close(fd)


def _fincast(*args: str | Path) -> str:
    """Run a real `fincast` command in its own process; its stdout."""
    done = subprocess.run(
        [FINCAST, *map(str, args)], capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def _other_process_opens_and_closes(db: Path) -> None:
    """A `fincast accounts` run while the window is open: it opens the ledger and closes it."""
    _fincast("accounts", "--db", db)


def _accounts_seen_elsewhere(db: Path) -> list[str]:
    return sorted(a["name"] for a in json.loads(_fincast("accounts", "--db", db, "--json")))


def _integrity(ledger: Ledger) -> str:
    return str(ledger._conn.execute("PRAGMA integrity_check").fetchone()[0])


@pytest.mark.usefixtures("check_alone")
def test_an_edit_after_another_process_deleted_the_wal_reaches_the_file(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    db = tmp_path / "ledger.sqlite"
    with Ledger.open(db) as ledger:
        ledger.ensure_account("Before", "GBP")
        _drop_our_locks(db)
        _other_process_opens_and_closes(db)
        # the scenario itself: without our locks the other process thought it was the last user
        assert not _wal(db).exists()

        with caplog.at_level(logging.WARNING, logger="data.ledger"):
            ledger.ensure_account("After", "GBP")

        assert _accounts_seen_elsewhere(db) == ["After", "Before"]
        assert _integrity(ledger) == "ok"
        assert "write-ahead log" in caplog.text and "reopen" in caplog.text

        # the reopened connection holds its locks again: the next closer leaves the log alone
        _other_process_opens_and_closes(db)
        assert _wal(db).exists()
        ledger.ensure_account("Later", "GBP")
        assert _accounts_seen_elsewhere(db) == ["After", "Before", "Later"]
    assert _accounts_seen_elsewhere(db) == ["After", "Before", "Later"]


@pytest.mark.usefixtures("check_alone")
def test_a_reader_sees_what_others_wrote_after_its_wal_was_deleted(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # marks along three matches (not 16,384), counted by the index (not a probe of 5,000 rows)
    monkeypatch.setattr(marks, "MARK_EVERY", 2)
    monkeypatch.setattr(search, "PROBE_ROWS", 1)
    db = tmp_path / "ledger.sqlite"
    statement = tmp_path / "statement.csv"
    statement.write_text(
        "Date,Amount,Description\n2024-01-02,-3.20,BAKERY\n"
        "2024-01-03,-4.10,BAKERY\n2024-01-04,-2.95,BAKERY\n2024-01-05,-9.99,NETFLIX\n"
    )
    with Ledger.open(db) as ledger:
        ledger.ensure_account("Before", "GBP")
        assert [a.name for a in ledger.accounts()] == ["Before"]
        ledger.import_file(statement, account="Before")
        ledger.index_text()
        assert ledger.count(TxFilter(text="bakery")) == 3
        assert len(ledger._marks) == 1  # the count left its marks on this connection's view
        _drop_our_locks(db)
        _other_process_opens_and_closes(db)
        assert not _wal(db).exists()
        _fincast("accounts", "rename", "Before", "Renamed", "--db", db)

        assert [a.name for a in ledger.accounts()] == ["Renamed"]
        # marks are keyed by data_version and total_changes, which start again on a new
        # connection: kept, they could describe rows of the old one
        assert len(ledger._marks) == 0
        assert ledger.count(TxFilter(text="bakery", account="Renamed")) == 3


@pytest.mark.usefixtures("check_alone")
def test_two_connections_of_one_process_reopen_only_together(tmp_path: Path) -> None:
    """The desktop's lanes: each its own connection, all sharing SQLite's per-process locks and
    wal-index. One reopened beside another still bound to the deleted log would share that
    log's index and hold no lock, and the next closer would delete the new log too."""
    db = tmp_path / "ledger.sqlite"
    with Ledger.open(db) as writer, Ledger.open(db) as reader:
        writer.ensure_account("Before", "GBP")
        assert [a.name for a in reader.accounts()] == ["Before"]
        _drop_our_locks(db)
        _other_process_opens_and_closes(db)
        assert not _wal(db).exists()

        # the reader is still bound to the deleted log: the edit is refused, not lost
        with pytest.raises(LedgerError, match="write-ahead log"):
            writer.ensure_account("Refused", "GBP")
        assert _accounts_seen_elsewhere(db) == ["Before"]

        # once the reader has let go (its next use), the writer reopens and the edit lands
        assert [a.name for a in reader.accounts()] == ["Before"]
        writer.ensure_account("After", "GBP")
        assert _accounts_seen_elsewhere(db) == ["After", "Before"]
        assert [a.name for a in reader.accounts()] == ["After", "Before"]

        _other_process_opens_and_closes(db)
        assert _wal(db).exists()
        writer.ensure_account("Later", "GBP")
        assert _accounts_seen_elsewhere(db) == ["After", "Before", "Later"]
        assert _integrity(writer) == "ok" and _integrity(reader) == "ok"


def test_the_usual_path_keeps_its_connection(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    db = tmp_path / "ledger.sqlite"
    with Ledger.open(db) as ledger, caplog.at_level(logging.WARNING, logger="data.ledger"):
        conn = ledger._conn
        wal = _wal(db).stat().st_ino
        for name in ("One", "Two", "Three"):
            ledger.ensure_account(name, "GBP")
            _other_process_opens_and_closes(db)  # with our locks held: it leaves the log be
        assert ledger._conn is conn
        assert _wal(db).stat().st_ino == wal
        assert [a.name for a in ledger.accounts()] == ["One", "Three", "Two"]
    assert caplog.text == ""


@linux_only
def test_a_closed_descriptor_no_longer_lets_another_process_delete_the_log(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    db = tmp_path / "ledger.sqlite"
    with caplog.at_level(logging.WARNING, logger="data.ledger"):
        with Ledger.open(db) as ledger:
            conn = ledger._conn
            ledger.ensure_account("Before", "GBP")
            _drop_our_locks(db)
            _other_process_opens_and_closes(db)
            assert _wal(db).exists()  # the other process was not the last user: it kept the log
            ledger.ensure_account("After", "GBP")
            assert _accounts_seen_elsewhere(db) == ["After", "Before"]
            assert ledger._conn is conn
        # the lock was let go of before our last close, which tidied the log up as usual
        assert not _wal(db).exists()
    assert caplog.text == ""
    assert _accounts_seen_elsewhere(db) == ["After", "Before"]


@linux_only
def test_the_lock_stays_while_any_connection_of_the_process_is_open(tmp_path: Path) -> None:
    db = tmp_path / "ledger.sqlite"
    first = Ledger.open(db)
    with Ledger.open(db) as second:
        first.ensure_account("Before", "GBP")
        first.close()
        _drop_our_locks(db)
        _other_process_opens_and_closes(db)
        assert _wal(db).exists()
        second.ensure_account("After", "GBP")
        assert _accounts_seen_elsewhere(db) == ["After", "Before"]
    assert not _wal(db).exists()


@linux_only
def test_a_ledger_dropped_without_close_is_counted_out(tmp_path: Path) -> None:
    db = tmp_path / "ledger.sqlite"
    dropped = Ledger.open(db)
    dropped.ensure_account("Before", "GBP")
    del dropped
    gc.collect()  # SQLite's connection goes with it
    with Ledger.open(db) as ledger:
        _drop_our_locks(db)
        _other_process_opens_and_closes(db)
        assert _wal(db).exists()
        ledger.ensure_account("After", "GBP")
    # ours was the last connection counted: its lock went first and its close tidied the log
    assert not _wal(db).exists()
    assert _accounts_seen_elsewhere(db) == ["After", "Before"]
