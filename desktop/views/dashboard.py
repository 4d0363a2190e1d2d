"""The Dashboard: this month's spending by category, income vs expenses by month, balance over
time and top payees; or, on a new ledger, a welcome that offers to import or try the demo data.

The report is computed on the reading lane (desktop/reports.py); this page only draws it.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from PySide6.QtCharts import (
    QBarCategoryAxis,
    QBarSeries,
    QBarSet,
    QChart,
    QDateTimeAxis,
    QHorizontalBarSeries,
    QLineSeries,
    QValueAxis,
)
from PySide6.QtCore import QDate, QDateTime, QLocale, Qt, QTime
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from data.money import exponent
from desktop import charts, formatting, reports
from desktop.context import AppContext


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


class DashboardView(QWidget):
    """Welcome page on an empty ledger, charts otherwise."""

    def __init__(self, ctx: AppContext, window: Any = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.window_ = window
        self.report: reports.Report | None = None
        self.stack = QStackedWidget()
        self.stack.addWidget(self._loading_page())
        self.stack.addWidget(self._welcome_page())
        self.stack.addWidget(self._charts_page())
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 12, 12, 8)
        layout.addWidget(self.stack)
        ctx.events.changed.connect(lambda _what: self.reload())
        self.reload()

    def _loading_page(self) -> QWidget:
        label = QLabel("Loading…")
        label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        return label

    def _welcome_page(self) -> QWidget:
        page = QWidget()
        title = QLabel("Welcome to Fincast")
        title.setStyleSheet("font-size:26px;font-weight:600;")
        text = QLabel(
            "Import the CSV statements your banks export, and Fincast sorts every transaction\n"
            "into categories, forecasts your spending and finds your subscriptions.\n"
            "Everything stays on this computer."
        )
        for label in (title, text):
            label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.import_button = QPushButton("Import statements")
        self.demo_button = QPushButton("Try with demo data")
        for button in (self.import_button, self.demo_button):
            button.setMinimumHeight(36)
            button.setMinimumWidth(180)
        self.import_button.clicked.connect(self._import)
        self.demo_button.clicked.connect(self._demo)
        self.welcome_message = QLabel("")
        self.welcome_message.setAlignment(Qt.AlignmentFlag.AlignCenter)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.import_button)
        buttons.addWidget(self.demo_button)
        buttons.addStretch(1)
        layout = QVBoxLayout(page)
        layout.addStretch(2)
        layout.addWidget(title)
        layout.addWidget(text)
        layout.addSpacing(16)
        layout.addLayout(buttons)
        layout.addWidget(self.welcome_message)
        layout.addStretch(3)
        return page

    def _charts_page(self) -> QWidget:
        page = QWidget()
        self.heading = QLabel("Dashboard")
        self.heading.setStyleSheet("font-size:20px;font-weight:600;")
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
        layout.addLayout(cards)
        layout.addLayout(self.grid, 1)
        return page

    # -- actions ---------------------------------------------------------------------------
    def _import(self) -> None:
        if self.window_ is not None:
            self.window_.show_page("Import")
            self.window_.importing.choose_files()

    def _demo(self) -> None:
        self.demo_button.setEnabled(False)
        self.welcome_message.setText("Importing two years of demo statements…")
        if self.window_ is not None:
            self.window_.importing.import_demo()

    # -- data ------------------------------------------------------------------------------
    def reload(self) -> None:
        """Recompute the report in the background and redraw."""
        self.ctx.reader.submit(reports.build, self.show_report, self._failed)

    def _failed(self, exc: BaseException) -> None:
        self.welcome_message.setText(f"The ledger could not be read: {exc}")
        self.stack.setCurrentIndex(1)

    def show_report(self, report: reports.Report) -> None:
        """Draw `report` (or the welcome page when the ledger is empty)."""
        self.report = report
        if report.transactions == 0 or report.month is None:
            self.demo_button.setEnabled(True)
            self.stack.setCurrentIndex(1)
            return
        cur = report.currency
        month_name = formatting.month(report.month)
        self.heading.setText(f"Dashboard — {month_name}")
        spent = sum(v for _, v in report.by_category)
        self.cards["Spent this month"].value.setText(formatting.money(spent, cur, cents=False))
        self.cards["Income this month"].value.setText(
            formatting.money(report.income[-1] if report.income else 0, cur, cents=False)
        )
        balance = report.balance[-1][1] if report.balance else 0
        self.cards["Balance"].value.setText(formatting.money(balance, cur, cents=False))
        self.cards["Waiting for categories"].value.setText(QLocale().toString(report.pending))
        self.chart_views["category"].setChart(self._category_chart(report, month_name))
        self.chart_views["months"].setChart(self._months_chart(report))
        self.chart_views["balance"].setChart(self._balance_chart(report))
        self.chart_views["payees"].setChart(self._payees_chart(report))
        self.stack.setCurrentIndex(2)

    def _hbar(self, title: str, items: list[tuple[str, int]], cur: str, colour: int) -> QChart:
        chart = charts.new_chart(title)
        items = list(reversed(items[:8]))  # largest at the top
        bars = QBarSet("")
        bars.setColor(charts.colour(colour))
        for _, value in items:
            bars.append(_major(value, cur))
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
        top = max((_major(v, cur) for _, v in items), default=1.0)
        values.setRange(0, charts.nice_ceiling(top))
        values.setTickCount(5)
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
        return self._hbar(
            f"Spending by category, {month_name}", report.by_category, report.currency, 0
        )

    def _payees_chart(self, report: reports.Report) -> QChart:
        return self._hbar("Top payees, last 12 months", report.top_payees, report.currency, 4)

    def _months_chart(self, report: reports.Report) -> QChart:
        cur = report.currency
        chart = charts.new_chart("Income and expenses by month")
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
        months = QBarCategoryAxis()
        loc = QLocale()
        months.append(
            [loc.monthName(m.month, QLocale.FormatType.ShortFormat) for m in report.months]
        )
        values = QValueAxis()
        top = max([_major(v, cur) for v in report.income + report.expenses] or [1.0])
        values.setRange(0, charts.nice_ceiling(top))
        values.setTickCount(5)
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
        chart = charts.new_chart(f"Balance of all accounts ({cur})")
        series = QLineSeries()
        series.setName("Balance")
        pen = series.pen()
        pen.setWidth(3)
        pen.setColor(charts.colour(0))
        series.setPen(pen)
        for month, value in report.balance:
            end = _month_end(month)
            ms = QDateTime(QDate(end.year, end.month, end.day), QTime(12, 0)).toMSecsSinceEpoch()
            series.append(float(ms), _major(value, cur))
        chart.addSeries(series)
        x = QDateTimeAxis()
        x.setFormat("MMM yy")
        x.setTickCount(7)
        y = QValueAxis()
        values = [_major(v, cur) for _, v in report.balance] or [0.0]
        low, high = min(0.0, *values), max(values)
        y.setRange(-charts.nice_ceiling(-low) if low < 0 else 0.0, charts.nice_ceiling(high))
        y.setLabelFormat("%.0f")
        chart.addAxis(x, Qt.AlignmentFlag.AlignBottom)
        chart.addAxis(y, Qt.AlignmentFlag.AlignLeft)
        series.attachAxis(x)
        series.attachAxis(y)
        for axis in (x, y):
            charts.style_axis(axis)
        chart.legend().hide()
        return chart


def _month_end(month: dt.date) -> dt.date:
    nxt = (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return nxt - dt.timedelta(days=1)
