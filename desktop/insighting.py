"""Insights for a ledger, headless: read its transactions, ask the insights sidecar through the hub,
and leave out the anomalies the person has dismissed. Used by `fincast insights` and the desktop.

Dismissals are a small JSON file in the app's data directory (a list of "kind:id" keys), written
atomically. This module must never import Qt or a model library, and never write to the ledger.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from data import paths
from data.money import format_decimal
from data.transfers import is_transfer
from desktop import result_cache
from desktop.wire_budget import REQUEST_BUDGET, newest_within, row_size

if TYPE_CHECKING:
    from data.ledger import Ledger, Txn
    from supervisor import Hub

SERVICE = "insights"
DISMISSED_FILE = "insights-dismissed.json"
# Seconds the sidecar gets for a ledger; ten years of transactions take about one.
DEFAULT_TIMEOUT_S = 60.0


# What the insights request carries: each account's last HISTORY_YEARS (two years show a yearly
# payment twice), and at most REQUEST_BUDGET bytes of rows, the newest kept. The wire refuses a
# frame over 16 MiB: a ledger of 141,000 rows made a 19.3 MB request, refused as bad_request, and
# the page showed its last results for ever after (audit 8).
HISTORY_YEARS = 3


def ledger_rows(ledger: Ledger, *, budget: int = REQUEST_BUDGET) -> list[dict[str, Any]]:
    """The transactions as the insights methods read them (with the ledger's payee and
    category), oldest first: each account's last HISTORY_YEARS up to `budget` bytes, and not
    the transfers between the person's own accounts (data.transfers): a monthly card
    repayment is no subscription, and counted as an upcoming payment it would reserve the
    card's spending twice in the advisor's figure."""
    newest: dict[str, dt.date] = {}

    def recent(txn: Txn) -> bool:
        first = newest.setdefault(txn.account, txn.date)
        return txn.date >= _years_before(first, HISTORY_YEARS)

    kept = (
        txn
        for txn in ledger.iter_transactions(order="date_desc")
        if recent(txn) and not is_transfer(txn.description, txn.category)
    )
    return newest_within(
        (
            (
                {
                    "id": txn.id,
                    "date": txn.date.isoformat(),
                    "description": txn.description,
                    "amount": format_decimal(txn.amount, txn.currency),
                    "currency": txn.currency,
                    "payee": txn.payee,
                    "category": txn.category,
                },
                row_size(txn.description, txn.payee, txn.category),
            )
            for txn in kept
        ),
        budget,
    )


def _years_before(day: dt.date, years: int) -> dt.date:
    """`day` less `years` years (28 Feb for a 29 Feb that has none)."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


def anomaly_key(anomaly: dict[str, Any]) -> str:
    """The key under which an anomaly is dismissed: its kind and transaction id."""
    return f"{anomaly['kind']}:{anomaly['id']}"


class Dismissals:
    """The anomalies a person has said are fine, kept across runs, one file per ledger: the
    keys name transactions by id, and one file for every ledger hid, in a second ledger, the
    row that happened to have the id of one dismissed in the first."""

    def __init__(self, db: Path | None = None, *, path: Path | None = None) -> None:
        default = paths.default_ledger()
        ledger = db or default
        self.path = path or dismissals_path(ledger)
        # Before there was a file per ledger there was one for all, in practice the default
        # ledger's: that ledger reads it until it has its own.
        legacy = path is None and ledger.resolve() == default.resolve()
        self._legacy = paths.data_dir() / DISMISSED_FILE if legacy else None

    def load(self) -> set[str]:
        """The dismissed keys; an unreadable file counts as none dismissed (and is left alone)."""
        source = self.path
        if self._legacy is not None and not source.exists():
            source = self._legacy
        try:
            data = json.loads(source.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return set()
        if not isinstance(data, list):
            return set()
        return {item for item in data if isinstance(item, str)}

    def add(self, keys: Iterable[str]) -> set[str]:
        """Dismiss `keys` (written atomically); returns everything dismissed now."""
        keys = self.load() | set(keys)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=".dismissed-", suffix=".json")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                json.dump(sorted(keys), handle, indent=0)
            os.replace(tmp, self.path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        return keys


def request_params(rows: list[dict[str, Any]], today: dt.date | None = None) -> dict[str, Any]:
    """The insights request for `rows`, judged as of `today` (the local date by default): a
    statement can list rows dated after today (next month's rent, a mistyped year), and
    without today the sidecar takes the newest row as now, so a bill due before it but after
    today read as stopped."""
    return {"transactions": rows, "today": (today or dt.date.today()).isoformat()}


def dismissals_path(db: Path) -> Path:
    """Where the dismissals of the ledger at `db` are kept (named as its cached results are)."""
    return paths.data_dir() / f"insights-dismissed-{result_cache.ledger_tag(db)}.json"


def ask(hub: Hub, rows: list[dict[str, Any]], timeout: float = DEFAULT_TIMEOUT_S) -> dict[str, Any]:
    """Recurring payments and anomalies for `rows` from the insights sidecar (blocks)."""
    future = hub.request(SERVICE, "insights", request_params(rows), timeout=timeout)
    return future.result(timeout=timeout + 10)


def without_dismissed(result: dict[str, Any], dismissed: set[str]) -> dict[str, Any]:
    """`result` with dismissed anomalies left out, and how many were."""
    anomalies = result.get("anomalies", [])
    kept = [a for a in anomalies if anomaly_key(a) not in dismissed]
    return {**result, "anomalies": kept, "dismissed": len(anomalies) - len(kept)}
