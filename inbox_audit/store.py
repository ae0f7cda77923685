"""The SQLite store: parsed messages, their raw bytes, quarantine, labels, IMAP state.

One file, WAL mode so a report can read while an import writes. Writers go through
``Store.writing()``, which holds a lock file beside the store (two runs never write at
once) and one transaction (an interrupted batch leaves nothing half-written); a whole
run holds the lock with ``Store.exclusive()``. Every SQLite failure (disk full, damaged
file) reaches the caller as a one-line ``StoreError`` naming the file and what to do.

Privacy: deleted rows are overwritten (``secure_delete``) and the write-ahead log is
emptied after ``forget``; with ``keep_raw=False`` no raw mail is kept at all, only its
SHA-256 (so a re-import still recognises it).
"""

from __future__ import annotations

import contextlib
import hashlib
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime
from typing import Any

from inbox_audit.errors import StoreError
from inbox_audit.models import Message, Quarantined
from inbox_audit.store_base import guarded
from inbox_audit.store_derived import DerivedTables
from inbox_audit.store_rows import (
    MESSAGE_COLUMNS,
    RowDecoder,
    StoredForm,
    decoded,
    iso,
    now,
    pack_raw,
    stored_form,
    unpack_raw,
)
from inbox_audit.store_schema import (
    APPLICATION_ID,
    MIGRATIONS,
    SCHEMA_VERSION,
    store_error,
)

__all__ = ["APPLICATION_ID", "MIGRATIONS", "SCHEMA_VERSION", "Store", "StoreError",
           "StoredForm", "stored_form"]

_INSERT_MESSAGE = (f"INSERT INTO messages ({', '.join(MESSAGE_COLUMNS)}, origin, added) "
                   f"VALUES ({', '.join('?' * (len(MESSAGE_COLUMNS) + 2))})")


