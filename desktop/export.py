"""The desktop's CSV export (File > Export, the Transactions page's Export…): where to save it
(desktop.save_dialog, which adds ".csv"), and the export itself on the files lane, its own thread
and SQLite connection, with a progress bar, a Cancel button and a line saying how it went, in
place (never a modal box).

Why a lane of its own: at 1M rows an export takes about 20 s, and on the reading lane every page's
read (the Transactions lists and counts, the dashboard) queued behind it. On the files lane they
run beside it; in WAL mode the export's snapshot and the reader's queries do not wait for each
other.
Cancelling (or closing the window) stops the export at its next progress call, every
data.ledger.export.PROGRESS_EVERY rows. The file is written beside its target and renamed over it
only when complete (data/ledger/atomic.replacing), so a stopped export leaves no file, and a file
it was to replace is kept as it was.
Must never touch the ledger from the GUI thread.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QProgressBar, QPushButton, QWidget

from data.ledger import LedgerError, TxFilter
from desktop.context import AppContext
from desktop.save_dialog import ask_save_path

log = logging.getLogger(__name__)
TITLE = "Export transactions"


class ExportStopped(Exception):
    """The export was cancelled, or its window closed; it leaves nothing behind."""


def suggested_path(today: dt.date) -> Path:
    """Where the save dialog starts: a dated name in the home folder."""
    return Path.home() / f"fincast-transactions-{today.isoformat()}.csv"


class Exporter(QWidget):
    """A progress bar with a Cancel button and an outcome line, for one export at a time."""

    busy = Signal(bool)  # True when an export starts, False once it has ended in any way

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.progress = QProgressBar()
        self.progress.setMaximumWidth(240)
        self.progress.setTextVisible(True)
        self.progress.hide()
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setToolTip("Stop the export; nothing is written")
        self.cancel_button.clicked.connect(self.cancel)
        self.cancel_button.hide()
        self.status = QLabel("")
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.status.setWordWrap(True)
        self.status.hide()
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.progress)
        row.addWidget(self.cancel_button)
        row.addWidget(self.status, 1)
        self._stop: threading.Event | None = None  # the running export's; None when idle

    @property
    def running(self) -> bool:
        """Whether an export is under way (from its start until its outcome is shown)."""
        return self._stop is not None

    def ask(self, flt: TxFilter) -> None:
        """Ask where to save the transactions matching `flt`, then export them there;
        cancelling the dialog does nothing."""
        if self._refused():
            return
        ask_save_path(
            self.window(),
            TITLE,
            suggested_path(dt.date.today()),
            "CSV files (*.csv)",
            lambda path: self.start(path, flt),
        )

    def start(self, path: Path, flt: TxFilter) -> None:
        """Export the transactions matching `flt` to `path` on the files lane (the dialog has
        already asked before replacing an existing file)."""
        if self._refused():
            return
        stop = threading.Event()
        self._stop = stop
        hop = self.ctx.delivery.hop
        self.progress.setRange(0, 0)  # busy until the count is known
        self.progress.show()
        self.cancel_button.setEnabled(True)
        self.cancel_button.show()
        self._say(f"Exporting to {path}…")
        self.busy.emit(True)

        def progress(rows: int) -> None:  # on the files lane
            if stop.is_set():
                raise ExportStopped
            hop(lambda n: self._advanced(stop, n), rows)

        def export(ledger: Any) -> int:  # on the files lane
            if stop.is_set():  # cancelled before it began
                raise ExportStopped
            hop(lambda total: self._counted(stop, total), ledger.count(flt))
            return int(ledger.export_csv(path, flt, progress))

        submitted = self.ctx.files.submit(
            export,
            lambda rows: self._done(stop, path, rows),
            lambda exc: self._failed(stop, path, exc),
        )
        if submitted is None:  # the window is closing
            self._finished(stop)
            self._say("Nothing was exported: the window is closing.")

    def cancel(self) -> None:
        """Stop the running export at its next step; it leaves no file (also what the page does
        when the window closes)."""
        if self._stop is not None and not self._stop.is_set():
            self._stop.set()
            self.cancel_button.setEnabled(False)
            self._say("Stopping the export…")

    def _refused(self) -> bool:
        if self._stop is None:
            return False
        self._say("An export is already running; wait for it to finish, or cancel it.")
        return True

    def _counted(self, stop: threading.Event, total: int) -> None:
        if stop is self._stop:
            self.progress.setRange(0, max(total, 1))

    def _advanced(self, stop: threading.Event, rows: int) -> None:
        if stop is self._stop and self.progress.maximum() > 0:
            self.progress.setValue(min(rows, self.progress.maximum()))

    def _done(self, stop: threading.Event, path: Path, rows: int) -> None:
        self._finished(stop)
        self._say(f"Exported {self.locale().toString(rows)} transactions to {path}")

    def _failed(self, stop: threading.Event, path: Path, exc: BaseException) -> None:
        self._finished(stop)
        if isinstance(exc, ExportStopped):
            self._say(f"Export to {path} stopped; nothing was written.")
            return
        if not isinstance(exc, (LedgerError, OSError)):
            log.error("exporting to %s failed", path, exc_info=exc)
        self._say(f"Nothing was exported: {exc}")

    def _finished(self, stop: threading.Event) -> None:
        if stop is not self._stop:
            return
        self._stop = None
        self.progress.hide()
        self.cancel_button.hide()
        self.busy.emit(False)

    def _say(self, text: str) -> None:
        self.status.setText(text)
        self.status.show()
