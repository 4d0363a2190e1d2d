"""The categorize loop, headless: pending rows -> user rules -> categorizer (through the hub) ->
stored with their source and confidence; corrections -> a debounced background retrain.

Used by `fincast import` / `fincast categorize` / `fincast train` and by the desktop (its pump and
its edits call `predictions_from_reply`, `CONFIDENCE_THRESHOLD` and `learn`). Rules need no
service, so they always run; when the categorizer is unavailable, the rest stay pending and are
categorized exactly once when it returns (a stored answer moves a row out of 'pending'). A user's
own choice is never overwritten: the ledger's apply_predictions refuses rows whose source is
'user'. This module must never import Qt or a model library.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass, field
from typing import Any, Protocol

from data.ledger import Ledger, Prediction, TxFilter, Txn
from data.money import format_decimal
from data.rules import RuleError, Rules
from desktop.wire_budget import REQUEST_BUDGET, newest_within, row_size

log = logging.getLogger(__name__)

# Tuned on the labeled sets by bench/categorize.py (chronological 70/30): the lowest model
# confidence at which the predictions kept reached >= 90% precision on every set (measured 0.62,
# 0.57 and 0.69; rounded up). Below it a prediction is stored as a suggestion only and the row
# stays Uncategorized.
CONFIDENCE_THRESHOLD = 0.7
BATCH = 2000  # rows per predict request: well inside the wire's frame limit
PREDICT_TIMEOUT_S = 30.0
TRAIN_TIMEOUT_S = 300.0
# With fewer of the user's own labels than this, training blends in the built-in defaults so that
# categories the user has not taught yet are still suggested.
MIN_OWN_LABELS = 50
RETRAIN_DEBOUNCE_S = 5.0


class Requester(Protocol):
    """The part of supervisor.Hub this module uses."""

    def request(
        self, service: str, method: str, params: dict[str, Any] | None = ..., timeout: float = ...
    ) -> Future[dict[str, Any]]: ...


@dataclass
class Outcome:
    """What one categorize run did."""

    by_rule: int = 0
    by_model: int = 0
    suggested: int = 0  # model answers below the threshold: stored as suggestions
    pending: int = 0  # still waiting for the categorizer
    model_version: str | None = None
    problem: str | None = None  # why rows are still pending, for the user
    notes: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        """Everything, JSON-ready."""
        return {
            "by_rule": self.by_rule,
            "by_model": self.by_model,
            "suggested": self.suggested,
            "pending": self.pending,
            "model_version": self.model_version,
            "problem": self.problem,
        }


def _wire(t: Txn) -> dict[str, Any]:
    return {
        "id": t.id,
        "date": t.date.isoformat(),
        "description": t.description,
        "payee": t.payee,
        "amount": format_decimal(t.amount, t.currency),
    }


def apply_rules(ledger: Ledger, txns: list[Txn], rules: Rules) -> tuple[list[Txn], int]:
    """Categorize (and rename) what the rules decide; returns the rows left for the model."""
    decided: list[Prediction] = []
    renames: dict[str, list[int]] = {}
    rest: list[Txn] = []
    for t in txns:
        match = (
            rules.match(t.description, t.payee, t.amount, t.account, t.currency)
            if len(rules)
            else None
        )
        if match is not None and match.payee is not None and match.payee != t.payee:
            renames.setdefault(match.payee, []).append(t.id)
        if match is not None and match.category is not None:
            decided.append(Prediction(t.id, match.category, 1.0, source="rule"))
        else:
            rest.append(t)
    for payee, ids in renames.items():
        ledger.set_payee(ids, payee)
    stored = ledger.apply_predictions(decided) if decided else 0
    return rest, stored


def predictions_from_reply(
    txns: list[Txn], result: dict[str, Any], threshold: float = CONFIDENCE_THRESHOLD
) -> list[Prediction]:
    """Ledger predictions from a `predict` reply: confident ones assigned, the rest suggested."""
    answers = result.get("predictions") if isinstance(result, dict) else None
    if not isinstance(answers, list) or len(answers) != len(txns):
        raise ValueError("the categorizer's reply does not match the request")
    out = []
    for t, p in zip(txns, answers, strict=True):
        category = p.get("category") if isinstance(p, dict) else None
        confidence = p.get("confidence") if isinstance(p, dict) else None
        if not isinstance(category, str) or not category.strip():
            continue
        conf = float(confidence) if isinstance(confidence, int | float) else 0.0
        raw = p.get("reasons")
        why = tuple(str(r)[:80] for r in raw[:8]) if isinstance(raw, list) else ()
        if conf >= threshold:
            out.append(Prediction(t.id, category, conf, source="model", reasons=why))
        else:
            out.append(
                Prediction(t.id, None, conf, source="model", suggestion=category, reasons=why)
            )
    return out


def _problem(exc: BaseException) -> str:
    from supervisor import DeadlineExceeded, RemoteError, ServiceUnavailable

    if isinstance(exc, ServiceUnavailable | FutureTimeout):
        return f"the categorizer is unavailable ({exc or 'no answer'})"
    if isinstance(exc, DeadlineExceeded):
        return "the categorizer did not answer in time"
    if isinstance(exc, RemoteError):
        return f"the categorizer refused the request: {exc}"
    return f"categorizing failed: {exc}"


def categorize_pending(
    ledger: Ledger,
    hub: Requester | None,
    *,
    threshold: float = CONFIDENCE_THRESHOLD,
    batch: int = BATCH,
    timeout: float = PREDICT_TIMEOUT_S,
    unavailable: str | None = None,
) -> Outcome:
    """Run every pending row through the rules, then (if `hub`) the categorizer; never raises
    for a missing or failing service - those rows stay pending and the outcome says why."""
    outcome = Outcome()
    try:
        rules = Rules(ledger.rules())
    except RuleError as exc:
        # A stored rule that no longer compiles must not stop categorizing; say which.
        outcome.notes.append(f"rules skipped: {exc}")
        rules = Rules([])
    waiting_for_model: set[int] = set()
    while True:
        txns = [t for t in ledger.pending_categorization(batch) if t.id not in waiting_for_model]
        if not txns:
            break
        rest, n = apply_rules(ledger, txns, rules)
        outcome.by_rule += n
        if not rest:
            continue
        if hub is None:
            outcome.problem = unavailable or "the categorizer is not running"
            waiting_for_model.update(t.id for t in rest)
            continue
        try:
            future = hub.request(
                "categorizer", "predict", {"transactions": [_wire(t) for t in rest]}, timeout
            )
            result = future.result(timeout=timeout + 5.0)
            preds = predictions_from_reply(rest, result, threshold)
        except Exception as exc:
            outcome.problem = _problem(exc)
            log.info("categorizing paused: %s", outcome.problem)
            waiting_for_model.update(t.id for t in rest)
            # Nothing else will get through this run; keep the rest pending for next time.
            break
        outcome.model_version = result.get("model_version") or outcome.model_version
        ledger.apply_predictions(preds)
        outcome.by_model += sum(p.category is not None for p in preds)
        outcome.suggested += sum(p.category is None for p in preds)
        answered = {p.txn_id for p in preds}
        # Rows the categorizer gave no usable answer for must not be asked about forever.
        waiting_for_model.update(t.id for t in rest if t.id not in answered)
    outcome.pending = ledger.count(TxFilter(categorize_state="pending"))
    return outcome


def training_params(ledger: Ledger, *, budget: int = REQUEST_BUDGET) -> dict[str, Any]:
    """`train` params from the rows the user (or their rules) categorized, oldest first: the
    newest that fit `budget` bytes. A rule over a big ledger labels hundreds of thousands of
    rows, and a request over the wire's limit was refused at every retrain."""
    labelled = (
        t
        for t in ledger.iter_transactions(order="date_desc")
        if t.category and t.category_source in ("user", "rule")
    )
    examples = newest_within(
        (
            (
                {
                    "date": t.date.isoformat(),
                    "description": t.description,
                    "amount": format_decimal(t.amount, t.currency),
                    "category": t.category,
                },
                row_size(t.description, t.category),
            )
            for t in labelled
        ),
        budget,
    )
    return {"transactions": examples, "include_defaults": len(examples) < MIN_OWN_LABELS}


