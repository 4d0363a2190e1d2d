"""Forecaster benchmark: accuracy against the naive baselines on real ledgers, band coverage, speed.

Accuracy: from the real ledgers in ../shared/samples/labeled and the Open Collective export in
../shared/samples/bank-csv, monthly spending per category (and in total); a one-month-ahead
rolling-origin backtest over each series' last 6 months, where "ours" is the forecaster's whole
procedure (its own inner backtest, method choice and conformal bands) run on the history before
each month, beside seasonal naive (same month last year) and the 3-month mean, in one run.
Targets: ours no worse than the best baseline in total, better on most series; 80% band coverage
70-90%. Months are the forecaster's own (a fixed payment around a 1st counts in its due month),
for ours and the baselines alike; the same figures on plain calendar months are printed beside.

Speed: a synthetic ledger of 20 categories x 3 years through the `forecast` method, cold (fresh
process state, Prophet fits included) and cached (the same request again), beside the same request
without Prophet. Writes bench/results/forecast.json. A program, not a test: it never asserts.
"""

from __future__ import annotations

import csv
import datetime as dt
import os
import random
import re
import resource
import sys
import time
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import machine_info, median, write_result

from sidecars.forecaster import prophet_model
from sidecars.forecaster.backtest import forecast_series
from sidecars.forecaster.engine import PROPHET_CATEGORIES, Forecaster, is_regular
from sidecars.forecaster.monthly import build_history, month_label, parse_transactions

ORIGINS = 6
MIN_ACTIVE = 6  # months with spending among the last 12: sparser series say nothing about MAE
TODAY = dt.date(2026, 11, 21)  # fixed, so that reruns see the same whole months
Row = dict[str, str | None]

SHARED = Path(__file__).resolve().parent.parent.parent / "shared" / "samples"
OPEN_COLLECTIVE = "hledger_finance__oc.csv"  # see bank-csv/MANIFEST: the Open Collective export


def _amount(text: str) -> str:
    return re.sub(r"[\s,]", "", text)


def _valid(row: dict[str, str | None]) -> bool:
    # The yassirawad sample has a few shifted (malformed) rows on purpose; a bank import would
    # refuse them too, so the benchmark leaves them out.
    try:
        Decimal(row["amount"] or "")
        dt.date.fromisoformat(row["date"] or "")
    except (InvalidOperation, ValueError):
        return False
    return True


