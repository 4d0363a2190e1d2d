"""The dashboard's charts page: this month's spending by category, income and expenses by month,
balance over time and top payees (QtCharts), themed from the palette; numbers from minor units.

Hovering a bar or a balance point shows its exact figure as a tooltip (formatted from minor units,
never a float); clicking a category, month or payee bar asks, by `drill_requested`, for the
transactions behind it (desktop/drill_down.py).

Loaded only when the ledger has something to chart, so start-up never pays for QtCharts. Draws a
report computed elsewhere (desktop/reports.py); it must never query anything itself.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable
from typing import Any

from PySide6.QtCharts import (
    QBarCategoryAxis,
    QBarSeries,
    QBarSet,
    QCategoryAxis,
    QChart,
    QHorizontalBarSeries,
    QLineSeries,
    QValueAxis,
)
from PySide6.QtCore import QDate, QDateTime, QLocale, QPointF, Qt, QTime, QTimer, Signal
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QVBoxLayout,
    QWidget,
)

from data.money import exponent
from desktop import charts, formatting, reports
from desktop.drill_down import Drill, month_span

TIP_NAME_CHARS = 80  # a longer category or payee name is cut short in a tooltip
MONTH_LABELS = 7  # at most this many month names under the balance line
DAY_MS = 86_400_000


def _major(minor: int, currency: str) -> float:
    return float(minor / 10 ** exponent(currency))  # plotting only; labels use formatting.money


class Card(QFrame):
    """A figure with a caption."""

    def __init__(self, caption: str) -> None:
        super().__init__()
        self.setObjectName("card")
        self.setStyleSheet("#card{border:1px solid palette(mid);border-radius:8px;}")
        layout = QVBoxLayout(self)
        self.caption = QLabel(caption)
        self.caption.setStyleSheet("color:palette(placeholder-text);")
        self.value = QLabel("—")
        self.value.setStyleSheet("font-size:20px;font-weight:600;")
        layout.addWidget(self.caption)
        layout.addWidget(self.value)


class DashboardCharts(QWidget):
    """Figures and four charts for one report."""

    drill_requested = Signal(object)  # Drill: a bar was clicked

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.tooltip = ""  # the figure last shown on hover ("" once the pointer left)
        # each chart's bar sets (category, months, payees) and the balance line, as drawn now
        self.bar_sets: dict[str, list[QBarSet]] = {}
        self.balance_line: QLineSeries | None = None
        self._generation = 0
        self._partial = False  # the report leaves out rows in other currencies
        self._queue: list[tuple[str, Any, reports.Report, str]] = []
        self._drawn: dict[str, Any] = {}  # chart name -> the numbers it shows
        self._build()

    def _build(self) -> None:
        page = self
        self.heading = QLabel("Dashboard")
        self.heading.setStyleSheet("font-size:20px;font-weight:600;")
        # Which currency the figures are in, and the accounts they leave out (hidden if none).
        self.currency_note = QLabel("")
        self.currency_note.setWordWrap(True)
        self.currency_note.hide()
        self.cards = {
            name: Card(name)
            for name in (
                "Spent this month",
                "Income this month",
                "Balance",
                "Waiting for categories",
            )
        }
        cards = QHBoxLayout()
        for card in self.cards.values():
            cards.addWidget(card)
        self.grid = QGridLayout()
        self.chart_views: dict[str, Any] = {}
        for i, name in enumerate(("category", "months", "balance", "payees")):
            v = charts.view(QChart())
            self.chart_views[name] = v
            self.grid.addWidget(v, i // 2, i % 2)
        layout = QVBoxLayout(page)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.heading)
        layout.addWidget(self.currency_note)
        layout.addLayout(cards)
        layout.addLayout(self.grid, 1)

    def show_report(self, report: reports.Report, left_out: str = "") -> None:
        """Draw `report` (which has transactions): the figures at once, then each chart whose
        numbers changed, one per event-loop turn. `left_out` says what the figures do not
        count (accounts in other currencies), "" when they count everything."""
        assert report.month is not None
        cur = report.currency
        month_name = formatting.month(report.month)
        self.heading.setText(f"Dashboard — {month_name}")
        self.currency_note.setText(left_out)
        self.currency_note.setVisible(bool(left_out))
        # With other currencies about, "Balance" alone would pass for the whole ledger's.
        self.cards["Balance"].caption.setText(f"Balance in {cur}" if left_out else "Balance")
        # "this month" only when it is: a ledger whose statements stop in April 2024 shows
        # April 2024, and "Spent this month" over it read as this month's spending
        now = report.month == dt.date.today().replace(day=1)
        self.cards["Spent this month"].caption.setText(
            "Spent this month" if now else f"Spent in {month_name}"
        )
        self.cards["Income this month"].caption.setText(
            "Income this month" if now else f"Income in {month_name}"
        )
        spent = sum(v for _, v in report.by_category)
        self.cards["Spent this month"].value.setText(formatting.money(spent, cur, cents=False))
        self.cards["Income this month"].value.setText(
            formatting.money(report.income[-1] if report.income else 0, cur, cents=False)
        )
        balance = report.balance[-1][1] if report.balance else 0
        self.cards["Balance"].value.setText(formatting.money(balance, cur, cents=False))
        self.cards["Waiting for categories"].value.setText(QLocale().toString(report.pending))
        # A chart is rebuilt only when what it plots changed (a categorize pass rarely moves the
        # balance), and each rebuild gets its own turn of the event loop: the four together cost
        # the GUI thread 100-200 ms, one at a time each stays well under the stall budget.
        self._generation += 1
        self._partial = bool(left_out)
        wanted = {
            "category": (cur, month_name, report.by_category),
            "months": (cur, report.months, report.income, report.expenses),
            "balance": (cur, report.balance, bool(left_out)),
            "payees": (cur, report.top_payees),
        }
        todo = [name for name, key in wanted.items() if self._drawn.get(name) != key]
        for name in todo:
            self._drawn.pop(name, None)
        self._queue = [(name, wanted[name], report, month_name) for name in todo]
        if self._queue:
            gen = self._generation
            QTimer.singleShot(0, self, lambda: self._draw_next(gen))  # dropped if self is deleted

    @property
    def drawing(self) -> bool:
        """True while some charts of the last report are still to be drawn."""
        return bool(self._queue)

    def _draw_next(self, gen: int) -> None:
        if gen != self._generation or not self._queue:
            return  # a newer report replaced this one's queue
        name, key, report, month_name = self._queue.pop(0)
        builders: dict[str, Callable[[], QChart]] = {
            "category": lambda: self._category_chart(report, month_name),
            "months": lambda: self._months_chart(report),
            "balance": lambda: self._balance_chart(report),
            "payees": lambda: self._payees_chart(report),
        }
        build = builders[name]
        old = self.chart_views[name].chart()
        self.chart_views[name].setChart(build())
        if old is not None:
            old.deleteLater()  # QChartView does not delete the chart it is given up
        self._drawn[name] = key
        if self._queue:
            QTimer.singleShot(0, self, lambda: self._draw_next(gen))  # dropped if self is deleted

    def _hbar(
        self,
        name: str,
        title: str,
        items: list[tuple[str, int]],
        cur: str,
        *,
        colour: int,
        tip: Callable[[str, int], str],
        drill: Callable[[str, int], Drill],
    ) -> QChart:
        chart = charts.new_chart(title)
        items = list(reversed(items[:8]))  # largest at the top
        bars = QBarSet("")
        bars.setColor(charts.colour(colour))
        for _, value in items:
            bars.append(_major(value, cur))
        view = self.chart_views[name]
        bars.hovered.connect(
            lambda on, i: self._hover(view, on, tip(*items[i]) if 0 <= i < len(items) else "")
        )
        bars.clicked.connect(
            lambda i: self.drill_requested.emit(drill(*items[i])) if 0 <= i < len(items) else None
        )
        self.bar_sets[name] = [bars]
        series = QHorizontalBarSeries()
        series.append(bars)
        series.setBarWidth(0.6)
        chart.addSeries(series)
        names = QBarCategoryAxis()
        # The exact amount goes in the label (from minor units); the bar is only its picture.
        names.append(
            [
                f"{n if len(n) <= 22 else n[:21] + '…'}  {formatting.money(v, cur, cents=False)}"
                for n, v in items
            ]
            or ["—"]
        )
        values = QValueAxis()
        nice_range(values, 0.0, max((_major(v, cur) for _, v in items), default=1.0))
        values.setLabelFormat("%.0f")
        chart.addAxis(names, Qt.AlignmentFlag.AlignLeft)
        chart.addAxis(values, Qt.AlignmentFlag.AlignBottom)
        series.attachAxis(names)
        series.attachAxis(values)
        for axis in (names, values):
            charts.style_axis(axis)
        chart.legend().hide()
        return chart

    def _category_chart(self, report: reports.Report, month_name: str) -> QChart:
        cur = report.currency
        assert report.month is not None
        first, last = month_span(report.month)

        def tip(name: str, spent: int) -> str:
            return f"{_short(name)}, {month_name}: {formatting.money(spent, cur)}\n{CLICK}"

        def drill(name: str, spent: int) -> Drill:
            return Drill("category", f"{name}, {month_name}", cur, first, last, (spent,), name)

        return self._hbar(
            "category",
            f"Spending by category, {month_name}",
            report.by_category,
            cur,
            colour=0,
            tip=tip,
            drill=drill,
        )

    def _payees_chart(self, report: reports.Report) -> QChart:
        cur = report.currency
        assert report.month is not None
        first = report.months[0] if report.months else report.month
        last = month_span(report.month)[1]

        def tip(payee: str, spent: int) -> str:
            return f"{_short(payee)}, last 12 months: {formatting.money(spent, cur)}\n{CLICK}"

        def drill(payee: str, spent: int) -> Drill:
            label = f"{payee}, {formatting.month(first)} to {formatting.month(last)}"
            return Drill("payee", label, cur, first, last, (spent,), payee)

        return self._hbar(
            "payees",
            "Top payees, last 12 months",
            report.top_payees,
            cur,
            colour=4,
            tip=tip,
            drill=drill,
        )

    def _hover(self, view: Any, on: bool, text: str) -> None:
        """Make `text` the tooltip of the bar or point under the pointer (none on leave).

        It is the chart's own tooltip, which Qt shows where the pointer rests, after the
        platform's usual delay, and moves from bar to bar at once while one is up."""
        chart = view.chart()
        if on and text:
            self.tooltip = text
            chart.setToolTip(text)
            if CLICK in text:  # a bar that opens its transactions
                view.setCursor(Qt.CursorShape.PointingHandCursor)
        else:
            self.tooltip = ""
            chart.setToolTip("")
            view.unsetCursor()

    def _months_chart(self, report: reports.Report) -> QChart:
        cur = report.currency
        # the years go in the title: twelve bare month names did not say which May, and a
        # year under a month ("May 23") does not fit the width of a bar and was cut to "May…"
        span = (
            f", {formatting.month(report.months[0])} to {formatting.month(report.months[-1])}"
            if report.months
            else ""
        )
        chart = charts.new_chart(f"Income and expenses by month{span}")
        income, expenses = QBarSet("Income"), QBarSet("Expenses")
        income.setColor(charts.colour(2))
        expenses.setColor(charts.colour(3))
        for a, b in zip(report.income, report.expenses, strict=True):
            income.append(_major(a, cur))
            expenses.append(_major(b, cur))
        series = QBarSeries()
        series.append(income)
        series.append(expenses)
        chart.addSeries(series)
        view = self.chart_views["months"]

        def tip(i: int) -> str:
            if not 0 <= i < len(report.months):
                return ""
            return (
                f"{formatting.month(report.months[i])} — income "
                f"{formatting.money(report.income[i], cur)}, expenses "
                f"{formatting.money(report.expenses[i], cur)}\n{CLICK}"
            )

        def drill(i: int) -> None:
            if 0 <= i < len(report.months):
                first, last = month_span(report.months[i])
                counted = (report.income[i], report.expenses[i])
                label = formatting.month(first)
                self.drill_requested.emit(Drill("month", label, cur, first, last, counted))

        for bars in (income, expenses):
            bars.hovered.connect(lambda on, i: self._hover(view, on, tip(i)))
            bars.clicked.connect(drill)
        self.bar_sets["months"] = [income, expenses]
        months = QBarCategoryAxis()
        loc = QLocale()
        months.append(
            [loc.monthName(m.month, QLocale.FormatType.ShortFormat) for m in report.months]
        )
        values = QValueAxis()
        nice_range(
            values, 0.0, max([_major(v, cur) for v in report.income + report.expenses] or [1.0])
        )
        values.setLabelFormat("%.0f")
        chart.addAxis(months, Qt.AlignmentFlag.AlignBottom)
        chart.addAxis(values, Qt.AlignmentFlag.AlignLeft)
        series.attachAxis(months)
        series.attachAxis(values)
        for axis in (months, values):
            charts.style_axis(axis)
        return chart

    def _balance_chart(self, report: reports.Report) -> QChart:
        cur = report.currency
        # "all accounts" only when no account's rows are left out for being in other currencies
        whose = f"the {cur} accounts" if self._partial else f"all accounts ({cur})"
        chart = charts.new_chart(f"Balance of {whose}")
        series = QLineSeries()
        series.setName("Balance")
        pen = series.pen()
        pen.setWidth(3)
        pen.setColor(charts.colour(0))
        series.setPen(pen)
        stamps: list[float] = []
        for month, value in report.balance:
            end = _month_end(month)
            ms = QDateTime(QDate(end.year, end.month, end.day), QTime(12, 0)).toMSecsSinceEpoch()
            stamps.append(float(ms))
            series.append(float(ms), _major(value, cur))
        chart.addSeries(series)
        view = self.chart_views["balance"]

        def tip(point: QPointF) -> str:
            # the line is hovered anywhere along it: name the nearest month end
            if not stamps:
                return ""
            i = min(range(len(stamps)), key=lambda k: abs(stamps[k] - point.x()))
            month, value = report.balance[i]
            return (
                f"Balance at the end of {formatting.month(month)}: {formatting.money(value, cur)}"
            )

        series.hovered.connect(lambda point, on: self._hover(view, on, tip(point)))
        self.balance_line = series
        x = _month_axis([m for m, _ in report.balance], stamps)
        y = QValueAxis()
        values = [_major(v, cur) for _, v in report.balance] or [0.0]
        nice_range(y, min(0.0, *values), max(0.0, *values))
        y.setLabelFormat("%.0f")
        chart.addAxis(x, Qt.AlignmentFlag.AlignBottom)
        chart.addAxis(y, Qt.AlignmentFlag.AlignLeft)
        series.attachAxis(x)
        series.attachAxis(y)
        for axis in (x, y):
            charts.style_axis(axis)
        chart.legend().hide()
        return chart


