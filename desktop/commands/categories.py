"""`fincast categories [list|rename OLD NEW|delete NAME [--delete-rules]]`: the categories with how
many transactions and rules use each; rename one (onto an existing name: merge it into that one);
delete one (its transactions become uncategorized and are not categorized again by themselves).

Renames and merges keep the old name as an alias, so the categorizer, which may still predict it
until it retrains, files those transactions under the new name instead of recreating the old one.
"""

from __future__ import annotations

import argparse
import json
from typing import Any

from desktop.commands import UserError, add_db_argument, add_json_argument

USAGE = {
    "list": "fincast categories list",
    "rename": "fincast categories rename OLD NEW",
    "delete": "fincast categories delete NAME [--delete-rules]",
}


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the `categories` command."""
    parser = subparsers.add_parser(
        "categories",
        help="list, rename, merge or delete categories",
        description=__doc__.split("\n\n")[0],
    )
    parser.add_argument("action", nargs="?", choices=tuple(USAGE), default="list")
    parser.add_argument(
        "names", nargs="*", metavar="NAME", help="OLD NEW for rename, NAME for delete"
    )
    parser.add_argument(
        "--delete-rules",
        action="store_true",
        help="for delete: also delete the rules that set the category",
    )
    add_db_argument(parser)
    add_json_argument(parser)
    parser.set_defaults(func=run)


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def run(args: argparse.Namespace) -> int:
    """Carry out one categories action."""
    from data.ledger import Ledger, LedgerError
    from desktop.commands._files import existing_ledger

    wanted = {"list": 0, "rename": 2, "delete": 1}[args.action]
    if len(args.names) != wanted:
        raise UserError(f"usage: {USAGE[args.action]}")
    if args.delete_rules and args.action != "delete":
        raise UserError("--delete-rules goes with delete: " + USAGE["delete"])
    with Ledger.open(existing_ledger(args)) as ledger:
        try:
            if args.action == "rename":
                result, line = _rename(ledger, *args.names)
            elif args.action == "delete":
                result, line = _delete(ledger, args.names[0], args.delete_rules)
            else:
                _list(ledger, args.json)
                return 0
        except LedgerError as exc:
            raise UserError(str(exc)) from None
    print(json.dumps(result, ensure_ascii=False) if args.json else line)
    return 0


def _list(ledger: Any, as_json: bool) -> None:
    usage = ledger.category_usage()
    if as_json:
        print(
            json.dumps(
                [
                    {
                        "name": u.name,
                        "transactions": u.transactions,
                        "rules": u.rules,
                        "suggestions": u.suggestions,
                    }
                    for u in usage
                ],
                ensure_ascii=False,
            )
        )
    elif not usage:
        print("no categories yet: categorize a transaction or add a rule to make one")
    else:
        width = min(max(len(u.name) for u in usage), 40)
        for u in usage:
            print(
                f"{u.name:<{width}}  {_plural(u.transactions, 'transaction'):>16}  "
                f"{_plural(u.rules, 'rule')}"
            )


def _rename(ledger: Any, old: str, new: str) -> tuple[dict[str, Any], str]:
    change = ledger.rename_category(old, new)
    result = {
        "old": change.old,
        "new": change.new,
        "merged": change.merged,
        "transactions": change.touched,
        "rules": change.rules_touched,
        "suggestions": len(change.suggestions),
    }
    counts = f"{_plural(change.touched, 'transaction')}, {_plural(change.rules_touched, 'rule')}"
    if change.merged:
        return result, f"merged {change.old!r} into {change.new!r} ({counts} moved)"
    return result, f"renamed {change.old!r} to {change.new!r} ({counts})"


def _delete(ledger: Any, name: str, delete_rules: bool) -> tuple[dict[str, Any], str]:
    key = " ".join(name.split())
    found = next((u for u in ledger.category_usage() if u.name == key), None)
    if found is not None and found.rules and not delete_rules:
        raise UserError(
            f"{_plural(found.rules, 'rule')} set the category {key!r}; change or delete them "
            "first (`fincast rules`), or pass --delete-rules to delete them with it"
        )
    gone = ledger.delete_category(name, rules="delete" if delete_rules else "refuse")
    result = {
        "deleted": gone.name,
        "transactions": len(gone.transactions),
        "suggestions": len(gone.suggestions),
        "rules_deleted": len(gone.rules_deleted),
        "rules_kept": len(gone.rules_cleared),
    }
    line = (
        f"deleted {gone.name!r}: {_plural(len(gone.transactions), 'transaction')} "
        "left uncategorized"
    )
    if gone.rules_deleted:
        line += f", {_plural(len(gone.rules_deleted), 'rule')} deleted"
    if gone.rules_cleared:
        line += f", {_plural(len(gone.rules_cleared), 'rule')} kept for its payee rename"
    return result, line
