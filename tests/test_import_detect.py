"""Detection end to end on small inline statements: column roles, sign conventions, the balance
check, date ambiguity as a question, profiles, and every bad row reported."""

from __future__ import annotations

import datetime

import pytest

from data.importer import (
    ImportProblem,
    Mapping,
    ParsedRow,
    RowError,
    answer,
    detect,
    iter_rows,
    preview,
)
from data.importer.signs import balance_fit
from data.importer.types import DEBIT_CREDIT, INDICATOR, SIGNED, SPEND_POSITIVE


def rows_of(text: str, **kwargs: object) -> list[tuple[str, int]]:
    detection = detect(text.encode(), **kwargs)  # type: ignore[arg-type]
    out = []
    for row in iter_rows(detection):
        assert isinstance(row, ParsedRow), row
        out.append((row.date.isoformat(), row.amount))
    return out


def test_signed_amount_with_english_header() -> None:
    text = (
        "Date,Description,Amount,Balance\n"
        "2024-03-01,Rent,-700.00,300.00\n"
        "2024-03-02,Pay,1500.00,1800.00\n"
    )
    d = detect(text.encode())
    assert (d.mapping.date_column, d.mapping.amount_column, d.mapping.balance_column) == (0, 2, 3)
    assert d.mapping.sign == SIGNED
    assert rows_of(text) == [("2024-03-01", -70000), ("2024-03-02", 150000)]
    assert [r.balance for r in iter_rows(d) if isinstance(r, ParsedRow)] == [30000, 180000]


def test_german_header_and_decimal_comma() -> None:
    text = (
        "Buchungstag;Wertstellung;Buchungstext;Verwendungszweck;Betrag (EUR);Kontostand\n"
        "02.01.2024;03.01.2024;Lastschrift;Strom;-45,10;1.954,90\n"
        "05.01.2024;05.01.2024;Gutschrift;Gehalt;2.500,00;4.454,90\n"
    )
    d = detect(text.encode())
    assert d.mapping.date_column == 0  # the booking date, not the value date
    assert d.mapping.decimal == ","
    assert d.mapping.description_columns == (2, 3)
    assert rows_of(text) == [("2024-01-02", -4510), ("2024-01-05", 250000)]
    row = next(r for r in iter_rows(d) if isinstance(r, ParsedRow))
    assert row.description == "Lastschrift | Strom"


def test_debit_credit_columns() -> None:
    text = (
        "Transaction Date,Description,Debit Amount,Credit Amount,Balance\n"
        "01/05/2014,AVIVA,100.00,,600.00\n"
        "31/03/2014,HSBC,,773.72,700.00\n"
    )
    d = detect(text.encode())
    assert d.mapping.sign == DEBIT_CREDIT
    assert (d.mapping.debit_column, d.mapping.credit_column) == (2, 3)
    assert rows_of(text) == [("2014-05-01", -10000), ("2014-03-31", 77372)]


@pytest.mark.parametrize(
    ("out_word", "in_word"),
    [
        ("D", "C"),
        ("Af", "Bij"),
        ("DR", "CR"),
        ("Debit", "Credit"),
        ("Ausgang", "Eingang"),
        ("支出", "收入"),
    ],
)
def test_indicator_column(out_word: str, in_word: str) -> None:
    text = (
        "Datum;Omschrijving;Bedrag;Richting\n"
        f"20240102;Winkel;12,50;{out_word}\n"
        f"20240103;Salaris;1000,00;{in_word}\n"
        f"20240104;Winkel;7,25;{out_word}\n"
    )
    d = detect(text.encode())
    assert d.mapping.sign == INDICATOR
    assert d.mapping.indicator_column == 3
    assert rows_of(text) == [("2024-01-02", -1250), ("2024-01-03", 100000), ("2024-01-04", -725)]


