"""Column roles: which column holds the date, the amount (or debit and credit), an in/out
indicator, the running balance, the currency and the description - by header words in several
languages and by what the cells contain.

Works on the sample of table rows only; it proposes candidates and never settles the sign
convention (signs.py weighs the candidates on all rows and on the balance).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import TYPE_CHECKING

from data.importer import amounts, dates, words
from data.money import ISO_CODES

if TYPE_CHECKING:
    from data.importer.types import Mapping


def normalise(header: str) -> str:
    """Casefolded header without accents, punctuation runs collapsed to single spaces."""
    text = unicodedata.normalize("NFKD", header.strip().strip("'\"").casefold())
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return " ".join(re.findall(r"[\w#/]+|[^\w\s]", text))


def _has_word(header: str, words: tuple[str, ...]) -> bool:
    norm = normalise(header)
    if not norm:
        return False
    padded = f" {norm.replace('/', ' / ')} "
    squashed = norm.replace(" ", "")
    for word in words:
        if word.startswith("="):
            if norm == word[1:]:
                return True
            continue
        w = normalise(word)
        if f" {w} " in padded or (len(w) >= 4 and w.replace(" ", "") in squashed):
            return True
        if any(ord(ch) >= 0x2E80 for ch in w) and w in norm:  # CJK: no spaces between words
            return True
    return False


def matches(header: str, words: tuple[str, ...]) -> bool:
    """True when `header` contains one of `words` as a word or phrase."""
    return _has_word(header, words)


_MONEY_WORDS = words.AMOUNT_WORDS + words.DEBIT_WORDS + words.CREDIT_WORDS + words.BALANCE_WORDS


@dataclass(frozen=True)
class ColumnStats:
    """What one column's sample cells look like."""

    index: int
    header: str
    filled: float  # share of rows with a non-empty cell
    date_formats: tuple[str, ...]  # formats reading every non-empty cell (empty if not dates)
    numeric: float  # share of non-empty cells that read as amounts
    signed: int  # cells with an explicit minus
    plus: int  # cells with an explicit plus
    decimals: float  # share of non-empty numeric cells written with a decimal separator
    distinct: int
    id_like: bool  # long bare integers or a header naming an identifier
    currency_like: bool
    indicator: tuple[frozenset[str], frozenset[str]] | None  # (out values, in values)


def column_stats(
    index: int,
    header: str,
    cells: list[str],
    decimal: str,
    *,
    exponent: int = 2,
    yearless_numeric: bool = False,
) -> ColumnStats:
    """Describe one column from its sample cells (amounts with `exponent` decimals)."""
    filled_cells = [c.strip() for c in cells if c.strip() and not amounts.is_blank(c)]
    n = max(len(cells), 1)
    # Word-only cells ("Pending", a "Kontostand" trailer) are lines that are not transactions;
    # every other cell must read as a date in the same format.
    dated = [c for c in filled_cells if any(ch.isdigit() for ch in c)]
    formats = (
        dates.formats_for(dated, yearless_numeric) if len(dated) > len(filled_cells) / 2 else ()
    )
    parsed = [amounts.parse(c, decimal, exponent) for c in filled_cells]
    numeric_cells = [c for c, p in zip(filled_cells, parsed, strict=True) if p is not None]
    numeric = len(numeric_cells) / len(filled_cells) if filled_cells else 0.0
    signed = sum(1 for p in parsed if p is not None and p.marker == "-")
    plus = sum(1 for p in parsed if p is not None and p.marker == "+")
    fraction = re.compile(rf"[.,]\d{{1,{max(exponent, 2)}}}\b")
    with_decimals = sum(1 for c in numeric_cells if fraction.search(c))
    decimals = with_decimals / len(numeric_cells) if numeric_cells else 0.0
    distinct = len(set(filled_cells))
    bare_long = (
        sum(1 for c in filled_cells if re.fullmatch(r"'?\d{6,}", c)) >= 0.5 * len(filled_cells)
        if filled_cells
        else False
    )
    # A header naming money outweighs long bare numbers: yen amounts and balances run to six
    # digits and more ("250000" under 金額), as account and reference numbers do.
    money_header = matches(header, _MONEY_WORDS)
    id_like = (bare_long and not money_header) or (
        matches(header, words.ID_WORDS) and not money_header
    )
    # ISO 4217 codes; other three-letter codes (POS, ATM, DEB) say how money moved, not in what
    currency_like = bool(filled_cells) and all(c.upper() in ISO_CODES for c in filled_cells)
    if currency_like and not matches(header, words.CURRENCY_WORDS):
        currency_like = all(c.isupper() for c in filled_cells)
    return ColumnStats(
        index=index,
        header=header,
        filled=len(filled_cells) / n,
        date_formats=formats if len(filled_cells) >= 1 else (),
        numeric=numeric,
        signed=signed,
        plus=plus,
        decimals=decimals,
        distinct=distinct,
        id_like=id_like,
        currency_like=currency_like,
        indicator=indicator_values(cells),
    )


