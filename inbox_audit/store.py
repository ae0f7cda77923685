"""The SQLite store: parsed messages, their raw bytes, quarantine, labels, IMAP state.

One file, WAL mode so a report can read while an import writes. Writers go through
``Store.writing()``, which holds a lock file beside the store (two runs never write at
once) and one transaction (an interrupted batch leaves nothing half-written).
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import zlib
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import filelock

from inbox_audit.errors import StoreError
from inbox_audit.models import Address, Attachment, Classification, Message, Quarantined

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
""")]
SCHEMA_VERSION = MIGRATIONS[-1][0]

_MESSAGE_COLUMNS = ("key", "message_id", "date", "date_source", "sender", "to_addrs",
                    "cc_addrs", "subject", "in_reply_to", "refs", "body", "html_only",
                    "attachments", "headers", "content_type", "folder", "raw_sha256", "size",
                    "attachment_text", "defects")


class Store:
    """An open store; use ``Store.open(path)``, as a context manager or with ``close()``."""

    def __init__(self, path: Path, conn: sqlite3.Connection, lock_timeout: float) -> None:
        self.path = path
        self._conn = conn
        self._lock = filelock.FileLock(str(path) + ".lock", timeout=lock_timeout)
        self._depth = 0

    @classmethod
    def open(cls, path: Path, *, lock_timeout: float = 10.0) -> Store:
        """Open (or create) the store at ``path`` and bring its schema up to date.

        Raises ``StoreError`` when the file is not a store, or is from a newer version.
        """
        path = Path(path)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            conn = sqlite3.connect(path, isolation_level=None, timeout=30)
        except (OSError, sqlite3.Error) as exc:
            raise StoreError(f"cannot open the store {path}: {exc}") from exc
        try:
            conn.execute("PRAGMA foreign_keys=ON")
            conn.execute("PRAGMA journal_mode=WAL")
            _migrate(conn, path)
        except sqlite3.OperationalError as exc:
            conn.close()
            raise StoreError(f"cannot open the store {path}: {exc}") from exc
        except sqlite3.DatabaseError as exc:
            conn.close()
            raise StoreError(f"{path} is not an inbox-audit store ({exc})") from exc
        except StoreError:
            conn.close()
            raise
        return cls(path, conn, lock_timeout)

    def close(self) -> None:
        self._conn.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def writing(self) -> Iterator[Store]:
        """Hold the write lock and one transaction: committed on success, rolled back on
        an exception. Nested use joins the outer transaction."""
        if self._depth:
            self._depth += 1
            try:
                yield self
            finally:
                self._depth -= 1
            return
        try:
            self._lock.acquire()
        except filelock.Timeout as exc:
            raise StoreError(f"the store {self.path} is in use by another inbox-audit run") \
                from exc
        try:
            self._conn.execute("BEGIN IMMEDIATE")
            self._depth = 1
            try:
                yield self
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise
            self._conn.execute("COMMIT")
        finally:
            self._depth = 0
            self._lock.release()

    # --- messages --------------------------------------------------------------------

    def add_message(self, msg: Message, raw: bytes, source: str) -> bool:
        """Store a parsed message and its raw bytes; False when it is already stored
        (same key or same raw bytes)."""
        with self.writing():
            if self._conn.execute("SELECT 1 FROM messages WHERE key = ? OR raw_sha256 = ?",
                                  (msg.key, msg.raw_sha256)).fetchone():
                return False
            self._put_raw(msg.raw_sha256, raw)
            values = _message_row(msg)
            marks = ", ".join("?" * (len(values) + 2))
            self._conn.execute(
                f"INSERT INTO messages ({', '.join(_MESSAGE_COLUMNS)}, origin, added) "
                f"VALUES ({marks})", (*values, source, _now()))
            return True

    def has_raw_sha256(self, sha256: str) -> bool:
        """True when these exact bytes are stored already (as a message or quarantined)."""
        return self._conn.execute("SELECT 1 FROM raw WHERE sha256 = ?",
                                  (sha256,)).fetchone() is not None

    def iter_messages(self) -> Iterator[Message]:
        """Every stored message, oldest first; undated ones last."""
        cursor = self._conn.execute(
            f"SELECT {', '.join(_MESSAGE_COLUMNS)} FROM messages "
            "ORDER BY date IS NULL, date, key")
        for row in cursor:
            yield _message_from_row(row)

    def get_message(self, key: str) -> Message | None:
        row = self._conn.execute(
            f"SELECT {', '.join(_MESSAGE_COLUMNS)} FROM messages WHERE key = ?",
            (key,)).fetchone()
        return _message_from_row(row) if row else None

    def raw(self, key: str) -> bytes:
        """The original bytes of a stored message; ``KeyError`` when unknown."""
        row = self._conn.execute(
            "SELECT raw.data FROM messages JOIN raw ON raw.sha256 = messages.raw_sha256 "
            "WHERE messages.key = ?", (key,)).fetchone()
        if row is None:
            raise KeyError(key)
        return zlib.decompress(row[0])

    def message_count(self) -> int:
        return self._conn.execute("SELECT count(*) FROM messages").fetchone()[0]

    # --- quarantine ------------------------------------------------------------------

    def add_quarantine(self, origin: str, reason: str, raw: bytes) -> bool:
        """Keep mail we could not parse, with the reason; False when already kept."""
        sha = _sha256(raw)
        with self.writing():
            if self.has_raw_sha256(sha):
                return False
            self._put_raw(sha, raw)
            self._conn.execute("INSERT INTO quarantine VALUES (?, ?, ?, ?)",
                               (sha, origin, reason, _now()))
            return True

    def quarantine_count(self) -> int:
        return self._conn.execute("SELECT count(*) FROM quarantine").fetchone()[0]

    def quarantined(self) -> list[Quarantined]:
        """What was quarantined, oldest first."""
        rows = self._conn.execute(
            "SELECT origin, reason, raw_sha256 FROM quarantine ORDER BY added, rowid")
        return [Quarantined(*row) for row in rows]

    def quarantined_raw(self, raw_sha256: str) -> bytes:
        """The bytes of a quarantined mail; ``KeyError`` when unknown."""
        row = self._conn.execute(
            "SELECT raw.data FROM quarantine JOIN raw ON raw.sha256 = quarantine.raw_sha256 "
            "WHERE quarantine.raw_sha256 = ?", (raw_sha256,)).fetchone()
        if row is None:
            raise KeyError(raw_sha256)
        return zlib.decompress(row[0])

    # --- classifications -------------------------------------------------------------

    def save_classifications(self, items: Iterable[Classification], version: str) -> None:
        """Store (or replace) labels, recording the classifier version that made them."""
        with self.writing():
            self._conn.executemany(
                "INSERT OR REPLACE INTO classifications VALUES (?, ?, ?, ?, ?, ?)",
                ((c.key, c.label, c.confidence, c.source, c.explanation, version)
                 for c in items))

    def classifications(self) -> dict[str, Classification]:
        rows = self._conn.execute(
            "SELECT key, label, confidence, source, explanation FROM classifications")
        return {row[0]: Classification(*row) for row in rows}

    def classification_versions(self) -> dict[str, str]:
        """Message key -> the classifier version that labelled it."""
        return dict(self._conn.execute("SELECT key, version FROM classifications"))

    # --- meta and IMAP state ---------------------------------------------------------

    def get_meta(self, key: str) -> str | None:
        row = self._conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    def set_meta(self, key: str, value: str) -> None:
        with self.writing():
            self._conn.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (key, value))

    def imap_state(self, account: str, folder: str) -> tuple[int, int] | None:
        """(UIDVALIDITY, last committed UID) of a server folder, None before its first
        fetch."""
        row = self._conn.execute(
            "SELECT uidvalidity, last_uid FROM imap_state WHERE account = ? AND folder = ?",
            (account, folder)).fetchone()
        return (row[0], row[1]) if row else None

    def set_imap_state(self, account: str, folder: str, uidvalidity: int,
                       last_uid: int) -> None:
        with self.writing():
            self._conn.execute("INSERT OR REPLACE INTO imap_state VALUES (?, ?, ?, ?)",
                               (account, folder, uidvalidity, last_uid))

    def _put_raw(self, sha: str, raw: bytes) -> None:
        self._conn.execute("INSERT OR IGNORE INTO raw VALUES (?, ?)",
                           (sha, zlib.compress(raw, 6)))


