"""How many rows a request to a model service may carry: the wire refuses a frame over
sidecars.protocol.MAX_FRAME (16 MiB), and a request refused for its size fails every time, so
the pages that send a ledger's rows keep the newest within a budget below it."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TypeVar

T = TypeVar("T")

REQUEST_BUDGET = 12 * 1024 * 1024
ROW_OVERHEAD = 120  # the keys, id, date, amount and currency of one row on the wire, roughly


def row_size(*texts: str | None) -> int:
    """Roughly the bytes one row with these texts takes in a request."""
    return ROW_OVERHEAD + sum(len(t.encode()) for t in texts if t)


def newest_within(sized: Iterable[tuple[T, int]], budget: int = REQUEST_BUDGET) -> list[T]:
    """The rows of `sized` (newest first, each with its size) that fit `budget` bytes together,
    oldest first: what a request carries of a ledger too big for one frame."""
    kept: list[T] = []
    total = 0
    for row, size in sized:
        total += size
        if total > budget:
            break
        kept.append(row)
    kept.reverse()
    return kept
