"""The small pure parts of the insights: robust statistics, amount clusters, and a fuzzed reader."""

from __future__ import annotations

import datetime as dt
import math
from decimal import Decimal
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from sidecars.insights.grouping import amount_clusters, by_merchant
from sidecars.insights.records import Record, RecordError, read_records
from sidecars.insights.robust import MIN_LOG_SPREAD, median, usual
from sidecars.insights.service import insights


def rec(ident: int, amount: str, merchant: str = "Shop", day: int = 1) -> Record:
    value = Decimal(amount)
    return Record(
        ident,
        dt.date(2024, 1, day),
        value,
        merchant,
        merchant,
        merchant.casefold(),
        None,
        abs(float(value)),
    )


def test_median_and_usual() -> None:
    assert median([3.0, 1.0, 2.0]) == 2.0
    assert median([4.0, 1.0, 2.0, 3.0]) == 2.5
    norm = usual([10.0, 10.0, 10.0, 20.0, 5.0])
    assert norm.median == 10.0
    assert norm.log_spread == MIN_LOG_SPREAD  # MAD of logs is 0: the floor applies
    assert norm.ratio(35.0) == 3.5
    assert math.isclose(norm.z(10.0 * 1.1**3), 3.0)


def test_amount_clusters_split_at_large_steps_only() -> None:
    records = [
        rec(1, "-9.99", day=1),
        rec(2, "-10.49", day=2),
        rec(3, "-14.99", day=3),
        rec(4, "-15.49", day=4),
        rec(5, "-100", day=5),
    ]
    clusters = amount_clusters(records)
    assert [[r.id for r in c] for c in clusters] == [[1, 2], [3, 4], [5]]
    assert amount_clusters([]) == []


def test_groups_split_direction_and_skip_nameless() -> None:
    records = [rec(1, "-5", "Acme"), rec(2, "5", "Acme"), rec(3, "-5", ""), rec(4, "0", "Acme")]
    groups = by_merchant(records)
    assert [(g.name, g.outflow, [r.id for r in g.records]) for g in groups] == [
        ("Acme", True, [1]),
        ("Acme", False, [2]),
    ]


_scalar = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(),
    st.text(max_size=20),
    st.binary(max_size=8),
)
_row = st.dictionaries(
    st.sampled_from(["id", "date", "description", "amount", "category", "payee", "currency", "x"]),
    st.one_of(_scalar, st.just("2024-02-29"), st.just("-12.50")),
)


@given(
    st.one_of(
        _scalar,
        st.lists(_row, max_size=8),
        st.dictionaries(st.just("transactions"), st.one_of(_scalar, st.lists(_row, max_size=8))),
    )
)
def test_any_params_are_read_or_refused_with_a_record_error(params: Any) -> None:
    try:
        read_records(params)
    except RecordError as exc:
        assert str(exc)


@given(
    st.lists(
        st.tuples(
            st.dates(dt.date(2020, 1, 1), dt.date(2024, 12, 31)),
            st.sampled_from(["Netflix", "Tesco", "Rent Co", ""]),
            st.decimals(min_value=-5000, max_value=5000, places=2, allow_nan=False),
        ),
        max_size=60,
    )
)
def test_any_valid_ledger_gives_well_formed_insights(
    rows: list[tuple[dt.date, str, Decimal]],
) -> None:
    payload = [
        {"id": i, "date": d.isoformat(), "description": m, "amount": str(a)}
        for i, (d, m, a) in enumerate(rows)
    ]
    result = insights({"transactions": payload})
    ids = {p["id"] for p in payload}
    for stream in result["recurring"]:
        assert set(stream["transactions"]) <= ids and len(stream["transactions"]) >= 2
        Decimal(stream["amount"])
    flagged = [a["id"] for a in result["anomalies"]]
    assert len(flagged) == len(set(flagged)) and set(flagged) <= ids
    assert all(0.0 <= a["score"] <= 1.0 for a in result["anomalies"])
