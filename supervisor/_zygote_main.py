"""The zygote process: preload heavy modules once, then fork a ready sidecar on each request.

Started by plain spawn (``python -c LAUNCHER supervisor._zygote_main``), never forked from the hub.
It speaks over one SOCK_SEQPACKET Unix socket (fd in FINCAST_ZYGOTE_FD) in msgpack maps:

    hub -> zygote  {"op": "spawn", "seq", "module", "env", "memory_limit_mb"} + fds [stdin, log]
    zygote -> hub  {"op": "ready", "pid", "preloaded", "failed", "threads"}
                   {"op": "spawned", "seq", "pid"} | {"op": "error", "seq", "message"}
                   {"op": "exit", "pid", "code"}      (at once, from SIGCHLD)

It must stay single-threaded (a fork copies only the calling thread): BLAS/OpenMP pools are held
to one thread while preloading, and the hub refuses a zygote that reports more than one. It exits
when the hub goes (socket or stdin EOF, PR_SET_PDEATHSIG); its children get SIGKILL then too.
"""

from __future__ import annotations

import contextlib
import ctypes
import gc
import importlib
import io
import os
import resource
import runpy
import select
import signal
import socket
import sys
import threading
import traceback
from typing import Any

import msgspec

FD_ENV = "FINCAST_ZYGOTE_FD"
PRELOAD_ENV = "FINCAST_ZYGOTE_PRELOAD"
MAX_MESSAGE = 1 << 20
# Thread pools that numpy/scipy/sklearn would start at import; a forked child would inherit a
# pool whose threads do not exist. Only the zygote sees these values; children get the hub's env.
_POOL_VARS = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS", "NUMEXPR_NUM_THREADS")
_ALWAYS = ("zmq", "msgspec", "psutil", "sidecars.runtime")
_EXIT_SETUP_FAILED = 70


def main() -> None:
    """Preload, report ready, then serve spawn requests until the hub goes away."""
    ctrl = socket.socket(fileno=int(os.environ.pop(FD_ENV)))
    preload = [m for m in os.environ.pop(PRELOAD_ENV, "").split(",") if m]
    loaded, failed = _preload([*_ALWAYS, *preload])
    threads = _os_threads()
    # Children share the preloaded heap copy-on-write; a collection in a child walks (and so
    # copies) all of it unless those objects are frozen out of the collector first.
    gc.collect()
    gc.freeze()
    _send(
        ctrl,
        {
            "op": "ready",
            "pid": os.getpid(),
            "preloaded": loaded,
            "failed": failed,
            "threads": threads,
        },
    )
    wake_r, wake_w = os.pipe()
    os.set_blocking(wake_r, False)
    os.set_blocking(wake_w, False)
    signal.set_wakeup_fd(wake_w)
    signal.signal(signal.SIGCHLD, lambda *_: None)
    while True:
        ready, _, _ = select.select([ctrl.fileno(), wake_r, 0], [], [])
        if wake_r in ready:
            with contextlib.suppress(BlockingIOError):
                os.read(wake_r, 4096)
            _reap(ctrl)
        if 0 in ready and not os.read(0, 4096):
            break  # stdin EOF: the hub is gone
        if ctrl.fileno() in ready and not _serve_one(ctrl, (wake_r, wake_w)):
            break
    # os._exit: tearing down an interpreter with Prophet and sklearn loaded takes seconds.
    os._exit(0)


def _preload(modules: list[str]) -> tuple[list[str], dict[str, str]]:
    saved = {name: os.environ.get(name) for name in _POOL_VARS}
    for name in _POOL_VARS:
        os.environ[name] = "1"
    loaded: list[str] = []
    failed: dict[str, str] = {}
    for name in dict.fromkeys(modules):
        try:
            importlib.import_module(name)
            loaded.append(name)
        except Exception as exc:  # a missing optional module only costs start-up time
            failed[name] = f"{type(exc).__name__}: {exc}"
    for name, value in saved.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value
    return loaded, failed


