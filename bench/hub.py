"""Benchmark of the hub, sidecar runtime and spawner, beside its peers measured in the same run.

    .venv/bin/python bench/hub.py [--kills 20] [--round-trips 2000] [--skip-peers] [--out PATH]

Sections (figures are medians / percentiles, each printed beside its target or peer):
  spawn       launch() to READY for a sidecar that imports scikit-learn: zygote vs plain spawn
  round_trip  request p50/p99, all set up at once and interleaved in blocks: raw pyzmq
              DEALER/ROUTER (the headline's floor); the same with the reply handed to the caller in
              a Future by a reader thread (what a Future API costs when it takes a thread hop: the
              hub's result() reads its own reply instead); raw pyzmq through a broker thread; the
              runtime alone; and through the hub
  throughput  requests/s, many in flight: raw pyzmq vs the hub (2 replicas)
  recovery    kill -9 to serving again (p50/p95 over --kills kills): hub with zygote, hub with
              plain spawn, supervisord, circus (the same sklearn-importing sidecar under each)
  hang        SIGSTOP to noticed and to serving again; a hung method to DeadlineExceeded
supervisord and circus are installed into bench/.peers-venv (created here on first use), never
into .venv: supervisord's import package is also called `supervisor`. Writes bench/results/hub.json.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import select
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future
from pathlib import Path
from typing import Any

import msgspec
import zmq

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from common import machine_info, write_result

from sidecars import protocol
from sidecars.protocol import Heartbeat, Ready, Reply, Request, decode, encode
from supervisor import Hub, ServiceSpec, ServiceUnavailable
from supervisor.spawn import Launch, PlainSpawner
from supervisor.zygote import ZygoteSpawner

CHAOS = "tests.helpers.chaos_sidecar"
MODEL_IMPORT = "sklearn.linear_model"  # what a model sidecar pays at start
PEERS_VENV = REPO / "bench" / ".peers-venv"
PAYLOAD = {"n": 1, "text": "x" * 100, "amount": "-12.50"}


def pct(values: list[float], q: float) -> float:
    """The q-th percentile (0-100), nearest rank."""
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1))))
    return ordered[k]


def summary(values: list[float], scale: float = 1000.0) -> dict[str, float]:
    """p50/p95/p99/min/max in ms (values in seconds)."""
    return {
        "n": len(values),
        "p50_ms": round(statistics.median(values) * scale, 3),
        "p95_ms": round(pct(values, 95) * scale, 3),
        "p99_ms": round(pct(values, 99) * scale, 3),
        "min_ms": round(min(values) * scale, 3),
        "max_ms": round(max(values) * scale, 3),
    }


def chaos_env(heavy: bool) -> dict[str, str]:
    env = {"PYTHONPATH": str(REPO), "CHAOS_SERVICE": "chaos"}
    if heavy:
        env["CHAOS_IMPORT"] = MODEL_IMPORT
    return env


# --------------------------------------------------------------------------- a bare hub socket


class Router:
    """A ROUTER that plays a minimal hub: records READYs, heartbeats every peer, echoes requests."""

    def __init__(self) -> None:
        self.dir = Path(tempfile.mkdtemp(prefix="fc-bench-"))
        self.endpoint = f"ipc://{self.dir}/hub.sock"
        self.ctx = zmq.Context()
        self.sock = self.ctx.socket(zmq.ROUTER)
        self.sock.setsockopt(zmq.LINGER, 0)
        self.sock.setsockopt(zmq.SNDHWM, 100_000)
        self.sock.setsockopt(zmq.RCVHWM, 100_000)
        self.sock.bind(self.endpoint)
        self.peers: dict[bytes, int] = {}  # identity -> pid
        self._next_beat = 0.0
        self._ids = 0

    def pump(self, timeout: float) -> tuple[bytes, Any] | None:
        """Wait up to ``timeout`` for one message that is not a heartbeat; keep peers beating."""
        deadline = time.monotonic() + timeout
        while True:
            now = time.monotonic()
            if now >= self._next_beat:
                for identity in list(self.peers):
                    with contextlib.suppress(zmq.ZMQError):
                        self.sock.send_multipart([identity, encode(Heartbeat())], zmq.NOBLOCK)
                self._next_beat = now + 0.5
            left = min(deadline, self._next_beat) - now
            if self.sock.poll(max(0, int(left * 1000))):
                identity, frame = self.sock.recv_multipart()
                msg = decode(frame)
                if isinstance(msg, Ready):
                    self.peers[identity] = msg.pid
                    return identity, msg
                if isinstance(msg, Reply):
                    return identity, msg
                continue
            if time.monotonic() >= deadline:
                return None

    def wait_ready(self, timeout: float, not_pid: int | None = None) -> tuple[bytes, Ready]:
        """The next READY (from a pid other than ``not_pid``)."""
        deadline = time.monotonic() + timeout
        while (left := deadline - time.monotonic()) > 0:
            got = self.pump(left)
            if got and isinstance(got[1], Ready) and got[1].pid != not_pid:
                return got[0], got[1]
        raise TimeoutError("no READY in time")

    def echo(
        self, identity: bytes, params: dict[str, Any] | None = None, timeout: float = 10.0
    ) -> bool:
        """One echo round trip to ``identity``."""
        self._ids += 1
        rid = f"e{self._ids}"
        self.sock.send_multipart(
            [
                identity,
                encode(
                    Request(
                        id=rid,
                        service="chaos",
                        method="echo",
                        params=PAYLOAD if params is None else params,
                        deadline_ms=10_000,
                    )
                ),
            ]
        )
        deadline = time.monotonic() + timeout
        while (left := deadline - time.monotonic()) > 0:
            got = self.pump(left)
            if got and isinstance(got[1], Reply) and got[1].id == rid:
                return got[1].ok
        return False

    def close(self) -> None:
        self.sock.close(0)
        self.ctx.term()
        shutil.rmtree(self.dir, ignore_errors=True)


# --------------------------------------------------------------------------- spawn


def bench_spawn(runs_zygote: int, runs_plain: int) -> dict[str, Any]:
    router = Router()
    zygote = ZygoteSpawner(preload=(MODEL_IMPORT,), log_path=router.dir / "zygote.log")
    plain = PlainSpawner()
    out: dict[str, Any] = {}
    try:
        zygote_up = time.perf_counter()
        assert zygote.wait_ready(300), zygote.zygote_info
        out["zygote_preload_s"] = round(time.perf_counter() - zygote_up, 3)
        for name, spawner, runs in (("zygote", zygote, runs_zygote), ("plain", plain, runs_plain)):
            times = []
            for n in range(runs):
                launch = Launch(
                    service="chaos",
                    replica=n,
                    module=CHAOS,
                    env=chaos_env(True),
                    token=f"t{n}",
                    endpoint=router.endpoint,
                    log_path=router.dir / "spawn.log",
                )
                start = time.perf_counter()
                child = spawner.launch(launch)
                router.wait_ready(120)
                times.append(time.perf_counter() - start)
                child.kill()
                child.on_exit(lambda _c: None)
            out[name] = summary(times)
        out["launched"] = dict(zygote.launched)
    finally:
        zygote.close()
        plain.close()
        router.close()
    out["speedup_p50"] = round(out["plain"]["p50_ms"] / out["zygote"]["p50_ms"], 1)
    return out


# --------------------------------------------------------------------------- round trips
#
# Every contender is set up at once and they take turns in blocks of BLOCK round trips, so a
# neighbour's load on this shared machine falls on all of them alike; each is timed the same way:
# from before its request is encoded to after its reply is decoded, one request at a time, the
# same PAYLOAD with a changing "n".

BLOCK = 100

RAW_ECHO = textwrap.dedent(
    """
    import sys, zmq
    ctx = zmq.Context()
    s = ctx.socket(zmq.DEALER)
    s.setsockopt(zmq.LINGER, 0)
    s.connect(sys.argv[1])
    s.send(b"hello")
    while True:
        frame = s.recv()
        if frame == b"bye":
            break
        s.send(frame)
    """
)

RAW_WORKER = textwrap.dedent(
    """
    import sys, zmq, msgspec
    ctx = zmq.Context()
    s = ctx.socket(zmq.DEALER)
    s.setsockopt(zmq.LINGER, 0)
    s.connect(sys.argv[1])
    s.send(b"hello")
    while True:
        client, body = s.recv_multipart()
        if body == b"bye":
            break
        s.send_multipart([client, msgspec.msgpack.encode(msgspec.msgpack.decode(body))])
    """
)


class RawEcho:
    """The floor: a ROUTER in this thread, a bare pyzmq DEALER echo process, msgpack here."""

    def __init__(self) -> None:
        self.router = Router()
        self.proc = subprocess.Popen([sys.executable, "-c", RAW_ECHO, self.router.endpoint])
        self.identity, hello = self.router.sock.recv_multipart()
        assert hello == b"hello"

    def one(self, i: int) -> float:
        sock = self.router.sock
        start = time.perf_counter()
        sock.send_multipart([self.identity, msgspec.msgpack.encode({**PAYLOAD, "n": i})])
        msgspec.msgpack.decode(sock.recv_multipart()[1])
        return time.perf_counter() - start

    def burst(self, n: int) -> float:
        sock = self.router.sock
        start = time.perf_counter()
        for i in range(n):
            sock.send_multipart([self.identity, msgspec.msgpack.encode({**PAYLOAD, "n": i})])
        for _ in range(n):
            msgspec.msgpack.decode(sock.recv_multipart()[1])
        return n / (time.perf_counter() - start)

    def close(self) -> None:
        self.router.sock.send_multipart([self.identity, b"bye"])
        self.proc.wait(timeout=10)
        self.router.close()


class RawFuture(RawEcho):
    """The same raw echo in the hub API's shape: the caller sends under a lock, a reader thread
    waits on the socket's fd, decodes the reply and resolves the caller's Future (one hop)."""

    def __init__(self) -> None:
        super().__init__()
        self.lock = threading.Lock()
        self.futures: dict[int, Future[Any]] = {}
        self.wake_r, self.wake_w = os.pipe()
        self.stopping = False
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self) -> None:
        sock = self.router.sock
        poller = select.poll()
        poller.register(sock.getsockopt(zmq.FD), select.POLLIN)
        poller.register(self.wake_r, select.POLLIN)
        while not self.stopping:
            if any(fd == self.wake_r for fd, _ in poller.poll(1000)):
                os.read(self.wake_r, 4096)
            with self.lock:
                while sock.getsockopt(zmq.EVENTS) & zmq.POLLIN:
                    reply = msgspec.msgpack.decode(sock.recv_multipart()[1])
                    self.futures.pop(reply["n"]).set_result(reply)

    def one(self, i: int) -> float:
        sock = self.router.sock
        start = time.perf_counter()
        future: Future[Any] = Future()
        with self.lock:
            self.futures[i] = future
            sock.send_multipart([self.identity, msgspec.msgpack.encode({**PAYLOAD, "n": i})])
            readable = sock.getsockopt(zmq.EVENTS) & zmq.POLLIN  # (the fd is edge-triggered)
        if readable:
            os.write(self.wake_w, b"x")
        future.result(timeout=10)
        return time.perf_counter() - start

    def close(self) -> None:
        self.stopping = True
        os.write(self.wake_w, b"x")
        self.reader.join(timeout=10)
        os.close(self.wake_r)
        os.close(self.wake_w)
        super().close()


class RawBroker:
    """Raw pyzmq shaped like a broker: caller thread -> broker thread (ROUTER/ROUTER) -> worker."""

    def __init__(self) -> None:
        self.router = Router()  # only for its private directory
        self.ctx: zmq.Context[zmq.Socket[bytes]] = zmq.Context()
        back_addr = f"ipc://{self.router.dir}/back.sock"
        self.stop = threading.Event()
        ready = threading.Event()

        def broker() -> None:
            front = self.ctx.socket(zmq.ROUTER)
            front.bind("inproc://raw-front")
            back = self.ctx.socket(zmq.ROUTER)
            back.bind(back_addr)
            ready.set()
            poller = zmq.Poller()
            poller.register(front, zmq.POLLIN)
            poller.register(back, zmq.POLLIN)
            worker = back.recv_multipart()[0]
            while not self.stop.is_set():
                events = dict(poller.poll(100))
                if front in events:
                    client, body = front.recv_multipart()
                    back.send_multipart([worker, client, body])
                if back in events:
                    _, client, body = back.recv_multipart()
                    front.send_multipart([client, body])
            back.send_multipart([worker, b"", b"bye"])
            front.close(0)
            back.close(0)

        self.thread = threading.Thread(target=broker, daemon=True)
        self.thread.start()
        ready.wait(10)
        self.proc = subprocess.Popen([sys.executable, "-c", RAW_WORKER, back_addr])
        self.client = self.ctx.socket(zmq.DEALER)
        self.client.connect("inproc://raw-front")

    def one(self, i: int) -> float:
        start = time.perf_counter()
        self.client.send(msgspec.msgpack.encode({**PAYLOAD, "n": i}))
        msgspec.msgpack.decode(self.client.recv())
        return time.perf_counter() - start

    def close(self) -> None:
        self.stop.set()
        self.thread.join(timeout=10)
        self.client.close(0)
        self.proc.wait(timeout=10)
        self.ctx.term()
        self.router.close()


class RuntimeDirect:
    """The sidecar runtime answering a bare ROUTER: its protocol and threading cost, no hub."""

    def __init__(self) -> None:
        self.router = Router()
        self.spawner = PlainSpawner()
        self.child = self.spawner.launch(
            Launch(
                service="chaos",
                replica=0,
                module=CHAOS,
                env=chaos_env(False),
                token="t",
                endpoint=self.router.endpoint,
                log_path=self.router.dir / "direct.log",
            )
        )
        self.identity, _ = self.router.wait_ready(60)

    def one(self, i: int) -> float:
        start = time.perf_counter()
        assert self.router.echo(self.identity, {**PAYLOAD, "n": i})
        return time.perf_counter() - start

    def close(self) -> None:
        self.child.kill()
        self.spawner.close()
        self.router.close()


class HubClient:
    """The hub with 2 replicas of the chaos sidecar: ``hub.request(...).result()``."""

    def __init__(self, log_dir: Path) -> None:
        spec = ServiceSpec("chaos", module=CHAOS, replicas=2, env=chaos_env(False))
        self.hub = Hub(services=[spec], prefer_zygote=True, log_dir=log_dir)
        self.hub.start()
        if not self.hub.wait_ready(timeout=300):
            raise RuntimeError(f"hub not ready: {self.hub.status()}")

    def one(self, i: int) -> float:
        start = time.perf_counter()
        self.hub.request("chaos", "echo", {**PAYLOAD, "n": i}, timeout=10).result()
        return time.perf_counter() - start

    def burst(self, n: int) -> tuple[float, int]:
        start = time.perf_counter()
        futures = [
            self.hub.request("chaos", "echo", {**PAYLOAD, "n": i}, timeout=60) for i in range(n)
        ]
        failures = 0
        for future in futures:
            try:
                future.result(timeout=120)
            except Exception:
                failures += 1
        return n / (time.perf_counter() - start), failures

    def close(self) -> None:
        self.hub.stop()


def bench_round_trips(round_trips: int, burst: int, log_dir: Path) -> dict[str, Any]:
    """Round trips of every contender, interleaved in blocks; then throughput, raw vs hub."""
    made: dict[str, Any] = {}
    try:
        made["raw_pyzmq"] = RawEcho()
        made["raw_pyzmq_future"] = RawFuture()
        made["raw_pyzmq_broker"] = RawBroker()
        made["runtime_direct"] = RuntimeDirect()
        made["hub"] = HubClient(log_dir)
        times: dict[str, list[float]] = {name: [] for name in made}
        cpu: dict[str, float] = dict.fromkeys(made, 0.0)
        for contender in made.values():  # warm up
            for i in range(50):
                contender.one(i)
        names = list(made)
        for block in range(max(1, round_trips // BLOCK)):
            turn = names[block % len(names) :] + names[: block % len(names)]
            for name in turn:
                cpu_start = time.process_time()
                times[name].extend(made[name].one(block * BLOCK + i) for i in range(BLOCK))
                cpu[name] += time.process_time() - cpu_start
        out: dict[str, Any] = {
            name: {
                "round_trip": summary(values),
                # this process only (the caller's side, with hub or broker threads; not the peer)
                "cpu_us_per_request_here": round(cpu[name] / len(values) * 1e6, 1),
            }
            for name, values in times.items()
        }
        out["raw_pyzmq"]["throughput_rps"] = round(made["raw_pyzmq"].burst(burst))
        rate, failures = made["hub"].burst(burst)
        out["hub"].update(throughput_rps=round(rate), throughput_failures=failures, replicas=2)
        return out
    finally:
        for contender in reversed(made.values()):
            contender.close()


@contextlib.contextmanager
def running_hub(spec: ServiceSpec, prefer_zygote: bool, log_dir: Path) -> Iterator[Hub]:
    hub = Hub(services=[spec], prefer_zygote=prefer_zygote, log_dir=log_dir)
    hub.start()
    try:
        if not hub.wait_ready(timeout=300):
            raise RuntimeError(f"hub not ready: {hub.status()}")
        yield hub
    finally:
        hub.stop()


# --------------------------------------------------------------------------- recovery


def _serve_once(hub: Hub, deadline: float) -> bool:
    while time.monotonic() < deadline:
        try:
            hub.request("chaos", "echo", PAYLOAD, timeout=5).result()
            return True
        except ServiceUnavailable:
            time.sleep(0.002)
        except Exception:
            time.sleep(0.002)
    return False


def _live_pid(hub: Hub) -> int | None:
    for row in hub.status():
        if row["state"] in ("ready", "busy") and row["pid"]:
            return int(row["pid"])
    return None


def _wait(predicate: Callable[[], Any], timeout: float) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.005)
    raise TimeoutError("condition not met in time")


def recovery_hub(kills: int, prefer_zygote: bool, heavy: bool, log_dir: Path) -> dict[str, Any]:
    # Backoff resets after 1 s healthy and the circuit never opens: we measure restart speed, and
    # pause 1.2 s between kills. (The default policy would, rightly, open the circuit.)
    spec = ServiceSpec(
        "chaos",
        module=CHAOS,
        replicas=1,
        env=chaos_env(heavy),
        preload=(MODEL_IMPORT,) if heavy else (),
        healthy_s=1.0,
        max_restarts=10_000,
        window_s=1.0,
    )
    times = []
    with running_hub(spec, prefer_zygote=prefer_zygote, log_dir=log_dir) as hub:
        if prefer_zygote:
            time.sleep(0.5)
            # The first replica may have been started plainly while the zygote preloaded; kill
            # it once (not measured) so every measured restart comes from the zygote.
            _restart_unmeasured(hub)
        for _ in range(kills):
            pid = _wait(lambda: _live_pid(hub), 60)
            time.sleep(1.2)
            start = time.perf_counter()
            os.kill(pid, signal.SIGKILL)
            ok = _serve_once(hub, time.monotonic() + 120)
            times.append(time.perf_counter() - start)
            assert ok, "the service did not come back"
            assert _live_pid(hub) != pid
        restarts = sum(row["restarts"] for row in hub.status())
    return {**summary(times), "restarts": restarts}


def _restart_unmeasured(hub: Hub) -> None:
    pid = _wait(lambda: _live_pid(hub), 60)
    time.sleep(1.2)
    os.kill(pid, signal.SIGKILL)
    _serve_once(hub, time.monotonic() + 120)


def ensure_peers() -> Path | None:
    """bench/.peers-venv with supervisor and circus (created on first use); None if impossible."""
    python = PEERS_VENV / "bin" / "python"
    if (
        not (PEERS_VENV / "bin" / "supervisord").exists()
        or not (PEERS_VENV / "bin" / "circusd").exists()
    ):
        print("creating bench/.peers-venv with supervisor and circus ...", flush=True)
        try:
            subprocess.run([sys.executable, "-m", "venv", str(PEERS_VENV)], check=True)
            subprocess.run(
                [str(python), "-m", "pip", "install", "-q", "supervisor", "circus"], check=True
            )
        except (subprocess.CalledProcessError, OSError) as exc:
            print(f"could not install the peers: {exc}")
            return None
    return PEERS_VENV / "bin"


def _peer_program_env(router: Router, heavy: bool) -> dict[str, str]:
    return {
        protocol.ENV_ENDPOINT: router.endpoint,
        protocol.ENV_TOKEN: "peer",
        protocol.ENV_SERVICE: "chaos",
        **chaos_env(heavy),
    }


def recovery_peer(kind: str, bindir: Path, kills: int, heavy: bool) -> dict[str, Any]:
    """The same sidecar under supervisord or circus: kill -9, wait for READY + one echo."""
    router = Router()
    env = _peer_program_env(router, heavy)
    work = router.dir
    if kind == "supervisord":
        env_line = ",".join(f'{k}="{v}"' for k, v in env.items())
        conf = work / "supervisord.conf"
        conf.write_text(
            textwrap.dedent(f"""
            [supervisord]
            nodaemon=true
            logfile={work}/supervisord.log
            pidfile={work}/supervisord.pid
            [unix_http_server]
            file={work}/supervisor.sock
            [rpcinterface:supervisor]
            supervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface
            [program:chaos]
            command={sys.executable} -m {CHAOS}
            directory={REPO}
            environment={env_line}
            autorestart=true
            startsecs=0
            startretries=1000
            stdout_logfile={work}/chaos.log
            redirect_stderr=true
            """)
        )
        argv = [str(bindir / "supervisord"), "-c", str(conf)]
        config = {"autorestart": True, "startsecs": 0}
    else:
        conf = work / "circus.ini"
        env_lines = "\n".join(f"{k} = {v}" for k, v in env.items())
        conf.write_text(
            textwrap.dedent(f"""
            [circus]
            endpoint = ipc://{work}/circus-ctl.sock
            pubsub_endpoint = ipc://{work}/circus-pub.sock
            statsd = false
            [watcher:chaos]
            cmd = {sys.executable} -m {CHAOS}
            working_dir = {REPO}
            numprocesses = 1
            respawn = true
            copy_env = true
            """)
            + "[env:chaos]\n"
            + env_lines
            + "\n"
        )
        argv = [str(bindir / "circusd"), str(conf)]
        config = {"respawn": True, "check_delay": "default"}
    manager = subprocess.Popen(
        argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
    )
    times = []
    try:
        _, ready = router.wait_ready(300)
        pid = ready.pid
        for _ in range(kills):
            router.pump(1.2)
            start = time.perf_counter()
            os.kill(pid, signal.SIGKILL)
            identity, ready = router.wait_ready(120, not_pid=pid)
            assert router.echo(identity)
            times.append(time.perf_counter() - start)
            pid = ready.pid
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(manager.pid, signal.SIGTERM)
        try:
            manager.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(manager.pid, signal.SIGKILL)
            manager.wait()
        router.close()
    return {**summary(times), "config": config}


# --------------------------------------------------------------------------- hangs


def bench_hang(runs: int, log_dir: Path) -> dict[str, Any]:
    spec = ServiceSpec(
        "chaos",
        module=CHAOS,
        replicas=1,
        env=chaos_env(False),
        healthy_s=1.0,
        max_restarts=10_000,
        window_s=1.0,
    )
    noticed: list[float] = []
    back: list[float] = []
    deadline_err: list[float] = []
    with running_hub(spec, prefer_zygote=True, log_dir=log_dir) as hub:
        events: list[tuple[float, dict[str, Any]]] = []
        lock = threading.Lock()

        def on_event(event: dict[str, Any]) -> None:
            if event.get("type") == "state":
                with lock:
                    events.append((time.perf_counter(), event))

        hub.subscribe(on_event)
        for _ in range(runs):
            pid = _wait(lambda: _live_pid(hub), 60)
            time.sleep(1.2)
            with lock:
                events.clear()
            start = time.perf_counter()
            os.kill(pid, signal.SIGSTOP)

            def left_ready(pid: int = pid) -> float | None:
                with lock:
                    for t, e in events:
                        if e.get("pid") == pid and e["state"] not in ("ready", "busy"):
                            return t
                return None

            t_noticed = _wait(left_ready, 30)
            ok = _serve_once(hub, time.monotonic() + 60)
            back.append(time.perf_counter() - start)
            noticed.append(t_noticed - start)
            assert ok
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
                os.kill(pid, signal.SIGCONT)
        for _ in range(runs):
            _wait(lambda: _live_pid(hub), 60)
            time.sleep(1.2)
            start = time.perf_counter()
            future = hub.request("chaos", "hang", {}, timeout=1.0, idempotent=False)
            with contextlib.suppress(Exception):
                future.result(timeout=30)
            deadline_err.append(time.perf_counter() - start)
    return {
        "heartbeat_s": spec.heartbeat_s,
        "misses": spec.heartbeat_misses,
        "sigstop_noticed": summary(noticed),
        "sigstop_serving_again": summary(back),
        "hung_method_1s_deadline_resolved": summary(deadline_err),
    }


# --------------------------------------------------------------------------- main


def show(label: str, figures: dict[str, Any], digits: int = 0, extra: str = "") -> None:
    """One result line: label, p50 and p95/p99."""
    tail = "p99" if "p99_ms" in figures and digits else "p95"
    print(
        f"  {label:<13} p50 {figures['p50_ms']:.{digits}f} ms  "
        f"{tail} {figures[tail + '_ms']:.{digits}f} ms{extra}",
        flush=True,
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kills", type=int, default=20)
    parser.add_argument("--round-trips", type=int, default=2000)
    parser.add_argument("--burst", type=int, default=20_000)
    parser.add_argument("--skip-peers", action="store_true")
    parser.add_argument(
        "--out", type=Path, help="write the JSON here instead of bench/results/hub.json"
    )
    args = parser.parse_args()
    os.environ.setdefault("FINCAST_HOME", tempfile.mkdtemp(prefix="fc-bench-home-"))
    log_dir = Path(os.environ["FINCAST_HOME"]) / "logs"
    result: dict[str, Any] = {"machine": machine_info(), "kills": args.kills}

    print("spawn: launch() to READY, sidecar importing", MODEL_IMPORT, flush=True)
    spawn = result["spawn"] = bench_spawn(runs_zygote=10, runs_plain=5)
    show("zygote", spawn["zygote"])
    show("plain", spawn["plain"])
    print(f"  zygote {spawn['speedup_p50']}x faster (issue measured ~20 ms vs ~1,500 ms)")

    print(f"round trips ({args.round_trips} each, interleaved in blocks of {BLOCK})", flush=True)
    trips = bench_round_trips(args.round_trips, args.burst, log_dir)
    result.update(trips)
    raw, hub = trips["raw_pyzmq"], trips["hub"]
    ratio = hub["round_trip"]["p50_ms"] / raw["round_trip"]["p50_ms"]
    result["hub_vs_raw_p50_ratio"] = round(ratio, 2)
    show("raw pyzmq", raw["round_trip"], 3, f"  {raw['throughput_rps']} req/s")
    show("raw + future", trips["raw_pyzmq_future"]["round_trip"], 3, "  (Future hop)")
    show("raw broker", trips["raw_pyzmq_broker"]["round_trip"], 3, "  (caller -> broker thread)")
    show("runtime only", trips["runtime_direct"]["round_trip"], 3, "  (bare ROUTER -> runtime)")
    failed = hub["throughput_failures"]
    show("hub", hub["round_trip"], 3, f"  {hub['throughput_rps']} req/s ({failed} failed)")
    verdict = "MET" if ratio <= 2 else "NOT MET"
    print(f"  hub p50 / raw p50 = {ratio:.2f}x (target <= 2x): {verdict}", flush=True)
    for peer, what in (
        ("raw_pyzmq_future", "raw with the same Future hop"),
        ("raw_pyzmq_broker", "raw through a broker thread"),
    ):
        shaped = hub["round_trip"]["p50_ms"] / trips[peer]["round_trip"]["p50_ms"]
        result[f"hub_vs_{peer.removeprefix('raw_pyzmq_')}_p50_ratio"] = round(shaped, 2)
        print(f"  hub p50 / {what} p50 = {shaped:.2f}x", flush=True)

    print(f"recovery after kill -9 ({args.kills} kills each, sidecar imports {MODEL_IMPORT})")
    rec: dict[str, Any] = {}
    rec["hub_zygote"] = recovery_hub(args.kills, True, True, log_dir)
    show("hub + zygote", rec["hub_zygote"])
    rec["hub_plain"] = recovery_hub(args.kills, False, True, log_dir)
    show("hub + plain", rec["hub_plain"])
    bindir = None if args.skip_peers else ensure_peers()
    for kind in ("supervisord", "circus") if bindir is not None else ():
        try:
            rec[kind] = recovery_peer(kind, bindir, args.kills, True)  # type: ignore[arg-type]
        except Exception as exc:
            rec[kind] = {"error": f"{type(exc).__name__}: {exc}"}
            print(f"  {kind}: failed: {exc}", flush=True)
            continue
        show(kind, rec[kind])
    for kind in ("supervisord", "circus"):
        if "p50_ms" in rec.get(kind, {}):
            factor = rec[kind]["p50_ms"] / rec["hub_zygote"]["p50_ms"]
            rec[f"zygote_speedup_vs_{kind}"] = round(factor, 1)
            verdict = "MET" if factor >= 5 else "NOT MET"
            print(f"  hub + zygote {factor:.1f}x faster than {kind} at p50 (>= 5x): {verdict}")
    result["recovery"] = rec

    light_kills = max(2, args.kills // 2)
    print(f"recovery of a light sidecar (no model import; {light_kills} kills each)", flush=True)
    light: dict[str, Any] = {}
    light["hub_zygote"] = recovery_hub(light_kills, True, False, log_dir)
    show("hub + zygote", light["hub_zygote"])
    light["hub_plain"] = recovery_hub(light_kills, False, False, log_dir)
    show("hub + plain", light["hub_plain"])
    for kind in ("supervisord", "circus") if bindir is not None else ():
        try:
            light[kind] = recovery_peer(kind, bindir, light_kills, False)  # type: ignore[arg-type]
        except Exception as exc:
            light[kind] = {"error": f"{type(exc).__name__}: {exc}"}
            continue
        show(kind, light[kind])
    result["recovery_light"] = light

    print("hang detection (SIGSTOP; a hung method with a 1 s deadline)", flush=True)
    hang = result["hang"] = bench_hang(5, log_dir)
    beat = f" (heartbeat {hang['heartbeat_s']} s x {hang['misses']})"
    show("SIGSTOP seen", hang["sigstop_noticed"], 0, beat)
    show("serving again", hang["sigstop_serving_again"])
    show("hung method", hang["hung_method_1s_deadline_resolved"], 0, " to DeadlineExceeded")

    path = write_result("hub", result, args.out)
    print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
