"""Marks along a text search's matches, so that a deep page starts near its rows.

The text index skips matches one by one, and for a phrase of several trigrams each costs
~0.2 us (FTS5 steps every trigram's list): a page 500,000 matches deep took ~0.15 s. A count
walks every match anyway, so it records the key of every MARK_EVERY-th one on its way; a page
of that filter then starts after the mark before it (`rowid > mark`, a seek) and skips fewer
than MARK_EVERY matches. The desktop counts a filter (to size the scrollbar) before it asks
for pages, on the same connection, so a jump of the scrollbar lands on this path.

Marks describe the ledger as it was counted, and are used only while it is unchanged: each
holds the connection's view of the database (PRAGMA data_version, which moves when another
connection commits, and total_changes, which moves with this connection's own writes, even
those rolled back), read in the same read transaction as the matches it describes. Never used
inside a transaction of the caller's: a rollback there would change rows without moving either.

Pages read one after another without a count (the CLI's listing, iter_transactions) continue
the same way from where the last one ended (`rowid < key` newest first), instead of skipping
ever more matches: a 1,000,000-match listing in pages of 5,000 skipped 100 million matches.
"""

from __future__ import annotations

import dataclasses
import sqlite3
from collections import OrderedDict

from .queries import TextKeys
from .schema import KEY_ID, TEXT_INDEX_STATE

# matches between two marks: the most a marked page skips (~3 ms for a 4-trigram phrase). A
# count pays ~0.4 ms per mark to seek back to where it left off, and walks its last (fewer than
# MARK_EVERY) matches twice: measured +16% CPU at 1,000,000 matches, +33% (5 ms) at 63,000
MARK_EVERY = 16_384
# filters whose marks are kept (the most recently used): a few ints per 16,384 matches each
MARKED_FILTERS = 8
# a read that starts a read transaction's snapshot (a PRAGMA alone may answer from before it)
_SNAPSHOT = "SELECT upto FROM text_indexed"


@dataclasses.dataclass(frozen=True)
class _Walked:
    """Where the last page read without marks ended."""

    keys: TextKeys
    ascending: bool
    state: tuple[int, int]
    position: int  # matches up to and including `key`, in the walk's direction
    key: int


@dataclasses.dataclass(frozen=True)
class _Marks:
    state: tuple[int, int]  # (data_version, total_changes) when counted
    total: int
    every: int
    keys: tuple[int, ...]  # keys[i]: the key of match (i + 1) * every - 1, in key order


