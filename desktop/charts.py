"""Small QtCharts builders shared by the dashboard and the forecast page, themed from the palette.

Charts plot floats (a picture, not a ledger); every label a person reads is formatted from integer
minor units by desktop.formatting. This module must never query anything.
"""

from __future__ import annotations

from PySide6.QtCharts import QChart, QChartView
from PySide6.QtCore import QMargins, Qt
from PySide6.QtGui import QColor, QPainter, QPalette
from PySide6.QtWidgets import QApplication

PALETTE = ("#3b82c4", "#e07b39", "#3a9d5d", "#c0504d", "#8064a2", "#4bacc6", "#d4a017", "#7f7f7f")


def is_dark() -> bool:
    """True when the application palette is dark."""
    return QApplication.palette().color(QPalette.ColorRole.Window).lightness() < 128


def new_chart(title: str) -> QChart:
    """A chart titled `title`, with the light or dark theme matching the palette."""
    chart = QChart()
    chart.setTheme(
        QChart.ChartTheme.ChartThemeDark if is_dark() else QChart.ChartTheme.ChartThemeLight
    )
    chart.setTitle(title)
    chart.setBackgroundVisible(False)
    chart.setMargins(QMargins(4, 4, 4, 4))
    chart.legend().setAlignment(Qt.AlignmentFlag.AlignBottom)
    font = chart.titleFont()
    font.setPointSize(font.pointSize() + 1)
    font.setBold(True)
    chart.setTitleFont(font)
    text = QApplication.palette().color(QPalette.ColorRole.WindowText)
    chart.setTitleBrush(text)
    chart.legend().setLabelColor(text)
    return chart


def colour(i: int) -> QColor:
    """The i-th series colour."""
    return QColor(PALETTE[i % len(PALETTE)])


def view(chart: QChart) -> QChartView:
    """An antialiased view of `chart`."""
    v = QChartView(chart)
    v.setRenderHint(QPainter.RenderHint.Antialiasing)
    # 170: two rows of charts and the cards fit an 800 x 600 window (at 220 it could not be
    # made shorter than 655 px)
    v.setMinimumHeight(170)
    return v


def nice_ceiling(value: float) -> float:
    """A round axis maximum at or above `value` (1, 2, 2.5 or 5 times a power of ten)."""
    if value <= 0:
        return 1.0
    power = 10 ** (len(str(int(value))) - 1)
    for step in (1.0, 2.0, 2.5, 5.0, 10.0):
        if value <= step * power:
            return float(step * power)
    return float(10.0 * power)


def style_axis(axis: object) -> None:
    """Axis labels and grid in the palette's text colour."""
    text = QApplication.palette().color(QPalette.ColorRole.WindowText)
    axis.setLabelsColor(text)  # type: ignore[attr-defined]
    grid = QColor(text)
    grid.setAlpha(40)
    axis.setGridLineColor(grid)  # type: ignore[attr-defined]