def load_labeled(path: Path) -> list[dict[str, str | None]]:
    """Transactions from one labeled ledger in samples/labeled (three known layouts)."""
    with path.open(newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    out: list[dict[str, str | None]] = []
    for row in rows:
        if "amount_usd" in row:  # hackclub: positive amounts, the account says which way
            category = row["category"]
            value = _amount(row["amount_usd"])
            sign = "-" if category.startswith("Expenses") else ""
            amount = sign + value if not value.startswith("-") else value[1:]
            out.append({"date": row["date"][:10], "amount": amount, "category": category})
        elif "label" in row:  # yassirawad: signed amounts with space thousands separators
            out.append(
                {
                    "date": row["date"][:10],
                    "amount": _amount(row["amount"]),
                    "category": row["label"],
                }
            )
        else:  # beancount example: signed from the bank account's side
            out.append(
                {
                    "date": row["date"][:10],
                    "amount": _amount(row["amount"]),
                    "category": row["category"],
                }
            )
    return [row for row in out if _valid(row)]


def load_open_collective(path: Path) -> list[dict[str, str | None]]:
    """Transactions of the Open Collective export, categorised by kind (EXPENSE, HOST_FEE...)."""
    with path.open(newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    return [
        {"date": r["datetime"][:10], "amount": _amount(r["amount"]), "category": r["kind"].title()}
        for r in rows
        if r["amount"].strip()
    ]


def ledgers(shared: Path = SHARED) -> dict[str, list[dict[str, str | None]]]:
    """Every real ledger the benchmark uses, by short name (empty when the samples are absent)."""
    found: dict[str, list[dict[str, str | None]]] = {}
    for path in sorted((shared / "labeled").glob("*.csv")):
        found[path.stem.split("__")[0]] = load_labeled(path)
    oc = shared / "bank-csv" / OPEN_COLLECTIVE
    if oc.is_file():
        found["open-collective"] = load_open_collective(oc)
    return found


# --- accuracy --------------------------------------------------------------------------------


def backtest_series(y: np.ndarray, start: int, large: bool) -> dict[str, Any]:
    """One-step errors of ours and both baselines at the last ORIGINS months, and band hits."""
    extra = (prophet_model.METHOD,) if large and is_regular(y) else ()
    errs: dict[str, list[float]] = {"ours": [], "seasonal_naive": [], "mean_3": []}
    hits80 = hits95 = 0
    methods = []
    for t in range(len(y) - ORIGINS, len(y)):
        result = forecast_series(y[:t], start, 1, nonnegative=True, extra=extra)
        p = result.points[0]
        methods.append(result.method)
        errs["ours"].append(abs(p.yhat - y[t]))
        errs["seasonal_naive"].append(abs(y[t - 12] - y[t]))
        errs["mean_3"].append(abs(float(np.mean(y[t - 3 : t])) - y[t]))
        hits80 += p.lower <= y[t] <= p.upper
        hits95 += p.lower95 <= y[t] <= p.upper95
    return {
        "mae": {k: float(np.mean(v)) for k, v in errs.items()},
        "hits80": int(hits80),
        "hits95": int(hits95),
        "methods": methods,
        "prophet_tried": bool(extra),
    }


def accuracy(by_due_month: bool = True) -> dict[str, Any]:
    """The backtest table over every real ledger found (months as the forecaster buckets them:
    fixed payments around a 1st in their due month; or, with by_due_month off, calendar months)."""
    rows = []
    skipped = 0
    for name, txns in ledgers().items():
        history = build_history(parse_transactions(txns), TODAY, by_due_month=by_due_month)
        series = [*sorted(history.spending.items()), ("(total)", history.total)]
        # As the engine does: Prophet only for the total and the largest categories.
        by_size = sorted(history.spending, key=lambda c: -float(np.mean(history.spending[c][-12:])))
        large = {"(total)", *by_size[:PROPHET_CATEGORIES]}
        for category, y in series:
            if len(y) < 12 + ORIGINS or np.count_nonzero(y[-12:]) < MIN_ACTIVE:
                skipped += 1
                continue
            row = backtest_series(y, history.start, category in large)
            row.update(
                ledger=name, category=category, months=len(y), last=month_label(history.end - 1)
            )
            rows.append(row)
            if not by_due_month:
                continue
            print(
                f"  {name[:16]:16s} {category[-34:]:34s} ours {row['mae']['ours']:10.2f}"
                f"  snaive {row['mae']['seasonal_naive']:10.2f}  mean3 {row['mae']['mean_3']:10.2f}"
                f"  80%: {row['hits80']}/{ORIGINS}  [{','.join(sorted(set(row['methods'])))}]"
            )

    def wins(a: str, b: str) -> dict[str, int]:
        w = sum(r["mae"][a] < r["mae"][b] - 1e-9 for r in rows)
        t = sum(abs(r["mae"][a] - r["mae"][b]) <= 1e-9 for r in rows)
        return {"better": w, "tied": t, "worse": len(rows) - w - t}

    best = [min(r["mae"]["seasonal_naive"], r["mae"]["mean_3"]) for r in rows]
    vs_best = {
        "better": sum(r["mae"]["ours"] < b - 1e-9 for r, b in zip(rows, best, strict=True)),
        "tied": sum(abs(r["mae"]["ours"] - b) <= 1e-9 for r, b in zip(rows, best, strict=True)),
    }
    vs_best["worse"] = len(rows) - vs_best["better"] - vs_best["tied"]
    total = {k: float(sum(r["mae"][k] for r in rows)) for k in ("ours", "seasonal_naive", "mean_3")}
    # Scale-free too: each series' MAE relative to its 3-month-mean MAE, averaged.
    relative = {
        k: float(
            np.mean([r["mae"][k] / r["mae"]["mean_3"] for r in rows if r["mae"]["mean_3"] > 0])
        )
        for k in ("ours", "seasonal_naive", "mean_3")
    }
    n = len(rows) * ORIGINS
    return {
        "series": rows,
        "series_count": len(rows),
        "series_skipped_sparse_or_short": skipped,
        "origins_per_series": ORIGINS,
        "total_mae": total,
        "mean_relative_mae_vs_mean3": relative,
        "ours_vs_seasonal_naive": wins("ours", "seasonal_naive"),
        "ours_vs_mean3": wins("ours", "mean_3"),
        "ours_vs_best_baseline_per_series": vs_best,
        "coverage80": sum(r["hits80"] for r in rows) / n if n else None,
        "coverage95": sum(r["hits95"] for r in rows) / n if n else None,
        "forecasts_scored": n,
    }


# --- speed -----------------------------------------------------------------------------------


def _cpu() -> tuple[float, float]:
    """CPU seconds so far of this process and of its finished children (cmdstan fits run as
    child processes), so a figure on a shared machine says what the work cost, not the queue."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime, kids.ru_utime + kids.ru_stime


def _timed(call: Any) -> tuple[Any, dict[str, float]]:
    """call()'s result, and its wall, own-CPU and child-CPU seconds."""
    own0, kids0 = _cpu()
    t = time.perf_counter()
    result = call()
    wall = time.perf_counter() - t
    own1, kids1 = _cpu()
    return result, {"wall": wall, "cpu": own1 - own0, "cpu_children": kids1 - kids0}


def synthetic(categories: int = 20, years: int = 3, seed: int = 5) -> list[dict[str, Any]]:
    """A ledger of `categories` spending categories over `years`, with levels, seasons and noise."""
    rng = random.Random(seed)
    rows: list[dict[str, Any]] = []
    first = dt.date(TODAY.year - years, TODAY.month, 1)
    for c in range(categories):
        level = rng.uniform(20, 600)
        season = rng.choice([0.0, 0.0, 0.2, 0.5])
        for m in range(years * 12):
            month = dt.date(
                first.year + (first.month - 1 + m) // 12, (first.month - 1 + m) % 12 + 1, 1
            )
            factor = 1 + season * np.sin(2 * np.pi * month.month / 12)
            for _ in range(rng.randint(2, 8)):
                day = month.replace(day=rng.randint(1, 28))
                amount = max(level * factor / 5 * rng.lognormvariate(0, 0.4), 0.01)
                rows.append(
                    {
                        "date": day.isoformat(),
                        "amount": f"-{amount:.2f}",
                        "category": f"Category {c:02d}",
                    }
                )
        for m in range(years * 12):
            month = dt.date(
                first.year + (first.month - 1 + m) // 12, (first.month - 1 + m) % 12 + 1, 25
            )
            rows.append({"date": month.isoformat(), "amount": "6000.00", "category": "Salary"})
    return rows


def speed() -> dict[str, Any]:
    """Seconds for the 20 x 3 request: cold (twice), cached, and without Prophet (the peer)."""
    prophet_model.quiet_libraries()  # as the sidecar does: no plotly complaint on the console
    t = time.perf_counter()
    import prophet  # noqa: F401

    import_s = time.perf_counter() - t
    # The unit of cold cost: one Prophet fit of 3 years, alone (no second fit in parallel).
    rng = np.random.default_rng(1)
    one_fit = []
    for i in range(5):
        y = 300 + rng.normal(0, 30, 36)
        t = time.perf_counter()
        prophet_model.predict(y, 24000 + i, 1)
        one_fit.append(time.perf_counter() - t)
    txns = synthetic()
    params = {"transactions": txns, "horizon_months": 3, "today": TODAY.isoformat()}
    cold: list[dict[str, float]] = []
    fits = 0
    for _ in range(2):
        prophet_model.clear_memo()
        forecaster = Forecaster()
        before = prophet_model.fit_count
        result, timing = _timed(lambda f=forecaster: f.forecast(params))
        cold.append(timing)
        fits = prophet_model.fit_count - before
    cached = []
    for _ in range(5):
        again, timing = _timed(lambda f=forecaster: f.forecast(params))
        cached.append(timing)
    assert again["cached"]  # the cache must have answered, or the figure means nothing
    no_prophet = []
    for _ in range(3):
        _, timing = _timed(lambda: Forecaster().forecast({**params, "use_prophet": False}))
        no_prophet.append(timing)
    methods: dict[str, int] = {}
    for s in result["series"]:
        methods[s["method"]] = methods.get(s["method"], 0) + 1
    return {
        "transactions": len(txns),
        "series": len(result["series"]),
        "prophet_import_s": import_s,
        "prophet_single_fit_median_s": median(one_fit),
        "prophet_fits_per_cold_request": fits,
        "cold_s": [c["wall"] for c in cold],
        "cold_median_s": median([c["wall"] for c in cold]),
        "cold_cpu_median_s": median([c["cpu"] for c in cold]),
        "cold_cpu_children_median_s": median([c["cpu_children"] for c in cold]),
        "cached_median_s": median([c["wall"] for c in cached]),
        "cached_cpu_median_s": median([c["cpu"] for c in cached]),
        "without_prophet_median_s": median([c["wall"] for c in no_prophet]),
        "without_prophet_cpu_median_s": median([c["cpu"] for c in no_prophet]),
        "methods_chosen": methods,
    }


def main() -> None:
    load = os.getloadavg()
    print(f"load average at start {load[0]:.2f} on {os.cpu_count()} CPUs (shared machine)")
    print("speed, 20 categories x 3 years:")
    sp = speed()
    runs = ", ".join(f"{s:.2f}" for s in sp["cold_s"])
    print(
        f"  cold {sp['cold_median_s']:.2f} s wall (runs {runs}), CPU"
        f" {sp['cold_cpu_median_s']:.2f} s + {sp['cold_cpu_children_median_s']:.2f} s in cmdstan;"
        f" cached {sp['cached_median_s'] * 1000:.2f} ms wall,"
        f" {sp['cached_cpu_median_s'] * 1000:.2f} ms CPU;"
        f" without Prophet {sp['without_prophet_median_s']:.2f} s wall,"
        f" {sp['without_prophet_cpu_median_s']:.2f} s CPU;"
        f" Prophet import {sp['prophet_import_s']:.2f} s; methods {sp['methods_chosen']}"
    )
    print(
        f"  peer: one Prophet fit alone {sp['prophet_single_fit_median_s']:.2f} s (median of 5);"
        f" a cold request makes {sp['prophet_fits_per_cold_request']} fits, two at a time"
    )
    print("one-month-ahead rolling-origin backtest, last 6 months of each series:")
    acc = accuracy()
    skipped = acc["series_skipped_sparse_or_short"]
    print(f"series scored: {acc['series_count']} (skipped {skipped} sparse or short)")
    tm = acc["total_mae"]
    print(
        f"total MAE      ours {tm['ours']:.2f}  seasonal naive {tm['seasonal_naive']:.2f}"
        f"  3-month mean {tm['mean_3']:.2f}"
    )
    rel = acc["mean_relative_mae_vs_mean3"]
    print(
        f"mean MAE / 3-month-mean MAE: ours {rel['ours']:.3f}"
        f"  seasonal naive {rel['seasonal_naive']:.3f}  3-month mean 1.000"
    )
    print(f"ours vs seasonal naive: {acc['ours_vs_seasonal_naive']}")
    print(f"ours vs 3-month mean:   {acc['ours_vs_mean3']}")
    print(f"ours vs best baseline of each series: {acc['ours_vs_best_baseline_per_series']}")
    print(
        f"80% band coverage {acc['coverage80']:.1%} (target 70-90%),"
        f" 95% band {acc['coverage95']:.1%} over {acc['forecasts_scored']} forecasts"
    )
    # The same protocol on plain calendar months: how much of the result is the due-month rule.
    cal = accuracy(by_due_month=False)
    print(
        f"calendar months instead: total MAE ours {cal['total_mae']['ours']:.2f}"
        f"  seasonal naive {cal['total_mae']['seasonal_naive']:.2f}"
        f"  3-month mean {cal['total_mae']['mean_3']:.2f}; vs 3-month mean {cal['ours_vs_mean3']};"
        f" vs best baseline {cal['ours_vs_best_baseline_per_series']};"
        f" 80% coverage {cal['coverage80']:.1%}, 95% {cal['coverage95']:.1%}"
    )
    calendar = {k: v for k, v in cal.items() if k != "series"}
    path = write_result(
        "forecast",
        {
            "machine": machine_info(),
            "load_at_start": list(load),
            "accuracy": acc,
            "accuracy_calendar_months": calendar,
            "speed": sp,
        },
    )
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
