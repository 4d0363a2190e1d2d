"""The Insights page: subscriptions and other recurring payments (next date, price changes) and
unusual charges with the reason each was flagged, each dismissable.

Asks the insights service through the hub adapter; while it is down, shows the last results with
their date and the banner says when it retries. Never a modal error, never a wait on the GUI thread.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from PySide6.QtCore import QDateTime, QLocale, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop import formatting, insighting, result_cache, service_inputs
from desktop.banner import ServiceBanner
from desktop.context import AppContext

TIMEOUT_S = 30.0
INCOME_HEADING = "Coming in: income and other regular payments to you"
KINDS = {
    "duplicate": "Possible duplicate",
    "unusual_amount": "Unusual amount",
    "new_merchant_large": "Large, new merchant",
    "category_spike": "Category spike",
}


def _item(text: str, right: bool = False) -> QTableWidgetItem:
    item = QTableWidgetItem(text)
    item.setToolTip(text)  # cells are cut to fit; the whole text is a hover away
    if right:
        item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
    return item


def _by_merchant(stream: dict[str, Any]) -> str:
    return str(stream.get("merchant", "")).lower()


def _date(value: Any) -> str:
    try:
        return formatting.day(dt.date.fromisoformat(str(value)[:10]))
    except ValueError:
        return str(value or "")


def _next_item(value: Any, today: dt.date | None = None) -> QTableWidgetItem:
    """A payment's next date; one already past says so. The demo's statements end on 20 Nov
    and in December the page listed "Next 11/21/26" for iCloud as if it were still to come."""
    text = _date(value)
    try:
        day = dt.date.fromisoformat(str(value)[:10])
    except ValueError:
        return _item(text)
    if day >= (today or dt.date.today()):
        return _item(text)
    item = _item(f"{text}, not seen yet")
    item.setToolTip(
        f"Expected on {text}, after the newest imported statement: it may have been paid "
        "since. Import a newer statement to see it."
    )
    return item


class InsightsView(QWidget):
    """Recurring payments and anomalies."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.currency = "USD"
        self.recurring: list[dict[str, Any]] = []
        self.anomalies: list[dict[str, Any]] = []
        self.txns: dict[int, dict[str, Any]] = {}
        self.dismissals = insighting.Dismissals(ctx.db)
        self.dismissed = self.dismissals.load()
        self._stale = True
        self._shown = False
        self._pending = 0
        title = QLabel("Insights")
        title.setStyleSheet("font-size:20px;font-weight:600;")
        self.refresh_button = QPushButton("Refresh")
        self.refresh_button.clicked.connect(self.refresh)
        top = QHBoxLayout()
        top.addWidget(title)
        top.addStretch(1)
        top.addWidget(self.refresh_button)
        self.banner = ServiceBanner(ctx.hub, ("insights",))
        self.status = QLabel("")
        self.status.setWordWrap(True)
        self.subs = QTableWidget(0, 5)
        self.subs.setHorizontalHeaderLabels(
            ["Merchant", "Every", "Amount", "Next", "Price changes"]
        )
        self.subs.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.subs.horizontalHeader().setSectionResizeMode(4, QHeaderView.ResizeMode.Stretch)
        self.alerts = QTableWidget(0, 5)
        self.alerts.setHorizontalHeaderLabels(["Date", "Transaction", "Amount", "Why", ""])
        self.alerts.horizontalHeader().setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        for table in (self.subs, self.alerts):
            table.verticalHeader().hide()
            table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
            table.setWordWrap(False)
            table.setTabKeyNavigation(False)  # Tab goes on to the next table (arrows move in one)
        # Rows of plain text as tall as the text needs: a person's dozen bills and their income
        # fit without scrolling (the alerts keep their height for the Dismiss buttons).
        self.subs.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 8)
        self.dismiss_action = self._dismiss_key()
        subs_box = QGroupBox("Subscriptions and regular payments")
        QVBoxLayout(subs_box).addWidget(self.subs)
        alerts_box = QGroupBox("Worth a look")
        QVBoxLayout(alerts_box).addWidget(self.alerts)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 12, 12, 8)
        layout.addLayout(top)
        layout.addWidget(self.banner)
        layout.addWidget(self.status)
        layout.addWidget(subs_box, 3)
        layout.addWidget(alerts_box, 2)
        ctx.hub.health_changed.connect(self._health_changed)
        ctx.events.changed.connect(self._ledger_changed)

    def activate(self) -> None:
        """Show cached results at once, then ask for fresh ones if the ledger changed."""
        self._shown = True
        if not self.recurring and not self.anomalies:
            self._show_cached()
        if self._stale:
            self.refresh()

    def _ledger_changed(self, what: str) -> None:
        if what in ("import", "undo", "demo"):
            self._stale = True
            if self._shown and self.isVisible():
                self.refresh()

    def _health_changed(self, service: str) -> None:
        if (
            service == "insights"
            and self._stale
            and self._shown
            and self.ctx.hub.health(service).ok
        ):
            self.refresh()

    def refresh(self) -> None:
        """Read the transactions (reading lane) and ask the insights service (hub adapter)."""
        if self._pending:
            return
        health = self.ctx.hub.health("insights")
        if not health.ok:
            self._show_cached(reason=health.sentence())
            return
        self.status.setText("Looking for subscriptions and unusual charges…")

        def read(ledger: Any) -> tuple[list[dict[str, Any]], str]:
            return insighting.ledger_rows(ledger), service_inputs.main_currency(ledger)

        self._pending = 1
        self.ctx.reader.submit(read, self._send, self._failed)

    def _send(self, value: tuple[list[dict[str, Any]], str]) -> None:
        rows, self.currency = value
        self.txns = {t["id"]: t for t in rows}
        if not rows:
            self._pending = 0
            self.status.setText("There is nothing to look at yet: import some statements first.")
            return
        self.ctx.hub.request(
            insighting.SERVICE,
            "insights",
            insighting.request_params(rows),
            timeout=insighting.DEFAULT_TIMEOUT_S,
            done=self._answered,
            failed=self._failed,
        )

    def _answered(self, result: dict[str, Any]) -> None:
        self._pending = 0
        self._stale = False
        self.recurring = list(result.get("recurring", []))
        anomalies = list(result.get("anomalies", []))
        for a in anomalies:  # the full description, as the ledger has it
            t = self.txns.get(a.get("id"))
            if t is not None:
                a.setdefault("description", t["description"])
        self.anomalies = anomalies
        db, payload = (
            self.ctx.db,
            {
                "recurring": self.recurring,
                "anomalies": anomalies,
                "currency": self.currency,
            },
        )
        # Encoding and writing the cache file is no work for the GUI thread (a big ledger's
        # anomalies run to hundreds of KB): the writing lane does it.
        self.ctx.writer.submit(lambda _ledger: result_cache.save(db, "insights", payload))
        self.status.setText("")
        self._draw()

    def _failed(self, exc: BaseException) -> None:
        self._pending = 0
        self._show_cached(reason=f"Insights could not be updated: {exc}.")

    def _show_cached(self, reason: str = "") -> None:
        cached = result_cache.load(self.ctx.db, "insights")
        if cached is None or not isinstance(cached[1], dict):
            self.status.setText(
                reason + (" There are no earlier results to show." if reason else "")
            )
            return
        saved, payload = cached
        self.recurring = list(payload.get("recurring", []))
        self.anomalies = list(payload.get("anomalies", []))
        self.currency = str(payload.get("currency", self.currency))
        when = QLocale().toString(
            QDateTime.fromSecsSinceEpoch(int(saved.timestamp())), QLocale.FormatType.ShortFormat
        )
        self.status.setText((reason + " " if reason else "") + f"Showing results from {when}.")
        self._draw()

    def _money(self, value: Any, currency: Any = None) -> str:
        # Each payment in its own currency (the insights say which); the ledger's main currency
        # only for results cached before they did.
        code = currency if isinstance(currency, str) and currency else self.currency
        minor = service_inputs.minor(value, code)
        return formatting.money(minor, code) if minor is not None else ""

    def _draw(self) -> None:
        # Current payments (ones that stopped are not shown): money out, then under a heading of
        # its own the money coming in, so that a salary is never read as a subscription.
        live = [r for r in self.recurring if r.get("active", True)]
        paying = [r for r in live if str(r.get("amount", "")).startswith("-")]
        coming = [r for r in live if not str(r.get("amount", "")).startswith("-")]
        subs: list[dict[str, Any] | None] = [*sorted(paying, key=_by_merchant)]
        if coming:
            subs += [None, *sorted(coming, key=_by_merchant)]
        self.subs.clearSpans()
        self.subs.setRowCount(len(subs))
        for row, r in enumerate(subs):
            if r is None:
                heading = _item(INCOME_HEADING)
                font = heading.font()
                font.setBold(True)
                heading.setFont(font)
                self.subs.setItem(row, 0, heading)
                self.subs.setSpan(row, 0, 1, self.subs.columnCount())
                continue
            code = r.get("currency")
            changes = [
                f"{_date(c.get('date'))}: {self._money(c.get('old'), code)} → "
                f"{self._money(c.get('new'), code)}"
                for c in r.get("price_changes", []) or []
            ]
            cells = (
                _item(str(r.get("merchant", ""))),
                _item(str(r.get("cadence", ""))),
                # A bill without a fixed price (energy) shows what it will likely come to.
                _item(
                    ("≈ " if r.get("varies") else "") + self._money(r.get("amount"), code),
                    right=True,
                ),
                _next_item(r.get("next_date")),
                _item("; ".join(changes)),
            )
            for col, item in enumerate(cells):
                self.subs.setItem(row, col, item)
        self.subs.resizeColumnsToContents()
        self.subs.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        shown = self._shown_anomalies()
        self.alerts.setRowCount(len(shown))
        for row, a in enumerate(shown):
            kind = KINDS.get(str(a.get("kind")), str(a.get("kind", "")))
            alert = (
                _item(_date(a.get("date"))),
                _item(str(a.get("description") or a.get("merchant", ""))),
                _item(self._money(a.get("amount"), a.get("currency")), right=True),
                _item(f"{kind}: {a.get('reason', '')}"),
            )
            for col, item in enumerate(alert):
                self.alerts.setItem(row, col, item)
            button = QPushButton("Dismiss")
            button.clicked.connect(lambda _c=False, anomaly=a: self.dismiss(anomaly))
            self.alerts.setCellWidget(row, 4, button)
        self.alerts.resizeColumnsToContents()
        self.alerts.setColumnWidth(1, min(self.alerts.columnWidth(1), 260))
        self.alerts.horizontalHeader().setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        if not shown and self.anomalies:
            self.status.setText(self.status.text() or "Nothing new worth a look.")

    def _dismiss_key(self) -> QAction:
        """Delete dismisses the alerts' current row: Tab moves between the table's cells and
        never reaches the Dismiss buttons in them (audit 8: keyboard-only use)."""
        action = QAction("Dismiss", self.alerts)
        action.setShortcut(QKeySequence(QKeySequence.StandardKey.Delete))
        action.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        action.triggered.connect(self._dismiss_current)
        self.alerts.addAction(action)
        self.alerts.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        self.alerts.setToolTip("Delete dismisses the selected row")
        return action

    def _dismiss_current(self) -> None:
        row = self.alerts.currentRow()
        shown = self._shown_anomalies()
        if 0 <= row < len(shown):
            self.dismiss(shown[row])
            self.alerts.setCurrentCell(min(row, self.alerts.rowCount() - 1), 0)

    def _shown_anomalies(self) -> list[dict[str, Any]]:
        return [a for a in self.anomalies if insighting.anomaly_key(a) not in self.dismissed]

    def dismiss(self, anomaly: dict[str, Any]) -> None:
        """Hide an anomaly now and in future runs."""
        self.dismissed = self.dismissals.add([insighting.anomaly_key(anomaly)])
        self._draw()
