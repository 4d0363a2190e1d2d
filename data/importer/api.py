"""The staged import API: detect() -> preview() -> (adjust the Mapping / answer()) -> iter_rows().

detect() reads only the sniff window, except to settle an ambiguous date format, when it streams
the date column of the rest of the file. iter_rows() streams the whole file with bounded memory.
Nothing here writes anywhere or knows about the ledger.
"""

from __future__ import annotations

import codecs
import datetime
import hashlib
import itertools
import re
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

from data.importer import amounts, dates, signs, sniff
from data.importer import columns as col
from data.importer.columns import ColumnStats
from data.importer.rows import RowReader
from data.importer.table import Region, find_region
from data.importer.types import (
    DEBIT_CREDIT,
    INDICATOR,
    SIGN_CONVENTIONS,
    SIGNED,
    SPEND_POSITIVE,
    Detection,
    ImportProblem,
    Mapping,
    ParsedRow,
    Preview,
    Question,
    RowError,
)

DATE_QUESTION = "date_format"


def profile_key(header: list[str] | None, width: int, delimiter: str) -> str:
    """A stable key for a statement layout: the normalised header, or the shape when headerless."""
    if header is not None:
        basis = "h\x1f" + "\x1f".join(col.normalise(c) for c in header).rstrip("\x1f")
    else:
        basis = f"n\x1f{width}\x1f{delimiter}"
    return hashlib.sha256(basis.encode("utf-8")).hexdigest()[:24]


def _names(header: list[str] | None, width: int) -> tuple[str, ...]:
    if header is None:
        return tuple(f"column {i + 1}" for i in range(width))
    padded = [h.strip() for h in header] + [""] * max(0, width - len(header))
    return tuple(padded[:width] if len(padded) > width else padded)


def _column_name(mapping: Mapping, index: int | None) -> str:
    if index is None:
        return "?"
    name = mapping.columns[index] if index < len(mapping.columns) else ""
    return repr(name) if name else f"column {index + 1}"


def _pick_date_column(stats: list[ColumnStats], headed: bool) -> ColumnStats:
    dated = [s for s in stats if s.date_formats and s.filled >= 0.5]
    if not dated:
        raise ImportProblem("No column holds dates in one consistent format.")

    def rank(s: ColumnStats) -> tuple[int, int, int, int, int]:
        value_date = int(headed and col.matches(s.header, col.VALUE_DATE_WORDS))
        # When a statement has both, the day a payment completed is its booking date.
        started = int(headed and col.matches(s.header, col.STARTED_WORDS))
        named = int(headed and not col.matches(s.header, col.DATE_WORDS))
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


