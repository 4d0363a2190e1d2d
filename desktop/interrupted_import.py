"""A note kept while a statement is being imported, so that the next start can say an import was
cut short (Fincast killed, the machine off) and that nothing from the file was stored.

The import itself is one transaction in a child process that dies with the app, so a cut-short
import leaves no rows; what was missing was a word about it: after a kill -9 at 34% of a
50,000-row file the app came back as if nothing had been asked (audit 9). The note is a small
file beside the cached results, named for the ledger (desktop/result_cache). No Qt here; the
functions run on a ledger lane.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from desktop import result_cache

KIND = "import-running"


def started(db: Path, file_name: str, account: str) -> None:
    """Note that `file_name` is being imported into `account` now."""
    now = dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    result_cache.save(db, KIND, {"file": file_name, "account": account, "started": now})


def finished(db: Path) -> None:
    """The import ended (stored or refused): nothing to say at the next start."""
    result_cache.save(db, KIND, None)


def sentence(ledger: Any, db: Path, moment: Any = str) -> str | None:
    """What to say at start about an import that was cut short (and forget it), or None.
    `moment` writes the stored UTC time for a person (desktop.formatting.moment)."""
    cached = result_cache.load(db, KIND)
    note = cached[1] if cached is not None else None
    if not isinstance(note, dict):
        return None
    finished(db)
    file_name, account, when = note.get("file"), note.get("account"), note.get("started")
    if not all(isinstance(v, str) for v in (file_name, account, when)):
        return None
    # The child process could in principle have committed after the window died: look.
    stored = [
        b
        for b in ledger.batches()
        if b.file_name == file_name and b.account == account and b.created >= str(when)[:19]
    ]
    if stored:
        return (
            f"Fincast was closed during the import of {file_name} into {account}; "
            f"the import completed ({stored[0].imported:,} transactions)."
        )
    return (
        f"Fincast was closed during the import of {file_name} into {account} "
        f"(started {moment(when)}): nothing from that file was stored. Import it again."
    )
