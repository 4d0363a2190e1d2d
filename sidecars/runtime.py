"""A sidecar's life: connect to the hub, announce READY, serve methods, heartbeat, stop.

    sidecar = Sidecar("echo")

    @sidecar.method("echo")
    def echo(params: dict) -> dict: ...

    if __name__ == "__main__":
        sidecar.run()

One thread at a time owns the hub's socket and runs the I/O loop: it answers and sends heartbeats
and takes requests. A method runs on the thread that took its request, in place (a hand-off to a
worker and back costs each request two thread wake-ups and GIL switches, which is most of a round
trip); if the method is still running TAKEOVER_S later, a standby thread takes the loop over, so
a method that hangs never stops the heartbeats (the hub notices the missed deadline instead), and
a second request is served beside a long one. A bad frame is logged (and answered when it names a
request), a method that raises answers ``internal``: this module must never let one message or one
method end the process. It ends only on DISCONNECT, or when the parent is gone (stdin EOF,
PR_SET_PDEATHSIG, a changed parent pid, or the hub silent for HEARTBEAT_LIVENESS beats).
"""

from __future__ import annotations

import contextlib
import itertools
import logging
import os
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
# Plain ints: zmq's flags are enums, and `a & b` on them runs Python code every time.
_POLLIN = int(zmq.POLLIN)
_NOBLOCK = int(zmq.NOBLOCK)
_RCVMORE = int(zmq.RCVMORE)
_RCVTIMEO = int(zmq.RCVTIMEO)
_monotonic = time.monotonic
_TAKEOVER_S = 0.025  # longest the hub socket goes unwatched while a method runs in place
_DEEP_AFTER = 40  # standby checks that find the loop owned before it sleeps until woken
_ids = itertools.count()


class BadRequest(Exception):
    """Raise from a method when its params are wrong: the caller gets ``bad_request``."""


