"""The Forecast page: each category and the total with their 80% and 95% bands, net cash flow,
and the advisor's safe-to-set-aside amount with its reasons.

It asks the forecaster, then the advisor with the forecaster's net cash-flow series (DESIGN.md:
the advisor needs a forecast). When the forecaster is down it shows the last forecast with the date
it was made, or says why there is none, and the banner says when the service retries. Never a
modal error; inputs are read on the reading lane, requests go through the hub adapter.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from PySide6.QtCharts import (
    QAreaSeries,
    QChart,
    QDateTimeAxis,
    QLineSeries,
    QScatterSeries,
    QValueAxis,
)
from PySide6.QtCore import QDate, QDateTime, QLocale, Qt, QTime
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QComboBox,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop import charts, formatting, result_cache, service_inputs
from desktop.banner import ServiceBanner
from desktop.context import AppContext

TOTAL = "All spending"
NET = "Net cash flow"
# Months of actuals drawn before the forecast.
SHOWN_MONTHS = 24
_HALF_MONTH_MS = 14 * 86_400_000
_MONTH_MS = 30.44 * 86_400_000


def _ms(month: str) -> float:
    d = dt.date.fromisoformat(month[:7] + "-15")
    return float(QDateTime(QDate(d.year, d.month, d.day), QTime(12, 0)).toMSecsSinceEpoch())


def series_name(series: dict[str, Any]) -> str:
    """How a forecast series is listed: its category, "All spending" or "Net cash flow"."""
    if series.get("kind") == "net":
        return NET
    return str(series.get("category") or TOTAL)


# What each forecaster method is called in the table; the sidecar's own names are identifiers.
METHOD_LABELS = {
    "smoothed_level": "Smoothed level",
    "seasonal_naive": "Same month last year",
    "mean_3": "3-month average",
    "mean_6": "6-month average",
    "mean_12": "12-month average",
    "seasonal_blend": "Last year and recent months",
    "prophet": "Prophet (trend and season)",
}


def method_label(method: object) -> str:
    """A forecast method's name for people; an unknown one is shown tidied, never hidden."""
    name = str(method or "")
    return METHOD_LABELS.get(name) or name.replace("_", " ").capitalize()


@dataclass(frozen=True)
class ChartPoints:
    """What the chart draws of one series' monthly actuals beside its forecast."""

    actual: list[tuple[str, float]]  # whole months before the forecast's first month
    so_far: list[tuple[str, float]]  # ledger months from the forecast's first month on
    join: tuple[str, float] | None  # the actual month the Forecast line starts from, if adjacent
    # The month just before the Actual line that the statements begin part-way through: (month,
    # value, the first day covered); a dot like the "so far" ones, never part of the line.
    partial_start: tuple[str, float, dt.date] | None = None


def _month_before(month: str) -> str:
    year, number = int(month[:4]), int(month[5:7])
    return f"{year - 1}-12" if number == 1 else f"{year}-{number - 1:02d}"


def chart_points(
    history: list[tuple[str, float]], forecast_months: list[str], keep: int = SHOWN_MONTHS
) -> ChartPoints:
    """Split `history` ("YYYY-MM", value; oldest first) at the forecast's first month.

    The forecaster leaves a month it thinks incomplete out of its history and forecasts it, so
    the forecast's first month is the history boundary: a ledger month from there on is a figure
    so far, not a month of low spending, and the Forecast line joins the last whole month only
    when it is the month just before (across a gap a line would invent the missing months).
    """
    if not forecast_months:  # nothing forecast, so no boundary: every month is shown as it is
        return ChartPoints(history[-keep:], [], None)
    first = min(m[:7] for m in forecast_months)
    actual = [(m, v) for m, v in history if m < first][-keep:]
    # Months imported after an older (cached) forecast was made are shown too, never dropped.
    so_far = [(m, v) for m, v in history if m >= first]
    join = actual[-1] if actual and actual[-1][0] == _month_before(first) else None
    return ChartPoints(actual, so_far, join)


