"""Which date column, and what its dates mean: the format when several fit every value (saved
profile, the rows' order, the locale, the statement's own currency - else a Question), and the
year of dates printed without one.

Never guesses: what the evidence cannot settle is returned as a Question.
"""

from __future__ import annotations

import datetime
import itertools
import re
from collections.abc import Mapping as Mapping_
from dataclasses import dataclass
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


# Where people write the month first; English Canada writes both, so it settles nothing.
_MONTH_FIRST_TERRITORIES = {"us", "ph", "fm", "mh", "pw", "as", "gu", "mp", "pr", "um", "vi"}


def _locale_day_first(locale: str | None) -> bool | None:
    """True for day-first locales (en_GB, de_DE), False for month-first (en_US), else None."""
    if not locale:
        return None
    norm = locale.replace("-", "_").split(".")[0].split("@")[0].strip().lower()
    if norm in ("c", "posix", "", "en"):
        return None
    language, _, territory = norm.partition("_")
    if territory in _MONTH_FIRST_TERRITORIES:
        return False
    if norm == "en_ca" or not language.isalpha():
        return None
    return True


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


# A lakh grouping (1,20,000 / 12,34,567.50): two-digit groups before the last three digits.
_LAKHS = re.compile(r"(?<![\d,])\d{1,2}(?:,\d{2})+,\d{3}(?![\d,])")


def statement_locale(  # noqa: PLR0911 - one exit per piece of evidence
    stats: list[ColumnStats], rows: list[list[str]], decimal: str, date_header: str = ""
) -> tuple[bool, str] | None:
    """(day first?, why) from what the statement says about its own money, if it says enough.

    The currency a statement is kept in tells which date order its bank writes: US dollars
    month-first; euros, pounds, rupees, decimal commas, lakh groupings day-first; so does a date
    column headed in a language whose banks all write the day first ("Fecha", "Data", "Datum").
    """
    if decimal == ",":
        return True, "amounts use a decimal comma"
    found: set[str] = set()
    lakhs = False
    for s in stats:
        tokens = re.findall(r"[a-z]{2,3}|[£€₹₽₺]", s.header.casefold())
        found.update(t for t in tokens if t in _US_CURRENCY or t in _DAY_FIRST_CURRENCIES)
        cells = {r[s.index].strip().casefold() for r in rows if r[s.index].strip()}
        if s.currency_like:
            found.update(cells)
        if col.is_money(s):
            for cell in list(cells)[:50]:
                found.update(ch for ch in cell if ch in "£€₹₽₺")
                lakhs = lakhs or _LAKHS.search(cell) is not None
    us = found & _US_CURRENCY
    other = found & _DAY_FIRST_CURRENCIES
    if us and not other:
        return False, "the statement is in US dollars"
    if other and not us:
        return True, f"the statement is in {sorted(other)[0].upper()}"
    if lakhs and not us:
        return True, "amounts are grouped in lakhs (1,20,000.00), as Indian banks write them"
    if not found and any(_US_HEADER.search(s.header.casefold()) for s in stats):
        # "Check" (not "cheque") numbers: an American bank, and American banks write month-first.
        return False, "the header spells cheque the American way ('Check')"
    if not us and date_header and col.matches(date_header, words.DAY_FIRST_DATE_WORDS):
        return True, f"the date column is headed {date_header.strip()!r}, not in English"
    return None


@dataclass(frozen=True)
class Settled:
    """How an ambiguous date column was read: the format, why, or the question to ask."""

    date_format: str
    note: str | None
    question: Question | None
    decided: bool = True  # False when every reading gave the same dates: nothing was learnt


