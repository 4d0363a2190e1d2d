"""The Ledger's aggregate reads (dashboards, reports) on a real SQLite ledger, checked against
sums worked out in plain Python over the same rows."""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path

import pytest

from data.ledger import Ledger, LedgerStats, MonthTotals
from data.transfers import is_transfer

D = dt.date


@pytest.fixture
def ledger(tmp_path: Path):
    with Ledger.open(tmp_path / "ledger.sqlite") as opened:
        yield opened


Row = tuple[str, str, int, str, str, str | None, int | None]  # acct, date, amt, cur, desc, cat, bal


def _seed(ledger: Ledger, rows: list[Row]) -> None:
    conn = ledger._conn
    for n, (account, date, amount, currency, description, category, balance) in enumerate(rows):
        acct = ledger.ensure_account(account, currency)
        cat = ledger.ensure_category(category).id if category else None
        conn.execute(
            "INSERT INTO transactions (account_id, date, amount, currency, description, payee, "
            "category_id, fingerprint, balance) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                acct.id,
                date,
                amount,
                currency,
                description,
                description.split()[0].title(),
                cat,
                str(n),
                balance,
            ),
        )


def _random_rows(seed: int) -> list[Row]:
    rng = random.Random(seed)
    rows: list[Row] = []
    for _ in range(400):
        day = D(2023, 1, 1) + dt.timedelta(days=rng.randrange(500))
        kind = rng.random()
        if kind < 0.1:
            rows.append(
                (
                    "Current",
                    day.isoformat(),
                    -rng.randrange(1, 90_000),
                    "GBP",
                    rng.choice(
                        [
                            "TRANSFER TO SAVINGS 12",
                            "Online Payment to Credit Card 4921",
                            "BANK TRANSFER TO M PATEL RENT",  # rent: spending
                        ]
                    ),
                    None,
                    None,
                )
            )
        elif kind < 0.2:
            rows.append(
                (
                    "Current",
                    day.isoformat(),
                    rng.randrange(1, 300_000),
                    "GBP",
                    "SALARY ACME",
                    "Income",
                    None,
                )
            )
        elif kind < 0.25:
            rows.append(
                (
                    "Euro",
                    day.isoformat(),
                    -rng.randrange(1, 9000),
                    "EUR",
                    "BOULANGERIE",
                    "Food",
                    None,
                )
            )
        else:
            cat = rng.choice(["Food", "Transport", "Own transfer", None])
            shop = rng.choice(["TESCO", "UBER", "SHELL", "BOOTS"])
            rows.append(
                (
                    "Card",
                    day.isoformat(),
                    -rng.randrange(1, 20_000),
                    "GBP",
                    f"{shop} {rng.randrange(99)}",
                    cat,
                    None,
                )
            )
    return rows


def _kept(row: Row, exclude: bool) -> bool:
    # the Python spelling of the rule the SQL applies: the two must agree
    return not exclude or not is_transfer(row[4], row[5])


@pytest.mark.parametrize("exclude", [True, False])
def test_totals_agree_with_plain_python(ledger: Ledger, exclude: bool) -> None:
    rows = _random_rows(3)
    _seed(ledger, rows)
    start, end = D(2023, 3, 1), D(2024, 3, 1)
    inside = [
        r
        for r in rows
        if r[3] == "GBP" and start.isoformat() <= r[1] < end.isoformat() and _kept(r, exclude)
    ]
    by_month: dict[D, list[int]] = {}
    for r in inside:
        month = D.fromisoformat(r[1]).replace(day=1)
        slot = by_month.setdefault(month, [0, 0])
        slot[0 if r[2] > 0 else 1] += abs(r[2])
    got = ledger.monthly_totals("GBP", start, end, exclude_transfers=exclude)
    assert got == [MonthTotals(m, inc, exp) for m, (inc, exp) in sorted(by_month.items())]

    spent: dict[str, int] = {}
    for r in inside:
        if r[2] < 0:
            spent[r[5] or "Uncategorized"] = spent.get(r[5] or "Uncategorized", 0) - r[2]
    by_cat = ledger.spending_by_category("GBP", start, end, exclude_transfers=exclude)
    assert dict(by_cat) == spent
    assert [total for _, total in by_cat] == sorted(spent.values(), reverse=True)

    net: dict[tuple[D, str], int] = {}
    for r in inside:
        key = (D.fromisoformat(r[1]).replace(day=1), r[5] or "Uncategorized")
        net[key] = net.get(key, 0) + r[2]
    cells = ledger.monthly_category_totals("GBP", start, end, exclude_transfers=exclude)
    assert cells == [(m, c, t) for (m, c), t in sorted(net.items())]

    payees: dict[str, int] = {}
    for r in inside:
        if r[2] < 0:
            name = r[4].split()[0].title()
            payees[name] = payees.get(name, 0) - r[2]
    top = ledger.top_payees("GBP", start, end, limit=3, exclude_transfers=exclude)
    assert [t for _, t in top] == sorted(payees.values(), reverse=True)[:3]
    assert all(payees[name] == total for name, total in top)


def test_currencies_never_mix_and_stats_name_the_main_one(ledger: Ledger) -> None:
    assert ledger.stats() == LedgerStats(0, 0, None, None)
    assert ledger.monthly_totals("GBP", D(2000, 1, 1), D(2100, 1, 1)) == []
    assert ledger.month_end_balances("GBP") == []
    rows = _random_rows(5)
    _seed(ledger, rows)
    euro = [r for r in rows if r[3] == "EUR"]
    stats = ledger.stats()
    assert stats.transactions == len(rows) and stats.pending == len(rows)
    assert stats.main_currency == "GBP"
    assert stats.latest == max(D.fromisoformat(r[1]) for r in rows if r[3] == "GBP")
    eur = ledger.spending_by_category("EUR", D(2000, 1, 1), D(2100, 1, 1))
    assert eur == [("Food", -sum(r[2] for r in euro))]
    assert ledger.monthly_totals("XXX", D(2000, 1, 1), D(2100, 1, 1)) == []
    # an empty or reversed range is simply empty, and a negative limit lists nothing
    assert ledger.monthly_totals("GBP", D(2024, 1, 1), D(2023, 1, 1)) == []
    assert ledger.top_payees("GBP", D(2000, 1, 1), D(2100, 1, 1), limit=-1) == []


def test_month_end_balances_follow_the_banks_running_balance(ledger: Ledger) -> None:
    _seed(
        ledger,
        [
            ("Current", "2024-01-05", -1_000, "GBP", "TESCO", None, 9_000),
            ("Current", "2024-01-20", 50_000, "GBP", "SALARY", None, 59_000),
            ("Current", "2024-03-02", -4_000, "GBP", "RENT", None, 55_000),
            ("Card", "2024-02-10", -2_500, "GBP", "UBER", None, None),
            ("Euro", "2024-02-10", -700, "EUR", "CAFE", None, 300),
        ],
    )
    # Current starts at 10,000 (its stated balances say so); Card has none and starts at 0;
    # February carries Current's January balance forward; the euro account is not in GBP.
    assert ledger.month_end_balances("GBP") == [
        (D(2024, 1, 1), 59_000),
        (D(2024, 2, 1), 59_000 - 2_500),
        (D(2024, 3, 1), 55_000 - 2_500),
    ]
    assert ledger.month_end_balances("EUR") == [(D(2024, 2, 1), 300)]
