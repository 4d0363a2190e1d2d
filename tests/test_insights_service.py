"""The insights sidecar as a real process behind the real hub, and `fincast insights` end to end."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from desktop import cli
from desktop.insighting import Dismissals, without_dismissed
from sidecars.insights.cadence import add_months
from supervisor import Hub, RemoteError, ServiceSpec


def subscription_rows() -> list[dict[str, Any]]:
    start = dt.date(2024, 1, 15)
    rows = [
        {
            "id": i,
            "date": add_months(start, i).isoformat(),
            "description": "NETFLIX.COM 866-579",
            "amount": "-15.49",
        }
        for i in range(5)
    ]
    rows.append(
        {"id": 99, "date": "2024-05-16", "description": "NETFLIX.COM 866-579", "amount": "-15.49"}
    )
    return rows


@pytest.fixture
def hub() -> Iterator[Hub]:
    running = Hub([ServiceSpec("insights")])
    running.start()
    try:
        assert running.wait_ready(timeout=30), running.status()
        yield running
    finally:
        running.stop(timeout=5)


def test_through_the_hub(hub: Hub) -> None:
    described = hub.request("insights", "describe", {}, timeout=10).result(timeout=15)
    assert {"recurring", "anomalies", "insights"} <= set(described["methods"])
    result = hub.request(
        "insights", "insights", {"transactions": subscription_rows()}, timeout=10
    ).result(timeout=15)
    [stream] = result["recurring"]
    assert (stream["merchant"], stream["cadence"], stream["next_date"]) == (
        "Netflix.com",
        "monthly",
        "2024-06-15",
    )
    assert stream["transactions"] == [0, 1, 2, 3, 4]
    [dup] = result["anomalies"]
    assert (dup["id"], dup["kind"]) == (99, "duplicate")
    only = hub.request(
        "insights", "recurring", {"transactions": subscription_rows()}, timeout=10
    ).result(timeout=15)
    assert only == {"recurring": result["recurring"]}


def test_bad_request_through_the_hub_leaves_the_sidecar_serving(hub: Hub) -> None:
    bad = hub.request(
        "insights",
        "anomalies",
        {"transactions": [{"id": 1, "date": "31/12/2024", "amount": "-1.00"}]},
        timeout=10,
    )
    with pytest.raises(RemoteError) as caught:
        bad.result(timeout=15)
    assert caught.value.code == "bad_request"
    assert "transaction 1: date" in caught.value.message
    again = hub.request("insights", "anomalies", {"transactions": []}, timeout=10).result(
        timeout=15
    )
    assert again == {"anomalies": []}


def test_dismissals_survive_and_hide(tmp_path: Path) -> None:
    store = Dismissals(path=tmp_path / "d.json")
    assert store.load() == set()
    store.add(["duplicate:99"])
    assert Dismissals(path=tmp_path / "d.json").load() == {"duplicate:99"}
    result = {
        "recurring": [],
        "anomalies": [{"id": 99, "kind": "duplicate"}, {"id": 7, "kind": "unusual_amount"}],
    }
    assert without_dismissed(result, store.load()) == {
        "recurring": [],
        "anomalies": [{"id": 7, "kind": "unusual_amount"}],
        "dismissed": 1,
    }
    (tmp_path / "d.json").write_bytes(b"\xff\x00 not json")
    assert store.load() == set()  # a damaged file hides nothing, and is not thrown away silently
    assert (tmp_path / "d.json").read_bytes() == b"\xff\x00 not json"


def run(capsys: pytest.CaptureFixture[str], *argv: object) -> tuple[int, str, str]:
    code = cli.main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_cli_insights_json_text_and_dismiss(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    csv = tmp_path / "s.csv"
    csv.write_text(
        "Date,Description,Amount\n"
        + "".join(f"{r['date']},{r['description']},{r['amount']}\n" for r in subscription_rows()),
        encoding="utf-8",
    )
    db = tmp_path / "l.sqlite"
    code, _, err = run(capsys, "import", csv, "--account", "Main", "--db", db, "--no-categorize")
    assert code == 0, err
    code, out, err = run(capsys, "insights", "--db", db, "--json")
    assert code == 0, err
    result = json.loads(out)
    [stream] = result["recurring"]
    assert (stream["cadence"], stream["amount"], len(stream["transactions"])) == (
        "monthly",
        "-15.49",
        5,
    )
    [dup] = result["anomalies"]
    assert dup["kind"] == "duplicate" and result["dismissed"] == 0
    code, out, err = run(capsys, "insights", "--db", db, "--dismiss", f"duplicate:{dup['id']}")
    assert code == 0, err
    assert "Netflix.com" in out and "monthly" in out
    assert "Anomalies (0)" in out and "(1 dismissed)" in out


def test_cli_insights_user_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "insights", "--dismiss", "nonsense")
    assert code == 1 and out == ""
    assert len(err.strip().splitlines()) == 1 and "KIND:ID" in err
    (tmp_path / "bad.sqlite").write_bytes(b"not a database at all" * 100)
    code, out, err = run(capsys, "insights", "--db", tmp_path / "bad.sqlite")
    assert code == 1 and out == ""
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err


def test_cli_insights_on_an_empty_ledger(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "empty.sqlite"
    code, out, err = run(capsys, "insights", "--db", db, "--json")
    assert code == 0, err
    assert json.loads(out) == {"recurring": [], "anomalies": [], "dismissed": 0}


@pytest.mark.slow
def test_ten_years_through_the_hub(hub: Hub) -> None:
    start = dt.date(2015, 1, 1)
    rows: list[dict[str, Any]] = []
    for day in range(3653):
        date = (start + dt.timedelta(days=day)).isoformat()
        for n in range(4):
            amount = f"-{3 + (day * 7 + n * 13) % 60}.{(day + n) % 100:02d}"
            rows.append(
                {"id": len(rows), "date": date, "description": f"SHOP {n} #{day}", "amount": amount}
            )
    netflix = [add_months(start, m).isoformat() for m in range(120)]
    rows += [
        {"id": f"n{m}", "date": d, "description": "NETFLIX.COM", "amount": "-15.49"}
        for m, d in enumerate(netflix)
    ]
    result = hub.request("insights", "insights", {"transactions": rows}, timeout=120).result(
        timeout=130
    )
    assert [(s["merchant"], len(s["transactions"])) for s in result["recurring"]] == [
        ("Netflix.com", 120)
    ]


def test_cli_insights_judges_bills_as_of_today_not_a_row_dated_later(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A statement that lists a row after today (next month's rent, a mistyped year) leaves a
    bill due before that row, and after today, running: the desktop sends today's date."""
    today = dt.date.today()
    last = today - dt.timedelta(days=20)
    last = last.replace(day=min(last.day, 28))  # a day every month has
    charges = [add_months(last, -k) for k in range(6)]
    lines = [f"{d.isoformat()},NETFLIX.COM 866-579,-15.49\n" for d in sorted(charges)]
    lines.append(f"{(today + dt.timedelta(days=60)).isoformat()},RENT STANDING ORDER,-900.00\n")
    csv = tmp_path / "s.csv"
    csv.write_text("Date,Description,Amount\n" + "".join(lines), encoding="utf-8")
    db = tmp_path / "l.sqlite"
    code, _, err = run(capsys, "import", csv, "--account", "Main", "--db", db, "--no-categorize")
    assert code == 0, err
    code, out, err = run(capsys, "insights", "--db", db, "--json")
    assert code == 0, err
    [stream] = [s for s in json.loads(out)["recurring"] if s["amount"] == "-15.49"]
    assert stream["next_date"] == add_months(last, 1).isoformat()
    assert stream["active"] is True


