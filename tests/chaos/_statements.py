"""Generated bank statements for the app chaos test, with what importing them must store.

Three accounts, each with two years of plausible history in its own bank's export layout; the
statements are date windows over that history, some overlapping the previous statement and some
re-downloads of a range already imported, so duplicate detection is exercised. Every window holds
whole days, so two genuinely identical purchases on one day are always in the same file (the
importer keeps both: they differ by their occurrence index in the file).

`Expected` replays the imports in the order they were done and says, per file, how many rows are
new and how many are duplicates, and per account the exact multiset the ledger must hold. This
module must never import the app: expectations come from the generated rows alone.
"""

from __future__ import annotations

import csv
import datetime as dt
import random
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

Row = tuple[dt.date, int, str]  # date, amount in minor units (negative = money out), description
Key = tuple[dt.date, int, str, int]  # a row plus its occurrence index among identical rows


@dataclass(frozen=True)
class Merchant:
    """A payee the history draws from: how often, how much (minor units, out is negative)."""

    name: str
    per_week: float
    low: int
    high: int
    refs: int = 0  # >0: a store or reference number is appended, like real card descriptions


EVERYDAY = (
    Merchant("TESCO STORES", 4.0, -9000, -1500, refs=60),
    Merchant("PRET A MANGER", 6.0, -900, -350, refs=25),
    Merchant("SHELL FUEL", 1.5, -8000, -3000, refs=30),
    Merchant("AMAZON MKTPLACE", 2.0, -6000, -800),
    Merchant("CASHPOINT WITHDRAWAL", 0.4, -10000, -2000, refs=80),
    Merchant("UBER TRIP", 2.0, -3500, -700),
)
CARD = (
    Merchant("STARBUCKS CARD", 6.0, -700, -300, refs=40),
    Merchant("SAINSBURYS", 3.0, -7000, -1000, refs=40),
    Merchant("NETFLIX.COM", 0.23, -1599, -1599),
    Merchant("SPOTIFY", 0.23, -1199, -1199),
    Merchant("TRAINLINE", 0.8, -9000, -1200),
    Merchant("DELIVEROO", 3.0, -4000, -1500),
    Merchant("BOOTS", 0.5, -3000, -400, refs=20),
)
HOUSEHOLD = (
    Merchant("DIRECT DEBIT OCTOPUS ENERGY", 0.23, -18000, -9000),
    Merchant("DIRECT DEBIT THAMES WATER", 0.23, -4500, -3000),
    Merchant("WAITROSE", 3.0, -12000, -2000, refs=20),
    Merchant("B AND Q", 0.3, -25000, -1500, refs=15),
    Merchant("VIRGIN MEDIA", 0.23, -5500, -5500),
)


@dataclass(frozen=True)
class Layout:
    """A bank's CSV shape: header, one row's cells, and the order rows are written in."""

    header: tuple[str, ...]
    cells: Callable[[dt.date, int, str, int], list[str]]  # date, amount, description, balance
    newest_first: bool


def _money(minor: int) -> str:
    sign = "-" if minor < 0 else ""
    return f"{sign}{abs(minor) // 100}.{abs(minor) % 100:02d}"


PLAIN = Layout(
    ("Date", "Description", "Amount"),
    lambda d, a, desc, _b: [d.isoformat(), desc, _money(a)],
    newest_first=False,
)
US_CARD = Layout(
    ("Transaction Date", "Description", "Type", "Amount"),
    lambda d, a, desc, _b: [
        d.strftime("%m/%d/%Y"),
        desc,
        "Sale" if a < 0 else "Payment",
        _money(a),
    ],
    newest_first=True,
)
UK_BANK = Layout(
    ("Date", "Description", "Money out", "Money in", "Balance"),
    lambda d, a, desc, b: [
        d.strftime("%d/%m/%Y"),
        desc,
        _money(-a) if a < 0 else "",
        _money(a) if a >= 0 else "",
        _money(b),
    ],
    newest_first=True,
)


@dataclass(frozen=True)
class Statement:
    """One generated file and the rows it holds (in date order)."""

    path: Path
    account: str
    rows: tuple[Row, ...]

    def identities(self) -> list[Key]:
        """Each row with its occurrence index among identical rows of this file."""
        seen: Counter[Row] = Counter()
        out = []
        for row in self.rows:
            out.append((*row, seen[row]))
            seen[row] += 1
        return out


@dataclass
class Account:
    """One account's whole history and how its statements are written."""

    name: str
    layout: Layout
    rows: list[Row]
    opening: int = 250_000

    def balances(self) -> dict[int, int]:
        """Running balance after each row (by index in `rows`)."""
        total, out = self.opening, {}
        for i, (_d, amount, _desc) in enumerate(self.rows):
            total += amount
            out[i] = total
        return out


