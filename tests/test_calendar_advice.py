"""What the forecaster and the advisor are asked and answer on the calendar's awkward days, from
real SQLite ledgers through real sidecars behind a real hub: which month is forecast first, which
month the advisor speaks of, how many months of history it is told of, and what is left out of a
three-year window that starts near a 29 February. Expected figures are worked out by hand."""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from data.ledger import Ledger
from desktop import forecasting, insighting
from sidecars.advisor.service import safe_to_save_method
from sidecars.insights.service import insights
from supervisor import Hub, ServiceSpec

TIMEOUT = 60.0
D = dt.date


@pytest.fixture(scope="module")
def hub(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Hub]:
    home = tmp_path_factory.mktemp("hub")
    with Hub(
        [ServiceSpec("forecaster"), ServiceSpec("advisor")],
        config_path=home / "services.toml",
        log_dir=home / "logs",
    ) as started:
        assert started.wait_ready(TIMEOUT), started.status()
        yield started


def _import(ledger: Ledger, tmp_path: Path, rows: list[tuple[dt.date, str, str]]) -> None:
    path = tmp_path / "current.csv"
    path.write_text(
        "Date,Description,Amount\n" + "".join(f"{d.isoformat()},{w},{a}\n" for d, w, a in rows)
    )
    assert ledger.import_file(path, "Current", currency="GBP").imported == len(rows)


def _salary_on_the_30th(first: dt.date, last: dt.date) -> list[tuple[dt.date, str, str]]:
    """Each month from `first` to `last`: rent on the 1st, food on the 15th, and pay on the 30th
    (February's on its last day). Every month nets 2,500 - 900 - 300 = 1,300."""
    rows = []
    y, m = first.year, first.month
    while (y, m) <= (last.year, last.month):
        pay_day = min(30, calendar.monthrange(y, m)[1])
        rows += [
            (D(y, m, 1), "RENT M PATEL", "-900.00"),
            (D(y, m, 15), "TESCO STORES", "-300.00"),
            (D(y, m, pay_day), "ACME PAYROLL", "2500.00"),
        ]
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return rows


@pytest.mark.parametrize(
    ("today", "months", "first", "speaks_of", "ahead"),
    [
        # Statements to 30 December 2024 (July 2023 onwards)
        # read on New Year's Day: December is whole, January is forecast and advised on
        (D(2025, 1, 1), 18, "2025-01", "2025-01", False),
        # read on New Year's Eve: December is still running, so it is forecast and advised on
        (D(2024, 12, 31), 17, "2024-12", "2024-12", False),
        # read on 1 February: January is forecast first, February is this month's figure
        (D(2025, 2, 1), 18, "2025-01", "2025-02", True),
        (D(2025, 3, 31), 18, "2025-01", "2025-03", True),
    ],
)
def test_forecast_and_advice_on_the_turn_of_the_year(
    hub: Hub,
    tmp_path: Path,
    today: dt.date,
    months: int,
    first: str,
    speaks_of: str,
    ahead: bool,
) -> None:
    db = tmp_path / "ledger.sqlite"
    with Ledger.open(db) as ledger:
        _import(ledger, tmp_path, _salary_on_the_30th(D(2023, 7, 1), D(2024, 12, 31)))
        outcome = forecasting.run(hub, ledger, db, today=today)
    assert outcome.fresh and outcome.forecast is not None, outcome.forecast_problem
    forecast = outcome.forecast
    assert forecast["history"]["months"] == months
    assert forecast["history"]["first_month"] == "2023-07"
    assert forecast["first_month"] == first
    net = next(s for s in forecast["series"] if s["kind"] == "net")
    # every month, February 2024's pay on the 29th included, nets 1,300: pay counted once
    assert [m["value"] for m in net["history"]] == [1300.0] * months
    assert (net["points"][0]["month"], len(net["points"])) == (first, 3)
    advice = outcome.advice
    assert advice is not None, outcome.advice_problem
    # the constant 1,300 surplus, less nothing (the balance, 1,300 a month, covers a month of
    # high-end spending of 1,200)
    assert advice["amount"] == "1300.00"
    assert advice["reasons"][0].startswith("This month you are expected to have 1,300.00 GBP")
    warned = [w for w in advice["warnings"] if w.startswith(f"The forecast starts at {first}")]
    assert bool(warned) is ahead


def test_advice_after_the_forecast_ends_suggests_nothing(hub: Hub, tmp_path: Path) -> None:
    # Statements to 30 December, read on 1 April: the three months forecast are January to
    # March, so there is nothing for April.
    db = tmp_path / "ledger.sqlite"
    with Ledger.open(db) as ledger:
        _import(ledger, tmp_path, _salary_on_the_30th(D(2023, 7, 1), D(2024, 12, 31)))
        outcome = forecasting.run(hub, ledger, db, today=D(2025, 4, 1))
    assert outcome.advice is not None
    assert outcome.advice["amount"] == "0.00"
    reason = outcome.advice["reasons"][0]
    assert "The forecast ends in 2025-03, before this month (2025-04)" in reason


