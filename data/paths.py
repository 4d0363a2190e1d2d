"""Where the app keeps its files: platformdirs by default, all under $FINCAST_HOME when it is set
(tests and demos set it so that nothing touches the user's real data directory)."""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

APP = "Fincast"


def _root(kind: str) -> Path | None:
    home = os.environ.get("FINCAST_HOME")
    return Path(home) / kind if home else None


def data_dir() -> Path:
    """Ledger and model stores."""
    return _root("data") or Path(platformdirs.user_data_dir(APP, appauthor=False))


def config_dir() -> Path:
    """User settings, such as service overrides in services.toml."""
    return _root("config") or Path(platformdirs.user_config_dir(APP, appauthor=False))


def log_dir() -> Path:
    """Per-service log files."""
    return _root("logs") or Path(platformdirs.user_log_dir(APP, appauthor=False))


def default_ledger() -> Path:
    """The ledger `fincast` opens when no --db is given."""
    return data_dir() / "ledger.sqlite"


def model_dir(model: str) -> Path:
    """A model's versioned store; sidecars load model files only from here."""
    return data_dir() / "models" / model
