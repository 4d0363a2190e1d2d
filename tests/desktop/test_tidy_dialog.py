"""Edit > Categories and accounts in the real window offscreen over a real ledger: every question
and confirmation box is found and clicked as a person would, the work lands in the ledger, the
pages are told, and Edit > Undo puts renames, merges and category deletes back exactly."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QLineEdit, QMessageBox

from data.ledger import Ledger, TxFilter
from desktop.views.tidy_dialog import TidyDialog

WAIT = 20_000


@pytest.fixture
def db(filled_ledger: Path) -> Path:
    """The 1,000-row ledger with 12 rows in a typo 'Groceires' (and its rule), 5 in Groceries,
    3 in Car, and a second, empty account."""
    with Ledger.open(filled_ledger) as ledger:
        ids = [t.id for t in ledger.transactions(limit=20, order="id_asc")]
        ledger.set_category(ids[:12], "Groceires")
        ledger.set_category(ids[12:17], "Groceries")
        ledger.set_category(ids[17:20], "Car")
        ledger.add_rule("payee", "contains", "tesco", "Groceires")
        ledger.ensure_account("Savings", "USD")
        ledger.index_text()  # else the window catches it up at start, changing the dump
    return filled_ledger


@pytest.fixture
def reader(db: Path) -> Iterator[Ledger]:
    """The test's own connection, to see what the window's writing lane stored."""
    with Ledger.open(db) as ledger:
        yield ledger


def open_dialog(qtbot: Any, window: Any) -> TidyDialog:
    window.menus.tidy.trigger()
    dialog = window.findChild(TidyDialog)
    assert dialog is not None and dialog.isVisible() and not dialog.isModal()
    qtbot.waitUntil(lambda: dialog.category_list.count() == 3, timeout=WAIT)
    return dialog


def choose(widget: Any, name: str) -> None:
    for row in range(widget.count()):
        if widget.item(row).data(Qt.ItemDataRole.UserRole) == name:
            widget.setCurrentRow(row)
            return
    raise AssertionError(f"{name!r} is not listed")


def answer(qtbot: Any, dialog: TidyDialog, text: str) -> None:
    """Type (or pick) the answer in the open question box and press OK."""
    asking = dialog.asking
    assert asking is not None
    qtbot.waitUntil(asking.isVisible, timeout=WAIT)
    if isinstance(asking.field, QLineEdit):
        asking.field.setText(text)
    else:
        assert isinstance(asking.field, QComboBox)
        asking.field.setCurrentText(text)
    asking.ok.click()


def confirm(qtbot: Any, dialog: TidyDialog, verb: str) -> tuple[str, str]:
    """Click `verb` (or Cancel) on the confirmation box; returns what it said."""
    qtbot.waitUntil(lambda: dialog.confirmation is not None, timeout=WAIT)
    box = dialog.confirmation
    assert box is not None
    qtbot.waitUntil(box.isVisible, timeout=WAIT)
    said = (box.text(), box.informativeText())
    if verb == "Cancel":
        box.button(QMessageBox.StandardButton.Cancel).click()
    else:
        next(b for b in box.buttons() if b.text() == verb).click()
    return said


def undo(qtbot: Any, window: Any) -> None:
    """Edit > Undo, once the change is on the stack (it is pushed when the lane has stored
    it, a moment after another connection can see it)."""
    qtbot.waitUntil(window.menus.undo.isEnabled, timeout=WAIT)
    window.menus.undo.trigger()


def names(ledger: Ledger) -> dict[str, int]:
    return {u.name: u.transactions for u in ledger.category_usage()}


def test_merge_is_confirmed_exactly_then_undone_exactly(
    qtbot: Any, make_window: Any, db: Path, reader: Ledger
) -> None:
    window = make_window(db)
    window.show_page("Transactions")
    page = window.transactions
    qtbot.waitUntil(lambda: page.category.findText("Groceires") >= 0, timeout=WAIT)
    before = reader.dump()
    dialog = open_dialog(qtbot, window)
    assert [dialog.category_list.item(i).text() for i in range(3)] == [
        "Car  (3 transactions, 0 rules)",
        "Groceires  (12 transactions, 1 rule)",
        "Groceries  (5 transactions, 0 rules)",
    ]
    choose(dialog.category_list, "Groceires")
    dialog.merge_button.click()
    answer(qtbot, dialog, "Groceries")
    text, detail = confirm(qtbot, dialog, "Merge")
    assert text == "Merge 'Groceires' (12 transactions, 1 rule) into 'Groceries'?"
    assert "Edit > Undo puts each of them back" in detail
    qtbot.waitUntil(lambda: names(reader) == {"Car": 3, "Groceries": 17}, timeout=WAIT)
    assert [r.category for r in reader.rules()] == ["Groceries"]
    qtbot.waitUntil(lambda: dialog.category_list.count() == 2, timeout=WAIT)
    # the Transactions page heard of it: its category filter no longer offers the old name
    qtbot.waitUntil(lambda: page.category.findText("Groceires") < 0, timeout=WAIT)
    assert window.menus.undo.isEnabled()
    assert window.menus.undo.text() == "Undo merge category 'Groceires' into 'Groceries'"
    undo(qtbot, window)
    qtbot.waitUntil(lambda: reader.dump() == before, timeout=WAIT)
    qtbot.waitUntil(lambda: dialog.category_list.count() == 3, timeout=WAIT)
    qtbot.waitUntil(window.menus.redo.isEnabled, timeout=WAIT)
    window.menus.redo.trigger()
    qtbot.waitUntil(lambda: names(reader) == {"Car": 3, "Groceries": 17}, timeout=WAIT)
    undo(qtbot, window)
    qtbot.waitUntil(lambda: reader.dump() == before, timeout=WAIT)


def test_rename_onto_an_existing_name_asks_to_merge_and_cancel_changes_nothing(
    qtbot: Any, make_window: Any, db: Path, reader: Ledger
) -> None:
    window = make_window(db)
    before = reader.dump()
    dialog = open_dialog(qtbot, window)
    choose(dialog.category_list, "Car")
    dialog.rename_category_button.click()
    answer(qtbot, dialog, "  Groceries ")
    text, _ = confirm(qtbot, dialog, "Cancel")
    assert text == "Merge 'Car' (3 transactions, 0 rules) into 'Groceries'?"
    settled: list[object] = []  # the writing lane runs in order: anything queued is done
    window.ctx.writer.submit(lambda _ledger: None, settled.append)
    qtbot.waitUntil(lambda: settled == [None], timeout=WAIT)
    assert reader.dump() == before
    assert window.ctx.undo.count() == 0


def test_rename_is_undoable_and_the_pages_hear_of_it(
    qtbot: Any, make_window: Any, db: Path, reader: Ledger
) -> None:
    window = make_window(db)
    before = reader.dump()
    dialog = open_dialog(qtbot, window)
    choose(dialog.category_list, "Car")
    listing = dialog.category_list  # a double click on a name asks to rename it
    where = listing.visualItemRect(listing.currentItem()).center()
    # as a mouse does it: the press of the first click, then the double click
    qtbot.mouseClick(listing.viewport(), Qt.MouseButton.LeftButton, pos=where)
    qtbot.mouseDClick(listing.viewport(), Qt.MouseButton.LeftButton, pos=where)
    assert dialog.asking is not None and dialog.asking.value() == "Car"
    heard: list[str] = []
    window.ctx.events.changed.connect(heard.append)
    answer(qtbot, dialog, "Motoring")
    qtbot.waitUntil(lambda: "Motoring" in names(reader), timeout=WAIT)
    qtbot.waitUntil(lambda: "categorized" in heard and "categories" in heard, timeout=WAIT)
    assert reader.count(TxFilter(category="Motoring")) == 3
    undo(qtbot, window)
    qtbot.waitUntil(lambda: reader.dump() == before, timeout=WAIT)


def test_delete_category_says_what_happens_and_undo_brings_it_back(
    qtbot: Any, make_window: Any, db: Path, reader: Ledger
) -> None:
    window = make_window(db)
    before = reader.dump()
    dialog = open_dialog(qtbot, window)
    choose(dialog.category_list, "Groceires")
    dialog.delete_category_button.click()
    text, detail = confirm(qtbot, dialog, "Delete")
    assert text == "Delete the category 'Groceires' (12 transactions, 1 rule)?"
    assert detail.startswith(
        "Its 12 transactions become uncategorized and are not categorized again by themselves."
        " 1 rule that set it is deleted"
    )
    qtbot.waitUntil(lambda: "Groceires" not in names(reader), timeout=WAIT)
    assert reader.count(TxFilter(categorize_state="skipped")) == 12
    assert reader.rules() == []
    undo(qtbot, window)
    qtbot.waitUntil(lambda: reader.dump() == before, timeout=WAIT)


def test_account_rename_undo_and_a_refused_rename(
    qtbot: Any, make_window: Any, db: Path, reader: Ledger
) -> None:
    window = make_window(db)
    dialog = open_dialog(qtbot, window)
    qtbot.waitUntil(lambda: dialog.account_list.count() == 2, timeout=WAIT)
    assert dialog.account_list.item(0).text() == "Checking  (USD, 1,000 transactions, 1 import)"
    choose(dialog.account_list, "Checking")
    dialog.rename_account_button.click()
    answer(qtbot, dialog, "Savings")  # taken: refused, said, nothing on the undo stack
    qtbot.waitUntil(lambda: "already exists" in dialog.status.text(), timeout=WAIT)
    assert "already exists" in window.statusBar().currentMessage()
    assert window.ctx.undo.count() == 0
    dialog.rename_account_button.click()
    answer(qtbot, dialog, "Everyday")
    qtbot.waitUntil(lambda: reader.account("Everyday") is not None, timeout=WAIT)
    assert reader.count(TxFilter(account="Everyday")) == 1000
    window.show_page("Transactions")
    qtbot.waitUntil(lambda: window.transactions.account.findText("Everyday") >= 0, timeout=WAIT)
    undo(qtbot, window)
    qtbot.waitUntil(lambda: reader.account("Checking") is not None, timeout=WAIT)
    assert reader.account("Everyday") is None


def test_deleting_an_account_with_transactions_warns_there_is_no_undo(
    qtbot: Any, make_window: Any, db: Path, reader: Ledger
) -> None:
    window = make_window(db)
    dialog = open_dialog(qtbot, window)
    qtbot.waitUntil(lambda: dialog.account_list.count() == 2, timeout=WAIT)
    choose(dialog.account_list, "Checking")
    dialog.delete_account_button.click()
    text, detail = confirm(qtbot, dialog, "Cancel")
    assert text == "Delete the account 'Checking' with its 1,000 transactions and 1 import?"
    assert detail.startswith("This cannot be undone: Edit > Undo will not bring it back.")
    assert reader.count() == 1000
    dialog.delete_account_button.click()
    confirm(qtbot, dialog, "Delete account")
    qtbot.waitUntil(lambda: reader.account("Checking") is None, timeout=WAIT)
    assert reader.count() == 0 and reader.batches() == []
    qtbot.waitUntil(lambda: dialog.account_list.count() == 1, timeout=WAIT)
    assert window.ctx.undo.count() == 0  # nothing to undo: the confirmation said so
    # the categories stay, now with no transactions
    assert names(reader) == {"Car": 0, "Groceires": 0, "Groceries": 0}


def test_the_menu_shows_the_one_dialog_again(qtbot: Any, make_window: Any, db: Path) -> None:
    window = make_window(db)
    first = open_dialog(qtbot, window)
    first.hide()
    again = open_dialog(qtbot, window)
    assert again is first
    assert window.findChildren(TidyDialog) == [first]
