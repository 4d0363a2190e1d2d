"""The categorize loop against a real ledger file: rules first, then the model, sources and
confidence stored, low confidence kept as a suggestion, user choices never overwritten, and rows
left pending (then categorized exactly once) when the categorizer is unavailable.

The categorizer here is the real engine called in-process behind a stand-in with the hub's
`request -> Future` shape; tests/test_categorizing_hub.py runs the same loop through the real hub.
"""

from __future__ import annotations

import threading
from concurrent.futures import Future
from pathlib import Path
from typing import Any

import pytest

from data.ledger import Ledger, Prediction, TxFilter
from desktop import categorizing
from desktop.categorizing import Retrainer, categorize_pending, predictions_from_reply
from sidecars.categorizer.engine import Categorizer
from sidecars.categorizer.store import ModelStore
from supervisor import ServiceUnavailable

CSV = """Date,Description,Amount
2024-01-02,CARD PAYMENT TO TESCO STORES 3297 LONDON,-23.10
2024-01-03,SHELL 88 LEEDS,-60.00
2024-01-04,NETFLIX.COM,-9.99
2024-01-05,ACME LTD SALARY,2500.00
2024-01-06,ZQXV ODD THING,-1.00
"""


class InProcess:
    """The categorizer engine behind the hub's request() shape; can be switched off."""

    def __init__(self, store_root: Path) -> None:
        self.engine = Categorizer(ModelStore(store_root))
        self.up = True
        self.calls: list[tuple[str, int]] = []

    def request(
        self, service: str, method: str, params: dict[str, Any] | None = None, timeout: float = 5.0
    ) -> Future[dict[str, Any]]:
        future: Future[dict[str, Any]] = Future()
        params = params or {}
        self.calls.append((method, len(params.get("transactions", []))))
        if not self.up:
            future.set_exception(ServiceUnavailable("categorizer is down"))
        else:
            future.set_result(getattr(self.engine, method)(params))
        return future


@pytest.fixture
def ledger(tmp_path: Path) -> Any:
    path = tmp_path / "statement.csv"
    path.write_text(CSV, encoding="utf-8")
    with Ledger.open(tmp_path / "ledger.sqlite") as led:
        led.import_file(path, "Main")
        yield led


@pytest.fixture
def hub(tmp_path: Path) -> InProcess:
    return InProcess(tmp_path / "models")


def by_description(ledger: Ledger) -> dict[str, Any]:
    return {t.description: t for t in ledger.transactions(limit=100)}


def test_rules_then_model_with_sources(ledger: Ledger, hub: InProcess) -> None:
    ledger.add_rule("payee", "contains", "netflix", "Streaming", rename_payee="Netflix Inc")
    out = categorize_pending(ledger, hub, threshold=0.5)
    rows = by_description(ledger)
    netflix = rows["NETFLIX.COM"]
    assert (netflix.category, netflix.category_source, netflix.payee) == (
        "Streaming",
        "rule",
        "Netflix Inc",
    )
    tesco = rows["CARD PAYMENT TO TESCO STORES 3297 LONDON"]
    assert (tesco.category, tesco.category_source) == ("Groceries", "model")
    assert tesco.confidence is not None and tesco.confidence >= 0.5
    assert out.by_rule == 1
    assert out.pending == 0
    assert out.by_model + out.suggested == 4
    assert all(t.categorize_state == "done" for t in rows.values())
    # The rule's row was never sent to the model.
    assert hub.calls == [("predict", 4)]


def test_low_confidence_stays_uncategorized_with_suggestion(ledger: Ledger, hub: InProcess) -> None:
    categorize_pending(ledger, hub, threshold=0.999999)
    odd = by_description(ledger)["ZQXV ODD THING"]
    assert odd.category is None
    assert odd.suggestion is not None
    assert odd.confidence is not None and odd.confidence < 0.999999


def test_user_choice_is_never_overwritten(ledger: Ledger, hub: InProcess) -> None:
    tesco = by_description(ledger)["CARD PAYMENT TO TESCO STORES 3297 LONDON"]
    ledger.set_category([tesco.id], "Treats", source="user")
    ledger.mark_pending()  # everything queued again, as after "recategorize all"
    ledger.add_rule("description", "contains", "tesco", "Groceries")
    categorize_pending(ledger, hub, threshold=0.0)
    again = ledger.get(tesco.id)
    assert again is not None
    assert (again.category, again.category_source) == ("Treats", "user")


