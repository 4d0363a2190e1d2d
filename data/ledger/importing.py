"""Committing a detected statement into the ledger: one SQLite transaction per file, streamed in
chunks, duplicates (by the importer's fingerprints) skipped and counted, any bad row refusing the
whole file with every bad row reported.

Never stores part of a file, never guesses an answer to an importer question, and never holds a
whole file's rows in memory.
"""

from __future__ import annotations

import contextlib
import datetime
import hashlib
import itertools
import sqlite3
import threading
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from data.importer import (
    Fingerprinter,
    ImportProblem,
    Mapping,
    ParsedRow,
    RowError,
    RowTuple,
    answer,
    detect,
    header_currency,
    iter_row_tuples,
)
from data.money import exponent

from .schema import TEXT_INSERT_TRIGGER
from .types import (
    Account,
    ImportRejected,
    ImportResult,
    LedgerError,
    QuestionInfo,
    RowErrorInfo,
    UnansweredQuestions,
)

# a new account's currency when neither the caller nor its statement names one
DEFAULT_CURRENCY = "USD"

if TYPE_CHECKING:
    from data.importer import Detection

    from .ledger import Ledger

# Rows per chunk: the first chunks are small so that the worker starts early, later ones large
# so that it waits for the GIL (up to sys.getswitchinterval() each time) once per 20,000 rows
# instead of per 5,000 (~1 s of its time at 1M rows); small enough for memory either way.
FIRST_CHUNK = 2500
CHUNK = 20_000
PAYEES_KEPT = 65_536  # distinct descriptions whose payee is remembered (bounded memory)
DATES_KEPT = 65_536  # distinct dates whose ISO text is remembered (bounded memory)
MAX_KEPT_ERRORS = 10_000  # every bad row is counted; this many are kept to report line by line

# Rows reach the ledger through a staging table: executemany into an unindexed in-memory TEMP
# table, then one INSERT ... SELECT per chunk into transactions. SQLite's per-statement work
# (binding, a statement journal, halting) is then paid on the plain table only, and the
# indexed insert runs as one statement: 43k -> 31k instructions a row, -25% of SQLite's CPU time.
# What is the same for every row of an import (account, batch, the account's currency) is bound
# once per chunk in the INSERT, not once per row in the staging (binding is the caller's thread's
# work, which nothing overlaps).
STAGING_COLUMNS = "date, amount, currency, description, payee, fingerprint, line, balance"
CREATE_STAGING = f"CREATE TEMP TABLE import_rows ({STAGING_COLUMNS})"
STAGE = "INSERT INTO temp.import_rows VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
# Staging 100 rows per statement (800 parameters, below the 999 that SQLite before 3.32 allows)
# pays the per-statement step, reset and GIL release once per 100 rows: staging 1M rows took
# 2.1 -> 1.4 s of CPU on the thread that also parses, the one nothing overlaps.
STAGED_AT_ONCE = 100
STAGE_MANY = "INSERT INTO temp.import_rows VALUES " + ", ".join(
    ["(?, ?, ?, ?, ?, ?, ?, ?)"] * STAGED_AT_ONCE
)
# OR IGNORE: a row whose (account, date, fingerprint) is already stored is a duplicate, skipped
INSERT = (
    "INSERT OR IGNORE INTO transactions (account_id, date, amount, currency, description, payee, "
    "batch_id, fingerprint, line, balance) "
    "SELECT :account, date, amount, coalesce(currency, :currency), description, payee, :batch, "
    "fingerprint, line, balance FROM temp.import_rows ORDER BY rowid"
)


def _payee_function() -> Callable[[str], str]:
    # looked up per import, not bound at module import, so a test can make it fail mid-import
    from data.payee import normalize_payee

    return normalize_payee


