"""The life of sidecar processes on the hub's I/O thread: launch, exit, crash, restart, stop.

``Lifecycle`` is the part of the hub that owns processes: it launches replicas through the
spawner, turns exits into restarts, backoff or an open circuit (policy.py decides), condemns
replicas that are stuck or silent, retires them gently (DISCONNECT, then terminate, then kill the
process group), and runs restart, scale and rolling reload. Every state change goes through
``_move`` and the table in states.py. The Hub inherits it. This module must never block: processes
are started on the hub's launcher thread, and launches and exits arrive back as commands.
"""

from __future__ import annotations

import itertools
import logging
import secrets
import threading
import time
from collections import deque
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import zmq

from sidecars import protocol as wire
from supervisor.broker import Broker
from supervisor.events import EventBus
from supervisor.logs import ServiceLogs, tail
from supervisor.policy import Action
from supervisor.replica import Replica, ServiceRun, Then
from supervisor.spawn import Child, Launch, Spawner
from supervisor.states import ALIVE, SERVING, State, check

_log = logging.getLogger("supervisor.hub")
_FLIPS = (State.READY, State.BUSY)
_NOBLOCK = int(zmq.NOBLOCK)  # plain ints: or-ing zmq's enum flags runs Python code every time
_SNDMORE_NOBLOCK = int(zmq.SNDMORE | zmq.NOBLOCK)


