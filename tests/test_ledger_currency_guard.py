"""An existing account takes no statement in another currency: the rows would be stored as the
account's money and summed with it (audit 9: 94 euro rows went into a dollar account from the
command line, silently; in the window, 87 N26 euro rows became Canadian dollars). The file is
refused whole, with a message naming both currencies, and the ledger is left as it was."""

from __future__ import annotations

from pathlib import Path

import pytest

from data.ledger import ImportRejected, Ledger
from desktop import cli

DOLLARS = "Date,Description,Amount\n2024-03-01,Coffee,-3.50\n2024-03-02,Pay,1200.00\n"
EUROS_IN_HEADER = "Date,Description,Amount (EUR)\n2024-03-03,Bakery,-4.50\n"
EUROS_IN_ROWS = "Date,Description,Amount,Currency\n2024-03-03,Bakery,-4.50,EUR\n"
MIXED_ROWS = (
    "Date,Description,Amount,Currency\n2024-03-03,Bakery,-4.50,EUR\n2024-03-04,Diner,-9.00,USD\n"
)


def _file(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _state(db: Path) -> tuple[list[tuple[str, int, str]], int, str | None]:
    """Every row (description, amount, currency), the batch count, the account's currency."""
    with Ledger.open(db) as ledger:
        rows = sorted((t.description, t.amount, t.currency) for t in ledger.iter_transactions())
        account = ledger.account("Everyday")
        return rows, len(ledger.batches()), account.currency if account else None


@pytest.fixture
def dollar_ledger(tmp_path: Path) -> Path:
    db = tmp_path / "ledger.sqlite"
    with Ledger.open(db) as ledger:
        ledger.import_file(_file(tmp_path, "usd.csv", DOLLARS), "Everyday", currency="USD")
    return db


@pytest.mark.parametrize("text", [EUROS_IN_HEADER, EUROS_IN_ROWS], ids=["header", "rows"])
def test_a_euro_statement_is_refused_by_a_dollar_account(
    tmp_path: Path, dollar_ledger: Path, text: str
) -> None:
    before = _state(dollar_ledger)
    with Ledger.open(dollar_ledger) as ledger, pytest.raises(ImportRejected) as refused:
        ledger.import_file(_file(tmp_path, "eur.csv", text), "Everyday")
    assert "eur.csv is in EUR" in str(refused.value)
    assert "'Everyday' holds USD" in str(refused.value)
    assert _state(dollar_ledger) == before


def test_the_command_line_says_so_in_one_line_and_stores_nothing(
    tmp_path: Path, dollar_ledger: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = _state(dollar_ledger)
    euros = _file(tmp_path, "eur.csv", EUROS_IN_HEADER)
    code = cli.main(
        ["import", str(euros), "--account", "Everyday", "--db", str(dollar_ledger),
         "--no-categorize"]
    )  # fmt: skip
    _, err = capsys.readouterr()
    assert code == 1
    assert err.count("\n") == 1 and "is in EUR" in err and "holds USD" in err
    assert _state(dollar_ledger) == before


def test_only_the_accounts_own_code_given_vouches_for_the_file(
    tmp_path: Path, dollar_ledger: Path
) -> None:
    euros = _file(tmp_path, "eur.csv", EUROS_IN_HEADER)
    with Ledger.open(dollar_ledger) as ledger:
        for given in ("EUR", "GBP"):  # a new account's currency: not for an existing one
            with pytest.raises(ImportRejected, match="is in EUR"):
                ledger.import_file(euros, "Everyday", currency=given)
        # the person's word that this file's money is dollars stands over its header
        ledger.import_file(euros, "Everyday", currency="USD")
    rows, batches, currency = _state(dollar_ledger)
    assert ("Bakery", -450, "USD") in rows and (batches, currency) == (2, "USD")


def test_same_currency_mixed_rows_and_new_accounts_are_taken(
    tmp_path: Path, dollar_ledger: Path
) -> None:
    with Ledger.open(dollar_ledger) as ledger:
        ledger.import_file(_file(tmp_path, "more.csv", DOLLARS.replace("03-0", "04-0")), "Everyday")
        # rows of several currencies: a multi-currency export, not a statement of another one
        ledger.import_file(_file(tmp_path, "mixed.csv", MIXED_ROWS), "Everyday")
        ledger.import_file(_file(tmp_path, "eur.csv", EUROS_IN_HEADER), "Euro account")
        euro = ledger.account("Euro account")
    rows, batches, _ = _state(dollar_ledger)
    assert (batches, len(rows)) == (4, 7)  # 2 + 2 + 2 dollar and mixed rows, 1 euro account row
    assert euro is not None and euro.currency == "EUR"
