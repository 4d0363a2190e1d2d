"""Export… on the Transactions page, in the real window offscreen over a real ledger: it exports
what the filters show, on the reading lane (never the GUI thread), with progress, and says how
it went in place; cancelling the file dialog does nothing. Only the file dialog is replaced."""

from __future__ import annotations

import csv
import threading
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from data.ledger import Ledger, TxFilter


def _open(qtbot: Any, make_window: Any, db: Path) -> Any:
    window = make_window(db)
    window.show_page("Transactions")
    view = window.transactions
    qtbot.waitUntil(lambda: view.model.rowCount() > 0, timeout=10_000)
    return view


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def _hold_lanes(view: Any) -> threading.Event:
    """Hold the lanes an export may run on with a job of our own, until the event is set."""
    release = threading.Event()
    for lane in (view.ctx.reader, view.ctx.files):
        lane.submit(lambda _ledger: release.wait(30))
    return release


def _finished(view: Any) -> bool:
    return view.export_button.isEnabled() and view.exporter.progress.isHidden()


def test_export_writes_the_filtered_rows_off_the_gui_thread_and_says_so(
    qtbot: Any,
    make_window: Any,
    filled_ledger: Path,
    tmp_path: Path,
    save_dialog: Any,
) -> None:
    view = _open(qtbot, make_window, filled_ledger)
    with qtbot.waitSignal(view.model.counted, timeout=10_000):
        view.search.setText("payroll")
    target = tmp_path / "payroll.csv"
    calls = save_dialog(str(target))

    # hold the lanes with a job of our own: if the export ran on the GUI thread, the file would
    # exist when the click returns
    release = _hold_lanes(view)
    qtbot.mouseClick(view.export_button, Qt.MouseButton.LeftButton)
    assert len(calls) == 1
    assert not target.exists()
    assert not view.export_button.isEnabled() and view.exporter.progress.isVisible()
    assert view.exporter.status.text().startswith("Exporting to")
    release.set()

    qtbot.waitUntil(lambda: _finished(view), timeout=10_000)
    with Ledger.open(filled_ledger) as ledger:
        expected = ledger.transactions(TxFilter(text="payroll"), limit=1000, order="date_asc")
    assert 0 < len(expected) < 1000
    rows = _rows(target)
    assert [(r["date"], r["description"]) for r in rows] == [
        (t.date.isoformat(), t.description) for t in expected
    ]
    assert view.exporter.status.text() == f"Exported {len(expected)} transactions to {target}"
    assert QApplication.activeModalWidget() is None


def test_cancelling_the_dialog_does_nothing(
    qtbot: Any,
    make_window: Any,
    filled_ledger: Path,
    tmp_path: Path,
    save_dialog: Any,
) -> None:
    view = _open(qtbot, make_window, filled_ledger)
    calls = save_dialog("")
    view.export_dialog()
    assert len(calls) == 1
    assert view.export_button.isEnabled() and view.exporter.progress.isHidden()
    assert view.exporter.status.isHidden() and view.exporter.status.text() == ""
    assert list(tmp_path.glob("*.csv")) == [tmp_path / "statement.csv"]


def test_a_failed_export_is_said_in_place_and_the_button_comes_back(
    qtbot: Any,
    make_window: Any,
    filled_ledger: Path,
    tmp_path: Path,
    save_dialog: Any,
) -> None:
    view = _open(qtbot, make_window, filled_ledger)
    save_dialog(str(tmp_path / "no-such-folder" / "out.csv"))
    view.export_dialog()
    qtbot.waitUntil(
        lambda: _finished(view) and "Nothing" in view.exporter.status.text(), timeout=10_000
    )
    assert "does not exist" in view.exporter.status.text()
    assert QApplication.activeModalWidget() is None
    assert not (tmp_path / "no-such-folder").exists()

    # the ledger itself is never written over, whatever the dialog was told
    save_dialog(str(filled_ledger))
    view.export_dialog()
    qtbot.waitUntil(
        lambda: _finished(view) and "ledger being read" in view.exporter.status.text(),
        timeout=10_000,
    )
    with Ledger.open(filled_ledger) as ledger:
        assert ledger.count() == 1000


def test_a_big_export_shows_its_progress(
    qtbot: Any,
    make_window: Any,
    ledger_path: Path,
    tmp_path: Path,
    write_statement: Any,
    save_dialog: Any,
) -> None:
    with Ledger.open(ledger_path) as ledger:
        ledger.import_file(write_statement(tmp_path / "big.csv", 12_000), "Checking")
    view = _open(qtbot, make_window, ledger_path)
    seen: list[int] = []
    view.exporter.progress.valueChanged.connect(seen.append)
    target = tmp_path / "everything.csv"
    save_dialog(str(target))
    view.export_dialog()
    qtbot.waitUntil(lambda: _finished(view), timeout=30_000)
    assert view.exporter.progress.maximum() == 12_000
    assert 5_000 in seen and 10_000 in seen and seen[-1] == 12_000  # every 5,000 rows, then done
    assert len(_rows(target)) == 12_000
    assert view.exporter.status.text() == (
        f"Exported {view.locale().toString(12_000)} transactions to {target}"
    )


def test_closing_the_page_stops_an_export_and_leaves_no_file(
    qtbot: Any,
    make_window: Any,
    filled_ledger: Path,
    tmp_path: Path,
    save_dialog: Any,
) -> None:
    view = _open(qtbot, make_window, filled_ledger)
    out = tmp_path / "out"
    out.mkdir()
    save_dialog(str(out / "stopped.csv"))
    release = _hold_lanes(view)
    view.export_dialog()
    view.shutdown()  # what the window does first when it closes
    release.set()
    qtbot.waitUntil(lambda: _finished(view), timeout=10_000)
    assert list(out.iterdir()) == []
    assert view.exporter.status.text().endswith("stopped; nothing was written.")
