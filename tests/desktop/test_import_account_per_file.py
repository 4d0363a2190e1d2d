"""Each statement in the import wizard starts with no account chosen, and a statement that names
its currency cannot go into an account that holds another (audit 9: the last file's account
stayed in the box, and 87 N26 payments headed "Amount (EUR)" went into a Canadian card as
Canadian dollars at one click, with a preview in euros; the same file was in N26 already, and
nothing said so)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt

from data.ledger import Ledger, TxFilter


def _stage(qtbot: Any, window: Any, path: Path) -> Any:
    wizard = window.importing
    window.open_files([path])
    qtbot.waitUntil(
        lambda: wizard.staged is not None and wizard.staged.path == path, timeout=15_000
    )
    return wizard


def _import(qtbot: Any, window: Any, wizard: Any) -> None:
    assert wizard.import_button.isEnabled(), wizard.review_warning.text()
    with qtbot.waitSignal(window.ctx.events.changed, timeout=30_000):
        qtbot.mouseClick(wizard.import_button, Qt.MouseButton.LeftButton)
    assert wizard.stack.currentIndex() == 3, wizard.review_message.text()


def test_a_euro_statement_after_a_card_import_does_not_go_into_the_card(
    qtbot: Any, make_window: Any, ledger_path: Path, tmp_path: Path
) -> None:
    card = tmp_path / "card.csv"
    card.write_text(
        "Date,Description,Amount\n2019-01-10,MOBIL,-36.33\n2018-12-15,APPLE.COM/BILL,-13.98\n",
        encoding="utf-8",
    )
    euros = tmp_path / "n26.csv"
    euros.write_text(
        "Booking Date,Partner Name,Amount (EUR)\n"
        "2024-01-15,STARBUCKS COFFEE,-4.50\n"
        "2024-01-18,John Smith,2500.00\n",
        encoding="utf-8",
    )
    window = make_window(ledger_path)
    wizard = _stage(qtbot, window, card)
    wizard.account.setCurrentText("Maple Card")
    wizard.currency.setCurrentText("CAD")
    _import(qtbot, window, wizard)
    qtbot.mouseClick(wizard.done_button, Qt.MouseButton.LeftButton)

    wizard = _stage(qtbot, window, euros)
    qtbot.waitUntil(lambda: wizard.account.count() == 1, timeout=15_000)  # accounts read
    assert wizard.account.currentText() == ""  # not the card's, kept from the last file
    assert wizard.currency.currentText() == "EUR"

    wizard.account.setCurrentText("Maple Card")
    qtbot.waitUntil(wizard.review_warning.isVisible, timeout=15_000)
    assert not wizard.import_button.isEnabled()
    warning = wizard.review_warning.text()
    assert "EUR" in warning and "Maple Card holds CAD" in warning, warning

    wizard.account.setCurrentText("N26")
    qtbot.waitUntil(wizard.import_button.isEnabled, timeout=15_000)
    assert not wizard.review_warning.isVisible()
    _import(qtbot, window, wizard)
    with Ledger.open(ledger_path) as ledger:
        assert ledger.account("N26").currency == "EUR"
        card_rows = ledger.transactions(TxFilter(account="Maple Card"))
    assert sorted(t.amount for t in card_rows) == [-3633, -1398]
    assert {t.currency for t in card_rows} == {"CAD"}


def test_a_statement_that_names_no_currency_may_go_into_any_account(
    qtbot: Any, make_window: Any, ledger_path: Path, tmp_path: Path
) -> None:
    with Ledger.open(ledger_path) as ledger:
        ledger.ensure_account("Franc Account", "CHF")
    plain = tmp_path / "plain.csv"
    plain.write_text("Date,Description,Amount\n2024-01-05,TWINT SHOP,-25.50\n", encoding="utf-8")
    window = make_window(ledger_path)
    wizard = _stage(qtbot, window, plain)
    qtbot.waitUntil(lambda: wizard.account.count() == 1, timeout=15_000)
    wizard.account.setCurrentText("Franc Account")
    qtbot.waitUntil(wizard.import_button.isEnabled, timeout=15_000)
    assert not wizard.review_warning.isVisible()
    _import(qtbot, window, wizard)
    with Ledger.open(ledger_path) as ledger:
        rows = ledger.transactions(TxFilter(account="Franc Account"))
    assert [(t.amount, t.currency) for t in rows] == [(-2550, "CHF")]


def test_a_file_imported_before_says_so(
    qtbot: Any, make_window: Any, ledger_path: Path, tmp_path: Path
) -> None:
    plain = tmp_path / "may.csv"
    plain.write_text("Date,Description,Amount\n2024-05-02,TESCO,-25.50\n", encoding="utf-8")
    window = make_window(ledger_path)
    wizard = _stage(qtbot, window, plain)
    assert not wizard.review_warning.isVisible()
    wizard.account.setCurrentText("Everyday")
    _import(qtbot, window, wizard)
    qtbot.mouseClick(wizard.done_button, Qt.MouseButton.LeftButton)

    wizard = _stage(qtbot, window, plain)
    qtbot.waitUntil(wizard.review_warning.isVisible, timeout=15_000)
    wizard.account.setCurrentText("Joint")
    warning = wizard.review_warning.text()
    assert "may.csv was imported before, into Everyday on " in warning, warning
    assert "(1 row); importing it into another account counts its money twice" in warning
    wizard.account.setCurrentText("Everyday")
    assert "importing it again into Everyday only skips the rows" in wizard.review_warning.text()
    assert wizard.import_button.isEnabled()  # said, not refused
