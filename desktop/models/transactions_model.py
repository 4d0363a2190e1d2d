"""A lean table model over the ledger's transactions that stays smooth at 1,000,000 rows.

Rows are paged from SQLite on the reading lane: `rowCount` is the filter's count (itself counted
off the GUI thread), and `data()` for a row whose page is not loaded yet shows a placeholder and
asks for that page; the page arrives by queued signal and only its rows repaint. Sorting and
filtering are SQL (the ledger's ORDER BY and WHERE), never a QSortFilterProxyModel.

Why not fetchMore/canFetchMore alone: fetchMore grows the model from the top, so jumping to the end
of a million rows would first fetch every page before it; paging on demand keeps the jump to one
page (a deep OFFSET walks the covering index, ~0.1 s, on the worker, not the GUI thread).
This model must never query SQLite on the GUI thread.
"""

from __future__ import annotations

import dataclasses
from collections import OrderedDict
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFont, QPalette
from PySide6.QtWidgets import QApplication

from data.ledger import TxFilter, Txn
from desktop import formatting
from desktop.worker import DbLane

PAGE = 200
MAX_PAGES = 64  # pages kept in memory: ~13k rows, a few MB
LOW_CONFIDENCE = 0.6

COLUMNS = ("Date", "Account", "Description", "Amount", "Category", "Confidence")
DATE, ACCOUNT, DESCRIPTION, AMOUNT, CATEGORY, CONFIDENCE = range(len(COLUMNS))
# Columns SQL can order by, and the ledger's order names for them.
SORTS = {DATE: ("date_asc", "date_desc"), AMOUNT: ("amount_asc", "amount_desc")}

TxnRole = Qt.ItemDataRole.UserRole + 1

# data() is called ~1,000 times per repaint, each a hop from Qt into Python that must win the
# GIL: plain ints (PySide passes roles as int) and precomputed flags keep each call short.
_DISPLAY = int(Qt.ItemDataRole.DisplayRole)
_EDIT = int(Qt.ItemDataRole.EditRole)
_ALIGN = int(Qt.ItemDataRole.TextAlignmentRole)
_FOREGROUND = int(Qt.ItemDataRole.ForegroundRole)
_FONT = int(Qt.ItemDataRole.FontRole)
_TOOLTIP = int(Qt.ItemDataRole.ToolTipRole)
_TXN = int(TxnRole)
_ANSWERED = frozenset({_DISPLAY, _EDIT, _ALIGN, _FOREGROUND, _FONT, _TOOLTIP, _TXN})
# The roles every repaint asks for each cell, answered from a per-row cache (slot -> role).
_PAINTED = {_DISPLAY: 0, _ALIGN: 1, _FOREGROUND: 2, _FONT: 3}
_RIGHT = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
_PLAIN_FLAGS = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
_EDIT_FLAGS = _PLAIN_FLAGS | Qt.ItemFlag.ItemIsEditable

AnyIndex = QModelIndex | QPersistentModelIndex


