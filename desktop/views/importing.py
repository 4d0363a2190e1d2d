"""The Import page: a wizard over the importer's staged API.

Choose or drop files -> what was recognised, a preview, mapping adjustments, questions, the
account -> import with a progress bar -> the result, with undo of the whole import. Detection,
preview and commit run on the ledger lanes; the page only shows their results and never shows a
modal error: problems are written into the page.
"""

from __future__ import annotations

import logging
import time
from pathlib import Path
from typing import Any

from PySide6.QtCore import QLocale, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFormLayout,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListWidget,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QStackedWidget,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from data.importer import THREE_DECIMAL_CURRENCIES, header_currency
from data.money import ISO_CODES, exponent
from desktop import file_dialogs, formatting, import_jobs, interrupted_import
from desktop.context import AppContext
from desktop.import_jobs import Staged

log = logging.getLogger(__name__)

SIGN_CONVENTIONS = ("signed", "spend-positive", "debit-credit", "indicator")
CURRENCIES = ("GBP", "USD", "EUR", "CAD", "AUD", "CHF", "JPY", "SEK", "NOK", "DKK", "PLN", "INR")
NONE = "(none)"


def stated_currency(staged: Staged) -> str | None:
    """The one currency every previewed row of the file names in a currency column, if any:
    the ledger makes a new account in it, whatever the page's choice was."""
    codes = {row.currency for row in staged.preview.rows}
    code = codes.pop() if len(codes) == 1 else None
    return code if code in ISO_CODES else None


def named_currency(staged: Staged) -> str | None:
    """The currency the file itself says its money is in: one code in a currency column, else
    the one its money columns' headers name ("Amount (EUR)"); None when it says nothing."""
    return stated_currency(staged) or header_currency(staged.mapping)


# The importer's recognised lines that ask the person to look (a running balance that no reading
# of the amounts explains): shown apart on the review page and again after the import.
WARNING_PREFIX = "Check "


def warnings_of(staged: Staged) -> list[str]:
    """The recognised lines that warn, not just describe, and a currency that cannot hold the
    file's amounts."""
    lines = staged.preview.recognised or list(staged.detection.recognised)
    warnings = [line for line in lines if line.startswith(WARNING_PREFIX)]
    if decimals_refused(staged):
        codes = ", ".join(THREE_DECIMAL_CURRENCIES)
        warnings.append(
            f"{WARNING_PREFIX}the account's currency: the amounts have three decimals, so they "
            f"go into an account in a currency that has three ({codes}); for a new account, "
            "choose it under Currency."
        )
    return warnings


def decimals_refused(staged: Staged) -> bool:
    """True when the file's amounts read only with three decimals (data.importer.detect found
    them so) and the chosen account's currency has fewer: the import would be refused."""
    return staged.detection.mapping.currency_exponent == 3 > staged.mapping.currency_exponent


def local_time(created: str) -> str:
    """A batch's time as the person's clock and locale write it (the ledger stores UTC, "Z")."""
    return formatting.moment(created)


def local_currency(locale: QLocale | None = None) -> str:
    """The currency of the user's locale when we offer it (a new account's default), else GBP."""
    code = (locale or QLocale()).currencySymbol(QLocale.CurrencySymbolFormat.CurrencyIsoCode)
    return code if code in CURRENCIES else CURRENCIES[0]


PROGRESS_EVERY_S = 0.05  # the worker reports at most 20 times a second


def _title(text: str) -> QLabel:
    label = QLabel(text)
    label.setStyleSheet("font-size:20px;font-weight:600;")
    return label


