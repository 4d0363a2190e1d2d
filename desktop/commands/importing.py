"""`fincast import FILE... --account NAME`: import bank statements into the ledger.

Each file is committed whole or not at all (one SQLite transaction per file); a refused file is
reported and the others still go in, so re-running the same command after fixing one file is safe
(rows already imported are skipped as duplicates). With --json, one object on stdout:
{"imported", "duplicates", "errors", "profile", "batch", "batches", "files"} where "batch" is the
last file's batch id (for one file: its batch) and "batches" lists every file's batch in order.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import Any

from desktop.commands import UserError, add_db_argument, add_json_argument, open_ledger


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the `import` command."""
    parser = subparsers.add_parser(
        "import", help="import CSV bank statements", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("files", nargs="+", type=Path, metavar="FILE", help="CSV statement(s)")
    parser.add_argument("--account", required=True, metavar="NAME", help="account to import into")
    add_db_argument(parser)
    add_json_argument(parser)
    parser.add_argument(
        "--no-categorize",
        action="store_true",
        help="leave new transactions pending instead of categorizing them now",
    )
    parser.add_argument(
        "--locale",
        metavar="L",
        help="e.g. en_GB or de_DE: resolves date order (default: from LC_ALL, LC_TIME or LANG)",
    )
    parser.add_argument(
        "--date-order",
        choices=("dmy", "mdy", "ymd"),
        help="how to read dates like 03/04/2024 when the file alone cannot tell",
    )
    parser.add_argument(
        "--currency",
        metavar="CODE",
        help="currency of a new account (default: the one the statement names, else USD); for "
        "an existing account, its own code vouches for a file whose headers name another "
        "(unsaid, such a file is refused)",
    )
    parser.add_argument(
        "--progress",
        action="store_true",
        help="print 'FILE: N rows' on stderr after every few thousand rows",
    )
    parser.set_defaults(func=run)


def _file_error(name: str, message: str, errors: list[dict[str, Any]]) -> None:
    errors.append({"file": name, "line": None, "reason": message})


def run(args: argparse.Namespace) -> int:
    """Import every file; exit 1 if any file was refused."""
    from data.importer import ImportProblem, ThreeDecimals, locale_from_env
    from data.ledger import ImportRejected, LedgerError, UnansweredQuestions

    totals = {"imported": 0, "duplicates": 0}
    errors: list[dict[str, Any]] = []
    files: list[dict[str, Any]] = []
    batches: list[int] = []
    profile: str | None = None
    failures: list[str] = []
    prefer = (args.date_order,) if args.date_order else ()
    with open_ledger(args) as ledger:
        for path in args.files:
            name = str(path)

            def progress(rows: int, name: str = name) -> None:
                print(f"{name}: {rows} rows", file=sys.stderr, flush=True)

            try:
                result = ledger.import_file(
                    path,
                    args.account,
                    prefer=prefer,
                    # The user's own locale settles a date order the file cannot.
                    locale=args.locale or locale_from_env(os.environ),
                    currency=args.currency,
                    progress=progress if args.progress else None,
                )
            except UnansweredQuestions as exc:
                failures.append(f"{exc}; answer with --date-order dmy|mdy|ymd or --locale")
                _file_error(name, str(exc), errors)
                continue
            except ImportRejected as exc:
                failures.append(str(exc))
                if exc.errors:
                    errors += [
                        {"file": name, "line": e.line, "reason": e.reason} for e in exc.errors
                    ]
                else:
                    _file_error(name, str(exc), errors)
                continue
            except (ImportProblem, LedgerError) as exc:
                message = str(exc) if name in str(exc) else f"{name}: {exc}"
                if isinstance(exc, ThreeDecimals) and ledger.account(args.account) is None:
                    message += " For a new account, give it with --currency (e.g. --currency BHD)."
                failures.append(message)
                _file_error(name, message, errors)
                continue
            totals["imported"] += result.imported
            totals["duplicates"] += result.duplicates
            batches.append(result.batch_id)
            profile = result.profile_key
            files.append(
                {
                    "file": name,
                    "imported": result.imported,
                    "duplicates": result.duplicates,
                    "batch": result.batch_id,
                    "profile": result.profile_key,
                }
            )
            if not args.json:
                print(
                    f"{name}: imported {result.imported}, skipped {result.duplicates} duplicates "
                    f"(batch {result.batch_id}; undo with `fincast undo {result.batch_id}`)"
                )
        categorized = (
            _categorize(ledger, quiet=args.json) if batches and not args.no_categorize else None
        )
    if args.json:
        summary = {
            **totals,
            "errors": errors,
            "profile": profile,
            "batch": batches[-1] if batches else None,
            "batches": batches,
            "files": files,
            "categorize": categorized,
        }
        print(json.dumps(summary, ensure_ascii=False))
    if failures:
        if len(failures) == 1:
            raise UserError(failures[0])
        raise UserError(f"{len(failures)} files refused: " + " | ".join(failures))
    return 0


def _categorize(ledger: Any, *, quiet: bool) -> dict[str, Any] | None:
    """Run the categorize loop (rules, then the categorizer started for the run) over the new
    rows. The import is already committed: a failure here leaves rows pending, never undone."""
    from desktop.categorizing import categorize_now

    try:
        outcome = categorize_now(ledger)
    except Exception as exc:
        from desktop.cli import log_bug

        log = log_bug(exc)
        print(
            f"categorizing failed ({type(exc).__name__}, details in {log}); the new rows stay "
            "pending: run `fincast categorize`",
            file=sys.stderr,
        )
        return None
    if not quiet:
        print(
            f"categorized {outcome.by_rule} by rules and {outcome.by_model} by the model; "
            f"{outcome.pending} pending"
        )
    if outcome.problem:
        print(f"{outcome.pending} transactions stay pending: {outcome.problem}", file=sys.stderr)
    return dict(outcome.to_json())
