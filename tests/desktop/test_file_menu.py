"""File > Export transactions (Ctrl+E) and File > Back up the ledger, in the real window offscreen
over a real ledger. Only the file dialogs are replaced."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from data.ledger import Ledger


def _window(qtbot: Any, make_window: Any, db: Path) -> Any:
    window = make_window(db)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=5_000)
    return window


def test_ctrl_e_exports_what_the_transactions_page_shows(
    qtbot: Any,
    make_window: Any,
    filled_ledger: Path,
    tmp_path: Path,
    save_dialog: Any,
) -> None:
    window = _window(qtbot, make_window, filled_ledger)
    out = tmp_path / "out.csv"
    asked = save_dialog(str(out))
    qtbot.keyClick(window, Qt.Key.Key_E, Qt.KeyboardModifier.ControlModifier)
    assert window.current_page() == "Transactions"
    assert [call.title for call in asked] == ["Export transactions"]
    qtbot.waitUntil(out.exists, timeout=20_000)
    with out.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    with Ledger.open(filled_ledger) as ledger:
        assert len(rows) == ledger.count() > 0


def test_back_up_makes_a_copy_that_opens_and_says_where(
    qtbot: Any,
    make_window: Any,
    filled_ledger: Path,
    tmp_path: Path,
    save_dialog: Any,
) -> None:
    window = _window(qtbot, make_window, filled_ledger)
    target = tmp_path / "copy.sqlite"
    asked = save_dialog(str(target))
    window.menus.backup.trigger()
    assert [call.title for call in asked] == ["Back up the ledger"]
    bar = window.statusBar()
    qtbot.waitUntil(lambda: "Backed up" in bar.currentMessage(), timeout=20_000)
    with Ledger.open(filled_ledger) as ledger:
        total = ledger.count()
    with Ledger.open(target) as copy:
        assert copy.count() == total > 0
    assert bar.currentMessage() == f"Backed up {total:,} transactions to {target}"


def test_a_failed_backup_is_said_in_the_status_bar(
    qtbot: Any, make_window: Any, filled_ledger: Path, save_dialog: Any
) -> None:
    window = _window(qtbot, make_window, filled_ledger)
    # the ledger itself, which the dialog lets a person choose (and confirm replacing)
    save_dialog(str(filled_ledger))
    window.menus.backup.trigger()
    bar = window.statusBar()
    qtbot.waitUntil(lambda: bar.currentMessage().startswith("The backup failed"), timeout=20_000)
    assert "is the ledger being read" in bar.currentMessage()
    with Ledger.open(filled_ledger) as ledger:
        assert ledger.count() == 1000


def test_cancelling_either_dialog_does_nothing(
    qtbot: Any,
    make_window: Any,
    filled_ledger: Path,
    tmp_path: Path,
    save_dialog: Any,
) -> None:
    window = _window(qtbot, make_window, filled_ledger)
    before = sorted(tmp_path.rglob("*"))
    save_dialog("")
    window.menus.backup.trigger()
    window.menus.export.trigger()
    QApplication.processEvents()
    assert window.statusBar().currentMessage() == ""
    assert window.transactions.export_button.isEnabled()
    assert sorted(tmp_path.rglob("*")) == before


def test_a_name_typed_without_an_extension_is_saved_with_one(
    qtbot: Any,
    make_window: Any,
    filled_ledger: Path,
    tmp_path: Path,
    save_dialog: Any,
) -> None:
    window = _window(qtbot, make_window, filled_ledger)
    folder = tmp_path / "out"
    folder.mkdir()
    save_dialog(str(folder / "transactions"))
    qtbot.keyClick(window, Qt.Key.Key_E, Qt.KeyboardModifier.ControlModifier)
    exporter = window.transactions.exporter
    qtbot.waitUntil(lambda: not exporter.running, timeout=20_000)
    save_dialog(str(folder / "ledger-copy"))
    window.menus.backup.trigger()
    qtbot.waitUntil(lambda: "Backed up" in window.statusBar().currentMessage(), timeout=20_000)
    assert sorted(p.name for p in folder.iterdir()) == ["ledger-copy.sqlite", "transactions.csv"]
