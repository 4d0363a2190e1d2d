"""Recurring payments: subscriptions, bills and salaries found in a person's transactions.

For each merchant (and direction), similar amounts are clustered, and in each cluster a chain is
walked along each cadence: the next charge must fall within the cadence's drift of where it is
expected; up to two charges in a row may be missing. A chain counts as recurring when it is long
enough, misses little, its amounts move little from one charge to the next, and its cluster holds
few charges the chain does not explain (a daily coffee is not a weekly subscription); of the
cadences that fit, the one that explains most, net of what it misses and leaves unexplained, wins.
A chain then grows over the merchant's other charges, so a price rise that left the old cluster
stays one subscription, with the rise reported, and a bill that follows the seasons stays one
bill. Pure and deterministic; it must never read a clock (the
"now" is the latest date in the data, or the caller's today when earlier) and never touch money as
floats except for ratios.
"""

from __future__ import annotations

import calendar
import datetime as dt
import itertools
from bisect import bisect_left, bisect_right
from collections import Counter
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from sidecars.insights.cadence import CADENCES, Cadence, add_months
from sidecars.insights.grouping import MerchantGroup, amount_clusters, by_merchant
from sidecars.insights.records import Record
from sidecars.insights.robust import median

MAX_MISSED_IN_A_ROW = 2
# A chain may miss at most this share of the charges it expected.
MAX_MISSED_SHARE = 0.25
# Charges in the chain's cluster and time span that the chain does not explain, per chain charge.
MAX_EXTRA_SHARE = 0.25
# Median step between consecutive amounts: subscriptions sit at 0, utility bills move a little.
MAX_AMOUNT_STEP = 0.20
# A charge that extends a chain beyond its cluster may differ this much from the one before.
MAX_EXTENSION_STEP = 0.5
# A series is "fixed price" when at least this share of consecutive charges are identical.
FIXED_PRICE_SHARE = 0.6
# Chains tried from this many different first charges per cluster and cadence.
MAX_STARTS = 6
# The latest charges whose day of the month says which day a calendar-month series is due on.
USUAL_DAY_CHARGES = 6


@dataclass(frozen=True, slots=True)
class PriceChange:
    """A lasting change of a fixed-price series, from the date of the first new charge."""

    date: dt.date
    old: Decimal
    new: Decimal


@dataclass(frozen=True, slots=True)
class Stream:
    """One recurring series of charges at one merchant."""

    merchant: str
    cadence: str
    amount: Decimal
    next_date: dt.date
    active: bool
    price_changes: tuple[PriceChange, ...]
    missed: tuple[dt.date, ...]
    records: tuple[Record, ...] = field(repr=False)
    varies: bool = False  # no fixed price (energy, a phone bill): `amount` is an estimate

    @property
    def ids(self) -> list[Hashable]:
        """Ids of the series' charges, oldest first."""
        return [r.id for r in self.records]


@dataclass(slots=True)
class _Chain:
    members: list[int]  # indexes into the group's records, in date order
    missed: list[dt.date]


