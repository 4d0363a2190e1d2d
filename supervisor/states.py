"""The life cycle of a sidecar replica: its states and the ONE table of allowed transitions.

Every state change in the hub goes through ``check``; a move that the table does not allow is a bug
in the hub and raises at once. This module must never know about processes or sockets.
"""

from __future__ import annotations

from enum import StrEnum


class State(StrEnum):
    """A replica's state; the values are the strings that ``Hub.status()`` and events carry."""

    STARTING = "starting"  # launched, not yet READY
    READY = "ready"  # idle, can take a request
    BUSY = "busy"  # holding a request
    UNHEALTHY = "unhealthy"  # missed heartbeats, past a deadline or too slow to start: being killed
    CRASHED = "crashed"  # its process exited without being asked to
    BACKOFF = "backoff"  # waiting before the next start
    FAILED = "failed"  # circuit open: not restarted until a slow retry or the user's Retry
    STOPPED = "stopped"  # asked to stop and gone


_S = State
TRANSITIONS: dict[State, frozenset[State]] = {
    _S.STARTING: frozenset({_S.READY, _S.UNHEALTHY, _S.CRASHED, _S.STOPPED}),
    _S.READY: frozenset({_S.BUSY, _S.UNHEALTHY, _S.CRASHED, _S.STOPPED}),
    _S.BUSY: frozenset({_S.READY, _S.UNHEALTHY, _S.CRASHED, _S.STOPPED}),
    _S.UNHEALTHY: frozenset({_S.CRASHED, _S.STOPPED}),
    _S.CRASHED: frozenset({_S.BACKOFF, _S.FAILED, _S.STOPPED}),
    _S.BACKOFF: frozenset({_S.STARTING, _S.FAILED, _S.STOPPED}),
    _S.FAILED: frozenset({_S.STARTING, _S.STOPPED}),
    _S.STOPPED: frozenset({_S.STARTING}),
}
"""Allowed moves: ``TRANSITIONS[a]`` is every state a replica in ``a`` may go to next."""

ALIVE = frozenset({_S.STARTING, _S.READY, _S.BUSY, _S.UNHEALTHY})
"""States in which the replica has a running process."""

SERVING = frozenset({_S.READY, _S.BUSY})
"""States in which the replica has said READY and answers requests."""


class TransitionError(RuntimeError):
    """A state change the table does not allow (a hub bug, never an environment problem)."""


def allowed(current: State, target: State) -> bool:
    """Whether ``current -> target`` is in the table."""
    return target in TRANSITIONS[current]


def check(current: State, target: State) -> State:
    """Return ``target`` if the move is allowed, else raise TransitionError."""
    if target not in TRANSITIONS[current]:
        raise TransitionError(f"a replica cannot go from {current} to {target}")
    return target
