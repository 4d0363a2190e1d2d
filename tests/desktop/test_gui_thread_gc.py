"""Cyclic garbage is collected on the GUI thread only while a window is open.

A worker lane that ran a collection destroyed a Qt object there and deadlocked with the GUI
thread (the lane waiting for the GIL inside ~QObject, the GUI thread waiting for Qt's lock).
"""

from __future__ import annotations

import gc
import threading
import weakref
from pathlib import Path
from typing import Any

from desktop import gui_thread_gc


class _Node:
    def __init__(self) -> None:
        self.me = self  # a cycle: only the cyclic collector frees it


def _make_garbage(refs: list[weakref.ref[_Node]], count: int) -> None:
    for i in range(count):
        node = _Node()
        if i % 1000 == 0:
            refs.append(weakref.ref(node))


def test_a_worker_thread_never_collects_and_the_gui_thread_does(
    qtbot: Any, make_window: Any, tmp_path: Path
) -> None:
    window = make_window(tmp_path / "ledger.db")
    assert not gc.isenabled()
    threads: list[int] = []

    def seen(phase: str, _info: dict[str, int]) -> None:
        if phase == "start":
            threads.append(threading.get_ident())

    refs: list[weakref.ref[_Node]] = []
    gc.callbacks.append(seen)
    try:
        # far past every generation's threshold: automatic collection would run on this thread
        worker = threading.Thread(target=_make_garbage, args=(refs, 200_000))
        worker.start()
        worker.join()
        assert threads == []
        assert refs and all(ref() is not None for ref in refs)  # garbage, not yet collected
        qtbot.waitUntil(lambda: all(ref() is None for ref in refs), timeout=10_000)
    finally:
        gc.callbacks.remove(seen)
    assert threads and set(threads) == {threading.main_thread().ident}
    window.close()
    assert gc.isenabled()


def test_collect_due_collects_by_the_thresholds() -> None:
    refs: list[weakref.ref[_Node]] = []
    gc.disable()
    try:
        gc.collect()
        assert gui_thread_gc.collect_due() == 0  # nothing allocated past the threshold yet
        _make_garbage(refs, gc.get_threshold()[0] * 3)
        assert gui_thread_gc.collect_due() >= len(refs)
        assert all(ref() is None for ref in refs)
    finally:
        gc.enable()


def test_a_pause_holds_collection_off_until_the_last_one_ends() -> None:
    assert gc.isenabled()
    with gui_thread_gc.paused():
        with gui_thread_gc.paused():
            assert not gc.isenabled()
        assert not gc.isenabled()
        refs: list[weakref.ref[_Node]] = []
        _make_garbage(refs, gc.get_threshold()[0] * 3)
        assert gui_thread_gc.collect_due() == 0  # paused: the GUI-thread timer waits too
    assert gc.isenabled()
