"""The staged import API: detect() -> preview() -> (adjust the Mapping / answer()) -> iter_rows().

detect() reads only the sniff window, except to settle an ambiguous date format, when it streams
the date column of the rest of the file. iter_rows() streams the whole file with bounded memory.
Nothing here writes anywhere or knows about the ledger.
"""

from __future__ import annotations

import codecs
import functools
import itertools
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path

from data.importer import amounts, dateorder, dates, describe, signs, sniff, words
from data.importer import columns as col
from data.importer import profile as profiles
from data.importer.rows import RowReader, RowTuple
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
    ThreeDecimals,
)
from data.money import EXPONENTS, ISO_CODES, exponent

NO_AMOUNTS = "No column holds amounts of money."
THREE_DECIMAL_CURRENCIES = tuple(sorted(c for c, e in EXPONENTS.items() if e == 3))


def detect(
    source: Path | bytes,
    *,
    profile: Mapping | None = None,
    locale: str | None = None,
    currency: str | None = None,
) -> Detection:
    """Recognise a statement's layout; ambiguity it cannot settle becomes a Question.

    `currency` is the account's currency, when known: amounts without a currency column are
    read in its minor units (yen have none, dinars three).
    """
    if isinstance(source, str):
        source = Path(source)
    window = sniff.sample(source)
    delimiter = sniff.choose_delimiter(window.text)
    recs = sniff.sample_records(window.text, delimiter)
    yearless_numeric = False
    try:
        region = find_region(recs)
    except ImportProblem:
        # Dates like "12/29" are tried only when nothing else reads as a table and the lines
        # around it state the year (a card statement's "2024年01月" title).
        if not dates.period_of(cell for _, record in recs for cell in record):
            raise
        region = find_region(recs, yearless_numeric=True)
        yearless_numeric = True
    header = recs[region.header_index][1] if region.header_index is not None else None
    names = describe.column_names(header, region.width)
    key = profiles.profile_key(header, region.width, delimiter)
    base = Mapping(
        encoding=window.encoding,
        delimiter=delimiter,
        header_row=region.header_index,
        data_start=region.data_start,
        width=region.width,
        columns=names,
        currency_exponent=exponent(currency) if currency else 2,
    )
    if (
        profile is not None
        and profile.date_settled
        and profiles.fits(profile, base)
        and _dates_read(profile, region)
        and _currencies_read(profile, region)
    ):
        preamble = [r for _, r in recs[: region.data_start]]
        mapping = replace(
            profile,
            encoding=window.encoding,
            header_row=region.header_index,
            data_start=region.data_start,
            period=dateorder.period(profile.date_format, preamble, source),
            currency_exponent=base.currency_exponent if currency else profile.currency_exponent,
        )
        notes = ("Layout taken from the saved profile for this header.",)
        return Detection(mapping, (), key, source, describe.describe(mapping) + notes)
    analyse = functools.partial(
        _analyse,
        source=source,
        complete=window.complete,
        region=region,
        key=key,
        profile=profile,
        locale=locale,
        window=[r for _, r in recs],
        yearless_numeric=yearless_numeric,
    )
    try:
        detection = analyse(base=base)
    except ImportProblem as problem:
        outcome = _three_decimals(problem, analyse, base, currency)
        if isinstance(outcome, ImportProblem):
            raise outcome from None
        detection = outcome
    # A currency column settles how many decimals amounts have, whatever the account's currency
    # (a new account's is only a default): "-1.250" beside "BHD" is one dinar and a quarter, not
    # 1,250. Read the table again in those when they differ from the first reading's.
    stated = _stated_exponent(detection, region)
    if stated is not None and stated != base.currency_exponent:
        again = analyse(base=replace(base, currency_exponent=stated))
        if again.mapping.currency_column == detection.mapping.currency_column:
            detection = again
    return detection


