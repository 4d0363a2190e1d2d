"""A sidecar's life: connect to the hub, announce READY, serve methods, heartbeat, stop.

    sidecar = Sidecar("echo")

    @sidecar.method("echo")
    def echo(params: dict) -> dict: ...

    if __name__ == "__main__":
        sidecar.run()

The main thread runs the I/O loop (the only thread that touches the hub's socket): it answers and
sends heartbeats, hands requests to worker threads, and forwards their replies. A method that hangs
never stops the heartbeats; the hub notices the missed deadline instead. A bad frame is logged (and
answered when it names a request), a method that raises answers ``internal``: this module must never
let one message or one method end the process. It ends only on DISCONNECT, or when the parent is
gone (stdin EOF, PR_SET_PDEATHSIG, a changed parent pid, or the hub silent for HEARTBEAT_LIVENESS
beats).
"""

from __future__ import annotations

import contextlib
import itertools
import logging
import os
import queue
import sys
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, NoReturn

import zmq

from sidecars import protocol
from sidecars._runtime import process
from sidecars.protocol import (
    EXIT_CONFIG,
    EXIT_OK,
    EXIT_PARENT_GONE,
    Disconnect,
    Heartbeat,
    Log,
    Metrics,
    Progress,
    ProtocolError,
    Ready,
    Request,
    decode,
    encode,
    error_reply,
    ok_reply,
)

__all__ = ["EXIT_CONFIG", "BadRequest", "Method", "Sidecar", "report_progress"]

log = logging.getLogger("sidecars.runtime")

_Context = zmq.Context[zmq.Socket[bytes]]
Method = Callable[[dict[str, Any]], dict[str, Any]]

_FIRST_CONTACT_S = 60.0  # how long to wait for the hub's first word before giving up on it
_METRICS_EVERY = 5  # heartbeats between METRICS messages
_PROGRESS_MIN_S = 0.1  # a method calling report_progress() in a tight loop sends at most this often
_DRAIN_BATCH = 1000  # frames per wake-up, so a flood of requests never delays a heartbeat
_FLUSH_MS = 1000  # how long a graceful stop waits to deliver its last messages
_ids = itertools.count()


class BadRequest(Exception):
    """Raise from a method when its params are wrong: the caller gets ``bad_request``."""


@dataclass
class _Current:
    request_id: str
    push: zmq.Socket[bytes]
    last_progress: float = 0.0


_local = threading.local()


def report_progress() -> None:
    """Tell the hub the current request is still alive (extends its deadline); no-op elsewhere."""
    current: _Current | None = getattr(_local, "current", None)
    if current is None:
        return
    now = time.monotonic()
    if now - current.last_progress < _PROGRESS_MIN_S:
        return
    current.last_progress = now
    current.push.send_multipart([b"", encode(Progress(id=current.request_id))])


@dataclass
class _Settings:
    endpoint: str
    replica: int
    parent_pid: int | None
    heartbeat_s: float
    liveness: int


@dataclass
class _State:
    inflight: set[str] = field(default_factory=set)
    served: int = 0
    stopping: str | None = None
    last_heard: float = 0.0
    heard_once: bool = False


@dataclass
class _Io:
    """What the I/O loop owns: the hub socket, the workers' inbox and queue, and the counters."""

    settings: _Settings
    dealer: zmq.Socket[bytes]
    inbox: zmq.Socket[bytes]
    jobs: queue.SimpleQueue[Request]
    state: _State
    forwarder: _LogForwarder


