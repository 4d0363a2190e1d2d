"""The forecaster and advisor as real sidecar processes behind a real hub: answers, hostile input,
and the orchestration's fallback when the forecaster is not there."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from data.ledger import Ledger
from desktop import forecasting
from sidecars.forecaster.backtest import BACKTEST_ORIGINS
from supervisor import Hub, RemoteError, ServiceSpec

REPO = Path(__file__).resolve().parent.parent
DEMO = REPO / "data" / "samples" / "demo_current_account.csv"
TIMEOUT = 60.0


@pytest.fixture(scope="module")
def hub(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Hub]:
    """One hub with the forecaster and the advisor for this module (starting one costs ~1 s)."""
    home = tmp_path_factory.mktemp("hub")
    with Hub(
        [ServiceSpec("forecaster"), ServiceSpec("advisor")],
        config_path=home / "services.toml",
        log_dir=home / "logs",
    ) as started:
        assert started.wait_ready(TIMEOUT), started.status()
        yield started


def ask(hub: Hub, service: str, method: str, params: dict[str, Any]) -> dict[str, Any]:
    return hub.request(service, method, params, timeout=TIMEOUT).result(timeout=TIMEOUT * 2)


def monthly(months: int, first: dt.date = dt.date(2022, 1, 1)) -> list[dict[str, Any]]:
    rows = []
    for i in range(months):
        year, month = first.year + (first.month - 1 + i) // 12, (first.month - 1 + i) % 12 + 1
        rows += [
            {"date": f"{year}-{month:02d}-02", "amount": "-1200.00", "category": "Rent"},
            {
                "date": f"{year}-{month:02d}-11",
                "amount": f"-{200 + 15 * (i % 5)}.25",
                "category": "Food",
            },
            {"date": f"{year}-{month:02d}-27", "amount": "2500.00", "category": "Salary"},
        ]
    return rows


def test_forecast_through_the_hub(hub: Hub) -> None:
    result = ask(
        hub,
        "forecaster",
        "forecast",
        {
            "transactions": monthly(20),
            "horizon_months": 3,
            "today": "2026-11-21",
            "use_prophet": False,
        },
    )
    by_name = {(s["category"], s["kind"]): s for s in result["series"]}
    assert set(by_name) == {
        (None, "spending"),
        (None, "net"),
        ("Rent", "spending"),
        ("Food", "spending"),
    }
    rent = by_name[("Rent", "spending")]
    assert [p["yhat"] for p in rent["points"]] == [1200.0, 1200.0, 1200.0]
    assert rent["points"][0]["month"] == "2023-09"
    for series in result["series"]:
        assert series["backtest"]["origins"] == BACKTEST_ORIGINS  # 20 months reach 12
        for p in series["points"]:
            assert p["lower95"] <= p["lower"] <= p["yhat"] <= p["upper"] <= p["upper95"]


def test_each_series_reports_its_modelled_months_through_the_hub(hub: Hub) -> None:
    def row(day: str, amount: str, category: str | None) -> dict[str, Any]:
        return {"date": day, "amount": amount, "category": category}

    rows = [row(f"2026-{day}", "-1450.00", "Rent") for day in ("06-01", "06-30", "08-03", "08-31")]
    rows += [row("2026-09-30", "-1450.00", "Rent")]  # October's, then November's rent, early
    rows += [row("2026-10-30", "-1450.00", "Rent")]
    for month in range(6, 11):
        rows += [row(f"2026-{month:02d}-11", "-80.00", "Food")]
    rows += [row("2026-07-19", "25.00", "Food"), row("2026-11-04", "-9.00", "Food")]
    result = ask(
        hub,
        "forecaster",
        "forecast",
        {"transactions": rows, "horizon_months": 2, "today": "2026-12-07", "use_prophet": False},
    )
    by_name = {(s["category"], s["kind"]): s for s in result["series"]}
    months = ["2026-06", "2026-07", "2026-08", "2026-09", "2026-10"]

    def pairs(series: dict[str, Any], key: str) -> list[tuple[str, float]]:
        return [(m["month"], m["value"]) for m in series[key]]

    # By calendar month the rent reads 2900, 0, 2900, 1450 (30 Sep), 1450 (30 Oct): the model
    # counts each in the month it is due, nets July's refund, and leaves November (imported to
    # its 4th) out of the history, as its forecast's first month says.
    rent, food = by_name[("Rent", "spending")], by_name[("Food", "spending")]
    assert pairs(rent, "history") == [(m, 1450.0) for m in months]
    assert pairs(food, "history") == list(zip(months, [80.0, 55.0, 80.0, 80.0, 80.0], strict=True))
    assert pairs(by_name[(None, "net")], "history") == [
        (m, -v) for m, v in zip(months, [1530.0, 1505.0, 1530.0, 1530.0, 1530.0], strict=True)
    ]
    assert rent["points"][0]["month"] == "2026-11"
    assert pairs(rent, "so_far") == [("2026-11", 1450.0)]
    assert pairs(by_name[(None, "spending")], "so_far") == [("2026-11", 1459.0)]


def test_a_first_month_begun_part_way_through_is_left_out_through_the_hub(hub: Hub) -> None:
    def row(day: str, amount: str, category: str | None) -> dict[str, Any]:
        return {"date": f"2026-{day}", "amount": amount, "category": category}

    # Statements from 24 June: a week of June's food and its whole salary, then July to October.
    rows = [row("06-24", "-30.00", "Food"), row("06-28", "1900.00", "Salary")]
    for month in range(7, 11):
        rows += [
            row(f"{month:02d}-01", "-1200.00", "Rent"),
            row(f"{month:02d}-14", "-90.00", "Food"),
        ]
        rows += [row(f"{month:02d}-28", "1900.00", "Salary")]
    result = ask(
        hub,
        "forecaster",
        "forecast",
        {"transactions": rows, "horizon_months": 1, "today": "2026-11-05", "use_prophet": False},
    )
    assert result["history"] == {"months": 4, "first_month": "2026-07", "last_month": "2026-10"}
    assert result["notes"] == [
        "2026-06 looks incomplete (its first transaction is on day 24) and was left out of the"
        " history"
    ]
    by_name = {(s["category"], s["kind"]): s for s in result["series"]}
    total, net = by_name[(None, "spending")], by_name[(None, "net")]
    assert [m["value"] for m in total["history"]] == [1290.0] * 4  # by calendar June reads 30
    assert [m["value"] for m in net["history"]] == [610.0] * 4  # and June's net 1,870
    assert total["partial_start"] == [{"month": "2026-06", "value": 30.0, "from": "2026-06-24"}]
    assert net["partial_start"] == [{"month": "2026-06", "value": 1870.0, "from": "2026-06-24"}]
    assert [(p["yhat"], p["lower"], p["upper"]) for p in total["points"]] == [(1290.0,) * 3]


def test_advisor_through_the_hub(hub: Hub) -> None:
    net = {
        "method": "smoothed_level",
        "points": [{"month": "2026-11", "yhat": 1200.0, "lower": 500.4, "upper": 1900.0}],
    }
    spending = {
        "method": "mean_3",
        "points": [{"month": "2026-11", "yhat": 1800.0, "lower": 1500.0, "upper": 2000.0}],
    }
    result = ask(
        hub,
        "advisor",
        "safe_to_save",
        {
            "net_forecast": net,
            "spending_forecast": spending,
            "balances": [{"account": "Current", "amount": "2000.00", "currency": "USD"}],
            "upcoming_recurring": [{"name": "Gym", "amount": "-150.00", "currency": "USD"}],
            "buffer_months": 1,
            "today": "2026-11-21",
        },
    )
    # reserve 2000 + 150 = 2150 against 2000 held: 150 short; 500.40 - 150 = 350.40 -> 350.00.
    assert result["amount"] == "350.00" and result["currency"] == "USD"
    assert any("not financial or investment advice" in w for w in result["warnings"])


def test_advisor_through_the_hub_takes_this_months_point(hub: Hub) -> None:
    # Statements up to 20 November, asked on 7 December: the forecast starts with November.
    net = {
        "method": "smoothed_level",
        "points": [
            {"month": "2026-11", "yhat": 1200.0, "lower": 500.4, "upper": 1900.0},
            {"month": "2026-12", "yhat": 1100.0, "lower": 320.9, "upper": 1950.0},
        ],
    }
    params = {"net_forecast": net, "history_months": 12, "buffer_months": 0}
    result = ask(hub, "advisor", "safe_to_save", params | {"today": "2026-12-07"})
    assert result["amount"] == "320.00"  # December's low end, not November's 500.40
    assert any(
        w.startswith("The forecast starts at 2026-11, the first month") for w in result["warnings"]
    )
    # Asked in February, the forecast has nothing for this month: nothing is suggested.
    result = ask(hub, "advisor", "safe_to_save", params | {"today": "2027-02-01"})
    assert result["amount"] == "0.00" and "ends in 2026-12" in result["reasons"][0]


def _days(start: dt.date, count: int) -> list[dt.date]:
    return [start + dt.timedelta(days=i) for i in range(count)]


HOSTILE: dict[str, list[dict[str, Any]]] = {
    "no transactions": [],
    "one day of data": [{"date": "2026-10-14", "amount": "-12.00", "category": "Food"}],
    "all zero amounts": [
        {"date": d.isoformat(), "amount": "0.00", "category": "Food"}
        for d in _days(dt.date(2024, 1, 1), 600)
    ],
    "dates in the future": [
        {"date": d.isoformat(), "amount": "-5.00", "category": None}
        for d in _days(dt.date(2030, 1, 1), 90)
    ],
    "ten years daily": [
        {
            "date": d.isoformat(),
            "amount": f"-{(d.toordinal() % 37) + 3}.{d.day:02d}",
            "category": ("Food", "Fuel", "Fun")[d.toordinal() % 3],
        }
        for d in _days(dt.date(2016, 11, 1), 3652)
    ],
}


@pytest.mark.parametrize("case", sorted(HOSTILE))
def test_hostile_but_valid_input_is_answered_cleanly(hub: Hub, case: str) -> None:
    result = ask(
        hub,
        "forecaster",
        "forecast",
        {"transactions": HOSTILE[case], "today": "2026-11-21", "use_prophet": False},
    )
    assert [s["kind"] for s in result["series"][:2]] == ["spending", "net"]
    for series in result["series"]:
        for p in series["points"]:
            assert p["lower95"] <= p["lower"] <= p["yhat"] <= p["upper"] <= p["upper95"]
    if case in ("no transactions", "one day of data", "dates in the future"):
        assert all(not s["points"] for s in result["series"])
        assert result["notes"]
    if case == "dates in the future":
        assert any("dated after 2026-11-21" in note for note in result["notes"])
    if case == "ten years daily":
        assert result["history"]["months"] == 120
        assert {s["category"] for s in result["series"]} == {None, "Food", "Fuel", "Fun"}


@pytest.mark.slow
def test_ten_years_daily_with_prophet(hub: Hub) -> None:
    result = ask(
        hub,
        "forecaster",
        "forecast",
        {"transactions": HOSTILE["ten years daily"], "today": "2026-11-21"},
    )
    assert all("prophet" in s["backtest"]["mae"] for s in result["series"])


@pytest.mark.parametrize(
    ("params", "fragment"),
    [
        (
            {"transactions": [{"date": "2026-01-01", "amount": "12,50", "category": None}]},
            "transactions[0].amount",
        ),
        (
            {"transactions": [{"date": "2026-01-01", "amount": 12.5, "category": None}]},
            "decimal amount string",
        ),
        ({"transactions": [{"date": "01/02/2026", "amount": "1", "category": None}]}, "ISO date"),
        ({"transactions": "\x00\x01binary"}, "must be a list"),
        ({"transactions": [], "horizon_months": 1000}, "horizon_months"),
        (
            {
                "transactions": [
                    {"date": "2026-01-01", "amount": "-9.99", "category": None, "currency": c}
                    for c in ("GBP", "EUR")
                ]
            },
            "more than one currency (EUR, GBP)",
        ),
    ],
)
def test_malformed_requests_get_bad_request(
    hub: Hub, params: dict[str, Any], fragment: str
) -> None:
    with pytest.raises(RemoteError) as info:
        ask(hub, "forecaster", "forecast", params)
    assert info.value.code == "bad_request" and fragment in info.value.message


def test_malformed_advice_request_gets_bad_request(hub: Hub) -> None:
    with pytest.raises(RemoteError) as info:
        ask(hub, "advisor", "safe_to_save", {"net_forecast": {"points": [{"yhat": "x"}]}})
    assert info.value.code == "bad_request"


def _demo_ledger(path: Path) -> Ledger:
    ledger = Ledger.open(path)
    ledger.import_file(DEMO, account="Current")
    return ledger


def test_orchestration_then_fallback_to_the_dated_cache_without_the_forecaster(
    hub: Hub, tmp_path: Path
) -> None:
    db = tmp_path / "ledger.sqlite"
    with _demo_ledger(db) as ledger:
        fresh = forecasting.run(hub, ledger, db)
        assert fresh.fresh and fresh.forecast is not None and fresh.advice is not None
        assert Decimal(fresh.advice["amount"]) >= 0
        # A hub without a forecaster: the cached forecast comes back with its date, and the
        # advisor is not asked.
        with Hub(
            [ServiceSpec("advisor")], config_path=tmp_path / "none.toml", log_dir=tmp_path / "logs"
        ) as other:
            assert other.wait_ready(TIMEOUT)
            degraded = forecasting.run(other, ledger, db)
    assert not degraded.fresh
    assert degraded.forecast == fresh.forecast
    assert degraded.forecast_saved is not None and degraded.forecast_saved <= dt.datetime.now(
        dt.UTC
    )
    assert degraded.forecast_problem is not None and "forecaster" in degraded.forecast_problem
    assert degraded.advice is None
    assert degraded.advice_problem is not None and "not asked" in degraded.advice_problem


def test_without_any_cache_the_outcome_says_why(tmp_path: Path) -> None:
    db = tmp_path / "ledger.sqlite"
    with _demo_ledger(db) as ledger:
        outcome = forecasting.run(None, ledger, db)
    assert outcome.forecast is None and outcome.forecast_problem
    assert outcome.advice is None and "not asked" in (outcome.advice_problem or "")


def _fincast(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    return subprocess.run(
        [sys.executable, "-m", "desktop.cli", *args],
        check=False,
        capture_output=True,
        text=True,
        timeout=240,
        env=env,
        cwd=REPO,
    )


@pytest.mark.slow  # two hubs with real sidecars: ~8 s on two shared cores
def test_cli_forecast_and_advise(tmp_path: Path) -> None:
    db = tmp_path / "ledger.sqlite"
    _demo_ledger(db).close()
    out = _fincast("forecast", "--db", str(db), "--json")
    assert out.returncode == 0, out.stderr
    payload = json.loads(out.stdout)
    assert payload["fresh"] is True and payload["forecast"]["series"][1]["kind"] == "net"
    # The months each series was fitted on pass through, up to the month before its forecast.
    for series in payload["forecast"]["series"]:
        assert series["history"] and isinstance(series["so_far"], list)
        last = series["history"][-1]["month"]
        assert last == _month_before(series["points"][0]["month"])
    out = _fincast("advise", "--db", str(db))
    assert out.returncode == 0, out.stderr
    assert out.stdout.startswith("Safe to set aside this month: ")
    assert "not financial or investment advice" in out.stdout


def _month_before(month: str) -> str:
    year, number = int(month[:4]), int(month[5:7])
    return f"{year - 1}-12" if number == 1 else f"{year}-{number - 1:02d}"


def test_cli_on_an_empty_ledger_says_so_in_one_line(tmp_path: Path) -> None:
    db = tmp_path / "empty.sqlite"
    Ledger.open(db).close()
    for command in ("forecast", "advise"):
        out = _fincast(command, "--db", str(db))
        assert out.returncode == 1
        assert out.stdout == "" and len(out.stderr.strip().splitlines()) == 1
        assert "nothing to forecast" in out.stderr or "needs a forecast" in out.stderr


@pytest.mark.parametrize("command", ["forecast", "advise"])
def test_cli_refuses_a_file_that_is_not_a_ledger(tmp_path: Path, command: str) -> None:
    garbage = tmp_path / "garbage.sqlite"
    garbage.write_bytes(b"\x00\xff" * 4096)
    out = _fincast(command, "--db", str(garbage))
    assert out.returncode == 1 and out.stdout == ""
    assert len(out.stderr.strip().splitlines()) == 1 and "Traceback" not in out.stderr


def test_cli_refuses_a_horizon_out_of_range(tmp_path: Path) -> None:
    out = _fincast("forecast", "--db", str(tmp_path / "x.sqlite"), "--months", "99")
    assert out.returncode == 1 and "--months" in out.stderr


def test_without_the_advisor_the_last_advice_is_shown_with_its_date(
    hub: Hub, tmp_path: Path
) -> None:
    db = tmp_path / "ledger.sqlite"
    with _demo_ledger(db) as ledger:
        first = forecasting.run(hub, ledger, db)
        assert first.advice is not None
        with Hub(
            [ServiceSpec("forecaster")],
            config_path=tmp_path / "none.toml",
            log_dir=tmp_path / "logs",
        ) as other:
            assert other.wait_ready(TIMEOUT)
            later = forecasting.run(other, ledger, db)
    assert later.fresh and later.forecast is not None
    assert later.advice == first.advice
    assert later.advice_saved is not None and later.advice_saved <= dt.datetime.now(dt.UTC)
    assert later.advice_problem is not None and "advisor" in later.advice_problem
