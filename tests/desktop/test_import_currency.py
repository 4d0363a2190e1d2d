"""The desktop's import child reads amounts in the account's own minor units (yen have none)."""

from __future__ import annotations

from pathlib import Path

from data.ledger import Ledger, TxFilter
from desktop import import_jobs


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
