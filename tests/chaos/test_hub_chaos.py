"""Chaos for the hub with real sidecar processes: kill -9 under load, SIGSTOP, crash loops, a
SIGKILLed parent, rolling reload under load, memory hogs. Slow: run by `make test-slow` / CI.

Waits are on events or conditions with deadlines; measured figures are printed (pytest -s).
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future
from pathlib import Path
from typing import Any

import psutil
import pytest

from supervisor import Hub, RemoteError, ServiceSpec, ServiceUnavailable
from supervisor import config as hub_config
from tests.helpers.hub_testing import CHAOS, REPO, chaos_spec, wait_until

pytestmark = pytest.mark.slow


class EventLog:
    """Collects hub events; ``wait`` blocks until one after ``since`` matches, with a deadline."""

    def __init__(self) -> None:
        self.events: list[dict[str, Any]] = []
        self._cond = threading.Condition()

    def __call__(self, event: dict[str, Any]) -> None:
        with self._cond:
            self.events.append(event)
            self._cond.notify_all()

    def mark(self) -> int:
        with self._cond:
            return len(self.events)

    def wait(self, timeout: float, since: int = 0, **match: Any) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                for event in self.events[since:]:
                    if all(event.get(k) == v for k, v in match.items()):
                        return event
                since = len(self.events)
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"no event {match} within {timeout} s")
                self._cond.wait(left)


@pytest.fixture
def run_hub() -> Iterator[Callable[..., tuple[Hub, EventLog]]]:
    hubs: list[Hub] = []

    def start(*specs: ServiceSpec, ready: bool = True) -> tuple[Hub, EventLog]:
        hub = Hub(list(specs))
        log = EventLog()
        hub.subscribe(log)
        hubs.append(hub)
        hub.start()
        if ready:
            wait_until(
                lambda: hub.status() and all(r["state"] == "ready" for r in hub.status()),
                60,
                "all replicas ready",
            )
        return hub, log

    yield start
    for hub in hubs:
        hub.stop(timeout=5)


def _row(hub: Hub, service: str, replica: int) -> dict[str, Any]:
    return next(r for r in hub.status() if r["service"] == service and r["replica"] == replica)


def _gone(pids: list[int]) -> bool:
    for pid in pids:
        try:
            if psutil.Process(pid).status() != psutil.STATUS_ZOMBIE:
                return False
        except psutil.NoSuchProcess:
            continue
    return True


def _median(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[len(ordered) // 2]


def test_kill_9_under_concurrent_load_every_request_resolves(run_hub: Any) -> None:
    hub, log = run_hub(chaos_spec(replicas=2, max_restarts=1000))
    stop = threading.Event()
    futures: list[tuple[bool, Future[dict[str, Any]]]] = []
    lock = threading.Lock()

    def load(idempotent: bool) -> None:
        n = 0
        while not stop.is_set():
            n += 1
            future = hub.request(
                "echo", "sleep", {"seconds": 0.005, "n": n}, timeout=10, idempotent=idempotent
            )
            with lock:
                futures.append((idempotent, future))
            # Resolve before sending the next: every request must come back, even mid-kill.
            future.exception(timeout=10 + 2)

    threads = [threading.Thread(target=load, args=(i != 0,)) for i in range(4)]
    for t in threads:
        t.start()
    recoveries = []
    rng = random.Random(3)
    try:
        for _ in range(12):
            replica = rng.randrange(2)
            row = wait_until(
                lambda r=replica: (x := _row(hub, "echo", r))["state"] in ("ready", "busy") and x,
                20,
                "a live replica to kill",
            )
            mark = log.mark()
            killed_at = time.time()
            os.kill(row["pid"], signal.SIGKILL)
            back = log.wait(20, since=mark, type="state", replica=replica, state="ready")
            recoveries.append(back["time"] - killed_at)
    finally:
        stop.set()
        for t in threads:
            t.join(30)
    outcomes = [(idem, f.exception(timeout=0)) for idem, f in futures]
    failed_idempotent = [e for idem, e in outcomes if idem and e is not None]
    other_errors = [
        e for _, e in outcomes if e is not None and not isinstance(e, ServiceUnavailable)
    ]
    assert failed_idempotent == []
    assert other_errors == []
    assert sum(r["restarts"] for r in hub.status()) == 12
    retried = hub.metrics()["echo"].get("retried", 0)
    print(
        f"\nkill -9 x12 under load: {len(futures)} requests, all resolved; {retried} redelivered; "
        f"recovery to READY median {_median(recoveries) * 1000:.0f} ms, "
        f"max {max(recoveries) * 1000:.0f} ms"
    )


def test_sigstop_is_detected_within_about_three_heartbeats(run_hub: Any) -> None:
    hub, log = run_hub(chaos_spec(heartbeat_s=1.0, heartbeat_misses=3))
    old = _row(hub, "echo", 0)
    mark = log.mark()
    stopped_at = time.time()
    os.kill(old["pid"], signal.SIGSTOP)
    try:
        # A request sent now lands on the frozen replica and must still succeed, elsewhere.
        future = hub.request("echo", "echo", {"after": "stop"}, timeout=20)
        unhealthy = log.wait(3 * 1.0 + 2.5, since=mark, type="state", state="unhealthy")
        assert "heartbeats missed" in unhealthy["reason"]
        ready = log.wait(20, since=mark, type="state", state="ready")
        assert future.result(timeout=5) == {"after": "stop"}
    finally:
        if psutil.pid_exists(old["pid"]):
            os.kill(old["pid"], signal.SIGCONT)
    assert _row(hub, "echo", 0)["pid"] != old["pid"]
    wait_until(lambda: _gone([old["pid"]]), 5, "the frozen process to be killed")
    print(
        f"\nSIGSTOP detected after {unhealthy['time'] - stopped_at:.2f} s "
        f"(heartbeat 1 s x 3), serving again after {ready['time'] - stopped_at:.2f} s"
    )


def test_crash_looping_service_ends_failed_while_others_serve(run_hub: Any) -> None:
    looping = chaos_spec(
        "loop",
        env={"CHAOS_EXIT_AT_START": "1"},
        max_restarts=3,
        window_s=60,
        failed_retry_s=2.0,
    )
    hub, log = run_hub(chaos_spec(), looping, ready=False)
    served = [hub.request("echo", "echo", {"n": n}, timeout=30) for n in range(20)]
    failed = log.wait(30, type="state", service="loop", state="failed")
    assert "circuit open" in failed["reason"]
    row = _row(hub, "loop", 0)
    assert (row["state"], row["restarts"], row["last_exit"]) == ("failed", 3, 1)
    with pytest.raises(ServiceUnavailable, match="failed"):
        hub.request("loop", "echo", {}, timeout=5).result(timeout=1)
    assert [f.result(timeout=10)["n"] for f in served] == list(range(20))
    assert _row(hub, "echo", 0)["restarts"] == 0
    # The slow background retry comes by itself...
    mark = log.mark()
    retry = log.wait(10, since=mark, type="state", service="loop", state="starting")
    assert "background retry" in retry["reason"]
    # Half-open: one quick death after the probe opens the circuit again at once.
    again = log.wait(30, since=mark, type="state", service="loop", state="failed")
    assert "background retry" in again["reason"]
    assert _row(hub, "loop", 0)["restarts"] == 4
    # ...and the user's Retry starts it at once.
    mark = log.mark()
    hub.restart("loop")
    log.wait(10, since=mark, type="state", service="loop", state="starting")
    assert hub.request("echo", "echo", {"still": 1}).result(timeout=10) == {"still": 1}


def test_sigkilled_parent_leaves_no_process_behind(tmp_path: Path) -> None:
    script = tmp_path / "parent.py"
    script.write_text(
        f"""
