"""The Rules page: the user's categorization rules in the order they are tried; add, edit,
remove, reorder, and test a rule against the ledger before saving it.

Reads and writes through the ledger lanes; a saved rule is applied at once to the existing rows it
matches (never over a category the user chose). Never blocks the GUI thread.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QStringListModel, Qt
from PySide6.QtWidgets import (
    QComboBox,
    QCompleter,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from data.ledger import Rule, Txn
from data.money import MoneyError, format_decimal, to_minor
from desktop import formatting, rule_matching
from desktop.context import AppContext
from desktop.edits import DoneBeforePush
from desktop.rule_matching import Draft

ANY = "Any account"


@dataclass
class Stored:
    """What saving or removing a rule changed, as the writing lane last did it: the rule it
    stored (None for a removal), the rule it took away (None for a new rule; its id is the
    one it has now), and the rows it re-categorized with their category and source before."""

    rule: Rule | None
    gone: Rule | None
    previous: list[tuple[int, str | None, str | None]]


def _put(ledger: Any, rule: Rule) -> Rule:
    """Store `rule`'s fields again at its position; the stored rule, with its new id."""
    again: Rule = ledger.add_rule(
        rule.field,
        rule.op,
        rule.pattern,
        rule.category,
        amount_min=rule.amount_min,
        amount_max=rule.amount_max,
        account=rule.account,
        rename_payee=rule.rename_payee,
        position=rule.position,
        currency=rule.currency,
    )
    return again


def store(ledger: Any, draft: Draft, gone: Rule | None) -> tuple[Stored, int]:
    """Save `draft` (in the place of `gone`, keeping its payee rename) and apply it to the
    rows it matches; what changed, and how many rows now follow it."""
    # every row the rule will be applied to (rule_matching.apply reads them all), as it was
    previous: list[tuple[int, str | None, str | None]] = [
        (t.id, t.category, t.category_source)
        for t in (rule_matching.matching_rows(ledger, draft) if draft.category else [])
    ]
    if gone is not None:
        ledger.remove_rule(gone.id)
    rule = ledger.add_rule(
        draft.field,
        draft.op,
        draft.pattern,
        draft.category,
        amount_min=draft.amount_min,
        amount_max=draft.amount_max,
        account=draft.account,
        rename_payee=gone.rename_payee if gone is not None else None,
        position=gone.position if gone is not None else None,
        currency=draft.currency,
    )
    return Stored(rule, gone, previous), rule_matching.apply(ledger, draft)


def unstore(ledger: Any, stored: Stored) -> None:
    """Undo a save or a removal: the rule it stored goes, the one it took away comes back in
    its place, and the rows it re-categorized get back what they had (rows that had no
    category wait for the categorizer again, which suggests anew)."""
    if stored.rule is not None:
        ledger.remove_rule(stored.rule.id)
    if stored.gone is not None:
        stored.gone = _put(ledger, stored.gone)
    groups: dict[tuple[str, str | None], list[int]] = defaultdict(list)
    unsorted: list[int] = []
    for txn_id, category, source in stored.previous:
        if category is None:
            unsorted.append(txn_id)
        else:
            groups[(category, source)].append(txn_id)
    for (category, source), ids in groups.items():
        ledger.set_category(ids, category, source=source or "model")
    if unsorted:
        ledger.set_category(unsorted, None)
        ledger.mark_pending(unsorted)


class RuleCommand(DoneBeforePush):
    """A rule saved or removed, already done on the writing lane when pushed (its first redo
    does nothing); undo and redo run on the same lane, in order, each recording what it did."""

    def __init__(
        self,
        view: RulesView,
        text: str,
        stored: Stored,
        again: Callable[[Any, Stored], Stored],
    ) -> None:
        super().__init__(text)
        self.view = view
        self.stored = stored
        self._again = again

    def again(self) -> None:
        """Do it again on the lane."""

        def again(ledger: Any) -> None:
            self.stored = self._again(ledger, self.stored)

        self.view.after_edit(again, f"Redone: {self.text()}.")

    def undo(self) -> None:
        """Put back what it changed."""
        self.view.after_edit(lambda ledger: unstore(ledger, self.stored), f"Undone: {self.text()}.")


