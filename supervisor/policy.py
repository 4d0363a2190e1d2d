"""The restart policy of one service: what to do when a replica's process exits unasked.

one_for_one: only the replica that died is restarted: at once the first time (a model that was away
costs the user; one crash is not a loop), then after an exponential backoff with jitter that resets
once the replica has run healthy for ``healthy_s``. More than ``max_restarts`` restarts within
``window_s`` opens the circuit (the service is ``failed``) until a slow background retry (half-open:
one quick death opens it again) or the user's Retry (closed: a fresh window). The config-error
exit code is never restarted. Pure logic on a caller-given clock: this module must never sleep,
spawn or touch a socket.
"""

from __future__ import annotations

import random
from collections import deque
from dataclasses import dataclass
from enum import StrEnum

from supervisor.spec import ServiceSpec


class Action(StrEnum):
    """What the hub does with a replica whose process exited."""

    RESTART = "restart"  # after `delay_s`
    FAIL = "fail"  # circuit open: retry in `delay_s` (the slow background retry)
    CONFIG_ERROR = "config_error"  # no automatic restart; only the user's Retry


@dataclass(frozen=True)
class Decision:
    """The policy's answer for one exit: the action, the delay before acting, and why."""

    action: Action
    delay_s: float
    reason: str


class RestartPolicy:
    """Backoff per replica and the intensity window per service, for one ServiceSpec."""

    def __init__(self, spec: ServiceSpec, rng: random.Random | None = None) -> None:
        self.spec = spec
        self._rng = rng or random.Random()
        self._restarts: deque[float] = deque()  # times of recent restarts, oldest first
        self._streak: dict[int, int] = {}  # replica -> consecutive quick deaths
        self._half_open = False  # a background retry is probing: one quick death re-opens

    def on_exit(self, replica: int, exit_code: int | None, now: float, ran_s: float) -> Decision:
        """Decide for ``replica`` that exited with ``exit_code`` at ``now`` after ``ran_s`` up."""
        spec = self.spec
        if exit_code == spec.config_exit_code:
            return Decision(
                Action.CONFIG_ERROR,
                0.0,
                f"exited with the config-error code {exit_code}: not restarted until Retry",
            )
        if ran_s >= spec.healthy_s:
            self._streak[replica] = 0
            self._half_open = False
        if self._half_open:
            return Decision(
                Action.FAIL,
                spec.failed_retry_s,
                f"died again {ran_s:.1f} s after a background retry: circuit open",
            )
        streak = self._streak.get(replica, 0)
        while self._restarts and self._restarts[0] <= now - spec.window_s:
            self._restarts.popleft()
        if len(self._restarts) >= spec.max_restarts:
            return Decision(
                Action.FAIL,
                spec.failed_retry_s,
                f"{len(self._restarts) + 1} exits within {spec.window_s:g} s "
                f"(max_restarts={spec.max_restarts}): circuit open",
            )
        self._streak[replica] = streak + 1
        self._restarts.append(now)
        return Decision(Action.RESTART, self.backoff(streak), f"exit code {exit_code}")

    def backoff(self, streak: int) -> float:
        """Delay before restart ``streak + 1`` in a row: 0, then exponential, capped, jittered."""
        if streak <= 0:
            return 0.0
        spec = self.spec
        grown = spec.backoff_initial_s * spec.backoff_factor ** min(streak - 1, 60)
        base = min(spec.backoff_max_s, grown)
        jitter = spec.backoff_jitter
        return base * self._rng.uniform(1 - jitter, 1 + jitter)

    def reset(self) -> None:
        """Close the circuit and forget every streak (the user's Retry)."""
        self._restarts.clear()
        self._streak.clear()
        self._half_open = False

    def half_open(self) -> None:
        """A background retry: let one start through; a quick death opens the circuit again."""
        self._restarts.clear()
        self._half_open = True
