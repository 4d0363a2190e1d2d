"""Sniffing: open a statement, refuse what is not a text table, find its encoding and delimiter,
and stream its records with their line numbers.

Only a bounded window (SNIFF_BYTES) is ever read for sniffing; records() streams the whole file
through the csv module without holding it. This module must never interpret cell values.
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import io
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import charset_normalizer

from data.importer.types import ImportProblem

SNIFF_BYTES = 256 * 1024
SNIFF_RECORDS = 400
DELIMITERS = (",", ";", "\t", "|")

# The csv module refuses fields longer than its limit; statements never have fields this long,
# so hitting it means the file is not a table (or a quote was never closed).
_FIELD_LIMIT = 1 << 20
csv.field_size_limit(_FIELD_LIMIT)

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_HTML = re.compile(rb"^\s*(<!doctype\s+html|<html|<\?xml|<head|<body|<table|<!--)", re.IGNORECASE)


@dataclass(frozen=True)
class Sample:
    """The sniff window of a statement, decoded."""

    encoding: str
    text: str  # the window, decoded, cut at the last complete line when the file is longer
    complete: bool  # True when `text` is the whole file


def read_head(source: Path | bytes) -> tuple[bytes, int]:
    """The first SNIFF_BYTES of `source` and its total size; unreadable sources -> ImportProblem."""
    if isinstance(source, (bytes, bytearray)):
        return bytes(source[:SNIFF_BYTES]), len(source)
    path = Path(source)
    try:
        if path.is_dir():
            raise ImportProblem(f"{path.name} is a folder, not a statement file.")
        if not path.exists():
            raise ImportProblem(f"{path} does not exist.")
        if not path.is_file():
            raise ImportProblem(f"{path.name} is not a regular file.")
        size = path.stat().st_size
        with path.open("rb") as fh:
            return fh.read(SNIFF_BYTES), size
    except PermissionError as exc:
        raise ImportProblem(f"{path.name} cannot be read (permission denied).") from exc
    except OSError as exc:
        raise ImportProblem(f"{path.name} cannot be read ({exc.strerror or exc}).") from exc


def _utf16_without_bom(head: bytes) -> str | None:
    """utf-16-le/-be when every other byte is NUL, as in a BOM-less UTF-16 text."""
    sample = head[:4096]
    if len(sample) < 4:
        return None
    even = sample[0::2].count(0)
    odd = sample[1::2].count(0)
    half = len(sample) // 2
    if odd > 0.4 * half and even < 0.05 * half:
        return "utf-16-le"
    if even > 0.4 * half and odd < 0.05 * half:
        return "utf-16-be"
    return None


def _utf8_prefix_ok(head: bytes, complete: bool) -> bool:
    """True when `head` is valid UTF-8, allowing a character cut at the end of the window."""
    for cut in range(4 if not complete else 1):
        try:
            (head[: len(head) - cut] if cut else head).decode("utf-8")
            return True
        except UnicodeDecodeError as exc:
            if complete or exc.start < len(head) - 4:
                return False
    return False


def _refuse_non_text(body: bytes) -> None:
    """ImportProblem for bytes that are binary, a web page, or nothing."""
    if b"\x00" in body:
        raise ImportProblem("The file is binary data, not a text statement.")
    if _HTML.match(body):
        raise ImportProblem("The file is a web page (HTML), not a CSV statement.")
    if not body.strip():
        raise ImportProblem("The file is empty.")
    controls = sum(1 for b in body[:8192] if b < 32 and b not in (9, 10, 13, 12))
    if controls > 0.02 * min(len(body), 8192):
        raise ImportProblem("The file is binary data, not a text statement.")


def detect_encoding(head: bytes, size: int) -> str:
    """The encoding of a file whose first bytes are `head`; refuses binary and HTML."""
    complete = len(head) >= size
    for bom, name in _BOMS:
        if head.startswith(bom):
            encoding = name
            break
    else:
        encoding = _utf16_without_bom(head) or ""
    if encoding.startswith(("utf-16", "utf-32")):
        unit = 4 if encoding.startswith("utf-32") else 2
        if size % unit:
            raise ImportProblem(
                f"The file is truncated: its {encoding.upper()} text ends mid-character."
            )
        return encoding
    body = head[len(codecs.BOM_UTF8) :] if encoding else head  # encoding is "" or utf-8-sig
    _refuse_non_text(body)
    if encoding:
        return encoding
    if _utf8_prefix_ok(body, complete):
        return "utf-8"
    return _legacy_encoding(body[:65536])


_STRUCTURE = b',;|\t\r\n"'


def _legacy_encoding(body: bytes) -> str:
    """charset-normalizer's best guess that keeps the table's structure: a multi-byte encoding
    that swallows a delimiter or line break into a character is wrong for a CSV file, however
    plausible its text (short files with a few accents otherwise come out as Big5)."""
    results = charset_normalizer.from_bytes(body)
    if not results:
        raise ImportProblem("The file's text encoding cannot be recognised; it may be binary.")
    wanted = sum(body.count(bytes([b])) for b in _STRUCTURE)
    for match in results:
        encoding = str(match.encoding)
        try:
            text = body.decode(encoding, errors="replace")
        except LookupError:
            continue
        if sum(text.count(chr(b)) for b in _STRUCTURE) == wanted:
            return encoding
    return "cp1252"


def _tail(source: Path | bytes, count: int) -> bytes:
    if isinstance(source, (bytes, bytearray)):
        return bytes(source[-count:])
    with Path(source).open("rb") as fh:
        fh.seek(0, io.SEEK_END)
        fh.seek(max(0, fh.tell() - count))
        return fh.read()


def _ends_with_line_break(source: Path | bytes, head: bytes, encoding: str) -> bool:
    """True when a UTF-16/32 file's last character is a line break. Windows programs, the only
    ones that write these encodings, end every line; a file that stops mid-line was cut off."""
    unit = 4 if encoding.startswith("utf-32") else 2
    if encoding in ("utf-16", "utf-32"):  # with a BOM: its byte order
        little = head[:2] == codecs.BOM_UTF16_LE[:2]
        encoding = f"{encoding}-{'le' if little else 'be'}"
    last = _tail(source, unit).decode(encoding, errors="replace")
    return last in ("\n", "\r")


def sample(source: Path | bytes) -> Sample:
    """Read and decode the sniff window of `source`."""
    head, size = read_head(source)
    if size == 0:
        raise ImportProblem("The file is empty.")
    encoding = detect_encoding(head, size)
    if encoding.startswith(("utf-16", "utf-32")) and not _ends_with_line_break(
        source, head, encoding
    ):
        raise ImportProblem(
            f"The file is truncated: its {encoding.upper()} text stops in the middle of a line."
        )
    complete = len(head) >= size
    if not complete and not re.search(rb"[\r\n]", head):
        raise ImportProblem(
            f"The file has no line breaks in its first {SNIFF_BYTES // 1024} KB: it is not a table."
        )
    decoder = codecs.getincrementaldecoder(encoding)(errors="replace")
    text = decoder.decode(head, final=complete)
    if not complete:
        # Drop the last (probably cut) line; records() reads the rest from the file itself.
        cut = max(text.rfind("\n"), text.rfind("\r"))
        text = text[: cut + 1]
    text = text.lstrip("\ufeff")
    if not text.strip():
        raise ImportProblem("The file is empty.")
    return Sample(encoding=encoding, text=text, complete=complete)


def _reader(stream: io.TextIOBase | io.StringIO, delimiter: str) -> Iterator[tuple[int, list[str]]]:
    reader = csv.reader(stream, delimiter=delimiter, quotechar='"', skipinitialspace=False)
    start = 1
    try:
        for record in reader:
            yield start, record
            start = reader.line_num + 1
    except csv.Error as exc:
        raise ImportProblem(
            f"Line {reader.line_num} cannot be read as CSV ({exc}); the file may be damaged."
        ) from exc


def sample_records(
    text: str, delimiter: str, limit: int = SNIFF_RECORDS
) -> list[tuple[int, list[str]]]:
    """Up to `limit` records of the sniff window, as (first line number, fields)."""
    out: list[tuple[int, list[str]]] = []
    for item in _reader(io.StringIO(text, newline=""), delimiter):
        out.append(item)
        if len(out) >= limit:
            break
    return out


@contextlib.contextmanager
def _binary(source: Path | bytes) -> Iterator[BinaryIO]:
    if isinstance(source, (bytes, bytearray)):
        yield io.BytesIO(source)
        return
    try:
        fh = Path(source).open("rb")  # noqa: SIM115 - closed by the with just below
    except OSError as exc:
        raise ImportProblem(f"{Path(source).name} cannot be read ({exc.strerror}).") from exc
    with fh:
        yield fh


def records(source: Path | bytes, encoding: str, delimiter: str) -> Iterator[tuple[int, list[str]]]:
    """Every record of the file as (first line number, fields), streamed with bounded memory."""
    with (
        _binary(source) as raw,
        io.TextIOWrapper(raw, encoding=encoding, errors="replace", newline="") as text,
    ):
        rows = _reader(text, delimiter)
        for start, record in rows:  # the first record only: it may start with a byte-order mark
            if record:
                record[0] = record[0].lstrip("\ufeff")
            yield start, record
            break
        yield from rows


def choose_delimiter(text: str) -> str:
    """The delimiter under which the most records read as transactions of one width; without
    any such record, the one that splits the window into the largest block of equal width."""
    from data.importer.table import looks_like_transaction  # table builds on sniff

    best: tuple[tuple[int, int, float], str] | None = None
    for delimiter in DELIMITERS:
        try:
            recs = sample_records(text, delimiter)
        except ImportProblem:
            continue
        widths = Counter(len(r) for _, r in recs if len(r) > 1 and any(c.strip() for c in r))
        if not widths:
            continue
        tx_widths = Counter(len(r) for _, r in recs if len(r) > 1 and looks_like_transaction(r))
        tx = max(tx_widths.values()) if tx_widths else 0
        width, count = max(widths.items(), key=lambda wc: (wc[1], wc[0]))
        # "," also splits decimal commas; the others rarely occur inside values, so they win ties.
        score = (tx, count, (0.0 if delimiter == "," else 0.5) + 0.01 * width)
        if best is None or score > best[0]:
            best = (score, delimiter)
    return "," if best is None else best[1]
