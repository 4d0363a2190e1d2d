"""Rows: turn one table record into a ParsedRow, a RowError, or nothing (a line inside the
table that states no transaction: a blank line, a repeated header, a "Pending" or a card-number
separator line, a trailer).

The rule for "nothing" is general: a record is a transaction when its date cell holds a date. A
date cell shaped like a date that does not read as one is an error in a table-wide record; a
cell of words ("Pending", "Total", "Footer 2") marks a line that is not a transaction. An empty
date cell beside an amount is an error too (the money would be lost), unless the row's status
says it is not booked yet ("Pending", "Declined"); a line that states no amount moves no money.
Never guesses formats: everything comes from the Mapping.
"""

from __future__ import annotations

import datetime
import itertools
import operator
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from data.importer import amounts, words
from data.importer.amounts import AmountParser
from data.importer.dates import DateParser
from data.importer.types import (
    DEBIT_CREDIT,
    INDICATOR,
    SIGNED,
    SPEND_POSITIVE,
    Mapping,
    ParsedRow,
    RowError,
)
from data.money import exponent

# Digits arranged like a date (2024-13-45, 31/02/2024, 20241345): a broken date, not a label.
_DATE_SHAPED = re.compile(
    r"\d{1,4}\s*[-./:]\s*\d{1,2}|\d{1,2}\s*[-./ ]\s*[^\W\d_]{3,}|^\s*\d{6,8}\s*$"
)


# Lines that state a balance or a period total, not a movement of money ("Opening balance").
_BALANCE_LINE = re.compile(
    r"^\W*(?:(?:opening|closing|starting|ending|start|end|initial|final|previous|new|"
    r"available|ledger|current|brought|carried)\s+balance|balance\s+(?:brought|carried)"
    r"(?:\s+forward)?|(?:anfangs|end|schluss|alter|neuer|begin|eind|start)[\s-]?saldo|"
    r"saldo\s+(?:anterior|inicial|iniziale|final|finale|vorher|neu)|kontostand|solde\s+(?:initial|final|"
    r"pr[ée]c[ée]dent|nouveau)|likutis\s+\w+|apyvarta|turnover|total\s+(?:debits?|credits?)|"
    r"начальный\s+остаток|конечный\s+остаток|期初余额|期末余额)\W*$",
    re.IGNORECASE,
)


# First letters of every phrase _BALANCE_LINE knows: most descriptions skip the regex.
# fmt: off
_BALANCE_STARTS = frozenset({
    "ope", "clo", "sta", "end", "ini", "fin", "pre", "new", "ava", "led", "cur", "bro",
    "car", "bal", "anf", "sch", "alt", "neu", "beg", "ein", "sal", "kon", "sol", "lik",
    "apy", "tur", "tot", "нач", "кон", "期初余", "期末余",
})
# fmt: on


# Marks some banks put before a label ("|SALDO FINALE", "* Opening balance"); the regex allows
# any, the first-letters filter must see past them too.
_LEADING_MARKS = " \t*-:#(|[<>=_.~"


def _grouped_figure(cell: str, decimal: str) -> bool:
    """True when `cell` is a sum of money written with grouping and decimals ("1,20,543.75",
    "1.234,56"): a summary line's figure under the date column, not a broken date."""
    text = cell.strip()
    group = "," if decimal == "." else "."
    return (
        group in text
        and text.rfind(decimal) > text.rfind(group)
        and amounts.parse(text, decimal) is not None
    )


def _balance_phrase(text: str) -> bool:
    """True when `text` is only an opening/closing balance or total label."""
    head = text.lstrip(_LEADING_MARKS).casefold()
    return (head[:3] in _BALANCE_STARTS or head[:2] in ("期初", "期末")) and bool(
        _BALANCE_LINE.match(text)
    )


def _labelled_balance(record: list[str]) -> bool:
    """True when a cell of `record` is a balance label: how a row with no description says it is
    an opening or closing balance ('"24.03.2021";;;;"Anfangssaldo";"EUR";"1.000,00";"H"')."""
    return any(_balance_phrase(cell.strip()) for cell in record if cell)


def _plain(cell: str, decimal: str) -> int | None:
    """Minor units (cents) of a plain number such as "-1234.56"; None for anything else."""
    negative = cell[:1] == "-"
    whole, point, cents = (cell[1:] if negative else cell).partition(decimal)
    if not (whole.isdecimal() and whole.isascii() and len(whole) <= 15) or (
        point and not (cents.isdecimal() and cents.isascii() and len(cents) <= 2)
    ):
        return None
    minor = int(whole) * 100 + (int(cents) * (10 if len(cents) == 1 else 1) if cents else 0)
    return -minor if negative else minor


