"""An event-loop watchdog: a short repeating timer whose lateness is recorded, so tests and the
benchmark can show how long the GUI thread was ever kept from its event loop; and a stall sampler,
a plain thread that, while that timer is late, captures the GUI thread's stack (and the other
threads', to see who held the GIL) so a stall can be traced to the code that caused it, and
accounts where the stall's time went (Linux schedstat: the GUI thread running, waiting for a CPU
the OS gave to others, or asleep on the GIL or a lock).

A stall of the main thread delays the next timeout by the stall's length. Recording only; it must
never act on what it sees, and the sampler must stay cheap (it takes the GIL to read stacks, so a
costly sampler would cause the stalls it reports).
"""

from __future__ import annotations

import contextlib
import faulthandler
import gc
import os
import re
import tempfile
import threading
import time
from collections import Counter, deque
from dataclasses import dataclass, field
from typing import Any

from PySide6.QtCore import QObject, Qt, QTimer

INTERVAL_MS = 5
STALL_MS = 30.0  # the sampler's threshold: lateness beyond this is a stall worth a stack
SAMPLE_EVERY_MS = 10.0  # stacks, while a stall lasts
POLL_MS = 5.0  # how often the sampler looks at the recorder (and the GUI thread's CPU time)

Frame = tuple[str, int, str]  # (file, line, function), innermost last
ROOTS = ("desktop/", "data/", "supervisor/")  # our code, for naming where a stall happened


class LagRecorder(QObject):
    """Records each gap between timer ticks beyond the interval; `worst_ms` is the longest stall."""

    def __init__(self, interval_ms: int = INTERVAL_MS, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.interval_ms = interval_ms
        self.lags_ms: list[float] = []
        self.last_tick = 0.0  # perf_counter of the last tick (read by StallSampler's thread)
        self._timer = QTimer(self)
        self._timer.setTimerType(Qt.TimerType.PreciseTimer)
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self._tick)

    def start(self) -> None:
        """Begin recording (clears what was recorded)."""
        self.lags_ms.clear()
        self.last_tick = time.perf_counter()
        self._timer.start()

    def stop(self) -> None:
        """Stop recording."""
        self._timer.stop()

    def _tick(self) -> None:
        now = time.perf_counter()
        self.lags_ms.append(max(0.0, (now - self.last_tick) * 1000 - self.interval_ms))
        self.last_tick = now

    @property
    def worst_ms(self) -> float:
        """The longest stall seen (0 when nothing was recorded)."""
        return max(self.lags_ms, default=0.0)

    def percentile_ms(self, q: float) -> float:
        """The q-th percentile (0-100) of the recorded lags."""
        return percentile(self.lags_ms, q)


def percentile(values: list[float], q: float) -> float:
    """The q-th percentile (0-100) of `values`, nearest rank; 0 for none."""
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q / 100 * len(ordered)))]


@dataclass
class Sample:
    """The threads' stacks at one moment of a stall."""

    at_ms: float  # how late the loop was then
    main: list[Frame]
    others: dict[str, list[Frame]]  # thread name -> stack, threads not in an idle wait


@dataclass
class Stall:
    """One stretch when the event loop was late by more than the threshold, and where the time
    went: the GUI thread running (Qt or Python work), runnable but kept off a CPU by the OS, or
    asleep (waiting for the GIL or a lock); which other threads ran; and cyclic GC inside it."""

    began: float  # perf_counter of the last tick before it
    length_ms: float = 0.0  # filled in when the loop turned again
    samples: list[Sample] = field(default_factory=list)
    main_run_ms: float = 0.0
    main_queued_ms: float = 0.0
    others_run_ms: dict[str, float] = field(default_factory=dict)
    gc_ms: float = 0.0
    _before: dict[int, tuple[int, int]] = field(default_factory=dict, repr=False)

    @property
    def main_asleep_ms(self) -> float:
        """The stall's time the GUI thread neither ran nor waited for a CPU: GIL or lock waits."""
        return max(0.0, self.length_ms - self.main_run_ms - self.main_queued_ms)

    def culprit(self, roots: tuple[str, ...]) -> str:
        """Where the GUI thread was (its innermost frame under `roots`), in most samples."""
        spots = Counter(_innermost(s.main, roots) for s in self.samples)
        return spots.most_common(1)[0][0] if spots else "?"

    def cause(self) -> str:
        """The largest share of the stall: "running", "cpu queue" or "asleep" (GIL / lock)."""
        shares = {
            "running": self.main_run_ms,
            "cpu queue": self.main_queued_ms,
            "asleep": self.main_asleep_ms,
        }
        return max(shares, key=lambda k: shares[k])