def file_sha256(path: Path) -> str:
    """Hex SHA-256 of a file, read in blocks."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _check_path(path: Path) -> None:
    if not path.exists():
        raise LedgerError(f"{path}: no such file")
    if path.is_dir():
        raise LedgerError(f"{path} is a directory, not a statement file")
    if not path.is_file():
        raise LedgerError(f"{path} is not a regular file")
    try:
        with path.open("rb"):
            pass
    except OSError as exc:
        raise LedgerError(f"cannot read {path}: {exc.strerror or exc}") from exc


def date_order_of(date_format: str) -> str | None:
    """'dmy', 'mdy' or 'ymd' for a strptime-style format such as '%d/%m/%Y', else None."""
    positions = {
        part: min((date_format.find(t) for t in tokens if t in date_format), default=-1)
        for part, tokens in (("d", ("%d", "%e")), ("m", ("%m", "%b", "%B")), ("y", ("%Y", "%y")))
    }
    if min(positions.values()) < 0:
        return None
    return "".join(sorted(positions, key=positions.__getitem__))


def describe_errors(errors: Iterable[RowErrorInfo], total: int, shown: int = 20) -> str:
    """Bad rows on one line: 'line 4: bad date "x"; line 9: ...; and 310 more'. Every one is
    still in ImportRejected.errors (and the CLI's --json) up to MAX_KEPT_ERRORS."""
    kept = list(itertools.islice(errors, shown))
    text = "; ".join(f"line {e.line}: {e.reason}" for e in kept)
    if total > len(kept):
        text += f"; and {total - len(kept)} more"
    return text


class _Pipeline:
    """Stores an import's chunks, overlapping SQLite's work with the parsing of the next chunk.

    The caller stages a chunk (executemany into the TEMP table) and goes on parsing; a worker
    thread runs the indexed INSERT ... SELECT, one long SQLite step during which the GIL is
    released, so the two use both cores. The connection is only ever used by one thread at a
    time: staging waits for the worker's previous chunk first, and nothing may touch the
    connection after a failure until `stop` has waited for the worker. The worker runs only that
    one statement: each time it needs the GIL back it waits for the parsing thread to yield it
    (up to sys.getswitchinterval(), 5 ms), so the staging table is emptied by the caller.
    """

    def __init__(self, conn: sqlite3.Connection, acct: Account, batch_id: int) -> None:
        self._conn = conn
        self._params = {"account": acct.id, "currency": acct.currency, "batch": batch_id}
        self.imported = 0
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="fincast-import")
        self._pending: Future[int] | None = None

    def put(self, chunk: list[tuple[object, ...]]) -> None:
        """Stage `chunk` (the caller may reuse the list at once) and start inserting it."""
        conn = self._conn
        if self._collect():
            conn.execute("DELETE FROM temp.import_rows")
        whole = len(chunk) - len(chunk) % STAGED_AT_ONCE
        if whole:
            flat = tuple(itertools.chain.from_iterable(chunk[:whole]))
            step = len(chunk[0]) * STAGED_AT_ONCE
            conn.executemany(STAGE_MANY, (flat[i : i + step] for i in range(0, len(flat), step)))
        if whole < len(chunk):
            conn.executemany(STAGE, chunk[whole:])
        started = threading.Event()
        self._pending = self._pool.submit(self._insert, started)
        # Hand the GIL over until the worker is inside SQLite. Left to ask for it, the worker
        # waited while this thread parsed (5 ms at best, 100-150 ms on a busy machine, measured)
        # and often started only once this thread came back to wait for it: no overlap at all.
        started.wait()

    def _insert(self, started: threading.Event) -> int:
        started.set()
        return int(self._conn.execute(INSERT, self._params).rowcount)

    def _collect(self) -> bool:
        """Wait for the chunk in flight, if any (re-raising its error); True if there was one."""
        pending, self._pending = self._pending, None
        if pending is None:
            return False
        self.imported += pending.result()
        return True

    def finish(self) -> int:
        """Wait for the last chunk (re-raising its error); returns how many rows were new."""
        try:
            self._collect()
        finally:
            self._pool.shutdown(wait=True)
        return self.imported

    def stop(self) -> None:
        """After a failure: wait until the worker has let go of the connection."""
        pending, self._pending = self._pending, None
        if pending is not None:
            wait([pending])
        self._pool.shutdown(wait=True)


