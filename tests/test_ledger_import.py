"""Committing statements into a real ledger: whole files or nothing, duplicates skipped across
overlapping statements, bad rows all reported, profiles saved and reused, batches undone."""

from __future__ import annotations

import dataclasses
import sqlite3
from pathlib import Path

import pytest

from data.importer import Detection, ImportProblem, Mapping, Question, detect
from data.ledger import (
    ImportRejected,
    Ledger,
    LedgerError,
    TxFilter,
    UnansweredQuestions,
    importing,
)

HEADER = "Date,Amount,Description\n"


def write(path: Path, rows: list[str], header: str = HEADER) -> Path:
    path.write_text(header + "".join(f"{r}\n" for r in rows), encoding="utf-8")
    return path


@pytest.fixture
def ledger(tmp_path: Path):
    with Ledger.open(tmp_path / "ledger.sqlite") as opened:
        yield opened


def pairs(ledger: Ledger, **kw) -> list[tuple[str, int, str]]:
    return sorted(
        (t.date.isoformat(), t.amount, t.description)
        for t in ledger.transactions(TxFilter(**kw), limit=10_000)
    )


def test_import_stores_rows_exactly_and_pending(ledger: Ledger, tmp_path: Path) -> None:
    f = write(tmp_path / "jan.csv", ["2024-01-02,-12.50,CARD COFFEE", "2024-01-05,2500.00,SALARY"])
    result = ledger.import_file(f, "Checking")
    assert (result.imported, result.duplicates, result.account) == (2, 0, "Checking")
    assert pairs(ledger) == [("2024-01-02", -1250, "CARD COFFEE"), ("2024-01-05", 250000, "SALARY")]
    txns = ledger.transactions()
    assert {t.categorize_state for t in txns} == {"pending"}
    assert {t.batch_id for t in txns} == {result.batch_id}
    assert all(t.payee and t.currency == "USD" for t in txns)
    assert [b.id for b in ledger.batches()] == [result.batch_id]
    assert ledger.batches()[0].imported == 2


def test_overlapping_statements_skip_what_is_already_there(ledger: Ledger, tmp_path: Path) -> None:
    jan = write(
        tmp_path / "a.csv",
        ["2024-01-02,-4.00,BUS", "2024-01-02,-4.00,BUS", "2024-01-03,-9.99,BOOKS"],
    )
    overlap = write(
        tmp_path / "b.csv",
        [
            "2024-01-02,-4.00,BUS",
            "2024-01-02,-4.00,BUS",
            "2024-01-03,-9.99,BOOKS",
            "2024-01-04,-4.00,BUS",
        ],
    )
    first = ledger.import_file(jan, "Card")
    assert (first.imported, first.duplicates) == (3, 0)  # two identical bus fares both kept
    second = ledger.import_file(overlap, "Card")
    assert (second.imported, second.duplicates) == (1, 3)
    assert ledger.count() == 4
    # the same rows in another account are not duplicates of these
    other = ledger.import_file(jan, "Other card")
    assert (other.imported, other.duplicates) == (3, 0)


def test_bad_rows_refuse_the_file_and_are_all_reported(ledger: Ledger, tmp_path: Path) -> None:
    ledger.import_file(write(tmp_path / "ok.csv", ["2024-01-01,-1.00,A"]), "Checking")
    before = ledger.dump()
    bad = write(
        tmp_path / "bad.csv",
        ["2024-01-02,-1.00,B", "2024-13-45,-2.00,C", "2024-01-04,-3.00,D", "2024-01-05,abc,E"],
    )
    with pytest.raises(ImportRejected) as caught:
        ledger.import_file(bad, "Checking")
    assert [e.line for e in caught.value.errors] == [3, 5]
    assert "line 3" in str(caught.value) and "line 5" in str(caught.value)
    assert "2 bad rows" in str(caught.value)
    assert ledger.dump() == before


