"""Python's cyclic garbage collector, run on the GUI thread only, while a window is open.

Why: CPython collects on whichever thread happens to allocate when a generation's threshold trips.
When that is a worker lane and the garbage holds a Qt wrapper in a reference cycle, QObject's
destructor runs on the lane: it takes Qt's signal-slot lock and then waits for the GIL (shiboken
looks for a Python override), while the GUI thread, holding the GIL, waits for that same lock in
a connect(). The window froze for good in `make test` this way: the pager lane in
gc_collect_main -> ~QObject -> GilState::acquire, the GUI thread in QChart.addAxis ->
QObject::connectImpl -> QBasicMutex::lockInternal.

The cure is pyqtgraph's (pyqtgraph.util.garbage_collector): automatic collection off, and a timer
on the GUI thread (the window's) that collects each generation that is due, by the collector's own
thresholds. Refcounting still frees everything that is not in a cycle, on any thread, at once.
No Qt here: import jobs on worker lanes use paused() too.
"""

from __future__ import annotations

import contextlib
import gc
import threading
from collections.abc import Iterator

# How often the GUI thread looks at the collector's counts. A young-generation collection costs
# well under a millisecond; between looks, cyclic garbage waits (refcounted garbage does not).
INTERVAL_MS = 500


class _State:
    """Who needs automatic collection off: open windows' collectors and running imports."""

    lock = threading.Lock()
    collectors = 0
    pauses = 0


def _apply() -> None:
    """Automatic collection is on only when no collector runs and no import holds it off."""
    if _State.collectors or _State.pauses:
        gc.disable()
    else:
        gc.enable()


def collect_due() -> int:
    """Collect the generations whose thresholds are passed, youngest first, as CPython would;
    returns how many unreachable objects were found. Call on the GUI thread."""
    if _State.pauses:
        return 0
    first, second, third = gc.get_threshold()
    young, middle, old = gc.get_count()
    found = 0
    if young > first:
        found += gc.collect(0)
        if middle > second:
            found += gc.collect(1)
            if old > third:
                found += gc.collect(2)
    return found


def take_over() -> None:
    """Turn automatic collection off: from now on the caller's thread (the GUI thread) calls
    collect_due() from a timer, every INTERVAL_MS. Pair with hand_back()."""
    with _State.lock:
        _State.collectors += 1
        _apply()


def hand_back() -> None:
    """Undo one take_over(); automatic collection resumes once no window collects and no
    import holds it off."""
    with _State.lock:
        _State.collectors = max(0, _State.collectors - 1)
        _apply()


@contextlib.contextmanager
def paused() -> Iterator[None]:
    """Hold off cyclic collection (automatic or from a GUI-thread collector) while a big job runs.

    An import creates hundreds of thousands of short-lived objects; a full collection among them
    took ~120 ms here, holding the GIL, and the GUI thread stalled that long. Refcounting still
    frees everything; collection resumes (cheaply, the objects gone) when the last job ends.
    """
    with _State.lock:
        _State.pauses += 1
        _apply()
    try:
        yield
    finally:
        with _State.lock:
            _State.pauses -= 1
            _apply()
