"""Small helpers the model pages share: the ledger's main currency, and wire amounts read back
into integer minor units for display. Never imports Qt; never writes the ledger."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from data.money import MoneyError, exponent, to_minor


def main_currency(ledger: Any) -> str:
    """The currency most accounts use."""
    counts: dict[str, int] = {}
    for account in ledger.accounts():
        counts[account.currency] = counts.get(account.currency, 0) + 1
    return max(sorted(counts), key=lambda c: counts[c]) if counts else "USD"


def minor(value: Any, currency: str) -> int | None:
    """Minor units of a wire amount (decimal string, or a number from a statistical output)."""
    if value is None or isinstance(value, bool):
        return None
    try:
        dec = Decimal(str(value)).quantize(Decimal(1).scaleb(-exponent(currency)))
        return to_minor(dec, currency)
    except (InvalidOperation, ValueError, MoneyError):
        return None
