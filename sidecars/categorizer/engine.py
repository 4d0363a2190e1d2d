"""The categorizer's state inside its sidecar: the model in use, training beside it, the store.

Params arrive as plain dicts from the wire and are checked here (InputError with one clear
sentence); inner code trusts them. Training builds a new model on the calling worker thread while
predictions keep using the current one, then swaps the reference under a lock: serving never waits
for training. A new user with no model gets the built-in default, trained from defaults.csv (data
the project wrote itself) and stored as a version like any other. Never opens the ledger.
"""

from __future__ import annotations

import csv
import itertools
import math
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from data.payee import normalize_payee
from sidecars.categorizer.features import MAX_TEXT, Row, prime
from sidecars.categorizer.gc_pause import gc_paused
from sidecars.categorizer.model import Example, Model, Prediction, train
from sidecars.categorizer.store import ModelStore, StoreError

DEFAULTS_CSV = Path(__file__).with_name("defaults.csv")
# A reply must fit the wire's 16 MB frame; callers batch (the desktop loop sends 2,000 at a time).
MAX_PREDICT = 20_000
MAX_TRAIN = 100_000
MAX_CATEGORY = 200
# At most this many wire replies are kept for predictions the model remembers.
MAX_BUILT = 50_000
# Built-in rows predicted at start-up: enough to touch every code path of a prediction.
WARM_UP_ROWS = 64


class InputError(ValueError):
    """Params that cannot be used; str() is one sentence for the caller."""


def default_examples() -> list[Example]:
    """The built-in training set: common merchants and categories, in several bank styles."""
    with DEFAULTS_CSV.open(encoding="utf-8", newline="") as f:
        return [
            Example(r["description"], float(r["amount"]), r["category"]) for r in csv.DictReader(f)
        ]


def _text(value: object, what: str, i: int) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise InputError(f"transaction {i}: {what} must be text, not {type(value).__name__}")
    value = value[: MAX_TEXT * 4]
    if value.isascii():
        return value
    # Lone surrogates (undecodable bytes smuggled through) are dropped rather than crash encoding.
    return value.encode("utf-8", "ignore").decode("utf-8")


def _amount(value: object, i: int) -> float:
    if value is None or value == "":
        return math.nan
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise InputError(f"transaction {i}: amount must be a decimal string like '-12.50'")
    try:
        amount = float(value)
    except ValueError:
        try:
            amount = float(str(value).replace(",", "").strip())
        except ValueError:
            raise InputError(
                f"transaction {i}: amount {str(value)[:40]!r} is not a number"
            ) from None
    return amount if math.isfinite(amount) else math.nan


def _transactions(params: dict[str, Any], limit: int) -> list[dict[str, Any]]:
    txns = params.get("transactions") if isinstance(params, dict) else None
    if not isinstance(txns, list):
        raise InputError("params need 'transactions': a list of {description, amount, ...}")
    if len(txns) > limit:
        raise InputError(
            f"{len(txns)} transactions in one request; send at most {limit} per request"
        )
    if not all(map(isinstance, txns, itertools.repeat(dict))):
        i = next(i for i, t in enumerate(txns) if not isinstance(t, dict))
        raise InputError(f"transaction {i} is not an object")
    return txns


def parse_columns(params: dict[str, Any]) -> tuple[list[str], list[float]]:
    """The descriptions and amounts to predict from `predict` params, as two columns.

    The usual request (ASCII descriptions of normal length, amounts as decimal strings or
    numbers) is checked and converted a column at a time; anything else goes row by row through
    the same checks, which name the first bad transaction."""
    txns = _transactions(params, MAX_PREDICT)
    texts: list[Any] = [t.get("description") for t in txns]
    values: list[Any] = [t.get("amount") for t in txns]
    if not (
        set(map(type, texts)) <= {str}
        and max(map(len, texts), default=0) <= MAX_TEXT * 4
        and "".join(texts).isascii()
    ):
        texts = [_text(v, "description", i) for i, v in enumerate(texts)]
    try:
        if not set(map(type, values)) <= {str, float, int}:
            raise ValueError  # None, "" and bools: each row's own check
        amounts = list(map(float, values))
    except ValueError:
        amounts = [_amount(v, i) for i, v in enumerate(values)]
    else:
        if not all(map(math.isfinite, amounts)):
            amounts = [a if math.isfinite(a) else math.nan for a in amounts]
    return texts, amounts


def parse_rows(params: dict[str, Any]) -> list[Row]:
    """Rows to predict from `predict` params."""
    return list(map(Row, *parse_columns(params)))


def parse_examples(params: dict[str, Any]) -> list[Example]:
    """Labeled examples from `train` params, in the order given (callers send them by date)."""
    out = []
    for i, t in enumerate(_transactions(params, MAX_TRAIN)):
        category = _text(t.get("category"), "category", i).strip()
        if not category:
            raise InputError(f"transaction {i} has no category to learn from")
        if len(category) > MAX_CATEGORY:
            raise InputError(f"transaction {i}: category is over {MAX_CATEGORY} characters")
        out.append(
            Example(
                _text(t.get("description"), "description", i), _amount(t.get("amount"), i), category
            )
        )
    return out