@pytest.mark.parametrize(
    ("newest", "since"),
    [
        # three years back to the 1st of the newest row's month, less 5 days for an early rent
        (D(2024, 2, 29), "2021-01-27"),
        (D(2024, 12, 31), "2021-11-26"),
        (D(2025, 1, 1), "2021-12-27"),
        (D(2025, 3, 1), "2022-02-24"),
        (D(2024, 3, 31), "2021-02-24"),
    ],
)
def test_the_three_year_window(tmp_path: Path, newest: dt.date, since: str) -> None:
    rows = [(D(2020, 1, 1) + dt.timedelta(days=i), "SHOP", "-1.00") for i in range(0, 2000, 3)]
    rows = [r for r in rows if r[0] < newest] + [(newest, "SHOP", "-1.00")]
    with Ledger.open(tmp_path / "l.sqlite") as ledger:
        _import(ledger, tmp_path, rows)
        params, notes = forecasting.forecast_params(ledger, "GBP", today=newest)
    assert notes == [
        f"transactions before {since} were left out: the forecast reads the last 3 years"
    ]
    sent = [t["date"] for t in params["transactions"]]
    assert sent == sorted(r[0].isoformat() for r in rows if r[0].isoformat() >= since)
    assert params["today"] == newest.isoformat()


def _net(*months: str) -> dict[str, Any]:
    return {
        "method": "smoothed_level",
        "points": [
            {"month": m, "yhat": 1000.0 + i, "lower": 500.0 + 100 * i, "upper": 1500.0}
            for i, m in enumerate(months)
        ],
    }


@pytest.mark.parametrize("month", range(1, 13))
@pytest.mark.parametrize("day", ["first", "last"])
def test_the_advisor_speaks_of_todays_month_every_month(month: int, day: str) -> None:
    # A forecast from the month before today's: today's point is the second (low end 600.00),
    # whatever the month and whether today is its first or last day, December to January too.
    year = 2024
    before = f"{year - 1}-12" if month == 1 else f"{year}-{month - 1:02d}"
    after = [f"{year + (month + k - 1) // 12}-{(month + k - 1) % 12 + 1:02d}" for k in (0, 1)]
    net = _net(before, *after)
    last = calendar.monthrange(year, month)[1]
    today = D(year, month, 1 if day == "first" else last)
    params = {"net_forecast": net, "history_months": 12, "buffer_months": 0}
    result = safe_to_save_method(params | {"today": today.isoformat()})
    assert result["amount"] == "600.00"
    assert any(w.startswith(f"The forecast starts at {before},") for w in result["warnings"])


def test_a_payment_due_after_the_statements_end_and_before_today_is_reserved(
    tmp_path: Path,
) -> None:
    # The current account's statements end on 30 November; a card's go on to 5 December; read
    # on 7 December. The rent due on 1 December is not in the current account's balance yet, so
    # it is still to be paid from it: upcoming, as Netflix due on the 15th is.
    with Ledger.open(tmp_path / "l.sqlite") as ledger:
        current = []
        for m in (9, 10, 11):
            current += [
                (D(2024, m, 1), "RENT M PATEL", "-900.00"),
                (D(2024, m, 15), "NETFLIX.COM", "-10.99"),
                (D(2024, m, 28), "ACME PAYROLL", "2500.00"),
            ]
        _import(ledger, tmp_path, [*current, (D(2024, 11, 30), "TESCO STORES", "-40.00")])
        card = tmp_path / "card.csv"
        card.write_text("Date,Description,Amount\n2024-12-05,PRET A MANGER,-6.50\n")
        ledger.import_file(card, "Card", currency="GBP")
        result = insights({"transactions": insighting.ledger_rows(ledger), "today": "2024-12-07"})
        found = {r["amount"]: r["next_date"] for r in result["recurring"]}
        assert found == {"-900.00": "2024-12-01", "-10.99": "2024-12-15", "2500.00": "2024-12-28"}
        upcoming = forecasting.upcoming_payments(ledger, result, D(2024, 12, 7))
        # in the insights' order, by merchant
        assert [(u["amount"], u["currency"]) for u in upcoming] == [
            ("-10.99", "GBP"),
            ("-900.00", "GBP"),
        ]
        # With the current account's statements to 5 December and no rent on the 1st, a day
        # they cover passed without it: it is not counted as due (as before).
        _import_more(ledger, tmp_path, [(D(2024, 12, 5), "TESCO STORES", "-12.00")])
        result = insights({"transactions": insighting.ledger_rows(ledger), "today": "2024-12-07"})
        upcoming = forecasting.upcoming_payments(ledger, result, D(2024, 12, 7))
        assert [u["amount"] for u in upcoming] == ["-10.99"]