class _LogForwarder(logging.Handler):
    """Keeps WARNING and worse for the I/O loop to send as LOG messages (the hub shows them)."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.pending: deque[Log] = deque(maxlen=100)

    def emit(self, record: logging.LogRecord) -> None:
        try:
            text = self.format(record) if record.exc_info else record.getMessage()
            self.pending.append(Log(level=record.levelname.lower()[:16], message=text[:65536]))
        except Exception:  # a log call must never raise into the method that made it
            self.handleError(record)


class Sidecar:
    """One model service's process: register methods with ``method``, then call ``run``."""

    def __init__(self, name: str, *, workers: int = 2) -> None:
        if not name or len(name) > 128:
            raise ValueError("a sidecar needs a name of 1 to 128 characters")
        self.name = name
        self.workers = max(1, workers)
        self._methods: dict[str, Method] = {}

    def method(self, name: str) -> Callable[[Method], Method]:
        """Register a function ``params -> result dict`` as the method ``name``."""
        if name == "describe":
            raise ValueError("describe is built in")

        def register(fn: Method) -> Method:
            self._methods[name] = fn
            return fn

        return register

    @property
    def methods(self) -> list[str]:
        """Every method this sidecar answers, built-in ``describe`` included."""
        return sorted([*self._methods, "describe"])

    def describe(self) -> dict[str, Any]:
        """What ``describe`` answers: the service, its methods and their one-line docs."""
        docs = {
            name: (fn.__doc__ or "").strip().splitlines()[0] if fn.__doc__ else ""
            for name, fn in self._methods.items()
        }
        docs["describe"] = "This service's methods and protocol version."
        return {
            "service": self.name,
            "protocol": protocol.VERSION,
            "pid": os.getpid(),
            "methods": self.methods,
            "docs": docs,
        }

    def run(self) -> NoReturn:
        """Serve until told to stop or orphaned, then exit the process with its exit code."""
        _setup_logging()
        code = EXIT_CONFIG
        try:
            code = self._serve()
        except Exception:
            log.exception("%s: the runtime failed", self.name)
            code = 1
        _exit(code)

    # --- the I/O loop -------------------------------------------------------------------------

    def _serve(self) -> int:
        settings = _read_settings()
        if settings is None:
            return EXIT_CONFIG
        process.limit_memory(process.env_int(protocol.ENV_MEMORY_LIMIT_MB))
        process.set_parent_death_signal()
        if not process.parent_is(settings.parent_pid):
            log.error("%s: parent %s is already gone", self.name, settings.parent_pid)
            return EXIT_PARENT_GONE
        token = os.environ.pop(protocol.ENV_TOKEN, None)
        if token is None:
            token = process.read_token()
            if token is None:
                log.error("%s: stdin closed before the launch token arrived", self.name)
                return EXIT_PARENT_GONE
            process.watch_for_eof(_parent_gone)
        else:
            # Started by another process manager (no stdin pipe): hub silence and the death
            # signal still end it.
            log.info("%s: token from %s; not watching stdin", self.name, protocol.ENV_TOKEN)

        ctx: _Context = zmq.Context.instance()
        inbox_addr = f"inproc://fincast-runtime-{os.getpid()}-{next(_ids)}"
        io = _Io(
            settings=settings,
            # The hub socket has a context of its own so that a graceful stop can flush it
            # (Context.term) without waiting on the worker sockets.
            dealer=_connect(zmq.Context(), settings, self.name),
            inbox=ctx.socket(zmq.PULL),
            jobs=queue.SimpleQueue(),
            state=_State(last_heard=time.monotonic()),
            forwarder=_LogForwarder(),
        )
        io.inbox.bind(inbox_addr)
        for n in range(self.workers):
            threading.Thread(
                target=self._work, args=(ctx, inbox_addr, io.jobs), name=f"worker-{n}", daemon=True
            ).start()
        logging.getLogger().addHandler(io.forwarder)
        ready = Ready(
            service=self.name,
            token=token,
            pid=os.getpid(),
            methods=self.methods,
            replica=settings.replica,
        )
        _send(io.dealer, ready)
        log.info("%s: READY sent to %s (pid %d)", self.name, settings.endpoint, os.getpid())
        code = self._loop(io)
        if code == EXIT_OK:
            _flush(io.dealer)
        return code

    def _loop(self, io: _Io) -> int:
        poller = zmq.Poller()
        poller.register(io.dealer, zmq.POLLIN)
        poller.register(io.inbox, zmq.POLLIN)
        beat = io.settings.heartbeat_s
        next_beat = time.monotonic() + beat
        beats = 0
        state = io.state
        while True:
            wait_ms = max(0, int((next_beat - time.monotonic()) * 1000) + 1)
            events = dict(poller.poll(wait_ms))
            if io.inbox in events:
                self._drain_inbox(io)
            if io.dealer in events:
                self._drain_hub(io)
            while io.forwarder.pending:
                _send(io.dealer, io.forwarder.pending.popleft())
            now = time.monotonic()
            if now >= next_beat:
                _send(io.dealer, Heartbeat())
                beats += 1
                if beats % _METRICS_EVERY == 1:
                    _send(io.dealer, _metrics(state))
                next_beat = now + beat
            silence = now - state.last_heard
            allowed = beat * io.settings.liveness if state.heard_once else _FIRST_CONTACT_S
            if silence > allowed:
                log.error("%s: no word from the hub for %.1f s; exiting", self.name, silence)
                return EXIT_PARENT_GONE
            if not process.parent_is(io.settings.parent_pid):
                log.error("%s: parent %s is gone; exiting", self.name, io.settings.parent_pid)
                return EXIT_PARENT_GONE
            if state.stopping is not None and not state.inflight:
                _send(io.dealer, Disconnect(reason=state.stopping))
                log.info("%s: stopped (%s)", self.name, state.stopping)
                return EXIT_OK

    def _drain_inbox(self, io: _Io) -> None:
        for _ in range(_DRAIN_BATCH):
            try:
                done_id, frame = io.inbox.recv_multipart(zmq.NOBLOCK)
            except zmq.Again:
                return
            if done_id:
                io.state.inflight.discard(done_id.decode())
                io.state.served += 1
            _send_frame(io.dealer, frame)

    def _drain_hub(self, io: _Io) -> None:
        for _ in range(_DRAIN_BATCH):
            try:
                frames = io.dealer.recv_multipart(zmq.NOBLOCK)
            except zmq.Again:
                return
            io.state.last_heard = time.monotonic()
            io.state.heard_once = True
            if len(frames) != 1:
                log.warning("%s: dropped a message of %d frames (want 1)", self.name, len(frames))
                continue
            self._handle(frames[0], io)

    def _handle(self, frame: bytes, io: _Io) -> None:
        try:
            msg = decode(frame)
        except ProtocolError as exc:
            log.warning("%s: bad message from the hub: %s", self.name, exc)
            if exc.request_id is not None:
                _send(io.dealer, error_reply(exc.request_id, exc.code, exc.message))
            return
        if isinstance(msg, Request):
            self._accept(msg, io)
        elif isinstance(msg, Disconnect):
            log.info("%s: DISCONNECT from the hub (%s)", self.name, msg.reason or "no reason")
            io.state.stopping = msg.reason or "asked to stop"
        elif not isinstance(msg, Heartbeat):
            log.warning("%s: ignored a %s from the hub", self.name, type(msg).__name__)

    def _accept(self, req: Request, io: _Io) -> None:
        if io.state.stopping is not None:
            reply = error_reply(req.id, protocol.UNAVAILABLE, f"{self.name} is stopping")
        elif req.service != self.name:
            message = f"this is {self.name!r}, not {req.service!r}"
            reply = error_reply(req.id, protocol.BAD_REQUEST, message)
        elif req.method == "describe":
            reply = ok_reply(req.id, self.describe())
        elif req.method not in self._methods:
            message = f"{self.name} has no method {req.method!r}; it has {', '.join(self.methods)}"
            reply = error_reply(req.id, protocol.UNKNOWN_METHOD, message)
        else:
            io.state.inflight.add(req.id)
            io.jobs.put(req)
            return
        _send(io.dealer, reply)

    # --- worker threads -----------------------------------------------------------------------

    def _work(self, ctx: _Context, addr: str, jobs: queue.SimpleQueue[Request]) -> None:
        push: zmq.Socket[bytes] = ctx.socket(zmq.PUSH)
        push.setsockopt(zmq.LINGER, 0)
        push.connect(addr)
        while True:
            req = jobs.get()
            _local.current = _Current(req.id, push)
            try:
                frame = self._call(req)
            finally:
                _local.current = None
            push.send_multipart([req.id.encode(), frame])

    def _call(self, req: Request) -> bytes:
        fn = self._methods[req.method]
        try:
            result = fn(req.params)
            if not isinstance(result, dict):
                raise TypeError(f"{req.method} returned {type(result).__name__}, not a dict")
            reply = ok_reply(req.id, result)
        except BadRequest as exc:
            reply = error_reply(req.id, protocol.BAD_REQUEST, str(exc) or "bad request")
        except SystemExit as exc:
            log.error("%s: method %s asked the process to exit (%s)", self.name, req.method, exc)
            _exit(exc.code if isinstance(exc.code, int) else 1)
        except BaseException as exc:  # a bug in a method answers `internal`; the sidecar lives on
            log.exception("%s: method %s failed", self.name, req.method)
            reply = error_reply(req.id, protocol.INTERNAL, f"{type(exc).__name__}: {exc}")
        try:
            return encode(reply)
        except ProtocolError as exc:
            log.error("%s: the result of %s cannot be sent: %s", self.name, req.method, exc)
            return encode(error_reply(req.id, protocol.INTERNAL, f"result not sendable: {exc}"))


