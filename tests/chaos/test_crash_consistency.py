"""Crash consistency (issue 8): `fincast import` killed with SIGKILL at random moments, many times,
on a large statement. After every kill the database passes PRAGMA integrity_check and each import is
either whole or absent: never a partial batch, never a row without its batch.

FINCAST_CRASH_KILLS and FINCAST_CRASH_ROWS scale it (defaults: 50 kills of a 100k-row file)."""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from data.ledger import Ledger

pytestmark = pytest.mark.slow

FINCAST = str(Path(sys.executable).with_name("fincast"))
KILLS = int(os.environ.get("FINCAST_CRASH_KILLS", "50"))
ROWS = int(os.environ.get("FINCAST_CRASH_ROWS", "100000"))


def write_statement(path: Path, rows: int, seed: int) -> None:
    """A dated, signed statement whose rows are all distinct (so duplicates never hide a loss)."""
    rng = random.Random(seed)
    with path.open("w", encoding="utf-8") as out:
        out.write("Date,Description,Amount\n")
        for i in range(rows):
            month, day = 1 + i % 12, 1 + (i // 12) % 28
            out.write(
                f"2024-{month:02d}-{day:02d},SHOP {seed}-{i},-{rng.randint(1, 99999) / 100:.2f}\n"
            )


def batches(db: Path) -> dict[int, int]:
    """Rows per import batch, read with plain sqlite3 so the check does not trust the Ledger."""
    conn = sqlite3.connect(db)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        orphans = conn.execute(
            "SELECT count(*) FROM transactions WHERE batch_id NOT IN (SELECT id FROM batches)"
        ).fetchone()[0]
        assert orphans == 0
        return dict(conn.execute("SELECT batch_id, count(*) FROM transactions GROUP BY batch_id"))
    finally:
        conn.close()


def full_import_seconds(statement: Path, db: Path) -> float:
    start = time.perf_counter()
    subprocess.run(
        [
            FINCAST,
            "import",
            str(statement),
            "--account",
            "Main",
            "--db",
            str(db),
            "--no-categorize",
        ],
        check=True,
        capture_output=True,
        timeout=600,
    )
    return time.perf_counter() - start


# 50 partial imports of 100k rows take ~8 min on two idle cores; leave room for a loaded machine.
@pytest.mark.timeout(2400)
def test_imports_killed_at_random_moments_are_whole_or_absent(tmp_path: Path) -> None:
    statements = [tmp_path / f"s{i}.csv" for i in range(3)]
    for i, path in enumerate(statements):
        write_statement(path, ROWS, seed=i)
    db = tmp_path / "ledger.sqlite"
    Ledger.open(db).close()
    # Calibrate the kill window on a scratch ledger so kills land before, during and after commit.
    window = full_import_seconds(statements[0], tmp_path / "scratch.sqlite") * 1.2
    rng = random.Random(2026)
    completed = 0
    for kill in range(KILLS):
        statement = statements[kill % len(statements)]
        proc = subprocess.Popen(
            [
                FINCAST,
                "import",
                str(statement),
                "--account",
                "Main",
                "--db",
                str(db),
                "--no-categorize",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            proc.wait(timeout=rng.uniform(0.05, window))
        except subprocess.TimeoutExpired:
            proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=60)
        completed += proc.returncode == 0
        counts = batches(db)
        assert all(n == ROWS for n in counts.values()), f"kill {kill}: partial batch {counts}"
    # Each statement is in the ledger at most once, whatever was killed and retried.
    assert len(batches(db)) <= len(statements)
    with Ledger.open(db) as ledger:
        assert ledger.import_file(statements[0], "Main").imported in (0, ROWS)
    print(f"{KILLS} kills, {completed} imports finished before their kill")
