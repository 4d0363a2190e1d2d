"""The main window's menu bar (File, Edit, View, Help) and the keyboard shortcuts it carries.

Each command is one QAction added to the window as well as to its menu, so its shortcut works
wherever focus is in the window, and the shortcuts dialog is read off the menus themselves, and
off the keys the pages' own widgets take (their actions, a table's F2), so it cannot drift from
what is bound. A command aimed at a page that has not been built yet builds it
first (MainWindow.page); none may wait on the hub or on a query: they only switch pages, move
focus, or call what the page's own buttons call.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from importlib import metadata
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QAbstractItemModel, QModelIndex, Qt
from PySide6.QtGui import QAction, QActionGroup, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QMainWindow,
    QMenu,
    QMessageBox,
    QTableView,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
)

from desktop import backup
from desktop.views import tidy_dialog

if TYPE_CHECKING:
    from desktop.window import MainWindow

Key = QKeySequence.StandardKey


def _refresh_transactions(page: Any) -> None:
    # What an import does to the page (its lists, then the same filter re-read in place).
    page.reload_choices(then=page.model.refresh)


# What View > Refresh does on each page: its Refresh button where it has one, else its public
# reload. Services has none: it polls the hub every second while it is shown.
REFRESH: dict[str, Callable[[Any], None]] = {
    "Dashboard": lambda page: page.reload(),
    "Transactions": _refresh_transactions,
    "Forecast": lambda page: page.refresh_button.click(),
    "Insights": lambda page: page.refresh_button.click(),
    "Rules": lambda page: page.reload(),
}


def keys(standard: QKeySequence.StandardKey, *extra: str) -> list[QKeySequence]:
    """The platform's own keys for `standard`, then `extra` ones not already among them.

    Some platforms bind nothing to a standard key (Quit on Windows and on Qt's offscreen
    platform), so a command that must have a key names it in `extra` too."""
    bound = list(QKeySequence.keyBindings(standard))
    for text in extra:
        seq = QKeySequence(text)
        if seq not in bound:
            bound.append(seq)
    return bound


def typeable(seq: QKeySequence) -> bool:
    """Whether a person can press `seq` on an ordinary keyboard: not F13-F35 nor the media and
    launch keys (Qt binds Undo to F14 and to an "Undo" key, Open to an "Open" key, on X11)."""
    if seq.count() == 0:
        return False
    first = seq[0]  # type: ignore[index]  # PySide6's stubs lack QKeySequence.__getitem__
    return bool(first.key().value < Qt.Key.Key_F13.value)


def key_text(action: QAction) -> str:
    """An action's keys as the platform writes them ("Ctrl+O"), or "" when it has none; the
    keys no ordinary keyboard has are left out of the list, though they still work."""
    return ", ".join(
        seq.toString(QKeySequence.SequenceFormat.NativeText)
        for seq in action.shortcuts()
        if typeable(seq)
    )


def plain(text: str) -> str:
    """A menu text without its mnemonic marks ("&File" -> "File", "R&&D" -> "R&D")."""
    return text.replace("&&", "\0").replace("&", "").replace("\0", "&")


@dataclass
class Menus:
    """The window's menu actions (tests and the shortcuts dialog reach them here)."""

    import_files: QAction
    demo: QAction
    export: QAction
    backup: QAction
    quit: QAction
    undo: QAction
    redo: QAction
    find: QAction
    tidy: QAction
    pages: dict[str, QAction]
    refresh: QAction
    shortcuts: QAction
    about: QAction
    shortcuts_dialog: ShortcutsDialog | None = None
    about_box: QMessageBox | None = None


# Each menu's items in order; None is a separator, "pages" one item per page.
LAYOUT = (
    ("&File", ("import_files", "demo", None, "export", "backup", None, "quit")),
    ("&Edit", ("undo", "redo", None, "find", None, "tidy")),
    ("&View", ("pages", None, "refresh")),
    ("&Help", ("shortcuts", "about")),
)


# Page names whose first letter another View item already uses (Import, Rules).
MNEMONIC = {"Insights": "Insi&ghts"}