def history(
    rng: random.Random, merchants: Iterable[Merchant], start: dt.date, end: dt.date
) -> list[Row]:
    """Rows from `start` to `end` (inclusive), unique by (date, amount, description) except for
    a few deliberate identical twins on the same day."""
    rows: list[Row] = []
    seen: set[Row] = set()
    day = start
    merchants = tuple(merchants)
    while day <= end:
        for m in merchants:
            n = _poisson(rng, m.per_week / 7)
            for _ in range(n):
                for _attempt in range(20):
                    ref = f" {rng.randrange(1, m.refs + 1):04d}" if m.refs else ""
                    row = (day, rng.randint(m.low, m.high), m.name + ref)
                    if row not in seen:
                        break
                else:
                    continue
                seen.add(row)
                rows.append(row)
                if rng.random() < 0.01:
                    rows.append(row)  # the same coffee twice: both must be kept
        if day.day == 25:
            rows.append((day, rng.choice((310_000, 310_000, 325_000)), "ACME LTD PAYROLL"))
        day += dt.timedelta(days=1)
    return rows


def _poisson(rng: random.Random, lam: float) -> int:
    # Knuth's method: small lambdas only.
    limit, k, p = pow(2.718281828459045, -lam), 0, 1.0
    while True:
        p *= rng.random()
        if p <= limit:
            return k
        k += 1


def accounts(rng: random.Random, today: dt.date) -> list[Account]:
    """The three accounts, two years of history each, ending yesterday."""
    start = today - dt.timedelta(days=730)
    end = today - dt.timedelta(days=1)
    return [
        Account("Everyday", PLAIN, history(rng, EVERYDAY, start, end)),
        Account("Card", US_CARD, history(rng, CARD, start, end)),
        Account("Household", UK_BANK, history(rng, HOUSEHOLD, start, end)),
    ]


def _window(account: Account, first: dt.date, last: dt.date) -> list[int]:
    return [i for i, r in enumerate(account.rows) if first <= r[0] <= last]


def _unambiguous(account: Account, idx: list[int]) -> bool:
    # A day-first or month-first file needs a day above 12 for its date order to be certain.
    return any(account.rows[i][0].day > 12 for i in idx) and len(idx) >= 5


def write(account: Account, idx: list[int], path: Path) -> Statement:
    """Write rows `idx` of `account` as its bank would export them."""
    balances = account.balances()
    order = sorted(idx, reverse=account.layout.newest_first)
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(account.layout.header)
        for i in order:
            d, amount, desc = account.rows[i]
            w.writerow(account.layout.cells(d, amount, desc, balances[i]))
    return Statement(path, account.name, tuple(account.rows[i] for i in sorted(idx)))


def statements(rng: random.Random, folder: Path, today: dt.date) -> list[Statement]:
    """Monthly statements of every account, interleaved oldest first; about one in four starts a
    few days inside the previous month, and every fifth file re-downloads an earlier range."""
    folder.mkdir(parents=True, exist_ok=True)
    accts = accounts(rng, today)
    out: list[Statement] = []
    month = (today - dt.timedelta(days=730)).replace(day=1)
    n = 0
    while month < today:
        following = (month + dt.timedelta(days=32)).replace(day=1)
        for account in accts:
            overlap = rng.choice((0, 0, 0, 3, 7, 14))
            first = month - dt.timedelta(days=overlap)
            last = min(following - dt.timedelta(days=1), today)
            idx = _window(account, first, last)
            if not _unambiguous(account, idx):
                continue
            n += 1
            out.append(write(account, idx, folder / f"{n:03d}-{account.name.lower()}.csv"))
            if n % 5 == 0:
                again = rng.choice(accts)
                begin = month - dt.timedelta(days=rng.randrange(20, 90))
                idx = _window(again, begin, begin + dt.timedelta(days=rng.randrange(20, 45)))
                if _unambiguous(again, idx):
                    n += 1
                    name = f"{n:03d}-{again.name.lower()}-redownload.csv"
                    out.append(write(again, idx, folder / name))
        month = following
    return out


@dataclass
class Expected:
    """What the ledger must hold after some statements were imported, in order."""

    stored: dict[str, Counter[Row]] = field(default_factory=dict)
    keys: dict[str, set[Key]] = field(default_factory=dict)
    per_file: list[tuple[str, int, int]] = field(default_factory=list)  # name, new, duplicates

    def add(self, statement: Statement) -> tuple[int, int]:
        """Replay one import; returns (new rows, duplicates) it must report."""
        have = self.keys.setdefault(statement.account, set())
        stored = self.stored.setdefault(statement.account, Counter())
        new = dup = 0
        for key in statement.identities():
            if key in have:
                dup += 1
            else:
                new += 1
                have.add(key)
                stored[key[:3]] += 1
        self.per_file.append((statement.path.name, new, dup))
        return new, dup

    def total(self) -> int:
        """Rows the ledger must hold in all."""
        return sum(sum(c.values()) for c in self.stored.values())
