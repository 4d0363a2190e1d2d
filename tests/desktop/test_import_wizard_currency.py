"""The import wizard's currency for a new account: the file's own when a currency column names
one (it said "USD" over a yen statement, and the ledger made the account in yen anyway), and any
ISO currency when the file names none (dinars were not on offer, so a statement without a
currency column could not go into a new BHD account from the window)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt

from data.ledger import Ledger, TxFilter


def _preview_amounts(wizard: Any) -> list[str]:
    table = wizard.preview_table
    return [table.item(r, 3).text() for r in range(table.rowCount())]


def _stage(qtbot: Any, make_window: Any, db: Path, path: Path) -> Any:
    window = make_window(db)
    wizard = window.importing
    window.open_files([path])
    qtbot.waitUntil(lambda: wizard.staged is not None, timeout=15_000)
    return window, wizard


def _import(qtbot: Any, window: Any, wizard: Any) -> None:
    assert wizard.import_button.isEnabled()
    with qtbot.waitSignal(window.ctx.events.changed, timeout=30_000):
        qtbot.mouseClick(wizard.import_button, Qt.MouseButton.LeftButton)
    assert wizard.stack.currentIndex() == 3, wizard.review_message.text()


def test_a_statement_in_yen_offers_yen_for_its_new_account(
    qtbot: Any, make_window: Any, ledger_path: Path, tmp_path: Path
) -> None:
    path = tmp_path / "card.csv"
    path.write_text(
        "Date,Description,Amount,Currency\n"
        "2026-09-02,SEVEN ELEVEN,-1280,JPY\n"
        "2026-09-12,NETFLIX.COM,-1490,JPY\n"
        "2026-09-25,SALARY TOKYO,352000,JPY\n",
        encoding="utf-8",
    )
    window, wizard = _stage(qtbot, make_window, ledger_path, path)
    wizard.account.setCurrentText("Yen Card")
    qtbot.waitUntil(lambda: wizard.currency.currentText() == "JPY", timeout=15_000)
    assert "-¥1,280" in _preview_amounts(wizard)
    _import(qtbot, window, wizard)
    with Ledger.open(ledger_path) as ledger:
        assert ledger.account("Yen Card").currency == "JPY"


def test_a_dinar_account_can_be_made_for_a_statement_that_names_no_currency(
    qtbot: Any, make_window: Any, ledger_path: Path, tmp_path: Path
) -> None:
    path = tmp_path / "current.csv"
    path.write_text(
        "Date,Description,Amount\n"
        "2026-09-01,OPENING DEPOSIT,1500.00\n"
        "2026-09-03,LULU HYPERMARKET,-23.45\n"
        "2026-09-10,BATELCO MOBILE,-12.60\n",
        encoding="utf-8",
    )
    window, wizard = _stage(qtbot, make_window, ledger_path, path)
    assert wizard.currency.findText("BHD") >= 0
    wizard.account.setCurrentText("Manama")
    wizard.currency.setCurrentText("BHD")
    qtbot.waitUntil(lambda: wizard.staged.mapping.currency_exponent == 3, timeout=15_000)
    assert "-BHD 23.450" in _preview_amounts(wizard)
    _import(qtbot, window, wizard)
    with Ledger.open(ledger_path) as ledger:
        assert ledger.account("Manama").currency == "BHD"
        amounts = sorted(t.amount for t in ledger.transactions(TxFilter(account="Manama")))
    assert amounts == [-23450, -12600, 1500000]


def test_amounts_with_three_decimals_wait_for_a_currency_that_has_them(
    qtbot: Any, make_window: Any, ledger_path: Path, tmp_path: Path
) -> None:
    """A dinar statement with no currency column ("-23.455") stages (it was refused outright:
    'No column holds amounts of money'), says why the default currency cannot take it, and
    imports once the person chooses a three-decimal currency."""
    path = tmp_path / "dinars.csv"
    path.write_text(
        "Date,Description,Amount\n"
        "2026-09-01,OPENING DEPOSIT,1500.000\n"
        "2026-09-03,LULU HYPERMARKET,-23.455\n"
        "2026-09-10,BATELCO MOBILE,-12.600\n",
        encoding="utf-8",
    )
    window, wizard = _stage(qtbot, make_window, ledger_path, path)
    wizard.account.setCurrentText("Manama")
    wizard.currency.setCurrentText("GBP")
    qtbot.waitUntil(lambda: wizard.staged.mapping.currency_exponent == 2, timeout=15_000)
    assert not wizard.import_button.isEnabled()
    assert "three decimals" in wizard.review_warning.text()
    assert "KWD" in wizard.review_warning.text()
    wizard.currency.setCurrentText("KWD")
    qtbot.waitUntil(lambda: wizard.staged.mapping.currency_exponent == 3, timeout=15_000)
    assert "three decimals" not in wizard.review_warning.text()
    assert "-KWD 23.455" in _preview_amounts(wizard)
    _import(qtbot, window, wizard)
    with Ledger.open(ledger_path) as ledger:
        assert ledger.account("Manama").currency == "KWD"
        amounts = sorted(t.amount for t in ledger.transactions(TxFilter(account="Manama")))
    assert amounts == [-23455, -12600, 1500000]


N26_HEAD = (
    '"Booking Date","Value Date","Partner Name","Partner Iban",Type,"Payment Reference",'
    '"Account Name","Amount (EUR)","Original Amount","Original Currency","Exchange Rate"\n'
)


def test_a_currency_named_in_the_amount_header_is_the_new_accounts_and_the_previews(
    qtbot: Any, make_window: Any, ledger_path: Path, tmp_path: Path
) -> None:
    # N26's export (cvigo sample): the currency is only in the header, "Amount (EUR)"
    path = tmp_path / "n26.csv"
    path.write_text(
        N26_HEAD + '2024-01-15,2024-01-15,"STARBUCKS COFFEE",,Presentment,,"Main Account",'
        "-4.50,4.50,EUR,1\n"
        '2024-01-18,2024-01-18,"John Smith",,Credit Transfer,"Salary","Main Account",'
        "2500.00,,,\n",
        encoding="utf-8",
    )
    window, wizard = _stage(qtbot, make_window, ledger_path, path)
    wizard.account.setCurrentText("N26")
    assert wizard.currency.currentText() == "EUR"
    assert _preview_amounts(wizard)[0] == "-€4.50"
    # a currency chosen by hand is the one shown, at once (it kept "$4.50" after EUR was chosen
    # over USD: same decimals, so nothing was read again)
    wizard.currency.setCurrentText("GBP")
    assert _preview_amounts(wizard)[0] == "-£4.50"
    _import(qtbot, window, wizard)
    with Ledger.open(ledger_path) as ledger:
        assert ledger.account("N26").currency == "GBP"