def settle(  # noqa: PLR0911 - one exit per piece of evidence
    formats: tuple[str, ...],
    values: list[str],
    *,
    profile: Mapping | None = None,
    locale: str | None = None,
    hint: tuple[bool, str] | None = None,
    evidence: tuple[str, str] | None = None,
    named: tuple[str, str] | None = None,
    complete: bool = True,
) -> Settled:
    """The reading of a date column that more than one format reads entirely.

    In order: the saved profile; every reading giving the same dates (then it does not matter,
    and nothing is learnt for the profile); the rows' order; the only reading that keeps the
    rows within a year where the others spread them over years; the file's own evidence (another
    date column, dates in the preamble, a running balance); what the statement says of its
    bank (its currency, a decimal comma, American words); dates in the file name; the locale;
    else a Question.
    """
    if profile is not None and profile.date_format in formats and profile.date_settled:
        return Settled(profile.date_format, "Date format taken from the saved profile.", None)
    if complete and same_dates(formats, values):  # `values` are all the file's dates
        return Settled(
            formats[0], "Every reading of the dates gives the same days.", None, decided=False
        )
    order = {f: _sortedness(values, f) for f in formats}
    in_order = [f for f in formats if order[f] == 0]
    if len(in_order) == 1 and len(values) >= 3:
        return Settled(
            in_order[0],
            "Date format chosen as the only reading that keeps the rows in date order.",
            None,
        )
    compact = _compact(formats, values)
    if compact is not None:
        return Settled(
            compact,
            "Date format chosen as the only reading that keeps the rows within a year (the "
            "others spread them over years, reading the day as the year).",
            None,
        )
    if evidence is not None and evidence[0] in formats:
        return Settled(evidence[0], evidence[1], None)
    # What the statement says of its bank (its currency, its words) outranks the locale, which
    # says where the person importing it lives.
    if hint is not None:
        fitting = [f for f in formats if dates.day_first(f) is hint[0]]
        if fitting:
            reading = "day-first" if hint[0] else "month-first"
            return Settled(fitting[0], f"Dates read {reading} because {hint[1]}.", None)
    if named is not None and named[0] in formats:
        return Settled(named[0], named[1], None)
    day_first = _locale_day_first(locale)
    if day_first is not None:
        fitting = [f for f in formats if dates.day_first(f) is day_first]
        if fitting:
            return Settled(fitting[0], f"Date format chosen from the locale {locale}.", None)
    example = next((v.strip() for v in values if v.strip()), "")
    question = Question(
        key=DATE_QUESTION,
        text=f"Dates such as {example!r} can be read in more than one way; which format is it?",
        choices=formats,
    )
    return Settled(formats[0], None, question)


# A statement's rows fall within a year or so; a reading that spreads the same rows over more
# than five years takes its years from the day field (two-digit years read year-first).
_COMPACT_DAYS = 366
_SPREAD_DAYS = 5 * 365


def _compact(formats: tuple[str, ...], values: list[str]) -> str | None:
    """The only reading whose dates span at most a year while every other spans over five:
    '03/01/18 .. 23/01/18' is January 2018, not 2003 to 2023. Day-first and month-first
    readings share their year, so this never settles those."""
    spans: dict[str, int] = {}
    for fmt in formats:
        seen = [d for d in (dates.parse(v, fmt) for v in values) if d is not None]
        if len(seen) < 2:
            return None
        spans[fmt] = (max(seen) - min(seen)).days
    fitting = [f for f, span in spans.items() if span <= _COMPACT_DAYS]
    if len(fitting) != 1:
        return None
    others = [span for f, span in spans.items() if f != fitting[0]]
    return fitting[0] if all(span > _SPREAD_DAYS for span in others) else None


def balance_order(
    formats: tuple[str, ...], values: list[str], newest_first: bool
) -> tuple[str, str] | None:
    """(format, why) for the only reading whose dates run the way a running balance proved the
    rows run (newest or oldest first); None when several or none do."""
    fitting = []
    for fmt in formats:
        seen = [d for d in (dates.parse(v, fmt) for v in values) if d is not None]
        steps = list(itertools.pairwise(reversed(seen) if newest_first else seen))
        if any(b < a for a, b in steps) or not any(b > a for a, b in steps):
            continue
        fitting.append(fmt)
    if len(fitting) != 1:
        return None
    order = "newest" if newest_first else "oldest"
    return (
        fitting[0],
        f"Date format chosen as the only reading that lists the rows {order} first, as the "
        "running balance does.",
    )


def same_dates(formats: tuple[str, ...], values: list[str]) -> bool:
    """True when every format reads every value as the same day (e.g. 09/09/2025)."""
    seen = False
    for value in values:
        if not value.strip():
            continue
        if len({dates.parse(value, f) for f in formats}) > 1:
            return False
        seen = True
    return seen


# A day-month-year or month-day-year date inside free text (a preamble line, a file name).
_DMY_TOKEN = re.compile(r"(?<!\d)(?<!\d[./-])(\d{1,2})([./-])(\d{1,2})\2(\d{4})(?!\d|[./-]\d)")

# Lag between two dates of one row (transaction and booking, booking and value date) that
# still counts as close, and the gap that no such pair has.
_CLOSE_DAYS = 10
_FAR_DAYS = 28


def file_evidence(
    formats: tuple[str, ...],
    date_column: int,
    *,
    stats: list[ColumnStats],
    rows: list[list[str]],
    preamble: list[list[str]],
) -> tuple[str, str] | None:
    """(format, why) when the file's own dates say which reading is meant, else None."""
    paired = _paired_dates(formats, date_column, stats, rows)
    if paired is not None:
        return paired
    texts = [cell for record in preamble for cell in record]
    values = [r[date_column] for r in rows]
    return _written_like(formats, texts, "above") or _not_after(formats, values, texts, "above")


