"""The hub: spawns every sidecar, brokers requests to it over ZeroMQ, brings it back when it fails.

A library with no Qt. Public API (used verbatim from outside the project)::

    hub = Hub(services=[ServiceSpec("echo", module="some.module", replicas=2)])  # None: the app's
    hub.start(); hub.wait_ready(timeout=60)                                      # four models
    hub.request(service, method, params, timeout=5.0) -> Future[dict]
        # raises ServiceUnavailable, DeadlineExceeded or RemoteError (code, message)
    hub.status()   # per replica: service, replica, pid, state, restarts, since, last_exit,
                   # p50_ms, p99_ms, rss_mb
    hub.restart(name); hub.scale(name, n); hub.reload(name); hub.runtime_dir; hub.stop(timeout=10)
    hub.subscribe(callback) -> unsubscribe

Events given to subscribers (dicts, each with ``type`` and ``time``):
``{"type": "state", "service", "replica", "state", "previous", "pid", "reason", "restarts",
"last_exit", "retry_in_s"}``; ``{"type": "log", "service", "replica", "level", "line"}`` (the
sidecar's warnings and errors, and level ``output`` for the last lines it printed before it died);
``{"type": "restart", "service", "replica", "exit_code", "delay_s", "restarts"}``;
``{"type": "config", "problem"}`` when services.toml was ignored.
"""

from supervisor.errors import DeadlineExceeded, HubError, RemoteError, ServiceUnavailable, SpecError
from supervisor.hub import Hub
from supervisor.spec import ServiceSpec
from supervisor.states import State

__all__ = [
    "DeadlineExceeded",
    "Hub",
    "HubError",
    "RemoteError",
    "ServiceSpec",
    "ServiceUnavailable",
    "SpecError",
    "State",
]
