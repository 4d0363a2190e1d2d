"""Anomalies worth telling a person about: duplicate charges, unusual amounts, a large first
charge at a new merchant, and a month far above a category's history.

Every detector is deliberately sparing (a person stops reading alerts that cry wolf). A duplicate
is a second charge of one amount at one merchant within a few days, outside any recurring series,
at a merchant where such repeats are neither a habit nor to be expected by chance (a commuter's
fares), and not trifling. A charge the merchant paid back (the same sum, within two months) is
undone and judged by no detector: a double charge already refunded needs no look. An unusual
amount is at least 3x the merchant's median and 40% above anything else ever charged there:
robust statistics (the median, not the mean; MAD z-scores on a log scale where a category stands
in for a merchant with too little history), chosen over an IsolationForest by measurement
(bench/insights.py: the forest found about half the planted amounts at any flag rate, took ~20x
longer, and cannot say why in words). Each transaction gets at most one anomaly. Pure and
deterministic; this module must never read a clock or a file.
"""

from __future__ import annotations

import calendar
import datetime as dt
import itertools
import math
from collections import Counter, defaultdict
from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from sidecars.insights.grouping import by_merchant
from sidecars.insights.records import Record
from sidecars.insights.recurring import Stream
from sidecars.insights.robust import Usual, median, usual

DUPLICATE_DAYS = 3
# More close same-amount repeats than this at one merchant are a habit (two bus fares a day).
HABIT_PAIRS = 1
# A repeat on different days is not reported where chance alone more likely than not gives the
# merchant's history such a pair: E pairs expected (see _expected_coincidences) make at least one
# with probability 1 - exp(-E) (Poisson), over 1/2 from E = ln 2.
COINCIDENCES_EXPECTED = math.log(2)
DUPLICATE_MATERIAL = 0.05  # share of the median outflow below which a repeat is not worth a word

UNUSUAL_MIN_HISTORY = 5  # charges at a merchant before its usual means anything
UNUSUAL_RATIO = 3.0  # at least this many times the median charge there ...
BEYOND_MAX = 1.4  # ... and this much larger than any other charge there (beyond its range)
# A merchant's own range already says it: a z-gate (tried at 1.5-2.5) lost planted amounts at
# wide-ranging merchants (airlines, supermarkets) and removed few false alarms.
UNUSUAL_Z = 0.0
CATEGORY_Z = 3.5  # a category mixes merchants: ask more of a charge judged against it
CATEGORY_MIN_HISTORY = 20
CATEGORY_RATIO = 5.0

NEW_MERCHANT_SETTLE_DAYS = 90  # before this, every merchant is new: the ledger just started
NEW_MERCHANT_RATIO = 20.0  # times the median of all spending ...
NEW_MERCHANT_QUANTILE = 0.95  # ... and NEW_MERCHANT_TAIL times this quantile of all outflows
NEW_MERCHANT_TAIL = 2.0
NEW_MERCHANT_HABIT = 2  # such first payments in the year before: then they are this person's habit

SPIKE_MIN_MONTHS = 6
SPIKE_HISTORY_MONTHS = 24
SPIKE_RATIO = 2.5
SPIKE_Z = 4.0
SPIKE_RECENT_MONTHS = 3  # a new level of spending is reported once, not every month after
SPIKE_MATERIAL = 0.10  # share of a usual month's total spending

# A charge whose very sum the same merchant paid back within this many days was undone (a
# double charge the shop refunded, a return): it and its refund are left out of every detector.
REFUND_DAYS = 60

# Which anomaly a transaction keeps when several detectors flag it: the most specific one.
_PRIORITY = {"duplicate": 0, "unusual_amount": 1, "new_merchant_large": 2, "category_spike": 3}


@dataclass(frozen=True, slots=True)
class Anomaly:
    """One flagged transaction, why in plain words, and how strongly (0 to 1)."""

    id: Hashable
    kind: str
    reason: str
    score: float
    record: Record


def money(amount: Decimal) -> str:
    """A magnitude for a sentence: 1234.5 -> "1,234.50"."""
    return f"{abs(amount):,.2f}"


def _day(date: dt.date) -> str:
    return f"{date.day} {calendar.month_abbr[date.month]} {date.year}"


