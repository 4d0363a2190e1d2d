"""The hub with real sidecar processes (tests/helpers/chaos_sidecar.py) over real ZeroMQ sockets.

Fast cases only; the long chaos runs are in tests/chaos/test_hub_chaos.py. Every wait has a
deadline and waits on an event or a condition, never a bare sleep.
"""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import msgspec
import psutil
import pytest
import zmq

from sidecars import protocol as wire
from supervisor import (
    DeadlineExceeded,
    Hub,
    RemoteError,
    ServiceSpec,
    ServiceUnavailable,
    SpecError,
    State,
)
from supervisor.spawn import Child, Launch, PlainSpawner
from tests.helpers.hub_testing import chaos_spec, wait_until

STATUS_KEYS = {
    "service",
    "replica",
    "pid",
    "state",
    "restarts",
    "since",
    "last_exit",
    "p50_ms",
    "p99_ms",
    "rss_mb",
}


class EventLog:
    """Collects hub events; ``wait`` blocks until one matches or the deadline passes."""

    def __init__(self) -> None:
        self.events: list[dict[str, Any]] = []
        self._cond = threading.Condition()

    def __call__(self, event: dict[str, Any]) -> None:
        with self._cond:
            self.events.append(event)
            self._cond.notify_all()

    def wait(self, timeout: float, what: str = "an event", **match: Any) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        seen = 0
        with self._cond:
            while True:
                for event in self.events[seen:]:
                    if all(event.get(k) == v for k, v in match.items()):
                        return event
                seen = len(self.events)
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"no {what} {match} within {timeout} s: {self.events}")
                self._cond.wait(left)

    def states(self, service: str, replica: int) -> list[str]:
        with self._cond:
            return [
                e["state"]
                for e in self.events
                if e["type"] == "state" and e["service"] == service and e["replica"] == replica
            ]


@pytest.fixture
def run_hub() -> Iterator[Callable[..., tuple[Hub, EventLog]]]:
    hubs: list[Hub] = []

    def start(*specs: ServiceSpec, ready: bool = True, **kwargs: Any) -> tuple[Hub, EventLog]:
        hub = Hub(list(specs), **kwargs)
        log = EventLog()
        hub.subscribe(log)
        hubs.append(hub)
        hub.start()
        if ready:
            assert hub.wait_ready(timeout=30), hub.status()
            wait_until(
                lambda: all(r["state"] == "ready" for r in hub.status()), 30, "all replicas ready"
            )
        return hub, log

    yield start
    for hub in hubs:
        hub.stop(timeout=5)


def _pids(hub: Hub) -> list[int]:
    return [row["pid"] for row in hub.status() if row["pid"] is not None]


def _gone(pids: list[int]) -> bool:
    for pid in pids:
        try:
            if psutil.Process(pid).status() != psutil.STATUS_ZOMBIE:
                return False
        except psutil.NoSuchProcess:
            continue
    return True


def test_requests_round_trip_and_status_has_exactly_the_fields(run_hub: Any) -> None:
    hub, _ = run_hub(chaos_spec(replicas=2))
    futures = [hub.request("echo", "echo", {"n": n, "text": "é€"}) for n in range(50)]
    assert [f.result(timeout=10) for f in futures] == [{"n": n, "text": "é€"} for n in range(50)]
    rows = hub.status()
    assert len(rows) == 2
    for row in rows:
        assert set(row) == STATUS_KEYS
        assert row["service"] == "echo" and row["state"] == "ready"
        assert row["restarts"] == 0 and row["last_exit"] is None
        assert psutil.pid_exists(row["pid"])
        assert row["rss_mb"] > 1
        assert row["since"] <= time.time()
    assert sorted(r["replica"] for r in rows) == [0, 1]
    assert all(r["p50_ms"] is not None and r["p99_ms"] >= r["p50_ms"] for r in rows)
    metrics = hub.metrics()["echo"]
    assert metrics["requests"] == 50 and metrics["ok"] == 50