def import_file(
    ledger: Ledger,
    path: Path,
    account: str,
    *,
    mapping: Mapping | None = None,
    answers: dict[str, str] | None = None,
    prefer: Sequence[str] = (),
    locale: str | None = None,
    currency: str | None = None,
    progress: Callable[[int], None] | None = None,
) -> ImportResult:
    """Detect `path` (reusing a saved profile for its header), answer questions, commit it.

    `answers` answers questions by key; `prefer` answers any open question that offers exactly
    one choice equal to it or, for date formats, in that order ('dmy' picks '%d/%m/%Y'), so
    callers such as the CLI's --date-order need not know the importer's keys. A new account is
    made in `currency`, else in the one its statement's money headers name, else in USD.
    """
    _check_path(path)
    given = currency
    # Amounts are read in the account's minor units (yen have none, dinars three).
    if currency is None and ledger.account(account) is None:
        # A new account of no stated currency: read the file as it is ("-23.455" in
        # thousandths), then take the currency its money headers name ("Betrag (€)", "Amount
        # (KWD)"), else the default, and read it again if that has other decimals (the default
        # refuses thousandths with a message that names the currencies which take them).
        detection = detect(path, locale=locale, currency=None)
        currency = header_currency(detection.mapping) or DEFAULT_CURRENCY
        unit = currency
        stated = detection.mapping.currency_column is not None  # its rows name theirs
        if not stated and detection.mapping.currency_exponent != exponent(unit):
            detection = detect(path, locale=locale, currency=unit)
    else:
        unit = ledger.account_currency(account, currency or DEFAULT_CURRENCY)
        detection = detect(path, locale=locale, currency=unit)
    if mapping is None:
        saved = ledger.profile(detection.profile_key, account)
        if saved is not None:
            # a profile from an older version that no longer fits: keep the fresh detection
            with contextlib.suppress(ImportProblem):
                detection = detect(
                    path, profile=Mapping.from_json(saved), locale=locale, currency=unit
                )
    for key, choice in (answers or {}).items():
        if any(q.key == key for q in detection.questions):
            detection = answer(detection, key, choice)
    for wanted in prefer:
        for question in detection.questions:
            fitting = [c for c in question.choices if wanted in (c, date_order_of(c))]
            if len(fitting) == 1:
                detection = answer(detection, question.key, fitting[0])
                break
    return commit_import(
        ledger,
        account,
        detection,
        mapping,
        source_name=path.name,
        sha256=file_sha256(path),
        currency=currency or DEFAULT_CURRENCY,
        currency_given=given,
        progress=progress,
    )


