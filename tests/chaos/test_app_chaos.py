"""The whole app under chaos: the real window (offscreen), the real hub and its default model
sidecars (categorizer, forecaster, insights, advisor), a real ledger. For FINCAST_CHAOS_SECONDS
(default 120) the test imports generated statements through the import wizard, corrects
categories through the Transactions page (inline and bulk edits, undo) and asks the Forecast page
for forecasts, while every second a random sidecar replica is SIGKILLed or SIGSTOPped.

Afterwards: every imported transaction is stored exactly once (per file and per account, against
what the generated files hold); every categorization was applied once and none overwrote a user's
choice; no row is left pending; stopped replicas were found hung and replaced; every service is
ready again; the main thread's stalls are printed, traced (StallSampler) and bounded (see
STALL_TARGET_MS and STALL_LIMIT_MS); and no process of ours is left after the window closes, nor
after the app's process is SIGKILLed.

Run with `make chaos` (pytest -s to see the figures). Every wait has a deadline.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import random
import select
import signal
import subprocess
import sys
import threading
import time
import traceback
import uuid
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from concurrent.futures import Future
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psutil
import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
pytest.importorskip("PySide6")

import _statements as gen  # tests/chaos is on sys.path (pytest's default import mode)
from PySide6.QtCore import (
    QItemSelectionModel,
    QObject,
    Qt,
    QTimer,
    QtMsgType,
    qInstallMessageHandler,
)

from data.ledger import Ledger, TxFilter
from desktop.edits import SetCategory
from desktop.models.transactions_model import CATEGORY, PAGE
from desktop.watchdog import LagRecorder, StallSampler
from supervisor import Hub
from tests.helpers.hub_testing import wait_until

REPO = Path(__file__).resolve().parents[2]
CHAOS_S = float(os.environ.get("FINCAST_CHAOS_SECONDS", "120"))
SERVICES = ("categorizer", "forecaster", "insights", "advisor")
STALL_TARGET_MS = 50.0
# The target is 50 ms. A stall's wall time is the app's own work plus whatever the OS and
# the GIL add; on this two-core box shared by other jobs, desktop.watchdog.StallSampler measured
# (Linux schedstat) that most stall time is the GUI thread runnable but kept off both cores by
# other processes (4.2-6.9 s of 5.0-9.2 s in stalls, 60-120 s storms at load 5-6). So the test
# bounds what the app controls: the CPU time the GUI thread itself spends inside any one stall
# (its own blocking work: queries, model building, chart rebuilds, repaints). Measured 33-46 ms
# there, against the 50 ms target (bench/desktop.py prints it beside the target); CPU time
# itself stretches on a contended machine (50 ms in a run with a tracing event filter), so the
# bound is twice the target. Wall time is bounded loosely (a GUI thread that waited on a sidecar
# or ran ledger work, seconds, still breaks it), and printed with its p99 and count over 50 ms.
OWN_WORK_LIMIT_MS = 2 * STALL_TARGET_MS
STALL_LIMIT_MS = 1000.0
FROZEN_SHARE = 0.4  # of the strikes: SIGSTOP (the rest SIGKILL)
EDIT_CATEGORIES = ("Groceries", "Coffee", "Dining", "Fuel", "Travel", "Household", "Gifts")
# Messages the offscreen platform prints about itself, not about our code.
IGNORED_QT = ("This plugin does not support propagateSizeHints()",)
PENDING = TxFilter(categorize_state="pending")

pytestmark = [pytest.mark.slow, pytest.mark.timeout(int(CHAOS_S) + 900)]


# ---------------------------------------------------------------------------------------------
# What the hub did: every request the app sent (with its outcome) and every event.


@dataclass
class Call:
    """One request the app sent through the hub, and how it ended."""

    service: str
    method: str
    ids: tuple[int, ...]  # for categorizer.predict: the transactions asked about
    sent: float
    ended: float | None = None
    error: str | None = None
    result: Any = None

    def finish(self, future: Future[dict[str, Any]]) -> None:
        """Record the outcome (runs on the hub's thread: keep it cheap)."""
        exc = future.exception()
        if exc is not None:
            self.error = type(exc).__name__
        else:
            self.result = future.result()
        self.ended = time.monotonic()


@dataclass
class Record:
    """Requests and hub events, appended from hub threads."""

    calls: list[Call] = field(default_factory=list)
    events: list[dict[str, Any]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def event(self, event: dict[str, Any]) -> None:
        """A hub event, stamped with when it arrived."""
        with self.lock:
            self.events.append({**event, "at": time.monotonic()})

    def of(self, service: str, method: str) -> list[Call]:
        """The calls to `service.method` so far."""
        with self.lock:
            return [c for c in self.calls if c.service == service and c.method == method]


class RecordingHub(Hub):
    """The app's default hub (defaults + services.toml), noting each request and event."""

    record: Record

    def request(
        self,
        service: str,
        method: str,
        params: dict[str, Any] | None = None,
        timeout: float = 5.0,
        *,
        idempotent: bool = True,
    ) -> Future[dict[str, Any]]:
        """Hub.request, with the call and its outcome recorded."""
        future = super().request(service, method, params, timeout, idempotent=idempotent)
        ids: tuple[int, ...] = ()
        if (service, method) == ("categorizer", "predict") and isinstance(params, dict):
            ids = tuple(int(t["id"]) for t in params.get("transactions", []))
        call = Call(str(service), str(method), ids, time.monotonic())
        with self.record.lock:
            self.record.calls.append(call)
        future.add_done_callback(call.finish)
        return future


def recording_hub(record: Record) -> Callable[[], Hub]:
    """A hub factory for app.create()."""

    def make() -> Hub:
        hub = RecordingHub()
        hub.record = record
        hub.subscribe(record.event)
        return hub

    return make


# ---------------------------------------------------------------------------------------------
# Our processes, found by the environment every one of them inherits.


def our_processes(key: str, value: str) -> list[psutil.Process]:
    """Live (non-zombie) processes other than this one whose environment has key=value."""
    found = []
    for proc in psutil.process_iter():
        if proc.pid == os.getpid():
            continue
        try:
            if proc.environ().get(key) == value and proc.status() != psutil.STATUS_ZOMBIE:
                found.append(proc)
        except (psutil.NoSuchProcess, psutil.AccessDenied, psutil.ZombieProcess, OSError):
            continue
    return found


def describe(procs: list[psutil.Process]) -> str:
    """pid, status and command line of each, for a failure message."""
    out = []
    for p in procs:
        with contextlib.suppress(psutil.Error):
            out.append(f"{p.pid} {p.status()} {' '.join(p.cmdline())[:120]}")
    return "; ".join(out)


def gone(pid: int, created: float) -> bool:
    """The process that had `pid` and started at `created` no longer runs."""
    try:
        proc = psutil.Process(pid)
        return bool(proc.create_time() != created or proc.status() == psutil.STATUS_ZOMBIE)
    except psutil.NoSuchProcess:
        return True


# ---------------------------------------------------------------------------------------------
# The storm: a thread that strikes a random live replica every second, then watches recovery.


@dataclass
class Strike:
    """One signal sent to a replica."""

    at: float
    service: str
    pid: int
    created: float
    signal: str


class Storm(threading.Thread):
    """Every second SIGKILL or SIGSTOP a random replica; afterwards poll hub.status() until all
    replicas are ready. Runs on its own thread, so the GUI thread never calls into the hub."""

    def __init__(self, hub: Hub, home: str, seconds: float, rng: random.Random) -> None:
        super().__init__(name="chaos-storm", daemon=True)
        self.hub = hub
        self.home = home
        self.seconds = seconds
        self.rng = rng
        self.strikes: list[Strike] = []
        self.frozen: dict[int, Strike] = {}
        self.idle_seconds = 0  # seconds when no replica was alive to strike
        self.storm_over = threading.Event()
        self.halt = threading.Event()
        self.ended_at: float | None = None
        self.ready_at: float | None = None
        self.rows: list[dict[str, Any]] = []
        self.ready_rows: list[dict[str, Any]] = []
        self.failure: str | None = None

    def run(self) -> None:
        """Strike once a second for `seconds`, then watch for every replica to be ready."""
        try:
            start = time.monotonic()
            beat = start
            while not self.halt.is_set() and time.monotonic() - start < self.seconds:
                self._strike()
                beat += 1.0
                self.halt.wait(max(0.0, beat - time.monotonic()))
            self.ended_at = time.monotonic()
            self.storm_over.set()
            while not self.halt.is_set():
                self.rows = self.hub.status()
                # A frozen replica still reads "ready" until its heartbeats are missed.
                back = all(r["state"] == "ready" and r["pid"] not in self.frozen for r in self.rows)
                if self.ready_at is None and back:
                    self.ready_at = time.monotonic()
                    self.ready_rows = self.rows
                self.halt.wait(0.05)
        except BaseException:
            self.failure = traceback.format_exc()
            self.storm_over.set()

    def _strike(self) -> None:
        rows = [
            r
            for r in self.hub.status()
            if r["pid"]
            and r["pid"] not in self.frozen
            and r["state"] in ("starting", "ready", "busy")
        ]
        if not rows:
            self.idle_seconds += 1
            return
        row = self.rng.choice(rows)
        pid = int(row["pid"])
        try:
            proc = psutil.Process(pid)
            created = proc.create_time()
            if proc.environ().get("FINCAST_HOME") != self.home:
                return  # not ours (the pid was reused meanwhile): leave it alone
        except psutil.Error:
            return  # it died by itself between status() and now
        freeze = row["state"] in ("ready", "busy") and self.rng.random() < FROZEN_SHARE
        sig = signal.SIGSTOP if freeze else signal.SIGKILL
        try:
            os.kill(pid, sig)
        except ProcessLookupError:
            return
        strike = Strike(time.monotonic(), str(row["service"]), pid, created, sig.name)
        self.strikes.append(strike)
        if freeze:
            self.frozen[pid] = strike

    def thaw_leftovers(self) -> list[int]:
        """Kill (and continue) any frozen replica the hub did not get rid of; returns their pids."""
        left = []
        for pid, strike in self.frozen.items():
            if not gone(pid, strike.created):
                left.append(pid)
                for sig in (signal.SIGKILL, signal.SIGCONT):
                    with contextlib.suppress(ProcessLookupError):
                        os.kill(pid, sig)
        return left


# ---------------------------------------------------------------------------------------------
# The user: imports through the wizard, edits on the Transactions page, Forecast refreshes.


class User(QObject):
    """Drives the window from GUI-thread timer ticks; never blocks, never touches SQLite."""

    def __init__(
        self, window: Any, files: list[gen.Statement], rng: random.Random, seconds: float
    ) -> None:
        super().__init__()
        self.window = window
        self.ctx = window.ctx
        self.wizard = window.importing
        self.view = window.transactions
        self.forecast = window.forecast
        self.files = files
        self.rng = rng
        self.seconds = seconds
        self.errors: list[str] = []
        # imports
        self.state = "idle"
        self.current: gen.Statement | None = None
        self.results_before = 0
        self.imported: list[tuple[gen.Statement, Any]] = []
        self.step_deadline = 0.0
        # edits: the undo stack as the user sees it (ids and the category set), and what was undone
        self.stack: list[tuple[tuple[int, ...], str | None]] = []
        self.undone: set[int] = set()
        self.edits = self.bulk_edits = self.undos = 0
        # A bulk edit over rows not all loaded reads them on the reading lane first and pushes
        # its undo step when they arrive: (undo index before it, category) until then.
        self.reading: tuple[int, str | None] | None = None
        self.forecast_clicks = 0
        # Statements arrive spread over the whole storm, not all in its first seconds.
        self.import_every = max(0.3, 0.9 * seconds / max(1, len(files)))
        self._next_import = self._next_edit = self._next_forecast = 0.0
        self.end = 0.0
        self.timer = QTimer(self)
        self.timer.setInterval(50)
        self.timer.timeout.connect(self._tick)

    def start(self) -> None:
        """Begin acting; stop starting new things after `seconds`."""
        now = time.monotonic()
        self.end = now + self.seconds
        self._next_import = now
        self._next_edit = now + 0.5
        self._next_forecast = now + 1.0
        self.timer.start()

    def over(self) -> bool:
        """The storm's time is up and no import is half done."""
        return time.monotonic() >= self.end and self.state == "idle"

    def _tick(self) -> None:
        try:
            now = time.monotonic()
            self._import_step(now)
            if now < self.end and now >= self._next_edit:
                # A row whose page is not loaded yet is tried again on the next tick.
                done = self._edit_step()
                self._next_edit = now + (self.rng.uniform(0.4, 1.2) if done else 0.05)
            if now < self.end and now >= self._next_forecast:
                self._next_forecast = now + self.rng.uniform(2.0, 5.0)
                self.forecast_clicks += 1
                self.forecast.refresh_button.click()
            if self.over():
                self.timer.stop()
        except Exception:
            self.errors.append(traceback.format_exc())
            self.timer.stop()
            self.state = "idle"
            self.end = 0.0

    # -- importing, as a user does it in the wizard -------------------------------------------
    def _import_step(self, now: float) -> None:
        w = self.wizard
        if self.state == "idle":
            more = len(self.imported) < len(self.files)
            if now < self.end and now >= self._next_import and more:
                self._next_import = now + self.import_every
                self.current = self.files[len(self.imported)]
                self.window.open_files([self.current.path])
                self.state = "staging"
                self.step_deadline = now + 120
            return
        assert self.current is not None
        if now > self.step_deadline:
            raise AssertionError(f"{self.current.path.name}: stuck in the wizard at {self.state}")
        if self.state == "staging":
            if w.review_message.text().startswith("This file cannot be imported"):
                raise AssertionError(f"{self.current.path.name}: {w.review_message.text()}")
            staged = w.staged
            if staged is None or staged.path != self.current.path:
                return
            if staged.detection.questions:
                raise AssertionError(f"{staged.path.name} asks: {staged.detection.questions}")
            w.account.setCurrentText(self.current.account)
            if not w.import_button.isEnabled():
                raise AssertionError(
                    f"{staged.path.name}: cannot import: {w.review_message.text()}"
                )
            self.results_before = len(w.results)
            w.import_button.click()
            self.state = "committing"
        elif self.state == "committing":
            if len(w.results) > self.results_before:
                self.imported.append((self.current, w.results[-1]))
                self.state = "idle"
                self.window.show_page("Transactions")  # to look at (and correct) what came in
            elif w.review_message.text().startswith("Nothing was imported"):
                raise AssertionError(f"{self.current.path.name}: {w.review_message.text()}")

    # -- editing categories, as a user does it on the Transactions page ----------------------
    def _edit_step(self) -> bool:
        """One edit or undo; False when the chosen row was not loaded yet (or a bulk edit's
        rows are still being read)."""
        model, table, undo = self.view.model, self.view.table, self.ctx.undo
        if self.reading is not None:
            if self.view._reading_selection:
                return False
            waited_since, wanted = self.reading
            self.reading = None
            self._record(waited_since, wanted, "bulk")  # or nothing changed: the list moved on
            return True
        n = model.rowCount()
        if n == 0:
            return False
        roll = self.rng.random()
        if roll < 0.12 and self.stack and undo.canUndo():
            undo.undo()
            ids, _ = self.stack.pop()
            self.undone.update(ids)
            self.undos += 1
            return True
        row = self.rng.randrange(min(n, 2 * PAGE))
        txn = model.txn(row)  # asks for the page if it is not loaded; the next step may find it
        if txn is None:
            return False
        before = undo.index()
        if roll < 0.35:
            last = min(n, row + self.rng.randint(2, 6))
            selection = table.selectionModel()
            selection.clearSelection()
            for r in range(row, last):
                selection.select(
                    model.index(r, 0),
                    QItemSelectionModel.SelectionFlag.Select
                    | QItemSelectionModel.SelectionFlag.Rows,
                )
            category: str | None = self.rng.choice(EDIT_CATEGORIES)
            self.view.bulk_category.setText(category)
            self.view.bulk_apply.click()
            selection.clearSelection()
            if self.view._reading_selection:
                self.reading = (before, category)
                return True
            kind = "bulk"
        else:
            choices = [c for c in EDIT_CATEGORIES if c != txn.category]
            category = None if self.rng.random() < 0.06 else self.rng.choice(choices)
            if category is None and txn.category is None:
                return True
            model.setData(model.index(row, CATEGORY), category or "", Qt.ItemDataRole.EditRole)
            kind = "inline"
        self._record(before, category, kind)
        return True

    def _record(self, before: int, category: str | None, kind: str) -> None:
        """Note the edit the undo stack took, with the rows its step holds."""
        undo = self.ctx.undo
        if undo.index() == before + 1:
            step = undo.command(before)
            assert isinstance(step, SetCategory), step
            self.stack.append((tuple(step.ids), category))
            self.edits += 1
            self.bulk_edits += kind == "bulk"

    def users_choices(self) -> dict[int, str | None]:
        """Each edited transaction's category as the user left it (undone edits dropped)."""
        final: dict[int, str | None] = {}
        for ids, category in self.stack:
            for i in ids:
                final[i] = category
        return final


# ---------------------------------------------------------------------------------------------


@pytest.fixture
def qt_warnings() -> Iterator[list[str]]:
    """Every Qt warning (or worse) during the test."""
    seen: list[str] = []

    def handler(mode: QtMsgType, _context: Any, message: str) -> None:
        if mode in (QtMsgType.QtDebugMsg, QtMsgType.QtInfoMsg):
            return
        if not message.startswith(IGNORED_QT):
            seen.append(f"{mode.name}: {message}")

    previous = qInstallMessageHandler(handler)
    yield seen
    qInstallMessageHandler(previous)


def _write_services_toml(home: Path) -> None:
    # The hub's defaults open a service's circuit after 5 restarts in 60 s (then retry it only
    # every 5 minutes); a storm that strikes every second would park every service as failed
    # within seconds, and its backoff (up to 10 s) would leave nothing alive to strike for much
    # of the storm. The user's own override file keeps the supervisor restarting (backoff capped
    # at 2 s), so the storm keeps finding live replicas and recovery goes on under fire.
    config = home / "config"
    config.mkdir(parents=True, exist_ok=True)
    (config / "services.toml").write_text(
        "# written by tests/chaos/test_app_chaos.py\n"
        "[defaults]\nmax_restarts = 1000000\nbackoff_max_s = 2.0\n",
        encoding="utf-8",
    )


def _percent(lags: list[float], q: float) -> float:
    ordered = sorted(lags)
    return ordered[min(len(ordered) - 1, int(q / 100 * len(ordered)))] if ordered else 0.0


def test_the_app_keeps_every_promise_under_a_storm_of_sidecar_kills(
    qtbot: Any, tmp_path: Path, _private_app_dirs: Path, qt_warnings: list[str]
) -> None:
    pytest.importorskip("sklearn")
    from desktop import app

    home = _private_app_dirs
    _write_services_toml(home)
    seed = int(os.environ.get("FINCAST_CHAOS_SEED", str(random.randrange(1 << 30))))
    print(f"\nchaos seed {seed} (FINCAST_CHAOS_SEED={seed} repeats this run's choices)")
    rng = random.Random(seed)
    files = gen.statements(rng, tmp_path / "statements", dt.date.today())
    db = tmp_path / "ledger.sqlite"
    record = Record()

    window = app.create(db, recording_hub(record))
    storm: Storm | None = None
    closed = False
    try:
        window.show()
        qtbot.waitExposed(window)
        window.show_page("Transactions")
        adapter = window.ctx.hub
        started = time.monotonic()
        adapter.start()
        qtbot.waitUntil(
            lambda: all(adapter.health(s).level.value == "ready" for s in SERVICES),
            timeout=300_000,
        )
        hub = adapter.hub
        assert isinstance(hub, RecordingHub)
        print(f"all {len(SERVICES)} services ready {time.monotonic() - started:.1f} s after start")
        before = our_processes("FINCAST_HOME", str(home))
        assert len(before) >= len(SERVICES), describe(before)  # the scan finds the live sidecars

        user = User(window, files, rng, CHAOS_S)
        storm = Storm(hub, str(home), CHAOS_S, rng)
        watchdog = LagRecorder()
        watchdog.start()
        sampler = StallSampler(watchdog)
        sampler.start()
        user.start()
        storm.start()
        qtbot.waitUntil(
            lambda: user.over() and storm.storm_over.is_set(), timeout=int(CHAOS_S + 300) * 1000
        )
        storm_ticks = len(watchdog.lags_ms)
        assert storm.failure is None, storm.failure
        assert user.errors == [], "\n".join(user.errors)

        # Frozen replicas are found hung (missed heartbeats) and killed by the hub.
        qtbot.waitUntil(
            lambda: all(gone(pid, s.created) for pid, s in storm.frozen.items()), timeout=60_000
        )
        # Every service ready again, and every row categorized once the categorizer is back.
        qtbot.waitUntil(lambda: storm.ready_at is not None, timeout=180_000)
        pending: dict[str, Any] = {"n": -1, "asking": False}

        def counted(n: int) -> None:
            pending.update(n=n, asking=False)

        def ask_pending() -> bool:
            if pending["n"] == 0:
                return True
            if not pending["asking"]:  # one count in flight on the app's reading lane
                pending["asking"] = True
                window.ctx.reader.submit(lambda ledger: ledger.count(PENDING), counted)
            return False

        qtbot.waitUntil(ask_pending, timeout=180_000)
        drained_at = time.monotonic()

        # The Forecast page gets a fresh forecast again.
        mark = len(record.of("forecaster", "forecast"))

        def fresh_forecast() -> bool:
            calls = record.of("forecaster", "forecast")[mark:]
            if any(c.ended is not None and c.error is None for c in calls):
                return True
            window.forecast.refresh_button.click()  # a no-op while one is running
            return False

        qtbot.waitUntil(fresh_forecast, timeout=300_000)
        qtbot.waitUntil(lambda: window.forecast.forecast_saved is not None, timeout=30_000)
        watchdog.stop()
        sampler.halt()
        storm.halt.set()
        storm.join(10)

        live = our_processes("FINCAST_HOME", str(home))
        assert len(live) >= len(SERVICES), describe(live)
        window.close()
        closed = True
        closed_at = time.monotonic()
        wait_until(
            lambda: not our_processes("FINCAST_HOME", str(home)),
            30,
            lambda: (
                "every process to exit after the window closed, left: "
                + describe(our_processes("FINCAST_HOME", str(home)))
            ),
            poll=0.05,  # each look lists every process on the machine
        )
        print(
            f"window closed: all {len(live)} processes gone in {time.monotonic() - closed_at:.2f} s"
        )
    finally:
        if storm is not None:
            storm.halt.set()
            storm.join(10)
            leftovers = storm.thaw_leftovers()
        else:
            leftovers = []
        if not closed:
            window.close()
        for proc in our_processes("FINCAST_HOME", str(home)):
            with contextlib.suppress(psutil.Error):
                proc.kill()
    assert leftovers == [], f"frozen replicas the hub never replaced: {leftovers}"

    # -- the figures ------------------------------------------------------------------------
    lags = watchdog.lags_ms
    storm_lags, after_lags = lags[:storm_ticks], lags[storm_ticks:]
    assert storm.ended_at is not None and storm.ready_at is not None
    kills = Counter(s.service for s in storm.strikes if s.signal == "SIGKILL")
    stops = Counter(s.service for s in storm.strikes if s.signal == "SIGSTOP")
    events = list(record.events)
    unhealthy = [e for e in events if e.get("type") == "state" and e["state"] == "unhealthy"]
    crashed = [e for e in events if e.get("type") == "state" and e["state"] == "crashed"]
    restarts = sum(int(r["restarts"]) for r in storm.rows)
    forecasts = record.of("forecaster", "forecast")
    predicts = record.of("categorizer", "predict")
    outcome = dict(Counter(c.error or "ok" for c in forecasts))
    new_rows = sum(r.imported for _, r in user.imported)
    dup_rows = sum(r.duplicates for _, r in user.imported)
    print(
        f"storm {CHAOS_S:g} s: {len(user.imported)} imports ({new_rows} rows new, {dup_rows} "
        f"duplicates), {user.edits} edits ({user.bulk_edits} bulk), {user.undos} undos, "
        f"{user.forecast_clicks} forecast clicks -> {len(forecasts)} forecaster requests "
        f"{outcome}, {len(predicts)} categorizer requests"
    )
    print(
        f"strikes: {len(storm.strikes)} ({sum(kills.values())} SIGKILL {dict(kills)}, "
        f"{sum(stops.values())} SIGSTOP {dict(stops)}), {storm.idle_seconds} s with nothing alive "
        f"to strike; hub saw {len(crashed)} crashes, {len(unhealthy)} found unhealthy, "
        f"{restarts} restarts"
    )
    print(
        f"after the storm: all services ready in {storm.ready_at - storm.ended_at:.1f} s, "
        f"no row pending after {drained_at - storm.ended_at:.1f} s"
    )
    over = sum(lag > STALL_TARGET_MS for lag in storm_lags)
    print(
        f"main thread during the storm: worst stall {max(storm_lags, default=0):.1f} ms, "
        f"p99 {_percent(storm_lags, 99):.1f} ms, {over} of {len(storm_lags)} ticks over "
        f"{STALL_TARGET_MS:g} ms; during recovery: worst {max(after_lags, default=0):.1f} ms"
    )
    print(sampler.report())
    figures = {
        "seconds": CHAOS_S,
        "seed": seed,
        "load_average": os.getloadavg()[0],
        "ticks": len(storm_lags),
        "worst_stall_ms": round(max(storm_lags, default=0.0), 1),
        "p99_stall_ms": round(_percent(storm_lags, 99), 1),
        "p50_stall_ms": round(_percent(storm_lags, 50), 1),
        "ticks_over_target": over,
        "recovery_worst_stall_ms": round(max(after_lags, default=0.0), 1),
        "target_ms": STALL_TARGET_MS,
        "imports": len(user.imported),
        "edits": user.edits,
        "strikes": len(storm.strikes),
        **sampler.figures(),
    }
    out = os.environ.get("FINCAST_CHAOS_RESULT")
    if out:  # bench/desktop.py runs this test and reads its figures from here
        Path(out).write_text(json.dumps(figures), encoding="utf-8")

    # -- the supervisor: every strike seen, every frozen replica found hung -----------------------
    assert len(storm.strikes) >= CHAOS_S / 4, "the storm hardly struck"
    assert restarts >= len(storm.strikes)
    condemned = {e["pid"] for e in unhealthy}
    assert set(storm.frozen) <= condemned, "a frozen replica was never found hung"
    assert {r["service"] for r in storm.ready_rows} == set(SERVICES)
    assert all(r["pid"] for r in storm.ready_rows)

    assert qt_warnings == [], "Qt warned:\n" + "\n".join(qt_warnings)

    # -- imports: each stored exactly once -----------------------------------------------------
    assert len(user.imported) >= 3, "too few imports to judge"
    expected = gen.Expected()
    for statement, result in user.imported:
        new, dup = expected.add(statement)
        assert (result.imported, result.duplicates, list(result.errors)) == (new, dup, []), (
            statement.path.name
        )
        assert result.account == statement.account
    assert sum(r.duplicates for _, r in user.imported) > 0, "no overlap was exercised"
    with Ledger.open(db) as ledger:
        txns = list(ledger.iter_transactions(order="id_asc"))
        batches = ledger.batches()
    assert len(batches) == len(user.imported)
    assert sorted((b.file_name, b.imported, b.duplicates) for b in batches) == sorted(
        expected.per_file
    )
    stored: dict[str, Counter[gen.Row]] = defaultdict(Counter)
    for t in txns:
        stored[t.account][(t.date, t.amount, t.description)] += 1
    assert dict(stored) == {a: c for a, c in expected.stored.items() if c}
    assert len(txns) == expected.total()
    fingerprints = Counter((t.account, t.fingerprint) for t in txns)
    assert fingerprints.most_common(1)[0][1] == 1

    # -- categories: user's choices kept, each model answer applied once -------------------------
    mine = user.users_choices()
    by_id = {t.id: t for t in txns}
    for txn_id, category in mine.items():
        t = by_id[txn_id]
        want = (category, "user", "done") if category else (None, None, "skipped")
        assert (t.category, t.category_source, t.categorize_state) == want, t
    answers: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for call in sorted((c for c in predicts if c.error is None), key=lambda c: c.ended or 0.0):
        for txn_id, answer in zip(call.ids, call.result["predictions"], strict=True):
            answers[txn_id].append(answer)
    assert not [t.id for t in txns if t.categorize_state == "pending"]
    twice = [i for i, a in answers.items() if len(a) > 1 and i not in user.undone]
    assert twice == [], f"categorized more than once: {twice[:10]}"
    for t in txns:
        if t.id in mine or t.id in user.undone:
            continue
        assert t.categorize_state == "done", t
        assert len(answers[t.id]) == 1, f"never categorized: {t}"
        answer = answers[t.id][0]
        assert t.category_source in ("model", None), t
        assert (t.category or t.suggestion) == answer["category"], (t, answer)
        assert t.confidence == pytest.approx(answer["confidence"]), (t, answer)
    print(
        f"ledger: {len(txns)} transactions in {len(batches)} batches, {len(mine)} kept as the "
        f"user set them, {sum(len(a) for a in answers.values())} model answers applied"
    )

    # -- the main thread (last, so a slow run still shows every other result first) --------------
    assert len(storm_lags) >= CHAOS_S  # the recorder really ran all along
    assert max(lags) < STALL_LIMIT_MS, (
        f"the GUI thread stalled {max(lags):.0f} ms (limit {STALL_LIMIT_MS:g} ms):\n"
        + sampler.report()
    )
    if sys.platform.startswith("linux") and sampler.finished():  # schedstat accounts the time
        assert any(s.main_queued_ms or s.main_run_ms for s in sampler.finished())
        assert sampler.worst_run_ms < OWN_WORK_LIMIT_MS, (
            f"the GUI thread itself ran {sampler.worst_run_ms:.0f} ms without turning its event "
            f"loop (target {STALL_TARGET_MS:g} ms, bound {OWN_WORK_LIMIT_MS:g} ms):\n"
            + sampler.report()
        )


# ---------------------------------------------------------------------------------------------

APP = r"""
import json, sys
from pathlib import Path
import psutil
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication
from desktop import app

qapp = QApplication(["fincast"])
window = app.create(Path(sys.argv[1]))
window.show()
QTimer.singleShot(0, window.ctx.hub.start)

def poll():
    hub = window.ctx.hub.hub
    rows = hub.status() if hub is not None else []
    if rows and all(r["state"] == "ready" for r in rows):
        timer.stop()
        replicas = {r["service"]: r["pid"] for r in rows}
        tree = [p.pid for p in psutil.Process().children(recursive=True)]
        print(json.dumps({"replicas": replicas, "tree": tree}), flush=True)

timer = QTimer()
timer.timeout.connect(poll)
timer.start(100)
sys.exit(qapp.exec())
"""


def _read_line(proc: subprocess.Popen[str], timeout: float) -> str:
    assert proc.stdout is not None
    deadline = time.monotonic() + timeout
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            raise AssertionError(f"the app did not report its services within {timeout:g} s")
        ready, _, _ = select.select([proc.stdout], [], [], min(left, 1.0))
        if ready:
            line = proc.stdout.readline()
            if not line:
                raise AssertionError(f"the app exited early ({proc.wait(5)})")
            return line
        if proc.poll() is not None:
            raise AssertionError(f"the app exited early ({proc.returncode})")


def test_a_sigkilled_app_leaves_no_process_behind(tmp_path: Path) -> None:
    """The app in its own process with every default sidecar up (one of them frozen by SIGSTOP):
    kill -9 the app and every process it started is gone within the deadline."""
    pytest.importorskip("sklearn")
    marker = uuid.uuid4().hex
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "FINCAST_CHAOS_RUN": marker}
    proc = subprocess.Popen(
        [sys.executable, "-c", APP, str(tmp_path / "ledger.sqlite")],
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        report = json.loads(_read_line(proc, 300))
        assert set(report["replicas"]) == set(SERVICES)
        ours = our_processes("FINCAST_CHAOS_RUN", marker)
        pids = {p.pid for p in ours}
        # The scan finds the app, the zygote and every replica: the check below can fail.
        assert {proc.pid, *report["replicas"].values()} <= pids, describe(ours)
        assert set(report["tree"]) <= pids
        frozen = report["replicas"]["forecaster"]
        os.kill(frozen, signal.SIGSTOP)
        killed_at = time.monotonic()
        proc.kill()
        proc.wait(10)
        wait_until(
            lambda: not our_processes("FINCAST_CHAOS_RUN", marker),
            30,
            lambda: (
                "every process of the killed app to exit, left: "
                + describe(our_processes("FINCAST_CHAOS_RUN", marker))
            ),
            poll=0.05,  # each look lists every process on the machine
        )
        print(
            f"\napp SIGKILLed with {len(pids) - 1} processes under it (one frozen): all gone in "
            f"{time.monotonic() - killed_at:.2f} s"
        )
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(10)
        if proc.stdout is not None:
            proc.stdout.close()
        for leftover in our_processes("FINCAST_CHAOS_RUN", marker):
            with contextlib.suppress(psutil.Error):
                leftover.kill()
                leftover.resume()
