"""Stable per-row fingerprints for duplicate detection across overlapping statements.

A fingerprint is (date, amount, normalised description, occurrence of that triple so far in this
file): re-importing an overlapping statement reproduces the same strings, while two identical
purchases on one day in one statement get different occurrence numbers. Never reads files.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections import Counter

from data.importer.types import ParsedRow

_SPACES = re.compile(r"\s+")


def normalise_description(text: str) -> str:
    """Case-, accent-width- and whitespace-insensitive form of a description."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    return _SPACES.sub(" ", folded).strip()


class Fingerprinter:
    """Feed rows in file order; each call returns that row's stable fingerprint string."""

    def __init__(self) -> None:
        self._seen: Counter[tuple[str, int, str]] = Counter()

    def __call__(self, row: ParsedRow) -> str:
        """The fingerprint of `row`, counting earlier identical rows of this file."""
        key = (row.date.isoformat(), row.amount, normalise_description(row.description))
        occurrence = self._seen[key]
        self._seen[key] = occurrence + 1
        digest = hashlib.sha256(
            f"{key[0]}\x1f{key[1]}\x1f{key[2]}\x1f{occurrence}".encode()
        ).hexdigest()
        return digest[:32]

    fingerprint = __call__
