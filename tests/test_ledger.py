"""The ledger on real SQLite files: opening safely, accounts, listing with filters and paging,
categories and predictions, profiles, rules, and refusing files that are not ours."""

from __future__ import annotations

import datetime as dt
import os
import sqlite3
import stat
import threading
from pathlib import Path

import pytest

from data import paths
from data.importer import Fingerprinter, ParsedRow, detect, iter_rows
from data.ledger import Ledger, LedgerError, Prediction, TxFilter
from data.ledger import search as search_module
from data.ledger.connection import APPLICATION_ID
from data.ledger.schema import MIGRATIONS, _statements


@pytest.fixture
def ledger(tmp_path: Path):
    with Ledger.open(tmp_path / "ledger.sqlite") as opened:
        yield opened


def _seed(ledger: Ledger, rows: list[tuple[str, str, int, str]]) -> list[int]:
    """Insert (account, iso date, amount, description) rows directly, as one batch per account."""
    conn = ledger._conn
    ids = []
    for account, date, amount, description in rows:
        acct = ledger.ensure_account(account)
        cur = conn.execute(
            "INSERT INTO transactions (account_id, date, amount, currency, description, payee, "
            "fingerprint) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (acct.id, date, amount, acct.currency, description, description.title(), f"{len(ids)}"),
        )
        ids.append(cur.lastrowid)
    return ids


def test_open_creates_a_private_wal_file_at_the_newest_schema(tmp_path: Path) -> None:
    path = tmp_path / "sub" / "ledger.sqlite"
    with Ledger.open(path):
        pass
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    conn = sqlite3.connect(path)
    try:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert conn.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS)
    finally:
        conn.close()


def test_open_without_a_path_uses_the_default_ledger() -> None:
    with Ledger.open() as ledger:
        assert ledger.path == paths.default_ledger()
    assert paths.default_ledger().is_file()


def test_reopening_keeps_data_and_does_not_migrate_again(tmp_path: Path) -> None:
    path = tmp_path / "l.sqlite"
    with Ledger.open(path) as ledger:
        ledger.ensure_account("Checking", "EUR")
    with Ledger.open(path) as ledger:
        assert [(a.name, a.currency) for a in ledger.accounts()] == [("Checking", "EUR")]


def test_many_connections_opening_a_new_ledger_at_once_migrate_it_once(tmp_path: Path) -> None:
    # The desktop opens one connection per lane at start-up; each used to read the version
    # before taking the write lock and run a migration another had just committed.
    for attempt in range(5):
        path = tmp_path / f"l{attempt}.sqlite"
        start = threading.Barrier(8)
        errors: list[BaseException] = []

        def open_it(
            path: Path = path,
            start: threading.Barrier = start,
            errors: list[BaseException] = errors,
        ) -> None:
            start.wait()
            try:
                Ledger.open(path).close()
            except BaseException as exc:  # collected and reported below
                errors.append(exc)

        threads = [threading.Thread(target=open_it) for _ in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(30)
        assert errors == []
        with sqlite3.connect(path) as conn:
            assert conn.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS)
            assert conn.execute("SELECT count(*) FROM text_indexed").fetchone()[0] == 1


def test_a_ledger_from_a_newer_version_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "l.sqlite"
    Ledger.open(path).close()
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {len(MIGRATIONS) + 1}")
    conn.close()
    with pytest.raises(LedgerError, match="newer Fincast"):
        Ledger.open(path)


def test_a_file_that_is_not_sqlite_is_refused_and_left_alone(tmp_path: Path) -> None:
    path = tmp_path / "notes.sqlite"
    path.write_bytes(b"these are my notes, not a database\n" * 100)
    before = path.read_bytes()
    with pytest.raises(LedgerError, match="not a Fincast ledger"):
        Ledger.open(path)
    assert path.read_bytes() == before


