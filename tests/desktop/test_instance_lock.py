"""One desktop window per ledger (desktop/instance_lock.py): a second `fincast` on a ledger that a
live process has open is one clear line and exit 1; a lock left by a killed process is taken
over; the command line is never locked out."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from data.ledger import Ledger
from desktop import app
from desktop.instance_lock import LedgerInUse, claim, lock_path

HOLD = """
import sys, time
from pathlib import Path
from desktop.instance_lock import claim
lock = claim(Path(sys.argv[1]))
print("held" if lock is not None else "none", flush=True)
time.sleep(120)
"""


def _holder(db: Path) -> subprocess.Popen[str]:
    proc = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(db)],
        stdout=subprocess.PIPE,
        text=True,
        env=dict(os.environ, QT_QPA_PLATFORM="offscreen"),
    )
    assert proc.stdout is not None
    assert proc.stdout.readline().strip() == "held"
    return proc


def _stop(proc: subprocess.Popen[str] | subprocess.Popen[bytes], sig: int = signal.SIGKILL) -> None:
    proc.send_signal(sig)
    proc.wait(timeout=30)
    if proc.stdout is not None:
        proc.stdout.close()


def test_a_second_window_on_a_ledger_in_use_says_where_it_is_open(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "ledger.sqlite"
    Ledger.open(db).close()
    holder = _holder(db)
    try:
        assert app.run(db) == 1
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and err.startswith("fincast: ")
        assert "already open in another Fincast window" in err
        assert f"process {holder.pid}" in err
        # the command line still reads and writes the ledger meanwhile
        with Ledger.open(db) as ledger:
            ledger.ensure_account("Savings", "GBP")
            assert [a.name for a in ledger.accounts()] == ["Savings"]
    finally:
        _stop(holder)


def test_a_lock_left_by_a_killed_window_is_taken_over(tmp_path: Path) -> None:
    db = tmp_path / "ledger.sqlite"
    holder = _holder(db)
    with pytest.raises(LedgerInUse):
        claim(db)
    _stop(holder)  # SIGKILL: no chance to remove its lock file
    assert lock_path(db).exists()
    lock = claim(db)
    assert lock is not None and lock.isLocked()
    lock.unlock()
    assert not lock_path(db).exists()


def test_two_ledgers_do_not_share_a_lock(tmp_path: Path) -> None:
    first = claim(tmp_path / "a.sqlite")
    second = claim(tmp_path / "b.sqlite")
    assert first is not None and second is not None
    for lock in (first, second):
        lock.unlock()


def test_a_folder_that_cannot_hold_a_lock_does_not_stop_the_window() -> None:
    # /proc takes no new files, even from root
    assert claim(Path("/proc/fincast-ledger.sqlite")) is None


def test_the_running_app_holds_the_lock_until_it_ends(tmp_path: Path) -> None:
    db = tmp_path / "ledger.sqlite"
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    proc = subprocess.Popen(
        [sys.executable, "-m", "desktop.cli", "--db", str(db)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        while not lock_path(db).exists():
            assert proc.poll() is None, "the app ended before taking its lock"
            assert time.monotonic() < deadline, "the app never took its lock"
            time.sleep(0.05)
        with pytest.raises(LedgerInUse, match=f"process {proc.pid}"):
            claim(db)
    finally:
        _stop(proc, signal.SIGTERM)
    lock = claim(db)
    assert lock is not None
    lock.unlock()
