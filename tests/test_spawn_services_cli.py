"""`fincast services`: real hub, real sidecars (the chaos sidecar stands in for every model via
services.toml), real processes gone afterwards."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest

from sidecars import protocol
from tests.helpers.fake_hub import CHAOS, REPO

DEFAULT_SERVICES = {"categorizer", "forecaster", "insights", "advisor"}


def _configure(home: Path, extra: str = "") -> None:
    config = home / "config"
    config.mkdir(parents=True, exist_ok=True)
    (config / "services.toml").write_text(
        f'[defaults]\nmodule = "{CHAOS}"\npreload = []\nenv = {{ PYTHONPATH = "{REPO}" }}\n{extra}'
    )


def _fincast(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", "import sys; from desktop.cli import main; sys.exit(main())", *args],
        check=False,
        capture_output=True,
        text=True,
        timeout=180,
        cwd=REPO,
        env={**os.environ, "PYTHONPATH": str(REPO)},
    )


def _all_gone(pids: list[int], timeout: float = 10.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        alive = []
        for pid in pids:
            try:
                if psutil.Process(pid).status() != psutil.STATUS_ZOMBIE:
                    alive.append(pid)
            except psutil.NoSuchProcess:
                pass
        if not alive:
            return True
        time.sleep(0.05)
    return False


def test_services_json_reports_every_default_service_ready_then_stops_them(
    _private_app_dirs: Path,
) -> None:
    _configure(_private_app_dirs)
    done = _fincast("services", "--json", "--timeout", "60")
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["ready"] is True
    rows = report["services"]
    assert {r["service"] for r in rows} == DEFAULT_SERVICES
    for row in rows:
        assert row["state"] == "ready"
        assert isinstance(row["pid"], int)
        assert "echo" in row["methods"] and "describe" in row["methods"]
    assert _all_gone([r["pid"] for r in rows])


def test_services_table_names_each_service_and_a_failing_one(_private_app_dirs: Path) -> None:
    # advisor exits with the config-error code: not restarted, reported, the others serve.
    _configure(
        _private_app_dirs,
        f'[services.advisor]\nenv = {{ CHAOS_EXIT_AT_START = "{protocol.EXIT_CONFIG}" }}\n',
    )
    done = _fincast("services", "--timeout", "60")
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    for name in DEFAULT_SERVICES - {"advisor"}:
        assert any(line.startswith(name) and " ready " in line for line in lines), done.stdout
    advisor = next(line for line in lines if line.startswith("advisor"))
    assert " ready " not in advisor
    assert f"last exit {protocol.EXIT_CONFIG}" in advisor
    assert "3 of 4 services ready" in lines[-1]


@pytest.mark.parametrize("timeout", ["-1", "0", "99999", "soon"])
def test_a_bad_timeout_is_one_clear_line(timeout: str) -> None:
    done = _fincast("services", "--timeout", timeout)
    assert done.returncode == 1
    assert len(done.stderr.strip().splitlines()) == 1
    assert "Traceback" not in done.stderr
