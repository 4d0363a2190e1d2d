"""The regular payments the advisor reserves, as `fincast advise` and the window both find them:
asked of the insights sidecar through the hub; from its last result, dated, when it cannot answer;
and, when there is none either, said to be left out rather than silently giving a bigger figure.

Real SQLite ledgers, real sidecars behind a real hub, the real CLI in a child process. The
ledger's dates are relative to today, because the CLI judges "due within a month" from today."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest

from data.ledger import Ledger
from desktop import forecasting, result_cache
from supervisor import Hub, ServiceSpec
from tests.helpers.regular_ledger import regular_ledger

REPO = Path(__file__).resolve().parent.parent
TIMEOUT = 60.0


def _reserved(advice: dict[str, object]) -> str:
    """The reason that says how much of the reserve is for known upcoming payments."""
    reasons = advice["reasons"]
    assert isinstance(reasons, list)
    return next(r for r in reasons if "known upcoming payments" in r)


def _grouped(pence: int) -> str:
    return f"{Decimal(pence) / 100:,.2f}"


def _fincast(*args: str, home: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "FINCAST_HOME": str(home), "LANG": "C.UTF-8"}
    return subprocess.run(
        [sys.executable, "-m", "desktop.cli", *args],
        check=False,
        capture_output=True,
        text=True,
        timeout=240,
        env=env,
        cwd=REPO,
    )


def test_cli_advise_reserves_the_regular_payments_due(tmp_path: Path) -> None:
    db = tmp_path / "ledger.sqlite"
    due = regular_ledger(db, tmp_path, dt.date.today())
    out = _fincast("advise", "--db", str(db), "--json", home=tmp_path / "home")
    assert out.returncode == 0, out.stderr
    outcome = json.loads(out.stdout)
    assert outcome["advice"] is not None, outcome["advice_problem"]
    # rent and subscription, found by the insights sidecar: nothing left out, nothing to say
    assert f"plus {_grouped(due)} GBP of known upcoming payments" in _reserved(outcome["advice"])
    assert outcome["advice_notes"] == []
    text = _fincast("advise", "--db", str(db), home=tmp_path / "home")
    assert text.returncode == 0, text.stderr
    assert f"plus {_grouped(due)} GBP of known upcoming payments" in text.stdout
    assert "note:" not in text.stdout


@pytest.fixture(scope="module")
def hub_without_insights(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Hub]:
    """A hub whose insights sidecar is not there: the forecaster and the advisor only."""
    home = tmp_path_factory.mktemp("hub")
    with Hub(
        [ServiceSpec("forecaster"), ServiceSpec("advisor")],
        config_path=home / "services.toml",
        log_dir=home / "logs",
    ) as started:
        assert started.wait_ready(TIMEOUT), started.status()
        yield started


def test_without_insights_and_no_earlier_result_the_advice_says_what_it_left_out(
    hub_without_insights: Hub, tmp_path: Path
) -> None:
    db = tmp_path / "ledger.sqlite"
    regular_ledger(db, tmp_path, dt.date.today())
    with Ledger.open(db) as ledger:
        outcome = forecasting.run(hub_without_insights, ledger, db)
    assert outcome.advice is not None, outcome.advice_problem
    assert "plus 0.00 GBP of known upcoming payments" in _reserved(outcome.advice)
    [note] = outcome.advice_notes
    assert note.startswith("regular payments (rent, bills, subscriptions) are not reserved")
    assert "insights service could not answer" in note and "no earlier result" in note


def test_without_insights_the_last_insights_result_is_reserved_and_dated(
    hub_without_insights: Hub, tmp_path: Path
) -> None:
    today = dt.date.today()
    db = tmp_path / "ledger.sqlite"
    regular_ledger(db, tmp_path, today)
    with Ledger.open(db) as ledger:
        # what the Insights page kept: one of the two regular payments, next due in a week
        txns = ledger.transactions(limit=10_000)
        rent = [t for t in txns if t.description == "HOMELY LETTINGS RENT"]
        series = {
            "merchant": "HOMELY LETTINGS RENT",
            "amount": f"{rent[0].amount / 100:.2f}",
            "next_date": (today + dt.timedelta(days=7)).isoformat(),
            "active": True,
            "transactions": [t.id for t in rent],
        }
        result_cache.save(db, "insights", {"recurring": [series], "currency": "GBP"})
        saved = result_cache.load(db, "insights")
        assert saved is not None
        outcome = forecasting.run(hub_without_insights, ledger, db)
    assert outcome.advice is not None, outcome.advice_problem
    reserved = f"plus {_grouped(-rent[0].amount)} GBP of known upcoming payments"
    assert reserved in _reserved(outcome.advice)
    [note] = outcome.advice_notes
    assert f"as the insights found them on {saved[0]:%Y-%m-%d %H:%M} UTC" in note