def commit_import(
    ledger: Ledger,
    account: str,
    detection: Detection,
    mapping: Mapping | None = None,
    *,
    source_name: str,
    sha256: str | None = None,
    currency: str = "USD",
    currency_given: str | None = None,
    progress: Callable[[int], None] | None = None,
) -> ImportResult:
    """Store all rows of `detection` in `account` in one transaction, or refuse the whole file.

    An existing account takes no statement whose money headers name another currency than its
    own, unless the caller says the file is in the account's (`currency_given`, the command
    line's --currency), nor one whose every new row names another in a currency column."""
    if detection.questions and mapping is None:
        listed = "; ".join(
            f"{q.text} (choices: {', '.join(q.choices)})" if q.choices else q.text
            for q in detection.questions
        )
        raise UnansweredQuestions(
            f"{source_name}: the importer needs an answer first: {listed}",
            questions=tuple(QuestionInfo(q.key, q.text, q.choices) for q in detection.questions),
        )
    used = mapping or detection.mapping
    conn = ledger._conn
    # Foreign keys are checked per row; every row of an import references the account and the
    # batch created in this same transaction, so the checks can only pass (-0.1 s a 100,000
    # rows). The pragma cannot change inside a transaction: off before BEGIN, on after the end.
    conn.execute("PRAGMA foreign_keys = OFF")
    try:
        with ledger._write() as conn:
            new_account = ledger.account(account) is None
            acct = ledger._ensure_account(conn, account, currency)
            # the person's word that the file is in the account's own currency stands over what
            # its headers say; a code given for another is a new account's (ignored here)
            named = None if currency_given == acct.currency else header_currency(used)
            if not new_account and named is not None and named != acct.currency:
                raise ImportRejected(_other_currency(source_name, named, acct))
            newest_before = conn.execute(
                "SELECT coalesce(max(id), 0) FROM transactions"
            ).fetchone()[0]
            # Rows of this import get ids above every existing one (INTEGER PRIMARY KEY = max +
            # 1) and stay out of the text index until it catches up (schema._INDEXED). The mark
            # may stand above the newest id after an undo: lowering it to there keeps it true,
            # and keeps the new rows above it.
            conn.execute(
                "UPDATE text_indexed SET upto = "
                "min(upto, (SELECT coalesce(max(id), 0) FROM transactions))"
            )
            conn.execute("DROP TRIGGER IF EXISTS tx_text_insert")  # restored below or by rollback
            batch_id = conn.execute(
                "INSERT INTO batches (account_id, file_name, sha256, profile_key) "
                "VALUES (?, ?, ?, ?)",
                (acct.id, source_name, sha256, detection.profile_key),
            ).lastrowid
            assert batch_id is not None
            written = _write_rows(
                conn, iter_row_tuples(detection, mapping=used), acct, batch_id, progress=progress
            )
            if written.error_count:
                noun = "row" if written.error_count == 1 else "rows"
                raise ImportRejected(
                    f"{source_name}: {written.error_count} bad {noun}, nothing imported: "
                    f"{describe_errors(written.errors, written.error_count)}",
                    errors=tuple(written.errors),
                )
            if written.rows == 0:
                raise ImportRejected(
                    f"{source_name}: the file has no transactions, nothing imported"
                )
            duplicates = written.rows - written.imported
            if new_account and used.currency_column is not None:
                _adopt_stated_currency(conn, acct)
            elif used.currency_column is not None:
                _refuse_other_currency(conn, source_name, acct, newest_before)
            conn.execute(TEXT_INSERT_TRIGGER)
            conn.execute(
                "UPDATE batches SET imported = ?, duplicates = ? WHERE id = ?",
                (written.imported, duplicates, batch_id),
            )
            ledger._save_profile(conn, detection.profile_key, used.to_json(), acct.name)
            if progress is not None:
                progress(written.rows)
    finally:
        conn.execute("PRAGMA foreign_keys = ON")
    return ImportResult(
        batch_id=batch_id,
        account=acct.name,
        source_name=source_name,
        imported=written.imported,
        duplicates=duplicates,
        profile_key=detection.profile_key,
    )


def _other_currency(source_name: str, named: str, acct: Account) -> str:
    return (
        f"{source_name} is in {named} and the account {acct.name!r} holds {acct.currency}: "
        f"nothing imported. Import it into an account in {named} (a new account name makes "
        "one)"
    )


def _refuse_other_currency(
    conn: sqlite3.Connection, source_name: str, acct: Account, newest_before: int
) -> None:
    """An existing account takes no statement whose every new row names one other currency:
    its amounts would be summed with the account's own as if one money (audit 9: 94 euro rows
    went into a dollar account from the command line). The rows are the ones above the newest
    id before this import (new rows' ids), so no scan of the account."""
    stated = conn.execute(
        "SELECT DISTINCT currency FROM transactions WHERE id > ? LIMIT 2", (newest_before,)
    ).fetchall()
    if len(stated) == 1 and stated[0][0] != acct.currency:
        raise ImportRejected(_other_currency(source_name, stated[0][0], acct))


