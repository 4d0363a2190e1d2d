"""The hub: one ROUTER socket, one I/O thread, and every sidecar replica of every service.

All supervision state, and the ROUTER socket, are guarded by one lock. The I/O thread takes it to
read the socket, run timers and commands; between turns it waits on the socket's file descriptor
and a wake-up pipe, holding neither the lock nor the socket (ZeroMQ allows a socket to move
between threads behind a full memory barrier, which a mutex is). A caller's ``request`` takes the
lock and dispatches on its own thread, so a request costs one thread hop (the reply's), not two;
other commands go through a queue. Whoever touches the socket checks it for input afterwards and
wakes the I/O thread if there is some (its descriptor is edge-triggered). Futures are resolved on
the I/O thread after the lock is released, so a done-callback can call back into the hub. Nothing
a peer sends can raise out of the I/O loop: bad frames are dropped and logged. Processes start on a
launcher thread, never on the I/O thread (a wedged zygote must not stall the broker). This module
must never import Qt, the desktop or a model library, and never block on a process.
"""

from __future__ import annotations

import contextlib
import hmac
import itertools
import logging
import math
import os
import queue
import select
import shutil
import socket
import threading
import time
from collections.abc import Callable, Iterable
from concurrent.futures import Future, InvalidStateError, ThreadPoolExecutor
from pathlib import Path
from types import TracebackType
from typing import Any, Self, cast

import psutil
import zmq

from sidecars import protocol as wire
from supervisor import config
from supervisor.broker import Broker, Pending
from supervisor.errors import DeadlineExceeded, HubError, RemoteError, ServiceUnavailable, SpecError
from supervisor.events import Callback, EventBus
from supervisor.lifecycle import Lifecycle
from supervisor.logs import ServiceLogs
from supervisor.policy import RestartPolicy
from supervisor.replica import Replica, ServiceRun, Then, why_not
from supervisor.spawn import Spawner, make_spawner
from supervisor.spec import ServiceSpec, default_specs, load_overrides
from supervisor.states import ALIVE, SERVING, State

_log = logging.getLogger(__name__)

HWM = 100_000  # messages queued per peer before ZeroMQ drops; sized for pipelined load
MAX_TIMEOUT_S = 24 * 3600.0
_DRAIN_BATCH = 2_000  # frames read per wake-up before timers get a turn
# Plain ints: zmq's flags are enums, and `a | b`, `a & b` on them run Python code every time.
_POLLIN = int(zmq.POLLIN)
_NOBLOCK = int(zmq.NOBLOCK)
_SNDMORE_NOBLOCK = int(zmq.SNDMORE | zmq.NOBLOCK)
_RCVMORE = int(zmq.RCVMORE)
_READER_LOOK_MS = 2  # while a caller reads its own reply, how often the I/O thread looks too
_READER_MAX_S = 0.05  # how long a caller reads before it leaves the socket to the I/O thread
# How long after a caller read its reply the I/O thread still leaves the socket to callers: a
# caller sending request after request is between two reads, and an I/O thread woken by the next
# reply would take the GIL from it in the middle of its round trip.
_READER_LINGER_S = 0.005
_HEARTBEAT = wire.encode(wire.Heartbeat())
_NO_FDS: list[int] = []


