"""Desktop test helpers: any Qt warning fails the test (like qutebrowser's logfail), windows and
ledger lanes are always closed, and ledgers are real SQLite files in the test's temp folder."""

from __future__ import annotations

import csv
import datetime as dt
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

pytest.importorskip("PySide6")

from PySide6.QtCore import QtMsgType, qInstallMessageHandler

# Messages the offscreen platform prints about itself, not about our code.
IGNORED = ("This plugin does not support propagateSizeHints()",)


@pytest.fixture(autouse=True)
def _fail_on_qt_warnings() -> Iterator[list[str]]:
    """Collect every Qt warning or worse during the test, and fail the test if there was one."""
    seen: list[str] = []

    def handler(mode: QtMsgType, _context: Any, message: str) -> None:
        if mode in (QtMsgType.QtDebugMsg, QtMsgType.QtInfoMsg):
            return
        if any(message.startswith(text) for text in IGNORED):
            return
        seen.append(f"{mode.name}: {message}")

    previous = qInstallMessageHandler(handler)
    yield seen
    qInstallMessageHandler(previous)
    assert not seen, "Qt warned:\n" + "\n".join(seen)


def make_statement(path: Path, rows: int, *, start: dt.date = dt.date(2024, 1, 1)) -> Path:
    """A plain signed-amount CSV of `rows` varied transactions (a bank export's simplest shape)."""
    shops = ["TESCO STORES", "NETFLIX.COM", "SHELL FUEL", "PRET A MANGER", "AMAZON MKTPLACE"]
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["Date", "Description", "Amount"])
        for i in range(rows):
            day = start + dt.timedelta(days=i % 700)
            amount = -(100 + (i * 37) % 9000)
            if i % 50 == 0:
                amount = 250_000
                desc = "ACME PAYROLL"
            else:
                desc = f"{shops[i % len(shops)]} {i % 97}"
            w.writerow([day.isoformat(), desc, f"{amount / 100:.2f}"])
    return path


@pytest.fixture
def ledger_path(tmp_path: Path) -> Path:
    """Where the test's ledger lives."""
    return tmp_path / "ledger.sqlite"


@pytest.fixture
def filled_ledger(ledger_path: Path, tmp_path: Path) -> Path:
    """A ledger with 1,000 transactions in one account."""
    from data.ledger import Ledger

    csv_path = make_statement(tmp_path / "statement.csv", 1000)
    with Ledger.open(ledger_path) as ledger:
        ledger.import_file(csv_path, "Checking", currency="USD")
    return ledger_path


@pytest.fixture
def make_window(qtbot: Any) -> Iterator[Callable[..., Any]]:
    """Build main windows on a ledger (no hub started unless a test starts it); closed after."""
    from desktop import app

    made: list[Any] = []

    def make(db: Path, hub_factory: Callable[[], Any] | None = None) -> Any:
        window = app.create(db, hub_factory)
        qtbot.addWidget(window)
        window.show()
        qtbot.waitExposed(window)
        made.append(window)
        return window

    yield make
    for window in made:
        window.close()


def _no_supervisor() -> Any:
    raise ImportError("No module named 'supervisor'")


@pytest.fixture
def write_statement() -> Callable[..., Path]:
    """make_statement: a plain signed-amount CSV of N varied transactions."""
    return make_statement


@pytest.fixture
def no_supervisor() -> Callable[[], Any]:
    """A hub factory standing in for a machine where the supervisor package is missing."""
    return _no_supervisor


def answer_save_dialogs(monkeypatch: pytest.MonkeyPatch, path: str) -> list[tuple[Any, ...]]:
    """QFileDialog.getSaveFileName answers `path` ("" is Cancel) without showing anything;
    returns the (parent, title, ...) of each call it gets. Only the dialog is replaced."""
    from PySide6.QtWidgets import QFileDialog

    calls: list[tuple[Any, ...]] = []

    def answer(*args: Any, **_kwargs: Any) -> tuple[str, str]:
        calls.append(args)
        return path, "CSV files (*.csv)" if path else ""

    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(answer))
    return calls


@pytest.fixture
def save_dialog(monkeypatch: pytest.MonkeyPatch) -> Callable[[str], list[tuple[Any, ...]]]:
    """answer_save_dialogs for this test: save_dialog(path) -> the calls it gets."""
    return lambda path: answer_save_dialogs(monkeypatch, path)