def _adopt_stated_currency(conn: sqlite3.Connection, acct: Account) -> None:
    """A new account whose first statement names one currency on every row is in that
    currency, not in the default it was created with: its balance sums those rows' minor units
    (a dinar account made as USD showed 1.250 BHD as 12.50)."""
    stated = conn.execute(
        "SELECT DISTINCT currency FROM transactions WHERE account_id = ? LIMIT 2", (acct.id,)
    ).fetchall()
    if len(stated) == 1 and stated[0][0] != acct.currency:
        conn.execute("UPDATE accounts SET currency = ? WHERE id = ?", (stated[0][0], acct.id))


@dataclass
class _Written:
    """What _write_rows did: rows read, rows new to the ledger, and the bad rows."""

    rows: int = 0
    imported: int = 0
    error_count: int = 0
    errors: list[RowErrorInfo] = field(default_factory=list)


def _write_rows(
    conn: sqlite3.Connection,
    items: Iterable[RowTuple | ParsedRow | RowError],
    acct: Account,
    batch_id: int,
    *,
    progress: Callable[[int], None] | None,
) -> _Written:
    """Stage and insert every row inside the caller's transaction; after the first bad row only
    count and collect bad rows (the caller refuses the file)."""
    out = _Written()
    conn.execute("DROP TABLE IF EXISTS temp.import_rows")  # left over only if a DROP failed
    conn.execute(CREATE_STAGING)
    pipeline = _Pipeline(conn, acct, batch_id)
    try:
        _fill(pipeline, items, out, progress=progress)
        out.imported = pipeline.finish()
    except BaseException:
        pipeline.stop()  # before the caller's ROLLBACK uses the connection
        raise
    conn.execute("DROP TABLE temp.import_rows")
    return out


def _fill(  # noqa: PLR0912 - one loop, inlined: it runs once per row
    pipeline: _Pipeline,
    items: Iterable[RowTuple | ParsedRow | RowError],
    out: _Written,
    *,
    progress: Callable[[int], None] | None,
) -> None:
    """Turn rows into staged tuples and hand them to `pipeline` chunk by chunk."""
    payee_of = _payee_function()
    fingerprint = Fingerprinter().of
    # per distinct description its payee, per distinct date its ISO text (statements repeat both
    # endlessly; the importer hands out one date object per distinct date cell)
    payees: dict[str, str] = {}
    isos: dict[datetime.date, str] = {}
    chunk: list[tuple[object, ...]] = []
    append = chunk.append
    rows = 0
    limit = min(FIRST_CHUNK, CHUNK)
    for item in items:
        if type(item) is tuple:
            line, date, amount, currency, description, balance = item
        elif type(item) is RowError:
            out.error_count += 1
            if len(out.errors) < MAX_KEPT_ERRORS:
                out.errors.append(RowErrorInfo(item.line, item.reason))
            continue
        else:
            assert type(item) is ParsedRow
            line, date, amount, currency = item.line, item.date, item.amount, item.currency
            description, balance = item.description, item.balance
        rows += 1
        if out.error_count:
            continue  # the file will be refused; keep reading only to report every bad row
        payee = payees.get(description)
        if payee is None:
            if len(payees) >= PAYEES_KEPT:
                payees.clear()
            payee = payees[description] = payee_of(description) or description.strip()
        iso = isos.get(date)
        if iso is None:
            if len(isos) >= DATES_KEPT:
                isos.clear()
            iso = isos[date] = date.isoformat()
        append(
            (
                iso,
                amount,
                currency,
                description,
                payee,
                fingerprint(iso, amount, description),
                line,
                balance,
            )
        )
        if len(chunk) >= limit:
            pipeline.put(chunk)
            chunk.clear()
            limit = min(2 * limit, CHUNK)
            if progress is not None:
                progress(rows)
    out.rows = rows
    if chunk and not out.error_count:
        pipeline.put(chunk)
