"""The keyboard shortcuts list names the keys a person can press: on X11 Qt also binds Undo to
F14 and to an "Undo" key and Open to an "Open" key, and F1 listed "Ctrl+Z, F14, Undo"."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence

from desktop.menus import key_text


def test_keys_no_ordinary_keyboard_has_are_left_out_of_the_list(qtbot: Any) -> None:
    action = QAction("Undo")
    action.setShortcuts(
        [QKeySequence("Ctrl+Z"), QKeySequence("F14"), QKeySequence(Qt.Key.Key_Undo)]
    )
    assert key_text(action) == "Ctrl+Z"
    action.setShortcuts([QKeySequence("F5"), QKeySequence(Qt.Key.Key_Refresh)])
    assert key_text(action) == "F5"
    action.setShortcuts([QKeySequence(Qt.Key.Key_Open)])
    assert key_text(action) == ""  # still bound: just not listed


def test_the_dialog_lists_only_pressable_keys(
    qtbot: Any, make_window: Any, ledger_path: Path
) -> None:
    window = make_window(ledger_path)
    undo = window.menus.undo
    undo.setShortcuts([*undo.shortcuts(), QKeySequence("F14"), QKeySequence(Qt.Key.Key_Undo)])
    window.menus.shortcuts.trigger()
    dialog = window.menus.shortcuts_dialog
    keys = next(k for _m, c, k in dialog.rows() if c == "Undo")
    assert "Ctrl+Z" in keys
    assert "F14" not in keys
    assert keys.split(", ").count("Undo") == 0
