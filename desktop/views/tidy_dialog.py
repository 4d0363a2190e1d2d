"""Edit > Categories and accounts: rename, merge and delete categories; rename and delete accounts.

A non-modal dialog over the window. Every question it asks (a new name, a merge target, a
confirmation that says exactly what will happen) is a window-modal box opened without a nested
event loop, so the window keeps painting and a test can find the box and click it. The work runs
on the writing lane; then the ledger's change is announced so that every page reloads. Renames,
merges and category deletes go on the window's undo stack and put back exactly the ids they moved;
deleting an account is confirmed and cannot be undone (the confirmation says so).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from data.ledger import AccountUsage, CategoryUsage
from desktop.context import AppContext
from desktop.edits import DoneBeforePush

log = logging.getLogger(__name__)

NAME = Qt.ItemDataRole.UserRole
SAY_MS = 10_000  # how long the window's status bar keeps an outcome
# What pages are told after a change. Category changes: "categorized" re-reads the rows in place
# and the forecast's categories, "categories" the lists and the Rules page. Account changes:
# "undo" re-reads every page that shows accounts (rows, filters, imports, insights), and "rules"
# the Rules page, whose account limits name them.
CATEGORY_EVENTS = ("categorized", "categories")
ACCOUNT_EVENTS = ("undo", "rules")


def plural(n: int, word: str) -> str:
    """'1 rule', '2 rules', '1,234 transactions'."""
    return f"{n:,} {word}{'' if n == 1 else 's'}"


def category_counts(u: CategoryUsage) -> str:
    """What a category holds, as the list and the confirmations say it."""
    return f"{plural(u.transactions, 'transaction')}, {plural(u.rules, 'rule')}"


def account_counts(u: AccountUsage) -> str:
    """What an account holds, as the list and the confirmations say it."""
    return f"{u.currency}, {plural(u.transactions, 'transaction')}, {plural(u.batches, 'import')}"


class Ask(QDialog):
    """One question: a new name (a line edit) or a choice among names (a combo box)."""

    def __init__(
        self,
        parent: QWidget,
        title: str,
        label: str,
        answered: Callable[[str], None],
        *,
        text: str = "",
        choices: list[str] | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setWindowModality(Qt.WindowModality.WindowModal)
        self.field: QLineEdit | QComboBox
        if choices is None:
            self.field = QLineEdit(text)
            self.field.selectAll()
            self.field.textChanged.connect(self._check)
        else:
            self.field = QComboBox()
            self.field.addItems(choices)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.ok = buttons.button(QDialogButtonBox.StandardButton.Ok)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(label))
        layout.addWidget(self.field)
        layout.addWidget(buttons)
        self._check()
        self.accepted.connect(lambda: answered(self.value()))

    def value(self) -> str:
        """The answer, spaced as the ledger stores names."""
        raw = self.field.text() if isinstance(self.field, QLineEdit) else self.field.currentText()
        return " ".join(raw.split())

    def _check(self) -> None:
        self.ok.setEnabled(bool(self.value()))


class TidyCommand(DoneBeforePush):
    """A tidy change already made on the writing lane: its first redo is that change (done
    before the command was pushed, so a refused change never reaches the stack); undo and redo
    run on the same lane, one after the other, recording afresh what each redo moved."""

    def __init__(
        self,
        dialog: TidyDialog,
        text: str,
        record: Any,
        *,
        redo: Callable[[Any], Any],
        undo: Callable[[Any, Any], None],
        events: tuple[str, ...],
    ) -> None:
        super().__init__(text)
        self.dialog = dialog
        self.record = record
        self._redo = redo
        self._undo = undo
        self._events = events

    def again(self) -> None:
        """Do the change again on the lane."""

        def again(ledger: Any) -> None:
            # set on the lane itself, so an undo queued right behind this sees it
            self.record = self._redo(ledger)

        self.dialog.submit(again, f"Redone: {self.text()}.", self._events)

    def undo(self) -> None:
        """Put back what the change moved."""
        # self.record is read on the lane: a redo queued just before has set it by then
        self.dialog.submit(
            lambda ledger: self._undo(ledger, self.record), f"Undone: {self.text()}.", self._events
        )


class TidyDialog(QDialog):
    """Two lists with counts and the buttons that change them."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setWindowTitle("Categories and accounts")
        self.categories: list[CategoryUsage] = []
        self.accounts: list[AccountUsage] = []
        self.asking: Ask | None = None
        self.confirmation: QMessageBox | None = None

        self.category_list = QListWidget()
        self.rename_category_button = QPushButton("&Rename…")
        self.merge_button = QPushButton("&Merge into…")
        self.delete_category_button = QPushButton("&Delete…")
        self.account_list = QListWidget()
        self.rename_account_button = QPushButton("Re&name…")
        self.delete_account_button = QPushButton("De&lete…")
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        row = QHBoxLayout()
        row.addWidget(
            self._group(
                "Categories",
                self.category_list,
                (self.rename_category_button, self.merge_button, self.delete_category_button),
            )
        )
        row.addWidget(
            self._group(
                "Accounts",
                self.account_list,
                (self.rename_account_button, self.delete_account_button),
            )
        )
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.rejected.connect(self.hide)
        layout = QVBoxLayout(self)
        layout.addLayout(row)
        layout.addWidget(self.status)
        layout.addWidget(close)

        self.rename_category_button.clicked.connect(self.rename_category)
        self.merge_button.clicked.connect(self.merge_category)
        self.delete_category_button.clicked.connect(self.delete_category)
        self.rename_account_button.clicked.connect(self.rename_account)
        self.delete_account_button.clicked.connect(self.delete_account)
        self.category_list.itemDoubleClicked.connect(lambda _item: self.rename_category())
        self.account_list.itemDoubleClicked.connect(lambda _item: self.rename_account())
        self.category_list.itemSelectionChanged.connect(self._enable)
        self.account_list.itemSelectionChanged.connect(self._enable)
        ctx.events.changed.connect(self._ledger_changed)
        self._enable()

    @staticmethod
    def _group(title: str, items: QListWidget, buttons: tuple[QPushButton, ...]) -> QGroupBox:
        box = QGroupBox(title)
        column = QVBoxLayout()
        for button in buttons:
            column.addWidget(button)
        column.addStretch(1)
        inner = QHBoxLayout(box)
        inner.addWidget(items, 1)
        inner.addLayout(column)
        return box

    # -- the lists --------------------------------------------------------------------------
    def reload(self) -> None:
        """Re-read both lists with their counts (on the reading lane)."""
        self.ctx.reader.submit(
            lambda ledger: (ledger.category_usage(), ledger.account_usage()), self._show
        )

    def _ledger_changed(self, _what: str) -> None:
        if self.isVisible():
            self.reload()

    def _show(self, value: tuple[list[CategoryUsage], list[AccountUsage]]) -> None:
        self.categories, self.accounts = value
        self._fill(self.category_list, [(u.name, category_counts(u)) for u in self.categories])
        self._fill(self.account_list, [(u.name, account_counts(u)) for u in self.accounts])
        self._enable()

    @staticmethod
    def _fill(widget: QListWidget, rows: list[tuple[str, str]]) -> None:
        chosen = widget.currentItem().data(NAME) if widget.currentItem() else None
        widget.clear()
        for name, counts in rows:
            item = QListWidgetItem(f"{name}  ({counts})")
            item.setData(NAME, name)
            widget.addItem(item)
            if name == chosen:
                widget.setCurrentItem(item)

    def _enable(self) -> None:
        category = self.chosen_category() is not None
        account = self.chosen_account() is not None
        self.rename_category_button.setEnabled(category)
        self.merge_button.setEnabled(category and len(self.categories) > 1)
        self.delete_category_button.setEnabled(category)
        self.rename_account_button.setEnabled(account)
        self.delete_account_button.setEnabled(account)

    def chosen_category(self) -> CategoryUsage | None:
        """The selected category, with its counts."""
        item = self.category_list.currentItem()
        if item is None or not item.isSelected():
            return None
        return next((u for u in self.categories if u.name == item.data(NAME)), None)

    def chosen_account(self) -> AccountUsage | None:
        """The selected account, with its counts."""
        item = self.account_list.currentItem()
        if item is None or not item.isSelected():
            return None
        return next((u for u in self.accounts if u.name == item.data(NAME)), None)

    # -- asking -----------------------------------------------------------------------------
    def _ask(self, title: str, label: str, answered: Callable[[str], None], **kw: Any) -> None:
        self.asking = Ask(self, title, label, answered, **kw)
        self.asking.open()

    def _confirm(self, text: str, detail: str, verb: str, then: Callable[[], None]) -> None:
        box = QMessageBox(self)
        box.setWindowTitle("Categories and accounts")
        box.setIcon(QMessageBox.Icon.Warning)
        box.setText(text)
        box.setInformativeText(detail)
        go = box.addButton(verb, QMessageBox.ButtonRole.AcceptRole)
        box.addButton(QMessageBox.StandardButton.Cancel)
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)

        def finished(_result: int) -> None:
            self.confirmation = None
            if box.clickedButton() is go:
                then()
            box.deleteLater()

        box.finished.connect(finished)
        self.confirmation = box
        box.open()

    # -- categories -------------------------------------------------------------------------
    def rename_category(self) -> None:
        """Ask for a new name; a name that exists already makes it a merge (confirmed)."""
        chosen = self.chosen_category()
        if chosen is None:
            return

        def answered(new: str) -> None:
            if new == chosen.name:
                return
            target = next((u for u in self.categories if u.name == new), None)
            if target is not None:
                self._confirm_merge(chosen, target.name)
                return
            self._change(
                f"rename category '{chosen.name}' to '{new}'",
                lambda ledger: ledger.rename_category(chosen.name, new),
                lambda ledger, change: ledger.undo_category_change(change),
                CATEGORY_EVENTS,
            )

        self._ask("Rename category", f"Rename '{chosen.name}' to:", answered, text=chosen.name)

    def merge_category(self) -> None:
        """Ask which category to merge the chosen one into, then confirm."""
        chosen = self.chosen_category()
        if chosen is None:
            return
        others = [u.name for u in self.categories if u.name != chosen.name]
        self._ask(
            "Merge category",
            f"Merge '{chosen.name}' into:",
            lambda target: self._confirm_merge(chosen, target),
            choices=others,
        )

    def _confirm_merge(self, chosen: CategoryUsage, target: str) -> None:
        self._confirm(
            f"Merge '{chosen.name}' ({category_counts(chosen)}) into '{target}'?",
            f"Its transactions, suggestions and rules move to '{target}' and '{chosen.name}' "
            "is removed. Edit > Undo puts each of them back.",
            "Merge",
            lambda: self._change(
                f"merge category '{chosen.name}' into '{target}'",
                lambda ledger: ledger.rename_category(chosen.name, target),
                lambda ledger, change: ledger.undo_category_change(change),
                CATEGORY_EVENTS,
            ),
        )

    def delete_category(self) -> None:
        """Confirm, then delete: its transactions become uncategorized; its rules go too."""
        chosen = self.chosen_category()
        if chosen is None:
            return
        detail = (
            f"Its {plural(chosen.transactions, 'transaction')} become uncategorized and are "
            "not categorized again by themselves."
            if chosen.transactions
            else "No transaction uses it."
        )
        if chosen.rules:
            verb = "is" if chosen.rules == 1 else "are"
            detail += (
                f" {plural(chosen.rules, 'rule')} that set it {verb} deleted"
                " (a rule that also renames the payee keeps doing that)."
            )
        self._confirm(
            f"Delete the category '{chosen.name}' ({category_counts(chosen)})?",
            detail + " Edit > Undo brings it back.",
            "Delete",
            lambda: self._change(
                f"delete category '{chosen.name}'",
                lambda ledger: ledger.delete_category(chosen.name, rules="delete"),
                lambda ledger, gone: ledger.undo_category_deletion(gone),
                CATEGORY_EVENTS,
            ),
        )

    # -- accounts ---------------------------------------------------------------------------
    def rename_account(self) -> None:
        """Ask for a new name (never an existing account's: accounts are not merged)."""
        chosen = self.chosen_account()
        if chosen is None:
            return

        def answered(new: str) -> None:
            if new == chosen.name:
                return
            self._change(
                f"rename account '{chosen.name}' to '{new}'",
                lambda ledger: ledger.rename_account(chosen.name, new),
                lambda ledger, change: ledger.rename_account(change.new, change.old),
                ACCOUNT_EVENTS,
            )

        self._ask("Rename account", f"Rename '{chosen.name}' to:", answered, text=chosen.name)

    def delete_account(self) -> None:
        """Confirm, then delete the account with its transactions and imports; no undo."""
        chosen = self.chosen_account()
        if chosen is None:
            return
        if chosen.transactions:
            text = (
                f"Delete the account '{chosen.name}' with its "
                f"{plural(chosen.transactions, 'transaction')} and "
                f"{plural(chosen.batches, 'import')}?"
            )
        else:
            text = f"Delete the empty account '{chosen.name}'?"
        detail = "This cannot be undone: Edit > Undo will not bring it back."
        if chosen.transactions:
            detail += " File > Back up the ledger keeps a copy first."
        if chosen.rules:
            detail += f" {plural(chosen.rules, 'rule')} limited to it will be deleted too."
        name = chosen.name
        self._confirm(
            text,
            detail,
            "Delete account",
            lambda: self.submit(
                lambda ledger: ledger.delete_account(name, with_transactions=True),
                f"Deleted the account '{name}'.",
                ACCOUNT_EVENTS,
            ),
        )

    # -- doing ------------------------------------------------------------------------------
    def _change(
        self,
        text: str,
        do: Callable[[Any], Any],
        undo: Callable[[Any, Any], None],
        events: tuple[str, ...],
    ) -> None:
        """Make an undoable change; once it is stored, push it on the window's undo stack."""

        def done(record: Any) -> None:
            self.ctx.undo.push(TidyCommand(self, text, record, redo=do, undo=undo, events=events))
            self._after(events, f"Done: {text}. Edit > Undo puts it back.")

        self.status.setText("Working…")
        self.ctx.writer.submit(do, done, self._failed)

    def submit(self, fn: Callable[[Any], Any], said: str, events: tuple[str, ...]) -> None:
        """Run `fn(ledger)` on the writing lane and report, then tell the pages."""
        self.status.setText("Working…")
        self.ctx.writer.submit(fn, lambda _value: self._after(events, said), self._failed)

    def _after(self, events: tuple[str, ...], said: str) -> None:
        self._say(said)
        for what in events:  # this dialog's lists reload on them too, when it is shown
            self.ctx.events.changed.emit(what)
        if events == CATEGORY_EVENTS:
            from desktop import categorizing

            categorizing.relearn(self.ctx)  # the names the categorizer learned changed

    def _failed(self, exc: BaseException) -> None:
        from data.ledger import LedgerError

        if isinstance(exc, LedgerError):
            self._say(str(exc)[:1].upper() + str(exc)[1:])
        else:
            log.error("tidying the ledger failed", exc_info=exc)
            self._say(f"That failed ({type(exc).__name__}); the log has the details.")

    def _say(self, text: str) -> None:
        # also in the window's status bar: an undo from the Edit menu may run with this closed
        self.status.setText(text)
        window = self.parentWidget()
        if isinstance(window, QMainWindow):
            window.statusBar().showMessage(text, SAY_MS)


def show_for(parent: QWidget, ctx: AppContext) -> TidyDialog:
    """Show (or raise) `parent`'s one Categories and accounts dialog, its lists re-read."""
    dialog = parent.findChild(TidyDialog)
    if dialog is None:
        dialog = TidyDialog(ctx, parent)
    dialog.reload()
    dialog.show()
    dialog.activateWindow()
    return dialog
