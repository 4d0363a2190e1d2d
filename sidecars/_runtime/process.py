"""How a sidecar process ties its life to its parent's and limits itself.

A sidecar must never outlive the process that launched it: stdin EOF, PR_SET_PDEATHSIG (Linux) and
the recorded parent pid each end it. These helpers never touch a socket.
"""

from __future__ import annotations

import contextlib
import ctypes
import logging
import os
import signal
import sys
import threading
from collections.abc import Callable

log = logging.getLogger("sidecars.runtime")

_PR_SET_PDEATHSIG = 1
_TOKEN_MAX = 4096


def set_parent_death_signal(sig: int | None = None) -> bool:
    """Ask Linux to send ``sig`` (SIGKILL) when the parent exits; False on other systems."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        wanted = int(signal.SIGKILL if sig is None else sig)
        return bool(libc.prctl(_PR_SET_PDEATHSIG, wanted, 0, 0, 0) == 0)
    except (OSError, AttributeError):
        return False


def parent_is(expected: int | None) -> bool:
    """True unless a recorded parent pid is known and is no longer our parent (it died first)."""
    return expected is None or os.getppid() == expected


def read_token(fd: int = 0) -> str | None:
    """The first line of ``fd`` without its newline; None if it closed before a full line."""
    data = b""
    while b"\n" not in data and len(data) < _TOKEN_MAX:
        try:
            chunk = os.read(fd, 256)
        except OSError:
            return None
        if not chunk:
            return None
        data += chunk
    line = data.split(b"\n", 1)[0]
    return line.decode("utf-8", "replace").strip()


def watch_for_eof(on_eof: Callable[[], None], fd: int = 0) -> threading.Thread:
    """Call ``on_eof`` from a daemon thread when ``fd`` reaches end of file (the parent is gone)."""

    def _watch() -> None:
        while True:
            try:
                chunk = os.read(fd, 4096)
            except InterruptedError:
                continue
            except OSError:
                break
            if not chunk:
                break
        on_eof()

    thread = threading.Thread(target=_watch, name="parent-watch", daemon=True)
    thread.start()
    return thread


def limit_memory(limit_mb: int | None) -> None:
    """Cap the address space (RLIMIT_AS) where the OS has it; only ever lowers the limit."""
    if not limit_mb or limit_mb <= 0:
        return
    try:
        import resource
    except ImportError:  # Windows: no rlimits; the hub watches RSS instead
        return
    wanted = limit_mb * 1024 * 1024
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    if hard != resource.RLIM_INFINITY:
        wanted = min(wanted, hard)
    if soft == resource.RLIM_INFINITY or wanted < soft:
        with contextlib.suppress(ValueError, OSError):
            resource.setrlimit(resource.RLIMIT_AS, (wanted, hard))


def lower_priority(increment: int | None) -> None:
    """Raise the process's niceness by ``increment`` where the OS has it (never raises it back)."""
    if not increment or increment <= 0 or not hasattr(os, "nice"):
        return
    try:
        os.nice(min(increment, 19))
    except OSError:
        log.warning("could not lower the CPU priority by %s", increment)


def env_int(name: str) -> int | None:
    """An integer environment variable, or None when it is absent or not an integer."""
    raw = os.environ.get(name, "").strip()
    try:
        return int(raw) if raw else None
    except ValueError:
        log.warning("ignoring %s=%r: not an integer", name, raw)
        return None


def env_float(name: str, default: float) -> float:
    """A positive float environment variable, or ``default``."""
    raw = os.environ.get(name, "").strip()
    try:
        value = float(raw) if raw else default
    except ValueError:
        log.warning("ignoring %s=%r: not a number", name, raw)
        return default
    return value if value > 0 else default


def rss_mb() -> float:
    """Resident memory of this process in MiB (0.0 where it cannot be read)."""
    try:
        import psutil

        return float(psutil.Process().memory_info().rss) / (1024 * 1024)
    except Exception:  # psutil missing or the platform refuses: metrics are best effort
        return 0.0
