"""The insights sidecar's methods: recurring payments, anomalies, and both at once.

Each method reads the request's transactions once (records.py refuses malformed ones with a
bad_request naming the first culprit), runs the pure detectors, and answers plain data: money as
decimal strings, dates as ISO strings, scores as numbers. This module must never keep state between
requests or open the ledger: requests carry everything they need.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sidecars.insights.anomalies import Anomaly, find_anomalies
from sidecars.insights.records import Record, RecordError, read_records
from sidecars.insights.recurring import Stream, find_recurring
from sidecars.runtime import BadRequest, Sidecar, report_progress

sidecar = Sidecar("insights")


def stream_to_wire(stream: Stream) -> dict[str, Any]:
    """A recurring series as the wire carries it."""
    return {
        "merchant": stream.merchant,
        "cadence": stream.cadence,
        "amount": str(stream.amount),
        # The currency its charges were in ("" when the caller gave none): a series in euros
        # beside a pound account is shown, and counted, in euros.
        "currency": stream.records[0].currency if stream.records else "",
        "next_date": stream.next_date.isoformat(),
        "active": stream.active,
        # True when the charges have no fixed price (an energy bill): the amount is a likely one.
        "varies": stream.varies,
        "price_changes": [
            {"date": c.date.isoformat(), "old": str(c.old), "new": str(c.new)}
            for c in stream.price_changes
        ],
        "missed": [d.isoformat() for d in stream.missed],
        "transactions": stream.ids,
    }


def anomaly_to_wire(anomaly: Anomaly) -> dict[str, Any]:
    """An anomaly as the wire carries it (with the transaction's date, merchant and amount)."""
    record = anomaly.record
    return {
        "id": anomaly.id,
        "kind": anomaly.kind,
        "reason": anomaly.reason,
        "score": anomaly.score,
        "date": record.date.isoformat(),
        "merchant": record.merchant,
        "amount": str(record.amount),
        "currency": record.currency,
    }


def _records(params: dict[str, Any]) -> list[Record]:
    try:
        return read_records(params)
    except RecordError as exc:
        raise BadRequest(str(exc)) from None


def _streams(params: dict[str, Any], records: list[Record]) -> list[Stream]:
    """The recurring series, judged running or stopped as of the optional `today` (ISO date):
    rows dated after it (a payment the bank has scheduled) do not move "now" past it."""
    today = params.get("today")
    if today is None:
        return find_recurring(records, report_progress)
    try:
        day = dt.date.fromisoformat(today) if isinstance(today, str) and len(today) == 10 else None
    except ValueError:
        day = None
    if day is None:
        raise BadRequest(f"today: not an ISO date like 2024-03-31: {str(today)[:40]!r}")
    return find_recurring(records, report_progress, today=day)


def recurring(params: dict[str, Any]) -> dict[str, Any]:
    """Recurring payments with cadence, amount, next date, price changes and missed charges."""
    streams = _streams(params, _records(params))
    return {"recurring": [stream_to_wire(s) for s in streams]}


def anomalies(params: dict[str, Any]) -> dict[str, Any]:
    """Duplicate charges, unusual amounts, large new merchants and category spikes."""
    records = _records(params)
    found = find_anomalies(records, _streams(params, records))
    return {"anomalies": [anomaly_to_wire(a) for a in found]}


def insights(params: dict[str, Any]) -> dict[str, Any]:
    """Both recurring payments and anomalies from one reading of the transactions."""
    records = _records(params)
    streams = _streams(params, records)
    return {
        "recurring": [stream_to_wire(s) for s in streams],
        "anomalies": [anomaly_to_wire(a) for a in find_anomalies(records, streams)],
    }


sidecar.method("recurring")(recurring)
sidecar.method("anomalies")(anomalies)
sidecar.method("insights")(insights)