def train(ledger: Ledger, hub: Requester, timeout: float = TRAIN_TIMEOUT_S) -> dict[str, Any]:
    """Retrain the categorizer on the ledger's labels now; returns the `train` reply."""
    params = training_params(ledger)
    if not params["transactions"]:
        raise ValueError(
            "nothing to learn from yet: categorize some transactions (or add rules) first"
        )
    return hub.request("categorizer", "train", params, timeout).result(timeout=timeout + 5.0)


class Retrainer:
    """Debounced background retraining: many corrections in a row cause one `train`.

    One long-lived thread waits out the quiet period; `poke` only moves its deadline. (A new
    threading.Timer per correction made every edit wait, on the GUI thread, for a fresh thread to
    get scheduled: 90 ms stalls on a loaded machine.)
    """

    def __init__(self, run: Callable[[], None], delay: float = RETRAIN_DEBOUNCE_S) -> None:
        self._run = run
        self._delay = delay
        self._wake = threading.Condition()
        self._due: float | None = None  # monotonic time of the next run; None = none scheduled
        self._closed = False
        self._thread: threading.Thread | None = None
        self.runs = 0

    def poke(self) -> None:
        """A correction happened: (re)start the quiet period."""
        with self._wake:
            if self._closed:
                return
            self._due = time.monotonic() + self._delay
            self._wake.notify()
        self.start()

    def start(self) -> None:
        """Start the waiting thread (poke does it too, if need be)."""
        with self._wake:
            if self._thread is not None or self._closed:
                return
            self._thread = threading.Thread(target=self._loop, name="retrainer", daemon=True)
        self._thread.start()

    def _loop(self) -> None:
        while True:
            with self._wake:
                while not self._closed and (self._due is None or time.monotonic() < self._due):
                    left = None if self._due is None else self._due - time.monotonic()
                    self._wake.wait(left)
                if self._closed:
                    return
                self._due = None
                self.runs += 1
            try:
                self._run()
            except Exception:
                log.exception("background retraining failed")

    def due(self) -> bool:
        """True while a retrain is scheduled and has not started."""
        with self._wake:
            return self._due is not None

    def cancel(self) -> None:
        """Drop a scheduled retrain and end the thread (at shutdown)."""
        with self._wake:
            self._closed = True
            self._due = None
            self._wake.notify()


