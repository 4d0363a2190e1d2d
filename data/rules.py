"""The rules engine: a user's ordered rules, matched against one transaction at a time.

A rule tests the raw description or the normalized payee (contains / exact, case-insensitive, or a
regular expression), optionally an amount range in minor units and an account, and sets a category
and/or renames the payee. Rules are tried in order; the first matching rule that sets a category
decides it, and the first matching rule that renames the payee decides the name (so a rename-only
rule near the top does not hide the category rules below it). Storage is the ledger's job; this
module is pure: it never touches the database, and never raises on a transaction, only on a rule.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol

FIELDS = ("description", "payee")
OPS = ("contains", "exact", "regex")
# Regexes run on at most this many characters, so a pathological pattern stays bounded on
# a hostile 100 KB description.
MAX_MATCH_TEXT = 1000
MAX_PATTERN = 500


class RuleError(ValueError):
    """A rule that cannot be used; str() is one clear sentence."""


class RuleLike(Protocol):
    """What the engine needs of a stored rule (data.ledger.Rule has these fields)."""

    @property
    def id(self) -> int: ...
    @property
    def field(self) -> str: ...
    @property
    def op(self) -> str: ...
    @property
    def pattern(self) -> str: ...
    @property
    def category(self) -> str | None: ...
    @property
    def amount_min(self) -> int | None: ...
    @property
    def amount_max(self) -> int | None: ...
    @property
    def account(self) -> str | None: ...
    @property
    def rename_payee(self) -> str | None: ...
    @property
    def currency(self) -> str | None: ...


@dataclass(frozen=True)
class RuleMatch:
    """What the rules decided for one transaction (either part may be None)."""

    category: str | None
    category_rule: int | None
    payee: str | None
    payee_rule: int | None


def validate(
    field: str,
    op: str,
    pattern: str,
    *,
    category: str | None = None,
    rename_payee: str | None = None,
    amount_min: int | None = None,
    amount_max: int | None = None,
) -> None:
    """Raise RuleError with a clear sentence if this rule could not be used."""
    if field not in FIELDS:
        raise RuleError(f"a rule matches {' or '.join(FIELDS)}, not {field!r}")
    if op not in OPS:
        raise RuleError(f"a rule's operator is {', '.join(OPS)}, not {op!r}")
    if not pattern or not pattern.strip():
        raise RuleError("a rule needs a non-empty pattern")
    if len(pattern) > MAX_PATTERN:
        raise RuleError(f"a rule's pattern is limited to {MAX_PATTERN} characters")
    if op == "regex":
        _compile(pattern)
    if not (category and category.strip()) and not (rename_payee and rename_payee.strip()):
        raise RuleError("a rule must set a category or rename the payee")
    if amount_min is not None and amount_max is not None and amount_min > amount_max:
        raise RuleError("a rule's minimum amount is above its maximum")


def _compile(pattern: str) -> re.Pattern[str]:
    try:
        return re.compile(pattern, re.IGNORECASE)
    except (re.error, RecursionError, OverflowError) as exc:
        raise RuleError(f"not a valid regular expression: {pattern!r} ({exc})") from None


@dataclass(frozen=True)
class _Compiled:
    rule: RuleLike
    test: re.Pattern[str] | str
    account: str | None

    def matches(
        self,
        description: str,
        payee: str,
        amount: int,
        account: str | None,
        currency: str | None = None,
    ) -> bool:
        rule = self.rule
        limited = rule.amount_min is not None or rule.amount_max is not None
        # limits are minor units of the rule's currency: -2000 is £20, not ¥2,000
        if limited and rule.currency and currency and currency != rule.currency:
            return False
        if rule.amount_min is not None and amount < rule.amount_min:
            return False
        if rule.amount_max is not None and amount > rule.amount_max:
            return False
        if self.account is not None and (account or "").casefold() != self.account:
            return False
        text = (payee if rule.field == "payee" else description)[:MAX_MATCH_TEXT]
        if isinstance(self.test, re.Pattern):
            return self.test.search(text) is not None
        folded = " ".join(text.split()).casefold()
        return folded == self.test if rule.op == "exact" else self.test in folded


def _compiled(rule: RuleLike) -> _Compiled:
    test: re.Pattern[str] | str = (
        _compile(rule.pattern) if rule.op == "regex" else " ".join(rule.pattern.split()).casefold()
    )
    return _Compiled(rule, test, rule.account.casefold() if rule.account else None)


def matcher(rule: RuleLike) -> Callable[[str, str, int, str | None, str | None], bool]:
    """One rule's test alone, (description, payee, amount, account, currency) -> matches,
    whatever it sets: a rule being drafted is previewed and applied to stored rows by the same
    test that imports use. Raises RuleError for a pattern that is no regular expression."""
    return _compiled(rule).matches


class Rules:
    """A compiled, ordered rule list; build once per batch, then `match` each transaction."""

    def __init__(self, rules: Iterable[RuleLike]) -> None:
        compiled = []
        for rule in rules:
            validate(
                rule.field,
                rule.op,
                rule.pattern,
                category=rule.category,
                rename_payee=rule.rename_payee,
                amount_min=rule.amount_min,
                amount_max=rule.amount_max,
            )
            compiled.append(_compiled(rule))
        self._rules: Sequence[_Compiled] = compiled

    def __len__(self) -> int:
        return len(self._rules)

    def match(
        self,
        description: str,
        payee: str,
        amount: int,
        account: str | None = None,
        currency: str | None = None,
    ) -> RuleMatch | None:
        """The decision of the rules for one transaction, or None when no rule matches."""
        category = category_rule = new_payee = payee_rule = None
        for c in self._rules:
            if category is not None and new_payee is not None:
                break
            wants_category = category is None and c.rule.category
            wants_payee = new_payee is None and c.rule.rename_payee
            if not (wants_category or wants_payee):
                continue
            if not c.matches(description, payee, amount, account, currency):
                continue
            if wants_category:
                category, category_rule = c.rule.category, c.rule.id
            if wants_payee:
                new_payee, payee_rule = c.rule.rename_payee, c.rule.id
        if category is None and new_payee is None:
            return None
        return RuleMatch(category, category_rule, new_payee, payee_rule)
