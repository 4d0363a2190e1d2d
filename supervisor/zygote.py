"""The hub's side of the zygote: a fork server with the heavy modules loaded, for fast restarts.

``ZygoteSpawner`` starts ``supervisor._zygote_main`` by plain spawn, waits in the background for
it to preload, and from then on asks it to fork each sidecar (a few ms instead of the model
library's import time). Until the zygote is ready, or once it has died or misbehaved, launches fall
back to plain spawn and a new zygote is started in the background. Deaths are reported at once:
the zygote sends each child's exit status as it reaps it; if the zygote itself dies, its children
die with it (PR_SET_PDEATHSIG) and a pidfd per child says when.

This module must never fork the calling process.
"""

from __future__ import annotations

import contextlib
import logging
import os
import select
import signal
import socket
import subprocess
import sys
import threading
import time
from concurrent.futures import Future
from concurrent.futures import TimeoutError as FutureTimeout
from pathlib import Path
from typing import Any

import msgspec

from supervisor import config
from supervisor.spawn import (
    LAUNCHER,
    BoxedChild,
    Child,
    ExitBox,
    Launch,
    PlainSpawner,
    SpawnThread,
    child_env,
    popen,
    signal_group,
    write_token,
)

log = logging.getLogger("supervisor.zygote")

_SPAWN_TIMEOUT_S = 5.0
_RESTART_MIN_S = 5.0  # at most one new zygote per this many seconds


class ZygoteChild(BoxedChild):
    """A sidecar forked by the zygote: same contract as a plainly spawned child."""

    def __init__(self, pid: int, stdin: Any, box: ExitBox) -> None:
        self.pid = pid
        self._stdin = stdin
        self._box = box
        box.add(lambda _code: self._close_stdin())

    def _close_stdin(self) -> None:
        with contextlib.suppress(OSError):
            self._stdin.close()

    def kill(self) -> None:
        """SIGKILL to its process group."""
        if self._box.code is None:
            signal_group(self.pid, signal.SIGKILL)