def _innermost(stack: list[Frame], roots: tuple[str, ...]) -> str:
    for file, line, name in reversed(stack):
        if any(r in file for r in roots):
            return f"{_short(file)}:{line} {name}"
    file, line, name = stack[-1] if stack else ("?", 0, "?")
    return f"{_short(file)}:{line} {name}"


def _short(file: str) -> str:
    for marker in ("/site-packages/", "/work/main/", "/lib/python3"):
        if marker in file:
            return file.split(marker, 1)[1]
    return file


_THREAD = re.compile(r"^(?:Current thread|Thread) (0x[0-9a-f]+)")
_FRAME = re.compile(r'^  File "(.*)", line (\d+) in (.*)$')


def parse_dump(text: str) -> dict[int, list[Frame]]:
    """faulthandler's all-threads dump as {thread ident: stack, innermost last}."""
    stacks: dict[int, list[Frame]] = {}
    current: list[Frame] | None = None
    for line in text.splitlines():
        head = _THREAD.match(line)
        if head:
            current = stacks.setdefault(int(head.group(1), 16), [])
            continue
        frame = _FRAME.match(line)
        if frame and current is not None:
            current.append((frame.group(1), int(frame.group(2)), frame.group(3)))
    for stack in stacks.values():
        stack.reverse()
    return stacks


def _schedstat(tid: int) -> tuple[int, int] | None:
    """(ns on a CPU, ns runnable but waiting for one) of thread `tid`; None where unknown."""
    try:
        with open(f"/proc/self/task/{tid}/schedstat", "rb") as f:
            run, queued, _ = f.read().split()
        return int(run), int(queued)
    except (OSError, ValueError):
        return None


def _tasks() -> list[int]:
    try:
        return [int(t) for t in os.listdir("/proc/self/task")]
    except OSError:
        return []


def _comm(tid: int) -> str:
    try:
        with open(f"/proc/self/task/{tid}/comm", encoding="utf-8") as f:
            return f.read().strip()
    except OSError:
        return str(tid)


# Where a thread that is not running Python waits: its innermost frame is one of these.
_IDLE = ("wait", "_wait_for_tstate_lock", "select", "poll", "get", "_worker", "recv", "accept")


