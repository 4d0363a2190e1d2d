"""The replica state table: the path DESIGN.md draws is allowed, shortcuts are not."""

from __future__ import annotations

import itertools

import pytest

from supervisor.states import ALIVE, SERVING, TRANSITIONS, State, TransitionError, allowed, check


def test_every_state_has_a_row_and_values_are_the_design_strings() -> None:
    assert set(TRANSITIONS) == set(State)
    assert [s.value for s in State] == [
        "starting",
        "ready",
        "busy",
        "unhealthy",
        "crashed",
        "backoff",
        "failed",
        "stopped",
    ]


def test_the_design_life_cycle_is_allowed() -> None:
    path = ["starting", "ready", "busy", "ready", "busy", "unhealthy", "crashed", "backoff"]
    path += ["starting", "ready", "stopped", "starting", "crashed", "failed", "starting"]
    for a, b in itertools.pairwise(path):
        assert check(State(a), State(b)) is State(b)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("starting", "busy"),  # never handed work before READY
        ("crashed", "ready"),  # a dead process cannot be ready
        ("backoff", "ready"),
        ("failed", "ready"),
        ("stopped", "ready"),
        ("unhealthy", "ready"),  # condemned replicas are killed, never forgiven
        ("ready", "backoff"),
        ("ready", "starting"),
    ],
)
def test_shortcuts_are_refused(a: str, b: str) -> None:
    assert not allowed(State(a), State(b))
    with pytest.raises(TransitionError, match=f"from {a} to {b}"):
        check(State(a), State(b))


def test_every_state_can_reach_stopped_or_is_stopped() -> None:
    for state in State:
        assert state is State.STOPPED or allowed(state, State.STOPPED)


def test_alive_and_serving_sets() -> None:
    assert SERVING < ALIVE
    assert State.BACKOFF not in ALIVE and State.FAILED not in ALIVE
