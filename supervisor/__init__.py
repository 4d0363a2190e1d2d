"""The hub: spawns every sidecar, brokers requests to it over ZeroMQ, brings it back when it fails.

A library with no Qt. Public API: Hub, ServiceSpec, State and the request errors.
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
