"""Write docs/benchmarks.md from bench/results/*.json: one table, each row a figure beside its peer
or limit measured in the same run, with the ratio and whether the target holds. A result file that
is missing or lacks a figure gives a row that says so, never a made-up number.

Usage: python bench/report.py [--out docs/benchmarks.md]
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results"
DOCS = HERE.parent / "docs" / "benchmarks.md"


@dataclass(frozen=True)
class Row:
    """One line of the table."""

    area: str
    figure: str
    ours: str
    versus: str  # the peer or limit, with its value
    ratio: str
    verdict: str  # "yes", "no", or "-" when there is no target


def get(data: Any, *path: str) -> Any:
    """data[path[0]][path[1]]..., or None where any step is missing."""
    for key in path:
        if not isinstance(data, dict) or key not in data:
            return None
        data = data[key]
    return data


def fmt(value: Any, unit: str = "", digits: int = 2) -> str:
    if value is None:
        return "not measured"
    if isinstance(value, float):
        return f"{value:,.{digits}f}{unit}"
    return f"{value}{unit}"


def ratio(a: Any, b: Any) -> float | None:
    if not isinstance(a, int | float) or not isinstance(b, int | float) or b == 0:
        return None
    return float(a) / float(b)


def verdict(ok: bool | None) -> str:
    return "-" if ok is None else ("yes" if ok else "**no**")


def import_rows(d: dict[str, Any]) -> Iterator[Row]:
    sizes = sorted((k for k in d if k.isdigit()), key=int)
    for size in sizes:
        s = d[size]
        lib, floor = get(s, "library", "seconds_median"), get(s, "floor", "seconds_median")
        r = ratio(lib, floor)
        yield Row(
            "import",
            f"{int(size):,} rows, library call",
            fmt(lib, " s"),
            f"floor {fmt(floor, ' s')}",
            fmt(r, "x", 1),
            verdict(r is not None and r <= 2.0),
        )
        lib_cpu, floor_cpu = (
            get(s, "library", "cpu_seconds_median"),
            get(s, "floor", "cpu_seconds_median"),
        )
        r_cpu = ratio(lib_cpu, floor_cpu)
        yield Row(
            "import",
            f"{int(size):,} rows, library call, CPU time",
            fmt(lib_cpu, " s"),
            f"floor {fmt(floor_cpu, ' s')}",
            fmt(r_cpu, "x", 1),
            verdict(r_cpu is not None and r_cpu <= 2.0),
        )
        cli = get(s, "cli", "seconds_median")
        yield Row(
            "import",
            f"{int(size):,} rows, whole `fincast import`",
            fmt(cli, " s"),
            f"floor {fmt(floor, ' s')}",
            fmt(ratio(cli, floor), "x", 1),
            "-",
        )
        rss = get(s, "library", "peak_rss_mb_max")
        if int(size) >= 1_000_000:
            yield Row(
                "import",
                f"{int(size):,} rows, peak memory",
                fmt(rss, " MB", 0),
                "limit 300 MB",
                fmt(ratio(rss, 300.0), "x"),
                verdict(rss is not None and rss < 300),
            )


def hledger_rows(d: dict[str, Any]) -> Iterator[Row]:
    ours, peer = d.get("fincast_process_seconds"), d.get("hledger_seconds")
    r = ratio(peer, ours)
    yield Row(
        "import",
        f"{d.get('rows', 0):,} rows vs hledger (rules file)",
        fmt(ours, " s"),
        f"{d.get('hledger') or 'hledger'} {fmt(peer, ' s')}",
        f"{fmt(r, 'x', 1)} faster" if r else "not measured",
        verdict(r is not None and r >= 1.0),
    )


def listing_rows(d: dict[str, Any]) -> Iterator[Row]:
    for name, fig in sorted((d.get("figures") or {}).items()):
        sec, limit = fig.get("seconds"), fig.get("limit")
        r = ratio(sec, limit)
        yield Row(
            "ledger, 1M rows",
            name,
            fmt(sec and sec * 1000, " ms", 1),
            f"limit {fmt(limit and limit * 1000, ' ms', 0)}",
            fmt(r, "x"),
            verdict(r is not None and r <= 1.0),
        )


def hub_rows(d: dict[str, Any]) -> Iterator[Row]:
    hub, raw = get(d, "hub", "round_trip", "p50_ms"), get(d, "raw_pyzmq", "round_trip", "p50_ms")
    r = ratio(hub, raw)
    yield Row(
        "hub",
        "request round trip p50",
        fmt(hub, " ms", 3),
        f"raw pyzmq {fmt(raw, ' ms', 3)}",
        fmt(r, "x", 1),
        verdict(r is not None and r <= 2.0),
    )
    for key, label in (
        ("raw_pyzmq_future", "raw pyzmq + one Future hand-off"),
        ("raw_pyzmq_broker", "raw pyzmq through a broker thread"),
    ):
        peer = get(d, key, "round_trip", "p50_ms")
        if peer is not None:
            yield Row(
                "hub",
                "request round trip p50",
                fmt(hub, " ms", 3),
                f"{label} {fmt(peer, ' ms', 3)}",
                fmt(ratio(hub, peer), "x", 2),
                "-",
            )
    yield Row(
        "hub",
        "round trip p99",
        fmt(get(d, "hub", "round_trip", "p99_ms"), " ms", 3),
        f"raw pyzmq {fmt(get(d, 'raw_pyzmq', 'round_trip', 'p99_ms'), ' ms', 3)}",
        "-",
        "-",
    )
    yield Row(
        "hub",
        "throughput",
        fmt(get(d, "hub", "throughput_rps"), " req/s"),
        f"raw pyzmq {fmt(get(d, 'raw_pyzmq', 'throughput_rps'), ' req/s')}",
        "-",
        "-",
    )
    ours = get(d, "recovery", "hub_zygote", "p50_ms")
    for peer in ("supervisord", "circus"):
        theirs = get(d, "recovery", peer, "p50_ms")
        r = ratio(theirs, ours)
        yield Row(
            "recovery",
            f"kill -9 -> serving again, p50 (vs {peer})",
            fmt(ours, " ms", 0),
            f"{peer} {fmt(theirs, ' ms', 0)}",
            f"{fmt(r, 'x', 1)} faster" if r else "-",
            verdict(r is not None and r >= 5.0),
        )
    plain = get(d, "recovery", "hub_plain", "p50_ms")
    yield Row(
        "recovery",
        "kill -9 -> serving again, p50 (plain spawn)",
        fmt(plain, " ms", 0),
        f"zygote {fmt(ours, ' ms', 0)}",
        fmt(ratio(plain, ours), "x", 1),
        "-",
    )
    stop = get(d, "hang", "sigstop_noticed", "p50_ms")
    yield Row(
        "recovery",
        "SIGSTOP noticed, p50",
        fmt(stop, " ms", 0),
        "3 heartbeats 3,000 ms",
        fmt(ratio(stop, 3000.0), "x"),
        verdict(stop is not None and stop <= 3500),
    )


def _accuracy_row(
    label: str, ours: Any, best_name: Any, best: Any, gain: Any, met: bool | None
) -> Row:
    return Row(
        "categorization",
        label,
        fmt(ours, "", 3),
        f"best baseline ({best_name}) {fmt(best, '', 3)}",
        f"{gain:+.1f} pts" if gain is not None else "-",
        verdict(met),
    )


def categorize_rows(d: dict[str, Any]) -> Iterator[Row]:
    for name, s in sorted((d.get("sets") or {}).items()):
        ours = get(s, "ours", "accuracy")
        best_name = s.get("best_baseline")
        best = get(s, best_name, "accuracy") if isinstance(best_name, str) else None
        gain = (ours - best) * 100 if ours is not None and best is not None else None
        label = f"{name.split('__')[0]} accuracy (chronological 70/30)"
        yield _accuracy_row(label, ours, best_name, best, gain, s.get("target_met"))
    for name, cv in sorted((d.get("cv") or {}).items()):
        best_name = cv.get("best_baseline")
        ours = get(cv, "ours", "mean")
        best = get(cv, best_name, "mean") if isinstance(best_name, str) else None
        gain = cv.get("ours_minus_best_points")
        # the rule: +3 points where the best baseline is under 0.95, no worse above it
        met = None if best is None or gain is None else gain >= (0.0 if best >= 0.95 else 3.0)
        label = f"{name.split('__')[0]} accuracy ({cv.get('folds')}-fold chronological CV, mean)"
        yield _accuracy_row(label, ours, best_name, best, gain, met)
    for variant in ("sampled", "unique_text"):
        speed = get(d, "speed", variant) or {}
        for key, cpu_key, limit, label in (
            ("train_10k_s", "train_10k_cpu_s", 2.0, "train 10k (s)"),
            ("predict_10k_ms_cold", "predict_10k_ms_cold_cpu", 200.0, "predict 10k, cold (ms)"),
        ):
            value, cpu = speed.get(key), speed.get(cpu_key)
            yield Row(
                "categorization",
                f"{label}, {variant.replace('_', ' ')} rows",
                f"{fmt(value)} (CPU {fmt(cpu)})" if cpu is not None else fmt(value),
                f"limit {limit:g}",
                fmt(ratio(value, limit), "x"),
                verdict(value is not None and value <= limit),
            )
    first = get(d, "speed", "sidecar", "warm", "first", "wall")
    first_cpu = get(d, "speed", "sidecar", "warm", "first", "cpu")
    yield Row(
        "categorization",
        "predict 10k new rows inside the sidecar, first request (ms)",
        f"{fmt(first, '', 1)} (CPU {fmt(first_cpu, '', 1)})",
        "limit 200",
        fmt(ratio(first, 200.0), "x"),
        verdict(first is not None and first <= 200.0),
    )
    hub = get(d, "hub", "p50_ms")
    yield Row(
        "categorization",
        "one prediction through the hub, p50 (ms)",
        fmt(hub, "", 3),
        "limit 2 ms",
        fmt(ratio(hub, 2.0), "x"),
        verdict(hub is not None and hub <= 2.0),
    )


def forecast_rows(d: dict[str, Any]) -> Iterator[Row]:
    total = get(d, "accuracy", "total_mae") or {}
    best = min((v for k, v in total.items() if k != "ours"), default=None)
    ours = total.get("ours")
    r = ratio(ours, best)
    yield Row(
        "forecast",
        "total MAE, 1-month-ahead backtest",
        fmt(ours, "", 0),
        f"best baseline {fmt(best, '', 0)}",
        fmt(r, "x"),
        verdict(r is not None and r <= 1.0),
    )
    cov = get(d, "accuracy", "coverage80")
    yield Row(
        "forecast",
        "80% band coverage",
        fmt(cov and cov * 100, "%", 1),
        "target 70-90%",
        "-",
        verdict(cov is not None and 0.7 <= cov <= 0.9),
    )
    for key, label in (
        ("ours_vs_mean3", "3-month mean"),
        ("ours_vs_seasonal_naive", "seasonal naive"),
        ("ours_vs_best_baseline_per_series", "better of the two for that series"),
    ):
        counts = get(d, "accuracy", key) or {}
        if counts:
            n = sum(counts.values())
            yield Row(
                "forecast",
                f"series where ours is closer than the {label}",
                f"{counts.get('better', 0)} of {n}",
                f"worse on {counts.get('worse', 0)}, tied on {counts.get('tied', 0)}",
                "-",
                verdict(counts.get("better", 0) * 2 > n),
            )
    cold, cached = get(d, "speed", "cold_median_s"), get(d, "speed", "cached_median_s")
    yield Row(
        "forecast",
        "20 categories x 3 years, cold",
        fmt(cold, " s"),
        f"cached {fmt(cached, ' s', 3)}",
        fmt(ratio(cold, cached), "x", 0),
        "-",
    )


def insights_rows(d: dict[str, Any]) -> Iterator[Row]:
    s = d.get("summary") or {}
    yield Row(
        "insights",
        "planted subscriptions found",
        fmt(s.get("subscriptions")),
        "all",
        "-",
        verdict(_all_found(s.get("subscriptions"))),
    )
    yield Row(
        "insights",
        "price rises found",
        fmt(s.get("price_rises")),
        "all",
        "-",
        verdict(_all_found(s.get("price_rises"))),
    )
    rec = s.get("anomaly_recall")
    yield Row(
        "insights",
        "planted anomalies found",
        fmt(rec and rec * 100, "%", 1),
        "target >= 90%",
        "-",
        verdict(rec is not None and rec >= 0.9),
    )
    other = s.get("other_flagged_share")
    yield Row(
        "insights",
        "other transactions flagged",
        fmt(other and other * 100, "%", 2),
        "limit 2%",
        fmt(ratio(other, 0.02), "x"),
        verdict(other is not None and other < 0.02),
    )
    cpu = s.get("ten_years_cpu_s")
    yield Row(
        "insights",
        "10 years of transactions (CPU)",
        fmt(cpu, " s"),
        "limit 2 s",
        fmt(ratio(cpu, 2.0), "x"),
        verdict(cpu is not None and cpu < 2.0),
    )


def _all_found(text: Any) -> bool | None:
    if not isinstance(text, str) or "/" not in text:
        return None
    found, planted = text.split("/", 1)
    return found == planted


def desktop_rows(d: dict[str, Any]) -> Iterator[Row]:
    first = get(d, "first", "first_window_s")
    yield Row(
        "desktop",
        "time to first window",
        fmt(first, " s"),
        "limit 1.5 s",
        fmt(ratio(first, 1.5), "x"),
        verdict(first is not None and first < 1.5),
    )
    for key, label in (("import", "import_worst_stall_ms"), ("crash", "crash_worst_stall_ms")):
        stall = get(d, key, label)
        yield Row(
            "desktop",
            f"main thread worst stall during {key}",
            fmt(stall, " ms", 1),
            "limit 50 ms",
            fmt(ratio(stall, 50.0), "x"),
            verdict(stall is not None and stall < 50),
        )
    chaos = d.get("chaos") or {}
    if chaos:
        worst, p99 = chaos.get("worst_stall_ms"), chaos.get("p99_stall_ms")
        yield Row(
            "desktop",
            f"main thread worst stall, {fmt(chaos.get('seconds'), ' s', 0)} chaos storm "
            f"(p99 {fmt(p99, ' ms', 1)})",
            fmt(worst, " ms", 1),
            "limit 50 ms",
            fmt(ratio(worst, 50.0), "x"),
            verdict(worst is not None and worst < 50),
        )
        own = chaos.get("worst_gui_run_ms")
        yield Row(
            "desktop",
            "GUI thread's own work inside any one chaos stall",
            fmt(own, " ms", 1),
            "limit 50 ms",
            fmt(ratio(own, 50.0), "x"),
            verdict(own is not None and own < 50),
        )
    pss = get(d, "crash", "pss_mb") or get(d, "memory", "pss_mb")
    yield Row(
        "desktop",
        "PSS, app + sidecars idle",
        fmt(pss, " MB", 0),
        "limit 600 MB",
        fmt(ratio(pss, 600.0), "x"),
        verdict(pss is not None and pss < 600),
    )
    show = get(d, "million", "first_page_s")
    end = get(d, "million", "jump_to_end_s")
    yield Row(
        "desktop",
        "1,000,000 rows: first page / jump to end",
        f"{fmt(show and show * 1000, ' ms', 0)} / {fmt(end and end * 1000, ' ms', 0)}",
        "-",
        "-",
        "-",
    )


SECTIONS: dict[str, Callable[[dict[str, Any]], Iterator[Row]]] = {
    "import": import_rows,
    "hledger": hledger_rows,
    "listing": listing_rows,
    "categorize": categorize_rows,
    "hub": hub_rows,
    "forecast": forecast_rows,
    "insights": insights_rows,
    "desktop": desktop_rows,
}


def versions() -> str:
    names = ["pyside6-essentials", "pyzmq", "scikit-learn", "prophet", "sqlite-utils", "msgspec"]
    found = []
    for name in names:
        try:
            found.append(f"{name} {version(name)}")
        except PackageNotFoundError:
            found.append(f"{name} (not installed)")
    return ", ".join(found)


def render() -> str:
    lines = [
        "# Benchmarks",
        "",
        "Written by `make bench` (bench/run_all.py, then bench/report.py) from bench/results.",
        "Every row compares a figure with its peer or limit measured in the same run, on the",
        "same machine. Machines here are small (2 cores) and shared: medians are quoted, and the",
        "load average when each benchmark started is listed below.",
        "",
    ]
    rows: list[Row] = []
    machines: list[str] = []
    for name, section in SECTIONS.items():
        path = RESULTS / f"{name}.json"
        if not path.exists():
            rows.append(Row(name, "(benchmark not run)", "-", "-", "-", "-"))
            continue
        data = json.loads(path.read_text())
        rows.extend(section(data))
        m = data.get("machine") or {}
        load, when = m.get("load_average_at_start"), ""
        if not load and m.get("load_average_at_end"):
            load, when = m["load_average_at_end"], " (at its end)"
        machines.append(
            f"| {name} | {m.get('taken', '?')} | {m.get('cpus', '?')} | "
            f"{', '.join(f'{x:.1f}' for x in load) if load else '?'}{when} |"
        )
    lines += [
        "| area | figure | ours | peer or limit | ratio | target met |",
        "|---|---|---|---|---|---|",
    ]
    lines += [
        f"| {r.area} | {r.figure} | {r.ours} | {r.versus} | {r.ratio} | {r.verdict} |" for r in rows
    ]
    lines += [
        "",
        "## Where and when",
        "",
        f"Python {sys.version.split()[0]} on {platform.platform()}; {versions()}.",
        "",
        "| benchmark | taken (UTC) | CPUs | load average at start (1, 5, 15 min) |",
        "|---|---|---|---|",
        *machines,
        "",
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, default=DOCS)
    args = parser.parse_args()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(render())
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