CLICK = "Click to list these transactions."


def nice_range(axis: QValueAxis, low: float, high: float, ticks: int = 5) -> None:
    """Give `axis` a range over [low, high] whose grid lines fall on round numbers: a step of
    1, 2, 2.5 or 5 times a power of ten, and about `ticks` lines (Qt spaces its ticks evenly
    over the range, so a range of -20000 to 1000 was labelled -4250, -9500, -14750)."""
    step = charts.nice_ceiling((high - low) / (ticks - 1)) if high > low else 1.0
    bottom = math.floor(low / step) * step
    top = max(math.ceil(high / step) * step, bottom + step)
    axis.setRange(bottom, top)
    axis.setTickCount(round((top - bottom) / step) + 1)


def _month_axis(months: list[dt.date], stamps: list[float]) -> QCategoryAxis:
    """An axis naming each month under its own point (every few months on a long line).

    A date axis puts its ticks evenly between the ends and names the month each falls in, so
    four month ends read "Jan, Feb, Mar, Mar, Mar, Apr, Apr"."""
    axis = QCategoryAxis()
    axis.setLabelsPosition(QCategoryAxis.AxisLabelsPosition.AxisLabelsPositionOnValue)
    if not stamps:
        return axis
    loc = QLocale()
    every = max(1, math.ceil(len(stamps) / MONTH_LABELS))
    for i in range(0, len(stamps), every):
        axis.append(loc.toString(QDate(months[i].year, months[i].month, 1), "MMM yy"), stamps[i])
    # room for the first and last names, which sit centred on the ends (and a span to draw a
    # lone month in)
    pad = 12 * DAY_MS
    axis.setRange(stamps[0] - pad, stamps[-1] + pad)
    return axis


def _short(name: str) -> str:
    return name if len(name) <= TIP_NAME_CHARS else name[: TIP_NAME_CHARS - 1] + "…"


def _month_end(month: dt.date) -> dt.date:
    nxt = (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return nxt - dt.timedelta(days=1)
