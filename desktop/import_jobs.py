"""The import wizard's background work, as plain functions run on a ledger lane.

Detect and preview (with the saved profile for the header, when there is one), commit with
progress, undo a batch, import the demo statements. Pure Python over data.importer and the Ledger;
no Qt here, so these run on worker threads and in headless tests alike.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from desktop import gui_thread_gc

if TYPE_CHECKING:  # the importer loads on first use, not at start-up
    from data.importer import Detection, Mapping, Preview

SAMPLES = Path(__file__).resolve().parent.parent / "data" / "samples"
DEMO_FILES = (
    ("demo_current_account.csv", "Current account", "GBP"),
    ("demo_credit_card.csv", "Credit card", "GBP"),
)
MAX_FILE_BYTES = 512 * 1024 * 1024


def cyclic_gc_paused() -> contextlib.AbstractContextManager[None]:
    """Hold off Python's cyclic garbage collector while a big import runs on a worker thread
    (see gui_thread_gc.paused for why)."""
    return gui_thread_gc.paused()


@dataclass(frozen=True)
class Staged:
    """One file between detection and commit: what was recognised and how it previews."""

    path: Path
    detection: Detection
    mapping: Mapping
    preview: Preview
    lines: int  # physical lines in the file, for the progress bar
    account_hint: str | None  # the account this header was last imported into
    # the earlier imports of this very file (same bytes), newest first
    imported_before: tuple[Any, ...] = ()


def count_lines(path: Path) -> int:
    """Physical lines in `path` (a cheap upper bound on its rows)."""
    n = 0
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            n += block.count(b"\n")
    return n


# The files SQLite keeps beside a ledger in WAL mode (and a rollback journal's, should one exist).
LEDGER_SIDE_FILES = ("", "-wal", "-shm", "-journal")


def is_open_ledger(ledger: Path, path: Path) -> bool:
    """True when `path` is the ledger at `ledger` or one of SQLite's files beside it. Opening and
    closing one of them in this process would drop SQLite's POSIX locks on the ledger (see
    desktop/file_dialogs.py), so a person choosing it as a statement must never get it read."""
    for suffix in LEDGER_SIDE_FILES:
        with contextlib.suppress(OSError):
            if os.path.samefile(path, ledger.with_name(ledger.name + suffix)):
                return True
    return False


def stage(ledger: Any, path: Path, mapping: Mapping | None = None) -> Staged:
    """Detect `path` (reusing the saved profile for its header) and preview its first rows."""
    from data.importer import ImportProblem, Mapping, detect, locale_from_env, preview

    try:
        size = path.stat().st_size
    except OSError as exc:
        raise ImportProblem(f"{path.name} cannot be read: {exc.strerror or exc}.") from exc
    if is_open_ledger(ledger.path, path):
        raise ImportProblem(
            f"{path.name} is the ledger Fincast has open, not a bank statement; it is left "
            "unread, since reading it from here would unsettle the ledger's locks."
        )
    if size > MAX_FILE_BYTES:
        raise ImportProblem(f"{path.name} is larger than 512 MB; is it really a statement?")
    # The desktop user's own locale settles a date order the file cannot (after its saved profile).
    locale = locale_from_env(os.environ)
    detection = detect(path, locale=locale)
    hint = None
    if mapping is None:
        saved = ledger.profile(detection.profile_key)
        if saved is not None:
            with contextlib.suppress(ImportProblem):
                detection = detect(path, profile=Mapping.from_json(saved), locale=locale)
        hint = _account_for_profile(ledger, detection.profile_key)
    used = mapping or detection.mapping
    return Staged(
        path,
        detection,
        used,
        preview(detection, mapping=used),
        count_lines(path),
        hint,
        _imported_before(ledger, path),
    )


def _imported_before(ledger: Any, path: Path) -> tuple[Any, ...]:
    """The ledger's batches of this file's exact bytes: the same statement imported into a
    second account counts its money twice, and nothing said so (audit 9)."""
    from data.ledger.importing import file_sha256

    digest = file_sha256(path)
    return tuple(b for b in ledger.batches() if b.sha256 == digest)


def _account_for_profile(ledger: Any, profile_key: str) -> str | None:
    for batch in ledger.batches():
        if batch.profile_key == profile_key:
            return str(batch.account)
    return None


def answered(staged: Staged, key: str, choice: str) -> Staged:
    """The staged file with one question answered and its preview redone."""
    from data.importer import answer, preview

    detection = answer(staged.detection, key, choice)
    mapping = detection.mapping
    return Staged(
        staged.path,
        detection,
        mapping,
        preview(detection, mapping=mapping),
        staged.lines,
        staged.account_hint,
        staged.imported_before,
    )


def remapped(staged: Staged, mapping: Mapping) -> Staged:
    """The staged file previewed with an adjusted mapping."""
    from data.importer import preview

    prev = preview(staged.detection, mapping=mapping)
    return Staged(
        staged.path,
        staged.detection,
        mapping,
        prev,
        staged.lines,
        staged.account_hint,
        staged.imported_before,
    )


def commit(
    ledger: Any, staged: Staged, account: str, currency: str, progress: Callable[[int], None]
) -> Any:
    """Store the whole file in `account` (created with `currency` if new); an ImportResult.

    The work happens in a child process (desktop/import_child.py): in this process the import's
    long GIL-holding stretches stalled the GUI thread by 50-90 ms at a time. This thread only
    waits on the child's pipe and relays its progress.
    """
    from desktop import import_child

    req = import_child.request(Path(ledger.path), staged, account, currency)
    return import_child.run_child(req, progress)


def import_demo(ledger: Any, folder: Path = SAMPLES) -> list[Any]:
    """Import both demo statements into their own accounts; returns the ImportResults."""
    with cyclic_gc_paused():
        return [
            ledger.import_file(folder / name, account, currency=currency)
            for name, account, currency in DEMO_FILES
        ]
