"""Fills in pending categories whenever the categorizer can answer.

After an import, an undo, or the categorizer coming back, it reads a batch of pending rows on the
reading lane, asks the categorizer to `predict` them through the hub, stores the answers on the
writing lane (`apply_predictions` never overwrites a user's choice), and goes on until nothing is
pending. If the categorizer is down, the rows simply stay pending - the table shows them so - and
the pump resumes when the service's health turns ready. Never waits on the GUI thread.
"""

from __future__ import annotations

import importlib
import logging
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal

from data.ledger import Prediction, Txn
from data.money import format_decimal
from desktop.context import AppContext

log = logging.getLogger(__name__)

BATCH = 500
TIMEOUT_S = 30.0
# Below this a prediction is kept as a suggestion only (the categorizer's owner tunes it).
MIN_CONFIDENCE = 0.5


def _threshold() -> float:
    try:
        categorizing = importlib.import_module("desktop.categorizing")
    except ImportError:
        return MIN_CONFIDENCE
    value = getattr(categorizing, "CONFIDENCE_THRESHOLD", MIN_CONFIDENCE)
    return float(value) if isinstance(value, int | float) else MIN_CONFIDENCE


def predictions(txns: list[Txn], result: dict[str, Any], threshold: float) -> list[Prediction]:
    """Ledger predictions from a `predict` reply (one per input, in order)."""
    out = []
    for t, p in zip(txns, result.get("predictions", []), strict=False):
        if not isinstance(p, dict):
            continue
        category = p.get("category")
        confidence = p.get("confidence")
        conf = float(confidence) if isinstance(confidence, int | float) else None
        confident = category and conf is not None and conf >= threshold
        out.append(
            Prediction(
                txn_id=t.id,
                category=str(category) if confident else None,
                confidence=conf,
                source="model",
                suggestion=str(category) if category and not confident else None,
            )
        )
    return out


class CategorizePump(QObject):
    """Drives pending rows through the categorizer, one batch in flight at a time."""

    progressed = Signal(int)  # rows categorized in the last batch
    idle = Signal()  # nothing pending (or the categorizer is down)

    def __init__(self, ctx: AppContext, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.running = False
        self.done_total = 0
        ctx.events.changed.connect(self._ledger_changed)
        ctx.hub.health_changed.connect(self._health_changed)
        # A slow safety net: rows imported from the command line meanwhile get picked up too.
        self._timer = QTimer(self)
        self._timer.setInterval(30_000)
        self._timer.timeout.connect(self.kick)
        self._timer.start()

    def _ledger_changed(self, what: str) -> None:
        if what in ("import", "demo", "undo", "categories"):
            self.kick()

    def _health_changed(self, service: str) -> None:
        if service == "categorizer" and self.ctx.hub.health(service).ok:
            self.kick()

    def kick(self) -> None:
        """Start a round if none is running and the categorizer is up."""
        if self.running or not self.ctx.hub.health("categorizer").ok:
            return
        self.running = True
        self.ctx.reader.submit(
            lambda ledger: ledger.pending_categorization(BATCH), self._send, self._stop
        )

    def _send(self, txns: list[Txn]) -> None:
        if not txns:
            self._stop(None)
            return
        params = {
            "transactions": [
                {
                    "id": t.id,
                    "date": t.date.isoformat(),
                    "description": t.description,
                    "payee": t.payee,
                    "amount": format_decimal(t.amount, t.currency),
                }
                for t in txns
            ]
        }
        self.ctx.hub.request(
            "categorizer",
            "predict",
            params,
            timeout=TIMEOUT_S,
            done=lambda result: self._store(txns, result),
            failed=self._stop,
        )

    def _store(self, txns: list[Txn], result: dict[str, Any]) -> None:
        preds = predictions(txns, result, _threshold())
        if not preds:
            log.warning("the categorizer answered no usable predictions; stopping this round")
            self._stop(None)
            return
        self.ctx.writer.submit(
            lambda ledger: ledger.apply_predictions(preds), self._stored, self._stop
        )

    def _stored(self, n: int) -> None:
        self.done_total += n
        self.progressed.emit(n)
        self.ctx.events.changed.emit("categorized")
        self.running = False
        self.kick()

    def _stop(self, exc: BaseException | None) -> None:
        if exc is not None:
            log.info("categorizing paused: %s", exc)
        self.running = False
        self.idle.emit()
