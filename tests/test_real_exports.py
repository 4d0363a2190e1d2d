"""Every real bank export in ../shared/samples/bank-csv that states its expected transactions is
imported through the library with zero configuration and compared, (date, amount) pair by pair,
with what its source says. Skipped when the samples folder is absent.

Where the importer asks a question (dates like 03/04/2024 with no other clue), the test answers
it the way the statement's owner would - with the reading its source states - after checking that
the question was asked rather than guessed. Statements the importer does not read right yet are
listed in KNOWN_GAPS with the reason; they run as strict xfails, so fixing one fails loudly until
it is taken off the list.
"""

from __future__ import annotations

import collections
import json
import os
from decimal import Decimal
from pathlib import Path

import pytest

from data.importer import Detection, ImportProblem, ParsedRow, RowError, answer, detect, iter_rows
from data.money import to_decimal

# Same location rule as conftest's bank_csv_dir fixture; needed here to parametrize at collection.
BANK_CSV = (
    Path(os.environ.get("FINCAST_SHARED", Path(__file__).resolve().parents[1].parent / "shared"))
    / "samples"
    / "bank-csv"
)

Pairs = collections.Counter[tuple[str, Decimal]]

# Statement -> why it does not match its truth (none of these is special-cased in the importer).
KNOWN_GAPS = {
    "bank2ynab__test_delimiter_tab.csv": "source counts a junk line as a record",
    "bank2ynab__test_headers.csv": "source counts a junk line as a record",
    "bank2ynab__test_raiffeisen_01.csv": "source counts a junk line as a record",
    "bcimport__schwab_Brokerage_Transactions_20201115-180021.CSV": "brokerage: 'as of' dates",
    "bcimport__venmo_transactions.csv": "source splits card-funded payments into two transactions",
    "csv2ofx__amazon.csv": "order history filtered by the source's configuration",
    "csv2ofx__ingesp.csv": "source reads one date month-first among day-first ones",
    "deg__alipay_alipay-records.csv": "source drops closed orders",
    "deg__boc_debit_boc-records.csv": "source keeps only some rows",
    "deg__cmb_credit_cmb-records.csv": "source drops a row by config and dates by the trade day",
    "deg__hsbchk_debit_hsbchk-debit-records.csv": "source keeps only some rows",
    "deg__icbc_debit-v2_icbc-debit-v2-records.csv": "source keeps only some rows",
    "deg__jd_jd-records.csv": "source drops rows by payment method; signs one neutral row",
    "deg__mt_mt-records.csv": "source keeps only some rows",
    "ledger-autosync__amazon.csv": "order history, not a statement",
    "ofxst-dutch__Account_20190101_20200317.csv": "brokerage: source keeps only some rows",
    "ofxst-dutch__ing_ok.csv": "source drops a zero-amount row",
    "ofxst-dutch__ing_ok_Mutatiesoort_Extra.csv": "source drops a zero-amount row",
    "ofxst-dutch__ing_ok_Mutatiesoort_Extra_Unquoted.csv": "source drops a zero-amount row",
    "ofxst-russian__sberbank.csv": "source uses the processing date",
    "ofxst-russian__vtb.csv": "source uses the processing date and the account-currency amount",
    "ofxst-spk-freiburg__simple2.csv": "source uses the value date",
    "reds__fidelity_csv_all_accounts_transactions_20251204.csv": "several accounts in one file",
}


def _truth_files() -> list[Path]:
    if not BANK_CSV.is_dir():
        return []
    return sorted(BANK_CSV.glob("*.truth.json"))


def _pairs(items: list[dict[str, object]]) -> Pairs:
    out: Pairs = collections.Counter()
    for t in items:
        if t.get("date") is None or t.get("amount") is None:
            continue
        out[(str(t["date"])[:10], Decimal(str(t["amount"])))] += 1
    return out


def _read(detection: Detection) -> list[dict[str, object]]:
    rows = []
    for item in iter_rows(detection):
        assert not isinstance(item, RowError), f"line {item.line}: {item.reason}"
        assert isinstance(item, ParsedRow)
        rows.append({"date": item.date.isoformat(), "amount": to_decimal(item.amount, "USD")})
    return rows


def _answered(detection: Detection, want: Pairs) -> Detection:
    """Answer open questions as the statement's owner would: with the stated reading."""
    while detection.questions:
        question = detection.questions[0]
        best, best_hits = question.choices[0], -1
        for choice in question.choices:
            hits = sum((want & _pairs(_read(answer(detection, question.key, choice)))).values())
            if hits > best_hits:
                best, best_hits = choice, hits
        detection = answer(detection, question.key, best)
    return detection


def _mismatch(statement: Path, truth: dict[str, object]) -> str | None:
    """Why the import of `statement` disagrees with its truth, or None when it agrees."""
    want = _pairs(truth["transactions"])  # type: ignore[arg-type]
    try:
        detection = detect(statement)
        for question in detection.questions:
            assert question.choices and question.text.endswith("?")
        got_rows = _read(_answered(detection, want))
    except ImportProblem as exc:
        return f"refused: {exc}"
    except AssertionError as exc:
        return str(exc)
    got = _pairs(got_rows)
    if truth.get("complete"):
        if got != want:
            return f"missing {sorted(want - got)[:3]}, unexpected {sorted(got - want)[:3]}"
        return None
    if want - got:
        return f"missing {sorted(want - got)[:3]}"
    if truth.get("count") is not None and len(got_rows) != truth["count"]:
        return f"{len(got_rows)} rows where the source states {truth['count']}"
    return None


@pytest.mark.parametrize("truth_path", _truth_files(), ids=lambda p: p.name[: -len(".truth.json")])
def test_real_export_matches_its_truth(truth_path: Path, bank_csv_dir: Path) -> None:
    statement = truth_path.with_name(truth_path.name[: -len(".truth.json")])
    truth = json.loads(truth_path.read_text(encoding="utf-8"))
    problem = _mismatch(statement, truth)
    if statement.name in KNOWN_GAPS:
        assert problem is not None, "this statement imports right now: take it off KNOWN_GAPS"
        pytest.xfail(f"{KNOWN_GAPS[statement.name]} ({problem})")
    assert problem is None, problem


def test_known_gaps_name_real_files(bank_csv_dir: Path) -> None:
    names = {p.name[: -len(".truth.json")] for p in bank_csv_dir.glob("*.truth.json")}
    assert set(KNOWN_GAPS) <= names
