"""The last good answer of each model service, on disk with the time it was computed, so a view
can keep showing it (dated) while that service is down.

One JSON file per result kind under the app's data directory, per ledger. Writes are atomic
(temp file + rename). Never raises on a corrupt cache: it reads as empty.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import os
from pathlib import Path
from typing import Any

from data.paths import data_dir

log = logging.getLogger(__name__)


def ledger_tag(db: Path) -> str:
    """A short name for the ledger at `db`, for the files kept for it under the data directory."""
    return hashlib.sha256(str(db.resolve()).encode()).hexdigest()[:12]


def _path(db: Path, kind: str) -> Path:
    return data_dir() / "cache" / f"{kind}-{ledger_tag(db)}.json"


def save(db: Path, kind: str, result: Any) -> None:
    """Keep `result` (JSON-able) as the latest `kind` for this ledger."""
    path = _path(db, kind)
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    tmp = path.with_suffix(".tmp")
    payload = {"saved": dt.datetime.now(dt.UTC).isoformat(), "result": result}
    tmp.write_text(json.dumps(payload), encoding="utf-8")
    os.replace(tmp, path)


def load(db: Path, kind: str) -> tuple[dt.datetime, Any] | None:
    """(when it was saved, the result), or None when there is none or it is unreadable."""
    path = _path(db, kind)
    try:
        payload = json.loads(path.read_text(encoding="utf-8"))
        saved = dt.datetime.fromisoformat(payload["saved"])
        return saved, payload["result"]
    except FileNotFoundError:
        return None
    except (OSError, ValueError, KeyError, TypeError):
        log.warning("ignoring an unreadable cache file %s", path)
        return None
