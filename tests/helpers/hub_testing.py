"""What hub tests share: a ServiceSpec for the chaos test sidecar and a polling wait with a
deadline. Never used outside tests."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from supervisor import ServiceSpec
from tests.helpers.fake_hub import CHAOS, REPO

__all__ = ["CHAOS", "REPO", "chaos_spec", "wait_until"]


def chaos_spec(name: str = "echo", replicas: int = 1, **fields: Any) -> ServiceSpec:
    """A service of the chaos sidecar named `name`; `env` and other ServiceSpec fields pass on."""
    env = {"PYTHONPATH": str(REPO), "CHAOS_SERVICE": name, **fields.pop("env", {})}
    return ServiceSpec(name, module=CHAOS, replicas=replicas, env=env, **fields)


def wait_until(
    check: Callable[[], Any],
    timeout: float,
    what: str | Callable[[], str],
    *,
    poll: float = 0.02,
) -> Any:
    """Poll ``check`` until it returns something truthy; fail with ``what`` at the deadline.

    ``what`` may be a callable, so a costly description (a process listing) is made only then.
    """
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            said = what() if callable(what) else what
            raise AssertionError(f"timed out after {timeout:g} s waiting for {said}")
        time.sleep(poll)
