"""The `fincast` command line core: import/transactions/accounts/undo through main() and through
the real console script, the JSON contract, exit codes, and the one exception hook."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from data.ledger import Ledger
from desktop import cli

REPO = Path(__file__).resolve().parent.parent
FINCAST = Path(sys.executable).with_name("fincast")
NC = "--no-categorize"  # most tests leave the categorizer (another area's sidecar) out


def write(path: Path, rows: list[str]) -> Path:
    path.write_text("Date,Amount,Description\n" + "".join(f"{r}\n" for r in rows), encoding="utf-8")
    return path


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = cli.main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_import_json_is_one_object_and_transactions_json_follows_the_contract(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "l.sqlite"
    f = write(tmp_path / "s.csv", ["2024-03-01,-12.50,CARD 1234 COFFEE", "2024-03-02,1000,PAY"])
    code, out, err = run(
        capsys, "import", f, "--account", "Main", "--db", db, "--json", "--no-categorize"
    )
    assert code == 0, err
    summary = json.loads(out)
    assert {"imported", "duplicates", "errors", "profile", "batch"} <= summary.keys()
    assert (summary["imported"], summary["duplicates"], summary["errors"]) == (2, 0, [])
    assert isinstance(summary["batch"], int) and summary["batches"] == [summary["batch"]]

    code, out, err = run(capsys, "transactions", "--db", db, "--json")
    assert code == 0, err
    listed = json.loads(out)
    assert [(t["date"], t["amount"], t["currency"]) for t in listed] == [
        ("2024-03-02", "1000.00", "USD"),
        ("2024-03-01", "-12.50", "USD"),
    ]
    for t in listed:
        assert t["account"] == "Main" and t["batch"] == summary["batch"]
        assert t["category"] is None and t["category_source"] is None
        assert t["categorize_state"] == "pending"
    assert listed[1]["description"] == "CARD 1234 COFFEE"


def test_several_files_sum_their_counts(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = tmp_path / "l.sqlite"
    a = write(tmp_path / "a.csv", ["2024-01-01,-1.00,A", "2024-01-02,-2.00,B"])
    b = write(tmp_path / "b.csv", ["2024-01-02,-2.00,B", "2024-01-03,-3.00,C"])
    code, out, _ = run(capsys, "import", a, b, "--account", "X", "--db", db, NC, "--json")
    summary = json.loads(out)
    assert code == 0
    assert (summary["imported"], summary["duplicates"]) == (3, 1)
    assert len(summary["batches"]) == 2 and summary["batch"] == summary["batches"][-1]
    assert [f["imported"] for f in summary["files"]] == [2, 1]


def test_filters_accounts_and_undo(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = tmp_path / "l.sqlite"
    a = write(tmp_path / "a.csv", ["2024-01-01,-1.00,TEA", "2024-02-01,-5.00,CAKE"])
    run(capsys, "import", a, "--account", "A", "--db", db, "--no-categorize")
    code, out, _ = run(
        capsys,
        "import",
        write(tmp_path / "b.csv", ["2024-01-15,20.00,REFUND"]),
        "--account",
        "B",
        "--currency",
        "eur",
        "--db",
        db,
        "--json",
        "--no-categorize",
    )
    batch_b = json.loads(out)["batch"]

    def amounts(*filters: str) -> list[str]:
        code, out, err = run(capsys, "transactions", "--db", db, "--json", *filters)
        assert code == 0, err
        return [t["amount"] for t in json.loads(out)]

    assert amounts() == ["-5.00", "20.00", "-1.00"]
    assert amounts("--account", "A") == ["-5.00", "-1.00"]
    assert amounts("--from", "2024-01-10", "--to", "2024-01-31") == ["20.00"]
    assert amounts("--search", "cak") == ["-5.00"]
    assert amounts("--uncategorized", "--limit", "2") == ["-5.00", "20.00"]
    assert amounts("--offset", "1", "--order", "date_asc") == ["20.00", "-5.00"]

    code, out, _ = run(capsys, "accounts", "--db", db, "--json")
    assert json.loads(out) == [
        {
            "name": "A",
            "currency": "USD",
            "transactions": 2,
            "balance": "-6.00",
            "rows_balance": "-6.00",
            "stated_balance": None,
            "other_currencies": {},
        },
        {
            "name": "B",
            "currency": "EUR",
            "transactions": 1,
            "balance": "20.00",
            "rows_balance": "20.00",
            "stated_balance": None,
            "other_currencies": {},
        },
    ]
    code, out, _ = run(capsys, "undo", str(batch_b), "--db", db)
    assert code == 0 and "removed 1" in out
    assert amounts() == ["-5.00", "-1.00"]
    code, _, err = run(capsys, "undo", str(batch_b), "--db", db)
    assert code == 1 and err.count("\n") == 1 and "no import batch" in err


@pytest.mark.parametrize(
    "argv",
    [
        ["import", "x.csv"],  # --account missing
        ["transactions", "--from", "2024-02-30"],
        ["transactions", "--low-confidence", "2"],
        ["transactions", "--account", "Nobody"],
        ["undo", "abc"],
        ["no-such-command"],
        ["transactions", "--limit", "-3"],
    ],
)
def test_usage_mistakes_are_one_line_and_exit_1(
    argv: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(capsys, *argv, "--db", tmp_path / "l.sqlite")
    assert code == 1
    assert err.count("\n") == 1 and err.startswith("fincast: ")
    assert "Traceback" not in err + out


def test_help_exits_0(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "--help")
    assert code == 0
    for command in ("import", "transactions", "accounts", "undo"):
        assert command in out


def test_a_bug_is_logged_not_shown(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from desktop.commands import accounts

    def broken(args: object) -> int:
        raise ZeroDivisionError("a bug in a command")

    monkeypatch.setattr(accounts, "run", broken)
    code, _, err = run(capsys, "accounts", "--db", tmp_path / "l.sqlite")
    assert code == 2
    assert err.count("\n") == 1 and "ZeroDivisionError" in err and "Traceback" not in err
    log = Path(err.strip().rsplit(" ", 1)[-1])
    logged = log.read_text()
    assert "Traceback" in logged and "a bug in a command" in logged


def test_start_up_imports_no_qt_and_no_model_library() -> None:
    code = (
        "import sys, desktop.cli as c; c.build_parser(); "
        "print(sorted({m.split('.')[0] for m in sys.modules} & "
        "{'PySide6', 'sklearn', 'prophet', 'zmq', 'numpy', 'pandas'}))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    ).stdout
    assert out.strip() == "[]"


def test_the_console_script_imports_and_lists(tmp_path: Path) -> None:
    db = tmp_path / "l.sqlite"
    f = write(tmp_path / "s.csv", ["2024-05-01,-3.20,BAKERY"])
    done = subprocess.run(
        [FINCAST, "import", f, "--account", "Main", "--db", db, NC, "--json"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["imported"] == 1
    listed = subprocess.run(
        [FINCAST, "--db", db, "transactions", "--json"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert [t["amount"] for t in json.loads(listed.stdout)] == ["-3.20"]


@pytest.mark.slow
def test_killing_an_import_midway_leaves_the_ledger_unchanged(tmp_path: Path) -> None:
    db = tmp_path / "l.sqlite"
    with Ledger.open(db) as ledger:
        ledger.import_file(write(tmp_path / "first.csv", ["2023-12-31,-1.00,BEFORE"]), "Main")
        before = ledger.dump()
    rows = [
        f"2024-{1 + i % 12:02d}-{1 + i % 28:02d},-{i % 500}.{i % 100:02d},SHOP {i}"
        for i in range(20_000)
    ]
    big = write(tmp_path / "big.csv", rows)
    proc = subprocess.Popen(
        [FINCAST, "import", big, "--account", "Main", "--db", db, "--progress", "--no-categorize"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stderr is not None
        # the first progress line means a chunk of rows is inside the open transaction
        line = proc.stderr.readline()
        assert "rows" in line, line
        proc.send_signal(signal.SIGKILL)
    finally:
        proc.wait(timeout=60)
        if proc.stderr:
            proc.stderr.close()
    assert proc.returncode == -signal.SIGKILL
    assert os.path.exists(db)
    with Ledger.open(db) as ledger:
        assert ledger.dump() == before
        # and it still takes the same file afterwards
        assert ledger.import_file(big, "Main").imported == 20_000


def test_ambiguous_dates_are_asked_then_the_answer_is_remembered(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "l.sqlite"
    first = tmp_path / "a.csv"
    first.write_text("Date,Amount,Description\n03/04/2024,-1.00,A\n05/06/2024,-2.00,B\n")
    code, out, err = run(capsys, "import", first, "--account", "UK", "--db", db, "--no-categorize")
    assert code == 1 and err.count("\n") == 1 and "--date-order" in err
    with Ledger.open(db) as ledger:
        assert ledger.count() == 0
    code, _, err = run(
        capsys,
        "import",
        first,
        "--account",
        "UK",
        "--db",
        db,
        "--date-order",
        "dmy",
        "--no-categorize",
    )
    assert code == 0, err
    # the next statement with the same header needs no answer: the profile says day-first
    second = tmp_path / "b.csv"
    second.write_text("Date,Amount,Description\n07/08/2024,-3.00,C\n")
    code, _, err = run(capsys, "import", second, "--account", "UK", "--db", db, "--no-categorize")
    assert code == 0, err
    code, out, _ = run(capsys, "transactions", "--db", db, "--json")
    assert [t["date"] for t in json.loads(out)] == ["2024-08-07", "2024-06-05", "2024-04-03"]


def test_no_subcommand_opens_the_desktop_lazily(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import types

    opened: list[object] = []
    fake = types.ModuleType("desktop.app")
    fake.run = lambda db=None: opened.append(db) or 0  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "desktop.app", fake)
    code, _, _ = run(capsys, "--db", tmp_path / "x.sqlite")
    assert code == 0 and opened == [tmp_path / "x.sqlite"]
    # without a desktop installed, `fincast` shows the help instead
    monkeypatch.setitem(sys.modules, "desktop.app", None)
    code, out, err = run(capsys)
    assert code == 0 and "import" in out and err == ""


def test_one_refused_file_among_several_is_reported_and_the_rest_go_in(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "l.sqlite"
    good = write(tmp_path / "good.csv", ["2024-01-01,-1.00,A"])
    bad = write(tmp_path / "bad.csv", ["2024-01-02,-2.00,B", "2024-01-03,lots,C"])
    gone = tmp_path / "gone.csv"
    argv = ["import", good, bad, gone, "--account", "X", "--db", db, NC, "--json"]
    code, out, err = run(capsys, *argv)
    assert code == 1
    assert err.count("\n") == 1 and "2 files refused" in err and "line 3" in err
    summary = json.loads(out)
    assert summary["imported"] == 1 and len(summary["batches"]) == 1
    assert [(e["file"].rsplit("/", 1)[-1], e["line"]) for e in summary["errors"]] == [
        ("bad.csv", 3),
        ("gone.csv", None),
    ]
    # fixing the bad file and running the same command again adds only what is new
    write(bad, ["2024-01-02,-2.00,B", "2024-01-03,-3.00,C"])
    code, out, _ = run(capsys, "import", good, bad, "--account", "X", "--db", db, NC, "--json")
    assert code == 0
    assert (json.loads(out)["imported"], json.loads(out)["duplicates"]) == (2, 1)


@pytest.mark.slow
def test_import_categorizes_new_rows_by_the_users_rules(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "l.sqlite"
    with Ledger.open(db) as ledger:
        ledger.add_rule("description", "contains", "COFFEE", "Coffee")
    f = write(tmp_path / "s.csv", ["2024-03-01,-3.50,COFFEE HOUSE 12", "2024-03-02,-9.00,BOOKS"])
    code, out, err = run(capsys, "import", f, "--account", "Main", "--db", db, "--json")
    assert code == 0, err
    summary = json.loads(out)
    assert summary["imported"] == 2 and summary["categorize"]["by_rule"] == 1
    code, out, _ = run(capsys, "transactions", "--db", db, "--json", "--search", "coffee")
    [row] = json.loads(out)
    assert (row["category"], row["category_source"]) == ("Coffee", "rule")


@pytest.mark.parametrize(
    ("env", "dates"),
    [
        ({"LANG": "en_GB.UTF-8"}, ["2024-06-05", "2024-04-03"]),
        ({"LANG": "en_GB.UTF-8", "LC_TIME": "en_US.UTF-8"}, ["2024-05-06", "2024-03-04"]),
        ({"LANG": "C.UTF-8", "LC_ALL": "de_DE.UTF-8"}, ["2024-06-05", "2024-04-03"]),
    ],
)
def test_the_environments_locale_settles_what_the_file_cannot(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    env: dict[str, str],
    dates: list[str],
) -> None:
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    db, path = tmp_path / "l.sqlite", tmp_path / "a.csv"
    path.write_text("Date,Amount,Description\n03/04/2024,-1.00,A\n05/06/2024,-2.00,B\n")
    code, _, err = run(capsys, "import", path, "--account", "A", "--db", db, "--no-categorize")
    assert code == 0, err
    code, out, _ = run(capsys, "transactions", "--db", db, "--json")
    assert [t["date"] for t in json.loads(out)] == dates


def test_a_locale_flag_beats_the_environment(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LANG", "en_US.UTF-8")
    db, path = tmp_path / "l.sqlite", tmp_path / "a.csv"
    path.write_text("Date,Amount,Description\n03/04/2024,-1.00,A\n")
    argv = ("import", path, "--account", "A", "--db", db, "--locale", "en_GB", "--no-categorize")
    code, _, err = run(capsys, *argv)
    assert code == 0, err
    code, out, _ = run(capsys, "transactions", "--db", db, "--json")
    assert [t["date"] for t in json.loads(out)] == ["2024-04-03"]


@pytest.mark.parametrize(
    ("currency", "minor"), [("JPY", -1250), ("KWD", -1250000), ("EUR", -125000)]
)
def test_amounts_are_read_in_the_accounts_minor_units(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], currency: str, minor: int
) -> None:
    db, path = tmp_path / "l.sqlite", tmp_path / "a.csv"
    rows = [f"2024-01-{day:02d},SHOP {day},-{day}50" for day in range(2, 12)]
    path.write_text("\n".join(["Date,Description,Amount", "2024-01-01,RENT,-1250", *rows]) + "\n")
    with Ledger.open(db) as ledger:
        ledger.ensure_account("Wallet", currency)  # an existing account keeps its currency
    argv = ("import", path, "--account", "Wallet", "--db", db, "--no-categorize")
    code, _, err = run(capsys, *argv, "--currency", "USD")
    assert code == 0, err
    with Ledger.open(db) as ledger:
        rent = [t for t in ledger.transactions() if t.description == "RENT"]
    assert [t.amount for t in rent] == [minor]


def test_the_transactions_table_lines_up_across_accounts_and_categories(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "l.sqlite"
    short = write(tmp_path / "a.csv", ["2024-03-01,-12.50,COFFEE", "2024-03-02,1000,PAY"])
    long = write(tmp_path / "b.csv", ["2024-03-03,-3.00,TEA"])
    assert run(capsys, "import", short, "--account", "Card", "--db", db, NC)[0] == 0
    assert run(capsys, "import", long, "--account", "Joint current account", "--db", db, NC)[0] == 0
    with Ledger.open(db) as ledger:
        first = ledger.transactions()[0]
        ledger.set_category([first.id], "Eating & drinking out")
    code, out, _ = run(capsys, "transactions", "--db", db)
    assert code == 0
    lines = out.splitlines()
    payees = ["Tea", "Pay", "Coffee"]
    assert [line.rsplit("  ", 1)[1] for line in lines] == payees
    assert len({line.index(payee) for line, payee in zip(lines, payees, strict=True)}) == 1


def test_amount_filters(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = tmp_path / "l.sqlite"
    f = write(tmp_path / "s.csv", ["2024-03-01,-49.99,A", "2024-03-02,49.99,B", "2024-03-03,-5,C"])
    assert run(capsys, "import", f, "--account", "Main", "--db", db, NC)[0] == 0

    def amounts(*filters: str) -> list[str]:
        code, out, err = run(capsys, "transactions", "--db", db, "--json", *filters)
        assert code == 0, err
        return [t["amount"] for t in json.loads(out)]

    assert amounts("--amount", "49.99") == ["49.99", "-49.99"]
    assert amounts("--amount-from", "10") == ["49.99", "-49.99"]
    assert amounts("--amount-to", "5.00") == ["-5.00"]
    assert amounts("--amount-from", "5", "--amount-to", "5") == ["-5.00"]
    bad_sizes = ("-5", "abc", "nan", "inf", "1e999999999", "1e3", "")
    for bad in (["--amount", size] for size in bad_sizes):
        code, out, err = run(capsys, "transactions", "--db", db, *bad)
        assert code == 1 and out == "" and err.count("\n") == 1 and "Traceback" not in err
    code, _, err = run(capsys, "transactions", "--db", db, "--amount-from", "9", "--amount-to", "1")
    assert code == 1 and "more than" in err
    code, _, err = run(capsys, "transactions", "--db", db, "--amount", "1", "--amount-to", "2")
    assert code == 1 and "not both" in err
