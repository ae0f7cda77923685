"""The store's file format: numbered migrations, how we tell our file from another
program's, and SQLite failures as one-line errors that say what to do."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from inbox_audit.errors import StoreError

# Numbered migrations, applied in order in one transaction. Statements are separated by
# ";" at the end of a line (no trigger bodies here).
MIGRATIONS: list[tuple[int, str]] = [(1, """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE raw (sha256 TEXT PRIMARY KEY, data BLOB NOT NULL);
CREATE TABLE messages (
    key TEXT PRIMARY KEY,
    message_id TEXT,
    date TEXT,
    date_source TEXT NOT NULL,
    sender TEXT,
    to_addrs TEXT NOT NULL,
    cc_addrs TEXT NOT NULL,
    subject TEXT NOT NULL,
    in_reply_to TEXT NOT NULL,
    refs TEXT NOT NULL,
    body TEXT NOT NULL,
    html_only INTEGER NOT NULL,
    attachments TEXT NOT NULL,
    headers TEXT NOT NULL,
    content_type TEXT NOT NULL,
    folder TEXT NOT NULL,
    raw_sha256 TEXT NOT NULL REFERENCES raw(sha256),
    size INTEGER NOT NULL,
    attachment_text TEXT NOT NULL,
    defects TEXT NOT NULL,
    origin TEXT NOT NULL,
    added TEXT NOT NULL
);
CREATE INDEX messages_date ON messages(date);
CREATE UNIQUE INDEX messages_raw ON messages(raw_sha256);
CREATE TABLE quarantine (
    raw_sha256 TEXT PRIMARY KEY REFERENCES raw(sha256),
    origin TEXT NOT NULL,
    reason TEXT NOT NULL,
    added TEXT NOT NULL
);
CREATE TABLE classifications (
    key TEXT PRIMARY KEY REFERENCES messages(key) ON DELETE CASCADE,
    label TEXT NOT NULL,
    confidence REAL NOT NULL,
    source TEXT NOT NULL,
    explanation TEXT NOT NULL,
    version TEXT NOT NULL
);
CREATE TABLE imap_state (
    account TEXT NOT NULL,
    folder TEXT NOT NULL,
    uidvalidity INTEGER NOT NULL,
    last_uid INTEGER NOT NULL,
    PRIMARY KEY (account, folder)
)
"""), (2, """
ALTER TABLE quarantine ADD COLUMN date TEXT;
CREATE TABLE forgotten (sha256 TEXT PRIMARY KEY, forgotten TEXT NOT NULL)
"""), (3, """
CREATE TABLE facts (
    key TEXT PRIMARY KEY REFERENCES messages(key) ON DELETE CASCADE,
    amount TEXT,
    currency TEXT,
    high_intent INTEGER NOT NULL,
    version TEXT NOT NULL
)
"""), (4, """
CREATE TABLE threading (
    key TEXT PRIMARY KEY,
    thread TEXT NOT NULL,
    part TEXT NOT NULL,
    context TEXT NOT NULL
) WITHOUT ROWID
""")]
# "IAud" in the SQLite header: tells our stores from other programs' databases.
APPLICATION_ID = 0x49417564
SCHEMA_VERSION = MIGRATIONS[-1][0]


def store_error(path: Path, exc: BaseException) -> StoreError:
    """A one-line ``StoreError`` for an SQLite failure: what happened and what to do."""
    name = getattr(exc, "sqlite_errorname", "") or ""
    text = reason(exc)
    if name == "SQLITE_FULL" or "disk is full" in text:
        return StoreError(f"the disk holding the store {path} is full: free some space and "
                          "run again (everything stored before is kept)")
    if name in ("SQLITE_CORRUPT", "SQLITE_NOTADB") or "malformed" in text \
            or "not a database" in text:
        return StoreError(f"{path} is damaged or not an inbox-audit store ({text}): move it "
                          "aside and import your mail again into a new store, or restore "
                          "a backup")
    if name.startswith("SQLITE_READONLY") or "readonly" in text:
        return StoreError(f"the store {path} cannot be written ({text}): check the "
                          "permissions of the file and its folder")
    if name.startswith("SQLITE_BUSY") or "locked" in text:
        return StoreError(f"the store {path} is locked by another program ({text}); try "
                          "again when it has finished")
    if name.startswith("SQLITE_IOERR") or "I/O error" in text:
        return StoreError(f"cannot read or write the store {path} ({text}): check the disk")
    return StoreError(f"the store {path} failed: {text}")


def reason(exc: BaseException) -> str:
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror
    return " ".join(str(exc).split()) or type(exc).__name__


def check_ours(conn: sqlite3.Connection, path: Path) -> None:
    """Refuse another program's database before writing anything to it."""
    app_id = conn.execute("PRAGMA application_id").fetchone()[0]
    if app_id == APPLICATION_ID:
        return
    tables = {row[0] for row in conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table'")}
    if app_id == 0 and (not tables or "meta" in tables and "messages" in tables):
        return  # a new file, or a store made before the application id was set
    raise StoreError(f"{path} is a database of another program, not an inbox-audit store: "
                     "point --store (or store in the config) at another file")


def migrate(conn: sqlite3.Connection, path: Path) -> None:
    if _check_version(conn, path) == SCHEMA_VERSION:
        return  # the usual case: no write, so opening never waits for a running import
    conn.execute("BEGIN IMMEDIATE")
    try:
        version = _check_version(conn, path)  # another run may have migrated meanwhile
        for number, sql in MIGRATIONS:
            if number > version:
                for statement in sql.split(";\n"):
                    if statement.strip():
                        conn.execute(statement)
                conn.execute("INSERT OR REPLACE INTO meta VALUES ('schema_version', ?)",
                             (str(number),))
        conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise


def _check_version(conn: sqlite3.Connection, path: Path) -> int:
    version = _schema_version(conn, path)
    if version > SCHEMA_VERSION:
        raise StoreError(f"the store {path} was written by a newer inbox-audit "
                         f"(schema {version}, this version knows {SCHEMA_VERSION})")
    return version


def _schema_version(conn: sqlite3.Connection, path: Path) -> int:
    if not conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'meta'").fetchone():
        return 0
    row = conn.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
    try:
        return int(row[0]) if row else 0
    except ValueError:
        raise StoreError(f"{path} is damaged: bad schema_version {row[0]!r}; move it aside "
                         "and import your mail again into a new store") from None
