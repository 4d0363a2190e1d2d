"""TEMPORARY stand-in for H3's supervisor/spawn.py (contract C4): plain subprocess spawn only.

Deleted as soon as spawn.py lands; the hub imports only the C4 names from here.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import threading
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from sidecars import protocol as wire


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


class Child(Protocol):
    """A started sidecar process."""

    pid: int

    def exit_code(self) -> int | None: ...
    def on_exit(self, callback: Callable[[int], None]) -> None: ...
    def terminate(self) -> None: ...
    def kill(self) -> None: ...


class Spawner(Protocol):
    """Starts sidecar processes."""

    def launch(self, launch: Launch) -> Child: ...
    def close(self) -> None: ...


class _PopenChild:
    def __init__(self, proc: subprocess.Popen[bytes]) -> None:
        self.pid = proc.pid
        self._proc = proc
        self._lock = threading.Lock()
        self._callbacks: list[Callable[[int], None]] = []
        self._code: int | None = None
        threading.Thread(target=self._watch, daemon=True, name=f"watch-{proc.pid}").start()

    def _watch(self) -> None:
        code = self._proc.wait()
        if self._proc.stdin is not None:
            with contextlib.suppress(OSError):
                self._proc.stdin.close()
        with self._lock:
            self._code = code
            callbacks, self._callbacks = self._callbacks, []
        for cb in callbacks:
            cb(code)

    def exit_code(self) -> int | None:
        return self._code

    def on_exit(self, callback: Callable[[int], None]) -> None:
        with self._lock:
            if self._code is None:
                self._callbacks.append(callback)
                return
            code = self._code
        callback(code)

    def terminate(self) -> None:
        if self._code is None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.pid, signal.SIGTERM)

    def kill(self) -> None:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.pid, signal.SIGKILL)


class _PopenSpawner:
    def launch(self, launch: Launch) -> Child:
        env = {
            **os.environ,
            **launch.env,
            wire.ENV_ENDPOINT: launch.endpoint,
            wire.ENV_SERVICE: launch.service,
            wire.ENV_REPLICA: str(launch.replica),
            wire.ENV_PARENT_PID: str(os.getpid()),
            "PYTHONUNBUFFERED": "1",
        }
        launch.log_path.parent.mkdir(parents=True, exist_ok=True)
        with launch.log_path.open("ab") as out:
            proc = subprocess.Popen(
                [sys.executable, "-m", launch.module],
                stdin=subprocess.PIPE,
                stdout=out,
                stderr=subprocess.STDOUT,
                env=env,
                start_new_session=True,
            )
        assert proc.stdin is not None
        with contextlib.suppress(BrokenPipeError):
            proc.stdin.write(launch.token.encode() + b"\n")
            proc.stdin.flush()
        return _PopenChild(proc)

    def close(self) -> None:
        pass


def make_spawner(prefer_zygote: bool = True, preload: Iterable[str] = ()) -> Spawner:
    """Plain spawn (the stand-in has no zygote)."""
    return _PopenSpawner()
