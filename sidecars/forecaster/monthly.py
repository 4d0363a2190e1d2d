"""Turn a request's transactions into whole-month series: spending per category, total, net.

Validates the wire input (dates, decimal-string amounts, categories) and refuses anything
malformed with one clear sentence (`InputError`). It decides which months are complete, at
either end, so that a half-imported month never reads as a month of low spending, and which
month a fixed payment paid a few days either side of a 1st belongs to, so that rent paid early
does not read as none one month and double the next. It must never fit a model or touch the
ledger.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

import numpy as np
import numpy.typing as npt

UNCATEGORIZED = "Uncategorized"
"""Name of the spending series for transactions without a category (null is the total's)."""

MAX_TRANSACTIONS = 2_000_000
_MAX_DIGITS = 15
# A month whose last transaction falls this close to its end is taken as complete.
_COMPLETE_WITHIN_DAYS = 7
# A first month whose statements start no later than this many days after its 1st is taken as
# whole (see _partial_start for why this is tighter than the end's tolerance).
_WHOLE_FROM_DAYS = 3
# This many months in a row without a single transaction means statements are missing.
_GAP_MONTHS = 2
# A fixed payment paid within this many days of a 1st counts in that 1st's month (due_months).
_DUE_WITHIN_DAYS = 5
# How often the same category and amount must recur before it is taken as one fixed payment, and
# the share of its dates that must fall near a 1st.
_FIXED_REPEATS = 3
_FIXED_NEAR_FIRST_SHARE = 0.8

FloatArray = npt.NDArray[np.float64]


class InputError(ValueError):
    """The request's transactions cannot be read; str() is one clear sentence."""


@dataclass(frozen=True)
class Txn:
    """One transaction as the forecaster needs it (amount as an exact decimal, signed)."""

    date: dt.date
    amount: Decimal
    category: str | None


@dataclass(frozen=True)
class MonthlyHistory:
    """Whole months of history, oldest first; every array has one value per month."""

    start: int  # month index (year * 12 + month - 1) of the first month
    spending: dict[str, FloatArray]  # category -> money out that month, positive
    total: FloatArray
    net: FloatArray
    notes: tuple[str, ...] = field(default=())
    # The months after the history that the transactions reach only in part (a month left out as
    # incomplete, the running month, or the next one a fixed payment was paid early for), summed
    # the same way for the same series; never modelled. None when there are none, or no history.
    so_far: MonthlyHistory | None = None
    # The month just before the history when the transactions begin part-way through it (left
    # out, see _partial_start), summed the same way; never modelled. None when there is none.
    partial_start: MonthlyHistory | None = None
    covered_from: dt.date | None = None  # the first day the transactions cover, when partial

    @property
    def length(self) -> int:
        """Number of whole months."""
        return len(self.total)

    @property
    def end(self) -> int:
        """Month index just after the last month of history (the first forecast month)."""
        return self.start + self.length


def month_index(day: dt.date) -> int:
    """Months since year 0 for `day`'s month, so consecutive months differ by one."""
    return day.year * 12 + day.month - 1


def _first_of(index: int) -> dt.date:
    return dt.date(index // 12, index % 12 + 1, 1)


def month_label(index: int) -> str:
    """ "YYYY-MM" for a month index."""
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def parse_date(value: object, where: str) -> dt.date:
    """An ISO date ("2024-03-05", or a datetime whose date part is that); InputError otherwise."""
    if isinstance(value, str) and len(value) >= 10:
        try:
            return dt.date.fromisoformat(value[:10])
        except ValueError:
            pass
    raise InputError(f"{where}: not an ISO date (YYYY-MM-DD): {str(value)[:40]!r}")


def parse_amount(value: object, where: str) -> Decimal:
    """A decimal-string amount ("-12.50"); numbers are refused because money travels as text."""
    if isinstance(value, str) and len(value) <= 40:
        try:
            amount = Decimal(value.strip())
        except InvalidOperation:
            pass
        else:
            # Beyond a quadrillion it is not a bank amount, and floats would lose it anyway.
            if amount.is_finite() and amount.adjusted() < _MAX_DIGITS:
                return amount
    raise InputError(f"{where}: not a decimal amount string: {str(value)[:40]!r}")


def parse_transactions(raw: object) -> list[Txn]:
    """Validate the request's `transactions` list; refuses the whole list at the first bad row."""
    if not isinstance(raw, Sequence) or isinstance(raw, str | bytes):
        raise InputError("transactions must be a list of {date, amount, category} records")
    if len(raw) > MAX_TRANSACTIONS:
        raise InputError(f"too many transactions ({len(raw)}; at most {MAX_TRANSACTIONS})")
    txns: list[Txn] = []
    currencies: set[str] = set()
    for i, row in enumerate(raw):
        where = f"transactions[{i}]"
        if not isinstance(row, Mapping):
            raise InputError(f"{where}: not a record with date, amount and category")
        currency = row.get("currency")  # optional; the amounts of one forecast must share one
        if isinstance(currency, str) and currency.strip():
            currencies.add(currency.strip().upper())
            if len(currencies) > 1:
                raise InputError(
                    f"{where}.currency: the transactions are in more than one currency"
                    f" ({', '.join(sorted(currencies))}); amounts in different currencies do"
                    " not add up: send one currency's transactions"
                )
        category = row.get("category")
        if category is not None and not isinstance(category, str):
            raise InputError(f"{where}.category: must be text or null")
        if category is not None and category.strip().casefold() == UNCATEGORIZED.casefold():
            category = None  # some callers spell "no category" out; it mixes pay and purchases

        txns.append(
            Txn(
                date=parse_date(row.get("date"), f"{where}.date"),
                amount=parse_amount(row.get("amount"), f"{where}.amount"),
                category=category.strip() or None if category is not None else None,
            )
        )
    return txns


def _history_end(last: dt.date, today: dt.date) -> tuple[int, str | None]:
    """Month index just after the last complete month, and a note when a month was left out."""
    last_month = month_index(last)
    if last_month >= month_index(today):
        return month_index(today), None  # the current month is still running: not history
    days = calendar.monthrange(last.year, last.month)[1]
    if last.day > days - _COMPLETE_WITHIN_DAYS:
        return last_month + 1, None
    return last_month, (
        f"{month_label(last_month)} looks incomplete (its last transaction is on day {last.day})"
        " and was left out of the history"
    )


def _after_last_gap(active: set[int], start: int, end: int) -> tuple[int, str | None]:
    """Start after the last run of empty months: a stretch with no transaction at all is missing
    statements, not months of zero spending, and would drag every forecast down."""
    empty_run = 0
    for month in range(end - 1, start - 1, -1):
        if month in active:
            if empty_run >= _GAP_MONTHS:
                first_empty, last_empty = month + 1, month + empty_run
                return last_empty + 1, (
                    f"no transactions at all from {month_label(first_empty)} to"
                    f" {month_label(last_empty)} (missing statements?): history starts at"
                    f" {month_label(last_empty + 1)}"
                )
            empty_run = 0
        else:
            empty_run += 1
    return start, None


def _partial_start(
    start: int, covered_from: dt.date, missing: Txn | None = None
) -> tuple[int, str | None]:
    """Start a month later when the statements begin part-way through the first month.

    `covered_from` is the earliest date of a transaction counted in `start` or later: the first
    day the statements are known to cover (a rent for `start` paid early dates it before the 1st,
    so that month is whole). A first month whose statements begin on the 24th holds a week of
    spending and, when pay lands late in the month, a whole salary: fitted as a month it drags
    the spending forecast and its band down and pushes the net forecast, and so the advisor's
    amount to set aside, up. The tolerance is small and tighter than the one for the last month:
    keeping a partial month errs against the person (a larger amount to set aside), while dropping
    a whole month whose first days had no transaction costs one month of history, which the note
    says. A statement that starts on the 2nd or 3rd, or a quiet weekend after the 1st, still
    counts as whole; the first transaction on the 5th means at least four days may be missing.

    `missing` is a fixed payment due around the 1st (due_months) that the next month holds and
    this one does not, while the statements begin too late to show whether it was paid early:
    statements from 1 December miss a December rent paid on 29 November, and December reads
    1,450 short. That month is not whole either."""
    if (covered_from - _first_of(start)).days > _WHOLE_FROM_DAYS:
        return start + 1, (
            f"{month_label(start)} looks incomplete (its first transaction is on day"
            f" {covered_from.day}) and was left out of the history"
        )
    if missing is not None:
        what = f"{missing.category or UNCATEGORIZED} payment of {abs(missing.amount):,}"
        return start + 1, (
            f"{month_label(start)} looks incomplete (its {what}, due around the 1st, is not in"
            f" it: it was probably paid before the first transaction, on"
            f" {covered_from.isoformat()}) and was left out of the history"
        )
    return start, None


def _missing_fixed(
    txns: Sequence[Txn], months: Sequence[int], due: Mapping[int, int], start: int
) -> Txn | None:
    """A fixed payment (one that due_months moved) counted in the month after `start` but in no
    row of `start`; None when there is none."""
    fixed = {(txns[i].category, txns[i].amount) for i in due}
    seen: dict[tuple[str | None, Decimal], set[int]] = defaultdict(set)
    after: dict[tuple[str | None, Decimal], Txn] = {}
    for t, month in zip(txns, months, strict=True):
        key = (t.category, t.amount)
        if key in fixed and month in (start, start + 1):
            seen[key].add(month)
            after.setdefault(key, t)
    return next((after[k] for k in sorted(seen, key=str) if seen[k] == {start + 1}), None)


def _days_to_nearest_first(day: dt.date) -> tuple[int, int]:
    """The month index of the 1st nearest to `day`, and `day`'s distance in days from it (signed:
    negative before it)."""
    days = calendar.monthrange(day.year, day.month)[1]
    if day.day - 1 <= days - day.day + 1:
        return month_index(day), day.day - 1
    return month_index(day) + 1, day.day - days - 1


def due_months(txns: Sequence[Txn]) -> dict[int, int]:
    """Month index to count a transaction in, for fixed payments due around the 1st of a month.

    Rent or a standing order due on the 1st is paid a day or three early when the 1st falls on a
    weekend: by calendar month it then reads nothing one month and twice the next, a forecast band
    from 0 to double the rent. A payment that recurs (same category, same exact amount, at least
    _FIXED_REPEATS times), with most of its dates within _DUE_WITHIN_DAYS of a 1st and never two
    near the same 1st, is counted in the month of its nearest 1st. Maps positions in `txns`; the
    rest keep their calendar month.
    """
    # Only rows near a 1st are grouped (most are not), so a long ledger costs little memory.
    near: dict[tuple[str | None, Decimal], list[tuple[int, int, int]]] = defaultdict(list)
    for i, t in enumerate(txns):
        due, offset = _days_to_nearest_first(t.date)
        if abs(offset) <= _DUE_WITHIN_DAYS:
            near[(t.category, t.amount)].append((i, due, offset))
    candidates = {
        key: rows
        for key, rows in near.items()
        if len(rows) >= _FIXED_REPEATS
        # Paid on both sides of a 1st: on one side only, calendar months already count it once.
        and min(offset for *_, offset in rows) < 0 <= max(offset for *_, offset in rows)
        # Twice around the same 1st: not a once-a-month payment.
        and len({due for _, due, _ in rows}) == len(rows)
    }
    if not candidates:
        return {}
    members: dict[tuple[str | None, Decimal], int] = defaultdict(int)
    for t in txns:
        if (t.category, t.amount) in candidates:
            members[(t.category, t.amount)] += 1
    moved: dict[int, int] = {}
    for key, rows in candidates.items():
        if len(rows) >= _FIXED_NEAR_FIRST_SHARE * members[key]:  # tied to the turn of the month
            moved.update((i, due) for i, due, _ in rows)
    return moved


def build_history(
    txns: Sequence[Txn], today: dt.date, *, by_due_month: bool = True
) -> MonthlyHistory:
    """Whole-month series from validated transactions; future-dated ones are left out (noted).

    Fixed payments around a 1st count in their due month (due_months) unless `by_due_month` is
    off (the benchmark measures plain calendar months too)."""
    notes: list[str] = []
    past = [t for t in txns if t.date <= today]
    if len(past) < len(txns):
        notes.append(
            f"{len(txns) - len(past)} transaction(s) dated after {today.isoformat()} were left out"
        )
    if not past:
        return MonthlyHistory(month_index(today), {}, np.zeros(0), np.zeros(0), tuple(notes))
    due = due_months(past) if by_due_month else {}
    months = [due.get(i, month_index(t.date)) for i, t in enumerate(past)]
    # A first rent paid before its 1st must not open the history with an empty month.
    start = min(months)
    end, end_note = _history_end(max(t.date for t in past), today)
    start, gap_note = _after_last_gap(set(months), start, end)
    if gap_note:
        notes.append(gap_note)
    covered_from = min(t.date for t, m in zip(past, months, strict=True) if m >= start)
    missing = None
    if due and covered_from > _first_of(start) - dt.timedelta(days=_DUE_WITHIN_DAYS):
        # An early payment for the first month would predate the statements.
        missing = _missing_fixed(past, months, due, start)
    start, partial_note = _partial_start(start, covered_from, missing)
    lead = 1 if partial_note else 0  # the partial first month, summed to be shown, not fitted
    # the notes in the order of the months they are about
    notes += [note for note in (partial_note, end_note) if note]
    n = max(end - start, 0)
    # One pass sums the partial first month, the history and the months after it that the
    # transactions reach only in part.
    stop = max(end, max(months) + 1, start)
    by_category, net = _sums(months, past, start - lead, stop - start + lead)
    spending: dict[str, FloatArray] = {}
    for category, sums in sorted(by_category.items(), key=lambda kv: kv[0] or ""):
        if sum(sums[lead : lead + n]) >= 0:
            continue  # an income (or balancing) category: part of net, not of spending
        # A month where refunds outweigh purchases counts as no spending, not negative spending.
        values = np.array([max(-float(s), 0.0) for s in sums], dtype=np.float64)
        name = category or UNCATEGORIZED
        values = spending[name] + values if name in spending else values
        spending[name] = values
    net_values = np.array([float(v) for v in net], dtype=np.float64)

    def part(begin: int, size: int) -> MonthlyHistory:
        i = begin - start + lead
        by_name = {name: values[i : i + size] for name, values in spending.items()}
        total = np.sum(list(by_name.values()), axis=0) if by_name else np.zeros(size)
        return MonthlyHistory(
            begin, by_name, np.asarray(total, dtype=np.float64), net_values[i : i + size]
        )

    whole = part(start, n)
    # With no whole month there is no series to compare a partial month with (nor any category
    # known to be spending): the caller has only its own figures to show. A partial first month
    # that is the running one does not push the (empty) history past it: statements from 10
    # December read on the 20th, or one row on 31 December read that day, were forecast from
    # January.
    return MonthlyHistory(
        start=min(start, end),
        spending=whole.spending,
        total=whole.total,
        net=whole.net,
        notes=tuple(notes),
        so_far=part(end, stop - end) if n and stop > end else None,
        partial_start=part(start - 1, 1) if n and lead else None,
        covered_from=covered_from if lead else None,
    )


def _sums(
    months: Sequence[int], txns: Sequence[Txn], start: int, n: int
) -> tuple[dict[str | None, list[Decimal]], list[Decimal]]:
    """Exact sums of the `n` months from `start`: money per category, and net."""
    by_category: dict[str | None, list[Decimal]] = defaultdict(lambda: [Decimal(0)] * n)
    net = [Decimal(0)] * n
    for month, t in zip(months, txns, strict=True):
        i = month - start
        if 0 <= i < n:
            # Uncategorized rows mix pay and purchases: only money out of them is spending.
            if t.category is not None or t.amount < 0:
                by_category[t.category][i] += t.amount
            net[i] += t.amount
    return by_category, net