def test_blank_indicator_means_the_other_side() -> None:
    text = (
        "Date,Details,Amount,Sign\n"
        "01/03/2023,SHOP,165.72,\n"
        "02/03/2023,PAYMENT RECEIVED,500.00,CR\n"
        "03/03/2023,SHOP,10.00,\n"
    )
    assert rows_of(text, locale="en_IN") == [
        ("2023-03-01", -16572),
        ("2023-03-02", 50000),
        ("2023-03-03", -1000),
    ]


def test_running_balance_decides_spend_positive_and_order() -> None:
    # A card statement, newest first, where purchases are positive: only the balance tells.
    text = (
        "Date,Description,Amount,Balance\n"
        "2024-03-05,Shop,20.00,-70.00\n"
        "2024-03-04,Refund,-10.00,-50.00\n"
        "2024-03-03,Shop,30.00,-60.00\n"
        "2024-03-02,Shop,30.00,-30.00\n"
    )
    d = detect(text.encode())
    assert d.mapping.sign == SPEND_POSITIVE
    assert d.mapping.newest_first is True
    assert any("balance" in line.lower() for line in d.recognised)
    assert rows_of(text) == [
        ("2024-03-05", -2000),
        ("2024-03-04", 1000),
        ("2024-03-03", -3000),
        ("2024-03-02", -3000),
    ]


def test_running_balance_picks_the_amount_column_in_a_headerless_file() -> None:
    # Balance before the row in column 2, the amount in column 3.
    text = (
        "17-06-2022,NL00BANK01,130.44,223.77,Salary\n"
        "17-06-2022,NL00BANK01,354.21,-200.00,Card\n"
        "25-06-2022,NL00BANK01,154.21,-2.20,Fee\n"
        "26-06-2022,NL00BANK01,152.01,-50.00,Shop\n"
        "27-06-2022,NL00BANK01,102.01,-1.01,Shop\n"
    )
    d = detect(text.encode())
    assert (d.mapping.amount_column, d.mapping.balance_column) == (3, 2)
    assert [a for _, a in rows_of(text)] == [22377, -20000, -220, -5000, -101]


def test_balance_fit_variants() -> None:
    amounts = [-100, 50, -25]
    assert balance_fit(amounts, [900, 950, 925]).share == 1.0  # after, oldest first
    fit = balance_fit([-25, 50, -100], [925, 950, 900])  # after, newest first
    assert (fit.share, fit.newest_first) == (1.0, True)
    assert balance_fit(amounts, [1000, 900, 950]).share == 1.0  # before, oldest first
    assert balance_fit(amounts, [1, 2, 3]).share == 0.0
    assert balance_fit([0, 0, 0], [5, 5, 5]).pairs == 0  # nothing moves: no evidence


def test_card_statement_without_balance_is_spend_positive() -> None:
    text = (
        '"Merchant Name","Card Used For Transaction","Date","Amount"\n'
        '"Mobil","**** 1234","01/10/2019","36.33"\n'
        '"ITUNES","**** 4567","12/15/2018","13.98"\n'
    )
    d = detect(text.encode())
    assert d.mapping.sign == SPEND_POSITIVE
    assert rows_of(text) == [("2019-01-10", -3633), ("2018-12-15", -1398)]


def test_all_positive_amounts_without_card_evidence_are_taken_as_stated() -> None:
    text = "date,description,amount\n2021-02-03,Payment,25.00\n2021-02-04,Payment,27.50\n"
    assert rows_of(text) == [("2021-02-03", 2500), ("2021-02-04", 2750)]


def test_net_amount_is_preferred_to_gross() -> None:
    text = (
        "Date,Name,Gross,Fee,Net\n"
        "10/22/2019,Benefactor,10.00,-0.59,9.41\n"
        "10/23/2019,Shop,-7.00,0.00,-7.00\n"
    )
    assert rows_of(text) == [("2019-10-22", 941), ("2019-10-23", -700)]


