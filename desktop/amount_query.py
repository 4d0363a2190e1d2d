"""What a person types in an amount box, read as bounds on an amount's size.

"49.99" finds that size exactly (money in or out: pasted "-49.99" too); "40-60" a range; ">500",
">=500" or "500+" that size or more; "<10" or "<=10" that size or less. Currency symbols, spaces
and thousands commas are ignored. Exact decimals, never floats. Pure Python, no Qt.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

Bounds = tuple[Decimal | None, Decimal | None]

HINT = "49.99, 40-60, >500 or <10: the amount's size, money in or out"
_NOISE = re.compile(r"[\s,£$€¥₹]")
_RANGE = re.compile(r"([\d.]+?)\s*(?:-|–|—|\.\.|to)\s*([\d.]+)")


class AmountQueryError(ValueError):
    """Text that does not read as an amount or a range; str() says what would."""


_NUMBER = re.compile(r"\d{1,15}(?:\.\d{0,6})?|\.\d{1,6}")  # no exponents, no absurd sizes


def size(text: str) -> Decimal:
    """One size typed on its own ("49.99", "£1,200"): the box's and the command line's."""
    return _size(_NOISE.sub("", text))


def _size(text: str) -> Decimal:
    if not _NUMBER.fullmatch(text):
        raise AmountQueryError(f"not an amount: {text!r} (try {HINT})")
    try:
        return Decimal(text)
    except InvalidOperation:  # pragma: no cover - the pattern admits only decimals
        raise AmountQueryError(f"not an amount: {text!r} (try {HINT})") from None


def parse(text: str) -> Bounds | None:
    """The (low, high) sizes `text` asks for, either None for an open end; None for no text."""
    plain = _NOISE.sub("", text.lower())
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
