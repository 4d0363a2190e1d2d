"""The staged import API (detect -> preview -> iter_rows -> answer). Early simple version."""

from __future__ import annotations

import csv
import datetime
import hashlib
import io
from collections.abc import Iterator
from decimal import Decimal, InvalidOperation
from pathlib import Path

from data.importer.types import Detection, ImportProblem, Mapping, ParsedRow, Preview, RowError


def _read(source: Path | bytes) -> bytes:
    if isinstance(source, bytes):
        return source
    try:
        return Path(source).read_bytes()
    except FileNotFoundError as exc:
        raise ImportProblem(f"{source} does not exist.") from exc
    except IsADirectoryError as exc:
        raise ImportProblem(f"{source} is a directory, not a statement file.") from exc


def detect(
    source: Path | bytes, *, profile: Mapping | None = None, locale: str | None = None
) -> Detection:
    """Recognise the layout of a statement (simple version: comma CSV, ISO dates)."""
    data = _read(source)
    if not data.strip():
        raise ImportProblem("The file is empty.")
    text = data.decode("utf-8-sig", errors="replace")
    records = list(csv.reader(io.StringIO(text)))
    header = [h.strip().lower() for h in records[0]]
    mapping = profile or Mapping(
        header_row=0,
        data_start=1,
        width=len(header),
        columns=tuple(records[0]),
        date_column=header.index("date"),
        amount_column=header.index("amount"),
        description_columns=tuple(i for i, h in enumerate(header) if h not in ("date", "amount")),
    )
    key = hashlib.sha256("\x1f".join(header).encode()).hexdigest()[:16]
    return Detection(mapping=mapping, questions=(), profile_key=key, source=source)


def iter_rows(
    detection: Detection, *, mapping: Mapping | None = None
) -> Iterator[ParsedRow | RowError]:
    """Every record of the table as a ParsedRow or a RowError."""
    m = mapping or detection.mapping
    text = _read(detection.source).decode("utf-8-sig", errors="replace")
    reader = csv.reader(io.StringIO(text), delimiter=m.delimiter)
    for index, record in enumerate(reader):
        if index < m.data_start:
            continue
        try:
            date = datetime.datetime.strptime(record[m.date_column].strip(), m.date_format).date()
            assert m.amount_column is not None
            amount = int(Decimal(record[m.amount_column].strip()).scaleb(2))
        except (ValueError, IndexError, InvalidOperation):
            yield RowError(reader.line_num, "cannot read this row")
            continue
        desc = " | ".join(record[i].strip() for i in m.description_columns if i < len(record))
        yield ParsedRow(reader.line_num, date, amount, None, desc, None)


def preview(detection: Detection, *, mapping: Mapping | None = None, limit: int = 50) -> Preview:
    """The first `limit` rows and every error among them."""
    rows: list[ParsedRow] = []
    errors: list[RowError] = []
    for item in iter_rows(detection, mapping=mapping):
        if isinstance(item, RowError):
            errors.append(item)
        else:
            rows.append(item)
        if len(rows) >= limit:
            break
    return Preview(rows=rows, errors=errors, recognised=list(detection.recognised))


def answer(detection: Detection, key: str, choice: str) -> Detection:
    """Resolve one of the detection's questions."""
    raise ImportProblem(f"There is no open question {key!r}.")