def name_evidence(
    formats: tuple[str, ...], source: Path | bytes, values: list[str]
) -> tuple[str, str] | None:
    """(format, why) from dates in the file's name; weaker than what the statement says, as
    people rename their downloads."""
    if not isinstance(source, Path):
        return None
    texts = [source.name]
    return _written_like(formats, texts, "name") or _not_after(formats, values, texts, "name")


def _place(where: str) -> str:
    return "the lines above the table" if where == "above" else "the file name"


def _written_like(formats: tuple[str, ...], texts: list[str], where: str) -> tuple[str, str] | None:
    stated = _stated_order(texts)
    fitting = [f for f in formats if stated is not None and dates.day_first(f) is stated]
    if not fitting:
        return None
    reading = "day-first" if stated else "month-first"
    return fitting[0], f"Dates read {reading} as the dates in {_place(where)} are written."


# A year-first date stamp (2018-02-26, 20180226), as in an export's name or its "created" line.
_STAMP = re.compile(r"(?<!\d)((?:19|20)\d\d)([-/.]?)([01]\d)\2([0-3]\d)(?!\d)")
_SLACK = datetime.timedelta(days=3)


def _not_after(
    formats: tuple[str, ...], values: list[str], texts: list[str], where: str
) -> tuple[str, str] | None:
    """The only reading that puts no row after the latest date stamped in `texts` (a statement
    holds nothing booked after it was made); None when there is no stamp or no single reading."""
    stamps = []
    for text in texts:
        for year, _, month, day in _STAMP.findall(text):
            if _valid(int(year), int(month), int(day)):
                stamps.append(datetime.date(int(year), int(month), int(day)))
    if not stamps:
        return None
    bound = max(stamps) + _SLACK
    fitting = [
        f
        for f in formats
        if all(d is None or d <= bound for d in (dates.parse(v, f) for v in values))
    ]
    if len(fitting) != 1:
        return None
    return (
        fitting[0],
        f"Date format chosen as the only reading with no row after {max(stamps).isoformat()}, "
        f"the date in {_place(where)}.",
    )


def _stated_order(texts: list[str]) -> bool | None:
    """True (day first) or False (month first) when every date in `texts` that only one order
    reads agrees; None when none says or they disagree."""
    votes: set[bool] = set()
    for text in texts:
        for first, _, second, year in _DMY_TOKEN.findall(text):
            a, b, y = int(first), int(second), int(year)
            day_first = _valid(y, b, a)
            month_first = _valid(y, a, b)
            if day_first != month_first:
                votes.add(day_first)
    return votes.pop() if len(votes) == 1 else None


def _valid(year: int, month: int, day: int) -> bool:
    try:
        datetime.date(year, month, day)
    except ValueError:
        return False
    return True


def _paired_dates(
    formats: tuple[str, ...], date_column: int, stats: list[ColumnStats], rows: list[list[str]]
) -> tuple[str, str] | None:
    """The reading under which another date column of the same rows (a booking or value date)
    stays within days of the date column, where every other reading puts them weeks apart."""
    for other in stats:
        if other.index == date_column or not other.date_formats:
            continue
        spans: dict[str, int] = {}
        for fmt in formats:
            if fmt in other.date_formats:
                other_fmt = fmt  # one file writes its dates one way
            elif len(other.date_formats) == 1:
                other_fmt = other.date_formats[0]
            else:
                break
            gaps = [
                abs((a - b).days)
                for a, b in (
                    (dates.parse(r[date_column], fmt), dates.parse(r[other.index], other_fmt))
                    for r in rows
                )
                if a is not None and b is not None
            ]
            if not gaps:
                break
            spans[fmt] = max(gaps)
        if len(spans) != len(formats):
            continue
        close = [f for f, span in spans.items() if span <= _CLOSE_DAYS]
        if len(close) == 1 and all(s >= _FAR_DAYS for f, s in spans.items() if f != close[0]):
            name = repr(other.header) if other.header else f"column {other.index + 1}"
            return (
                close[0],
                f"Date format chosen as the only reading that keeps {name} within days of the "
                "date.",
            )
    return None


_US_HEADER = re.compile(r"\b(?:check|checknum|check#)\b")


def locale_from_env(environ: Mapping_[str, str]) -> str | None:
    """The locale a process runs in (LC_ALL, else LC_TIME, else LANG), or None for C/POSIX or
    none, e.g. {"LANG": "en_GB.UTF-8"} -> "en_GB.UTF-8"; for detect()'s `locale`."""
    for name in ("LC_ALL", "LC_TIME", "LANG"):
        value = environ.get(name, "").strip()
        if value:
            return value if _locale_day_first(value) is not None else None
    return None