def test_states_are_the_design_strings_and_sidecars_get_their_env(run_hub: Any) -> None:
    hub, log = run_hub(chaos_spec(env={"EXTRA_FOR_TEST": "42"}))
    # Events reach subscribers on their own thread, possibly just after wait_ready returned.
    log.wait(10, "echo ready", type="state", service="echo", replica=0, state="ready")
    assert log.states("echo", 0)[:2] == ["starting", "ready"]
    assert State("ready") is State.READY
    got = hub.request("echo", "env", {"keys": ["EXTRA_FOR_TEST", wire.ENV_SERVICE]}).result(10)
    assert got["env"] == {"EXTRA_FOR_TEST": "42", wire.ENV_SERVICE: "echo"}


def test_runtime_dir_is_private_and_holds_the_ipc_endpoint(run_hub: Any) -> None:
    hub, _ = run_hub(chaos_spec())
    assert stat.S_IMODE(hub.runtime_dir.stat().st_mode) == 0o700
    assert hub.endpoint == f"ipc://{hub.runtime_dir}/hub.sock"
    runtime_dir = hub.runtime_dir
    hub.stop()
    assert not runtime_dir.exists()


@pytest.mark.skipif(os.name != "posix", reason="ipc:// is the POSIX transport")
def test_no_tcp_port_is_listening(run_hub: Any) -> None:
    run_hub(chaos_spec(replicas=2))
    me = psutil.Process()
    procs = [me, *me.children(recursive=True)]
    assert len(procs) >= 3
    listening = [
        (p.pid, c.laddr)
        for p in procs
        for c in p.net_connections(kind="inet")
        if c.status == psutil.CONN_LISTEN
    ]
    assert listening == []


