"""The main window "Fincast": a sidebar of pages, the pages, and a status bar of health lights.

Owns the lifetime of what the pages share (ledger lanes, hub adapter). It shows itself before any
sidecar starts, and must never wait on the hub or on a long query.
"""

from __future__ import annotations

import importlib
import logging
from pathlib import Path
from typing import Any

from PySide6.QtCore import QSize, Qt, QTimer
from PySide6.QtGui import QCloseEvent, QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QStackedWidget,
    QWidget,
)

from desktop import formatting, gui_thread_gc, menus
from desktop.context import AppContext
from desktop.status_lights import HealthLights

log = logging.getLogger(__name__)

# Imported on the reading lane this long after the window is built (see _warm_modules).
WARM_AFTER_MS = 1500
WARM_MODULES = ("data.importer", "desktop.import_jobs")

PAGES = ("Dashboard", "Transactions", "Import", "Forecast", "Insights", "Rules", "Services")
PAGE_CLASSES = {
    "Dashboard": ("desktop.views.dashboard", "DashboardView"),
    "Transactions": ("desktop.views.transactions", "TransactionsView"),
    "Import": ("desktop.views.importing", "ImportView"),
    "Forecast": ("desktop.views.forecast", "ForecastView"),
    "Insights": ("desktop.views.insights", "InsightsView"),
    "Rules": ("desktop.views.rules", "RulesView"),
    "Services": ("desktop.views.services", "ServicesView"),
}