@dataclass(slots=True)
class _Current:
    request_id: str
    io: _Io
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
    current.io.post(b"", encode(Progress(id=current.request_id)))


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
    """The hub socket, who may use it, and the work in hand.

    Whichever thread holds ``owner`` may use ``dealer`` and ``inbox``; the thread that holds it
    for good runs the I/O loop. A method runs on the thread that received it (no hand-off on the
    way in or out); while it runs nobody polls the socket, and after TAKEOVER_S a standby thread
    takes the loop over, so heartbeats, DISCONNECT and a second request are never held up longer.
    """

    settings: _Settings
    dealer: zmq.Socket[bytes]
    inbox: zmq.Socket[bytes]  # replies and progress from threads that did not hold ``owner``
    inbox_addr: str
    ctx: _Context
    state: _State
    forwarder: _LogForwarder
    workers: int
    owner: threading.Lock = field(default_factory=threading.Lock)
    unowned_since: float | None = None  # set while nobody runs the loop (its owner runs a method)
    mutex: threading.Lock = field(default_factory=threading.Lock)  # guards running and backlog
    running: int = 0
    backlog: deque[Request] = field(default_factory=deque)
    standby: threading.Lock = field(default_factory=threading.Lock)  # one standby at a time
    deep: bool = False  # the standby sleeps until woken (the loop has stayed owned a while)
    wakeup: threading.Event = field(default_factory=threading.Event)
    next_beat: float = 0.0
    beats: int = 0
    poll_items: list[tuple[zmq.Socket[bytes], int]] = field(default_factory=list)
    rcvtimeo: int = -1  # the hub socket's receive timeout (ms) as last set

    def post(self, done_id: bytes, frame: bytes) -> None:
        """Send ``frame`` to the hub from any thread: directly when the socket is free, else via
        the inbox of the thread running the loop (``done_id``: the request this answers)."""
        if self.owner.acquire(blocking=False):
            try:
                _send_frame(self.dealer, frame)
                if done_id:
                    self.done(done_id.decode())
                self.forward()  # whatever another thread queued while nobody held the socket
            finally:
                self.owner.release()
            return
        push: zmq.Socket[bytes] | None = getattr(_local, "push", None)
        if push is None:
            push = _local.push = self.ctx.socket(zmq.PUSH)
            push.setsockopt(zmq.LINGER, 0)
            push.connect(self.inbox_addr)
        push.send_multipart([done_id, frame])

    def done(self, request_id: str) -> None:
        """A request's reply has been sent (call holding ``owner``)."""
        self.state.inflight.discard(request_id)
        self.state.served += 1

    def forward(self) -> None:
        """Send what other threads queued in the inbox (call holding ``owner``)."""
        for _ in range(_DRAIN_BATCH):
            if not _readable(self.inbox):
                return
            done_id, frame = self.inbox.recv_multipart(zmq.NOBLOCK)
            _send_frame(self.dealer, frame)
            if done_id:
                self.done(done_id.decode())


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

    # --- start-up ----------------------------------------------------------------------------

    def _serve(self) -> int:
        settings = _read_settings()
        if settings is None:
            return EXIT_CONFIG
        process.limit_memory(process.env_int(protocol.ENV_MEMORY_LIMIT_MB))
        # Models are background work: on a 2-core machine a restarting or busy sidecar at the
        # GUI's priority kept the GUI thread waiting for a core (desktop/watchdog.py measured it).
        process.lower_priority(process.env_int(protocol.ENV_NICE))
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
            inbox_addr=inbox_addr,
            ctx=ctx,
            state=_State(last_heard=time.monotonic()),
            forwarder=_LogForwarder(),
            workers=self.workers,
        )
        io.inbox.bind(inbox_addr)
        io.poll_items = [(io.dealer, _POLLIN), (io.inbox, _POLLIN)]
        io.next_beat = time.monotonic() + settings.heartbeat_s
        logging.getLogger().addHandler(io.forwarder)
        ready = Ready(
            service=self.name,
            token=token,
            pid=os.getpid(),
            methods=self.methods,
            replica=settings.replica,
        )
        io.owner.acquire()
        _send(io.dealer, ready)
        log.info("%s: READY sent to %s (pid %d)", self.name, settings.endpoint, os.getpid())
        # workers + 1 threads: at most `workers` run methods, and one is always free to take
        # the loop over from a thread whose method runs long.
        for n in range(self.workers):
            threading.Thread(
                target=self._thread, args=(io, False), name=f"worker-{n}", daemon=True
            ).start()
        self._thread(io, True)
        raise AssertionError("unreachable")  # _thread ends the process

    # --- every thread: loop owner, method runner, or standby ----------------------------------

    def _thread(self, io: _Io, owner: bool) -> NoReturn:
        try:
            while True:
                if owner:
                    got = self._loop(io)
                    if isinstance(got, int):
                        if got == EXIT_OK:
                            _flush(io.dealer)
                        _exit(got)
                    req: Request | None = got
                    io.unowned_since = time.monotonic()
                    io.owner.release()
                    if io.deep:
                        io.wakeup.set()
                else:
                    req = self._take_backlog(io)
                    if req is None:
                        self._stand_by(io)
                        owner = True
                        continue
                assert req is not None
                owner = self._run_one(io, req)
        except BaseException:  # a runtime bug: say so and end, rather than serve half-alive
            log.exception("%s: a runtime thread failed", self.name)
            _exit(1)

    def _take_backlog(self, io: _Io) -> Request | None:
        if not io.backlog:  # only the loop's owner appends; a miss here it picks up itself
            return None
        with io.mutex:
            if io.backlog and io.running < io.workers:
                io.running += 1
                return io.backlog.popleft()
        return None

    def _stand_by(self, io: _Io) -> None:
        """Wait (one standby at a time) until the loop has been unowned for TAKEOVER_S; take it.

        A timed check, not a wake-up per request: waking another thread for every method would
        cost each request a GIL hand-off, which is what running methods in place avoids. After
        a second of finding the loop owned it sleeps until the next method runs in place (one
        wake-up then), so an idle sidecar does not tick 40 times a second."""
        with io.standby:
            owned = 0
            while True:
                if owned >= _DEEP_AFTER:
                    io.deep = True
                    if io.unowned_since is None:  # (set before `deep` is read: no lost wake-up)
                        io.wakeup.wait()
                    io.wakeup.clear()
                    io.deep = False
                    owned = 0
                time.sleep(_TAKEOVER_S)
                since = io.unowned_since
                if since is None:
                    owned += 1
                    continue
                owned = 0
                if time.monotonic() - since < _TAKEOVER_S:
                    continue
                if io.owner.acquire(blocking=False):
                    io.unowned_since = None
                    return

    def _run_one(self, io: _Io, req: Request) -> bool:
        """Run one method and send its reply; True if this thread now owns the loop."""
        _local.current = _Current(req.id, io)
        try:
            frame = self._call(req)
        finally:
            _local.current = None
        if io.owner.acquire(blocking=False):
            io.unowned_since = None
            _send_frame(io.dealer, frame)
            io.done(req.id)
            with io.mutex:
                io.running -= 1
            return True
        io.post(req.id.encode(), frame)
        with io.mutex:
            io.running -= 1  # after the post: with none running, nothing more comes to the inbox
        return False

    def _loop(self, io: _Io) -> int | Request:
        """Run the I/O loop (holding ``owner``) until a method is to run here, or the end."""
        beat = io.settings.heartbeat_s
        state = io.state
        # Straight to the poll below (level-triggered: what arrived while a method ran here shows
        # at once); the hub's silence is judged before it, but the socket went unread for at
        # most a takeover's time, far below the liveness limit.
        hub_ready = inbox_ready = False
        while True:
            got = self._take_backlog(io)
            if got is not None:
                return got
            if hub_ready:
                got = self._drain_hub(io)
                if got is not None:
                    return got
            if inbox_ready:
                io.forward()
            while io.forwarder.pending:
                _send(io.dealer, io.forwarder.pending.popleft())
            now = time.monotonic()
            if now >= io.next_beat:
                _send(io.dealer, Heartbeat())
                io.beats += 1
                if io.beats % _METRICS_EVERY == 1:
                    _send(io.dealer, _metrics(state))
                io.next_beat = now + beat
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
            wait_ms = max(0, int((io.next_beat - time.monotonic()) * 1000) + 1)
            woke = self._wait(io, wait_ms)
            if isinstance(woke, Request):
                return woke
            hub_ready, inbox_ready = woke

    def _wait(self, io: _Io, wait_ms: int) -> tuple[bool, bool] | Request:
        """Wait up to ``wait_ms`` for input: (hub socket readable, inbox readable), or a request
        to run, read off the hub socket."""
        if io.running or io.backlog:
            # A method runs on another thread: its reply may come through the inbox.
            hub_ready = inbox_ready = False
            for sock, _ in zmq.zmq_poll(io.poll_items, wait_ms):  # (without zmq.Poller's layer)
                if sock is io.dealer:
                    hub_ready = True
                else:
                    inbox_ready = True
            return hub_ready, inbox_ready
        # None runs elsewhere, so only the loop's owner adds to the inbox: what is in it now is
        # all it will get, and the hub socket alone is waited on, with a blocking recv (a wake-up
        # there costs less than zmq_poll's over two sockets, and comes on every request).
        io.forward()
        if wait_ms != io.rcvtimeo:
            io.dealer.setsockopt(_RCVTIMEO, wait_ms)
            io.rcvtimeo = wait_ms
        try:
            frame = io.dealer.recv()
        except zmq.Again:
            return False, False  # the timeout: time to beat
        got = self._on_hub_frame(frame, io)
        return got if got is not None else (True, False)

    def _drain_hub(self, io: _Io) -> Request | None:
        """Handle what the hub sent (the socket polled readable) until a method is to run."""
        dealer = io.dealer
        for n in range(_DRAIN_BATCH):
            if n and not _readable(dealer):
                return None
            try:
                # recv + RCVMORE: half the cost of recv_multipart for the one frame we expect.
                frame = dealer.recv(_NOBLOCK)
            except zmq.Again:
                return None
            req = self._on_hub_frame(frame, io)
            if req is not None:
                return req
        return None

    def _on_hub_frame(self, frame: bytes, io: _Io) -> Request | None:
        """One frame just read from the hub; a request to run here and now, or None."""
        state, dealer = io.state, io.dealer
        state.last_heard = _monotonic()
        state.heard_once = True
        if dealer.getsockopt(_RCVMORE):
            extra = 1
            while dealer.getsockopt(_RCVMORE):
                dealer.recv(_NOBLOCK)  # (the rest of a message is there once its first frame is)
                extra += 1
            log.warning("%s: dropped a message of %d frames (want 1)", self.name, extra)
            return None
        return self._handle(frame, io)

    def _handle(self, frame: bytes, io: _Io) -> Request | None:
        try:
            msg = decode(frame)
        except ProtocolError as exc:
            log.warning("%s: bad message from the hub: %s", self.name, exc)
            if exc.request_id is not None:
                _send(io.dealer, error_reply(exc.request_id, exc.code, exc.message))
            return None
        if isinstance(msg, Request):
            return self._accept(msg, io)
        if isinstance(msg, Disconnect):
            log.info("%s: DISCONNECT from the hub (%s)", self.name, msg.reason or "no reason")
            io.state.stopping = msg.reason or "asked to stop"
        elif not isinstance(msg, Heartbeat):
            log.warning("%s: ignored a %s from the hub", self.name, type(msg).__name__)
        return None

    def _accept(self, req: Request, io: _Io) -> Request | None:
        """A request to run here and now, or None (answered at once, or queued for later)."""
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
            with io.mutex:
                if io.running < io.workers and not io.backlog:
                    io.running += 1
                    return req
                io.backlog.append(req)  # every worker is busy: the first one free takes it
            return None
        _send(io.dealer, reply)
        return None

    # --- running a method ---------------------------------------------------------------------

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


def _readable(sock: zmq.Socket[bytes]) -> bool:
    # Asks EVENTS (much cheaper than the zmq.Again a drained recv raises); zmq_poll with no
    # timeout does so in C, where getsockopt first builds a SocketOption enum in Python.
    return bool(zmq.zmq_poll([(sock, _POLLIN)], 0))


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
        dealer.send(frame, _NOBLOCK)
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
