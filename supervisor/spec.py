"""What the hub needs to run one service: ``ServiceSpec``, the app's defaults, and overrides.

A spec is a frozen value; overrides from services.toml produce new specs and are validated here, at
the boundary, so the hub trusts every spec it holds. This module must never start a process.
"""

from __future__ import annotations

import dataclasses
import math
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sidecars.protocol import EXIT_CONFIG, HEARTBEAT_LIVENESS, HEARTBEAT_S
from supervisor.errors import SpecError


@dataclass(frozen=True)
class ServiceSpec:
    """How to run and supervise one service: ``python -m module`` in ``replicas`` processes."""

    name: str
    module: str = ""  # empty: sidecars.<name>
    replicas: int = 1
    env: Mapping[str, str] = field(default_factory=dict)  # added to the child's environment
    preload: tuple[str, ...] = ()  # heavy modules a zygote may import before forking
    heartbeat_s: float = HEARTBEAT_S
    heartbeat_misses: int = HEARTBEAT_LIVENESS  # missed in a row = unhealthy
    start_timeout_s: float = 60.0  # launched to READY, or the replica is unhealthy
    concurrency: int = 2  # requests in flight per replica (the sidecar runtime's worker threads)
    max_attempts: int = 3  # deliveries of one idempotent request when replicas die under it
    backoff_initial_s: float = 0.05
    backoff_max_s: float = 10.0
    backoff_factor: float = 2.0
    backoff_jitter: float = 0.2  # +/- fraction of each delay
    healthy_s: float = 60.0  # up this long resets the backoff
    max_restarts: int = 5  # more restarts than this within window_s opens the circuit
    window_s: float = 60.0
    failed_retry_s: float = 300.0  # the slow background retry of a failed service
    stop_timeout_s: float = 5.0  # DISCONNECT to exit, and again terminate to exit
    memory_limit_mb: int | None = None  # RLIMIT_AS where the OS has it
    # Models are background work: below the GUI's CPU priority, so on a small machine a busy or
    # restarting sidecar never keeps the window waiting for a core (0 = the hub's own priority).
    nice: int = 5
    config_exit_code: int = EXIT_CONFIG  # exiting with this means "cannot work as configured"

    def __post_init__(self) -> None:
        if not isinstance(self.name, str):
            raise SpecError(f"a service name must be a string, not {self.name!r}")
        if not isinstance(self.env, Mapping):
            raise SpecError(f"{self.name}: env must be a table of names to strings")
        if isinstance(self.preload, str) or not isinstance(self.preload, list | tuple):
            raise SpecError(f"{self.name}: preload must be a list of module names")
        if not isinstance(self.module, str):
            raise SpecError(f"{self.name}: module must be a string")
        object.__setattr__(self, "env", dict(self.env))
        object.__setattr__(self, "preload", tuple(self.preload))
        if not self.module:
            object.__setattr__(self, "module", f"sidecars.{self.name}")
        _validate(self)


# What each sidecar imports by its first requests, measured with PYTHONPROFILEIMPORTTIME on a
# served predict/train/forecast: the top-level package alone left sklearn.linear_model (~0.9 s
# here) and the sidecar's own modules to every restarted child. Only modules that start no thread
# and build no per-process state at import: a service module (which makes its engine) is not one.
_DEFAULTS = (
    (
        "categorizer",
        ("sklearn", "sklearn.linear_model", "sklearn.exceptions", "sidecars.categorizer.engine"),
    ),
    ("forecaster", ("prophet", "pandas", "sidecars.forecaster.engine")),
    # robust statistics only: it never imports sklearn
    ("insights", ("numpy", "sidecars.insights.anomalies", "sidecars.insights.recurring")),
    ("advisor", ("sidecars.advisor.safe",)),
)


def default_specs() -> list[ServiceSpec]:
    """The app's model services, before any user override."""
    return [ServiceSpec(name, preload=preload) for name, preload in _DEFAULTS]


_FLOATS = {f.name for f in dataclasses.fields(ServiceSpec) if f.type == "float"}
_INTS = {
    "replicas",
    "nice",
    "concurrency",
    "heartbeat_misses",
    "max_attempts",
    "max_restarts",
    "config_exit_code",
}