class MainWindow(QMainWindow):
    """Sidebar + pages + health lights, under a menu bar (desktop/menus.py)."""

    def __init__(self, ctx: AppContext) -> None:
        super().__init__()
        self.ctx = ctx
        self.setWindowTitle("Fincast")
        self.resize(1200, 760)
        self.setAcceptDrops(True)
        # Cyclic garbage is collected on this thread only: a lane that collected a Qt object
        # deadlocked with the GUI thread (see gui_thread_gc).
        self._gc_timer = QTimer(self)
        self._gc_timer.setInterval(gui_thread_gc.INTERVAL_MS)
        self._gc_timer.timeout.connect(gui_thread_gc.collect_due)
        gui_thread_gc.take_over()
        self._gc_timer.start()

        self.sidebar = QListWidget()
        self.sidebar.setObjectName("sidebar")
        self.sidebar.setFixedWidth(170)
        self.sidebar.setIconSize(QSize(0, 0))
        self.sidebar.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.sidebar.setStyleSheet(
            "#sidebar{border:none;font-size:14px;padding-top:8px;background:palette(base);}"
            "#sidebar::item{padding:9px 14px;border:none;}"
            "#sidebar::item:selected{background:palette(highlight);color:palette(highlighted-text);}"
        )
        self.stack = QStackedWidget()
        # Pages are built when first shown (start-up pays only for the dashboard); until then
        # an empty placeholder holds each one's place in the stack.
        self.pages: dict[str, QWidget] = {}
        for name in PAGES:
            QListWidgetItem(name, self.sidebar)
            self.stack.addWidget(QWidget())
        self.sidebar.currentRowChanged.connect(self._page_changed)

        body = QWidget()
        layout = QHBoxLayout(body)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.sidebar)
        layout.addWidget(self.stack, 1)
        self.setCentralWidget(body)

        self.ledger_label = QLabel(str(ctx.db))
        self.ledger_label.setStyleSheet("color: palette(mid);")
        self.statusBar().addWidget(self.ledger_label, 1)
        self.lights = HealthLights(ctx.hub)
        self.lights.clicked.connect(lambda _s: self.show_page("Services"))
        self.statusBar().addPermanentWidget(self.lights)

        self.menus = menus.install(self)  # File, Edit (Undo, Redo), View, Help
        from desktop.categorize_pump import CategorizePump

        self.pump = CategorizePump(ctx, self)
        from desktop import categorizing

        categorizing.prepare(ctx)  # its thread starts now, not on the user's first correction
        self._indexing = False
        ctx.events.changed.connect(self._ledger_changed)
        self.catch_up_text()  # after a command-line import, say
        self._say_interrupted_import()
        self.warmed = False
        QTimer.singleShot(WARM_AFTER_MS, self, self._warm_modules)
        self.sidebar.setCurrentRow(0)

    # -- an import cut short by the last exit --------------------------------------------------
    def _say_interrupted_import(self) -> None:
        """Say in the status bar (until the next message) that the last session was closed
        during an import, and what became of it (desktop/interrupted_import.py)."""
        from desktop import interrupted_import

        db = self.ctx.db

        def read(ledger: Any) -> str | None:
            return interrupted_import.sentence(ledger, db, formatting.moment)

        def say(text: str | None) -> None:
            if text:
                self.interrupted_import = text
                self.statusBar().showMessage(text)

        self.interrupted_import = ""
        self.ctx.reader.submit(read, say)

    # -- modules the lanes import on first use ----------------------------------------------
    def _warm_modules(self) -> None:
        # A lane importing a module mid-session holds the GIL in long C calls (unmarshalling,
        # compiling dataclass methods): the chaos run's worst stall (64 ms, 30 of them asleep on
        # the GIL) was the reader lane importing data.importer for the first file dropped. Do
        # it while the app sits idle after start-up instead.
        def warm(_ledger: Any) -> None:
            for name in WARM_MODULES:
                importlib.import_module(name)

        def done(_none: None) -> None:
            self.warmed = True

        self.ctx.reader.submit(warm, done)

    # -- the text index's catch-up ------------------------------------------------------------
    def _ledger_changed(self, what: str) -> None:
        # An import leaves its rows' text unindexed (so the import is quick); catch the index up
        # now, in the background, so the user's first search after it is not the one that waits
        # for it (~7 s after a million rows). Searches meanwhile stay exact (they scan the tail).
        if what in ("import", "demo"):
            self.catch_up_text()

    def catch_up_text(self) -> None:
        """Index imported rows' text on the indexer lane, one chunk per job (so closing the
        window waits for one chunk at most), until none is left."""
        if self._indexing:
            return
        self._indexing = True
        self._index_chunk()

    def _index_chunk(self) -> None:
        def failed(exc: BaseException) -> None:
            self._indexing = False
            log.warning("the text index could not catch up (searches scan instead): %s", exc)

        job = self.ctx.indexer.submit(
            lambda ledger: ledger.index_text(chunks=1), self._indexed, failed
        )
        if job is None:  # the window is closing
            self._indexing = False

    def _indexed(self, rows: int) -> None:
        if rows and not self.ctx.indexer.closed:
            self._index_chunk()
        else:
            self._indexing = False

    def page(self, name: str) -> Any:
        """The named page, built now if this is its first use."""
        built = self.pages.get(name)
        if built is not None:
            return built
        module_name, class_name = PAGE_CLASSES[name]
        cls = getattr(importlib.import_module(module_name), class_name)
        widget = cls(self.ctx, self) if name == "Dashboard" else cls(self.ctx)
        self.pages[name] = widget
        index = PAGES.index(name)
        current = self.stack.currentIndex()
        placeholder = self.stack.widget(index)
        self.stack.insertWidget(index, widget)
        if placeholder is not None:
            self.stack.removeWidget(placeholder)
            placeholder.deleteLater()
        self.stack.setCurrentIndex(current)
        if name == "Import":
            widget.imported.connect(lambda: self.show_page("Transactions"))
        elif name == "Transactions":
            widget.rule_requested.connect(self._rule_from)
        return widget

    dashboard = property(lambda self: self.page("Dashboard"), doc="The Dashboard page.")
    transactions = property(lambda self: self.page("Transactions"), doc="The Transactions page.")
    importing = property(lambda self: self.page("Import"), doc="The Import page.")
    forecast = property(lambda self: self.page("Forecast"), doc="The Forecast page.")
    insights = property(lambda self: self.page("Insights"), doc="The Insights page.")
    rules = property(lambda self: self.page("Rules"), doc="The Rules page.")
    services = property(lambda self: self.page("Services"), doc="The Services page.")

    def _rule_from(self, txn: object) -> None:
        self.show_page("Rules")
        self.rules.new_rule(txn)

    def show_page(self, name: str) -> None:
        """Switch to the named page."""
        self.sidebar.setCurrentRow(PAGES.index(name))

    def show_transactions(self, **flt: Any) -> Any:
        """Open the Transactions page on exactly the filter `flt` (TransactionsView.show_filter's
        keywords); the page is built if it has not been. Returns the page."""
        page = self.transactions
        page.show_filter(**flt)  # first, so that showing the page does not load another filter
        self.show_page("Transactions")
        return page

    def current_page(self) -> str:
        """The name of the page on show."""
        return PAGES[self.stack.currentIndex()]

    def _page_changed(self, row: int) -> None:
        if row < 0:
            return
        page = self.page(PAGES[row])
        self.stack.setCurrentIndex(row)
        activate = getattr(page, "activate", None)
        if callable(activate):
            activate()

    # -- drag and drop of statements -------------------------------------------------------
    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        """Accept local files."""
        if event.mimeData().hasUrls() and any(u.isLocalFile() for u in event.mimeData().urls()):
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        """Open dropped files in the import wizard."""
        paths = [Path(u.toLocalFile()) for u in event.mimeData().urls() if u.isLocalFile()]
        if paths:
            event.acceptProposedAction()
            self.open_files(paths)

    def open_files(self, paths: list[Path]) -> None:
        """Start the import wizard on `paths`."""
        self.show_page("Import")
        self.importing.open_files(paths)

    def closeEvent(self, event: QCloseEvent) -> None:
        """Stop the sidecars and close the ledger."""
        from desktop import categorizing

        categorizing.forget(self.ctx)  # its retrainer (and a retrain it had scheduled) goes too
        self.pump.shutdown()
        for page in list(self.pages.values()):
            stop = getattr(page, "shutdown", None)
            if callable(stop):
                stop()
        self.ctx.hub.stop()
        self.ctx.close()  # the lanes have stopped: no thread but this one allocates for us now
        if self._gc_timer.isActive():
            self._gc_timer.stop()
            gui_thread_gc.hand_back()
        super().closeEvent(event)