_KEPT = 20_000  # distinct cells remembered per kind by read_all(); cleared when full
_MISSING = object()  # not remembered yet
_GENERAL = object()  # remembered: a row with this cell goes down the general path

# The plain number _plain() reads most often, "-1234.56": its minor units are int() of the
# digits once the decimal separator is dropped.
_TWO_PLACES = {
    ".": re.compile(r"-?[0-9]{1,15}\.[0-9]{2}"),
    ",": re.compile(r"-?[0-9]{1,15},[0-9]{2}"),
}


def _description(cells: str | tuple[str, ...]) -> object:
    """The description of a row's description cells (one cell or several) as the general path
    joins it, or _GENERAL for a balance or total line or text with NUL bytes (the general path
    counts or reports those)."""
    parts = [" ".join(c.split()) for c in ((cells,) if isinstance(cells, str) else cells) if c]
    if parts and all(_balance_phrase(p) for p in parts if p):
        return _GENERAL
    description = " | ".join(p for p in parts if p)
    return _GENERAL if "\x00" in description else description


def _currency(cell: str) -> object:
    """The currency code in a currency cell (None when it holds none), or _GENERAL when its
    minor units are not cents."""
    if "\x00" in cell:
        return _GENERAL  # the general path reports it
    code = cell.strip().upper()
    currency = code if len(code) == 3 and code.isalpha() else None
    return _GENERAL if currency is not None and exponent(currency) != 2 else currency


class BadAmount(Exception):
    """A cell that should hold an amount but does not; str() is the reason."""


BLANK = object()  # the amount cells of a record are present but empty

# A row as RowReader.read_tuples() yields it from its inline loop: ParsedRow's fields in order
# (line, date, amount, currency, description, balance).
RowTuple = tuple[int, datetime.date, int, str | None, str, int | None]


@dataclass
class Skipped:
    """Counts of table lines that were not transactions, for the summary."""

    blank: int = 0
    no_date: int = 0
    no_amount: int = 0
    outside: int = 0
    balance_lines: int = 0

    @property
    def total(self) -> int:
        """All skipped lines."""
        return self.blank + self.no_date + self.no_amount + self.outside + self.balance_lines