def _import_more(ledger: Ledger, tmp_path: Path, rows: list[tuple[dt.date, str, str]]) -> None:
    path = tmp_path / "current-more.csv"
    path.write_text(
        "Date,Description,Amount\n" + "".join(f"{d.isoformat()},{w},{a}\n" for d, w, a in rows)
    )
    assert ledger.import_file(path, "Current", currency="GBP").imported == len(rows)


def test_a_ledger_of_only_future_rows_says_so(tmp_path: Path) -> None:
    # Read on 7 December 2024, a statement whose rows are all dated 2052 (a misread year, or a
    # clock that is wrong): not "import some statements first", which it has.
    db = tmp_path / "ledger.sqlite"
    with Ledger.open(db) as ledger:
        _import(
            ledger, tmp_path, [(D(2052, 1, 5), "SHOP", "-5.00"), (D(2052, 2, 1), "PAY", "9.00")]
        )
        outcome = forecasting.run(None, ledger, db, today=D(2024, 12, 7))
        empty = forecasting.run(None, ledger, tmp_path / "other.sqlite", today=D(2052, 3, 1))
    assert outcome.forecast is None and outcome.forecast_problem == (
        "every transaction is dated after today (2024-12-07), so there is no past to forecast"
        " from: check the dates of the imported statements"
    )
    assert empty.forecast_problem is not None and "dated after today" not in empty.forecast_problem


@pytest.mark.parametrize(
    ("today", "reserved"),
    [
        # read on 7 December: the council tax on the 20th and January's rent on the 1st are
        # within 31 days (to 7 January); the gym on 20 January is not
        (D(2024, 12, 7), [("COUNCIL TAX", "-150.00"), ("LANDLORD RENT", "-900.00")]),
        # read on New Year's Eve: to 31 January, the gym too
        (D(2024, 12, 31), [("LANDLORD RENT", "-900.00"), ("PUREGYM LTD", "-25.00")]),
        # read on 20 December, the council tax of that day has happened (it is in the balance)
        (D(2024, 12, 20), [("LANDLORD RENT", "-900.00"), ("PUREGYM LTD", "-25.00")]),
    ],
)
def test_payments_the_statement_schedules_after_today_are_reserved(
    tmp_path: Path, today: dt.date, reserved: list[tuple[str, str]]
) -> None:
    rows = [
        (D(2024, 11, 28), "ACME PAYROLL", "2500.00"),
        (D(2024, 12, 1), "LANDLORD RENT", "-900.00"),
        (D(2024, 12, 20), "COUNCIL TAX", "-150.00"),
        (D(2024, 12, 28), "ACME PAYROLL", "2500.00"),  # money in: no payment
        (D(2024, 12, 30), "TRANSFER TO SAVINGS", "-300.00"),  # between own accounts
        (D(2025, 1, 1), "LANDLORD RENT", "-900.00"),
        (D(2025, 1, 20), "PUREGYM LTD", "-25.00"),
    ]
    forecast = {"series": [{"kind": "net", "category": None, "points": []}], "history": {}}
    regular = [{"merchant": "Netflix", "amount": "-10.99", "currency": "GBP"}]
    with Ledger.open(tmp_path / "l.sqlite") as ledger:
        _import(ledger, tmp_path, rows)
        payee = {t.description: t.payee for t in ledger.transactions(limit=50)}
        params = forecasting.advice_params(ledger, forecast, "GBP", upcoming=regular, today=today)
    assert params is not None
    assert params["upcoming_recurring"] == regular + [
        {"merchant": payee[description], "amount": amount, "currency": "GBP"}
        for description, amount in reserved
    ]
    # what the advisor makes of them: the reserve counts them (no buffer, no balances given)
    advice = safe_to_save_method(
        {
            "net_forecast": {
                "method": "smoothed_level",
                "points": [
                    {"month": f"{today:%Y-%m}", "yhat": 3000.0, "lower": 2000.0} | {"upper": 4000.0}
                ],
            },
            "upcoming_recurring": params["upcoming_recurring"],
            "currency": "GBP",
            "history_months": 12,
            "buffer_months": 0,
        }
        | {"today": today.isoformat()}
    )
    due = 1099 + sum(int(a.replace("-", "").replace(".", "")) for _, a in reserved)
    assert advice["amount"] == f"{(200000 - due) // 100}.00"
