"""The Dashboard: this month's spending by category, income vs expenses by month, balance over
time and top payees; or, on a new ledger, a welcome that offers to import or try the demo data.

The report is computed on the reading lane (desktop/reports.py); this page only draws it. A click
on a bar opens the Transactions page on the rows behind it, and says there, once the rows are
tallied on the reading lane, what the bar left out that the list shows (desktop/drill_down.py).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QLocale, Qt, QTimer
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from data.ledger.aggregates import UNCATEGORIZED
from desktop import drill_down, formatting, reports
from desktop.context import AppContext
from desktop.drill_down import Drill, Tally

log = logging.getLogger(__name__)

COALESCE_MS = 300


@dataclass(frozen=True)
class LeftOut:
    """An account with rows the dashboard does not count: they are in other currencies."""

    account: str
    currencies: tuple[str, ...]
    rows: int


def left_out(ledger: Any, currency: str) -> list[LeftOut]:
    """Per account, the rows not in `currency` (the report counts only those in it), most
    first; read on the reading lane beside the report."""
    foreign = ledger.foreign_rows()  # per account, its rows in currencies not its own
    out = []
    for usage in ledger.account_usage():
        others = dict(foreign.get(usage.name, {}))
        own = usage.transactions - sum(others.values())
        if own:
            others[usage.currency] = own
        rows = sum(n for cur, n in others.items() if cur != currency)
        if rows:
            codes = tuple(sorted((c for c in others if c != currency), key=lambda c: -others[c]))
            out.append(LeftOut(usage.name, codes, rows))
    return sorted(out, key=lambda x: (-x.rows, x.account))


def left_out_text(currency: str, accounts: list[LeftOut]) -> str:
    """What the note under the heading says ("" when every row is counted)."""
    if not accounts:
        return ""
    loc = QLocale()
    parts = [
        f"{a.account} ({loc.toString(a.rows)} "
        f"{'transaction' if a.rows == 1 else 'transactions'} in {', '.join(a.currencies)})"
        for a in accounts
    ]
    return f"Figures in {currency} only; not counted here: " + "; ".join(parts) + "."


def _build(ledger: Any, currency: str | None) -> tuple[reports.Report, list[LeftOut]]:
    report = reports.build(ledger, currency=currency)
    return report, (left_out(ledger, report.currency) if report.transactions else [])


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
        self.stack.addWidget(self._problem_page())
        self.charts: Any = None  # built when there is something to chart
        # Which currency's accounts the figures are for, where the ledger has more than one:
        # minor units of different currencies never add up, so each is a dashboard of its own.
        self.currency: str | None = None  # the person's choice; None: the one most rows are in
        self.currency_box = QComboBox()
        self.currency_box.setToolTip("The dashboard counts the accounts in one currency at a time")
        self.currency_box.activated.connect(self._currency_chosen)
        currency_label = QLabel("&Currency")
        currency_label.setBuddy(self.currency_box)
        self.currency_row = QWidget()
        row = QHBoxLayout(self.currency_row)
        row.setContentsMargins(0, 0, 0, 0)
        row.addStretch(1)
        row.addWidget(currency_label)
        row.addWidget(self.currency_box)
        self.currency_row.hide()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 12, 12, 8)
        layout.addWidget(self.currency_row)
        layout.addWidget(self.stack)
        self._stale = False
        self._loading = False  # a report is being computed on the reading lane
        self._again = False  # the ledger changed meanwhile: compute once more when it arrives
        # Bursts of changes (an import, then a categorize pass per batch) make one reload.
        self._coalesce = QTimer(self)
        self._coalesce.setSingleShot(True)
        self._coalesce.setInterval(COALESCE_MS)
        self._coalesce.timeout.connect(self.reload)
        self.reloads = 0  # reports asked for (tests count them)
        ctx.events.changed.connect(self._ledger_changed)
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

    def _problem_page(self) -> QWidget:
        # A ledger that cannot be read is not a new one: no welcome, and above all no offer to
        # pour demo statements into it; say what went wrong and let the person try again.
        page = QWidget()
        self.problem = QLabel("")
        self.problem.setWordWrap(True)
        self.problem.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.retry_button = QPushButton("Try again")
        self.retry_button.clicked.connect(self.reload)
        layout = QVBoxLayout(page)
        layout.addStretch(1)
        layout.addWidget(self.problem)
        layout.addWidget(self.retry_button, 0, Qt.AlignmentFlag.AlignCenter)
        layout.addStretch(2)
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
    def _ledger_changed(self, _what: str) -> None:
        # Redrawing costs the GUI thread; do it only where it is seen (otherwise when the page
        # is next shown), and once per burst of changes.
        self._stale = True
        if self.isVisible() and not self._coalesce.isActive():
            self._coalesce.start()

    def activate(self) -> None:
        """Redraw on show if the ledger changed while the page was hidden."""
        if self._stale:
            self.reload()

    def reload(self) -> None:
        """Recompute the report in the background and redraw (one computation at a time)."""
        self._stale = False
        self._coalesce.stop()
        if self._loading:
            self._again = True
            return
        self._loading = True
        self.reloads += 1
        chosen = self.currency
        self.ctx.reader.submit(lambda ledger: _build(ledger, chosen), self._arrived, self._failed)

    def _currency_chosen(self, index: int) -> None:
        self.currency = self.currency_box.itemText(index)
        self.reload()

    def _arrived(self, built: tuple[reports.Report, list[LeftOut]]) -> None:
        report, others = built
        self._loading = False
        if self._again:
            self._again = False
            self._stale = True
            if self.isVisible():
                self._coalesce.start()
        self.show_report(report, others)

    def _failed(self, exc: BaseException) -> None:
        self._loading = False
        log.error("the dashboard's report failed", exc_info=exc)
        self.problem.setText(
            f"The dashboard could not be worked out from this ledger: {exc}\n"
            "Nothing in the ledger was changed."
        )
        self.stack.setCurrentIndex(2)

    def show_report(self, report: reports.Report, others: list[LeftOut] | None = None) -> None:
        """Draw `report`, or the welcome page when the ledger is empty; `others` are the
        accounts with rows in other currencies, which the report does not count."""
        self.report = report
        self.currency_box.blockSignals(True)
        self.currency_box.clear()
        self.currency_box.addItems(report.currencies)
        self.currency_box.setCurrentText(report.currency)
        self.currency_box.blockSignals(False)
        self.currency_row.setVisible(len(report.currencies) > 1)
        if report.transactions == 0 or report.month is None:
            self.demo_button.setEnabled(True)
            self.stack.setCurrentIndex(1)
            return
        if self.charts is None:
            from desktop.views.dashboard_charts import DashboardCharts

            self.charts = DashboardCharts()
            self.charts.drill_requested.connect(self.drill)
            self.stack.addWidget(self.charts)
        self.charts.show_report(report, left_out_text(report.currency, others or []))
        self.stack.setCurrentWidget(self.charts)

    # -- drill-down ------------------------------------------------------------------------
    def drill(self, drill: Drill) -> None:
        """Open Transactions on the rows behind a clicked bar; what the bar counted is said
        there at once, and what the list shows besides once the rows are tallied."""
        if self.window_ is None:
            return
        page = self.window_.show_transactions(**drill.filter_kwargs())
        page.show_note(counted_text(drill))
        flt = drill.tx_filter()

        def tallied(tally: Tally) -> None:
            if page.current_filter() == flt:  # the user has not moved on meanwhile
                page.show_note(counted_text(drill) + " " + tally_text(drill, tally))

        self.ctx.reader.submit(lambda ledger: drill_down.tally(ledger, drill), tallied)


def counted_text(drill: Drill) -> str:
    """What the clicked bar showed, and the rule it counted by."""
    cur = drill.currency
    if drill.kind == "month":
        income, expenses = drill.counted
        return (
            f"From the dashboard: {drill.label}, income {formatting.money(income, cur)} and "
            f"expenses {formatting.money(expenses, cur)} in {cur}, transfers between your "
            "accounts left out."
        )
    return (
        f"From the dashboard: {drill.label}, {formatting.money(drill.counted[0], cur)} spent "
        f"in {cur}, transfers between your accounts left out."
    )


def tally_text(drill: Drill, tally: Tally) -> str:
    """How the listed rows compare with the bar: what it left out, and a sum that differs."""
    loc = QLocale()
    if tally.rows == 0:
        return "No transactions match."

    def n(count: int, one: str, many: str) -> str:
        return f"{loc.toString(count)} {one if count == 1 else many}"

    left_out = []
    if tally.money_in_rows:
        left_out.append(
            n(tally.money_in_rows, "refund or other money in", "refunds or other money in")
        )
    if tally.other_payees:
        left_out.append(
            n(tally.other_payees, "row of another payee", "rows of other payees")
            + " whose text contains it"
        )
    if tally.transfers:
        left_out.append(n(tally.transfers, "transfer", "transfers"))
    if tally.other_currency:
        left_out.append(
            n(tally.other_currency, "row in another currency", "rows in other currencies")
        )
    parts = []
    if left_out:
        parts.append("The list also shows what the bar left out: " + ", ".join(left_out) + ".")
    else:
        parts.append(f"The bar counts all {n(tally.rows, 'row', 'rows')} listed.")
    sums = (tally.money_in, tally.money_out) if drill.kind == "month" else (tally.money_out,)
    if not tally.truncated and sums != drill.counted:
        shown = ", ".join(formatting.money(v, drill.currency) for v in sums)
        why = "the ledger changed since the dashboard was drawn"
        if drill.kind == "category" and drill.name == UNCATEGORIZED:
            # the totals name rows with no category "Uncategorized", like a category so named
            why += f", or one of your categories is called {UNCATEGORIZED}"
        parts.append(f"The rows it counts add up to {shown} now: {why}.")
    if tally.truncated:
        parts.append(f"(Only the first {loc.toString(tally.rows)} rows were checked.)")
    return " ".join(parts)