def _reply(p: Prediction) -> dict[str, Any]:
    return {
        "category": p.category,
        "confidence": round(p.confidence, 6),
        "reasons": p.reasons,
        "alternatives": [{"category": c, "probability": round(pr, 6)} for c, pr in p.alternatives],
    }


class Categorizer:
    """The model in use plus its store; thread-safe for concurrent predict and train."""

    def __init__(self, store: ModelStore | None = None) -> None:
        self.store = store or ModelStore()
        self._model: Model | None = None
        # Wire replies already built, by id of their (kept) Prediction: see _replies().
        self._built: dict[int, tuple[Prediction, dict[str, Any]]] = {}
        self._lock = threading.Lock()  # guards _model (the swap)
        self._train_lock = threading.Lock()  # one training at a time; serving never takes it
        self._load_lock = threading.Lock()  # one first load at a time

    def model(self) -> Model:
        """The current model, loading it (or training the built-in default) on first use."""
        with self._lock:
            if self._model is not None:
                return self._model
        # One loader at a time: a request that arrives while warm_up() loads waits for that load
        # instead of reading the same files a second time.
        with self._load_lock:
            with self._lock:
                if self._model is not None:
                    return self._model
            try:
                model = self.store.load()
            except StoreError:
                with self._train_lock:
                    try:
                        model = self.store.load()
                    except StoreError:
                        model = train(default_examples(), holdout=False)
                        self.store.save(model, source="builtin")
            with self._lock:
                if self._model is None:
                    self._model, self._built = model, {}
                return self._model

    def warm_up(self) -> float:
        """Load the model, predict a few built-in rows, compute the features of the texts it was
        trained on and predict its training row keys, so the first real request pays for none of
        it (model files, first-call numpy/scipy paths, the payees and n-grams of known merchants,
        their answers at familiar amounts); returns the seconds."""
        started = time.perf_counter()
        rows = [Row(e.description, e.amount) for e in default_examples()[:WARM_UP_ROWS]]
        model = self.model()
        model.predict(rows)
        if not model.reads_words():  # the word model's features are computed as it predicts
            prime(model.texts)
        model.warm(model.keys)
        return time.perf_counter() - started

    def predict(self, params: dict[str, Any]) -> dict[str, Any]:
        """`predict` method: one prediction per transaction, in order."""
        model = self.model()
        with gc_paused():
            out = self._replies(model.predict_columns(*parse_columns(params)))
        return {"model_version": model.meta.get("model_version"), "predictions": out}

    def _replies(self, preds: list[Prediction]) -> list[dict[str, Any]]:
        """The wire form of each prediction. Rows with the same features share one Prediction,
        which the model keeps across requests: its reply is built once and shared too (replies
        are encoded for the wire, so the sharing is invisible to the caller). Entries hold their
        Prediction, so an id is never mistaken for a newer object's."""
        known = self._built
        ids = list(map(id, preds))
        of_id = dict(zip(ids, preds, strict=True))
        replies: dict[int, dict[str, Any]] = {}
        for i, p in of_id.items():
            entry = known.get(i)
            if entry is None or entry[0] is not p:
                entry = known[i] = (p, _reply(p))
            replies[i] = entry[1]
        if len(known) > MAX_BUILT:
            self._built = {}  # a new dict: another request may be reading the old one
        return list(map(replies.__getitem__, ids))

    def train(
        self, params: dict[str, Any], progress: Callable[[], None] = lambda: None
    ) -> dict[str, Any]:
        """`train` method: fit beside the model in use, store it, then swap it in."""
        examples = parse_examples(params)
        with_defaults = bool(params.get("include_defaults"))
        if with_defaults:
            # A payee the user has labelled is theirs: the built-in rows of it are left out, or
            # one correction ("Virgin Media" is Home broadband) was outvoted by the defaults' two.
            # The user's own labels come last so they win ties and anchor the holdout estimate.
            own = {normalize_payee(e.description) for e in examples}
            kept = [d for d in default_examples() if normalize_payee(d.description) not in own]
            examples = kept + examples
        if not examples:
            raise InputError("no labeled transactions to learn from")
        with self._train_lock, gc_paused():
            progress()
            model = train(examples)
            progress()
            version = self.store.save(model, source="user+builtin" if with_defaults else "user")
        with self._lock:
            self._model, self._built = model, {}
        return {
            "model_version": version,
            "n_samples": len(examples),
            "classes": model.classes,
            "cv_accuracy": model.meta.get("cv_accuracy"),
            # Which model the training data chose ("features" or "words"); None: no choice made.
            "chosen": model.meta.get("chosen"),
        }

    def versions(self, _params: dict[str, Any]) -> dict[str, Any]:
        """`versions` method: the kept model versions, oldest first."""
        self.model()  # a brand-new store gets its built-in version first
        return {"current": self.store.current(), "versions": self.store.versions()}

    def rollback(self, params: dict[str, Any]) -> dict[str, Any]:
        """`rollback` method: make a kept version current again."""
        version = params.get("model_version") if isinstance(params, dict) else None
        if not isinstance(version, str) or not version:
            raise InputError("rollback needs 'model_version', e.g. 'v000002'")
        with self._train_lock:
            try:
                model = self.store.rollback(version)
            except StoreError as exc:
                raise InputError(str(exc)) from None
        with self._lock:
            self._model, self._built = model, {}
        return {"model_version": version, "classes": model.classes}
