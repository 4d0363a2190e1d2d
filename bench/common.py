"""Small helpers the benchmark programs share: machine facts, medians, timing a child process
with its peak memory, and writing bench/results/<name>.json. Never asserts on time."""

from __future__ import annotations

import json
import os
import platform
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

RESULTS = Path(__file__).resolve().parent / "results"


def machine_info() -> dict[str, Any]:
    """Where the figures were taken: CPU count, load, Python and SQLite versions."""
    return {
        "python": sys.version.split()[0],
        "sqlite": sqlite3.sqlite_version,
        "platform": platform.platform(),
        "cpus": os.cpu_count(),
        "load_average_at_start": list(os.getloadavg()) if hasattr(os, "getloadavg") else None,
        "taken": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }


def median(values: Sequence[float]) -> float:
    """The median of `values`."""
    return float(statistics.median(values))


def write_result(name: str, data: dict[str, Any], out: Path | None = None) -> Path:
    """Write bench/results/<name>.json (or `out`, a benchmark's --out) and return its path."""
    if out is None:
        RESULTS.mkdir(parents=True, exist_ok=True)
        out = RESULTS / f"{name}.json"
    out.write_text(json.dumps(data, indent=2, sort_keys=True) + "\n")
    return out


def run_child(argv: Sequence[str], *, env: dict[str, str] | None = None) -> dict[str, Any]:
    """Run a child process to the end: wall seconds, its own peak RSS in MB (from wait4, so
    other processes never count), exit code, stdout and stderr."""
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        start = time.perf_counter()
        proc = subprocess.Popen(list(argv), stdout=out, stderr=err, env=env, text=True)
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read(), err.read()
    scale = 1 if sys.platform == "darwin" else 1024  # ru_maxrss: KiB on Linux, bytes on macOS
    return {
        "seconds": seconds,
        "peak_rss_mb": usage.ru_maxrss * scale / 1e6,
        "cpu_seconds": usage.ru_utime + usage.ru_stime,
        "returncode": proc.returncode,
        "stdout": stdout,
        "stderr": stderr,
    }
