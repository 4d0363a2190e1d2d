"""A replica slot and a running service as the hub's I/O thread holds them, and when each can serve.

Plain data plus the pure judgement "can this service answer before that deadline, and if not, why"
that makes the broker fail fast. Touched only on the hub's I/O thread (``status`` copies under the
hub's lock). This module must never start a process or touch a socket.
"""

from __future__ import annotations

import time
from collections import deque
from dataclasses import dataclass, field
from enum import StrEnum

from supervisor.metrics import LatencyWindow, ServiceMetrics
from supervisor.policy import RestartPolicy
from supervisor.spawn import Child
from supervisor.spec import ServiceSpec
from supervisor.states import SERVING, State


class Then(StrEnum):
    """What happens to a replica asked to go, once its process has exited."""

    STOP = "stop"  # stays, stopped (hub stop)
    REMOVE = "remove"  # leaves the service (scale down, replaced by a reload)
    RESTART = "restart"  # starts again at once (restart / Retry)


@dataclass(eq=False)
class Replica:
    """One replica slot of a service and its current process."""

    service: str
    index: int
    state: State = State.STOPPED
    since: float = field(default_factory=time.time)
    reason: str = ""
    restarts: int = 0
    last_exit: int | None = None
    child: Child | None = None
    pid: int | None = None
    token: str = ""
    identity: bytes | None = None
    generation: int = 0
    launched: float = 0.0  # monotonic
    last_seen: float = 0.0  # monotonic, any frame from it
    timer: float | None = None  # monotonic time of the next scheduled step (backoff, retry, stop)
    then: Then | None = None  # set when it was asked to go
    stop_stage: int = 0  # 1 DISCONNECT sent, 2 terminated, 3 killed
    replaces: Replica | None = None  # during a rolling reload: the replica this one takes over from
    leaving: bool = False  # it said DISCONNECT itself
    # Requests it is running (id -> when it counts as stuck), even ones the hub already gave up on.
    working: dict[str, float] = field(default_factory=dict)
    rss_reported: float | None = None
    latency: LatencyWindow = field(default_factory=lambda: LatencyWindow(512))

    def row(self) -> dict[str, object]:
        """Its ``Hub.status()`` row, without rss_mb (read from the OS by the caller)."""
        return {
            "service": self.service,
            "replica": self.index,
            "pid": self.pid if self.child is not None else None,
            "state": str(self.state),
            "restarts": self.restarts,
            "since": self.since,
            "last_exit": self.last_exit,
            "p50_ms": self.latency.percentile_ms(50),
            "p99_ms": self.latency.percentile_ms(99),
            "rss_mb": None,
        }


@dataclass(eq=False)
class ServiceRun:
    """A service's spec, restart policy, metrics and replicas while the hub runs it."""

    spec: ServiceSpec
    policy: RestartPolicy
    metrics: ServiceMetrics = field(default_factory=ServiceMetrics)
    replicas: list[Replica] = field(default_factory=list)
    reloading: deque[Replica] = field(default_factory=deque)
    start_s: float | None = None  # smoothed launch-to-READY time, for "can it serve in time"
    next_heartbeat: float = 0.0

    @property
    def name(self) -> str:
        """The service's name."""
        return self.spec.name

    def serving(self) -> bool:
        """Some replica is ready or busy."""
        return any(r.state in SERVING for r in self.replicas)


def ready_eta(svc: ServiceRun, r: Replica, now: float) -> float | None:
    """When ``r`` can probably take a request (``now`` if it can), or None if it will not."""
    start = svc.start_s or 0.0
    if r.then in (Then.STOP, Then.REMOVE) or r.leaving:
        eta = None
    elif r.then is Then.RESTART:
        eta = now + start
    elif r.state in SERVING:
        eta = now
    elif r.state is State.STARTING:
        eta = r.launched + start
    elif r.state in (State.UNHEALTHY, State.CRASHED):
        eta = now + svc.spec.backoff_initial_s + start
    elif r.state is State.BACKOFF and r.timer is not None:
        eta = r.timer + start
    else:
        eta = None  # failed or stopped
    return eta


def why_not(svc: ServiceRun, deadline: float, now: float) -> str:
    """Empty when some replica can serve before ``deadline``, else one sentence saying why not."""
    for r in svc.replicas:
        eta = ready_eta(svc, r, now)
        if eta is not None and eta <= deadline:
            return ""
    states = [str(r.state) for r in svc.replicas]
    if not states:
        return f"{svc.name} has no replicas (scaled to 0)"
    if all(s == "failed" for s in states):
        return f"{svc.name} has failed ({svc.replicas[0].reason}); it is retried later"
    if all(s == "stopped" for s in states):
        return f"{svc.name} is stopped"
    return f"no replica of {svc.name} can be ready before the deadline ({', '.join(states)})"
