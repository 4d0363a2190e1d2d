"""`fincast categorize`: run pending transactions through the rules and the categorizer.

Rules always apply; the categorizer is started for the run. Rows it cannot reach stay pending (and
the command says so) - they are categorized exactly once, the next time it answers.
"""

from __future__ import annotations

import argparse
import json
import sys

from desktop.commands import add_db_argument, add_json_argument, open_ledger


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the `categorize` command."""
    parser = subparsers.add_parser(
        "categorize",
        help="categorize pending transactions (rules, then the model)",
        description=__doc__.split("\n\n")[0],
    )
    add_db_argument(parser)
    add_json_argument(parser)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Categorize what is pending; exit 0 even when the categorizer is down (rows stay pending)."""
    from desktop.categorizing import categorize_now

    with open_ledger(args) as ledger:
        outcome = categorize_now(ledger)
    if args.json:
        print(json.dumps(outcome.to_json(), ensure_ascii=False))
    else:
        print(
            f"categorized {outcome.by_rule} by rules and {outcome.by_model} by the model; "
            f"{outcome.suggested} left uncategorized with a suggestion; {outcome.pending} pending"
        )
    for note in outcome.notes:
        print(note, file=sys.stderr)
    if outcome.problem:
        print(f"{outcome.pending} transactions stay pending: {outcome.problem}", file=sys.stderr)
    return 0
