"""Before a newer Fincast changes a ledger's schema it keeps a copy of the ledger as it was
(data/ledger/schema.py keep_copy_before_migrating): real files, real migrations."""

from __future__ import annotations

import sqlite3
import stat
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from data.ledger import Ledger
from data.ledger.atomic import TEMP_SUFFIX
from data.ledger.connection import APPLICATION_ID
from data.ledger.schema import MIGRATIONS, copy_path

ROWS = "SELECT id, date, amount, description FROM transactions ORDER BY id"


def _old_ledger(path: Path, version: int = 4) -> list[tuple[object, ...]]:
    """A ledger file at schema `version` with a few rows, written with plain SQL."""
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
    for number, script in enumerate(MIGRATIONS[:version], start=1):
        conn.executescript(f"BEGIN;\n{script}\nPRAGMA user_version = {number};\nCOMMIT;")
    conn.execute("INSERT INTO accounts (name, currency) VALUES ('Checking', 'USD')")
    conn.execute("INSERT INTO batches (account_id, file_name) VALUES (1, 'jan.csv')")
    for i in range(5):
        conn.execute(
            "INSERT INTO transactions (account_id, date, amount, currency, description, payee, "
            "batch_id, fingerprint) VALUES (1, ?, ?, 'USD', ?, ?, 1, ?)",
            (f"2024-01-0{i + 1}", -100 * (i + 1), f"SHOP {i}", f"Shop {i}", f"fp{i}"),
        )
    rows = conn.execute(ROWS).fetchall()
    conn.close()
    return rows


def _read(path: Path) -> tuple[int, str, list[tuple[object, ...]]]:
    conn = sqlite3.connect(path.as_uri() + "?mode=ro", uri=True)
    try:
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        mode = conn.execute("PRAGMA journal_mode").fetchone()[0]
        return version, mode, conn.execute(ROWS).fetchall()
    finally:
        conn.close()


@pytest.mark.parametrize("folder", ["plain", "My Money #1? 100% sure"])
def test_opening_an_older_ledger_keeps_a_copy_of_it_first(tmp_path: Path, folder: str) -> None:
    (tmp_path / folder).mkdir()
    path = tmp_path / folder / "ledger.sqlite"
    rows = _old_ledger(path)
    with Ledger.open(path) as ledger:
        assert ledger.count() == 5
    copy = copy_path(path, 4)
    assert _read(copy) == (4, "delete", rows)  # the old schema, the same rows, one file
    assert stat.S_IMODE(copy.stat().st_mode) == 0o600
    assert [p.name for p in copy.parent.iterdir() if p.name.endswith(TEMP_SUFFIX)] == []
    assert _read(path)[0] == len(MIGRATIONS)


def test_no_copy_for_a_new_ledger_or_one_already_up_to_date(tmp_path: Path) -> None:
    path = tmp_path / "ledger.sqlite"
    with Ledger.open(path):
        pass
    with Ledger.open(path):
        pass
    assert sorted(p.name for p in tmp_path.iterdir() if "backup" in p.name) == []


def test_a_copy_from_an_earlier_attempt_is_kept(tmp_path: Path) -> None:
    path = tmp_path / "ledger.sqlite"
    _old_ledger(path)
    earlier = copy_path(path, 4)
    earlier.write_bytes(b"the copy an earlier, interrupted upgrade made")
    with Ledger.open(path):
        pass
    assert earlier.read_bytes() == b"the copy an earlier, interrupted upgrade made"


FULL_DISK = """
import resource, signal, sys
from data.ledger import Ledger, LedgerError
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails (EFBIG) instead
resource.setrlimit(resource.RLIMIT_FSIZE, (60_000, 60_000))
try:
    Ledger.open(sys.argv[1]).close()
except LedgerError as exc:
    print(exc)
"""


def test_when_no_copy_can_be_made_the_ledger_is_left_as_it_was(tmp_path: Path) -> None:
    path = tmp_path / "ledger.sqlite"
    rows = _old_ledger(path)
    # a disk that fills up under the copy: the ledger opens in a child process whose files may
    # not grow past 60 KB (the copy needs 92 KB; SQLite's shared memory file, 32 KB, fits)
    child = subprocess.run(
        [sys.executable, "-c", FULL_DISK, str(path)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert child.returncode == 0, child.stderr
    assert "keeps a copy of it" in child.stdout
    assert _read(path) == (4, "wal", rows)
    assert not copy_path(path, 4).exists()
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(TEMP_SUFFIX)] == []


def test_ledgers_opened_at_once_make_one_copy_and_migrate_once(tmp_path: Path) -> None:
    path = tmp_path / "ledger.sqlite"
    rows = _old_ledger(path)
    errors: list[BaseException] = []
    start = threading.Barrier(6)

    def open_it() -> None:
        try:
            start.wait()
            with Ledger.open(path) as ledger:
                assert ledger.count() == 5
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=open_it) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert _read(copy_path(path, 4)) == (4, "delete", rows)
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(TEMP_SUFFIX)] == []