_retrainers: dict[int, Retrainer] = {}


def prepare(ctx: Any) -> Retrainer:
    """`ctx`'s retrainer, made (and its thread started) now if it has none: a window calls this
    as it opens, so no correction ever waits for a thread to start."""
    key = id(ctx)
    retrainer = _retrainers.get(key)
    if retrainer is None:
        runs = [0]  # retrains started, counted on the retrainer's thread

        def run() -> None:
            runs[0] += 1
            run_number = runs[0]
            payees = _take_corrected(ctx)
            ctx.reader.submit(
                training_params, done=lambda params: _send_train(params, payees, run_number)
            )

        def _send_train(params: dict[str, Any], payees: set[str], run_number: int) -> None:
            # With no labels left (the only correction undone) the model is trained on the
            # built-in examples alone: skipped, it kept the undone name for good.
            if params["transactions"] or params["include_defaults"]:
                ctx.hub.request(
                    "categorizer",
                    "train",
                    params,
                    timeout=TRAIN_TIMEOUT_S,
                    done=lambda _reply: _follow(payees, run_number),
                    failed=lambda exc: _postponed(exc, payees),
                )

        def _follow(payees: set[str], run_number: int) -> None:
            # The corrected payees' other rows are asked again of the retrained model (the
            # categorize pump wakes on "retrained"): one corrected Virgin Media row kept its
            # siblings' old guesses until the next import.
            # A model trained before the labels changed again (an undo, a later correction)
            # must not be asked: after a bulk edit to a wrong name was undone, the model that
            # had learned it re-categorized all 50,000 rows with it (audit 9). Its payees wait
            # for the retrain that is scheduled, or one scheduled now.
            own = _retrainers.get(key)
            if own is None:
                return  # the window closed meanwhile
            if payees and (run_number != runs[0] or own.due()):
                _note_corrected(ctx, payees)
                if not own.due():
                    own.poke()
                return
            if payees:
                ctx.writer.submit(
                    lambda ledger: ledger.requeue_payees(payees),
                    lambda n: ctx.events.changed.emit("retrained") if n else None,
                )

        def _postponed(exc: BaseException, payees: set[str]) -> None:
            log.info("retraining postponed: %s", exc)
            _note_corrected(ctx, payees)  # the next retrain takes them over

        retrainer = _retrainers[key] = Retrainer(run, RETRAIN_DEBOUNCE_S)
        retrainer.start()
    return retrainer


