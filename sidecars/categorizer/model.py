"""The categorizer's model: one-vs-rest logistic regression over payee/description features.

Chosen by measurement on the labeled sets (bench/categorize.py, chronological 70/30): against
LinearSVC, SGD (log loss) and complement naive Bayes over the same features, logistic regression
was as accurate or better on every set (yassirawad 0.58 vs 0.50 for LinearSVC) and gives
probabilities directly, so it needs no calibration fold (which classes with one example would not
survive). One-vs-rest (liblinear) matched multinomial lbfgs within two test rows per set, with the
same precision at a given confidence, and trains 3x faster: lbfgs's own bookkeeping grows with
features x classes. Confidence is each class's sigmoid, normalized over classes. Character
n-grams are down-weighted: on human-cleaned payees they add noise, on raw bank strings they catch
truncated merchant names.

From CHOOSE_MIN_ROWS labeled rows, a second model is tried beside it: smart_importer's word
1-3-gram counts and linear SVC, kept instead only where it gets clearly more of the newest rows
right (see train; on the Indian UPI set 0.934 -> 0.978, no labeled set lower). Its scores are
temperature-scaled on those rows, so its confidence is calibrated as ours is.

Training uses scikit-learn (imported lazily); prediction is numpy/scipy only, from weights this
module can save and load without pickle. Never reads or writes files itself (store.py does).
"""

from __future__ import annotations

import itertools
import math
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import numpy as np
import numpy.typing as npt

from sidecars.categorizer.features import (
    CountVocabulary,
    Row,
    RowKey,
    Vocabulary,
    amount_features,
    fold_many,
    keep_codes,
    key_features,
    word_ngrams,
)
from sidecars.categorizer.gc_pause import gc_paused

# Measured on the labeled sets (see module docstring); not tuned per file.
C = 20.0
CHAR_WEIGHT = 0.4
# Character n-grams seen in fewer rows than this are left out. Measured: 2 removed only ~2% of the
# features on the pooled labeled sets and cost half a point on one, so every n-gram is kept.
CHAR_MIN_DF = 1
# A code (n:, see features._CODE_RE) seen in fewer training rows than this is left out: a number
# that never recurs is a reference, not a code. Measured (chronological 5-fold CV) on the labeled
# sets and three others from public repositories: with 1, a UK set of one row per merchant lost
# half a point and the share at 95% precision on an Indian UPI set was 0.91 instead of 0.95.
NUMBER_MIN_DF = 2
# A code is one feature where a payee word is several (payee and description words, pairs, letters),
# so its idf counts twice, as a word read in both views would. Measured: on the Indian UPI set
# (the only one of six with many codes) 1 -> 2 -> 3 gave chronological CV 0.900 -> 0.927 -> 0.927
# (70/30 split 0.890 -> 0.934 -> 0.956); the other five sets scored the same with every weight.
NUMBER_WEIGHT = 2.0
MAX_ITER = 300
# liblinear stopping tolerance: 1e-2 scored exactly as 1e-3 on every labeled set, ~40% sooner.
TOL = 1e-2
N_ALTERNATIVES = 3
N_REASONS = 3
# At most this many training texts (and row keys) are kept for warming the caches at start-up.
MAX_WARM_TEXTS = 20_000
# At most this many predictions are remembered per model (~700 bytes each: ~35 MB when full).
MAX_ANSWERS = 50_000
# The choice between our features and a word model (see train). Below CHOOSE_MIN_ROWS the newest
# CHOOSE_HOLDOUT share is under 45 rows, where two models differ by a row or two on nearly every
# labeled set: no evidence to choose by, and word counts are the weaker model on few examples
# (bench learning curves), so ours is kept.
CHOOSE_MIN_ROWS = 150
CHOOSE_HOLDOUT = 0.3
# The choice reads at most the newest this many rows (1,200 held out: a 0.5% margin is 6 rows),
# so it costs two fits of 2,800 rows however many there are; the models kept are fitted on all.
# Measured on 10k rows: with every row the choice tripled the fit's time (0.58 -> 1.5 s).
CHOOSE_MAX_ROWS = 4000
# The word model must get this many more holdout rows right (and CHOOSE_MIN_SHARE of them), so a
# coin-flip row never switches model.
CHOOSE_MIN_ROWS_BETTER = 2
CHOOSE_MIN_SHARE = 0.005
# smart_importer's LinearSVC, as scikit-learn ships it, but stopping at TOL: its default 1e-4 took
# 0.8 s of CPU on 7k rows of 92 classes, 1e-2 0.4 s, with the same choices and accuracy on every
# labeled set.
WORDS_C = 1.0
WORDS_FEATURES = "words"