class _Walker:
    """Walks chains over one merchant group's records (sorted by date)."""

    def __init__(self, records: Sequence[Record]) -> None:
        self.records = records
        self.dates = [r.date for r in records]
        self.used: set[int] = set()

    def walk(
        self,
        start: int,
        cadence: Cadence,
        allowed: set[int] | None,
        direction: int = 1,
        *,
        max_step: float | None = None,
        lone_ok: bool = False,
    ) -> _Chain:
        """The chain from `start` along `cadence`, through `allowed` indexes (None: any unused).

        With `lone_ok`, a charge beyond `max_step` is still taken when it is the only free charge
        where the next one is due: a bill whose amount follows the seasons is still one bill.
        """
        members = [start]
        missed: list[dt.date] = []
        taken = {start}
        cur = start
        periods = 0  # periods walked from the start, charges and missed ones alike
        while True:
            anchor = (self.dates[start], periods)
            found = self._next(
                cur,
                cadence,
                allowed,
                taken,
                anchor,
                direction=direction,
                max_step=max_step,
                lone_ok=lone_ok,
            )
            if found is None:
                break
            nxt, skipped = found
            base = self.dates[cur]
            missed.extend(cadence.step(base, direction * k) for k in range(1, skipped + 1))
            periods += skipped + 1
            members.append(nxt)
            taken.add(nxt)
            cur = nxt
        if direction < 0:
            members.reverse()
        return _Chain(members, sorted(missed))

    def _next(
        self,
        cur: int,
        cadence: Cadence,
        allowed: set[int] | None,
        taken: set[int],
        anchor: tuple[dt.date, int],
        *,
        direction: int,
        max_step: float | None,
        lone_ok: bool,
    ) -> tuple[int, int] | None:
        """The next charge and how many periods were skipped to reach it, if any."""
        here = self.records[cur]
        tol = dt.timedelta(days=cadence.tolerance)
        for k in range(1, MAX_MISSED_IN_A_ROW + 2):
            # Expected one step from the last charge, or on the series' own calendar day: a charge
            # pushed late by a weekend is followed by one on the usual day, not a period later.
            from_last = cadence.step(here.date, direction * k)
            from_start = cadence.step(anchor[0], direction * (anchor[1] + k))
            if abs((from_start - from_last).days) > 2 * cadence.tolerance:
                from_start = from_last  # the billing day has moved on: follow the charges
            early, late = min(from_last, from_start), max(from_last, from_start)
            lo = bisect_left(self.dates, _clamp_sub(early, tol))
            hi = bisect_right(self.dates, _clamp_add(late, tol))
            best: tuple[float, int, int] | None = None
            free = [
                j
                for j in range(lo, hi)
                if j not in taken
                and j not in self.used
                and (allowed is None or j in allowed)
                and (self.dates[j] - here.date).days * direction > 0
            ]
            for j in free:
                step = _relative_step(here, self.records[j])
                if max_step is not None and step > max_step and not (lone_ok and len(free) == 1):
                    continue
                off = min(
                    abs((self.dates[j] - from_last).days), abs((self.dates[j] - from_start).days)
                )
                rank = (round(step, 3), off, j)
                if best is None or rank < best:
                    best = rank
            if best is not None:
                return best[2], k - 1
        return None


def _clamp_sub(date: dt.date, delta: dt.timedelta) -> dt.date:
    try:
        return date - delta
    except OverflowError:
        return dt.date.min


def _clamp_add(date: dt.date, delta: dt.timedelta) -> dt.date:
    try:
        return date + delta
    except OverflowError:
        return dt.date.max


def _relative_step(a: Record, b: Record) -> float:
    base = max(a.magnitude, 1e-9)
    return abs(b.magnitude - a.magnitude) / base


def _unexplained(
    walker: _Walker, chain: _Chain, cadence: Cadence, cluster: Sequence[int]
) -> int | None:
    """None unless the chain is long enough, misses little and has steady amounts; then how
    many charges of its cluster within its span it does not explain (few, or None)."""
    members = chain.members
    count = len(members)
    if count < cadence.min_count:
        return None
    records = [walker.records[i] for i in members]
    if count == 2 and records[0].amount != records[1].amount:
        return None  # two charges a year apart are believable only at the very same price
    if len(chain.missed) > MAX_MISSED_SHARE * (count + len(chain.missed)):
        return None
    steps = [_relative_step(a, b) for a, b in itertools.pairwise(records)]
    if median(steps) > MAX_AMOUNT_STEP:
        return None
    if _price_changes(records) is None:
        # A varying amount is a weaker sign than a fixed price: ask for one more charge, and
        # judge against every charge at the merchant (a taxi ride every quarter is no bill).
        if count < cadence.min_count + 1:
            return None
        cluster = range(len(walker.records))
    first, last = records[0].date, records[-1].date
    tol = dt.timedelta(days=cadence.tolerance)
    in_chain = set(members)
    extras = sum(
        1
        for i in cluster
        if i not in in_chain
        and i not in walker.used
        and _clamp_sub(first, tol) <= walker.dates[i] <= _clamp_add(last, tol)
    )
    return extras if extras <= max(1, MAX_EXTRA_SHARE * count) else None


def _could_fit(walker: _Walker, cluster: Sequence[int], cadence: Cadence) -> bool:
    """Cheap check before walking: is the cluster sparse enough to be one charge per period?"""
    if len(cluster) < cadence.min_count:
        return False
    span = (walker.dates[cluster[-1]] - walker.dates[cluster[0]]).days
    periods = span / cadence.days + 1
    return len(cluster) <= (1 + MAX_EXTRA_SHARE) * periods + 2


