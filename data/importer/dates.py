"""Dates: which formats a date column could be written in, and parsing one cell with a format.

Formats are strptime-like strings (%Y %y %m %d %b) so profiles stay readable; %b accepts month
names and abbreviations in several languages. A time or other text after the date ("2024-01-02
13:05", "11/13/2020 as of 11/12/2020") is ignored. The format of a column is decided from all
its values; this module never guesses between formats that all fit (the caller asks).
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterable
from functools import lru_cache

_MONTHS_BY_LANGUAGE = [
    # English
    "january february march april may june july august september october november december",
    # German
    "januar februar märz april mai juni juli august september oktober november dezember",
    # Dutch
    "januari februari maart april mei juni juli augustus september oktober november december",
    # French
    "janvier février mars avril mai juin juillet août septembre octobre novembre décembre",
    # Spanish
    "enero febrero marzo abril mayo junio julio agosto septiembre octubre noviembre diciembre",
    # Italian
    "gennaio febbraio marzo aprile maggio giugno luglio agosto settembre ottobre novembre dicembre",
    # Portuguese
    "janeiro fevereiro março abril maio junho julho agosto setembro outubro novembro dezembro",
    # Afrikaans
    "januarie februarie maart april mei junie julie augustus september oktober november desember",
    # Swedish / Norwegian / Danish
    "januari februari mars april maj juni juli augusti september oktober november december",
    "januar februar mars april mai juni juli august september oktober november desember",
]
# Abbreviations that are not simply the first three letters of a name above.
_EXTRA_ABBREVIATIONS = {
    "sept": 9,
    "mrz": 3,
    "mär": 3,
    "mrt": 3,
    "okt": 10,
    "dez": 12,
    "des": 12,
    "mei": 5,
    "mai": 5,
    "juin": 6,
    "juil": 7,
    "févr": 2,
    "fév": 2,
    "avr": 4,
    "aoû": 8,
    "déc": 12,
    "ene": 1,
    "abr": 4,
    "ago": 8,
    "dic": 12,
    "gen": 1,
    "mag": 5,
    "giu": 6,
    "lug": 7,
    "set": 9,
    "ott": 10,
    "fev": 2,
    "dec": 12,
    "maa": 3,
}


def _month_table() -> dict[str, int]:
    table: dict[str, int] = dict(_EXTRA_ABBREVIATIONS)
    for names in _MONTHS_BY_LANGUAGE:
        for number, name in enumerate(names.split(), start=1):
            table.setdefault(name, number)
            table.setdefault(name[:3], number)
            table.setdefault(name[:4], number)
    return table


MONTHS = _month_table()

_SEPARATORS = ("-", "/", ".", " ", ":")
_NUMERIC_ORDERS = (
    ("Y", "m", "d"),
    ("d", "m", "Y"),
    ("m", "d", "Y"),
    ("d", "m", "y"),
    ("m", "d", "y"),
    ("y", "m", "d"),
)
# Orders that do not occur with these separators in practice; leaving them out is not a guess:
# it keeps "10.10.2017" from also reading month-first and "31.05.17" year-first.
_UNUSED = {
    (("m", "d", "Y"), "."),
    (("m", "d", "y"), "."),
    (("y", "m", "d"), "."),
    (("y", "m", "d"), " "),
    (("m", "d", "Y"), " "),
    (("m", "d", "y"), " "),
}
_NAMED = (
    "%d %b %Y",
    "%d %b %y",
    "%d-%b-%Y",
    "%d-%b-%y",
    "%d.%b.%Y",
    "%d. %b %Y",
    "%b %d %Y",
    "%b %d, %Y",
    "%Y-%b-%d",
    "%d/%b/%Y",
    "%d/%b/%y",
    "%b-%d-%Y",
)


def _numeric_formats() -> list[str]:
    out = []
    for order in _NUMERIC_ORDERS:
        for sep in _SEPARATORS:
            if (sep == ":" and order != ("Y", "m", "d")) or (order, sep) in _UNUSED:
                continue  # only year-first dates use colons; others would read times as dates
            out.append(sep.join("%" + t for t in order))
    out.append("%Y%m%d")
    out.append("%d%m%Y")
    return out


# Day and month only (some statements print the year once, in their period line). Only named
# months: "12/05" alone is too easily something else.
YEARLESS = ("%d %b", "%b %d", "%d-%b", "%d. %b")
# "12/29" alone: tried only when nothing else reads as a table and the file states a year.
YEARLESS_NUMERIC = ("%m/%d", "%d/%m")
FORMATS: tuple[str, ...] = tuple(_numeric_formats()) + _NAMED + YEARLESS
_PROBE_YEAR = 2000  # a leap year, to check day and month of a year-less date

_TOKEN = re.compile(r"%[YymdbB]")


@lru_cache(maxsize=256)
def _compile(fmt: str) -> re.Pattern[str]:
    """A regex matching `fmt` at the start of a cell, followed by nothing or a time/comment."""
    parts: list[str] = []
    pos = 0
    tokens = list(_TOKEN.finditer(fmt))
    for i, match in enumerate(tokens):
        literal = fmt[pos : match.start()]
        parts.append(_literal(literal))
        token = match.group()[1]
        glued = (i > 0 and tokens[i - 1].end() == match.start()) or (
            i + 1 < len(tokens) and tokens[i + 1].start() == match.end()
        )
        if token == "Y":  # noqa: S105 - a date token, not a password
            parts.append(r"(?P<Y>\d{4})")
        elif token == "y":  # noqa: S105
            parts.append(r"(?P<y>\d{2})")
        elif token in "md":  # noqa: S105
            parts.append(rf"(?P<{token}>\d{{2}})" if glued else rf"(?P<{token}>\d{{1,2}})")
        else:
            parts.append(r"(?P<b>[^\W\d_]{3,9})\.?")
        pos = match.end()
    parts.append(_literal(fmt[pos:]))
    if not has_year(fmt):
        # "01 Mrt" but not the start of "01 Mrt 2016": a year-less date ends the cell's date.
        return re.compile("".join(parts) + r"(?=$|\s+[^\d\s])", re.IGNORECASE)
    return re.compile("".join(parts) + r"(?=$|[\sT.@+(])", re.IGNORECASE)


def has_year(fmt: str) -> bool:
    """True when `fmt` writes the year."""
    return "%Y" in fmt or "%y" in fmt


def _literal(text: str) -> str:
    return "".join(r"\s+" if ch == " " else re.escape(ch) for ch in text)


def _year(two_digits: int) -> int:
    """Two-digit years: 00-69 are 20xx, 70-99 are 19xx (as POSIX strptime does)."""
    return 2000 + two_digits if two_digits < 70 else 1900 + two_digits


def parse(cell: str, fmt: str, year: int | None = None) -> datetime.date | None:
    """The date in `cell` written as `fmt`, or None; a year-less `fmt` needs `year`."""
    text = cell.strip().strip("'\"\t")
    if not text:
        return None
    match = _compile(fmt).match(text)
    if match is None:
        return None
    groups = match.groupdict()
    try:
        if groups.get("Y"):
            year = int(groups["Y"])
        elif groups.get("y"):
            year = _year(int(groups["y"]))
        elif year is None:
            return None
        if groups.get("b"):
            month = MONTHS.get(groups["b"].lower().rstrip("."), 0)
        else:
            month = int(groups["m"])
        if not 1900 <= year <= 2199:
            return None  # no bank statement is that old (and "20010101" is not 20 Jan 0101)
        return datetime.date(year, month, int(groups["d"]))
    except (ValueError, TypeError, KeyError):
        return None


def looks_like_date(cell: str, yearless_numeric: bool = False) -> bool:
    """True when `cell` is a date in any known format."""
    return candidates(cell, yearless_numeric) != ()


@lru_cache(maxsize=4096)
def candidates(cell: str, yearless_numeric: bool = False) -> tuple[str, ...]:
    """Every known format that reads `cell` as a valid date; with `yearless_numeric`, also
    day and month in digits alone (only for a statement that states its year elsewhere)."""
    text = cell.strip()
    if not text or len(text) > 40 or not any(ch.isdigit() for ch in text):
        return ()
    formats = FORMATS + YEARLESS_NUMERIC if yearless_numeric else FORMATS
    return tuple(fmt for fmt in formats if parse(text, fmt, _PROBE_YEAR) is not None)


def formats_for(values: Iterable[str], yearless_numeric: bool = False) -> tuple[str, ...]:
    """Formats that read every non-empty value of `values` (order: FORMATS order)."""
    alive: list[str] | None = None
    for value in values:
        if not value.strip():
            continue
        if alive is None:
            alive = list(candidates(value, yearless_numeric))
        else:
            alive = [fmt for fmt in alive if parse(value, fmt, _PROBE_YEAR) is not None]
        if not alive:
            return ()
    return tuple(alive or ())


def day_first(fmt: str) -> bool | None:
    """True for day-before-month formats, False for month-before-day, None when not applicable."""
    d, m = fmt.find("%d"), fmt.find("%m")
    if d < 0 or m < 0 or fmt.find("%Y") == 0 or fmt.find("%y") == 0:
        return None
    return d < m


_YEAR_MONTH = re.compile(r"(?<!\d)((?:19|20)\d\d)\s*(?:年|/|-|\.)\s*(\d{1,2})\s*月(?!\d)")


def period_of(cells: Iterable[str]) -> tuple[str, ...]:
    """(first, last) ISO dates among cells that are complete dates, e.g. a statement's period
    line, else the whole month a cell names ("2024年01月"); () when there are none."""
    found = []
    months = []
    for cell in cells:
        formats = [f for f in candidates(cell) if has_year(f)]
        if formats:
            value = parse(cell, formats[0])
            if value is not None:
                found.append(value)
        for year, month in _YEAR_MONTH.findall(cell):
            if 1 <= int(month) <= 12:
                months.append(datetime.date(int(year), int(month), 1))
    if not found and months:
        last = max(months)
        following = (last.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
        found = [min(months), following - datetime.timedelta(days=1)]
    if not found:
        return ()
    return (min(found).isoformat(), max(found).isoformat())


class DateParser:
    """Parses one column's cells with a fixed format, caching repeated values."""

    def __init__(self, fmt: str, period: tuple[str, ...] = ()) -> None:
        self.fmt = fmt
        self._cache: dict[str, datetime.date | None] = {}
        self._period: tuple[datetime.date, datetime.date] | None = None
        if not has_year(fmt) and len(period) == 2:
            start, end = (datetime.date.fromisoformat(p) for p in period)
            self._period = (start - datetime.timedelta(days=45), end + datetime.timedelta(days=45))

    def __call__(self, cell: str) -> datetime.date | None:
        """The date in `cell`, or None when it is not a date in this format."""
        try:
            return self._cache[cell]
        except KeyError:
            pass
        value = self._yearless(cell) if self._period else parse(cell, self.fmt)
        if len(self._cache) >= 20_000:
            self._cache.clear()  # datetimes are all different: keep memory bounded
        self._cache[cell] = value
        return value

    def _yearless(self, cell: str) -> datetime.date | None:
        """A day and month placed in the statement's period (which may span a new year)."""
        assert self._period is not None
        start, end = self._period
        for year in range(start.year, end.year + 1):
            value = parse(cell, self.fmt, year)
            if value is not None and start <= value <= end:
                return value
        return None