def _migrate(conn: sqlite3.Connection, path: Path) -> None:
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
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise


def _check_version(conn: sqlite3.Connection, path: Path) -> int:
    version = _schema_version(conn)
    if version > SCHEMA_VERSION:
        raise StoreError(f"the store {path} was written by a newer inbox-audit "
                         f"(schema {version}, this version knows {SCHEMA_VERSION})")
    return version


def _schema_version(conn: sqlite3.Connection) -> int:
    if not conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'meta'").fetchone():
        return 0
    row = conn.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
    try:
        return int(row[0]) if row else 0
    except ValueError as exc:
        raise StoreError(f"bad schema_version {row[0]!r} in the store") from exc


def _sha256(raw: bytes) -> str:
    return hashlib.sha256(raw).hexdigest()


def _now() -> str:
    return _iso(datetime.now(UTC))


def _iso(value: datetime) -> str:
    # Fixed width (always microseconds, always UTC) so text order is time order.
    return value.astimezone(UTC).isoformat(timespec="microseconds")


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _message_row(m: Message) -> tuple[Any, ...]:
    return (
        m.key, m.message_id, _iso(m.date) if m.date else None, m.date_source,
        _dumps([m.sender.name, m.sender.addr]) if m.sender else None,
        _dumps([[a.name, a.addr] for a in m.to]), _dumps([[a.name, a.addr] for a in m.cc]),
        m.subject, _dumps(m.in_reply_to), _dumps(m.references), m.text, int(m.html_only),
        _dumps([[a.filename, a.content_type, a.size] for a in m.attachments]),
        _dumps(m.headers), m.content_type, m.folder, m.raw_sha256, m.size,
        m.attachment_text, _dumps(m.defects),
    )


def _message_from_row(row: tuple[Any, ...]) -> Message:
    r = dict(zip(_MESSAGE_COLUMNS, row, strict=True))
    sender = json.loads(r["sender"]) if r["sender"] else None
    return Message(
        key=r["key"],
        message_id=r["message_id"],
        date=datetime.fromisoformat(r["date"]) if r["date"] else None,
        date_source=r["date_source"],
        sender=Address(*sender) if sender else None,
        to=tuple(Address(*a) for a in json.loads(r["to_addrs"])),
        cc=tuple(Address(*a) for a in json.loads(r["cc_addrs"])),
        subject=r["subject"],
        in_reply_to=tuple(json.loads(r["in_reply_to"])),
        references=tuple(json.loads(r["refs"])),
        text=r["body"],
        html_only=bool(r["html_only"]),
        attachments=tuple(Attachment(*a) for a in json.loads(r["attachments"])),
        headers=tuple((k, v) for k, v in json.loads(r["headers"])),
        content_type=r["content_type"],
        folder=r["folder"],
        raw_sha256=r["raw_sha256"],
        size=r["size"],
        attachment_text=r["attachment_text"],
        defects=tuple(json.loads(r["defects"])),
    )
