"""A thin Qt adapter over the supervisor hub: futures become queued signals, hub events become
signals, and per-service health is kept in a `HealthBoard` that the views read.

The hub is started on a background thread after the window shows, so the window never waits for a
sidecar. When the supervisor package is missing or the hub cannot start, every service reads as
unavailable with the reason, and a retry is scheduled. Nothing here blocks the GUI thread, and no
callback of ours ever runs on a hub thread: everything hops through a queued signal.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal, Slot

from desktop.health import SERVICES, HealthBoard, ServiceHealth

log = logging.getLogger(__name__)

START_RETRY_S = 15.0


class HubDown(Exception):
    """The hub is not running, so no request can be served."""


class HubAdapter(QObject):
    """Owns the hub for the desktop; all signals arrive on the GUI thread."""

    health_changed = Signal(str)  # service
    log_line = Signal(str, str)  # service, line
    status_ready = Signal(list)  # hub.status() rows
    logs_ready = Signal(str, list)  # service, its recent log lines (hub's and the process's)
    started = Signal()
    _event = Signal(object)
    _call = Signal(object, object)  # (callback, value)

    def __init__(
        self,
        factory: Callable[[], Any] | None = None,
        services: tuple[str, ...] = SERVICES,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._factory = factory
        self.services = services
        self.board = HealthBoard()
        self.hub: Any = None
        self.logs: dict[str, list[str]] = {s: [] for s in services}
        self._pool = ThreadPoolExecutor(max_workers=2, thread_name_prefix="fincast-hub")
        self._closing = False
        self._starting = False
        self._unsubscribe: Callable[[], None] | None = None
        self._event.connect(self._on_event)
        self._call.connect(self._on_call)
        self._retry_timer = QTimer(self)
        self._retry_timer.setSingleShot(True)
        self._retry_timer.timeout.connect(self.start)
        for service in services:
            self.board.set_missing(service, "is starting")

    # -- life ------------------------------------------------------------------------------
    def start(self) -> None:
        """Start the hub on a background thread; health signals follow as sidecars come up."""
        if self._closing or self._starting or self.hub is not None:
            return
        self._starting = True
        self._pool.submit(self._start_in_thread)

    def _make_hub(self) -> Any:
        if self._factory is not None:
            return self._factory()
        from supervisor import Hub

        return Hub()

    def _start_in_thread(self) -> None:
        try:
            hub = self._make_hub()
            unsubscribe = hub.subscribe(self._event.emit)
            hub.start()
        except ImportError as exc:
            self._call.emit(self._start_failed, f"cannot run: {exc}")
            return
        except Exception as exc:
            log.exception("the hub did not start")
            self._call.emit(self._start_failed, f"cannot run: the supervisor did not start ({exc})")
            return
        self._call.emit(self._start_done, (hub, unsubscribe))

    def _start_done(self, value: tuple[Any, Any]) -> None:
        hub, unsubscribe = value
        self._starting = False
        if self._closing:
            self._pool.submit(hub.stop)
            return
        self.hub = hub
        self._unsubscribe = unsubscribe if callable(unsubscribe) else None
        self.started.emit()
        self.refresh_status()

    def _start_failed(self, reason: str) -> None:
        self._starting = False
        retry_at = time.time() + START_RETRY_S
        for service in self.services:
            self.board.set_missing(service, reason, retry_at)
            self.health_changed.emit(service)
        if not self._closing:
            self._retry_timer.start(int(START_RETRY_S * 1000))

    def stop(self, timeout: float = 10.0) -> None:
        """Stop the hub and its sidecars (called once, when the window closes)."""
        self._closing = True
        self._retry_timer.stop()
        hub, self.hub = self.hub, None
        if self._unsubscribe is not None:
            try:
                self._unsubscribe()
            except Exception:
                log.exception("unsubscribing from the hub failed")
        if hub is not None:
            done = threading.Event()

            def stop_hub() -> None:
                try:
                    hub.stop(timeout=timeout)
                finally:
                    done.set()

            self._pool.submit(stop_hub)
            done.wait(timeout + 5)  # closing: the window is gone, waiting here is what we want
        self._pool.shutdown(wait=False, cancel_futures=True)

    # -- health ----------------------------------------------------------------------------
    def health(self, service: str) -> ServiceHealth:
        """The service's health now."""
        return self.board.health(service)

    @Slot(object)
    def _on_event(self, event: Any) -> None:
        if not isinstance(event, dict):
            return
        if event.get("type") == "log":
            service = str(event.get("service", ""))
            line = str(event.get("line", ""))
            lines = self.logs.setdefault(service, [])
            lines.append(line)
            del lines[:-200]
            self.log_line.emit(service, line)
            return
        changed = self.board.apply(event)
        if changed:
            self.health_changed.emit(changed)

    def refresh_status(self) -> None:
        """Ask the hub for its replica table; `status_ready` carries it (and health follows)."""
        hub = self.hub
        if hub is None:
            return
        self._pool.submit(self._status_in_thread, hub)

    def _status_in_thread(self, hub: Any) -> None:
        try:
            rows = list(hub.status())
        except Exception:
            log.exception("hub.status() failed")
            return
        self._call.emit(self._status_done, rows)

    def _status_done(self, rows: list[dict[str, Any]]) -> None:
        for row in rows:
            event = {"type": "state", **row}
            changed = self.board.apply(event, snapshot=True)
            if changed:
                self.health_changed.emit(changed)
        self.status_ready.emit(rows)

    def fetch_logs(self, service: str, lines: int = 60) -> None:
        """Read the tail of a service's log files off the GUI thread; `logs_ready` carries it."""
        if self._closing:
            return

        def read() -> None:
            try:
                from supervisor.config import log_dir
                from supervisor.logs import tail
            except ImportError:
                return
            folder = log_dir()
            found = tail(folder / f"{service}.log", lines, 64 * 1024)
            output = tail(folder / f"{service}.0.out", lines // 2, 32 * 1024)
            if output:
                found += ["", f"— output of {service} replica 0 —", *output]
            self._call.emit(lambda value: self.logs_ready.emit(service, value), found)

        self._pool.submit(read)

    def restart(self, service: str) -> None:
        """Restart a service (also how a failed service is retried)."""
        hub = self.hub
        if hub is None:
            self.start()
            return

        def go() -> None:
            try:
                hub.restart(service)
            except Exception:
                log.exception("restarting %s failed", service)
            self._call.emit(lambda _: self.refresh_status(), None)

        self._pool.submit(go)

    # -- requests --------------------------------------------------------------------------
    def request(
        self,
        service: str,
        method: str,
        params: dict[str, Any],
        *,
        timeout: float = 10.0,
        done: Callable[[dict[str, Any]], None] | None = None,
        failed: Callable[[BaseException], None] | None = None,
    ) -> None:
        """Send a request; `done(result)` or `failed(exc)` is called later on the GUI thread."""
        hub = self.hub
        if hub is None:
            reason = self.health(service).sentence()
            if failed is not None:
                QTimer.singleShot(0, lambda: failed(HubDown(reason)))
            return
        try:
            future: Future[dict[str, Any]] = hub.request(service, method, params, timeout=timeout)
        except Exception as exc:  # e.g. an unknown service: reported like any failure
            if failed is not None:
                QTimer.singleShot(0, lambda err=exc: failed(err))
            return

        def finished(fut: Future[dict[str, Any]]) -> None:
            exc = fut.exception()
            if exc is not None:
                if failed is not None:
                    self._call.emit(failed, exc)
            elif done is not None:
                self._call.emit(done, fut.result())

        future.add_done_callback(finished)

    @Slot(object, object)
    def _on_call(self, callback: Callable[[Any], None], value: Any) -> None:
        callback(value)
