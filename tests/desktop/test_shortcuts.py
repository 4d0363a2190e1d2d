"""The menu bar's keyboard shortcuts, pressed as keys on the real window (offscreen, shown and
active), on pages built and not yet built, repeated, and cancelled."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QApplication, QFileDialog

from data.ledger import Ledger
from desktop.import_jobs import DEMO_FILES
from desktop.menus import REFRESH, ShortcutsDialog, typeable
from desktop.window import PAGES

CTRL = Qt.KeyboardModifier.ControlModifier
DIGITS = [getattr(Qt.Key, f"Key_{i}") for i in range(1, len(PAGES) + 1)]


def _active(qtbot: Any, window: Any) -> Any:
    # Window-context shortcuts fire only in the active window, offscreen as anywhere, and
    # offscreen nothing hands activation back once another window took it (a page's service
    # banner did, shown before its view adopted it: test_banner.py keeps that fixed).
    QApplication.processEvents()  # deliver a pending deactivation first
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=5_000)
    return window


def _press(
    qtbot: Any, window: Any, key: Qt.Key, modifier: Any = Qt.KeyboardModifier.NoModifier
) -> None:
    qtbot.keyClick(window, key, modifier)


def _keys(action: Any) -> list[str]:
    return [k.toString() for k in action.shortcuts()]


def _answer_chooser(qtbot: Any, window: Any, chosen: Path | None) -> str:
    """Answer the statement dialog Ctrl+O opened (the real one, window-modal): choose `chosen`,
    or cancel with None; returns the dialog's title."""
    shown = [d for d in window.findChildren(QFileDialog) if d.isVisible()]
    assert len(shown) == 1
    dialog = shown[0]
    title = dialog.windowTitle()
    if chosen is None:
        dialog.reject()
    else:
        dialog.selectFile(str(chosen))
        dialog.accept()
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=5_000)
    window.activateWindow()  # as the window manager gives it back; offscreen nothing does
    qtbot.waitUntil(window.isActiveWindow, timeout=5_000)
    return title


def test_menus_carry_the_platform_keys_and_no_key_is_bound_twice(
    make_window: Any, ledger_path: Path
) -> None:
    window = make_window(ledger_path)
    bar = window.menuBar()
    assert [a.text() for a in bar.actions()] == ["&File", "&Edit", "&View", "&Help"]
    m = window.menus
    standard = QKeySequence.StandardKey
    for action, key in (
        (m.import_files, standard.Open),
        (m.find, standard.Find),
        (m.refresh, standard.Refresh),
        (m.shortcuts, standard.HelpContents),
        (m.quit, standard.Quit),
    ):
        # The platform's own keys come first, whatever they are here.
        bound = [k.toString() for k in QKeySequence.keyBindings(key)]
        assert _keys(action)[: len(bound)] == bound
    assert "Ctrl+O" in _keys(m.import_files)
    assert "Ctrl+F" in _keys(m.find)
    assert "F5" in _keys(m.refresh)
    assert {"F1", "Ctrl+/"} <= set(_keys(m.shortcuts))
    assert "Ctrl+Q" in _keys(m.quit)  # Qt binds no Quit key on some platforms (this one)
    assert [_keys(m.pages[name]) for name in PAGES] == [
        [f"Ctrl+{i}"] for i in range(1, len(PAGES) + 1)
    ]
    assert m.undo in window.actions() and m.redo in window.actions()
    for menu_action in bar.actions():  # Alt+letter picks one item, not the first of several
        letters = [
            a.text().split("&")[1][0].lower()
            for a in menu_action.menu().actions()
            if "&" in a.text()
        ]
        assert len(letters) == len(set(letters)), menu_action.text()
    # Two actions on one key make Qt fire neither ("ambiguous shortcut").
    every = [k for a in window.actions() for k in _keys(a)]
    assert len(every) == len(set(every))


def test_ctrl_digits_build_and_show_each_page_even_pressed_rapidly(
    qtbot: Any, make_window: Any, filled_ledger: Path
) -> None:
    window = _active(qtbot, make_window(filled_ledger))
    assert set(window.pages) == {"Dashboard"}  # the rest are built when first shown
    for i in reversed(range(len(PAGES))):  # Services first: a page not yet built each time
        name = PAGES[i]
        assert name not in window.pages or name == "Dashboard"
        _press(qtbot, window, DIGITS[i], CTRL)
        assert window.current_page() == name
        assert window.stack.currentWidget() is window.pages[name]
        assert window.sidebar.currentRow() == i
        assert window.menus.pages[name].isChecked()
        assert window.menus.refresh.isEnabled() == (name in REFRESH)
    built = {name: window.pages[name] for name in PAGES}
    for step in range(60):  # a key held down, across every page
        i = (step * 5) % len(PAGES)
        _press(qtbot, window, DIGITS[i], CTRL)
        assert window.current_page() == PAGES[i]
    assert window.pages == built  # no page was built twice
    assert [n for n, a in window.menus.pages.items() if a.isChecked()] == [window.current_page()]


