"""Fills in pending categories whenever it can, without the GUI thread ever waiting.

After an import, an undo, a rule change, or the categorizer coming back, it runs the headless
categorize loop (desktop/categorizing.py: rules first, then the categorizer through the hub) on a
lane of its own. If the categorizer is down, rules still apply and the other rows stay pending -
the table shows them so - and the pump runs again when the service's health turns ready.
"""

from __future__ import annotations

import logging
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal

from desktop.context import AppContext
from desktop.worker import DbLane

log = logging.getLogger(__name__)


class CategorizePump(QObject):
    """Runs the categorize loop, one run at a time, again if asked while one was running."""

    finished = Signal(object)  # categorizing.Outcome of the last run

    def __init__(self, ctx: AppContext, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.lane = DbLane("categorize", ctx.db, ctx.delivery)
        self.running = False
        self.again = False
        self.last: Any = None
        ctx.events.changed.connect(self._ledger_changed)
        ctx.hub.health_changed.connect(self._health_changed)
        # A slow safety net: rows imported from the command line meanwhile get picked up too.
        self._timer = QTimer(self)
        self._timer.setInterval(30_000)
        self._timer.timeout.connect(self.kick)
        self._timer.start()

    def _ledger_changed(self, what: str) -> None:
        if what in ("import", "demo", "undo", "rules", "retrained"):
            self.kick()

    def _health_changed(self, service: str) -> None:
        if service == "categorizer" and self.ctx.hub.health(service).ok:
            self.kick()

    def kick(self) -> None:
        """Start a run now, or right after the one in progress."""
        if self.running:
            self.again = True
            return
        self.running = True
        self.again = False
        health = self.ctx.hub.health("categorizer")
        hub = self.ctx.hub.hub if health.ok else None
        reason = None if health.ok else health.sentence()

        def run(ledger: Any) -> Any:
            from desktop import categorizing

            return categorizing.categorize_pending(ledger, hub, unavailable=reason)

        self.lane.submit(run, self._done, self._failed)

    def _done(self, outcome: Any) -> None:
        self.running = False
        self.last = outcome
        if outcome.by_rule or outcome.by_model or outcome.suggested:
            self.ctx.events.changed.emit("categorized")
        self.finished.emit(outcome)
        if self.again:
            self.kick()

    def _failed(self, exc: BaseException) -> None:
        log.error("the categorize loop failed", exc_info=exc)
        self.running = False
        if self.again:
            self.kick()

    def shutdown(self) -> None:
        """Stop the timer and close this pump's ledger lane."""
        self._timer.stop()
        self.lane.close()
