"""The Transactions page's amount box, in the real window offscreen over a real ledger: what is
typed there filters by the amount's size, text it cannot read is marked and filters nothing."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

from data.ledger import Ledger, TxFilter


def _page(qtbot: Any, make_window: Any, db: Path) -> Any:
    window = make_window(db)
    window.show_page("Transactions")
    page = window.transactions
    qtbot.waitUntil(lambda: page.model.rowCount() == 1000, timeout=20_000)
    return window, page


def _count(db: Path, flt: TxFilter) -> int:
    with Ledger.open(db) as ledger:
        return ledger.count(flt)


def test_typed_sizes_filter_the_table(qtbot: Any, make_window: Any, filled_ledger: Path) -> None:
    _window, page = _page(qtbot, make_window, filled_ledger)
    for text, low, high in (
        ("2500", Decimal(2500), Decimal(2500)),  # the payroll rows, money in
        ("-1.37", Decimal("1.37"), Decimal("1.37")),  # as pasted from the table
        ("50-60", Decimal(50), Decimal(60)),
        (">80", Decimal(80), None),
    ):
        expected = _count(filled_ledger, TxFilter(amount_from=low, amount_to=high))
        assert 0 < expected < 1000, text
        qtbot.keyClicks(page.amount, text)
        qtbot.waitUntil(lambda e=expected: page.model.rowCount() == e, timeout=10_000)
        assert page.current_filter() == TxFilter(amount_from=low, amount_to=high)
        page.amount.clear()
        qtbot.waitUntil(lambda: page.model.rowCount() == 1000, timeout=10_000)


def test_unreadable_text_is_marked_and_filters_nothing(
    qtbot: Any, make_window: Any, filled_ledger: Path
) -> None:
    _window, page = _page(qtbot, make_window, filled_ledger)
    page.amount.setText("12,99 euros\x00")  # pasted; a NUL cannot be typed
    # marked as soon as it is there, before any filter is read
    assert "#c0392b" in page.amount.styleSheet()
    assert "not an amount" in page.amount.toolTip()
    assert page.current_filter() == TxFilter()
    page.amount.setText("12.99")
    assert page.amount.styleSheet() == "" and "40-60" in page.amount.toolTip()


def test_a_drill_down_sets_the_box(qtbot: Any, make_window: Any, filled_ledger: Path) -> None:
    window, page = _page(qtbot, make_window, filled_ledger)
    window.show_transactions(amount_from=Decimal(2500), amount_to=Decimal(2500))
    assert page.amount.text() == "2500"
    expected = _count(filled_ledger, TxFilter(amount_from=Decimal(2500), amount_to=Decimal(2500)))
    qtbot.waitUntil(lambda: page.model.rowCount() == expected, timeout=10_000)
    window.show_transactions(text="TESCO")  # every other control cleared, the box too
    assert page.amount.text() == ""


def test_a_decimal_comma_and_arabic_digits_read_as_the_amount_they_write(
    qtbot: Any, make_window: Any, filled_ledger: Path
) -> None:
    # "1,37" was read as 137 (the comma dropped as a thousands separator), and the Arabic
    # decimal sign (U+066B) made "١٫٣٧" unreadable
    _window, page = _page(qtbot, make_window, filled_ledger)
    size = Decimal("1.37")
    expected = _count(filled_ledger, TxFilter(amount_from=size, amount_to=size))
    assert 0 < expected < 1000
    for text in ("1,37", "\u0661\u066b\u0663\u0667"):
        page.amount.setText(text)
        qtbot.waitUntil(lambda e=expected: page.model.rowCount() == e, timeout=10_000)
        assert page.current_filter() == TxFilter(amount_from=size, amount_to=size), text
        page.amount.clear()
        qtbot.waitUntil(lambda: page.model.rowCount() == 1000, timeout=10_000)
    page.amount.setText("1,200")  # a thousands comma stays one
    assert page.current_filter() == TxFilter(amount_from=Decimal(1200), amount_to=Decimal(1200))