def test_tcp_on_loopback_where_ipc_is_unavailable(
    run_hub: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_has = zmq.has
    monkeypatch.setattr(zmq, "has", lambda capability: capability != "ipc" and real_has(capability))
    hub, _ = run_hub(chaos_spec())
    assert hub.endpoint.startswith("tcp://127.0.0.1:")
    assert hub.request("echo", "echo", {"over": "tcp"}).result(10) == {"over": "tcp"}
    listening = [
        c.laddr
        for c in psutil.Process().net_connections(kind="inet")
        if c.status == psutil.CONN_LISTEN
    ]
    assert [addr.ip for addr in listening] == ["127.0.0.1"]


def test_reload_replaces_every_replica(run_hub: Any) -> None:
    hub, _ = run_hub(chaos_spec(replicas=2))
    old = set(_pids(hub))
    hub.reload("echo")
    wait_until(
        lambda: (
            len(hub.status()) == 2
            and all(r["state"] == "ready" and r["pid"] not in old for r in hub.status())
        ),
        30,
        "both replicas replaced",
    )
    wait_until(lambda: _gone(list(old)), 10, "old replicas gone")
    assert sorted(r["replica"] for r in hub.status()) == [0, 1]
    assert all(r["restarts"] == 0 for r in hub.status())  # a reload is not a crash
    assert hub.request("echo", "echo", {"after": "reload"}).result(10) == {"after": "reload"}


def test_remote_errors_come_back_typed_and_the_replica_lives_on(run_hub: Any) -> None:
    hub, log = run_hub(chaos_spec())
    pid = _pids(hub)[0]
    with pytest.raises(RemoteError) as bad:
        hub.request("echo", "reject", {"message": "no thanks"}).result(10)
    assert bad.value.code == "bad_request" and "no thanks" in bad.value.message
    with pytest.raises(RemoteError) as internal:
        hub.request("echo", "fail", {"message": "boom 17"}).result(10)
    assert internal.value.code == "internal" and "boom 17" in internal.value.message
    # The sidecar's own error log comes back as an event and lands in the service's log file.
    logged = log.wait(10, "log event", type="log", service="echo", level="error")
    assert "fail" in logged["line"]
    text = (Path(os.environ["FINCAST_HOME"]) / "logs" / "echo.log").read_text(encoding="utf-8")
    assert "boom 17" in text
    with pytest.raises(RemoteError) as unknown:
        hub.request("echo", "no_such_method").result(10)
    assert unknown.value.code == "unknown_method"
    with pytest.raises(RemoteError) as too_big:  # a reply over the frame limit is refused
        hub.request("echo", "big", {"mb": 17}, timeout=20).result(25)
    assert too_big.value.code == "internal"
    assert hub.request("echo", "echo", {"still": "alive"}).result(10) == {"still": "alive"}
    assert _pids(hub) == [pid]


def test_bad_calls_fail_clearly(run_hub: Any) -> None:
    hub, _ = run_hub(chaos_spec())
    with pytest.raises(ServiceUnavailable, match="no service named 'nope'"):
        hub.request("nope", "echo", {}).result(5)
    with pytest.raises(TypeError, match="params must be a dict"):
        hub.request("echo", "echo", [1, 2])  # type: ignore[arg-type]
    for timeout in (0, -1, float("nan"), float("inf")):
        with pytest.raises(ValueError, match="timeout"):
            hub.request("echo", "echo", {}, timeout=timeout)
    with pytest.raises(RemoteError) as unencodable:
        hub.request("echo", "echo", {"x": object()}).result(5)
    assert unencodable.value.code == "bad_request"
    with pytest.raises(RemoteError) as too_big:
        hub.request("echo", "echo", {"x": "y" * (wire.MAX_FRAME + 1)}).result(5)
    assert too_big.value.code == "bad_request"
    for method, params in [("echo", {1: 2}), ("m" * 200, {}), ("", {})]:
        with pytest.raises(RemoteError) as refused:
            hub.request("echo", method, params, timeout=3).result(5)  # type: ignore[dict-item]
        assert refused.value.code == "bad_request"
    with pytest.raises(KeyError):
        hub.restart("nope")
    with pytest.raises(ValueError, match="replicas"):
        hub.scale("echo", -1)
    assert hub.request("echo", "echo", {"ok": True}).result(10) == {"ok": True}


def test_hostile_frames_from_a_raw_dealer_leave_the_hub_serving(run_hub: Any) -> None:
    hub, _ = run_hub(chaos_spec())
    before = hub.status()
    good_ready = wire.encode(wire.Ready(service="echo", token="forged", pid=1, methods=["echo"]))
    frames: list[list[bytes]] = [
        [b""],
        [b"\x00\xff garbage"],
        [msgspec.msgpack.encode({"kind": "READY", "v": 1})],  # missing fields
        [msgspec.msgpack.encode({"kind": "NOPE", "v": 1})],
        [msgspec.msgpack.encode({"kind": "HEARTBEAT", "v": 99})],  # wrong version
        [msgspec.msgpack.encode(["not", "a", "map"])],
        [good_ready],  # wrong token
        [wire.encode(wire.Ready(service="other", token="x", pid=1, methods=[]))],
        [wire.encode(wire.Reply(id="1", ok=True, result={}))],  # never said READY
        [wire.encode(wire.Heartbeat()), b"extra frame"],
        [b"\x91" * 1000],  # deep nesting
        [b"x" * (wire.MAX_FRAME + 10)],  # oversized: libzmq drops this peer
    ]
    ctx = zmq.Context.instance()
    dealer = ctx.socket(zmq.DEALER)
    dealer.setsockopt(zmq.LINGER, 0)
    try:
        dealer.connect(hub.endpoint)
        for parts in frames:
            dealer.send_multipart(parts)
        # After the flood, a request still works, and nothing was handed to the intruder.
        replies = [hub.request("echo", "echo", {"n": n}) for n in range(20)]
        assert [f.result(10)["n"] for f in replies] == list(range(20))
        assert dealer.poll(200) == 0
    finally:
        dealer.close(0)
    after = hub.status()
    assert [(r["pid"], r["restarts"]) for r in after] == [(r["pid"], r["restarts"]) for r in before]


def test_a_wrong_token_from_a_real_sidecar_process_is_refused(run_hub: Any) -> None:
    # A second DEALER that replays a real replica's READY with another token gets no work.
    hub, _ = run_hub(chaos_spec())
    ctx = zmq.Context.instance()
    dealer = ctx.socket(zmq.DEALER)
    dealer.setsockopt(zmq.LINGER, 0)
    try:
        dealer.connect(hub.endpoint)
        forged = wire.Ready(service="echo", token="0" * 43, pid=os.getpid(), methods=["echo"])
        dealer.send(wire.encode(forged))
        results = [hub.request("echo", "pid").result(10)["pid"] for _ in range(5)]
        assert set(results) == set(_pids(hub))
        assert dealer.poll(200) == 0
    finally:
        dealer.close(0)


def test_a_peer_claiming_a_replicas_routing_id_cannot_take_its_place(run_hub: Any) -> None:
    hub, _ = run_hub(chaos_spec())
    pid = _pids(hub)[0]
    dealer = zmq.Context.instance().socket(zmq.DEALER)
    dealer.setsockopt(zmq.LINGER, 0)
    dealer.setsockopt(zmq.ROUTING_ID, f"echo.0.{pid}".encode())  # the runtime's identity scheme
    try:
        dealer.connect(hub.endpoint)
        dealer.send(wire.encode(wire.Heartbeat()))
        assert [hub.request("echo", "pid").result(10)["pid"] for _ in range(5)] == [pid] * 5
        assert dealer.poll(300) == 0
    finally:
        dealer.close(0)


def test_deadline_fails_the_request_and_replaces_the_stuck_replica(run_hub: Any) -> None:
    hub, log = run_hub(chaos_spec())
    old_pid = _pids(hub)[0]
    with pytest.raises(DeadlineExceeded):
        # Resolved by its deadline plus a small margin, never left hanging.
        hub.request("echo", "hang", {}, timeout=0.5).result(timeout=2.5)
    log.wait(10, "unhealthy", type="state", state="unhealthy", service="echo")
    wait_until(
        lambda: hub.status()[0]["state"] == "ready" and _pids(hub) != [old_pid], 20, "replacement"
    )
    assert not psutil.pid_exists(old_pid) or _gone([old_pid])
    assert hub.status()[0]["restarts"] == 1
    assert hub.request("echo", "echo", {"back": 1}).result(10) == {"back": 1}


def test_a_request_that_waited_in_the_queue_does_not_condemn_its_replica(run_hub: Any) -> None:
    hub, _ = run_hub(chaos_spec(concurrency=1))
    pid = _pids(hub)[0]
    first = hub.request("echo", "sleep", {"seconds": 0.6}, timeout=5)
    # Queued behind `first`, handed over with ~0.2 s left, answered ~0.3 s later: too late for
    # its caller, yet the replica was not stuck and must not be killed for it.
    late = hub.request("echo", "sleep", {"seconds": 0.3}, timeout=0.8)
    with pytest.raises(DeadlineExceeded):
        late.result(timeout=3)
    assert first.result(timeout=5) == {"slept": 0.6}
    wait_until(lambda: hub.metrics()["echo"].get("late") == 1, 5, "the late reply to be dropped")
    assert hub.request("echo", "echo", {"next": 1}).result(timeout=5) == {"next": 1}
    assert _pids(hub) == [pid]
    assert hub.status()[0]["restarts"] == 0


def test_a_quick_call_is_not_stuck_behind_a_long_one(run_hub: Any) -> None:
    hub, _ = run_hub(chaos_spec(concurrency=2))
    long = hub.request("echo", "hang", {}, timeout=60)  # holds one worker until the end
    wait_until(lambda: hub.status()[0]["state"] == "busy", 5, "busy with the long call")
    assert hub.request("echo", "echo", {"quick": 1}).result(timeout=5) == {"quick": 1}
    assert not long.done()
    hub.stop(timeout=2)
    assert isinstance(long.exception(timeout=1), ServiceUnavailable)


def test_progress_extends_a_deadline(run_hub: Any) -> None:
    hub, _ = run_hub(chaos_spec())
    got = hub.request("echo", "sleep", {"seconds": 1.2, "progress": True}, timeout=0.6).result(10)
    assert got == {"slept": 1.2}
    assert hub.status()[0]["restarts"] == 0


def test_a_crash_fails_a_non_idempotent_request_and_the_replica_comes_back(run_hub: Any) -> None:
    hub, log = run_hub(chaos_spec())
    with pytest.raises(ServiceUnavailable, match="not idempotent"):
        hub.request("echo", "crash", {"code": 3}, idempotent=False).result(timeout=10)
    restart = log.wait(10, "restart", type="restart", service="echo")
    assert restart["exit_code"] == 3
    output = log.wait(10, "crash output", type="log", level="output")
    assert output["service"] == "echo"
    assert any("crashing as asked" in e.get("line", "") for e in log.events if e["type"] == "log")
    log.wait(20, "ready again", type="state", state="ready", previous="starting", restarts=1)
    row = hub.status()[0]
    assert row["last_exit"] == 3 and row["restarts"] == 1
    text = (Path(os.environ["FINCAST_HOME"]) / "logs" / "echo.log").read_text()
    assert "busy -> crashed" in text or "ready -> crashed" in text


def test_config_error_exit_is_failed_at_once_and_not_restarted(run_hub: Any) -> None:
    broken = chaos_spec("broken", env={"CHAOS_EXIT_AT_START": str(wire.EXIT_CONFIG)})
    hub, log = run_hub(chaos_spec(), broken, ready=False)
    assert hub.wait_ready(timeout=20) is False  # returns as soon as it is hopeless
    failed = log.wait(10, "failed", type="state", service="broken", state="failed")
    assert "config-error" in failed["reason"]
    row = next(r for r in hub.status() if r["service"] == "broken")
    assert (row["state"], row["restarts"], row["last_exit"]) == ("failed", 0, wire.EXIT_CONFIG)
    with pytest.raises(ServiceUnavailable, match="failed"):
        hub.request("broken", "echo", {}).result(timeout=1)
    assert hub.request("echo", "echo", {"a": 1}).result(10) == {"a": 1}


def test_services_toml_overrides_and_a_broken_one_is_reported(run_hub: Any, tmp_path: Path) -> None:
    good = tmp_path / "good.toml"
    good.write_text("[services.echo]\nreplicas = 2\n", encoding="utf-8")
    hub, _ = run_hub(chaos_spec(), config_path=good)
    assert sorted(r["replica"] for r in hub.status()) == [0, 1]
    bad = tmp_path / "bad.toml"
    bad.write_bytes(b"[services.echo\x00")
    hub2, log2 = run_hub(chaos_spec(), config_path=bad)
    assert hub2.config_problem and "not valid TOML" in hub2.config_problem
    assert log2.wait(5, "config event", type="config")["problem"] == hub2.config_problem
    assert len(hub2.status()) == 1


def test_scale_up_and_down_live(run_hub: Any) -> None:
    hub, _ = run_hub(chaos_spec())
    hub.scale("echo", 3)
    wait_until(lambda: [r["state"] for r in hub.status()] == ["ready"] * 3, 30, "three ready")
    pids = _pids(hub)
    hub.scale("echo", 1)
    wait_until(lambda: len(hub.status()) == 1, 20, "scaled down to one")
    wait_until(lambda: _gone([p for p in pids if p not in _pids(hub)]), 10, "retired exit")
    assert hub.request("echo", "echo", {"x": 1}).result(10) == {"x": 1}
    hub.scale("echo", 0)
    wait_until(lambda: hub.status() == [], 20, "scaled to zero")
    with pytest.raises(ServiceUnavailable, match="scaled to 0"):
        hub.request("echo", "echo", {}).result(timeout=1)


def test_subscribe_and_unsubscribe(run_hub: Any) -> None:
    hub, _ = run_hub(chaos_spec())
    seen: list[dict[str, Any]] = []
    unsubscribe = hub.subscribe(seen.append)
    unsubscribe()
    raised = EventLog()

    def broken_subscriber(event: dict[str, Any]) -> None:
        raise RuntimeError("subscriber bug")

    with pytest.raises(TypeError, match="callable"):
        hub.subscribe("not callable")  # type: ignore[arg-type]
    hub.subscribe(broken_subscriber)
    hub.subscribe(raised)
    hub.restart("echo")
    raised.wait(20, "restart to ready", type="state", state="ready", previous="starting")
    assert seen == []


def test_stop_leaves_no_process_and_later_requests_fail_fast(run_hub: Any) -> None:
    hub, _ = run_hub(chaos_spec(replicas=2), chaos_spec("other"))
    pids = _pids(hub)
    assert len(pids) == 3
    everything = [p.pid for p in psutil.Process().children(recursive=True)]  # zygote included
    assert set(pids) <= set(everything)
    hub.stop(timeout=5)
    assert _gone(everything)
    assert {r["state"] for r in hub.status()} == {"stopped"}
    with pytest.raises(ServiceUnavailable, match="not running"):
        hub.request("echo", "echo", {}).result(timeout=1)
    hub.stop()  # twice is fine


def test_requests_racing_stop_all_resolve(run_hub: Any) -> None:
    hub, _ = run_hub(chaos_spec(replicas=2))
    futures: list[Any] = []

    def spam() -> None:
        for n in range(300):
            futures.append(hub.request("echo", "echo", {"n": n}, timeout=10))

    threads = [threading.Thread(target=spam) for _ in range(3)]
    for t in threads:
        t.start()
    hub.stop(timeout=5)
    for t in threads:
        t.join(10)
    assert len(futures) == 900
    outcomes = [f.exception(timeout=12) for f in futures]
    assert all(e is None or isinstance(e, ServiceUnavailable) for e in outcomes)


def test_stop_kills_a_replica_that_ignores_disconnect(run_hub: Any) -> None:
    hub, _ = run_hub(chaos_spec(stop_timeout_s=0.3))
    pid = _pids(hub)[0]
    hub.request("echo", "hang", {}, timeout=60)  # holds the replica: DISCONNECT waits for it
    wait_until(lambda: hub.status()[0]["state"] == "busy", 5, "busy")
    hub.stop(timeout=2)
    assert _gone([pid])


def test_context_manager_starts_and_stops() -> None:
    with Hub([chaos_spec()]) as hub:
        assert hub.wait_ready(30)
        pids = _pids(hub)
        assert hub.request("echo", "echo", {"k": 1}).result(10) == {"k": 1}
    assert _gone(pids)


@pytest.mark.parametrize("services", ["echo", [1, 2], [None], 5])
def test_services_must_be_specs(services: Any) -> None:
    with pytest.raises(TypeError, match="ServiceSpec"):
        Hub(services)


def test_duplicate_service_names_are_refused() -> None:
    with pytest.raises(SpecError, match="unique"):
        Hub([chaos_spec(), chaos_spec()])


def test_a_hub_that_never_started_answers_unavailable() -> None:
    hub = Hub([chaos_spec()])
    with pytest.raises(ServiceUnavailable):
        hub.request("echo", "echo", {}).result(timeout=1)
    assert hub.wait_ready(timeout=0.1) is False
    assert hub.status() == []
    hub.stop()


class _SleeperChild:
    """A real process that only sleeps; the test speaks the wire protocol in its place."""

    def __init__(self) -> None:
        self._proc = subprocess.Popen(
            [sys.executable, "-c", "import time; time.sleep(120)"], start_new_session=True
        )
        self.pid = self._proc.pid
        self.killed = threading.Event()
        self._callbacks: list[Callable[[int], None]] = []
        threading.Thread(target=self._watch, daemon=True).start()

    def _watch(self) -> None:
        code = self._proc.wait()
        for callback in self._callbacks:
            callback(code)

    def exit_code(self) -> int | None:
        return self._proc.poll()

    def on_exit(self, callback: Callable[[int], None]) -> None:
        self._callbacks.append(callback)

    def terminate(self) -> None:
        self._proc.terminate()

    def kill(self) -> None:
        self.killed.set()
        self._proc.kill()


class _SpySpawner:
    """Starts sleepers and remembers each launch (its token), so a raw DEALER can be the sidecar."""

    def __init__(self) -> None:
        self.launches: list[Any] = []
        self.children: list[_SleeperChild] = []

    def launch(self, launch: Any) -> _SleeperChild:
        child = _SleeperChild()
        self.children.append(child)
        self.launches.append(launch)  # last: a test waiting on launches then finds the child
        return child

    def close(self) -> None:
        for child in self.children:
            if child.exit_code() is None:
                child.kill()


def test_resident_memory_over_the_limit_condemns_the_replica(run_hub: Any) -> None:
    # Where RLIMIT_AS exists (here) a real hog dies of MemoryError first; this checks the RSS
    # watch that is the only cap elsewhere, with the test playing the sidecar on the wire.
    spy = _SpySpawner()
    hub, log = run_hub(chaos_spec(memory_limit_mb=100), ready=False, spawner=spy)
    wait_until(lambda: spy.launches, 10, "a launch")
    launch = spy.launches[0]
    dealer = zmq.Context.instance().socket(zmq.DEALER)
    dealer.setsockopt(zmq.LINGER, 0)
    try:
        dealer.connect(hub.endpoint)
        ready = wire.Ready(service="echo", token=launch.token, pid=spy.children[0].pid, methods=[])
        dealer.send(wire.encode(ready))
        log.wait(10, "ready", type="state", state="ready")
        dealer.send(wire.encode(wire.Metrics(rss_mb=50.0)))
        dealer.send(wire.encode(wire.Metrics(rss_mb=250.0)))
        unhealthy = log.wait(10, "unhealthy", type="state", state="unhealthy")
        assert "250 MB is over its 100 MB limit" in unhealthy["reason"]
        assert spy.children[0].killed.wait(5)
    finally:
        dealer.close(0)


def _next_request(sock: zmq.Socket[bytes], timeout: float = 5.0) -> wire.Request:
    """The next REQUEST the hub sends this DEALER, skipping its heartbeats."""
    deadline = time.monotonic() + timeout
    while (left := deadline - time.monotonic()) > 0:
        if sock.poll(int(left * 1000)):
            msg = wire.decode(sock.recv())
            if isinstance(msg, wire.Request):
                return msg
    raise AssertionError("no REQUEST arrived")


def test_tokens_are_single_use_and_bound_to_their_service(run_hub: Any) -> None:
    spy = _SpySpawner()
    hub, log = run_hub(chaos_spec(heartbeat_s=0.2), ready=False, spawner=spy)
    wait_until(lambda: spy.launches, 10, "a launch")
    token = spy.launches[0].token
    ctx = zmq.Context.instance()
    first, second = ctx.socket(zmq.DEALER), ctx.socket(zmq.DEALER)
    try:
        for sock in (first, second):
            sock.setsockopt(zmq.LINGER, 0)
            sock.connect(hub.endpoint)
        wrong_service = wire.Ready(service="other", token=token, pid=1, methods=[])
        first.send(wire.encode(wrong_service))
        right = wire.Ready(service="echo", token=token, pid=1, methods=["echo"])
        first.send(wire.encode(right))
        log.wait(10, "ready", type="state", state="ready")
        second.send(wire.encode(right))  # a replay from another peer
        future = hub.request("echo", "echo", {"n": 1}, timeout=5)
        request = _next_request(first)
        assert request.params == {"n": 1}
        assert second.poll(200) == 0  # the replayed READY got nothing, not even a heartbeat
        # A reply for an id it does not hold is ignored; the right one resolves the future.
        first.send(wire.encode(wire.ok_reply("not-mine", {"x": 1})))
        first.send(wire.encode(wire.ok_reply(request.id, {"n": 1})))
        assert future.result(timeout=5) == {"n": 1}
        assert hub.metrics()["echo"].get("stray") == 1
        # Then it falls silent: three missed heartbeats (0.2 s each) condemn it.
        silent = log.wait(5, "unhealthy", type="state", state="unhealthy")
        assert "heartbeats missed" in silent["reason"]
    finally:
        first.close(0)
        second.close(0)


def test_a_bug_in_one_turn_or_handler_does_not_stop_the_hub(
    run_hub: Any, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    hub, _ = run_hub(chaos_spec())
    real_next_wake, real_on_ready = Hub._next_wake, Hub._on_ready
    broken = {"next_wake": 2}

    def next_wake(self: Hub, now: float) -> float:
        if broken["next_wake"] > 0:
            broken["next_wake"] -= 1
            raise RuntimeError("injected I/O loop bug")
        return real_next_wake(self, now)

    monkeypatch.setattr(Hub, "_next_wake", next_wake)
    wait_until(lambda: broken["next_wake"] == 0, 5, "the injected bugs to fire")
    assert hub.request("echo", "echo", {"after": "bug"}).result(10) == {"after": "bug"}
    assert "one turn failed" in caplog.text

    # A handler that raises (here: on a forged READY) is logged, and the hub serves on.
    def on_ready(*args: Any) -> None:
        raise KeyError("injected handler bug")

    monkeypatch.setattr(Hub, "_on_ready", on_ready)
    dealer = zmq.Context.instance().socket(zmq.DEALER)
    dealer.setsockopt(zmq.LINGER, 0)
    try:
        dealer.connect(hub.endpoint)
        dealer.send(wire.encode(wire.Ready(service="echo", token="x", pid=1, methods=[])))
        wait_until(lambda: "_on_frame failed" in caplog.text, 5, "the handler bug to be logged")
    finally:
        dealer.close(0)
    monkeypatch.setattr(Hub, "_on_ready", real_on_ready)
    assert hub.request("echo", "echo", {"still": 1}).result(10) == {"still": 1}


class _WedgedSpawner:
    """A real plain spawner whose launches of one service block until released (a wedged zygote)."""

    def __init__(self, wedged: str) -> None:
        self.inner = PlainSpawner()
        self.wedged = wedged
        self.release = threading.Event()
        self.blocked = threading.Event()

    def launch(self, launch: Launch) -> Child:
        if launch.service == self.wedged:
            self.blocked.set()
            assert self.release.wait(60), "never released"
        return self.inner.launch(launch)

    def close(self) -> None:
        self.release.set()
        self.inner.close()


def test_a_wedged_launch_never_stalls_the_broker(run_hub: Any) -> None:
    spawner = _WedgedSpawner("stuck")
    hub, log = run_hub(chaos_spec("stuck"), chaos_spec("free"), ready=False, spawner=spawner)
    try:
        assert spawner.blocked.wait(30), "the wedged launch never began"
        # While one launch hangs, the other service starts, serves, and the hub answers calls.
        log.wait(30, "free ready", type="state", service="free", state="ready")
        assert hub.request("free", "echo", {"n": 1}, timeout=10).result(20) == {"n": 1}
        stuck = [row for row in hub.status() if row["service"] == "stuck"]
        assert [row["state"] for row in stuck] == ["starting"] and stuck[0]["pid"] is None
        hub.scale("free", 2)  # a command that goes through the I/O thread
        wait_until(lambda: len(hub.status()) == 3, 10, "the scale-up to show")
    finally:
        spawner.release.set()
    assert hub.wait_ready(timeout=30), hub.status()
    assert hub.request("stuck", "echo", {"n": 2}, timeout=10).result(20) == {"n": 2}
    hub.stop(timeout=5)
    spawner.close()


def test_callers_reading_their_own_replies_and_callbacks_all_get_the_right_answers(
    run_hub: Any,
) -> None:
    # result() may read replies off the socket on the caller's thread (one caller at a time);
    # every other future must still resolve, each with its own reply, callbacks included.
    hub, _ = run_hub(chaos_spec(replicas=2))
    wrong: list[Any] = []
    called = threading.Semaphore(0)

    def caller(t: int) -> None:
        for n in range(60):
            params = {"t": t, "n": n}
            future = hub.request("echo", "echo", params, timeout=20)
            if n % 3 == 0:  # some only through a callback, never result()
                future.add_done_callback(
                    lambda f, p=params: (
                        (wrong.append(f.result()) if f.result() != p else None) or called.release()
                    )
                )
            elif (got := future.result(timeout=30)) != params:
                wrong.append(got)

    threads = [threading.Thread(target=caller, args=(t,)) for t in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads)
    for _ in range(6 * 20):
        assert called.acquire(timeout=30), "a callback-only future never resolved"
    assert wrong == []
