"""The Services page: every replica of every model service - state, restarts, last exit, p50/p99
latency, memory - with the service's recent log lines, and Restart / Retry buttons.

Polls hub.status() once a second while visible, on the adapter's thread; never waits on the hub.
"""

from __future__ import annotations

import time
from typing import Any

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop import formatting
from desktop.context import AppContext
from desktop.health import Level
from desktop.status_lights import COLOURS

COLUMNS = (
    "Service",
    "Replica",
    "State",
    "PID",
    "Restarts",
    "Last exit",
    "In state for",
    "p50",
    "p99",
    "Memory",
)
STATE_LEVEL = {
    "ready": Level.READY,
    "busy": Level.READY,
    "unhealthy": Level.DEGRADED,
    "failed": Level.FAILED,
}


def _age(seconds: float) -> str:
    if seconds < 90:
        return f"{int(seconds)} s"
    if seconds < 5400:
        return f"{int(seconds // 60)} min"
    return f"{seconds / 3600:.1f} h"


# How often the categorizer's model versions are asked while the page is shown: a retrain
# (a few seconds after a correction) shows within this.
MODEL_EVERY_S = 5.0


def model_sentence(reply: dict[str, Any]) -> str:
    """The categorizer's `versions` reply in words: which model serves, when it was trained,
    from how many examples, and how well it did on the rows it was checked on."""
    versions = [v for v in reply.get("versions", []) if isinstance(v, dict)]
    current = next((v for v in versions if v.get("current")), None)
    if current is None:
        return "Categorizer model: none trained yet (the built-in one is made on first use)."
    name = str(current.get("model_version", "?"))
    number = name.lstrip("v0") or "0"
    parts = [f"Categorizer model: version {number}"]
    created = current.get("created")
    if isinstance(created, str):
        parts.append(f"trained {formatting.moment(created)}")
    samples = current.get("n_samples")
    if isinstance(samples, int):
        whose = {
            "user": "your categorized transactions",
            "user+builtin": "your categorized transactions and the built-in examples",
            "builtin": "the built-in examples",
        }.get(str(current.get("source")), "examples")
        parts.append(f"from {samples:,} rows ({whose})")
    classes = current.get("classes")
    if isinstance(classes, int):
        parts.append(f"{classes} categor{'ies' if classes != 1 else 'y'}")
    accuracy = current.get("cv_accuracy")
    if isinstance(accuracy, int | float):
        parts.append(
            f"right on {formatting.percent(float(accuracy))} of the rows held out to check it"
        )
    older = len(versions) - 1
    text = ", ".join(parts) + "."
    if older > 0:
        text += f" {older} earlier version{'s' if older != 1 else ''} kept."
    return text


def _num(value: Any, unit: str, digits: int = 1) -> str:
    return f"{value:.{digits}f} {unit}" if isinstance(value, int | float) else "—"


