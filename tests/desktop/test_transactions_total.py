"""The Transactions page says what the rows it lists add up to, per currency, in the real window
offscreen over a real ledger; and Ledger.totals, which it reads, never mixes currencies."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from data.ledger import Ledger, LedgerError, TxFilter

POUNDS = "Date,Description,Amount\n2026-11-02,NETFLIX.COM,-9.99\n2026-11-03,Tesco,-20.01\n"
POUNDS += "2026-12-02,NETFLIX.COM,-9.99\n2026-12-03,Salary,1500.00\n"
YEN = "Date,Description,Amount\n2026-11-04,NETFLIX JP,-1490\n2026-11-05,Lawson,-380\n"


@pytest.fixture
def two_currencies(tmp_path: Path) -> Path:
    db = tmp_path / "ledger.sqlite"
    (tmp_path / "gbp.csv").write_text(POUNDS)
    (tmp_path / "jpy.csv").write_text(YEN)
    with Ledger.open(db) as ledger:
        ledger.import_file(tmp_path / "gbp.csv", "Current", currency="GBP")
        ledger.import_file(tmp_path / "jpy.csv", "Yen card", currency="JPY")
    return db


def test_totals_per_currency(two_currencies: Path) -> None:
    with Ledger.open(two_currencies) as ledger:
        assert ledger.totals() == [("GBP", 146001), ("JPY", -1870)]
        assert ledger.totals(TxFilter(text="netflix")) == [("GBP", -1998), ("JPY", -1490)]
        assert ledger.totals(TxFilter(text="nothing like it")) == []
        assert ledger.totals(TxFilter(account="Yen card", uncategorized=True)) == [("JPY", -1870)]
        with pytest.raises(LedgerError, match="no account"):
            ledger.totals(TxFilter(account="\x00nope"))


def test_the_page_shows_the_total_of_what_it_lists(
    qtbot: Any, make_window: Any, two_currencies: Path
) -> None:
    window = make_window(two_currencies)
    window.show_page("Transactions")
    page = window.transactions
    qtbot.waitUntil(lambda: "total" in page.count_label.text(), timeout=20_000)
    assert page.count_label.text() == "6 transactions, total £1,460.01, -¥1,870"
    page.search.setText("netflix")
    qtbot.waitUntil(lambda: page.count_label.text().startswith("3 "), timeout=20_000)
    qtbot.waitUntil(lambda: "total" in page.count_label.text(), timeout=20_000)
    assert page.count_label.text() == "3 transactions, total -£19.98, -¥1,490"
    page.search.setText("nothing like it")
    qtbot.waitUntil(lambda: page.count_label.text() == "0 transactions", timeout=20_000)
    qtbot.wait(200)
    assert page.count_label.text() == "0 transactions"  # no total of nothing