def test_completed_date_is_preferred_to_started_and_pending_rows_are_skipped() -> None:
    text = (
        "Type,Started Date,Completed Date,Description,Amount,State,Balance\n"
        "CARD,2022-01-06 08:40:02,2022-01-07 10:00:00,Shop,-38.71,COMPLETED,223.53\n"
        "CARD,2022-01-13 11:21:43,,Pending shop,-44.57,PENDING,\n"
        "TOPUP,2022-01-08 08:11:42,2022-01-08 08:11:42,Top-up,500.00,COMPLETED,723.53\n"
    )
    assert rows_of(text) == [("2022-01-07", -3871), ("2022-01-08", 50000)]


def test_pending_and_separator_rows_are_not_transactions() -> None:
    text = (
        "Date,Description,Amount\n"
        "Pending,Coffee,-3.00\n"
        "0049XXXXXXXX4939\n"
        "2024-01-02,Shop,-10.00\n"
        "Transactions Total,,-10.00\n"
    )
    assert rows_of(text) == [("2024-01-02", -1000)]


def test_every_bad_row_is_reported_with_its_line() -> None:
    text = (
        "Date,Description,Amount\n"
        "2024-01-02,Tea,-1.50\n"
        "2024-13-45,Broken date,-2.00\n"
        "2024-01-04,Broken amount,abc\n"
        "2024-01-05,Missing amount\n"
        "2024-01-06,Fine,-3.00\n"
    )
    items = list(iter_rows(detect(text.encode())))
    errors = [i for i in items if isinstance(i, RowError)]
    assert errors == [
        RowError(3, "'2024-13-45' is not a date in the format %Y-%m-%d"),
        RowError(4, "amount 'abc' is not an amount"),
        RowError(5, "it has 2 fields where the table has 3"),
    ]
    assert [i.line for i in items if isinstance(i, ParsedRow)] == [2, 6]


AMBIGUOUS = "Date,Description,Amount\n01/02/2024,A,-1.00\n01/03/2024,B,-2.00\n01/04/2024,C,-3.00\n"


def test_ambiguous_dates_become_a_question() -> None:
    d = detect(AMBIGUOUS.encode())
    assert [q.key for q in d.questions] == ["date_format"]
    assert d.questions[0].choices == ("%d/%m/%Y", "%m/%d/%Y")
    assert not d.ready
    with pytest.raises(ImportProblem, match="needs an answer"):
        list(iter_rows(d))
    month_first = answer(d, "date_format", "%m/%d/%Y")
    assert month_first.ready
    assert "Date: 'Date' as %m/%d/%Y." in month_first.recognised
    assert (
        month_first.recognised[-1]
        == d.recognised[-1]
        == "Amounts are signed: negative is money out."
    )
    dates = [r.date for r in iter_rows(month_first) if isinstance(r, ParsedRow)]
    assert dates == [
        datetime.date(2024, 1, 2),
        datetime.date(2024, 1, 3),
        datetime.date(2024, 1, 4),
    ]
    with pytest.raises(ImportProblem):
        answer(d, "date_format", "%Y")
    with pytest.raises(ImportProblem):
        answer(d, "nothing", "x")


def test_locale_resolves_ambiguous_dates() -> None:
    assert detect(AMBIGUOUS.encode(), locale="en_GB").mapping.date_format == "%d/%m/%Y"
    assert detect(AMBIGUOUS.encode(), locale="en_US.UTF-8").mapping.date_format == "%m/%d/%Y"
    assert detect(AMBIGUOUS.encode(), locale="C").questions


def test_date_order_of_rows_resolves_ambiguous_dates() -> None:
    # Read day-first these are Jan 2, Mar 1, Apr 1... out of order; month-first they ascend.
    text = "Date,Description,Amount\n01/02/2024,A,-1\n03/01/2024,B,-2\n04/01/2024,C,-3\n"
    d = detect(text.encode())
    assert not d.questions
    assert d.mapping.date_format == "%m/%d/%Y"


