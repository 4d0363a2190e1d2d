"""Sniffing: encodings, delimiters, the table region, and input that is not a statement."""

from __future__ import annotations

import codecs
from pathlib import Path

import pytest

from data.importer import ImportProblem, detect, iter_rows, sniff
from data.importer.types import ParsedRow, RowError

STATEMENT = "Date,Description,Amount\n2024-01-02,Café Crème,-3.50\n2024-01-03,Salary,1200.00\n"


def _rows(source: Path | bytes) -> list[ParsedRow | RowError]:
    return list(iter_rows(detect(source)))


def _pairs(source: Path | bytes) -> list[tuple[str, int]]:
    out = []
    for row in _rows(source):
        assert isinstance(row, ParsedRow), row
        out.append((row.date.isoformat(), row.amount))
    return out


@pytest.mark.parametrize(
    ("encoded", "encoding"),
    [
        (STATEMENT.encode("utf-8"), "utf-8"),
        (codecs.BOM_UTF8 + STATEMENT.encode("utf-8"), "utf-8-sig"),
        (STATEMENT.encode("utf-16"), "utf-16"),
        (STATEMENT.encode("utf-16-le"), "utf-16-le"),
        (STATEMENT.encode("utf-16-be"), "utf-16-be"),
        (STATEMENT.encode("utf-32"), "utf-32"),
    ],
)
def test_unicode_encodings_are_recognised(encoded: bytes, encoding: str) -> None:
    detection = detect(encoded)
    assert detection.mapping.encoding == encoding
    rows = _rows(encoded)
    assert [r.description for r in rows if isinstance(r, ParsedRow)] == ["Café Crème", "Salary"]


def test_legacy_8bit_encoding_goes_through_charset_normalizer() -> None:
    text = "Buchungstag;Verwendungszweck;Betrag\n" + "".join(
        f"0{d}.03.2024;Überweisung an Müller für Gebühren Nr {d};-1{d},50\n" for d in range(1, 9)
    )
    data = text.encode("cp1252")
    detection = detect(data)
    assert detection.mapping.encoding.replace("_", "").lower() in {
        "cp1252",
        "latin1",
        "iso88591",
        "cp1250",
        "iso885915",
    }
    rows = [r for r in iter_rows(detection) if isinstance(r, ParsedRow)]
    assert rows[0].description.startswith("Überweisung an Müller")
    assert rows[0].amount == -1150


@pytest.mark.parametrize("delimiter", [",", ";", "\t", "|"])
def test_delimiters(delimiter: str) -> None:
    text = STATEMENT.replace(",", delimiter)
    assert detect(text.encode()).mapping.delimiter == delimiter
    assert _pairs(text.encode()) == [("2024-01-02", -350), ("2024-01-03", 120000)]


def test_semicolon_file_with_decimal_commas_is_not_split_on_commas() -> None:
    text = (
        "Datum;Text;Betrag;Saldo\n"
        "01.02.2024;Miete;-750,00;1.250,00\n"
        "02.02.2024;Brot;-2,50;1.247,50\n"
    )
    detection = detect(text.encode())
    assert detection.mapping.delimiter == ";"
    assert detection.mapping.decimal == ","
    assert _pairs(text.encode()) == [("2024-02-01", -75000), ("2024-02-02", -250)]


def test_preamble_blank_lines_and_trailer_are_skipped() -> None:
    text = (
        '"Account:";"DE12 3456"\n'
        "\n"
        '"From:";"01.01.2024"\n'
        '"Balance:";"5.000,01 EUR"\n'
        "\n"
        '"Date";"Payee";"Amount"\n'
        '"02.01.2024";"Shop";"-10,00"\n'
        '"03.01.2024";"Employer";"2.000,00"\n'
        '"* pending items are not shown";"";""\n'
        '"Closing balance";"";"6.990,01"\n'
    )
    detection = detect(text.encode())
    assert detection.mapping.header_row == 5
    assert detection.mapping.columns == ("Date", "Payee", "Amount")
    assert _pairs(text.encode()) == [("2024-01-02", -1000), ("2024-01-03", 200000)]


def test_multiline_quoted_field_keeps_line_numbers() -> None:
    text = (
        "Date,Description,Amount\n"
        '2024-01-02,"MAX\nMUSTERMANN",-5.00\n'
        "2024-01-03,Shop,-6.00\n"
        "2024-01-04,bad,x\n"
    )
    rows = _rows(text.encode())
    assert isinstance(rows[0], ParsedRow)
    assert rows[0].line == 2
    assert rows[0].description == "MAX MUSTERMANN"
    assert isinstance(rows[1], ParsedRow)
    assert rows[1].line == 4
    assert rows[2] == RowError(5, "amount 'x' is not an amount")


def test_headerless_file() -> None:
    text = (
        "02.01.2024;Shop;-10,00;EUR\n03.01.2024;Employer;2000,00;EUR\n04.01.2024;Rent;-700,00;EUR\n"
    )
    detection = detect(text.encode())
    assert detection.mapping.header_row is None
    assert detection.mapping.currency_column == 3
    rows = [r for r in iter_rows(detection) if isinstance(r, ParsedRow)]
    assert [(r.amount, r.currency, r.line) for r in rows] == [
        (-1000, "EUR", 1),
        (200000, "EUR", 2),
        (-70000, "EUR", 3),
    ]


def test_crlf_and_stray_cr() -> None:
    text = "Date,Description,Amount\r\n2024-01-02,Shop,-1.00\r\n2024-01-03,Other,-2.00\r\n"
    assert _pairs(text.encode()) == [("2024-01-02", -100), ("2024-01-03", -200)]