def test_ctrl_f_shows_transactions_and_selects_the_search_text(
    qtbot: Any, make_window: Any, filled_ledger: Path
) -> None:
    window = _active(qtbot, make_window(filled_ledger))
    assert "Transactions" not in window.pages
    _press(qtbot, window, Qt.Key.Key_F, CTRL)
    assert window.current_page() == "Transactions"
    search = window.transactions.search
    assert QApplication.focusWidget() is search
    qtbot.keyClicks(search, "netflix")  # typed straight in, after the shortcut
    assert search.text() == "netflix"
    _press(qtbot, window, Qt.Key.Key_1, CTRL)
    assert window.current_page() == "Dashboard"
    assert not search.hasFocus()
    _press(qtbot, window, Qt.Key.Key_F, CTRL)
    assert window.current_page() == "Transactions"
    assert QApplication.focusWidget() is search
    assert search.selectedText() == "netflix"  # the next keys replace the old search
    _press(qtbot, window, Qt.Key.Key_F, CTRL)  # again, from inside the box itself
    assert search.hasFocus() and search.selectedText() == "netflix"


def test_ctrl_o_chooses_statements_and_reviews_the_chosen_one(
    qtbot: Any,
    make_window: Any,
    ledger_path: Path,
    tmp_path: Path,
    write_statement: Any,
) -> None:
    csv_path = write_statement(tmp_path / "chosen.csv", 30)
    window = _active(qtbot, make_window(ledger_path))
    assert "Import" not in window.pages
    _press(qtbot, window, Qt.Key.Key_O, CTRL)
    assert _answer_chooser(qtbot, window, csv_path) == "Choose statements"
    assert window.current_page() == "Import"
    page = window.importing
    qtbot.waitUntil(lambda: page.staged is not None, timeout=10_000)
    assert page.file_label.text() == "chosen.csv"
    assert page.preview_table.rowCount() == 30


def test_ctrl_o_cancelled_changes_nothing_even_mid_review(
    qtbot: Any,
    make_window: Any,
    ledger_path: Path,
    tmp_path: Path,
    write_statement: Any,
) -> None:
    window = _active(qtbot, make_window(ledger_path))
    _press(qtbot, window, Qt.Key.Key_O, CTRL)
    page = window.importing
    assert _answer_chooser(qtbot, window, None) == "Choose statements"
    assert page.stack.currentIndex() == 0 and page.staged is None and not page.queue
    # Cancelled while a statement is under review: the review stays as it was.
    page.open_files([write_statement(tmp_path / "first.csv", 12)])
    qtbot.waitUntil(lambda: page.staged is not None, timeout=10_000)
    staged = page.staged
    for _ in range(5):
        _press(qtbot, window, Qt.Key.Key_O, CTRL)
        assert _answer_chooser(qtbot, window, None) == "Choose statements"
    assert page.staged is staged and page.stack.currentIndex() == 1 and not page.queue
    assert page.file_label.text() == "first.csv"
    with Ledger.open(ledger_path) as ledger:
        assert ledger.count() == 0


def test_f5_re_reads_what_changed_behind_each_page(
    qtbot: Any,
    make_window: Any,
    filled_ledger: Path,
    tmp_path: Path,
    write_statement: Any,
) -> None:
    window = _active(qtbot, make_window(filled_ledger))
    dash = window.dashboard
    qtbot.waitUntil(
        lambda: dash.report is not None and dash.report.transactions == 1000, timeout=10_000
    )
    _press(qtbot, window, Qt.Key.Key_2, CTRL)
    txns = window.transactions
    qtbot.waitUntil(
        lambda: txns.count_label.text().startswith("1,000 transactions"), timeout=10_000
    )
    _active(qtbot, window)  # see _active: this page's banner took activation away
    _press(qtbot, window, Qt.Key.Key_6, CTRL)
    rules = window.rules
    qtbot.waitUntil(lambda: rules.account.count() == 2, timeout=10_000)  # "any" + Checking
    # Another process writes to the ledger: no page hears of it.
    extra = write_statement(tmp_path / "savings.csv", 30, start=dt.date(2023, 1, 1))
    with Ledger.open(filled_ledger) as ledger:
        ledger.import_file(extra, "Savings", currency="USD")
        ledger.add_rule("description", "contains", "NETFLIX", "Subscriptions")
    assert rules.table.rowCount() == 0
    _press(qtbot, window, Qt.Key.Key_F5)
    qtbot.waitUntil(lambda: rules.table.rowCount() == 1, timeout=10_000)
    assert "NETFLIX" in rules.table.item(0, 1).text()
    _press(qtbot, window, Qt.Key.Key_2, CTRL)
    assert txns.count_label.text().startswith("1,000 transactions")
    _press(qtbot, window, Qt.Key.Key_F5)
    qtbot.waitUntil(
        lambda: txns.count_label.text().startswith("1,030 transactions"), timeout=10_000
    )
    qtbot.waitUntil(lambda: txns.account.findText("Savings") > 0, timeout=10_000)
    _press(qtbot, window, Qt.Key.Key_1, CTRL)
    assert dash.report.transactions == 1000
    _press(qtbot, window, Qt.Key.Key_F5)
    qtbot.waitUntil(lambda: dash.report.transactions == 1030, timeout=10_000)


