"""Anomalies: duplicates, unusual amounts, large new merchants, category spikes - and restraint."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sidecars.insights.cadence import add_months
from sidecars.insights.service import anomalies


def tx(
    ident: Any, date: dt.date, description: str, amount: str, category: str | None = None
) -> dict[str, Any]:
    return {
        "id": ident,
        "date": date.isoformat(),
        "description": description,
        "amount": amount,
        "category": category,
    }


def run(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = anomalies({"transactions": rows})["anomalies"]
    return found


START = dt.date(2024, 1, 1)


def everyday(days: int = 200) -> list[dict[str, Any]]:
    """Steady spending: groceries every third day, a cafe most days, with varying amounts."""
    rows = []
    for d in range(0, days, 3):
        rows.append(
            tx(
                f"g{d}",
                START + dt.timedelta(days=d),
                "Karns Market",
                f"-{40 + (d * 7) % 23}.{d % 100:02d}",
                "Groceries",
            )
        )
    for d in range(1, days, 2):
        rows.append(
            tx(
                f"c{d}",
                START + dt.timedelta(days=d),
                "Cafe Modagor",
                f"-{4 + d % 3}.50",
                "Eating out",
            )
        )
    return rows


def test_steady_spending_flags_nothing() -> None:
    assert run(everyday()) == []


def test_duplicate_charge_is_flagged_on_the_second_charge() -> None:
    rows = [
        *everyday(),
        tx("tv1", START + dt.timedelta(days=50), "Best Buy", "-349.99", "Electronics"),
        tx("tv2", START + dt.timedelta(days=51), "BEST BUY", "-349.99", "Electronics"),
    ]
    [found] = run(rows)
    assert found["id"] == "tv2"
    assert found["kind"] == "duplicate"
    assert (
        found["reason"]
        == "Charged twice 1 day apart: 349.99 at Best Buy on 20 Feb 2024 and 21 Feb 2024"
    )
    assert found["score"] == 0.875


def test_habitual_repeats_are_not_duplicates() -> None:
    rows = everyday()
    for d in range(0, 120, 10):  # two bus fares the same day, every ten days
        rows += [
            tx(f"b{d}a", START + dt.timedelta(days=d), "Metro Transit", "-2.75"),
            tx(f"b{d}b", START + dt.timedelta(days=d), "Metro Transit", "-2.75"),
        ]
    assert [a for a in run(rows) if a["kind"] == "duplicate"] == []


def test_two_plans_at_one_price_are_a_pattern_not_a_duplicate() -> None:
    rows = everyday()
    for i in range(6):
        day = add_months(START, i)
        rows += [
            tx(f"p{i}a", day, "Apple.com/bill", "-0.99"),
            tx(f"p{i}b", day, "Apple.com/bill", "-0.99"),
        ]
    assert [a for a in run(rows) if a["kind"] == "duplicate"] == []


def test_unusual_amount_names_the_ratio_and_the_usual() -> None:
    rows = [
        *everyday(),
        tx("big", START + dt.timedelta(days=100), "Karns Market", "-180.00", "Groceries"),
    ]
    [found] = run(rows)
    assert found["id"] == "big"
    assert found["kind"] == "unusual_amount"
    assert found["reason"] == "3.5x your usual at Karns Market: 180.00 against a usual 51.87"
    assert found["score"] == 0.711


def test_a_second_habit_at_a_merchant_is_not_unusual() -> None:
    rows = everyday()
    for m in range(6):  # a monthly bulk shop at the same market, well above the usual
        rows.append(
            tx(
                f"bulk{m}",
                add_months(START, m) + dt.timedelta(days=13),
                "Karns Market",
                f"-{200 + m}.00",
                "Groceries",
            )
        )
    assert [a for a in run(rows) if a["kind"] == "unusual_amount"] == []


def test_large_first_payment_to_a_new_merchant() -> None:
    rows = [
        *everyday(),
        tx("sofa", START + dt.timedelta(days=150), "Loaf Furniture", "-2400.00", "Home"),
    ]
    [found] = run(rows)
    assert (found["id"], found["kind"]) == ("sofa", "new_merchant_large")
    assert found["reason"].startswith("First payment to Loaf Furniture is large: 2,400.00")


def test_new_merchants_in_the_first_months_are_not_new() -> None:
    rows = [
        *everyday(),
        tx("early", START + dt.timedelta(days=20), "Loaf Furniture", "-2400.00", "Home"),
    ]
    assert run(rows) == []


def test_category_spike_points_at_the_largest_charge() -> None:
    rows = everyday(400)
    for m in range(12):  # clothes: about 60 a month, then one month of many purchases
        rows.append(
            tx(
                f"cl{m}",
                add_months(START, m) + dt.timedelta(days=5),
                f"Shop {chr(65 + m)}",
                "-60.00",
                "Clothes",
            )
        )
    for n in range(6):
        rows.append(
            tx(
                f"sp{n}",
                add_months(START, 12) + dt.timedelta(days=n),
                f"Shop {chr(65 + n)}",
                f"-{70 + n * 10}.00",
                "Clothes",
            )
        )
    spikes = [a for a in run(rows) if a["kind"] == "category_spike"]
    assert [(a["id"], a["date"]) for a in spikes] == [("sp5", "2025-01-06")]
    assert spikes[0]["reason"] == (
        "Clothes in January 2025: 570.00, 9.5x a usual month (60.00); "
        "the largest charge was 120.00 at Shop F"
    )


def test_each_transaction_gets_one_anomaly_and_income_is_never_flagged() -> None:
    rows = [
        *everyday(),
        tx("refund1", START + dt.timedelta(days=60), "Karns Market", "500.00"),
        tx("refund2", START + dt.timedelta(days=60), "Karns Market", "500.00"),
    ]
    assert run(rows) == []


def test_of_two_identical_charges_the_later_id_is_the_copy_whatever_the_order() -> None:
    day = START + dt.timedelta(days=70)
    pair = [tx(9, day, "Best Buy", "-349.99"), tx(5, day, "Best Buy", "-349.99")]
    for rows in ([*everyday(), *pair], [*reversed(pair), *everyday()]):
        assert [(a["id"], a["kind"]) for a in run(rows)] == [(9, "duplicate")]


FARES = [f"-{3 + i % 5}.{(17 * i) % 100:02d}" for i in range(20)]  # twenty distinct fares


def commute(days: int = 280) -> list[dict[str, Any]]:
    """A fare every weekday, the twenty fares in turn: each sum recurs every four weeks."""
    weekdays = [d for d in range(days) if (START + dt.timedelta(days=d)).weekday() < 5]
    return [
        tx(f"t{n}", START + dt.timedelta(days=d), "TfL Travel Ch", FARES[n % len(FARES)])
        for n, d in enumerate(weekdays)
    ]


def test_equal_fares_days_apart_at_a_commuters_merchant_are_a_coincidence() -> None:
    rows = [*everyday(), *commute()]
    assert [a for a in run(rows) if a["kind"] == "duplicate"] == []
    rows[-1]["amount"] = rows[-3]["amount"]  # the same fare twice, two weekdays apart
    assert [a for a in run(rows) if a["kind"] == "duplicate"] == []


def test_a_double_charge_on_one_day_at_a_commuters_merchant_is_still_flagged() -> None:
    rows = [*everyday(), *commute()]
    last = rows[-1]
    rows.append(tx("tz", dt.date.fromisoformat(last["date"]), "TfL Travel Ch", last["amount"]))
    [found] = [a for a in run(rows) if a["kind"] == "duplicate"]
    assert found["id"] == "tz"
    assert found["reason"].startswith("Charged twice on the same day: ")


def test_equal_bills_days_apart_where_sums_never_repeat_are_flagged() -> None:
    rows = everyday()
    bills = [
        tx(f"r{d}", START + dt.timedelta(days=d), "Takahachi", f"-{40 + d}.{d:02d}")
        for d in range(0, 60, 2)
    ]  # a bill every other day, never the same sum
    bills[11]["amount"] = bills[10]["amount"]  # charged again two days later
    [found] = [a for a in run([*rows, *bills]) if a["kind"] == "duplicate"]
    assert found["id"] == "r22"


def test_each_currency_is_judged_on_its_own() -> None:
    rows = [{**r, "currency": "GBP"} for r in everyday(300)]
    # a week in Tokyo half a year in: ordinary yen sums, each far above a typical pound payment
    for d in range(7):
        for n, (shop, yen) in enumerate((("Lawson", 1200), ("Ichiran", 2400), ("JR East", 5000))):
            rows.append(
                {
                    **tx(f"y{d}-{n}", START + dt.timedelta(days=200 + d), shop, f"-{yen + d}"),
                    "currency": "JPY",
                }
            )
    assert run(rows) == []
    # the same sums in pounds would be worth a word
    pounds = [{**r, "currency": "GBP"} if r["id"].startswith("y") else r for r in rows]
    flagged = run(pounds)
    assert {a["kind"] for a in flagged} >= {"new_merchant_large"}
    assert {a["currency"] for a in flagged} == {"GBP"}  # each anomaly says its currency


def test_a_double_charge_the_shop_refunded_needs_no_look() -> None:
    flight = [
        tx("f1", START + dt.timedelta(days=120), "EASYJET AIRLINE", "-312.48", "Travel"),
        tx("f2", START + dt.timedelta(days=120), "EASYJET AIRLINE", "-312.48", "Travel"),
    ]
    refund = tx("f3", START + dt.timedelta(days=130), "EASYJET AIRLINE", "312.48", "Travel")
    # Before the refund the copy is worth a look (and the first charge, large and new, too).
    assert [(a["id"], a["kind"]) for a in run([*everyday(), *flight])] == [
        ("f2", "duplicate"),
        ("f1", "new_merchant_large"),
    ]
    # The refund undoes the copy; the flight itself is still a large first payment.
    assert [(a["id"], a["kind"]) for a in run([*everyday(), *flight, refund])] == [
        ("f1", "new_merchant_large"),
    ]
    # A refund of another sum, or two months later, undoes nothing.
    for late in (
        tx("f3", START + dt.timedelta(days=130), "EASYJET AIRLINE", "100.00", "Travel"),
        tx("f3", START + dt.timedelta(days=181), "EASYJET AIRLINE", "312.48", "Travel"),
    ):
        assert [a["id"] for a in run([*everyday(), *flight, late])] == ["f2", "f1"]


def test_a_large_purchase_returned_for_its_money_back_is_not_flagged() -> None:
    sofa = tx("sofa", START + dt.timedelta(days=150), "Loaf Furniture", "-2400.00", "Home")
    back = tx("back", START + dt.timedelta(days=170), "LOAF FURNITURE", "2400.00", "Home")
    assert run([*everyday(), sofa, back]) == []
