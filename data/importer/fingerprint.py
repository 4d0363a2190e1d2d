"""Stable per-row fingerprints for duplicate detection across overlapping statements.

A fingerprint is (date, amount, normalised description, occurrence of that triple so far in this
file): re-importing an overlapping statement reproduces the same strings, while two identical
purchases on one day in one statement get different occurrence numbers. Never reads files.
"""

from __future__ import annotations

import hashlib
import unicodedata

from data.importer.types import ParsedRow


def normalise_description(text: str) -> str:
    """Case-, accent-width- and whitespace-insensitive form of a description."""
    if not text.isascii():
        text = unicodedata.normalize("NFKC", text)
    return " ".join(text.casefold().split())


class Fingerprinter:
    """Feed rows in file order; each call returns that row's stable fingerprint string.

    Memory stays small for million-row files: one 64-bit key per distinct (date, amount,
    description), not the strings themselves.
    """

    def __init__(self) -> None:
        self._seen: set[int] = set()
        self._repeats: dict[int, int] = {}

    def __call__(self, row: ParsedRow) -> str:
        """The fingerprint of `row`, counting earlier identical rows of this file."""
        text = normalise_description(row.description)
        material = f"{row.date.isoformat()}\x1f{row.amount}\x1f{text}".encode()
        digest = hashlib.blake2b(material, digest_size=16).digest()
        key = int.from_bytes(digest[:8], "big")
        if key not in self._seen:
            self._seen.add(key)
            return digest.hex()
        occurrence = self._repeats.get(key, 1)
        self._repeats[key] = occurrence + 1
        return hashlib.blake2b(digest + occurrence.to_bytes(4, "big"), digest_size=16).hexdigest()

    fingerprint = __call__
