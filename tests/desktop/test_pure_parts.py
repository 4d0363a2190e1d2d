"""The desktop's non-Qt helpers on real files: the result cache, the dashboard's report, rule
tests, wire amounts, and the chart theme following the palette."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCharts import QChart
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication

from data.ledger import Ledger, Rule, Txn
from data.rules import Rules
from desktop import charts, reports, result_cache, rule_matching, service_inputs
from desktop.import_jobs import import_demo


def test_result_cache_round_trip_and_hostile_files(tmp_path: Path) -> None:
    db = tmp_path / "ledger.sqlite"
    assert result_cache.load(db, "forecast") is None
    result_cache.save(db, "forecast", {"series": [1, 2]})
    saved, value = result_cache.load(db, "forecast")
    assert value == {"series": [1, 2]}
    assert (dt.datetime.now(dt.UTC) - saved).total_seconds() < 3600
    path = result_cache._path(db, "forecast")
    for junk in (b"", b"\x00\xff binary", b'{"saved": "yesterday", "result": 1}', b"[1, 2]", b"{"):
        path.write_bytes(junk)
        assert result_cache.load(db, "forecast") is None
    assert result_cache.load(tmp_path / "other.sqlite", "forecast") is None  # per ledger


def test_report_of_an_empty_ledger(tmp_path: Path) -> None:
    with Ledger.open(tmp_path / "l.sqlite") as ledger:
        report = reports.build(ledger)
    assert report.transactions == 0 and report.month is None and report.by_category == []


@pytest.mark.parametrize("month", range(1, 13))
def test_report_of_each_month_of_the_year(tmp_path: Path, month: int) -> None:
    """The shown month's spending and the twelve months' bars, whatever month it is: a
    December (the next month in the next year) once failed with 'month must be in 1..12'."""
    statement = tmp_path / "statement.csv"
    rows = [("2025-12-28", "-1.00"), (f"2026-{month:02d}-02", "-10.50")]
    rows += [(f"2026-{month:02d}-05", "-2.25"), (f"2026-{month:02d}-06", "100.00")]
    statement.write_text(
        "Date,Description,Amount\n" + "".join(f"{d},Shop {a},{a}\n" for d, a in rows)
    )
    with Ledger.open(tmp_path / "l.sqlite") as ledger:
        ledger.import_file(statement, "Current", currency="GBP")
        report = reports.build(ledger, today=dt.date(2026, month, 7))
    assert report.month == dt.date(2026, month, 1)
    assert sum(v for _, v in report.by_category) == 1275
    assert len(report.months) == 12 and report.months[-1] == dt.date(2026, month, 1)
    first = dt.date(2025, month + 1, 1) if month < 12 else dt.date(2026, 1, 1)
    assert report.months[0] == first
    assert report.expenses[-1] == 1275 and report.income[-1] == 10000


def test_report_of_the_demo_ledger(tmp_path: Path) -> None:
    with Ledger.open(tmp_path / "l.sqlite") as ledger:
        results = import_demo(ledger)
        report = reports.build(ledger, today=dt.date(2026, 11, 21))
        # The current account's statement states its balance; the report ends on it, less the
        # card's outstanding (transfers between the two are not counted as spending).
        current = next(r for r in results if r.account == "Current account")
        assert current.imported > 200
    assert report.currency == "GBP"
    assert report.month == dt.date(2026, 11, 1)
    assert report.months[0] == dt.date(2025, 12, 1) and len(report.months) == 12
    assert all(isinstance(v, int) for _, v in report.by_category)
    assert not any("CREDIT CARD" in name.upper() for name, _ in report.top_payees)
    last_balance = report.balance[-1][1]
    with open(Path(reports.__file__).parents[1] / "data/samples/demo_current_account.csv") as f:
        f.readline()
        stated = int(f.readline().rsplit(",", 1)[1].replace(".", "").strip())
    assert last_balance < stated  # the card's outstanding is owed
    assert stated - last_balance < 200_000


def _txn(**kw: Any) -> Txn:
    base = dict(
        id=1,
        account="A",
        date=dt.date(2026, 1, 1),
        amount=-1299,
        currency="GBP",
        description="NETFLIX.COM 123",
        payee="Netflix",
        category=None,
        category_source=None,
        confidence=None,
        suggestion=None,
        categorize_state="pending",
        batch_id=None,
        fingerprint="f",
    )
    base.update(kw)
    return Txn(**base)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("draft", "hit"),
    [
        (rule_matching.Draft("description", "contains", "netflix", "Subs"), True),
        (rule_matching.Draft("payee", "exact", "NETFLIX", "Subs"), True),
        (rule_matching.Draft("payee", "exact", "Net", "Subs"), False),
        (rule_matching.Draft("description", "regex", r"^netflix\.com \d+$", "Subs"), True),
        (
            rule_matching.Draft("description", "contains", "netflix", "Subs", amount_max=-2000),
            False,
        ),
        (rule_matching.Draft("description", "contains", "netflix", "Subs", account="B"), False),
    ],
)
def test_rule_matching(draft: rule_matching.Draft, hit: bool) -> None:
    assert rule_matching.problem(draft) is None
    assert rule_matching.matches(draft, _txn()) is hit


def test_rule_problems() -> None:
    assert rule_matching.problem(rule_matching.Draft("payee", "contains", "  ", "X"))
    assert rule_matching.problem(rule_matching.Draft("payee", "regex", "(", "X"))
    assert rule_matching.problem(rule_matching.Draft("payee", "contains", "a", None))
    assert (
        rule_matching.problem(rule_matching.Draft("payee", "contains", "a", None), saving=False)
        is None
    )
    assert rule_matching.problem(rule_matching.Draft("payee", "contains", "a", "X", 10, 5))


@pytest.mark.parametrize(
    "draft",
    [
        # spacing and case as the engine folds them; the account compared without case
        rule_matching.Draft("description", "contains", "NETFLIX.COM  1", "Subs"),
        rule_matching.Draft("description", "exact", " netflix.com 123 ", "Subs"),
        rule_matching.Draft("description", "contains", "netflix", "Subs", account="a"),
        rule_matching.Draft("payee", "regex", "^NET", "Subs", amount_min=-1000, amount_max=-999),
        rule_matching.Draft("payee", "contains", "flix", "Subs", account="B"),
    ],
)
def test_the_page_tests_a_rule_as_imports_apply_it(draft: rule_matching.Draft) -> None:
    """The rules page's test and the engine that imports and the categorize loop run give the
    same answer (the page once had its own, stricter reading of spacing and account names)."""
    txn = _txn(description="NETFLIX.COM   123")
    stored = Rule(
        1,
        1,
        draft.field,
        draft.op,
        draft.pattern,
        "Subs",
        draft.amount_min,
        draft.amount_max,
        draft.account,
        None,
    )
    engine = Rules([stored]).match(txn.description, txn.payee, txn.amount, txn.account)
    assert rule_matching.matches(draft, txn) is (engine is not None)


def test_rule_problems_include_the_engines_own(tmp_path: Path) -> None:
    assert "500" in (
        rule_matching.problem(rule_matching.Draft("payee", "exact", "a" * 501, "X")) or ""
    )
    assert rule_matching.problem(rule_matching.Draft("payee", "regex", "a{99999999999}", "X"))


def test_applying_a_rule_reaches_every_stored_row(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The page's test reads the newest MAX_SCAN rows; a saved rule is applied to all of them
    (it once stopped at the newest 200,000 and said it had applied to every match)."""
    monkeypatch.setattr(rule_matching, "MAX_SCAN", 3)
    statement = tmp_path / "s.csv"
    statement.write_text(
        "Date,Description,Amount\n"
        + "".join(f"2026-0{m}-0{d},NETFLIX.COM,-9.99\n" for m in (1, 2, 3) for d in (1, 2, 3))
        + "2026-01-05,Tesco,-3.00\n"
    )
    with Ledger.open(tmp_path / "l.sqlite") as ledger:
        ledger.import_file(statement, "A", currency="GBP")
        newest = ledger.transactions(limit=1)[0]
        ledger.set_category([newest.id], "Mine")  # the user's own choice stays
        draft = rule_matching.Draft("payee", "contains", "netflix", "Subs")
        found, conflicts, _ = rule_matching.test(ledger, draft)
        assert (found, conflicts) == (3, 1)  # the newest three only
        assert rule_matching.apply(ledger, draft) == 8
        cats = sorted((t.description, t.category) for t in ledger.transactions(limit=100))
    assert cats == [("NETFLIX.COM", "Mine")] + [("NETFLIX.COM", "Subs")] * 8 + [("Tesco", None)]


