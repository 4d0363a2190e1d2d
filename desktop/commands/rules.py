"""`fincast rules add|list|rm|move`: the ordered rules applied before the categorizer's model.

A rule matches the raw description or the payee (contains / exact, case-insensitive, or a regular
expression), optionally an amount range and an account, and sets a category and/or renames the
payee. Rules are tried in order: the first that matches decides.
"""

from __future__ import annotations

import argparse
import json
from typing import Any

from desktop.commands import UserError, add_db_argument, add_json_argument, open_ledger


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the `rules` command and its sub-commands."""
    parser = subparsers.add_parser(
        "rules",
        help="list, add, remove or move categorization rules",
        description=__doc__.split("\n\n")[0],
    )
    actions = parser.add_subparsers(dest="action", metavar="add|list|rm|move", required=True)
    add = actions.add_parser("add", help="add a rule (last, or at --position)")
    match = add.add_mutually_exclusive_group(required=True)
    match.add_argument("--contains", metavar="TEXT", help="match text anywhere (any case)")
    match.add_argument("--exact", metavar="TEXT", help="match the whole text (any case)")
    match.add_argument("--regex", metavar="PATTERN", help="match a regular expression (any case)")
    add.add_argument(
        "--field",
        choices=("description", "payee"),
        default="payee",
        help="what to match (default payee)",
    )
    add.add_argument("--category", metavar="NAME", help="category to set")
    add.add_argument("--rename", metavar="PAYEE", help="rename the payee to this")
    add.add_argument(
        "--min", dest="amount_min", metavar="AMOUNT", help="lowest amount, e.g. -100.00"
    )
    add.add_argument("--max", dest="amount_max", metavar="AMOUNT", help="highest amount, e.g. -5")
    add.add_argument("--account", metavar="NAME", help="only transactions of this account")
    add.add_argument("--position", type=int, metavar="N", help="1-based place in the order")
    add.add_argument(
        "--currency",
        metavar="CODE",
        help="currency of --min/--max (default: the account's, else the one most rows are in)",
    )
    lst = actions.add_parser("list", help="list the rules in the order they are tried")
    rm = actions.add_parser("rm", help="remove a rule")
    rm.add_argument("rule_id", type=int, metavar="ID")
    move = actions.add_parser("move", help="move a rule to another place in the order")
    move.add_argument("rule_id", type=int, metavar="ID")
    move.add_argument("position", type=int, metavar="N")
    for sub in (parser, add, lst, rm, move):
        add_db_argument(sub)
        add_json_argument(sub)
    parser.set_defaults(func=run)


def _minor(value: str | None, currency: str, what: str) -> int | None:
    from data.money import MoneyError, to_minor

    if value is None:
        return None
    try:
        return to_minor(value, currency)
    except MoneyError as exc:
        raise UserError(f"{what}: {exc}") from None


def _limits_currency(ledger: Any, args: argparse.Namespace) -> str:
    """What --min/--max are read in: the account's currency (Ledger.add_rule refuses another),
    else --currency, else the one most of the ledger's rows are in."""
    if args.account is not None:
        own = ledger.account(args.account)
        if own is not None:
            return str(own.currency)
    if args.currency:
        return str(args.currency).strip().upper()
    return str(ledger.stats().main_currency or "USD")


def _rule_json(rule: Any) -> dict[str, Any]:
    from data.money import format_decimal

    currency = rule.currency or "USD"
    return {
        "id": rule.id,
        "position": rule.position,
        "field": rule.field,
        "op": rule.op,
        "pattern": rule.pattern,
        "category": rule.category,
        "rename_payee": rule.rename_payee,
        "amount_min": None
        if rule.amount_min is None
        else format_decimal(rule.amount_min, currency),
        "amount_max": None
        if rule.amount_max is None
        else format_decimal(rule.amount_max, currency),
        "account": rule.account,
        "currency": rule.currency,
    }


def _describe(rule: Any) -> str:
    parts = [f"{rule.position:>3}. [{rule.id}] {rule.field} {rule.op} {rule.pattern!r}"]
    if rule.amount_min is not None or rule.amount_max is not None:
        from data.money import format_decimal

        low, high = (
            None if v is None else format_decimal(v, rule.currency or "USD")
            for v in (rule.amount_min, rule.amount_max)
        )
        limits = f"{low} to {high}" if low and high else f">= {low}" if low else f"<= {high}"
        parts.append(f"amount {limits} {rule.currency or ''}".rstrip())
    if rule.account:
        parts.append(f"account {rule.account!r}")
    if rule.category:
        parts.append(f"-> {rule.category}")
    if rule.rename_payee:
        parts.append(f"payee -> {rule.rename_payee!r}")
    return "  ".join(parts)


def run(args: argparse.Namespace) -> int:
    """Carry out one rules action."""
    from data.ledger import LedgerError
    from data.rules import RuleError, validate

    with open_ledger(args) as ledger:
        try:
            if args.action == "add":
                op, pattern = next(
                    (op, getattr(args, op))
                    for op in ("contains", "exact", "regex")
                    if getattr(args, op) is not None
                )
                limits_in = _limits_currency(ledger, args)
                amount_min = _minor(args.amount_min, limits_in, "--min")
                amount_max = _minor(args.amount_max, limits_in, "--max")
                validate(
                    args.field,
                    op,
                    pattern,
                    category=args.category,
                    rename_payee=args.rename,
                    amount_min=amount_min,
                    amount_max=amount_max,
                )
                rule = ledger.add_rule(
                    args.field,
                    op,  # type: ignore[arg-type]  # one of the three, chosen just above
                    pattern,
                    args.category,
                    amount_min=amount_min,
                    amount_max=amount_max,
                    account=args.account,
                    rename_payee=args.rename,
                    position=args.position,
                    currency=args.currency,
                )
                print(json.dumps(_rule_json(rule)) if args.json else f"added rule {rule.id}")
            elif args.action == "rm":
                ledger.remove_rule(args.rule_id)
                print(
                    json.dumps({"removed": args.rule_id})
                    if args.json
                    else f"removed rule {args.rule_id}"
                )
            elif args.action == "move":
                ledger.move_rule(args.rule_id, args.position)
                print(
                    json.dumps({"moved": args.rule_id})
                    if args.json
                    else f"moved rule {args.rule_id}"
                )
            else:
                rules = ledger.rules()
                if args.json:
                    print(json.dumps([_rule_json(r) for r in rules], ensure_ascii=False))
                elif not rules:
                    print(
                        "no rules yet: add one with `fincast rules add --contains T --category X`"
                    )
                else:
                    for r in rules:
                        print(_describe(r))
        except (RuleError, LedgerError) as exc:
            raise UserError(str(exc)) from None
    return 0