def duplicates(records: Sequence[Record], streams: Sequence[Stream]) -> list[Anomaly]:
    """Second charges of the same amount at the same merchant within a few days."""
    in_stream = {id(r) for s in streams for r in s.records}
    same: dict[tuple[str, Decimal], list[Record]] = defaultdict(list)
    charges_at: dict[str, list[Record]] = defaultdict(list)  # whatever the amount
    for record in records:  # in date order
        # Two equal withdrawals of cash in a week are the person's own doing, not a double charge.
        if record.key and record.amount < 0 and not record.cash:
            same[(record.key, record.amount)].append(record)
            charges_at[record.key].append(record)
    pairs: list[tuple[Record, Record]] = []
    per_merchant: dict[str, int] = defaultdict(int)
    for charges in same.values():
        for a, b in itertools.pairwise(charges):
            if (b.date - a.date).days <= DUPLICATE_DAYS:
                pairs.append((a, b))
                per_merchant[a.key] += 1
    sizes = [r.magnitude for r in records if r.amount < 0]
    trifling = DUPLICATE_MATERIAL * median(sizes) if sizes else 0.0
    found: list[Anomaly] = []
    for first, second in pairs:
        if second.magnitude < trifling:
            continue  # a second 0.40 SMS fee is not worth anyone's attention
        if per_merchant[first.key] > HABIT_PAIRS:
            continue  # this merchant often takes one amount twice in a few days: a habit
        if first.date != second.date and _coincidence(charges_at[first.key], first, second):
            continue  # a daily fare that comes to the same sum twice in a week is a coincidence
        if id(first) in in_stream and id(second) in in_stream:
            continue  # two series that happen to share a price, e.g. two family plans
        days = (second.date - first.date).days
        when = "on the same day" if days == 0 else f"{days} day{'s' * (days > 1)} apart"
        found.append(
            Anomaly(
                second.id,
                "duplicate",
                f"Charged twice {when}: {money(second.amount)} at {second.merchant} "
                f"on {_day(first.date)} and {_day(second.date)}",
                round(1.0 - days / (2 * (DUPLICATE_DAYS + 1)), 3),
                second,
            )
        )
    return found


def _coincidence(charges: Sequence[Record], first: Record, second: Record) -> bool:
    """The pair is one of the equal sums this merchant's history expects by chance, and its sum
    is within the range of the merchant's other charges (two 80.00 at a shop whose many charges
    are 10-16 are no coincidence, however often those repeat)."""
    others = [c.magnitude for c in charges if c is not first and c is not second]
    return (
        bool(others)
        and min(others) <= second.magnitude <= max(others)
        and _expected_coincidences(charges, second) >= COINCIDENCES_EXPECTED
    )


def _expected_coincidences(charges: Sequence[Record], second: Record) -> float:
    """How many pairs of equal charges within DUPLICATE_DAYS of each other this merchant's
    history (but `second`) would hold by chance: its pairs of charges that close together, times
    the share of all its pairs of charges that are equal. A commuter's fares (hundreds of charges
    drawn from a few dozen sums) expect several, so one more is a coincidence; a restaurant's
    bills, whose sums rarely repeat to the cent, expect none."""
    others = [c for c in charges if c is not second]  # in date order
    n = len(others)
    if n < 2:
        return 0.0
    equal = sum(k * (k - 1) for k in Counter(c.amount for c in others).values())
    if not equal:
        return 0.0
    close = start = 0
    for i, charge in enumerate(others):
        while (charge.date - others[start].date).days > DUPLICATE_DAYS:
            start += 1
        close += i - start
    return close * equal / (n * (n - 1))