def _os_threads() -> int:
    try:
        return len(os.listdir("/proc/self/task"))
    except OSError:
        return threading.active_count()


def _send(ctrl: socket.socket, message: dict[str, Any]) -> None:
    with contextlib.suppress(OSError):  # the hub is gone: the loop sees EOF next
        ctrl.send(msgspec.msgpack.encode(message))


def _reap(ctrl: socket.socket) -> None:
    while True:
        try:
            pid, status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return
        _send(ctrl, {"op": "exit", "pid": pid, "code": os.waitstatus_to_exitcode(status)})


def _serve_one(ctrl: socket.socket, wake: tuple[int, int]) -> bool:
    try:
        data, fds, _flags, _addr = socket.recv_fds(ctrl, MAX_MESSAGE, 4)
    except OSError:
        return False
    if not data:
        return False
    seq: object = None
    try:
        request = msgspec.msgpack.decode(data)
        seq = request.get("seq")
        if request.get("op") != "spawn" or len(fds) != 2:
            raise ValueError("want a spawn request with two fds")
        pid = os.fork()
        if pid == 0:
            _become_child(request, fds, ctrl, wake)
        _send(ctrl, {"op": "spawned", "seq": seq, "pid": pid})
    except Exception as exc:  # a bad request is answered, never fatal to the zygote
        _send(ctrl, {"op": "error", "seq": seq, "message": f"{type(exc).__name__}: {exc}"})
    finally:
        for fd in fds:
            with contextlib.suppress(OSError):
                os.close(fd)
    return True


def _become_child(
    request: dict[str, Any], fds: list[int], ctrl: socket.socket, wake: tuple[int, int]
) -> None:
    """In the forked child: become the sidecar, then exit; never return to the zygote's loop."""
    code = _EXIT_SETUP_FAILED
    try:
        zygote = os.getppid()
        signal.set_wakeup_fd(-1)
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        ctrl.close()
        for fd in wake:
            os.close(fd)
        os.setsid()
        _set_pdeathsig()
        if os.getppid() != zygote:
            os._exit(75)
        stdin_fd, log_fd = fds
        os.dup2(stdin_fd, 0)
        os.dup2(log_fd, 1)
        os.dup2(log_fd, 2)
        for fd in fds:
            if fd > 2:
                os.close(fd)
        sys.stdin = io.TextIOWrapper(io.FileIO(0, "r", closefd=False))
        sys.stdout = io.TextIOWrapper(io.FileIO(1, "w", closefd=False), write_through=True)
        sys.stderr = io.TextIOWrapper(io.FileIO(2, "w", closefd=False), write_through=True)
        env = {str(k): str(v) for k, v in request["env"].items()}
        env["FINCAST_PARENT_PID"] = str(zygote)  # the process whose death ends this one
        os.environ.clear()
        os.environ.update(env)
        for entry in reversed(env.get("PYTHONPATH", "").split(os.pathsep)):
            if entry and entry not in sys.path:
                sys.path.insert(0, entry)
        importlib.invalidate_caches()
        limit = request.get("memory_limit_mb")
        if isinstance(limit, int) and limit > 0:
            _, hard = resource.getrlimit(resource.RLIMIT_AS)
            want = limit * 1024 * 1024
            if hard != resource.RLIM_INFINITY:
                want = min(want, hard)
            resource.setrlimit(resource.RLIMIT_AS, (want, hard))
        module = str(request["module"])
        sys.argv = [module]
        runpy.run_module(module, run_name="__main__", alter_sys=True)
        code = 0
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    except BaseException:
        traceback.print_exc()
        code = 1
    finally:
        for stream in (sys.stdout, sys.stderr):
            with contextlib.suppress(Exception):
                stream.flush()
        os._exit(code)


def _set_pdeathsig() -> None:
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None).prctl(1, int(signal.SIGKILL), 0, 0, 0)


if __name__ == "__main__":
    main()
