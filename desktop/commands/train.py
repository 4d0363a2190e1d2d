"""`fincast train`: retrain the categorizer on every category you (or your rules) set.

With fewer than a few dozen of your own labels, the built-in defaults are blended in so common
categories are still suggested. The new model version is used from then on; `--json` prints the
categorizer's answer: {model_version, n_samples, classes, cv_accuracy}.
"""

from __future__ import annotations

import argparse
import json
from typing import Any

from desktop.commands import UserError, add_db_argument, add_json_argument, open_ledger


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the `train` command."""
    parser = subparsers.add_parser(
        "train",
        help="retrain the categorizer on your categories",
        description=__doc__.split("\n\n")[0],
    )
    add_db_argument(parser)
    add_json_argument(parser)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Train; exit 1 with one line when there is nothing to learn or the categorizer is down."""
    from desktop import categorizing
    from supervisor import HubError

    with open_ledger(args) as ledger:
        if not categorizing.training_params(ledger)["transactions"]:
            # Said before starting anything: there is nothing a service could do.
            raise UserError(
                "nothing to learn from yet: categorize some transactions (or add rules) first"
            )

        def go(hub: Any, why: str | None) -> dict[str, Any]:
            if hub is None:
                raise UserError(f"cannot train: {why}")
            try:
                return categorizing.train(ledger, hub)
            except ValueError as exc:
                raise UserError(str(exc)) from None
            except HubError as exc:
                raise UserError(f"training failed: {exc}") from None

        result = categorizing.with_categorizer(go)
    if args.json:
        print(json.dumps(result, ensure_ascii=False))
    else:
        cv = result.get("cv_accuracy")
        accuracy = f", held-out accuracy {cv:.1%}" if isinstance(cv, int | float) else ""
        print(
            f"trained {result['model_version']} on {result['n_samples']} transactions, "
            f"{len(result['classes'])} categories{accuracy}"
        )
    return 0
