"""Latency ring buffers, service counters, rotating service logs and the crash-tail reader."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from supervisor.logs import ServiceLogs, tail
from supervisor.metrics import LatencyWindow, ServiceMetrics


def test_percentiles_are_nearest_rank_in_milliseconds() -> None:
    window = LatencyWindow(size=1000)
    assert window.percentile_ms(50) is None
    for ms in range(1, 101):
        window.add(ms / 1000)
    assert window.percentile_ms(50) == 50.0
    assert window.percentile_ms(99) == 99.0
    assert window.percentile_ms(100) == 100.0


def test_the_ring_keeps_only_the_latest_values() -> None:
    window = LatencyWindow(size=10)
    for _ in range(10):
        window.add(1.0)
    for _ in range(10):
        window.add(0.001)
    assert len(window) == 10
    assert window.percentile_ms(99) == 1.0


def test_window_size_must_be_positive() -> None:
    with pytest.raises(ValueError, match="at least one"):
        LatencyWindow(size=0)


def test_service_metrics_snapshot() -> None:
    metrics = ServiceMetrics()
    metrics.count("requests", 3)
    metrics.count("ok")
    metrics.latency.add(0.002)
    snap = metrics.snapshot()
    assert snap["requests"] == 3 and snap["ok"] == 1
    assert snap["p50_ms"] == 2.0


def test_service_log_lines_are_written_and_rotated(tmp_path: Path) -> None:
    logs = ServiceLogs(tmp_path / "logs", max_bytes=2000, backups=2)
    try:
        for n in range(200):
            logs.write("echo", f"line {n}", logging.WARNING)
    finally:
        logs.close()
    files = sorted(p.name for p in (tmp_path / "logs").iterdir())
    assert files == ["echo.log", "echo.log.1", "echo.log.2"]
    assert "line 199" in (tmp_path / "logs" / "echo.log").read_text()
    assert "WARNING" in (tmp_path / "logs" / "echo.log").read_text()


def test_child_output_is_rotated_before_a_launch_when_too_big(tmp_path: Path) -> None:
    logs = ServiceLogs(tmp_path, max_bytes=100, backups=2)
    path = logs.output_path("svc", 0)
    path.write_text("first\n" * 50)
    assert logs.output_path("svc", 0) == path and not path.exists()
    path.write_text("second\n" * 50)
    logs.output_path("svc", 0)
    assert (tmp_path / "svc.0.out.2").read_text().startswith("first")
    assert (tmp_path / "svc.0.out.1").read_text().startswith("second")
    path.write_text("small\n")
    logs.output_path("svc", 0)
    assert path.read_text() == "small\n"


def test_tail_reads_the_last_lines_of_big_and_binary_files(tmp_path: Path) -> None:
    path = tmp_path / "out"
    path.write_bytes(b"".join(b"line %d\n" % n for n in range(100_000)) + b"\xff\xfe bad bytes\n")
    lines = tail(path, max_lines=3)
    assert lines[:2] == ["line 99998", "line 99999"]
    assert lines[2].endswith("bad bytes")
    assert tail(tmp_path / "absent") == []
    (tmp_path / "empty").write_bytes(b"")
    assert tail(tmp_path / "empty") == []


def test_unwritable_log_dir_does_not_raise(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    logs = ServiceLogs(blocker / "logs")
    logs.write("svc", "goes nowhere")  # reported through the module logger, never raised
    logs.write("svc", "twice")
    logs.close()
    assert blocker.read_text() == "not a directory"
    assert logs.output_path("svc", 0) == blocker / "logs" / "svc.0.out"