@pytest.mark.parametrize(
    ("value", "currency", "minor"),
    [
        ("-12.50", "GBP", -1250),
        ("3", "USD", 300),
        (812.4, "GBP", 81240),
        (1234.5, "JPY", 1234),
        (None, "GBP", None),
        (True, "GBP", None),
        ("abc", "GBP", None),
        ("NaN", "GBP", None),
        ("1e400", "GBP", None),
        ([], "GBP", None),
    ],
)
def test_wire_amounts_to_minor_units(value: Any, currency: str, minor: int | None) -> None:
    assert service_inputs.minor(value, currency) == minor


def test_chart_theme_follows_the_palette(qapp: QApplication) -> None:
    before = qapp.palette()
    try:
        dark = QPalette(before)
        dark.setColor(QPalette.ColorRole.Window, QColor("#202124"))
        qapp.setPalette(dark)
        assert charts.new_chart("x").theme() == QChart.ChartTheme.ChartThemeDark
        light = QPalette(before)
        light.setColor(QPalette.ColorRole.Window, QColor("#f4f4f4"))
        qapp.setPalette(light)
        assert charts.new_chart("x").theme() == QChart.ChartTheme.ChartThemeLight
    finally:
        qapp.setPalette(before)


def test_nice_axis_ceilings() -> None:
    assert [charts.nice_ceiling(v) for v in (0, 0.4, 7, 11, 240, 2600, 99_999)] == [
        1.0,
        1.0,
        10.0,
        20.0,
        250.0,
        5000.0,
        100_000.0,
    ]