class Store(DerivedTables):
    """An open store; use ``Store.open(path)``, as a context manager or with ``close()``."""

    # --- messages --------------------------------------------------------------------

    @guarded
    def add_message(self, msg: Message, raw: bytes, source: str) -> bool:
        """Store a parsed message and its raw bytes; False when it is already stored
        (same key or same raw bytes) or was forgotten."""
        return self.add_stored(stored_form(msg, raw), source)

    @guarded
    def add_stored(self, form: StoredForm, source: str) -> bool:
        """``add_message`` for a message already turned into its row and packed raw
        bytes (``stored_form``, which parse workers run so this process only writes)."""
        return self.add_stored_many([form], [source])[0]

    @guarded
    def add_stored_many(self, forms: Sequence[StoredForm], sources: Sequence[str]) -> list[bool]:
        """``add_stored`` of each form in turn (with its source), in one transaction:
        whether each was added. Asks the store once per 500 messages what it holds and
        inserts with two ``executemany``, instead of four statements per message."""
        with self.writing():
            keys: set[str] = set()
            shas: set[str] = set()
            for start in range(0, len(forms), 500):
                chunk = forms[start:start + 500]
                marks = ",".join("?" * len(chunk))
                keys.update(row[0] for row in self._conn.execute(
                    f"SELECT key FROM messages WHERE key IN ({marks})",
                    [form.key for form in chunk]))
                wanted = [form.raw_sha256 for form in chunk]
                for query in ("SELECT raw_sha256 FROM messages WHERE raw_sha256 IN ({})",
                              "SELECT sha256 FROM forgotten WHERE sha256 IN ({})"):
                    shas.update(row[0] for row in self._conn.execute(query.format(marks),
                                                                     wanted))
            added: list[bool] = []
            raws: list[tuple[str, bytes]] = []
            rows: list[tuple[Any, ...]] = []
            for form, source in zip(forms, sources, strict=True):
                if form.key in keys or form.raw_sha256 in shas:
                    added.append(False)
                    continue
                keys.add(form.key)  # a second copy later in the batch is a duplicate
                shas.add(form.raw_sha256)
                raws.append((form.raw_sha256, form.packed if self.keep_raw else b""))
                rows.append((*form.row, source, now()))
                added.append(True)
            self._conn.executemany("INSERT OR IGNORE INTO raw VALUES (?, ?)", raws)
            self._conn.executemany(_INSERT_MESSAGE, rows)
            return added

    @guarded
    def has_raw_sha256(self, sha256: str) -> bool:
        """True when these exact bytes are stored already (as a message or quarantined,
        raw kept or not) or were forgotten: a re-import skips them."""
        return bool(self.known_raw([sha256]))

    @guarded
    def known_raw(self, sha256s: Iterable[str]) -> set[str]:
        """Those of ``sha256s`` that ``has_raw_sha256`` would say yes to, asked in a few
        queries instead of two per mail."""
        wanted = list(dict.fromkeys(sha256s))
        known: set[str] = set()
        for start in range(0, len(wanted), 500):
            chunk = wanted[start:start + 500]
            marks = ",".join("?" * len(chunk))
            for table in ("raw", "forgotten"):
                known.update(row[0] for row in self._conn.execute(
                    f"SELECT sha256 FROM {table} WHERE sha256 IN ({marks})", chunk))
        return known

    def iter_messages(self, *, light: bool = False) -> Iterator[Message]:
        """Every stored message, oldest first; undated ones last.

        ``light=True``: without what only the classifier and the facts read (``text``,
        ``attachment_text`` and ``headers`` come back empty, ``defects`` too), for the
        timeline and the report: a fraction of the memory of a large mailbox. Fetch the
        whole messages with ``messages(keys)`` where the text is needed.
        """
        columns = _LIGHT_COLUMNS if light else MESSAGE_COLUMNS
        try:
            # Sorted here, not by SQLite: its sorter would copy every whole row (bodies
            # and all) through a temporary b-tree. Same order: text sorts by code point
            # in Python and by UTF-8 bytes in SQLite, which is the same thing.
            rows = self._conn.execute(
                f"SELECT {', '.join(columns)} FROM messages").fetchall()
        except sqlite3.Error as exc:
            raise store_error(self.path, exc) from None
        rows.sort(key=_row_order)
        decode = RowDecoder(self.path)
        for row in rows:
            yield decode(row)

    @guarded
    def messages(self, keys: Iterable[str]) -> list[Message]:
        """The whole stored messages named by ``keys``, in that order; unknown keys are
        left out."""
        wanted = list(dict.fromkeys(keys))
        decode = RowDecoder(self.path)
        found: dict[str, Message] = {}
        if len(wanted) > 2_000 and len(wanted) * 4 > self.message_count():
            # Most of the store (a first report): one pass in file order beats looking
            # up each key in the index.
            keep = set(wanted)
            rows = self._conn.execute(f"SELECT {', '.join(MESSAGE_COLUMNS)} FROM messages")
            found = {row[0]: decode(row) for row in rows if row[0] in keep}
        else:
            for start in range(0, len(wanted), 500):  # within SQLite's variable limit
                chunk = wanted[start:start + 500]
                rows = self._conn.execute(
                    f"SELECT {', '.join(MESSAGE_COLUMNS)} FROM messages "
                    f"WHERE key IN ({', '.join('?' * len(chunk))})", chunk)
                found.update((row[0], decode(row)) for row in rows)
        return [found[key] for key in wanted if key in found]

    @guarded
    def get_message(self, key: str) -> Message | None:
        row = self._conn.execute(
            f"SELECT {', '.join(MESSAGE_COLUMNS)} FROM messages WHERE key = ?",
            (key,)).fetchone()
        return decoded(self.path, row) if row else None

    @guarded
    def raw(self, key: str) -> bytes:
        """The original bytes of a stored message; ``KeyError`` when unknown or when
        its raw bytes are not kept (``keep_raw = false``)."""
        row = self._conn.execute(
            "SELECT raw.data FROM messages JOIN raw ON raw.sha256 = messages.raw_sha256 "
            "WHERE messages.key = ?", (key,)).fetchone()
        if row is None or not row[0]:
            raise KeyError(key)
        return unpack_raw(row[0])

    @guarded
    def message_count(self) -> int:
        return self._conn.execute("SELECT count(*) FROM messages").fetchone()[0]

    # --- quarantine ------------------------------------------------------------------

    @guarded
    def add_quarantine(self, origin: str, reason: str, raw: bytes,
                       date: datetime | None = None) -> bool:
        """Keep mail we could not parse, with the reason and its Date when one could be
        read; False when already kept (or forgotten)."""
        sha = _sha256(raw)
        with self.writing():
            if self.has_raw_sha256(sha):
                return False
            self._put_raw(sha, raw)
            self._conn.execute(
                "INSERT INTO quarantine (raw_sha256, origin, reason, added, date) "
                "VALUES (?, ?, ?, ?, ?)", (sha, origin, reason, now(), iso(date) if date
                                           else None))
            return True

    @guarded
    def quarantine_count(self) -> int:
        return self._conn.execute("SELECT count(*) FROM quarantine").fetchone()[0]

    @guarded
    def quarantined(self) -> list[Quarantined]:
        """What was quarantined, oldest first."""
        rows = self._conn.execute(
            "SELECT origin, reason, raw_sha256 FROM quarantine ORDER BY added, rowid")
        return [Quarantined(*row) for row in rows]

    @guarded
    def quarantine_dates(self) -> dict[str, datetime | None]:
        """raw SHA-256 -> the Date of each quarantined mail (None when unreadable)."""
        rows = self._conn.execute("SELECT raw_sha256, date FROM quarantine")
        return {sha: datetime.fromisoformat(d) if d else None for sha, d in rows}

    @guarded
    def quarantined_raw(self, raw_sha256: str) -> bytes:
        """The bytes of a quarantined mail; ``KeyError`` when unknown or not kept."""
        row = self._conn.execute(
            "SELECT raw.data FROM quarantine JOIN raw ON raw.sha256 = quarantine.raw_sha256 "
            "WHERE quarantine.raw_sha256 = ?", (raw_sha256,)).fetchone()
        if row is None or not row[0]:
            raise KeyError(raw_sha256)
        return unpack_raw(row[0])

    # --- IMAP state ------------------------------------------------------------------

    @guarded
    def imap_state(self, account: str, folder: str) -> tuple[int, int] | None:
        """(UIDVALIDITY, last committed UID) of a server folder, None before its first
        fetch."""
        row = self._conn.execute(
            "SELECT uidvalidity, last_uid FROM imap_state WHERE account = ? AND folder = ?",
            (account, folder)).fetchone()
        return (row[0], row[1]) if row else None

    @guarded
    def set_imap_state(self, account: str, folder: str, uidvalidity: int,
                       last_uid: int) -> None:
        with self.writing():
            self._conn.execute("INSERT OR REPLACE INTO imap_state VALUES (?, ?, ?, ?)",
                               (account, folder, uidvalidity, last_uid))

    # --- privacy and health ----------------------------------------------------------

    @guarded
    def forget(self, keys: Sequence[str], quarantined: Sequence[str] = ()) -> None:
        """Delete these messages (with their raw bytes and labels) and these quarantined
        mails (by raw SHA-256); their hashes are remembered so a re-import or a re-fetch
        does not bring them back. Freed space is overwritten and the log emptied."""
        with self.writing():
            shas = []
            for key in keys:
                row = self._conn.execute("SELECT raw_sha256 FROM messages WHERE key = ?",
                                         (key,)).fetchone()
                if row is None:
                    continue
                self._conn.execute("DELETE FROM classifications WHERE key = ?", (key,))
                self._conn.execute("DELETE FROM facts WHERE key = ?", (key,))
                self._conn.execute("DELETE FROM messages WHERE key = ?", (key,))
                shas.append(row[0])
            for sha in quarantined:
                if self._conn.execute("DELETE FROM quarantine WHERE raw_sha256 = ?",
                                      (sha,)).rowcount:
                    shas.append(sha)
            if shas:
                # Taking mail out can split a thread: the next report threads anew.
                self._conn.execute("DELETE FROM meta WHERE key = 'threading'")
                self._conn.execute("DELETE FROM threading")
            when = now()
            for sha in shas:
                self._conn.execute("DELETE FROM raw WHERE sha256 = ?", (sha,))
                self._conn.execute("INSERT OR IGNORE INTO forgotten VALUES (?, ?)", (sha, when))
        self._flush_log()

    @guarded
    def drop_raw(self) -> int:
        """Blank the raw bytes of every stored and quarantined mail (``keep_raw =
        false``), keeping their hashes; returns how many were blanked."""
        if not self._conn.execute("SELECT 1 FROM raw WHERE length(data) > 0 LIMIT 1"
                                  ).fetchone():
            return 0  # the usual case: nothing to do, no write
        with self.writing():
            count = self._conn.execute("UPDATE raw SET data = X'' WHERE length(data) > 0"
                                       ).rowcount
        self._flush_log()
        return count

    def _flush_log(self) -> None:
        # The write-ahead log still holds the old pages until a checkpoint; TRUNCATE
        # copies what is committed into the file and empties the log. A reader still
        # open elsewhere may keep it from finishing: the next writer's checkpoint does.
        with contextlib.suppress(sqlite3.Error):
            self._conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")

    @guarded
    def check(self) -> list[str]:
        """SQLite's own consistency check plus ours (every message has its raw row);
        an empty list means healthy."""
        problems = [row[0] for row in self._conn.execute("PRAGMA integrity_check")
                    if row[0] != "ok"]
        problems += [f"foreign key broken in {row[0]}"
                     for row in self._conn.execute("PRAGMA foreign_key_check")]
        return problems

    def _put_raw(self, sha: str, raw: bytes) -> None:
        data = pack_raw(raw) if self.keep_raw else b""
        self._conn.execute("INSERT OR IGNORE INTO raw VALUES (?, ?)", (sha, data))


# The columns of a light read (iter_messages(light=True)): the texts as empty values of
# their type, so the rows decode like whole ones.
_BLANK = {"body": "''", "attachment_text": "''", "headers": "'[]'", "defects": "'[]'"}
_LIGHT_COLUMNS = tuple(_BLANK.get(column, column) for column in MESSAGE_COLUMNS)


def _row_order(row: tuple[Any, ...]) -> tuple[bool, str, str]:
    # ORDER BY date IS NULL, date, key (columns 2 and 0 of MESSAGE_COLUMNS).
    return (row[2] is None, row[2] or "", row[0])


def _sha256(raw: bytes) -> str:
    return hashlib.sha256(raw).hexdigest()
