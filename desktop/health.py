"""What the desktop knows about each model service: ready, degraded, unavailable or failed,
with a reason a person understands and when the next retry happens.

Pure Python (no Qt): `HealthBoard.apply(event)` folds the hub's state events into one
`ServiceHealth` per service. It must never talk to the hub itself; the adapter feeds it.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from enum import Enum

SERVICES = ("categorizer", "forecaster", "insights", "advisor")

# What each service gives the user, for the "what is missing" lines in the views.
PURPOSE = {
    "categorizer": "Automatic categories are",
    "forecaster": "Spending forecasts are",
    "insights": "Subscription and unusual-charge alerts are",
    "advisor": "The safe-to-set-aside figure is",
}


class Level(Enum):
    """How usable a service is right now."""

    READY = "ready"
    DEGRADED = "degraded"  # answering, but some replicas are down or it is struggling
    UNAVAILABLE = "unavailable"  # not answering now; the supervisor is bringing it back
    FAILED = "failed"  # given up after repeated crashes; needs Retry (or the slow retry)


# Hub replica states (DESIGN.md "Supervision") -> how that replica counts.
_REPLICA_LEVEL = {
    "ready": Level.READY,
    "busy": Level.READY,
    "unhealthy": Level.DEGRADED,
    "starting": Level.UNAVAILABLE,
    "crashed": Level.UNAVAILABLE,
    "backoff": Level.UNAVAILABLE,
    "stopped": Level.UNAVAILABLE,
    "failed": Level.FAILED,
}


@dataclass
class Replica:
    """The last known state of one replica of a service."""

    state: str = "starting"
    reason: str = ""
    retry_at: float | None = None  # time.time() of the next restart attempt, when known
    restarts: int = 0
    last_exit: int | None = None
    pid: int | None = None


@dataclass
class ServiceHealth:
    """One service's health as the views show it."""

    service: str
    level: Level
    reason: str = ""
    retry_at: float | None = None

    @property
    def ok(self) -> bool:
        """True when requests to this service are expected to succeed."""
        return self.level in (Level.READY, Level.DEGRADED)

    def sentence(self, now: float | None = None) -> str:
        """One line for a banner: what is missing, why, and when it is retried."""
        what = PURPOSE.get(self.service, f"The {self.service} is")
        if self.level is Level.READY:
            return f"The {self.service} is running."
        if self.level is Level.DEGRADED:
            why = self.reason or "a replica is down"
            return f"The {self.service} is running with reduced capacity ({why})."
        text = f"{what} unavailable: the {self.service} {self.reason or 'is not running'}."
        if self.retry_at is not None:
            wait = max(0, round(self.retry_at - (now if now is not None else time.time())))
            text += f" Retrying in {wait} s." if wait else " Retrying now."
        elif self.level is Level.FAILED:
            text += " Press Retry on the Services page to try again."
        return text


def _reason(replica: Replica) -> str:  # noqa: PLR0911 (one answer per case reads best)
    """A phrase that completes "the categorizer ...", from the state and the hub's reason."""
    state, why = replica.state, replica.reason
    detail = f" ({why})" if why else ""
    if state == "starting":
        return f"is restarting after a crash{detail}" if replica.restarts else "is starting"
    if state == "crashed":
        return f"crashed{detail}"
    if state == "backoff":
        return f"crashed{detail} and is restarting"
    if state == "failed":
        return f"kept crashing and was stopped{detail}"
    if state == "stopped":
        return "is stopped"
    if state == "unhealthy":
        return f"is not responding{detail}"
    return f"is {state}"