class Hub(Lifecycle):
    """Runs every service's sidecars, brokers requests to them, brings them back when they fail."""

    # Plain values set on the instance as they change (defaults here keep __init__ short).
    _router_fd = -1  # the ROUTER's (edge-triggered) descriptor, once started
    _read_at = -math.inf  # when a caller last stopped reading replies itself
    # Set by the I/O thread under the lock at the end of each turn: its next wait is a short look
    # (READER_LOOK_MS), not a watch of the socket's descriptor. Meanwhile a caller may leave the
    # descriptor's edge to that look instead of checking EVENTS itself.
    _looking = False
    _moved = False  # a replica changed state since the last notify of _changed
    _io_ident = -1  # the I/O thread's threading.get_ident(), once it runs

    def __init__(
        self,
        services: Iterable[ServiceSpec] | None = None,
        *,
        config_path: Path | None = None,
        log_dir: Path | None = None,
        spawner: Spawner | None = None,
        prefer_zygote: bool = True,
    ) -> None:
        if isinstance(services, str | bytes) or not (
            services is None or isinstance(services, Iterable)
        ):
            raise TypeError("services must be a list of ServiceSpec (or None for the defaults)")
        specs = default_specs() if services is None else list(services)
        if not all(isinstance(s, ServiceSpec) for s in specs):
            raise TypeError("services must be a list of ServiceSpec (or None for the defaults)")
        names = [s.name for s in specs]
        if len(set(names)) != len(names):
            raise SpecError(f"service names must be unique: {names}")
        self.config_problem: str | None = None
        try:
            specs = load_overrides(specs, config_path or config.services_toml())
        except SpecError as exc:
            # A broken services.toml must not keep the app from starting: defaults, and say why.
            self.config_problem = str(exc)
            _log.warning("ignoring service overrides: %s", exc)
        self._services = {s.name: ServiceRun(s, RestartPolicy(s)) for s in specs}
        self._log_dir = log_dir or config.log_dir()
        self._spawner = spawner
        self._own_spawner = spawner is None
        self._prefer_zygote = prefer_zygote
        self.runtime_dir: Path | None = None
        self.endpoint: str | None = None

        self._lock = threading.RLock()
        self._changed = threading.Condition(self._lock)
        self._commands: queue.SimpleQueue[tuple[Callable[..., None], tuple[Any, ...]]] = (
            queue.SimpleQueue()
        )
        self._wake_lock = threading.Lock()
        self._due = 0.0  # when the I/O thread next runs its timers (it sleeps until then)
        self._resolutions: list[tuple[Future[dict[str, Any]], Any, bool]] = []
        self._broker = Broker()
        self._events = EventBus()
        self._logs: ServiceLogs | None = None
        self._peers: dict[bytes, Replica] = {}
        self._tokens: dict[str, Replica] = {}
        self._ids = itertools.count(1)
        self._thread: threading.Thread | None = None
        self._ctx: zmq.Context[zmq.Socket[bytes]] | None = None
        self._router: zmq.Socket[bytes] | None = None
        self._reader = threading.Lock()  # held by the one caller reading replies itself
        self._reader_pipe = (-1, -1)  # how the I/O thread wakes that caller (made by start)
        self._reader_waiter: _FdWaiter | None = None
        self._wake_only: _FdWaiter | None = None
        self._wake_rx: socket.socket | None = None
        self._wake_tx: socket.socket | None = None
        # Processes start here, never on the I/O thread; a few at once, so one wedged launch
        # (a zygote that stopped answering) holds up no other service's.
        self._launcher = ThreadPoolExecutor(max_workers=4, thread_name_prefix="fincast-hub-launch")
        self._running = False  # accepting requests
        self._stopping = False
        self._closing = False
        self._stopped = False
        self._dropped = 0
        self._launched = False

    # ------------------------------------------------------------------ public API

    def start(self) -> None:
        """Bind the socket, start the I/O thread and launch every replica (returns at once)."""
        with self._lock:
            if self._thread is not None or self._stopped:
                return
            self.runtime_dir = config.make_runtime_dir()
            self._logs = ServiceLogs(self._log_dir)
            ctx: zmq.Context[zmq.Socket[bytes]] = zmq.Context()
            self._ctx = ctx
            router = ctx.socket(zmq.ROUTER)
            router.setsockopt(zmq.LINGER, 0)
            router.setsockopt(zmq.ROUTER_MANDATORY, 1)
            # No ROUTER_HANDOVER: a peer claiming a live replica's routing id cannot take its place.
            router.setsockopt(zmq.SNDHWM, HWM)
            router.setsockopt(zmq.RCVHWM, HWM)
            # Oversized frames never reach Python: libzmq drops the peer that sends one.
            router.setsockopt(zmq.MAXMSGSIZE, wire.MAX_FRAME + 4096)
            self.endpoint = self._bind(router, self.runtime_dir)
            self._reader_pipe = os.pipe()
            for fd in self._reader_pipe:
                os.set_blocking(fd, False)
            self._router_fd = cast(int, router.getsockopt(zmq.FD))
            self._reader_waiter = _FdWaiter([self._router_fd, self._reader_pipe[0]])
            self._router = router
            self._wake_rx, self._wake_tx = socket.socketpair()
            self._wake_rx.setblocking(False)
            self._wake_tx.setblocking(False)
            if self._spawner is None:
                preload = sorted({m for s in self._services.values() for m in s.spec.preload})
                self._spawner = make_spawner(self._prefer_zygote, preload)
            self._events.start()
            self._running = True
            if self.config_problem:
                self._publish({"type": "config", "problem": self.config_problem})
            # Queued before the thread runs, so no request can overtake the first launches.
            self._post(self._start_all)
            self._thread = threading.Thread(target=self._run, name="fincast-hub-io", daemon=True)
            self._thread.start()

    def wait_ready(self, timeout: float = 60.0) -> bool:
        """True when every service (with replicas) has a ready replica; False at the timeout."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while True:
                if not self._running:
                    return False
                if all(svc.serving() for svc in self._wanted()):
                    return True
                remaining = deadline - time.monotonic()
                if remaining <= 0 or self._hopeless(deadline):
                    return False
                self._changed.wait(min(remaining, 0.5))

    def request(
        self,
        service: str,
        method: str,
        params: dict[str, Any] | None = None,
        timeout: float = 5.0,
        *,
        idempotent: bool = True,
    ) -> Future[dict[str, Any]]:
        """Send ``method(params)`` to a replica of ``service``; the future always resolves.

        Its result is the reply dict, or it raises ServiceUnavailable, DeadlineExceeded or
        RemoteError. ``idempotent`` requests are delivered again (up to the spec's max_attempts)
        when the replica holding them dies.
        """
        if params is None:
            params = {}
        if not isinstance(params, dict):
            raise TypeError(f"params must be a dict, not {type(params).__name__}")
        if not isinstance(timeout, int | float) or not 0 < timeout <= MAX_TIMEOUT_S:
            raise ValueError(f"timeout must be a number of seconds in (0, {MAX_TIMEOUT_S:g}]")
        future = _Call(self)
        if not self._running:
            future.set_exception(ServiceUnavailable("the hub is not running"))
            return future
        now = time.monotonic()
        pending = Pending(
            id=f"{next(self._ids):x}",
            service=str(service),
            method=str(method),
            params=params,
            timeout_s=float(timeout),
            deadline=now + timeout,
            future=future,
            submitted=now,
            idempotent=idempotent,
        )
        if not self._launched or threading.get_ident() == self._io_ident:
            self._post(self._submit, pending)  # behind the first launches / in order with them
            return future
        with self._lock:
            if not self._running:
                self._resolutions.append((future, ServiceUnavailable("the hub stopped"), False))
            else:
                self._submit(pending)
            # The I/O thread sleeps until its next timer: wake it for an earlier deadline, for a
            # future to resolve, or for input our use of the socket took the edge from.
            # While the I/O thread only looks now and then and no other caller is reading, this
            # caller's result() checks instead, off its round trip's path (see _await); else
            # the look would, a few ms later.
            wake = bool(self._resolutions) or pending.deadline < self._due
            if not wake and self._router is not None:
                if self._looking and not self._reader.locked():
                    future.unchecked = True
                else:
                    wake = _readable(self._router)
        if wake:
            self._wake()
        return future

    def status(self) -> list[dict[str, Any]]:
        """One dict per replica: service, replica, pid, state, restarts, since, last_exit, p50_ms,
        p99_ms, rss_mb (``since`` is epoch seconds; ``pid`` is None without a process)."""
        with self._lock:
            rows: list[dict[str, Any]] = [
                r.row() for svc in self._services.values() for r in svc.replicas
            ]
        for row in rows:
            row["rss_mb"] = _rss_mb(row["pid"])
        return rows

    def metrics(self) -> dict[str, dict[str, Any]]:
        """Per service: request counters, p50/p99 latency (ms), restarts and total rss (MB)."""
        out: dict[str, dict[str, Any]] = {}
        status = self.status()
        with self._lock:
            for name, svc in self._services.items():
                row: dict[str, Any] = dict(svc.metrics.snapshot())
                mine = [s for s in status if s["service"] == name]
                row["restarts"] = sum(s["restarts"] for s in mine)
                row["rss_mb"] = round(sum(s["rss_mb"] or 0.0 for s in mine), 1)
                out[name] = row
        return out

    def restart(self, name: str) -> None:
        """Restart every replica of a service now (also the user's Retry of a failed one)."""
        self._call(self._restart, self._service(name))

    def scale(self, name: str, n: int) -> None:
        """Run ``n`` replicas of a service from now on (starting or retiring the difference)."""
        if not isinstance(n, int) or isinstance(n, bool) or not 0 <= n <= 64:
            raise ValueError("a service runs between 0 and 64 replicas")
        self._call(self._scale, self._service(name), n)

    def reload(self, name: str) -> None:
        """Roll a service onto fresh processes, replica by replica, without a gap in service."""
        self._call(self._reload, self._service(name))

    def subscribe(self, callback: Callback) -> Callable[[], None]:
        """Call ``callback(event)`` on each state change, log line and restart; returns unsubscribe.

        Callbacks run on the hub's event thread, in order; one that raises is logged.
        """
        if not callable(callback):
            raise TypeError("subscribe() needs a callable taking one event dict")
        return self._events.subscribe(callback)

    def services(self) -> list[ServiceSpec]:
        """The specs in effect (after services.toml)."""
        return [svc.spec for svc in self._services.values()]

    def stop(self, timeout: float = 10.0) -> None:
        """DISCONNECT every replica, wait, terminate, wait, kill the process groups; then close."""
        if threading.current_thread() is self._thread:
            raise RuntimeError("stop() cannot run on the hub's I/O thread (a future callback)")
        with self._lock:
            if self._thread is None or self._stopped:
                self._stopped = True
                return
        end = time.monotonic() + max(timeout, 0.1)
        self._call(self._begin_stop)
        self._wait_all_gone(time.monotonic() + max(timeout, 0.1) * 0.5)
        self._call(self._signal_all, False)
        self._wait_all_gone(time.monotonic() + (end - time.monotonic()) * 0.5)
        self._call(self._signal_all, True)
        self._wait_all_gone(end + 2.0)
        with self._lock:
            self._closing = True
        self._wake()
        thread = self._thread
        if thread is not None:
            thread.join(5.0)
        self._launcher.shutdown(wait=False, cancel_futures=True)
        # Close the reader's pipe only once no caller can be reading (a late write from _settle
        # must never reach a reused descriptor); the lock stays held: nobody reads again.
        if self._reader_pipe[0] >= 0 and self._reader.acquire(timeout=2.0):
            for fd in self._reader_pipe:
                os.close(fd)
        with self._lock:
            self._stopped = True
            self._abandon_commands()
        self._flush_resolutions()
        if self._spawner is not None and self._own_spawner:
            self._spawner.close()
        if self._ctx is not None and not (thread is not None and thread.is_alive()):
            self._ctx.term()  # (a wedged I/O thread still owns sockets: leak them, never hang)
        if self.runtime_dir is not None:
            shutil.rmtree(self.runtime_dir, ignore_errors=True)
        self._events.close()
        if self._logs is not None:
            self._logs.close()

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    # ------------------------------------------------------------------ other threads -> I/O thread

    def _service(self, name: str) -> ServiceRun:
        svc = self._services.get(name)
        if svc is None:
            raise KeyError(f"no service named {name!r}")
        return svc

    def _post(self, fn: Callable[..., None], *args: Any) -> None:
        self._commands.put((fn, args))
        self._wake()

    def _wake(self) -> None:
        with self._wake_lock:
            if self._wake_tx is None:
                return
            with contextlib.suppress(OSError):  # full = a wake-up is pending anyway
                self._wake_tx.send(b"\0")

    def _abandon_commands(self) -> None:
        """After the I/O thread ended: resolve whatever was posted too late to run."""
        while True:
            try:
                fn, args = self._commands.get_nowait()
            except queue.Empty:
                return
            if fn == self._submit:
                gone = ServiceUnavailable("the hub stopped")
                self._resolutions.append((args[0].future, gone, False))
            waiter = getattr(fn, "waiter", None)
            if isinstance(waiter, Future):
                waiter.set_exception(ServiceUnavailable("the hub stopped"))

    def _call(self, fn: Callable[..., None], *args: Any) -> None:
        """Run ``fn`` on the I/O thread and wait for it (directly when already on that thread)."""
        if threading.current_thread() is self._thread:
            fn(*args)
            return
        if self._thread is None or self._closing:
            raise ServiceUnavailable("the hub is not running")
        done: Future[None] = Future()

        def run(*a: Any) -> None:
            try:
                fn(*a)
                done.set_result(None)
            except BaseException as exc:
                done.set_exception(exc)

        run.waiter = done  # type: ignore[attr-defined]
        self._post(run, *args)
        done.result(timeout=30)

    def _await(self, call: _Call, end: float | None) -> None:
        """On a caller's thread, in ``result()``: read replies off the socket here until ``call``
        is done or ``end``, so its reply does not wait for the I/O thread to wake this one. One
        caller at a time does; the others (and the I/O thread's own turns) go on as usual."""
        router, waiter = self._router, self._reader_waiter
        if router is None or waiter is None or threading.get_ident() == self._io_ident:
            return
        if not self._reader.acquire(blocking=False):
            return
        try:
            wake_r, call.waker = self._reader_pipe
            router_fd = self._router_fd
            # A long call gives the socket back (then waits as usual): the I/O thread looks every
            # few ms while a caller reads, which is cheap for a round trip, not for a minute.
            give_back = time.monotonic() + _READER_MAX_S
            end = give_back if end is None else min(end, give_back)
            # The socket's descriptor is edge-triggered: while the I/O thread only looks now and
            # then, our send (or a reader that stopped at its own reply) may have taken the edge
            # of input still unread, so read before waiting. The reply is on its way meanwhile:
            # this costs CPU, not latency. Otherwise whoever took an edge read everything under
            # the lock, and a reply for us that another thread handled comes with a write to
            # the waker, so wait first.
            check = call.unchecked or self._looking
            while True:
                if check:
                    check, woke = False, _NO_FDS
                else:
                    left = math.ceil((end - time.monotonic()) * 1000)
                    if left <= 0:
                        return
                    woke = _wait_and_clear(waiter, left, wake_r)
                with self._lock:
                    if self._closing:
                        return
                    self._drain_router(router, signalled=router_fd in woke, until=call)
                    mine = self._take_resolutions(call) if self._resolutions else None
                    others = bool(self._resolutions)
                    if self._moved:  # a replica changed state: wake wait_ready() and stop()
                        self._moved = False
                        self._changed.notify_all()
                if mine:
                    call.waker = None  # settled here: no need to wake ourselves
                    _settle(mine)
                if others:
                    self._wake()  # other futures resolve on the I/O thread, as always
                if mine or call.done():  # (done: another thread read it, and woke us)
                    return
        finally:
            call.waker = None
            self._read_at = time.monotonic()
            self._reader.release()

    def _take_resolutions(self, call: _Call) -> list[tuple[Future[dict[str, Any]], Any, bool]]:
        """Remove and return what resolves ``call`` from the resolutions (under the lock)."""
        todo = self._resolutions
        if len(todo) == 1 and todo[0][0] is call:  # the usual case: our reply only
            self._resolutions = []
            return todo
        mine = [t for t in todo if t[0] is call]
        if mine:
            self._resolutions = [t for t in todo if t[0] is not call]
        return mine

    def _wait_all_gone(self, deadline: float) -> None:
        with self._changed:
            while any(r.state in ALIVE for svc in self._services.values() for r in svc.replicas):
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return
                self._changed.wait(min(remaining, 0.2))

    # ------------------------------------------------------------------ the I/O thread

    def _bind(self, router: zmq.Socket[bytes], runtime_dir: Path) -> str:
        path = runtime_dir / "hub.sock"
        if zmq.has("ipc") and len(str(path)) < 100:
            endpoint = f"ipc://{path}"
            try:
                router.bind(endpoint)
                return endpoint
            except zmq.ZMQError as exc:
                _log.warning("cannot bind %s (%s); using tcp on 127.0.0.1", endpoint, exc)
        port = router.bind_to_random_port("tcp://127.0.0.1")
        return f"tcp://127.0.0.1:{port}"

    def _run(self) -> None:
        self._io_ident = threading.get_ident()
        router, wake_rx = self._router, self._wake_rx
        assert router is not None and wake_rx is not None
        waiter = _FdWaiter([cast(int, router.getsockopt(zmq.FD)), wake_rx.fileno()])
        self._wake_only = _FdWaiter([wake_rx.fileno()])
        with self._lock:
            self._due = self._next_wake(time.monotonic())
        while True:
            try:
                if self._turn(waiter, router, wake_rx):
                    break
            except Exception:  # a hub bug: log it and keep serving rather than strand every future
                _log.exception("hub I/O thread: one turn failed")
                time.sleep(0.05)
        with self._lock:
            router.close(0)
        with self._wake_lock:
            wake_rx.close()
            if self._wake_tx is not None:
                self._wake_tx.close()
                self._wake_tx = None

    def _turn(self, waiter: _FdWaiter, router: zmq.Socket[bytes], wake_rx: socket.socket) -> bool:
        """One wait-and-handle round of the I/O loop; True when the hub is closing."""
        due = self._due
        wait_ms = max(0, min(1000, math.ceil((due - time.monotonic()) * 1000)))
        if self._looking and self._wake_only is not None:
            # A caller is reading replies itself (or was a moment ago, and is likely to be again
            # after its next send): leave the socket to it (waking on its input too would fight
            # it for the GIL on every reply), and look again shortly, as it may stop reading at
            # any time without telling us.
            waiter, wait_ms = self._wake_only, min(wait_ms, _READER_LOOK_MS)
        woke = waiter.wait(wait_ms)
        if wake_rx.fileno() in woke:
            with contextlib.suppress(OSError):  # nothing (left) to read
                wake_rx.recv(4096)
        with self._lock:
            self._drain_commands()
            if self._closing:
                return True
            # Every turn: the descriptor is edge-triggered, and callers use the socket too.
            self._drain_router(router, signalled=self._router_fd in woke)
            now = time.monotonic()
            if now >= due:  # timers are checked when one is due, not on every message
                self._guard(self._tick, now)
                # Its sends may have taken the fd's edge for input that came meanwhile.
                self._drain_router(router)
            self._due = self._next_wake(now)
            # The socket was drained just above (its edge re-armed): only a look from now on
            # lets callers leave edges to it.
            self._looking = self._reader.locked() or now - self._read_at < _READER_LINGER_S
            self._moved = False
            self._changed.notify_all()
            todo, self._resolutions = self._resolutions, []
        _settle(todo)
        return False

    def _guard(self, fn: Callable[..., None], *args: Any) -> None:
        # A bug in one handler must not kill the hub: it is logged with its traceback instead.
        try:
            fn(*args)
        except Exception:
            _log.exception("hub I/O thread: %s failed", getattr(fn, "__name__", fn))

    def _drain_commands(self) -> None:
        if self._commands.empty():  # the usual case; cheaper than the Empty raised below
            return
        while True:
            try:
                fn, args = self._commands.get_nowait()
            except queue.Empty:
                return
            self._guard(fn, *args)

    def _drain_router(
        self, router: zmq.Socket[bytes], signalled: bool = False, until: _Call | None = None
    ) -> None:
        """Handle every message waiting on the socket (until EVENTS says none is left, which
        also re-arms its edge-triggered descriptor). ``signalled``: poll just said the descriptor
        is readable, so the first read is tried without asking EVENTS (a message is nearly
        always there; a miss costs one zmq.Again). ``until``: stop once that call is resolved,
        if the I/O thread is looking (it reads the rest, and re-arms, within READER_LOOK_MS)."""
        for n in range(_DRAIN_BATCH):
            if (n or not signalled) and not _readable(router):
                return
            try:
                # recv by hand: half the cost of recv_multipart, on every message. A ROUTER
                # gives a routing id and then at least one frame, so RCVMORE is asked once.
                identity = router.recv(_NOBLOCK)
                payload = router.recv(_NOBLOCK)
                extra: list[bytes] | None = None
                while router.getsockopt(_RCVMORE):
                    extra = extra or []
                    extra.append(router.recv(_NOBLOCK))
            except zmq.Again:
                return
            except zmq.ZMQError as exc:
                _log.warning("receive failed: %s", exc)
                return
            try:
                if extra is None:
                    self._on_frame(identity, payload)
                    res = self._resolutions
                    if until is not None and res and res[-1][0] is until and self._looking:
                        return
                else:
                    frames = 2 + len(extra)
                    self._drop(f"a message of {frames} frames (expected 1 from a DEALER)", identity)
            except Exception:  # as _guard does, without a call per frame
                _log.exception("hub I/O thread: _on_frame failed")

    def _next_wake(self, now: float) -> float:
        soon = now + 1.0
        next_deadline = self._broker.next_deadline()
        if next_deadline is not None:
            soon = min(soon, next_deadline)
        for svc in self._services.values():
            spec = svc.spec
            soon = min(soon, svc.next_heartbeat)
            for r in svc.replicas:
                if r.timer is not None:
                    soon = min(soon, r.timer)
                if r.state in SERVING:
                    soon = min(soon, r.last_seen + spec.heartbeat_s * spec.heartbeat_misses)
                    if r.working:
                        soon = min(soon, *r.working.values())
                elif r.state is State.STARTING:
                    soon = min(soon, r.launched + spec.start_timeout_s)
        return soon

    def _flush_resolutions(self) -> None:
        with self._lock:
            todo, self._resolutions = self._resolutions, []
        _settle(todo)

    # ------------------------------------------------------------------ states and events

    def _resolve(self, pending: Pending, result: dict[str, Any]) -> None:
        self._broker.finish(pending)
        self._services[pending.service].metrics.count("ok")
        self._resolutions.append((pending.future, result, True))

    def _fail(self, pending: Pending, error: HubError) -> None:
        self._broker.finish(pending)
        svc = self._services.get(pending.service)
        if svc is not None:
            svc.metrics.count(getattr(error, "code", "error"))
        self._resolutions.append((pending.future, error, False))

    def _drop(self, why: str, identity: bytes | None = None) -> None:
        # Hostile peers can send millions of bad frames: log the first ones and then a sample.
        self._dropped += 1
        if self._dropped <= 20 or self._dropped % 1000 == 0:
            who = identity.hex()[:16] if identity else "?"
            _log.warning("dropped a frame from peer %s: %s (%d so far)", who, why, self._dropped)

    # ------------------------------------------------------------------ frames from peers

    def _on_frame(self, identity: bytes, payload: bytes) -> None:
        try:
            msg = wire.decode(payload)
        except wire.ProtocolError as exc:
            self._drop(f"{exc.code}: {exc.message}", identity)
            return
        r = self._peers.get(identity)
        if r is None:
            if isinstance(msg, wire.Ready):
                self._on_ready(identity, msg)
            elif isinstance(msg, wire.Disconnect | wire.Heartbeat | wire.Metrics):
                # A replica whose exit was handled first says goodbye late: nothing to do.
                _log.debug("%s from a peer no longer known", type(msg).__name__)
            else:
                self._drop(f"{type(msg).__name__} from a peer that never said READY", identity)
            return
        now = r.last_seen = time.monotonic()
        if type(msg) is wire.Reply:  # most frames: straight on
            self._on_reply(self._services[r.service], r, msg, now)
        elif not isinstance(msg, wire.Heartbeat):
            self._on_message(r, msg, identity)

    def _on_message(self, r: Replica, msg: wire.Message, identity: bytes) -> None:
        """A frame from a known replica other than a REPLY or HEARTBEAT (handled by _on_frame)."""
        now = r.last_seen
        svc = self._services[r.service]
        if isinstance(msg, wire.Progress):
            pending = self._broker.get(msg.id)
            if msg.id in r.working and pending is not None and pending.holder is r:
                self._broker.extend(pending, now + pending.timeout_s)
                r.working[msg.id] = now + pending.timeout_s
        elif isinstance(msg, wire.Log):
            level = logging.getLevelName(msg.level.upper())
            level = level if isinstance(level, int) else logging.INFO
            self._write_log(r.service, f"replica {r.index}: {msg.message}", level)
            self._publish(
                {
                    "type": "log",
                    "service": r.service,
                    "replica": r.index,
                    "level": msg.level.lower(),
                    "line": msg.message,
                }
            )
        elif isinstance(msg, wire.Metrics):
            r.rss_reported = msg.rss_mb
            limit = svc.spec.memory_limit_mb
            if limit and msg.rss_mb > limit:
                # Where the OS has no RLIMIT_AS (Windows; macOS ignores it) this is the only cap.
                rss = f"{msg.rss_mb:.0f} MB"
                self._condemn(r, f"resident memory {rss} is over its {limit} MB limit")
        elif isinstance(msg, wire.Disconnect):
            r.leaving = True
            self._broker.close(r.service, r)  # what it runs may still be answered
        else:
            self._drop(f"{type(msg).__name__} is not something a sidecar sends", identity)

    def _on_ready(self, identity: bytes, msg: wire.Ready) -> None:
        offered = msg.token.encode()
        r = None
        for token, candidate in self._tokens.items():
            if hmac.compare_digest(token.encode(), offered):
                r = candidate
        if r is None or r.service != msg.service or r.state is not State.STARTING:
            self._drop(f"READY for {msg.service!r} with a wrong token", identity)
            return
        now = time.monotonic()
        del self._tokens[r.token]
        r.identity = identity
        self._peers[identity] = r
        r.last_seen = now
        svc = self._services[r.service]
        took = now - r.launched
        svc.start_s = took if svc.start_s is None else 0.7 * svc.start_s + 0.3 * took
        self._move(r, State.READY, f"ready in {took * 1000:.0f} ms")
        if r.then is not None:
            self._retire_step(r)
            return
        self._broker.idle(r.service, r, svc.spec.concurrency)
        self._dispatch(svc)
        old = r.replaces
        if old is not None:
            r.replaces = None
            if old in svc.replicas:
                self._retire(svc, old, Then.REMOVE)
            self._reload_step(svc)

    def _on_reply(self, svc: ServiceRun, r: Replica, msg: wire.Reply, now: float) -> None:
        if r.working.pop(msg.id, None) is None:
            _log.debug("stray reply %s from %s/%d dropped", msg.id, r.service, r.index)
            svc.metrics.count("stray")
            return
        pending = self._broker.get(msg.id)
        if pending is None or pending.holder is not r:
            svc.metrics.count("late")  # the caller already had DeadlineExceeded: dropped by id
        else:
            took = now - pending.dispatched_at
            r.latency.add(took)
            svc.metrics.latency.add(took)
            if msg.ok:
                self._resolve(pending, msg.result or {})
            else:
                error = msg.error or wire.Error(code=wire.INTERNAL, message="no error given")
                self._fail(pending, _remote_error(error.code, error.message))
        if r.state is State.BUSY and not r.working:
            self._move(r, State.READY)
        if r.then is not None:
            if not r.working:
                self._retire_step(r)
        elif not r.leaving:
            self._broker.idle(r.service, r)  # the slot that answered is free again
            if self._broker.has_waiting(r.service):
                self._dispatch(svc)

    # ------------------------------------------------------------------ requests

    def _submit(self, pending: Pending) -> None:
        svc = self._services.get(pending.service)
        if svc is None:
            self._resolutions.append(
                (pending.future, ServiceUnavailable(f"no service named {pending.service!r}"), False)
            )
            return
        svc.metrics.count("requests")
        if not self._stopping:
            # The usual case, a free slot and nobody queued: straight to it (a free slot means a
            # replica serves now, so there is no "why not" to ask).
            now = time.monotonic()
            replica = self._broker.take(pending, now)
            if replica is not None:
                assert isinstance(replica, Replica)
                if not self._deliver(svc, replica, pending, now):
                    self._dispatch(svc)
                return
            free = self._broker.has_free(svc.name)
            why = "" if free else self._why_not(svc, pending.deadline, now)
        else:
            why = self._why_not(svc, pending.deadline, time.monotonic())
        self._broker.submit(pending)
        if why:
            self._fail(pending, ServiceUnavailable(why))
            return
        self._dispatch(svc)

    def _dispatch(self, svc: ServiceRun) -> None:
        now = time.monotonic()
        again = False
        for replica, pending in self._broker.dispatch(svc.name, now):
            assert isinstance(replica, Replica)
            if not self._deliver(svc, replica, pending, now):
                again = True
        if again and self._broker.has_waiting(svc.name):
            self._dispatch(svc)

    def _deliver(self, svc: ServiceRun, replica: Replica, pending: Pending, now: float) -> bool:
        """Send a request the broker gave to ``replica``; False if it did not go (the broker has
        been told: failed, cancelled or queued again), so the caller dispatches again."""
        if not pending.started:
            pending.started = True
            if not pending.future.set_running_or_notify_cancel():
                self._broker.finish(pending)  # cancelled by the caller before it was sent
                self._broker.idle(svc.name, replica)
                return False
        remaining_ms = max(0, int((pending.deadline - now) * 1000))
        try:
            data = wire.encode(
                wire.Request(
                    id=pending.id,
                    service=pending.service,
                    method=pending.method,
                    params=pending.params,
                    deadline_ms=remaining_ms,
                )
            )
        except (wire.ProtocolError, TypeError, ValueError) as exc:
            self._fail(pending, RemoteError(wire.BAD_REQUEST, str(exc)))
            self._broker.idle(svc.name, replica)
            return False
        try:
            assert self._router is not None and replica.identity is not None
            _send_to(self._router, replica.identity, data)
        except zmq.ZMQError as exc:
            # Unroutable (the peer is gone) or at its high-water mark: not delivered, so it
            # goes back to the queue whatever its kind; what the replica held is orphaned.
            pending.attempts -= 1
            self._broker.requeue(pending)
            self._condemn(replica, f"cannot send to it: {exc}")
            return False
        if pending.attempts > 1:
            svc.metrics.count("retried")
        replica.working[pending.id] = now + pending.timeout_s
        self._move(replica, State.BUSY)
        return True

    def _orphaned(self, svc: ServiceRun, r: Replica, why: str) -> None:
        """The replica will not answer what it holds: deliver it again, or fail it."""
        for pending in self._broker.withdraw(svc.name, r):
            if pending.idempotent and pending.attempts < svc.spec.max_attempts:
                self._broker.requeue(pending)
            else:
                n = pending.attempts
                tried = f"{n} attempts" if pending.idempotent else "not idempotent"
                gone = f"{svc.name} replica {r.index} {why} ({tried})"
                self._fail(pending, ServiceUnavailable(gone))

    def _begin_stop(self) -> None:
        self._stopping = True
        self._running = False
        for pending in self._broker.all_pending():
            self._fail(pending, ServiceUnavailable("the hub is stopping"))
        for svc in self._services.values():
            svc.reloading.clear()
            for r in svc.replicas:
                # At once, busy or not: what they run was failed above, and the runtime still
                # finishes in-flight work before it exits (within the DISCONNECT grace).
                self._retire(svc, r, Then.STOP, now_=True)

    def _why_not(self, svc: ServiceRun, deadline: float, now: float) -> str:
        return "the hub is stopping" if self._stopping else why_not(svc, deadline, now)

    def _fail_hopeless(self, svc: ServiceRun) -> None:
        now = time.monotonic()
        for pending in self._broker.waiting(svc.name):
            why = self._why_not(svc, pending.deadline, now)
            if why:
                self._fail(pending, ServiceUnavailable(why))

    # ------------------------------------------------------------------ timers

    def _tick(self, now: float) -> None:
        for pending in self._broker.expired(now):
            # The holder, if any, keeps running it: it is judged on its own work_deadline below.
            self._fail(
                pending,
                DeadlineExceeded(
                    f"{pending.service}.{pending.method} not answered within "
                    f"{pending.timeout_s:g} s"
                ),
            )
        heartbeat = _HEARTBEAT
        for svc in self._services.values():
            spec = svc.spec
            if now >= svc.next_heartbeat:
                svc.next_heartbeat = now + spec.heartbeat_s
                for r in svc.replicas:
                    if r.state in SERVING and r.identity is not None:
                        self._send(r, heartbeat)
            limit = spec.heartbeat_s * spec.heartbeat_misses
            for r in list(svc.replicas):
                if r.state in SERVING and any(now >= d for d in r.working.values()):
                    # A request dispatched at once gets this at its deadline; one that waited in
                    # the queue still gets its full time budget on the replica before it counts.
                    self._condemn(r, "stuck: a request ran past its deadline")
                elif r.state in SERVING and now - r.last_seen > limit:
                    silent = now - r.last_seen
                    self._condemn(r, f"silent for {silent:.1f} s: heartbeats missed")
                elif r.state is State.STARTING and now - r.launched > spec.start_timeout_s:
                    self._condemn(r, f"not READY within {spec.start_timeout_s:g} s")
                if r.timer is not None and now >= r.timer:
                    r.timer = None
                    self._on_timer(svc, r)
            self._dispatch(svc)  # requests orphaned by a condemned replica go elsewhere

    # ------------------------------------------------------------------ helpers for waiting

    def _wanted(self) -> list[ServiceRun]:
        """Services that should have a ready replica (before the first launch: per their spec)."""
        if not self._launched:
            return [s for s in self._services.values() if s.spec.replicas > 0]
        return [s for s in self._services.values() if any(r.then is None for r in s.replicas)]

    def _hopeless(self, deadline: float) -> bool:
        """Some wanted service has only failed replicas, none retried before ``deadline``."""
        for svc in self._wanted():
            live = [r for r in svc.replicas if r.then is None]
            if live and all(
                r.state is State.FAILED and (r.timer is None or r.timer > deadline) for r in live
            ):
                return True
        return False


def _send_to(router: zmq.Socket[bytes], identity: bytes, data: bytes) -> None:
    """[identity, data] without blocking; two sends cost half of one send_multipart."""
    router.send(identity, _SNDMORE_NOBLOCK)
    router.send(data, _NOBLOCK)


def _settle(todo: list[tuple[Future[dict[str, Any]], Any, bool]]) -> None:
    """Resolve futures (outside the hub's lock: their done-callbacks may call the hub)."""
    for future, value, ok in todo:
        try:
            if ok:
                future.set_result(value)
            else:
                future.set_exception(value)
        except InvalidStateError:  # cancelled by its caller meanwhile
            pass
        waker = getattr(future, "waker", None)
        if waker is not None:  # its caller is reading the socket itself: wake it
            with contextlib.suppress(OSError):
                os.write(waker, b"\0")


class _Call(Future[dict[str, Any]]):
    """A request's future. ``result()``/``exception()`` on a caller's thread read the reply off
    the hub's socket there when they can (see ``Hub._await``), instead of waiting to be woken by
    the I/O thread: that hand-off was the one thread hop left in a round trip."""

    def __init__(self, hub: Hub) -> None:
        super().__init__()
        self._hub = hub
        self.waker: int | None = None  # set while its caller reads the socket itself
        self.unchecked = False  # its request() left the socket's edge to the I/O thread's look

    def result(self, timeout: float | None = None) -> dict[str, Any]:
        """The reply, as Future.result (reading it off the socket on this thread if it can)."""
        return super().result(self._help(timeout))

    def exception(self, timeout: float | None = None) -> BaseException | None:
        """As Future.exception (reading the reply on this thread if it can)."""
        return super().exception(self._help(timeout))

    def _help(self, timeout: float | None) -> float | None:
        if self.done():
            return timeout
        end = None if timeout is None else time.monotonic() + timeout
        self._hub._await(self, end)
        return None if end is None else max(0.0, end - time.monotonic())


def _wait_and_clear(waiter: _FdWaiter, timeout_ms: int, wake_r: int) -> list[int]:
    """The descriptors that woke ``waiter``; a wake-up written to ``wake_r`` is read off."""
    woke = waiter.wait(timeout_ms)
    if wake_r in woke:
        with contextlib.suppress(OSError):
            os.read(wake_r, 4096)
    return woke


def _readable(sock: zmq.Socket[bytes]) -> bool:
    """Input is waiting (asks EVENTS, which also re-arms the edge-triggered descriptor).

    Much cheaper than the zmq.Again a drained recv raises; and zmq_poll with no timeout asks
    EVENTS in C, where getsockopt first builds a SocketOption enum in Python on every call."""
    return bool(zmq.zmq_poll([(sock, _POLLIN)], 0))


class _FdWaiter:
    """Waits until one of a few file descriptors is readable (poll(2); select() where absent)."""

    def __init__(self, fds: list[int]) -> None:
        self._fds = fds
        self._poll = select.poll() if hasattr(select, "poll") else None
        if self._poll is not None:
            for fd in fds:
                self._poll.register(fd, select.POLLIN)

    def wait(self, timeout_ms: int) -> list[int]:
        """The descriptors that woke it (none at the timeout, or on EINTR)."""
        try:
            if self._poll is not None:
                return [fd for fd, _ in self._poll.poll(timeout_ms)]
            readable, _, _ = select.select(self._fds, [], [], timeout_ms / 1000)
            return list(readable)
        except InterruptedError:
            return []


def _remote_error(code: str, message: str) -> HubError:
    if code == wire.DEADLINE:
        return DeadlineExceeded(message or "the sidecar gave up at the deadline")
    if code == wire.UNAVAILABLE:
        return ServiceUnavailable(message or "the sidecar cannot serve this now")
    return RemoteError(code if code in wire.ERROR_CODES else wire.INTERNAL, message)


def _rss_mb(pid: int | None) -> float | None:
    if pid is None:
        return None
    try:
        return round(float(psutil.Process(pid).memory_info().rss) / (1024 * 1024), 1)
    except (psutil.Error, OSError):
        return None
