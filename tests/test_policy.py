"""Restart policy: backoff with jitter, healthy reset, intensity window, config errors."""

from __future__ import annotations

import random

import pytest

from supervisor.policy import Action, RestartPolicy
from supervisor.spec import ServiceSpec


def _policy(**fields: object) -> RestartPolicy:
    spec = ServiceSpec("svc", module="m", **fields)  # type: ignore[arg-type]
    return RestartPolicy(spec, random.Random(7))


def test_backoff_grows_exponentially_within_the_jitter_band_and_is_capped() -> None:
    policy = _policy(
        backoff_initial_s=0.1,
        backoff_factor=2.0,
        backoff_max_s=1.0,
        backoff_jitter=0.2,
        max_restarts=100,
    )
    delays = [policy.on_exit(0, 1, now=float(i), ran_s=0.5).delay_s for i in range(8)]
    assert delays[0] == 0.0  # the first crash restarts at once
    for n, delay in enumerate(delays[1:]):
        base = min(1.0, 0.1 * 2**n)
        assert base * 0.8 <= delay <= base * 1.2
    assert max(delays) <= 1.2


def test_jitter_spreads_delays() -> None:
    policy = _policy(backoff_jitter=0.5)
    assert len({round(policy.backoff(3), 9) for _ in range(20)}) > 10


def test_a_healthy_run_resets_the_backoff() -> None:
    policy = _policy(backoff_initial_s=0.1, backoff_jitter=0.0, healthy_s=60.0, max_restarts=100)
    for i in range(4):
        policy.on_exit(0, 1, now=float(i), ran_s=1.0)
    assert policy.on_exit(0, 1, now=10.0, ran_s=1.0).delay_s == pytest.approx(0.8)
    assert policy.on_exit(0, 1, now=100.0, ran_s=61.0).delay_s == 0.0
    assert policy.on_exit(0, 1, now=101.0, ran_s=1.0).delay_s == pytest.approx(0.1)


def test_backoff_is_per_replica() -> None:
    policy = _policy(backoff_initial_s=0.1, backoff_jitter=0.0, max_restarts=100)
    policy.on_exit(0, 1, now=0.0, ran_s=0.1)
    policy.on_exit(0, 1, now=0.1, ran_s=0.1)
    assert policy.on_exit(0, 1, now=0.2, ran_s=0.1).delay_s == pytest.approx(0.2)
    assert policy.on_exit(1, 1, now=0.3, ran_s=0.1).delay_s == 0.0


def test_more_than_max_restarts_in_the_window_opens_the_circuit() -> None:
    policy = _policy(max_restarts=3, window_s=10.0, failed_retry_s=300.0)
    actions = [policy.on_exit(0, 1, now=float(i), ran_s=0.1).action for i in range(4)]
    assert actions == [Action.RESTART] * 3 + [Action.FAIL]
    decision = policy.on_exit(0, 1, now=4.0, ran_s=0.1)
    assert decision.action is Action.FAIL
    assert decision.delay_s == 300.0
    assert "circuit open" in decision.reason


def test_restarts_outside_the_window_do_not_count() -> None:
    policy = _policy(max_restarts=2, window_s=10.0)
    for t in (0.0, 5.0, 11.0, 16.0, 22.0, 27.0):
        assert policy.on_exit(0, 1, now=t, ran_s=0.1).action is Action.RESTART


def test_reset_closes_the_circuit() -> None:
    policy = _policy(max_restarts=1, window_s=60.0)
    policy.on_exit(0, 1, now=0.0, ran_s=0.1)
    assert policy.on_exit(0, 1, now=1.0, ran_s=0.1).action is Action.FAIL
    policy.reset()
    assert policy.on_exit(0, 1, now=2.0, ran_s=0.1).action is Action.RESTART


def test_config_error_exit_is_never_restarted() -> None:
    policy = _policy()
    decision = policy.on_exit(0, 78, now=0.0, ran_s=0.1)
    assert decision.action is Action.CONFIG_ERROR
    assert "config-error" in decision.reason
    custom = _policy(config_exit_code=3)
    assert custom.on_exit(0, 3, now=0.0, ran_s=0.1).action is Action.CONFIG_ERROR
    assert custom.on_exit(0, 78, now=0.0, ran_s=0.1).action is Action.RESTART


def test_killed_by_signal_and_unknown_exit_restart() -> None:
    policy = _policy()
    assert policy.on_exit(0, -9, now=0.0, ran_s=0.1).action is Action.RESTART
    assert policy.on_exit(0, None, now=0.1, ran_s=0.0).action is Action.RESTART


def test_zero_max_restarts_fails_at_the_first_exit() -> None:
    assert _policy(max_restarts=0).on_exit(0, 1, now=0.0, ran_s=0.1).action is Action.FAIL


def test_a_long_crash_streak_does_not_overflow() -> None:
    policy = _policy(backoff_max_s=10.0, backoff_jitter=0.0)
    assert policy.backoff(10_000) == 10.0


def test_a_background_retry_is_half_open() -> None:
    policy = _policy(max_restarts=1, window_s=60.0, healthy_s=60.0, failed_retry_s=300.0)
    policy.on_exit(0, 1, now=0.0, ran_s=0.1)
    assert policy.on_exit(0, 1, now=1.0, ran_s=0.1).action is Action.FAIL
    policy.half_open()
    decision = policy.on_exit(0, 1, now=301.0, ran_s=2.0)
    assert decision.action is Action.FAIL and "background retry" in decision.reason
    policy.half_open()
    assert policy.on_exit(0, 1, now=700.0, ran_s=61.0).action is Action.RESTART  # it held up
    assert policy.on_exit(0, 1, now=701.0, ran_s=0.1).action is Action.FAIL  # window: 1 restart
    policy.reset()  # the user's Retry: a fresh window, not half-open
    assert policy.on_exit(0, 1, now=702.0, ran_s=0.1).action is Action.RESTART
