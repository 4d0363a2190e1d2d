"""Starting sidecar processes: plain spawn here, the preloading fork server in supervisor.zygote.

A sidecar is started with subprocess (spawn semantics: never a fork of the caller, which may be the
Qt process) in its own session, so ``kill()`` takes its whole process group. It reads its per-launch
token from the first line of stdin; the hub keeps the write end open, so the hub's death is EOF for
the child. stdout and stderr go to the launch's log file, unbuffered. A tiny ``python -c`` launcher
applies RLIMIT_AS and PR_SET_PDEATHSIG before the module is imported: ``preexec_fn`` is never used,
because it is unsafe in a threaded parent.

Every ``Popen`` runs on one long-lived spawner thread: Linux sends PR_SET_PDEATHSIG when the
*thread* that forked the child exits, so children must never be started from a short-lived thread.

This module must never import the runtime or a model: it starts processes by module name.
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import subprocess
import sys
import threading
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import Future
from dataclasses import dataclass
from pathlib import Path
from queue import SimpleQueue
from typing import IO, Protocol, TypeVar

from sidecars import protocol as wire

log = logging.getLogger("supervisor.spawn")

T = TypeVar("T")


@dataclass(frozen=True)
class Launch:
    """Everything needed to start one sidecar replica."""

    service: str
    replica: int
    module: str
    env: Mapping[str, str]
    token: str
    endpoint: str
    log_path: Path
    memory_limit_mb: int | None = None
    preload: tuple[str, ...] = ()
    nice: int = 0  # how much lower than ours the child's CPU priority is


class Child(Protocol):
    """A started sidecar process."""

    pid: int

    def exit_code(self) -> int | None:
        """None while running; the exit code, or minus the signal number that killed it."""
        ...

    def on_exit(self, callback: Callable[[int], None]) -> None:
        """Call ``callback(code)`` once, from a watcher thread, as soon as the process is gone."""
        ...

    def terminate(self) -> None:
        """SIGTERM to the process group (a polite stop)."""
        ...

    def kill(self) -> None:
        """SIGKILL to the whole process group."""
        ...


class Spawner(Protocol):
    """Starts sidecar processes."""

    def launch(self, launch: Launch) -> Child:
        """Start one replica; raises OSError if it cannot be started at all."""
        ...

    def close(self) -> None:
        """Release the spawner; children still running are killed."""
        ...


# Runs in the child before the module is imported (so before any heavy import): the memory cap,
# the parent-death signal, and the check that closes its race (the parent may already be gone).
LAUNCHER = """\
import os, sys
def _fincast_prepare():
    limit = os.environ.get("FINCAST_MEMORY_LIMIT_MB", "")
    if limit.isdigit() and int(limit) > 0:
        try:
            import resource
            soft, hard = resource.getrlimit(resource.RLIMIT_AS)
            want = int(limit) * 1048576
            resource.setrlimit(resource.RLIMIT_AS, (want if hard < 0 else min(want, hard), hard))
        except (ImportError, ValueError, OSError):
            pass
    if sys.platform.startswith("linux"):
        try:
            import ctypes, signal
            ctypes.CDLL(None).prctl(1, int(signal.SIGKILL), 0, 0, 0)
        except (OSError, AttributeError):
            pass
    parent = os.environ.get("FINCAST_PARENT_PID", "")
    if parent.isdigit() and os.getppid() != int(parent):
        os._exit(75)
