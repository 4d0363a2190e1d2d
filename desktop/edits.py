"""Undoable edits of the ledger from the desktop (QUndoStack commands).

Each command changes what the table shows at once, writes through the writing lane, and tells the
categorizer about a user's correction (through desktop/categorizing.py). Undo puts
back the category and its source as they were, and re-queues rows that were still waiting for the
categorizer. Commands never touch SQLite on the GUI thread.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from typing import Any

from PySide6.QtGui import QUndoCommand

from data.ledger import Txn
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
        self, ctx: AppContext, model: TransactionsModel, txns: list[Txn], category: str | None
    ) -> None:
        n = len(txns)
        what = category or "no category"
        super().__init__(f"set {n} transaction{'s' if n != 1 else ''} to {what}")
        self.ctx = ctx
        self.model = model
        self.txns = txns
        self.category = category
        self.ids = [t.id for t in txns]

    def redo(self) -> None:
        """Apply the new category."""
        ids, category = self.ids, self.category
        self.model.patch_category(ids, category, "user")
        self.ctx.writer.submit(
            lambda ledger: ledger.set_category(ids, category, source="user"),
            lambda _n: self.ctx.events.changed.emit("categories"),
        )
        if category is not None:
            teach(self.ctx, self.txns, category)

    def undo(self) -> None:
        """Put back each row's category and source; rows that were pending wait again."""
        groups: dict[tuple[str | None, str | None], list[int]] = defaultdict(list)
        pending: list[int] = []
        for t in self.txns:
            groups[(t.category, t.category_source)].append(t.id)
            if t.categorize_state == "pending":
                pending.append(t.id)

        def put_back(ledger: Any) -> None:
            for (category, source), ids in groups.items():
                ledger.set_category(ids, category, source=source or "user")
            if pending:
                ledger.mark_pending(pending)

        self.model.replace({t.id: t for t in self.txns})
        # Rows put back to pending must wake the categorize pump, which listens for "undo".
        what = "undo" if pending else "categories"
        self.ctx.writer.submit(put_back, lambda _n: self.ctx.events.changed.emit(what))