@dataclass
class HealthBoard:
    """Per-service, per-replica state folded from hub events."""

    replicas: dict[str, dict[int, Replica]] = field(default_factory=dict)
    # service -> (why it cannot run at all, when that is retried)
    missing: dict[str, tuple[str, float | None]] = field(default_factory=dict)

    def set_missing(self, service: str, reason: str, retry_at: float | None = None) -> None:
        """Mark a service as unavailable for a reason outside the hub (e.g. no supervisor)."""
        self.missing[service] = (reason, retry_at)

    def clear_missing(self, service: str) -> None:
        """Forget a reason set by set_missing()."""
        self.missing.pop(service, None)

    def apply(self, event: dict[str, object], *, snapshot: bool = False) -> str | None:
        """Fold one hub event in; returns the service it changed, or None.

        `snapshot` marks a row of hub.status(): it has no reason or retry time, so those are
        kept from the events unless the state itself changed.
        """
        if event.get("type") != "state":
            return None
        service = str(event.get("service", ""))
        if not service:
            return None
        replica_no = event.get("replica", 0)
        index = replica_no if isinstance(replica_no, int) else 0
        rep = self.replicas.setdefault(service, {}).setdefault(index, Replica())
        previous = rep.state
        before = (rep.state, rep.restarts, rep.pid, rep.last_exit, service in self.missing)
        rep.state = str(event.get("state", rep.state))
        for key in ("restarts", "pid"):
            value = event.get(key)
            if isinstance(value, int):
                setattr(rep, key, value)
        for key in ("last_exit", "exit_code"):
            value = event.get(key)
            if isinstance(value, int):
                rep.last_exit = value
        self.missing.pop(service, None)
        if snapshot and previous == rep.state:
            # A status row that says what the board knows is no news: answering it as a change
            # woke every listener (banner, lights, the categorize pump) on every poll.
            after = (rep.state, rep.restarts, rep.pid, rep.last_exit, False)
            return service if after != before else None
        reason = str(event.get("reason") or "")
        if rep.state == "backoff" and previous in ("crashed", "backoff", "unhealthy"):
            # The hub's backoff reason is only the delay; keep saying why it crashed.
            reason = rep.reason
        elif rep.state in ("backoff", "starting") and (rep.state == "backoff" or rep.restarts):
            reason = f"exit code {rep.last_exit}" if rep.last_exit is not None else ""
        rep.reason = reason
        retry_at = event.get("retry_at")
        retry_in = event.get("retry_in_s")
        if isinstance(retry_at, int | float):
            rep.retry_at = float(retry_at)
        elif isinstance(retry_in, int | float):
            rep.retry_at = time.time() + float(retry_in)
        else:
            rep.retry_at = None
        return service

    def health(self, service: str) -> ServiceHealth:  # noqa: PLR0911 (one answer per case reads best)
        """The service's health as the views show it."""
        if service in self.missing:
            reason, retry_at = self.missing[service]
            return ServiceHealth(service, Level.UNAVAILABLE, reason, retry_at)
        reps = self.replicas.get(service)
        if not reps:
            return ServiceHealth(service, Level.UNAVAILABLE, "is starting")
        levels = [_REPLICA_LEVEL.get(r.state, Level.UNAVAILABLE) for r in reps.values()]
        if all(level is Level.READY for level in levels):
            return ServiceHealth(service, Level.READY)
        if any(level is Level.READY for level in levels):
            down = [r for r in reps.values() if _REPLICA_LEVEL.get(r.state) is not Level.READY]
            return ServiceHealth(
                service, Level.DEGRADED, f"{len(down)} of {len(reps)} replicas down"
            )
        if all(level is Level.FAILED for level in levels):
            rep = next(iter(reps.values()))
            return ServiceHealth(service, Level.FAILED, _reason(rep), rep.retry_at)
        if any(level is Level.DEGRADED for level in levels):
            rep = next(r for r in reps.values() if r.state == "unhealthy")
            return ServiceHealth(service, Level.DEGRADED, _reason(rep))
        rep = min(reps.values(), key=lambda r: r.retry_at if r.retry_at is not None else 1e300)
        retries = [r.retry_at for r in reps.values() if r.retry_at is not None]
        return ServiceHealth(
            service, Level.UNAVAILABLE, _reason(rep), min(retries) if retries else None
        )
