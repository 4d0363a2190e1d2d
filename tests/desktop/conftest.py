"""Desktop test helpers: any Qt warning fails the test (like qutebrowser's logfail), windows and
ledger lanes are always closed, and ledgers are real SQLite files in the test's temp folder."""

from __future__ import annotations

import csv
import datetime as dt
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
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


@dataclass
class SaveDialogCall:
    """One save dialog a test answered: its title, the folder and name it offered, its name
    filters, the file it chose (None when cancelled) and whether it asked to replace that file."""

    title: str
    offered: str
    filters: list[str]
    chosen: str | None = None
    asked_to_replace: bool = False


def answer_save_dialogs(monkeypatch: pytest.MonkeyPatch, path: str) -> list[SaveDialogCall]:
    """A person who types `path` into the next save dialogs and presses Save ("" is Cancel);
    returns one SaveDialogCall per dialog. Only the showing is replaced: a QFileDialog opened
    with open() is the real (non-native) dialog, so Qt itself adds its default suffix to the
    typed name and asks before replacing an existing file (answered Yes, and noted)."""
    import shiboken6
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication, QFileDialog, QMessageBox

    calls: list[SaveDialogCall] = []

    def type_and_save(dialog: QFileDialog) -> None:
        call = SaveDialogCall(dialog.windowTitle(), dialog.selectedFiles()[0], dialog.nameFilters())
        calls.append(call)
        if not path:
            dialog.reject()
            shiboken6.delete(dialog)
            return
        dialog.selectFile(path)
        call.chosen = dialog.selectedFiles()[0]  # with Qt's default suffix added
        if Path(call.chosen).exists():
            call.asked_to_replace = True

            def replace() -> None:  # inside the question's own loop
                box = QApplication.activeModalWidget()
                assert isinstance(box, QMessageBox), box
                box.button(QMessageBox.StandardButton.Yes).click()

            QTimer.singleShot(0, replace)
        dialog.accept()
        # gone now, as a closed dialog would be (it remembers its folder as it goes), rather
        # than at some later test's event loop
        shiboken6.delete(dialog)

    monkeypatch.setattr(QFileDialog, "open", type_and_save)
    return calls


@pytest.fixture
def save_dialog(
    monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Callable[[str], list[SaveDialogCall]]]:
    """answer_save_dialogs for this test: save_dialog(path) -> the dialogs it answers. What
    Qt's file dialog remembers (its last folder, its history) goes to a folder of the test's own,
    not the user's ~/.config/QtProject.conf: remembering /proc there once made every later
    dialog read /proc/kmsg, which never ends."""
    from PySide6.QtCore import QSettings

    user_scope = (QSettings.Format.NativeFormat, QSettings.Scope.UserScope)
    QSettings.setPath(*user_scope, str(tmp_path_factory.mktemp("qt-settings")))
    yield lambda path: answer_save_dialogs(monkeypatch, path)
    home_config = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    QSettings.setPath(*user_scope, home_config)
