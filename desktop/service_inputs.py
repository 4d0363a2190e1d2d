"""Small helpers the model pages share: the ledger's main currency, and wire amounts read back
into integer minor units for display. Never imports Qt; never writes the ledger."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from data.money import MoneyError, exponent, to_minor


def main_currency(ledger: Any) -> str:
    """The currency the model pages work in: the Dashboard's, the one most transactions are in.

    Counting accounts instead tied a pound current account with a euro travel card (the tie
    went to the first name), and a nine-row dinar account outvoted nobody but the alphabet."""
    main = ledger.stats().main_currency
    if main is not None:
        return str(main)
    return min((a.currency for a in ledger.accounts()), default="USD")  # accounts, no rows yet


def minor(value: Any, currency: str) -> int | None:
    """Minor units of a wire amount (decimal string, or a number from a statistical output)."""
    if value is None or isinstance(value, bool):
        return None
    try:
        dec = Decimal(str(value)).quantize(Decimal(1).scaleb(-exponent(currency)))
        return to_minor(dec, currency)
    except (InvalidOperation, ValueError, MoneyError):
        return None
