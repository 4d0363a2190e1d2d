"""The ledger's schema as numbered migrations, applied in order at open via PRAGMA user_version.

Never edit a migration that has shipped: add the next number. Money columns are INTEGER minor units;
dates are ISO 'YYYY-MM-DD' text so that text order is date order.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from .backup import backup
from .types import LedgerError

# The text index's triggers as migrations 2 and 5 made them (rowid = transaction id); frozen,
# because shipped migrations never change. Migration 6 replaces them (see _V6_KEY).
_ID_TEXT_INSERT_TRIGGER = """
    CREATE TRIGGER tx_text_insert AFTER INSERT ON transactions BEGIN
        INSERT INTO tx_text (rowid, description, payee)
        VALUES (new.id, new.description, new.payee);
    END"""
_ID_TEXT_DELETE_TRIGGER = """
    CREATE TRIGGER tx_text_delete AFTER DELETE ON transactions BEGIN
        INSERT INTO tx_text (tx_text, rowid, description, payee)
        VALUES ('delete', old.id, old.description, old.payee);
    END"""
_ID_TEXT_UPDATE_TRIGGER = """
    CREATE TRIGGER tx_text_update AFTER UPDATE OF description, payee ON transactions BEGIN
        INSERT INTO tx_text (tx_text, rowid, description, payee)
        VALUES ('delete', old.id, old.description, old.payee);
        INSERT INTO tx_text (rowid, description, payee)
        VALUES (new.id, new.description, new.payee);
    END"""

# The text index's key and triggers as migration 6 made them (rowid = day << 40 | id); frozen,
# because shipped migrations never change. Migration 7 replaces them (see TEXT_KEY).
_V6_KEY = "((coalesce(CAST(julianday({row}.date) AS INTEGER), 0) << 40) | {row}.id)"
_V6_TEXT_INSERT_TRIGGER = f"""
    CREATE TRIGGER tx_text_insert AFTER INSERT ON transactions BEGIN
        INSERT INTO tx_text (rowid, description, payee)
        VALUES ({_V6_KEY.format(row="new")}, new.description, new.payee);
    END"""
_V6_TEXT_DELETE_TRIGGER = f"""
    CREATE TRIGGER tx_text_delete AFTER DELETE ON transactions BEGIN
        INSERT INTO tx_text (tx_text, rowid, description, payee)
        VALUES ('delete', {_V6_KEY.format(row="old")}, old.description, old.payee);
    END"""
_V6_TEXT_UPDATE_TRIGGER = f"""
    CREATE TRIGGER tx_text_update AFTER UPDATE OF date, description, payee ON transactions
    BEGIN
        INSERT INTO tx_text (tx_text, rowid, description, payee)
        VALUES ('delete', {_V6_KEY.format(row="old")}, old.description, old.payee);
        INSERT INTO tx_text (rowid, description, payee)
        VALUES ({_V6_KEY.format(row="new")}, new.description, new.payee);
    END"""

# The text index's rowid for a transaction row: its day (Julian day number) in the top bits, its
# id below, its account's low bits at the bottom. Rowid order is then (date, id) order, the
# listing's default, and a search within one account can test the account on the key alone
# instead of looking every match up in the table. Ids stay below 2**32 (four billion rows).
DAY_SHIFT = 40
ACCOUNT_BITS = 8
ACCOUNT_MASK = (1 << ACCOUNT_BITS) - 1
ID_MASK = (1 << (DAY_SHIFT - ACCOUNT_BITS)) - 1
TEXT_KEY = (
    f"((coalesce(CAST(julianday({{row}}.date) AS INTEGER), 0) << {DAY_SHIFT}) "
    f"| ({{row}}.id << {ACCOUNT_BITS}) | ({{row}}.account_id & {ACCOUNT_MASK}))"
)
# SQL for a key's transaction id (rowid is the key's column name in tx_text)
KEY_ID = f"((rowid >> {ACCOUNT_BITS}) & {ID_MASK})"
# The payee is indexed only when it adds text: a payee that the description already contains
# (ASCII case aside) can only match where the description matches too, and most payees are
# cut from their description. Skipping them is -13% of the text index's cost per imported row.
TEXT_PAYEE = (
    "CASE WHEN instr(lower({row}.description), lower({row}.payee)) > 0 THEN '' ELSE {row}.payee END"
)
# What the text index holds for a row (its key, description and payee), as an insert's values
# and, behind 'delete', as FTS5's delete command wants them: exactly the text that was indexed.
TEXT_ROW = TEXT_KEY + ", {row}.description, " + TEXT_PAYEE
# The triggers as migration 7 made them: every row indexed as it changes; frozen (see below).
_V7_TEXT_INSERT_TRIGGER = f"""
    CREATE TRIGGER tx_text_insert AFTER INSERT ON transactions BEGIN
        INSERT INTO tx_text (rowid, description, payee) VALUES ({TEXT_ROW.format(row="new")});
    END"""
_V7_TEXT_DELETE_TRIGGER = f"""
    CREATE TRIGGER tx_text_delete AFTER DELETE ON transactions BEGIN
        INSERT INTO tx_text (tx_text, rowid, description, payee)
        VALUES ('delete', {TEXT_ROW.format(row="old")});
    END"""
_V7_TEXT_UPDATE_TRIGGER = f"""
    CREATE TRIGGER tx_text_update
    AFTER UPDATE OF account_id, date, description, payee ON transactions
    BEGIN
        INSERT INTO tx_text (tx_text, rowid, description, payee)
        VALUES ('delete', {TEXT_ROW.format(row="old")});
        INSERT INTO tx_text (rowid, description, payee) VALUES ({TEXT_ROW.format(row="new")});
    END"""

# The text index holds exactly the rows with id <= text_indexed.upto (migration 8). An import
# leaves its rows above that mark and the index catches up later (Ledger.index_text, which the
# first text search runs): FTS5's trigram indexing is ~45% of an import's SQLite time. These
# triggers keep the indexed rows in step with single inserts, deletes and edits; a row above the
# mark has nothing in the index to keep. (An undo deletes its rows' text in one statement.)
_INDEXED = "(SELECT upto FROM text_indexed)"
# How far the text index has caught up and the newest row's id, read together (one snapshot):
# the index holds every row when the first is at least the second.
TEXT_INDEX_STATE = (
    "SELECT (SELECT upto FROM text_indexed), (SELECT coalesce(max(id), 0) FROM transactions)"
)
TEXT_INSERT_TRIGGER = f"""
    CREATE TRIGGER tx_text_insert AFTER INSERT ON transactions
    WHEN new.id <= {_INDEXED}
    BEGIN
        INSERT INTO tx_text (rowid, description, payee) VALUES ({TEXT_ROW.format(row="new")});
    END"""
TEXT_DELETE_TRIGGER = f"""
    CREATE TRIGGER tx_text_delete AFTER DELETE ON transactions
    WHEN old.id <= {_INDEXED}
    BEGIN
        INSERT INTO tx_text (tx_text, rowid, description, payee)
        VALUES ('delete', {TEXT_ROW.format(row="old")});
    END"""
TEXT_UPDATE_TRIGGER = f"""
    CREATE TRIGGER tx_text_update
    AFTER UPDATE OF account_id, date, description, payee ON transactions
    WHEN old.id <= {_INDEXED}
    BEGIN
        INSERT INTO tx_text (tx_text, rowid, description, payee)
        VALUES ('delete', {TEXT_ROW.format(row="old")});
        INSERT INTO tx_text (rowid, description, payee) VALUES ({TEXT_ROW.format(row="new")});
    END"""

# The transactions table as migration 5 leaves it. Its CHECKs compare with '=' and OR: the same
# rule as "x IN ('a', 'b', 'c')", but SQLite opens an ephemeral table for an IN list on every
# row it inserts, which cost 5.7 us a row (0.57 s of a 100,000-row import, CPU time).
TRANSACTIONS_TABLE = """
    CREATE TABLE {name} (
        id INTEGER PRIMARY KEY,
        account_id INTEGER NOT NULL REFERENCES accounts(id),
        date TEXT NOT NULL,
        amount INTEGER NOT NULL,
        currency TEXT NOT NULL,
        description TEXT NOT NULL,
        payee TEXT NOT NULL,
        category_id INTEGER REFERENCES categories(id),
        category_source TEXT CHECK (
            category_source = 'rule' OR category_source = 'model' OR category_source = 'user'
        ),
        confidence REAL,
        suggestion_id INTEGER REFERENCES categories(id),
        categorize_state TEXT NOT NULL DEFAULT 'pending' CHECK (
            categorize_state = 'pending' OR categorize_state = 'done'
            OR categorize_state = 'skipped'
        ),
        batch_id INTEGER REFERENCES batches(id),
        fingerprint TEXT NOT NULL,
        line INTEGER,
        balance INTEGER,
        reasons TEXT
    )"""

TRANSACTION_COLUMNS = (
    "id, account_id, date, amount, currency, description, payee, category_id, category_source, "
    "confidence, suggestion_id, categorize_state, batch_id, fingerprint, line, balance, reasons"
)

# Every index on transactions, and what it is for. Listing walks these in order (see
# queries.page_sql); an import pays for each one on every row, so none is here without a query
# in bench/listing.py that needs it.
TRANSACTION_INDEXES = """
    -- duplicate detection: a fingerprint is unique within (account, date); statements arrive in
    -- date order, so inserts touch neighbouring pages
    CREATE UNIQUE INDEX tx_account_date_fingerprint
        ON transactions(account_id, date, fingerprint);
    -- the listing's default order (date, id) and per-account listings in that order
    CREATE INDEX tx_date ON transactions(date, id);
    CREATE INDEX tx_account_date ON transactions(account_id, date, id);
    -- "largest first" is a common sort; without this it sorts a million rows (1.2 s)
    CREATE INDEX tx_amount ON transactions(amount, id);
    -- new rows have no category, so this partial index costs an import nothing
    CREATE INDEX tx_category_date ON transactions(category_id, date, id)
        WHERE category_id IS NOT NULL;
    -- the categorize loop's queue: new rows append at the end of this partial index
    CREATE INDEX tx_pending ON transactions(id) WHERE categorize_state = 'pending';
