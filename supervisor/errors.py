"""The errors a request's future can raise: what a caller of ``Hub.request`` must be ready for.

Each is an environment problem (a model is down, slow or refused the input), never a bug in the
caller, so each carries one sentence a person can read. This module must never import zmq.
"""

from __future__ import annotations


class HubError(Exception):
    """Base of the errors a request can end with."""


class ServiceUnavailable(HubError):
    """No replica of the service can serve the request within its deadline."""

    code = "unavailable"


class DeadlineExceeded(HubError):
    """The request was not answered before its deadline (progress reports extend it)."""

    code = "deadline"


class RemoteError(HubError):
    """The sidecar answered with an error: ``code`` (a protocol error code) and ``message``."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"{code}: {message}" if message else code)
        self.code = code
        self.message = message


class SpecError(ValueError):
    """A service specification (in code or in services.toml) is not usable; the text says why."""
