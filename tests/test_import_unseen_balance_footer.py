"""Opening and closing balance footers whose label sits outside the description columns, as
German cooperative banks' old exports write them ('"24.03.2021";;;;"Anfangssaldo";"EUR";
"1.000,00";"H"'): with no description of their own, the label anywhere in the row marks them."""

from __future__ import annotations

from data.importer import Mapping, ParsedRow, detect, iter_row_tuples, iter_rows
from data.importer.rows import RowReader


def _text() -> str:
    return (
        '"Buchungstag";"Valuta";"Empfänger";"Verwendungszweck";"Kundenreferenz";"Währung";'
        '"Umsatz";" "\n'
        '"05.04.2022";"05.04.2022";"Bäckerei";"Brötchen";;"EUR";"3,20";"S"\n'
        '"04.04.2022";"04.04.2022";"Firma";"Lohn";;"EUR";"1.500,00";"H"\n'
        '"02.04.2022";"02.04.2022";"Laden";"Einkauf";;"EUR";"45,00";"S"\n'
        "\n"
        '"01.04.2022";;;;"Anfangssaldo";"EUR";"200,00";"H"\n'
        '"05.04.2022";;;;"Endsaldo";"EUR";"1.651,80";"H"\n'
    )


def test_footer_balances_labelled_outside_the_description_are_not_transactions() -> None:
    detection = detect(_text().encode("cp1252"))
    got = [(r.date.isoformat(), r.amount) for r in iter_rows(detection) if isinstance(r, ParsedRow)]
    assert got == [("2022-04-05", -320), ("2022-04-04", 150000), ("2022-04-02", -4500)]


def test_the_bulk_reader_agrees() -> None:
    detection = detect(_text().encode("cp1252"))
    amounts = [
        item[2] if isinstance(item, tuple) else item.amount  # type: ignore[union-attr]
        for item in iter_row_tuples(detection)
    ]
    assert amounts == [-320, 150000, -4500]


def test_a_row_without_description_is_still_a_transaction() -> None:
    text = (
        "Date;Description;Reference;Amount\n"
        "2022-04-01;Rent;R1;-700,00\n"
        "2022-04-02;;R2;-15,00\n"
        "2022-04-03;Pay;R3;1500,00\n"
    )
    detection = detect(text.encode())
    got = [r.amount for r in iter_rows(detection) if isinstance(r, ParsedRow)]
    assert got == [-70000, -1500, 150000]


def test_bulk_and_general_paths_agree_without_description_columns() -> None:
    # No description columns at all: a labelled balance row is skipped on both paths alike.
    mapping = Mapping(width=3, columns=("a", "b", "c"), amount_column=1)
    records = [(2, ["2024-01-05", "-12.50", "Opening balance"]), (3, ["2024-01-06", "4.00", "x"])]
    general = RowReader(mapping)
    expected = [item for line, rec in records if (item := general.read(line, list(rec)))]
    bulk = [
        ParsedRow(*item) if type(item) is tuple else item
        for item in RowReader(mapping).read_tuples((line, list(rec)) for line, rec in records)
    ]
    assert bulk == expected
    assert [r.amount for r in expected if isinstance(r, ParsedRow)] == [400]