class TransactionsModel(QAbstractTableModel):
    """Transactions matching a TxFilter, in an SQL order, loaded a page at a time."""

    counted = Signal(int)  # the filter's row count, after each reset
    page_loaded = Signal(int)  # page number
    edit_requested = Signal(list, object)  # (list[Txn], category name or None) from inline edits

    def __init__(self, reader: DbLane) -> None:
        super().__init__()
        self._reader = reader
        self.filter = TxFilter()
        self.order = "date_desc"
        self._count = 0
        self._generation = 0
        self._pages: OrderedDict[int, list[Txn]] = OrderedDict()
        self._asked: set[int] = set()
        self.loading = False
        self._italic = QFont()
        self._italic.setItalic(True)
        self._brush_cache: tuple[QBrush, QBrush, QBrush] | None = None
        self._cells: dict[int, tuple[tuple[Any, ...], ...]] = {}  # row -> painted answers

    # -- loading ---------------------------------------------------------------------------
    def reload(self, flt: TxFilter | None = None, order: str | None = None) -> None:
        """Show `flt` in `order` (default: the current ones); the count and pages arrive later."""
        if flt is not None:
            self.filter = flt
        if order is not None:
            self.order = order
        self._generation += 1
        gen, flt_now = self._generation, self.filter
        self.loading = True
        self._reader.submit(lambda ledger: ledger.count(flt_now), lambda n: self._counted(gen, n))

    def refresh(self) -> None:
        """Reload the same filter after the ledger changed (keeps the scroll position's rows)."""
        self.reload()

    def refresh_in_place(self) -> None:
        """Re-read the loaded pages without a reset (keeps scroll and selection); a changed
        row count (rows left or joined the filter) falls back to a full reload."""
        gen, flt, order = self._generation, self.filter, self.order
        pages = list(self._pages)

        def load(ledger: Any) -> tuple[int, dict[int, list[Txn]]]:
            count = ledger.count(flt)
            return count, {
                p: ledger.transactions(flt, offset=p * PAGE, limit=PAGE, order=order) for p in pages
            }

        def done(value: tuple[int, dict[int, list[Txn]]]) -> None:
            count, fresh = value
            if gen != self._generation:
                return
            if count != self._count:
                self.reload()
                return
            for page, rows in fresh.items():
                if page in self._pages:
                    self._refreshed(page, rows)

        self._reader.submit(load, done)

    def _refreshed(self, page: int, rows: list[Txn]) -> None:
        """Swap in a re-read page, repainting only the rows that changed: a categorize pass
        refreshes every loaded page, and a full-table repaint costs the GUI thread 10-30 ms."""
        old = self._pages.get(page, [])
        self._pages[page] = rows
        first = page * PAGE
        start: int | None = None
        for i in range(max(len(old), len(rows)) + 1):
            same = i < len(old) and i < len(rows) and old[i] == rows[i]
            ended = i >= max(len(old), len(rows))
            if not same and not ended:
                self._cells.pop(first + i, None)
                if start is None:
                    start = i
            elif (same or ended) and start is not None:
                last = min(first + i, self._count) - 1
                if last >= first + start:
                    self.dataChanged.emit(
                        self.index(first + start, 0), self.index(last, len(COLUMNS) - 1)
                    )
                start = None

    def _counted(self, gen: int, count: int) -> None:
        if gen != self._generation:
            return  # a newer filter has been asked for; this answer is stale
        self.beginResetModel()
        self._count = count
        self._pages.clear()
        self._cells.clear()
        self._asked.clear()
        self.endResetModel()
        self.loading = False
        self.counted.emit(count)

    def _ask(self, page: int) -> None:
        if page in self._asked or page in self._pages or page < 0 or page * PAGE >= self._count:
            return
        self._asked.add(page)
        gen, flt, order = self._generation, self.filter, self.order

        def load(ledger: Any) -> list[Txn]:
            return list(ledger.transactions(flt, offset=page * PAGE, limit=PAGE, order=order))

        self._reader.submit(load, lambda rows: self._loaded(gen, page, rows))

    def _loaded(self, gen: int, page: int, rows: list[Txn]) -> None:
        if gen != self._generation:
            return
        self._asked.discard(page)
        self._pages[page] = rows
        while len(self._pages) > MAX_PAGES:
            gone, _ = self._pages.popitem(last=False)
            for row in range(gone * PAGE, (gone + 1) * PAGE):
                self._cells.pop(row, None)
        first = page * PAGE
        for row in range(first, first + PAGE):
            self._cells.pop(row, None)
        last = min(first + len(rows), self._count) - 1
        if last >= first:
            self.dataChanged.emit(self.index(first, 0), self.index(last, len(COLUMNS) - 1))
        self.page_loaded.emit(page)

    def txn(self, row: int) -> Txn | None:
        """The transaction at `row` if its page is loaded (asks for the page otherwise)."""
        page = row // PAGE
        rows = self._pages.get(page)
        if rows is None:
            self._ask(page)
            return None
        self._pages.move_to_end(page)
        offset = row - page * PAGE
        return rows[offset] if offset < len(rows) else None

    @property
    def generation(self) -> int:
        """Bumped by every reload: rows read for an older generation may no longer line up."""
        return self._generation

    def loaded_rows(self, first: int, last: int) -> list[Txn] | None:
        """The transactions in rows first..last (inclusive) if every one is loaded, else None.
        Unlike txn(), asks for no page: a copy of a big selection must not queue hundreds."""
        out: list[Txn] = []
        for page in range(first // PAGE, last // PAGE + 1):
            rows = self._pages.get(page)
            if rows is None:
                return None
            lo = max(first, page * PAGE) - page * PAGE
            hi = min(last, page * PAGE + PAGE - 1) - page * PAGE
            if hi >= len(rows):
                return None
            out.extend(rows[lo : hi + 1])
        return out

    def replace(self, txns: dict[int, Txn]) -> None:
        """Swap in updated copies of loaded transactions (after an edit) and repaint them."""
        for page, rows in self._pages.items():
            for i, t in enumerate(rows):
                if t.id in txns:
                    rows[i] = txns[t.id]
                    row = page * PAGE + i
                    self._cells.pop(row, None)
                    self.dataChanged.emit(self.index(row, 0), self.index(row, len(COLUMNS) - 1))

    def patch_category(self, ids: list[int], category: str | None, source: Any) -> None:
        """Show a category change at once, before the ledger confirms it."""
        wanted = set(ids)
        changed = {}
        for rows in self._pages.values():
            for t in rows:
                if t.id in wanted:
                    changed[t.id] = dataclasses.replace(
                        t,
                        category=category,
                        category_source=source if category else None,
                        confidence=None,
                        categorize_state="done" if category else "skipped",
                    )
        self.replace(changed)

    # -- Qt model interface ----------------------------------------------------------------
    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        """Rows matching the filter (0 under a parent: this is a flat table)."""
        return 0 if parent.isValid() else self._count

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        """The fixed columns."""
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        """Column titles."""
        if orientation == Qt.Orientation.Horizontal:
            if role == Qt.ItemDataRole.DisplayRole:
                return COLUMNS[section]
            if role == Qt.ItemDataRole.TextAlignmentRole and section in (AMOUNT, CONFIDENCE):
                return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def flags(self, index: AnyIndex) -> Qt.ItemFlag:
        """Only the category is editable."""
        return _EDIT_FLAGS if index.column() == CATEGORY else _PLAIN_FLAGS

    def data(self, index: AnyIndex, role: int = _DISPLAY) -> Any:  # noqa: PLR0911 (one answer per case reads best)
        """Cell text, alignment, colours and tooltips; a placeholder until the page arrives."""
        slot = _PAINTED.get(role)
        if slot is not None:  # what a repaint asks: from the row's cached answers
            row = index.row()
            cells = self._cells.get(row)
            if cells is None:
                t = self.txn(row)
                if t is None:
                    return "…" if slot == 0 and index.column() == DESCRIPTION else None
                cells = self._cells[row] = self._row_cells(t)
            return cells[slot][index.column()]
        if role not in _ANSWERED or not index.isValid():
            return None
        t = self.txn(index.row())
        if t is None:
            return None
        if role == _EDIT:
            return t.category or ""
        if role == _TXN:
            return t
        return self._tooltip(t, index.column())

    def _row_cells(self, t: Txn) -> tuple[tuple[Any, ...], ...]:
        """Every painted role's answer for each column of `t`, in _PAINTED's slot order."""
        columns = range(len(COLUMNS))
        return (
            tuple(self._display(t, c) for c in columns),
            tuple(_RIGHT if c in (AMOUNT, CONFIDENCE) else None for c in columns),
            tuple(self._foreground(t, c) for c in columns),
            tuple(self._italic if c == CATEGORY and t.category is None else None for c in columns),
        )

    def _display(self, t: Txn, col: int) -> str:  # noqa: PLR0911 (one answer per case reads best)
        if col == DATE:
            return formatting.day(t.date)
        if col == ACCOUNT:
            return t.account
        if col == DESCRIPTION:
            return t.description
        if col == AMOUNT:
            return formatting.money(t.amount, t.currency)
        if col == CATEGORY:
            if t.category:
                return t.category
            if t.categorize_state == "pending":
                return "pending…"
            return f"{t.suggestion}?" if t.suggestion else "—"
        if col == CONFIDENCE:
            if t.category_source == "user":
                return "you"
            if t.category_source == "rule":
                return "rule"
            return formatting.percent(t.confidence) if t.confidence is not None else ""
        return ""

    def _foreground(self, t: Txn, col: int) -> Any:
        if col == AMOUNT and t.amount > 0:
            return self._brushes()[0]
        if col == CATEGORY and t.category is None:
            return self._brushes()[1]
        if col == CONFIDENCE and t.confidence is not None and t.confidence < LOW_CONFIDENCE:
            return self._brushes()[2]
        return None

    def _brushes(self) -> tuple[QBrush, QBrush, QBrush]:
        """Income, no-category and low-confidence text brushes, from the palette at first use
        (reading the application palette on every call cost ~1 ms a repaint)."""
        if self._brush_cache is None:
            palette = QApplication.palette()
            dark = palette.color(QPalette.ColorRole.Window).lightness() < 128
            self._brush_cache = (
                QBrush(QColor("#5ccf7e" if dark else "#1b7f3b")),
                palette.brush(QPalette.ColorGroup.Disabled, QPalette.ColorRole.Text),
                QBrush(QColor("#c47f00")),
            )
        return self._brush_cache

    def _tooltip(self, t: Txn, col: int) -> str | None:
        if col not in (CATEGORY, CONFIDENCE, DESCRIPTION):
            return None
        if col == DESCRIPTION:
            return f"{t.description}\nPayee: {t.payee}"
        lines = []
        if t.category_source == "user":
            lines.append("You chose this category.")
        elif t.category_source == "rule":
            lines.append("Set by one of your rules.")
        elif t.category_source == "model":
            conf = formatting.percent(t.confidence) if t.confidence is not None else "?"
            lines.append(f"Suggested by the categorizer, {conf} confident.")
        elif t.categorize_state == "pending":
            lines.append("Waiting for the categorizer; it fills in when the service is running.")
        if t.suggestion and not t.category:
            lines.append(f"Best guess: {t.suggestion} (not confident enough to apply).")
        if t.reasons and t.category_source in ("model", None):
            lines.append("Because of: " + ", ".join(t.reasons))
        lines.append("Double-click to change it.")
        return "\n".join(lines)

    def setData(self, index: AnyIndex, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        """An inline category edit: asks the view to record it (undoably); never writes itself."""
        if role != Qt.ItemDataRole.EditRole or index.column() != CATEGORY:
            return False
        t = self.txn(index.row())
        if t is None:
            return False
        name = str(value).strip() or None
        if name == t.category:
            return False
        self.edit_requested.emit([t], name)
        return True

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """Order by date or amount, in SQL; other columns keep the current order."""
        names = SORTS.get(column)
        if names is None:
            return
        self.reload(order=names[0] if order == Qt.SortOrder.AscendingOrder else names[1])
