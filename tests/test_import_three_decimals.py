"""Statements in a three-decimal currency (dinars, rials) with no currency column: read in
thousandths when the account's currency has three decimals, and otherwise refused with a message
that names the cause, instead of "No column holds amounts of money"."""

from __future__ import annotations

from pathlib import Path

import pytest

from data.importer import ThreeDecimals, detect, preview
from data.ledger import Ledger
from desktop import cli

ROWS = "Date,Description,Amount\n2026-11-02,Salary,1500.000\n2026-11-03,Lulu,-23.455\n"


@pytest.fixture
def statement(tmp_path: Path) -> Path:
    path = tmp_path / "dinars.csv"
    path.write_text(ROWS, encoding="utf-8")
    return path


def test_an_unchosen_currency_reads_thousandths_and_says_so(statement: Path) -> None:
    detection = detect(statement)
    assert detection.mapping.currency_exponent == 3
    assert [r.amount for r in preview(detection).rows] == [1_500_000, -23_455]
    assert any("three decimals" in line and "BHD" in line for line in detection.recognised)


def test_a_three_decimal_account_reads_them(statement: Path) -> None:
    assert [r.amount for r in preview(detect(statement, currency="KWD")).rows] == [
        1_500_000,
        -23_455,
    ]


@pytest.mark.parametrize("currency", ["USD", "JPY"])
def test_a_currency_with_fewer_decimals_is_refused_with_the_cause(
    statement: Path, currency: str
) -> None:
    with pytest.raises(ThreeDecimals, match=f"three decimals, which {currency} does not.*BHD"):
        detect(statement, currency=currency)


def test_cents_are_read_as_before(tmp_path: Path) -> None:
    cents = tmp_path / "cents.csv"
    cents.write_text("Date,Description,Amount\n2026-11-02,Shop,-1.250\n2026-11-03,Bar,2.5\n")
    detection = detect(cents)
    assert detection.mapping.currency_exponent == 2
    assert [r.amount for r in preview(detection).rows] == [-125, 250]
    assert not any("three decimals" in line for line in detection.recognised)


def _run(capsys: pytest.CaptureFixture[str], *argv: str | Path) -> tuple[int, str, str]:
    code = cli.main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_the_command_line_names_the_cause_and_the_option(
    statement: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "ledger.sqlite"
    args = ("import", statement, "--account", "Bahrain", "--db", db, "--no-categorize")
    code, _, err = _run(capsys, *args)
    assert code == 1 and len(err.strip().splitlines()) == 1
    assert "three decimals" in err and "--currency" in err
    with Ledger.open(db) as ledger:
        assert ledger.accounts() == []  # nothing created, nothing imported
    code, _, err = _run(capsys, *args, "--currency", "BHD")
    assert code == 0, err
    with Ledger.open(db) as ledger:
        assert sorted(t.amount for t in ledger.transactions()) == [-23_455, 1_500_000]
        assert ledger.account("Bahrain").currency == "BHD"  # type: ignore[union-attr]


def test_an_existing_account_gets_no_new_account_hint(
    statement: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "ledger.sqlite"
    with Ledger.open(db) as ledger:
        ledger.ensure_account("Pounds", "GBP")
        before = ledger.dump()
    code, _, err = _run(capsys, "import", statement, "--account", "Pounds", "--db", db)
    assert code == 1 and "which GBP does not" in err and "--currency" not in err
    with Ledger.open(db) as ledger:
        assert ledger.dump() == before
