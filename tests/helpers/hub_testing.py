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


def wait_until(check: Callable[[], Any], timeout: float, what: str) -> Any:
    """Poll ``check`` until it returns something truthy; fail with ``what`` at the deadline."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(0.02)
