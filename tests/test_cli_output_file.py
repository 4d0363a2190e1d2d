"""What `fincast export` and `fincast backup` both refuse, through the checks they share
(desktop/commands/_files.py and data/ledger/atomic.check_target): a file they must not or cannot
write, and a ledger that is not there or is not a ledger. Export's filter options are refused the
same way. Each refusal is one line on stderr, and nothing is written and nothing changes."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from data.ledger import Ledger
from tests.helpers.cli_run import refused, run

SUFFIX = {"export": "csv", "backup": "sqlite"}

# {tmp}: a folder holding only kept.{ext} ("keep me"); {db}: a real ledger; {ext}: the command's
OUTPUT_FILE: dict[str, tuple[list[str], str]] = {
    "empty path": ([""], "no file name"),
    "a folder": (["{tmp}"], "is a folder"),
    "missing folder": (["{tmp}/nope/out.{ext}"], "does not exist"),
    "a file as folder": (["{tmp}/kept.{ext}/out.{ext}"], "is not a folder"),
    "existing file": (["{tmp}/kept.{ext}"], "already exists"),
    "unwritable place": (["/proc/fincast-test.{ext}"], "cannot write"),
    "the ledger itself": (["{db}", "--force"], "ledger being read"),
    "its wal file": (["{db}-wal", "--force"], "ledger being read"),
    "not a ledger": (["{tmp}/out.{ext}", "--db", "{tmp}/kept.{ext}"], "not a Fincast ledger"),
    "missing ledger": (["{tmp}/out.{ext}", "--db", "{tmp}/missing.sqlite"], "no ledger at"),
}
EXPORT_FILTERS: dict[str, tuple[list[str], str]] = {
    "bad from date": (["{tmp}/out.csv", "--from", "2024-02-30"], "not a date"),
    "bad to date": (["{tmp}/out.csv", "--to", "yesterday"], "not a date"),
    "from after to": (
        ["{tmp}/out.csv", "--from", "2024-03-01", "--to", "2024-02-01"],
        "--from is after --to",
    ),
    "unknown account": (["{tmp}/out.csv", "--account", "Nope"], "no account named"),
}
CASES = [(command, case) for command in SUFFIX for case in OUTPUT_FILE] + [
    ("export", case) for case in EXPORT_FILTERS
]


@pytest.fixture
def db(tmp_path: Path) -> Path:
    """A ledger of 20 transactions in one account."""
    statement = tmp_path / "statement.csv"
    rows = "".join(f"2024-01-{i + 1:02d},-{i}.25,SHOP {i}\n" for i in range(20))
    statement.write_text("Date,Amount,Description\n" + rows, encoding="utf-8")
    path = tmp_path / "ledger.sqlite"
    with Ledger.open(path) as ledger:
        ledger.import_file(statement, "Current", currency="GBP")
    return path


@pytest.mark.parametrize(("command", "case"), CASES)
def test_refused_in_one_line_and_nothing_changes(
    command: str, case: str, db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ext = SUFFIX[command]
    work = tmp_path / "work"
    work.mkdir()
    kept = work / f"kept.{ext}"
    kept.write_text("keep me\n")
    argv, says = OUTPUT_FILE.get(case) or EXPORT_FILTERS[case]
    argv = [a.format(db=db, tmp=work, ext=ext) for a in argv]
    if "--db" not in argv:
        argv += ["--db", str(db)]
    with Ledger.open(db) as ledger:
        before = ledger.dump()
    err = refused(*run(capsys, command, *argv))
    assert says in err
    assert sorted(p.name for p in work.iterdir()) == [kept.name]
    assert kept.read_text() == "keep me\n"
    assert not Path(f"/proc/fincast-test.{ext}").exists()
    with Ledger.open(db) as ledger:
        assert ledger.dump() == before


@pytest.mark.parametrize("command", sorted(SUFFIX))
def test_a_folder_it_cannot_write_is_refused(
    command: str, db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    if os.geteuid() == 0:
        pytest.skip("root writes into any folder; /proc stands in for it in the cases above")
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o500)
    err = refused(*run(capsys, command, locked / f"out.{SUFFIX[command]}", "--db", db))
    assert "permission denied" in err and list(locked.iterdir()) == []
