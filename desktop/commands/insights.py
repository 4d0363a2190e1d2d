"""`fincast insights`: recurring payments (with next dates and price changes) and anomalies
(duplicate charges, unusual amounts, large new merchants, category spikes) in the ledger.

--json prints one object {"recurring": [...], "anomalies": [...], "dismissed": n}, money as
decimal strings. --dismiss KIND:ID hides an anomaly from now on. The insights sidecar is started
for the command and stopped after it.
"""

from __future__ import annotations

import argparse
import json
import re
from pathlib import Path
from typing import Any

from desktop.commands import UserError, add_db_argument, add_json_argument, open_ledger

_KEY = re.compile(r"^(duplicate|unusual_amount|new_merchant_large|category_spike):\S+$")


def _key(text: str) -> str:
    if not _KEY.match(text):
        raise argparse.ArgumentTypeError(f"not KIND:ID (e.g. duplicate:42): {text!r}")
    return text


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the `insights` command."""
    parser = subparsers.add_parser(
        "insights",
        help="recurring payments and anomalies",
        description=__doc__.split("\n\n")[0],
    )
    add_db_argument(parser)
    add_json_argument(parser)
    parser.add_argument(
        "--dismiss", type=_key, action="append", metavar="KIND:ID", help="hide this anomaly"
    )
    parser.add_argument("--timeout", type=float, default=60.0, metavar="S", help=argparse.SUPPRESS)
    parser.set_defaults(func=run)


def _print_text(result: dict[str, object]) -> None:
    recurring = result["recurring"]
    anomalies = result["anomalies"]
    assert isinstance(recurring, list) and isinstance(anomalies, list)
    print(f"Recurring payments ({len(recurring)})")
    for s in recurring:
        state = "" if s["active"] else "  (stopped)"
        line = f"  {s['merchant']:<32} {s['cadence']:<11} {s['amount']:>12}"
        print(f"{line}  next {s['next_date']}{state}")
        for change in s["price_changes"]:
            print(f"      price {change['old']} -> {change['new']} from {change['date']}")
        if s["missed"]:
            print(f"      missed: {', '.join(s['missed'])}")
    print(f"Anomalies ({len(anomalies)})")
    for a in anomalies:
        print(f"  {a['date']}  {a['kind']}:{a['id']}  {a['reason']}")
    if result.get("dismissed"):
        print(f"({result['dismissed']} dismissed)")


def _ask(rows: list[dict[str, Any]], timeout: float) -> dict[str, Any]:
    """The insights for `rows` from a hub started for this command alone."""
    from desktop import insighting
    from supervisor import Hub, ServiceSpec

    hub = Hub([ServiceSpec(insighting.SERVICE)])
    hub.start()
    try:
        return insighting.ask(hub, rows, timeout=timeout)
    except TimeoutError:
        raise UserError("the insights service did not answer in time") from None
    finally:
        hub.stop(timeout=5)


def run(args: argparse.Namespace) -> int:
    """Print the ledger's recurring payments and anomalies."""
    from desktop import insighting

    if not 0 < args.timeout <= 600:
        raise UserError("--timeout must be between 0 and 600 seconds")
    with open_ledger(args) as ledger:
        dismissals = insighting.Dismissals(Path(ledger.path))
        if args.dismiss:
            dismissals.add(args.dismiss)
        rows = insighting.ledger_rows(ledger)
    # Nothing to look at needs no sidecar.
    result = _ask(rows, args.timeout) if rows else {"recurring": [], "anomalies": []}
    result = insighting.without_dismissed(result, dismissals.load())
    if args.json:
        print(json.dumps(result, ensure_ascii=False))
    else:
        _print_text(result)
    return 0
