"""Renaming, merging and deleting categories and accounts on a real ledger file: what moves, what
is refused (leaving the ledger byte for byte as it was), exact undo, and the categorizer's old
names followed instead of recreated (in-process engine here; the real sidecar in the slow test)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from data.ledger import Ledger, LedgerError, Prediction, TxFilter
from data.ledger import tidy as tidy_module
from desktop import categorizing
from desktop.categorizing import categorize_pending

CSV = """Date,Description,Amount
2024-01-02,TESCO STORES 3297,-23.10
2024-01-03,TESCO STORES 11,-8.00
2024-01-04,SAINSBURYS 12,-30.00
2024-01-05,SHELL 88 LEEDS,-60.00
2024-01-06,NETFLIX.COM,-9.99
2024-01-07,ACME LTD SALARY,2500.00
"""


@pytest.fixture
def ledger(tmp_path: Path) -> Iterator[Ledger]:
    path = tmp_path / "statement.csv"
    path.write_text(CSV, encoding="utf-8")
    with Ledger.open(tmp_path / "ledger.sqlite") as led:
        led.import_file(path, "Main", currency="GBP")
        yield led


def ids(ledger: Ledger) -> dict[str, int]:
    return {t.description: t.id for t in ledger.transactions()}


def cats(ledger: Ledger) -> dict[str, str | None]:
    return {t.description: t.category for t in ledger.transactions()}


@pytest.fixture
def tidy_ledger(ledger: Ledger) -> Ledger:
    """Groceries (1 row, by the user), a typo 'Groceires' (2 rows by the user, 1 rule, 1 row
    suggesting it), Car (1 row), and an uncategorized salary."""
    row = ids(ledger)
    ledger.set_category([row["TESCO STORES 3297"], row["TESCO STORES 11"]], "Groceires")
    ledger.set_category([row["SAINSBURYS 12"]], "Groceries")
    ledger.set_category([row["SHELL 88 LEEDS"]], "Car")
    ledger.add_rule("payee", "contains", "tesco", "Groceires")
    ledger.add_rule("payee", "contains", "shell", "Car")
    ledger.apply_predictions(
        [Prediction(row["NETFLIX.COM"], None, 0.4, suggestion="Groceires", reasons=("x",))]
    )
    return ledger


# -- categories ---------------------------------------------------------------------------------


def test_rename_keeps_rows_and_rules_and_follows_the_old_name(tidy_ledger: Ledger) -> None:
    before = {t.id: (t.category_source, t.categorize_state) for t in tidy_ledger.transactions()}
    change = tidy_ledger.rename_category("  Car ", "Motoring  costs")
    assert (change.old, change.new, change.merged, change.touched) == (
        "Car",
        "Motoring costs",
        False,
        1,
    )
    assert cats(tidy_ledger)["SHELL 88 LEEDS"] == "Motoring costs"
    assert [r.category for r in tidy_ledger.rules()] == ["Groceires", "Motoring costs"]
    assert "Car" not in {c.name for c in tidy_ledger.categories()}
    # sources and states untouched: a rename is not a correction
    assert before == {
        t.id: (t.category_source, t.categorize_state) for t in tidy_ledger.transactions()
    }
    # the categorizer still predicts "Car" until it retrains: that lands in the renamed one
    salary = ids(tidy_ledger)["ACME LTD SALARY"]
    tidy_ledger.apply_predictions([Prediction(salary, "Car", 0.9)])
    assert cats(tidy_ledger)["ACME LTD SALARY"] == "Motoring costs"
    assert "Car" not in {c.name for c in tidy_ledger.categories()}


def test_rename_then_undo_is_exact(tidy_ledger: Ledger) -> None:
    before = tidy_ledger.dump()
    change = tidy_ledger.rename_category("Car", "Transport")
    assert tidy_ledger.dump() != before
    tidy_ledger.undo_category_change(change)
    assert tidy_ledger.dump() == before


def test_merge_moves_rows_suggestions_rules_and_undo_is_exact(tidy_ledger: Ledger) -> None:
    row = ids(tidy_ledger)
    before = tidy_ledger.dump()
    change = tidy_ledger.rename_category("Groceires", "Groceries")
    assert change.merged
    assert set(change.transactions) == {row["TESCO STORES 3297"], row["TESCO STORES 11"]}
    assert change.suggestions == (row["NETFLIX.COM"],)
    assert len(change.rules) == 1 and change.touched == 2
    now = {t.description: t for t in tidy_ledger.transactions()}
    assert [now[d].category for d in ("TESCO STORES 3297", "TESCO STORES 11", "SAINSBURYS 12")] == [
        "Groceries"
    ] * 3
    assert now["NETFLIX.COM"].suggestion == "Groceries"
    assert [r.category for r in tidy_ledger.rules()] == ["Groceries", "Car"]
    usage = {u.name: u for u in tidy_ledger.category_usage()}
    assert "Groceires" not in usage
    assert (usage["Groceries"].transactions, usage["Groceries"].rules) == (3, 1)
    # a prediction of the merged name goes to the merge target, suggestions too
    tidy_ledger.apply_predictions(
        [
            Prediction(row["ACME LTD SALARY"], "Groceires", 0.95),
            Prediction(row["NETFLIX.COM"], None, 0.3, suggestion="Groceires"),
        ]
    )
    assert "Groceires" not in {c.name for c in tidy_ledger.categories()}
    assert cats(tidy_ledger)["ACME LTD SALARY"] == "Groceries"
    tidy_ledger.set_category([row["ACME LTD SALARY"]], None)  # back as it was, then undo
    tidy_ledger.mark_pending([row["ACME LTD SALARY"]])
    tidy_ledger.apply_predictions(
        [Prediction(row["NETFLIX.COM"], None, 0.4, suggestion="Groceries", reasons=("x",))]
    )
    tidy_ledger.undo_category_change(change)
    assert tidy_ledger.dump() == before  # the same ids, in the same category, same rule


def test_undo_of_a_merge_leaves_rows_moved_since_where_they_are(tidy_ledger: Ledger) -> None:
    row = ids(tidy_ledger)
    change = tidy_ledger.rename_category("Groceires", "Groceries")
    tidy_ledger.set_category([row["TESCO STORES 11"]], "Car")
    tidy_ledger.undo_category_change(change)
    got = cats(tidy_ledger)
    assert (got["TESCO STORES 3297"], got["TESCO STORES 11"], got["SAINSBURYS 12"]) == (
        "Groceires",
        "Car",
        "Groceries",
    )


def test_a_rename_chain_keeps_every_old_name_pointing_at_the_category(tidy_ledger: Ledger) -> None:
    tidy_ledger.rename_category("Car", "Transport")
    tidy_ledger.rename_category("Transport", "Travel")
    tidy_ledger.rename_category("Groceires", "Travel")  # merged: its old names follow it
    salary = ids(tidy_ledger)["ACME LTD SALARY"]
    for old in ("Car", "Transport", "Groceires"):
        tidy_ledger.apply_predictions([Prediction(salary, old, 0.9)])
        assert cats(tidy_ledger)["ACME LTD SALARY"] == "Travel"
    assert {c.name for c in tidy_ledger.categories()} == {"Groceries", "Travel"}


def test_a_run_of_changes_undone_in_reverse_is_exact(tidy_ledger: Ledger) -> None:
    before = tidy_ledger.dump()
    steps = [tidy_ledger.dump()]
    first = tidy_ledger.rename_category("Groceires", "Grocery typo")
    steps.append(tidy_ledger.dump())
    second = tidy_ledger.rename_category("Grocery typo", "Groceries")
    steps.append(tidy_ledger.dump())
    third = tidy_ledger.delete_category("Groceries", rules="delete")
    tidy_ledger.undo_category_deletion(third)
    assert tidy_ledger.dump() == steps.pop()
    tidy_ledger.undo_category_change(second)
    assert tidy_ledger.dump() == steps.pop()
    tidy_ledger.undo_category_change(first)
    assert tidy_ledger.dump() == steps.pop() == before


def test_delete_uncategorizes_as_skipped_and_the_loop_leaves_them(
    tidy_ledger: Ledger, tmp_path: Path
) -> None:
    from tests.test_categorizing import InProcess

    row = ids(tidy_ledger)
    gone = tidy_ledger.delete_category("Car", rules="delete")
    assert (len(gone.transactions), len(gone.rules_deleted), len(gone.rules_cleared)) == (1, 1, 0)
    shell = tidy_ledger.get(row["SHELL 88 LEEDS"])
    assert shell is not None
    assert (shell.category, shell.category_source, shell.categorize_state) == (
        None,
        None,
        "skipped",
    )
    assert [(r.position, r.category) for r in tidy_ledger.rules()] == [(1, "Groceires")]
    # the categorize loop takes pending rows only: the deleted category's rows stay as they are
    hub = InProcess(tmp_path / "models")
    tidy_ledger.mark_pending([row["ACME LTD SALARY"]])
    categorize_pending(tidy_ledger, hub)
    assert tidy_ledger.get(row["SHELL 88 LEEDS"]) == shell
    # and a prediction of the deleted name does not bring it back
    tidy_ledger.apply_predictions([Prediction(row["ACME LTD SALARY"], "Car", 0.99)])
    assert "Car" not in {c.name for c in tidy_ledger.categories()}
    assert cats(tidy_ledger)["ACME LTD SALARY"] is None
    # the user's own choice of the name makes it again
    tidy_ledger.set_category([row["SHELL 88 LEEDS"]], "Car")
    assert cats(tidy_ledger)["SHELL 88 LEEDS"] == "Car"


def test_delete_refuses_rules_unless_asked_and_undo_is_exact(tidy_ledger: Ledger) -> None:
    before = tidy_ledger.dump()
    with pytest.raises(LedgerError, match=r"^1 rule sets the category 'Groceires'"):
        tidy_ledger.delete_category("Groceires")
    assert tidy_ledger.dump() == before
    gone = tidy_ledger.delete_category("Groceires", rules="delete")
    assert (len(gone.transactions), gone.suggestions, len(gone.rules_deleted)) == (
        2,
        (ids(tidy_ledger)["NETFLIX.COM"],),
        1,
    )
    assert [(r.position, r.category) for r in tidy_ledger.rules()] == [(1, "Car")]
    tidy_ledger.undo_category_deletion(gone)
    assert tidy_ledger.dump() == before


def test_delete_keeps_a_rule_that_also_renames_the_payee(tidy_ledger: Ledger) -> None:
    rule = tidy_ledger.add_rule("payee", "contains", "acme", "Car", rename_payee="Acme")
    gone = tidy_ledger.delete_category("Car", rules="delete")
    assert gone.rules_cleared == (rule.id,)
    kept = {r.id: r for r in tidy_ledger.rules()}[rule.id]
    assert (kept.category, kept.rename_payee, kept.position) == (None, "Acme", 2)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda led: led.rename_category("Nope", "X"), "no category named 'Nope'"),
        (lambda led: led.rename_category("", "X"), "no category given"),
        (lambda led: led.rename_category("Car", "   "), "category name is empty"),
        (lambda led: led.rename_category("Car", "Car"), "already called 'Car'"),
        (lambda led: led.rename_category(" Car ", "Car "), "already called 'Car'"),
        (lambda led: led.rename_category("Car", "a\0b"), "control characters"),
        (lambda led: led.rename_category("Car", "x" * 201), "longer than 200"),
        (lambda led: led.rename_category("Car\0", "X"), "no category named 'Car\\x00'"),
        (lambda led: led.rename_category("C%", "X"), "no category named 'C%'"),
        (lambda led: led.rename_category("C_r", "X"), "no category named 'C_r'"),
        (lambda led: led.delete_category("Nope"), "no category named 'Nope'"),
        (lambda led: led.rename_account("Nope", "X"), "no account named 'Nope'"),
        (lambda led: led.rename_account("Main", ""), "account name is empty"),
        (lambda led: led.rename_account("Main", "Main"), "already called 'Main'"),
        (lambda led: led.delete_account("Main"), "has 6 transactions"),
        (lambda led: led.delete_account("'; DROP TABLE accounts; --"), "no account named"),
    ],
)
def test_refusals_are_one_sentence_and_change_nothing(
    tidy_ledger: Ledger, call: Any, message: str
) -> None:
    before = tidy_ledger.dump()
    with pytest.raises(LedgerError) as caught:
        call(tidy_ledger)
    assert message in str(caught.value) and "\n" not in str(caught.value)
    assert tidy_ledger.dump() == before


def test_names_with_quotes_and_wildcards_are_plain_text(tidy_ledger: Ledger) -> None:
    tidy_ledger.ensure_category("Car%")
    tidy_ledger.rename_category("Car%", "O'Brien's \"car\" _%")
    tidy_ledger.rename_category("Car", "C_r")
    names = {c.name for c in tidy_ledger.categories()}
    assert {"O'Brien's \"car\" _%", "C_r"} <= names and "Car" not in names
    assert cats(tidy_ledger)["SHELL 88 LEEDS"] == "C_r"


@pytest.mark.parametrize(
    "call",
    [
        lambda led: led.rename_category("Groceires", "Groceries"),
        lambda led: led.delete_category("Groceires", rules="delete"),
        lambda led: led.delete_account("Main", with_transactions=True),
    ],
)
def test_a_failure_half_way_leaves_the_ledger_unchanged(
    tidy_ledger: Ledger, call: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*_args: Any) -> None:
        raise OSError("disk gone")

    # the last step of each: every earlier statement has run by then
    monkeypatch.setattr(tidy_module, "_set_alias", broken)
    monkeypatch.setattr(tidy_module, "_renumber_rules", broken)
    tidy_ledger.add_rule("payee", "contains", "acme", "Car", account="Main")
    before = tidy_ledger.dump()
    with pytest.raises(OSError, match="disk gone"):
        call(tidy_ledger)
    assert tidy_ledger.dump() == before


# -- accounts -----------------------------------------------------------------------------------


def test_rename_account_keeps_profiles_rules_and_batches(tidy_ledger: Ledger) -> None:
    tidy_ledger.add_rule("payee", "contains", "acme", "Car", account="Main")
    batch = tidy_ledger.batches()[0]
    assert batch.profile_key is not None
    mapping = tidy_ledger.profile(batch.profile_key, "Main")
    assert mapping is not None
    tidy_ledger.save_profile(batch.profile_key, mapping + " ", "Main")  # the account's own
    change = tidy_ledger.rename_account("Main", "Joint  current")
    assert change.new == "Joint current"
    assert tidy_ledger.account("Main") is None
    assert tidy_ledger.count(TxFilter(account="Joint current")) == 6
    assert tidy_ledger.batches()[0].account == "Joint current"
    assert [r.account for r in tidy_ledger.rules() if r.account] == ["Joint current"]
    assert tidy_ledger.profile(batch.profile_key, "Joint current") == mapping + " "
    tidy_ledger.ensure_account("Savings", "GBP")
    before = tidy_ledger.dump()
    with pytest.raises(LedgerError, match="an account named 'Savings' already exists"):
        tidy_ledger.rename_account("Joint current", "Savings")
    assert tidy_ledger.dump() == before
    tidy_ledger.rename_account("Joint current", "Main")  # the desktop's undo
    assert tidy_ledger.count(TxFilter(account="Main")) == 6


def test_delete_account_needs_asking_and_takes_what_was_its_own(tidy_ledger: Ledger) -> None:
    tidy_ledger.add_rule("payee", "contains", "acme", "Car", account="Main")
    key = tidy_ledger.batches()[0].profile_key
    assert key is not None
    tidy_ledger.save_profile(key, '{"own": true}', "Main")
    assert tidy_ledger.count(TxFilter(text="tesco")) == 2  # the text index holds them
    gone = tidy_ledger.delete_account("Main", with_transactions=True)
    assert (gone.transactions, gone.batches, gone.profiles, gone.rules) == (6, 1, 1, 1)
    assert tidy_ledger.accounts() == [] and tidy_ledger.batches() == []
    assert tidy_ledger.count() == 0 and tidy_ledger.count(TxFilter(text="tesco")) == 0
    assert [(r.position, r.pattern) for r in tidy_ledger.rules()] == [(1, "tesco"), (2, "shell")]
    # categories stay: they are the user's list, not the account's
    assert {"Groceries", "Groceires", "Car"} <= {c.name for c in tidy_ledger.categories()}
    # a new account may get the same id; it inherits nothing of the old one
    again = tidy_ledger.ensure_account("Fresh", "GBP")
    assert [r for r in tidy_ledger.rules() if r.account] == []
    assert tidy_ledger.profile(key, again.name) == tidy_ledger.profile(key)


def test_delete_an_empty_account(ledger: Ledger) -> None:
    ledger.ensure_account("Spare", "EUR")
    gone = ledger.delete_account("Spare")
    assert (gone.transactions, gone.batches) == (0, 0)
    assert [a.name for a in ledger.accounts()] == ["Main"]


# -- the categorizer, in process ----------------------------------------------------------------


def test_a_trained_model_predicting_a_merged_name_does_not_recreate_it(
    ledger: Ledger, tmp_path: Path
) -> None:
    """The real engine learns 'Groceires', the user merges it away before any retrain: the
    next import's predictions land in 'Groceries'; after a retrain the model knows only that."""
    from tests.test_categorizing import InProcess

    hub = InProcess(tmp_path / "models")
    row = ids(ledger)
    ledger.set_category([row["TESCO STORES 3297"], row["TESCO STORES 11"]], "Groceires")
    ledger.set_category([row["SHELL 88 LEEDS"]], "Car")
    ledger.set_category([row["NETFLIX.COM"]], "Fun")
    categorizing.train(ledger, hub)
    ledger.rename_category("Groceires", "Groceries")
    more = tmp_path / "more.csv"
    more.write_text("Date,Description,Amount\n2024-02-01,TESCO STORES 77,-12.00\n", "utf-8")
    ledger.import_file(more, "Main")
    new = next(t for t in ledger.pending_categorization() if "77" in t.description)
    said = hub.request("categorizer", "predict", {"transactions": [categorizing._wire(new)]})
    assert said.result()["predictions"][0]["category"] == "Groceires"  # the stale name
    categorize_pending(ledger, hub)
    got = ledger.get(new.id)
    assert got is not None and "Groceries" in (got.category, got.suggestion)
    assert "Groceires" not in {c.name for c in ledger.categories()}
    trained = categorizing.train(ledger, hub)
    assert "Groceries" in trained["classes"] and "Groceires" not in trained["classes"]


