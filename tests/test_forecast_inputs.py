"""What the Forecast page sends the forecaster and the advisor from a real ledger: in which
currency, which balances (as of today), and which upcoming payments in which currency."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path
from typing import Any

from data.ledger import Ledger, TxFilter
from desktop import forecasting, result_cache
from sidecars.advisor.safe import safe_to_save

TODAY = dt.date(2026, 12, 7)


def _import(
    ledger: Ledger, tmp_path: Path, account: str, currency: str, rows: list[tuple[str, str, str]]
) -> None:
    path = tmp_path / f"{account}.csv"
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(["Date", "Description", "Amount"])
        writer.writerows(rows)
    ledger.import_file(path, account, currency=currency)


def _two_currencies(ledger: Ledger, tmp_path: Path) -> None:
    """A pound current account (pay, rent, Netflix, a payment scheduled and pay dated after
    today) and a euro travel card (Spotify in euros)."""
    _import(
        ledger,
        tmp_path,
        "Current",
        "GBP",
        [
            ("2026-10-01", "ACME PAYROLL", "2000.00"),
            ("2026-10-02", "RENT M PATEL", "-900.00"),
            ("2026-10-15", "NETFLIX.COM", "-10.99"),
            ("2026-11-01", "ACME PAYROLL", "2000.00"),
            ("2026-11-02", "RENT M PATEL", "-900.00"),
            ("2026-11-15", "NETFLIX.COM", "-10.99"),
            ("2026-12-20", "COUNCIL TAX SCHEDULED", "-150.00"),
            ("2026-12-28", "ACME PAYROLL", "2000.00"),
        ],
    )
    _import(
        ledger,
        tmp_path,
        "Travel card",
        "EUR",
        [
            ("2026-10-20", "SPOTIFY AB", "-9.99"),
            ("2026-11-20", "SPOTIFY AB", "-9.99"),
            ("2026-11-21", "CAFE DE FLORE", "-12.40"),
        ],
    )


def test_the_forecast_is_in_the_currency_most_transactions_are_in(tmp_path: Path) -> None:
    with Ledger.open(tmp_path / "ledger.sqlite") as ledger:
        _two_currencies(ledger, tmp_path)
        # One account each: counting accounts tied, and the tie went to EUR by name.
        assert forecasting.main_currency(ledger) == "GBP" == ledger.stats().main_currency
        params, notes = forecasting.forecast_params(ledger, "GBP", today=TODAY)
    assert notes == ["3 transaction(s) not in GBP were left out"]
    assert [(t["date"], t["amount"]) for t in params["transactions"]][:2] == [
        ("2026-10-01", "2000.00"),
        ("2026-10-02", "-900.00"),
    ]


def test_an_empty_ledger_forecasts_in_its_accounts_currency(tmp_path: Path) -> None:
    with Ledger.open(tmp_path / "ledger.sqlite") as ledger:
        assert forecasting.main_currency(ledger) == "USD"
        ledger.ensure_account("Current", "GBP")
        assert forecasting.main_currency(ledger) == "GBP"


def test_the_advisor_is_given_what_each_account_holds_today(tmp_path: Path) -> None:
    forecast = {"series": [{"kind": "net", "category": None, "points": []}], "history": {}}
    with Ledger.open(tmp_path / "ledger.sqlite") as ledger:
        _two_currencies(ledger, tmp_path)
        params = forecasting.advice_params(ledger, forecast, "GBP", today=TODAY)
        later = forecasting.advice_params(ledger, forecast, "GBP", today=dt.date(2026, 12, 31))
    assert params is not None and later is not None
    # 4,000 paid in, 1,821.98 out by today; the 150.00 due on the 20th and the pay dated the
    # 28th have not happened (counted, the balance read 4,028.02). Euros are not pounds.
    assert params["balances"] == [
        {"account": "Current", "amount": "2178.02", "currency": "GBP", "opening": None}
    ]
    assert later["balances"][0]["amount"] == "4028.02"


def test_upcoming_payments_carry_their_own_currency(tmp_path: Path) -> None:
    with Ledger.open(tmp_path / "ledger.sqlite") as ledger:
        _two_currencies(ledger, tmp_path)
        netflix = [t.id for t in ledger.transactions(TxFilter(text="NETFLIX"), order="date_asc")]
        spotify = [t.id for t in ledger.transactions(TxFilter(text="SPOTIFY"), order="date_asc")]
        insights: dict[str, Any] = {
            "currency": "GBP",  # the insights page's currency, which the wire's series lack
            "recurring": [
                {"merchant": "Netflix", "amount": "-10.99", "next_date": "2026-12-15"}
                | {"transactions": netflix},
                {"merchant": "Spotify", "amount": "-9.99", "next_date": "2026-12-20"}
                | {"transactions": spotify},
                {"merchant": "Gone", "amount": "-5.00", "next_date": "2026-12-10"}
                | {"transactions": [999_999]},  # rows since deleted: the result's currency
                {"merchant": "Gym", "amount": "-30.00", "next_date": "2027-01-09"}
                | {"transactions": netflix},  # beyond a month
                {"merchant": "Refund", "amount": "5.00", "next_date": "2026-12-09"},
                {"merchant": "Old", "amount": "-7.00", "next_date": "2026-12-11", "active": False},
            ],
        }
        upcoming = forecasting.upcoming_payments(ledger, insights, TODAY)
    assert upcoming == [
        {"merchant": "Netflix", "amount": "-10.99", "currency": "GBP"},
        {"merchant": "Spotify", "amount": "-9.99", "currency": "EUR"},
        {"merchant": "Gone", "amount": "-5.00", "currency": "GBP"},
    ]
    # The advisor takes off the pounds and leaves the euros out, saying so (tagged GBP, the
    # 9.99 euros came off as 9.99 pounds).
    net = {"method": "smoothed_level", "points": [{"yhat": 900.0, "lower": 500.0, "upper": 1300.0}]}
    advice = safe_to_save(
        {"net_forecast": net, "upcoming_recurring": upcoming, "currency": "GBP"}
        | {"history_months": 12, "buffer_months": 0}
    )
    assert advice.amount == 48400  # 500.00 - 10.99 - 5.00 = 484.01 -> 484
    assert "Amounts in EUR were left out: only GBP is counted." in advice.warnings


def test_a_cached_forecast_is_shown_in_the_currency_it_was_made_in(tmp_path: Path) -> None:
    db = tmp_path / "ledger.sqlite"
    with Ledger.open(db) as ledger:
        _two_currencies(ledger, tmp_path)
        # made when the ledger held dollars only; pounds are its main currency now
        result_cache.save(db, "forecast", {"forecast": {"series": []}, "currency": "USD"})
        outcome = forecasting.run(None, ledger, db, today=TODAY)
    assert outcome.forecast == {"series": []} and not outcome.fresh
    assert outcome.currency == "USD"


def test_the_three_year_window_keeps_its_first_months_rent_paid_early(tmp_path: Path) -> None:
    rows = [
        ("2023-10-02", "CORNER SHOP", "-4.00"),  # before the window
        ("2023-10-30", "RENT M PATEL", "-900.00"),  # November's, paid early: in the window
        ("2023-11-14", "CORNER SHOP", "-6.00"),
        ("2026-11-30", "CORNER SHOP", "-5.00"),  # the newest: the window is 3 years back
    ]
    with Ledger.open(tmp_path / "ledger.sqlite") as ledger:
        _import(ledger, tmp_path, "Current", "GBP", rows)
        params, notes = forecasting.forecast_params(ledger, "GBP", today=TODAY)
    assert [t["date"] for t in params["transactions"]] == ["2023-10-30", "2023-11-14", "2026-11-30"]
    assert notes == [
        "transactions before 2023-10-27 were left out: the forecast reads the last 3 years"
    ]


def test_an_account_whose_statements_stop_early_is_named(tmp_path: Path) -> None:
    with Ledger.open(tmp_path / "ledger.sqlite") as ledger:
        _two_currencies(ledger, tmp_path)
        _import(
            ledger,
            tmp_path,
            "Card",
            "GBP",
            [("2026-09-12", "TESCO STORES", "-40.00"), ("2026-10-13", "TESCO STORES", "-45.00")],
        )
        _, notes = forecasting.forecast_params(ledger, "GBP", today=TODAY)
    # The current account goes on to 15 November (the rows dated after today do not count);
    # 13 October is 33 days before: not named. The euro card is not in this forecast.
    assert notes == ["3 transaction(s) not in GBP were left out"]
    with Ledger.open(tmp_path / "ledger.sqlite") as ledger:
        _import(ledger, tmp_path, "Current 2", "GBP", [("2026-12-01", "CORNER SHOP", "-3.00")])
        _, notes = forecasting.forecast_params(ledger, "GBP", today=TODAY)
    assert notes[1:] == [
        "Card's transactions stop on 2026-10-13 while others go on to 2026-12-01: if its"
        " statements are missing, the months since read low"
    ]


def test_the_window_ends_at_the_currencys_own_newest_row(tmp_path: Path) -> None:
    """A euro account kept to April 2024 beside a pound account imported to November 2026: the
    euro forecast reads the three years before April 2024, not the five months of them after
    November 2023 (the window was counted from the newest row of any currency; audit 8, L1)."""
    with Ledger.open(tmp_path / "l.sqlite") as ledger:
        euros = [
            (f"{y}-{m:02d}-10", "LOYER PARIS", "-700.00")
            for y in range(2015, 2025)
            for m in range(1, 13)
            if (y, m) <= (2024, 4)
        ]
        _import(ledger, tmp_path, "Compte", "EUR", euros)
        pounds = [(f"2026-{m:02d}-03", "TESCO STORES", "-42.00") for m in range(6, 12)]
        _import(ledger, tmp_path, "Current", "GBP", pounds)
        params, notes = forecasting.forecast_params(ledger, "EUR", today=TODAY)
        assert ledger.newest_day("EUR", TODAY) == dt.date(2024, 4, 10)
        assert ledger.newest_day("GBP", dt.date(2026, 9, 30)) == dt.date(2026, 9, 3)
        assert ledger.newest_day("GBP", dt.date(2026, 6, 2)) is None
    dates = [r["date"] for r in params["transactions"]]
    # from a few days before 1 April 2021 to 10 April 2024: 37 monthly rows
    assert (dates[0], dates[-1], len(dates)) == ("2021-04-10", "2024-04-10", 37)
    assert any("before 2021-03-" in n for n in notes)