# --- hostile input: one clear sentence each ------------------------------------------------


def _problem(source: Path | bytes) -> str:
    with pytest.raises(ImportProblem) as info:
        list(iter_rows(detect(source)))
    message = str(info.value)
    assert message.endswith(".") and "\n" not in message and "Traceback" not in message
    return message


def test_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "empty.csv"
    path.write_bytes(b"")
    assert "empty" in _problem(path)
    assert "empty" in _problem(b"  \n\n \r\n")


def test_binary_file() -> None:
    blob = bytes(range(256)) * 40
    assert "binary" in _problem(blob)


def test_png_and_zip_signatures_are_binary() -> None:
    assert "binary" in _problem(b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" * 20)
    assert "binary" in _problem(b"PK\x03\x04" + b"\x14\x00\x00\x00\x08\x00" * 30)


def test_html_page_saved_as_csv() -> None:
    page = (
        b"<!DOCTYPE html>\n<html><head><title>Login</title></head>\n<body>Expired</body></html>\n"
    )
    assert "web page" in _problem(page)


def test_huge_file_without_newline(tmp_path: Path) -> None:
    path = tmp_path / "oneline.csv"
    with path.open("wb") as fh:
        chunk = b"2024-01-02,Shop,-1.00," * 4096
        for _ in range((30 * 1024 * 1024) // len(chunk) + 1):
            fh.write(chunk)
    assert path.stat().st_size > 30 * 1024 * 1024
    assert "no line breaks" in _problem(path)


def test_truncated_utf16() -> None:
    data = STATEMENT.encode("utf-16")[:-1]
    assert "truncated" in _problem(data)


def test_utf16_cut_between_characters_mid_line() -> None:
    data = STATEMENT.encode("utf-16")
    cut = data[: len(data) - 8]  # whole characters, but the last line is incomplete
    assert "stops in the middle of a line" in _problem(cut)


def test_header_without_rows() -> None:
    assert "no transaction rows" in _problem(b"Date,Description,Amount\n")


def test_text_that_is_not_a_statement() -> None:
    assert "No transactions" in _problem(b"Dear customer,\nthank you for your letter.\nRegards\n")


def test_directory_and_missing_path(tmp_path: Path) -> None:
    assert "folder" in _problem(tmp_path)
    assert "does not exist" in _problem(tmp_path / "nope.csv")


def test_unclosed_quote_is_reported_on_its_line() -> None:
    body = 'Date,Description,Amount\n2024-01-02,Shop,-1.00\n2024-01-03,"never closed,-2.00\n'
    text = body + ("x" * 200 + "\n") * 10
    rows = _rows(text.encode())
    assert isinstance(rows[0], ParsedRow)
    assert rows[1:] == [RowError(3, "a quote opened on this line is never closed")]


def test_sniff_window_is_bounded(tmp_path: Path) -> None:
    path = tmp_path / "big.csv"
    lines = ["Date,Description,Amount"] + [
        f"2024-01-{d % 28 + 1:02d},Shop {d},-1.{d % 100:02d}" for d in range(40_000)
    ]
    path.write_text("\n".join(lines) + "\n")
    window = sniff.sample(path)
    assert not window.complete
    assert len(window.text.encode()) <= sniff.SNIFF_BYTES
    assert window.text.endswith("\n")


def test_invalid_bytes_after_the_sniff_window_do_not_stop_the_import(tmp_path: Path) -> None:
    path = tmp_path / "mixed.csv"
    head = "Date,Description,Amount\n" + "2024-01-02,Shop,-1.00\n" * 20_000
    path.write_bytes(head.encode() + "2024-01-03,Caf\u00e9,-2.00\n".encode("cp1252"))
    detection = detect(path)
    assert detection.mapping.encoding == "utf-8"
    rows = list(iter_rows(detection))
    last = rows[-1]
    assert isinstance(last, ParsedRow)
    assert (last.amount, last.description) == (-200, "Caf\ufffd")
    assert len(rows) == 20_001


def test_binary_garbage_after_the_sniff_window_is_a_row_error(tmp_path: Path) -> None:
    path = tmp_path / "corrupt.csv"
    head = "Date,Description,Amount\n" + "2024-01-02,Shop,-1.00\n" * 20_000
    path.write_bytes(head.encode() + b"2024-01-03,\x00\x00\x00,-2.00\n")
    rows = list(iter_rows(detect(path)))
    assert rows[-1] == RowError(20_002, "it contains binary data (NUL bytes)")
    assert len(rows) == 20_001


def test_binary_garbage_in_a_column_the_import_ignores_changes_nothing(tmp_path: Path) -> None:
    path = tmp_path / "memo.csv"
    head = "Date,Description,Amount,Check number\n" + "2024-01-02,Shop,-1.00,\n" * 20_000
    path.write_bytes(head.encode() + b"2024-01-03,Cafe,-2.00,\x00\x00\n")
    detection = detect(path)
    assert 3 not in detection.mapping.description_columns  # the empty column is not read
    rows = list(iter_rows(detection))
    assert len(rows) == 20_001
    last = rows[-1]
    assert isinstance(last, ParsedRow)
    assert (last.line, last.amount, last.description) == (20_002, -200, "Cafe")


def test_thousands_of_columns_are_refused_quickly() -> None:
    line = "2024-01-02," + ",".join(["1.00"] * 3000) + "\n"
    assert "more than 256 fields" in _problem((line * 50).encode())
