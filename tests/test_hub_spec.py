"""ServiceSpec defaults, validation and services.toml overrides, including hostile files."""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from supervisor import ServiceSpec, SpecError
from supervisor import config as hub_config
from supervisor.spec import apply_overrides, default_specs, load_overrides


def test_public_constructor_shape() -> None:
    spec = ServiceSpec("echo", module="some.module", replicas=2, env={"PYTHONPATH": "/x"})
    assert (spec.name, spec.module, spec.replicas, dict(spec.env)) == (
        "echo",
        "some.module",
        2,
        {"PYTHONPATH": "/x"},
    )
    assert ServiceSpec("categorizer").module == "sidecars.categorizer"


def test_default_specs_are_the_four_models_with_preload_hints() -> None:
    specs = {s.name: s for s in default_specs()}
    assert list(specs) == ["categorizer", "forecaster", "insights", "advisor"]
    # The submodules the sidecars import by their first requests, not only the top packages.
    assert {"sklearn", "sklearn.linear_model"} <= set(specs["categorizer"].preload)
    assert "sidecars.categorizer.engine" in specs["categorizer"].preload
    assert not any(m.startswith("sklearn") for m in specs["insights"].preload)  # no sklearn
    assert {"prophet", "sidecars.forecaster.engine"} <= set(specs["forecaster"].preload)
    assert not any(m.endswith(".service") for s in specs.values() for m in s.preload)
    assert all(s.module == f"sidecars.{n}" for n, s in specs.items())


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"replicas": -1}, "replicas"),
        ({"replicas": 1000}, "replicas"),
        ({"replicas": 1.5}, "replicas must be an integer"),
        ({"replicas": True}, "replicas must be an integer"),
        ({"heartbeat_s": 0}, "heartbeat_s"),
        ({"heartbeat_s": float("nan")}, "heartbeat_s"),
        ({"window_s": "60"}, "window_s"),
        ({"module": "not a module"}, "module"),
        ({"module": 3}, "module"),
        ({"env": {"A": 1}}, "env"),
        ({"env": "A=1"}, "env"),
        ({"preload": "sklearn"}, "preload"),
        ({"memory_limit_mb": 1}, "memory_limit_mb"),
        ({"nice": -5}, "nice"),
        ({"nice": 20}, "nice"),
        ({"nice": "5"}, "nice"),
        ({"backoff_jitter": 1.5}, "backoff_jitter"),
    ],
)
def test_bad_fields_are_refused_clearly(fields: dict[str, object], message: str) -> None:
    with pytest.raises(SpecError, match=message):
        ServiceSpec("svc", **fields)  # type: ignore[arg-type]


@pytest.mark.parametrize("name", ["", "a b", "../x", "a/b", "\x00"])
def test_bad_names_are_refused(name: str) -> None:
    with pytest.raises(SpecError):
        ServiceSpec(name, module="m")


def test_toml_overrides_defaults_then_per_service(tmp_path: Path) -> None:
    path = tmp_path / "services.toml"
    path.write_text(
        "[defaults]\nmax_restarts = 9\n\n"
        "[services.forecaster]\nreplicas = 2\nenv = { EXTRA = 'yes' }\n"
        "preload = ['prophet', 'numpy']\n"
        "[services.nosuch]\nreplicas = 3\n",
        encoding="utf-8",
    )
    specs = {s.name: s for s in load_overrides(default_specs(), path)}
    assert specs["forecaster"].replicas == 2
    assert specs["forecaster"].env == {"EXTRA": "yes"}
    assert specs["forecaster"].preload == ("prophet", "numpy")
    assert specs["categorizer"].replicas == 1
    assert {s.max_restarts for s in specs.values()} == {9}
    assert "nosuch" not in specs


def test_env_overrides_merge_with_the_specs_env() -> None:
    spec = ServiceSpec("svc", module="m", env={"A": "1", "B": "2"})
    [merged] = apply_overrides([spec], {"services": {"svc": {"env": {"B": "3"}}}})
    assert merged.env == {"A": "1", "B": "3"}


def test_missing_file_changes_nothing(tmp_path: Path) -> None:
    specs = default_specs()
    assert load_overrides(specs, tmp_path / "absent.toml") == specs


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"[services.forecaster\nreplicas = 2", "not valid TOML"),
        (b"\xff\xfe\x00garbage", "not UTF-8"),
        (b"\x00\x01\x02binary", "not valid TOML"),
        (b"[services.forecaster]\nreplicas = 'two'\n", "replicas must be an integer"),
        (b"[services.forecaster]\nreplicaz = 2\n", "unknown key"),
        (b"[servicez]\n", "unknown section"),
        (b"services = 3\n", "must be a table"),
        (b"[services]\nforecaster = 3\n", "must be a table"),
        (b"[services.forecaster]\nname = 'other'\n", "unknown key"),
        (b"[services.forecaster]\nheartbeat_s = -1.0\n", "heartbeat_s"),
    ],
)
def test_hostile_toml_gets_one_clear_error(tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "services.toml"
    path.write_bytes(content)
    with pytest.raises(SpecError, match=message):
        load_overrides(default_specs(), path)


def test_huge_toml_is_handled(tmp_path: Path) -> None:
    path = tmp_path / "services.toml"
    path.write_text("[defaults]\n" + "# padding\n" * 200_000 + "replicas = 2\n", encoding="utf-8")
    assert {s.replicas for s in load_overrides(default_specs(), path)} == {2}


def test_config_paths_follow_fincast_home(_private_app_dirs: Path) -> None:
    assert hub_config.services_toml() == _private_app_dirs / "config" / "services.toml"
    assert hub_config.log_dir() == _private_app_dirs / "logs"


def test_runtime_dir_is_private(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(tmp_path))
    path = hub_config.make_runtime_dir()
    try:
        assert path.parent == tmp_path
        assert stat.S_IMODE(path.stat().st_mode) == 0o700
    finally:
        shutil.rmtree(path)
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(tmp_path / "absent"))
    path = hub_config.make_runtime_dir()
    try:
        assert stat.S_IMODE(path.stat().st_mode) == 0o700
    finally:
        shutil.rmtree(path)


def test_runtime_dirs_of_dead_hubs_are_swept(tmp_path: Path) -> None:
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait(10)
    stale = tmp_path / "fincast-hub-stale"
    live = tmp_path / "fincast-hub-live"
    unknown = tmp_path / "fincast-hub-nopid"
    garbage = tmp_path / "fincast-hub-garbage"
    for path in (stale, live, unknown, garbage):
        path.mkdir(mode=0o700)
    (stale / "owner.pid").write_text(str(dead.pid))
    (stale / "hub.sock").write_bytes(b"")
    (live / "owner.pid").write_text(str(os.getpid()))
    (garbage / "owner.pid").write_bytes(b"\xff\x00 not a pid")
    (tmp_path / "fincast-hub-file").write_text("a file, not a directory")
    other = tmp_path / "someone-else"
    other.mkdir()
    (other / "owner.pid").write_text(str(dead.pid))
    assert hub_config.sweep_runtime_dirs(tmp_path) == [stale]
    assert not stale.exists()
    assert live.exists() and unknown.exists() and garbage.exists() and other.exists()
    assert hub_config.sweep_runtime_dirs(tmp_path / "absent") == []


def test_a_new_runtime_dir_records_its_owner(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(tmp_path))
    path = hub_config.make_runtime_dir()
    assert (path / "owner.pid").read_text() == str(os.getpid())
    assert hub_config.sweep_runtime_dirs(tmp_path) == []  # we are alive
