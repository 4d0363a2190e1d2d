"""`fincast accounts` shows the balance the Dashboard shows: the one the bank's statements
stated (their running balance), not the sum of the imported rows, which starts every account at
zero; both figures, and why they differ, when they do (audit 9, D1: Revolut 96.56 by the rows,
1,840.26 stated). Real SQLite ledgers, the CLI's main()."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from data.ledger import Ledger
from data.money import format_decimal
from tests.helpers.cli_run import run

OPENING = 183_969  # pence the current account held before its first imported row
AMOUNTS = [-2_599, 250_000, -12_345, -899, -61_000, 4_321, -1]


def _statements(tmp_path: Path) -> tuple[Path, Path]:
    """A statement with a running balance (from OPENING) and one without any."""
    stated = tmp_path / "current.csv"
    lines, running = ["Date,Description,Amount,Balance"], OPENING
    for i, pence in enumerate(AMOUNTS):
        running += pence
        day = dt.date(2026, 3, 2) + dt.timedelta(days=3 * i)
        lines.append(f"{day.isoformat()},SHOP {i},{pence / 100:.2f},{running / 100:.2f}")
    stated.write_text("\n".join(lines) + "\n")
    plain = tmp_path / "card.csv"
    plain.write_text(
        "Date,Description,Amount\n"
        + "".join(f"2026-03-{i + 10},CARD {i},{p / 100:.2f}\n" for i, p in enumerate(AMOUNTS[:3]))
    )
    return stated, plain


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "ledger.sqlite"
    stated, plain = _statements(tmp_path)
    with Ledger.open(path) as ledger:
        ledger.import_file(stated, "Current", currency="GBP")
        ledger.import_file(plain, "Card", currency="GBP")
    return path


def test_json_gives_the_stated_balance_and_the_rows_sum(
    capsys: pytest.CaptureFixture[str], db: Path
) -> None:
    code, out, err = run(capsys, "accounts", "--db", db, "--json")
    assert code == 0, err
    rows = {r["name"]: r for r in json.loads(out)}
    current, card = rows["Current"], rows["Card"]
    total = sum(AMOUNTS)
    assert current["balance"] == format_decimal(OPENING + total, "GBP")
    assert current["stated_balance"] == current["balance"]
    assert current["rows_balance"] == format_decimal(total, "GBP")
    # no running balance on the card's statement: the rows' sum is all there is
    assert card["balance"] == card["rows_balance"] == format_decimal(sum(AMOUNTS[:3]), "GBP")
    assert card["stated_balance"] is None
    # the Dashboard's balance (all GBP accounts together, its last month) is the same money
    with Ledger.open(db) as ledger:
        dashboard = ledger.month_end_balances("GBP")[-1][1]
    assert format_decimal(dashboard, "GBP") == format_decimal(
        OPENING + total + sum(AMOUNTS[:3]), "GBP"
    )


def test_text_shows_the_stated_balance_and_says_why_the_rows_differ(
    capsys: pytest.CaptureFixture[str], db: Path
) -> None:
    code, out, err = run(capsys, "accounts", "--db", db)
    assert code == 0, err
    lines = {line.split()[0]: line for line in out.splitlines()}
    stated = format_decimal(OPENING + sum(AMOUNTS), "GBP")
    rows = format_decimal(sum(AMOUNTS), "GBP")
    current = lines["Current"]
    assert current.split()[2] == stated
    assert "as stated on the last statement" in current
    assert f"the imported rows sum to {rows}" in current
    card = lines["Card"]
    assert card.split()[2] == format_decimal(sum(AMOUNTS[:3]), "GBP")
    assert "stated" not in card
