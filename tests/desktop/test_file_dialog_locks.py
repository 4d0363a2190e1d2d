"""A file dialog that lists the ledger's folder must not cost the window its ledger.

Qt's own file dialog read the first bytes of every file it listed to name its type, so listing
the ledger's folder opened and closed ledger.sqlite in the window's process; that drops every
POSIX lock the process holds on it, and the next other process to close the ledger (the import
child, `fincast accounts`) checkpointed and deleted the WAL the window still wrote into: later
edits reached no one else and were gone at exit (audit 8, F1). Linux only: the locks are POSIX.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtWidgets import QFileDialog, QFileSystemModel

from data.ledger import Ledger, TxFilter

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="POSIX advisory locks")


def _count_elsewhere(db: Path, category: str) -> int:
    """Rows in `category` as another process reads them (it opens the ledger and closes it)."""
    code = (
        "import sys; from data.ledger import Ledger, TxFilter\n"
        "with Ledger.open(sys.argv[1]) as l: print(l.count(TxFilter(category=sys.argv[2])))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, str(db), category],
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(__file__).resolve().parents[2],
    )
    return int(out.stdout)


def _list_folder(qtbot: Any, window: Any, folder: Path, name: str) -> QFileDialog:
    """Open File > Import statements and show `folder` in it until `name`'s type is known."""
    window.menus.import_files.trigger()
    dialog = window.findChild(QFileDialog)
    assert dialog is not None and dialog.isVisible()
    dialog.setDirectory(str(folder))  # as a person browsing to it
    model = dialog.findChild(QFileSystemModel)
    path = str(folder / name)
    qtbot.waitUntil(lambda: model.type(model.index(path)) != "", timeout=10_000)
    return dialog


def test_browsing_the_ledgers_folder_keeps_later_edits(
    qtbot: Any, make_window: Any, filled_ledger: Path
) -> None:
    window = make_window(filled_ledger)
    folder = filled_ledger.parent  # the statements sit beside the ledger, as in ~/Documents
    # A connection of this process that has read (as the window's lanes have): in WAL mode it
    # holds its shared lock on the ledger until it is closed.
    mine = Ledger.open(filled_ledger)
    try:
        first = next(iter(mine.iter_transactions(order="date_asc")))
        _list_folder(qtbot, window, folder, filled_ledger.name).reject()
        assert _count_elsewhere(filled_ledger, "Groceries") == 0  # another process came and went
        mine.set_category([first.id], "Groceries")
        # the edit reaches the file every other process reads
        assert _count_elsewhere(filled_ledger, "Groceries") == 1
        assert mine.count(TxFilter(category="Groceries")) == 1
    finally:
        mine.close()


def test_the_statement_dialog_hands_over_the_chosen_files(
    qtbot: Any, make_window: Any, filled_ledger: Path, write_statement: Any
) -> None:
    window = make_window(filled_ledger)
    statement = write_statement(filled_ledger.parent / "march.csv", 3)
    dialog = _list_folder(qtbot, window, statement.parent, statement.name)
    dialog.selectFile(str(statement))
    dialog.accept()
    page = window.importing
    qtbot.waitUntil(lambda: page.staged is not None, timeout=10_000)
    assert page.staged.path == statement


@pytest.mark.parametrize("suffix", ["", "-wal"])
def test_the_open_ledger_chosen_as_a_statement_is_refused_unread(
    qtbot: Any, make_window: Any, filled_ledger: Path, suffix: str
) -> None:
    window = make_window(filled_ledger)
    mine = Ledger.open(filled_ledger)
    try:
        first = next(iter(mine.iter_transactions(order="date_asc")))
        page = window.importing
        page.open_files([filled_ledger.with_name(filled_ledger.name + suffix)])
        qtbot.waitUntil(lambda: page.review_message.text() != "", timeout=10_000)
        assert "is the ledger Fincast has open, not a bank statement" in page.review_message.text()
        assert page.staged is None and not page.import_button.isEnabled()
        assert _count_elsewhere(filled_ledger, "Groceries") == 0
        mine.set_category([first.id], "Groceries")
        assert _count_elsewhere(filled_ledger, "Groceries") == 1  # the locks were kept
    finally:
        mine.close()
