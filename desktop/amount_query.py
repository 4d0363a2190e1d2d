"""What a person types in an amount box, read as bounds on an amount's size.

"49.99" finds that size exactly (money in or out: pasted "-49.99" too); "40-60" a range; ">500",
">=500" or "500+" that size or more; "<10" or "<=10" that size or less. Currency symbols and
spaces are ignored. A comma before groups of three digits separates thousands ("1,200"); before
one or two digits at the end it is a decimal comma, as most of Europe writes money ("12,50",
"1.234,56"); the Arabic decimal and thousands signs (U+066B, U+066C) are read too. Exact
decimals, never floats. Pure Python, no Qt.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

Bounds = tuple[Decimal | None, Decimal | None]

HINT = "49.99, 40-60, >500 or <10: the amount's size, money in or out"
_NOISE = re.compile(r"[\s£$€¥₹\u066c]")  # U+066C: the Arabic thousands separator
_GROUPED = re.compile(r"\d+(?:[.,\u066b]\d+)+")  # a number with separators: "1,200", "12,50"
_RANGE = re.compile(r"([\d.]+?)\s*(?:-|–|—|\.\.|to)\s*([\d.]+)")


class AmountQueryError(ValueError):
    """Text that does not read as an amount or a range; str() says what would."""


_NUMBER = re.compile(r"\d{1,15}(?:\.\d{0,6})?|\.\d{1,6}")  # no exponents, no absurd sizes


def size(text: str) -> Decimal:
    """One size typed on its own ("49.99", "£1,200"): the box's and the command line's."""
    return _size(_plain(text))


def _plain(text: str) -> str:
    """`text` without noise, each number written with a decimal point and no grouping."""
    return _GROUPED.sub(_ungroup, _NOISE.sub("", text.lower()))


def _ungroup(found: re.Match[str]) -> str:
    """One number's separators read: "12,50" -> "12.50", "1.234,56" -> "1234.56", "1,200" ->
    "1200". "12,50" read as 1250 (commas were dropped as thousands) sent a German user's
    search for a 12.50 payment to 1,250.00 (audit 8)."""
    number = found[0].replace("\u066b", ",")  # the Arabic decimal sign acts as a decimal comma
    parts = re.split(r"([.,])", number)
    digits, seps = parts[0::2], parts[1::2]
    last = seps[-1]
    if last == "," and len(digits[-1]) != 3:  # a decimal comma; any dots before it group
        grouped = all(s == "." for s in seps[:-1]) and len(digits[-1]) <= 2
        return "".join(digits[:-1]) + "." + digits[-1] if grouped else number
    if last == ",":  # "1,200" or "1,234,567": groups of thousands
        return "".join(digits) if all(s == "," for s in seps) else number
    # a decimal point: commas before it group thousands ("1,234.56")
    whole = "".join(d for d, s in zip(digits, seps, strict=False) if s == ",") + digits[-2]
    return whole + "." + digits[-1] if seps.count(".") == 1 else number


def _size(text: str) -> Decimal:
    if not _NUMBER.fullmatch(text):
        raise AmountQueryError(f"not an amount: {text!r} (try {HINT})")
    try:
        return Decimal(text)
    except InvalidOperation:  # pragma: no cover - the pattern admits only decimals
        raise AmountQueryError(f"not an amount: {text!r} (try {HINT})") from None


def parse(text: str) -> Bounds | None:
    """The (low, high) sizes `text` asks for, either None for an open end; None for no text."""
    plain = _plain(text)
    if not plain:
        return None
    if plain.startswith((">=", "<=")):
        op, rest = plain[:2], plain[2:]
    elif plain[:1] in "<>":
        op, rest = plain[:1], plain[1:]
    elif plain.endswith("+"):
        op, rest = ">=", plain[:-1]
    else:
        op, rest = "", plain
    if op:
        size = _size(rest)
        return (size, None) if op.startswith(">") else (None, size)
    found = _RANGE.fullmatch(plain)
    if found:
        low, high = sorted((_size(found[1]), _size(found[2])))
        return (low, high)
    size = _size(plain.lstrip("+-"))
    return (size, size)


def text_of(low: Decimal | None, high: Decimal | None) -> str:
    """What `parse` reads back as (low, high): for setting the box from a filter."""
    if low is None and high is None:
        return ""
    if low is None:
        return f"<={high}"
    if high is None:
        return f">={low}"
    return str(low) if low == high else f"{low}-{high}"