def _typical(amounts: Sequence[Decimal]) -> Decimal:
    """A charge that really happened, in the middle by size (for sentences, not statistics)."""
    ordered = sorted(amounts, key=abs)
    return ordered[(len(ordered) - 1) // 2]


def _unusual(record: Record, norm: Usual, ratio_limit: float, z_limit: float) -> float | None:
    ratio = norm.ratio(record.magnitude)
    if ratio >= ratio_limit and norm.z(record.magnitude) >= z_limit:
        return ratio
    return None


class _Range:
    """The two largest charges of a set, so "larger than every other" costs nothing per charge."""

    def __init__(self, peers: Sequence[Record]) -> None:
        top = sorted(peers, key=lambda r: r.magnitude, reverse=True)[:2]
        self.largest = top[0] if top else None
        self.runner_up = top[1].magnitude if len(top) > 1 else None

    def beyond(self, record: Record, margin: float) -> bool:
        """Larger by `margin` than every other charge: beyond the whole usual range."""
        if record is self.largest:
            return self.runner_up is not None and record.magnitude >= margin * self.runner_up
        return self.largest is not None and record.magnitude >= margin * self.largest.magnitude


def unusual_amounts(records: Sequence[Record], streams: Sequence[Stream]) -> list[Anomaly]:
    """Charges several times a merchant's usual (or, for a rarely seen merchant, its category's)."""
    in_stream = {id(r) for s in streams for r in s.records}
    found: list[Anomaly] = []
    thin: list[Record] = []  # charges at merchants with too little history of their own
    for group in by_merchant(records):
        if not group.outflow:
            continue
        if len(group.records) < UNUSUAL_MIN_HISTORY:
            thin.extend(group.records)
            continue
        norm = usual([r.magnitude for r in group.records])
        typical = _typical([r.amount for r in group.records])
        span = _Range(group.records)
        for record in group.records:
            if id(record) in in_stream:
                continue  # a bill in a recurring series; its price changes are reported there
            ratio = _unusual(record, norm, UNUSUAL_RATIO, UNUSUAL_Z)
            if ratio is not None and span.beyond(record, BEYOND_MAX):
                found.append(
                    Anomaly(
                        record.id,
                        "unusual_amount",
                        f"{ratio:.1f}x your usual at {group.name}: {money(record.amount)} "
                        f"against a usual {money(typical)}",
                        round(1.0 - 1.0 / ratio, 3),
                        record,
                    )
                )
    by_category: dict[str, list[Record]] = defaultdict(list)
    for record in records:
        if record.category and record.amount < 0:
            by_category[record.category].append(record)
    norms = {
        name: (usual([r.magnitude for r in peers]), _Range(peers))
        for name, peers in by_category.items()
        if len(peers) >= CATEGORY_MIN_HISTORY
    }
    for record in thin:
        if record.category not in norms or id(record) in in_stream:
            continue
        peers = by_category[record.category]
        norm, peer_range = norms[record.category]
        ratio = _unusual(record, norm, CATEGORY_RATIO, CATEGORY_Z)
        if ratio is not None and peer_range.beyond(record, BEYOND_MAX):
            usual_amount = money(_typical([r.amount for r in peers]))
            found.append(
                Anomaly(
                    record.id,
                    "unusual_amount",
                    f"{ratio:.1f}x your usual for {record.category}: {money(record.amount)} "
                    f"at {record.merchant} against a usual {usual_amount}",
                    round(1.0 - 1.0 / ratio, 3),
                    record,
                )
            )
    return found


def new_merchant_large(records: Sequence[Record], streams: Sequence[Stream]) -> list[Anomaly]:
    """A first charge at a merchant that is among the largest this person ever pays."""
    outflows = [r for r in records if r.amount < 0]
    if len(outflows) < UNUSUAL_MIN_HISTORY * 4:
        return []
    sizes = sorted(r.magnitude for r in outflows)
    floor = max(
        NEW_MERCHANT_RATIO * median(sizes),
        NEW_MERCHANT_TAIL * sizes[min(len(sizes) - 1, int(NEW_MERCHANT_QUANTILE * len(sizes)))],
    )
    typical = median(sizes)
    settled = records[0].date + dt.timedelta(days=NEW_MERCHANT_SETTLE_DAYS)
    in_stream = {id(r) for s in streams for r in s.records}
    firsts = sorted(
        (
            (g.records[0], g.name)
            for g in by_merchant(outflows)
            if g.records[0].magnitude > floor and id(g.records[0]) not in in_stream
        ),
        key=lambda pair: pair[0].date,
    )
    found = []
    window = 0  # index of the first of `firsts` within the year before the current one
    for i, (first, name) in enumerate(firsts):
        while first.date - firsts[window][0].date > dt.timedelta(days=365):
            window += 1
        if first.date < settled:
            continue
        if i - window >= NEW_MERCHANT_HABIT:
            continue  # large payments to new payees are usual for this person this year
        ratio = first.magnitude / typical
        found.append(
            Anomaly(
                first.id,
                "new_merchant_large",
                f"First payment to {name} is large: {money(first.amount)}, "
                f"{ratio:.0f}x your typical payment",
                round(1.0 - NEW_MERCHANT_RATIO / (2 * ratio), 3),
                first,
            )
        )
    return found


def _month_index(date: dt.date) -> int:
    return date.year * 12 + date.month - 1


def category_spikes(records: Sequence[Record], streams: Sequence[Stream]) -> list[Anomaly]:
    """Months in which a category's spending is far above its own history and its recent months.

    Charges of recurring series are left out: a yearly insurance bill is expected, not a spike.
    """
    in_stream = {id(r) for s in streams for r in s.records}
    months: dict[str, dict[int, list[Record]]] = defaultdict(lambda: defaultdict(list))
    spending: dict[int, float] = defaultdict(float)
    for record in records:
        if record.amount < 0:
            spending[_month_index(record.date)] += record.magnitude
            if record.category and id(record) not in in_stream:
                months[record.category][_month_index(record.date)].append(record)
    if not spending:
        return []
    # An excess smaller than this share of a usual month's spending is not worth a word.
    material = SPIKE_MATERIAL * median(list(spending.values()))
    found = []
    for category, by_month in months.items():
        totals = {m: float(sum((r.magnitude for r in rs), 0.0)) for m, rs in by_month.items()}
        first = min(totals)
        for month in sorted(totals):
            start = max(first, month - SPIKE_HISTORY_MONTHS)
            history = [totals.get(m, 0.0) for m in range(start, month)]
            if len(history) < SPIKE_MIN_MONTHS or sum(h > 0 for h in history) * 2 < len(history):
                continue  # too young, or too occasional for a "usual month" to mean anything
            base = median(history)
            recent = median(history[-SPIKE_RECENT_MONTHS:])
            spread = median([abs(h - base) for h in history]) * 1.4826
            total = totals[month]
            if total < SPIKE_RATIO * max(base, recent) or total - base < material:
                continue
            if total - base < SPIKE_Z * max(spread, 0.1 * base):
                continue
            largest = max(by_month[month], key=lambda r: (r.magnitude, r.date))
            year, mon = divmod(month, 12)
            found.append(
                Anomaly(
                    largest.id,
                    "category_spike",
                    f"{category} in {calendar.month_name[mon + 1]} {year}: {total:,.2f}, "
                    f"{total / base:.1f}x a usual month ({base:,.2f}); the largest charge was "
                    f"{money(largest.amount)} at {largest.merchant or largest.description}",
                    round(1.0 - 1.0 / (total / base), 3),
                    largest,
                )
            )
    return found


def without_refunded(records: Sequence[Record]) -> list[Record]:
    """`records` (in date order) less the charges that were refunded and their refunds.

    A refund (money in from a merchant) undoes the latest charge of the very same sum there in
    the REFUND_DAYS before it that no other refund has undone: of a double charge, the copy.
    """
    waiting: dict[tuple[str, Decimal], list[Record]] = defaultdict(list)
    undone: set[int] = set()
    for record in records:
        if not record.key or record.amount == 0:
            continue
        charges = waiting[(record.key, abs(record.amount))]
        if record.amount < 0:
            charges.append(record)
            continue
        if charges and (record.date - charges[-1].date).days <= REFUND_DAYS:
            undone.update((id(charges.pop()), id(record)))
    return [r for r in records if id(r) not in undone]


def find_anomalies(records: Sequence[Record], streams: Sequence[Stream]) -> list[Anomaly]:
    """All anomalies in `records` (sorted by date), one per transaction, newest first.

    Each currency is judged on its own: a typical payment, a category's usual month and what is
    trifling are sums of one currency (5,000 yen beside pounds is not "400x a typical payment")."""
    records = without_refunded(records)
    if not records:
        return []
    candidates: list[Anomaly] = []
    for currency in sorted({r.currency for r in records}):
        group = [r for r in records if r.currency == currency]
        own = [s for s in streams if s.records and s.records[0].currency == currency]
        candidates += (
            duplicates(group, own)
            + unusual_amounts(group, own)
            + new_merchant_large(group, own)
            + category_spikes(group, own)
        )
    kept: dict[Hashable, Anomaly] = {}
    for anomaly in candidates:
        held = kept.get(anomaly.id)
        if held is None or _PRIORITY[anomaly.kind] < _PRIORITY[held.kind]:
            kept[anomaly.id] = anomaly
    return sorted(kept.values(), key=lambda a: (a.record.date, a.score), reverse=True)
