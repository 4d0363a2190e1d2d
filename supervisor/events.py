"""Fan-out of hub events (state changes, logs, restarts) to subscribers, on a thread of its own.

The I/O thread only enqueues; callbacks run here, so a slow or failing subscriber can never stall
the broker. A subscriber that raises is logged and stays subscribed. This module must never call a
subscriber while holding a lock.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable
from typing import Any

Event = dict[str, Any]
Callback = Callable[[Event], None]

_log = logging.getLogger(__name__)


class EventBus:
    """Delivers each published event to every subscriber, in order, on one thread."""

    def __init__(self) -> None:
        self._subscribers: tuple[Callback, ...] = ()
        self._lock = threading.Lock()
        self._queue: queue.SimpleQueue[Event | None] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        """Start the delivery thread."""
        if self._thread is None:
            self._thread = threading.Thread(
                target=self._run, name="fincast-hub-events", daemon=True
            )
            self._thread.start()

    def subscribe(self, callback: Callback) -> Callable[[], None]:
        """Add a subscriber; returns the function that removes it."""
        with self._lock:
            self._subscribers = (*self._subscribers, callback)

        def unsubscribe() -> None:
            with self._lock:
                self._subscribers = tuple(s for s in self._subscribers if s is not callback)

        return unsubscribe

    def publish(self, event: Event) -> None:
        """Queue an event (stamped with ``time``) for delivery."""
        event.setdefault("time", time.time())
        self._queue.put(event)

    def close(self, timeout: float = 2.0) -> None:
        """Deliver what is queued, then stop the thread."""
        self._queue.put(None)
        thread, self._thread = self._thread, None
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout)  # a subscriber may be the one stopping the hub: never self-join

    def _run(self) -> None:
        while True:
            event = self._queue.get()
            if event is None:
                return
            for callback in self._subscribers:
                try:
                    callback(event)
                except Exception:
                    _log.exception("a hub event subscriber raised on %s", event.get("type"))
