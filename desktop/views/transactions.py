"""The Transactions page: search and filters over the whole ledger, inline and bulk category
edits with completion and undo, "make a rule from this", export of what the filters show, a row
context menu (right-click or the Menu key), Ctrl+C of the selected rows as tab-separated text, and
show_filter, which other pages (the dashboard's drill-down) use to open it on given rows.

Every query and export runs on the reading lane and every write on the writing lane; this page
must never block the GUI thread, whatever the size of the ledger.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

from PySide6.QtCore import (
    QDate,
    QEvent,
    QItemSelection,
    QModelIndex,
    QPoint,
    QStringListModel,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QAction, QContextMenuEvent, QKeyEvent, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QCheckBox,
    QComboBox,
    QCompleter,
    QDateEdit,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMenu,
    QPushButton,
    QSizePolicy,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from data.ledger import LedgerError, TxFilter, Txn
from desktop import amount_query, formatting
from desktop.banner import ServiceBanner
from desktop.context import AppContext
from desktop.edits import SetCategory
from desktop.export import Exporter
from desktop.models.transactions_model import (
    AMOUNT,
    CATEGORY,
    CONFIDENCE,
    DATE,
    DESCRIPTION,
    LOW_CONFIDENCE,
    TransactionsModel,
    TxnRole,
)
from desktop.views import row_copy
from desktop.views.plain_header import PlainHeader

ANY = "All"
log = logging.getLogger(__name__)
# Rows whose text is built on the GUI thread when all are loaded; more go to the reading lane.
# Measured here: 2,000 loaded rows took 9-17 ms of the GUI thread, 10,000 took 44-63 ms; from the
# lane the call returns in 0.2 ms and 10,000 rows reach the clipboard in ~0.6 s.
COPY_ON_GUI_ROWS = 1_000


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

    def setEditorData(self, editor: QWidget, index: Any) -> None:
        """The row's category; for a row with none, the categorizer's suggestion, selected,
        so that Enter takes it and typing replaces it (it opened empty, and taking a
        suggestion meant typing its whole name)."""
        super().setEditorData(editor, index)
        txn = index.data(TxnRole)
        if isinstance(editor, QLineEdit) and isinstance(txn, Txn):
            suggestion = suggested(txn)
            if suggestion is not None:
                editor.setText(suggestion)
                editor.selectAll()


def suggested(txn: Txn) -> str | None:
    """The category the categorizer suggested for `txn`, if it has none yet."""
    return txn.suggestion if txn.category is None and txn.suggestion else None


def _spans(selection: QItemSelection) -> list[row_copy.Span]:
    """The selected rows as (first, last) spans, merged, from the selection's ranges (a few,
    whatever the rows: never one call per row or cell)."""
    return row_copy.merge(
        (r.top(), r.bottom()) for r in (selection.at(i) for i in range(selection.count()))
    )


def _selected_count(selection: QItemSelection) -> int:
    """How many rows `selection` covers."""
    return row_copy.rows_in(_spans(selection))


class TransactionsTable(QTableView):
    """The table, telling the page of context-menu requests (mouse or Menu key) and of Ctrl+C."""

    menu_requested = Signal(object, QPoint)  # (QModelIndex of the row, or invalid; global pos)
    copy_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        # column headers that never walk a big selection (see plain_header)
        self.setHorizontalHeader(PlainHeader(Qt.Orientation.Horizontal, self))
        # Tab leaves the table (arrows move in it): it walked the cells for ever, and the
        # category box, Set category and Export below were out of a keyboard's reach (audit 9).
        self.setTabKeyNavigation(False)

    def contextMenuEvent(self, event: QContextMenuEvent) -> None:
        """A right-click names the row under the pointer; the Menu key, the current row."""
        if event.reason() == QContextMenuEvent.Reason.Keyboard:
            index = self.currentIndex()
            rect = self.visualRect(index) if index.isValid() else self.viewport().rect()
            where = self.viewport().mapToGlobal(
                rect.bottomLeft() if index.isValid() else rect.center()
            )
        else:
            index = self.indexAt(event.pos())  # viewport coordinates, as a scroll area gets them
            where = event.globalPos()
        event.accept()
        self.menu_requested.emit(index, where)

    def event(self, event: QEvent) -> bool:
        """Claim Ctrl+C while the table has focus, ahead of any window-wide shortcut on it (an
        Edit > Copy in the menu bar, say), so that it copies these rows."""
        if (
            event.type() == QEvent.Type.ShortcutOverride
            and isinstance(event, QKeyEvent)
            and event.matches(QKeySequence.StandardKey.Copy)
        ):
            event.accept()
            return True
        return super().event(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        """Ctrl+C (the platform's Copy) copies the selected rows, not just the current cell."""
        if event.matches(QKeySequence.StandardKey.Copy):
            event.accept()
            self.copy_requested.emit()
            return
        super().keyPressEvent(event)


class TransactionsView(QWidget):
    """Filters, the table and the edit actions."""

    rule_requested = Signal(object)  # Txn: open the rule editor prefilled from it

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:  # noqa: PLR0915 (a page is built in one place)
        super().__init__(parent)
        self.ctx = ctx
        self.model = TransactionsModel(ctx.pager)
        self.model.edit_requested.connect(self._inline_edit)
        self.model.counted.connect(self._counted)
        self.model.page_loaded.connect(self._page_loaded)
        self._sum_for: int | None = None  # the model generation whose total is still to add
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
        self.amount = QLineEdit(placeholderText="Amount")
        self.amount.setToolTip(amount_query.HINT)
        self.amount.setClearButtonEnabled(True)
        self.amount.setMaximumWidth(100)
        self.search.setMinimumWidth(220)  # the search keeps room to read what is typed
        self.uncategorized = QCheckBox("Uncategorized")
        self.low_confidence = QCheckBox("Low confidence")
        self.count_label = QLabel("Loading…")

        # Two rows: in one, the filters' smallest widths added up to a window 1,178 px wide,
        # which the window grew to as soon as this page was shown (a laptop's half screen is
        # 960 px), with the amount box squeezed to "A…" (audit 8).
        filters = QVBoxLayout()
        first, second = QHBoxLayout(), QHBoxLayout()
        filters.addLayout(first)
        filters.addLayout(second)
        first.addWidget(self.search, 3)
        first.addWidget(QLabel("Account"))
        first.addWidget(self.account)
        first.addWidget(QLabel("Category"))
        first.addWidget(self.category)
        second.addWidget(self.use_dates)
        second.addWidget(self.date_from)
        second.addWidget(QLabel("to"))
        second.addWidget(self.date_to)
        second.addWidget(QLabel("Amount"))
        second.addWidget(self.amount)
        second.addWidget(self.uncategorized)
        second.addWidget(self.low_confidence)
        second.addStretch(1)

        self.table = TransactionsTable()
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
        # A copy's progress and outcome. On the buttons' row, whose height text does not change:
        # a line that appeared above or below the table would resize it, and a table relaid
        # out while a lane reads rows stalled the GUI thread for the whole read (1.2 s for
        # 20,000 rows here), its many calls into Python each waiting for the GIL.
        self.copy_status = QLabel("")
        # The count and the outcome lines over the buttons, each one line high: in one row their
        # texts and the buttons needed 933 px (with the filters, a 1,178 px window). The
        # outcome line takes the width there is and never widens the window (its whole text
        # is its tooltip).
        self.copy_status.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.copy_status.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        statuses = QHBoxLayout()
        statuses.addWidget(self.count_label)
        statuses.addWidget(self.copy_status, 1)
        statuses.addWidget(self.selection_label)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.bulk_category)
        buttons.addWidget(self.bulk_apply)
        buttons.addWidget(self.make_rule)
        buttons.addWidget(self.export_button)
        actions = QVBoxLayout()
        actions.addLayout(statuses)
        actions.addLayout(buttons)

        # the export's progress, Cancel and outcome, in place under the buttons (never a modal
        # box); it runs on the files lane, so this page's reads go on meanwhile
        self.exporter = Exporter(ctx)
        self.exporter.busy.connect(lambda running: self.export_button.setEnabled(not running))

        # Where a drill-down says what its figure counted and what the list shows besides; it
        # goes when the filters change.
        self.note = QLabel("")
        self.note.setWordWrap(True)
        self.note.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.note.setStyleSheet(
            "padding:6px 8px;border:1px solid palette(mid);border-radius:6px;"
            "background:palette(alternate-base);"
        )
        self.note.hide()
        self._note_filter: TxFilter | None = None
        self.row_menu: QMenu | None = None  # the last context menu opened (tests reach it here)
        # Taking the categorizer's suggestions for the selected rows: in the row menu, and
        # Ctrl+Enter on the table (a whole "Uncategorized" list: Ctrl+A, Ctrl+Enter)
        self.accept_action = QAction("Accept the suggested categories", self)
        self.accept_action.setShortcuts([QKeySequence("Ctrl+Return"), QKeySequence("Ctrl+Enter")])
        self.accept_action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.accept_action.triggered.connect(self.accept_suggestions)
        self.table.addAction(self.accept_action)
        self.table.menu_requested.connect(self._open_row_menu)
        self.table.copy_requested.connect(self.copy_selection)
        self._copying = False  # a big selection's text is being read on the lane
        self._reading_selection = False  # a big selection's rows are read for an edit

        self.banner = ServiceBanner(ctx.hub, ("categorizer",))
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 12, 12, 8)
        title = QLabel("Transactions")
        title.setStyleSheet("font-size:20px;font-weight:600;")
        layout.addWidget(title)
        layout.addWidget(self.banner)
        layout.addLayout(filters)
        layout.addWidget(self.note)
        layout.addWidget(self.table, 1)
        layout.addLayout(actions)
        layout.addWidget(self.exporter)

        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(250)
        self._debounce.timeout.connect(self.apply_filters)
        self.search.textChanged.connect(self._debounce.start)
        self.amount.textChanged.connect(self._mark_amount)
        self.amount.textChanged.connect(self._debounce.start)
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
        self._choices_asked = False
        self._choices_shown: tuple[list[str], list[str]] | None = None

    # -- loading ---------------------------------------------------------------------------
    def activate(self) -> None:
        """Load on first show, so start-up does not pay for the count (show_filter may have
        loaded the table already; the lists are still asked for here)."""
        if not self._choices_asked:
            self.reload_choices()
        if not self._loaded_once:
            self.apply_filters()

    def reload_choices(self, then: Callable[[], None] | None = None) -> None:
        """Refresh the account and category lists (off the GUI thread), then call `then` unless
        the filter had to let go of a name that is gone (it reloads the table itself)."""
        self._choices_asked = True

        def read(ledger: Any) -> tuple[list[str], list[str]]:
            return [a.name for a in ledger.accounts()], [c.name for c in ledger.categories()]

        def shown(value: tuple[list[str], list[str]]) -> None:
            if not self._choices(value) and then is not None:
                then()

        self.ctx.reader.submit(read, shown)

    def _choices(self, value: tuple[list[str], list[str]]) -> bool:
        """Show the lists; True if the filter let go of a name and the table was reloaded."""
        # Asked after every categorize pass; the lists rarely change, and refilling two
        # size-to-contents combos relays out the page.
        if value == self._choices_shown:
            return False
        self._choices_shown = value
        accounts, categories = value
        self.category_names.setStringList(categories)
        gone = False
        for combo, names in ((self.account, accounts), (self.category, categories)):
            current = combo.currentText() if combo.currentIndex() > 0 else None
            if current is not None and current not in names:
                # renamed, merged or deleted (or never there): filtering by it would fail (an
                # account) or show nothing (a category), so the filter lets go of it
                current, gone = None, True
            combo.blockSignals(True)
            combo.clear()
            combo.addItem(ANY)
            combo.addItems(names)
            combo.setCurrentIndex(_find(combo, current) if current is not None else 0)
            combo.blockSignals(False)
        if gone:
            self.apply_filters()
        return gone

    def current_filter(self) -> TxFilter:
        """The TxFilter the controls describe."""

        def pick(combo: QComboBox) -> str | None:
            return None if combo.currentIndex() <= 0 else combo.currentText()

        def date(edit: QDateEdit) -> dt.date | None:
            d = edit.date()
            if d in (edit.minimumDate(), edit.maximumDate()):
                return None  # show_filter's open end of a range (see there)
            return dt.date(d.year(), d.month(), d.day())

        dates = self.use_dates.isChecked()
        low, high = self._amount_bounds()
        return TxFilter(
            amount_from=low,
            amount_to=high,
            account=pick(self.account),
            category=pick(self.category),
            text=self.search.text().strip() or None,
            date_from=date(self.date_from) if dates else None,
            date_to=date(self.date_to) if dates else None,
            uncategorized=self.uncategorized.isChecked(),
            low_confidence=LOW_CONFIDENCE if self.low_confidence.isChecked() else None,
        )

    def _amount_bounds(self) -> tuple[Decimal | None, Decimal | None]:
        """The amount box's bounds; text it cannot read filters nothing (_mark_amount says so)."""
        try:
            bounds = amount_query.parse(self.amount.text())
        except amount_query.AmountQueryError:
            return None, None
        return bounds if bounds is not None else (None, None)

    def _mark_amount(self, text: str) -> None:
        """Mark the amount box red, with the reason as its tooltip, while it holds text that
        does not read as an amount; as it is typed, not when a filter is next read."""
        try:
            amount_query.parse(text)
        except amount_query.AmountQueryError as exc:
            self.amount.setStyleSheet("QLineEdit { border: 1px solid #c0392b; }")
            self.amount.setToolTip(str(exc))
            return
        if self.amount.styleSheet():
            self.amount.setStyleSheet("")
            self.amount.setToolTip(amount_query.HINT)

    def apply_filters(self) -> None:
        """Reload the table for the current controls."""
        self._loaded_once = True
        self.count_label.setText("Counting…")
        flt = self.current_filter()
        if self._note_filter is not None and flt != self._note_filter:
            self._note_filter = None
            self.note.hide()
        self.model.reload(flt)

    def show_filter(
        self,
        *,
        account: str | None = None,
        category: str | None = None,
        date_from: dt.date | None = None,
        date_to: dt.date | None = None,
        text: str | None = None,
        uncategorized: bool = False,
        amount_from: Decimal | None = None,
        amount_to: Decimal | None = None,
    ) -> None:
        """Set the filter controls to exactly these (every other one cleared) and load the
        table for them, once, on the lanes like any filter change. The user's sort stays.

        One check box turns both dates on, so an open end of a range is the date edit's
        minimum or maximum, which current_filter reads as no bound."""
        controls = (
            self.search,
            self.amount,
            self.account,
            self.category,
            self.use_dates,
            self.date_from,
            self.date_to,
            self.uncategorized,
            self.low_confidence,
        )
        for control in controls:
            control.blockSignals(True)  # one query for the whole change, not one per control
        try:
            self._debounce.stop()
            if text is not None and len(text) > self.search.maxLength():
                self.search.setMaxLength(len(text))  # setText would cut it short
            self.search.setText(text or "")
            self.amount.setText(amount_query.text_of(amount_from, amount_to))
            _choose(self.account, account)
            _choose(self.category, category)
            self.use_dates.setChecked(date_from is not None or date_to is not None)
            if date_from is not None or date_to is not None:
                self.date_from.setDate(
                    _qdate(date_from) if date_from else self.date_from.minimumDate()
                )
                self.date_to.setDate(_qdate(date_to) if date_to else self.date_to.maximumDate())
            self.uncategorized.setChecked(uncategorized)
            self.low_confidence.setChecked(False)
        finally:
            for control in controls:
                control.blockSignals(False)
        self.apply_filters()

    def show_note(self, text: str) -> None:
        """Say `text` above the table until the filters change (a drill-down's explanation)."""
        self._note_filter = self.current_filter()
        self.note.setText(text)
        self.note.show()

    def _dates_changed(self) -> None:
        if self.use_dates.isChecked():
            self._debounce.start()

    def _counted(self, n: int) -> None:
        self.count_label.setText(f"{self.locale().toString(n)} transactions")
        # The sum comes once the first page is in: on the same lane, asked now it would hold
        # that page up (summing a million rows takes a few hundred milliseconds).
        self._sum_for = self.model.generation if n else None

    def _page_loaded(self, _page: int) -> None:
        gen = self._sum_for
        if gen is None or gen != self.model.generation:
            return
        self._sum_for = None
        flt = self.model.filter

        def done(totals: list[tuple[str, int]]) -> None:
            if gen == self.model.generation and totals:
                sums = ", ".join(formatting.money(amount, cur) for cur, amount in totals)
                n = self.locale().toString(self.model.rowCount())
                self.count_label.setText(f"{n} transactions, total {sums}")

        self.ctx.pager.submit(lambda ledger: ledger.totals(flt), done)

    def _ledger_changed(self, what: str) -> None:
        if not self._loaded_once:
            return
        # the lists first: a filter naming an account or category that is gone must let go of
        # it before the table is read again (else every read fails: "no account named ...")
        if what in ("import", "undo", "demo"):
            self.reload_choices(then=self.model.refresh)
        elif what in ("categorized", "rules"):
            self.reload_choices(then=self.model.refresh_in_place)
        elif what == "categories":
            self.reload_choices()

    # -- the row context menu --------------------------------------------------------------
    def _open_row_menu(self, index: QModelIndex, where: QPoint) -> None:
        if not index.isValid():
            return  # empty space below the rows: nothing to act on
        menu = self.row_menu_for(index.row())
        if self.row_menu is not None:
            self.row_menu.deleteLater()
        self.row_menu = menu
        menu.popup(where)

    def row_menu_for(self, row: int) -> QMenu:
        """The context menu of `row` (selected or not: a right-click selects it first)."""
        menu = QMenu(self)
        txn = self.model.txn(row)  # None while its page loads: its own actions are then off
        selected = self.table.selectionModel().hasSelection()
        set_category = menu.addAction("Set category…")
        set_category.triggered.connect(self._focus_bulk_category)
        set_category.setEnabled(selected)
        menu.addAction(self.accept_action)
        rule = menu.addAction("Make a rule from this…")
        rule.setEnabled(txn is not None)
        if txn is not None:
            rule.triggered.connect(lambda: self.rule_requested.emit(txn))
        menu.addSeparator()
        payee = menu.addAction("Show all from this payee")
        payee.setEnabled(txn is not None and bool(txn.payee))
        month = menu.addAction("Show this month")
        month.setEnabled(txn is not None)
        if txn is not None:
            payee.setToolTip(txn.payee)
            payee.triggered.connect(lambda: self.show_filter(text=txn.payee))
            first = txn.date.replace(day=1)
            last = (first.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
            month.triggered.connect(
                lambda: self.show_filter(date_from=first, date_to=last - dt.timedelta(days=1))
            )
        menu.addSeparator()
        copy = QAction("Copy", menu)
        copy.setShortcut(QKeySequence(QKeySequence.StandardKey.Copy))  # shown; the table acts
        copy.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        copy.setEnabled(selected)
        copy.triggered.connect(self.copy_selection)
        menu.addAction(copy)
        return menu

    def _say(self, text: str) -> None:
        """Put `text` on the outcome line beside the buttons (and, whole, in its tooltip: the
        line takes only the width there is)."""
        self.copy_status.setText(text)
        self.copy_status.setToolTip(text)

    def _focus_bulk_category(self) -> None:
        self.bulk_category.setFocus(Qt.FocusReason.OtherFocusReason)
        self.bulk_category.selectAll()

    # -- copy ------------------------------------------------------------------------------
    def copy_selection(self) -> None:
        """Put the selected rows on the clipboard as tab-separated text with a header line.

        Up to COPY_ON_GUI_ROWS rows that are all loaded are copied at once. More loaded rows
        have their text built on the reading lane, and a selection reaching rows not loaded is
        read from the ledger there (in the table's filter and order, in one snapshot); the
        window stays live meanwhile and the outcome is said beside the buttons."""
        spans = _spans(self.table.selectionModel().selection())
        rows = row_copy.rows_in(spans)
        if rows == 0:
            self._say("Nothing is selected to copy.")
            return
        if rows > row_copy.MAX_ROWS:
            self._say(
                f"{self.locale().toString(rows)} rows are too many to copy (at most "
                f"{self.locale().toString(row_copy.MAX_ROWS)}); Export… saves them to a file."
            )
            return
        parts = [self.model.loaded_rows(first, last) for first, last in spans]
        loaded = None if None in parts else [t for part in parts if part for t in part]
        if loaded is not None and rows <= COPY_ON_GUI_ROWS:
            self._copied(len(loaded), row_copy.tsv(loaded))
            return
        if self._copying:
            self._say("A copy is already being made; wait for it to finish.")
            return
        self._copying = True
        gen, flt, order = self.model.generation, self.model.filter, self.model.order
        self._say(f"Copying {self.locale().toString(rows)} rows…")

        def done(value: tuple[int, str]) -> None:
            self._copying = False
            if gen != self.model.generation:
                self._say("The list changed while copying; nothing was copied.")
                return
            self._copied(*value)

        def failed(exc: BaseException) -> None:
            self._copying = False
            if not isinstance(exc, LedgerError):
                log.error("copying %d rows failed", rows, exc_info=exc)
            self._say(f"Nothing was copied: {exc}")

        def read(ledger: Any) -> tuple[int, str]:  # on the reading lane
            if loaded is not None:
                return len(loaded), row_copy.tsv(loaded)
            return row_copy.read(ledger, flt, order, spans)

        self.ctx.reader.submit(read, done, failed)

    def _copied(self, rows: int, text: str) -> None:
        QApplication.clipboard().setText(text)
        noun = "row" if rows == 1 else "rows"
        self._say(f"Copied {self.locale().toString(rows)} {noun}.")

    # -- edits -----------------------------------------------------------------------------
    def selected_rows(self) -> list[int]:
        """The selected rows, in order, from the selection's ranges: selectedRows() would ask
        the model for the flags of every cell of every selected row, one Python call each."""
        spans = _spans(self.table.selectionModel().selection())
        return [row for first, last in spans for row in range(first, last + 1)]

    def selected_txns(self) -> list[Txn]:
        """Loaded transactions in the selected rows."""
        txns = [self.model.txn(r) for r in self.selected_rows()]
        return [t for t in txns if t is not None]

    def _selection_changed(self, *_: Any) -> None:
        n = _selected_count(self.table.selectionModel().selection())
        self.bulk_apply.setEnabled(n > 0)
        self.make_rule.setEnabled(n == 1)
        self.selection_label.setText(f"{n} selected" if n > 1 else "")

    def _inline_edit(self, txns: list[Txn], category: str | None) -> None:
        self.set_category(txns, category)

    def set_category(self, txns: list[Txn], category: str | None) -> None:
        """Set the category of `txns` as one undoable step."""
        if txns:
            self.ctx.undo.push(
                SetCategory(self.ctx, self.model, txns, category, refused=self._refused)
            )

    def _refused(self, why: str) -> None:
        self._say(f"The category was not changed: {why}.")

    def apply_bulk(self) -> None:
        """Set the typed category on every selected row, loaded or not."""
        name = self.bulk_category.text().strip() or None
        self.with_selected_txns(lambda txns: self.set_category(txns, name), name or "no category")
        if self.bulk_category.hasFocus():
            # Back to the rows just changed: left in the box, Ctrl+Z undid the box's typing
            # while Edit > Undo offered to undo the change (audit 9).
            self.table.setFocus(Qt.FocusReason.OtherFocusReason)

    def with_selected_txns(self, act: Callable[[list[Txn]], None], what: str) -> None:
        """Call `act` with the transactions of every selected row. Rows all loaded go at once;
        a selection reaching rows not loaded (Ctrl+A over 20,000 rows: the table loads pages
        as they are shown) is read from the ledger on the reading lane first, in the table's
        filter and order, and said beside the buttons. Setting only the loaded rows changed
        200 of 20,000 selected rows, silently (audit 8)."""
        spans = _spans(self.table.selectionModel().selection())
        rows = row_copy.rows_in(spans)
        if rows == 0:
            return
        parts = [self.model.loaded_rows(first, last) for first, last in spans]
        if None not in parts:
            act([t for part in parts if part for t in part])
            return
        n = self.locale().toString(rows)
        if rows > row_copy.MAX_ROWS:
            self._say(
                f"{n} rows are too many to change at once (at most "
                f"{self.locale().toString(row_copy.MAX_ROWS)}); a rule (Rules page) changes "
                "every row it matches."
            )
            return
        if self._reading_selection:
            self._say("The selection is still being read; wait for it.")
            return
        self._reading_selection = True
        gen, flt, order = self.model.generation, self.model.filter, self.model.order
        self._say(f"Reading {n} selected rows…")

        def done(txns: list[Txn]) -> None:
            self._reading_selection = False
            if gen != self.model.generation:
                self._say("The list changed meanwhile; nothing was changed.")
                return
            self._say(f"{self.locale().toString(len(txns))} rows: {what}.")
            act(txns)  # after: what it says itself (nothing to accept, say) is the last word

        def failed(exc: BaseException) -> None:
            self._reading_selection = False
            if not isinstance(exc, LedgerError):
                log.error("reading %d selected rows failed", rows, exc_info=exc)
            self._say(f"Nothing was changed: {exc}")

        self.ctx.reader.submit(
            lambda ledger: row_copy.read_txns(ledger, flt, order, spans), done, failed
        )

    def accept_suggestions(self) -> None:
        """Give each selected row without a category the category the categorizer suggested
        for it, as one undoable step; rows with none suggested are left as they are."""
        self.with_selected_txns(self._accept, "suggested categories taken")

    def _accept(self, txns: list[Txn]) -> None:
        by_name: dict[str, list[Txn]] = {}
        for t in txns:
            name = suggested(t)
            if name is not None:
                by_name.setdefault(name, []).append(t)
        if not by_name:
            self._say("No selected row has a suggested category to accept.")
            return
        n = sum(len(group) for group in by_name.values())
        self.ctx.undo.beginMacro(f"accept {n} suggested categor{'y' if n == 1 else 'ies'}")
        for name, group in by_name.items():
            self.set_category(group, name)
        self.ctx.undo.endMacro()

    def _make_rule(self) -> None:
        txns = self.selected_txns()
        if txns:
            self.rule_requested.emit(txns[0])

    # -- export ----------------------------------------------------------------------------
    def export_dialog(self) -> None:
        """Ask where to save the transactions the filters show (".csv" added to a name typed
        without one), then export them there; cancelling does nothing."""
        self.exporter.ask(self.current_filter())

    def export_to(self, path: Path) -> None:
        """Export the current filter's transactions to `path`, with the progress, a Cancel
        button and then the outcome shown under the buttons."""
        self.exporter.start(path, self.current_filter())

    def shutdown(self) -> None:
        """Stop a running export (the window is closing); it leaves no file behind."""
        self.exporter.cancel()


def _qdate(day: dt.date) -> QDate:
    return QDate(day.year, day.month, day.day)


def _choose(combo: QComboBox, name: str | None) -> None:
    """Select `name` in a filter combo (ANY for None), adding it when the list, which loads
    on the lane, does not hold it yet."""
    if name is None:
        combo.setCurrentIndex(0)
        return
    found = _find(combo, name)
    if found < 0:
        combo.addItem(name)
        found = combo.count() - 1
    combo.setCurrentIndex(found)


def _find(combo: QComboBox, name: str) -> int:
    """The index of the item named exactly `name` after ANY (a category may be called "All")."""
    for i in range(1, combo.count()):
        if combo.itemText(i) == name:
            return i
    return -1
