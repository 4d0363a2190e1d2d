"""The desktop's export (desktop/export.py) and backup (desktop/backup.py), in the real window
offscreen over real ledgers: the save dialog adds the suffix the way Qt does, an export or a
backup runs on a lane of its own so that the pages' reads go on meanwhile, and Cancel stops an
export leaving no file. Only the file dialog's showing is replaced (conftest.save_dialog), and
where an export must be held half-way, the CSV writer is a gated stand-in for the real one."""

from __future__ import annotations

import csv
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt

from data.ledger import Ledger, TxFilter
from data.ledger import export as export_module
from desktop import backup
from desktop.export import Exporter

ROWS = 1000  # filled_ledger's


class Gate:
    """Holds an export after its header and first row until the test lets it go."""

    def __init__(self) -> None:
        self.entered = threading.Event()
        self.release = threading.Event()


@pytest.fixture
def gate(monkeypatch: pytest.MonkeyPatch) -> Iterator[Gate]:
    """The export's CSV writer, stopping at its second row (inside the export's snapshot) until
    gate.release is set; released at the end whatever happened, so no lane stays stuck. Only a
    writer made off the GUI thread is held (the test's own statements are written with it too)."""
    held = Gate()
    real_writer = csv.writer

    class GatedWriter:
        def __init__(self, handle: Any, **kwargs: Any) -> None:
            self._inner = real_writer(handle, **kwargs)
            self._rows = 0
            self._held = threading.current_thread() is not threading.main_thread()

        def writerow(self, row: Any) -> Any:
            self._rows += 1
            if self._held and self._rows == 2:
                held.entered.set()
                held.release.wait(30)
            return self._inner.writerow(row)

    monkeypatch.setattr(export_module.csv, "writer", GatedWriter)
    yield held
    held.release.set()


def _exporter(qtbot: Any, window: Any) -> Exporter:
    exporter = Exporter(window.ctx)
    qtbot.addWidget(exporter)
    exporter.show()
    qtbot.waitExposed(exporter)
    return exporter


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def test_page_reads_go_on_while_an_export_is_under_way(
    qtbot: Any,
    make_window: Any,
    filled_ledger: Path,
    tmp_path: Path,
    write_statement: Any,
    gate: Gate,
) -> None:
    window = make_window(filled_ledger)
    window.show_page("Dashboard")
    dash = window.page("Dashboard")
    qtbot.waitUntil(lambda: dash.report is not None and not dash._loading, timeout=10_000)
    savings = write_statement(tmp_path / "savings.csv", 30)
    exporter = _exporter(qtbot, window)
    target = tmp_path / "all.csv"
    exporter.start(target, TxFilter())
    qtbot.waitUntil(gate.entered.is_set, timeout=10_000)  # the export is half-way, and held

    # another program adds an account meanwhile; the pages' own reads must see it now
    with Ledger.open(filled_ledger) as other:
        other.import_file(savings, "Savings", currency="USD")
    dash.reload()
    qtbot.waitUntil(
        lambda: not dash._loading and dash.report.transactions == ROWS + 30, timeout=10_000
    )
    view = window.page("Transactions")
    view.reload_choices()
    qtbot.waitUntil(lambda: view.account.findText("Savings") >= 0, timeout=10_000)
    assert exporter.running and exporter.progress.isVisible() and not target.exists()

    gate.release.set()
    qtbot.waitUntil(lambda: not exporter.running, timeout=10_000)
    assert len(_rows(target)) == ROWS  # one snapshot: the rows as they were when it began
    assert exporter.status.text() == (
        f"Exported {exporter.locale().toString(ROWS)} transactions to {target}"
    )


@pytest.mark.parametrize("existing", [False, True])
def test_cancel_stops_the_export_and_leaves_no_file(
    qtbot: Any,
    make_window: Any,
    filled_ledger: Path,
    tmp_path: Path,
    gate: Gate,
    existing: bool,
) -> None:
    window = make_window(filled_ledger)
    exporter = _exporter(qtbot, window)
    busy: list[bool] = []
    exporter.busy.connect(busy.append)
    folder = tmp_path / "out"
    folder.mkdir()
    target = folder / "stopped.csv"
    if existing:
        target.write_text("my old export\n", encoding="utf-8")
    exporter.start(target, TxFilter())
    qtbot.waitUntil(gate.entered.is_set, timeout=10_000)
    assert exporter.cancel_button.isVisible() and exporter.cancel_button.isEnabled()

    qtbot.mouseClick(exporter.cancel_button, Qt.MouseButton.LeftButton)
    assert exporter.status.text() == "Stopping the export…"
    gate.release.set()
    qtbot.waitUntil(lambda: not exporter.running, timeout=10_000)
    assert exporter.status.text() == f"Export to {target} stopped; nothing was written."
    assert exporter.progress.isHidden() and exporter.cancel_button.isHidden()
    assert busy == [True, False]
    assert sorted(p.name for p in folder.iterdir()) == (["stopped.csv"] if existing else [])
    if existing:
        assert target.read_text(encoding="utf-8") == "my old export\n"