class ImportView(QWidget):
    """The wizard; `imported` fires after each committed file."""

    imported = Signal()

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.queue: list[Path] = []
        self.staged: Staged | None = None
        self.staged_first = True  # no file read yet: the next _staged is a first reading
        self.last_result: Any = None
        self.results: list[Any] = []
        self.stack = QStackedWidget()
        self.stack.addWidget(self._choose_page())
        self.stack.addWidget(self._review_page())
        self.stack.addWidget(self._progress_page())
        self.stack.addWidget(self._result_page())
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 12, 12, 8)
        layout.addWidget(_title("Import statements"))
        layout.addWidget(self.stack, 1)
        self.confirmation: QMessageBox | None = None  # the open "remove this import?" box
        ctx.events.changed.connect(self._ledger_changed)

    # -- pages -----------------------------------------------------------------------------
    def _choose_page(self) -> QWidget:
        page = QWidget()
        drop = QFrame()
        drop.setObjectName("dropZone")
        drop.setStyleSheet("#dropZone{border:2px dashed palette(mid);border-radius:10px;}")
        inner = QVBoxLayout(drop)
        hint = QLabel(
            "Drop CSV statements from your bank anywhere on this window,\n"
            "or choose them. Fincast recognises the layout and shows you a preview first."
        )
        hint.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.choose_button = QPushButton("Choose files…")
        self.choose_button.clicked.connect(self.choose_files)
        self.demo_button = QPushButton("Try with demo data")
        self.demo_button.clicked.connect(self.import_demo)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(self.choose_button)
        row.addWidget(self.demo_button)
        row.addStretch(1)
        inner.addStretch(1)
        inner.addWidget(hint)
        inner.addLayout(row)
        inner.addStretch(1)
        self.choose_message = QLabel("")
        self.choose_message.setWordWrap(True)
        self.batches = QListWidget()
        self.undo_batch_button = QPushButton("Undo the selected import")
        self.undo_batch_button.clicked.connect(self._undo_selected_batch)
        history = QGroupBox("Earlier imports")
        hl = QVBoxLayout(history)
        hl.addWidget(self.batches)
        hl.addWidget(self.undo_batch_button, 0, Qt.AlignmentFlag.AlignRight)
        layout = QVBoxLayout(page)
        layout.addWidget(drop, 2)
        layout.addWidget(self.choose_message)
        layout.addWidget(history, 1)
        return page

    def _review_page(self) -> QWidget:  # noqa: PLR0915 (a page is built in one place)
        page = QWidget()
        self.file_label = QLabel()
        self.file_label.setStyleSheet("font-weight:600;")
        self.recognised = QLabel()
        self.recognised.setWordWrap(True)
        self.questions_box = QGroupBox("Please decide")
        self.questions_form = QFormLayout(self.questions_box)
        mapping = QGroupBox("Columns")
        form = QFormLayout(mapping)
        self.date_column = QComboBox()
        self.date_format = QComboBox(editable=True)
        self.date_format.addItems(["%Y-%m-%d", "%d/%m/%Y", "%m/%d/%Y", "%d.%m.%Y", "%d %b %Y"])
        self.amount_column = QComboBox()
        self.debit_column = QComboBox()
        self.credit_column = QComboBox()
        self.sign = QComboBox()
        self.sign.addItems(list(SIGN_CONVENTIONS))  # mirrors data.importer.types (loaded lazily)
        self.decimal = QComboBox()
        self.decimal.addItems([".", ","])
        self.description_column = QComboBox()
        form.addRow("Date", self.date_column)
        form.addRow("Date format", self.date_format)
        form.addRow("Amount", self.amount_column)
        form.addRow("Money out", self.debit_column)
        form.addRow("Money in", self.credit_column)
        form.addRow("Signs", self.sign)
        form.addRow("Decimal point", self.decimal)
        form.addRow("Description", self.description_column)
        self.apply_mapping_button = QPushButton("Preview with these columns")
        self.apply_mapping_button.clicked.connect(self._apply_mapping)
        form.addRow(self.apply_mapping_button)
        target = QGroupBox("Into account")
        tform = QFormLayout(target)
        self.account = QComboBox(editable=True)
        self.account.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        edit = self.account.lineEdit()
        if edit is not None:
            edit.setPlaceholderText("Choose, or type a new name")
        self.currency = QComboBox()
        # The usual ones first, then every other ISO code (dinars and the like), A to Z.
        self.currency.addItems(list(CURRENCIES))
        self.currency.insertSeparator(len(CURRENCIES))
        self.currency.addItems(sorted(ISO_CODES - set(CURRENCIES)))
        self.currency.setCurrentText(local_currency())
        tform.addRow("Account", self.account)
        tform.addRow("Currency (new accounts)", self.currency)
        # Yen have no minor digits: the preview reads amounts in the target account's units.
        self.account.currentTextChanged.connect(self._target_changed)
        self.currency.currentTextChanged.connect(self._target_changed)
        left = QVBoxLayout()
        left.addWidget(self.questions_box)
        left.addWidget(mapping)
        left.addWidget(target)
        left.addStretch(1)
        self.preview_table = QTableWidget(0, 4)
        self.preview_table.setHorizontalHeaderLabels(["Line", "Date", "Description", "Amount"])
        self.preview_table.setTabKeyNavigation(False)  # Tab goes on to Import; arrows move in it
        # a preview: what the file says, read only (an edit here went nowhere, and F2 offered it)
        self.preview_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.preview_table.horizontalHeader().setSectionResizeMode(
            2, QHeaderView.ResizeMode.Stretch
        )
        self.preview_table.verticalHeader().hide()
        self.errors = QListWidget()
        self.errors.setMaximumHeight(110)
        self.review_message = QLabel("")
        self.review_message.setWordWrap(True)
        self.review_warning = QLabel("")  # the importer's warnings, where they cannot be missed
        self.review_warning.setWordWrap(True)
        self.review_warning.setStyleSheet("font-weight:600;color:#b35900;")
        self.review_warning.hide()
        right = QVBoxLayout()
        right.addWidget(self.file_label)
        right.addWidget(self.recognised)
        right.addWidget(QLabel("Preview"))
        right.addWidget(self.preview_table, 1)
        self.errors_label = QLabel("Rows that could not be read")
        right.addWidget(self.errors_label)
        right.addWidget(self.errors)
        right.addWidget(self.review_warning)
        right.addWidget(self.review_message)
        buttons = QHBoxLayout()
        self.cancel_button = QPushButton("Cancel")
        self.skip_button = QPushButton("Skip this file")
        self.import_button = QPushButton("Import")
        self.import_button.setDefault(True)
        self.cancel_button.clicked.connect(self.cancel)
        self.skip_button.clicked.connect(self._next_file)
        self.import_button.clicked.connect(self.commit)
        buttons.addStretch(1)
        buttons.addWidget(self.cancel_button)
        buttons.addWidget(self.skip_button)
        buttons.addWidget(self.import_button)
        right.addLayout(buttons)
        layout = QHBoxLayout(page)
        layout.addLayout(left, 2)
        layout.addLayout(right, 5)
        return page

    def _progress_page(self) -> QWidget:
        page = QWidget()
        self.progress_label = QLabel("Importing…")
        self.progress = QProgressBar()
        layout = QVBoxLayout(page)
        layout.addStretch(1)
        layout.addWidget(self.progress_label)
        layout.addWidget(self.progress)
        layout.addStretch(1)
        return page

    def _result_page(self) -> QWidget:
        page = QWidget()
        self.result_label = QLabel()
        self.result_label.setWordWrap(True)
        self.result_label.setStyleSheet("font-size:15px;")
        self.result_errors = QListWidget()
        self.undo_import_button = QPushButton("Undo this import")
        self.undo_import_button.clicked.connect(self.undo_last_import)
        self.next_button = QPushButton("Next file")
        self.next_button.clicked.connect(self._next_file)
        self.done_button = QPushButton("Done")
        self.done_button.clicked.connect(self._finish)
        buttons = QHBoxLayout()
        buttons.addWidget(self.undo_import_button)
        buttons.addStretch(1)
        buttons.addWidget(self.next_button)
        buttons.addWidget(self.done_button)
        layout = QVBoxLayout(page)
        layout.addWidget(self.result_label)
        layout.addWidget(self.result_errors, 1)
        layout.addLayout(buttons)
        return page

    # -- entry points ----------------------------------------------------------------------
    def activate(self) -> None:
        """Refresh the accounts and earlier imports when the page is shown."""
        self._load_history()

    def choose_files(self) -> None:
        """Pick statements in a file dialog that never opens the files it lists (the ledger's
        locks depend on it: desktop/file_dialogs.py); returns at once, the files come later."""
        file_dialogs.ask_open_paths(
            self, "Choose statements", Path.home(), "Statements (*.csv *.txt)", self._chosen
        )

    def _chosen(self, paths: list[Path]) -> None:
        if paths:
            self.open_files(paths)

    def open_files(self, paths: list[Path]) -> None:
        """Queue `paths` and start reviewing the first."""
        self.queue.extend(paths)
        if self.stack.currentIndex() in (0, 3):
            self._next_file()

    def import_demo(self) -> None:
        """Import the demo statements into two accounts, in the background."""
        self.choose_message.setText("Importing the demo statements…")
        self.demo_button.setEnabled(False)
        self.ctx.writer.submit(import_jobs.import_demo, self._demo_done, self._demo_failed)

    def _demo_done(self, results: list[Any]) -> None:
        self.demo_button.setEnabled(True)
        n = sum(r.imported for r in results)
        self.choose_message.setText(f"Imported {n} demo transactions into two accounts.")
        self.results.extend(results)
        self.ctx.events.changed.emit("demo")
        self._load_history()

    def _demo_failed(self, exc: BaseException) -> None:
        self.demo_button.setEnabled(True)
        self.choose_message.setText(f"The demo statements could not be imported: {exc}")

    # -- review ----------------------------------------------------------------------------
    def _next_file(self) -> None:
        if not self.queue:
            self._finish()
            return
        path = self.queue.pop(0)
        self.staged = None
        self.staged_first = True  # the next _staged is this file's first reading
        # Each file starts with no account and the usual currency; its layout's last account
        # comes with it once read. The last file's account stayed: a euro statement opened after
        # a Canadian card's went into the card as dollars at one click (audit 9).
        self.account.setCurrentText("")
        self.currency.setCurrentText(local_currency())
        self.file_label.setText(f"{path.name}")
        self.recognised.setText("Reading…")
        self.review_warning.hide()
        self.review_message.setText("")
        self.import_button.setEnabled(False)
        self.stack.setCurrentIndex(1)
        self.ctx.reader.submit(
            lambda ledger: import_jobs.stage(ledger, path), self._staged, self._stage_failed
        )
        self._load_accounts()

    def _stage_failed(self, exc: BaseException) -> None:
        self.recognised.setText("")
        self.review_warning.hide()
        self.preview_table.setRowCount(0)
        self.errors.clear()
        self.review_message.setText(f"This file cannot be imported: {exc}")
        self.import_button.setEnabled(False)

    def _staged(self, staged: Staged) -> None:
        self.staged = staged
        lines = staged.preview.recognised or list(staged.detection.recognised)
        self.recognised.setText("\n".join(f"• {line}" for line in lines) or "")
        self._show_questions(staged)
        self._show_mapping(staged)
        self._show_preview(staged)
        if staged.account_hint and self.account.currentText() == "":
            self.account.setCurrentText(staged.account_hint)
        stated = stated_currency(staged)
        if stated is not None and self.currency.findText(stated) >= 0:
            # a new account is made in the file's own currency: say so rather than "USD"
            self.currency.setCurrentText(stated)
        elif self.staged_first and (named := named_currency(staged)) is not None:
            # only as the file is first read: a currency chosen since then is the person's
            self.currency.setCurrentText(named)
        self.staged_first = False
        self._target_changed("")
        self._update_import_button()

    def _show_questions(self, staged: Staged) -> None:
        while self.questions_form.rowCount():
            self.questions_form.removeRow(0)
        questions = staged.detection.questions
        self.questions_box.setVisible(bool(questions))
        for q in questions:
            combo = QComboBox()
            combo.addItem("Choose…")
            combo.addItems(list(q.choices))
            combo.currentIndexChanged.connect(
                lambda i, key=q.key, c=combo: self._answer(key, c.currentText()) if i > 0 else None
            )
            label = QLabel(q.text)
            label.setWordWrap(True)
            self.questions_form.addRow(label, combo)

    def _answer(self, key: str, choice: str) -> None:
        staged = self.staged
        if staged is None:
            return
        self.ctx.reader.submit(
            lambda _l: import_jobs.answered(staged, key, choice), self._staged, self._stage_failed
        )

    def _column_combo(self, combo: QComboBox, columns: tuple[str, ...], value: int | None) -> None:
        combo.blockSignals(True)
        combo.clear()
        combo.addItem(NONE)
        combo.addItems(list(columns))
        combo.setCurrentIndex(0 if value is None else value + 1)
        combo.blockSignals(False)

    def _show_mapping(self, staged: Staged) -> None:
        m = staged.mapping
        cols = m.columns
        self._column_combo(self.date_column, cols, m.date_column)
        self._column_combo(self.amount_column, cols, m.amount_column)
        self._column_combo(self.debit_column, cols, m.debit_column)
        self._column_combo(self.credit_column, cols, m.credit_column)
        first_desc = m.description_columns[0] if m.description_columns else None
        self._column_combo(self.description_column, cols, first_desc)
        self.date_format.setCurrentText(m.date_format)
        self.sign.setCurrentText(m.sign)
        self.decimal.setCurrentText(m.decimal)

    def current_mapping(self) -> Any:
        """The staged mapping with the column choices on the page applied."""
        assert self.staged is not None
        m = self.staged.mapping

        def col(combo: QComboBox) -> int | None:
            return None if combo.currentIndex() <= 0 else combo.currentIndex() - 1

        desc = col(self.description_column)
        keep = tuple(c for c in m.description_columns if c != desc)
        return m.with_changes(
            date_column=col(self.date_column) or 0,
            date_format=self.date_format.currentText(),
            amount_column=col(self.amount_column),
            debit_column=col(self.debit_column),
            credit_column=col(self.credit_column),
            sign=self.sign.currentText(),
            decimal=self.decimal.currentText(),
            description_columns=((desc, *keep) if desc is not None else m.description_columns),
            currency_exponent=exponent(self.target_currency()),
        )

    def target_currency(self) -> str:
        """The currency the file's amounts will be stored in: the chosen account's own, or the
        one picked for a new account."""
        accounts = getattr(self, "_account_currency", {})
        return str(accounts.get(self.account.currentText().strip(), self.currency.currentText()))

    def _target_changed(self, _text: str) -> None:
        staged = self.staged
        if staged is None:
            return
        self._update_import_button()  # another account may hold another currency
        if staged.mapping.currency_exponent == exponent(self.target_currency()):
            # same decimals: the amounts read the same, only their currency is shown anew (it
            # kept "$4.50" after EUR was chosen)
            self._show_preview(staged)
            return
        self._apply_mapping()

    def _apply_mapping(self) -> None:
        staged = self.staged
        if staged is None:
            return
        mapping = self.current_mapping()
        self.ctx.reader.submit(
            lambda _l: import_jobs.remapped(staged, mapping), self._staged, self._stage_failed
        )

    def _show_preview(self, staged: Staged) -> None:
        rows = staged.preview.rows
        table = self.preview_table
        table.setRowCount(len(rows))
        currency = self.target_currency()
        for r, row in enumerate(rows):
            cells = (
                str(row.line),
                formatting.day(row.date),
                row.description,
                formatting.money(row.amount, row.currency or currency),
            )
            for c, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if c in (0, 3):
                    item.setTextAlignment(
                        Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
                    )
                table.setItem(r, c, item)
        table.resizeColumnToContents(0)
        table.resizeColumnToContents(1)
        self.errors.clear()
        for err in staged.preview.errors:
            self.errors.addItem(f"line {err.line}: {err.reason}")
        self.errors.setVisible(bool(staged.preview.errors))
        self.errors_label.setVisible(bool(staged.preview.errors))

    def currency_mismatch(self) -> str | None:
        """Why the chosen existing account cannot take this file: the file names its currency
        and the account holds another. The ledger would store the amounts in the account's
        currency, so 87 euro payments became Canadian dollars, with a preview in euros."""
        staged = self.staged
        account = self.account.currentText().strip()
        held = getattr(self, "_account_currency", {}).get(account)
        named = named_currency(staged) if staged is not None else None
        if held is None or named is None or held == named:
            return None
        return (
            f"{WARNING_PREFIX}the account: {staged.path.name if staged else 'this file'} is in "
            f"{named} and {account} holds {held}. Choose an account in {named}, or type a name "
            "for a new one."
        )

    def imported_before(self) -> str | None:
        """A word when this very file is in the ledger already: into the chosen account its rows
        are skipped as duplicates, into another they would be counted a second time."""
        staged = self.staged
        if staged is None or not staged.imported_before:
            return None
        number = QLocale().toString
        where = "; ".join(
            f"into {b.account} on {local_time(b.created)} "
            f"({number(b.imported)} row{'s' if b.imported != 1 else ''})"
            for b in staged.imported_before[:3]
        )
        account = self.account.currentText().strip()
        again = (
            f"importing it again into {account} only skips the rows already there"
            if account in {b.account for b in staged.imported_before}
            else "importing it into another account counts its money twice"
        )
        return (
            f"{WARNING_PREFIX}the file: {staged.path.name} was imported before, {where}; {again}."
        )

    def _update_import_button(self) -> None:
        staged = self.staged
        ok = staged is not None and not staged.detection.questions and bool(staged.preview.rows)
        mismatch = self.currency_mismatch()
        warnings = [
            *(warnings_of(staged) if staged is not None else []),
            *filter(None, [mismatch, self.imported_before()]),
        ]
        self.review_warning.setText("\n".join(warnings))
        self.review_warning.setVisible(bool(warnings))
        self.import_button.setEnabled(
            ok and staged is not None and not decimals_refused(staged) and mismatch is None
        )
        if staged is not None and staged.detection.questions:
            self.review_message.setText("Answer the questions on the left to import this file.")
        elif staged is not None and not staged.preview.rows:
            self.review_message.setText("No transactions could be read with these columns.")

    def _load_accounts(self) -> None:
        def read(ledger: Any) -> list[tuple[str, str]]:
            return [(a.name, a.currency) for a in ledger.accounts()]

        self.ctx.reader.submit(read, self._accounts)

    def _accounts(self, accounts: list[tuple[str, str]]) -> None:
        current = self.account.currentText()
        self.account.clear()
        self.account.addItems([name for name, _ in accounts])
        self.account.setCurrentText(current)
        self._account_currency = dict(accounts)

    # -- commit ----------------------------------------------------------------------------
    def commit(self) -> None:
        """Import the staged file into the chosen account, with progress."""
        staged = self.staged
        account = self.account.currentText().strip()
        if staged is None:
            return
        if not account:
            self.review_message.setText("Choose an account, or type a name for a new one.")
            return
        currency = self.target_currency()
        self._committed_warnings = warnings_of(staged)
        self.progress.setRange(0, max(1, staged.lines))
        self.progress.setValue(0)
        self.progress_label.setText(f"Importing {staged.path.name} into {account}…")
        self.stack.setCurrentIndex(2)
        last = [0.0]

        def progress(rows: int) -> None:  # on the writing lane
            now = time.monotonic()
            if now - last[0] >= PROGRESS_EVERY_S:
                last[0] = now
                self.ctx.delivery.hop(self.progress.setValue, rows)

        db = self.ctx.db

        def job(ledger: Any) -> Any:
            # a note for the next start, should Fincast be closed before this ends
            interrupted_import.started(db, staged.path.name, account)
            try:
                return import_jobs.commit(ledger, staged, account, currency, progress)
            finally:
                interrupted_import.finished(db)

        self.ctx.writer.submit(job, self._committed, self._commit_failed)

    def _committed(self, result: Any) -> None:
        self.last_result = result
        self.results.append(result)
        self.progress.setValue(self.progress.maximum())
        number = QLocale().toString
        parts = [
            f"Imported {number(result.imported)} transactions from {result.source_name} "
            f"into {result.account}."
        ]
        if result.duplicates:
            parts.append(
                f"{number(result.duplicates)} were already in the ledger and were skipped."
            )
        for warning in getattr(self, "_committed_warnings", []):
            # said again: the review page's warning is gone once the import is done
            parts.append(f"{warning} Undo this import if they look wrong.")
        self.result_label.setText(" ".join(parts))
        self.result_errors.clear()
        for err in result.errors:
            self.result_errors.addItem(f"line {err.line}: {err.reason}")
        self.result_errors.setVisible(bool(result.errors))
        self.undo_import_button.setEnabled(True)
        self.undo_import_button.setText("Undo this import")
        self.next_button.setVisible(bool(self.queue))
        self.stack.setCurrentIndex(3)
        self.ctx.events.changed.emit("import")
        self.imported_batch = result.batch_id

    def _commit_failed(self, exc: BaseException) -> None:
        self.stack.setCurrentIndex(1)
        self.review_message.setText(f"Nothing was imported: {exc}")
        errors = getattr(exc, "errors", ())
        if errors:
            self.errors.clear()
            for err in errors:
                self.errors.addItem(f"line {err.line}: {err.reason}")
            self.errors.setVisible(True)
            self.errors_label.setVisible(True)

    def undo_last_import(self) -> None:
        """Remove every transaction the last import added."""
        result = self.last_result
        if result is None:
            return
        self.undo_import_button.setEnabled(False)
        self._undo_batch(result.batch_id, self._undone)

    def _undo_batch(self, batch_id: int, done: Any) -> None:
        self.ctx.writer.submit(lambda ledger: ledger.undo_batch(batch_id), done, self._undo_failed)

    def _undone(self, removed: int) -> None:
        self.undo_import_button.setText(f"Import undone ({removed} removed)")
        self.last_result = None
        self.ctx.events.changed.emit("undo")

    def _undo_failed(self, exc: BaseException) -> None:
        self.choose_message.setText(f"The import could not be undone: {exc}")
        self.result_label.setText(f"The import could not be undone: {exc}")

    def cancel(self) -> None:
        """Drop the queue and go back to the start."""
        self.queue.clear()
        self._finish()

    def _finish(self) -> None:
        self.staged = None
        self.stack.setCurrentIndex(0)
        self._load_history()
        if self.results:
            self.imported.emit()

    # -- history ---------------------------------------------------------------------------
    def _ledger_changed(self, what: str) -> None:
        if what in ("import", "undo", "demo"):
            self._load_history()

    def _load_history(self) -> None:
        self.ctx.reader.submit(lambda ledger: ledger.batches()[:50], self._history)

    def _history(self, batches: list[Any]) -> None:
        self.batches.clear()
        self._batch_ids = []
        self._batch_list = batches
        number = QLocale().toString  # "50,000 imported", as the result page says it
        for b in batches:
            self.batches.addItem(
                f"{local_time(b.created)}  {b.file_name} → {b.account}: "
                f"{number(b.imported)} imported, {number(b.duplicates)} duplicates"
            )
            self._batch_ids.append(b.id)
        self.undo_batch_button.setEnabled(bool(batches))

    def _undo_selected_batch(self) -> None:
        row = self.batches.currentRow()
        batches = getattr(self, "_batch_list", [])
        if not 0 <= row < len(batches):
            self.choose_message.setText("Choose the import to undo in the list first.")
            return
        batch = batches[row]
        # Removing an import cannot itself be undone (only importing the file again brings
        # the rows back, without the categories set on them since), so ask first; the box is
        # window-modal and opened without a nested event loop.
        box = QMessageBox(self)
        box.setWindowTitle("Undo an import")
        box.setIcon(QMessageBox.Icon.Warning)
        n = QLocale().toString(batch.imported)
        box.setText(
            f"Remove the {n} transaction{'s' if batch.imported != 1 else ''} imported from "
            f"{batch.file_name} into {batch.account} ({local_time(batch.created)})?"
        )
        box.setInformativeText(
            "Categories you set on them go with them. This cannot be undone: importing the "
            "file again brings the transactions back, without those categories."
        )
        go = box.addButton("Remove", QMessageBox.ButtonRole.AcceptRole)
        box.addButton(QMessageBox.StandardButton.Cancel)
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)

        def finished(_result: int) -> None:
            self.confirmation = None
            if box.clickedButton() is go:
                self._undo_batch(batch.id, self._batch_undone)
            box.deleteLater()

        box.finished.connect(finished)
        self.confirmation = box
        box.open()

    def _batch_undone(self, removed: int) -> None:
        self.choose_message.setText(f"Import undone: {removed} transactions removed.")
        self.ctx.events.changed.emit("undo")
