"""Try a rule against the ledger before it is saved (which transactions would it categorize?),
and apply a saved one to the transactions already stored.

Both use the rules engine's own test (data.rules.matcher), so the page shows and applies exactly
what imports and the categorize loop will do (case- and spacing-insensitive contains/exact, a
regular expression, an optional amount range and account). The test reads the newest MAX_SCAN
rows, to answer as the person types; applying reads every row. Pure Python, on a lane, never on
the GUI thread; only `apply` writes.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Any

from data import rules
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
    # what data.rules.RuleLike has besides: a draft has no id yet and renames no payee
    id: int = 0
    rename_payee: str | None = None
    currency: str | None = None  # what the amount limits are minor units of


def problem(draft: Draft, *, saving: bool = True) -> str | None:
    """Why the draft cannot be tested (or, with `saving`, saved), or None."""
    if not draft.pattern.strip():
        return "Type what the description or payee should contain."
    if len(draft.pattern) > rules.MAX_PATTERN:
        return f"A pattern is limited to {rules.MAX_PATTERN} characters."
    try:
        rules.matcher(draft)  # the engine's own compile, so what the page accepts, it can use
    except rules.RuleError as exc:
        return f"That pattern cannot be used: {exc}."
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
    return rules.matcher(draft)(t.description, t.payee, t.amount, t.account, t.currency)


def test(ledger: Any, draft: Draft, sample: int = 50) -> tuple[int, int, list[Txn]]:
    """(matching rows, of which the user categorized differently, the first `sample` of them)."""
    found = 0
    conflicts = 0
    first: list[Txn] = []
    hit = rules.matcher(draft)
    for t in itertools.islice(ledger.iter_transactions(), MAX_SCAN):
        if hit(t.description, t.payee, t.amount, t.account, t.currency):
            found += 1
            if t.category_source == "user" and t.category != draft.category:
                conflicts += 1
            if len(first) < sample:
                first.append(t)
    return found, conflicts, first


def matching_rows(ledger: Any, draft: Draft) -> list[Txn]:
    """Every stored row the rule matches that it may change (not a user's own choice)."""
    hit = rules.matcher(draft)
    return [
        t
        for t in ledger.iter_transactions(order="id_asc")
        if t.category_source != "user"
        and hit(t.description, t.payee, t.amount, t.account, t.currency)
    ]


def apply(ledger: Any, draft: Draft) -> int:
    """Categorize every stored row the rule matches (never over a user's own choice); how many.

    Every row, not the newest MAX_SCAN: a rule the page says is saved must hold for older rows
    too (it did only for the newest 200,000)."""
    ids = [t.id for t in matching_rows(ledger, draft)]
    if ids and draft.category:
        ledger.set_category(ids, draft.category, source="rule")
    return len(ids)