class _Zygote:
    """One running zygote process and the reader thread that listens to it."""

    def __init__(self, spawn_thread: SpawnThread, preload: tuple[str, ...], log_path: Any) -> None:
        hub_end, zygote_end = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        env = dict(os.environ)
        env["FINCAST_ZYGOTE_FD"] = str(zygote_end.fileno())
        env["FINCAST_ZYGOTE_PRELOAD"] = ",".join(preload)
        env["FINCAST_PARENT_PID"] = str(os.getpid())
        env["PYTHONUNBUFFERED"] = "1"
        try:
            self.proc = spawn_thread.call(
                lambda: popen(
                    [sys.executable, "-c", LAUNCHER, "supervisor._zygote_main"],
                    env=env,
                    log_path=log_path,
                    pass_fds=(zygote_end.fileno(),),
                )
            )
        finally:
            zygote_end.close()
        self.sock = hub_end
        self.ready = threading.Event()
        self.dead = threading.Event()
        self.info: dict[str, Any] = {}
        self._send_lock = threading.Lock()
        self._pending: dict[int, tuple[Future[int], ExitBox]] = {}
        self._children: dict[int, ExitBox] = {}
        self._lock = threading.Lock()
        self._seq = 0
        self._reader = threading.Thread(target=self._read, name="zygote-reader", daemon=True)
        self._reader.start()

    def spawn(self, launch: Launch, env: dict[str, str]) -> ZygoteChild:
        """Ask for a fork; raises OSError if the zygote cannot do it now."""
        read_end, write_end = os.pipe()
        log_fd = os.open(launch.log_path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        box = ExitBox()
        future: Future[int] = Future()
        with self._lock:
            self._seq += 1
            seq = self._seq
            self._pending[seq] = (future, box)
        request = {
            "op": "spawn",
            "seq": seq,
            "module": launch.module,
            "env": env,
            "memory_limit_mb": launch.memory_limit_mb,
        }
        try:
            with self._send_lock:
                socket.send_fds(self.sock, [msgspec.msgpack.encode(request)], [read_end, log_fd])
            pid = future.result(timeout=_SPAWN_TIMEOUT_S)
        except (OSError, FutureTimeout) as exc:
            os.close(write_end)
            raise OSError(f"zygote could not fork: {exc}") from exc
        finally:
            os.close(read_end)
            os.close(log_fd)
            with self._lock:
                self._pending.pop(seq, None)
        stdin = os.fdopen(write_end, "wb", buffering=0)
        child = ZygoteChild(pid, stdin, box)
        write_token(stdin, launch.token)
        return child

    def _read(self) -> None:
        while True:
            try:
                data = self.sock.recv(1 << 20)
            except OSError:
                data = b""
            if not data:
                break
            try:
                message = msgspec.msgpack.decode(data)
                self._dispatch(message)
            except Exception:  # a garbled message from the zygote is logged, not fatal
                log.exception("bad message from the zygote")
        self._on_death()

    def _dispatch(self, message: dict[str, Any]) -> None:
        op = message.get("op")
        if op == "ready":
            self.info = message
            self.ready.set()
        elif op in ("spawned", "error"):
            with self._lock:
                entry = self._pending.get(message.get("seq", -1))
                if entry is not None and op == "spawned":
                    # Registered before the caller wakes, so an exit reported next finds it.
                    self._children[int(message["pid"])] = entry[1]
            if entry is None or entry[0].done():
                return
            if op == "spawned":
                entry[0].set_result(int(message["pid"]))
            else:
                entry[0].set_exception(OSError(str(message.get("message"))))
        elif op == "exit":
            pid, code = int(message["pid"]), int(message["code"])
            with self._lock:
                box = self._children.pop(pid, None)
            if box is not None:
                box.set(code)

    def _on_death(self) -> None:
        self.dead.set()
        self.ready.set()  # wake anyone waiting for readiness: it will not come
        with self._lock:
            pending = [future for future, _ in self._pending.values()]
            orphans = dict(self._children)
            self._children.clear()
        for future in pending:
            if not future.done():
                future.set_exception(OSError("the zygote died"))
        with contextlib.suppress(OSError):
            self.sock.close()
        if self.proc.stdin is not None:
            with contextlib.suppress(OSError):
                self.proc.stdin.close()
        with contextlib.suppress(Exception):
            self.proc.wait(timeout=5)
        if orphans:
            log.warning("zygote died; waiting for its %d children to follow", len(orphans))
            threading.Thread(
                target=_await_orphans, args=(orphans,), name="zygote-orphans", daemon=True
            ).start()

    def usable(self) -> bool:
        """Ready, alive, and single-threaded when it preloaded."""
        return self.ready.is_set() and not self.dead.is_set() and self.info.get("threads") == 1

    def stop(self) -> None:
        """Close the control socket: the zygote exits, and its children with it."""
        with contextlib.suppress(OSError):
            self.sock.shutdown(socket.SHUT_RDWR)
        if self.proc.stdin is not None:
            with contextlib.suppress(OSError):
                self.proc.stdin.close()
        # A zygote still preloading would only notice after its imports: do not wait for that.
        try:
            self.proc.wait(timeout=2 if self.ready.is_set() else 0)
        except subprocess.TimeoutExpired:
            signal_group(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=5)
        self._reader.join(timeout=5)


def _await_orphans(orphans: dict[int, ExitBox]) -> None:
    """Children of a dead zygote are killed by their death signal; report each when it is gone."""
    fds: dict[int, ExitBox] = {}
    for pid, box in orphans.items():
        try:
            fds[os.pidfd_open(pid)] = box
        except (OSError, AttributeError):
            box.set(-signal.SIGKILL)  # already gone (or no pidfd: assume the chain worked)
    deadline = time.monotonic() + 30
    while fds and time.monotonic() < deadline:
        readable, _, _ = select.select(list(fds), [], [], 1.0)
        for fd in readable:
            fds.pop(fd).set(-signal.SIGKILL)
            os.close(fd)
    for fd, box in fds.items():
        log.error("a child of the dead zygote is still running; reporting it gone")
        box.set(-signal.SIGKILL)
        os.close(fd)


class ZygoteSpawner:
    """Forks sidecars from a preloaded zygote; plain spawn until it is ready or after it died."""

    def __init__(
        self,
        preload: tuple[str, ...] = (),
        log_path: Any = None,
        restart_min_s: float = _RESTART_MIN_S,
    ) -> None:
        self.preload = preload
        self.restart_min_s = restart_min_s
        # Preloading prints library chatter (and any import error): keep it out of the app's stderr.
        self._log_path = log_path if log_path is not None else config.log_dir() / "zygote.log"
        self._thread = SpawnThread()
        self._plain = PlainSpawner(self._thread)
        self._lock = threading.Lock()
        self._zygote: _Zygote | None = None
        self._started_at = 0.0
        self._closed = False
        self.launched = {"zygote": 0, "plain": 0}
        self._children: list[ZygoteChild] = []
        self._start_zygote()

    def _start_zygote(self) -> None:
        with self._lock:
            if self._closed:
                return
            self._started_at = time.monotonic()
            try:
                Path(self._log_path).parent.mkdir(parents=True, exist_ok=True)
                self._zygote = _Zygote(self._thread, self.preload, self._log_path)
            except OSError:
                log.exception("could not start the zygote; using plain spawn")
                self._zygote = None

    def wait_ready(self, timeout: float = 60.0) -> bool:
        """Block until the zygote can fork (True) or is known not to (False)."""
        zygote = self._zygote
        if zygote is None:
            return False
        zygote.ready.wait(timeout)
        return zygote.usable()

    @property
    def zygote_pid(self) -> int | None:
        """The zygote's pid while it runs."""
        zygote = self._zygote
        return zygote.proc.pid if zygote is not None and not zygote.dead.is_set() else None

    @property
    def zygote_info(self) -> dict[str, Any]:
        """What the zygote reported when ready: preloaded and failed modules, thread count."""
        zygote = self._zygote
        return dict(zygote.info) if zygote is not None else {}

    def launch(self, launch: Launch) -> Child:
        """Fork from the zygote when it is usable, else start plainly (and renew the zygote)."""
        if self._closed:
            raise OSError("the spawner is closed")
        zygote = self._zygote
        if zygote is not None and zygote.usable():
            env = child_env(launch, parent_pid=zygote.proc.pid)
            try:
                child = zygote.spawn(launch, env)
            except OSError:
                log.warning("zygote failed to fork %s; falling back to plain spawn", launch.service)
            else:
                self.launched["zygote"] += 1
                with self._lock:
                    self._children = [c for c in self._children if c.exit_code() is None]
                    self._children.append(child)
                return child
        self._renew_if_dead(zygote)
        self.launched["plain"] += 1
        return self._plain.launch(launch)

    def _renew_if_dead(self, zygote: _Zygote | None) -> None:
        broken = (
            zygote is None
            or zygote.dead.is_set()
            or (zygote.ready.is_set() and not zygote.usable())
        )
        if zygote is not None and zygote.ready.is_set() and not zygote.dead.is_set():
            if broken:
                log.warning(
                    "zygote reported %s OS threads; not forking from it", zygote.info.get("threads")
                )
            return
        with self._lock:  # launches run on several threads: renew once, not once each
            if not broken or time.monotonic() - self._started_at < self.restart_min_s:
                return
            self._started_at = time.monotonic()
        log.warning("zygote is gone; starting a new one in the background")
        threading.Thread(target=self._start_zygote, name="zygote-restart", daemon=True).start()

    def close(self) -> None:
        """Kill remaining children, stop the zygote and the spawner thread."""
        self._closed = True
        with self._lock:
            children, self._children = self._children, []
            zygote, self._zygote = self._zygote, None
        for child in children:
            child.kill()
        if zygote is not None:
            zygote.stop()
        self._plain.close()
        self._thread.stop()
