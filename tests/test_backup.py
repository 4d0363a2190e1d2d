"""Backup (data/ledger/backup.py and `fincast backup`) on real ledger files: the copy opens as a
ledger holding the same rows, is private, is taken while another connection is writing without
picking up its uncommitted rows. What the command refuses is in test_cli_output_file.py."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import types
from pathlib import Path

import pytest

from data.ledger import Ledger, LedgerError, TxFilter
from tests.helpers.cli_run import refused, run

FINCAST = Path(sys.executable).with_name("fincast")


def statement(path: Path, rows: int, prefix: str = "SHOP") -> Path:
    lines = "".join(f"2024-01-{i % 28 + 1:02d},-{i}.25,{prefix} {i}\n" for i in range(rows))
    path.write_text("Date,Amount,Description\n" + lines, encoding="utf-8")
    return path


@pytest.fixture
def db(tmp_path: Path) -> Path:
    """A ledger with two accounts, a rule, a category and an import profile."""
    path = tmp_path / "ledger.sqlite"
    with Ledger.open(path) as ledger:
        ledger.import_file(statement(tmp_path / "a.csv", 120), "Current", currency="GBP")
        ledger.import_file(statement(tmp_path / "b.csv", 30, "CARD"), "Card", currency="EUR")
        ledger.add_rule("description", "contains", "CARD", "Shopping")
        ledger.set_category([t.id for t in ledger.transactions(limit=5)], "Groceries")
    return path


def files_in(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def test_the_copy_opens_as_a_ledger_with_the_same_rows(db: Path, tmp_path: Path) -> None:
    out = tmp_path / "backups"
    out.mkdir()
    target = out / "copy.sqlite"
    with Ledger.open(db) as ledger:
        done = ledger.backup(target)
        original = ledger.dump()
        count = ledger.count()
    assert (done.path, done.transactions, done.size) == (target, count, target.stat().st_size)
    assert target.stat().st_mode & 0o777 == 0o600
    # one self-contained file: no -wal, -shm, -journal or temporary file beside it
    assert files_in(out) == ["copy.sqlite"]
    with Ledger.open(target) as copy:
        assert copy.dump() == original
        assert [a.name for a in copy.accounts()] == ["Card", "Current"]
        assert copy.count(TxFilter(category="Groceries")) == 5
        assert len(copy.rules()) == 1


def test_a_backup_of_an_empty_ledger_is_an_empty_ledger(tmp_path: Path) -> None:
    with Ledger.open(tmp_path / "new.sqlite") as ledger:
        done = ledger.backup(tmp_path / "empty-copy.sqlite")
    assert done.transactions == 0
    with Ledger.open(done.path) as copy:
        assert copy.count() == 0 and copy.accounts() == [] and copy.rules() == []


def test_a_backup_while_another_connection_writes_holds_only_what_was_committed(
    db: Path, tmp_path: Path
) -> None:
    """The desktop's writing lane in the middle of an import: the backup neither waits for it
    nor copies its uncommitted rows."""
    insert = (
        "INSERT INTO transactions (account_id, date, amount, currency, description, payee, "
        "fingerprint) SELECT account_id, '2024-02-01', -1, currency, ?, 'x', ? "
        "FROM transactions LIMIT 1"
    )
    writer = sqlite3.connect(db, isolation_level=None)
    try:
        # committed, and still only in the WAL file while a connection stays open
        writer.execute(insert, ("COMMITTED IN WAL", "w1"))
        assert Path(f"{db}-wal").stat().st_size > 0
        writer.execute("BEGIN IMMEDIATE")  # the write lock, held across the backup
        writer.execute(insert, ("UNCOMMITTED", "w2"))
        with Ledger.open(db) as ledger:
            committed = ledger.count()
            done = ledger.backup(tmp_path / "during.sqlite")
        writer.execute("COMMIT")
    finally:
        writer.close()
    with Ledger.open(db) as ledger:
        assert ledger.count() == committed + 1
    with Ledger.open(done.path) as copy:
        assert copy.count() == committed == done.transactions
        assert copy.count(TxFilter(text="COMMITTED IN WAL")) == 1
        assert copy.count(TxFilter(text="UNCOMMITTED")) == 0


def test_a_full_disk_leaves_the_old_backup_and_no_temporary_file(
    db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """SQLite's own 'database or disk is full', from a copy that may not grow past 3 pages."""
    from data.ledger import backup as backup_module

    def small_copy(path: Path) -> sqlite3.Connection:
        conn = sqlite3.connect(path)
        conn.execute("PRAGMA max_page_count = 3")
        return conn

    monkeypatch.setattr(
        backup_module, "sqlite3", types.SimpleNamespace(connect=small_copy, Error=sqlite3.Error)
    )
    folder = tmp_path / "out"
    folder.mkdir()
    target = folder / "copy.sqlite"
    target.write_bytes(b"yesterday's backup")
    with Ledger.open(db) as ledger, pytest.raises(LedgerError, match="disk is full"):
        ledger.backup(target)
    assert files_in(folder) == ["copy.sqlite"]
    assert target.read_bytes() == b"yesterday's backup"


def test_inside_its_own_transaction_the_ledger_refuses_to_back_up(db: Path, tmp_path: Path) -> None:
    with Ledger.open(db) as ledger:
        ledger._conn.execute("BEGIN IMMEDIATE")
        try:
            with pytest.raises(LedgerError, match="inside one of its own transactions"):
                ledger.backup(tmp_path / "x.sqlite")
        finally:
            ledger._conn.execute("ROLLBACK")
    assert not (tmp_path / "x.sqlite").exists()


# -- the command line ----------------------------------------------------------------------


def test_cli_backup_then_the_copy_is_used_with_db(
    db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "copy.sqlite"
    code, out, err = run(capsys, "backup", target, "--db", db, "--json")
    assert code == 0, err
    with Ledger.open(db) as ledger:
        count = ledger.count()
    assert json.loads(out) == {
        "file": str(target),
        "transactions": count,
        "bytes": target.stat().st_size,
    }
    # restoring is opening it: the same listing from the copy as from the ledger
    listings = []
    for ledger_file in (db, target):
        code, out, err = run(capsys, "transactions", "--db", ledger_file, "--json")
        assert code == 0, err
        listings.append(json.loads(out))
    assert listings[0] == listings[1] and len(listings[0]) == count

    refused(*run(capsys, "backup", target, "--db", db))  # exists: no --force
    with Ledger.open(db) as ledger:
        ledger.import_file(statement(tmp_path / "more.csv", 7, "MORE"), "Current")
    code, out, err = run(capsys, "backup", target, "--db", db, "--force")
    assert code == 0, err
    assert out.startswith(f"backed up the ledger ({count + 7} transactions,")
    with Ledger.open(target) as copy:
        assert copy.count() == count + 7


def test_the_real_console_script_backs_up(db: Path, tmp_path: Path) -> None:
    target = tmp_path / "script-copy.sqlite"
    done = subprocess.run(
        [FINCAST, "backup", target, "--db", db],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert str(target) in done.stdout and done.stderr == ""
    with Ledger.open(db) as ledger, Ledger.open(target) as copy:
        assert copy.dump() == ledger.dump()
    assert os.stat(target).st_mode & 0o777 == 0o600