import json, sys, time
sys.path.insert(0, {str(REPO)!r})
import psutil
from supervisor import Hub, ServiceSpec
spec = ServiceSpec("echo", module={CHAOS!r}, replicas=2, env={{"PYTHONPATH": {str(REPO)!r}}})
hub = Hub([spec])
hub.start()
deadline = time.monotonic() + 60
while not (hub.status() and all(r["state"] == "ready" for r in hub.status())):
    assert time.monotonic() < deadline, hub.status()
    time.sleep(0.05)
pids = [p.pid for p in psutil.Process().children(recursive=True)]
print(json.dumps({{"pids": pids, "runtime_dir": str(hub.runtime_dir)}}), flush=True)
time.sleep(600)
""",
        encoding="utf-8",
    )
    parent = subprocess.Popen(
        [sys.executable, str(script)], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True
    )
    try:
        assert parent.stdout is not None
        told = json.loads(parent.stdout.readline())
        pids, runtime_dir = told["pids"], Path(told["runtime_dir"])
        assert runtime_dir.is_dir()
        assert len(pids) >= 2
        killed_at = time.monotonic()
        parent.kill()
        parent.wait(10)
        wait_until(lambda: _gone(pids), 15, f"children {pids} to exit")
        # Its runtime directory outlived it; the next hub's start sweeps it away. (Any hub
        # starting on this machine sweeps too: another test run may have got there first.)
        assert runtime_dir.is_dir()
        swept = hub_config.sweep_runtime_dirs(runtime_dir.parent)
        assert runtime_dir in swept or not runtime_dir.exists()
        assert not runtime_dir.exists()
        print(
            f"\nparent SIGKILLed: {len(pids)} children gone in {time.monotonic() - killed_at:.2f} s"
        )
    finally:
        if parent.poll() is None:
            parent.kill()
            parent.wait(10)
        if parent.stdout is not None:
            parent.stdout.close()


def test_rolling_reload_under_load_has_no_gap(run_hub: Any) -> None:
    hub, log = run_hub(chaos_spec(replicas=2))
    old_pids = {r["pid"] for r in hub.status()}
    stop = threading.Event()
    outcomes: list[BaseException | None] = []

    def load() -> None:
        while not stop.is_set():
            future = hub.request("echo", "echo", {"x": 1}, timeout=5, idempotent=False)
            outcomes.append(future.exception(timeout=7))

    thread = threading.Thread(target=load)
    thread.start()
    try:
        wait_until(lambda: len(outcomes) > 20, 10, "load to flow")
        mark = log.mark()
        hub.reload("echo")
        wait_until(
            lambda: (
                len(hub.status()) == 2
                and all(r["state"] == "ready" and r["pid"] not in old_pids for r in hub.status())
            ),
            60,
            "both replicas replaced",
        )
        wait_until(lambda: _gone(list(old_pids)), 10, "old replicas to exit")
        count = len(outcomes)
        wait_until(lambda: len(outcomes) > count + 20, 10, "load to keep flowing")
    finally:
        stop.set()
        thread.join(20)
    assert [e for e in outcomes if e is not None] == []
    # Each old replica was retired only after its successor was ready.
    states = [
        (e["replica"], e["state"], e["previous"]) for e in log.events[mark:] if e["type"] == "state"
    ]
    for replica in (0, 1):
        mine = [s for s in states if s[0] == replica]
        first_ready = mine.index((replica, "ready", "starting"))
        first_stop = next(i for i, s in enumerate(mine) if s[1] == "stopped")
        assert first_ready < first_stop
    print(f"\nrolling reload of 2 replicas under load: {len(outcomes)} requests, 0 failed")


def test_memory_hog_under_a_limit_leaves_the_hub_serving(run_hub: Any) -> None:
    hub, _ = run_hub(chaos_spec(memory_limit_mb=400))
    future = hub.request("echo", "memory_hog", {"mb": 2000}, timeout=20, idempotent=False)
    error = future.exception(timeout=25)
    assert isinstance(error, RemoteError | ServiceUnavailable)
    wait_until(lambda: _row(hub, "echo", 0)["state"] == "ready", 30, "ready again")
    assert hub.request("echo", "echo", {"ok": 1}, timeout=10).result(timeout=12) == {"ok": 1}


def test_idempotent_request_that_kills_every_replica_stops_at_max_attempts(run_hub: Any) -> None:
    hub, _ = run_hub(chaos_spec(replicas=2, max_attempts=3, max_restarts=50))
    with pytest.raises(ServiceUnavailable, match="3 attempts"):
        hub.request("echo", "crash", {"code": 9}, timeout=30).result(timeout=32)
    wait_until(lambda: sum(r["restarts"] for r in hub.status()) == 3, 20, "three restarts")
    wait_until(lambda: all(r["state"] == "ready" for r in hub.status()), 30, "ready again")