"""

_RULE_LIMITS = "(amount_min IS NOT NULL OR amount_max IS NOT NULL)"

MIGRATIONS: tuple[str, ...] = (
    # 1: the initial schema.
    """
    CREATE TABLE accounts (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL UNIQUE,
        currency TEXT NOT NULL,
        created TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
    );
    CREATE TABLE categories (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL UNIQUE
    );
    CREATE TABLE batches (
        id INTEGER PRIMARY KEY,
        account_id INTEGER NOT NULL REFERENCES accounts(id),
        file_name TEXT NOT NULL,
        sha256 TEXT,
        profile_key TEXT,
        imported INTEGER NOT NULL DEFAULT 0,
        duplicates INTEGER NOT NULL DEFAULT 0,
        created TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
    );
    CREATE TABLE transactions (
        id INTEGER PRIMARY KEY,
        account_id INTEGER NOT NULL REFERENCES accounts(id),
        date TEXT NOT NULL,
        amount INTEGER NOT NULL,
        currency TEXT NOT NULL,
        description TEXT NOT NULL,
        payee TEXT NOT NULL,
        category_id INTEGER REFERENCES categories(id),
        category_source TEXT CHECK (category_source IN ('rule', 'model', 'user')),
        confidence REAL,
        suggestion_id INTEGER REFERENCES categories(id),
        categorize_state TEXT NOT NULL DEFAULT 'pending'
            CHECK (categorize_state IN ('pending', 'done', 'skipped')),
        batch_id INTEGER REFERENCES batches(id),
        fingerprint TEXT NOT NULL,
        line INTEGER,
        balance INTEGER
    );
    -- duplicate detection: a fingerprint is unique within its account
    CREATE UNIQUE INDEX tx_account_fingerprint ON transactions(account_id, fingerprint);
    -- the listing's default order, and per-account / per-category listings in that order;
    -- new rows have no category, so the partial index costs an import nothing. No index on
    -- batch_id: undo scans (0.1-0.3 s at 1M rows) instead of every import paying for one.
    CREATE INDEX tx_date ON transactions(date, id);
    CREATE INDEX tx_account_date ON transactions(account_id, date, id);
    -- "largest first" is a common sort; without this it sorts a million rows (1.2 s)
    CREATE INDEX tx_amount ON transactions(amount, id);
    CREATE INDEX tx_category_date ON transactions(category_id, date, id)
        WHERE category_id IS NOT NULL;
    -- the categorize loop's queue stays small, so a partial index keeps it cheap to find
    CREATE INDEX tx_pending ON transactions(id) WHERE categorize_state = 'pending';
    CREATE TABLE profiles (
        profile_key TEXT NOT NULL,
        account_id INTEGER NOT NULL DEFAULT 0,  -- 0: not tied to one account
        mapping TEXT NOT NULL,
        updated TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
        PRIMARY KEY (profile_key, account_id)
    );
    CREATE TABLE rules (
        id INTEGER PRIMARY KEY,
        position INTEGER NOT NULL,
        field TEXT NOT NULL CHECK (field IN ('description', 'payee')),
        op TEXT NOT NULL CHECK (op IN ('contains', 'exact', 'regex')),
        pattern TEXT NOT NULL,
        amount_min INTEGER,
        amount_max INTEGER,
        account_id INTEGER REFERENCES accounts(id) ON DELETE CASCADE,
        category_id INTEGER REFERENCES categories(id),
        rename_payee TEXT,
        created TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
    );
    CREATE INDEX rules_position ON rules(position);
    """,
    # 2: substring search over description and payee through a trigram full-text index. A LIKE
    # scan of 1,000,000 rows cost ~0.5-1 s of CPU per keystroke; this answers in milliseconds
    # for rare text, for ~6 us per imported row (bulk-indexed, see TEXT_INSERT_TRIGGER).
    """
    CREATE VIRTUAL TABLE tx_text USING fts5(
        description, payee, content='transactions', content_rowid='id', tokenize='trigram'
    );
    """
    + _ID_TEXT_INSERT_TRIGGER
    + """;
    """
    + _ID_TEXT_DELETE_TRIGGER
    + """;
    CREATE TRIGGER tx_text_update AFTER UPDATE OF description, payee ON transactions BEGIN
        INSERT INTO tx_text (tx_text, rowid, description, payee)
        VALUES ('delete', old.id, old.description, old.payee);
        INSERT INTO tx_text (rowid, description, payee)
        VALUES (new.id, new.description, new.payee);
    END;
    INSERT INTO tx_text (tx_text) VALUES ('rebuild');
    """,
    # 3: duplicate detection keyed by (account, date, fingerprint). The fingerprint already hashes
    # the date, so uniqueness is unchanged; but a statement's rows arrive in date order, so
    # inserts now touch neighbouring index pages instead of random ones: 31.6 -> 21.0 us a row
    # of SQLite time at 600,000 rows.
    """
    DROP INDEX tx_account_fingerprint;
    CREATE UNIQUE INDEX tx_account_date_fingerprint ON transactions(account_id, date, fingerprint);
    """,
    # 4: the categorizer's reasons (the tokens that drove its answer), a JSON array of strings,
    # so the Transactions page can say why a category was chosen.
    """
    ALTER TABLE transactions ADD COLUMN reasons TEXT;
    """,
    # 5: the transactions table rebuilt with cheap CHECKs (TRANSACTIONS_TABLE says why), as
    # SQLite's ALTER TABLE docs prescribe: new table, copy, drop, rename, then the indexes and
    # triggers again. Ids are kept, so the external-content text index stays valid as it is.
    # The text index also gets an 8 MiB in-memory buffer (FTS5 'hashsize', default 1 MiB): a bulk
    # import flushes and merges fewer segments (-18% of its indexing time at 100,000 rows).
    TRANSACTIONS_TABLE.format(name="transactions_new")
    + f""";
    INSERT INTO transactions_new ({TRANSACTION_COLUMNS})
        SELECT {TRANSACTION_COLUMNS} FROM transactions ORDER BY id;
    DROP TABLE transactions;
    ALTER TABLE transactions_new RENAME TO transactions;
    {TRANSACTION_INDEXES}
    {_ID_TEXT_INSERT_TRIGGER};
    {_ID_TEXT_DELETE_TRIGGER};
    {_ID_TEXT_UPDATE_TRIGGER};
    INSERT INTO tx_text (tx_text, rank) VALUES ('hashsize', 8388608);
    """,
    # 6: the text index keyed by (day, id) instead of id, so that its rowid order is the
    # listing's date order: a text search pages with ORDER BY rowid LIMIT/OFFSET inside the
    # index (offset 50,000 of 63,000 matches among 1,000,000 rows: 200 ms -> ~50 ms) instead of
    # walking the date index past every non-matching row. Contentless (content=''): the key is
    # not the rows' rowid, so the index cannot read its text from the table; the triggers hand
    # it the text, and deleting passes the same text back (FTS5's 'delete' command).
    f"""
    DROP TRIGGER tx_text_insert;
    DROP TRIGGER tx_text_delete;
    DROP TRIGGER tx_text_update;
    DROP TABLE tx_text;
    CREATE VIRTUAL TABLE tx_text USING fts5(description, payee, content='', tokenize='trigram');
    INSERT INTO tx_text (tx_text, rank) VALUES ('hashsize', 8388608);
    INSERT INTO tx_text (rowid, description, payee)
        SELECT {_V6_KEY.format(row="transactions")}, description, payee FROM transactions
        ORDER BY 1;
    {_V6_TEXT_INSERT_TRIGGER};
    {_V6_TEXT_DELETE_TRIGGER};
    {_V6_TEXT_UPDATE_TRIGGER};
    """,
    # 7: the text index keyed by (day, id, account) (see TEXT_KEY): a text search within one
    # account pages inside the index (offset 15,000 of 21,000 matches among 1,000,000 rows:
    # ~110 -> ~25 ms CPU) instead of testing every row of the account against every match.
    # Rebuilt without the payees that their description already holds (TEXT_PAYEE), for a
    # cheaper import. (columnsize=0 would save ~3% more, but such a contentless table cannot
    # be scanned, which Connection.iterdump does.)
    f"""
    DROP TRIGGER tx_text_insert;
    DROP TRIGGER tx_text_delete;
    DROP TRIGGER tx_text_update;
    DROP TABLE tx_text;
    CREATE VIRTUAL TABLE tx_text USING fts5(description, payee, content='', tokenize='trigram');
    INSERT INTO tx_text (tx_text, rank) VALUES ('hashsize', 8388608);
    INSERT INTO tx_text (rowid, description, payee)
        SELECT {TEXT_ROW.format(row="transactions")} FROM transactions ORDER BY 1;
    {_V7_TEXT_INSERT_TRIGGER};
    {_V7_TEXT_DELETE_TRIGGER};
    {_V7_TEXT_UPDATE_TRIGGER};
    """,
    # 8: imports no longer index their text; the index catches up later (see _INDEXED). Every
    # row is indexed at this point, so the mark starts at the newest id.
    f"""
    CREATE TABLE text_indexed (upto INTEGER NOT NULL);
    INSERT INTO text_indexed SELECT coalesce(max(id), 0) FROM transactions;
    DROP TRIGGER tx_text_insert;
    DROP TRIGGER tx_text_delete;
    DROP TRIGGER tx_text_update;
    {TEXT_INSERT_TRIGGER};
    {TEXT_DELETE_TRIGGER};
    {TEXT_UPDATE_TRIGGER};
    """,
    # 9: the names categories had before a rename, merge or delete (data/ledger/tidy.py). The
    # categorizer learned names, not ids, and may still predict an old one; apply_predictions
    # maps it to the category it became (category_id), or to none when it was deleted (NULL),
    # instead of creating the old category again. A category that exists by that name wins.
    """
    CREATE TABLE category_aliases (
        name TEXT PRIMARY KEY,
        category_id INTEGER REFERENCES categories(id)
    );
    """,
    # 10: the currency a rule's amount limits are in. Minor units mean different money in each
    # currency (-2000 is £20 or ¥2,000), so a rule with limits tests only rows in its currency.
    # Existing rules with limits get their account's currency, else the one most rows are in
    # (the money the person was looking at); with no rows yet they stay NULL: any currency.
    f"""
    ALTER TABLE rules ADD COLUMN currency TEXT;
    UPDATE rules SET currency = (SELECT a.currency FROM accounts a WHERE a.id = rules.account_id)
        WHERE account_id IS NOT NULL AND {_RULE_LIMITS};
    UPDATE rules SET currency = (
        SELECT currency FROM transactions GROUP BY currency ORDER BY count(*) DESC, currency
        LIMIT 1)
        WHERE currency IS NULL AND {_RULE_LIMITS};
    """,
)


def migrate(conn: sqlite3.Connection) -> int:
    """Bring `conn` up to the newest schema; returns the version it is at afterwards.

    Safe when several connections open a ledger at once (the desktop's lanes do): the version
    is read again under the write lock, so a migration another connection has just run is not
    run twice (migration 8's CREATE TABLE failed that way). All pending migrations commit
    together or not at all.
    """
    (version,) = conn.execute("PRAGMA user_version").fetchone()
    _check_known(version)
    if version == len(MIGRATIONS):
        return len(MIGRATIONS)
    conn.execute("BEGIN IMMEDIATE")
    try:
        (version,) = conn.execute("PRAGMA user_version").fetchone()
        _check_known(version)
        if 0 < version < len(MIGRATIONS):
            keep_copy_before_migrating(conn, version)
        for number in range(version + 1, len(MIGRATIONS) + 1):
            for statement in _statements(MIGRATIONS[number - 1]):
                conn.execute(statement)
            conn.execute(f"PRAGMA user_version = {number}")
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
    return len(MIGRATIONS)


def copy_path(ledger: Path, version: int) -> Path:
    """Where the copy of `ledger` kept before migrating it from schema `version` goes."""
    return ledger.with_name(f"{ledger.name}.backup-schema-{version}")


def keep_copy_before_migrating(conn: sqlite3.Connection, version: int) -> None:
    """Copy the ledger as it is, before a newer Fincast changes its schema: a mistake in a
    migration must never cost someone their history. Called under the migration's write lock
    (BEGIN IMMEDIATE on `conn`), so no other opener can migrate meanwhile; a second connection
    reads the committed file (WAL readers are not blocked by a writer; SQLite's backup from the
    locking connection itself waits forever). A copy already there, from an earlier attempt, is
    the older state and is kept. Refuses (LedgerError) when no copy can be made."""
    name = conn.execute("PRAGMA database_list").fetchone()[2]
    if not name:  # an in-memory ledger has nothing to lose
        return
    ledger = Path(name)
    target = copy_path(ledger, version)
    if target.exists():
        return
    try:
        # as_uri() escapes what a folder name may hold ("#", "?", "%") and a URI may not
        source = sqlite3.connect(ledger.as_uri() + "?mode=ro", uri=True)
        try:
            # the same copy as `fincast backup`: one snapshot, checked, 0600, placed whole (over
            # nothing but a dangling link: a real file there returned above)
            backup(source, ledger, target, overwrite=True)
        finally:
            source.close()
    except (LedgerError, OSError, sqlite3.Error) as exc:
        raise LedgerError(
            f"this version of Fincast updates the ledger's format, and first keeps a copy of it "
            f"at {target}, which failed ({exc}); free some space there and start again"
        ) from exc


def _check_known(version: int) -> None:
    if version > len(MIGRATIONS):
        raise LedgerError(
            f"this ledger was written by a newer Fincast (schema {version}, "
            f"this version knows {len(MIGRATIONS)}); update Fincast to open it"
        )


def _statements(script: str) -> list[str]:
    """A migration's SQL statements one by one (executescript would commit the open transaction
    first); sqlite3.complete_statement knows where a trigger's body ends."""
    out: list[str] = []
    pending = ""
    for line in script.splitlines(keepends=True):
        pending += line
        if sqlite3.complete_statement(pending):
            out.append(pending)
            pending = ""
    if pending.strip() and not all(
        not ln.strip() or ln.strip().startswith("--") for ln in pending.splitlines()
    ):
        raise LedgerError(f"a migration ends in an incomplete statement: {pending.strip()[:80]}")
    return out