def test_statement_currency_resolves_ambiguous_dates() -> None:
    text = "Date,Description,Amount,Currency\n01/02/2024,A,-1.00,USD\n01/03/2024,B,-2.00,USD\n"
    assert detect(text.encode()).mapping.date_format == "%m/%d/%Y"
    text = "Date,Description,Amount,Currency\n01/02/2024,A,-1.00,EUR\n01/03/2024,B,-2.00,EUR\n"
    assert detect(text.encode()).mapping.date_format == "%d/%m/%Y"


def test_ambiguity_is_decided_from_all_rows_beyond_the_sniff_window() -> None:
    head = "Date,Description,Amount\n" + "".join(
        f"{m:02d}/{d:02d}/2024,Shop {i},-1.00\n" for i, (m, d) in enumerate([(1, 2), (1, 3)] * 9000)
    )
    text = head + "01/25/2024,Late row,-2.00\n"
    assert len(text) > 256 * 1024
    d = detect(text.encode())
    assert not d.questions
    assert d.mapping.date_format == "%m/%d/%Y"


def test_profile_round_trip_and_reuse() -> None:
    d = detect(AMBIGUOUS.encode())
    chosen = answer(d, "date_format", "%d/%m/%Y")
    saved = chosen.mapping.to_json()
    restored = Mapping.from_json(saved)
    assert restored == chosen.mapping
    again = detect(AMBIGUOUS.encode(), profile=restored)
    assert again.ready
    assert again.mapping.date_format == "%d/%m/%Y"
    assert again.profile_key == d.profile_key


def test_profile_key_depends_on_the_normalised_header_only() -> None:
    a = detect(b"Date,Description,Amount\n2024-01-02,A,-1.00\n")
    b = detect(b" date , DESCRIPTION ,amount\n2023-05-06,Other,-9.00\n2023-05-07,X,1.00\n")
    c = detect(b"Date,Payee,Amount\n2024-01-02,A,-1.00\n")
    assert a.profile_key == b.profile_key
    assert a.profile_key != c.profile_key


@pytest.mark.parametrize("bad", ["", "not json", "[1, 2]", '{"width": "x", "columns": 5}'])
def test_bad_profiles_are_import_problems(bad: str) -> None:
    try:
        mapping = Mapping.from_json(bad)
    except ImportProblem as exc:
        assert str(exc).endswith(".")
        return
    # A profile that parses but no longer fits this header is ignored by detect().
    d = detect(b"Date,Description,Amount\n2024-01-02,A,-1.00\n", profile=mapping)
    assert d.mapping.amount_column == 2


def test_preview_limits_rows_and_says_what_was_recognised() -> None:
    text = "Date,Description,Amount\n" + "".join(
        f"2024-01-{d:02d},Shop,-{d}.00\n" for d in range(1, 29)
    )
    p = preview(detect(text.encode()), limit=5)
    assert [r.amount for r in p.rows] == [-100, -200, -300, -400, -500]
    assert p.errors == []
    assert any("Amount" in line for line in p.recognised)
    assert any("Date" in line for line in p.recognised)


def test_preview_with_an_adjusted_mapping() -> None:
    text = "Date,Description,Amount\n2024-01-02,Shop,10.00\n2024-01-03,Shop,5.00\n"
    d = detect(text.encode())
    flipped = d.mapping.with_changes(sign=SPEND_POSITIVE)
    assert [r.amount for r in preview(d, mapping=flipped).rows] == [-1000, -500]


@pytest.mark.parametrize(
    "change",
    [
        {"delimiter": ";;"},
        {"encoding": "no-such-codec"},
        {"sign": "sideways"},
        {"decimal": "x"},
        {"amount_column": None},
        {"date_column": -1},
        {"currency_exponent": 9},
    ],
)
def test_unusable_adjusted_mapping_is_refused_clearly(change: dict[str, object]) -> None:
    d = detect(b"Date,Description,Amount\n2024-01-02,A,-1.00\n")
    with pytest.raises(ImportProblem):
        list(iter_rows(d, mapping=d.mapping.with_changes(**change)))


