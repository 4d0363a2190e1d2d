"""Log files of the sidecars, in one directory: what each service said, and what the hub saw.

Two files per service: ``<service>.log`` (the hub's lines: state changes, restarts, and the
sidecar's LOG messages; a RotatingFileHandler, written only by the hub) and
``<service>.<replica>.out`` (the child's raw stdout/stderr, written by the child itself and rotated
before each launch, since a running child's file descriptor cannot be rotated under it). This
module must never raise into the hub because a disk is full: such problems are reported.
"""

from __future__ import annotations

import contextlib
import logging
import logging.handlers
import os
from pathlib import Path

MAX_BYTES = 2 * 1024 * 1024
BACKUPS = 3

_log = logging.getLogger(__name__)


class ServiceLogs:
    """The log files of every service under one directory."""

    def __init__(self, directory: Path, max_bytes: int = MAX_BYTES, backups: int = BACKUPS) -> None:
        self.directory = directory
        self.max_bytes = max_bytes
        self.backups = backups
        self._loggers: dict[str, logging.Logger] = {}
        self._handlers: list[logging.Handler] = []
        with contextlib.suppress(OSError):
            directory.mkdir(parents=True, exist_ok=True)

    def write(self, service: str, line: str, level: int = logging.INFO) -> None:
        """Append one line to ``<service>.log``."""
        logger = self._loggers.get(service)
        if logger is None:
            logger = self._open(service)
        logger.log(level, "%s", line)

    def _open(self, service: str) -> logging.Logger:
        # A private Logger outside logging's registry: one per hub and service, closed with it.
        logger = logging.Logger(f"fincast.service.{service}")
        logger.propagate = False
        logger.setLevel(logging.DEBUG)
        try:
            handler: logging.Handler = logging.handlers.RotatingFileHandler(
                self.directory / f"{service}.log",
                maxBytes=self.max_bytes,
                backupCount=self.backups,
                encoding="utf-8",
            )
        except OSError as exc:
            _log.warning("cannot open the log file of %s: %s", service, exc)
            handler = logging.NullHandler()
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
        logger.addHandler(handler)
        self._handlers.append(handler)
        self._loggers[service] = logger
        return logger

    def output_path(self, service: str, replica: int) -> Path:
        """The file a replica's stdout/stderr go to; rotated here when it has grown too big."""
        path = self.directory / f"{service}.{replica}.out"
        with contextlib.suppress(OSError):
            if path.stat().st_size > self.max_bytes:
                for n in range(self.backups - 1, 0, -1):
                    older = path.with_name(f"{path.name}.{n}")
                    if older.exists():
                        os.replace(older, path.with_name(f"{path.name}.{n + 1}"))
                os.replace(path, path.with_name(f"{path.name}.1"))
        return path

    def close(self) -> None:
        """Close every file handler."""
        for handler in self._handlers:
            handler.close()
        for logger in self._loggers.values():
            for handler in list(logger.handlers):
                logger.removeHandler(handler)
        self._handlers.clear()
        self._loggers.clear()


def tail(path: Path, max_lines: int = 20, max_bytes: int = 16 * 1024) -> list[str]:
    """The last lines of a text file (at most ``max_bytes`` read), or [] if it cannot be read."""
    try:
        with path.open("rb") as f:
            f.seek(0, os.SEEK_END)
            size = f.tell()
            f.seek(max(0, size - max_bytes))
            data = f.read()
    except OSError:
        return []
    lines = data.decode("utf-8", errors="replace").splitlines()
    if size > max_bytes and lines:
        lines = lines[1:]  # the first line was cut in the middle
    return [line for line in lines if line.strip()][-max_lines:]
