"""Money as exact integers: minor units plus an ISO 4217 currency code, never a float.

Parsing bank-specific notations (thousands separators, trailing minus, CR/DR) is the importer's job;
this module only converts between canonical decimal strings and minor units.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

# ISO 4217 currencies whose minor unit is not two digits; everything else has cents.
_EXPONENTS: dict[str, int] = {
    "BIF": 0,
    "CLP": 0,
    "DJF": 0,
    "GNF": 0,
    "ISK": 0,
    "JPY": 0,
    "KMF": 0,
    "KRW": 0,
    "PYG": 0,
    "RWF": 0,
    "UGX": 0,
    "UYI": 0,
    "VND": 0,
    "VUV": 0,
    "XAF": 0,
    "XOF": 0,
    "XPF": 0,
    "BHD": 3,
    "IQD": 3,
    "JOD": 3,
    "KWD": 3,
    "LYD": 3,
    "OMR": 3,
    "TND": 3,
}


class MoneyError(ValueError):
    """A value that cannot be read as an exact amount of money."""


def exponent(currency: str) -> int:
    """Digits after the decimal point in `currency`'s minor unit (2 for most)."""
    return _EXPONENTS.get(currency.upper(), 2)


def to_minor(value: Decimal | str | int, currency: str) -> int:
    """Exact minor units of `value`; refuses values with more precision than the currency has."""
    try:
        dec = value if isinstance(value, Decimal) else Decimal(str(value).strip())
    except InvalidOperation as exc:
        raise MoneyError(f"not an amount: {value!r}") from exc
    if not dec.is_finite():
        raise MoneyError(f"not an amount: {value!r}")
    scaled = dec.scaleb(exponent(currency))
    if scaled != scaled.to_integral_value():
        raise MoneyError(f"{value} has more decimals than {currency} allows")
    return int(scaled)


def to_decimal(minor: int, currency: str) -> Decimal:
    """The Decimal value of `minor` units of `currency`."""
    exp = exponent(currency)
    return Decimal(minor).scaleb(-exp).quantize(Decimal(1).scaleb(-exp))


def format_decimal(minor: int, currency: str) -> str:
    """Canonical decimal string for the wire and the CLI's JSON, e.g. -1250 USD -> "-12.50"."""
    return str(to_decimal(minor, currency))