def test_f5_presses_the_refresh_button_on_forecast_and_insights_and_is_off_on_services(
    qtbot: Any, make_window: Any, filled_ledger: Path
) -> None:
    window = _active(qtbot, make_window(filled_ledger))
    for key, name in ((Qt.Key.Key_4, "Forecast"), (Qt.Key.Key_5, "Insights")):
        _press(qtbot, window, key, CTRL)
        _active(qtbot, window)
        button = window.page(name).refresh_button
        with qtbot.waitSignal(button.clicked, timeout=1_000):
            _press(qtbot, window, Qt.Key.Key_F5)
    _press(qtbot, window, Qt.Key.Key_7, CTRL)
    assert window.current_page() == "Services"
    assert not window.menus.refresh.isEnabled()
    fired: list[bool] = []
    window.menus.refresh.triggered.connect(fired.append)
    _press(qtbot, window, Qt.Key.Key_F5)
    assert fired == []
    _press(qtbot, window, Qt.Key.Key_4, CTRL)
    assert window.menus.refresh.isEnabled()


def test_f5_held_down_computes_the_dashboard_at_most_twice(
    qtbot: Any, make_window: Any, filled_ledger: Path
) -> None:
    window = _active(qtbot, make_window(filled_ledger))
    dash = window.dashboard
    qtbot.waitUntil(lambda: dash.report is not None, timeout=10_000)
    before = dash.reloads
    for _ in range(25):
        _press(qtbot, window, Qt.Key.Key_F5)
    # One report at a time; presses while one is computing ask for one more, not one each.
    qtbot.waitUntil(
        lambda: not dash._loading and not dash._coalesce.isActive() and not dash._stale,
        timeout=10_000,
    )
    assert 1 <= dash.reloads - before <= 2


def test_help_keys_list_every_bound_key_in_one_dialog(
    qtbot: Any, make_window: Any, ledger_path: Path
) -> None:
    window = _active(qtbot, make_window(ledger_path))
    _press(qtbot, window, Qt.Key.Key_F1)
    dialog = window.menus.shortcuts_dialog
    assert isinstance(dialog, ShortcutsDialog)
    assert dialog.isVisible()
    # the window's own commands (the pages' keys are test_shortcuts_pages.py's)
    rows = [row for row in dialog.rows() if not row[0].endswith(" page")]
    commands = [command for _menu, command, _keys in rows]
    bound = [a for a in window.actions() if a.shortcuts()]
    assert len(rows) == len(bound)
    for action in bound:
        text = action.text().replace("&", "")
        keys = next(k for _m, c, k in rows if c == text)
        for seq in action.shortcuts():  # every key a person can press (not F14, "Open")
            if typeable(seq):
                assert seq.toString(QKeySequence.SequenceFormat.NativeText) in keys
    assert {"Import statements…", "Undo", "Redo", "Find…", "Refresh", "Quit"} <= set(commands)
    assert {"Keyboard shortcuts…", *PAGES} <= set(commands)
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    assert not dialog.isVisible()
    _active(qtbot, window)
    for _ in range(10):  # pressed again and again: still one dialog
        _press(qtbot, window, Qt.Key.Key_Slash, CTRL)
        _active(qtbot, window)
    assert dialog.isVisible()
    assert window.findChildren(ShortcutsDialog) == [dialog]


def test_about_shows_without_blocking_the_window(
    qtbot: Any, make_window: Any, ledger_path: Path
) -> None:
    window = make_window(ledger_path)
    window.menus.about.trigger()  # no key: the Help menu's item
    box = window.menus.about_box
    assert box is not None and box.isVisible()
    assert box.text().startswith("Fincast ")
    assert "not financial advice" in box.informativeText()
    window.menus.about.trigger()
    assert window.menus.about_box is box


def test_demo_from_the_file_menu_imports_once_however_often_chosen(
    qtbot: Any, make_window: Any, ledger_path: Path
) -> None:
    window = make_window(ledger_path)
    for _ in range(3):  # no key: the File menu's item, chosen again while it runs
        window.menus.demo.trigger()
    assert window.current_page() == "Import"
    page = window.importing
    qtbot.waitUntil(lambda: page.choose_message.text().startswith("Imported "), timeout=60_000)
    assert len(page.results) == len(DEMO_FILES)
    with Ledger.open(ledger_path) as ledger:
        assert ledger.count() == sum(r.imported for r in page.results) > 0


def test_ctrl_q_closes_the_window_and_its_lanes(
    qtbot: Any, make_window: Any, ledger_path: Path
) -> None:
    window = _active(qtbot, make_window(ledger_path))
    _press(qtbot, window, Qt.Key.Key_Q, CTRL)
    assert not window.isVisible()
    assert window.ctx.indexer.closed
