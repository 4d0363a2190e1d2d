"""What every view is handed: the ledger lanes, the hub adapter, the undo stack and the ledger path.

A plain holder; it must never start work itself (the window starts and stops what it holds).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QUndoStack

from desktop.hub_adapter import HubAdapter
from desktop.worker import DbLane, Delivery


class LedgerEvents(QObject):
    """Tells every view that the ledger changed, so it reloads what it shows."""

    changed = Signal(str)  # what changed: "import", "categories", "rules", "undo", ...


@dataclass
class AppContext:
    """The shared parts of one open ledger."""

    db: Path
    delivery: Delivery
    reader: DbLane  # reports, lists, tests of rules: reads that may take a while
    pager: DbLane  # the transactions table's pages only, so they never queue behind a report
    writer: DbLane
    models: DbLane  # long waits on model services (forecaster -> advisor) happen here
    indexer: DbLane  # the text index's catch-up after an import, one chunk at a time
    # exports and backups: a long read that writes a file (20 s for a 1M-row export) holds its
    # own thread and connection here, so the reader's page reads never queue behind it
    files: DbLane
    hub: HubAdapter
    undo: QUndoStack
    events: LedgerEvents

    @classmethod
    def create(cls, db: Path, hub: HubAdapter) -> AppContext:
        """Lanes for `db` and a fresh undo stack; call close() when done."""
        delivery = Delivery()
        return cls(
            db=db,
            delivery=delivery,
            reader=DbLane("reader", db, delivery),
            pager=DbLane("pager", db, delivery),
            writer=DbLane("writer", db, delivery),
            models=DbLane("models", db, delivery),
            indexer=DbLane("indexer", db, delivery),
            files=DbLane("files", db, delivery),
            hub=hub,
            undo=QUndoStack(),
            events=LedgerEvents(),
        )

    def close(self) -> None:
        """Finish and close the ledger lanes (a running export stops first: see desktop.export)."""
        self.files.close()
        self.indexer.close()
        self.models.close()
        self.writer.close()
        self.reader.close()
        self.pager.close()