def test_adjusted_mapping_with_columns_beyond_the_row_gives_row_errors() -> None:
    d = detect(b"Date,Description,Amount\n2024-01-02,A,-1.00\n")
    items = list(iter_rows(d, mapping=d.mapping.with_changes(amount_column=7)))
    assert items == [RowError(2, "it has 3 fields, so there is no column 8")]


def test_minor_units_follow_the_row_currency() -> None:
    text = (
        "Date,Description,Amount,Currency\n"
        "2024-01-02,Ramen,-1500,JPY\n"
        "2024-01-03,Dinner,-12.50,EUR\n"
        "2024-01-04,Fee,-1.250,KWD\n"
        "2024-01-05,Bad,-1.5,JPY\n"
    )
    items = list(iter_rows(detect(text.encode())))
    assert [(i.amount, i.currency) for i in items if isinstance(i, ParsedRow)] == [
        (-1500, "JPY"),
        (-1250, "EUR"),
        (-1250, "KWD"),
    ]
    assert items[-1] == RowError(5, "amount '-1.5' is not an amount")


def test_an_original_currency_column_is_not_the_row_currency() -> None:
    text = (
        "Booking Date,Partner Name,Amount (EUR),Original Amount,Original Currency\n"
        "2024-02-28,Shop,-8.50,-1400,JPY\n"
        "2024-02-29,Shop,-2.00,,\n"
    )
    d = detect(text.encode())
    assert d.mapping.currency_column is None
    assert [r.amount for r in iter_rows(d) if isinstance(r, ParsedRow)] == [-850, -200]


def test_opening_and_closing_balance_lines_are_not_transactions() -> None:
    text = (
        "Date,Description,Amount\n"
        "2024-01-01,Opening balance,1000.00\n"
        "2024-01-02,Shop,-10.00\n"
        "2024-01-03,Opening balance refund from shop,5.00\n"
        "2024-01-31,Closing Balance,995.00\n"
    )
    assert rows_of(text) == [("2024-01-02", -1000), ("2024-01-03", 500)]


def test_dates_without_a_year_take_it_from_the_statement_period() -> None:
    text = (
        "Statement,From,To\n"
        "75,28 December 2015,28 January 2016\n"
        "\n"
        "Date,Description,Amount,Balance\n"
        "30 Dec,Fee,-5.00,95.00\n"
        "02 Jan,Shop,-10.00,85.00\n"
        "25 Jan,Salary,100.00,185.00\n"
    )
    d = detect(text.encode())
    assert d.mapping.date_format == "%d %b"
    assert d.mapping.period == ("2015-12-28", "2016-01-28")
    assert rows_of(text) == [("2015-12-30", -500), ("2016-01-02", -1000), ("2016-01-25", 10000)]


def test_dates_without_a_year_and_no_period_are_refused() -> None:
    with pytest.raises(ImportProblem, match="no year"):
        detect(b"Date,Description,Amount\n30 Dec,Fee,-5.00\n02 Jan,Shop,-10.00\n")


@pytest.mark.parametrize(
    ("date", "text", "debit", "credit"),
    [
        ("Data contabile", "Descrizione", "Uscite", "Entrate"),
        ("Date", "Libellé", "Débit euros", "Crédit euros"),
        ("Fecha", "Concepto", "Cargo", "Abono"),
        ("Datum", "Popis", "Výdaj", "Příjem"),
        ("Bokföringsdag", "Text", "Uttag", "Insättning"),
        ("Date", "Details", "Paid out", "Paid in"),
        ("Date", "Memo", "Money Out", "Money In"),
        ("Date", "Payee", "Outflow", "Inflow"),
    ],
)
def test_debit_credit_headers_in_several_languages(
    date: str, text: str, debit: str, credit: str
) -> None:
    csv = f"{date};{text};{debit};{credit}\n14.01.2024;Shop;12,50;\n15.01.2024;Pay;;1000,00\n"
    d = detect(csv.encode())
    assert (d.mapping.sign, d.mapping.debit_column, d.mapping.credit_column) == (DEBIT_CREDIT, 2, 3)
    assert rows_of(csv) == [("2024-01-14", -1250), ("2024-01-15", 100000)]


