"""Where the hub keeps its files: config (services.toml), logs and the private runtime directory.

The same rules as data.paths (``$FINCAST_HOME`` redirects everything, else platformdirs), written
again here because the supervisor must never import ``data``. Never creates a world-readable runtime
directory.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import platformdirs
import psutil

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


_PREFIX = "fincast-hub-"
_OWNER = "owner.pid"


def make_runtime_dir() -> Path:
    """A fresh private (0700) directory for the hub's ipc endpoint; the caller removes it.

    Directories left by hubs whose process died without stopping (SIGKILL, power loss) are
    removed first: each holds the pid of the process that made it.
    """
    base = os.environ.get("XDG_RUNTIME_DIR")
    if not base or not os.path.isdir(base) or not os.access(base, os.W_OK | os.X_OK):
        base = tempfile.gettempdir()
    sweep_runtime_dirs(Path(base))
    # mkdtemp creates it 0700 atomically; the explicit chmod guards odd umasks and ACL mounts.
    path = Path(tempfile.mkdtemp(prefix=_PREFIX, dir=base))
    path.chmod(0o700)
    (path / _OWNER).write_text(str(os.getpid()), encoding="ascii")
    return path


def sweep_runtime_dirs(base: Path) -> list[Path]:
    """Remove our runtime directories under ``base`` whose owning process is gone; list them."""
    removed: list[Path] = []
    uid = getattr(os, "getuid", lambda: None)()
    try:
        candidates = list(base.glob(f"{_PREFIX}*"))
    except OSError:
        return removed
    for path in candidates:
        try:
            if path.is_symlink() or (uid is not None and path.stat().st_uid != uid):
                continue
            pid = int((path / _OWNER).read_text(encoding="ascii").strip())
        except (OSError, ValueError):
            continue  # not ours, not finished being made, or from an older version: leave it
        if pid > 0 and not psutil.pid_exists(pid):
            shutil.rmtree(path, ignore_errors=True)
            removed.append(path)
    return removed