class RulesView(QWidget):
    """Rule list on the left, editor and test results on the right."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:  # noqa: PLR0915 (a page is built in one place)
        super().__init__(parent)
        self.ctx = ctx
        self.rules: list[Rule] = []
        self.editing: Rule | None = None
        # Each account's currency: a rule's amounts are minor units of the money it compares
        # with (yen have no decimals, dinars three), so they are read and shown in it.
        self.currencies: dict[str, str] = {}
        self.categories = QStringListModel(self)
        title = QLabel("Rules")
        title.setStyleSheet("font-size:20px;font-weight:600;")
        intro = QLabel(
            "Rules are tried in order before the categorizer; the first that matches decides."
        )
        intro.setStyleSheet("color:palette(placeholder-text);")
        self.table = QTableWidget(0, 4)
        self.table.setHorizontalHeaderLabels(["#", "When", "Category", "Limits"])
        self.table.setTabKeyNavigation(False)  # Tab leaves the table; arrows move in it
        self.table.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QTableWidget.SelectionMode.SingleSelection)
        self.table.itemSelectionChanged.connect(self._picked)
        self.new_button = QPushButton("New rule")
        self.up_button = QPushButton("Move up")
        self.down_button = QPushButton("Move down")
        self.remove_button = QPushButton("Remove")
        self.new_button.clicked.connect(self.new_rule)
        self.up_button.clicked.connect(lambda: self._move(-1))
        self.down_button.clicked.connect(lambda: self._move(1))
        self.remove_button.clicked.connect(self._remove)
        # two rows of two: in one row the four buttons and the editor beside them needed a
        # window 834 px wide (audit 8: the app should fit 800 x 600)
        buttons = QGridLayout()
        buttons.addWidget(self.new_button, 0, 0)
        buttons.addWidget(self.remove_button, 0, 1)
        buttons.addWidget(self.up_button, 1, 0)
        buttons.addWidget(self.down_button, 1, 1)
        buttons.setColumnStretch(2, 1)
        left = QVBoxLayout()
        left.addWidget(self.table, 1)
        left.addLayout(buttons)

        editor = QGroupBox("Rule")
        form = QFormLayout(editor)
        self.field = QComboBox()
        self.field.addItems(["description", "payee"])
        self.op = QComboBox()
        self.op.addItems(["contains", "exact", "regex"])
        self.pattern = QLineEdit(placeholderText="e.g. NETFLIX")
        self.category = QLineEdit(placeholderText="e.g. Subscriptions")
        completer = QCompleter(self.categories, self.category)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        self.category.setCompleter(completer)
        self.amount_min = QLineEdit(placeholderText="any")
        self.amount_max = QLineEdit(placeholderText="any")
        self.account = QComboBox()
        # sized for a short name, not the longest account's (with "N26 Archive 2" the page
        # needed an 834 px window)
        self.account.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.account.setMinimumContentsLength(10)
        self.account.addItem(ANY)
        self.account.currentTextChanged.connect(self._show_amount_currency)
        when = QHBoxLayout()
        when.addWidget(self.field)
        when.addWidget(self.op)
        amounts = QHBoxLayout()
        amounts.addWidget(self.amount_min)
        amounts.addWidget(QLabel("to"))
        amounts.addWidget(self.amount_max)
        self.amount_currency = QLabel("")
        amounts.addWidget(self.amount_currency)
        form.addRow("When the", when)
        form.addRow("Text", self.pattern)
        form.addRow("Set category", self.category)
        form.addRow("Amount from", amounts)
        form.addRow("Account", self.account)
        self.test_button = QPushButton("Test against the ledger")
        self.save_button = QPushButton("Save rule")
        self.test_button.clicked.connect(self.test_rule)
        self.save_button.clicked.connect(self.save_rule)
        row = QHBoxLayout()
        row.addWidget(self.test_button)
        row.addStretch(1)
        row.addWidget(self.save_button)
        form.addRow(row)
        self.message = QLabel("")
        self.message.setWordWrap(True)
        self.matches = QListWidget()
        right = QVBoxLayout()
        right.addWidget(editor)
        right.addWidget(self.message)
        right.addWidget(QLabel("Transactions it matches"))
        right.addWidget(self.matches, 1)

        body = QHBoxLayout()
        body.addLayout(left, 3)
        body.addLayout(right, 2)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 12, 12, 8)
        layout.addWidget(title)
        layout.addWidget(intro)
        layout.addLayout(body, 1)
        self._picked()
        ctx.events.changed.connect(self._ledger_changed)

    # -- loading ---------------------------------------------------------------------------
    def activate(self) -> None:
        """Reload rules, categories and accounts."""
        self.reload()

    def _ledger_changed(self, what: str) -> None:
        if what in ("rules", "demo", "import", "categories") and self.isVisible():
            self.reload()

    def reload(self) -> None:
        """Read the rules (and the lists the editor completes from) off the GUI thread."""

        def read(ledger: Any) -> tuple[list[Rule], list[str], list[tuple[str, str]]]:
            return (
                ledger.rules(),
                [c.name for c in ledger.categories()],
                [(a.name, a.currency) for a in ledger.accounts()],
            )

        self.ctx.reader.submit(read, self._loaded)

    def amount_currency_for(self, account: str | None) -> str | None:
        """The currency a rule's amounts are in: its account's, or the ledger's when every
        account shares one; None when the accounts differ and the rule names none."""
        if account is not None:
            return self.currencies.get(account)
        found = set(self.currencies.values())
        if not found:  # no accounts (or not read yet): nothing to match, cents as anywhere
            return "USD"
        return found.pop() if len(found) == 1 else None

    def _show_amount_currency(self, _text: str = "") -> None:
        account = None if self.account.currentText() in (ANY, "") else self.account.currentText()
        # named only where it matters: a ledger with one currency needs no reminder
        several = len(set(self.currencies.values())) > 1
        self.amount_currency.setText((self.amount_currency_for(account) or "") if several else "")

    def _amount_text(
        self, minor: int | None, account: str | None, currency: str | None = None
    ) -> str:
        if minor is None:
            return ""
        return format_decimal(minor, currency or self.amount_currency_for(account) or "USD")

    def _loaded(self, value: tuple[list[Rule], list[str], list[tuple[str, str]]]) -> None:
        rules, categories, accounts = value
        selected = self.editing.id if self.editing else None
        self.rules = rules
        self.currencies = dict(accounts)
        self.categories.setStringList(categories)
        current = self.account.currentText()
        self.account.clear()
        self.account.addItem(ANY)
        self.account.addItems([name for name, _ in accounts])
        self.account.setCurrentText(current)
        self._show_amount_currency()
        self.table.blockSignals(True)
        self.table.setRowCount(len(rules))
        for row, r in enumerate(rules):
            limits = []
            if r.amount_min is not None or r.amount_max is not None:
                lo = self._amount_text(r.amount_min, r.account, r.currency) or "…"
                hi = self._amount_text(r.amount_max, r.account, r.currency) or "…"
                shown_in = r.currency or self.amount_currency_for(r.account) or ""
                limits.append(f"{lo} to {hi} {shown_in}".strip())
            if r.account:
                limits.append(r.account)
            cells = (
                str(r.position),
                f"{r.field} {r.op} “{r.pattern}”",
                r.category or "",
                ", ".join(limits),
            )
            for col, text in enumerate(cells):
                self.table.setItem(row, col, QTableWidgetItem(text))
            if r.id == selected:
                self.table.selectRow(row)
        self.table.resizeColumnToContents(0)
        self.table.blockSignals(False)
        self._picked()

    # -- editing ---------------------------------------------------------------------------
    def _picked(self) -> None:
        rows = self.table.selectionModel().selectedRows()
        rule = self.rules[rows[0].row()] if rows and rows[0].row() < len(self.rules) else None
        for b in (self.up_button, self.down_button, self.remove_button):
            b.setEnabled(rule is not None)
        if rule is not None and rule is not self.editing:
            self.editing = rule
            self.field.setCurrentText(rule.field)
            self.op.setCurrentText(rule.op)
            self.pattern.setText(rule.pattern)
            self.category.setText(rule.category or "")
            self.amount_min.setText(self._amount_text(rule.amount_min, rule.account, rule.currency))
            self.amount_max.setText(self._amount_text(rule.amount_max, rule.account, rule.currency))
            self.account.setCurrentText(rule.account or ANY)
            self.save_button.setText("Save changes")

    def new_rule(self, txn: Txn | None = None) -> None:
        """Clear the editor (prefilled from `txn` when making a rule from a transaction)."""
        self.editing = None
        self.table.clearSelection()
        self.field.setCurrentText("payee" if txn is not None else "description")
        self.op.setCurrentText("contains")
        self.pattern.setText(txn.payee if txn is not None else "")
        self.category.setText((txn.category or txn.suggestion or "") if txn is not None else "")
        self.amount_min.clear()
        self.amount_max.clear()
        self.account.setCurrentText(ANY)
        self.save_button.setText("Save rule")
        self.message.setText("")
        self.matches.clear()
        if txn is not None:
            self.test_rule()

    def draft(self, *, saving: bool = True) -> Draft | str:
        """The rule in the editor, or why it cannot be read."""
        account = None if self.account.currentText() in (ANY, "") else self.account.currentText()
        currency = self.amount_currency_for(account)
        amounts: list[int | None] = []
        for edit in (self.amount_min, self.amount_max):
            text = edit.text().strip()
            if text and currency is None:
                return (
                    "Choose the account this rule is for: your accounts are in different "
                    "currencies, and an amount means different money in each."
                )
            try:
                amounts.append(to_minor(text, currency or "USD") if text else None)
            except MoneyError:
                return f"“{text}” is not an amount in {currency} (use e.g. -25.00)."
        draft = Draft(
            self.field.currentText(),
            self.op.currentText(),
            self.pattern.text(),
            self.category.text().strip() or None,
            amounts[0],
            amounts[1],
            account,
            currency=currency if any(a is not None for a in amounts) else None,
        )
        return rule_matching.problem(draft, saving=saving) or draft

    def test_rule(self) -> None:
        """Show which transactions the rule in the editor would categorize."""
        draft = self.draft(saving=False)
        if isinstance(draft, str):
            self.message.setText(draft)
            return
        self.message.setText("Testing…")
        self.ctx.reader.submit(lambda ledger: rule_matching.test(ledger, draft), self._tested)

    def _tested(self, value: tuple[int, int, list[Txn]]) -> None:
        found, conflicts, sample = value
        text = f"Matches {self.locale().toString(found)} transactions."
        if conflicts:
            text += (
                f" {conflicts} of them you categorized differently; the rule will not change those."
            )
        self.message.setText(text)
        self._show_matches(sample)

    def _show_matches(self, sample: list[Txn]) -> None:
        self.matches.clear()
        for t in sample:
            amount = formatting.money(t.amount, t.currency)
            self.matches.addItem(
                f"{formatting.day(t.date)}  {t.description}  {amount}  [{t.category or '—'}]"
            )

    def save_rule(self) -> None:
        """Store the rule (replacing the one being edited) and apply it to matching rows."""
        draft = self.draft()
        if isinstance(draft, str):
            self.message.setText(draft)
            return
        old = self.editing
        text = f"{'change' if old else 'add'} the rule {draft.field} {draft.op} “{draft.pattern}”"

        def again(ledger: Any, stored: Stored) -> Stored:
            return store(ledger, draft, stored.gone)[0]

        def saved(value: tuple[Stored, int]) -> None:
            stored, applied = value
            self.ctx.undo.push(RuleCommand(self, text, stored, again))
            self.message.setText(
                f"Saved. {applied} existing transactions now follow this rule. "
                "Edit > Undo takes it back."
            )
            self.editing = None
            self._changed()
            self._retest(draft)

        self.ctx.writer.submit(lambda ledger: store(ledger, draft, old), saved, self._failed)

    def _retest(self, draft: Draft) -> None:
        # the list under the message showed the rows as they were before the save
        def shown(value: tuple[int, int, list[Txn]]) -> None:
            self._show_matches(value[2])

        self.ctx.reader.submit(lambda ledger: rule_matching.test(ledger, draft), shown)

    def _changed(self) -> None:
        # "undo" too: rows an undo put back to pending wake the categorize pump
        for what in ("rules", "categories", "undo"):
            self.ctx.events.changed.emit(what)
        self.reload()

    def after_edit(self, work: Callable[[Any], None], said: str) -> None:
        """Run an undo or redo on the writing lane, then say so and reload."""

        def done(_value: object) -> None:
            self.message.setText(said)
            self.editing = None
            self._changed()

        self.ctx.writer.submit(work, done, self._failed)

    def _failed(self, exc: BaseException) -> None:
        self.message.setText(f"Not saved: {exc}")

    def _removed(self, _value: object) -> None:
        self.new_rule()
        self.message.setText("Rule removed. Edit > Undo puts it back.")
        self.reload()

    def _move(self, step: int) -> None:
        rows = self.table.selectionModel().selectedRows()
        if not rows:
            return
        rule = self.rules[rows[0].row()]
        self.ctx.writer.submit(
            lambda ledger: ledger.move_rule(rule.id, rule.position + step),
            lambda _: self.reload(),
            self._failed,
        )

    def _remove(self) -> None:
        rows = self.table.selectionModel().selectedRows()
        if not rows:
            return
        rule = self.rules[rows[0].row()]
        self.editing = None
        text = f"remove the rule {rule.field} {rule.op} “{rule.pattern}”"

        def remove(ledger: Any, stored: Stored) -> Stored:
            assert stored.gone is not None
            ledger.remove_rule(stored.gone.id)
            return stored

        def removed(stored: Stored) -> None:
            self.ctx.undo.push(RuleCommand(self, text, stored, remove))
            self._removed(None)

        self.ctx.writer.submit(
            lambda ledger: remove(ledger, Stored(None, rule, [])), removed, self._failed
        )