def _validate(spec: ServiceSpec) -> None:
    if not spec.name or not spec.name.replace("_", "").replace("-", "").isalnum():
        raise SpecError(f"service name {spec.name!r} must be letters, digits, '-' or '_'")
    if not all(part.isidentifier() for part in spec.module.split(".")):
        raise SpecError(f"{spec.name}: module {spec.module!r} is not a Python module path")
    _validate_numbers(spec)
    if not all(isinstance(k, str) and isinstance(v, str) for k, v in spec.env.items()):
        raise SpecError(f"{spec.name}: env must map names to strings")
    if not all(isinstance(m, str) and m for m in spec.preload):
        raise SpecError(f"{spec.name}: preload must be module names")


def _validate_numbers(spec: ServiceSpec) -> None:
    for name in _INTS:
        value = getattr(spec, name)
        if not isinstance(value, int) or isinstance(value, bool):
            raise SpecError(f"{spec.name}: {name} must be an integer, not {value!r}")
    for name in _FLOATS:
        value = getattr(spec, name)
        ok = isinstance(value, int | float) and not isinstance(value, bool)
        if not ok or not math.isfinite(value) or value < 0:
            raise SpecError(f"{spec.name}: {name} must be a number >= 0, not {value!r}")
    if spec.replicas < 0 or spec.replicas > 64:
        raise SpecError(f"{spec.name}: replicas must be between 0 and 64, not {spec.replicas}")
    if spec.heartbeat_s <= 0 or spec.heartbeat_misses < 1:
        raise SpecError(f"{spec.name}: heartbeat_s must be > 0 and heartbeat_misses >= 1")
    if not 1 <= spec.concurrency <= 64:
        raise SpecError(f"{spec.name}: concurrency must be between 1 and 64")
    if spec.max_attempts < 1 or spec.max_restarts < 0 or spec.window_s <= 0:
        raise SpecError(f"{spec.name}: max_attempts >= 1, max_restarts >= 0, window_s > 0")
    if spec.backoff_jitter >= 1 or spec.backoff_factor < 1:
        raise SpecError(f"{spec.name}: backoff_jitter must be < 1 and backoff_factor >= 1")
    if spec.memory_limit_mb is not None and (
        not isinstance(spec.memory_limit_mb, int) or spec.memory_limit_mb < 16
    ):
        raise SpecError(f"{spec.name}: memory_limit_mb must be an integer >= 16 or absent")
    if not 0 <= spec.nice <= 19:
        raise SpecError(f"{spec.name}: nice must be between 0 and 19, not {spec.nice}")


_OVERRIDABLE = {f.name for f in dataclasses.fields(ServiceSpec)} - {"name"}


def apply_overrides(specs: Iterable[ServiceSpec], table: Mapping[str, Any]) -> list[ServiceSpec]:
    """Specs with ``table`` (parsed services.toml) applied: ``[defaults]`` to all, then per name."""
    unknown_top = set(table) - {"defaults", "services"}
    if unknown_top:
        raise SpecError(f"services.toml: unknown section(s) {', '.join(sorted(unknown_top))}")
    defaults = _section(table.get("defaults", {}), "defaults")
    services = table.get("services", {})
    if not isinstance(services, Mapping):
        raise SpecError("services.toml: [services] must be a table of [services.<name>] tables")
    out = []
    for spec in specs:
        changes = {**defaults, **_section(services.get(spec.name, {}), f"services.{spec.name}")}
        if isinstance(changes.get("env"), Mapping):
            changes["env"] = {**spec.env, **changes["env"]}
        try:
            out.append(dataclasses.replace(spec, **changes))
        except SpecError as exc:
            raise SpecError(f"services.toml: {exc}") from None
    return out


def _section(value: object, where: str) -> dict[str, Any]:
    if not isinstance(value, Mapping):
        raise SpecError(f"services.toml: [{where}] must be a table")
    unknown = set(value) - _OVERRIDABLE
    if unknown:
        raise SpecError(f"services.toml: [{where}] has unknown key(s) {', '.join(sorted(unknown))}")
    return dict(value)


def load_overrides(specs: Iterable[ServiceSpec], path: Path) -> list[ServiceSpec]:
    """Specs with the TOML file at ``path`` applied; unchanged when it does not exist."""
    specs = list(specs)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return specs
    except OSError as exc:
        raise SpecError(f"cannot read {path}: {exc.strerror or exc}") from None
    try:
        table = tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise SpecError(f"{path} is not UTF-8 text") from None
    except tomllib.TOMLDecodeError as exc:
        raise SpecError(f"{path} is not valid TOML: {exc}") from None
    return apply_overrides(specs, table)
