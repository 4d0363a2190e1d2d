"""Numbers, money and dates in the user's locale (QLocale), money always from integer minor units.

Never turns money into a float: the integer part is grouped by the locale and the minor digits are
appended exactly. Used by every view and chart label.
"""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QDate, QLocale

from data.money import exponent

_SYMBOLS = {"GBP": "£", "USD": "$", "EUR": "€", "JPY": "¥", "INR": "₹", "CHF": "CHF "}


def symbol(currency: str) -> str:
    """A short symbol for a currency, or its code followed by a space."""
    return _SYMBOLS.get(currency.upper(), f"{currency.upper()} ")


def money(minor: int, currency: str, *, locale: QLocale | None = None, cents: bool = True) -> str:
    """`-123456` GBP -> "-£1,234.56" in English (grouping and decimal point from QLocale)."""
    loc = locale or QLocale()
    exp = exponent(currency)
    sign = "-" if minor < 0 else ""
    units, frac = divmod(abs(minor), 10**exp) if exp else (abs(minor), 0)
    if not cents and exp:
        units = (abs(minor) + 10**exp // 2) // 10**exp
    text = loc.toString(units)
    if cents and exp:
        text += loc.decimalPoint() + f"{frac:0{exp}d}"
    return f"{sign}{symbol(currency)}{text}"


def day(date: dt.date, *, locale: QLocale | None = None) -> str:
    """A date in the locale's short format."""
    loc = locale or QLocale()
    return loc.toString(QDate(date.year, date.month, date.day), QLocale.FormatType.ShortFormat)


def month(date: dt.date, *, locale: QLocale | None = None) -> str:
    """ "Nov 2026" in the locale's words."""
    loc = locale or QLocale()
    return f"{loc.monthName(date.month, QLocale.FormatType.ShortFormat)} {date.year}"


def percent(value: float, *, locale: QLocale | None = None) -> str:
    """0.873 -> "87%"."""
    loc = locale or QLocale()
    return loc.toString(round(value * 100)) + "%"


def moment(stamp: str) -> str:
    """A UTC time as stored ("2026-12-07T14:03:09Z") in the person's clock and locale."""
    try:
        when = dt.datetime.fromisoformat(stamp.replace("Z", "+00:00"))
    except ValueError:
        return stamp[:16].replace("T", " ")
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    local = when.astimezone()
    return f"{day(local.date())} {local.strftime('%H:%M')}"
