"""The window fits an 800 x 600 screen on every page. It could not be made shorter than 655 px
(two rows of charts 220 px high each), and it grew to 1,178 px wide as soon as the Transactions
page was shown (its filters and buttons in one row each), 834 px on the Rules page (audit 8)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from data.ledger import Ledger
from desktop.window import PAGES


def test_every_page_fits_800_by_600(
    qtbot: Any, make_window: Any, filled_ledger: Path, write_statement: Any, tmp_path: Path
) -> None:
    with Ledger.open(filled_ledger) as ledger:  # a second account with a longer name
        ledger.import_file(write_statement(tmp_path / "b.csv", 20), "N26 Archive 2", currency="EUR")
    window = make_window(filled_ledger)
    for name in PAGES:
        window.show_page(name)
        window.resize(800, 600)
        qtbot.waitUntil(lambda: window.size().toTuple() == (800, 600), timeout=5_000)
        hint = window.minimumSizeHint()
        assert hint.width() <= 800 and hint.height() <= 600, (name, hint.toTuple())