def test_card_member_column_marks_a_card_statement() -> None:
    text = (
        "Date,Description,Card Member,Amount\n"
        "01/14/2024,RESTAURANT,J SMITH,45.10\n"
        "01/15/2024,PAYMENT - THANK YOU,J SMITH,-500.00\n"
        "01/16/2024,GROCERY,J SMITH,80.00\n"
        "01/17/2024,FUEL,J SMITH,30.00\n"
    )
    assert rows_of(text) == [
        ("2024-01-14", -4510),
        ("2024-01-15", 50000),
        ("2024-01-16", -8000),
        ("2024-01-17", -3000),
    ]


def test_preview_says_how_many_lines_were_not_transactions() -> None:
    text = (
        "Date,Description,Amount\n"
        "Pending,Coffee,-3.00\n"
        "2024-01-01,Opening balance,10.00\n"
        "2024-01-02,Shop,-10.00\n"
        "2024-01-03,Stock move,\n"
    )
    p = preview(detect(text.encode()))
    assert [r.amount for r in p.rows] == [-1000]
    assert p.recognised[-1] == (
        "3 line(s) inside the table are not transactions (1 without a date, 1 without an amount, "
        "1 balance or total lines, 0 other)."
    )


def test_preview_of_an_unanswered_detection_shows_the_question_and_no_rows() -> None:
    p = preview(detect(AMBIGUOUS.encode()))
    assert p.rows == []
    assert p.recognised[-1].startswith("Question: Dates such as '01/02/2024'")


def test_a_balance_the_amounts_do_not_explain_is_flagged() -> None:
    text = (
        "Date,Description,Amount,Balance\n"
        "2024-01-02,Shop,-10.00,500.00\n"
        "2024-01-03,Shop,-20.00,130.00\n"
        "2024-01-04,Shop,-5.00,777.00\n"
    )
    d = detect(text.encode())
    assert d.mapping.sign == SIGNED
    assert d.recognised[-1] == (
        "Check the amounts: the running balance agrees with only 0% of 2 steps under any reading."
    )


def test_neutral_rows_of_an_indicator_column_keep_the_stated_amount() -> None:
    text = (
        "交易时间,交易对方,收/支,金额(元)\n"
        "2019-09-26 12:45:27,米线,支出,¥28.16\n"
        "2019-09-27 10:10:11,好友,收入,¥0.35\n"
        "2019-09-28 09:00:00,零钱通,/,¥2000.00\n"
    )
    assert rows_of(text) == [("2019-09-26", -2816), ("2019-09-27", 35), ("2019-09-28", 200000)]


def test_trailer_balance_row_does_not_hide_the_booking_date_column() -> None:
    text = (
        "Umsätze Girokonto;Zeitraum: 01.01.2024 - 31.01.2024\n"
        "\n"
        "Buchungstag;Wert;Umsatzart;Begünstigter / Auftraggeber;Verwendungszweck;"
        "Soll;Haben;Währung\n"
        "02.01.2024;03.01.2024;Lastschrift;Stadtwerke;Strom Jan;-54,00;;EUR\n"
        "05.01.2024;05.01.2024;Gutschrift;ACME GmbH;Gehalt;;2.500,00;EUR\n"
        "Kontostand;31.01.2024;;;;;2.446,00;EUR\n"
    )
    d = detect(text.encode("cp1252"))
    assert (d.mapping.date_column, d.mapping.sign) == (0, DEBIT_CREDIT)
    assert rows_of_bytes(text.encode("cp1252")) == [("2024-01-02", -5400), ("2024-01-05", 250000)]


