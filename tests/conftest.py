"""Fixtures every test shares: no test touches the user's real data directory, and the shared
samples are read in place (tests that need them skip when ../shared is absent)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

REPO = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("FINCAST_SHARED", REPO.parent / "shared"))
BANK_CSV = SHARED / "samples" / "bank-csv"
LABELED = SHARED / "samples" / "labeled"

# `make fuzz` picks a longer profile; the default keeps `make test` quick on two cores.
settings.register_profile("default", max_examples=60, deadline=None)
settings.register_profile(
    "short", max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile(
    "long", max_examples=5000, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))


@pytest.fixture(autouse=True)
def _private_app_dirs(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Path]:
    """Point the app's data/config/runtime directories at a fresh temp folder for every test."""
    home = tmp_path_factory.mktemp("fincast-home")
    monkeypatch.setenv("FINCAST_HOME", str(home))
    # The importer reads the date order from the locale when a file cannot tell: pin a locale that
    # says nothing, so a test's outcome never depends on the machine's LANG (tests set their own).
    for name in ("LC_ALL", "LC_TIME"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("LANG", "C.UTF-8")
    yield home


@pytest.fixture
def bank_csv_dir() -> Path:
    if not BANK_CSV.is_dir():
        pytest.skip("../shared/samples/bank-csv is absent")
    return BANK_CSV


@pytest.fixture
def labeled_dir() -> Path:
    if not LABELED.is_dir():
        pytest.skip("../shared/samples/labeled is absent")
    return LABELED
