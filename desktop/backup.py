"""File > Back up the ledger: where to save the copy (desktop.save_dialog, which adds ".sqlite"),
and the copy itself (SQLite's online backup, data/ledger/backup.py) on the files lane, so that no
page's read waits for it (a 449 MB ledger takes about 3.5 s); its outcome is said in the status
bar. The copy opens with `fincast --db FILE`.

The copy is one backup step, so it cannot stop half-way; it is written beside its target and
renamed over it when complete. Must never touch the ledger from the GUI thread.
"""

from __future__ import annotations

import datetime as dt
import logging
from pathlib import Path
from typing import Any

from PySide6.QtWidgets import QMainWindow

from data.ledger import LedgerError
from desktop.context import AppContext
from desktop.save_dialog import ask_save_path

log = logging.getLogger(__name__)
TITLE = "Back up the ledger"
MESSAGE_MS = 10_000  # how long the status bar says where the backup went


def suggested_path(db: Path, today: dt.date) -> Path:
    """Where the save dialog starts: a dated name beside the ledger."""
    return db.with_name(f"{db.stem}-backup-{today.isoformat()}.sqlite")


def back_up(window: QMainWindow, ctx: AppContext) -> None:
    """Ask where to save a copy of the ledger, then make it there; cancelling does nothing."""
    ask_save_path(
        window,
        TITLE,
        suggested_path(ctx.db, dt.date.today()),
        "Fincast ledgers (*.sqlite)",
        lambda target: start(window, ctx, target),
    )


def start(window: QMainWindow, ctx: AppContext, target: Path) -> None:
    """Copy the ledger to `target` on the files lane (the dialog has already asked before
    replacing an existing file), saying in the status bar how it went."""
    bar = window.statusBar()
    bar.showMessage(f"Backing up the ledger to {target}…")

    def done(info: Any) -> None:
        bar.showMessage(f"Backed up {info.transactions:,} transactions to {info.path}", MESSAGE_MS)

    def failed(exc: BaseException) -> None:
        if not isinstance(exc, (LedgerError, OSError)):
            log.error("backing up to %s failed", target, exc_info=exc)
        bar.showMessage(f"The backup failed: {exc}", MESSAGE_MS)

    ctx.files.submit(lambda ledger: ledger.backup(target, overwrite=True), done, failed)
