"""Money and dates in the user's locale, money exactly from integer minor units."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import QLocale

from desktop import formatting

EN_US = QLocale(QLocale.Language.English, QLocale.Country.UnitedStates)
DE = QLocale(QLocale.Language.German, QLocale.Country.Germany)


@pytest.mark.parametrize(
    ("minor", "currency", "locale", "text"),
    [
        (-123456, "USD", EN_US, "-$1,234.56"),
        (5, "GBP", EN_US, "£0.05"),
        (0, "EUR", EN_US, "€0.00"),
        (-123456, "EUR", DE, "-€1.234,56"),
        (1234, "JPY", EN_US, "¥1,234"),
        (1234567, "KWD", EN_US, "KWD 1,234.567"),
        (10**17 + 1, "USD", EN_US, "$1,000,000,000,000,000.01"),
    ],
)
def test_money_is_exact_and_localised(
    minor: int, currency: str, locale: QLocale, text: str
) -> None:
    assert formatting.money(minor, currency, locale=locale) == text


def test_money_without_cents_rounds_half_up() -> None:
    assert formatting.money(123450, "USD", locale=EN_US, cents=False) == "$1,235"
    assert formatting.money(-123449, "USD", locale=EN_US, cents=False) == "-$1,234"


def test_dates_follow_the_locale() -> None:
    day = dt.date(2026, 3, 4)
    assert formatting.day(day, locale=EN_US) == "3/4/26"
    assert formatting.day(day, locale=DE) == "04.03.26"
    assert formatting.month(day, locale=DE).startswith("März")