def install(window: MainWindow) -> Menus:
    """Build the menu bar (with Undo and Redo over the window's undo stack) on `window`."""
    from desktop.window import PAGES

    def action(text: str, slot: Callable[[], object], shortcuts: list[QKeySequence]) -> QAction:
        made = QAction(text, window)
        made.triggered.connect(lambda _checked=False: slot())
        return _bind(window, made, shortcuts)

    undo = window.ctx.undo.createUndoAction(window, "Undo")
    redo = window.ctx.undo.createRedoAction(window, "Redo")
    menus = Menus(
        import_files=action(
            "&Import statements…", lambda: import_files(window), keys(Key.Open, "Ctrl+O")
        ),
        demo=action("Try with &demo data", lambda: demo(window), []),
        export=action("&Export transactions…", lambda: export(window), [QKeySequence("Ctrl+E")]),
        backup=action("&Back up the ledger…", lambda: back_up(window), []),
        quit=action("&Quit", window.close, keys(Key.Quit, "Ctrl+Q")),
        undo=_bind(window, undo, keys(Key.Undo)),
        redo=_bind(window, redo, [QKeySequence("Ctrl+Shift+Z"), *keys(Key.Redo)]),
        find=action("&Find…", lambda: find(window), keys(Key.Find, "Ctrl+F")),
        tidy=action(
            "Categories and &accounts…", lambda: tidy_dialog.show_for(window, window.ctx), []
        ),
        pages={
            name: action(
                MNEMONIC.get(name, f"&{name}"),
                partial(window.show_page, name),
                [QKeySequence(f"Ctrl+{i}")],
            )
            for i, name in enumerate(PAGES, 1)
        },
        refresh=action("Refres&h", lambda: refresh(window), keys(Key.Refresh, "F5")),
        shortcuts=action(
            "&Keyboard shortcuts…",
            lambda: show_shortcuts(window, menus),
            keys(Key.HelpContents, "Ctrl+/"),
        ),
        about=action("&About Fincast", lambda: show_about(window, menus), []),
    )
    menus.quit.setMenuRole(QAction.MenuRole.QuitRole)
    menus.about.setMenuRole(QAction.MenuRole.AboutRole)
    _follow_pages(window, menus, PAGES)
    for title, items in LAYOUT:
        menu = window.menuBar().addMenu(title)
        for item in items:
            if item is None:
                menu.addSeparator()
            elif item == "pages":
                menu.addActions(list(menus.pages.values()))
            else:
                menu.addAction(getattr(menus, item))
    return menus


def _bind(window: MainWindow, action: QAction, shortcuts: list[QKeySequence]) -> QAction:
    # On the window as well as in its menu, so the key works even where the bar is hidden.
    action.setShortcuts(list(dict.fromkeys(shortcuts)))  # a platform may list a key twice
    action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
    window.addAction(action)
    return action


def _follow_pages(window: MainWindow, menus: Menus, pages: tuple[str, ...]) -> None:
    # The page on show is the one checked; Refresh is off where a page has none.
    group = QActionGroup(window)
    for page_action in menus.pages.values():
        page_action.setCheckable(True)
        group.addAction(page_action)

    def page_changed(row: int) -> None:
        if row >= 0:
            menus.pages[pages[row]].setChecked(True)
            menus.refresh.setEnabled(pages[row] in REFRESH)

    window.sidebar.currentRowChanged.connect(page_changed)
    page_changed(window.sidebar.currentRow())


# -- what the commands do -------------------------------------------------------------------
def import_files(window: MainWindow) -> None:
    """File > Import statements: the Import page's own file chooser."""
    window.show_page("Import")
    window.importing.choose_files()


def demo(window: MainWindow) -> None:
    """File > Try with demo data, shown on the Import page (where its progress is written)."""
    window.show_page("Import")
    window.importing.demo_button.click()  # a no-op while one is already importing


def export(window: MainWindow) -> None:
    """File > Export transactions: what the Transactions page's filters show, to a CSV file."""
    window.show_page("Transactions")
    window.transactions.export_dialog()


def back_up(window: MainWindow) -> None:
    """File > Back up the ledger: a consistent copy (SQLite's online backup) made on the files
    lane, its outcome said in the status bar; the copy opens with `fincast --db FILE`."""
    backup.back_up(window, window.ctx)


def find(window: MainWindow) -> None:
    """Edit > Find: the Transactions search box, its text selected so typing replaces it."""
    window.show_page("Transactions")
    box = window.transactions.search
    box.setFocus(Qt.FocusReason.ShortcutFocusReason)
    box.selectAll()


def refresh(window: MainWindow) -> None:
    """View > Refresh: re-read what the page on show displays (see REFRESH)."""
    name = window.current_page()
    if name in REFRESH:
        REFRESH[name](window.page(name))


def bound_actions(window: QMainWindow) -> list[tuple[str, QAction]]:
    """(menu title, action) for every action with a key, menu by menu, then any the window
    carries outside the menus."""
    seen: list[tuple[str, QAction]] = []
    for menu_action in window.menuBar().actions():
        menu = menu_action.menu()
        if not isinstance(menu, QMenu):
            continue
        for a in menu.actions():
            if not a.isSeparator() and a.shortcuts():
                seen.append((plain(menu.title()), a))
    listed = {id(a) for _, a in seen}
    seen.extend(("", a) for a in window.actions() if a.shortcuts() and id(a) not in listed)
    return seen


def page_keys(window: MainWindow) -> list[tuple[str, str, str]]:
    """(where, command, keys) for the keys a page's own widgets take while they have focus: the
    actions with a key on them (Ctrl+Enter accepts the suggestions in the Transactions table,
    Delete dismisses an alert in Insights) and F2 in a table with an editable column. Each page
    is built first (as a menu command aimed at it would build it): its keys exist only once its
    widgets do."""
    from desktop.window import PAGES

    rows: list[tuple[str, str, str]] = []
    on_window = {id(a) for a in window.actions()}
    for name in PAGES:
        page = window.page(name)
        where = f"{name} page"
        for view in page.findChildren(QTableView):
            edited = _edited_by_f2(view)
            if edited:
                names = " or ".join([", ".join(edited[:-1]), edited[-1]] if edited[1:] else edited)
                rows.append((where, f"Edit the {names} of the current row", "F2"))
        for a in page.findChildren(QAction):
            # a context menu's items are built when it opens, and show their keys there
            if a.shortcuts() and id(a) not in on_window and not isinstance(a.parent(), QMenu):
                rows.append((where, plain(a.text()), key_text(a)))
    return rows


