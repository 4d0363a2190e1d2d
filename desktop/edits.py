"""Undoable edits of the ledger from the desktop (QUndoStack commands).

Each command changes what the table shows at once, writes through the writing lane, and tells the
categorizer about a user's correction (through desktop/categorizing.py). Undo puts
back the category and its source as they were, and re-queues rows that were still waiting for the
categorizer. Commands never touch SQLite on the GUI thread.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from PySide6.QtGui import QUndoCommand

from data.ledger import LedgerError, Txn
from desktop.context import AppContext
from desktop.models.transactions_model import TransactionsModel

log = logging.getLogger(__name__)


def teach(ctx: AppContext, txns: list[Txn], category: str) -> None:
    """Feed a user's correction to the categorizer's learning (a debounced background retrain)."""
    from desktop import categorizing

    examples = [
        {
            "id": t.id,
            "description": t.description,
            "payee": t.payee,
            "amount": t.amount,
            "currency": t.currency,
            "category": category,
        }
        for t in txns
    ]
    try:
        categorizing.learn(ctx, examples)
    except Exception:
        log.exception("feeding a correction to the categorizer failed")


def unteach(ctx: AppContext, txns: list[Txn]) -> None:
    """Tell the categorizer's learning that a correction of `txns` was undone (a retrain)."""
    from desktop import categorizing

    try:
        categorizing.unlearn(ctx, {t.payee for t in txns if t.payee})
    except Exception:
        log.exception("telling the categorizer of an undone correction failed")


class DoneBeforePush(QUndoCommand):
    """A change already made on a lane when its command is pushed, so that a refused change
    never reaches the stack: QUndoStack.push calls redo at once, and that first call does
    nothing; later redos call `again`."""

    def __init__(self, text: str) -> None:
        super().__init__(text)
        self._done_once = True

    def redo(self) -> None:
        """Do the change again (not the first time: it was done before the push)."""
        if self._done_once:
            self._done_once = False
            return
        self.again()

    def again(self) -> None:
        """Make the change once more, after an undo."""
        raise NotImplementedError


class SetCategory(QUndoCommand):
    """Set the category of some transactions (one inline edit or a bulk edit)."""

    def __init__(
        self,
        ctx: AppContext,
        model: TransactionsModel,
        txns: list[Txn],
        category: str | None,
        refused: Callable[[str], None] | None = None,
    ) -> None:
        n = len(txns)
        what = category or "no category"
        super().__init__(f"set {n} transaction{'s' if n != 1 else ''} to {what}")
        self.ctx = ctx
        self.model = model
        self.txns = txns
        self.category = category
        self.ids = [t.id for t in txns]
        self.refused = refused

    def redo(self) -> None:
        """Apply the new category."""
        ids, category = self.ids, self.category
        self.model.patch_category(ids, category, "user")
        self.ctx.writer.submit(
            lambda ledger: ledger.set_category(ids, category, source="user"),
            lambda _n: self.ctx.events.changed.emit("categories"),
            self._failed,
        )
        if category is not None:
            teach(self.ctx, self.txns, category)

    def _failed(self, exc: BaseException) -> None:
        """The ledger refused the change (a 500-character name, a locked file): the rows show
        what they hold again, the step leaves the undo stack when next undone or redone, and
        the page says why. The table showed the new category, "you", while the write failed
        with a traceback in the log only (audit 8)."""
        if not isinstance(exc, LedgerError):
            log.error("setting a category failed", exc_info=exc)
        self.model.replace({t.id: t for t in self.txns})
        refused, stack = self.refused, self.ctx.undo
        self.setObsolete(True)
        if stack.index() > 0 and stack.command(stack.index() - 1) is self:
            stack.undo()  # an obsolete step leaves the stack as it is undone: Edit > Undo is honest
        if refused is not None:
            refused(str(exc))

    def undo(self) -> None:
        """Put back each row as it was: its category and source, and the categorizer's
        confidence, suggestion and reasons; rows that were pending wait again."""
        txns = self.txns
        self.model.replace({t.id: t for t in txns})
        pending = any(t.categorize_state == "pending" for t in txns)
        # Rows put back to pending must wake the categorize pump, which listens for "undo".
        what = "undo" if pending else "categories"
        # As they were, whole and in one transaction: set_category clears the confidence and
        # the suggestion, and marks a cleared row 'skipped' for good (audit 8); put back in
        # several writes, a kill between them left 49,999 rows uncategorized (audit 9).
        self.ctx.writer.submit(
            lambda ledger: ledger.restore_categories(txns), lambda _n: self._undone(what)
        )

    def _undone(self, what: str) -> None:
        self.ctx.events.changed.emit(what)
        if self.category is not None:  # the categorizer learned the undone name: unlearn it
            unteach(self.ctx, self.txns)
