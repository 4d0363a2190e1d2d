"""The rules engine: ordering, operators, ranges, accounts, renames, and bad rules."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from data.rules import RuleError, RuleMatch, Rules, validate


@dataclass(frozen=True)
class R:
    id: int
    field: str
    op: str
    pattern: str
    category: str | None
    amount_min: int | None = None
    amount_max: int | None = None
    account: str | None = None
    rename_payee: str | None = None
    currency: str | None = None


def test_first_match_wins() -> None:
    rules = Rules(
        [
            R(1, "payee", "contains", "tesco", "Groceries"),
            R(2, "description", "contains", "tesco", "Other"),
        ]
    )
    assert rules.match("CARD PAYMENT TO TESCO 12", "Tesco", -500) == RuleMatch(
        "Groceries", 1, None, None
    )


def test_operators_case_insensitive() -> None:
    rules = Rules(
        [
            R(1, "payee", "exact", "Blue  Bottle", "Coffee"),
            R(2, "description", "regex", r"^uber\s+\*?trip", "Transport"),
            R(3, "description", "contains", "NETFLIX", "Subscriptions"),
        ]
    )
    assert rules.match("SQ *BLUE BOTTLE 0423", "blue bottle", -450).category == "Coffee"  # type: ignore[union-attr]
    assert rules.match("x", "Blue Bottle Cafe", -450) is None  # exact is exact
    assert rules.match("UBER *TRIP HELP", "Uber", -900).category == "Transport"  # type: ignore[union-attr]
    assert rules.match("paypal *netflix", "Netflix", -999).category_rule == 3  # type: ignore[union-attr]


def test_amount_range_and_account() -> None:
    rules = Rules(
        [
            R(1, "payee", "contains", "amazon", "Big purchase", amount_max=-10_000),
            R(2, "payee", "contains", "amazon", "Shopping", account="Visa"),
        ]
    )
    assert rules.match("AMAZON", "Amazon", -20_000).category == "Big purchase"  # type: ignore[union-attr]
    assert rules.match("AMAZON", "Amazon", -2_000, "visa").category == "Shopping"  # type: ignore[union-attr]
    assert rules.match("AMAZON", "Amazon", -2_000, "Checking") is None
    assert rules.match("AMAZON", "Amazon", -2_000, None) is None


def test_rename_only_rule_does_not_hide_category_rules() -> None:
    rules = Rules(
        [
            R(1, "description", "contains", "amzn", None, rename_payee="Amazon"),
            R(2, "description", "contains", "amzn", "Shopping", rename_payee="Ignored"),
        ]
    )
    assert rules.match("AMZN MKTP US", "Amzn Mktp", -100) == RuleMatch("Shopping", 2, "Amazon", 1)


def test_no_rules_no_match() -> None:
    assert Rules([]).match("anything", "", 0) is None
    assert len(Rules([])) == 0


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"field": "memo", "op": "contains", "pattern": "x", "category": "c"}, "not 'memo'"),
        ({"field": "payee", "op": "like", "pattern": "x", "category": "c"}, "not 'like'"),
        (
            {"field": "payee", "op": "contains", "pattern": "  ", "category": "c"},
            "non-empty pattern",
        ),
        (
            {"field": "payee", "op": "regex", "pattern": "([a-z", "category": "c"},
            "not a valid regular expression",
        ),
        ({"field": "payee", "op": "contains", "pattern": "x"}, "set a category or rename"),
        (
            {"field": "payee", "op": "contains", "pattern": "x" * 501, "category": "c"},
            "limited to 500",
        ),
        (
            {
                "field": "payee",
                "op": "contains",
                "pattern": "x",
                "category": "c",
                "amount_min": 5,
                "amount_max": 1,
            },
            "minimum amount is above",
        ),
    ],
)
def test_bad_rules_are_refused_clearly(kwargs: dict, message: str) -> None:  # type: ignore[type-arg]
    field, op, pattern = kwargs.pop("field"), kwargs.pop("op"), kwargs.pop("pattern")
    with pytest.raises(RuleError, match=message):
        validate(field, op, pattern, **kwargs)


def test_bad_stored_rule_is_refused_at_compile() -> None:
    with pytest.raises(RuleError, match="not a valid regular expression"):
        Rules([R(1, "payee", "regex", "(", "c")])


def test_hostile_transactions() -> None:
    rules = Rules(
        [R(1, "description", "regex", r"(a+)+$", "Slow"), R(2, "payee", "contains", "é", "Accent")]
    )
    # The regex is exponential on this input; the match text is bounded, so it stays answerable.
    assert rules.match("a" * 20 + "!", "", 0) is None
    assert rules.match("x" * 100_000, "", 0) is None
    assert rules.match("\udcff", "Café \udcff", 0).category == "Accent"  # type: ignore[union-attr]
    assert rules.match("", "", 0) is None


def test_amount_limits_hold_in_the_rules_currency_only() -> None:
    """-20.00 to -10.00 pounds is not -2000 to -1000 yen: a rule with limits tests rows in its
    currency only (rows of unknown currency, and rules without limits, as before)."""
    rules = Rules([R(1, "payee", "contains", "netflix", "Subs", -2000, -1000, currency="GBP")])
    assert rules.match("NETFLIX", "Netflix", -1499, None, "GBP") is not None
    assert rules.match("NETFLIX", "Netflix", -1499, None, "JPY") is None
    assert rules.match("NETFLIX", "Netflix", -1499) is not None
    plain = Rules([R(1, "payee", "contains", "netflix", "Subs", currency=None)])
    assert plain.match("NETFLIX", "Netflix", -149_000, None, "JPY") is not None
