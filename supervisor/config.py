"""Where the hub keeps its files: config (services.toml), logs and the private runtime directory.

The same rules as data.paths (``$FINCAST_HOME`` redirects everything, else platformdirs), written
again here because the supervisor must never import ``data``. Never creates a world-readable runtime
directory.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import platformdirs

APP = "Fincast"


def _home(kind: str) -> Path | None:
    home = os.environ.get("FINCAST_HOME")
    return Path(home) / kind if home else None


def config_dir() -> Path:
    """Where services.toml lives."""
    return _home("config") or Path(platformdirs.user_config_dir(APP, appauthor=False))


def services_toml() -> Path:
    """The user's service overrides file."""
    return config_dir() / "services.toml"


def log_dir() -> Path:
    """Where per-service log files go."""
    return _home("logs") or Path(platformdirs.user_log_dir(APP, appauthor=False))


def make_runtime_dir() -> Path:
    """A fresh private (0700) directory for the hub's ipc endpoint; the caller removes it."""
    base = os.environ.get("XDG_RUNTIME_DIR")
    if not base or not os.path.isdir(base) or not os.access(base, os.W_OK | os.X_OK):
        base = None  # tempfile's default: $TMPDIR or /tmp
    # mkdtemp creates it 0700 atomically; the explicit chmod guards odd umasks and ACL mounts.
    path = Path(tempfile.mkdtemp(prefix="fincast-hub-", dir=base))
    path.chmod(0o700)
    return path