def _three_decimals(
    problem: ImportProblem,
    analyse: Callable[..., Detection],
    base: Mapping,
    currency: str | None,
) -> ImportProblem | Detection:
    """What to say when no column read as money in the account's minor units: if every amount
    has three decimals ("-23.455"), the statement is in a dinar-like currency (BHD, KWD, ...),
    and the person needs to hear that rather than that there are no amounts. Returns the
    problem to raise; with no account currency given (a new account, not yet chosen), the
    detection in thousandths instead, for the caller to pair with a three-decimal currency."""
    if str(problem) != NO_AMOUNTS or base.currency_exponent == 3:
        return problem
    try:
        three = analyse(base=replace(base, currency_exponent=3))
    except ImportProblem:
        return problem
    codes = ", ".join(THREE_DECIMAL_CURRENCIES)
    if currency is None:
        note = f"Amounts have three decimals: the account's currency must have them too ({codes})."
        return replace(three, recognised=(*three.recognised, note))
    return ThreeDecimals(
        f"The amounts have three decimals, which {currency.upper()} does not: import this "
        f"statement into an account in a three-decimal currency ({codes})."
    )


def _currency_codes(mapping: Mapping, region: Region) -> set[str] | None:
    """The codes in the mapping's currency column over the sample rows (upper case, blanks
    left out); None when the mapping has no currency column."""
    column = mapping.currency_column
    if column is None:
        return None
    return {r[column].strip().upper() for r in region.data if column < len(r)} - {""}


def _currencies_read(profile: Mapping, region: Region) -> bool:
    """True when the saved profile's currency column (if any) holds currency codes: profiles
    saved before currencies had to be ISO codes may name a time-zone column ("PDT")."""
    codes = _currency_codes(profile, region)
    return codes is None or codes <= ISO_CODES


def _dates_read(profile: Mapping, region: Region) -> bool:
    """True when the saved profile still reads this file's dates (a bank may change format)."""
    cells = [r[profile.date_column] for r in region.data if profile.date_column < len(r)]
    if not dates.has_year(profile.date_format):
        return True  # year-less dates are checked against the period later
    read = sum(1 for c in cells if dates.parse(c, profile.date_format) is not None)
    return read >= 0.9 * len(cells)


def _stated_exponent(detection: Detection, region: Region) -> int | None:
    """The decimals of the currency the detected currency column names, when every row's code
    has the same number (None without such a column, or with codes that differ: each row is
    then read in its own currency's decimals as it is parsed)."""
    codes = _currency_codes(detection.mapping, region)
    if codes is None:
        return None
    digits = {exponent(c) for c in codes}
    return digits.pop() if len(digits) == 1 else None


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
    yearless_numeric: bool = False,
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
    decimal = amounts.decimal_style(numeric_cells, exponent=base.currency_exponent)
    stats = [
        col.column_stats(
            i,
            base.columns[i] if headed else "",
            cells_by_column[i],
            decimal,
            exponent=base.currency_exponent,
            yearless_numeric=yearless_numeric,
        )
        for i in range(width)
    ]
    date_stats = dateorder.pick_date_column(stats, headed)
    base = replace(base, decimal=decimal, date_column=date_stats.index)
    formats = date_stats.date_formats
    notes: list[str] = []
    questions: list[Question] = []
    if len(formats) > 1 and not complete:
        formats = dateorder.narrow_formats(formats, source, base, date_stats.index) or formats
    date_format = formats[0]
    settled = True
    if len(formats) > 1:
        statement_hint = dateorder.statement_locale(
            stats, rows, decimal, date_header=date_stats.header
        )
        evidence = dateorder.file_evidence(
            formats,
            date_stats.index,
            stats=stats,
            rows=rows,
            preamble=window[: base.data_start],
        ) or _balance_evidence(formats, base, stats, rows, cells_by_column[date_stats.index])
        outcome = dateorder.settle(
            formats,
            cells_by_column[date_stats.index],
            profile=profile,
            locale=locale,
            hint=statement_hint,
            evidence=evidence,
            named=dateorder.name_evidence(formats, source, cells_by_column[date_stats.index]),
            complete=complete,
        )
        date_format, settled = outcome.date_format, outcome.decided
        if outcome.note:
            notes.append(outcome.note)
        if outcome.question:
            questions.append(outcome.question)
    base = replace(
        base,
        date_format=date_format,
        date_settled=settled,
        period=dateorder.period(date_format, window[: base.data_start], source),
    )
    # While the date format is still a question, the rows' date order is unknown too: the sign
    # analysis must not lean on a reading the person may reject.
    choice = signs.choose(replace(base, date_format="") if questions else base, stats, rows, window)
    if choice is None:
        raise ImportProblem(NO_AMOUNTS)
    mapping = replace(choice.mapping, date_format=base.date_format, date_settled=settled)
    notes.extend(choice.notes)
    used = mapping.value_columns()
    currency = next(
        (
            s.index
            for s in stats
            if s.currency_like
            and s.index not in used
            and not col.matches(s.header, words.AMOUNT_PENALTY_WORDS)
            and (not headed or col.matches(s.header, words.CURRENCY_WORDS) or s.distinct >= 1)
        ),
        None,
    )
    if currency is not None:
        used.add(currency)
    mapping = replace(
        mapping,
        currency_column=currency,
        description_columns=col.description_columns(stats, used, headed),
    )
    return Detection(
        mapping, tuple(questions), key, source, describe.describe(mapping) + tuple(notes)
    )