@dataclass(frozen=True)
class Example:
    """One labeled transaction for training."""

    description: str
    amount: float
    category: str


@dataclass(frozen=True)
class Prediction:
    """The model's answer for one transaction."""

    category: str
    confidence: float
    reasons: list[str]
    alternatives: list[tuple[str, float]]


@dataclass
class Model:
    """Trained weights: scores = X @ coef_t + intercept, softmax over classes."""

    classes: list[str]
    vocabulary: Vocabulary
    coef_t: npt.NDArray[np.float64]  # (n_features, n_classes), C-contiguous for sparse @ dense
    intercept: npt.NDArray[np.float64]  # (n_classes,)
    meta: dict[str, Any] = field(default_factory=dict)
    # The folded descriptions it was trained on, most recent last: the sidecar computes their
    # features at start-up, so a new statement from known merchants finds them ready.
    texts: list[str] = field(default_factory=list)
    # The (folded text, amount features) keys it was trained on, most recent last: the sidecar
    # predicts them at start-up (warm()), so known merchants at familiar amounts cost a lookup.
    keys: list[RowKey] = field(default_factory=list)
    _mean: npt.NDArray[np.float64] | None = field(
        default=None, init=False, repr=False, compare=False
    )
    _codes: frozenset[str] | None = field(default=None, init=False, repr=False, compare=False)
    # Predictions already made, by row key. A model never changes once trained, so an answer
    # stays right; bounded, and emptied when full (it refills with what is still being asked).
    _answers: dict[RowKey, Prediction] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )

    def predict(self, rows: Sequence[Row]) -> list[Prediction]:
        """One prediction per row, in order."""
        if not rows:
            return []
        descriptions, amounts = zip(*rows, strict=True)
        return self.predict_columns(descriptions, amounts)

    def predict_columns(
        self, descriptions: Sequence[str], amounts: Sequence[float]
    ) -> list[Prediction]:
        """`predict` for rows given as two columns (what the sidecar parses), in order."""
        if not descriptions:
            return []
        with gc_paused():
            # Column by column and through C-level map/zip: a Python loop per row costs more
            # than everything else a statement of known merchants needs.
            folded = keep_codes(fold_many(descriptions), self.known_codes())
            # The word model reads no amount: leaving it out of the key shares one answer per text.
            sizes: Any = (
                itertools.repeat((), len(folded))
                if self.reads_words()
                else map(amount_features, amounts)
            )
            keys: list[RowKey] = list(zip(folded, sizes, strict=True))
            found = self._answer(dict.fromkeys(keys))
            return list(map(found.__getitem__, keys))

    def reads_words(self) -> bool:
        """Whether this is the word model (word 1-3-gram counts) rather than our features."""
        return self.meta.get("features") == WORDS_FEATURES

    def known_codes(self) -> frozenset[str]:
        """The codes (n: features) this model learned; a row's other codes are left out of its
        key (see features.keep_codes)."""
        if self._codes is None:
            self._codes = frozenset(n[2:] for n in self.vocabulary.names if n.startswith("n:"))
        return self._codes

    def warm(self, keys: Sequence[RowKey], batch: int = 2_000) -> None:
        """Predict these row keys ahead of the requests that will ask for them."""
        with gc_paused():
            for start in range(0, len(keys), batch):
                self._answer(dict.fromkeys(keys[start : start + batch]))

    def clear_cache(self) -> None:
        """Forget the predictions already made (benchmarks measure cold prediction with it)."""
        self._answers = {}

    def _answer(self, wanted: dict[RowKey, Prediction | None]) -> dict[RowKey, Prediction]:
        """Fill `wanted` (distinct keys) with predictions: known ones from the cache, the rest
        scored together. Statements repeat merchants and amounts constantly, so each distinct
        key is scored once per request at most."""
        answers = self._answers
        for key in wanted:
            wanted[key] = answers.get(key)
        missing = [key for key, p in wanted.items() if p is None]
        if missing:
            features = (lambda k: word_ngrams(k[0])) if self.reads_words() else key_features
            made = self._predict_distinct(list(map(features, missing)))
            wanted.update(zip(missing, made, strict=True))
            if len(answers) + len(missing) > MAX_ANSWERS:
                # A new dict, not clear(): another thread may be reading the old one.
                answers = self._answers = {}
            answers.update(zip(missing, made, strict=True))
        return wanted  # type: ignore[return-value]

    def _predict_distinct(self, docs: list[tuple[str, ...]]) -> list[Prediction]:
        x = self.vocabulary.transform(docs)
        scores = np.asarray(x @ self.coef_t) + self.intercept
        proba = _softmax(scores) if self.meta.get("link") == "softmax" else _ovr(scores)
        order = np.argsort(-proba, axis=1)[:, : N_ALTERNATIVES + 1]
        reasons = self._reasons(x, order[:, 0])
        # A one-class model would say 1.0; say the rule-of-succession confidence instead.
        fixed = self.meta.get("single_class_confidence")
        classes = self.classes
        # Plain lists from here on: indexing numpy scalars row by row costs more than the maths.
        top_p = np.take_along_axis(proba, order, axis=1).tolist()
        out = []
        for top, ps, why in zip(order.tolist(), top_p, reasons, strict=True):
            out.append(
                Prediction(
                    category=classes[top[0]],
                    confidence=float(fixed) if fixed is not None else ps[0],
                    reasons=why,
                    alternatives=[
                        (classes[k], pk)
                        for k, pk in zip(top[1:], ps[1:], strict=True)
                        if pk > 0.0005
                    ],
                )
            )
        return out

    def _coef_mean(self) -> npt.NDArray[np.float64]:
        """Each feature's weight averaged over classes (computed once: it is a full pass)."""
        if self._mean is None:
            self._mean = self.coef_t.mean(axis=1)
        return self._mean

    def _reasons(self, x: Any, best: npt.NDArray[np.intp]) -> list[list[str]]:
        """The features that pushed each row towards its predicted class the most (vectorized)."""
        n_rows = x.shape[0]
        out: list[list[str]] = [[] for _ in range(n_rows)]
        if len(self.classes) > 1 and x.nnz:
            # Contribution relative to the average class, so words common to all classes don't win.
            row_of = np.repeat(np.arange(n_rows), np.diff(x.indptr))
            cols = x.indices
            contrib = x.data * (self.coef_t[cols, best[row_of]] - self._coef_mean()[cols])
            # Only features that pushed towards the class can be reasons: sort just those, by row
            # then by strength, and keep each row's first few.
            pos = np.flatnonzero(contrib > 0)
            # One float key sorts by row, then by strength within the row (1 / (1 + c) falls in
            # (0, 1) as c grows): a stable argsort of it orders as a lexsort of both, ~3x sooner.
            order = pos[np.argsort(row_of[pos] + 1.0 / (1.0 + contrib[pos]), kind="stable")]
            rows_sorted = row_of[order]
            rank = np.arange(len(order)) - np.searchsorted(rows_sorted, rows_sorted)
            keep = order[rank < 2 * N_REASONS]
            names = self.vocabulary.names
            seen: set[tuple[int, str]] = set()
            for r, c in zip(row_of[keep].tolist(), cols[keep].tolist(), strict=True):
                # "tesco" as a payee word and as a description word is one reason, not two.
                value = names[c].partition(":")[2]
                if len(out[r]) < N_REASONS and (r, value) not in seen:
                    seen.add((r, value))
                    out[r].append(describe_feature(names[c]))
        for reasons in out:
            if not reasons:
                reasons.append(
                    "the only category learned so far"
                    if len(self.classes) == 1
                    else "no familiar words; the most likely category overall"
                )
        return out


