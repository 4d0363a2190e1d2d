"""Money as exact integers: minor units plus an ISO 4217 currency code, never a float.

Parsing bank-specific notations (thousands separators, trailing minus, CR/DR) is the importer's job;
this module only converts between canonical decimal strings and minor units.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

# ISO 4217 currencies whose minor unit is not two digits; everything else has cents.
EXPONENTS: dict[str, int] = {
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


# ISO 4217's codes, to tell a currency column from other three-letter codes (POS, ATM).
# One string: 155 active codes read better as words than as a list literal of one per line.
ISO_CODES = frozenset(
    """
    AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BHD BIF BMD BND BOB BRL BSD
    BTN BWP BYN BZD CAD CDF CHF CLP CNY COP CRC CUP CVE CZK DJF DKK DOP DZD EGP ERN ETB
    EUR FJD FKP GBP GEL GHS GIP GMD GNF GTQ GYD HKD HNL HTG HUF IDR ILS INR IQD IRR ISK
    JMD JOD JPY KES KGS KHR KMF KPW KRW KWD KYD KZT LAK LBP LKR LRD LSL LYD MAD MDL MGA
    MKD MMK MNT MOP MRU MUR MVR MWK MXN MYR MZN NAD NGN NIO NOK NPR NZD OMR PAB PEN PGK
    PHP PKR PLN PYG QAR RON RSD RUB RWF SAR SBD SCR SDG SEK SGD SHP SLE SOS SRD SSP STN
    SVC SYP SZL THB TJS TMT TND TOP TRY TTD TWD TZS UAH UGX USD UYU UZS VES VND VUV WST
    XAF XCD XOF XPF YER ZAR ZMW ZWL
    """.split()  # noqa: SIM905
) | frozenset(
    # withdrawn codes that old statements and some banks still print (Russian banks' RUR;
    # the litas, kuna and the euro's predecessors)
    """
    RUR LTL LVL EEK SKK SIT CYP MTL HRK BGL ROL TRL BYR VEF MRO STD ZWD GHC
    DEM FRF ITL ESP NLG BEF ATS PTE FIM IEP GRD LUF
    """.split()  # noqa: SIM905
)


class MoneyError(ValueError):
    """A value that cannot be read as an exact amount of money."""


def exponent(currency: str) -> int:
    """Digits after the decimal point in `currency`'s minor unit (2 for most)."""
    return EXPONENTS.get(currency.upper(), 2)


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