def test_the_progress_bar_follows_the_rows(
    qtbot: Any,
    make_window: Any,
    filled_ledger: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(export_module, "PROGRESS_EVERY", 300)
    window = make_window(filled_ledger)
    exporter = _exporter(qtbot, window)
    seen: list[int] = []
    exporter.progress.valueChanged.connect(seen.append)
    exporter.start(tmp_path / "all.csv", TxFilter())
    assert exporter.running
    exporter.start(tmp_path / "again.csv", TxFilter())  # one at a time
    assert exporter.status.text().startswith("An export is already running")
    qtbot.waitUntil(lambda: not exporter.running, timeout=10_000)
    assert exporter.progress.maximum() == ROWS
    assert seen == [300, 600, 900, ROWS]
    assert not (tmp_path / "again.csv").exists()


@pytest.mark.parametrize(
    ("typed", "written"),
    [
        ("mydata", "mydata.csv"),  # the fault: this used to be written as "mydata"
        ("mydata.csv", "mydata.csv"),  # never twice
        ("MyData.CSV", "MyData.CSV"),
        ("notes.txt", "notes.txt"),  # an extension chosen on purpose
    ],
)
def test_the_export_dialog_adds_csv_to_a_name_without_an_extension(
    qtbot: Any,
    make_window: Any,
    filled_ledger: Path,
    tmp_path: Path,
    save_dialog: Any,
    typed: str,
    written: str,
) -> None:
    window = make_window(filled_ledger)
    exporter = _exporter(qtbot, window)
    folder = tmp_path / "out"
    folder.mkdir()
    asked = save_dialog(str(folder / typed))
    exporter.ask(TxFilter())
    assert [(call.title, call.filters) for call in asked] == [
        ("Export transactions", ["CSV files (*.csv)", "All files (*)"])
    ]
    assert Path(asked[0].offered).name.endswith(".csv")
    qtbot.waitUntil(lambda: not exporter.running, timeout=10_000)
    assert [p.name for p in folder.iterdir()] == [written]
    assert len(_rows(folder / written)) == ROWS


def test_the_replace_question_is_about_the_file_with_its_suffix(
    qtbot: Any, make_window: Any, filled_ledger: Path, tmp_path: Path, save_dialog: Any
) -> None:
    window = make_window(filled_ledger)
    exporter = _exporter(qtbot, window)
    (tmp_path / "out.csv").write_text("an older export\n", encoding="utf-8")
    asked = save_dialog(str(tmp_path / "out"))
    exporter.ask(TxFilter())
    assert asked[0].chosen == str(tmp_path / "out.csv") and asked[0].asked_to_replace
    qtbot.waitUntil(lambda: not exporter.running, timeout=10_000)
    assert len(_rows(tmp_path / "out.csv")) == ROWS
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize(
    ("typed", "written"), [("copy", "copy.sqlite"), ("copy.sqlite", "copy.sqlite")]
)
def test_back_up_adds_sqlite_and_does_not_wait_for_the_reading_lane(
    qtbot: Any,
    make_window: Any,
    filled_ledger: Path,
    tmp_path: Path,
    save_dialog: Any,
    typed: str,
    written: str,
) -> None:
    window = make_window(filled_ledger)
    folder = tmp_path / "backups"
    folder.mkdir()
    asked = save_dialog(str(folder / typed))
    release = threading.Event()  # a long report holds the reading lane meanwhile
    window.ctx.reader.submit(lambda _ledger: release.wait(30))
    try:
        backup.back_up(window, window.ctx)
        bar = window.statusBar()
        qtbot.waitUntil(lambda: "Backed up" in bar.currentMessage(), timeout=10_000)
    finally:
        release.set()
    assert [call.title for call in asked] == ["Back up the ledger"]
    assert [p.name for p in folder.iterdir()] == [written]
    with Ledger.open(folder / written) as copy:
        assert copy.count() == ROWS
    assert bar.currentMessage() == f"Backed up {ROWS:,} transactions to {folder / written}"


def test_an_export_asked_for_as_the_window_closes_says_it_did_not_run(
    qtbot: Any, make_window: Any, filled_ledger: Path, tmp_path: Path
) -> None:
    window = make_window(filled_ledger)
    exporter = _exporter(qtbot, window)
    window.ctx.files.close()  # what closing the window does, after stopping a running export
    exporter.start(tmp_path / "late.csv", TxFilter())
    assert not exporter.running and exporter.progress.isHidden()
    assert exporter.status.text() == "Nothing was exported: the window is closing."
    assert not (tmp_path / "late.csv").exists()
