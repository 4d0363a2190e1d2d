"""`fincast categories` and `fincast accounts rename|delete` on real ledger files: what they print,
what they change, and one clear line (exit 1, ledger untouched) for every hostile input."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from data.ledger import Ledger, TxFilter
from desktop import cli

CSV = """Date,Description,Amount
2024-01-02,TESCO STORES 3297,-23.10
2024-01-03,TESCO STORES 11,-8.00
2024-01-04,SAINSBURYS 12,-30.00
2024-01-05,SHELL 88 LEEDS,-60.00
"""


def run(capsys: pytest.CaptureFixture[str], *argv: str | Path) -> tuple[int, str, str]:
    code = cli.main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def db(tmp_path: Path) -> Path:
    """Main (4 rows): two in 'Groceires' (a typo, with a rule), one in Groceries, one in Car."""
    statement = tmp_path / "s.csv"
    statement.write_text(CSV, encoding="utf-8")
    path = tmp_path / "l.sqlite"
    with Ledger.open(path) as ledger:
        ledger.import_file(statement, "Main", currency="GBP")
        rows = {t.description: t.id for t in ledger.transactions()}
        ledger.set_category([rows["TESCO STORES 3297"], rows["TESCO STORES 11"]], "Groceires")
        ledger.set_category([rows["SAINSBURYS 12"]], "Groceries")
        ledger.set_category([rows["SHELL 88 LEEDS"]], "Car")
        ledger.add_rule("payee", "contains", "tesco", "Groceires", account="Main")
    return path


def categories(db: Path) -> dict[str, int]:
    with Ledger.open(db) as ledger:
        return {u.name: u.transactions for u in ledger.category_usage()}


def test_list_shows_counts(capsys: pytest.CaptureFixture[str], db: Path) -> None:
    code, out, err = run(capsys, "categories", "--db", db, "--json")
    assert (code, err) == (0, "")
    assert json.loads(out) == [
        {"name": "Car", "transactions": 1, "rules": 0, "suggestions": 0},
        {"name": "Groceires", "transactions": 2, "rules": 1, "suggestions": 0},
        {"name": "Groceries", "transactions": 1, "rules": 0, "suggestions": 0},
    ]
    code, out, _ = run(capsys, "categories", "list", "--db", db)
    assert code == 0
    assert out.splitlines()[1].split() == ["Groceires", "2", "transactions", "1", "rule"]


def test_rename_then_merge(capsys: pytest.CaptureFixture[str], db: Path) -> None:
    code, out, err = run(capsys, "categories", "rename", "Car", "Transport", "--db", db)
    assert (code, out, err) == (0, "renamed 'Car' to 'Transport' (1 transaction, 0 rules)\n", "")
    code, out, err = run(
        capsys, "categories", "rename", "Groceires", "Groceries", "--db", db, "--json"
    )
    assert code == 0, err
    assert json.loads(out) == {
        "old": "Groceires",
        "new": "Groceries",
        "merged": True,
        "transactions": 2,
        "rules": 1,
        "suggestions": 0,
    }
    assert categories(db) == {"Groceries": 3, "Transport": 1}
    with Ledger.open(db) as ledger:
        assert [r.category for r in ledger.rules()] == ["Groceries"]


def test_delete_refuses_rules_then_deletes_them_when_asked(
    capsys: pytest.CaptureFixture[str], db: Path
) -> None:
    before = db.read_bytes()
    code, out, err = run(capsys, "categories", "delete", "Groceires", "--db", db)
    assert (code, out) == (1, "")
    assert err == (
        "fincast: 1 rule set the category 'Groceires'; change or delete them first "
        "(`fincast rules`), or pass --delete-rules to delete them with it\n"
    )
    assert db.read_bytes() == before
    code, out, err = run(capsys, "categories", "delete", "Groceires", "--delete-rules", "--db", db)
    assert (code, err) == (0, "")
    assert out == "deleted 'Groceires': 2 transactions left uncategorized, 1 rule deleted\n"
    with Ledger.open(db) as ledger:
        assert ledger.count(TxFilter(uncategorized=True)) == 2
        assert ledger.count(TxFilter(categorize_state="skipped")) == 2
        assert ledger.rules() == []
    code, out, _ = run(capsys, "categories", "delete", "Car", "--db", db, "--json")
    assert json.loads(out) == {
        "deleted": "Car",
        "transactions": 1,
        "suggestions": 0,
        "rules_deleted": 0,
        "rules_kept": 0,
    }


def test_accounts_rename_and_delete(capsys: pytest.CaptureFixture[str], db: Path) -> None:
    code, out, err = run(capsys, "accounts", "rename", "Main", "Joint", "--db", db)
    assert (code, out, err) == (0, "renamed the account 'Main' to 'Joint'\n", "")
    code, out, err = run(capsys, "accounts", "delete", "Joint", "--db", db)
    assert (code, out) == (1, "")
    assert "has 4 transactions; --with-transactions deletes them" in err
    code, out, err = run(
        capsys, "accounts", "delete", "Joint", "--with-transactions", "--db", db, "--json"
    )
    assert code == 0, err
    assert json.loads(out) == {
        "deleted": "Joint",
        "transactions": 4,
        "batches": 1,
        "profiles": 1,  # the import saved how this bank's files are read, for this account
        "rules": 1,
    }
    code, out, _ = run(capsys, "accounts", "--db", db, "--json")
    assert (code, json.loads(out)) == (0, [])
    # add still works as before
    assert run(capsys, "accounts", "add", "Spare", "--db", db)[0] == 0


HUGE = "x" * 100_000


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["categories", "rename", "Car"], "usage: fincast categories rename OLD NEW"),
        (["categories", "rename", "Car", "A", "B"], "usage: fincast categories rename OLD NEW"),
        (["categories", "delete"], "usage: fincast categories delete NAME"),
        (["categories", "list", "Car"], "usage: fincast categories list"),
        (["categories", "rename", "Car", "X", "--delete-rules"], "--delete-rules goes with"),
        (["categories", "frob"], "invalid choice: 'frob'"),
        (["categories", "rename", "", "X"], "no category given"),
        (["categories", "rename", "Car", ""], "category name is empty"),
        (["categories", "rename", "Car", "  \t "], "category name is empty"),
        (["categories", "rename", "Car", "Car"], "the category is already called 'Car'"),
        (["categories", "rename", "Nope", "X"], "no category named 'Nope'"),
        (["categories", "rename", "Car", HUGE], "longer than 200 characters"),
        (["categories", "rename", HUGE, "X"], "no category named 'xxxxx"),
        (["categories", "rename", "Car", "a\0b"], "category name contains control characters"),
        (["categories", "rename", "C%", "X"], "no category named 'C%'"),
        (["categories", "rename", "C_r", "X"], "no category named 'C_r'"),
        (["categories", "delete", "'; DROP TABLE categories; --"], "no category named"),
        (["categories", "delete", 'Car"'], "no category named 'Car\"'"),
        (["accounts", "rename", "Main"], "usage: fincast accounts rename OLD NEW"),
        (["accounts", "delete"], "usage: fincast accounts delete NAME"),
        (["accounts", "delete", "Main", "X"], "usage: fincast accounts delete NAME"),
        (["accounts", "add", "X", "Y"], "only rename takes a second name"),
        (["accounts", "rename", "Main", "Main"], "the account is already called 'Main'"),
        (["accounts", "rename", "Nope", "X"], "no account named 'Nope'"),
        (["accounts", "rename", "Main", ""], "account name is empty"),
        (["accounts", "rename", "Main", "a\0b"], "account name contains control characters"),
        (["accounts", "rename", "Main", HUGE], "longer than 200 characters"),
        (["accounts", "delete", "M%"], "no account named 'M%'"),
        (["accounts", "delete", "Main"], "--with-transactions deletes them"),
        (["accounts", "rename", "Main", "X", "--with-transactions"], "goes with delete"),
        (["accounts", "--with-transactions"], "goes with delete"),
    ],
)
def test_user_errors_are_one_line_and_change_nothing(
    capsys: pytest.CaptureFixture[str], db: Path, argv: list[str], message: str
) -> None:
    before = db.read_bytes()
    code, out, err = run(capsys, *argv, "--db", db)
    assert (code, out) == (1, "")
    assert err.startswith("fincast: ") and message in err, err[:300]
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err
    assert db.read_bytes() == before


def test_a_name_that_starts_with_a_dash(capsys: pytest.CaptureFixture[str], db: Path) -> None:
    # options first, then `--`: argparse takes what follows as names
    code, out, err = run(capsys, "categories", "--db", db, "rename", "--", "Car", "-Car-")
    assert (code, err) == (0, "")
    assert "-Car-" in categories(db)
    code, out, err = run(capsys, "accounts", "--db", db, "rename", "--", "Main", "-Main-")
    assert (code, out, err) == (0, "renamed the account 'Main' to '-Main-'\n", "")


def test_accounts_rename_onto_an_existing_account_is_refused(
    capsys: pytest.CaptureFixture[str], db: Path
) -> None:
    assert run(capsys, "accounts", "add", "Savings", "--currency", "EUR", "--db", db)[0] == 0
    code, _, err = run(capsys, "accounts", "rename", "Main", "Savings", "--db", db)
    assert code == 1
    assert "an account named 'Savings' already exists" in err


@pytest.mark.parametrize(
    "argv",
    [["categories"], ["categories", "rename", "A", "B"], ["accounts", "delete", "Main"]],
)
def test_a_missing_ledger_is_not_created(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, argv: list[str]
) -> None:
    missing = tmp_path / "nowhere.sqlite"
    code, out, err = run(capsys, *argv, "--db", missing)
    assert (code, out) == (1, "")
    assert "there is no ledger at" in err and not missing.exists()


NAME_ARGV = [sys.executable, "-m", "desktop.cli", "categories", "rename", "Car", 'Dad\'s "car"']


def test_the_real_command_line(db: Path) -> None:
    """The installed entry point's way in (python -m desktop.cli): quotes survive the shell-less
    argv and nothing is printed but the result."""
    proc = subprocess.run(
        [*NAME_ARGV, "--db", str(db)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert (proc.returncode, proc.stderr) == (0, "")
    assert proc.stdout == "renamed 'Car' to 'Dad\\'s \"car\"' (1 transaction, 0 rules)\n"
    assert 'Dad\'s "car"' in categories(db)
