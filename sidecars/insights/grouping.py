"""Grouping transactions by merchant and by similar amount, the first step of every insight.

A merchant is what the payee normalization names (so "NETFLIX.COM 866-579" and "Netflix.com CA"
meet); money out and money in at the same merchant are different streams. Pure functions over
records; this module must never decide what is recurring or unusual.
"""

from __future__ import annotations

import itertools
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sidecars.insights.records import Record

# Amounts within this relative step of their neighbour (sorted by size) belong to one cluster:
# a 9.99 plan and a 10.49 plan stay together, a 9.99 and a 14.99 plan do not.
CLUSTER_GAP = 0.15


@dataclass(frozen=True, slots=True)
class MerchantGroup:
    """All of one merchant's transactions in one direction, oldest first."""

    key: str
    name: str
    outflow: bool
    records: tuple[Record, ...]


def by_merchant(records: Iterable[Record]) -> list[MerchantGroup]:
    """Records grouped by (merchant, direction); records with no merchant name are left out."""
    buckets: dict[tuple[str, bool], list[Record]] = defaultdict(list)
    for record in records:
        if record.key and record.amount != 0:
            buckets[(record.key, record.amount < 0)].append(record)
    groups = []
    for (key, outflow), members in buckets.items():
        members.sort(key=lambda r: r.date)
        # The most common spelling names the group ("Netflix.com" over a one-off "NETFLIX.COM").
        name = Counter(r.merchant for r in members).most_common(1)[0][0]
        groups.append(MerchantGroup(key, name, outflow, tuple(members)))
    groups.sort(key=lambda g: (g.key, not g.outflow))
    return groups


def amount_clusters(records: Sequence[Record], gap: float = CLUSTER_GAP) -> list[list[Record]]:
    """Records split where the next larger amount is more than `gap` above the previous one.

    Each cluster is returned oldest first; clusters are ordered by their first date.
    """
    if not records:
        return []
    by_size = sorted(records, key=lambda r: (r.magnitude, r.date))
    clusters: list[list[Record]] = [[by_size[0]]]
    for prev, cur in itertools.pairwise(by_size):
        if cur.magnitude > prev.magnitude * (1 + gap) + 1e-9:
            clusters.append([])
        clusters[-1].append(cur)
    for cluster in clusters:
        cluster.sort(key=lambda r: r.date)
    clusters.sort(key=lambda c: c[0].date)
    return clusters
