"""The `fincast` command line: finds the subcommands in desktop/commands/, runs one, and turns
every failure into an exit code: 0 success, 1 a user error (one clear line on stderr), 2 a bug (one
line saying where the traceback was logged).

Never prints a traceback on the terminal, and never imports Qt or a model library at start-up:
`fincast` with no subcommand imports the desktop lazily.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import importlib
import os
import pkgutil
import sys
import tempfile
import traceback
from collections.abc import Sequence
from pathlib import Path
from typing import NoReturn

import desktop.commands as commands_pkg
from desktop.commands import UserError

EXIT_OK, EXIT_USER, EXIT_BUG, EXIT_INTERRUPTED = 0, 1, 2, 130


class _Parser(argparse.ArgumentParser):
    """argparse that reports a usage mistake as a UserError (exit 1, one line), not exit 2."""

    def error(self, message: str) -> NoReturn:
        raise UserError(f"{message} (see `{self.prog} --help`)")


def build_parser() -> argparse.ArgumentParser:
    """The top-level parser with every command module's subparser registered."""
    parser = _Parser(
        prog="fincast",
        description="Offline personal finance: import bank CSV statements, categorise, forecast.",
    )
    parser.add_argument(
        "--db", type=Path, default=None, metavar="PATH", help="ledger file (default: the user's)"
    )
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for info in sorted(pkgutil.iter_modules(commands_pkg.__path__), key=lambda m: m.name):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{commands_pkg.__name__}.{info.name}")
        register = getattr(module, "register", None)
        if callable(register):
            register(subparsers)
    return parser


def _user_error_types() -> tuple[type[BaseException], ...]:
    """Exception types meaning 'the user can fix this'; only from modules already imported."""
    types: list[type[BaseException]] = [UserError]
    for module_name, attr in (
        ("data.ledger.types", "LedgerError"),
        ("data.importer.types", "ImportProblem"),
        ("data.money", "MoneyError"),
        ("supervisor", "ServiceUnavailable"),
        ("supervisor", "DeadlineExceeded"),
        ("supervisor", "RemoteError"),
    ):
        module = sys.modules.get(module_name)
        found = getattr(module, attr, None) if module is not None else None
        if isinstance(found, type) and issubclass(found, BaseException):
            types.append(found)
    return tuple(types)


def _one_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split())
    return text or type(exc).__name__


def log_bug(exc: BaseException) -> Path:
    """Append the traceback to the CLI log; returns the log's path."""
    text = "".join(traceback.format_exception(exc))
    stamp = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    entry = f"--- {stamp} fincast {' '.join(sys.argv[1:])}\n{text}\n"
    candidates: list[Path] = []
    # the log must be written even if data.paths itself is what is broken
    with contextlib.suppress(Exception):
        from data import paths

        candidates.append(paths.log_dir() / "cli.log")
    candidates.append(Path(tempfile.gettempdir()) / f"fincast-cli-{os.getuid()}.log")
    for path in candidates:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
            with os.fdopen(fd, "a", encoding="utf-8") as handle:
                handle.write(entry)
        except OSError:
            continue
        return path
    return candidates[-1]


def _open_desktop(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    try:
        from desktop.app import run  # type: ignore[attr-defined,unused-ignore]
    except ModuleNotFoundError as exc:
        if exc.name and exc.name.split(".")[0] == "PySide6":
            raise UserError(
                "the desktop needs PySide6, which is not installed here "
                "(`make run` installs it; the command line works without it)"
            ) from exc
        if exc.name != "desktop.app":
            raise
        parser.print_help()
        return EXIT_OK
    return int(run(db=args.db) or 0)


def _dispatch(argv: Sequence[str] | None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    func = getattr(args, "func", None)
    if func is None:
        return _open_desktop(args, parser)
    return int(func(args) or 0)


def main(argv: Sequence[str] | None = None) -> int:
    """Run `fincast` with `argv` (default sys.argv[1:]); returns the exit code."""
    try:
        return _dispatch(argv)
    except SystemExit as exc:  # --help and --version exit through argparse with code 0
        return exc.code if isinstance(exc.code, int) else EXIT_USER
    except KeyboardInterrupt:
        print("fincast: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        # the reader went away (`fincast transactions | head`): not an error worth a message
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_OK
    except _user_error_types() as exc:
        print(f"fincast: {_one_line(exc)}", file=sys.stderr)
        return EXIT_USER
    except Exception as exc:
        log = log_bug(exc)
        print(
            f"fincast: internal error ({type(exc).__name__}); details were written to {log}",
            file=sys.stderr,
        )
        return EXIT_BUG


if __name__ == "__main__":
    sys.exit(main())
