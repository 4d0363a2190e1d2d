"""Ambiguous dates (every day <= 12) settled by evidence in the file itself - another date column
of the same rows, dates in the preamble or the file name, readings that agree, American header
words - or by the process locale; and still asked when nothing in the file says."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest

from data.importer import Mapping, ParsedRow, answer, detect, iter_rows, locale_from_env

DMY, MDY = "%d/%m/%Y", "%m/%d/%Y"


def dates_of(detection: object) -> list[datetime.date]:
    return [r.date for r in iter_rows(detection) if isinstance(r, ParsedRow)]  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("rows", "expected"),
    [
        # Month-first: each purchase posts a day later; read day-first they would be a month apart.
        ("03/04/2024,03/05/2024,Shop,-1.00\n05/06/2024,05/07/2024,Cafe,-2.00\n", MDY),
        # The same cells the other way round: day-first keeps them a day apart.
        ("04/03/2024,05/03/2024,Shop,-1.00\n06/05/2024,07/05/2024,Cafe,-2.00\n", DMY),
    ],
)
def test_a_second_date_column_of_the_same_rows_settles_the_order(rows: str, expected: str) -> None:
    d = detect(("Transaction Date,Post Date,Description,Amount\n" + rows).encode())
    assert not d.questions
    assert d.mapping.date_format == expected
    assert any("'Post Date' within days" in line for line in d.recognised)


def test_an_unambiguous_second_date_column_pins_the_reading() -> None:
    text = "Date,Value date,Description,Amount\n02/05/2024,2024-02-06,Shop,-1.00\n"
    d = detect(text.encode())
    assert d.mapping.date_format == MDY
    assert dates_of(d) == [datetime.date(2024, 2, 5)]


def test_date_columns_that_never_differ_settle_nothing() -> None:
    text = (
        "Date,Booked,Description,Amount\n"
        "02/03/2024,02/03/2024,A,-1.00\n04/05/2024,04/05/2024,B,-2.00\n"
    )
    assert detect(text.encode()).questions


@pytest.mark.parametrize(
    ("preamble", "expected"),
    [
        ("Statement from 01/03/2024 to 31/03/2024\n", DMY),
        ("Statement from 03/01/2024 to 03/31/2024\n", MDY),
        ("Created on;17.04.2024\n", DMY),  # a bank that writes 17.04. writes days first
        ("Balance on 1.2.2024: 3.4\n", None),  # no date that only one order reads
    ],
)
def test_dates_above_the_table_settle_the_order(preamble: str, expected: str | None) -> None:
    text = preamble + "Date,Description,Amount\n03/04/2024,Shop,-1.00\n05/04/2024,Cafe,-2.00\n"
    d = detect(text.encode())
    if expected is None:
        assert d.questions
    else:
        assert not d.questions
        assert d.mapping.date_format == expected


def test_preamble_dates_that_disagree_settle_nothing() -> None:
    text = (
        "Printed 13/01/2024, period ending 01/14/2024\n"
        "Date,Description,Amount\n03/04/2024,Shop,-1.00\n05/04/2024,Cafe,-2.00\n"
    )
    assert detect(text.encode()).questions


def test_dates_in_the_file_name_settle_the_order(tmp_path: Path) -> None:
    body = "Date,Description,Amount\n03/04/2024,Shop,-1.00\n05/04/2024,Cafe,-2.00\n"
    named = tmp_path / "export_01-04-2024_30-04-2024.csv"
    named.write_text(body)
    d = detect(named)
    assert not d.questions
    assert d.mapping.date_format == DMY
    assert any("file name" in line for line in d.recognised)
    plain = tmp_path / "export.csv"
    plain.write_text(body)
    assert detect(plain).questions
    # A renamed download says less than the statement itself: its dollars win.
    dollars = tmp_path / "export_30-04-2024.csv"
    dollars.write_text(body.replace("Amount", "Amount (USD)"))
    assert detect(dollars).mapping.date_format == MDY
    # ... but more than the locale of the person importing it.
    assert detect(named, locale="en_US").mapping.date_format == DMY


def test_readings_that_give_the_same_days_need_no_answer_and_teach_the_profile_nothing() -> None:
    same = "Date,Description,Amount\n09/09/2025,Shop,-1.00\n11/11/2025,Cafe,-2.00\n"
    d = detect(same.encode())
    assert not d.questions
    assert dates_of(d) == [datetime.date(2025, 9, 9), datetime.date(2025, 11, 11)]
    assert d.mapping.date_settled is False
    saved = Mapping.from_json(d.mapping.to_json())
    later = "Date,Description,Amount\n01/05/2025,Shop,-1.00\n02/05/2025,Cafe,-2.00\n"
    assert detect(later.encode(), profile=saved).questions  # the arbitrary reading is not reused
    answered = answer(detect(later.encode()), "date_format", DMY)
    assert answered.mapping.date_settled is True
    again = detect(later.encode(), profile=Mapping.from_json(answered.mapping.to_json()))
    assert not again.questions
    assert again.mapping.date_format == DMY


def test_american_check_numbers_mean_month_first() -> None:
    rows = "03/04/2024,Shop,-1.00,\n05/04/2024,Rent,-2.00,1001\n"
    d = detect(("Posting Date,Description,Amount,Check Number\n" + rows).encode())
    assert d.mapping.date_format == MDY
    assert any("'Check'" in line for line in d.recognised)
    # "Cheque" is written from Canada to India, where both orders are found: still a question.
    assert detect(("Posting Date,Description,Amount,Cheque Number\n" + rows).encode()).questions
    # The header word is weaker than the statement's own currency.
    euro = "Date,Description,Amount,Currency,Check\n03/04/2024,Shop,-1.00,EUR,\n"
    assert detect(euro.encode()).mapping.date_format == DMY


def test_file_evidence_outranks_the_locale() -> None:
    text = "Transaction Date,Post Date,Description,Amount\n04/03/2024,05/03/2024,Shop,-1.00\n"
    assert detect(text.encode(), locale="en_US").mapping.date_format == DMY


@pytest.mark.parametrize(
    ("environ", "expected"),
    [
        ({"LANG": "en_GB.UTF-8"}, "en_GB.UTF-8"),
        ({"LANG": "en_US.UTF-8", "LC_TIME": "de_DE.UTF-8"}, "de_DE.UTF-8"),
        ({"LANG": "de_DE.UTF-8", "LC_TIME": "en_US", "LC_ALL": "en_GB"}, "en_GB"),
        ({"LC_ALL": "", "LANG": "fr_FR@euro"}, "fr_FR@euro"),
        ({"LANG": "C.UTF-8"}, None),
        ({"LC_ALL": "POSIX", "LANG": "en_GB.UTF-8"}, None),  # LC_ALL rules, and says nothing
        ({"LANG": "en_CA.UTF-8"}, None),  # English Canada writes both orders
        ({}, None),
    ],
)
def test_locale_from_the_environment(environ: dict[str, str], expected: str | None) -> None:
    assert locale_from_env(environ) == expected


def test_environment_locale_reads_ambiguous_dates() -> None:
    text = "Date,Description,Amount\n03/04/2024,Shop,-1.00\n05/04/2024,Cafe,-2.00\n"
    us = detect(text.encode(), locale=locale_from_env({"LANG": "en_US.UTF-8"}))
    gb = detect(text.encode(), locale=locale_from_env({"LANG": "en_GB.UTF-8"}))
    assert (us.mapping.date_format, gb.mapping.date_format) == (MDY, DMY)
    assert detect(text.encode(), locale=locale_from_env({"LANG": "C.UTF-8"})).questions


@pytest.mark.parametrize("newest_first", [False, True])
def test_a_running_balance_that_orders_the_rows_settles_the_reading(newest_first: bool) -> None:
    rows = ["01/02/2024,Shop,-10.00,90.00\n", "03/01/2024,Cafe,-5.00,85.00\n"]
    if newest_first:
        rows.reverse()  # the balance still runs 90 -> 85 from the older row to the newer
    d = detect(("Date,Description,Amount,Balance\n" + "".join(rows)).encode())
    assert not d.questions
    assert d.mapping.date_format == MDY  # day-first, Feb 1 would come before Jan 3
    assert d.mapping.newest_first is newest_first
    assert any("running balance does" in line for line in d.recognised)


def test_a_balance_that_does_not_add_up_settles_nothing() -> None:
    text = (
        "Date,Description,Amount,Balance\n"
        "01/02/2024,Shop,-10.00,90.00\n03/01/2024,Cafe,-5.00,7.00\n"
    )
    assert detect(text.encode()).questions


def test_the_statement_currency_outranks_the_locale() -> None:
    text = (
        "Date,Description,Amount,Currency\n03/04/2024,Shop,-1.00,EUR\n05/04/2024,Cafe,-2.00,EUR\n"
    )
    assert detect(text.encode(), locale="en_US.UTF-8").mapping.date_format == DMY
    dollars = text.replace("EUR", "USD")
    assert detect(dollars.encode(), locale="en_GB.UTF-8").mapping.date_format == MDY


def test_a_running_balance_outranks_the_locale() -> None:
    text = "Date,Description,Amount,Balance\n01/02/2024,Shop,-10.00,90.00\n03/01/2024,Cafe,-5,85\n"
    assert detect(text.encode(), locale="en_GB").mapping.date_format == MDY


@pytest.mark.parametrize(
    ("preamble", "name", "expected"),
    [
        ("Created 2024-03-05 09:12\n", "export.csv", DMY),  # month-first would be April and May
        ("", "Export_20240306_1234.csv", DMY),
        ("Created 2024-05-04\n", "export.csv", None),  # both readings end before it
        ("", "export_2024-13-45.csv", None),  # not a date
    ],
)
def test_no_row_comes_after_the_date_the_statement_was_made(
    tmp_path: Path, preamble: str, name: str, expected: str | None
) -> None:
    path = tmp_path / name
    path.write_text(preamble + "Date,Description,Amount\n04/03/2024,Shop,-1.00\n05/03/2024,X,-2\n")
    d = detect(path)
    if expected is None:
        assert d.questions
    else:
        assert not d.questions
        assert d.mapping.date_format == expected
        assert any("no row after" in line for line in d.recognised)


@pytest.mark.parametrize(
    "environ",
    [
        {"LANG": "\x00"},
        {"LANG": "x" * 10_000},
        {"LC_ALL": "12_34.UTF-8"},
        {"LANG": "@"},
        {"LANG": "   "},
        {"LANG": "_US"},
        {"LC_TIME": "zz_ZZ.not-an-encoding"},  # an unknown language still names a territory
    ],
)
def test_odd_locale_environments_never_fail(environ: dict[str, str]) -> None:
    value = locale_from_env(environ)
    assert value is None or value == next(v for v in environ.values() if v.strip())
    text = "Date,Description,Amount\n03/04/2024,Shop,-1.00\n05/04/2024,Cafe,-2.00\n"
    d = detect(text.encode(), locale=value)
    assert d.questions or d.mapping.date_format in (DMY, MDY)


@pytest.mark.parametrize("currency", ["", "jpy", "XXX", "€", "\x00", "TOOLONGCODE"])
def test_any_account_currency_code_is_accepted(currency: str) -> None:
    d = detect(b"Date,Description,Amount\n2024-01-02,Shop,-12\n", currency=currency)
    rows = [r for r in iter_rows(d) if isinstance(r, ParsedRow)]
    assert rows[0].amount == (-12 if currency == "jpy" else -1200)


@pytest.mark.parametrize(
    "title",
    ["信用卡对账单（2024年01月）", "Statement period,2023-12-15,2024-01-14"],
)
def test_day_and_month_in_digits_take_the_year_the_title_states(title: str) -> None:
    text = (
        f"{title}\n"
        "Trade day,Posted,Description,Amount\n"
        ",12/29,Repayment,-100.00\n"
        "01/02,01/03,Cinema,-56.78\n"
        "01/05,01/07,Phone,-80.00\n"
    )
    d = detect(text.encode())
    assert d.mapping.date_format == "%m/%d"
    assert dates_of(d) == [
        datetime.date(2023, 12, 29),
        datetime.date(2024, 1, 3),
        datetime.date(2024, 1, 7),
    ]


def test_day_and_month_in_digits_without_a_stated_year_are_refused() -> None:
    from data.importer import ImportProblem

    text = "Posted,Description,Amount\n12/29,Repayment,-100.00\n01/03,Cinema,-56.78\n"
    with pytest.raises(ImportProblem, match="no line has both a date and an amount"):
        detect(text.encode())


def test_fractions_beside_full_dates_are_not_dates() -> None:
    text = "Date,Instalment,Amount\n2024-01-02,1/12,-10.00\n2024-02-02,2/12,-10.00\n"
    d = detect(text.encode())
    assert d.mapping.date_column == 0
    assert dates_of(d) == [datetime.date(2024, 1, 2), datetime.date(2024, 2, 2)]
