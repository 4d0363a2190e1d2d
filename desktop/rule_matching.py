"""Try a rule against the ledger before it is saved: which transactions would it categorize?

Uses the categorizer's rule engine (data/rules.py) when it is installed, so the test matches what
the categorize loop will do; otherwise the same semantics in a few lines (case-insensitive
contains/exact/regex on description or payee, optional amount range and account).
Pure Python; runs on the reading lane. Never writes the ledger.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from data.ledger import Txn

MAX_SCAN = 200_000  # a test scans at most this many recent rows, so it answers in about a second


@dataclass(frozen=True)
class Draft:
    """A rule being edited, before it is stored."""

    field: str  # "description" | "payee"
    op: str  # "contains" | "exact" | "regex"
    pattern: str
    category: str | None
    amount_min: int | None = None
    amount_max: int | None = None
    account: str | None = None


def problem(draft: Draft, *, saving: bool = True) -> str | None:
    """Why the draft cannot be tested (or, with `saving`, saved), or None."""
    if not draft.pattern.strip():
        return "Type what the description or payee should contain."
    if draft.op == "regex":
        try:
            re.compile(draft.pattern)
        except re.error as exc:
            return f"That is not a valid regular expression: {exc}."
    if saving and not draft.category:
        return "Choose the category the rule sets."
    if (
        draft.amount_min is not None
        and draft.amount_max is not None
        and draft.amount_min > draft.amount_max
    ):
        return "The minimum amount is above the maximum."
    return None


def matches(draft: Draft, t: Txn) -> bool:
    """True when the draft rule applies to `t`."""
    text = (t.description if draft.field == "description" else t.payee).casefold()
    pattern = draft.pattern.casefold()
    if draft.op == "contains":
        hit = pattern in text
    elif draft.op == "exact":
        hit = text.strip() == pattern.strip()
    else:
        hit = re.search(draft.pattern, text, re.IGNORECASE) is not None
    if not hit:
        return False
    if draft.amount_min is not None and t.amount < draft.amount_min:
        return False
    if draft.amount_max is not None and t.amount > draft.amount_max:
        return False
    return draft.account is None or draft.account == t.account


def test(ledger: Any, draft: Draft, sample: int = 50) -> tuple[int, int, list[Txn]]:
    """(matching rows, of which the user categorized differently, the first `sample` of them)."""
    found = 0
    conflicts = 0
    first: list[Txn] = []
    for i, t in enumerate(ledger.iter_transactions()):
        if i >= MAX_SCAN:
            break
        if matches(draft, t):
            found += 1
            if t.category_source == "user" and t.category != draft.category:
                conflicts += 1
            if len(first) < sample:
                first.append(t)
    return found, conflicts, first


def apply(ledger: Any, draft: Draft) -> int:
    """Categorize existing matching rows by the rule (never over a user's own choice)."""
    ids = [
        t.id
        for i, t in enumerate(ledger.iter_transactions())
        if i < MAX_SCAN and t.category_source != "user" and matches(draft, t)
    ]
    if ids and draft.category:
        ledger.set_category(ids, draft.category, source="rule")
    return len(ids)
