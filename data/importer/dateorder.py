"""Which date column, and what its dates mean: the format when several fit every value (saved
profile, the rows' order, the locale, the statement's own currency - else a Question), and the
year of dates printed without one.

Never guesses: what the evidence cannot settle is returned as a Question.
"""

from __future__ import annotations

import datetime
import itertools
import re
from pathlib import Path

from data.importer import columns as col
from data.importer import dates, sniff, words
from data.importer.columns import ColumnStats
from data.importer.types import ImportProblem, Mapping, Question

DATE_QUESTION = "date_format"


def pick_date_column(stats: list[ColumnStats], headed: bool) -> ColumnStats:
    """The transaction date column: the booking date, not a value or start date, and filled."""
    dated = [s for s in stats if s.date_formats and s.filled >= 0.5]
    if not dated:
        raise ImportProblem("No column holds dates in one consistent format.")

    def rank(s: ColumnStats) -> tuple[int, int, int, int, int]:
        value_date = int(headed and col.matches(s.header, words.VALUE_DATE_WORDS))
        # When a statement has both, the day a payment completed is its booking date.
        started = int(headed and col.matches(s.header, words.STARTED_WORDS))
        named = int(headed and not col.matches(s.header, words.DATE_WORDS))
        return (value_date, started, int(s.filled < 0.99), named, s.index)

    return min(dated, key=rank)


def _sortedness(values: list[str], fmt: str) -> int:
    """How many steps break the best order (ascending or descending) under `fmt`."""
    parsed = [d for d in (dates.parse(v, fmt) for v in values) if d is not None]
    up = sum(1 for a, b in itertools.pairwise(parsed) if b < a)
    down = sum(1 for a, b in itertools.pairwise(parsed) if b > a)
    return min(up, down)


def _locale_day_first(locale: str | None) -> bool | None:
    if not locale:
        return None
    norm = locale.replace("-", "_").split(".")[0].lower()
    if norm in ("c", "posix", ""):
        return None
    if norm in ("en_us", "en_ph", "en_ca_us") or norm.endswith("_us"):
        return False
    if "_" in norm or norm not in ("en",):
        return True
    return None


def narrow_formats(
    formats: tuple[str, ...], source: Path | bytes, mapping: Mapping, column: int
) -> tuple[str, ...]:
    """Filter `formats` with every date cell of the whole file (streamed)."""
    alive = list(formats)
    for index, (_, record) in enumerate(sniff.records(source, mapping.encoding, mapping.delimiter)):
        if index < mapping.data_start or column >= len(record):
            continue
        cell = record[column]
        if not cell.strip() or (dates.parse(cell, alive[0]) is None and len(alive) == 1):
            continue
        still = [f for f in alive if dates.parse(cell, f) is not None]
        if still:
            alive = still
        if len(alive) == 1:
            break
    return tuple(alive)


def period(date_format: str, preamble: list[list[str]], source: Path | bytes) -> tuple[str, ...]:
    """The statement period that gives year-less dates their year: the dates in the preamble,
    else a date in the file's name; () when the date format has a year."""
    if dates.has_year(date_format):
        return ()
    period = dates.period_of(cell for record in preamble for cell in record)
    if not period and isinstance(source, Path):
        stamp = re.search(r"(?<!\d)(20\d\d)-?([01]\d)-?([0-3]\d)(?!\d)", source.name)
        if stamp:
            day = dates.parse("-".join(stamp.groups()), "%Y-%m-%d")
            if day is not None:
                period = ((day - datetime.timedelta(days=365)).isoformat(), day.isoformat())
    if not period:
        raise ImportProblem(
            "The dates have no year, and the file does not say which period it covers."
        )
    return period


_US_CURRENCY = {"usd", "us$"}

_DAY_FIRST_CURRENCIES = {
    "eur",
    "gbp",
    "chf",
    "inr",
    "rs",
    "aud",
    "nzd",
    "sek",
    "nok",
    "dkk",
    "pln",
    "czk",
    "huf",
    "ron",
    "bgn",
    "rub",
    "uah",
    "try",
    "zar",
    "brl",
    "sgd",
    "hkd",
    "myr",
    "idr",
    "ils",
    "ltl",
    "£",
    "€",
    "₹",
    "₽",
    "₺",
    "zł",
    "kč",
    "ft",
}


def statement_locale(
    stats: list[ColumnStats], rows: list[list[str]], decimal: str
) -> tuple[bool, str] | None:
    """(day first?, why) from what the statement says about its own money, if it says enough.

    The currency a statement is kept in tells which date order its bank writes: US dollars
    month-first; euros, pounds, rupees, decimal commas day-first.
    """
    if decimal == ",":
        return True, "amounts use a decimal comma"
    found: set[str] = set()
    for s in stats:
        tokens = re.findall(r"[a-z]{2,3}|[£€₹₽₺]", s.header.casefold())
        found.update(t for t in tokens if t in _US_CURRENCY or t in _DAY_FIRST_CURRENCIES)
        cells = {r[s.index].strip().casefold() for r in rows if r[s.index].strip()}
        if s.currency_like:
            found.update(cells)
        if col.is_money(s):
            for cell in list(cells)[:50]:
                found.update(ch for ch in cell if ch in "£€₹₽₺")
    us = found & _US_CURRENCY
    other = found & _DAY_FIRST_CURRENCIES
    if us and not other:
        return False, "the statement is in US dollars"
    if other and not us:
        return True, f"the statement is in {sorted(other)[0].upper()}"
    return None


def settle(
    formats: tuple[str, ...],
    values: list[str],
    profile: Mapping | None,
    locale: str | None,
    hint: tuple[bool, str] | None,
) -> tuple[str, str | None, Question | None]:
    """(format, note, question) for a date column that more than one format reads entirely."""
    if profile is not None and profile.date_format in formats:
        return profile.date_format, "Date format taken from the saved profile.", None
    order = {f: _sortedness(values, f) for f in formats}
    in_order = [f for f in formats if order[f] == 0]
    if len(in_order) == 1 and len(values) >= 3:
        return (
            in_order[0],
            "Date format chosen as the only reading that keeps the rows in date order.",
            None,
        )
    day_first = _locale_day_first(locale)
    if day_first is not None:
        fitting = [f for f in formats if dates.day_first(f) is day_first]
        if fitting:
            return fitting[0], f"Date format chosen from the locale {locale}.", None
    if hint is not None:
        fitting = [f for f in formats if dates.day_first(f) is hint[0]]
        if fitting:
            reading = "day-first" if hint[0] else "month-first"
            return fitting[0], f"Dates read {reading} because {hint[1]}.", None
    example = next((v.strip() for v in values if v.strip()), "")
    question = Question(
        key=DATE_QUESTION,
        text=f"Dates such as {example!r} can be read in more than one way; which format is it?",
        choices=formats,
    )
    return formats[0], None, question