class StallSampler(threading.Thread):
    """Watches a LagRecorder from a thread of its own; while the GUI thread is more than
    `stall_ms` late, samples every thread's stack every `every_ms`, and accounts the stall's time
    (Linux schedstat: GUI thread running / queued for a CPU / asleep; CPU of every other thread;
    cyclic GC). `stalls` holds what it saw; `report()` sums it up."""

    def __init__(
        self,
        recorder: LagRecorder,
        stall_ms: float = STALL_MS,
        every_ms: float = SAMPLE_EVERY_MS,
        max_stalls: int = 500,
    ) -> None:
        super().__init__(name="stall-sampler", daemon=True)
        self.recorder = recorder
        self.stall_ms = stall_ms
        self.every_ms = every_ms
        self.max_stalls = max_stalls
        self.stalls: list[Stall] = []
        self.gc_spans: list[tuple[float, float, int]] = []  # (start, end, generation)
        self._gc_start = 0.0
        main = threading.main_thread()
        self._main = main.ident
        self._main_tid = main.native_id or 0
        self._me_tid = 0
        self._halt = threading.Event()
        self._dump = tempfile.TemporaryFile()  # noqa: SIM115 (lives as long as the sampler)

    # -- cyclic GC, timed from gc.callbacks (runs on whichever thread collects) ------------------
    def _gc(self, phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            self._gc_start = time.perf_counter()
        elif self._gc_start:
            self.gc_spans.append((self._gc_start, time.perf_counter(), info["generation"]))
            del self.gc_spans[:-10_000]

    def start(self) -> None:
        """Start sampling (and timing cyclic GC)."""
        gc.callbacks.append(self._gc)
        super().start()

    def halt(self) -> None:
        """Stop sampling and wait for the thread."""
        self._halt.set()
        if self.is_alive():
            self.join(5)
        with contextlib.suppress(ValueError):
            gc.callbacks.remove(self._gc)
        self._dump.close()

    def run(self) -> None:
        """Poll the recorder's last tick; sample while it is late."""
        self._me_tid = threading.get_native_id()
        current: Stall | None = None
        interval_s = self.recorder.interval_ms / 1000
        # The GUI thread's schedstat at recent polls, so a stall's accounting starts at the poll
        # just before its last tick, not at the moment it was noticed (30 ms into it).
        history: deque[tuple[float, tuple[int, int]]] = deque(maxlen=16)
        polls = 0
        while not self._halt.wait(POLL_MS / 1000):
            polls += 1
            now = time.perf_counter()
            stat = _schedstat(self._main_tid)
            if stat is not None:
                history.append((now, stat))
            last = self.recorder.last_tick
            late_ms = (now - last - interval_s) * 1000
            if current is not None and last != current.began:
                self._close(current, last, interval_s)
                current = None
            if late_ms <= self.stall_ms:
                continue
            if current is None:
                if len(self.stalls) >= self.max_stalls:
                    continue
                current = Stall(began=last)
                current._before = self._cpu()
                before = [st for t, st in history if t <= last]
                if before:
                    current._before[self._main_tid] = before[-1]
                self.stalls.append(current)
                polls = 0
            if polls % max(1, round(self.every_ms / POLL_MS)) == 0:
                current.samples.append(self._sample(late_ms))

    def _cpu(self) -> dict[int, tuple[int, int]]:
        out = {}
        for tid in _tasks():
            if tid != self._me_tid:
                stat = _schedstat(tid)
                if stat is not None:
                    out[tid] = stat
        return out

    def _close(self, stall: Stall, last: float, interval_s: float) -> None:
        stall.length_ms = (last - stall.began - interval_s) * 1000
        after = self._cpu()
        names = {t.native_id: t.name for t in threading.enumerate()}
        for tid, (run, queued) in after.items():
            before = stall._before.get(tid)
            if before is None:
                continue
            ran_ms = (run - before[0]) / 1e6
            if tid == self._main_tid:
                stall.main_run_ms = ran_ms
                stall.main_queued_ms = (queued - before[1]) / 1e6
            elif ran_ms >= 1.0:
                stall.others_run_ms[names.get(tid) or _comm(tid)] = ran_ms
        stall._before = {}
        for start, end, _gen in reversed(self.gc_spans):
            if end < stall.began:
                break
            stall.gc_ms += max(0.0, min(end, last) - max(start, stall.began)) * 1000

    def _sample(self, late_ms: float) -> Sample:
        # faulthandler reads every thread's frames in C: walking another thread's live frames
        # from Python (sys._current_frames() and f_back) crashed CPython 3.11 here.
        self._dump.seek(0)
        self._dump.truncate()
        faulthandler.dump_traceback(self._dump, all_threads=True)
        self._dump.flush()
        self._dump.seek(0)
        stacks = parse_dump(self._dump.read().decode("utf-8", "replace"))
        names = {t.ident: t.name for t in threading.enumerate()}
        me = threading.get_ident()
        main = stacks.get(self._main or 0, [])
        others = {}
        for ident, stack in stacks.items():
            if ident in (self._main, me) or not stack or stack[-1][2] in _IDLE:
                continue
            others[names.get(ident, hex(ident))] = stack
        return Sample(late_ms, main, others)

    # -- summing up ----------------------------------------------------------------------------
    def finished(self) -> list[Stall]:
        """The stalls that ended while sampling, longest first."""
        done = [s for s in self.stalls if s.length_ms > 0 and s.samples]
        return sorted(done, key=lambda s: -s.length_ms)

    def figures(self) -> dict[str, Any]:
        """The stalls' accounting as plain numbers (for a benchmark's JSON)."""
        done = self.finished()
        total = sum(s.length_ms for s in done)
        run = sum(s.main_run_ms for s in done)
        queued = sum(s.main_queued_ms for s in done)
        worst_run = max(done, key=lambda s: s.main_run_ms, default=None)
        return {
            "stalls": len(done),
            "stall_ms": round(total, 1),
            "gui_ran_ms": round(run, 1),
            "gui_queued_for_cpu_ms": round(queued, 1),
            "gui_asleep_ms": round(max(0.0, total - run - queued), 1),
            "gc_ms": round(sum(s.gc_ms for s in done), 1),
            "worst_gui_run_ms": round(worst_run.main_run_ms, 1) if worst_run else 0.0,
            "worst_gui_run_at": worst_run.culprit(ROOTS) if worst_run else None,
        }

    @property
    def worst_run_ms(self) -> float:
        """The most CPU the GUI thread spent inside one stall: the app's own blocking work,
        whatever else the machine was doing (Linux; 0 where schedstat is missing)."""
        return max((s.main_run_ms for s in self.finished()), default=0.0)

    def report(self, roots: tuple[str, ...] = ROOTS, top: int = 8) -> str:
        """Where the stalls' time went, where the GUI thread was, and the longest ones."""
        done = self.finished()
        if not done:
            return f"no stall over {self.stall_ms:g} ms"
        total = sum(s.length_ms for s in done)
        run = sum(s.main_run_ms for s in done)
        queued = sum(s.main_queued_ms for s in done)
        gc_ms = sum(s.gc_ms for s in done)
        others: dict[str, float] = {}
        for s in done:
            for name, ms in s.others_run_ms.items():
                others[_family(name)] = others.get(_family(name), 0.0) + ms
        busiest = sorted(others.items(), key=lambda kv: -kv[1])[:6]
        lines = [
            f"{len(done)} stalls over {self.stall_ms:g} ms, {total:.0f} ms in all: the GUI thread "
            f"ran {run:.0f} ms, waited for a CPU {queued:.0f} ms, slept (GIL/locks) "
            f"{max(0.0, total - run - queued):.0f} ms; cyclic GC inside them {gc_ms:.0f} ms",
            "  other threads' CPU inside them: "
            + ", ".join(f"{n} {ms:.0f} ms" for n, ms in busiest),
            f"  the most the GUI thread itself ran inside one stall: {self.worst_run_ms:.1f} ms",
            "  by cause: "
            + ", ".join(f"{c} {n}" for c, n in Counter(s.cause() for s in done).most_common()),
            "  where the GUI thread was:",
        ]
        by_spot: Counter[str] = Counter()
        worst_by_spot: dict[str, float] = {}
        for s in done:
            spot = s.culprit(roots)
            by_spot[spot] += 1
            worst_by_spot[spot] = max(worst_by_spot.get(spot, 0.0), s.length_ms)
        for spot, n in by_spot.most_common(top):
            lines.append(f"  {n:4d} x  worst {worst_by_spot[spot]:7.1f} ms  {spot}")
        for s in done[: min(top, 5)]:
            lines.append(
                f"-- stall {s.length_ms:.1f} ms ({len(s.samples)} samples): GUI thread ran "
                f"{s.main_run_ms:.0f}, queued {s.main_queued_ms:.0f}, asleep "
                f"{s.main_asleep_ms:.0f} ms; GC {s.gc_ms:.0f} ms; others ran "
                + ", ".join(f"{n} {ms:.0f}" for n, ms in sorted(s.others_run_ms.items()))
            )
            sample = s.samples[len(s.samples) // 2]
            for file, line, name in sample.main[-6:]:
                lines.append(f"     main  {_short(file)}:{line} {name}")
            for thread, stack in sample.others.items():
                ours = [f for f in stack if any(r in f[0] for r in roots)] or stack[-2:]
                where = " <- ".join(f"{_short(f)}:{ln} {n}" for f, ln, n in reversed(ours[-3:]))
                lines.append(f"     {thread}: {where}")
        return "\n".join(lines)


def _family(name: str) -> str:
    """A thread's name without its per-instance suffix (reap-1234 -> reap)."""
    return re.sub(r"[-_]?\d+$", "", name)
