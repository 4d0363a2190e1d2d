"""A tiny real sidecar that misbehaves on request, for tests and benchmarks of the hub and runtime.

Run as ``python -m tests.helpers.chaos_sidecar`` (with the repository on PYTHONPATH). Methods:
echo, sleep {seconds, progress}, crash {code}, hang, hang_all, memory_hog {mb}, pid, env {keys},
fail, reject, big, grandchild, say {stdout, stderr}. Environment knobs read at start:
CHAOS_EXIT_AT_START=<code> exits at once (crash loops, config errors), CHAOS_IMPORT=<module>
imports a heavy module first (start-up cost), CHAOS_SERVICE=<name> serves under another name.
Never use it outside tests and bench/.
"""

from __future__ import annotations

import importlib
import os
import signal
import subprocess
import sys
import threading
import time
from typing import Any

from sidecars.runtime import BadRequest, Sidecar, report_progress

if os.environ.get("CHAOS_IMPORT"):
    for _name in os.environ["CHAOS_IMPORT"].split(","):
        importlib.import_module(_name.strip())

if os.environ.get("CHAOS_EXIT_AT_START"):
    sys.stderr.write("chaos: exiting at start as asked\n")
    sys.exit(int(os.environ["CHAOS_EXIT_AT_START"]))

sidecar = Sidecar(os.environ.get("CHAOS_SERVICE") or os.environ.get("FINCAST_SERVICE") or "chaos")
_hog: list[bytearray] = []
_children: list[subprocess.Popen[bytes]] = []


def _number(params: dict[str, Any], key: str, default: float) -> float:
    value = params.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
        raise BadRequest(f"{key} must be a non-negative number")
    return float(value)


@sidecar.method("echo")
def echo(params: dict[str, Any]) -> dict[str, Any]:
    """Answer the params unchanged."""
    return params


@sidecar.method("sleep")
def sleep(params: dict[str, Any]) -> dict[str, Any]:
    """Sleep for `seconds`, reporting progress every 0.2 s when `progress` is true."""
    seconds = _number(params, "seconds", 1.0)
    end = time.monotonic() + seconds
    while (left := end - time.monotonic()) > 0:
        time.sleep(min(left, 0.2))
        if params.get("progress"):
            report_progress()
    return {"slept": seconds}


@sidecar.method("crash")
def crash(params: dict[str, Any]) -> dict[str, Any]:
    """Exit the process at once with `code` (default 1), answering nothing."""
    sys.stderr.write("chaos: crashing as asked\n")
    sys.stderr.flush()
    os._exit(int(_number(params, "code", 1)))


@sidecar.method("hang")
def hang(params: dict[str, Any]) -> dict[str, Any]:
    """Block this worker thread forever; heartbeats go on."""
    threading.Event().wait()
    return {}


@sidecar.method("hang_all")
def hang_all(params: dict[str, Any]) -> dict[str, Any]:
    """Stop the whole process (SIGSTOP to itself): no heartbeats, no replies."""
    os.kill(os.getpid(), signal.SIGSTOP)
    return {}


@sidecar.method("memory_hog")
def memory_hog(params: dict[str, Any]) -> dict[str, Any]:
    """Allocate and hold `mb` more MiB (touched, so it is resident)."""
    mb = int(_number(params, "mb", 100))
    block = bytearray(mb * 1024 * 1024)
    for i in range(0, len(block), 4096):
        block[i] = 1
    _hog.append(block)
    return {"held_mb": sum(len(b) for b in _hog) // (1024 * 1024)}


@sidecar.method("pid")
def pid(params: dict[str, Any]) -> dict[str, Any]:
    """This process's pid, parent pid and process group."""
    return {"pid": os.getpid(), "ppid": os.getppid(), "pgid": os.getpgid(0)}


@sidecar.method("env")
def env(params: dict[str, Any]) -> dict[str, Any]:
    """The environment (only `keys` when given)."""
    keys = params.get("keys")
    if keys is None:
        return {"env": dict(os.environ)}
    if not isinstance(keys, list) or not all(isinstance(k, str) for k in keys):
        raise BadRequest("keys must be a list of strings")
    return {"env": {k: os.environ.get(k) for k in keys}}


@sidecar.method("fail")
def fail(params: dict[str, Any]) -> dict[str, Any]:
    """Raise an ordinary exception (a bug): the caller gets `internal`."""
    raise RuntimeError(str(params.get("message", "chaos failure")))


@sidecar.method("reject")
def reject(params: dict[str, Any]) -> dict[str, Any]:
    """Raise BadRequest: the caller gets `bad_request`."""
    raise BadRequest(str(params.get("message", "rejected")))


@sidecar.method("big")
def big(params: dict[str, Any]) -> dict[str, Any]:
    """Return `mb` MiB of text (over the frame limit: the caller gets `internal`)."""
    return {"blob": "x" * int(_number(params, "mb", 17) * 1024 * 1024)}


@sidecar.method("grandchild")
def grandchild(params: dict[str, Any]) -> dict[str, Any]:
    """Start a long `sleep` in this process group and return its pid (group-kill tests)."""
    proc = subprocess.Popen(["sleep", "300"])
    _children.append(proc)
    return {"pid": proc.pid}


@sidecar.method("say")
def say(params: dict[str, Any]) -> dict[str, Any]:
    """Write `stdout` to stdout and `stderr` to stderr (log file tests)."""
    print(params.get("stdout", ""))
    sys.stderr.write(str(params.get("stderr", "")) + "\n")
    return {}


if __name__ == "__main__":
    sidecar.run()
