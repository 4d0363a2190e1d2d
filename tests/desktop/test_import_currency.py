"""The desktop's import child reads amounts in the account's own minor units (yen have none)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QLocale

from data.ledger import Ledger, TxFilter
from desktop import import_jobs
from desktop.views.importing import local_currency


def _statement(path: Path) -> Path:
    lines = [f"2024-01-{day:02d},SHOP {day},-{day * 130}" for day in range(1, 12)]
    text = "\n".join(["Date,Description,Amount", *lines, "2024-01-25,SALARY,300000"])
    path.write_text(text + "\n", encoding="utf-8")
    return path


EXPECTED = sorted([-day * 130 for day in range(1, 12)] + [300000])


def test_a_new_yen_account_stores_whole_yen(tmp_path: Path) -> None:
    path = _statement(tmp_path / "jp.csv")
    with Ledger.open(tmp_path / "l.sqlite") as ledger:
        staged = import_jobs.stage(ledger, path)
        result = import_jobs.commit(ledger, staged, "Yen", "JPY", lambda _rows: None)
        amounts = sorted(t.amount for t in ledger.transactions(TxFilter(account="Yen")))
    assert result.imported == 12
    assert amounts == EXPECTED


def test_an_existing_accounts_currency_wins_over_the_choice(tmp_path: Path) -> None:
    path = _statement(tmp_path / "jp.csv")
    with Ledger.open(tmp_path / "l.sqlite") as ledger:
        ledger.ensure_account("Yen", "JPY")
        staged = import_jobs.stage(ledger, path)
        import_jobs.commit(ledger, staged, "Yen", "USD", lambda _rows: None)
        amounts = sorted(t.amount for t in ledger.transactions(TxFilter(account="Yen")))
    assert amounts == EXPECTED


def _preview_amounts(wizard: Any) -> list[str]:
    table = wizard.preview_table
    return [table.item(r, 3).text() for r in range(table.rowCount())]


def test_the_wizard_previews_yen_as_the_account_will_store_them(
    qtbot: Any, make_window: Any, ledger_path: Path, tmp_path: Path
) -> None:
    with Ledger.open(ledger_path) as ledger:
        ledger.ensure_account("Yen", "JPY")
        ledger.ensure_account("Pounds", "GBP")
    path = _statement(tmp_path / "jp.csv")
    window = make_window(ledger_path)
    wizard = window.importing
    window.open_files([path])
    qtbot.waitUntil(lambda: wizard.staged is not None, timeout=15_000)
    qtbot.waitUntil(lambda: wizard.account.count() == 2, timeout=15_000)

    wizard.account.setCurrentText("Yen")
    qtbot.waitUntil(lambda: wizard.staged.mapping.currency_exponent == 0, timeout=15_000)
    assert sorted(r.amount for r in wizard.staged.preview.rows) == EXPECTED
    assert "¥-130" not in _preview_amounts(wizard)  # sign first, whole yen, no decimals
    assert "-¥130" in _preview_amounts(wizard)

    wizard.account.setCurrentText("Pounds")
    qtbot.waitUntil(lambda: wizard.staged.mapping.currency_exponent == 2, timeout=15_000)
    assert "-£130.00" in _preview_amounts(wizard)

    wizard.account.setCurrentText("A new yen account")
    wizard.currency.setCurrentText("JPY")
    qtbot.waitUntil(lambda: wizard.staged.mapping.currency_exponent == 0, timeout=15_000)
    assert "-¥130" in _preview_amounts(wizard)


@pytest.mark.parametrize(
    ("name", "code"), [("en_US", "USD"), ("de_DE", "EUR"), ("ja_JP", "JPY"), ("C", "GBP")]
)
def test_a_new_accounts_currency_defaults_to_the_users_locale(name: str, code: str) -> None:
    assert local_currency(QLocale(name)) == code