def test_a_header_without_rows_is_refused(ledger: Ledger, tmp_path: Path) -> None:
    before = ledger.dump()
    # the importer may already refuse it as a problem; otherwise the ledger refuses zero rows
    with pytest.raises((ImportRejected, ImportProblem)):
        ledger.import_file(write(tmp_path / "empty.csv", []), "Checking")
    assert ledger.dump() == before


def test_a_failure_mid_file_rolls_everything_back(
    ledger: Ledger, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ledger.import_file(write(tmp_path / "ok.csv", ["2024-01-01,-1.00,A"]), "Checking")
    before = ledger.dump()
    monkeypatch.setattr(importing, "CHUNK", 10)
    calls = {"n": 0}

    def failing_payee() -> object:
        def payee(description: str) -> str:
            calls["n"] += 1
            if calls["n"] == 35:  # three chunks already went to SQLite
                raise RuntimeError("disk on fire")
            return description

        return payee

    monkeypatch.setattr(importing, "_payee_function", failing_payee)
    rows = [f"2024-02-{1 + i % 28:02d},-{i}.00,SHOP {i}" for i in range(100)]
    with pytest.raises(RuntimeError, match="disk on fire"):
        ledger.import_file(write(tmp_path / "big.csv", rows), "Checking")
    assert calls["n"] == 35
    assert ledger.dump() == before
    # and the ledger is still usable afterwards
    monkeypatch.undo()
    assert ledger.import_file(tmp_path / "big.csv", "Checking").imported == 100


def test_undo_removes_exactly_one_batch(ledger: Ledger, tmp_path: Path) -> None:
    a = ledger.import_file(write(tmp_path / "a.csv", ["2024-01-01,-1.00,A"]), "Checking")
    b = ledger.import_file(write(tmp_path / "b.csv", ["2024-01-02,-2.00,B"]), "Checking")
    assert ledger.undo_batch(a.batch_id) == 1
    assert pairs(ledger) == [("2024-01-02", -200, "B")]
    assert [x.id for x in ledger.batches()] == [b.batch_id]
    with pytest.raises(LedgerError, match="no import batch"):
        ledger.undo_batch(a.batch_id)
    # undone rows are no longer duplicates: importing the file again brings them back
    assert ledger.import_file(tmp_path / "a.csv", "Checking").imported == 1


def test_the_profile_is_saved_and_reused_for_a_header(ledger: Ledger, tmp_path: Path) -> None:
    header = "Date,Amount,Description,Reference\n"
    first = write(tmp_path / "a.csv", ["2024-01-01,-1.00,SHOP,REF1"], header)
    result = ledger.import_file(first, "Checking")
    saved = ledger.profile(result.profile_key, "Checking")
    assert saved is not None
    mapping = Mapping.from_json(saved)
    assert mapping == detect(first).mapping
    # the user told the wizard that only the reference column describes a row: that sticks
    reference = mapping.columns.index("Reference")
    ledger.save_profile(
        result.profile_key,
        mapping.with_changes(description_columns=(reference,)).to_json(),
        "Checking",
    )
    second = write(tmp_path / "b.csv", ["2024-01-02,-2.00,SHOP,REF2"], header)
    ledger.import_file(second, "Checking")
    newest = ledger.transactions(limit=1)[0]
    assert (newest.date.isoformat(), newest.description) == ("2024-01-02", "REF2")


def test_open_questions_refuse_the_commit(ledger: Ledger, tmp_path: Path) -> None:
    f = write(tmp_path / "q.csv", ["2024-01-02,-1.00,A"])
    detection = detect(f)
    asked = Detection(
        mapping=detection.mapping,
        questions=(Question("date_order", "Are dates day-first or month-first?", ("dmy", "mdy")),),
        profile_key=detection.profile_key,
        source=detection.source,
    )
    before = ledger.dump()
    with pytest.raises(UnansweredQuestions) as caught:
        ledger.commit_import("Checking", asked, source_name="q.csv")
    assert "day-first or month-first" in str(caught.value)
    assert [q.key for q in caught.value.questions] == ["date_order"]
    assert ledger.dump() == before


def test_import_file_refuses_missing_paths_and_directories(ledger: Ledger, tmp_path: Path) -> None:
    before = ledger.dump()
    with pytest.raises(LedgerError, match="no such file"):
        ledger.import_file(tmp_path / "nope.csv", "Checking")
    with pytest.raises(LedgerError, match="directory"):
        ledger.import_file(tmp_path, "Checking")
    assert ledger.dump() == before


def test_imported_text_is_indexed_and_undo_unindexes_it(
    ledger: Ledger, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from data.ledger import search as search_module

    monkeypatch.setattr(search_module, "PROBE_ROWS", 1)  # answer text filters from the index
    first = ledger.import_file(write(tmp_path / "a.csv", ["2024-01-01,-1.00,ALPHA SHOP"]), "X")
    assert [t.description for t in ledger.transactions(TxFilter(text="alpha"))] == ["ALPHA SHOP"]
    ledger.undo_batch(first.batch_id)
    # the next import reuses the freed id: stale index entries would make it match 'alpha'
    ledger.import_file(write(tmp_path / "b.csv", ["2024-01-02,-2.00,BETA SHOP"]), "X")
    assert ledger.count(TxFilter(text="alpha")) == 0
    assert [t.description for t in ledger.transactions(TxFilter(text="beta"))] == ["BETA SHOP"]
    # single-row paths still go through the triggers, which the bulk paths put back
    ledger.set_payee([ledger.transactions()[0].id], "Gamma Grocer")
    assert ledger.count(TxFilter(text="gamma")) == 1
    names = ledger._conn.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
    triggers = {row[0] for row in names}
    assert triggers == {"tx_text_insert", "tx_text_delete", "tx_text_update"}


def test_many_bad_rows_keep_the_message_short_but_list_them_all(
    ledger: Ledger, tmp_path: Path
) -> None:
    rows = ["2024-01-01,-1.00,OK"] + [f"2024-01-02,{'x' * (i + 1)},BAD" for i in range(30)]
    with pytest.raises(ImportRejected) as caught:
        ledger.import_file(write(tmp_path / "bad.csv", rows), "X")
    assert [e.line for e in caught.value.errors] == list(range(3, 33))
    assert "30 bad rows" in str(caught.value) and "and 10 more" in str(caught.value)
    assert str(caught.value).count("line ") == 20


@pytest.mark.parametrize("newest_first", [False, True])
def test_text_of_many_chunks_is_indexed_in_date_order_and_undone(
    ledger: Ledger, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, newest_first: bool
) -> None:
    """The text index takes imported rows in ranges when it catches up; pages of a text filter
    then come in date order straight from the index, for files in either order and for an
    older statement imported after a newer one, and undo takes exactly its rows out of it."""
    from data.ledger import search as search_module

    monkeypatch.setattr(search_module, "PROBE_ROWS", 1)
    monkeypatch.setattr(search_module, "CATCH_UP_ROWS", 9)
    monkeypatch.setattr(importing, "CHUNK", 7)
    newer = [
        f"2024-03-{1 + i // 4:02d},-{i}.00,SHOP {'TESCO' if i % 2 else 'SHELL'} {i}"
        for i in range(100)
    ]
    older = [f"2023-11-{1 + i // 5:02d},-{i}.50,TESCO OLD {i}" for i in range(60)]
    if newest_first:
        newer.reverse()
        older.reverse()
    ledger.import_file(write(tmp_path / "newer.csv", newer), "X")
    assert ledger.index_text() == 100
    batch = ledger.import_file(write(tmp_path / "older.csv", older), "X")
    every = ledger.transactions(limit=1000)
    expected = [t.id for t in every if "tesco" in t.description.lower()]
    assert len(expected) == 50 + 60
    assert [t.id for t in ledger.transactions(TxFilter(text="tesco"), limit=1000)] == expected
    assert [t.id for t in ledger.transactions(TxFilter(text="tesco"), offset=45, limit=10)] == (
        expected[45:55]
    )
    ledger.undo_batch(batch.batch_id)
    assert ledger.count(TxFilter(text="tesco old")) == 0
    assert [t.id for t in ledger.transactions(TxFilter(text="tesco"), limit=1000)] == expected[:50]
    check = "INSERT INTO tx_text (tx_text, rank) VALUES ('integrity-check', 1)"
    ledger._conn.execute(check)


def test_a_sqlite_failure_in_a_later_chunk_rolls_everything_back(
    ledger: Ledger, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The indexed insert of each chunk runs beside the parsing of the next one; when SQLite
    fails there (here: on the fourth chunk), the error surfaces, nothing of the file is kept,
    and the ledger takes the same file afterwards."""
    ledger.import_file(write(tmp_path / "ok.csv", ["2024-01-01,-1.00,A"]), "Checking")
    before = ledger.dump()
    calls = {"n": 0}

    def chunk_gate() -> int:
        calls["n"] += 1
        if calls["n"] > 3 * 10:  # three chunks of ten rows went in
            raise ValueError("disk on fire")
        return 1

    ledger._conn.create_function("chunk_gate", 0, chunk_gate)
    monkeypatch.setattr(importing, "CHUNK", 10)
    monkeypatch.setattr(
        importing, "INSERT", importing.INSERT.replace("ORDER BY", "WHERE chunk_gate() ORDER BY")
    )
    rows = [f"2024-02-{1 + i % 28:02d},-{i}.00,SHOP {i}" for i in range(100)]
    with pytest.raises(sqlite3.OperationalError, match=r"user-defined function raised"):
        ledger.import_file(write(tmp_path / "big.csv", rows), "Checking")
    assert calls["n"] == 31
    assert ledger.dump() == before
    monkeypatch.undo()
    assert ledger.import_file(tmp_path / "big.csv", "Checking").imported == 100
    assert ledger.count(TxFilter(text="shop 99")) == 1


def test_imports_leave_their_text_to_the_first_search(
    ledger: Ledger, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An import puts nothing into the text index; the first search after it indexes the new
    rows and finds them, undoing rows never indexed leaves the index alone, and a search while
    another connection is writing finds the new rows without the index."""
    from data.ledger import search as search_module

    monkeypatch.setattr(search_module, "PROBE_ROWS", 1)  # answer text filters from the index

    def mark() -> int:
        return int(ledger._conn.execute("SELECT upto FROM text_indexed").fetchone()[0])

    def check() -> None:
        ledger._conn.execute("INSERT INTO tx_text (tx_text, rank) VALUES ('integrity-check', 1)")

    ledger.import_file(
        write(tmp_path / "a.csv", ["2024-01-01,-1.00,ALPHA SHOP", "2024-01-02,-2.00,BETA SHOP"]),
        "X",
    )
    assert mark() == 0
    assert ledger.count(TxFilter(text="alpha")) == 1
    assert mark() == 2
    second = ledger.import_file(write(tmp_path / "b.csv", ["2024-01-03,-3.00,GAMMA SHOP"]), "X")
    assert mark() == 2
    assert ledger.undo_batch(second.batch_id) == 1  # never indexed: nothing to take out
    check()
    assert ledger.index_text() == 0
    # the freed id 3 comes back for DELTA, above the mark: found, and never taken for GAMMA
    ledger.import_file(write(tmp_path / "c.csv", ["2024-01-04,-4.00,DELTA SHOP"]), "X")
    other = sqlite3.connect(ledger.path, isolation_level=None)
    try:
        other.execute("BEGIN IMMEDIATE")  # another writer: the search cannot catch up now
        shops = [t.description for t in ledger.transactions(TxFilter(text="SHOP"), limit=9)]
        assert shops == ["DELTA SHOP", "BETA SHOP", "ALPHA SHOP"]
        assert ledger.count(TxFilter(text="delta")) == 1
        assert ledger.count(TxFilter(text="delta", account="X")) == 1
        assert ledger.count(TxFilter(text="gamma")) == 0
        assert mark() == 2
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert [t.description for t in ledger.transactions(TxFilter(text="delta"))] == ["DELTA SHOP"]
    assert mark() == 3
    assert ledger.count(TxFilter(text="gamma")) == 0
    check()


def test_a_search_whose_catch_up_fails_still_finds_new_rows(
    ledger: Ledger,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """When SQLite fails while the text index catches up (a full disk, say), the catch-up keeps
    the transactions it finished, the search answers the rest from the rows directly, and the
    failure is logged."""
    from data.ledger import search as search_module

    monkeypatch.setattr(search_module, "PROBE_ROWS", 1)
    monkeypatch.setattr(search_module, "CATCH_UP_ROWS", 1)  # one row per transaction
    rows = ["2024-01-01,-1.00,ALPHA SHOP", "2024-01-02,-2.00,ALPHA BAR"]
    ledger.import_file(write(tmp_path / "a.csv", rows), "X")
    calls = {"n": 0}

    def disk_full() -> int:
        calls["n"] += 1
        if calls["n"] > 1:  # the first row's transaction went through
            raise OSError("disk full")
        return 1

    ledger._conn.create_function("disk_full", 0, disk_full)
    failing = search_module.INDEX_TEXT.replace("WHERE", "WHERE disk_full() AND")
    monkeypatch.setattr(search_module, "INDEX_TEXT", failing)
    with caplog.at_level("WARNING", logger="data.ledger.search"):
        found = [t.description for t in ledger.transactions(TxFilter(text="alpha"))]
    assert found == ["ALPHA BAR", "ALPHA SHOP"]
    assert "could not catch up" in caplog.text
    assert ledger._conn.execute("SELECT upto FROM text_indexed").fetchone()[0] == 1
    assert ledger.count(TxFilter(text="alpha bar")) == 1
    monkeypatch.setattr(search_module, "INDEX_TEXT", failing.replace("disk_full() AND", ""))
    assert ledger.index_text() == 1
    assert ledger.count(TxFilter(text="alpha")) == 2
    ledger._conn.execute("INSERT INTO tx_text (tx_text, rank) VALUES ('integrity-check', 1)")


@pytest.mark.parametrize("chunk", [1000, 20_000])
def test_chunks_of_any_size_store_every_row_in_file_order(
    ledger: Ledger, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, chunk: int
) -> None:
    # 2,837 rows: staged 100 rows per statement plus a remainder row by row, in chunks of both
    # sizes; the last 300 repeat the first 300 (identical purchases in one file, all kept, even
    # across chunks), and a currency column's rows keep their own currency
    monkeypatch.setattr(importing, "CHUNK", chunk)
    fields = [
        (
            f"2024-{1 + i % 12:02d}-{1 + i % 28:02d}",
            -((i % 97) + 1) * 100 - i % 100,
            f"SHOP {i % 41}",
            "EUR" if i % 13 == 0 else "",
        )
        for i in [*range(2537), *range(300)]
    ]
    rows = [f"{d},{a // 100 + (a % 100 > 0)}.{-a % 100:02d},{t},{c}" for d, a, t, c in fields]
    f = write(tmp_path / "big.csv", rows, header="Date,Amount,Description,Currency\n")
    result = ledger.import_file(f, "Checking")
    assert (result.imported, result.duplicates) == (2837, 0)
    stored = ledger._conn.execute(
        "SELECT date, amount, description, currency, line, batch_id FROM transactions ORDER BY id"
    ).fetchall()
    assert stored == [
        (d, a, t, c or "USD", line, result.batch_id) for line, (d, a, t, c) in enumerate(fields, 2)
    ]
    again = ledger.import_file(f, "Checking")
    assert (again.imported, again.duplicates) == (0, 2837)


STATED = "Date,Description,Amount,Currency\n"


def test_a_new_account_takes_the_currency_its_statement_names(
    ledger: Ledger, tmp_path: Path
) -> None:
    rows = ["2024-04-01,LULU,-1.250,BHD", "2024-04-02,LULU,-3.111,BHD", "2024-04-03,PAY,1.234,BHD"]
    ledger.import_file(write(tmp_path / "bhd.csv", rows, STATED), "Dinars")  # default USD
    assert ledger.account_currency("Dinars", "?") == "BHD"
    assert ledger.account_balances()["Dinars"] == (-3127, "BHD")
    more = ["2024-05-01,LULU,-2.500,BHD"]  # the profile saved for this header reads it the same
    ledger.import_file(write(tmp_path / "bhd2.csv", more, STATED), "Dinars")
    assert ledger.account_balances()["Dinars"] == (-5627, "BHD")


def test_an_existing_account_keeps_its_currency(ledger: Ledger, tmp_path: Path) -> None:
    ledger.ensure_account("Current", "GBP")
    rows = ["2024-04-01,BOOKS,-12.50,USD", "2024-04-02,TEA,-3.00,GBP"]
    ledger.import_file(write(tmp_path / "mixed.csv", rows, STATED), "Current")
    assert ledger.account_currency("Current", "?") == "GBP"
    # a statement wholly in another currency is refused (test_ledger_currency_guard)
    with pytest.raises(ImportRejected, match="is in USD"):
        ledger.import_file(
            write(tmp_path / "usd.csv", ["2024-04-03,MAPS,-9,USD"], STATED), "Current"
        )
    assert ledger.account_currency("Current", "?") == "GBP"


def test_a_statement_in_several_currencies_leaves_a_new_account_as_asked(
    ledger: Ledger, tmp_path: Path
) -> None:
    rows = ["2024-04-01,HOTEL,-120.00,EUR", "2024-04-02,BOOKS,-12.50,USD"]
    ledger.import_file(write(tmp_path / "mixed.csv", rows, STATED), "Travel", currency="GBP")
    assert ledger.account_currency("Travel", "?") == "GBP"


def test_a_profile_that_took_a_time_zone_for_the_currency_is_not_reused(
    ledger: Ledger, tmp_path: Path
) -> None:
    header = "Date,Time,TimeZone,Name,Currency,Gross\n"
    rows = [
        "2019-10-01,03:46:20,PDT,Calm Radio,USD,-6.99",
        "2019-10-02,08:00:00,PDT,Acme,USD,25.00",
    ]
    path = write(tmp_path / "paypal.csv", rows, header)
    detection = detect(path)
    # as a profile saved by an older version, which read TimeZone as the currency
    stale = dataclasses.replace(detection.mapping, currency_column=2)
    ledger.ensure_account("PayPal", "USD")
    ledger.save_profile(detection.profile_key, stale.to_json(), "PayPal")
    ledger.import_file(path, "PayPal")
    assert {t.currency for t in ledger.iter_transactions()} == {"USD"}


def test_a_balance_adds_up_only_the_rows_in_the_accounts_currency(
    ledger: Ledger, tmp_path: Path
) -> None:
    rows = ["2024-04-01,HOTEL,-120.00,EUR", "2024-04-02,BOOKS,-12.50,GBP", "2024-04-03,PAY,100,GBP"]
    ledger.import_file(write(tmp_path / "mixed.csv", rows, STATED), "Travel", currency="GBP")
    assert ledger.account_balances()["Travel"] == (8750, "GBP")
    assert ledger.foreign_rows() == {"Travel": {"EUR": 1}}
