"""Run ledger work off the GUI thread and hand results back to it by queued signal.

Each `DbLane` owns one thread and one Ledger connection (SQLite connections belong to the thread
that opened them). The window keeps a reading lane (paging, charts) and a writing lane (imports,
edits) and more (see AppContext), so a long import or report never holds up scrolling; WAL lets
each reader see committed data.
This module must never call a callback on the worker thread, and never block the GUI thread.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Signal, Slot

log = logging.getLogger(__name__)

Done = Callable[[Any], None]
Failed = Callable[[BaseException], None]


class Delivery(QObject):
    """Lives on the GUI thread; signals emitted from workers are queued to it."""

    delivered = Signal(object, object)  # (callback, value)

    def __init__(self) -> None:
        super().__init__()
        self.delivered.connect(self._deliver)

    @Slot(object, object)
    def _deliver(self, callback: Callable[[Any], None], value: Any) -> None:
        callback(value)

    def hop(self, callback: Callable[[Any], None] | None, value: Any) -> None:
        """Call `callback(value)` on the GUI thread (queued when called from elsewhere)."""
        if callback is not None:
            self.delivered.emit(callback, value)


def _log_failure(exc: BaseException) -> None:
    log.error("background ledger work failed", exc_info=exc)


class DbLane:
    """One worker thread with its own Ledger; `submit(fn)` runs `fn(ledger)` there."""

    def __init__(self, name: str, db: Path, delivery: Delivery) -> None:
        self.name = name
        self._db = db
        self._delivery = delivery
        self._local = threading.local()
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix=f"fincast-{name}")
        self._ledgers: list[Any] = []
        self.closed = False

    def _ledger(self) -> Any:
        ledger = getattr(self._local, "ledger", None)
        if ledger is None:
            from data.ledger import Ledger

            ledger = Ledger.open(self._db)
            self._local.ledger = ledger
            self._ledgers.append(ledger)
        return ledger

    def submit(
        self,
        fn: Callable[[Any], Any],
        done: Done | None = None,
        failed: Failed | None = None,
    ) -> Future[Any] | None:
        """Run `fn(ledger)` on this lane; `done`/`failed` are called on the GUI thread.

        After close() nothing runs (late callbacks of a closing window ask for work): None.
        """
        if self.closed:
            log.debug("the %s lane is closed; dropping late work", self.name)
            return None

        def job() -> Any:
            try:
                value = fn(self._ledger())
            except BaseException as exc:
                self._delivery.hop(failed or _log_failure, exc)
                raise
            self._delivery.hop(done, value)
            return value

        return self._pool.submit(job)

    def close(self) -> None:
        """Finish queued work, then close this lane's ledger on its own thread."""
        if self.closed:
            return
        self.closed = True

        def shut(_: Any) -> None:
            ledger = getattr(self._local, "ledger", None)
            if ledger is not None:
                ledger.close()
                self._local.ledger = None

        try:
            self._pool.submit(lambda: shut(None)).result(timeout=30)
        except Exception:  # the lane is going away either way; say so in the log
            log.exception("closing the %s lane failed", self.name)
        self._pool.shutdown(wait=True, cancel_futures=True)