def test_another_applications_database_is_refused_and_left_alone(tmp_path: Path) -> None:
    path = tmp_path / "other.db"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE songs (title TEXT)")
    conn.commit()
    conn.close()
    before = path.read_bytes()
    with pytest.raises(LedgerError, match="another application"):
        Ledger.open(path)
    assert path.read_bytes() == before


def test_a_directory_is_refused(tmp_path: Path) -> None:
    with pytest.raises(LedgerError, match="directory"):
        Ledger.open(tmp_path)


def test_a_path_below_a_regular_file_is_refused(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(LedgerError, match="cannot create"):
        Ledger.open(blocker / "ledger.sqlite")


def test_accounts_are_created_once_and_names_are_checked(ledger: Ledger) -> None:
    first = ledger.ensure_account("  Main   Checking ", "eur")
    assert (first.name, first.currency) == ("Main Checking", "EUR")
    assert ledger.ensure_account("Main Checking") == first
    for bad_name in ("", "   ", "tab\x00name", "x" * 201):
        with pytest.raises(LedgerError):
            ledger.ensure_account(bad_name)
    for bad_currency in ("", "EURO", "12$", "€"):
        with pytest.raises(LedgerError, match="currency"):
            ledger.ensure_account("Other", bad_currency)
    assert [a.name for a in ledger.accounts()] == ["Main Checking"]


def test_listing_filters(ledger: Ledger, text_path: str) -> None:
    ids = _seed(
        ledger,
        [
            ("A", "2024-01-01", -500, "COFFEE 100% ARABICA"),
            ("A", "2024-01-15", 250000, "SALARY ACME"),
            ("B", "2024-02-01", -1999, "NETFLIX_COM"),
            ("B", "2024-03-01", -4200, "GROCER"),
        ],
    )

    def listed(**kw) -> list[int]:
        flt = TxFilter(**kw)
        found = [t.id for t in ledger.transactions(flt, limit=1000)]
        assert ledger.count(flt) == len(found)
        return found

    assert listed() == [ids[3], ids[2], ids[1], ids[0]]
    assert listed(account="A") == [ids[1], ids[0]]
    assert listed(date_from=dt.date(2024, 1, 15), date_to=dt.date(2024, 2, 1)) == [ids[2], ids[1]]
    assert listed(text="coffee") == [ids[0]]
    assert listed(text="100%") == [ids[0]]
    assert listed(text="0%") == [ids[0]]  # '%' is literal, not a wildcard
    assert listed(text="x_c") == [ids[2]]
    assert listed(text="netflixxcom") == []  # '_' is literal too
    assert listed(ids=(ids[0], ids[2])) == [ids[2], ids[0]]
    assert listed(ids=()) == []
    ledger.set_category([ids[1]], "Income")
    assert listed(category="Income") == [ids[1]]
    assert listed(category="No such category") == []
    assert listed(uncategorized=True) == [ids[3], ids[2], ids[0]]
    with pytest.raises(LedgerError, match="no account"):
        ledger.transactions(TxFilter(account="Nope"))


def test_paging_walks_every_row_exactly_once_in_order(ledger: Ledger) -> None:
    rows = [
        ("A", f"2024-01-{1 + i % 28:02d}", (i * 37) % 1000 - 500, f"shop {i}") for i in range(253)
    ]
    ids = _seed(ledger, rows)
    for order in ("date_desc", "date_asc", "amount_asc", "amount_desc"):
        pages = []
        offset = 0
        while page := ledger.transactions(order=order, offset=offset, limit=50):
            pages += page
            offset += 50
        assert sorted(t.id for t in pages) == sorted(ids)
        keys = {
            "date_desc": lambda t: (t.date, t.id),
            "date_asc": lambda t: (t.date, t.id),
            "amount_asc": lambda t: (t.amount, t.id),
            "amount_desc": lambda t: (t.amount, t.id),
        }[order]
        assert pages == sorted(pages, key=keys, reverse=order.endswith("desc"))
    assert list(ledger.iter_transactions(chunk=40)) == ledger.transactions(limit=1000)
    with pytest.raises(LedgerError):
        ledger.transactions(offset=-1)
    with pytest.raises(LedgerError):
        ledger.transactions(order="random")  # type: ignore[arg-type]


def test_the_categorizers_reasons_are_stored_with_its_answer(ledger: Ledger) -> None:
    ids = _seed(ledger, [("A", "2024-01-01", -500, "TESCO STORES 3297")])
    ledger.apply_predictions([Prediction(ids[0], "Groceries", 0.9, reasons=("tesco", "stores"))])
    stored = ledger.get(ids[0])
    assert stored and stored.reasons == ("tesco", "stores")
    assert ledger.transactions(TxFilter(ids=(ids[0],)))[0].reasons == ("tesco", "stores")


def test_predictions_never_overwrite_the_users_choice(ledger: Ledger) -> None:
    ids = _seed(ledger, [("A", "2024-01-01", -500, "COFFEE"), ("A", "2024-01-02", -700, "BAKERY")])
    assert [t.id for t in ledger.pending_categorization(10)] == ids
    ledger.set_category([ids[0]], "Coffee")
    changed = ledger.apply_predictions(
        [
            Prediction(ids[0], "Groceries", 0.9),
            Prediction(ids[1], None, 0.3, suggestion="Food"),
        ]
    )
    assert changed == 1
    first, second = ledger.get(ids[0]), ledger.get(ids[1])
    assert first and (first.category, first.category_source) == ("Coffee", "user")
    assert second and (second.category, second.suggestion, second.confidence) == (None, "Food", 0.3)
    assert second.categorize_state == "done"
    assert ledger.pending_categorization(10) == []
    assert [t.id for t in ledger.transactions(TxFilter(low_confidence=0.5))] == [ids[1]]
    ledger.set_category([ids[0]], None)
    cleared = ledger.get(ids[0])
    assert cleared and (cleared.category, cleared.categorize_state) == (None, "skipped")
    assert ledger.mark_pending() == 2
    assert {c.name for c in ledger.categories()} == {"Coffee", "Groceries", "Food"}


def test_profiles_prefer_the_accounts_own(ledger: Ledger) -> None:
    ledger.ensure_account("A")
    ledger.ensure_account("B")
    assert ledger.profile("k") is None
    ledger.save_profile("k", '{"who": "A"}', "A")
    ledger.save_profile("k", '{"who": "B"}', "B")
    assert ledger.profile("k", "A") == '{"who": "A"}'
    assert ledger.profile("k", "B") == '{"who": "B"}'
    assert ledger.profile("k", "C") in ('{"who": "A"}', '{"who": "B"}')
    ledger.save_profile("k", '{"who": "A2"}', "A")
    assert ledger.profile("k", "A") == '{"who": "A2"}'


def test_rules_are_stored_in_order_and_checked(ledger: Ledger) -> None:
    first = ledger.add_rule("description", "contains", "NETFLIX", "Subscriptions")
    second = ledger.add_rule("payee", "regex", r"^Tesco\b", "Groceries", amount_max=0)
    third = ledger.add_rule(
        "description", "exact", "RENT", None, rename_payee="Landlord", position=1
    )
    assert [r.id for r in ledger.rules()] == [third.id, first.id, second.id]
    ledger.move_rule(third.id, 3)
    assert [r.id for r in ledger.rules()] == [first.id, second.id, third.id]
    ledger.remove_rule(first.id)
    assert [(r.id, r.position) for r in ledger.rules()] == [(second.id, 1), (third.id, 2)]
    assert ledger.rules()[0].category == "Groceries"
    with pytest.raises(LedgerError, match="regular expression"):
        ledger.add_rule("description", "regex", "([unclosed", "X")
    with pytest.raises(LedgerError):
        ledger.add_rule("amount", "contains", "x", "X")  # type: ignore[arg-type]
    with pytest.raises(LedgerError, match="category or rename"):
        ledger.add_rule("description", "contains", "x", None)
    with pytest.raises(LedgerError, match="no rule"):
        ledger.remove_rule(9999)


@pytest.fixture(params=["probe", "index"])
def text_path(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Run a text test both through the direct row probe and through the trigram index."""
    if request.param == "index":
        monkeypatch.setattr(search_module, "PROBE_ROWS", 1)
    return str(request.param)


def test_text_search_follows_renames_undo_and_case(ledger: Ledger, text_path: str) -> None:
    ids = _seed(
        ledger, [("A", "2024-01-01", -500, "CARTE 12 CAFÉ DE FLORE"), ("A", "2024-01-02", -1, "X")]
    )
    assert [t.id for t in ledger.transactions(TxFilter(text="café de"))] == [ids[0]]
    assert [t.id for t in ledger.transactions(TxFilter(text="CAFÉ DE"))] == [ids[0]]
    ledger.set_payee([ids[1]], "Bakery Brioche")
    assert [t.id for t in ledger.transactions(TxFilter(text="brioche"))] == [ids[1]]
    ledger.set_payee([ids[1]], "Someone else")
    assert ledger.count(TxFilter(text="brioche")) == 0
    assert ledger.count(TxFilter(text='quote " inside')) == 0  # no FTS syntax error
    ledger._conn.execute("DELETE FROM transactions WHERE id = ?", (ids[0],))
    assert ledger.count(TxFilter(text="flore")) == 0


def test_text_with_a_nul_is_exact_and_never_an_error(ledger: Ledger, text_path: str) -> None:
    """FTS5 ends a query at a NUL ('unterminated string') and LIKE a pattern (which then
    matched every row): text holding one is tested on the rows that hold one instead."""
    ids = _seed(ledger, [("A", "2024-01-01", -1, "PLAIN SHOP"), ("A", "2024-01-02", -2, "X")])
    # imports and renames refuse NULs, but a ledger written otherwise may hold one
    ledger._conn.execute(
        "UPDATE transactions SET description = ? WHERE id = ?", ("NUL\x00BYTE SHOP", ids[1])
    )
    for text, found in [
        ("\x00", [ids[1]]),
        ("l\x00b", [ids[1]]),
        ("nul\x00byte", [ids[1]]),
        ("shop\x00", []),
        ("\x00\x00\x00\x00", []),
    ]:
        assert [t.id for t in ledger.transactions(TxFilter(text=text))] == found, text
        assert ledger.count(TxFilter(text=text)) == len(found), text
    # (the trigram index does not see past a NUL in a row's own text either: 'shop' finds
    # that row through the probe but not through the index; imports and renames refuse NULs)


def test_migrating_an_older_ledger_indexes_its_rows(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite"
    conn = sqlite3.connect(path, isolation_level=None)
    conn.executescript(MIGRATIONS[0])
    conn.execute("PRAGMA user_version = 1")
    conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
    conn.execute("INSERT INTO accounts (name, currency) VALUES ('Old', 'EUR')")
    conn.execute(
        "INSERT INTO transactions (account_id, date, amount, currency, description, payee, "
        "fingerprint) VALUES (1, '2020-02-02', -995, 'EUR', 'BOULANGERIE PAUL', 'Paul', 'f')"
    )
    conn.close()
    with Ledger.open(path) as ledger:
        assert [t.description for t in ledger.transactions(TxFilter(text="langer"))] == [
            "BOULANGERIE PAUL"
        ]
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS)
    conn.close()


def test_the_probe_and_the_index_agree(ledger: Ledger, monkeypatch: pytest.MonkeyPatch) -> None:
    words = ["TESCO", "Tesco Express", "NETFLIX.COM", "netflix", "BP 4412", "Café Nero"]
    rows = [
        ("AB"[i % 3 == 0], f"2024-{1 + i % 12:02d}-{1 + i % 28:02d}", -i, f"{words[i % 6]} {i}")
        for i in range(240)
    ]
    _seed(ledger, rows)
    filters = [TxFilter(text=t) for t in ("tesco", "NETFLIX", "café", "express 1", "zzz")]
    filters += [TxFilter(text="tesco", account="B"), TxFilter(text="netflix", date_to=None)]
    answers = {}
    for probe_rows in (5_000, 1, 50):
        monkeypatch.setattr(search_module, "PROBE_ROWS", probe_rows)
        answers[probe_rows] = [
            (
                [t.id for t in ledger.transactions(f, limit=7, offset=3, order="date_asc")],
                [t.id for t in ledger.transactions(f, limit=500)],
                ledger.count(f),
            )
            for f in filters
        ]
    assert answers[5_000] == answers[1] == answers[50]
    assert answers[1][0][2] == 80  # 'tesco' is in 2 of every 6 rows


def test_a_schema_4_ledger_upgrades_keeping_rows_search_checks_and_duplicates(
    tmp_path: Path,
) -> None:
    """Migration 5 rebuilds the transactions table: every row, id, category, the text index,
    the CHECKs and duplicate detection must come through it unchanged."""
    path = tmp_path / "v4.sqlite"
    statement = tmp_path / "jan.csv"
    statement.write_text(
        "Date,Description,Amount\n2024-01-02,CAFE LUMIERE,-3.50\n"
        "2024-01-02,CAFE LUMIERE,-3.50\n2024-01-05,RENT JANUARY,-700.00\n"
    )
    assert len(MIGRATIONS) > 4  # this test is about the migrations after 4
    old_rows = _v4_ledger_with_rows(path, statement)
    with Ledger.open(path) as ledger:
        assert ledger._conn.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS)
        rows = ledger._conn.execute(
            "SELECT id, account_id, date, amount, description, payee, category_id, "
            "category_source, categorize_state, batch_id, fingerprint, reasons "
            "FROM transactions ORDER BY id"
        ).fetchall()
        assert rows == old_rows
        assert [t.payee for t in ledger.transactions(TxFilter(text="renamed"))] == ["Renamed"]
        assert ledger.count(TxFilter(text="lumiere")) == 2
        with pytest.raises(sqlite3.IntegrityError):
            ledger._conn.execute("UPDATE transactions SET category_source = 'guess'")
        with pytest.raises(sqlite3.IntegrityError):
            ledger._conn.execute("UPDATE transactions SET categorize_state = 'maybe'")
        again = ledger.import_file(statement, "Checking")
        assert (again.imported, again.duplicates) == (0, 3)
        assert ledger.undo_batch(again.batch_id) == 0
        assert ledger.count() == 3
        assert ledger._conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        text_check = "INSERT INTO tx_text (tx_text, rank) VALUES ('integrity-check', 1)"
        ledger._conn.execute(text_check)  # raises if the text index disagrees with the rows


def _v4_ledger_with_rows(path: Path, statement: Path) -> list[tuple[object, ...]]:
    """A ledger file at schema 4 holding an imported statement, a category and a renamed payee,
    written with plain SQL as the version-4 code did; returns its transactions."""
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
    for number, script in enumerate(MIGRATIONS[:4], start=1):
        conn.executescript(f"BEGIN;\n{script}\nPRAGMA user_version = {number};\nCOMMIT;")
    conn.execute("INSERT INTO accounts (name, currency) VALUES ('Checking', 'USD')")
    conn.execute("INSERT INTO categories (name) VALUES ('Coffee')")
    conn.execute("INSERT INTO batches (account_id, file_name) VALUES (1, 'jan.csv')")
    fingerprint = Fingerprinter()
    for row in iter_rows(detect(statement)):
        assert isinstance(row, ParsedRow)
        conn.execute(
            "INSERT INTO transactions (account_id, date, amount, currency, description, payee, "
            "batch_id, fingerprint, line) VALUES (1, ?, ?, 'USD', ?, ?, 1, ?, ?)",
            (
                row.date.isoformat(),
                row.amount,
                row.description,
                row.description.title(),
                fingerprint(row),
                row.line,
            ),
        )
    conn.execute(
        "UPDATE transactions SET category_id = 1, category_source = 'user', "
        "categorize_state = 'done', reasons = '[\"cafe\"]' WHERE id = 1"
    )
    conn.execute("UPDATE transactions SET payee = 'Renamed' WHERE id = 3")
    rows = conn.execute(
        "SELECT id, account_id, date, amount, description, payee, category_id, "
        "category_source, categorize_state, batch_id, fingerprint, reasons "
        "FROM transactions ORDER BY id"
    ).fetchall()
    assert conn.execute("PRAGMA user_version").fetchone()[0] == 4
    conn.close()
    return rows


def test_text_pages_in_date_order_match_a_plain_filter(
    ledger: Ledger, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Text pages come from the index in (date, id) order, also for rows imported out of date
    order, within date ranges, in both directions, and deep; checked against plain Python."""
    monkeypatch.setattr(search_module, "PROBE_ROWS", 1)  # always the index, never the probe
    days = [dt.date(2023, 12, 31) + dt.timedelta(days=(i * 37) % 90) for i in range(300)]
    rows = [
        ("A", d.isoformat(), -i, f"{'TESCO' if i % 3 else 'SHELL'} {i}") for i, d in enumerate(days)
    ]
    ids = _seed(ledger, rows)
    ledger.set_payee([ids[6]], "Tesco renamed")  # row 6 is SHELL: found by its payee now
    ledger._conn.execute("UPDATE transactions SET date = '2024-02-10' WHERE id = ?", (ids[5],))
    every = {t.id: t for t in ledger.transactions(limit=1000)}
    windows = [
        (None, None),
        (dt.date(2024, 1, 10), None),
        (None, dt.date(2024, 2, 10)),
        (dt.date(2024, 2, 10), dt.date(2024, 2, 10)),
    ]
    for date_from, date_to in windows:
        flt = TxFilter(text="tesco", date_from=date_from, date_to=date_to)
        expected = sorted(
            (
                t
                for t in every.values()
                if ("tesco" in t.description.lower() or "tesco" in t.payee.lower())
                and (date_from is None or t.date >= date_from)
                and (date_to is None or t.date <= date_to)
            ),
            key=lambda t: (t.date, t.id),
        )
        assert expected
        newest = [t.id for t in reversed(expected)]
        assert [t.id for t in ledger.transactions(flt, limit=1000)] == newest
        assert [t.id for t in ledger.transactions(flt, offset=20, limit=15)] == newest[20:35]
        oldest = [t.id for t in expected]
        assert [t.id for t in ledger.transactions(flt, limit=7, order="date_asc")] == oldest[:7]
        assert ledger.count(flt) == len(expected)
    assert ids[6] in [t.id for t in ledger.transactions(TxFilter(text="tesco"), limit=1000)]


def test_text_pages_within_an_account_match_a_plain_filter(
    ledger: Ledger, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A text search within one account is paged inside the index on the key's account bits;
    accounts whose ids share those bits (1 and 257) fall back to the general plan. Both must
    give what plain Python gives, also after a row moves between accounts."""
    monkeypatch.setattr(search_module, "PROBE_ROWS", 1)  # always the index, never the probe
    ledger.ensure_account("A")  # id 1, whose low bits 'Far' (257) shares
    ledger._conn.execute("INSERT INTO accounts (id, name, currency) VALUES (257, 'Far', 'USD')")
    days = [dt.date(2024, 1, 1) + dt.timedelta(days=(i * 7) % 60) for i in range(240)]
    rows = [
        ("ABC"[i % 3] if i % 5 else "Far", d.isoformat(), -i, f"{'TESCO' if i % 2 else 'BP'} {i}")
        for i, d in enumerate(days)
    ]
    ids = _seed(ledger, rows)
    ledger._conn.execute(
        "UPDATE transactions SET account_id = (SELECT id FROM accounts WHERE name = 'B') "
        "WHERE id = ?",
        (ids[1],),
    )
    every = ledger.transactions(limit=1000, order="date_asc")
    for account in ("A", "B", "C", "Far"):
        for date_from in (None, dt.date(2024, 2, 1)):
            flt = TxFilter(text="tesco", account=account, date_from=date_from)
            expected = [
                t.id
                for t in every
                if t.account == account
                and "tesco" in t.description.lower()
                and (date_from is None or t.date >= date_from)
            ]
            assert expected
            assert [t.id for t in ledger.transactions(flt, limit=1000, order="date_asc")] == (
                expected
            )
            newest = expected[::-1]
            assert [t.id for t in ledger.transactions(flt, offset=5, limit=9)] == newest[5:14]
            assert ledger.count(flt) == len(expected)
    assert ids[1] in [t.id for t in ledger.transactions(TxFilter(text="tesco", account="B"))]
    # B's own bits: the index pages; A shares its bits with another account: the general plan
    assert search_module.text_keys(ledger, TxFilter(text="tesco", account="B")) is not None
    assert search_module.text_keys(ledger, TxFilter(text="tesco", account="A")) is None


def test_payees_inside_their_description_are_still_found(ledger: Ledger) -> None:
    """The index leaves out a payee that its description holds; searching it still finds the
    row, and renaming it to text of its own (or back) keeps the index in step."""
    ids = _seed(ledger, [("A", "2024-03-01", -100, "POS NETFLIX.COM 4411")])
    assert ledger.transactions()[0].payee == "Pos Netflix.Com 4411"
    assert ledger.count(TxFilter(text="netflix.c")) == 1
    ledger.set_payee(ids, "Streaming")
    assert ledger.count(TxFilter(text="stream")) == 1
    ledger.set_payee(ids, "netflix")
    assert ledger.count(TxFilter(text="stream")) == 0
    assert ledger.count(TxFilter(text="netflix")) == 1
    check = "INSERT INTO tx_text (tx_text, rank) VALUES ('integrity-check', 1)"
    ledger._conn.execute(check)  # raises if the text index disagrees with the rows
    ledger._conn.execute("DELETE FROM transactions")
    ledger._conn.execute(check)
    assert ledger.count(TxFilter(text="netflix")) == 0


@pytest.mark.parametrize("version", [6, 7])
def test_a_schema_6_or_7_ledger_upgrades_its_text_index(tmp_path: Path, version: int) -> None:
    """Migration 7 re-keys the text index, 8 lets it lag behind imports: a ledger written at
    schema 6 or 7 (rows, a renamed payee, two accounts) searches, pages within an account,
    undoes and imports the same afterwards."""
    path = tmp_path / "old.sqlite"
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
    for number, script in enumerate(MIGRATIONS[:version], start=1):
        conn.executescript(f"BEGIN;\n{script}\nPRAGMA user_version = {number};\nCOMMIT;")
    conn.execute(
        "INSERT INTO accounts (name, currency) VALUES ('Checking', 'USD'), ('Card', 'USD')"
    )
    conn.execute("INSERT INTO batches (account_id, file_name) VALUES (1, 'a.csv'), (2, 'b.csv')")
    for i in range(60):
        account = 1 + i % 2
        conn.execute(  # the schema-6 triggers index each row as it is inserted
            "INSERT INTO transactions (account_id, date, amount, currency, description, payee, "
            "batch_id, fingerprint) VALUES (?, ?, ?, 'USD', ?, ?, ?, ?)",
            (
                account,
                f"2024-05-{1 + i % 28:02d}",
                -i,
                f"CAFE LUMIERE {i}",
                "Cafe Lumiere",
                account,
                f"f{i}",
            ),
        )
    conn.execute("UPDATE transactions SET payee = 'Corner shop' WHERE id = 7")
    assert conn.execute("PRAGMA user_version").fetchone()[0] == version
    conn.close()
    with Ledger.open(path) as ledger:
        assert ledger._conn.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS)
        assert ledger._conn.execute("SELECT upto FROM text_indexed").fetchone()[0] == 60
        assert ledger.index_text() == 0  # every row was indexed already
        ledger._conn.execute("INSERT INTO tx_text (tx_text, rank) VALUES ('integrity-check', 1)")
        assert ledger.count(TxFilter(text="lumiere")) == 60
        assert [t.id for t in ledger.transactions(TxFilter(text="corner"))] == [7]
        card = TxFilter(text="lumiere", account="Card")
        expected = [t.id for t in ledger.transactions(TxFilter(account="Card"), limit=100)]
        assert [t.id for t in ledger.transactions(card, limit=100)] == expected
        assert ledger.count(card) == 30
        assert ledger.undo_batch(2) == 30
        assert ledger.count(TxFilter(text="lumiere")) == 30
        assert ledger.count(card) == 0
        statement = tmp_path / "more.csv"
        statement.write_text("Date,Description,Amount\n2024-06-01,CAFE LUMIERE NEW,-2.00\n")
        ledger.import_file(statement, "Card")
        assert ledger.count(card) == 1
        ledger._conn.execute("INSERT INTO tx_text (tx_text, rank) VALUES ('integrity-check', 1)")


def test_a_rules_amount_limits_are_in_one_currency(ledger: Ledger) -> None:
    """Limits are minor units of the account's currency, or of the one given, or of the one
    most rows are in; a currency that contradicts the account is refused."""
    ledger.ensure_account("Yen card", "JPY")
    ledger.ensure_account("Current", "GBP")
    own = ledger.add_rule("payee", "contains", "x", "A", amount_min=-2000, account="Yen card")
    assert own.currency == "JPY"
    given = ledger.add_rule("payee", "contains", "x", "A", amount_max=-5, currency="eur")
    assert given.currency == "EUR"
    default = ledger.add_rule("payee", "contains", "x", "A", amount_max=-5)
    assert default.currency == "USD"  # no rows yet: the ledger's default
    plain = ledger.add_rule("payee", "contains", "x", "A", currency="GBP")
    assert plain.currency is None  # no limits, nothing to read in a currency
    before = ledger.dump()
    for bad in ({"account": "Yen card", "currency": "GBP"}, {"currency": "pounds"}):
        with pytest.raises(LedgerError, match=r"in JPY|not a currency"):
            ledger.add_rule("payee", "contains", "x", "A", amount_min=-1, **bad)  # type: ignore[arg-type]
    assert ledger.dump() == before


def test_migration_10_gives_old_rules_with_limits_a_currency(tmp_path: Path) -> None:
    path = tmp_path / "v9.sqlite"
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
    for number, script in enumerate(MIGRATIONS[:9], start=1):
        for statement in _statements(script):
            conn.execute(statement)
        conn.execute(f"PRAGMA user_version = {number}")
    conn.executescript(
        "INSERT INTO accounts (id, name, currency) VALUES (1, 'Yen', 'JPY'), (2, 'Cur', 'GBP');"
        "INSERT INTO transactions (account_id, date, amount, currency, description, payee, "
        "fingerprint) VALUES (2, '2026-01-01', -1, 'GBP', 'a', 'a', 'f1'),"
        " (2, '2026-01-02', -1, 'GBP', 'b', 'b', 'f2'),"
        " (1, '2026-01-03', -1, 'JPY', 'c', 'c', 'f3');"
        "INSERT INTO rules (position, field, op, pattern, amount_min, account_id) VALUES"
        " (1, 'payee', 'contains', 'a', -500, 1), (2, 'payee', 'contains', 'b', -500, NULL),"
        " (3, 'payee', 'contains', 'c', NULL, NULL);"
    )
    conn.close()
    with Ledger.open(path) as upgraded:
        assert [r.currency for r in upgraded.rules()] == ["JPY", "GBP", None]
