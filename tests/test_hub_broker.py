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


def test_requests_go_fifo_to_the_replica_holding_fewest() -> None:
    broker = Broker()
    for n in range(5):
        broker.submit(_pending(n))
    broker.idle("svc", "r1", slots=2)
    broker.idle("svc", "r2", slots=2)
    pairs = broker.dispatch("svc", now=1.0)
    assert [(r, p.id) for r, p in pairs] == [("r1", "0"), ("r2", "1"), ("r1", "2"), ("r2", "3")]
    assert [p.id for p in broker.waiting("svc")] == ["4"]
    assert [p.id for p in broker.held_by("r1")] == ["0", "2"]
    assert all(p.attempts == 1 and p.dispatched_at == 1.0 for _, p in pairs)


def test_slots_bound_what_a_replica_holds() -> None:
    broker = Broker()
    for n in range(3):
        broker.submit(_pending(n))
    broker.idle("svc", "r1")
    assert len(broker.dispatch("svc", 0.0)) == 1
    assert broker.dispatch("svc", 0.0) == []
    broker.finish(broker.held_by("r1")[0])
    broker.idle("svc", "r1")  # the hub frees a slot when the replica answers
    assert [p.id for _, p in broker.dispatch("svc", 0.0)] == ["1"]


def test_services_do_not_share_replicas() -> None:
    broker = Broker()
    broker.submit(_pending(0, service="a"))
    broker.idle("b", "rb")
    assert broker.dispatch("a", 0.0) == []
    assert broker.dispatch("b", 0.0) == []


def test_a_withdrawn_replica_returns_what_it_held_for_the_head_of_the_queue() -> None:
    broker = Broker()
    for n in range(3):
        broker.submit(_pending(n))
    broker.idle("svc", "r1", slots=2)
    broker.dispatch("svc", 0.0)
    lost = broker.withdraw("svc", "r1")
    assert [p.id for p in lost] == ["0", "1"] and all(p.holder is None for p in lost)
    for p in reversed(lost):
        broker.requeue(p)
    broker.idle("svc", "r2")
    [(replica, again)] = broker.dispatch("svc", 0.0)
    assert (replica, again.id, again.attempts) == ("r2", "0", 2)
    assert [p.id for p in broker.waiting("svc")] == ["1", "2"]


def test_close_stops_new_work_but_keeps_what_is_held() -> None:
    broker = Broker()
    broker.submit(_pending(0))
    broker.submit(_pending(1))
    broker.idle("svc", "r1", slots=2)
    broker.dispatch("svc", 0.0)
    broker.submit(_pending(2))
    broker.close("svc", "r1")
    assert broker.dispatch("svc", 0.0) == []
    assert len(broker.held_by("r1")) == 2


def test_a_request_never_sent_can_be_requeued_from_its_holder() -> None:
    broker = Broker()
    broker.submit(_pending(0))
    broker.idle("svc", "r1")
    [(_, p)] = broker.dispatch("svc", 0.0)
    broker.requeue(p)
    assert broker.held_by("r1") == [] and p.holder is None
    assert [q.id for q in broker.waiting("svc")] == ["0"]


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
    assert broker.held_by("r1") == []
    assert broker.all_pending() == []
    broker.finish(p)  # twice is harmless