def indicator_values(cells: list[str]) -> tuple[frozenset[str], frozenset[str]] | None:
    """(out values, in values) when every cell is an in/out word or a neutral mark ("/", for
    moves between one's own accounts); an empty cell may stand for one side when the other side
    is written (e.g. "CR" or nothing); one side may be absent beside a neutral word."""
    stated = {c.strip().casefold() for c in cells}
    values = stated - words.INDICATOR_NEUTRAL
    filled = values - {""}
    if not filled or len(filled) > 6:
        return None
    outs = frozenset(v for v in filled if v in words.INDICATOR_OUT)
    ins = frozenset(v for v in filled if v in words.INDICATOR_IN)
    if outs | ins != filled:
        return None
    if "" in values:
        if outs and ins:
            return None  # blanks between explicit in and out: not an indicator column
        if ins:
            outs = frozenset({""})
        else:
            ins = frozenset({""})
    if (not outs or not ins) and not (stated & words.INDICATOR_NEUTRAL_WORDS):
        # One value throughout (e.g. a status "Paid") says nothing about direction - unless
        # the column also names rows that are neither, as payment platforms' 收/支 columns do.
        return None
    return outs, ins


def is_money(stats: ColumnStats) -> bool:
    """A column whose cells are amounts of money (not dates, identifiers or codes)."""
    return (
        stats.numeric >= 0.9
        and not stats.date_formats
        and not stats.id_like
        and not stats.currency_like
        and stats.filled > 0
    )


def description_columns(stats: list[ColumnStats], used: set[int], headed: bool) -> tuple[int, ...]:
    """The columns whose text describes a row: named by their header, else the varied text ones."""
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
            s.index for s in text if matches(s.header, words.DESCRIPTION_WORDS) and not s.id_like
        ]
        if named:
            return tuple(named)
    varied = [s.index for s in text if s.distinct > 1 and not s.id_like and s.indicator is None]
    return tuple(varied[:3] or [s.index for s in text][:1])


# Currency signs that name one currency wherever they are printed ($, ¥ and kr name several).
_SIGN_CODES = {
    "€": "EUR",
    "£": "GBP",
    "₹": "INR",
    "₽": "RUB",
    "₩": "KRW",
    "₺": "TRY",
    "₪": "ILS",
    "₴": "UAH",
    "₫": "VND",
    "₱": "PHP",
    "฿": "THB",
    "₦": "NGN",
}
_CODE_WORDS = re.compile(r"(?<![A-Za-z])[A-Z]{3}(?![A-Za-z])")  # upper case: "all" is a word


def header_currency(mapping: Mapping) -> str | None:
    """The one currency the headers of the money columns name ("Amount (EUR)" as N26 writes,
    "Umsatz in EUR", "Betrag (€)"), if exactly one is named: what a new account's statement
    says it is in when it has no currency column."""
    named: set[str] = set()
    money = (
        mapping.amount_column,
        mapping.debit_column,
        mapping.credit_column,
        mapping.balance_column,
    )
    for i in money:
        if i is None or i >= len(mapping.columns) or mapping.header_row is None:
            continue
        name = mapping.columns[i]
        named.update(code for code in _CODE_WORDS.findall(name) if code in ISO_CODES)
        named.update(code for sign, code in _SIGN_CODES.items() if sign in name)
    return named.pop() if len(named) == 1 else None
