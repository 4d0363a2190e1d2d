"""Deep pages of a text search from the marks its count left (data/ledger/marks.py): every page
must be exactly what plain Python finds in the rows, also when the ledger changes between the
count and the page (own edits, imports, undo, rollbacks, another connection's commits)."""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from data.ledger import Ledger, TxFilter
from data.ledger import marks as marks_module
from data.ledger import search as search_module
from data.ledger.types import Order

EVERY = 7  # a mark every 7 matches: pages of these small ledgers cross many marks


@pytest.fixture
def ledger(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Ledger]:
    monkeypatch.setattr(marks_module, "MARK_EVERY", EVERY)
    monkeypatch.setattr(search_module, "PROBE_ROWS", 1)  # counts go to the index, not the probe
    with Ledger.open(tmp_path / "ledger.sqlite") as opened:
        yield opened


@pytest.fixture
def marked(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """How many pages the marks answered (so a test can tell that they were used)."""
    answered: list[int] = []
    page = marks_module.TextMarks.page

    def counting(self: marks_module.TextMarks, *args: object) -> list[int] | None:
        ids = page(self, *args)  # type: ignore[arg-type]
        if ids is not None:
            answered.append(len(ids))
        return ids

    monkeypatch.setattr(marks_module.TextMarks, "page", counting)
    return answered


def _seed(ledger: Ledger, rows: list[tuple[str, str, str]]) -> list[int]:
    """Insert (account, iso date, description) rows; payees are the description title-cased."""
    ids = []
    for account, day, description in rows:
        acct = ledger.ensure_account(account)
        cur = ledger._conn.execute(
            "INSERT INTO transactions (account_id, date, amount, currency, description, payee, "
            "fingerprint) VALUES (?, ?, -1, 'USD', ?, ?, ?)",
            (acct.id, day, description, description.title(), f"seed {len(ids)} {day}"),
        )
        ids.append(int(cur.lastrowid or 0))
    return ids


def _rows(count: int, start: int = 0) -> list[tuple[str, str, str]]:
    """Rows over three accounts and 90 days, out of date order; 'tesco' in 2 of every 3."""
    return [
        (
            "ABC"[i % 3],
            (dt.date(2024, 1, 1) + dt.timedelta(days=(i * 37) % 90)).isoformat(),
            f"{'TESCO STORES' if i % 3 else 'SHELL'} {i}",
        )
        for i in range(start, start + count)
    ]


def _expected(ledger: Ledger, flt: TxFilter) -> list[int]:
    """Ids matching `flt` (text, dates, account) oldest first, by plain Python over every row."""
    rows = ledger._conn.execute(
        "SELECT t.id, t.date, a.name, t.description, t.payee FROM transactions t "
        "JOIN accounts a ON a.id = t.account_id"
    ).fetchall()
    needle = (flt.text or "").lower()
    found = [
        (day, txn_id)
        for txn_id, day, account, description, payee in rows
        if (needle in description.lower() or needle in payee.lower())
        and (flt.account is None or account == flt.account)
        and (flt.date_from is None or day >= flt.date_from.isoformat())
        and (flt.date_to is None or day <= flt.date_to.isoformat())
    ]
    return [txn_id for _, txn_id in sorted(found)]


def _check_pages(ledger: Ledger, flt: TxFilter, limit: int = 5) -> None:
    """Every page of `flt`, both date orders, plus pages past the end, against plain Python."""
    oldest = _expected(ledger, flt)
    newest = oldest[::-1]
    for offset in [*range(0, len(oldest) + 1, 3), len(oldest) + 10]:
        assert [t.id for t in ledger.transactions(flt, offset=offset, limit=limit)] == (
            newest[offset : offset + limit]
        ), (flt, offset)
        asc = ledger.transactions(flt, offset=offset, limit=limit, order="date_asc")
        assert [t.id for t in asc] == oldest[offset : offset + limit], (flt, offset)
    assert ledger.transactions(flt, offset=2, limit=0) == []


FILTERS = [
    TxFilter(text="tesco"),
    TxFilter(text="TESCO st"),
    TxFilter(text="tesco", date_from=dt.date(2024, 2, 1)),
    TxFilter(text="tesco", date_to=dt.date(2024, 2, 10)),
    TxFilter(text="tesco", date_from=dt.date(2024, 1, 20), date_to=dt.date(2024, 3, 1)),
    TxFilter(text="tesco", account="B"),
    TxFilter(text="tesco", account="C", date_from=dt.date(2024, 2, 1)),
    TxFilter(text="shell"),
]


def test_pages_after_a_count_match_plain_python(ledger: Ledger, marked: list[int]) -> None:
    _seed(ledger, _rows(200))
    for flt in FILTERS:
        assert ledger.count(flt) == len(_expected(ledger, flt))
        _check_pages(ledger, flt)
    assert len(marked) > 100  # the marks answered the pages (each filter has > EVERY matches)


def test_pages_without_a_count_are_the_same_and_use_no_marks(
    ledger: Ledger, marked: list[int]
) -> None:
    _seed(ledger, _rows(120))
    for flt in FILTERS:
        _check_pages(ledger, flt)
    assert marked == []


def test_counts_of_fewer_matches_than_a_mark_keep_no_marks(ledger: Ledger) -> None:
    _seed(ledger, [*_rows(30), ("A", "2024-05-05", "RARE THING")])
    assert ledger.count(TxFilter(text="rare thing")) == 1
    assert ledger.count(TxFilter(text="nothing like it")) == 0
    assert len(ledger._marks) == 0
    assert ledger.count(TxFilter(text="tesco")) == 20
    assert len(ledger._marks) == 1


@pytest.mark.parametrize(
    "change",
    [
        "payee",
        "description",
        "date",
        "account",
        "delete",
        "insert",
        "import",
        "undo",
        "rolled back",
        "other connection",
        "other connection import",
    ],
)
def test_a_change_between_the_count_and_the_page_is_seen(
    ledger: Ledger, tmp_path: Path, marked: list[int], change: str
) -> None:
    """Each change moves matches across the page (or the count): the page after it must be
    what plain Python finds now, never one computed from the marks of before."""
    ids = _seed(ledger, _rows(150))
    statement = tmp_path / "statement.csv"
    statement.write_text(
        "Date,Amount,Description\n"
        + "".join(f"2024-02-{1 + i % 28:02d},-{i}.00,TESCO EXTRA {i}\n" for i in range(40))
    )
    batch = ledger.import_file(statement, "A")
    flt = TxFilter(text="tesco")
    ledger.count(flt)
    assert ledger.transactions(flt, offset=60, limit=5)  # from the marks
    assert marked
    marked.clear()
    conn = ledger._conn
    if change == "payee":
        ledger.set_payee(ids[:60:3], "Tesco Now")  # SHELL rows that now match
    elif change == "description":
        conn.execute("UPDATE transactions SET description = 'X' WHERE id IN (?, ?)", ids[1:3])
    elif change == "date":
        conn.execute("UPDATE transactions SET date = '2023-01-01' WHERE id = ?", (ids[100],))
    elif change == "account":
        conn.execute("UPDATE transactions SET account_id = 2 WHERE id = ?", (ids[4],))
    elif change == "delete":
        conn.execute("DELETE FROM transactions WHERE id = ?", (ids[50],))
    elif change == "insert":
        _seed(ledger, [("A", "2024-01-15", "TESCO NEW")])
    elif change == "import":
        other = tmp_path / "more.csv"
        other.write_text("Date,Amount,Description\n2024-01-03,-1.00,TESCO IMPORTED\n")
        ledger.import_file(other, "B")
    elif change == "undo":
        ledger.undo_batch(batch.batch_id)
    elif change == "rolled back":
        conn.execute("BEGIN")
        conn.execute("DELETE FROM transactions WHERE id = ?", (ids[50],))
        assert ledger.count(flt) == len(_expected(ledger, flt))  # inside: no marks
        conn.execute("ROLLBACK")
    else:
        with Ledger.open(ledger.path) as other_ledger:
            if change == "other connection":
                other_ledger.set_payee(ids[:60:3], "Tesco Elsewhere")
            else:
                other = tmp_path / "more.csv"
                other.write_text("Date,Amount,Description\n2024-01-03,-1.00,TESCO THEIRS\n")
                other_ledger.import_file(other, "C")
    _check_pages(ledger, flt)
    assert marked == []  # the marks of before were not used
    assert ledger.count(flt) == len(_expected(ledger, flt))
    _check_pages(ledger, flt)  # and the new count's marks are right
    assert marked


def test_marks_of_many_filters_stay_bounded_and_right(
    ledger: Ledger, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(marks_module, "MARKED_FILTERS", 3)
    _seed(ledger, _rows(120))
    filters = [TxFilter(text="tesco", date_from=dt.date(2024, 1, 1 + i)) for i in range(6)]
    for flt in filters:
        ledger.count(flt)
    assert len(ledger._marks) == 3
    for flt in filters:
        _check_pages(ledger, flt)


def test_hostile_text_is_exact_through_the_marks(ledger: Ledger, marked: list[int]) -> None:
    """Text that is FTS5 syntax, quotes, control characters, long or non-ASCII: counted and
    paged from the marks, it finds exactly the rows holding it."""
    texts = [
        'say "hi"',
        '"',
        "a OR b",
        "NEAR(x y)",
        "col:umn",
        "^start*",
        "(paren",
        "nul\x00byte",
        "tab\tand\nnewline",
        "100%_",
        "café ñandú",
        "💸💸💸",
        "x" * 300,
    ]
    rows = [
        ("AB"[i % 2], f"2024-03-{1 + i % 28:02d}", f"{texts[i % len(texts)]} {i}")
        for i in range(len(texts) * 12)
    ]
    _seed(ledger, rows)
    for text in texts:
        flt = TxFilter(text=text)
        expected = _expected(ledger, flt)
        assert len(expected) >= 12, text
        assert ledger.count(flt) == len(expected)
        _check_pages(ledger, flt, limit=4)
    assert marked
    for text in ["", "\x00", '""', "no such text at all", "y" * 5000]:
        flt = TxFilter(text=text)
        assert ledger.count(flt) == len(_expected(ledger, flt))
        assert [t.id for t in ledger.transactions(flt, limit=1000)] == _expected(ledger, flt)[::-1]


def test_a_count_while_the_index_falls_behind_searches_around_it(
    ledger: Ledger, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Rows can arrive between the count's look at the index and its walk: the count must
    still find them (and leave no marks that miss them)."""
    _seed(ledger, _rows(60))
    ledger.index_text()
    # rows above the index's mark, as an import leaves them, and a look that misses them
    _seed(ledger, [("A", "2024-01-02", "TESCO LATE"), ("B", "2024-02-02", "TESCO LATER")])
    monkeypatch.setattr(search_module, "_text_upto", lambda ledger, flt: None)
    flt = TxFilter(text="tesco")
    assert ledger.count(flt) == len(_expected(ledger, flt)) == 42
    assert len(ledger._marks) == 0


def test_a_commit_while_a_page_reads_its_marks_is_not_mixed_in(
    ledger: Ledger, marked: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The page and the state its marks are checked against come from one snapshot: another
    connection committing in between gives the page as it was before that commit (which the
    marks describe), and the next page sees the commit without the marks."""
    ids = _seed(ledger, _rows(150))
    flt = TxFilter(text="tesco")
    ledger.count(flt)
    before = _expected(ledger, flt)[::-1]
    state = marks_module._state
    committed: list[int] = []
    with Ledger.open(ledger.path) as other:

        def commit_first(conn: sqlite3.Connection) -> tuple[int, int]:
            if not committed:  # SHELL rows that now match: 20 more
                committed.append(other.set_payee(ids[:60:3], "Tesco Meanwhile"))
            return state(conn)

        monkeypatch.setattr(marks_module, "_state", commit_first)
        assert [t.id for t in ledger.transactions(flt, offset=40, limit=10)] == before[40:50]
        assert committed == [20]
        assert marked == [10]
    monkeypatch.setattr(marks_module, "_state", state)
    assert len(_expected(ledger, flt)) == len(before) + 20
    _check_pages(ledger, flt)
    assert marked == [10]


def test_an_interrupted_count_leaves_no_transaction_and_no_marks(ledger: Ledger) -> None:
    """A count stopped half-way (the connection interrupted, e.g. by a closing window) raises
    SQLite's own error, ends its read transaction, keeps no marks; the next count is right."""
    _seed(ledger, _rows(150))
    flt = TxFilter(text="tesco")
    ledger.index_text()
    ledger._conn.set_progress_handler(lambda: 1, 50)  # interrupts the first long statement
    with pytest.raises(sqlite3.OperationalError, match="interrupted"):
        ledger.count(flt)
    ledger._conn.set_progress_handler(None, 0)
    assert not ledger._conn.in_transaction
    assert len(ledger._marks) == 0
    assert ledger.count(flt) == len(_expected(ledger, flt)) == 100
    assert len(ledger._marks) == 1


@pytest.fixture
def continued(monkeypatch: pytest.MonkeyPatch) -> list[int | None]:
    """The key each page read without marks started after (None: from the range's end)."""
    starts: list[int | None] = []
    page = marks_module.TextMarks._page

    def spying(*args: Any, start: int | None, **kw: Any) -> tuple[list[int], int | None]:
        starts.append(start)
        return page(*args, start=start, **kw)

    monkeypatch.setattr(marks_module.TextMarks, "_page", staticmethod(spying))
    return starts


@pytest.mark.parametrize("order", ["date_desc", "date_asc"])
def test_pages_read_one_after_another_continue_where_the_last_ended(
    ledger: Ledger, continued: list[int | None], order: Order
) -> None:
    """Without a count, each page after the first continues after the last page's final key
    (also across a gap), as the CLI reads a listing; the pages are what plain Python finds."""
    _seed(ledger, _rows(200))
    for flt in FILTERS:
        expected = _expected(ledger, flt)
        if order == "date_desc":
            expected.reverse()
        got: list[int] = []
        continued.clear()
        for offset in range(0, len(expected) + 7, 7):
            got += [t.id for t in ledger.transactions(flt, offset=offset, limit=7, order=order)]
        assert got == expected, flt
        assert continued[0] is None and all(k is not None for k in continued[1:-1]), flt
        continued.clear()
        gapped = [t.id for t in ledger.transactions(flt, offset=20, limit=4, order=order)]
        gapped += [t.id for t in ledger.transactions(flt, offset=30, limit=4, order=order)]
        assert gapped == expected[20:24] + expected[30:34], flt
        assert continued[0] is None and continued[1] is not None


def test_a_walk_does_not_continue_across_a_change_a_step_back_or_another_filter(
    ledger: Ledger, continued: list[int | None]
) -> None:
    ids = _seed(ledger, _rows(200))
    flt, other = TxFilter(text="tesco"), TxFilter(text="shell")

    def page(f: TxFilter, offset: int) -> list[int]:
        return [t.id for t in ledger.transactions(f, offset=offset, limit=10)]

    page(flt, 0)
    page(other, 10)  # another filter between: its own walk, from the end
    assert page(flt, 10) == _expected(ledger, flt)[::-1][10:20]
    page(flt, 20)
    assert page(flt, 5) == _expected(ledger, flt)[::-1][5:15]  # a step back
    ledger.set_payee(ids[:30:3], "Tesco Renamed")  # 10 SHELL rows now match
    assert page(flt, 15) == _expected(ledger, flt)[::-1][15:25]
    with Ledger.open(ledger.path) as elsewhere:
        elsewhere.set_payee(ids[30:60:3], "Tesco Elsewhere")
    assert page(flt, 25) == _expected(ledger, flt)[::-1][25:35]
    # continued only where the same filter's last page ended at or before the offset, unchanged
    assert [k is not None for k in continued] == [False, False, False, True, False, False, False]