@pytest.mark.slow
def test_through_the_real_categorizer_process(ledger: Ledger, tmp_path: Path) -> None:
    """The same, through the real hub and the real sidecar process: it learns 'Groceires' and
    'Car', the user merges the one and deletes the other, and its stale answers for the next
    import neither recreate them nor land anywhere but where the user put them."""
    from supervisor import Hub, ServiceSpec

    home = tmp_path / "home"
    spec = ServiceSpec("categorizer", env={"FINCAST_HOME": str(home)})
    row = ids(ledger)
    ledger.set_category([row["TESCO STORES 3297"], row["TESCO STORES 11"]], "Groceires")
    ledger.set_category([row["SAINSBURYS 12"]], "Groceries")
    ledger.set_category([row["SHELL 88 LEEDS"]], "Car")
    ledger.set_category([row["NETFLIX.COM"]], "Fun")
    with Hub([spec], config_path=home / "services.toml", log_dir=home / "logs") as hub:
        assert hub.wait_ready(120.0), hub.status()
        categorizing.train(ledger, hub)
        ledger.rename_category("Groceires", "Groceries")
        ledger.delete_category("Car")
        more = tmp_path / "more.csv"
        more.write_text(
            "Date,Description,Amount\n2024-02-01,TESCO STORES 77,-12.00\n"
            "2024-02-02,SHELL 88 LEEDS,-61.00\n",
            "utf-8",
        )
        ledger.import_file(more, "Main")
        new = {
            t.description: t for t in ledger.pending_categorization() if "2024-02" in str(t.date)
        }
        said = hub.request(
            "categorizer",
            "predict",
            {"transactions": [categorizing._wire(t) for t in new.values()]},
            timeout=60.0,
        ).result(timeout=120.0)
        # the model still knows the old names: the test is about what the ledger does with them
        assert [p["category"] for p in said["predictions"]] == ["Groceires", "Car"]
        outcome = categorize_pending(ledger, hub)
        assert outcome.pending == 0 and outcome.problem is None
        tesco = ledger.get(new["TESCO STORES 77"].id)
        shell = ledger.get(new["SHELL 88 LEEDS"].id)
        assert tesco is not None and shell is not None
        assert "Groceries" in (tesco.category, tesco.suggestion)
        assert (shell.category, shell.suggestion) == (None, None)
        # (the salary went to the built-in defaults' Income: under 50 labels they are blended in)
        assert {c.name for c in ledger.categories()} & {"Groceires", "Car"} == set()
        trained = categorizing.train(ledger, hub)
        assert {"Fun", "Groceries"} <= set(trained["classes"])
        assert {"Groceires", "Car"} & set(trained["classes"]) == set()
