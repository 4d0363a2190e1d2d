"""Streaming: a large statement is read with memory that does not grow with the file."""

from __future__ import annotations

import tracemalloc
from pathlib import Path

import pytest

from data.importer import ParsedRow, detect, iter_rows


def _write(path: Path, rows: int) -> None:
    with path.open("w", encoding="utf-8") as fh:
        fh.write("Date,Description,Amount,Balance\n")  # every timestamp distinct
        balance = 0
        for i in range(rows):
            amount = (i * 7919) % 100_000 - 50_000
            balance += amount
            day = f"2024-{i % 12 + 1:02d}-{i % 28 + 1:02d}"
            stamp = f"{day} {i % 24:02d}:{i % 60:02d}:{i // 60 % 60:02d}"
            fh.write(f"{stamp},Shop {i % 977},{amount / 100:.2f},")
            fh.write(f"{balance / 100:.2f}\n")


def _peak(path: Path) -> tuple[int, int]:
    """(rows read, peak traced memory in bytes) for one full pass over `path`."""
    tracemalloc.start()
    try:
        count = 0
        total = 0
        for item in iter_rows(detect(path)):
            assert isinstance(item, ParsedRow)
            count += 1
            total += item.amount
        return count, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


@pytest.mark.slow
def test_memory_does_not_grow_with_the_file(tmp_path: Path) -> None:
    small, large = tmp_path / "small.csv", tmp_path / "large.csv"
    _write(small, 10_000)
    _write(large, 100_000)
    small_rows, small_peak = _peak(small)
    large_rows, large_peak = _peak(large)
    assert (small_rows, large_rows) == (10_000, 100_000)
    # Ten times the rows, (almost) the same memory: rows are streamed, not collected.
    assert large_peak < 1.5 * small_peak + 1_000_000
    assert large_peak < 16 * 1024 * 1024  # the sniff window and bounded caches, nothing more
