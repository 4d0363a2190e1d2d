"""Amounts: read one cell of money as exact minor units, in the notations banks use.

Handles thousands separators (1,234.56 / 1.234,56 / 1 234,56 / 1'234.56; Indian lakhs
1,23,456.78), leading or trailing minus, parentheses, explicit plus ("+ $1.00"), currency
symbols and codes ("£5", "12.00 EUR"), and CR/DR markers. Which character is the decimal
separator is decided per file from all values (decimal_style); a single cell is never guessed.
Never uses floats.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

_INVISIBLE = dict.fromkeys(
    map(ord, "\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\ufeff"), None
)
_SPACES = re.compile(r"[\s\u00a0\u2007\u2009\u202f]+")
_BLANKS = frozenset({"", "-", "--", "—", "–", "n/a", "na", "null", "none", "nan"})
_CRDR = re.compile(
    r"^(?P<pre>cr|dr)(?![a-z])\.?\s*|\s*(?<![a-z])(?P<post>cr|dr)\.?$", re.IGNORECASE
)
_WORD = re.compile(r"[^\W\d_]+\.?")
# Currency codes and local abbreviations that may stand beside a number.
_CURRENCY_WORDS = frozenset(
    [
        "usd",
        "eur",
        "gbp",
        "chf",
        "jpy",
        "cny",
        "rmb",
        "cad",
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
        "hrk",
        "rub",
        "uah",
        "try",
        "inr",
        "pkr",
        "lkr",
        "bdt",
        "npr",
        "idr",
        "myr",
        "sgd",
        "hkd",
        "twd",
        "krw",
        "thb",
        "php",
        "vnd",
        "brl",
        "mxn",
        "ars",
        "clp",
        "cop",
        "pen",
        "zar",
        "ngn",
        "kes",
        "egp",
        "mad",
        "aed",
        "sar",
        "qar",
        "kwd",
        "bhd",
        "omr",
        "jod",
        "ils",
        "isk",
        "ltl",
        "lvl",
        "eek",
        "btc",
        "rs",
        "rs.",
        "kr",
        "kr.",
        "zł",
        "zl",
        "kč",
        "kc",
        "ft",
        "lei",
        "лв",
        "руб",
        "руб.",
        "р",
        "р.",
        "грн",
        "元",
        "円",
        "원",
        "дин",
        "din",
        "sfr",
        "fr",
        "fr.",
        "chf.",
        "₹",
        "د.",
        "ا.",
        "إ.",
        "ر.",
        "س.",
        "ج.",
        "م.",
    ]
)
# Indian statements group in lakhs and crores: 1,20,000.00 and 1,00,00,000.
_NUMBER_DOT = re.compile(r"^(?:\d{1,3}(?:,\d{3})+|\d{1,2}(?:,\d{2})+,\d{3}|\d+)?(?:\.(\d+))?$")
_NUMBER_COMMA = re.compile(r"^(?:\d{1,3}(?:\.\d{3})+|\d+)?(?:,(\d+))?$")
_NOTE = re.compile(r"^(?P<number>[^(]*\d)\s*\((?P<note>[^()]*)\)$")
_NOT_NUMERIC = re.compile(r"[\d.,'+\-−–()\s]")


@dataclass(frozen=True)
class Amount:
    """A parsed money cell: signed minor units and how the sign was written."""

    minor: int
    marker: str  # "+" or "-" when the cell states its sign explicitly, else ""


def is_blank(cell: str) -> bool:
    """True for cells that state no amount (empty, "-", "--", "n/a")."""
    return cell.strip().strip("'\"\t").lower() in _BLANKS


# Japanese statements write a negative amount with a triangle in front ("▲1,000", "△250").
_TRIANGLE_MINUS = "▲△"


def _clean(cell: str) -> str:
    text = cell.translate(_INVISIBLE).strip().strip("'\"\t")
    if text[:1] in _TRIANGLE_MINUS:
        text = "-" + text[1:]
    return _SPACES.sub(" ", text).strip()


PLAIN = {
    ".": re.compile(r"\s*(-?)(\d{1,15})(?:\.(\d{1,2}))?\s*"),
    ",": re.compile(r"\s*(-?)(\d{1,15})(?:,(\d{1,2}))?\s*"),
}


# Thousands grouped the Western way with two decimals ("1,234.56", "-12.345,67"): as common in
# exports as plain numbers, and the general path below costs ten times as much per cell.
GROUPED = {
    ".": re.compile(r"\s*(-?)(\d{1,3}(?:,\d{3})+)(?:\.(\d{2}))?\s*"),
    ",": re.compile(r"\s*(-?)(\d{1,3}(?:\.\d{3})+)(?:,(\d{2}))?\s*"),
}
_GROUP_MARK = {".": ",", ",": "."}


def parse(cell: str, decimal: str, exponent: int = 2) -> Amount | None:
    """The amount in `cell` with `decimal` as the decimal separator, or None when it is not one."""
    if exponent == 2 and decimal in PLAIN:
        plain = PLAIN[decimal].fullmatch(cell)
        if plain is not None:  # the common case, kept fast for million-row files
            sign, whole, cents = plain.groups()
            minor = int(whole) * 100 + int((cents or "").ljust(2, "0"))
            return Amount(-minor, "-") if sign else Amount(minor, "")
        grouped = GROUPED[decimal].fullmatch(cell)
        if grouped is not None:
            sign, whole, cents = grouped.groups()
            minor = int(whole.replace(_GROUP_MARK[decimal], "")) * 100 + int(cents or "0")
            return Amount(-minor, "-") if sign else Amount(minor, "")
    return parse_general(cell, decimal, exponent)


def parse_general(cell: str, decimal: str, exponent: int = 2) -> Amount | None:
    """parse() without its fast paths: every notation, any number of decimals."""
    text = _clean(cell)
    if not text or len(text) > 40:
        return None
    text = _without_note(text)
    negative = False
    marker = ""
    crdr = _CRDR.search(text)
    if crdr:
        word = (crdr.group("pre") or crdr.group("post")).lower()
        text = (text[: crdr.start()] + text[crdr.end() :]).strip()
        negative = word == "dr"
        marker = "-" if negative else "+"
    if text.startswith("(") and text.endswith(")"):
        text = text[1:-1].strip()
        negative, marker = True, "-"
    words = _WORD.findall(text)
    if words:
        if len(words) > 2 or any(w.casefold() not in _CURRENCY_WORDS for w in words):
            return None
        text = _WORD.sub(" ", text)
    residue = _NOT_NUMERIC.sub("", text)
    if residue and not _currency_like(residue):
        return None
    # Keep digits, separators and signs, in order; currency symbols/codes may sit anywhere.
    core, sign = _split_sign("".join(ch for ch in text if ch.isdigit() or ch in ".,'+-−– "))
    if sign == "-":
        negative, marker = True, "-"
    elif sign == "+":
        marker = marker or "+"
    pattern = _NUMBER_DOT if decimal == "." else _NUMBER_COMMA
    if not core or not any(ch.isdigit() for ch in core) or pattern.match(core) is None:
        return None
    whole, _, fraction = core.partition(decimal) if decimal in core else (core, "", "")
    whole = whole.replace("," if decimal == "." else ".", "")
    if len(fraction) > exponent:
        if fraction[exponent:].strip("0"):
            return None
        fraction = fraction[:exponent]
    minor = int(whole or "0") * 10**exponent + int(fraction.ljust(exponent, "0") or "0")
    return Amount(-minor if negative else minor, marker)


def _without_note(text: str) -> str:
    """`text` without a note in parentheses after its number ("131.77(refunded 89.84)",
    "-3.90(CN)"); a sign written that way ("12.00 (DR)") is kept."""
    note = _NOTE.match(text)
    if note is None:
        return text
    said = note.group("note").strip()
    if said.casefold() in ("cr", "dr", "+", "-"):
        return f"{note.group('number')} {said}"
    return note.group("number") if any(ch.isalpha() for ch in said) else text


def _split_sign(core: str) -> tuple[str, str]:
    """(digits and separators, "+" / "-" / "") with a leading or trailing sign taken off."""
    core = core.strip()
    sign = ""
    if core[:1] and core[0] in "+-−–":
        sign, core = ("+" if core[0] == "+" else "-"), core[1:]
    elif core[-1:] and core[-1] in "-−–":
        sign, core = "-", core[:-1]
    return core.strip().replace(" ", "").replace("'", ""), sign


def _currency_like(residue: str) -> bool:
    """True when what is left beside the number is a currency symbol or code, not words."""
    letters = [ch for ch in residue if ch.isalpha()]
    symbols = [ch for ch in residue if unicodedata.category(ch) == "Sc"]
    if len(letters) + len(symbols) != len(residue):
        return False
    return len(letters) <= 4 and len(symbols) <= 2


def looks_like_amount(cell: str) -> bool:
    """True when `cell` is an amount with either decimal separator."""
    return parse(cell, ".") is not None or parse(cell, ",") is not None


def decimal_style(values: Iterable[str], default: str = ".", exponent: int = 2) -> str:
    """ "." or "," - the decimal separator that reads the most of `values` unambiguously;
    `exponent` is the currency's number of decimals (with 3, "1.250" is a decimal point)."""
    strong = {".": 0, ",": 0}
    weak = {".": 0, ",": 0}
    for value in values:
        core = re.sub(r"[^\d.,]", "", _clean(value))
        if not core:
            continue
        dots, commas = core.count("."), core.count(",")
        if dots and commas:
            strong["." if core.rfind(".") > core.rfind(",") else ","] += 1
        elif dots > 1:
            strong[","] += 1
        elif commas > 1:
            strong["."] += 1
        elif dots == 1 or commas == 1:
            sep = "." if dots else ","
            other = "," if sep == "." else "."
            digits_after = len(core) - core.rfind(sep) - 1
            if digits_after == 3 and exponent != 3:
                weak[other] += 1  # 1,234 is a thousands separator more often than 3 decimals
            else:
                strong[sep] += 1
    if strong["."] != strong[","]:
        return "." if strong["."] > strong[","] else ","
    if weak["."] != weak[","]:
        return "." if weak["."] > weak[","] else ","
    return default


class AmountParser:
    """Parses one file's money cells with a fixed decimal style, caching repeated values."""

    def __init__(self, decimal: str, exponent: int = 2) -> None:
        self.decimal = decimal
        self.exponent = exponent
        self._cache: dict[str, Amount | None] = {}

    def __call__(self, cell: str) -> Amount | None:
        """The amount in `cell`, or None when it is not an amount."""
        try:
            return self._cache[cell]
        except KeyError:
            pass
        value = parse(cell, self.decimal, self.exponent)
        if len(self._cache) >= 20_000:
            self._cache.clear()
        self._cache[cell] = value
        return value