def learn(ctx: Any, examples: list[dict[str, Any]]) -> None:
    """Desktop hook for a user's correction: schedule a debounced retrain through `ctx`.

    The correction itself is already stored (source 'user'); training reads every label from the
    ledger on ctx's reading lane and sends `train` through ctx.hub, so nothing waits on the GUI.
    Call `forget(ctx)` when ctx closes.
    """
    if examples:
        _note_corrected(ctx, {str(e.get("payee") or "") for e in examples})
        prepare(ctx).poke()


def unlearn(ctx: Any, payees: set[str]) -> None:
    """Desktop hook for an undone correction: the model learned labels that are gone, so it is
    retrained as after a correction, and the payees' rows it categorized are asked again of the
    new model. Undoing a bulk edit put the rows back, but the model kept the undone name and
    gave it again to every row of those payees (audit 9)."""
    _note_corrected(ctx, payees)
    prepare(ctx).poke()


def relearn(ctx: Any) -> None:
    """Desktop hook for a category renamed, merged or deleted: the names the categorizer learned
    changed, so schedule the same debounced retrain that a correction does (until it runs, the
    ledger's category aliases file a prediction of an old name under its new one)."""
    prepare(ctx).poke()


# The payees corrected since the last retrain, per window (noted on the GUI thread, taken on
# the retrainer's).
_corrected: dict[int, set[str]] = {}
_corrected_lock = threading.Lock()


def _note_corrected(ctx: Any, payees: set[str]) -> None:
    with _corrected_lock:
        _corrected.setdefault(id(ctx), set()).update(p for p in payees if p)


def _take_corrected(ctx: Any) -> set[str]:
    with _corrected_lock:
        return _corrected.pop(id(ctx), set())


def forget(ctx: Any) -> None:
    """Drop `ctx`'s retrainer (and a retrain it had scheduled): its window is closing."""
    _take_corrected(ctx)
    retrainer = _retrainers.pop(id(ctx), None)
    if retrainer is not None:
        retrainer.cancel()


READY_TIMEOUT_S = 60.0


def with_categorizer(fn: Callable[[Requester | None, str | None], Any]) -> Any:
    """Start a hub running only the categorizer, call fn(hub, None), stop it; when it cannot
    start, call fn(None, reason) instead (rules still apply; the rest stays pending)."""
    from supervisor import Hub, HubError
    from supervisor.spec import default_specs

    try:
        hub = Hub([s for s in default_specs() if s.name == "categorizer"])
        hub.start()
    except (HubError, OSError) as exc:
        return fn(None, f"the categorizer could not start ({exc})")
    try:
        if not hub.wait_ready(READY_TIMEOUT_S):
            return fn(None, "the categorizer did not come up in time")
        return fn(hub, None)
    finally:
        hub.stop()


def categorize_now(ledger: Ledger) -> Outcome:
    """Categorize every pending row of `ledger`, starting the categorizer for the purpose."""
    if ledger.count(TxFilter(categorize_state="pending")) == 0:
        return Outcome()
    return with_categorizer(  # type: ignore[no-any-return]
        lambda hub, why: categorize_pending(ledger, hub, unavailable=why)
    )
