"""A bare ROUTER socket that plays the hub in runtime and spawn tests, and starts sidecars for it.

It speaks the wire protocol directly so tests can send what a real hub never would (bad frames,
wrong versions, silence). Every receive has a deadline. Never used outside tests.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Mapping
from pathlib import Path

import zmq

from sidecars import protocol
from sidecars.protocol import Heartbeat, Log, Message, Metrics, decode, encode

REPO = Path(__file__).resolve().parents[2]
CHAOS = "tests.helpers.chaos_sidecar"
NOISE = (Heartbeat, Metrics, Log)


class FakeHub:
    """A ROUTER bound on a private ipc endpoint; ``recv`` returns (identity, message)."""

    def __init__(self) -> None:
        # ipc paths are limited to ~100 bytes, so not under pytest's long tmp_path.
        self.dir = Path(tempfile.mkdtemp(prefix="fc-hub-"))
        self.endpoint = f"ipc://{self.dir}/hub.sock"
        self.ctx = zmq.Context()
        self.router = self.ctx.socket(zmq.ROUTER)
        self.router.setsockopt(zmq.LINGER, 0)
        self.router.bind(self.endpoint)
        self.procs: list[subprocess.Popen[bytes]] = []

    def recv(self, timeout: float = 10.0) -> tuple[bytes, Message]:
        """The next message from any sidecar, heartbeats included."""
        if not self.router.poll(int(timeout * 1000)):
            raise TimeoutError(f"nothing from a sidecar within {timeout} s")
        identity, frame = self.router.recv_multipart()
        return identity, decode(frame)

    def expect(self, kind: type[Message], timeout: float = 10.0) -> tuple[bytes, Message]:
        """Skip heartbeats, metrics and logs until a ``kind`` arrives (others fail the test)."""
        deadline = time.monotonic() + timeout
        while True:
            identity, msg = self.recv(max(0.0, deadline - time.monotonic()))
            if isinstance(msg, kind):
                return identity, msg
            if not isinstance(msg, NOISE):
                raise AssertionError(f"expected {kind.__name__}, got {msg!r}")

    def send(self, identity: bytes, msg: Message | bytes) -> None:
        """Send a message (or raw bytes) to one sidecar."""
        frame = msg if isinstance(msg, bytes) else encode(msg)
        self.router.send_multipart([identity, frame])

    def start(
        self,
        token: str = "t0ken",
        env: Mapping[str, str] | None = None,
        module: str = CHAOS,
        stdin_extra: bytes = b"",
        newline: bool = True,
    ) -> subprocess.Popen[bytes]:
        """Start ``python -m module`` wired to this hub as spawn would, logging into self.dir."""
        full = dict(os.environ)
        full.update(
            {
                protocol.ENV_ENDPOINT: self.endpoint,
                protocol.ENV_SERVICE: "chaos",
                protocol.ENV_REPLICA: "0",
                protocol.ENV_PARENT_PID: str(os.getpid()),
                "PYTHONPATH": str(REPO),
                "PYTHONUNBUFFERED": "1",
            }
        )
        full.update(env or {})
        log = open(self.dir / f"sidecar-{len(self.procs)}.log", "ab")  # noqa: SIM115
        proc = subprocess.Popen(
            [sys.executable, "-m", module],
            stdin=subprocess.PIPE,
            stdout=log,
            stderr=subprocess.STDOUT,
            env=full,
            start_new_session=True,
        )
        log.close()
        assert proc.stdin is not None
        proc.stdin.write(token.encode() + (b"\n" if newline else b"") + stdin_extra)
        proc.stdin.flush()
        self.procs.append(proc)
        return proc

    def log_text(self, n: int = 0) -> str:
        """What sidecar ``n`` wrote to stdout and stderr so far."""
        return (self.dir / f"sidecar-{n}.log").read_text(errors="replace")

    def close(self) -> None:
        """Kill every sidecar started here and release the socket."""
        for proc in self.procs:
            if proc.poll() is None:
                proc.kill()
            proc.wait(timeout=10)
            if proc.stdin is not None:
                proc.stdin.close()
        self.router.close(linger=0)
        self.ctx.term()
        shutil.rmtree(self.dir, ignore_errors=True)


def wait_exit(proc: subprocess.Popen[bytes], timeout: float = 10.0) -> int:
    """The exit code of ``proc`` once it exits; fails the test after ``timeout``."""
    return proc.wait(timeout=timeout)
