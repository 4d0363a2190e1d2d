"""Qt file dialogs that never open the files they list, and the open dialog for statements.

Why: Qt's own (non-native) file dialog asks QMimeDatabase for each listed file's type, and that
opens the file and reads its first bytes. Opening and closing any file in a process drops every
POSIX lock that process holds on it (SQLite's "How to corrupt a database", section 2.2), so a
dialog that merely listed the ledger's folder dropped the window's SQLite locks on the ledger.
The next other process to close the ledger (the import child, `fincast accounts`) then believed
it was the last user, checkpointed and deleted the WAL the window was still writing into: every
later edit in the window was invisible to everyone else and gone at exit, and reads failed with
"database disk image is malformed" (audit 8, F1; strace: QAbstractFileIconProvider::type ->
QMimeDatabase::mimeTypeForFile -> open(ledger.sqlite)). The icon provider here names a file's
type from its name alone and gives the generic file or folder icon, so listing opens nothing.

Every QFileDialog the desktop shows goes through guard(). Where Qt hands a dialog to the
platform instead (macOS, Windows, a GTK theme or a desktop portal on Linux), the platform lists
the folder and the provider is not used: a portal lists in another process, whose opens cannot
touch this one's locks, and Windows' locks are not POSIX ones; an in-process GTK or macOS panel
was not checked (this machine has neither).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QFileInfo, Qt
from PySide6.QtGui import QAbstractFileIconProvider, QIcon
from PySide6.QtWidgets import QFileDialog, QWidget

ALL_FILES = "All files (*)"


class NameOnlyIcons(QAbstractFileIconProvider):
    """File types and icons from names alone: never opens a listed file."""

    def type(self, info: QFileInfo) -> str:
        """'Folder', or the suffix as the type ('CSV file'), as a file manager would say it."""
        if info.isDir():
            return "Folder"
        suffix = info.suffix()
        return f"{suffix.upper()} file" if suffix else "File"

    def icon(self, what: Any) -> QIcon:
        """The generic folder or file icon (the base class's icon for a QFileInfo sniffs the
        file's content to pick a themed one)."""
        if isinstance(what, QFileInfo):
            kind = QAbstractFileIconProvider.IconType
            what = kind.Folder if what.isDir() else kind.File
        return super().icon(what)


# One provider for every dialog: a dialog's model keeps a raw pointer to it, so it must outlive
# them all (QAbstractFileIconProvider is not a QObject that a dialog could own).
_ICONS = NameOnlyIcons()


def guard(dialog: QFileDialog) -> QFileDialog:
    """Make `dialog` list folders without opening the files in them (see the module's notes)."""
    dialog.setIconProvider(_ICONS)
    return dialog


def ask_open_paths(
    parent: QWidget,
    title: str,
    folder: Path,
    name_filter: str,
    chosen: Callable[[list[Path]], None],
) -> QFileDialog:
    """Open a window-modal dialog on `folder` for choosing existing files; `chosen(paths)` is
    called once files are chosen, never when the dialog is cancelled. Returns at once (exec()
    would nest an event loop)."""
    dialog = guard(QFileDialog(parent, title, str(folder)))
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptOpen)
    dialog.setFileMode(QFileDialog.FileMode.ExistingFiles)
    dialog.setNameFilters([name_filter, ALL_FILES])
    dialog.filesSelected.connect(lambda names: chosen([Path(n) for n in names]))
    dialog.open()
    return dialog
