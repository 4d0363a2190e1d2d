"""When can a service serve before a deadline, and the sentence saying why it cannot."""

from __future__ import annotations

from supervisor.policy import RestartPolicy
from supervisor.replica import Replica, ServiceRun, Then, ready_eta, why_not
from supervisor.spec import ServiceSpec
from supervisor.states import State


def _service(*states: State, start_s: float | None = 0.5) -> ServiceRun:
    spec = ServiceSpec("svc", module="m", backoff_initial_s=0.1)
    svc = ServiceRun(spec, RestartPolicy(spec), start_s=start_s)
    svc.replicas = [Replica("svc", i, state=s) for i, s in enumerate(states)]
    return svc


def test_a_serving_replica_can_serve_now() -> None:
    svc = _service(State.FAILED, State.BUSY)
    assert ready_eta(svc, svc.replicas[1], now=10.0) == 10.0
    assert why_not(svc, deadline=10.0, now=10.0) == ""


def test_starting_and_backoff_replicas_count_if_ready_in_time() -> None:
    svc = _service(State.STARTING)
    svc.replicas[0].launched = 9.8
    assert ready_eta(svc, svc.replicas[0], now=10.0) == 10.3
    assert why_not(svc, deadline=10.4, now=10.0) == ""
    assert "before the deadline (starting)" in why_not(svc, deadline=10.2, now=10.0)
    backoff = _service(State.BACKOFF)
    backoff.replicas[0].timer = 12.0
    assert why_not(backoff, deadline=12.6, now=10.0) == ""
    assert why_not(backoff, deadline=12.4, now=10.0) != ""


def test_crashed_replicas_count_with_the_first_backoff() -> None:
    svc = _service(State.UNHEALTHY)
    assert ready_eta(svc, svc.replicas[0], now=1.0) == 1.0 + 0.1 + 0.5


def test_unknown_start_time_is_optimistic() -> None:
    svc = _service(State.STARTING, start_s=None)
    svc.replicas[0].launched = 5.0
    assert why_not(svc, deadline=5.0, now=5.0) == ""


def test_failed_stopped_and_empty_services_say_why() -> None:
    failed = _service(State.FAILED, State.FAILED)
    failed.replicas[0].reason = "circuit open"
    assert why_not(failed, 100.0, 0.0) == "svc has failed (circuit open); it is retried later"
    assert why_not(_service(State.STOPPED), 100.0, 0.0) == "svc is stopped"
    assert why_not(_service(), 100.0, 0.0) == "svc has no replicas (scaled to 0)"


def test_replicas_on_their_way_out_do_not_count_but_restarting_ones_do() -> None:
    svc = _service(State.READY)
    svc.replicas[0].then = Then.REMOVE
    assert why_not(svc, 100.0, 0.0) != ""
    svc.replicas[0].then = Then.RESTART
    assert ready_eta(svc, svc.replicas[0], now=1.0) == 1.5
    svc.replicas[0].then = None
    svc.replicas[0].leaving = True
    assert ready_eta(svc, svc.replicas[0], now=1.0) is None


def test_status_row_has_exactly_the_public_fields() -> None:
    row = Replica("svc", 3, state=State.BACKOFF, restarts=2, last_exit=-9).row()
    assert row == {
        "service": "svc",
        "replica": 3,
        "pid": None,
        "state": "backoff",
        "restarts": 2,
        "since": row["since"],
        "last_exit": -9,
        "p50_ms": None,
        "p99_ms": None,
        "rss_mb": None,
    }