def test_unavailable_then_exactly_once(ledger: Ledger, hub: InProcess) -> None:
    hub.up = False
    out = categorize_pending(ledger, hub)
    assert out.pending == 5
    assert out.problem is not None and "unavailable" in out.problem
    assert ledger.count(TxFilter(categorize_state="pending")) == 5
    hub.up = True
    out = categorize_pending(ledger, hub)
    assert out.pending == 0
    assert out.by_model + out.suggested == 5
    out = categorize_pending(ledger, hub)
    assert (out.by_model, out.suggested, out.by_rule) == (0, 0, 0)
    assert [c for c in hub.calls if c[0] == "predict"] == [("predict", 5), ("predict", 5)]


def test_no_hub_still_applies_rules(ledger: Ledger) -> None:
    ledger.add_rule("payee", "exact", "shell", "Fuel")
    out = categorize_pending(ledger, None, unavailable="the categorizer could not start")
    assert out.by_rule == 1
    assert out.pending == 4
    assert out.problem == "the categorizer could not start"


def test_broken_stored_rule_does_not_stop_categorizing(ledger: Ledger, hub: InProcess) -> None:
    ledger.add_rule("payee", "contains", "tesco", "Groceries")
    # A rule the engine refuses (e.g. stored by an older version): the loop says so and goes on.
    ledger._conn.execute("UPDATE rules SET pattern = '   '")
    ledger._conn.commit()
    out = categorize_pending(ledger, hub, threshold=0.0)
    assert out.notes and "rules skipped" in out.notes[0]
    assert out.by_model == 5


def test_training_params_and_train(ledger: Ledger, hub: InProcess) -> None:
    rows = by_description(ledger)
    ledger.set_category([rows["SHELL 88 LEEDS"].id], "Car", source="user")
    ledger.set_category([rows["ZQXV ODD THING"].id], "Hobby", source="user")
    params = categorizing.training_params(ledger)
    assert [t["category"] for t in params["transactions"]] == ["Car", "Hobby"]
    assert params["transactions"][0]["amount"] == "-60.00"
    assert params["include_defaults"] is True
    result = categorizing.train(ledger, hub)
    assert {"Car", "Hobby", "Groceries"} <= set(result["classes"])


def test_train_with_nothing_learned_is_a_clear_error(ledger: Ledger, hub: InProcess) -> None:
    with pytest.raises(ValueError, match="nothing to learn from yet"):
        categorizing.train(ledger, hub)


def test_reply_must_match_request(ledger: Ledger) -> None:
    txns = ledger.transactions(limit=2)
    with pytest.raises(ValueError, match="does not match"):
        predictions_from_reply(txns, {"predictions": []})
    preds = predictions_from_reply(
        txns,
        {"predictions": [{"category": "A", "confidence": 0.9}, {"category": "", "confidence": 1}]},
        0.5,
    )
    assert [(p.category, p.source) for p in preds] == [("A", "model")]


def test_reply_reasons_travel_with_assigned_and_suggested_categories(ledger: Ledger) -> None:
    txns = ledger.transactions(limit=2)
    preds = predictions_from_reply(
        txns,
        {
            "predictions": [
                {"category": "A", "confidence": 0.9, "reasons": ["tesco", "x" * 200]},
                {"category": "B", "confidence": 0.2, "reasons": "not a list"},
            ]
        },
        0.5,
    )
    assert [(p.category, p.suggestion, p.reasons) for p in preds] == [
        ("A", None, ("tesco", "x" * 80)),
        (None, "B", ()),
    ]


def test_retrainer_debounces() -> None:
    fired = threading.Event()
    calls: list[int] = []

    def run() -> None:
        calls.append(1)
        fired.set()

    retrainer = Retrainer(run, delay=0.2)
    for _ in range(5):
        retrainer.poke()
    assert fired.wait(10)
    retrainer.cancel()
    assert calls == [1]
    assert retrainer.runs == 1


