"""`fincast services [--json] [--timeout S]`: start the model services, wait for them, print each
replica's state (with its methods, from `describe`), and stop them again - a health check of the
sidecars without the window.

Imports the hub only inside `run`; starts no model library in this process.
"""

from __future__ import annotations

import argparse
import json
import logging
import threading
import time
from typing import Any

from desktop.commands import UserError, add_json_argument

_DESCRIBE_TIMEOUT_S = 5.0
_log = logging.getLogger(__name__)


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the `services` command."""
    parser = subparsers.add_parser(
        "services",
        help="start the model services, show their status, stop them",
        description=__doc__,
    )
    parser.add_argument(
        "--timeout",
        type=float,
        default=90.0,
        metavar="S",
        help="seconds to wait for every service to be ready (default 90)",
    )
    add_json_argument(parser)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Start, wait, report, stop."""
    if not 0 < args.timeout <= 3600:
        raise UserError("--timeout must be between 0 and 3600 seconds")
    from supervisor import Hub

    started = time.monotonic()
    with Hub() as hub:
        all_ready = hub.wait_ready(timeout=args.timeout)
        if not all_ready:
            _settle(hub, started + args.timeout)
        waited = time.monotonic() - started
        rows = hub.status()
        methods = _methods(hub, {r["service"] for r in rows if r["state"] in ("ready", "busy")})
        problem = getattr(hub, "config_problem", None)
    for row in rows:
        row["methods"] = methods.get(row["service"])
    if args.json:
        print(
            json.dumps(
                {
                    "ready": all_ready,
                    "waited_s": round(waited, 2),
                    "services": rows,
                    "config_problem": problem,
                },
                ensure_ascii=False,
            )
        )
    else:
        _print_table(rows, all_ready, waited, problem)
    return 0


def _settle(hub: Any, deadline: float) -> None:
    """wait_ready gives up as soon as one service cannot become ready; let the others finish
    starting, so that the table shows where each one really stands."""
    changed = threading.Event()
    unsubscribe = hub.subscribe(lambda _event: changed.set())
    try:
        while any(row["state"] == "starting" for row in hub.status()):
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return
            changed.wait(min(remaining, 0.5))
            changed.clear()
    finally:
        unsubscribe()


def _methods(hub: Any, services: set[str]) -> dict[str, list[str]]:
    """Each ready service's methods, asked of it with `describe` (all at once)."""
    futures = {
        name: hub.request(name, "describe", {}, timeout=_DESCRIBE_TIMEOUT_S)
        for name in sorted(services)
    }
    out: dict[str, list[str]] = {}
    for name, future in futures.items():
        try:
            out[name] = list(future.result(timeout=_DESCRIBE_TIMEOUT_S + 1)["methods"])
        except Exception as exc:  # a service that cannot describe itself is shown without methods
            _log.info("describe failed for %s: %s", name, exc)
    return out


def _print_table(
    rows: list[dict[str, Any]], all_ready: bool, waited: float, problem: str | None
) -> None:
    if problem:
        print(f"note: services.toml ignored: {problem}")
    if not rows:
        print("no services configured")
        return
    width = max(len(r["service"]) for r in rows)
    for r in rows:
        pid = r["pid"] if r["pid"] is not None else "-"
        rss = f"{r['rss_mb']:.0f} MB" if r.get("rss_mb") else "-"
        last = f"  last exit {r['last_exit']}" if r.get("last_exit") is not None else ""
        methods = ", ".join(m for m in (r.get("methods") or []) if m != "describe")
        print(
            f"{r['service']:<{width}}  #{r['replica']}  {r['state']:<9}  pid {pid!s:<7}  {rss:>7}"
            f"  restarts {r['restarts']}{last}" + (f"  [{methods}]" if methods else "")
        )
    ready = len({r["service"] for r in rows if r["state"] in ("ready", "busy")})
    total = len({r["service"] for r in rows})
    verdict = "all ready" if all_ready else f"{ready} of {total} services ready"
    print(f"{verdict} after {waited:.1f} s; stopped again")
