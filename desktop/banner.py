"""In-place notices: what a view is missing because a service is down, and when it retries.

A banner is a plain strip inside a view, never a dialog: an outage must not interrupt anyone.
It must never ask the hub anything; it only reads the adapter's health board.
"""

from __future__ import annotations

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QWidget

from desktop.health import Level
from desktop.hub_adapter import HubAdapter

_STYLE = {
    Level.DEGRADED: "background:#fff4ce;color:#5c4400;border:1px solid #e0c36a;",
    Level.UNAVAILABLE: "background:#fde7e9;color:#6b1a1f;border:1px solid #e8a3a9;",
    Level.FAILED: "background:#fde7e9;color:#6b1a1f;border:1px solid #d1343e;",
}


class ServiceBanner(QFrame):
    """Shows one line per needed service that is not ready; hidden when all are ready."""

    def __init__(self, hub: HubAdapter, services: tuple[str, ...], parent: QWidget | None = None):
        super().__init__(parent)
        self._hub = hub
        self._services = services
        self.setObjectName("serviceBanner")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(10, 6, 10, 6)
        self.label = QLabel()
        self.label.setWordWrap(True)
        layout.addWidget(self.label, 1)
        hub.health_changed.connect(self._changed)
        # Counts down "retrying in N s" while something is down; stopped when all are ready.
        self._tick = QTimer(self)
        self._tick.setInterval(1000)
        self._tick.timeout.connect(self.refresh)
        self._adoption_pending = False
        self.refresh()

    def _adopted(self) -> None:
        self._adoption_pending = False
        if self.parentWidget() is not None:
            self.refresh()

    def _changed(self, service: str) -> None:
        if service in self._services:
            self.refresh()

    def refresh(self) -> None:
        """Re-read the health board and show what is missing."""
        down = [self._hub.health(s) for s in self._services]
        down = [h for h in down if h.level is not Level.READY]
        if not down:
            if not self.isHidden():
                self.hide()
            self._tick.stop()
            return
        worst = max(down, key=lambda h: list(Level).index(h.level))
        # Health changes come in bursts while sidecars restart; restyling re-polishes the
        # banner, so only a changed look or text touches the widget.
        style = f"#serviceBanner{{{_STYLE[worst.level]}border-radius:4px;}}"
        if style != self.styleSheet():
            self.setStyleSheet(style)
        text = "\n".join(h.sentence() for h in down)
        if text != self.label.text():
            self.label.setText(text)
        if self.isHidden():
            if self.parentWidget() is not None:
                self.show()
            elif not self._adoption_pending:
                # Views build their banner before adding it to a layout; shown now it would be
                # a window of its own for a moment (and take activation from the main window).
                # Look again once the view has adopted it.
                self._adoption_pending = True
                QTimer.singleShot(0, self, self._adopted)
        if not self._tick.isActive():
            self._tick.start()

    @property
    def text(self) -> str:
        """The banner's current text ('' when hidden)."""
        return self.label.text() if not self.isHidden() else ""