class ServicesView(QWidget):
    """Replica table, log pane and controls."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:  # noqa: PLR0915 (a page is built in one place)
        super().__init__(parent)
        self.ctx = ctx
        self.rows: list[dict[str, Any]] = []
        title = QLabel("Services")
        title.setStyleSheet("font-size:20px;font-weight:600;")
        intro = QLabel(
            "Each model runs in its own process. If one crashes, Fincast restarts it; "
            "the rest of the app keeps working meanwhile."
        )
        intro.setWordWrap(True)
        intro.setStyleSheet("color:palette(placeholder-text);")
        self.summary = QLabel("")
        self.summary.setWordWrap(True)
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels(list(COLUMNS))
        # Tab leaves the table (arrows move in it): Restart and Retry were out of reach
        self.table.setTabKeyNavigation(False)
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QTableWidget.SelectionMode.SingleSelection)
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.table.itemSelectionChanged.connect(self._selection_changed)
        self.restart_button = QPushButton("Restart")
        self.retry_button = QPushButton("Retry")
        self.restart_button.setToolTip("Stop and start every replica of the selected service")
        self.retry_button.setToolTip("Try again to start a service that kept crashing")
        self.restart_button.clicked.connect(self._restart)
        self.retry_button.clicked.connect(self._restart)
        # Which categorizer model serves: after a correction a person can see it retrained.
        self.model_line = QLabel("Categorizer model: asking…")
        self.model_line.setWordWrap(True)
        self.model_line.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self._model_asked = 0.0  # time.monotonic() of the last `versions` request
        self._model_pending = False
        buttons = QHBoxLayout()
        buttons.addWidget(self.summary, 1)
        buttons.addWidget(self.retry_button)
        buttons.addWidget(self.restart_button)
        self.logs_label = QLabel("Recent log lines")
        self.logs = QPlainTextEdit()
        self.logs.setReadOnly(True)
        self.logs.setMaximumBlockCount(500)
        font = self.logs.font()
        font.setFamily("monospace")
        font.setStyleHint(font.StyleHint.Monospace)
        self.logs.setFont(font)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 12, 12, 8)
        layout.addWidget(title)
        layout.addWidget(intro)
        layout.addWidget(self.table, 3)
        layout.addWidget(self.model_line)
        layout.addLayout(buttons)
        layout.addWidget(self.logs_label)
        layout.addWidget(self.logs, 2)
        self.timer = QTimer(self)
        self.timer.setInterval(1000)
        self.timer.timeout.connect(self._poll)
        ctx.hub.status_ready.connect(self._status)
        ctx.hub.health_changed.connect(self._health_changed)
        ctx.hub.log_line.connect(self._log_line)
        ctx.hub.logs_ready.connect(self._logs_read)
        self.file_logs: dict[str, list[str]] = {}
        # Health news not yet answered by a status reply. A reply brings news of its own (it
        # reports every service as changed) right before its rows: polling on that news asked
        # again for ever, so news is answered a turn later, and only if no reply came with it.
        self._news = False
        self._draw()

    def _selection_changed(self) -> None:
        self._show_logs()
        service = self.selected_service()
        if service is not None:
            self.ctx.hub.fetch_logs(service)

    def activate(self) -> None:
        """Start polling while the page is shown."""
        self._poll()
        self.timer.start()

    def hideEvent(self, event: Any) -> None:
        """Stop polling when the page is hidden."""
        self.timer.stop()
        super().hideEvent(event)

    def showEvent(self, event: Any) -> None:
        """Resume polling when shown again."""
        if not self.timer.isActive():
            self.timer.start()
        super().showEvent(event)

    def _poll(self) -> None:
        self._ask_model()
        self.ctx.hub.refresh_status()
        service = self.selected_service()
        if service is not None:
            self.ctx.hub.fetch_logs(service)
        if self.ctx.hub.hub is None:
            self._draw()

    def _ask_model(self) -> None:
        """Ask the categorizer which model versions it keeps (at most every MODEL_EVERY_S)."""
        now = time.monotonic()
        if self._model_pending or (self._model_asked and now - self._model_asked < MODEL_EVERY_S):
            return
        health = self.ctx.hub.health("categorizer")
        if not health.ok:
            if "categorizer" in self.ctx.hub.services:
                self.model_line.setText(
                    "Categorizer model: not known while the categorizer is down. "
                    + health.sentence()
                )
            return
        self._model_asked, self._model_pending = now, True
        self.ctx.hub.request(
            "categorizer",
            "versions",
            {},
            timeout=10.0,
            done=self._model_known,
            failed=self._model_unknown,
        )

    def _model_known(self, reply: dict[str, Any]) -> None:
        self._model_pending = False
        self.model_line.setText(model_sentence(reply))

    def _model_unknown(self, exc: BaseException) -> None:
        self._model_pending = False
        self.model_line.setText(f"Categorizer model: could not be asked ({exc}).")

    def _status(self, rows: list[dict[str, Any]]) -> None:
        self._news = False  # these rows answer any news that came with them
        self.rows = rows
        self._draw()

    def _health_changed(self, _service: str) -> None:
        if self.isVisible() and not self._news:
            self._news = True
            QTimer.singleShot(0, self, self._answer_news)

    def _answer_news(self) -> None:
        if self._news and self.isVisible():
            self._poll()
        self._news = False

    def selected_service(self) -> str | None:
        """The service of the selected row (or the first row)."""
        rows = self.table.selectionModel().selectedRows()
        row = rows[0].row() if rows else 0
        item = self.table.item(row, 0)
        return item.text() if item is not None else None

    def _draw(self) -> None:
        hub = self.ctx.hub
        rows = self.rows
        if hub.hub is None:
            rows = [{"service": s, "replica": "—", "state": "not running"} for s in hub.services]
        selected = self.selected_service()
        self.table.setRowCount(len(rows))
        # epoch seconds, as "since" is; a local datetime is ambiguous for an hour a year
        now = time.time()
        for r, row in enumerate(rows):
            since = row.get("since")
            age = _age(now - since) if isinstance(since, int | float) else "—"
            cells = (
                str(row.get("service", "")),
                str(row.get("replica", "")),
                str(row.get("state", "")),
                str(row.get("pid") or "—"),
                str(row.get("restarts", "—")),
                str(row.get("last_exit")) if row.get("last_exit") is not None else "—",
                age,
                _num(row.get("p50_ms"), "ms"),
                _num(row.get("p99_ms"), "ms"),
                _num(row.get("rss_mb"), "MB", 0),
            )
            for c, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if c == 2:
                    level = STATE_LEVEL.get(text, Level.UNAVAILABLE)
                    item.setForeground(QColor(COLOURS[level]))
                if c >= 3:
                    item.setTextAlignment(
                        Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
                    )
                self.table.setItem(r, c, item)
            if selected is not None and cells[0] == selected and not self.table.selectedItems():
                self.table.selectRow(r)
        self.table.resizeColumnsToContents()
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        lines = [
            hub.health(s).sentence() for s in hub.services if hub.health(s).level is not Level.READY
        ]
        self.summary.setText("\n".join(lines) if lines else "All services are running.")
        service = self.selected_service()
        failed = service is not None and hub.health(service).level is Level.FAILED
        self.retry_button.setEnabled(failed or hub.hub is None)
        self.restart_button.setEnabled(service is not None and hub.hub is not None)
        self._show_logs()

    def _show_logs(self) -> None:
        service = self.selected_service()
        if service is None:
            return
        self.logs_label.setText(f"Recent log lines of the {service}")
        lines = self.file_logs.get(service) or self.ctx.hub.logs.get(service, [])[-200:]
        text = "\n".join(lines)
        if self.logs.toPlainText() != text:
            self.logs.setPlainText(text or "(nothing logged yet)")
            self.logs.verticalScrollBar().setValue(self.logs.verticalScrollBar().maximum())

    def _logs_read(self, service: str, lines: list[str]) -> None:
        self.file_logs[service] = lines
        if service == self.selected_service():
            self._show_logs()

    def _log_line(self, service: str, _line: str) -> None:
        if self.isVisible() and service == self.selected_service():
            self._show_logs()

    def _restart(self) -> None:
        service = self.selected_service()
        if service is not None:
            self.ctx.hub.restart(service)
