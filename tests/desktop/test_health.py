"""How hub events become the health the views show: ready, degraded, unavailable, failed."""

from __future__ import annotations

import time

from desktop.health import HealthBoard, Level


def state(service: str, st: str, replica: int = 0, **extra: object) -> dict[str, object]:
    return {"type": "state", "service": service, "replica": replica, "state": st, **extra}


def test_unknown_service_reads_as_starting() -> None:
    board = HealthBoard()
    health = board.health("categorizer")
    assert health.level is Level.UNAVAILABLE
    assert "starting" in health.sentence()


def test_crash_then_backoff_keeps_the_crash_reason_and_the_retry_time() -> None:
    board = HealthBoard()
    board.apply(state("categorizer", "ready"))
    assert board.health("categorizer").level is Level.READY
    board.apply(state("categorizer", "crashed", reason="exit code -9", last_exit=-9))
    board.apply(state("categorizer", "backoff", reason="restart in 2.00 s", retry_in_s=2.0))
    health = board.health("categorizer")
    assert health.level is Level.UNAVAILABLE
    text = health.sentence(now=time.time())
    assert "Automatic categories are unavailable" in text
    assert "exit code -9" in text
    assert "Retrying in 2 s" in text
    board.apply(state("categorizer", "starting"))
    board.apply(state("categorizer", "ready"))
    assert board.health("categorizer").ok


def test_one_replica_down_of_two_is_degraded() -> None:
    board = HealthBoard()
    board.apply(state("insights", "ready", 0))
    board.apply(state("insights", "crashed", 1, reason="exit code 1"))
    health = board.health("insights")
    assert health.level is Level.DEGRADED
    assert health.ok
    assert "1 of 2" in health.sentence()


def test_failed_service_says_how_to_retry() -> None:
    board = HealthBoard()
    board.apply(state("forecaster", "failed", reason="6 exits within 60 s"))
    health = board.health("forecaster")
    assert health.level is Level.FAILED
    assert not health.ok
    assert "Retry" in health.sentence()


def test_status_snapshot_keeps_the_reason_of_an_unchanged_state() -> None:
    board = HealthBoard()
    board.apply(state("advisor", "crashed", reason="exit code 3"))
    board.apply(
        {"type": "state", "service": "advisor", "replica": 0, "state": "crashed"}, snapshot=True
    )
    assert "exit code 3" in board.health("advisor").sentence()


def test_missing_supervisor_is_a_reason_not_a_crash() -> None:
    board = HealthBoard()
    board.set_missing("categorizer", "cannot run: No module named 'supervisor'", time.time() + 15)
    health = board.health("categorizer")
    assert health.level is Level.UNAVAILABLE
    assert "No module named" in health.sentence()
    assert "Retrying in" in health.sentence()


def test_events_that_are_not_states_change_nothing() -> None:
    board = HealthBoard()
    assert board.apply({"type": "log", "service": "categorizer", "line": "x"}) is None
    assert board.apply({"type": "state"}) is None
    assert board.apply({}) is None


def test_a_status_row_that_says_nothing_new_is_no_change() -> None:
    """hub.status() rows are polled; only one that tells the board something is news (each
    change wakes the banner, the lights and the categorize pump)."""
    board = HealthBoard()
    ready = {"type": "state", "service": "categorizer", "replica": 0, "state": "ready", "pid": 7}
    assert board.apply(state("categorizer", "ready")) == "categorizer"
    assert board.apply(ready, snapshot=True) == "categorizer"  # its pid is news
    assert board.apply(ready, snapshot=True) is None
    assert board.apply({**ready, "restarts": 1, "pid": 8}, snapshot=True) == "categorizer"
    assert board.apply({**ready, "state": "crashed"}, snapshot=True) == "categorizer"
    board.set_missing("categorizer", "no supervisor")
    assert board.apply({**ready, "state": "crashed", "restarts": 1, "pid": 8}, snapshot=True) == (
        "categorizer"  # the missing reason is gone: news
    )
