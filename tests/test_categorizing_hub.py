"""The categorize loop and its commands end to end: a real ledger file, the real hub, the real
categorizer process; and `fincast rules` (no service needed)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from data.ledger import Ledger, TxFilter
from desktop import cli

CSV = """Date,Description,Amount
2024-01-02,CARD PAYMENT TO TESCO STORES 3297 LONDON,-23.10
2024-01-03,SQ *STARBUCKS 0042,-4.50
2024-01-04,NETFLIX.COM,-9.99
"""


def run(capsys: pytest.CaptureFixture[str], *argv: str | Path) -> tuple[int, str, str]:
    code = cli.main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def statement(tmp_path: Path) -> Path:
    path = tmp_path / "statement.csv"
    path.write_text(CSV, encoding="utf-8")
    return path


def test_rules_add_list_move_rm(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    db = tmp_path / "l.sqlite"
    code, out, err = run(
        capsys, "rules", "add", "--contains", "netflix", "--category", "Streaming", "--db", db
    )
    assert (code, out.strip(), err) == (0, "added rule 1", "")
    run(
        capsys,
        "rules",
        "add",
        "--regex",
        r"^sq \*",
        "--field",
        "description",
        "--rename",
        "Square",
        "--max",
        "-1.00",
        "--db",
        db,
    )
    code, out, _ = run(capsys, "rules", "list", "--json", "--db", db)
    rules = json.loads(out)
    assert [
        (r["id"], r["op"], r["category"], r["rename_payee"], r["amount_max"]) for r in rules
    ] == [
        (1, "contains", "Streaming", None, None),
        (2, "regex", None, "Square", "-1.00"),
    ]
    assert run(capsys, "rules", "move", "2", "1", "--db", db)[0] == 0
    _, out, _ = run(capsys, "rules", "list", "--json", "--db", db)
    assert [r["id"] for r in json.loads(out)] == [2, 1]
    assert run(capsys, "rules", "rm", "2", "--db", db)[0] == 0
    _, out, _ = run(capsys, "rules", "list", "--db", db)
    assert "Streaming" in out and "Square" not in out


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["rules", "add", "--regex", "([", "--category", "X"], "not a valid regular expression"),
        (["rules", "add", "--contains", "x"], "must set a category or rename"),
        (
            ["rules", "add", "--contains", "x", "--category", "C", "--min", "abc"],
            "--min: not an amount",
        ),
        (
            ["rules", "add", "--contains", "x", "--category", "C", "--min", "5", "--max", "1"],
            "minimum",
        ),
        (["rules", "rm", "42"], "no rule 42"),
    ],
)
def test_rules_user_errors(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, argv: list[str], message: str
) -> None:
    code, out, err = run(capsys, *argv, "--db", tmp_path / "l.sqlite")
    assert code == 1 and out == ""
    assert message in err and len(err.strip().splitlines()) == 1 and "Traceback" not in err


@pytest.mark.slow
def test_import_categorizes_by_default_then_train(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, statement: Path
) -> None:
    db = tmp_path / "l.sqlite"
    run(capsys, "rules", "add", "--contains", "netflix", "--category", "Streaming", "--db", db)
    code, out, err = run(capsys, "import", statement, "--account", "Main", "--db", db, "--json")
    assert code == 0, err
    assert json.loads(out)["imported"] == 3
    with Ledger.open(db) as ledger:
        rows = {t.description: t for t in ledger.transactions()}
        assert ledger.count(TxFilter(categorize_state="pending")) == 0
        assert (rows["NETFLIX.COM"].category, rows["NETFLIX.COM"].category_source) == (
            "Streaming",
            "rule",
        )
        coffee = rows["SQ *STARBUCKS 0042"]
        assert coffee.category_source == "model" or coffee.suggestion is not None
        ledger.set_category([coffee.id], "Treats", source="user")
    code, out, err = run(capsys, "train", "--json", "--db", db)
    assert code == 0, err
    trained = json.loads(out)
    assert "Treats" in trained["classes"] and "Streaming" in trained["classes"]
    code, out, _ = run(capsys, "categorize", "--json", "--db", db)
    assert code == 0 and json.loads(out)["pending"] == 0


@pytest.mark.slow
def test_import_succeeds_and_stays_pending_when_categorizer_cannot_start(
    tmp_path: Path, statement: Path
) -> None:
    """A categorizer that exits at once (a broken module): the import still succeeds, rows stay
    pending and the command says so; `--no-categorize` does not try at all."""
    home = tmp_path / "home"
    (home / "config").mkdir(parents=True)
    (home / "config" / "services.toml").write_text(
        '[services.categorizer]\nmodule = "sidecars.categorizer_missing"\nmax_restarts = 0\n'
        "start_timeout_s = 5.0\n",
        encoding="utf-8",
    )
    db = tmp_path / "l.sqlite"
    env = {"FINCAST_HOME": str(home), "PATH": "/usr/bin:/bin"}
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "desktop.cli",
            "import",
            str(statement),
            "--account",
            "Main",
            "--db",
            str(db),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert "3 transactions stay pending" in proc.stderr
    assert "Traceback" not in proc.stderr
    with Ledger.open(db) as ledger:
        assert ledger.count(TxFilter(categorize_state="pending")) == 3


@pytest.mark.parametrize("argv", [["categorize"], ["train"], ["rules", "list"]])
def test_commands_refuse_a_file_that_is_not_a_ledger(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, argv: list[str]
) -> None:
    junk = tmp_path / "junk.sqlite"
    junk.write_bytes(bytes(range(256)) * 8)
    code, out, err = run(capsys, *argv, "--db", junk)
    assert code == 1 and out == ""
    assert "not a Fincast ledger" in err and len(err.strip().splitlines()) == 1
    assert junk.read_bytes() == bytes(range(256)) * 8  # nothing lost


def test_train_with_no_labels_says_so_without_starting_anything(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, statement: Path
) -> None:
    db = tmp_path / "l.sqlite"
    assert run(capsys, "import", statement, "--account", "A", "--db", db, "--no-categorize")[0] == 0
    code, out, err = run(capsys, "train", "--db", db)
    assert code == 1 and out == ""
    assert err.strip().endswith(
        "nothing to learn from yet: categorize some transactions (or add rules) first"
    )


def test_a_rules_limits_are_money_of_one_currency(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """`rules add --min/--max` reads the limits in the account's currency (else --currency,
    else the ledger's main one), and the categorize pass applies them to rows in that currency
    only: 'Netflix up to 20.00' in pounds does not take a ¥1,490 charge."""
    db = tmp_path / "l.sqlite"
    (tmp_path / "gbp.csv").write_text("Date,Description,Amount\n2026-11-02,NETFLIX.COM,-9.99\n")
    (tmp_path / "jpy.csv").write_text("Date,Description,Amount\n2026-11-04,NETFLIX.COM,-1490\n")
    for name, account, currency in (("gbp", "Current", "GBP"), ("jpy", "Yen", "JPY")):
        argv = ("import", tmp_path / f"{name}.csv", "--account", account, "--currency", currency)
        assert run(capsys, *argv, "--db", db, "--no-categorize")[0] == 0
    add = ("rules", "add", "--contains", "netflix", "--category", "TV", "--db", db, "--json")
    code, out, err = run(capsys, *add, "--min", "-20.00", "--max", "-5")
    assert code == 0, err
    assert json.loads(out)["currency"] == "GBP"  # the rows' main currency (ties: by code)
    assert json.loads(out)["amount_min"] == "-20.00"
    code, out, err = run(capsys, *add, "--min", "-2000", "--account", "Yen")
    assert code == 0 and json.loads(out)["currency"] == "JPY"
    assert json.loads(out)["amount_min"] == "-2000"
    code, _, err = run(capsys, *add, "--min", "-20", "--account", "Yen", "--currency", "GBP")
    assert code == 1 and "in JPY" in err
    _, out, _ = run(capsys, "rules", "list", "--db", db)
    assert "amount -20.00 to -5.00 GBP" in out and "amount >= -2000 JPY" in out
    with Ledger.open(db) as ledger:
        ledger.remove_rule(2)  # the yen account's own rule: only the pound one remains
        from desktop.categorizing import categorize_pending

        categorize_pending(ledger, None)
        cats = {t.currency: t.category for t in ledger.transactions()}
    assert cats == {"GBP": "TV", "JPY": None}
