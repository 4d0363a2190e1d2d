"""Which transactions move money between the person's own accounts.

Such a transaction is neither spending nor income: a card repayment leaves the current account
and arrives on the card, and counting it would count the card's purchases twice. The dashboard's
totals (SQL, data/ledger/aggregates.py), the forecaster's history and the insights' input
(Python, desktop/) all use this one rule, so the figures on different pages agree.

A transfer is a row whose category says so ("Transfers", "Own transfer"), or whose description
is one of the phrases banks use for card repayments and moves to savings. The bare word
"transfer" in a description is not enough: "BANK TRANSFER TO M PATEL" is rent, and rent is
spending.
"""

from __future__ import annotations

CATEGORY_WORD = "transfer"
DESCRIPTION_PHRASES = (
    "payment to credit card",
    "payment - thank you",
    "transfer to savings",
    "transfer from savings",
)


def is_transfer(description: str, category: str | None) -> bool:
    """True if the row moves money between the person's own accounts (see the module)."""
    if category is not None and CATEGORY_WORD in category.lower():
        return True
    text = description.lower()
    return any(phrase in text for phrase in DESCRIPTION_PHRASES)


def _like(phrase: str) -> str:
    # the phrases are constants of this module: no quote or LIKE wildcard to escape
    assert not any(ch in phrase for ch in "'%_\\"), phrase
    return f"'%{phrase}%'"


# The same rule as is_transfer, as a condition on `t` (transactions) LEFT JOIN `c` (categories)
# that holds for rows that are NOT transfers. SQLite's lower() folds ASCII only, as the phrases are.
NOT_TRANSFER_SQL = " AND ".join(
    [f"(c.name IS NULL OR lower(c.name) NOT LIKE {_like(CATEGORY_WORD)})"]
    + [f"lower(t.description) NOT LIKE {_like(p)}" for p in DESCRIPTION_PHRASES]
)