def _best_chain(walker: _Walker, cluster: list[int]) -> tuple[_Chain, Cadence] | None:
    best: tuple[tuple[int, int], _Chain, Cadence] | None = None
    for cadence in CADENCES:
        if not _could_fit(walker, cluster, cadence):
            continue
        allowed = set(cluster)
        starts = [i for i in cluster if i not in walker.used][:MAX_STARTS]
        for start in starts:
            chain = walker.walk(start, cadence, allowed)
            extras = _unexplained(walker, chain, cadence, cluster)
            if extras is None:
                continue
            # More charges explained wins; each missed charge costs one, and so does each charge
            # in its span that it leaves unexplained (a salary paid in January, March and April
            # is monthly with February missed, not quarterly beside a March it cannot explain);
            # longer periods break ties.
            score = (len(chain.members) - len(chain.missed) - extras, cadence.days)
            if best is None or score > best[0]:
                best = (score, chain, cadence)
            break  # the earliest start that works is the series' beginning
    return None if best is None else (best[1], best[2])


def _extend(walker: _Walker, chain: _Chain, cadence: Cadence) -> _Chain:
    """The chain grown forwards and backwards over the merchant's charges outside its cluster."""
    walker.used.update(chain.members)
    # A fixed price that jumps is another product; a bill that varies (energy through the
    # seasons) may jump where it is the merchant's only charge when the bill is due.
    varying = _price_changes([walker.records[i] for i in chain.members]) is None
    forward = walker.walk(
        chain.members[-1], cadence, None, 1, max_step=MAX_EXTENSION_STEP, lone_ok=varying
    )
    walker.used.update(forward.members)
    backward = walker.walk(
        chain.members[0], cadence, None, -1, max_step=MAX_EXTENSION_STEP, lone_ok=varying
    )
    walker.used.update(backward.members)
    members = backward.members[:-1] + chain.members + forward.members[1:]
    missed = sorted(backward.missed + chain.missed + forward.missed)
    return _Chain(members, missed)


def _price_changes(records: Sequence[Record]) -> tuple[list[PriceChange], Decimal] | None:
    """Lasting price changes of a fixed-price series and its current price; None if it varies."""
    amounts = [r.amount for r in records]
    pairs = list(itertools.pairwise(amounts))
    if sum(a == b for a, b in pairs) < FIXED_PRICE_SHARE * len(pairs):
        return None
    changes: list[PriceChange] = []
    level = amounts[0]
    for i, amount in enumerate(amounts):
        if amount == level:
            continue
        # A change lasts when the next charge repeats it, or when it is the latest charge.
        if i == len(amounts) - 1 or amounts[i + 1] == amount:
            changes.append(PriceChange(records[i].date, level, amount))
            level = amount
    # A price that goes back to where it was is a varying bill, not a price change.
    levels = [amounts[0]] + [c.new for c in changes]
    if len(set(levels)) < len(levels):
        return None
    return changes, level