def _edited_by_f2(view: QTableView) -> list[str]:
    """The (lower-case) names of the columns F2 edits in `view`; [] when it edits none: Qt's
    EditKeyPressed trigger is F2, and it edits only what the model calls editable."""
    model = view.model()
    if model is None or not view.editTriggers() & QAbstractItemView.EditTrigger.EditKeyPressed:
        return []
    horizontal = Qt.Orientation.Horizontal
    # A row's index even before any row is loaded (a page's rows arrive from a lane later):
    # whether a column is editable does not depend on the row here.
    return [
        str(model.headerData(column, horizontal)).lower()
        for column in range(view.horizontalHeader().count())
        if model.flags(_first_row(model, column)) & Qt.ItemFlag.ItemIsEditable
    ]


def _first_row(model: QAbstractItemModel, column: int) -> QModelIndex:
    """The first row's index in `column`; made up when no row is loaded yet, where the model
    lets it be (Fincast's own models: Qt's are always filled in place)."""
    index = model.index(0, column)
    if index.isValid():
        return index
    try:
        return model.createIndex(0, column)
    except (TypeError, RuntimeError):  # a model of Qt's own keeps createIndex to itself
        return index


class ShortcutsDialog(QDialog):
    """A small table of every bound key, read from the actions (and the pages' widgets) when it
    is shown."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window_ = window
        self.setWindowTitle("Keyboard shortcuts")
        self.table = QTableWidget(0, 3)
        # a menu's name, or the page whose table (say) takes the key while it has focus
        self.table.setHorizontalHeaderLabels(["Where", "Command", "Keys"])
        self.table.setTabKeyNavigation(False)  # Tab goes on to Close
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.setSelectionMode(QTableWidget.SelectionMode.NoSelection)
        self.table.setWordWrap(False)
        self.table.setShowGrid(False)
        self.table.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # Close keeps it: Enter or Esc shuts
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table)
        layout.addWidget(buttons)

    def fill(self) -> None:
        """Re-read the actions (Undo's text, say, changes with what it would undo)."""
        rows = [(menu, plain(a.text()), key_text(a)) for menu, a in bound_actions(self.window_)]
        rows += page_keys(self.window_)
        self.table.setRowCount(len(rows))
        for row, texts in enumerate(rows):
            for col, text in enumerate(texts):
                self.table.setItem(row, col, QTableWidgetItem(text))
        self.table.resizeRowsToContents()
        # Big enough to show every row and column without scrolling (the list is short).
        frame = 2 * self.table.frameWidth()
        self.table.setMinimumSize(
            min(self.table.horizontalHeader().length() + frame + 24, 900),
            min(
                self.table.verticalHeader().length()
                + self.table.horizontalHeader().height()
                + frame,
                640,
            ),
        )
        self.adjustSize()

    def rows(self) -> list[tuple[str, str, str]]:
        """What the table shows, row by row."""

        def cell(row: int, col: int) -> str:
            item = self.table.item(row, col)
            return item.text() if item is not None else ""

        return [(cell(r, 0), cell(r, 1), cell(r, 2)) for r in range(self.table.rowCount())]


def show_shortcuts(window: MainWindow, menus: Menus) -> None:
    """Show (or raise) the shortcuts dialog; never modal, so the window keeps working."""
    if menus.shortcuts_dialog is None:
        menus.shortcuts_dialog = ShortcutsDialog(window)
    menus.shortcuts_dialog.fill()
    # A dialog stays above the window it belongs to, so showing and activating it is enough
    # (raise_() is also unsupported on the offscreen platform, where it warns).
    menus.shortcuts_dialog.show()
    menus.shortcuts_dialog.activateWindow()


def show_about(window: QMainWindow, menus: Menus) -> None:
    """Show (or raise) the About box without a nested event loop."""
    if menus.about_box is None:
        try:
            version = metadata.version("fincast")
        except metadata.PackageNotFoundError:  # run from a source tree that was never installed
            version = "(development copy)"
        box = QMessageBox(window)
        box.setWindowTitle("About Fincast")
        box.setIcon(QMessageBox.Icon.Information)
        box.setText(f"Fincast {version}")
        box.setInformativeText(
            "An offline personal-finance app: it reads your banks' CSV statements, categorises "
            "every transaction, forecasts your spending and finds your subscriptions.\n\n"
            "Everything stays on this computer. Its figures are estimates, not financial advice."
        )
        box.setStandardButtons(QMessageBox.StandardButton.Ok)
        menus.about_box = box
    menus.about_box.show()
    menus.about_box.activateWindow()