def _balance_evidence(
    formats: tuple[str, ...],
    base: Mapping,
    stats: list[col.ColumnStats],
    rows: list[list[str]],
    values: list[str],
) -> tuple[str, str] | None:
    """The only date reading that runs the way a running balance proves the rows run."""
    probe = signs.choose(replace(base, date_format=""), stats, rows)  # no date order assumed
    if probe is None or not probe.order_proven:
        return None
    return dateorder.balance_order(formats, values, probe.mapping.newest_first)


def iter_rows(
    detection: Detection, *, mapping: Mapping | None = None
) -> Iterator[ParsedRow | RowError]:
    """Every transaction of the file as a ParsedRow, every bad table row as a RowError."""
    mapping = _mapping(detection, mapping)
    yield from RowReader(mapping).read_all(_records(detection, mapping))


def iter_row_tuples(
    detection: Detection, *, mapping: Mapping | None = None
) -> Iterator[RowTuple | ParsedRow | RowError]:
    """iter_rows() for bulk consumers (the ledger's import): most transactions come as plain
    RowTuples, ParsedRow's fields in order, the rest as ParsedRows; bad rows as RowErrors."""
    mapping = _mapping(detection, mapping)
    yield from RowReader(mapping).read_tuples(_records(detection, mapping))


def _mapping(detection: Detection, mapping: Mapping | None) -> Mapping:
    if mapping is None:
        if detection.questions:
            raise ImportProblem(f"The import needs an answer first: {detection.questions[0].text}")
        mapping = detection.mapping
    return mapping


def _records(detection: Detection, mapping: Mapping) -> Iterator[tuple[int, list[str]]]:
    _check(mapping)
    records = sniff.records(detection.source, mapping.encoding, mapping.delimiter)
    return itertools.islice(records, mapping.data_start, None)


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
    for item in reader.read_all(_records(detection, chosen)):
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
    if key == dateorder.DATE_QUESTION:
        mapping = replace(mapping, date_format=choice, date_settled=True)
    remaining = tuple(q for q in detection.questions if q.key != key)
    old = set(describe.describe(detection.mapping))
    notes = tuple(line for line in detection.recognised if line not in old)
    return replace(
        detection,
        mapping=mapping,
        questions=remaining,
        answers=(*detection.answers, (key, choice)),
        recognised=describe.describe(mapping) + notes,
    )
