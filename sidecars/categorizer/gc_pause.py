"""Pausing Python's cyclic garbage collector while a prediction or a training runs.

A 10k-row request allocates ~100k dicts, tuples and strings, none of them in reference cycles
(reference counting frees them all), yet the allocation bursts trigger collections that walk every
live object: measured 20-40% of a request's CPU in a process with a large heap. Nested and
concurrent pauses are counted, collection resumes when the last one ends, and a pause never turns
collection on if something else had turned it off. Must never be held across waiting on anything.
"""

from __future__ import annotations

import contextlib
import gc
import threading
from collections.abc import Iterator


class _GcPause:
    """Counts the requests running, so collection resumes only when the last one ends."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.running = 0
        self.was_enabled = False


_gc_pause = _GcPause()


@contextlib.contextmanager
def gc_paused() -> Iterator[None]:
    """No cyclic garbage collection while a request runs (nested and concurrent uses count).

    A 10k-row request allocates ~100k dicts, tuples and strings, none of them in cycles (reference
    counting frees them all); each allocation burst still triggers collections that walk every
    live object, which measured 20-40% of a request's CPU. Collection resumes when the last
    request ends, and anything cyclic is collected then."""
    state = _gc_pause
    with state.lock:
        if state.running == 0:
            state.was_enabled = gc.isenabled()
            gc.disable()
        state.running += 1
    try:
        yield
    finally:
        with state.lock:
            state.running -= 1
            if state.running == 0 and state.was_enabled:
                gc.enable()