def test_learn_schedules_one_debounced_train(
    ledger: Ledger, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The desktop hook: corrections in a row cause one `train` with every label in the ledger."""
    monkeypatch.setattr(categorizing, "RETRAIN_DEBOUNCE_S", 0.2)
    sent = threading.Event()
    requests: list[tuple[str, str, dict[str, Any]]] = []

    class Reader:
        def submit(self, fn: Any, done: Any = None, failed: Any = None) -> None:
            done(fn(ledger))

    class HubAdapter:
        def request(self, service: str, method: str, params: dict[str, Any], **kw: Any) -> None:
            requests.append((service, method, params))
            sent.set()

    class Ctx:
        reader = Reader()
        hub = HubAdapter()

    ctx = Ctx()
    shell = by_description(ledger)["SHELL 88 LEEDS"]
    ledger.set_category([shell.id], "Car", source="user")
    for _ in range(3):
        categorizing.learn(ctx, [{"id": shell.id, "category": "Car"}])
    assert sent.wait(10)
    categorizing._retrainers.pop(id(ctx)).cancel()
    assert [(s, m) for s, m, _ in requests] == [("categorizer", "train")]
    assert [t["category"] for t in requests[0][2]["transactions"]] == ["Car"]


def test_training_params_keep_the_newest_labels_that_fit(ledger: Ledger) -> None:
    """A budget in bytes keeps the newest labelled rows, oldest first: the request stays under
    the wire's frame limit however many rows a rule labelled."""
    rows = by_description(ledger)
    ledger.set_category([t.id for t in rows.values()], "Stuff", source="rule")
    everything = categorizing.training_params(ledger)["transactions"]
    assert [t["date"] for t in everything] == [f"2024-01-0{d}" for d in range(2, 7)]
    # room for the newest three rows only (each about 120 bytes and its texts)
    kept = categorizing.training_params(ledger, budget=3 * 160)["transactions"]
    assert [t["date"] for t in kept] == ["2024-01-04", "2024-01-05", "2024-01-06"]


@pytest.mark.slow
def test_a_rule_over_a_big_ledger_still_trains_within_one_frame(tmp_path: Path) -> None:
    """30,000 rule-labelled rows with long descriptions: about 20 MB as rows, and the `train`
    request must still fit the wire's 16 MiB frame (it was refused at every retrain)."""
    from sidecars import protocol

    path = tmp_path / "big.csv"
    pad = "X" * 600
    lines = [
        f"2024-{1 + i % 12:02d}-{1 + i % 28:02d},SHOP {i} {pad},-1.00\n" for i in range(120_000)
    ]
    path.write_text("Date,Description,Amount\n" + "".join(lines), encoding="utf-8")
    with Ledger.open(tmp_path / "big.sqlite") as led:
        led.import_file(path, "Main")
        ids = [t.id for t in led.iter_transactions()]
        led.set_category(ids, "Shopping", source="rule")
        params = categorizing.training_params(led)
    request = protocol.Request(
        id="1", service="categorizer", method="train", params=params, deadline_ms=1000
    )
    assert len(protocol.encode(request)) <= protocol.MAX_FRAME
    assert 10_000 < len(params["transactions"]) < 30_000
    dates = [t["date"] for t in params["transactions"]]
    assert dates == sorted(dates) and dates[-1] == "2024-12-28"  # the newest are kept


def test_requeue_payees_asks_again_only_what_the_model_decided(ledger: Ledger) -> None:
    rows = by_description(ledger)
    tesco, shell, netflix = (
        rows["CARD PAYMENT TO TESCO STORES 3297 LONDON"],
        rows["SHELL 88 LEEDS"],
        rows["NETFLIX.COM"],
    )
    ledger.apply_predictions(
        [Prediction(t.id, "Stuff", confidence=0.9) for t in (tesco, shell, netflix)]
    )
    ledger.set_category([shell.id], "Car", source="user")
    ledger.set_category([netflix.id], "Subscriptions", source="rule")
    n = ledger.requeue_payees([tesco.payee, shell.payee, netflix.payee, "Nobody"])
    states = {t.id: t.categorize_state for t in ledger.iter_transactions()}
    assert n == 1
    assert states[tesco.id] == "pending"  # the model's guess is asked again
    assert states[shell.id] != "pending" and states[netflix.id] != "pending"
    assert ledger.requeue_payees([]) == 0