def _read_settings() -> _Settings | None:
    endpoint = os.environ.get(protocol.ENV_ENDPOINT, "").strip()
    if not endpoint:
        log.error("%s is not set: this sidecar must be started by the hub", protocol.ENV_ENDPOINT)
        return None
    return _Settings(
        endpoint=endpoint,
        replica=process.env_int(protocol.ENV_REPLICA) or 0,
        parent_pid=process.env_int(protocol.ENV_PARENT_PID),
        heartbeat_s=process.env_float(protocol.ENV_HEARTBEAT_S, protocol.HEARTBEAT_S),
        liveness=protocol.HEARTBEAT_LIVENESS,
    )


def _connect(ctx: _Context, settings: _Settings, name: str) -> zmq.Socket[bytes]:
    dealer: zmq.Socket[bytes] = ctx.socket(zmq.DEALER)
    dealer.setsockopt(zmq.LINGER, 0)
    # Before connect(): the 100 ms default would be added to every reconnect after a hub hiccup.
    dealer.setsockopt(zmq.RECONNECT_IVL, 10)
    dealer.setsockopt(zmq.RECONNECT_IVL_MAX, 1000)
    dealer.setsockopt(zmq.SNDHWM, 10_000)
    dealer.setsockopt(zmq.RCVHWM, 10_000)
    dealer.setsockopt(zmq.ROUTING_ID, f"{name}.{settings.replica}.{os.getpid()}".encode()[:255])
    dealer.connect(settings.endpoint)
    return dealer