@lru_cache(maxsize=100_000)
def describe_feature(name: str) -> str:
    """A feature name as a person reads it: 'p:tesco' -> 'payee word "tesco"'."""
    kind, _, value = name.partition(":")
    value = value.strip()
    return {
        "p": f'payee word "{value}"',
        "P": f'payee "{value}"',
        "w": f'word "{value}"',
        "c": f'letters "{value}"',
        "n": f'number "{value}"',
        "g": f'words "{value}"',
        "amount": f"amount {value}",
    }.get(kind, name)


def _ovr(scores: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    """One-vs-rest probabilities: each class's sigmoid, normalized to sum to one."""
    proba = 1.0 / (1.0 + np.exp(-np.clip(scores, -500, 500)))
    proba /= np.maximum(proba.sum(axis=1, keepdims=True), 1e-300)
    return proba


def _softmax(scores: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    scores = scores - scores.max(axis=1, keepdims=True)
    np.exp(scores, out=scores)
    scores /= scores.sum(axis=1, keepdims=True)
    return scores


def _weighted_vocabulary(
    docs: Sequence[tuple[str, ...]], counts: npt.NDArray[np.float64] | None = None
) -> Vocabulary:
    vocab = Vocabulary.fit(docs, counts, char_min_df=CHAR_MIN_DF, number_min_df=NUMBER_MIN_DF)
    kinds = [n[:2] for n in vocab.names]
    scale = np.array(
        [CHAR_WEIGHT if k == "c:" else NUMBER_WEIGHT if k == "n:" else 1.0 for k in kinds],
        dtype=np.float64,
    )
    return Vocabulary(vocab.names, vocab.idf * scale if len(scale) else vocab.idf)


@gc_paused()
def train(examples: Sequence[Example], *, holdout: bool = True, choose: bool = True) -> Model:
    """Fit a model; handles one class and classes with a single example explicitly.

    With `choose` and at least CHOOSE_MIN_ROWS examples of two classes or more, our features and a
    word model (smart_importer's: word 1-3-gram counts, linear SVC) are each fitted on the older
    70% and scored on the newest 30% (of the newest CHOOSE_MAX_ROWS); the word model replaces ours
    (refitted on every row) only if it gets clearly more of them right (CHOOSE_MIN_ROWS_BETTER).
    Why: a user whose bank writes merchants as opaque tokens (Indian UPI narrations) is served
    better by word n-grams (bench/experiments/model_choice.py), while on human-cleaned payees ours
    is far ahead. Only
    one model is ever kept, so prediction costs the same. meta["chosen"] says which ("features",
    "words"), meta["choice"] the holdout counts; None when no choice was made.

    With `holdout`, accuracy on the chronologically newest rows (when a choice was made, the
    chosen model's on its holdout: the better of two on the same rows, so a little optimistic;
    else on the newest 20%) is recorded in meta["cv_accuracy"]; None when there are too few
    examples to say anything.
    """
    if not examples:
        raise ValueError("no labeled transactions to learn from")
    started = time.perf_counter()
    choice = _choose(examples) if choose else None
    scale = choice.pop("scale") if choice is not None else None
    if choice is not None and choice["chosen"] == WORDS_FEATURES:
        model = _train_words(examples, scale or (1.0, 0.0))
    else:
        model = _train_features(examples)
    if choice is not None:
        best = choice[choice["chosen"]]
        cv = round(best / choice["holdout_rows"], 4)
    else:
        cv = _holdout_accuracy(examples) if holdout else None
    model.meta.update(
        cv_accuracy=cv if holdout else None,
        chosen=choice["chosen"] if choice else None,
        choice=choice,
        train_seconds=round(time.perf_counter() - started, 4),
    )
    return model


def _train_features(examples: Sequence[Example]) -> Model:
    """Our model: payee/description features, one-vs-rest logistic regression."""
    labels = [e.category for e in examples]
    counts = Counter(labels)
    # Identical (features, label) pairs become one weighted row: the same optimum, found in a
    # fraction of the time on real statements, where most rows repeat a known merchant. Grouped
    # first by the cheap row key, then by features (several keys can share them).
    keys = zip(
        fold_many([e.description for e in examples]),
        map(amount_features, [e.amount for e in examples]),
        strict=True,
    )
    by_key = Counter(zip(keys, labels, strict=True))
    grouped: Counter[tuple[tuple[str, ...], str]] = Counter()
    for (key, label), n in by_key.items():
        grouped[key_features(key), label] += n
    docs = list(grouped)
    weights = np.fromiter(grouped.values(), dtype=np.float64, count=len(grouped))
    vocab = _weighted_vocabulary([d for d, _ in docs], weights)
    classes = sorted(counts)
    if len(classes) == 1:
        # Nothing to discriminate: every prediction is the one class, with a confidence that grows
        # with the evidence (Laplace's rule of succession) rather than a false 1.0.
        n = len(examples)
        coef_t = np.zeros((len(vocab.names), 1), dtype=np.float64)
        model = Model(classes, vocab, coef_t, np.zeros(1), {})
        model.meta["single_class_confidence"] = (n + 1) / (n + 2)
    else:
        x = vocab.transform(d for d, _ in docs)
        coef_t, intercept = _fit(x, [lab for _, lab in docs], classes, weights)
        model = Model(classes, vocab, coef_t, intercept, {})
    # The row keys as prediction will make them: with only the codes the model learned.
    seen = [key for key, _ in by_key]
    texts = keep_codes([text for text, _ in seen], model.known_codes())
    model.texts = list(dict.fromkeys(texts))[-MAX_WARM_TEXTS:]
    model.keys = list(dict.fromkeys(zip(texts, (a for _, a in seen), strict=True)))[
        -MAX_WARM_TEXTS:
    ]
    model.meta.update(
        n_samples=len(examples),
        classes=classes,
        class_counts=dict(counts),
        algorithm=f"one-vs-rest logistic regression C={C} char-weight={CHAR_WEIGHT}",
        link="ovr",
    )
    return model


def _train_words(examples: Sequence[Example], scale: tuple[float, float] = (1.0, 0.0)) -> Model:
    """The word model: word 1-3-gram counts of the folded text, one-vs-rest linear SVC (as
    smart_importer fits it), its scores turned into probabilities by `scale` (a, b): softmax of
    a * score + b (see _platt)."""
    import warnings

    from sklearn.exceptions import ConvergenceWarning
    from sklearn.svm import LinearSVC

    labels = [e.category for e in examples]
    counts = Counter(labels)
    classes = sorted(counts)
    folded = keep_codes(fold_many([e.description for e in examples]), frozenset())
    grouped = Counter(zip(folded, labels, strict=True))
    docs = [word_ngrams(text) for text, _ in grouped]
    weights = np.fromiter(grouped.values(), dtype=np.float64, count=len(grouped))
    names = sorted({f for doc in docs for f in doc})
    vocab = CountVocabulary(names, np.ones(len(names)))
    x = vocab.transform(docs)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf = LinearSVC(C=WORDS_C, dual=True, tol=TOL, random_state=0).fit(
            x, [lab for _, lab in grouped], sample_weight=weights
        )
    coef = np.asarray(clf.coef_, dtype=np.float64)
    intercept = np.asarray(clf.intercept_, dtype=np.float64)
    if len(classes) == 2:  # one score for classes[1]; classes[0]'s is its negative
        coef = np.vstack([-coef[0], coef[0]])
        intercept = np.array([-intercept[0], intercept[0]])
    a, b = scale
    model = Model(classes, vocab, np.ascontiguousarray(coef.T * a), intercept * a + b, {})
    texts = list(dict.fromkeys(folded))[-MAX_WARM_TEXTS:]
    model.texts = texts
    model.keys = [(t, ()) for t in texts]
    model.meta.update(
        n_samples=len(examples),
        classes=classes,
        class_counts=dict(counts),
        algorithm=f"word 1-3-gram counts, one-vs-rest linear SVC C={WORDS_C}, temperature-scaled",
        features=WORDS_FEATURES,
        link="softmax",
        temperature=round(1 / a, 6),
    )
    return model


def _choose(examples: Sequence[Example]) -> dict[str, Any] | None:
    """Our features or the word model, by the newest CHOOSE_HOLDOUT share of the newest
    CHOOSE_MAX_ROWS `examples` (models fitted on the rows before it): {"chosen", "holdout_rows",
    "features", "words" (rows right), "scale" (the word model's score scaling, fitted on those
    rows)}; None when there is too little to choose by."""
    recent = examples[-CHOOSE_MAX_ROWS:]
    n = len(recent)
    cut = int(n * (1 - CHOOSE_HOLDOUT))
    older, newest = recent[:cut], recent[cut:]
    if n < CHOOSE_MIN_ROWS or len({e.category for e in older}) < 2:
        return None
    rows = [Row(e.description, e.amount) for e in newest]
    truth = [e.category for e in newest]
    ours = _train_features(older).predict(rows)
    words = _train_words(older)
    hits_ours = sum(p.category == t for p, t in zip(ours, truth, strict=True))
    hits_words = sum(p.category == t for p, t in zip(words.predict(rows), truth, strict=True))
    margin = max(CHOOSE_MIN_ROWS_BETTER, math.ceil(CHOOSE_MIN_SHARE * len(newest)))
    better = hits_words >= hits_ours + margin
    return {
        "chosen": WORDS_FEATURES if better else "features",
        "holdout_rows": len(newest),
        "features": hits_ours,
        WORDS_FEATURES: hits_words,
        "scale": _temperature(words, rows, truth) if better else None,
    }


def _temperature(words: Model, rows: list[Row], truth: list[str]) -> tuple[float, float]:
    """Temperature scaling of the word model's SVC scores, fitted on rows it was not trained on:
    the one factor a for which softmax(a * scores) has the least log loss on them (b is 0: a
    softmax ignores a shift shared by every class). A linear map of the scores, so it folds into
    the weights and prediction is unchanged. Measured: a sigmoid per class fitted the same way
    (Platt), normalized as ours are, was under-confident with many classes (hackclub ECE 0.12).
    (1, 0) when no held-out row's category is known to the model."""
    from scipy.optimize import minimize_scalar

    keys = keep_codes(fold_many([r.description for r in rows]), frozenset())
    x = words.vocabulary.transform([word_ngrams(k) for k in keys])
    scores = np.asarray(x @ words.coef_t) + words.intercept
    index = {c: i for i, c in enumerate(words.classes)}
    known = [(i, index[t]) for i, t in enumerate(truth) if t in index]
    if not known:
        return 1.0, 0.0
    held = scores[[i for i, _ in known]]
    n, k = held.shape
    # Targets smoothed by the rule of succession (what a one-class model says, see train): rows
    # it got all right must not make it certain, so the factor stays finite and 1.0 is never said.
    eps = 1.0 / (n + 2)
    target = np.full(held.shape, eps / max(k - 1, 1))
    target[np.arange(n), [c for _, c in known]] = 1.0 - eps

    def loss(log_a: float) -> float:
        z = held * math.exp(log_a)
        z -= z.max(axis=1, keepdims=True)
        log_p = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
        return float(-(target * log_p).sum(axis=1).mean())

    best = minimize_scalar(loss, bounds=(-5.0, 5.0), method="bounded")
    return math.exp(float(best.x)), 0.0


def _fit(
    x: Any, labels: Sequence[str], classes: list[str], weights: npt.NDArray[np.float64]
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    import warnings

    from sklearn.exceptions import ConvergenceWarning
    from sklearn.linear_model import LogisticRegression

    y = np.asarray(labels)
    # With two classes one model decides; the other class's score is its negative.
    targets = classes[1:] if len(classes) == 2 else classes
    with warnings.catch_warnings():
        # A loose tolerance is plenty for the ranking we need; full convergence costs time only.
        warnings.simplefilter("ignore", ConvergenceWarning)
        fitted = _fit_all(x, y, classes, weights) if len(classes) > 2 else None
        if fitted is not None:
            coef, intercept = fitted
        else:
            coef = np.zeros((len(targets), x.shape[1]), dtype=np.float64)
            intercept = np.zeros(len(targets), dtype=np.float64)
            for k, cls in enumerate(targets):
                clf = LogisticRegression(C=C, solver="liblinear", max_iter=MAX_ITER, tol=TOL)
                clf.fit(x, y == cls, sample_weight=weights)
                coef[k] = clf.coef_[0]
                intercept[k] = clf.intercept_[0]
    if len(classes) == 2:
        coef = np.vstack([-coef[0], coef[0]])
        intercept = np.array([-intercept[0], intercept[0]])
    return np.ascontiguousarray(coef.T), intercept


def _fit_all(
    x: Any, y: npt.NDArray[Any], classes: list[str], weights: npt.NDArray[np.float64]
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]] | None:
    """Every class's one-vs-rest fit in one liblinear call (what LinearSVC does for many classes):
    the same binary problems and weights as a LogisticRegression per class, without its per-fit
    checks, which cost ~20% of training with 90 classes. Uses scikit-learn's private helper, so
    any surprise (a renamed or changed helper) returns None and the caller fits class by class."""
    try:
        from sklearn.svm._base import _fit_liblinear

        coef, intercept, _ = _fit_liblinear(
            x, y, C, True, 1.0, None, "l2", False, 0, MAX_ITER, TOL, None, sample_weight=weights
        )
    except (ImportError, TypeError, ValueError):
        return None
    coef = np.asarray(coef, dtype=np.float64)
    intercept = np.asarray(intercept, dtype=np.float64)
    if coef.shape != (len(classes), x.shape[1]) or intercept.shape != (len(classes),):
        return None
    return coef, intercept


def _holdout_accuracy(examples: Sequence[Example]) -> float | None:
    n = len(examples)
    cut = int(n * 0.8)
    if n < 20 or len({e.category for e in examples[:cut]}) < 2:
        return None
    model = train(examples[:cut], holdout=False, choose=False)
    test = examples[cut:]
    preds = model.predict([Row(e.description, e.amount) for e in test])
    hits = sum(p.category == e.category for p, e in zip(preds, test, strict=True))
    return round(hits / len(test), 4)


def finite_amount(value: object) -> float:
    """An amount from the wire (decimal string or number) as a float for features; NaN if none."""
    try:
        result = float(str(value).replace(",", "").strip())
    except (TypeError, ValueError):
        return math.nan
    return result