class Lifecycle:
    """Process supervision for the Hub (which provides the attributes and the broker hooks)."""

    _services: dict[str, ServiceRun]
    _broker: Broker
    _events: EventBus
    _logs: ServiceLogs | None
    _spawner: Spawner | None
    _router: zmq.Socket[bytes] | None
    _tokens: dict[str, Replica]
    _peers: dict[bytes, Replica]
    _changed: threading.Condition
    _launcher: ThreadPoolExecutor
    _stopping: bool
    _moved: bool
    _launched: bool
    endpoint: str | None

    # Provided by the Hub: the request side that lifecycle changes must poke.
    def _post(self, fn: Callable[..., None], *args: Any) -> None:
        raise NotImplementedError

    def _dispatch(self, svc: ServiceRun) -> None:
        raise NotImplementedError

    def _orphaned(self, svc: ServiceRun, r: Replica, why: str) -> None:
        raise NotImplementedError

    def _fail_hopeless(self, svc: ServiceRun) -> None:
        raise NotImplementedError

    def _move(self, r: Replica, state: State, reason: str = "") -> None:
        previous = r.state
        if previous is state:
            return
        r.since = time.time()
        r.reason = reason
        if state in _FLIPS and previous in _FLIPS:
            r.state = state  # ready <-> busy on every request: allowed, and not worth an event
            return
        r.state = check(previous, state)
        self._moved = True
        line = f"replica {r.index}: {previous} -> {state}" + (f" ({reason})" if reason else "")
        level = logging.WARNING if state in (State.UNHEALTHY, State.CRASHED, State.FAILED) else 0
        self._write_log(r.service, line, level or logging.INFO)
        self._publish(
            {
                "type": "state",
                "service": r.service,
                "replica": r.index,
                "state": str(state),
                "previous": str(previous),
                "pid": r.pid,
                "reason": reason,
                "restarts": r.restarts,
                "last_exit": r.last_exit,
                "retry_in_s": round(r.timer - time.monotonic(), 3) if r.timer else None,
            }
        )

    def _publish(self, event: dict[str, Any]) -> None:
        self._events.publish(event)

    def _write_log(self, service: str, line: str, level: int = logging.INFO) -> None:
        if self._logs is not None:
            self._logs.write(service, line, level)

    def _send(self, r: Replica, data: bytes) -> bool:
        assert self._router is not None and r.identity is not None
        try:
            self._router.send(r.identity, _SNDMORE_NOBLOCK)
            self._router.send(data, _NOBLOCK)
        except zmq.ZMQError as exc:
            _log.debug("cannot send to %s/%d: %s", r.service, r.index, exc)
            return False
        return True

    def _start_all(self) -> None:
        self._launched = True
        for svc in self._services.values():
            for i in range(svc.spec.replicas):
                r = Replica(svc.name, i)
                svc.replicas.append(r)
                self._launch(svc, r, "hub start")

    def _launch(self, svc: ServiceRun, r: Replica, reason: str) -> None:
        assert self._spawner is not None and self._logs is not None and self.endpoint is not None
        spec = svc.spec
        r.generation += 1
        generation = r.generation
        r.token = secrets.token_urlsafe(32)
        r.timer = None
        r.stop_stage = 0
        r.leaving = False
        r.identity = None
        r.working.clear()
        self._tokens[r.token] = r
        now = time.monotonic()
        r.launched = now
        r.last_seen = now
        launch = Launch(
            service=spec.name,
            replica=r.index,
            module=spec.module,
            env={**spec.env, wire.ENV_HEARTBEAT_S: repr(spec.heartbeat_s)},
            token=r.token,
            endpoint=self.endpoint,
            log_path=self._logs.output_path(spec.name, r.index),
            memory_limit_mb=spec.memory_limit_mb,
            preload=spec.preload,
            nice=spec.nice,
        )
        r.pid = None
        r.child = None
        self._move(r, State.STARTING, reason)
        spawner = self._spawner
        self._launcher.submit(self._spawn, spawner, r, generation, launch)

    def _spawn(self, spawner: Spawner, r: Replica, generation: int, launch: Launch) -> None:
        """On a launcher thread (PlainSpawner still runs each Popen on its one long-lived thread,
        for PR_SET_PDEATHSIG): start the process, and tell the I/O thread how it went."""
        try:
            child = spawner.launch(launch)
        except Exception as exc:  # the OS refused (EAGAIN, ENOMEM, missing interpreter...)
            self._post(self._on_spawn_failed, r, generation, exc)
            return
        self._post(self._on_launched, r, generation, child)

    def _on_spawn_failed(self, r: Replica, generation: int, exc: Exception) -> None:
        _log.warning("cannot start %s/%d: %s", r.service, r.index, exc)
        self._write_log(r.service, f"replica {r.index}: cannot start: {exc}", logging.ERROR)
        self._on_exit(r, generation, None)

    def _on_launched(self, r: Replica, generation: int, child: Child) -> None:
        if generation != r.generation:  # superseded while it started: nobody wants it
            child.kill()
            return
        r.child = child
        r.pid = child.pid
        child.on_exit(lambda code: self._post(self._on_exit, r, generation, code))
        # Condemned or asked to stop before its process existed: do now what was skipped then.
        if r.state is State.UNHEALTHY or r.stop_stage >= 3:
            child.kill()
        elif r.stop_stage == 2:
            child.terminate()
            r.timer = time.monotonic() + self._services[r.service].spec.stop_timeout_s

    def _on_exit(self, r: Replica, generation: int, code: int | None) -> None:
        if generation != r.generation:
            return  # a previous process of this slot; already handled
        svc = self._services[r.service]
        now = time.monotonic()
        r.child = None
        r.last_exit = code
        r.working.clear()
        r.timer = None
        r.stop_stage = 0
        self._tokens.pop(r.token, None)
        if r.identity is not None:
            self._peers.pop(r.identity, None)
            r.identity = None
        self._orphaned(svc, r, "died while holding it")
        if r.then is not None or self._stopping:
            self._on_asked_exit(svc, r, code)
        else:
            self._on_crash(svc, r, code, now)
        self._dispatch(svc)
        self._fail_hopeless(svc)

    def _on_asked_exit(self, svc: ServiceRun, r: Replica, code: int | None) -> None:
        how, r.then = r.then, None
        self._move(r, State.STOPPED, f"stopped, exit code {code}")
        if how == Then.REMOVE and r in svc.replicas:
            svc.replicas.remove(r)
        elif how == Then.RESTART and not self._stopping:
            self._launch(svc, r, "restart requested")

    def _on_crash(self, svc: ServiceRun, r: Replica, code: int | None, now: float) -> None:
        if r.state is not State.UNHEALTHY:
            self._move(r, State.CRASHED, f"exit code {code}")
        else:
            self._move(r, State.CRASHED, f"{r.reason}; killed, exit code {code}")
        output = self._logs.output_path(r.service, r.index) if self._logs else Path()
        for line in tail(output, max_lines=10):
            self._publish(
                {
                    "type": "log",
                    "service": r.service,
                    "replica": r.index,
                    "level": "output",  # the child's own stdout/stderr, last lines before it died
                    "line": line,
                }
            )
        decision = svc.policy.on_exit(r.index, code, now, now - r.launched)
        if decision.action is Action.RESTART:
            r.restarts += 1
            r.timer = now + decision.delay_s
            self._move(r, State.BACKOFF, f"restart in {decision.delay_s:.2f} s")
            self._publish(
                {
                    "type": "restart",
                    "service": r.service,
                    "replica": r.index,
                    "exit_code": code,
                    "delay_s": round(decision.delay_s, 3),
                    "restarts": r.restarts,
                }
            )
        else:
            if decision.action is Action.FAIL:
                r.timer = now + decision.delay_s
            self._move(r, State.FAILED, decision.reason)
            if decision.action is Action.FAIL:
                for other in svc.replicas:  # the circuit is per service
                    if other.state is State.BACKOFF:
                        other.timer = now + decision.delay_s
                        self._move(other, State.FAILED, decision.reason)

    def _condemn(self, r: Replica, reason: str) -> None:
        """Mark a live replica unhealthy and kill its process group; its exit does the rest."""
        if r.state not in ALIVE or r.state is State.UNHEALTHY:
            return
        svc = self._services[r.service]
        self._move(r, State.UNHEALTHY, reason)
        self._orphaned(svc, r, "was found unhealthy")
        if r.child is not None:
            r.child.kill()

    def _on_timer(self, svc: ServiceRun, r: Replica) -> None:
        if r.stop_stage and r.child is not None:
            if r.stop_stage == 1:
                r.stop_stage = 2
                r.child.terminate()
                r.timer = time.monotonic() + svc.spec.stop_timeout_s
            else:
                r.stop_stage = 3
                r.child.kill()
            return
        if r.state is State.BACKOFF:
            self._launch(svc, r, "restart after backoff")
        elif r.state is State.FAILED:
            svc.policy.half_open()
            r.restarts += 1
            self._launch(svc, r, "background retry of a failed service")

    def _retire(self, svc: ServiceRun, r: Replica, how: Then, now_: bool = False) -> None:
        """Ask a replica to go once idle (or ``now_``); then remove, restart or leave it stopped."""
        r.then = how
        if r.state not in ALIVE:
            r.then = None
            r.timer = None
            if how == Then.RESTART and not self._stopping:
                self._launch(svc, r, "restart requested")
            elif r.state is not State.STOPPED:
                self._move(r, State.STOPPED, "stopped")
            if how == Then.REMOVE and r in svc.replicas:
                svc.replicas.remove(r)
            return
        self._broker.close(svc.name, r)  # no new work from now on
        if now_ or not r.working:
            self._retire_step(r)
        # else: the reply handler calls _retire_step once the request is answered

    def _retire_step(self, r: Replica) -> None:
        svc = self._services[r.service]
        self._broker.withdraw(svc.name, r)
        if r.stop_stage:
            return
        now = time.monotonic()
        if r.state in SERVING and r.identity is not None:
            r.stop_stage = 1
            self._send(r, wire.encode(wire.Disconnect(reason="stop")))
        else:
            r.stop_stage = 2
            if r.child is not None:
                r.child.terminate()
        r.timer = now + svc.spec.stop_timeout_s

    def _signal_all(self, kill: bool) -> None:
        for svc in self._services.values():
            for r in svc.replicas:
                if r.child is not None and r.state in ALIVE:
                    if kill:
                        r.child.kill()
                    else:
                        r.child.terminate()

    def _restart(self, svc: ServiceRun) -> None:
        if self._stopping:
            return
        svc.policy.reset()
        svc.reloading.clear()
        for r in list(svc.replicas):
            if r.replaces is not None:
                r.replaces = None
                self._retire(svc, r, Then.REMOVE)
            else:
                self._retire(svc, r, Then.RESTART)

    def _scale(self, svc: ServiceRun, n: int) -> None:
        if self._stopping:
            return
        svc.reloading.clear()
        active = [r for r in svc.replicas if r.then is None and r.replaces is None]
        if n > len(active):
            used = {r.index for r in svc.replicas}
            for _ in range(n - len(active)):
                index = next(i for i in itertools.count() if i not in used)
                used.add(index)
                r = Replica(svc.name, index)
                svc.replicas.append(r)
                self._launch(svc, r, f"scaled to {n}")
        elif n < len(active):
            # Retire what serves least first: not-serving replicas, then the highest indexes.
            order = sorted(active, key=lambda r: (r.state in SERVING, -r.index))
            for r in order[: len(active) - n]:
                for successor in svc.replicas:
                    if successor.replaces is r:
                        successor.replaces = None
                        self._retire(svc, successor, Then.REMOVE)
                self._retire(svc, r, Then.REMOVE)
            self._fail_hopeless(svc)

    def _reload(self, svc: ServiceRun) -> None:
        if self._stopping:
            return
        svc.reloading = deque(r for r in svc.replicas if r.then is None and r.replaces is None)
        self._reload_step(svc)

    def _reload_step(self, svc: ServiceRun) -> None:
        if any(r.replaces is not None for r in svc.replicas):
            return  # one replica at a time
        while svc.reloading:
            old = svc.reloading.popleft()
            if old not in svc.replicas or old.then is not None:
                continue
            if old.state not in SERVING:
                self._retire(svc, old, Then.RESTART)  # nothing to keep serving: just restart it
                continue
            new = Replica(svc.name, old.index, replaces=old)
            svc.replicas.append(new)
            self._launch(svc, new, "rolling reload")
            return
