"""The Import page around an import: the list of earlier imports has times on the person's
own clock (the ledger's UTC was shown as it was stored); "Undo the selected import" asks before
it removes a whole statement's rows, which nothing can put back but importing the file again
(it removed them at the first click, and did nothing, silently, with no row selected); and a
running balance that disagrees with the amounts is said plainly before and after."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtWidgets import QMessageBox

from data.ledger import Ledger


@pytest.fixture
def tokyo(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The process's local time is Japan's (UTC+9, no summer time) for the test."""
    monkeypatch.setenv("TZ", "Asia/Tokyo")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def _history(qtbot: Any, make_window: Any, db: Path) -> Any:
    window = make_window(db)
    window.show_page("Import")
    page = window.importing
    qtbot.waitUntil(lambda: page.batches.count() == 1, timeout=10_000)
    return page


def test_import_times_are_local(
    qtbot: Any,
    make_window: Any,
    ledger_path: Path,
    tmp_path: Path,
    write_statement: Any,
    tokyo: None,
) -> None:
    with Ledger.open(ledger_path) as ledger:
        ledger.import_file(write_statement(tmp_path / "s.csv", 5), "Current", currency="GBP")
        created = ledger.batches()[0].created  # e.g. 2026-12-07T06:46:06Z
    page = _history(qtbot, make_window, ledger_path)
    hour, minute = int(created[11:13]), created[14:16]
    assert f" {(hour + 9) % 24:02d}:{minute}  s.csv → Current: 5 imported" in (
        page.batches.item(0).text()
    )


def _answer(qtbot: Any, page: Any, button: str) -> None:
    qtbot.waitUntil(lambda: page.confirmation is not None, timeout=10_000)
    box = page.confirmation
    assert "Remove the 40 transactions imported from s.csv into Current" in box.text()
    assert "cannot be undone" in box.informativeText()
    if button == "Cancel":
        box.button(QMessageBox.StandardButton.Cancel).click()
    else:
        next(b for b in box.buttons() if b.text() == button).click()
    qtbot.waitUntil(lambda: page.confirmation is None, timeout=10_000)


def test_undoing_an_earlier_import_asks_first(
    qtbot: Any, make_window: Any, ledger_path: Path, tmp_path: Path, write_statement: Any
) -> None:
    with Ledger.open(ledger_path) as ledger:
        ledger.import_file(write_statement(tmp_path / "s.csv", 40), "Current", currency="GBP")
    page = _history(qtbot, make_window, ledger_path)
    page.batches.setCurrentRow(-1)
    page.undo_batch_button.click()
    assert page.confirmation is None
    assert "Choose the import to undo" in page.choose_message.text()

    page.batches.setCurrentRow(0)
    page.undo_batch_button.click()
    _answer(qtbot, page, "Cancel")
    with Ledger.open(ledger_path) as ledger:
        assert ledger.count() == 40

    page.undo_batch_button.click()
    _answer(qtbot, page, "Remove")
    qtbot.waitUntil(lambda: "Import undone" in page.choose_message.text(), timeout=10_000)
    assert "40 transactions removed" in page.choose_message.text()
    with Ledger.open(ledger_path) as ledger:
        assert ledger.count() == 0


def test_a_balance_that_disagrees_is_said_before_and_after_the_import(
    qtbot: Any, make_window: Any, ledger_path: Path, tmp_path: Path
) -> None:
    """The importer's "Check the amounts" was one bullet among eight on the review page and
    gone from the result page, which said only "Imported 7 transactions"."""
    path = tmp_path / "bad.csv"
    balances = ["100.00", "50.00", "10.00", "3.00", "70.00", "66.00", "1.00"]
    lines = [
        f"2024-01-0{i + 1},SHOP {i},-{i + 1}.00,{balance}" for i, balance in enumerate(balances)
    ]
    path.write_text("Date,Description,Amount,Balance\n" + "\n".join(lines) + "\n", "utf-8")
    window = make_window(ledger_path)
    page = window.importing
    window.open_files([path])
    qtbot.waitUntil(lambda: page.staged is not None, timeout=15_000)
    assert page.review_warning.isVisible()
    assert page.review_warning.text().startswith("Check the amounts: the running balance")
    page.account.setCurrentText("Current")
    with qtbot.waitSignal(window.ctx.events.changed, timeout=30_000):
        page.import_button.click()
    assert "Imported 7 transactions" in page.result_label.text()
    assert "Check the amounts" in page.result_label.text()
    assert "Undo this import if they look wrong." in page.result_label.text()
