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

# (a piece of text every match contains, the pattern): the pieces let the common description,
# which names a shop, skip the regular expression (ten years of rows, 8,529 different
# descriptions: 0.11 s of CPU without them, 0.02 s with them, measured here).
_WORDS = (
    # English: "ATM WITHDRAWAL", "CASH WITHDRAWAL LINK ATM", "CASHPOINT", "CASH WDL"
    ("atm", r"\batms?\b"),
    (
        "cash",
        r"\bcash\W{0,3}(?:withdrawa?ls?|wdrl?|wdl|w/?d|advance|machine|point|dispenser|deposit)\b",
    ),
    ("cash", r"\bcashpoint\b"),
    # German and Austrian: Geldautomat, Bargeldauszahlung, Barabhebung, GAA
    ("geld", r"geldautomat"),
    ("bar", r"\bbargeld"),
    ("bar", r"\bbar(?:auszahlung|abhebung|einzahlung)"),
    ("gaa", r"\bgaa\b"),
    # Austrian, Polish, Czech, Slovak, Croatian, Swedish: Bankomat (bankomatu, ...)
    ("bankomat", r"\bbankomat"),
    # Dutch: geldautomaat, geldopname
    ("geld", r"\bgeld(?:automaat|opname)"),
    # French: retrait (DAB / espèces); "DAB" alone is also a German broker's name
    ("retrait", r"\bretrait\b"),
    # Spanish: cajero, retirada / retiro / disposición de efectivo
    ("cajero", r"\bcajero"),
    ("efectivo", r"\b(?:retirada|retiro|disposici[oó]n)\s+(?:de\s+|en\s+)?efectivo\b"),
    # Italian: prelievo, prelevamento; Portuguese: levantamento, saque
    ("prel", r"\bprel(?:ievo|evamento)\b"),
    ("levantamento", r"\blevantamento\b"),
    ("saque", r"\bsaque\b"),
    # Nordic: kontantuttag, kontanthævning, minibank, käteisnosto
    ("kontant", r"\bkontant(?:uttag|hævning|haevning)"),
    ("minibank", r"\bminibank\b"),
    ("käteisnosto", r"\bkäteisnosto"),
    # Hungarian: készpénzfelvétel
    ("készpénz", r"készpénz"),
    # Russian: снятие / выдача наличных, банкомат
    ("налич", r"налич"),
    ("банкомат", r"банкомат"),
    # Chinese: 取现 (take cash), 取款 (withdraw money)
    ("取", r"取现|取款"),
)
_HINTS = tuple(sorted({hint for hint, _ in _WORDS}))
_DESCRIPTION = re.compile("|".join(pattern for _, pattern in _WORDS), re.IGNORECASE)


@lru_cache(maxsize=1 << 16)  # a ledger repeats a few thousand descriptions many times over
def _says_cash(description: str) -> bool:
    folded = description.lower()
    if not any(hint in folded for hint in _HINTS):
        return False
    return _DESCRIPTION.search(description) is not None


def is_cash(description: str, category: str | None) -> bool:
    """True if the row takes cash out of (or pays cash into) the account (see the module)."""
    if category is not None and _CATEGORY.search(category):
        return True
    return _says_cash(description)