_fincast_prepare()
del _fincast_prepare
import runpy
del sys.argv[0]
runpy.run_module(sys.argv[0], run_name="__main__", alter_sys=True)
"""


def child_env(launch: Launch, parent_pid: int | None = None) -> dict[str, str]:
    """The environment a sidecar gets: ours, the spec's additions, and the process contract."""
    env = {**os.environ, **launch.env}
    env.update(
        {
            wire.ENV_ENDPOINT: launch.endpoint,
            wire.ENV_SERVICE: launch.service,
            wire.ENV_REPLICA: str(launch.replica),
            wire.ENV_PARENT_PID: str(parent_pid if parent_pid is not None else os.getpid()),
            "PYTHONUNBUFFERED": "1",
        }
    )
    if launch.memory_limit_mb:
        env[wire.ENV_MEMORY_LIMIT_MB] = str(int(launch.memory_limit_mb))
    else:
        env.pop(wire.ENV_MEMORY_LIMIT_MB, None)
    if launch.nice:
        env[wire.ENV_NICE] = str(int(launch.nice))
    else:
        env.pop(wire.ENV_NICE, None)
    return env


# Windows has neither SIGKILL nor process groups to signal: os.kill there terminates the process.
SIGKILL: int = getattr(signal, "SIGKILL", signal.SIGTERM)


def signal_group(pid: int, sig: int) -> None:
    """Send ``sig`` to the process group led by ``pid`` (or to ``pid`` before it leads one)."""
    try:
        if not hasattr(os, "killpg"):
            os.kill(pid, sig)
            return
        os.killpg(pid, sig)
    except ProcessLookupError:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, sig)
    except PermissionError:
        log.warning("not allowed to signal process group %d", pid)


