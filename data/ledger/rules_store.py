"""Storing the user's categorization rules: an ordered list, positions 1..n without gaps.

Storage only: data/rules.py matches rules against transactions. The Ledger runs each write in one
of its write transactions, so a refused rule changes nothing.
"""

from __future__ import annotations

import sqlite3

from data.rules import RuleError, validate

from .types import LedgerError, Rule, RuleField, RuleOp

_SELECT = (
    "SELECT r.id, r.position, r.field, r.op, r.pattern, c.name, r.amount_min, r.amount_max, "
    "a.name, r.rename_payee, r.currency FROM rules r "
    "LEFT JOIN categories c ON c.id = r.category_id LEFT JOIN accounts a ON a.id = r.account_id"
)


def rules(conn: sqlite3.Connection) -> list[Rule]:
    """All rules in the order they are tried."""
    rows = conn.execute(f"{_SELECT} ORDER BY r.position, r.id").fetchall()
    return [Rule(*row) for row in rows]


def check_rule(
    field: RuleField,
    op: RuleOp,
    pattern: str,
    *,
    category: str | None,
    amount_min: int | None,
    amount_max: int | None,
    rename_payee: str | None,
) -> None:
    """Refuse, with the reason, a rule the engine (data.rules) could not use or that would do
    nothing: the same checks as the engine's, so no stored rule fails when an import runs."""
    try:
        validate(
            field,
            op,
            pattern,
            category=category,
            rename_payee=rename_payee,
            amount_min=amount_min,
            amount_max=amount_max,
        )
    except RuleError as exc:
        raise LedgerError(str(exc)) from None


def insert_rule(
    conn: sqlite3.Connection,
    values: tuple[
        str, str, str, int | None, int | None, int | None, int | None, str | None, str | None
    ],
    position: int | None,
) -> int:
    """Insert a checked rule (field, op, pattern, amount_min, amount_max, account id, category
    id, rename, currency) last or at `position` (1-based, clamped), moving later ones down; its
    id."""
    last = conn.execute("SELECT coalesce(max(position), 0) FROM rules").fetchone()[0]
    pos = last + 1 if position is None else max(1, min(position, last + 1))
    conn.execute("UPDATE rules SET position = position + 1 WHERE position >= ?", (pos,))
    cur = conn.execute(
        "INSERT INTO rules (position, field, op, pattern, amount_min, amount_max, "
        "account_id, category_id, rename_payee, currency) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (pos, *values),
    )
    assert cur.lastrowid is not None
    return cur.lastrowid


def remove_rule(conn: sqlite3.Connection, rule_id: int) -> None:
    """Delete a rule; the ones after it move up."""
    row = conn.execute("SELECT position FROM rules WHERE id = ?", (rule_id,)).fetchone()
    if row is None:
        raise LedgerError(f"no rule {rule_id}")
    conn.execute("DELETE FROM rules WHERE id = ?", (rule_id,))
    conn.execute("UPDATE rules SET position = position - 1 WHERE position > ?", (row[0],))


def move_rule(conn: sqlite3.Connection, rule_id: int, position: int) -> None:
    """Move a rule to `position` (1-based, clamped to the list)."""
    row = conn.execute("SELECT position FROM rules WHERE id = ?", (rule_id,)).fetchone()
    if row is None:
        raise LedgerError(f"no rule {rule_id}")
    last = conn.execute("SELECT max(position) FROM rules").fetchone()[0]
    old, new = row[0], max(1, min(position, last))
    if new < old:
        conn.execute(
            "UPDATE rules SET position = position + 1 WHERE position >= ? AND position < ?",
            (new, old),
        )
    elif new > old:
        conn.execute(
            "UPDATE rules SET position = position - 1 WHERE position > ? AND position <= ?",
            (old, new),
        )
    conn.execute("UPDATE rules SET position = ? WHERE id = ?", (new, rule_id))
