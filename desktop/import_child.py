"""Commit one staged statement in a child process, so a big import never competes with the GUI
thread for the GIL (in-process, the import's long C-level stretches stalled the event loop by
50-90 ms at a time). `python -m desktop.import_child` reads one JSON request on stdin and writes
JSON lines on stdout: {"progress": rows} while it works, then {"result": ...} or {"error": ...}.

The request carries what the wizard decided (the mapping, account, currency); the child detects
the file again with that mapping as its profile and commits it through the Ledger (atomic, as
always). Never imports Qt; prints nothing but those JSON lines on stdout.
"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, replace
from pathlib import Path
from typing import Any

PROGRESS_EVERY_S = 0.05
# The child yields the CPU to the app: on a busy machine the GUI thread was kept runnable but off
# every core for 80 ms at a time while the import ran at the same priority (measured by
# desktop/watchdog.py's StallSampler). It only makes the import slower when the CPU is contended.
CHILD_NICE = 10


def request(db: Path, staged: Any, account: str, currency: str) -> dict[str, Any]:
    """The JSON request for a staged file (see import_jobs.Staged)."""
    return {
        "db": str(db),
        "path": str(staged.path),
        "mapping": staged.mapping.to_json(),
        "account": account,
        "currency": currency,
    }


def run_child(req: dict[str, Any], progress: Callable[[int], None]) -> Any:
    """Run the child for `req` (blocking: call from a worker thread); an ImportResult, or raises
    LedgerError / ImportRejected with the child's message (and its row errors)."""
    from data.ledger import ImportRejected, ImportResult, LedgerError, RowErrorInfo

    outcome: dict[str, Any] = {}
    # stderr goes to a file, so a chatty child can never block on a full pipe nobody reads.
    with (
        tempfile.TemporaryFile("w+", encoding="utf-8") as err,
        subprocess.Popen(
            [sys.executable, "-m", "desktop.import_child"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=err,
            text=True,
        ) as proc,
    ):
        assert proc.stdin is not None and proc.stdout is not None
        proc.stdin.write(json.dumps(req))
        proc.stdin.close()
        for line in proc.stdout:
            try:
                message = json.loads(line)
            except ValueError:
                continue
            if "progress" in message:
                progress(int(message["progress"]))
            else:
                outcome = message
        proc.wait()
        err.seek(0)
        stderr = err.read()
    if "result" in outcome:
        raw = outcome["result"]
        raw["errors"] = tuple(RowErrorInfo(**e) for e in raw.get("errors", ()))
        return ImportResult(**raw)
    if "error" in outcome:
        errors = tuple(RowErrorInfo(**e) for e in outcome.get("errors", ()))
        if errors or outcome.get("rejected"):
            raise ImportRejected(outcome["error"], errors=errors)
        raise LedgerError(outcome["error"])
    last = [s for s in stderr.splitlines() if s.strip()]
    raise LedgerError(f"the import stopped unexpectedly: {last[-1] if last else proc.returncode}")


def _emit(message: dict[str, Any]) -> None:
    sys.stdout.write(json.dumps(message) + "\n")
    sys.stdout.flush()


def main() -> int:
    """Serve one request from stdin."""
    if hasattr(os, "nice"):
        with contextlib.suppress(OSError):
            os.nice(CHILD_NICE)
    from data.importer import ImportProblem, Mapping, detect
    from data.ledger import ImportRejected, Ledger, LedgerError
    from data.ledger.importing import file_sha256
    from data.money import exponent

    try:
        req = json.loads(sys.stdin.read())
        path = Path(req["path"])
        mapping = Mapping.from_json(req["mapping"])
        last = [0.0]

        def progress(rows: int) -> None:
            now = time.monotonic()
            if now - last[0] >= PROGRESS_EVERY_S:
                last[0] = now
                _emit({"progress": rows})

        with Ledger.open(Path(req["db"])) as ledger:
            # The account's currency says how many decimals an amount has (yen none, dinars three).
            currency = ledger.account_currency(req["account"], req["currency"])
            mapping = replace(mapping, currency_exponent=exponent(currency))
            detection = detect(path, profile=mapping, currency=currency)
            result = ledger.commit_import(
                req["account"],
                detection,
                mapping,
                source_name=path.name,
                sha256=file_sha256(path),
                currency=req["currency"],
                progress=progress,
            )
    except ImportRejected as exc:
        errors = [asdict(e) for e in exc.errors]
        _emit({"error": str(exc), "errors": errors, "rejected": True})
        return 0
    except (LedgerError, ImportProblem, OSError, ValueError, KeyError, TypeError) as exc:
        _emit({"error": str(exc) or type(exc).__name__})
        return 0
    data = asdict(result)
    data["errors"] = [asdict(e) for e in result.errors]
    _emit({"result": data})
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
