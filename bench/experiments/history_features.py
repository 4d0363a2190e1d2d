"""Experiment (not shipped): causal history features from the unlabeled ledger, beside ours.

When the app categorizes a transaction, the ledger already holds every earlier one, categorized or
not. From the rows on strictly earlier dates only (description, amount, date; never a label),
each row gets tokens saying how its payee (data.payee.normalize_payee, case-folded) has behaved
so far, meant to tell a subscription, a person paid regularly and a one-off purchase apart:

  count    h:seen 0 | 1 | 2-3 | 4+          earlier rows of this payee
  gap      h:gap <bucket>                   days since its last row (same-day, 1-3, 4-10, 11-24,
                                            25-35, 36-80, 81-180, 181-329, 330-400, 400+)
  rhythm   h:rhythm weekly|fortnightly|monthly|quarterly|yearly[?]|irregular
                                            its last (up to) three gaps all in one band (5-9,
                                            12-17, 25-35, 80-100, 340-390 days); "?" = one gap
  median   h:cadence <band>|irregular       the median of all its gaps (billing dates jitter)
  dom      h:same day of month              +-3 days of last time's day, >= 20 days later
  amount   h:amount same|near|differs       vs its last row (near: within 5%);
           h:amount fixed                   and the last three all equal
  other    h:amount seen other payee        a new payee at an amount another payee had
  cross    h:x <count> <rhythm> <amount>, h:x <rhythm> <amount> <size>  (conjunctions)
  amtcat   h:amount last labeled as <cat>   the category of the last earlier row with this exact
                                            amount, training rows' labels only (never a test row's)

The tokens join the row's usual features (sidecars.categorizer.features) with idf scaled by a
weight, and the shipped model (one-vs-rest logistic regression, same C and character weight) is
fitted. The ledger of a split or fold is its training rows plus its test rows (which follow them
in time), so a test row's history includes earlier unlabeled test rows, as in the app.

Measured 2026-12-07 (70/30 split / chronological 5-fold CV mean; smart-imp 0.830/0.864 on
hackclub, 0.471/0.539 on yassirawad; beancount 0.963/0.975 for every variant):

  variant            weight   hackclub       yassirawad
  ours (shipped)       -      0.830 / 0.864  0.596 / 0.632
  count+gap+rhythm+amount+other
                      1.0     0.843 / 0.870  0.551 / 0.610
                      0.5     0.843 / 0.870  0.596 / 0.632
  count+gap+median+dom+amount+other
                      1.0     0.845 / 0.873  0.551 / 0.614
                      0.5     0.843 / 0.872  0.596 / 0.632

A point or less in CV on hackclub (3- and 10-fold agree: +0.5 / +0.6), nothing on the others at
weight 0.5, and weight 1.0 costs yassirawad ~2 points: short of the +3 issue 4 asks for. Most of
hackclub's remaining errors are between categories that recur alike (monthly Hosting vs Software
subscriptions, Office:Rent vs Staff:Salary at a fixed monthly amount), categories the training
period never had, and relabelled payees; a cadence cannot tell those apart. The plain variant
(no history tokens) must equal "ours": it checks this script still builds the shipped model.

Usage: python bench/experiments/history_features.py [--cv K] [--variants NAME,NAME]
"""

from __future__ import annotations

import argparse
import datetime as dt
import itertools
import statistics
import sys
import warnings
from collections import Counter, defaultdict
from collections.abc import Callable
from pathlib import Path

import numpy as np

BENCH = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BENCH.parent))
sys.path.insert(0, str(BENCH))

from categorize import LABELED, Item, chronological_folds, load, ours, scores, smart_importer, split

from data.payee import normalize_payee
from sidecars.categorizer.features import Vocabulary, amount_features, fold_many, key_features
from sidecars.categorizer.model import Model, _fit, _weighted_vocabulary

Method = Callable[[list[Item], list[Item]], list[str]]