def _typical_recent(records: Sequence[Record], next_date: dt.date) -> Decimal:
    """What a varying bill will likely come to next: an amount that was really charged.

    The middle of the latest two charges and, where the series goes back a year, last year's
    charge for the period that is next: an energy bill that has just risen for the winter is
    next a winter bill (the latest and last year's agree), and a bill that has grown through the
    year is next a grown one (the latest two agree). Otherwise the middle of the latest three.
    """
    year_ago = _near(records, [r.date for r in records], add_months(next_date, -12))
    recent = records[-3:] if year_ago is None or len(records) < 3 else [*records[-2:], year_ago]
    amounts = sorted((r.amount for r in recent), key=abs)
    return amounts[(len(amounts) - 1) // 2]


def _near(records: Sequence[Record], dates: list[dt.date], when: dt.date) -> Record | None:
    """The charge nearest `when`, if one falls within a fortnight of it."""
    i = bisect_left(dates, when)
    near = [j for j in (i - 1, i) if 0 <= j < len(dates)]
    if not near:
        return None
    best = min(near, key=lambda j: abs((dates[j] - when).days))
    return records[best] if abs((dates[best] - when).days) <= 14 else None


def _next_date(records: Sequence[Record], cadence: Cadence, usual: int) -> dt.date:
    """One period after the latest charge, on the series' `usual` day of the month.

    Rent due on the 1st and paid on Friday the 30th when the 1st is a Sunday is next due on the
    1st, not on the 30th; a salary paid early before Christmas is next paid on its usual day.
    """
    last = records[-1].date
    expected = cadence.step(last, 1)
    if not cadence.months:
        return expected  # weekly and fortnightly series keep their weekday anyway
    nearest = _on_usual_day(expected, usual, cadence)
    return expected if nearest <= last else nearest


def _on_usual_day(expected: dt.date, usual: int, cadence: Cadence) -> dt.date:
    """The series' usual day of the month nearest `expected`, when within the cadence's drift
    of it (else `expected`: the billing day has moved)."""
    nearest = min(
        (_on_day(add_months(expected, k), usual) for k in (-1, 0, 1)),
        key=lambda d: abs((d - expected).days),
    )
    return expected if abs((nearest - expected).days) > cadence.tolerance else nearest


def _days_meant(date: dt.date) -> range:
    """The days of the month a charge on `date` may be due on: its own, and every later one when
    it fell on its month's last day (a bill due on the 31st is charged on 30 April)."""
    last = calendar.monthrange(date.year, date.month)[1]
    return range(date.day, 32 if date.day == last else date.day + 1)


def _usual_day(dates: Sequence[dt.date]) -> int:
    """The day of the month most of `dates` (oldest first) were due on.

    A charge on a month's last day counts for every later day too: counting plain days, a bill on
    the 31st charged on 30 September, 31 October and 30 November was next due on 30 December,
    and a yearly one begun on 29 February 2024 on 28 February 2028. Ties go to the latest charge,
    and to the latest day it may have been due on."""
    counts: Counter[int] = Counter()
    for date in dates:
        counts.update(_days_meant(date))
    most = max(counts.values())
    return next(
        max(day for day in _days_meant(date) if counts[day] == most)
        for date in reversed(dates)
        if any(counts[day] == most for day in _days_meant(date))
    )


def _on_day(date: dt.date, day: int) -> dt.date:
    """`date`'s month on `day`, or on its last day when the month is shorter."""
    return date.replace(day=min(day, calendar.monthrange(date.year, date.month)[1]))


def _stream(
    group: MerchantGroup, records: Sequence[Record], chain: _Chain, cadence: Cadence, now: dt.date
) -> Stream:
    fixed = _price_changes(records)
    usual = _usual_day([r.date for r in records[-USUAL_DAY_CHARGES:]])
    next_date = _next_date(records, cadence, usual)
    if fixed is None:
        changes: list[PriceChange] = []
        amount = _typical_recent(records, next_date)
    else:
        changes, amount = fixed
    active = _clamp_add(next_date, dt.timedelta(days=cadence.tolerance)) >= now
    missed = chain.missed
    if cadence.months and missed:
        # A missed charge is dated a period after the one before it: after 30 November, a bill
        # due on the 31st was missed on 31 December, not on the 30th.
        missed = [_on_usual_day(day, usual, cadence) for day in missed]
    return Stream(
        merchant=group.name,
        cadence=cadence.name,
        amount=amount,
        next_date=next_date,
        active=active,
        price_changes=tuple(changes),
        missed=tuple(missed),
        records=tuple(records),
        varies=fixed is None,
    )


def streams_of(group: MerchantGroup, now: dt.date) -> list[Stream]:
    """The recurring series in one merchant group."""
    walker = _Walker(group.records)
    index = {id(r): i for i, r in enumerate(group.records)}
    found: list[Stream] = []
    for cluster_records in amount_clusters(group.records):
        cluster = [index[id(r)] for r in cluster_records]
        while True:
            free = [i for i in cluster if i not in walker.used]
            picked = _best_chain(walker, free)
            if picked is None:
                break
            chain, cadence = picked
            chain = _extend(walker, chain, cadence)
            records = [group.records[i] for i in chain.members]
            found.append(_stream(group, records, chain, cadence, now))
    return found


def find_recurring(
    records: Sequence[Record],
    progress: Callable[[], None] | None = None,
    *,
    today: dt.date | None = None,
) -> list[Stream]:
    """Every recurring series in `records` (sorted by date), by merchant, then first charge.

    `progress` is called after each merchant (the sidecar extends its deadline with it). "Now",
    against which a series is still running, is the latest date in the data, or `today` (the
    caller's) when that is earlier: a rent the bank lists for next month must not make every
    series due before it read as stopped.
    """
    if not records:
        return []
    now = max(r.date for r in records)
    if today is not None:
        now = min(now, today)
    streams: list[Stream] = []
    # Cash recurs but is no bill (cash.py): the "now" above still counts it, as the ledger's end.
    for group in by_merchant(r for r in records if not r.cash):
        streams.extend(streams_of(group, now))
        if progress is not None:
            progress()
    streams.sort(key=lambda s: (s.merchant.casefold(), s.records[0].date))
    return streams
