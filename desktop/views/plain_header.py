"""A table header that paints its sections without asking the selection model.

QHeaderView paints each section with the selection state of its neighbours, and for that asks
QItemSelectionModel.isColumnSelected, which asks the model for the flags of every row of the
column. With a Python model that is one Python call per row and column at each repaint of the
header (120,000 calls for 20,000 selected rows): with every row selected, a resize or a progress
bar appearing froze the window for seconds while a worker lane held the GIL (5 s measured).
The transactions table selects whole rows, so there is nothing for its column headers to show;
this one draws the text, the sort arrow and the position from the header's own state, as Orange's
HeaderView does for the same reason.
"""

from __future__ import annotations

from PySide6.QtCore import QRect, Qt
from PySide6.QtGui import QPainter
from PySide6.QtWidgets import QHeaderView, QStyle, QStyleOptionHeader

_POSITIONS = QStyleOptionHeader.SectionPosition


class PlainHeader(QHeaderView):
    """Sections painted from the model's header data and the sort indicator only."""

    def paintSection(self, painter: QPainter, rect: QRect, logical: int) -> None:
        if not rect.isValid():
            return
        opt = QStyleOptionHeader()
        self.initStyleOption(opt)  # the header's own state: orientation, enabled, palette
        opt.rect = rect
        opt.section = logical
        opt.orientation = self.orientation()
        model = self.model()
        if model is not None:
            text = model.headerData(logical, self.orientation(), Qt.ItemDataRole.DisplayRole)
            opt.text = "" if text is None else str(text)
            align = model.headerData(logical, self.orientation(), Qt.ItemDataRole.TextAlignmentRole)
            opt.textAlignment = (
                Qt.AlignmentFlag(int(align)) if align is not None else self.defaultAlignment()
            )
        if self.isSortIndicatorShown() and self.sortIndicatorSection() == logical:
            # Qt's own convention: an ascending sort shows the "down" indicator
            opt.sortIndicator = (
                QStyleOptionHeader.SortIndicator.SortDown
                if self.sortIndicatorOrder() == Qt.SortOrder.AscendingOrder
                else QStyleOptionHeader.SortIndicator.SortUp
            )
        visual = self.visualIndex(logical)
        first, last = visual == 0, visual == self.count() - 1
        opt.position = (
            _POSITIONS.OnlyOneSection
            if first and last
            else _POSITIONS.Beginning
            if first
            else _POSITIONS.End
            if last
            else _POSITIONS.Middle
        )
        opt.selectedPosition = QStyleOptionHeader.SelectedPosition.NotAdjacent
        painter.save()
        self.style().drawControl(QStyle.ControlElement.CE_Header, opt, painter, self)
        painter.restore()