BANDS: tuple[tuple[int, int, str], ...] = (
    (5, 9, "weekly"),
    (12, 17, "fortnightly"),
    (25, 35, "monthly"),
    (80, 100, "quarterly"),
    (340, 390, "yearly"),
)
GAPS: tuple[tuple[int, str], ...] = (
    (0, "same-day"),
    (3, "1-3"),
    (10, "4-10"),
    (24, "11-24"),
    (35, "25-35"),
    (80, "36-80"),
    (180, "81-180"),
    (329, "181-329"),
    (400, "330-400"),
)
ALL = frozenset({"count", "gap", "rhythm", "amount", "other"})
MEDIAN = frozenset({"count", "gap", "median", "dom", "amount", "other"})
VARIANTS: dict[str, tuple[frozenset[str], float]] = {
    "plain": (frozenset(), 1.0),
    "all": (ALL, 1.0),
    "all.5": (ALL, 0.5),
    "count+rhythm": (frozenset({"count", "rhythm"}), 1.0),
    "amount": (frozenset({"amount", "other"}), 1.0),
    "cross": (ALL | {"cross"}, 1.0),
    "cross.5": (ALL | {"cross"}, 0.5),
    "amtcat.5": (frozenset({"amtcat"}), 0.5),
    "all+amtcat.5": (ALL | {"amtcat"}, 0.5),
    "median": (MEDIAN, 1.0),
    "median.5": (MEDIAN, 0.5),
    "median-amount.5": (frozenset({"median", "dom", "amount"}), 0.5),
}