class ExitBox:
    """An exit code set once, and the callbacks waiting for it."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._code: int | None = None
        self._callbacks: list[Callable[[int], None]] = []
        self._done = threading.Event()

    @property
    def code(self) -> int | None:
        """The exit code, or None while running."""
        return self._code

    def wait(self, timeout: float | None = None) -> int | None:
        """Block until the exit code is known (or ``timeout``); return it."""
        self._done.wait(timeout)
        return self._code

    def set(self, code: int) -> bool:
        """Record the exit code and run the callbacks; False if it was already set."""
        with self._lock:
            if self._code is not None:
                return False
            self._code = code
            callbacks, self._callbacks = self._callbacks, []
        for callback in callbacks:
            _safely(callback, code)
        self._done.set()  # after the callbacks, so wait() returners see their effects
        return True

    def add(self, callback: Callable[[int], None]) -> None:
        """Run ``callback(code)`` on exit; at once (in this thread) if it already happened."""
        with self._lock:
            if self._code is None:
                self._callbacks.append(callback)
                return
            code = self._code
        _safely(callback, code)


def _safely(callback: Callable[[int], None], code: int) -> None:
    try:
        callback(code)
    except Exception:  # one bad callback must not stop the others or kill the watcher
        log.exception("an on_exit callback failed")


class SpawnThread:
    """The one long-lived thread every Popen runs on (see the module docstring: PDEATHSIG)."""

    def __init__(self, name: str = "fincast-spawner") -> None:
        self._jobs: SimpleQueue[tuple[Callable[[], object], Future[object]] | None] = SimpleQueue()
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)
        self._thread.start()

    def call(self, fn: Callable[[], T]) -> T:
        """Run ``fn`` on the spawner thread and return its result (or raise its exception)."""
        if threading.current_thread() is self._thread:
            return fn()
        future: Future[object] = Future()
        self._jobs.put((fn, future))
        return future.result()  # type: ignore[return-value]

    def _run(self) -> None:
        while (job := self._jobs.get()) is not None:
            fn, future = job
            try:
                future.set_result(fn())
            except BaseException as exc:  # handed to the caller, who re-raises it
                future.set_exception(exc)

    def stop(self) -> None:
        """End the thread (children it started get their parent-death signal)."""
        self._jobs.put(None)
        self._thread.join(timeout=5)


class BoxedChild:
    """What every kind of child shares: its pid and an ExitBox that learns of its exit at once."""

    pid: int
    _box: ExitBox

    def exit_code(self) -> int | None:
        """None while running; the exit code, or minus the signal number that killed it."""
        return self._box.code

    def wait(self, timeout: float | None = None) -> int | None:
        """Block until it exits (or ``timeout``); return its exit code or None."""
        return self._box.wait(timeout)

    def on_exit(self, callback: Callable[[int], None]) -> None:
        """Call ``callback(code)`` once when it exits (at once if it already has)."""
        self._box.add(callback)

    def terminate(self) -> None:
        """SIGTERM to its process group."""
        if self._box.code is None:
            signal_group(self.pid, signal.SIGTERM)


class PlainChild(BoxedChild):
    """A sidecar started with subprocess; a watcher thread reaps it the moment it exits."""

    def __init__(self, proc: subprocess.Popen[bytes]) -> None:
        self.pid = proc.pid
        self._proc = proc
        self._box = ExitBox()
        threading.Thread(target=self._watch, name=f"reap-{proc.pid}", daemon=True).start()

    def _watch(self) -> None:
        code = self._proc.wait()
        if self._proc.stdin is not None:
            with contextlib.suppress(OSError):
                self._proc.stdin.close()
        self._box.set(code)

    def kill(self) -> None:
        """SIGKILL to its process group (also reaching stragglers after the leader died)."""
        if self._box.code is None:
            signal_group(self.pid, SIGKILL)
        elif hasattr(os, "killpg"):
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(self.pid, SIGKILL)


class PlainSpawner:
    """Starts each sidecar as ``python -c LAUNCHER module`` in a new session."""

    def __init__(self, spawn_thread: SpawnThread | None = None) -> None:
        self._thread = spawn_thread or SpawnThread()
        self._owns_thread = spawn_thread is None
        self._children: list[PlainChild] = []
        self._lock = threading.Lock()
        self._closed = False

    def launch(self, launch: Launch) -> PlainChild:
        """Start one replica and hand it its token."""
        if self._closed:
            raise OSError("the spawner is closed")
        env = child_env(launch)
        launch.log_path.parent.mkdir(parents=True, exist_ok=True)
        proc = self._thread.call(
            lambda: popen(
                [sys.executable, "-c", LAUNCHER, launch.module], env=env, log_path=launch.log_path
            )
        )
        assert proc.stdin is not None
        write_token(proc.stdin, launch.token)
        child = PlainChild(proc)
        with self._lock:
            self._children = [c for c in self._children if c.exit_code() is None]
            self._children.append(child)
        return child

    def close(self) -> None:
        """Kill children still running, then end the spawner thread."""
        self._closed = True
        with self._lock:
            children, self._children = self._children, []
        for child in children:
            child.kill()
        if self._owns_thread:
            self._thread.stop()


def popen(
    argv: list[str],
    *,
    env: Mapping[str, str],
    log_path: Path | None,
    pass_fds: Iterable[int] = (),
) -> subprocess.Popen[bytes]:
    """Popen in a new session with a stdin pipe and output appended to ``log_path``."""
    out: IO[bytes] | None = None
    try:
        if log_path is not None:
            out = log_path.open("ab", buffering=0)
        return subprocess.Popen(
            argv,
            stdin=subprocess.PIPE,
            stdout=out,
            stderr=subprocess.STDOUT if out is not None else None,
            env=dict(env),
            start_new_session=True,
            close_fds=True,
            pass_fds=tuple(pass_fds),
        )
    finally:
        if out is not None:
            out.close()


def write_token(stdin: IO[bytes], token: str) -> None:
    """Send the per-launch token as the first line of the child's stdin, keeping the pipe open."""
    try:
        stdin.write(token.encode() + b"\n")
        stdin.flush()
    except (BrokenPipeError, OSError):
        pass  # it died already; its watcher reports the exit


def make_spawner(prefer_zygote: bool = True, preload: Iterable[str] = ()) -> Spawner:
    """A zygote-backed spawner on Linux (falling back to plain spawn), plain spawn elsewhere."""
    if prefer_zygote and sys.platform.startswith("linux") and hasattr(os, "fork"):
        from supervisor.zygote import ZygoteSpawner

        return ZygoteSpawner(preload=tuple(preload))
    return PlainSpawner()