def test_forecast_methods_are_named_for_people() -> None:
    from desktop.views.forecast import method_label

    assert method_label("seasonal_naive") == "Same month last year"
    assert method_label("smoothed_level") == "Smoothed level"
    # a method this desktop does not know yet is still shown, tidied
    assert method_label("holt_winters") == "Holt winters"
    assert method_label(None) == ""


def test_the_model_pages_work_in_the_currency_most_rows_are_in(tmp_path: Path) -> None:
    """Insights and the Forecast page read the Dashboard's currency: the one most transactions
    are in, not the most accounts' (a pound current account and a euro card tied, and the tie
    went to EUR by name)."""
    pounds, euros = tmp_path / "gbp.csv", tmp_path / "eur.csv"
    pounds.write_text("Date,Description,Amount\n2026-10-01,A,-1.00\n2026-10-02,B,-2.00\n")
    euros.write_text("Date,Description,Amount\n2026-10-03,C,-3.00\n")
    with Ledger.open(tmp_path / "l.sqlite") as ledger:
        assert service_inputs.main_currency(ledger) == "USD"
        ledger.ensure_account("Zed", "GBP")
        assert service_inputs.main_currency(ledger) == "GBP"  # accounts only: theirs
        ledger.import_file(pounds, "Zed")
        ledger.import_file(euros, "Card", currency="EUR")
        assert service_inputs.main_currency(ledger) == "GBP" == ledger.stats().main_currency