def _narrow_formats(
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


def detect(
    source: Path | bytes, *, profile: Mapping | None = None, locale: str | None = None
) -> Detection:
    """Recognise a statement's layout; ambiguity it cannot settle becomes a Question."""
    if isinstance(source, str):
        source = Path(source)
    window = sniff.sample(source)
    delimiter = sniff.choose_delimiter(window.text)
    recs = sniff.sample_records(window.text, delimiter)
    region = find_region(recs)
    header = recs[region.header_index][1] if region.header_index is not None else None
    names = _names(header, region.width)
    key = profile_key(header, region.width, delimiter)
    base = Mapping(
        encoding=window.encoding,
        delimiter=delimiter,
        header_row=region.header_index,
        data_start=region.data_start,
        width=region.width,
        columns=names,
    )
    if profile is not None and _profile_fits(profile, base):
        preamble = [r for _, r in recs[: region.data_start]]
        mapping = replace(
            profile,
            encoding=window.encoding,
            header_row=region.header_index,
            data_start=region.data_start,
            period=_period(profile.date_format, preamble, source),
        )
        notes = ("Layout taken from the saved profile for this header.",)
        return Detection(mapping, (), key, source, _describe(mapping) + notes)
    return _analyse(
        source=source,
        complete=window.complete,
        base=base,
        region=region,
        key=key,
        profile=profile,
        locale=locale,
        window=[r for _, r in recs],
    )


def _period(date_format: str, preamble: list[list[str]], source: Path | bytes) -> tuple[str, ...]:
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


def _profile_fits(profile: Mapping, base: Mapping) -> bool:
    same_header = tuple(col.normalise(c) for c in profile.columns) == tuple(
        col.normalise(c) for c in base.columns
    )
    return same_header and profile.delimiter == base.delimiter and profile.width == base.width


def _analyse(
    *,
    source: Path | bytes,
    complete: bool,
    base: Mapping,
    region: Region,
    key: str,
    profile: Mapping | None,
    locale: str | None,
    window: list[list[str]],
) -> Detection:
    rows = region.data
    width = region.width
    headed = base.header_row is not None
    cells_by_column = [[r[i] for r in rows] for i in range(width)]
    numeric_cells = [
        c
        for cells in cells_by_column
        if not dates.formats_for(cells)
        for c in cells
        if amounts.looks_like_amount(c)
    ]
    decimal = amounts.decimal_style(numeric_cells)
    stats = [
        col.column_stats(i, base.columns[i] if headed else "", cells_by_column[i], decimal)
        for i in range(width)
    ]
    date_stats = _pick_date_column(stats, headed)
    base = replace(base, decimal=decimal, date_column=date_stats.index)
    formats = date_stats.date_formats
    notes: list[str] = []
    questions: list[Question] = []
    if len(formats) > 1 and not complete:
        formats = _narrow_formats(formats, source, base, date_stats.index) or formats
    date_format = formats[0]
    if len(formats) > 1:
        hint = _statement_locale(stats, rows, decimal)
        date_format, note, question = _settle_dates(
            formats, cells_by_column[date_stats.index], profile, locale, hint
        )
        if note:
            notes.append(note)
        if question:
            questions.append(question)
    base = replace(
        base,
        date_format=date_format,
        period=_period(date_format, window[: base.data_start], source),
    )
    choice = signs.choose(base, stats, rows, window)
    if choice is None:
        raise ImportProblem("No column holds amounts of money.")
    mapping = choice.mapping
    notes.extend(choice.notes)
    used = {
        mapping.date_column,
        mapping.amount_column,
        mapping.debit_column,
        mapping.credit_column,
        mapping.indicator_column,
        mapping.balance_column,
    }
    currency = next(
        (
            s.index
            for s in stats
            if s.currency_like
            and s.index not in used
            and not col.matches(s.header, col.AMOUNT_PENALTY_WORDS)
            and (not headed or col.matches(s.header, col.CURRENCY_WORDS) or s.distinct >= 1)
        ),
        None,
    )
    used.add(currency)
    mapping = replace(
        mapping,
        currency_column=currency,
        description_columns=_description_columns(stats, used, headed),
    )
    return Detection(mapping, tuple(questions), key, source, _describe(mapping) + tuple(notes))


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


def _statement_locale(
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


def _settle_dates(
    formats: tuple[str, ...],
    values: list[str],
    profile: Mapping | None,
    locale: str | None,
    hint: tuple[bool, str] | None,
) -> tuple[str, str | None, Question | None]:
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


def _description_columns(
    stats: list[ColumnStats], used: set[int | None], headed: bool
) -> tuple[int, ...]:
    text = [
        s
        for s in stats
        if s.index not in used
        and s.filled > 0
        and not s.date_formats
        and s.numeric < 0.9
        and not s.currency_like
    ]
    if headed:
        named = [
            s.index for s in text if col.matches(s.header, col.DESCRIPTION_WORDS) and not s.id_like
        ]
        if named:
            return tuple(named)
    varied = [s.index for s in text if s.distinct > 1 and not s.id_like and s.indicator is None]
    return tuple(varied[:3] or [s.index for s in text][:1])


_DELIMITER_NAMES = {",": "commas", ";": "semicolons", "\t": "tabs", "|": "bars"}


def _describe(m: Mapping) -> tuple[str, ...]:
    separator = _DELIMITER_NAMES.get(m.delimiter, repr(m.delimiter))
    lines = [
        f"Encoding {m.encoding}; fields separated by {separator}.",
        (
            f"Header on line record {m.header_row + 1}; table of {m.width} columns."
            if m.header_row is not None
            else f"No header row; table of {m.width} columns."
        ),
        f"Date: {_column_name(m, m.date_column)} as {m.date_format}.",
    ]
    sep = "decimal comma" if m.decimal == "," else "decimal point"
    if m.sign == DEBIT_CREDIT:
        lines.append(
            f"Money out: {_column_name(m, m.debit_column)}; money in: "
            f"{_column_name(m, m.credit_column)} ({sep})."
        )
    elif m.sign == INDICATOR:
        lines.append(
            f"Amount: {_column_name(m, m.amount_column)}, in/out from "
            f"{_column_name(m, m.indicator_column)} ({sep})."
        )
    else:
        how = "positive = spending" if m.sign == SPEND_POSITIVE else "negative = money out"
        lines.append(f"Amount: {_column_name(m, m.amount_column)} ({how}, {sep}).")
    if m.balance_column is not None:
        lines.append(f"Running balance: {_column_name(m, m.balance_column)}.")
    if m.currency_column is not None:
        lines.append(f"Currency: {_column_name(m, m.currency_column)}.")
    if m.description_columns:
        lines.append(
            "Description: " + ", ".join(_column_name(m, i) for i in m.description_columns) + "."
        )
    return tuple(lines)


def iter_rows(
    detection: Detection, *, mapping: Mapping | None = None
) -> Iterator[ParsedRow | RowError]:
    """Every transaction of the file as a ParsedRow, every bad table row as a RowError."""
    if mapping is None:
        if detection.questions:
            raise ImportProblem(f"The import needs an answer first: {detection.questions[0].text}")
        mapping = detection.mapping
    yield from _stream(detection, mapping, RowReader(mapping))


def _stream(
    detection: Detection, mapping: Mapping, reader: RowReader
) -> Iterator[ParsedRow | RowError]:
    _check(mapping)
    for index, (line, record) in enumerate(
        sniff.records(detection.source, mapping.encoding, mapping.delimiter)
    ):
        if index < mapping.data_start:
            continue
        item = reader.read(line, record)
        if item is not None:
            yield item


def _check(m: Mapping) -> None:
    """Refuse a hand-adjusted mapping that cannot be applied, in one sentence."""
    try:
        codecs.lookup(m.encoding)
    except LookupError as exc:
        raise ImportProblem(f"The mapping names an unknown encoding {m.encoding!r}.") from exc
    if len(m.delimiter) != 1 or m.delimiter in '\r\n"':
        raise ImportProblem(f"The mapping's delimiter {m.delimiter!r} is not a single character.")
    if m.sign not in SIGN_CONVENTIONS:
        raise ImportProblem(f"The mapping's sign convention {m.sign!r} is unknown.")
    if m.decimal not in (".", ","):
        raise ImportProblem("The mapping's decimal separator must be '.' or ','.")
    needed = {
        SIGNED: (m.amount_column,),
        SPEND_POSITIVE: (m.amount_column,),
        DEBIT_CREDIT: (m.debit_column, m.credit_column),
        INDICATOR: (m.amount_column, m.indicator_column),
    }[m.sign]
    columns = (m.date_column, *needed, m.balance_column, m.currency_column, *m.description_columns)
    if any(c is None for c in needed) or any(c is not None and c < 0 for c in columns):
        raise ImportProblem("The mapping does not say which columns hold the date and the amount.")
    if not 0 <= m.currency_exponent <= 4 or m.data_start < 0:
        raise ImportProblem("The mapping has an impossible value.")


def preview(detection: Detection, *, mapping: Mapping | None = None, limit: int = 50) -> Preview:
    """The first `limit` transactions, the errors met on the way, and what was recognised."""
    rows: list[ParsedRow] = []
    errors: list[RowError] = []
    recognised = list(detection.recognised)
    recognised.extend(f"Question: {q.text}" for q in detection.questions)
    chosen = mapping or detection.mapping
    if detection.questions and mapping is None:
        return Preview(rows=rows, errors=errors, recognised=recognised)
    reader = RowReader(chosen)
    for item in _stream(detection, chosen, reader):
        if isinstance(item, RowError):
            errors.append(item)
        else:
            rows.append(item)
            if len(rows) >= limit:
                break
    skipped = reader.skipped
    if skipped.total - skipped.blank:
        recognised.append(
            f"{skipped.total - skipped.blank} line(s) inside the table are not transactions "
            f"({skipped.no_date} without a date, {skipped.no_amount} without an amount, "
            f"{skipped.balance_lines} balance or total lines, {skipped.outside} other)."
        )
    return Preview(rows=rows, errors=errors, recognised=recognised)


def answer(detection: Detection, key: str, choice: str) -> Detection:
    """The detection with question `key` answered by `choice` (one of its choices)."""
    question = next((q for q in detection.questions if q.key == key), None)
    if question is None:
        raise ImportProblem(f"There is no open question {key!r}.")
    if choice not in question.choices:
        raise ImportProblem(
            f"{choice!r} is not one of the choices for {key!r}: {', '.join(question.choices)}."
        )
    mapping = detection.mapping
    if key == DATE_QUESTION:
        mapping = replace(mapping, date_format=choice)
    remaining = tuple(q for q in detection.questions if q.key != key)
    return replace(
        detection,
        mapping=mapping,
        questions=remaining,
        answers=(*detection.answers, (key, choice)),
        recognised=_describe(mapping),
    )