def _months(value: object) -> list[tuple[str, float]] | None:
    """A forecast's [{"month", "value"}] list as (month, value) pairs; None when it is absent or
    not that shape (a forecast cached before the forecaster sent it, or a damaged cache)."""
    if not isinstance(value, list):
        return None
    out = []
    for item in value:
        if not isinstance(item, dict):
            return None
        month, number = item.get("month"), item.get("value")
        if not isinstance(month, str) or len(month) < 7 or isinstance(number, bool):
            return None
        if not isinstance(number, int | float):
            return None
        out.append((month[:7], float(number)))
    return out


def series_points(
    series: dict[str, Any], ledger: list[tuple[str, float]], keep: int = SHOWN_MONTHS
) -> ChartPoints:
    """What to draw of one forecast series, and from which source.

    - Actual line: the months the forecaster modelled (the series' "history"), as it counted
      them: a fixed payment in the month it is due, refunds netted within a category, a month
      left out as incomplete and the months before a gap in the statements not drawn. The
      ledger's calendar months say otherwise (rent paid on 30 Oct reads £2,900 in October), so
      beside the forecast they would compare two different things.
    - "So far" dots: what has been spent in the months the model has not seen whole. The
      forecaster's "so_far" figures when it sent them: the ledger's own transactions up to
      today, counted in the same months as the Actual line (that 30 Oct rent is November's, so
      a calendar figure would read £0 for a November whose rent is paid, and the payment would
      be on the chart nowhere). Ledger months after every month the forecast knows (imported
      since a cached forecast was made) are the ledger's, by calendar month.
    - A "part of" dot: the month before the Actual line that the statements begin part-way
      through (the forecaster's "partial_start", with the day they begin), which it left out of
      the history; as a point of the line it would read as a month of low spending.
    - A forecast cached before the forecaster sent its history: everything from the ledger's
      calendar months, split at the forecast's first month (chart_points).
    """
    points = series.get("points") or []
    forecast_months = [str(p["month"]) for p in points]
    modelled = _months(series.get("history"))
    if modelled is None or not forecast_months:
        return chart_points(ledger, forecast_months, keep)
    # the Actual line and its join split as chart_points splits any history; the dots differ
    split = chart_points(modelled, forecast_months, keep)
    first = min(m[:7] for m in forecast_months)
    so_far = [(m, v) for m, v in _months(series.get("so_far")) or [] if m >= first]
    known = max([m for m, _ in so_far] or [_month_before(first)])
    so_far += [(m, v) for m, v in ledger if m > known]
    partial = _partial_start(series.get("partial_start"))
    # Only beside the line's first month: when the line shows the last `keep` months of a longer
    # history, the partial month is off the chart's left edge.
    if partial is None or not split.actual or partial[0] != _month_before(split.actual[0][0]):
        partial = None
    return ChartPoints(split.actual, so_far, split.join, partial)


def _partial_start(value: object) -> tuple[str, float, dt.date] | None:
    """The forecast's [{"month", "value", "from"}] partial first month; None when absent (a
    forecast from before the forecaster sent it) or not that shape."""
    months = _months(value)
    if not months or len(months) != 1 or not isinstance(value, list):
        return None
    begun = value[0].get("from")
    try:
        day = dt.date.fromisoformat(begun) if isinstance(begun, str) else None
    except ValueError:
        return None
    if day is None or day.isoformat()[:7] != months[0][0]:
        return None
    return months[0][0], months[0][1], day