def test_a_dismissal_belongs_to_its_ledger(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Anomalies are named by transaction id: a duplicate dismissed in one ledger stays shown
    in another where the same ids hold another duplicate (one file for all ledgers hid it)."""
    csv = tmp_path / "s.csv"
    csv.write_text(
        "Date,Description,Amount\n"
        + "".join(f"{r['date']},{r['description']},{r['amount']}\n" for r in subscription_rows()),
        encoding="utf-8",
    )
    first, second = tmp_path / "first.sqlite", tmp_path / "second.sqlite"
    for db in (first, second):
        code, _, err = run(capsys, "import", csv, "--account", "A", "--db", db, "--no-categorize")
        assert code == 0, err
    code, out, err = run(capsys, "insights", "--db", first, "--json")
    [dup] = json.loads(out)["anomalies"]
    code, out, err = run(
        capsys, "insights", "--db", first, "--json", "--dismiss", f"duplicate:{dup['id']}"
    )
    assert code == 0, err
    assert json.loads(out)["anomalies"] == []
    code, out, err = run(capsys, "insights", "--db", second, "--json")
    assert code == 0, err
    [still] = json.loads(out)["anomalies"]
    assert still["id"] == dup["id"]  # the same id, another ledger's row: not dismissed there


def test_the_default_ledger_keeps_dismissals_from_before_there_was_a_file_per_ledger(
    tmp_path: Path,
) -> None:
    from data import paths
    from desktop import insighting

    legacy = paths.data_dir() / insighting.DISMISSED_FILE
    legacy.parent.mkdir(parents=True, exist_ok=True)
    legacy.write_text('["duplicate:5"]', encoding="utf-8")
    assert insighting.Dismissals().load() == {"duplicate:5"}
    assert insighting.Dismissals(paths.default_ledger()).load() == {"duplicate:5"}
    assert insighting.Dismissals(tmp_path / "other.sqlite").load() == set()
    insighting.Dismissals().add(["duplicate:6"])  # from then on the ledger's own file
    assert insighting.Dismissals().load() == {"duplicate:5", "duplicate:6"}
    assert legacy.read_text(encoding="utf-8") == '["duplicate:5"]'
