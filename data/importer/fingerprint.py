"""Stable per-row fingerprints for duplicate detection across overlapping statements.

A fingerprint is (date, amount, normalised description, occurrence of that triple so far in this
file): re-importing an overlapping statement reproduces the same strings, while two identical
purchases on one day in one statement get different occurrence numbers. Never reads files, and
never changes what a fingerprint is: ledgers already hold these strings, and a re-import must
reproduce them exactly.
"""

from __future__ import annotations

import hashlib
import unicodedata

from data.importer.types import ParsedRow

_blake2b = hashlib.blake2b
# copying an empty 16-byte hasher skips the constructor's keyword parsing (a third of the cost of
# hashing a row); the digest is the same as blake2b(data, digest_size=16)'s
_EMPTY16 = _blake2b(digest_size=16).copy
# normalised descriptions remembered per Fingerprinter: statements repeat their descriptions, so
# each distinct one is normalised once; cleared when full so memory stays bounded
_NORMALISED_KEPT = 65_536


def normalise_description(text: str) -> str:
    """Case-, accent-width- and whitespace-insensitive form of a description."""
    if not text.isascii():
        text = unicodedata.normalize("NFKC", text)
    return " ".join(text.casefold().split())


class Fingerprinter:
    """Feed rows in file order; each call returns that row's stable fingerprint string.

    Memory stays small for million-row files: one 64-bit key per distinct (date, amount,
    description), not the strings themselves, plus a bounded memo of normalised descriptions.
    """

    def __init__(self) -> None:
        self._seen: set[bytes] = set()
        self._repeats: dict[bytes, int] = {}
        self._normalised: dict[str, str] = {}

    def __call__(self, row: ParsedRow) -> str:
        """The fingerprint of `row`, counting earlier identical rows of this file."""
        return self.of(row.date.isoformat(), row.amount, row.description)

    fingerprint = __call__

    def of(self, iso_date: str, amount: int, description: str) -> str:
        """The fingerprint of a row given as its ISO date, amount in minor units and raw
        description (the ledger has the ISO date at hand already; same result as calling)."""
        text = self._normalised.get(description)
        if text is None:
            if len(self._normalised) >= _NORMALISED_KEPT:
                self._normalised.clear()
            text = self._normalised[description] = normalise_description(description)
        hasher = _EMPTY16()
        hasher.update(f"{iso_date}\x1f{amount}\x1f{text}".encode())
        digest = hasher.digest()
        # the first 8 bytes as the key: the same test as their big-endian int, without the int
        key = digest[:8]
        seen = self._seen
        if key not in seen:
            seen.add(key)
            return digest.hex()
        occurrence = self._repeats.get(key, 1)
        self._repeats[key] = occurrence + 1
        return _blake2b(digest + occurrence.to_bytes(4, "big"), digest_size=16).hexdigest()