class ForecastView(QWidget):
    """Forecast chart, per-category table and the advisor's panel."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:  # noqa: PLR0915 (a page is built in one place)
        super().__init__(parent)
        self.ctx = ctx
        self.forecast: dict[str, Any] | None = None
        self.forecast_saved: dt.datetime | None = None
        self.advice: dict[str, Any] | None = None
        self.currency = "USD"
        self.history: dict[str, list[tuple[str, float]]] = {}
        self._busy = False
        title = QLabel("Forecast")
        title.setStyleSheet("font-size:20px;font-weight:600;")
        self.banner = ServiceBanner(ctx.hub, ("forecaster", "advisor"))
        self.status = QLabel("")
        self.status.setWordWrap(True)
        self.refresh_button = QPushButton("Refresh")
        self.refresh_button.clicked.connect(self.refresh)
        self.choice = QComboBox()
        self.choice.setMinimumWidth(220)
        self.choice.currentTextChanged.connect(self._draw_chart)
        top = QHBoxLayout()
        top.addWidget(title)
        top.addStretch(1)
        top.addWidget(QLabel("Show"))
        top.addWidget(self.choice)
        top.addWidget(self.refresh_button)
        self.chart_view = charts.view(QChart())
        self.table = QTableWidget(0, 4)
        self.table.setHorizontalHeaderLabels(["Series", "Next month", "80% range", "Method"])
        self.table.setTabKeyNavigation(False)  # Tab leaves the table; arrows move in it
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        self.table.itemSelectionChanged.connect(self._table_picked)
        self.advice_box = QFrame()
        self.advice_box.setObjectName("advice")
        self.advice_box.setStyleSheet("#advice{border:1px solid palette(mid);border-radius:8px;}")
        advice = QVBoxLayout(self.advice_box)
        caption = QLabel("Safe to set aside this month")
        caption.setStyleSheet("font-weight:600;")
        self.safe_amount = QLabel("—")
        self.safe_amount.setStyleSheet("font-size:26px;font-weight:600;")
        self.advice_text = QLabel("")
        self.advice_text.setWordWrap(True)
        self.advice_text.setTextFormat(Qt.TextFormat.PlainText)
        note = QLabel("A cautious estimate from your own forecast, not investment advice.")
        note.setWordWrap(True)
        note.setStyleSheet("color:palette(placeholder-text);font-size:11px;")
        advice.addWidget(caption)
        advice.addWidget(self.safe_amount)
        advice.addWidget(self.advice_text, 1)
        advice.addWidget(note)
        self.advice_box.setMinimumWidth(300)
        lower = QHBoxLayout()
        lower.addWidget(self.table, 3)
        lower.addWidget(self.advice_box, 2)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 12, 12, 8)
        layout.addLayout(top)
        layout.addWidget(self.banner)
        layout.addWidget(self.status)
        layout.addWidget(self.chart_view, 3)
        layout.addLayout(lower, 2)
        ctx.hub.health_changed.connect(self._health_changed)
        ctx.events.changed.connect(self._ledger_changed)
        self._stale = True
        self._shown = False
        self._undrawn = False  # a forecast arrived while the page was hidden: draw it on show

    # -- triggers --------------------------------------------------------------------------
    def activate(self) -> None:
        """Load (cached first, then fresh) when the page is first shown or data changed."""
        self._shown = True
        if self.forecast is None:
            self._show_cached()
        elif self._undrawn:
            self._show_forecast()
        if self._stale:
            self.refresh()

    def _ledger_changed(self, what: str) -> None:
        if what in ("import", "undo", "demo", "categorized", "categories"):
            self._stale = True
            if self._shown and self.isVisible():
                self.refresh()

    def _health_changed(self, service: str) -> None:
        ok = self.ctx.hub.health(service).ok
        wanted = self._stale or self.advice is None
        if (
            service in ("forecaster", "advisor")
            and ok
            and self._shown
            and self.isVisible()
            and wanted
        ):
            self.refresh()

    # -- requests --------------------------------------------------------------------------
    def refresh(self) -> None:
        """Forecast then advise (desktop/forecasting.py) on the models lane; cached when down."""
        if self._busy:
            return
        self._busy = True
        hub = self.ctx.hub.hub if self.ctx.hub.health("forecaster").ok else None
        insights = self.ctx.hub.health("insights")
        # the advice then reserves the last insights' payments (or says it could not), unwaited
        insights_down = (
            None if insights.ok else f"the insights service {insights.reason or 'is down'}"
        )
        self.status.setText("Forecasting…" if hub is not None else self.status.text())
        db = self.ctx.db

        def job(ledger: Any) -> tuple[Any, dict[str, list[tuple[str, float]]]]:
            from desktop import forecasting

            # the advisor's request is built there, as for `fincast advise` (regular payments too)
            outcome = forecasting.run(hub, ledger, db, insights_down=insights_down)
            params, _ = forecasting.forecast_params(ledger, outcome.currency)
            return outcome, _history(params)

        self.ctx.models.submit(job, self._ran, self._failed)

    def _failed(self, exc: BaseException) -> None:
        self._busy = False
        self.status.setText(f"The forecast could not be made: {exc}")

    def _ran(self, value: tuple[Any, dict[str, list[tuple[str, float]]]]) -> None:
        outcome, self.history = value
        self._busy = False
        self.currency = outcome.currency
        self.forecast = outcome.forecast
        self.forecast_saved = outcome.forecast_saved
        if outcome.fresh:
            self._stale = False
        lines = []
        if outcome.forecast_problem:
            lines.append(outcome.forecast_problem[:1].upper() + outcome.forecast_problem[1:] + ".")
        if outcome.forecast is not None and not outcome.fresh and outcome.forecast_saved:
            lines.append(f"Showing the forecast made {self._when(outcome.forecast_saved)}.")
        elif outcome.forecast is None and outcome.forecast_problem:
            lines.append("There is no earlier forecast to show.")
        notes = (outcome.forecast or {}).get("notes") or []
        lines += [f"Note: {n}." for n in [*outcome.notes, *notes]]
        self.status.setText(" ".join(lines))
        self._show_forecast()
        if outcome.advice is not None:
            note = outcome.advice_problem or ""
            saved = outcome.advice_saved if note else None
            left_out = [n[:1].upper() + n[1:] + "." for n in outcome.advice_notes]
            self._show_advice(outcome.advice, saved=saved, note=note, left_out=left_out)
        else:
            self.advice = None
            self.safe_amount.setText("—")
            self.advice_text.setText((outcome.advice_problem or "").capitalize())

    @staticmethod
    def _when(saved: dt.datetime) -> str:
        return QLocale().toString(
            QDateTime.fromSecsSinceEpoch(int(saved.timestamp())), QLocale.FormatType.ShortFormat
        )

    def _show_cached(self) -> None:
        """Show the last forecast (dated) at once, before any fresh one arrives."""
        cached = result_cache.load(self.ctx.db, "forecast")
        if cached is None or not isinstance(cached[1], dict) or not cached[1].get("forecast"):
            return
        saved, payload = cached
        self.forecast = payload["forecast"]
        self.currency = payload.get("currency", self.currency)
        self.forecast_saved = saved
        self.status.setText(f"Showing the forecast made {self._when(saved)}.")
        self._show_forecast()

    # -- drawing ---------------------------------------------------------------------------
    def _show_advice(
        self,
        result: dict[str, Any],
        saved: dt.datetime | None = None,
        note: str = "",
        left_out: list[str] | None = None,
    ) -> None:
        self.advice = result
        currency = str(result.get("currency") or self.currency)
        amount = service_inputs.minor(result.get("amount"), currency)
        self.safe_amount.setText(formatting.money(amount, currency) if amount is not None else "—")
        lines = [f"• {r}" for r in result.get("reasons", [])]
        lines += [f"⚠ {w}" for w in result.get("warnings", [])]
        confidence = result.get("confidence")
        if isinstance(confidence, int | float):
            lines.append(f"Confidence: {formatting.percent(float(confidence))}")
        lines += [f"Note: {n}" for n in left_out or []]
        if saved is not None:
            lines.append(f"(from {formatting.day(saved.date())})")
        if note:
            lines.insert(0, note)
        self.advice_text.setText("\n".join(lines))

    def _show_forecast(self) -> None:
        # The table and chart cost the GUI thread 60-80 ms under load; a hidden page (a refresh
        # asked from elsewhere, or answered after the user moved on) draws when next shown.
        if not self.isVisible():
            self._undrawn = True
            return
        self._undrawn = False
        forecast = self.forecast or {}
        series = forecast.get("series", [])
        names = [series_name(s) for s in series]
        current = self.choice.currentText()
        self.choice.blockSignals(True)
        self.choice.clear()
        self.choice.addItems(names)
        if current in names:
            self.choice.setCurrentText(current)
        elif TOTAL in names:
            self.choice.setCurrentText(TOTAL)
        self.choice.blockSignals(False)
        self.table.setRowCount(len(series))
        # The column is the forecast's first month by name: with statements ending in
        # November, that month is forecast too, and "Next month" read as December.
        first_month = next((str(s["points"][0]["month"]) for s in series if s.get("points")), "")
        try:
            heading = formatting.month(_first_day(first_month)) if first_month else "Next month"
        except ValueError:  # a malformed month from the wire: the generic heading
            heading = "Next month"
        self.table.setHorizontalHeaderItem(1, QTableWidgetItem(heading))
        for row, s in enumerate(series):
            points = s.get("points", [])
            first = points[0] if points else {}
            values = (
                series_name(s),
                self._money(first.get("yhat")),
                f"{self._money(first.get('lower'))} – {self._money(first.get('upper'))}",
                method_label(s.get("method")),
            )
            for col, text in enumerate(values):
                item = QTableWidgetItem(text)
                if col in (1, 2):
                    item.setTextAlignment(
                        Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
                    )
                backtest = s.get("backtest")
                if backtest:
                    item.setToolTip(f"Backtest: {backtest}")
                self.table.setItem(row, col, item)
        self.table.resizeColumnsToContents()
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self._draw_chart(self.choice.currentText())

    def _money(self, value: Any) -> str:
        minor = service_inputs.minor(value, self.currency)
        return formatting.money(minor, self.currency, cents=False) if minor is not None else "—"

    def _table_picked(self) -> None:
        rows = self.table.selectionModel().selectedRows()
        item = self.table.item(rows[0].row(), 0) if rows else None
        if item is not None:
            self.choice.setCurrentText(item.text())

    def _draw_chart(self, name: str) -> None:  # noqa: PLR0915 (a page is built in one place)
        forecast = self.forecast or {}
        s = next((x for x in forecast.get("series", []) if series_name(x) == name), None)
        title = f"{name}: history and forecast" if name else "History and forecast"
        chart = charts.new_chart(f"{title} ({self.currency})")
        if s is None:
            self.chart_view.setChart(chart)
            return
        points = s.get("points", [])
        split = series_points(s, self.history.get(name, []))
        hist = _actual_line(split.actual)
        dots = self._dots(split)
        ys: list[float] = [v for _, v in split.actual] + [v for _, _, v in dots]
        bands = []
        for lo_key, hi_key, label, alpha in (
            ("lower95", "upper95", "95% range", 50),
            ("lower", "upper", "80% range", 110),
        ):
            lo, hi = QLineSeries(), QLineSeries()
            for p in points:
                at = _ms(str(p["month"]))
                low = float(p.get(lo_key, p.get("lower", 0.0)))
                high = float(p.get(hi_key, p.get("upper", 0.0)))
                lo.append(at, low)
                hi.append(at, high)
                ys += [low, high]
            area = QAreaSeries(hi, lo)
            area.setName(label)
            fill = QColor(charts.colour(0))
            fill.setAlpha(alpha)
            area.setBrush(fill)
            area.setPen(QColor(0, 0, 0, 0))
            bands.append((area, lo, hi))
        mid = QLineSeries()
        mid.setName("Forecast")
        if split.join is not None:
            mid.append(_ms(split.join[0]), split.join[1])  # join the forecast to the history
        for p in points:
            mid.append(_ms(str(p["month"])), float(p["yhat"]))
            ys.append(float(p["yhat"]))
        pen = mid.pen()
        pen.setWidth(3)
        pen.setColor(charts.colour(1))
        mid.setPen(pen)
        for area, lo, hi in bands:
            area.setParent(chart)
            lo.setParent(area)
            hi.setParent(area)
            chart.addSeries(area)
        chart.addSeries(hist)
        chart.addSeries(mid)
        for label, month, value in dots:
            chart.addSeries(self._marker(label, month, value))
        xs = [_ms(m) for _, m, _ in dots] + [_ms(m) for m, _ in split.actual]
        xs += [_ms(str(p["month"])) for p in points]
        # half a month of room before a dot at the left edge, or it is cut in half
        if split.partial_start is not None or len(split.actual) == 1:
            xs.append(min(xs) - _HALF_MONTH_MS)
        x = _month_axis(xs)
        y = QValueAxis()
        low, high = min([*ys, 0.0]), max([*ys, 1.0])
        y.setRange(-charts.nice_ceiling(-low) if low < 0 else 0.0, charts.nice_ceiling(high))
        y.setLabelFormat("%.0f")
        chart.addAxis(x, Qt.AlignmentFlag.AlignBottom)
        chart.addAxis(y, Qt.AlignmentFlag.AlignLeft)
        for series in chart.series():
            series.attachAxis(x)
            series.attachAxis(y)
        for axis in (x, y):
            charts.style_axis(axis)
        self.chart_view.setChart(chart)

    def _dots(self, split: ChartPoints) -> list[tuple[str, str, float]]:
        """(legend name, month, value) of each month drawn as a dot: part of a month only."""
        dots = [(self._so_far_name(m, v), m, v) for m, v in split.so_far]
        if split.partial_start is not None:
            month, value, begun = split.partial_start
            dots.append((self._partial_name(month, value, begun), month, value))
        return dots

    def _so_far_name(self, month: str, value: float) -> str:
        """A month the ledger has only begun: "Nov 2026 so far: £772"."""
        return f"{formatting.month(_first_day(month))} so far: {self._money(value)}"

    def _partial_name(self, month: str, value: float, begun: dt.date) -> str:
        """The month the statements begin part-way through: "Part of Mar 2025 (from 25/03/2025):
        £230", so it does not read as a month of low spending. Statements from its 1st that miss
        a rent paid before it are "Part of Dec 2024: £1,101" (the notes say why)."""
        when = formatting.month(_first_day(month))
        since = f" (from {formatting.day(begun)})" if begun.day > 1 else ""
        return f"Part of {when}{since}: {self._money(value)}"

    def _marker(self, label: str, month: str, value: float) -> QScatterSeries:
        """One dot for a month the ledger holds only part of, named with its figure."""
        marker = QScatterSeries()
        marker.setName(label)
        marker.setMarkerShape(QScatterSeries.MarkerShape.MarkerShapeCircle)
        marker.setMarkerSize(11.0)
        marker.setColor(charts.colour(0))
        marker.setBorderColor(charts.colour(1))
        marker.append(_ms(month), value)
        return marker


def _actual_line(actual: list[tuple[str, float]]) -> QLineSeries:
    """The Actual line through the whole months; its point shown when there is only one (a
    line of one month draws nothing)."""
    hist = QLineSeries()
    hist.setName("Actual")
    for month, value in actual:
        hist.append(_ms(month), value)
    pen = hist.pen()
    pen.setWidth(2)
    pen.setColor(charts.colour(0))
    hist.setPen(pen)
    if len(actual) == 1:
        hist.setPointsVisible(True)
        hist.setMarkerSize(9.0)
    return hist


def _month_axis(xs: list[float]) -> QDateTimeAxis:
    """A date axis over `xs` (ms) with no more ticks than months: eight over a few months
    labelled each month twice."""
    x = QDateTimeAxis()
    x.setFormat("MMM yy")
    if xs:
        x.setRange(
            QDateTime.fromMSecsSinceEpoch(int(min(xs))),
            QDateTime.fromMSecsSinceEpoch(int(max(xs))),
        )
    months = round((max(xs, default=0.0) - min(xs, default=0.0)) / _MONTH_MS)
    x.setTickCount(max(2, min(8, months + 1)))
    return x


def _first_day(month: str) -> dt.date:
    return dt.date(int(month[:4]), int(month[5:7]), 1)


def _history(params: dict[str, Any]) -> dict[str, list[tuple[str, float]]]:
    """Monthly actuals per series name (spending positive; net signed), for the chart.

    Calendar months, for a forecast cached before the forecaster sent its own history, and for
    months a cached forecast has not seen (series_points). Every month of the ledger up to today
    is kept, the last one too however little of it is imported: chart_points splits it off by the
    forecast's own boundary, not by today's date. A month with transactions but none in a
    category is that category's zero, not a missing month."""
    from decimal import Decimal

    # The forecaster leaves out what is dated after `today` (a scheduled payment is not spent yet).
    today = str(params.get("today") or dt.date.today().isoformat())
    per: dict[str, dict[str, Decimal]] = {TOTAL: {}, NET: {}}
    for t in params["transactions"]:
        if t["date"][:10] > today:
            continue
        month = t["date"][:7]
        amount = Decimal(t["amount"])
        per[NET][month] = per[NET].get(month, Decimal(0)) + amount
        if amount < 0:
            # The forecaster names its series for uncategorized spending so; match it.
            for name in (TOTAL, t["category"] or "Uncategorized"):
                per.setdefault(name, {})
                per[name][month] = per[name].get(month, Decimal(0)) - amount
    seen = sorted(per[NET])
    return {
        name: [(m, float(months.get(m, Decimal(0)))) for m in seen] for name, months in per.items()
    }
