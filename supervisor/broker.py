"""The broker's bookkeeping: requests queued per service, idle replicas, who holds what, deadlines.

Majordomo-style, with a few requests in flight per replica (its free *slots*, as many as the
sidecar has workers): a request goes to the replica holding the fewest, the longest-free first, and
comes back to the head of its queue when the replica holding it dies. A replica holding any is
``busy``. Pure data structures driven by the hub's I/O thread on a caller-given clock: this
module must never touch a socket, a process, a lock or a future's callbacks.
"""

from __future__ import annotations

import heapq
import itertools
from collections import deque
from collections.abc import Hashable
from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import Any


@dataclass(eq=False, slots=True)
class Pending:
    """One request from submission to its answer; ``deadline`` is on the monotonic clock."""

    id: str
    service: str
    method: str
    params: dict[str, Any]
    timeout_s: float
    deadline: float
    future: Future[dict[str, Any]]
    submitted: float
    idempotent: bool = True
    attempts: int = 0  # deliveries so far
    holder: Hashable | None = None  # the replica holding it, if dispatched
    dispatched_at: float = 0.0
    started: bool = False  # its future has been moved to running (once, on first delivery)
    done: bool = False


@dataclass
class _Queue:
    waiting: deque[Pending] = field(default_factory=deque)
    free: dict[Hashable, int] = field(default_factory=dict)  # replica -> free slots, oldest first


class Broker:
    """Queues, idle replicas and deadlines of every service."""

    def __init__(self) -> None:
        self._queues: dict[str, _Queue] = {}
        self._held: dict[Hashable, list[Pending]] = {}
        self._by_id: dict[str, Pending] = {}
        self._deadlines: list[tuple[float, int, Pending]] = []
        self._seq = itertools.count()

    def _queue(self, service: str) -> _Queue:
        q = self._queues.get(service)
        if q is None:  # (not setdefault: that builds a _Queue on every call, once per request)
            q = self._queues[service] = _Queue()
        return q

    # requests

    def submit(self, pending: Pending) -> None:
        """Queue a new request at the tail of its service's queue."""
        self._by_id[pending.id] = pending
        self._queue(pending.service).waiting.append(pending)
        self._watch(pending)

    def take(self, pending: Pending, now: float) -> Hashable | None:
        """A new request straight to a free slot when none waits before it (then registered and
        held, as ``submit`` + ``dispatch`` would); None leaves it to them."""
        q = self._queues.get(pending.service)
        if q is None or q.waiting or not q.free:
            return None
        self._by_id[pending.id] = pending
        self._watch(pending)
        return self._hold(q, pending, now)

    def _hold(self, q: _Queue, pending: Pending, now: float) -> Hashable:
        free = q.free
        replica = next(iter(free)) if len(free) == 1 else min(free, key=self._load)
        free[replica] -= 1
        if not free[replica]:
            del free[replica]  # back at the end when a slot frees: longest-free first
        pending.holder = replica
        pending.attempts += 1
        pending.dispatched_at = now
        held = self._held.get(replica)
        if held is None:
            self._held[replica] = [pending]
        else:
            held.append(pending)
        return replica

    def requeue(self, pending: Pending) -> None:
        """Put a request back at the head of its queue (its replica died, or it was never sent)."""
        self._unhold(pending)
        self._queue(pending.service).waiting.appendleft(pending)

    def _unhold(self, pending: Pending) -> None:
        held = self._held.get(pending.holder) if pending.holder is not None else None
        if held is not None and pending in held:
            held.remove(pending)
        pending.holder = None

    def extend(self, pending: Pending, deadline: float) -> None:
        """Move a request's deadline later (a PROGRESS report)."""
        if deadline > pending.deadline:
            pending.deadline = deadline
            self._watch(pending)

    def _watch(self, pending: Pending) -> None:
        heapq.heappush(self._deadlines, (pending.deadline, next(self._seq), pending))

    def get(self, request_id: str) -> Pending | None:
        """The live request with this id, if any (a late reply finds none)."""
        return self._by_id.get(request_id)

    def finish(self, pending: Pending) -> None:
        """Forget a request that has been answered (or failed); frees its holder for more work."""
        if pending.done:
            return
        pending.done = True
        self._by_id.pop(pending.id, None)
        if pending.holder is not None:
            self._unhold(pending)
        else:
            waiting = self._queue(pending.service).waiting
            if pending in waiting:
                waiting.remove(pending)

    def held_by(self, replica: Hashable) -> list[Pending]:
        """The live requests a replica holds."""
        return list(self._held.get(replica, ()))

    def waiting(self, service: str) -> list[Pending]:
        """The requests of a service not yet given to a replica, oldest first."""
        return list(self._queue(service).waiting)

    # replicas

    def idle(self, service: str, replica: Hashable, slots: int = 1) -> None:
        """``slots`` more requests may go to this replica of ``service``."""
        free = self._queue(service).free
        free[replica] = free.get(replica, 0) + slots

    def has_waiting(self, service: str) -> bool:
        """Some request of ``service`` waits for a replica."""
        q = self._queues.get(service)
        return q is not None and bool(q.waiting)

    def has_free(self, service: str) -> bool:
        """Some replica of ``service`` can take a request now."""
        q = self._queues.get(service)
        return q is not None and bool(q.free)

    def close(self, service: str, replica: Hashable) -> None:
        """No new work for this replica (what it holds stays held)."""
        self._queue(service).free.pop(replica, None)

    def withdraw(self, service: str, replica: Hashable) -> list[Pending]:
        """A replica leaves (it died, or is retired): no more work; returns what it held."""
        self.close(service, replica)
        held = self._held.pop(replica, [])
        for pending in held:
            pending.holder = None
        return held

    def dispatch(self, service: str, now: float) -> list[tuple[Hashable, Pending]]:
        """Pair waiting requests with free slots (the replica holding fewest first); marks held."""
        q = self._queue(service)
        out = []
        while q.waiting and q.free:
            pending = q.waiting.popleft()
            if not pending.done:
                out.append((self._hold(q, pending, now), pending))
        return out

    def _load(self, replica: Hashable) -> int:
        return len(self._held.get(replica, ()))

    # deadlines

    def expired(self, now: float) -> list[Pending]:
        """Requests whose deadline has passed (still registered; the caller finishes them)."""
        out = []
        while self._deadlines and self._deadlines[0][0] <= now:
            deadline, _, pending = heapq.heappop(self._deadlines)
            if not pending.done and pending.deadline == deadline:
                out.append(pending)
        return out

    def next_deadline(self) -> float | None:
        """The earliest deadline still pending, if any."""
        while self._deadlines:
            deadline, _, pending = self._deadlines[0]
            if pending.done or pending.deadline != deadline:
                heapq.heappop(self._deadlines)
                continue
            return deadline
        return None

    def all_pending(self) -> list[Pending]:
        """Every live request (queued or held)."""
        return list(self._by_id.values())
