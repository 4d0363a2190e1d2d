"""The Transactions page: search and filters over the whole ledger, inline and bulk category
edits with completion and undo, "make a rule from this", and export of what the filters show.

Every query and export runs on the reading lane and every write on the writing lane; this page
must never block the GUI thread, whatever the size of the ledger.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from pathlib import Path
from typing import Any

from PySide6.QtCore import QDate, QStringListModel, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QCompleter,
    QDateEdit,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from data.ledger import LedgerError, TxFilter, Txn
from desktop.banner import ServiceBanner
from desktop.context import AppContext
from desktop.edits import SetCategory
from desktop.models.transactions_model import (
    AMOUNT,
    CATEGORY,
    CONFIDENCE,
    DATE,
    DESCRIPTION,
    LOW_CONFIDENCE,
    TransactionsModel,
)

ANY = "All"
log = logging.getLogger(__name__)


class ExportStopped(Exception):
    """The page went away during an export; the export leaves nothing behind."""


class CategoryDelegate(QStyledItemDelegate):
    """Edits a category in a line edit that completes from the ledger's categories."""

    def __init__(self, names: QStringListModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._names = names

    def createEditor(self, parent: QWidget, option: QStyleOptionViewItem, index: Any) -> QWidget:
        """A QLineEdit with case-insensitive completion of category names."""
        editor = QLineEdit(parent)
        completer = QCompleter(self._names, editor)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        editor.setCompleter(completer)
        editor.setPlaceholderText("category (empty clears it)")
        return editor


class TransactionsView(QWidget):
    """Filters, the table and the edit actions."""

    rule_requested = Signal(object)  # Txn: open the rule editor prefilled from it

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:  # noqa: PLR0915 (a page is built in one place)
        super().__init__(parent)
        self.ctx = ctx
        self.model = TransactionsModel(ctx.pager)
        self.model.edit_requested.connect(self._inline_edit)
        self.model.counted.connect(self._counted)
        self.category_names = QStringListModel(self)

        self.search = QLineEdit(placeholderText="Search descriptions and payees")
        self.search.setClearButtonEnabled(True)
        self.account = QComboBox()
        self.category = QComboBox()
        for combo in (self.account, self.category):
            combo.addItem(ANY)
            combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.use_dates = QCheckBox("From")
        self.date_from = QDateEdit()
        self.date_to = QDateEdit()
        for edit in (self.date_from, self.date_to):
            edit.setCalendarPopup(True)
        today = QDate.currentDate()
        self.date_from.setDate(today.addMonths(-1))
        self.date_to.setDate(today)
        self.uncategorized = QCheckBox("Uncategorized")
        self.low_confidence = QCheckBox("Low confidence")
        self.count_label = QLabel("Loading…")

        filters = QHBoxLayout()
        filters.addWidget(self.search, 3)
        filters.addWidget(QLabel("Account"))
        filters.addWidget(self.account)
        filters.addWidget(QLabel("Category"))
        filters.addWidget(self.category)
        filters.addWidget(self.use_dates)
        filters.addWidget(self.date_from)
        filters.addWidget(QLabel("to"))
        filters.addWidget(self.date_to)
        filters.addWidget(self.uncategorized)
        filters.addWidget(self.low_confidence)

        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setItemDelegateForColumn(CATEGORY, CategoryDelegate(self.category_names, self))
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(
            QAbstractItemView.EditTrigger.DoubleClicked
            | QAbstractItemView.EditTrigger.EditKeyPressed
            | QAbstractItemView.EditTrigger.AnyKeyPressed
        )
        self.table.setSortingEnabled(True)
        self.table.horizontalHeader().setSortIndicator(DATE, Qt.SortOrder.DescendingOrder)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(26)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(DESCRIPTION, QHeaderView.ResizeMode.Stretch)
        for col, width in ((DATE, 100), (1, 130), (AMOUNT, 110), (CATEGORY, 160), (CONFIDENCE, 90)):
            self.table.setColumnWidth(col, width)

        self.bulk_category = QLineEdit(placeholderText="Category for the selected rows")
        bulk_completer = QCompleter(self.category_names, self.bulk_category)
        bulk_completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        bulk_completer.setFilterMode(Qt.MatchFlag.MatchContains)
        self.bulk_category.setCompleter(bulk_completer)
        self.bulk_category.setMinimumWidth(240)
        self.bulk_apply = QPushButton("Set category")
        self.make_rule = QPushButton("Make a rule from this…")
        self.bulk_apply.clicked.connect(self.apply_bulk)
        self.bulk_category.returnPressed.connect(self.apply_bulk)
        self.make_rule.clicked.connect(self._make_rule)
        self.export_button = QPushButton("Export…")
        self.export_button.setToolTip("Save the transactions the filters show as a CSV file")
        self.export_button.clicked.connect(self.export_dialog)
        self.selection_label = QLabel("")
        actions = QHBoxLayout()
        actions.addWidget(self.count_label)
        actions.addStretch(1)
        actions.addWidget(self.selection_label)
        actions.addWidget(self.bulk_category)
        actions.addWidget(self.bulk_apply)
        actions.addWidget(self.make_rule)
        actions.addWidget(self.export_button)

        # the export's progress and outcome, in place under the buttons (never a modal box)
        self.export_progress = QProgressBar()
        self.export_progress.setMaximumWidth(240)
        self.export_progress.setTextVisible(True)
        self.export_progress.hide()
        self.export_status = QLabel("")
        self.export_status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.export_status.setWordWrap(True)
        self.export_status.hide()
        export_row = QHBoxLayout()
        export_row.addWidget(self.export_progress)
        export_row.addWidget(self.export_status, 1)

        self.banner = ServiceBanner(ctx.hub, ("categorizer",))
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 12, 12, 8)
        title = QLabel("Transactions")
        title.setStyleSheet("font-size:20px;font-weight:600;")
        layout.addWidget(title)
        layout.addWidget(self.banner)
        layout.addLayout(filters)
        layout.addWidget(self.table, 1)
        layout.addLayout(actions)
        layout.addLayout(export_row)

        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(250)
        self._debounce.timeout.connect(self.apply_filters)
        self.search.textChanged.connect(self._debounce.start)
        for combo in (self.account, self.category):
            combo.currentIndexChanged.connect(self.apply_filters)
        for box in (self.use_dates, self.uncategorized, self.low_confidence):
            box.toggled.connect(self.apply_filters)
        for edit in (self.date_from, self.date_to):
            edit.dateChanged.connect(self._dates_changed)
        self.table.selectionModel().selectionChanged.connect(self._selection_changed)
        ctx.events.changed.connect(self._ledger_changed)
        self._selection_changed()
        self._loaded_once = False
        self._choices_shown: tuple[list[str], list[str]] | None = None
        self._export_stop: threading.Event | None = None  # set while an export runs

    # -- loading ---------------------------------------------------------------------------
    def activate(self) -> None:
        """Load on first show, so start-up does not pay for the count."""
        if not self._loaded_once:
            self._loaded_once = True
            self.reload_choices()
            self.apply_filters()

    def reload_choices(self) -> None:
        """Refresh the account and category lists (off the GUI thread)."""

        def read(ledger: Any) -> tuple[list[str], list[str]]:
            return [a.name for a in ledger.accounts()], [c.name for c in ledger.categories()]

        self.ctx.reader.submit(read, self._choices)

    def _choices(self, value: tuple[list[str], list[str]]) -> None:
        # Asked after every categorize pass; the lists rarely change, and refilling two
        # size-to-contents combos relays out the page.
        if value == self._choices_shown:
            return
        self._choices_shown = value
        accounts, categories = value
        self.category_names.setStringList(categories)
        for combo, names in ((self.account, accounts), (self.category, categories)):
            current = combo.currentText()
            combo.blockSignals(True)
            combo.clear()
            combo.addItem(ANY)
            combo.addItems(names)
            combo.setCurrentIndex(max(0, combo.findText(current)))
            combo.blockSignals(False)

    def current_filter(self) -> TxFilter:
        """The TxFilter the controls describe."""

        def pick(combo: QComboBox) -> str | None:
            return None if combo.currentIndex() <= 0 else combo.currentText()

        def date(edit: QDateEdit) -> dt.date:
            d = edit.date()
            return dt.date(d.year(), d.month(), d.day())

        dates = self.use_dates.isChecked()
        return TxFilter(
            account=pick(self.account),
            category=pick(self.category),
            text=self.search.text().strip() or None,
            date_from=date(self.date_from) if dates else None,
            date_to=date(self.date_to) if dates else None,
            uncategorized=self.uncategorized.isChecked(),
            low_confidence=LOW_CONFIDENCE if self.low_confidence.isChecked() else None,
        )

    def apply_filters(self) -> None:
        """Reload the table for the current controls."""
        self._loaded_once = True
        self.count_label.setText("Counting…")
        self.model.reload(self.current_filter())

    def _dates_changed(self) -> None:
        if self.use_dates.isChecked():
            self._debounce.start()

    def _counted(self, n: int) -> None:
        self.count_label.setText(f"{self.locale().toString(n)} transactions")

    def _ledger_changed(self, what: str) -> None:
        if not self._loaded_once:
            return
        if what in ("import", "undo", "demo"):
            self.reload_choices()
            self.model.refresh()
        elif what in ("categorized", "rules"):
            self.reload_choices()
            self.model.refresh_in_place()
        elif what == "categories":
            self.reload_choices()

    # -- edits -----------------------------------------------------------------------------
    def selected_txns(self) -> list[Txn]:
        """Loaded transactions in the selected rows."""
        rows = sorted({i.row() for i in self.table.selectionModel().selectedRows()})
        txns = [self.model.txn(r) for r in rows]
        return [t for t in txns if t is not None]

    def _selection_changed(self, *_: Any) -> None:
        n = len(self.table.selectionModel().selectedRows())
        self.bulk_apply.setEnabled(n > 0)
        self.make_rule.setEnabled(n == 1)
        self.selection_label.setText(f"{n} selected" if n > 1 else "")

    def _inline_edit(self, txns: list[Txn], category: str | None) -> None:
        self.set_category(txns, category)

    def set_category(self, txns: list[Txn], category: str | None) -> None:
        """Set the category of `txns` as one undoable step."""
        if txns:
            self.ctx.undo.push(SetCategory(self.ctx, self.model, txns, category))

    def apply_bulk(self) -> None:
        """Set the typed category on every selected row."""
        name = self.bulk_category.text().strip() or None
        self.set_category(self.selected_txns(), name)

    def _make_rule(self) -> None:
        txns = self.selected_txns()
        if txns:
            self.rule_requested.emit(txns[0])

    # -- export ----------------------------------------------------------------------------
    def export_dialog(self) -> None:
        """Ask where to save the transactions the filters show, then export them there (the
        file dialog confirms replacing an existing file); cancelling does nothing."""
        if self._export_stop is not None:
            self._show_export_status("An export is already running; wait for it to finish.")
            return
        suggested = Path.home() / f"fincast-transactions-{dt.date.today().isoformat()}.csv"
        path, _ = QFileDialog.getSaveFileName(
            self, "Export transactions", str(suggested), "CSV files (*.csv);;All files (*)"
        )
        if path:
            self.export_to(Path(path))

    def export_to(self, path: Path) -> None:
        """Export the current filter's transactions to `path` on the reading lane, with the
        progress and then the outcome shown under the buttons."""
        if self._export_stop is not None:
            self._show_export_status("An export is already running; wait for it to finish.")
            return
        flt = self.current_filter()
        stop = threading.Event()
        self._export_stop = stop
        hop = self.ctx.delivery.hop
        self.export_button.setEnabled(False)
        self.export_progress.setRange(0, 0)  # busy until the count is known
        self.export_progress.show()
        self._show_export_status(f"Exporting to {path}…")

        def progress(rows: int) -> None:  # on the reading lane
            if stop.is_set():
                raise ExportStopped
            hop(self._export_advanced, rows)

        def export(ledger: Any) -> int:  # on the reading lane
            hop(self._export_counted, ledger.count(flt))
            return int(ledger.export_csv(path, flt, progress))

        self.ctx.reader.submit(
            export,
            lambda rows: self._export_done(path, rows),
            lambda exc: self._export_failed(path, exc),
        )

    def _export_counted(self, total: int) -> None:
        if self._export_stop is not None:
            self.export_progress.setRange(0, max(total, 1))

    def _export_advanced(self, rows: int) -> None:
        if self._export_stop is not None and self.export_progress.maximum() > 0:
            self.export_progress.setValue(min(rows, self.export_progress.maximum()))

    def _export_done(self, path: Path, rows: int) -> None:
        self._export_finished()
        self._show_export_status(f"Exported {self.locale().toString(rows)} transactions to {path}")

    def _export_failed(self, path: Path, exc: BaseException) -> None:
        self._export_finished()
        if isinstance(exc, ExportStopped):
            self._show_export_status(f"Export to {path} stopped; nothing was written.")
            return
        if not isinstance(exc, (LedgerError, OSError)):
            log.error("exporting to %s failed", path, exc_info=exc)
        self._show_export_status(f"Nothing was exported: {exc}")

    def _export_finished(self) -> None:
        self._export_stop = None
        self.export_button.setEnabled(True)
        self.export_progress.hide()

    def _show_export_status(self, text: str) -> None:
        self.export_status.setText(text)
        self.export_status.show()

    def shutdown(self) -> None:
        """Stop a running export (the window is closing); it leaves no file behind."""
        if self._export_stop is not None:
            self._export_stop.set()
