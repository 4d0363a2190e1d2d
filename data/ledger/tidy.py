"""Tidying categories and accounts: rename, merge and delete, and undoing a category change.

Every function here runs inside the caller's one write transaction (Ledger._write), so a refusal
or a failure half-way leaves the ledger as it was. What a change moved is recorded by id in the
value it returns, so that undo puts back exactly which transactions and rules had which category.

Outside the ledger a category is known by its name: the categorizer learned names and predicts
them. So a rename or merge leaves the old name in category_aliases (schema migration 9), pointing
at the category it became, and a delete leaves it pointing at none; `resolve` (which
apply_predictions uses) follows it instead of creating the old category again. A category that
exists under a name always wins over an alias of that name.

Names arrive cleaned (Ledger does that); this module never imports Qt or a model library.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from .schema import TEXT_DELETE_TRIGGER, TEXT_ROW
from .types import LedgerError

RulesPolicy = Literal["refuse", "delete"]
# an alias row as it was: (name, category id, or None for a deleted category)
AliasRow = tuple[str, int | None]
# a transaction's category fields as they were: (id, source, confidence, state, reasons)
TxnCategory = tuple[int, str | None, float | None, str, str | None]
# a rule row as it was, every column (see schema migration 1)
RuleRow = tuple[object, ...]
_RULE_COLUMNS = (
    "id, position, field, op, pattern, amount_min, amount_max, account_id, category_id, "
    "rename_payee, created, currency"
)


@dataclass(frozen=True)
class CategoryUsage:
    """A category with how much refers to it."""

    name: str
    transactions: int
    rules: int
    suggestions: int


@dataclass(frozen=True)
class AccountUsage:
    """An account with how much belongs to it."""

    name: str
    currency: str
    transactions: int
    batches: int
    rules: int


@dataclass(frozen=True)
class CategoryChange:
    """What a category rename (or, when `merged`, a merge into an existing one) did."""

    old: str
    new: str
    merged: bool
    old_id: int
    new_id: int
    transactions: tuple[int, ...] = ()  # rows whose category moved (a merge only)
    suggestions: tuple[int, ...] = ()  # rows whose suggestion moved (a merge only)
    rules: tuple[int, ...] = ()  # rules whose category moved (a merge only)
    aliases: tuple[AliasRow, ...] = ()  # alias rows this change rewrote, as they were
    touched: int = 0  # transactions now shown under the new name (either kind)
    rules_touched: int = 0


@dataclass(frozen=True)
class CategoryDeletion:
    """What deleting a category did, with what it cleared (for undo)."""

    name: str
    category_id: int
    transactions: tuple[TxnCategory, ...]  # now uncategorized ('skipped')
    suggestions: tuple[int, ...]  # rows whose suggestion was cleared
    rules_deleted: tuple[RuleRow, ...]  # rules that only set this category
    rules_cleared: tuple[int, ...]  # rules that keep renaming the payee, category cleared
    aliases: tuple[AliasRow, ...]


@dataclass(frozen=True)
class AccountChange:
    """An account rename."""

    old: str
    new: str
    account_id: int


@dataclass(frozen=True)
class AccountDeletion:
    """What deleting an account removed."""

    name: str
    transactions: int
    batches: int
    profiles: int
    rules: int


# -- reading ------------------------------------------------------------------------------------


def category_usage(conn: sqlite3.Connection) -> list[CategoryUsage]:
    """Every category by name with its transaction, rule and suggestion counts."""
    # grouped once per table: nothing indexes suggestion_id, so a count per category would
    # read every row once for each category
    rows = conn.execute(
        "SELECT c.name, coalesce(t.n, 0), coalesce(r.n, 0), coalesce(s.n, 0) FROM categories c "
        "LEFT JOIN (SELECT category_id AS id, count(*) AS n FROM transactions "
        "WHERE category_id IS NOT NULL GROUP BY category_id) t ON t.id = c.id "
        "LEFT JOIN (SELECT category_id AS id, count(*) AS n FROM rules "
        "WHERE category_id IS NOT NULL GROUP BY category_id) r ON r.id = c.id "
        "LEFT JOIN (SELECT suggestion_id AS id, count(*) AS n FROM transactions "
        "WHERE suggestion_id IS NOT NULL GROUP BY suggestion_id) s ON s.id = c.id "
        "ORDER BY c.name"
    )
    return [CategoryUsage(*row) for row in rows]


def account_usage(conn: sqlite3.Connection) -> list[AccountUsage]:
    """Every account by name with its transaction, import and rule counts."""
    rows = conn.execute(
        "SELECT a.name, a.currency, "
        "(SELECT count(*) FROM transactions t WHERE t.account_id = a.id), "
        "(SELECT count(*) FROM batches b WHERE b.account_id = a.id), "
        "(SELECT count(*) FROM rules r WHERE r.account_id = a.id) "
        "FROM accounts a ORDER BY a.name"
    )
    return [AccountUsage(*row) for row in rows]


def resolve(conn: sqlite3.Connection, name: str) -> int | None:
    """The id of the category a predicted `name` stands for: the one called so, else the one an
    alias says it became, None if it was deleted, else a new category by that name."""
    row = conn.execute("SELECT id FROM categories WHERE name = ?", (name,)).fetchone()
    if row is not None:
        return int(row[0])
    alias = conn.execute(
        "SELECT category_id FROM category_aliases WHERE name = ?", (name,)
    ).fetchone()
    if alias is not None:
        return None if alias[0] is None else int(alias[0])
    return int(conn.execute("INSERT INTO categories (name) VALUES (?)", (name,)).lastrowid or 0)


def _category_id(conn: sqlite3.Connection, name: str) -> int:
    if not name:
        raise LedgerError("no category given")
    row = conn.execute("SELECT id FROM categories WHERE name = ?", (name,)).fetchone()
    if row is None:
        raise LedgerError(f"no category named {name!r}")
    return int(row[0])


def _account_id(conn: sqlite3.Connection, name: str) -> int:
    if not name:
        raise LedgerError("no account given")
    row = conn.execute("SELECT id FROM accounts WHERE name = ?", (name,)).fetchone()
    if row is None:
        raise LedgerError(f"no account named {name!r}")
    return int(row[0])


def _ids(conn: sqlite3.Connection, sql: str, *params: object) -> tuple[int, ...]:
    return tuple(int(row[0]) for row in conn.execute(sql, params))


def _alias_rows(conn: sqlite3.Connection, name: str, category_id: int) -> tuple[AliasRow, ...]:
    """The alias rows a change of `name` (id `category_id`) will rewrite, as they are now."""
    return tuple(
        (str(n), None if c is None else int(c))
        for n, c in conn.execute(
            "SELECT name, category_id FROM category_aliases WHERE name = ? OR category_id = ? "
            "ORDER BY name",
            (name, category_id),
        )
    )


def _put_back_aliases(conn: sqlite3.Connection, name: str, rows: Sequence[AliasRow]) -> None:
    """Undo's half for aliases: `name`'s alias and the recorded rows, exactly as they were."""
    conn.execute("DELETE FROM category_aliases WHERE name = ?", (name,))
    for alias, target in rows:
        _set_alias(conn, alias, target)


def _set_alias(conn: sqlite3.Connection, name: str, category_id: int | None) -> None:
    conn.execute(
        "INSERT INTO category_aliases (name, category_id) VALUES (?, ?) "
        "ON CONFLICT (name) DO UPDATE SET category_id = excluded.category_id",
        (name, category_id),
    )


def _renumber_rules(conn: sqlite3.Connection) -> None:
    """Positions 1..n again, in the order the rules had (after some were deleted)."""
    order = _ids(conn, "SELECT id FROM rules ORDER BY position, id")
    conn.executemany(
        "UPDATE rules SET position = ? WHERE id = ?", [(i, r) for i, r in enumerate(order, 1)]
    )


# -- categories ---------------------------------------------------------------------------------


def rename_category(conn: sqlite3.Connection, old: str, new: str) -> CategoryChange:
    """Rename `old` to `new`; when `new` exists, merge `old` into it (every transaction,
    suggestion and rule of `old` moves to `new`, and `old` is removed)."""
    old_id = _category_id(conn, old)
    if old == new:
        raise LedgerError(f"the category is already called {new!r}")
    aliases = _alias_rows(conn, old, old_id)
    row = conn.execute("SELECT id FROM categories WHERE name = ?", (new,)).fetchone()
    if row is None:
        conn.execute("UPDATE categories SET name = ? WHERE id = ?", (new, old_id))
        # aliases of old_id follow the row (they hold its id); the old name joins them
        _set_alias(conn, old, old_id)
        return CategoryChange(
            old,
            new,
            False,
            old_id,
            old_id,
            aliases=aliases,
            touched=_count(conn, "transactions", "category_id", old_id),
            rules_touched=_count(conn, "rules", "category_id", old_id),
        )
    new_id = int(row[0])
    txns = _ids(conn, "SELECT id FROM transactions WHERE category_id = ? ORDER BY id", old_id)
    suggested = _ids(
        conn, "SELECT id FROM transactions WHERE suggestion_id = ? ORDER BY id", old_id
    )
    rules = _ids(conn, "SELECT id FROM rules WHERE category_id = ? ORDER BY id", old_id)
    conn.execute("UPDATE transactions SET category_id = ? WHERE category_id = ?", (new_id, old_id))
    conn.execute(
        "UPDATE transactions SET suggestion_id = ? WHERE suggestion_id = ?", (new_id, old_id)
    )
    conn.execute("UPDATE rules SET category_id = ? WHERE category_id = ?", (new_id, old_id))
    conn.execute(
        "UPDATE category_aliases SET category_id = ? WHERE category_id = ?", (new_id, old_id)
    )
    conn.execute("DELETE FROM categories WHERE id = ?", (old_id,))
    _set_alias(conn, old, new_id)
    return CategoryChange(
        old, new, True, old_id, new_id, txns, suggested, rules, aliases, len(txns), len(rules)
    )


def _count(conn: sqlite3.Connection, table: str, column: str, value: int) -> int:
    # table and column are this module's own constants, never user input
    sql = f"SELECT count(*) FROM {table} WHERE {column} = ?"
    return int(conn.execute(sql, (value,)).fetchone()[0])


def undo_category_change(conn: sqlite3.Connection, change: CategoryChange) -> None:
    """Put a rename or merge back exactly: the old name, and for a merge the recorded
    transactions, suggestions and rules (those still in the merged category) under it."""
    found = conn.execute("SELECT name FROM categories WHERE id = ?", (change.new_id,)).fetchone()
    if found is None or found[0] != change.new:
        raise LedgerError(f"cannot undo: the category {change.new!r} has changed since")
    if conn.execute("SELECT 1 FROM categories WHERE name = ?", (change.old,)).fetchone():
        raise LedgerError(f"cannot undo: a category named {change.old!r} exists again")
    if not change.merged:
        conn.execute("UPDATE categories SET name = ? WHERE id = ?", (change.old, change.old_id))
        _put_back_aliases(conn, change.old, change.aliases)
        return
    old_id = _recreate_category(conn, change.old, change.old_id)
    _move_back(
        conn, "transactions", "category_id", change.transactions, now=change.new_id, back=old_id
    )
    _move_back(
        conn, "transactions", "suggestion_id", change.suggestions, now=change.new_id, back=old_id
    )
    _move_back(conn, "rules", "category_id", change.rules, now=change.new_id, back=old_id)
    # the aliases that pointed at the old category point at it again (by its id now)
    _put_back_aliases(
        conn,
        change.old,
        [(n, old_id if c == change.old_id else c) for n, c in change.aliases],
    )


def _recreate_category(conn: sqlite3.Connection, name: str, wanted_id: int) -> int:
    """The category `name` again, with its old id when nothing has taken it since."""
    taken = conn.execute("SELECT 1 FROM categories WHERE id = ?", (wanted_id,)).fetchone()
    if taken is None:
        conn.execute("INSERT INTO categories (id, name) VALUES (?, ?)", (wanted_id, name))
        return wanted_id
    return int(conn.execute("INSERT INTO categories (name) VALUES (?)", (name,)).lastrowid or 0)


def _move_back(
    conn: sqlite3.Connection, table: str, column: str, ids: Sequence[int], *, now: int, back: int
) -> None:
    # only rows still where the change put them: one the user moved since stays where it is
    sql = f"UPDATE {table} SET {column} = ? WHERE id = ? AND {column} = ?"
    conn.executemany(sql, [(back, i, now) for i in ids])


def delete_category(
    conn: sqlite3.Connection, name: str, rules: RulesPolicy = "refuse"
) -> CategoryDeletion:
    """Delete `name`: its transactions become uncategorized and 'skipped' (so the categorize
    loop, which takes only 'pending' rows, does not fill them again), suggestions of it are
    cleared, and its name becomes an alias of no category. Rules that set it are refused,
    unless `rules` is "delete": then a rule that only set it is deleted, and one that also
    renames the payee keeps doing that without a category."""
    cat_id = _category_id(conn, name)
    rule_rows = conn.execute(
        f"SELECT {_RULE_COLUMNS} FROM rules WHERE category_id = ? ORDER BY position, id",
        (cat_id,),
    ).fetchall()
    if rule_rows and rules != "delete":
        n = len(rule_rows)
        rule_s, set_s, them = ("rule", "sets", "it") if n == 1 else ("rules", "set", "them")
        raise LedgerError(
            f"{n} {rule_s} {set_s} the category {name!r}; "
            f"change or delete {them} first, or delete {them} with the category"
        )
    deleted = tuple(tuple(r) for r in rule_rows if not r[9])
    cleared = tuple(int(r[0]) for r in rule_rows if r[9])
    txns = tuple(
        (int(i), s, c, str(st), why)
        for i, s, c, st, why in conn.execute(
            "SELECT id, category_source, confidence, categorize_state, reasons FROM transactions "
            "WHERE category_id = ? ORDER BY id",
            (cat_id,),
        )
    )
    suggested = _ids(
        conn, "SELECT id FROM transactions WHERE suggestion_id = ? ORDER BY id", cat_id
    )
    aliases = _alias_rows(conn, name, cat_id)
    conn.execute(
        "UPDATE transactions SET category_id = NULL, category_source = NULL, confidence = NULL, "
        "reasons = NULL, categorize_state = 'skipped' WHERE category_id = ?",
        (cat_id,),
    )
    conn.execute("UPDATE transactions SET suggestion_id = NULL WHERE suggestion_id = ?", (cat_id,))
    conn.executemany("DELETE FROM rules WHERE id = ?", [(r[0],) for r in deleted])
    conn.executemany("UPDATE rules SET category_id = NULL WHERE id = ?", [(i,) for i in cleared])
    if deleted:
        _renumber_rules(conn)
    conn.execute("UPDATE category_aliases SET category_id = NULL WHERE category_id = ?", (cat_id,))
    conn.execute("DELETE FROM categories WHERE id = ?", (cat_id,))
    _set_alias(conn, name, None)
    return CategoryDeletion(name, cat_id, txns, suggested, deleted, cleared, aliases)


def undo_category_deletion(conn: sqlite3.Connection, gone: CategoryDeletion) -> None:
    """Bring a deleted category back with the rows, suggestions and rules it had (rows the user
    has categorized since keep their new category)."""
    if conn.execute("SELECT 1 FROM categories WHERE name = ?", (gone.name,)).fetchone():
        raise LedgerError(f"cannot undo: a category named {gone.name!r} exists again")
    cat_id = _recreate_category(conn, gone.name, gone.category_id)
    conn.executemany(
        "UPDATE transactions SET category_id = ?, category_source = ?, confidence = ?, "
        "categorize_state = ?, reasons = ? WHERE id = ? AND category_id IS NULL",
        [
            (cat_id, source, conf, state, why, i)
            for i, source, conf, state, why in gone.transactions
        ],
    )
    conn.executemany(
        "UPDATE transactions SET suggestion_id = ? WHERE id = ? AND suggestion_id IS NULL",
        [(cat_id, i) for i in gone.suggestions],
    )
    conn.executemany(
        "UPDATE rules SET category_id = ? WHERE id = ? AND category_id IS NULL",
        [(cat_id, i) for i in gone.rules_cleared],
    )
    for row in gone.rules_deleted:  # in their old order, each back at its old place
        conn.execute("UPDATE rules SET position = position + 1 WHERE position >= ?", (row[1],))
        conn.execute(
            f"INSERT INTO rules ({_RULE_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (*row[:8], cat_id, *row[9:]),
        )
    _renumber_rules(conn)
    _put_back_aliases(
        conn,
        gone.name,
        [(n, cat_id if c == gone.category_id else c) for n, c in gone.aliases],
    )


# -- accounts -----------------------------------------------------------------------------------


def rename_account(conn: sqlite3.Connection, old: str, new: str) -> AccountChange:
    """Rename an account. Everything else refers to it by id (transactions, batches, saved
    import profiles, rules' account conditions), so they follow without being touched."""
    account_id = _account_id(conn, old)
    if old == new:
        raise LedgerError(f"the account is already called {new!r}")
    if conn.execute("SELECT 1 FROM accounts WHERE name = ?", (new,)).fetchone():
        raise LedgerError(
            f"an account named {new!r} already exists (accounts are not merged: "
            "they may hold different currencies)"
        )
    conn.execute("UPDATE accounts SET name = ? WHERE id = ?", (new, account_id))
    return AccountChange(old, new, account_id)


def delete_account(
    conn: sqlite3.Connection, name: str, *, with_transactions: bool = False
) -> AccountDeletion:
    """Delete an account with its import batches, saved profiles and the rules limited to it;
    refused while it has transactions unless `with_transactions`, which deletes them too.

    Its profiles and rules go explicitly rather than being left behind: an account's id can be
    given to the next account created, which would otherwise inherit them."""
    account_id = _account_id(conn, name)
    n = _count(conn, "transactions", "account_id", account_id)
    if n and not with_transactions:
        raise LedgerError(
            f"the account {name!r} has {n} transaction{'s' if n != 1 else ''}; "
            "deleting it would delete them too, so ask for that explicitly"
        )
    if n:
        # one bulk statement unindexes the rows' text (as Ledger.undo_batch does); the per-row
        # trigger is far slower
        conn.execute("DROP TRIGGER IF EXISTS tx_text_delete")
        conn.execute(
            "INSERT INTO tx_text (tx_text, rowid, description, payee) "
            f"SELECT 'delete', {TEXT_ROW.format(row='transactions')} FROM transactions "
            "WHERE account_id = ? AND id <= (SELECT upto FROM text_indexed) ORDER BY 2",
            (account_id,),
        )
        conn.execute("DELETE FROM transactions WHERE account_id = ?", (account_id,))
        conn.execute(TEXT_DELETE_TRIGGER)
    batches = conn.execute("DELETE FROM batches WHERE account_id = ?", (account_id,)).rowcount
    profiles = conn.execute("DELETE FROM profiles WHERE account_id = ?", (account_id,)).rowcount
    rules = conn.execute("DELETE FROM rules WHERE account_id = ?", (account_id,)).rowcount
    if rules:
        _renumber_rules(conn)
    conn.execute("DELETE FROM accounts WHERE id = ?", (account_id,))
    return AccountDeletion(name, n, batches, profiles, rules)