def _date(text: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(text[:10])
    except ValueError:
        return None


def _count(k: int) -> str:
    return "0" if k == 0 else "1" if k == 1 else "2-3" if k <= 3 else "4+"


def _band(days: float) -> str:
    return next((name for lo, hi, name in BANDS if lo <= days <= hi), "irregular")


def _rhythm(gaps: list[int]) -> str | None:
    last = gaps[-3:]
    name = _band(last[0])
    if name != "irregular" and all(_band(g) == name for g in last):
        return name + ("" if len(last) >= 2 else "?")
    return "irregular" if len(last) >= 2 else None


def _row_tokens(
    groups: frozenset[str],
    dates: list[dt.date],
    amounts: list[float],
    day: dt.date | None,
    amount: float | None,
    others: set[str],
    last_label: str | None,
    raw_amount: float,
) -> list[str]:
    """One row's history tokens from its payee's earlier dates and amounts."""
    toks = []
    if "count" in groups:
        toks.append("h:seen " + _count(len(dates)))
    if dates and day is not None:
        gaps = [(b - a).days for a, b in itertools.pairwise(dates)]
        gaps.append((day - dates[-1]).days)
        if "gap" in groups:
            toks.append("h:gap " + next((n for hi, n in GAPS if gaps[-1] <= hi), "400+"))
        if "rhythm" in groups and (rhythm := _rhythm(gaps)):
            toks.append("h:rhythm " + rhythm)
        if "median" in groups and len(gaps) >= 2:
            toks.append("h:cadence " + _band(statistics.median(gaps)))
        apart = abs(day.day - dates[-1].day)
        if "dom" in groups and gaps[-1] >= 20 and min(apart, 31 - apart) <= 3:
            toks.append("h:same day of month")
    stable = "none"
    if amounts and amount is not None:
        prev = amounts[-1]
        near = prev and abs(amount - prev) <= 0.05 * prev
        stable = "same" if prev == amount else "near" if near else "differs"
        if "amount" in groups:
            toks.append("h:amount " + stable)
            if len(amounts) >= 2 and len(set(amounts[-3:])) == 1 and prev == amount:
                toks.append("h:amount fixed")
    if "other" in groups and not dates and others:
        toks.append("h:amount seen other payee")
    if "cross" in groups:
        # Conjunctions a linear model cannot form from the parts.
        rhythm = next((t[9:] for t in toks if t.startswith("h:rhythm ")), "none")
        size = amount_features(raw_amount)[1].split(" ", 1)[1] if amount is not None else "?"
        toks += [f"h:x {_count(len(dates))} {rhythm} {stable}", f"h:x {rhythm} {stable} {size}"]
    if "amtcat" in groups and last_label is not None:
        toks.append("h:amount last labeled as " + last_label)
    return toks


def history_tokens(
    rows: list[Item], groups: frozenset[str], labeled_until: int = 0
) -> list[tuple[str, ...]]:
    """Per row (rows sorted by date), history tokens from rows on strictly earlier dates. Labels
    are read ("amtcat") only from rows before `labeled_until`: the training period's."""
    dates: dict[str, list[dt.date]] = defaultdict(list)
    amounts: dict[str, list[float]] = defaultdict(list)
    payees_at: dict[float, set[str]] = defaultdict(set)
    label_at: dict[float, str] = {}
    out: list[tuple[str, ...]] = []
    start = 0
    while start < len(rows):
        end = start
        while end < len(rows) and rows[end][0] == rows[start][0]:
            end += 1
        day = _date(rows[start][0])
        batch = []
        for r in rows[start:end]:
            payee = normalize_payee(r[2]).casefold()
            amount = round(abs(r[3]), 2) if r[3] == r[3] else None  # NaN: no amount
            others = payees_at.get(amount, set()) - {payee} if amount is not None else set()
            last = label_at.get(amount) if amount is not None else None
            out.append(
                tuple(
                    _row_tokens(
                        groups, dates[payee], amounts[payee], day, amount, others, last, r[3]
                    )
                )
            )
            batch.append((payee, amount))
        # Only now: rows of the same date do not see each other.
        for k in range(start, min(end, labeled_until)):
            if rows[k][3] == rows[k][3]:
                label_at[round(abs(rows[k][3]), 2)] = rows[k][4]
        for payee, amount in batch:
            if day is not None:
                dates[payee].append(day)
            if amount is not None:
                amounts[payee].append(amount)
                payees_at[amount].add(payee)
        start = end
    return out


def fit_predict(
    train_docs: list[tuple[str, ...]],
    labels: list[str],
    test_docs: list[tuple[str, ...]],
    weight: float,
) -> list[str]:
    """The shipped model's training (grouped rows, weighted vocabulary, liblinear one-vs-rest)
    with history features' idf scaled by `weight`."""
    grouped = Counter(zip(train_docs, labels, strict=True))
    docs = list(grouped)
    counts = np.fromiter(grouped.values(), dtype=np.float64, count=len(grouped))
    vocab = _weighted_vocabulary([d for d, _ in docs], counts)
    is_history = np.array([n.startswith("h:") for n in vocab.names], dtype=bool)
    vocab = Vocabulary(vocab.names, np.where(is_history, vocab.idf * weight, vocab.idf))
    classes = sorted(set(labels))
    if len(classes) == 1:
        return [classes[0]] * len(test_docs)
    coef_t, intercept = _fit(
        vocab.transform([d for d, _ in docs]), [c for _, c in docs], classes, counts
    )
    model = Model(classes, vocab, coef_t, intercept, {"link": "ovr"})
    return [p.category for p in model._predict_distinct(test_docs)]


def with_history(groups: frozenset[str], weight: float) -> Method:
    def run(tr: list[Item], te: list[Item]) -> list[str]:
        ledger = tr + te
        history = history_tokens(ledger, groups, labeled_until=len(tr))
        keys = zip(
            fold_many([r[2] for r in ledger]),
            map(amount_features, [r[3] for r in ledger]),
            strict=True,
        )
        docs = [key_features(k) + h for k, h in zip(keys, history, strict=True)]
        return fit_predict(docs[: len(tr)], [r[4] for r in tr], docs[len(tr) :], weight)

    return run


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--labeled", type=Path, default=LABELED)
    parser.add_argument("--cv", type=int, default=5, metavar="K")
    parser.add_argument("--variants", default=",".join(VARIANTS))
    args = parser.parse_args()
    warnings.simplefilter("ignore")
    methods: dict[str, Method] = {
        "ours": lambda tr, te: ours(tr, te)[0],
        "smart-imp": smart_importer,
    }
    for name in args.variants.split(","):
        methods["hist:" + name] = with_history(*VARIANTS[name])
    for path in sorted(args.labeled.glob("*.csv")):
        rows = load(path)
        tr, te = split(rows)
        folds = chronological_folds(rows, args.cv)
        print(f"\n{path.stem}  (70/30 split / CV{args.cv} mean / per fold)")
        for name, fn in methods.items():
            acc = scores([r[4] for r in te], fn(tr, te))["accuracy"]
            per_fold = [scores([r[4] for r in b], fn(a, b))["accuracy"] for a, b in folds]
            print(
                f"  {name:<22} {acc:.3f}  {statistics.mean(per_fold):.4f}  "
                + " ".join(f"{a:.3f}" for a in per_fold)
            )
            sys.stdout.flush()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