def _send(dealer: zmq.Socket[bytes], msg: protocol.Message) -> None:
    _send_frame(dealer, encode(msg))


def _send_frame(dealer: zmq.Socket[bytes], frame: bytes) -> None:
    try:
        dealer.send(frame, zmq.NOBLOCK)
    except zmq.Again:  # the hub is away and the queue is full: it would drop this anyway
        log.warning("hub unreachable: dropped a %d-byte message", len(frame))


def _metrics(state: _State) -> Metrics:
    times = os.times()
    return Metrics(
        rss_mb=round(process.rss_mb(), 1),
        cpu_s=round(times.user + times.system, 3),
        inflight=len(state.inflight),
        served=state.served,
    )


def _parent_gone() -> None:
    log.error("stdin closed: the parent is gone; exiting")
    _exit(EXIT_PARENT_GONE)


def _setup_logging() -> None:
    root = logging.getLogger()
    if not root.handlers:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(
            logging.Formatter("%(asctime)s %(levelname)s %(name)s[%(process)d]: %(message)s")
        )
        root.addHandler(handler)
        root.setLevel(logging.INFO)


def _flush(dealer: zmq.Socket[bytes]) -> None:
    """Deliver what is still queued - the last replies and DISCONNECT - before the process ends:
    os._exit drops a socket's queue, and a graceful stop must not lose finished work."""
    ctx = dealer.context
    dealer.close(linger=_FLUSH_MS)
    ctx.term()


def _exit(code: int) -> NoReturn:
    # os._exit: a hung method's thread must not hold the process open, and zmq.Context.term()
    # would wait for the worker sockets forever.
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):
            stream.flush()
    os._exit(code)