class TextMarks:
    """The marks of the last few counted text filters, for one connection."""

    def __init__(self) -> None:
        self._marks: OrderedDict[TextKeys, _Marks] = OrderedDict()
        self._walked: _Walked | None = None

    def __len__(self) -> int:
        return len(self._marks)

    def count(self, conn: sqlite3.Connection, keys: TextKeys) -> int | None:
        """How many rows the text index holds for `keys`, marking them on the way; None when
        the index does not hold every row (the caller must search around it)."""
        every = MARK_EVERY
        conn.execute("BEGIN")  # one snapshot for the walk and the state it is valid for
        try:
            # in the count's own snapshot: whether the text index holds every row
            upto, top = conn.execute(TEXT_INDEX_STATE).fetchone()
            if upto < top:
                return None
            found: list[int] = []
            while True:
                sql, params = keys.sql(after=found[-1] if found else None)
                row = conn.execute(
                    f"SELECT rowid {sql} ORDER BY rowid LIMIT 1 OFFSET ?", [*params, every - 1]
                ).fetchone()
                if row is None:
                    break
                found.append(row[0])
            # the rest (fewer than `every`) is walked once more, to count it
            sql, params = keys.sql(after=found[-1] if found else None)
            total = (
                len(found) * every + conn.execute(f"SELECT count(*) {sql}", params).fetchone()[0]
            )
            state = _state(conn)
        finally:
            _end(conn)
        self._marks.pop(keys, None)
        if found:  # fewer matches than `every`: any page of them is cheap as it is
            self._marks[keys] = _Marks(state, total, every, tuple(found))
            while len(self._marks) > MARKED_FILTERS:
                self._marks.popitem(last=False)
        return int(total)

    def page(
        self, conn: sqlite3.Connection, keys: TextKeys, ascending: bool, offset: int, limit: int
    ) -> list[int] | None:
        """Ids of the matches of `keys` at `offset` in key order (or in reverse), from the mark
        before them; None when `keys` has no marks, or none valid for the ledger as it is now."""
        marks = self._marks.get(keys)
        if marks is None:
            return None
        # the page as positions in key order (an offset past the end: empty, still checked)
        total = marks.total
        start, end = (
            (offset, offset + limit) if ascending else (total - offset - limit, total - offset)
        )
        start = min(max(start, 0), total)
        end = min(max(end, start), total)
        index = min(start // marks.every, len(marks.keys))
        conn.execute("BEGIN")  # the state and the page: one snapshot
        try:
            conn.execute(_SNAPSHOT).fetchone()
            if _state(conn) != marks.state:
                del self._marks[keys]
                return None
            ids, _ = self._page(
                conn,
                keys,
                True,
                start=marks.keys[index - 1] if index else None,
                skip=start - index * marks.every,
                limit=end - start,
            )
        finally:
            _end(conn)
        self._marks.move_to_end(keys)
        return ids if ascending else ids[::-1]

    def walk(
        self, conn: sqlite3.Connection, keys: TextKeys, ascending: bool, offset: int, limit: int
    ) -> list[int]:
        """Ids of the matches of `keys` at `offset` in key order (or in reverse) without marks:
        after the end of the last such page when it is of the same walk, in the ledger as it
        is, and not past `offset`; otherwise skipping every match before `offset`."""
        if conn.in_transaction:  # the caller's transaction: no state to check a walk against
            return self._page(conn, keys, ascending, start=None, skip=offset, limit=limit)[0]
        conn.execute("BEGIN")  # the state and the page: one snapshot
        try:
            conn.execute(_SNAPSHOT).fetchone()
            state = _state(conn)
            walked, start, skip = self._walked, None, offset
            if (
                walked is not None
                and (walked.keys, walked.ascending, walked.state) == (keys, ascending, state)
                and walked.position <= offset
            ):
                start, skip = walked.key, offset - walked.position
            ids, last = self._page(conn, keys, ascending, start=start, skip=skip, limit=limit)
        finally:
            _end(conn)
        if last is not None:
            self._walked = _Walked(keys, ascending, state, offset + len(ids), last)
        return ids

    @staticmethod
    def _page(
        conn: sqlite3.Connection,
        keys: TextKeys,
        ascending: bool,
        *,
        start: int | None,
        skip: int,
        limit: int,
    ) -> tuple[list[int], int | None]:
        """Ids of `limit` matches after `skip` others past the key `start` (or from the end of
        the range) in the walk's direction, and the last one's key (None: no match)."""
        sql, params = keys.sql(after=start) if ascending else keys.sql(before=start)
        rows = conn.execute(
            f"SELECT rowid, {KEY_ID} {sql} ORDER BY rowid {'ASC' if ascending else 'DESC'} "
            "LIMIT ? OFFSET ?",
            [*params, limit, skip],
        ).fetchall()
        return [txn_id for _, txn_id in rows], (rows[-1][0] if rows else None)

    def clear(self) -> None:
        """Forget every mark and walk (a benchmark measuring pages without them)."""
        self._marks.clear()
        self._walked = None


def _end(conn: sqlite3.Connection) -> None:
    """End a read transaction (one that SQLite already ended on an error is left alone, so
    that the error, not 'no transaction is active', reaches the caller)."""
    if conn.in_transaction:
        conn.execute("COMMIT")


def _state(conn: sqlite3.Connection) -> tuple[int, int]:
    """What moves when the ledger changes, as this connection sees it (inside a read
    transaction: as of its snapshot)."""
    return int(conn.execute("PRAGMA data_version").fetchone()[0]), conn.total_changes
