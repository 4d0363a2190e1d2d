"""Writing a file whole or not at all: into a private temporary file beside the target, then
renamed over it, so a failure (a full disk, a permission, an interruption) leaves no half file
and an existing file at the target keeps its old content until the new one is complete.

Used by the CSV export and the backup. Never deletes anything but its own temporary file, and
never writes over the ledger it reads from.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

from .types import LedgerError

# what a temporary file is called: hidden, named for its target, so a crash that leaves one
# behind (SIGKILL, power loss) says what it was
TEMP_SUFFIX = ".partial"


def _reason(exc: OSError) -> str:
    return exc.strerror or str(exc)


def check_target(path: Path, *, overwrite: bool, ledger: Path | None = None) -> Path:
    """The absolute target, after refusing what cannot or must not be written: an empty name, a
    directory, a missing or unwritable folder, an existing file (unless `overwrite`), and the
    ledger itself or its WAL files."""
    if not str(path) or not path.name:
        raise LedgerError("no file name given to write to")
    target = Path(os.path.abspath(path.expanduser()))
    if target.is_dir():
        raise LedgerError(f"{target} is a folder; give a file name inside it")
    folder = target.parent
    if not folder.is_dir():
        what = "is not a folder" if folder.exists() else "does not exist"
        raise LedgerError(f"cannot write {target}: the folder {folder} {what}")
    if ledger is not None and _same_file(target, ledger):
        raise LedgerError(
            f"{target} is the ledger being read (or one of its files); choose another"
        )
    if target.exists() or target.is_symlink():
        if not overwrite:
            raise LedgerError(f"{target} already exists (--force replaces it)")
        if not target.is_file():
            raise LedgerError(f"{target} is not a regular file; it is left alone")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise LedgerError(f"cannot write {target}: permission denied in {folder}")
    return target


def _same_file(target: Path, ledger: Path) -> bool:
    """Whether `target` is the ledger or one of the files SQLite keeps beside it."""
    base = Path(os.path.abspath(ledger.expanduser()))
    for own in (base, base.with_name(base.name + "-wal"), base.with_name(base.name + "-shm")):
        if target == own:
            return True
        with contextlib.suppress(OSError):
            if target.exists() and own.exists() and target.samefile(own):
                return True
    return False


@contextlib.contextmanager
def replacing(target: Path, *, overwrite: bool = True) -> Iterator[Path]:
    """Yield a new empty 0600 temporary file beside `target`; when the block ends normally it
    becomes `target` (replacing an existing file only if `overwrite`), else it is removed.

    OSErrors become LedgerErrors that say what could not be written.
    """
    try:
        fd, name = tempfile.mkstemp(
            prefix=f".{target.name}.", suffix=TEMP_SUFFIX, dir=target.parent
        )
    except OSError as exc:
        raise LedgerError(f"cannot write {target}: {_reason(exc)}") from exc
    os.close(fd)
    temp = Path(name)
    try:
        yield temp
        _sync(temp)
        if overwrite:
            os.replace(temp, target)
        else:
            _place_new(temp, target)
        _sync_folder(target.parent)
    except FileExistsError as exc:
        raise LedgerError(f"{target} already exists (--force replaces it)") from exc
    except OSError as exc:
        raise LedgerError(f"could not write {target}: {_reason(exc)}") from exc
    finally:
        with contextlib.suppress(FileNotFoundError):
            temp.unlink()


def _place_new(temp: Path, target: Path) -> None:
    """Give `temp` the name `target` only if nothing has it: a hard link fails if the target
    appeared since it was checked, where a rename would replace it."""
    try:
        os.link(temp, target)
    except FileExistsError:
        raise
    except OSError:
        # no hard links here (FAT or exFAT drives, some network shares): check, then rename
        if target.exists() or target.is_symlink():
            raise FileExistsError(target) from None
        os.replace(temp, target)
        return
    temp.unlink()


def _sync(path: Path) -> None:
    """Flush the file's content to disk before it takes the target's name."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _sync_folder(folder: Path) -> None:
    """Make the rename itself durable (POSIX; Windows cannot open a folder this way). The file
    is in place by now, so a folder that cannot be synced is no reason to call it a failure."""
    if os.name != "posix":
        return
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
