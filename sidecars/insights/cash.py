"""Cash taken out of (or paid into) an account at a machine or a counter.

Cash recurs (a person visits the same cash machine every few weeks, often for the same round sum)
but it is no bill: nobody charged it, its amount and date are the person's own choice, and a
"yearly payment to Cash Withdrawal Link ATM" tells them nothing. So cash never forms a recurring
series, and two equal withdrawals in a week are no duplicate charge.

A row is cash when its category says so (the categorizer's "Cash"; a category named with the word
"cash" or "ATM") or its description uses the words banks write for a cash machine or a cash
withdrawal, in the languages of the banks people import from. Only whole words count ("Atmos
Energy" and "Cashmere Club" are bills; "Cash App" is a payment to a person, which is left to the
transfer rule). Pure; this module must never guess from amounts.
"""

from __future__ import annotations

import re
from functools import lru_cache

_CATEGORY = re.compile(r"\b(?:cash|atm)\b", re.IGNORECASE)

_DESCRIPTION = re.compile(
    "|".join(
        (
            # English: "ATM WITHDRAWAL", "CASH WITHDRAWAL LINK ATM", "CASHPOINT", "CASH WDL"
            r"\batms?\b",
            r"\bcash\W{0,3}(?:withdrawa?ls?|wdrl?|wdl|w/?d|advance|machine|point|dispenser"
            r"|deposit)\b",
            r"\bcashpoint\b",
            # German and Austrian: Geldautomat, Bargeldauszahlung, Barabhebung, GAA, Bankomat
            r"geldautomat",
            r"\bbargeld",
            r"\bbar(?:auszahlung|abhebung|einzahlung)",
            r"\bgaa\b",
            # Austrian, Polish, Czech, Slovak, Croatian, Swedish: Bankomat (bankomatu, ...)
            r"\bbankomat",
            # Dutch: geldautomaat, geldopname
            r"\bgeld(?:automaat|opname)",
            # French: retrait (DAB / espèces); "DAB" alone is also a German broker's name
            r"\bretrait\b",
            # Spanish: cajero, retirada / retiro / disposición de efectivo
            r"\bcajero",
            r"\b(?:retirada|retiro|disposici[oó]n)\s+(?:de\s+|en\s+)?efectivo\b",
            # Italian: prelievo, prelevamento; Portuguese: levantamento, saque
            r"\bprel(?:ievo|evamento)\b",
            r"\blevantamento\b",
            r"\bsaque\b",
            # Nordic: kontantuttag, minibank, kontanthævning, käteisnosto
            r"\bkontant(?:uttag|hævning|haevning)",
            r"\bminibank\b",
            r"\bkäteisnosto",
            # Hungarian: készpénzfelvétel
            r"készpénz",
            # Russian: снятие / выдача наличных, банкомат
            r"налич",
            r"банкомат",
            # Chinese: 取现 (take cash), 取款 (withdraw money)
            r"取现|取款",
        )
    ),
    re.IGNORECASE,
)


@lru_cache(maxsize=1 << 16)  # a ledger repeats a few thousand descriptions many times over
def _says_cash(description: str) -> bool:
    return _DESCRIPTION.search(description) is not None


def is_cash(description: str, category: str | None) -> bool:
    """True if the row takes cash out of (or pays cash into) the account (see the module)."""
    if category is not None and _CATEGORY.search(category):
        return True
    return _says_cash(description)