def rows_of_bytes(data: bytes) -> list[tuple[str, int]]:
    return [
        (r.date.isoformat(), r.amount) for r in iter_rows(detect(data)) if isinstance(r, ParsedRow)
    ]


def test_balance_after_the_row_is_preferred_to_balance_before() -> None:
    # Headerless: account, currency, date, balance before, balance after, date, amount, text.
    text = (
        "123\tEUR\t20240102\t1000,00\t987,65\t20240102\t-12,35\tJansen\n"
        "123\tEUR\t20240103\t987,65\t2987,65\t20240103\t2000,00\tWerkgever\n"
        "123\tEUR\t20240105\t2987,65\t2937,65\t20240105\t-50,00\tAlbert Heijn\n"
        "123\tEUR\t20240107\t2937,65\t2930,15\t20240107\t-7,50\tHema\n"
    )
    d = detect(text.encode())
    assert (d.mapping.amount_column, d.mapping.balance_column) == (6, 4)
    assert [r.balance for r in iter_rows(d) if isinstance(r, ParsedRow)] == [
        98765,
        298765,
        293765,
        293015,
    ]


def test_a_profile_that_no_longer_reads_the_dates_is_set_aside() -> None:
    saved = answer(detect(AMBIGUOUS.encode()), "date_format", "%m/%d/%Y").mapping
    later = "Date,Description,Amount\n25/02/2024,A,-1.00\n26/02/2024,B,-2.00\n"
    d = detect(later.encode(), profile=saved)
    assert d.mapping.date_format == "%d/%m/%Y"
    assert rows_of(later) == [("2024-02-25", -100), ("2024-02-26", -200)]


# A column that names each row's currency decides how many decimals its amounts have, whatever
# the account's currency (a new account's is only a default).
DINARS = (
    "Date,Description,Amount,Currency\n"
    "2024-04-01,LULU HYPERMARKET,-1.250,BHD\n"
    "2024-04-02,LULU HYPERMARKET,-3.111,BHD\n"
    "2024-04-03,REFUND,12.340,BHD\n"
)


@pytest.mark.parametrize("account_currency", [None, "USD", "JPY", "BHD"])
def test_a_currency_column_sets_the_decimals(account_currency: str | None) -> None:
    assert rows_of(DINARS, currency=account_currency) == [
        ("2024-04-01", -1250),
        ("2024-04-02", -3111),
        ("2024-04-03", 12340),
    ]


def test_other_three_letter_codes_are_not_a_currency() -> None:
    # "POS" and "ATM" say how money moved, not in what: a yen account keeps reading whole yen,
    # and "1.234" is still a thousands separator there
    text = (
        "Date,Type,Description,Amount\n"
        "2024-04-01,POS,SEVEN ELEVEN,-1.234\n"
        "2024-04-02,ATM,CASH,-10.000\n"
        "2024-04-03,POS,LAWSON,-980\n"
    )
    assert rows_of(text, currency="JPY") == [
        ("2024-04-01", -1234),
        ("2024-04-02", -10000),
        ("2024-04-03", -980),
    ]


def test_a_time_zone_column_is_not_the_currency() -> None:
    # PayPal's shape: TimeZone ("PDT") comes before Currency ("USD")
    text = (
        '"Date","Time","TimeZone","Name","Currency","Gross"\n'
        '"10/01/2019","03:46:20","PDT","Calm Radio","USD","-6.99"\n'
        '"10/02/2019","08:00:00","PDT","Acme","USD","25.00"\n'
    )
    d = detect(text.encode())
    assert d.mapping.currency_column == 4
    assert {r.currency for r in iter_rows(d) if isinstance(r, ParsedRow)} == {"USD"}
