"""Hostile input to `fincast import` and `--db`: every case exits 1 with one clear line on stderr,
prints no traceback, and leaves the ledger exactly as it was (a full dump before and after)."""

from __future__ import annotations

import codecs
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from data.ledger import Ledger
from desktop import cli

FINCAST = Path(sys.executable).with_name("fincast")
GOOD = "Date,Amount,Description\n2024-01-01,-1.00,FIRST\n"


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "ledger.sqlite"
    (tmp_path / "good.csv").write_text(GOOD)
    with Ledger.open(path) as ledger:
        ledger.import_file(tmp_path / "good.csv", "Main")
    return path


def dump(path: Path) -> list[str]:
    with Ledger.open(path) as ledger:
        return ledger.dump()


def _empty(p: Path) -> Path:
    p.write_bytes(b"")
    return p


def _binary(p: Path) -> Path:
    p.write_bytes(bytes(range(256)) * 64 + b"\x00\xff\xfe" * 1000)
    return p


def _html(p: Path) -> Path:
    p.write_text(
        "<!DOCTYPE html><html><head><title>Online banking - session expired</title></head>"
        "<body><p>Your session has expired, please log in again.</p>"
        "<table><tr><td>Date</td><td>Amount</td></tr></table></body></html>\n"
    )
    return p


def _no_newline_30mb(p: Path) -> Path:
    with p.open("wb") as handle:
        chunk = b"2024-01-01;-1.00;SHOP ABC " * 4096
        for _ in range(30 * 1024 * 1024 // len(chunk) + 1):
            handle.write(chunk)
    return p


def _truncated_utf16(p: Path) -> Path:
    text = "Date,Amount,Description\n" + "".join(
        f"2024-01-{d:02d},-{d}.50,CAFÉ MÜNCHEN {d}\n" for d in range(1, 29)
    )
    data = codecs.BOM_UTF16_LE + text.encode("utf-16-le")
    p.write_bytes(data[: len(data) // 2 + 1])  # cut mid-row and mid code unit
    return p


def _header_only(p: Path) -> Path:
    p.write_text("Date,Amount,Description\n")
    return p


def _bad_rows(p: Path) -> Path:
    p.write_text(
        "Date,Amount,Description\n"
        "2024-01-02,-1.00,OK\n"
        "2024-02-30,-2.00,NO SUCH DAY\n"
        "2024-01-04,1.2.3,BAD AMOUNT\n"
        "2024-01-05,-4.00,OK AGAIN\n"
        "2024-01-06,twelve,WORDS FOR AN AMOUNT\n"
    )
    return p


def _directory(p: Path) -> Path:
    p.mkdir()
    return p


def _missing(p: Path) -> Path:
    return p


CASES: dict[str, Callable[[Path], Path]] = {
    "empty": _empty,
    "binary": _binary,
    "html": _html,
    "30mb-no-newline": _no_newline_30mb,
    "truncated-utf16": _truncated_utf16,
    "header-only": _header_only,
    "bad-rows": _bad_rows,
    "directory": _directory,
    "missing": _missing,
}


def _check_refused(code: int, out: str, err: str) -> None:
    assert code == 1, (out, err)
    assert "Traceback" not in out + err
    assert err.count("\n") == 1 and err.startswith("fincast: "), err
    assert len(err.strip()) > len("fincast: ") + 10  # says something, not just a class name


@pytest.mark.parametrize("case", sorted(CASES))
def test_hostile_files_are_refused_and_change_nothing(
    case: str, db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = CASES[case](tmp_path / f"{case}.csv")
    before = dump(db)
    code = cli.main(["import", str(target), "--account", "Main", "--db", str(db)])
    out, err = capsys.readouterr()
    _check_refused(code, out, err)
    assert dump(db) == before


def test_all_bad_rows_are_reported_with_their_lines(
    db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = _bad_rows(tmp_path / "bad.csv")
    code = cli.main(["import", str(bad), "--account", "Main", "--db", str(db), "--json"])
    out, err = capsys.readouterr()
    _check_refused(code, out, err)
    for line in (3, 4, 6):
        assert f"line {line}" in err
    import json

    summary = json.loads(out)
    assert sorted(e["line"] for e in summary["errors"]) == [3, 4, 6]
    assert summary["imported"] == 0 and summary["batch"] is None


def test_a_non_sqlite_db_is_refused_and_left_byte_for_byte(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    notes = tmp_path / "notes.txt"
    notes.write_text("my shopping list\n" * 200)
    original = notes.read_bytes()
    (tmp_path / "good.csv").write_text(GOOD)
    for argv in (
        ["import", str(tmp_path / "good.csv"), "--account", "Main", "--db", str(notes)],
        ["transactions", "--db", str(notes)],
        ["accounts", "--db", str(notes)],
    ):
        code = cli.main(argv)
        out, err = capsys.readouterr()
        _check_refused(code, out, err)
        assert "not a Fincast ledger" in err
    assert notes.read_bytes() == original
    assert sorted(p.name for p in tmp_path.iterdir()) == ["good.csv", "notes.txt"]


def test_an_unwritable_db_location_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "good.csv").write_text(GOOD)
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    targets = [blocker / "ledger.sqlite", Path("/proc/fincast-test/ledger.sqlite")]
    if os.geteuid() != 0:  # root ignores directory permissions; the cases above still apply
        locked = tmp_path / "locked"
        locked.mkdir(mode=0o500)
        targets.append(locked / "ledger.sqlite")
    for target in targets:
        code = cli.main(
            ["import", str(tmp_path / "good.csv"), "--account", "Main", "--db", str(target)]
        )
        out, err = capsys.readouterr()
        _check_refused(code, out, err)
        assert not target.exists()


def test_a_directory_as_db_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = cli.main(["transactions", "--db", str(tmp_path)])
    out, err = capsys.readouterr()
    _check_refused(code, out, err)


@pytest.mark.parametrize("case", ["binary", "html", "bad-rows", "missing"])
def test_the_real_console_script_refuses_cleanly(case: str, db: Path, tmp_path: Path) -> None:
    target = CASES[case](tmp_path / f"{case}.csv")
    before = dump(db)
    done = subprocess.run(
        [FINCAST, "import", target, "--account", "Main", "--db", db],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    _check_refused(done.returncode, done.stdout, done.stderr)
    assert dump(db) == before
