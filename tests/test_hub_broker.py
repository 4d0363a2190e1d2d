"""The broker's bookkeeping: FIFO queues, longest-idle replica first, requeue at head, deadlines."""

from __future__ import annotations

from concurrent.futures import Future

from supervisor.broker import Broker, Pending


def _pending(n: int, service: str = "svc", deadline: float = 10.0) -> Pending:
    return Pending(
        id=str(n),
        service=service,
        method="m",
        params={},
        timeout_s=deadline,
        deadline=deadline,
        future=Future(),
        submitted=0.0,
    )


def test_requests_go_fifo_to_the_longest_idle_replica() -> None:
    broker = Broker()
    for n in range(3):
        broker.submit(_pending(n))
    broker.idle("svc", "r1")
    broker.idle("svc", "r2")
    pairs = broker.dispatch("svc", now=1.0)
    assert [(r, p.id) for r, p in pairs] == [("r1", "0"), ("r2", "1")]
    assert [p.id for p in broker.waiting("svc")] == ["2"]
    assert broker.held_by("r1").id == "0"  # type: ignore[union-attr]
    assert all(p.attempts == 1 and p.dispatched_at == 1.0 for _, p in pairs)


def test_one_request_in_flight_per_replica() -> None:
    broker = Broker()
    broker.submit(_pending(0))
    broker.submit(_pending(1))
    broker.idle("svc", "r1")
    assert len(broker.dispatch("svc", 0.0)) == 1
    broker.idle("svc", "r1")  # still holding: ignored
    assert broker.dispatch("svc", 0.0) == []
    broker.finish(broker.held_by("r1"))  # type: ignore[arg-type]
    broker.idle("svc", "r1")
    assert [p.id for _, p in broker.dispatch("svc", 0.0)] == ["1"]


def test_services_do_not_share_replicas() -> None:
    broker = Broker()
    broker.submit(_pending(0, service="a"))
    broker.idle("b", "rb")
    assert broker.dispatch("a", 0.0) == []
    assert broker.dispatch("b", 0.0) == []


def test_a_withdrawn_replica_returns_its_request_for_the_head_of_the_queue() -> None:
    broker = Broker()
    for n in range(2):
        broker.submit(_pending(n))
    broker.idle("svc", "r1")
    broker.dispatch("svc", 0.0)
    lost = broker.withdraw("svc", "r1")
    assert lost is not None and lost.id == "0" and lost.holder is None
    broker.requeue(lost)
    broker.idle("svc", "r2")
    [(replica, again)] = broker.dispatch("svc", 0.0)
    assert (replica, again.id, again.attempts) == ("r2", "0", 2)


def test_withdraw_removes_an_idle_replica() -> None:
    broker = Broker()
    broker.idle("svc", "r1")
    assert broker.withdraw("svc", "r1") is None
    broker.submit(_pending(0))
    assert broker.dispatch("svc", 0.0) == []


def test_expired_returns_queued_and_held_requests_past_their_deadline() -> None:
    broker = Broker()
    broker.submit(_pending(0, deadline=1.0))
    broker.submit(_pending(1, deadline=2.0))
    broker.submit(_pending(2, deadline=3.0))
    broker.idle("svc", "r1")
    broker.dispatch("svc", 0.0)
    assert broker.next_deadline() == 1.0
    assert [p.id for p in broker.expired(2.5)] == ["0", "1"]
    assert broker.expired(2.5) == []  # each expires once


def test_progress_extends_and_finished_requests_never_expire() -> None:
    broker = Broker()
    a, b = _pending(0, deadline=1.0), _pending(1, deadline=1.0)
    broker.submit(a)
    broker.submit(b)
    broker.extend(a, 5.0)
    broker.finish(b)
    assert broker.next_deadline() == 5.0
    assert broker.expired(2.0) == []
    assert [p.id for p in broker.expired(5.0)] == ["0"]


def test_finished_requests_are_forgotten_so_late_replies_find_nothing() -> None:
    broker = Broker()
    p = _pending(0)
    broker.submit(p)
    broker.idle("svc", "r1")
    broker.dispatch("svc", 0.0)
    broker.finish(p)
    assert broker.get("0") is None
    assert broker.held_by("r1") is None
    assert broker.all_pending() == []
    broker.finish(p)  # twice is harmless
