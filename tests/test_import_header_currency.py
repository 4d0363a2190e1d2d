"""A new account is made in the currency its first statement's money headers name ("Amount
(EUR)", "Betrag (€)") when the statement has no currency column and none is given: such a
statement went into a USD account, and yen were read as cents."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from data.importer import Mapping, header_currency
from data.ledger import Ledger
from desktop import cli


def _import(tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str, *extra: str) -> dict:
    csv = tmp_path / "s.csv"
    csv.write_text(text, encoding="utf-8")
    db = tmp_path / "l.sqlite"
    code = cli.main(["import", str(csv), "--account", "Main", "--db", str(db), "--json", *extra])
    out, err = capsys.readouterr()
    assert code == 0, err
    with Ledger.open(db) as ledger:
        account = ledger.account("Main")
        assert account is not None
        amounts = sorted(t.amount for t in ledger.iter_transactions())
    return {"currency": account.currency, "amounts": amounts, "reply": json.loads(out)}


def test_euros_named_in_the_amount_header(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    got = _import(
        tmp_path,
        capsys,
        "Date,Payee,Amount (EUR)\n2024-03-01,Bakery,-4.50\n2024-03-02,Salary,2000.00\n",
        "--no-categorize",
    )
    assert (got["currency"], got["amounts"]) == ("EUR", [-450, 200000])


def test_yen_named_in_the_header_are_read_as_yen(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    got = _import(
        tmp_path,
        capsys,
        'Date,Description,Amount JPY\n2024-03-01,Konbini,"-1,490"\n2024-03-02,Ramen,-980\n',
        "--no-categorize",
    )
    assert (got["currency"], got["amounts"]) == ("JPY", [-1490, -980])


def test_a_currency_given_wins_and_an_existing_account_keeps_its_own(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = "Datum;Text;Betrag (€)\n01.03.2024;Bäcker;-4,50\n"
    got = _import(tmp_path, capsys, text, "--no-categorize", "--currency", "CHF")
    assert got["currency"] == "CHF"
    # the next euro-headed file goes in only on the person's word again (test_ledger_currency_
    # guard: unsaid, an existing account refuses a file that names another currency)
    more = "Datum;Text;Betrag (€)\n02.03.2024;Metzger;-7,20\n"
    got = _import(tmp_path, capsys, more, "--no-categorize", "--currency", "CHF")
    assert (got["currency"], got["amounts"]) == ("CHF", [-720, -450])


@pytest.mark.parametrize(
    ("columns", "money", "expected"),
    [
        (("Date", "Amount (EUR)"), (1,), "EUR"),
        (("Datum", "Umsatz in EUR", "Saldo (€)"), (1, 2), "EUR"),
        (("Date", "Amount (£)"), (1,), "GBP"),
        (("Date", "Amount USD", "Amount EUR"), (1, 2), None),  # two named: not settled
        (("Date", "Amount ($)"), (1,), None),  # the dollar sign names many currencies
        (("Date", "Eur amount"), (1,), None),  # a word, not a code
        (("Currency: EUR", "Amount"), (1,), None),  # not a money column's header
        (("Date", "TOTALS"), (1,), None),
    ],
)
def test_header_currency(
    columns: tuple[str, ...], money: tuple[int, ...], expected: str | None
) -> None:
    mapping = Mapping(
        header_row=0,
        columns=columns,
        amount_column=money[0],
        balance_column=money[1] if len(money) > 1 else None,
    )
    assert header_currency(mapping) == expected


def test_a_headerless_statement_names_nothing() -> None:
    mapping = Mapping(header_row=None, columns=("column 1", "EUR"), amount_column=1)
    assert header_currency(mapping) is None


def test_dinars_named_in_the_header_are_read_in_thousandths(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    got = _import(
        tmp_path,
        capsys,
        "Date,Description,Amount (KWD)\n2024-03-01,Salary,1500.000\n2024-03-02,Souq,-23.455\n",
        "--no-categorize",
    )
    assert (got["currency"], got["amounts"]) == ("KWD", [-23455, 1500000])


def test_thousandths_with_no_currency_named_are_refused_with_the_hint(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    csv = tmp_path / "s.csv"
    csv.write_text(
        "Date,Description,Amount\n2024-03-01,Salary,1500.000\n2024-03-02,Souq,-23.455\n",
        encoding="utf-8",
    )
    db = tmp_path / "l.sqlite"
    code = cli.main(["import", str(csv), "--account", "Main", "--db", str(db), "--no-categorize"])
    _, err = capsys.readouterr()
    assert code == 1
    assert "three decimals" in err and "--currency" in err
    with Ledger.open(db) as ledger:
        assert ledger.account("Main") is None and ledger.count() == 0
