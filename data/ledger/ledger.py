"""The one Ledger API that the CLI, the desktop and the categorize loop use.

A Ledger is one SQLite connection in autocommit mode; every write is an explicit transaction, so a
failure leaves nothing half-written. The connection is reopened, never written through, once
another process has deleted its write-ahead log (walguard.py). Use it from one thread at a time.
It never imports Qt, ZeroMQ or a model library, and never changes a transaction's raw description.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import sqlite3
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, TextIO

from data import paths

from . import aggregates, queries, rules_store, search, tidy
from .aggregates import LedgerStats, MonthTotals
from .connection import BUSY_MS
from .marks import TextMarks
from .schema import TEXT_DELETE_TRIGGER, TEXT_ROW
from .tidy import (
    AccountChange,
    AccountDeletion,
    AccountUsage,
    CategoryChange,
    CategoryDeletion,
    CategoryUsage,
    RulesPolicy,
)
from .types import (
    Account,
    Batch,
    Category,
    CategorySource,
    ImportResult,
    LedgerError,
    Order,
    Prediction,
    Rule,
    RuleField,
    RuleOp,
    TxFilter,
    Txn,
)
from .walguard import GuardedConnection

if TYPE_CHECKING:
    from data.importer import Detection, Mapping

    from .backup import BackupInfo

_CURRENCY = re.compile(r"^[A-Z]{3}$")
_MAX_NAME = 200


def _clean_name(name: str, what: str) -> str:
    cleaned = " ".join(str(name).split())
    if not cleaned:
        raise LedgerError(f"{what} name is empty")
    if len(cleaned) > _MAX_NAME:
        raise LedgerError(f"{what} name is longer than {_MAX_NAME} characters")
    if any(ord(ch) < 32 or ord(ch) == 127 for ch in cleaned):
        raise LedgerError(f"{what} name contains control characters")
    return cleaned


def _key(name: str) -> str:
    """A name as typed, spaced as stored names are, for looking one up."""
    return " ".join(str(name).split())


def _category_ids(conn: sqlite3.Connection) -> Callable[[str | None], int | None]:
    """The id of a category the categorizer or an undo names, through tidy.resolve (a renamed
    or merged category's old name is followed, a deleted one is None, not recreated), each
    name looked up once per write."""
    cache: dict[str, int | None] = {}

    def cat_id(name: str | None) -> int | None:
        if name is None:
            return None
        if name not in cache:
            cache[name] = tidy.resolve(conn, _clean_name(name, "category"))
        return cache[name]

    return cat_id


class Ledger:
    """Accounts, transactions, categories, import batches, profiles and rules in one SQLite file."""

    def __init__(self, path: Path) -> None:
        self._marks = TextMarks()  # left by counts of common text, for deep pages of it
        # a reopened connection's data_version and total_changes start again: the marks go
        self._db = GuardedConnection(path.expanduser(), on_reopen=self._marks.clear)
        self.path = path

    @property
    def _conn(self) -> sqlite3.Connection:
        """The connection, reopened first if another process deleted its write-ahead log (see
        walguard: one os.stat per use)."""
        return self._db.current()

    # -- life -----------------------------------------------------------------------------------

    @classmethod
    def open(cls, path: Path | str | None = None) -> Ledger:
        """Open (creating 0600 if needed, WAL, migrated) the ledger at `path` or the default one."""
        target = Path(path) if path is not None else paths.default_ledger()
        return cls(target)

    def close(self) -> None:
        """Close the connection; the ledger cannot be used afterwards."""
        self._db.close()

    def __enter__(self) -> Ledger:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    @contextmanager
    def _write(self, wait_ms: int = BUSY_MS) -> Iterator[sqlite3.Connection]:
        """One write transaction: committed whole, or rolled back on any exception."""
        conn = self._conn
        try:
            if wait_ms != BUSY_MS:
                conn.execute(f"PRAGMA busy_timeout = {int(wait_ms)}")
            conn.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            raise LedgerError(f"the ledger {self.path} is busy or read-only: {exc}") from exc
        finally:
            if wait_ms != BUSY_MS:
                conn.execute(f"PRAGMA busy_timeout = {BUSY_MS}")
        try:
            yield conn
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        try:
            conn.execute("COMMIT")
        except sqlite3.OperationalError as exc:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise LedgerError(f"could not save to the ledger {self.path}: {exc}") from exc

    @contextmanager
    def snapshot(self) -> Iterator[None]:
        """Reads inside the block see the ledger as of one moment (one read transaction), while
        other connections go on writing; inside a transaction already, that one's view."""
        conn = self._conn
        if conn.in_transaction:
            yield
            return
        conn.execute("BEGIN")
        try:
            conn.execute("SELECT upto FROM text_indexed").fetchone()  # BEGIN alone reads nothing
            yield
        finally:
            if conn.in_transaction:  # SQLite may have ended it already on an error
                conn.execute("COMMIT")

    def export_csv(
        self,
        target: Path | str | TextIO,
        flt: TxFilter | None = None,
        progress: Callable[[int], None] | None = None,
        *,
        overwrite: bool = True,
    ) -> int:
        """Write the transactions matching `flt` as CSV (see export.py), atomically to a path
        or to an open handle; returns how many rows were written."""
        from .export import export_csv

        return export_csv(self, target, flt, progress, overwrite=overwrite)

    def backup(self, target: Path | str, *, overwrite: bool = True) -> BackupInfo:
        """A consistent copy of the whole ledger at `target` (see backup.py), safe while another
        connection writes; says where it is and what it holds. The copy opens with Ledger.open."""
        from .backup import backup

        return backup(self._conn, self.path, Path(target), overwrite=overwrite)

    def dump(self) -> list[str]:
        """Every row as SQL text (tests compare dumps before and after a refused write)."""
        return list(self._conn.iterdump())

    # -- accounts -------------------------------------------------------------------------------

    def accounts(self) -> list[Account]:
        """All accounts by name."""
        rows = self._conn.execute("SELECT id, name, currency FROM accounts ORDER BY name")
        return [Account(*row) for row in rows]

    def account(self, name: str) -> Account | None:
        """The account called `name`, or None."""
        row = self._conn.execute(
            "SELECT id, name, currency FROM accounts WHERE name = ?", (" ".join(name.split()),)
        ).fetchone()
        return Account(*row) if row else None

    def account_currency(self, name: str, new: str) -> str:
        """The currency rows imported into `name` are in: an existing account keeps its own, a new
        one would be created in `new`."""
        known = self.account(name)
        return known.currency if known is not None else new

    def statement_lines(self, name: str) -> Iterator[tuple[dt.date, int, int | None]]:
        """(date, amount, the running balance the statement stated or None) of every row of the
        account `name` in its own currency, oldest first: what an opening balance is worked out
        from. A multi-currency statement's rows in another currency are not part of that
        balance (their minor units are another money), as in account_balances."""
        rows = self._conn.execute(
            "SELECT t.date, t.amount, t.balance FROM transactions t "
            "JOIN accounts a ON a.id = t.account_id AND a.currency = t.currency "
            "WHERE t.account_id = ? ORDER BY t.date, t.id",
            (self._account_id(name),),
        )
        for day, amount, balance in rows:
            yield dt.date.fromisoformat(day), amount, balance

    def ensure_account(self, name: str, currency: str = "USD") -> Account:
        """The account called `name`, created with `currency` if it does not exist yet."""
        existing = self.account(name)
        if existing:
            return existing
        with self._write() as conn:
            return self._ensure_account(conn, name, currency)

    def _ensure_account(self, conn: sqlite3.Connection, name: str, currency: str) -> Account:
        """ensure_account inside the caller's transaction."""
        name = _clean_name(name, "account")
        currency = currency.strip().upper()
        if not _CURRENCY.match(currency):
            raise LedgerError(f"not a currency code: {currency!r} (expected e.g. USD, EUR)")
        conn.execute(
            "INSERT OR IGNORE INTO accounts (name, currency) VALUES (?, ?)", (name, currency)
        )
        row = conn.execute("SELECT id, name, currency FROM accounts WHERE name = ?", (name,))
        return Account(*row.fetchone())

    def _account_id(self, name: str) -> int:
        found = self.account(name)
        if found is None:
            raise LedgerError(f"no account named {name!r}")
        return found.id

    def account_balances(self) -> dict[str, tuple[int, str]]:
        """Sum of amounts and currency per account name (the ledger's view, not the bank's).

        Only the rows in the account's own currency count: minor units of different currencies
        do not add up (a statement may hold a few rows in another; see foreign_rows)."""
        rows = self._conn.execute(
            "SELECT a.name, coalesce(sum(t.amount), 0), a.currency FROM accounts a "
            "LEFT JOIN transactions t ON t.account_id = a.id AND t.currency = a.currency "
            "GROUP BY a.id"
        ).fetchall()
        return {name: (total, currency) for name, total, currency in rows}

    def foreign_rows(self) -> dict[str, dict[str, int]]:
        """Per account name, how many of its rows are in each currency other than its own."""
        out: dict[str, dict[str, int]] = {}
        for name, currency, n in self._conn.execute(
            "SELECT a.name, t.currency, count(*) FROM transactions t "
            "JOIN accounts a ON a.id = t.account_id WHERE t.currency != a.currency "
            "GROUP BY a.id, t.currency ORDER BY a.name, t.currency"
        ):
            out.setdefault(name, {})[currency] = n
        return out

    # -- categories -----------------------------------------------------------------------------

    def categories(self) -> list[Category]:
        """All categories by name."""
        rows = self._conn.execute("SELECT id, name FROM categories ORDER BY name").fetchall()
        return [Category(*row) for row in rows]

    def ensure_category(self, name: str) -> Category:
        """The category called `name`, created if needed."""
        name = _clean_name(name, "category")
        with self._write() as conn:
            return Category(*self._category_row(conn, name))

    @staticmethod
    def _category_row(conn: sqlite3.Connection, name: str) -> tuple[int, str]:
        conn.execute("INSERT OR IGNORE INTO categories (name) VALUES (?)", (name,))
        row = conn.execute("SELECT id, name FROM categories WHERE name = ?", (name,)).fetchone()
        return (row[0], row[1])

    def _category_id(self, name: str) -> int | None:
        row = self._conn.execute("SELECT id FROM categories WHERE name = ?", (name,)).fetchone()
        return row[0] if row else None

    # -- tidying categories and accounts (see tidy.py) ------------------------------------------

    def category_usage(self) -> list[CategoryUsage]:
        """Every category with its transaction, rule and suggestion counts, by name."""
        return tidy.category_usage(self._conn)

    def account_usage(self) -> list[AccountUsage]:
        """Every account with its transaction, import and rule counts, by name."""
        return tidy.account_usage(self._conn)

    def rename_category(self, old: str, new: str) -> CategoryChange:
        """Rename a category, or merge it into `new` when that exists (see tidy.py)."""
        with self._write() as conn:
            return tidy.rename_category(conn, _key(old), _clean_name(new, "category"))

    def undo_category_change(self, change: CategoryChange) -> None:
        """Put back a rename or merge exactly as it was before."""
        with self._write() as conn:
            tidy.undo_category_change(conn, change)

    def delete_category(self, name: str, *, rules: RulesPolicy = "refuse") -> CategoryDeletion:
        """Delete a category; its transactions become uncategorized (see tidy.py)."""
        with self._write() as conn:
            return tidy.delete_category(conn, _key(name), rules)

    def undo_category_deletion(self, gone: CategoryDeletion) -> None:
        """Bring a deleted category back with what it had."""
        with self._write() as conn:
            tidy.undo_category_deletion(conn, gone)

    def rename_account(self, old: str, new: str) -> AccountChange:
        """Rename an account (refused if `new` exists: accounts are not merged)."""
        with self._write() as conn:
            return tidy.rename_account(conn, _key(old), _clean_name(new, "account"))

    def delete_account(self, name: str, *, with_transactions: bool = False) -> AccountDeletion:
        """Delete an account; refused while it has transactions unless `with_transactions`."""
        with self._write() as conn:
            return tidy.delete_account(conn, _key(name), with_transactions=with_transactions)

    # -- transactions ---------------------------------------------------------------------------

    def index_text(self, wait_ms: int = BUSY_MS, chunks: int | None = None) -> int:
        """Put the text of rows added since the text index last caught up into it (imports
        leave that to the first search after them, or to the desktop's background catch-up);
        returns how many rows it took.

        One transaction per search.CATCH_UP_ROWS ids: another connection that wants to write
        waits for one of them, not for the whole catch-up, and an interrupted catch-up keeps what
        it did. `chunks` stops after that many transactions (a caller that must stay
        interruptible).
        """
        return search.index_text(self, wait_ms, chunks)

    def transactions(
        self,
        flt: TxFilter | None = None,
        *,
        offset: int = 0,
        limit: int = 100,
        order: Order = "date_desc",
    ) -> list[Txn]:
        """One page of transactions matching `flt`, newest first by default."""
        if order not in queries.ORDER_SQL:
            raise LedgerError(f"unknown order {order!r}")
        if offset < 0 or limit < 0:
            raise LedgerError("offset and limit must not be negative")
        return search.page(self, flt or TxFilter(), order, offset, limit)

    def iter_transactions(
        self, flt: TxFilter | None = None, *, order: Order = "date_desc", chunk: int = 5000
    ) -> Iterator[Txn]:
        """Every matching transaction, fetched in pages so memory stays bounded."""
        offset = 0
        while True:
            page = self.transactions(flt, offset=offset, limit=chunk, order=order)
            yield from page
            if len(page) < chunk:
                return
            offset += chunk

    def count(self, flt: TxFilter | None = None) -> int:
        """How many transactions match `flt`."""
        return search.count(self, flt or TxFilter())

    def totals(self, flt: TxFilter | None = None) -> list[tuple[str, int]]:
        """The sum of the amounts matching `flt` per currency (minor units), most rows first."""
        return search.totals(self, flt or TxFilter())

    def get(self, txn_id: int) -> Txn | None:
        """The transaction with id `txn_id`, or None."""
        page = self.transactions(TxFilter(ids=(txn_id,)), limit=1)
        return page[0] if page else None

    def set_category(
        self, txn_ids: Iterable[int], category: str | None, source: CategorySource = "user"
    ) -> int:
        """Set (or with None clear) the category of `txn_ids`; returns how many rows changed.

        Clearing marks the rows 'skipped' so that the categorize loop does not fill them again.
        """
        ids = list(txn_ids)
        with self._write() as conn:
            rows: list[tuple[int | None, str | None, str, int]]
            if category is None:
                rows = [(None, None, "skipped", i) for i in ids]
            else:
                cat_id = self._category_row(conn, _clean_name(category, "category"))[0]
                rows = [(cat_id, source, "done", i) for i in ids]
            cur = conn.executemany(
                "UPDATE transactions SET category_id = ?, category_source = ?, confidence = NULL, "
                "suggestion_id = NULL, categorize_state = ? WHERE id = ?",
                rows,
            )
            return cur.rowcount

    def restore_categories(self, txns: Iterable[Txn]) -> int:
        """Store the categorization of `txns` exactly as they hold it (an undo puts rows back as
        they were before an edit): category and source, confidence, suggestion, reasons and
        state, whoever's they are, in one transaction, so that an undo cut short changes
        nothing. The undo had taken four writes, and Fincast killed between them left rows
        without their categories (audit 9). A category renamed or merged since is followed; a
        deleted one leaves the row uncategorized, as its deletion did. Returns how many rows
        were found."""
        with self._write() as conn:
            cat_id = _category_ids(conn)
            rows = [
                (
                    cat_id(t.category),
                    t.category_source if cat_id(t.category) is not None else None,
                    t.confidence,
                    cat_id(t.suggestion),
                    json.dumps(list(t.reasons)) if t.reasons else None,
                    t.categorize_state,
                    t.id,
                )
                for t in txns
            ]
            cur = conn.executemany(
                "UPDATE transactions SET category_id = ?, category_source = ?, confidence = ?, "
                "suggestion_id = ?, reasons = ?, categorize_state = ? WHERE id = ?",
                rows,
            )
            return cur.rowcount

    def set_payee(self, txn_ids: Iterable[int], payee: str) -> int:
        """Rename the payee of `txn_ids` (the raw description is never touched)."""
        payee = _clean_name(payee, "payee")
        with self._write() as conn:
            cur = conn.executemany(
                "UPDATE transactions SET payee = ? WHERE id = ?", [(payee, i) for i in txn_ids]
            )
            return cur.rowcount

    def pending_categorization(self, limit: int = 500) -> list[Txn]:
        """Transactions still waiting for the categorizer, in the order they were imported."""
        return self.transactions(TxFilter(categorize_state="pending"), limit=limit, order="id_asc")

    def mark_pending(self, txn_ids: Iterable[int] | None = None) -> int:
        """Queue `txn_ids` (None: every non-user-categorized row) for categorizing again."""
        with self._write() as conn:
            if txn_ids is None:
                cur = conn.execute(
                    "UPDATE transactions SET categorize_state = 'pending' "
                    "WHERE coalesce(category_source, '') != 'user'"
                )
            else:
                cur = conn.executemany(
                    "UPDATE transactions SET categorize_state = 'pending' "
                    "WHERE id = ? AND coalesce(category_source, '') != 'user'",
                    [(i,) for i in txn_ids],
                )
            return cur.rowcount

    def requeue_payees(self, payees: Iterable[str]) -> int:
        """Queue for the categorizer again the rows of `payees` that it categorized or left
        uncategorized (not the user's, not a rule's): after a correction has retrained it, the
        other rows of that payee follow the correction."""
        names = sorted({p for p in payees if p})
        changed = 0
        with self._write() as conn:
            for start in range(0, len(names), 500):  # under SQLite's bound-parameter limit
                chunk = names[start : start + 500]
                changed += conn.execute(
                    "UPDATE transactions SET categorize_state = 'pending' "
                    f"WHERE payee IN ({', '.join('?' * len(chunk))}) "
                    "AND coalesce(category_source, 'model') = 'model' "
                    "AND categorize_state != 'pending'",
                    chunk,
                ).rowcount
        return changed

    def apply_predictions(self, predictions: Sequence[Prediction]) -> int:
        """Store categorizer results; never overwrites a category the user chose. Returns count."""
        with self._write() as conn:
            cat_id = _category_ids(conn)
            rows = [
                (
                    cat_id(p.category),
                    p.source if cat_id(p.category) is not None else None,
                    p.confidence,
                    cat_id(p.suggestion),
                    json.dumps(list(p.reasons)) if p.reasons else None,
                    p.txn_id,
                )
                for p in predictions
            ]
            cur = conn.executemany(
                "UPDATE transactions SET category_id = ?, category_source = ?, confidence = ?, "
                "suggestion_id = ?, reasons = ?, categorize_state = 'done' "
                "WHERE id = ? AND coalesce(category_source, '') != 'user'",
                rows,
            )
            return cur.rowcount

    # -- aggregates (dashboards and reports; see aggregates.py) ---------------------------------

    def stats(self) -> LedgerStats:
        """Row count, pending count, the main currency and its newest date."""
        return aggregates.stats(self._conn)

    def newest_day(self, currency: str, upto: dt.date) -> dt.date | None:
        """The newest date up to `upto` with a row in `currency` (None if there is none)."""
        return aggregates.newest_day(self._conn, currency, upto)

    def spending_by_category(
        self, currency: str, start: dt.date, end: dt.date, *, exclude_transfers: bool = True
    ) -> list[tuple[str, int]]:
        """Money spent per category in [start, end), largest first (positive minor units)."""
        return aggregates.spending_by_category(self._conn, currency, start, end, exclude_transfers)

    def monthly_totals(
        self, currency: str, start: dt.date, end: dt.date, *, exclude_transfers: bool = True
    ) -> list[MonthTotals]:
        """Income and expenses per month in [start, end) that has rows, oldest first."""
        return aggregates.monthly_totals(self._conn, currency, start, end, exclude_transfers)

    def monthly_category_totals(
        self, currency: str, start: dt.date, end: dt.date, *, exclude_transfers: bool = True
    ) -> list[tuple[dt.date, str, int]]:
        """Net amount per (month, category) in [start, end); negative means money spent."""
        return aggregates.monthly_category_totals(
            self._conn, currency, start, end, exclude_transfers
        )

    def top_payees(
        self,
        currency: str,
        start: dt.date,
        end: dt.date,
        limit: int = 8,
        *,
        exclude_transfers: bool = True,
    ) -> list[tuple[str, int]]:
        """The payees most was spent on in [start, end), as (payee, positive minor units)."""
        return aggregates.top_payees(
            self._conn, currency, start, end, limit=limit, exclude_transfers=exclude_transfers
        )

    def month_end_balances(self, currency: str) -> list[tuple[dt.date, int]]:
        """Month-end balance of all accounts in `currency` together, oldest first."""
        return aggregates.month_end_balances(self._conn, currency)

    # -- imports --------------------------------------------------------------------------------

    def import_file(
        self,
        path: Path | str,
        account: str,
        *,
        mapping: Mapping | None = None,
        answers: dict[str, str] | None = None,
        prefer: Sequence[str] = (),
        locale: str | None = None,
        currency: str | None = None,
        progress: Callable[[int], None] | None = None,
    ) -> ImportResult:
        """Detect, check and commit one statement file into `account` atomically (a new account
        in `currency`, else the one its statement's headers name, else USD)."""
        from .importing import import_file

        return import_file(
            self,
            Path(path),
            account,
            mapping=mapping,
            answers=answers,
            prefer=prefer,
            locale=locale,
            currency=currency,
            progress=progress,
        )

    def commit_import(
        self,
        account: str,
        detection: Detection,
        mapping: Mapping | None = None,
        *,
        source_name: str,
        sha256: str | None = None,
        currency: str = "USD",
        progress: Callable[[int], None] | None = None,
    ) -> ImportResult:
        """Store every row of an already detected (and answered) file, whole or not at all."""
        from .importing import commit_import

        return commit_import(
            self,
            account,
            detection,
            mapping,
            source_name=source_name,
            sha256=sha256,
            currency=currency,
            progress=progress,
        )

    def batches(self) -> list[Batch]:
        """Every import batch, newest first."""
        rows = self._conn.execute(
            "SELECT b.id, a.name, b.file_name, b.sha256, b.profile_key, b.imported, b.duplicates, "
            "b.created FROM batches b JOIN accounts a ON a.id = b.account_id ORDER BY b.id DESC"
        ).fetchall()
        return [Batch(*row) for row in rows]

    def undo_batch(self, batch_id: int) -> int:
        """Remove an import batch and every transaction it added; returns how many were removed."""
        with self._write() as conn:
            if conn.execute("SELECT 1 FROM batches WHERE id = ?", (batch_id,)).fetchone() is None:
                raise LedgerError(f"no import batch {batch_id}")
            # one bulk statement unindexes the batch's text; the per-row trigger is far slower
            conn.execute("DROP TRIGGER IF EXISTS tx_text_delete")
            conn.execute(
                "INSERT INTO tx_text (tx_text, rowid, description, payee) "
                f"SELECT 'delete', {TEXT_ROW.format(row='transactions')} FROM transactions "
                "WHERE batch_id = ? AND id <= (SELECT upto FROM text_indexed) ORDER BY 2",
                (batch_id,),
            )
            removed = conn.execute("DELETE FROM transactions WHERE batch_id = ?", (batch_id,))
            conn.execute(TEXT_DELETE_TRIGGER)
            conn.execute("DELETE FROM batches WHERE id = ?", (batch_id,))
            return removed.rowcount

    # -- import profiles ------------------------------------------------------------------------

    def profile(self, profile_key: str, account: str | None = None) -> str | None:
        """Saved mapping JSON for a header: the account's own first, else the latest of any."""
        account_id = 0
        if account is not None:
            found = self.account(account)
            account_id = found.id if found else -1
        row = self._conn.execute(
            "SELECT mapping FROM profiles WHERE profile_key = ? "
            "ORDER BY (account_id = ?) DESC, updated DESC, rowid DESC LIMIT 1",
            (profile_key, account_id),
        ).fetchone()
        return row[0] if row else None

    def save_profile(self, profile_key: str, mapping_json: str, account: str | None = None) -> None:
        """Remember how a header's files are read (per account when `account` is given)."""
        with self._write() as conn:
            self._save_profile(conn, profile_key, mapping_json, account)

    def _save_profile(
        self, conn: sqlite3.Connection, profile_key: str, mapping_json: str, account: str | None
    ) -> None:
        account_id = self._account_id(account) if account is not None else 0
        conn.execute(
            "INSERT INTO profiles (profile_key, account_id, mapping) VALUES (?, ?, ?) "
            "ON CONFLICT (profile_key, account_id) DO UPDATE SET mapping = excluded.mapping, "
            "updated = strftime('%Y-%m-%dT%H:%M:%SZ', 'now')",
            (profile_key, account_id, mapping_json),
        )

    # -- rules (storage in rules_store.py; data/rules.py matches them) -------------------------

    def rules(self) -> list[Rule]:
        """All rules in the order they are tried."""
        return rules_store.rules(self._conn)

    def add_rule(
        self,
        field: RuleField,
        op: RuleOp,
        pattern: str,
        category: str | None,
        *,
        amount_min: int | None = None,
        amount_max: int | None = None,
        account: str | None = None,
        rename_payee: str | None = None,
        position: int | None = None,
        currency: str | None = None,
    ) -> Rule:
        """Store a rule (last, or at `position`, 1-based); it needs a category or a payee rename.

        Amount limits are minor units of one currency: the account's when the rule names one
        (a different `currency` is refused), else `currency`, else the one most rows are in."""
        rules_store.check_rule(
            field,
            op,
            pattern,
            category=category,
            amount_min=amount_min,
            amount_max=amount_max,
            rename_payee=rename_payee,
        )
        with self._write() as conn:
            account_id = self._account_id(account) if account is not None else None
            cat_id = (
                self._category_row(conn, _clean_name(category, "category"))[0]
                if category is not None
                else None
            )
            limits_in = self._rule_currency(account, currency, amount_min, amount_max)
            values = (
                field,
                op,
                pattern,
                amount_min,
                amount_max,
                account_id,
                cat_id,
                rename_payee,
                limits_in,
            )
            rule_id = rules_store.insert_rule(conn, values, position)
        return next(r for r in self.rules() if r.id == rule_id)

    def _rule_currency(
        self,
        account: str | None,
        currency: str | None,
        amount_min: int | None,
        amount_max: int | None,
    ) -> str | None:
        if amount_min is None and amount_max is None:
            return None  # no limits: nothing to read in a currency
        given = currency.strip().upper() if currency else None
        if given is not None and not _CURRENCY.match(given):
            raise LedgerError(f"not a currency code: {currency!r} (expected e.g. USD, EUR)")
        if account is not None:
            own = self.account(account)
            if own is None:
                raise LedgerError(f"no account named {account!r}")
            if given is not None and given != own.currency:
                raise LedgerError(
                    f"the account {own.name!r} is in {own.currency}: a rule for it compares "
                    f"amounts in {own.currency}, not {given}"
                )
            return own.currency
        return given or self.stats().main_currency or "USD"

    def remove_rule(self, rule_id: int) -> None:
        """Delete a rule; the ones after it move up."""
        with self._write() as conn:
            rules_store.remove_rule(conn, rule_id)

    def move_rule(self, rule_id: int, position: int) -> None:
        """Move a rule to `position` (1-based, clamped to the list)."""
        with self._write() as conn:
            rules_store.move_rule(conn, rule_id, position)
