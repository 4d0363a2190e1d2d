"""Profiles: the key a statement layout is saved under, and whether a saved mapping fits a file.

Never reads files; the mapping itself serialises with Mapping.to_json()/from_json().
"""

from __future__ import annotations

import hashlib

from data.importer import columns as col
from data.importer.types import Mapping


def profile_key(header: list[str] | None, width: int, delimiter: str) -> str:
    """A stable key for a statement layout: the normalised header, or the shape when headerless."""
    if header is not None:
        basis = "h\x1f" + "\x1f".join(col.normalise(c) for c in header).rstrip("\x1f")
    else:
        basis = f"n\x1f{width}\x1f{delimiter}"
    return hashlib.sha256(basis.encode("utf-8")).hexdigest()[:24]


def fits(profile: Mapping, base: Mapping) -> bool:
    """True when a saved mapping was made for this same header and layout."""
    same_header = tuple(col.normalise(c) for c in profile.columns) == tuple(
        col.normalise(c) for c in base.columns
    )
    return same_header and profile.delimiter == base.delimiter and profile.width == base.width