class RowReader:
    """Reads records of one statement with a fixed Mapping."""

    def __init__(self, mapping: Mapping) -> None:
        self.m = mapping
        self.date = DateParser(mapping.date_format, mapping.period)
        self.money = AmountParser(mapping.decimal, mapping.currency_exponent)
        self._parsers = {mapping.currency_exponent: self.money}
        self.header = (
            tuple(c.strip().casefold() for c in mapping.columns)
            if mapping.header_row is not None
            else None
        )
        self.skipped = Skipped()
        self._out = frozenset(mapping.indicator_out)
        self._in = frozenset(mapping.indicator_in)
        # Fast-path settings: plain numbers in the file's decimal style, with cents.
        self._width = mapping.width
        self._sign = {SIGNED: SIGNED, SPEND_POSITIVE: SPEND_POSITIVE}.get(mapping.sign)
        self._amount_at = mapping.amount_column if mapping.amount_column is not None else -1
        self._balance_at = mapping.balance_column if mapping.balance_column is not None else -1
        self._currency_at = mapping.currency_column if mapping.currency_column is not None else -1
        self._decimal = mapping.decimal
        self._date_cache: dict[str, datetime.date | None] = {}
        # every column the mapping reads: a NUL byte in one of them refuses the row
        read = mapping.value_columns() | set(mapping.description_columns)
        if mapping.currency_column is not None:
            read.add(mapping.currency_column)
        self._read_columns = tuple(sorted(read))
        indexes = [mapping.date_column, self._amount_at, self._balance_at, self._currency_at]
        if max(indexes + list(mapping.description_columns)) >= mapping.width:
            self._width = -1  # columns beyond the table: only the general path reports them
        if mapping.currency_exponent != 2:
            self._width = -1  # the fast path reads cents only

    def _cell(self, record: list[str], index: int | None) -> str:
        if index is None:
            return ""
        if index >= len(record):
            raise BadAmount(f"it has {len(record)} fields, so there is no column {index + 1}")
        return record[index]

    def _value(self, cell: str, what: str) -> int | None:
        if amounts.is_blank(cell):
            return None
        parsed = self.money(cell)
        if parsed is None:
            raise BadAmount(f"{what} {cell.strip()!r} is not an amount")
        return parsed.minor

    def amount(self, record: list[str]) -> int | object:  # noqa: PLR0911 - one exit per convention
        """The signed amount of `record` in minor units, or BLANK; raises BadAmount."""
        m = self.m
        if m.sign == DEBIT_CREDIT:
            debit = self._value(self._cell(record, m.debit_column), "debit")
            credit = self._value(self._cell(record, m.credit_column), "credit")
            if debit is None and credit is None:
                return BLANK
            return abs(credit or 0) - abs(debit or 0)
        value = self._value(self._cell(record, m.amount_column), "amount")
        if value is None:
            return BLANK
        if m.sign == SPEND_POSITIVE:
            return -value
        if m.sign == INDICATOR:
            flag = self._cell(record, m.indicator_column).strip().casefold()
            if flag in self._out:
                return -abs(value)
            if flag in self._in:
                return abs(value)
            if flag in words.INDICATOR_NEUTRAL:
                return value
            raise BadAmount(f"the in/out column says {flag!r}, which is neither in nor out")
        return value

    def _undated(
        self, line: int, record: list[str], date_cell: str, *, table_wide: bool
    ) -> RowError | None:
        """The error in a record whose date cell holds no date, or None (and counted) when the
        record is not a transaction."""
        if not date_cell.strip() and table_wide and self._moves_money(record):
            # Money with no date would be lost: only a row not booked yet may lack one.
            if not any(c.strip().casefold() in words.NOT_BOOKED for c in record):
                return RowError(line, "it has an amount but no date")
        elif (
            _DATE_SHAPED.search(date_cell)
            and table_wide
            and not _grouped_figure(date_cell, self.m.decimal)
        ):
            return RowError(
                line, f"{date_cell.strip()!r} is not a date in the format {self.m.date_format}"
            )
        self.skipped.no_date += 1
        return None

    def _moves_money(self, record: list[str]) -> bool:
        """True when `record`'s amount cells state an amount other than zero."""
        try:
            value = self.amount(record)
        except BadAmount:
            return False
        return value is not BLANK and value != 0

    def _balance_line(self, record: list[str]) -> bool:
        """True when the row's description says it is an opening/closing balance or a total;
        a row with no description, when one of its other cells does (a cooperative bank's
        '"24.03.2021";;;;"Anfangssaldo";"EUR";"1.000,00";"H"' footer)."""
        texts = [
            record[i] for i in self.m.description_columns if i < len(record) and record[i].strip()
        ]
        if texts:
            return all(_balance_phrase(t.strip()) for t in texts)
        return _labelled_balance(record)

    def balance(self, record: list[str]) -> int | None:
        """The running balance stated in `record`, if any and readable."""
        index = self.m.balance_column
        if index is None or index >= len(record):
            return None
        parsed = self.money(record[index])
        return None if parsed is None else parsed.minor

    def read_all(self, records: Iterable[tuple[int, list[str]]]) -> Iterator[ParsedRow | RowError]:
        """read() of every (line, record), without the Nones (read_tuples() as ParsedRows)."""
        # ParsedRow(...) without the frozen dataclass's six object.__setattr__ calls (half the
        # cost of a row): the same object, its fields set at once.
        new, set_fields = object.__new__, object.__setattr__
        for item in self.read_tuples(records):
            if isinstance(item, tuple):
                line, date, amount, currency, description, balance = item
                row = new(ParsedRow)
                set_fields(
                    row,
                    "__dict__",
                    {
                        "line": line,
                        "date": date,
                        "amount": amount,
                        "currency": currency,
                        "description": description,
                        "balance": balance,
                    },
                )
                yield row
            else:
                yield item

    def read_tuples(  # noqa: PLR0912, PLR0915 - one loop, inlined: it runs once per row
        self, records: Iterable[tuple[int, list[str]]]
    ) -> Iterator[RowTuple | ParsedRow | RowError]:
        """read() of every (line, record), without the Nones; a row read by the inline loop comes
        as a plain RowTuple (ParsedRow's fields in order), which is all a bulk consumer such as
        the ledger needs, at a fraction of an object's cost. The common case - a full-width row
        with plain numbers in the file's decimal style - is read inline, each distinct date,
        description and currency cell once; any row it does not fit goes down the general path,
        so both give the same results."""
        general = self.read
        if self._width < 0 or self._sign is None:
            yield from filter(None, itertools.starmap(general, records))
            return
        width, m, decimal = self._width, self.m, self._decimal
        date_at, amount_at, balance_at = m.date_column, self._amount_at, self._balance_at
        currency_at, negate = self._currency_at, self._sign is SPEND_POSITIVE
        two_places = _TWO_PLACES[decimal].fullmatch
        dates, date_of = self._date_cache, self.date
        pick = operator.itemgetter(*m.description_columns) if m.description_columns else None
        descriptions: dict[object, object] = {}
        currencies: dict[str, object] = {}
        for line, record in records:
            if len(record) == width:
                cell = record[date_at]
                date = dates.get(cell, _MISSING)
                if date is _MISSING:
                    date = date_of(cell)
                    if len(dates) >= _KEPT:
                        dates.clear()  # datetimes are all different: keep memory bounded
                    dates[cell] = date
                cell = record[amount_at]
                amount = (
                    int(cell.replace(decimal, "", 1)) if two_places(cell) else _plain(cell, decimal)
                )
                balance = None
                if balance_at >= 0:
                    cell = record[balance_at]
                    if two_places(cell):
                        balance = int(cell.replace(decimal, "", 1))
                    else:
                        balance = _plain(cell, decimal)
                        if balance is None:
                            amount = None  # a balance the general path must read or report
                description: object = ""
                if pick is not None:
                    key = pick(record)
                    description = descriptions.get(key)
                    if description is None:
                        if len(descriptions) >= _KEPT:
                            descriptions.clear()
                        description = descriptions[key] = _description(key)
                if description == "" and _labelled_balance(record):
                    description = _GENERAL  # the general path counts the balance line
                currency: object = None
                if currency_at >= 0:
                    cell = record[currency_at]
                    currency = currencies.get(cell, _MISSING)
                    if currency is _MISSING:
                        if len(currencies) >= _KEPT:
                            currencies.clear()
                        currency = currencies[cell] = _currency(cell)
                if (
                    date is not None
                    and amount is not None
                    and description is not _GENERAL
                    and currency is not _GENERAL
                ):
                    # the caches hold dates, str and None here: the sentinels are ruled out
                    yield (  # type: ignore[misc]
                        line,
                        date,
                        -amount if negate else amount,
                        currency,
                        description,
                        balance,
                    )
                    continue
            item = general(line, record)
            if item is not None:
                yield item

    def read(self, line: int, record: list[str]) -> ParsedRow | RowError | None:  # noqa: PLR0911
        """The transaction in `record`, a RowError, or None when the line is not a transaction
        (the general path, which read_all() takes for any row its inline loop does not fit)."""
        m = self.m
        if not any(cell.strip() for cell in record):
            self.skipped.blank += 1
            return None
        if (
            self.header is not None
            and record[0].strip().casefold() == self.header[0]
            and tuple(c.strip().casefold() for c in record) == self.header
        ):
            self.skipped.outside += 1
            return None
        table_wide = len(record) >= m.width - 1 if m.width else True
        date_cell = record[m.date_column] if m.date_column < len(record) else ""
        date = self.date(date_cell)
        if date is None:
            return self._undated(line, record, date_cell, table_wide=table_wide)
        currency = None
        if m.currency_column is not None and m.currency_column < len(record):
            code = record[m.currency_column].strip().upper()
            currency = code if len(code) == 3 and code.isalpha() else None
        # Minor units follow the row's currency (yen have none, dinars three).
        digits = exponent(currency) if currency else m.currency_exponent
        self.money = self._parsers.setdefault(digits, AmountParser(m.decimal, digits))
        try:
            amount = self.amount(record)
        except BadAmount as exc:
            if self._balance_line(record):
                # An opening or closing balance whose figure is written oddly ("26851.95|")
                # moves no money: it must not refuse the statement.
                self.skipped.balance_lines += 1
                return None
            if not table_wide and len(record) <= 2:
                self.skipped.outside += 1
                return None
            if len(record) < m.width and any("\n" in cell for cell in record):
                return RowError(line, "a quote opened on this line is never closed")
            if len(record) < m.width:
                return RowError(line, f"it has {len(record)} fields where the table has {m.width}")
            return RowError(line, str(exc))
        if amount is BLANK:
            self.skipped.no_amount += 1
            return None
        assert isinstance(amount, int)
        # a cell the import reads (binary junk in a column it ignores changes nothing stored)
        if any("\x00" in record[i] for i in self._read_columns if i < len(record)):
            return RowError(line, "it contains binary data (NUL bytes)")
        if self._balance_line(record):
            self.skipped.balance_lines += 1
            return None
        parts = [
            " ".join(record[i].split())
            for i in m.description_columns
            if i < len(record) and record[i].strip()
        ]
        return ParsedRow(
            line=line,
            date=date,
            amount=amount,
            currency=currency,
            description=" | ".join(parts),
            balance=self.balance(record),
        )
