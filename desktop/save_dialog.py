"""Asking where to save a file that Fincast writes (an export, a backup): Qt's save dialog with a
default suffix, window-modal, opened without a nested event loop.

Why Qt's default suffix (QFileDialog.setDefaultSuffix) and not a suffix added afterwards: the
dialog adds it to a name typed with no dot ("out" becomes "out.csv") before it asks whether to
replace an existing file, so the question is about the file that will really be written. Added
after the dialog had closed, "out" would silently replace an existing "out.csv". The static
getSaveFileName has no such setting on Linux.
A name with a dot in it keeps what the user typed (Qt's rule, and the platforms' own dialogs):
"out.csv" never becomes "out.csv.csv", and "notes.txt" or "ledger.db" is an extension chosen on
purpose. The price is that "statement v1.2" stays as typed; telling that dot from an extension
would be a guess, and a wrong guess in the other direction names a file "notes.txt.csv".

Must never block the GUI thread: the choice arrives by callback.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog, QWidget

from desktop.file_dialogs import ALL_FILES, guard


def ask_save_path(
    parent: QWidget,
    title: str,
    suggested: Path,
    name_filter: str,
    chosen: Callable[[Path], None],
) -> QFileDialog:
    """Open a save dialog on `suggested` that adds its suffix (".csv") to a name typed without
    one (see the module's notes); `chosen(path)` is called once a file is chosen (and, if it
    exists, replacing it confirmed), and never when the dialog is cancelled."""
    # guard: listing a folder must never open the files in it (desktop/file_dialogs.py)
    dialog = guard(QFileDialog(parent, title, str(suggested.parent)))
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
    dialog.setFileMode(QFileDialog.FileMode.AnyFile)
    dialog.setNameFilters([name_filter, ALL_FILES])
    dialog.setDefaultSuffix(suggested.suffix.removeprefix("."))
    dialog.selectFile(str(suggested))
    dialog.fileSelected.connect(lambda name: chosen(Path(name)))
    dialog.open()  # window-modal, and returns at once (exec() would nest an event loop)
    return dialog
