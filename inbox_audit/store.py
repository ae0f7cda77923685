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
import functools
import hashlib
import sqlite3
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import filelock

from inbox_audit.checkpointer import Checkpointer
from inbox_audit.errors import StoreError
from inbox_audit.models import Classification, Message, MessageFacts, Quarantined
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
    check_ours,
    migrate,
    reason,
    store_error,
)

__all__ = ["APPLICATION_ID", "MIGRATIONS", "SCHEMA_VERSION", "Store", "StoreError",
           "StoredForm", "stored_form"]

_INSERT_MESSAGE = (f"INSERT INTO messages ({', '.join(MESSAGE_COLUMNS)}, origin, added) "
                   f"VALUES ({', '.join('?' * (len(MESSAGE_COLUMNS) + 2))})")


def _guarded(method: Callable[..., Any]) -> Callable[..., Any]:
    """SQLite errors of a ``Store`` method become one-line ``StoreError``s."""

    @functools.wraps(method)
    def wrapper(self: Store, *args: Any, **kwargs: Any) -> Any:
        try:
            return method(self, *args, **kwargs)
        except sqlite3.Error as exc:
            raise store_error(self.path, exc) from None

    return wrapper


class Store:
    """An open store; use ``Store.open(path)``, as a context manager or with ``close()``."""

    def __init__(self, path: Path, conn: sqlite3.Connection, lock_timeout: float,
                 keep_raw: bool = True) -> None:
        self.path = path
        self.keep_raw = keep_raw
        self._conn = conn
        self._lock_timeout = lock_timeout
        self._lock = filelock.FileLock(str(path) + ".lock", timeout=lock_timeout)
        self._depth = 0

    @classmethod
    def open(cls, path: Path, *, lock_timeout: float = 10.0, keep_raw: bool = True) -> Store:
        """Open (or create) the store at ``path`` and bring its schema up to date.

        ``keep_raw=False``: mail stored from now on keeps no raw bytes (call
        ``drop_raw()`` to blank those already kept). Raises ``StoreError`` when the file
        is not an inbox-audit store (another program's database, not a database at all,
        damaged) or is from a newer version.
        """
        path = Path(path)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            conn = sqlite3.connect(path, isolation_level=None, timeout=30)
        except (OSError, sqlite3.Error) as exc:
            raise StoreError(f"cannot open the store {path}: {reason(exc)}") from None
        try:
            check_ours(conn, path)
            conn.execute("PRAGMA foreign_keys=ON")
            # Deleted rows are overwritten, not left readable in free pages (forget).
            conn.execute("PRAGMA secure_delete=ON")
            conn.execute("PRAGMA journal_mode=WAL")
            # In WAL mode NORMAL syncs at checkpoints, not at every commit: a killed run
            # still keeps every committed batch, and a power cut or system crash may
            # lose the last batches (with their IMAP positions) but never corrupts the
            # store; the next import or fetch brings them in again.
            conn.execute("PRAGMA synchronous=NORMAL")
            # Checkpoint (and sync) every 64 MB of log instead of every 4 MB: a big
            # import then waits on the disk a tenth as often. Closing empties the log.
            conn.execute("PRAGMA wal_autocheckpoint=16384")
            migrate(conn, path)
        except sqlite3.Error as exc:
            conn.close()
            raise store_error(path, exc) from None
        except StoreError:
            conn.close()
            raise
        return cls(path, conn, lock_timeout, keep_raw)

    def close(self) -> None:
        self._conn.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def exclusive(self) -> Iterator[Store]:
        """Hold the write lock for a whole run (an import, a fetch), so a second run
        waits up to ``lock_timeout`` seconds and then stops with a ``StoreError``
        instead of interleaving its batches with ours. Writes still commit per
        ``writing()`` block; meanwhile the log is checkpointed in the background."""
        self._acquire()
        # A big import inserts into indexes of random keys (message, raw hash) that
        # outgrow SQLite's default 2 MB page cache at about 100,000 mails; 64 MB keeps
        # them in memory (measured: 10,000 inserts into a 100k store, 10-20 % less CPU).
        try:
            self._conn.execute(f"PRAGMA cache_size={_WRITER_CACHE_KIB}")
            with Checkpointer(self.path):
                yield self
        finally:
            with contextlib.suppress(sqlite3.Error):
                self._conn.execute("PRAGMA cache_size=-2000")  # SQLite's default again
            self._lock.release()

    def _acquire(self) -> None:
        try:
            self._lock.acquire()
        except filelock.Timeout:
            raise StoreError(f"the store {self.path} is in use by another inbox-audit run "
                             f"(waited {self._lock_timeout:g} s); try again when it has "
                             "finished") from None
        except OSError as exc:
            raise StoreError(f"cannot create the lock file beside the store {self.path}: "
                             f"{reason(exc)}") from None

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
        self._acquire()
        try:
            try:
                self._conn.execute("BEGIN IMMEDIATE")
            except sqlite3.Error as exc:
                raise store_error(self.path, exc) from None
            self._depth = 1
            try:
                yield self
            except BaseException:
                # SQLite may have rolled back already (disk full): nothing left to undo.
                with contextlib.suppress(sqlite3.Error):
                    self._conn.execute("ROLLBACK")
                raise
            try:
                self._conn.execute("COMMIT")
            except sqlite3.Error as exc:
                with contextlib.suppress(sqlite3.Error):
                    self._conn.execute("ROLLBACK")
                raise store_error(self.path, exc) from None
        finally:
            self._depth = 0
            self._lock.release()

    # --- messages --------------------------------------------------------------------

    @_guarded
    def add_message(self, msg: Message, raw: bytes, source: str) -> bool:
        """Store a parsed message and its raw bytes; False when it is already stored
        (same key or same raw bytes) or was forgotten."""
        return self.add_stored(stored_form(msg, raw), source)

    @_guarded
    def add_stored(self, form: StoredForm, source: str) -> bool:
        """``add_message`` for a message already turned into its row and packed raw
        bytes (``stored_form``, which parse workers run so this process only writes)."""
        return self.add_stored_many([form], [source])[0]

    @_guarded
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

    @_guarded
    def has_raw_sha256(self, sha256: str) -> bool:
        """True when these exact bytes are stored already (as a message or quarantined,
        raw kept or not) or were forgotten: a re-import skips them."""
        return bool(self.known_raw([sha256]))

    @_guarded
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

    @_guarded
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

    @_guarded
    def get_message(self, key: str) -> Message | None:
        row = self._conn.execute(
            f"SELECT {', '.join(MESSAGE_COLUMNS)} FROM messages WHERE key = ?",
            (key,)).fetchone()
        return decoded(self.path, row) if row else None

    @_guarded
    def raw(self, key: str) -> bytes:
        """The original bytes of a stored message; ``KeyError`` when unknown or when
        its raw bytes are not kept (``keep_raw = false``)."""
        row = self._conn.execute(
            "SELECT raw.data FROM messages JOIN raw ON raw.sha256 = messages.raw_sha256 "
            "WHERE messages.key = ?", (key,)).fetchone()
        if row is None or not row[0]:
            raise KeyError(key)
        return unpack_raw(row[0])

    @_guarded
    def message_count(self) -> int:
        return self._conn.execute("SELECT count(*) FROM messages").fetchone()[0]

    # --- quarantine ------------------------------------------------------------------

    @_guarded
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

    @_guarded
    def quarantine_count(self) -> int:
        return self._conn.execute("SELECT count(*) FROM quarantine").fetchone()[0]

    @_guarded
    def quarantined(self) -> list[Quarantined]:
        """What was quarantined, oldest first."""
        rows = self._conn.execute(
            "SELECT origin, reason, raw_sha256 FROM quarantine ORDER BY added, rowid")
        return [Quarantined(*row) for row in rows]

    @_guarded
    def quarantine_dates(self) -> dict[str, datetime | None]:
        """raw SHA-256 -> the Date of each quarantined mail (None when unreadable)."""
        rows = self._conn.execute("SELECT raw_sha256, date FROM quarantine")
        return {sha: datetime.fromisoformat(d) if d else None for sha, d in rows}

    @_guarded
    def quarantined_raw(self, raw_sha256: str) -> bytes:
        """The bytes of a quarantined mail; ``KeyError`` when unknown or not kept."""
        row = self._conn.execute(
            "SELECT raw.data FROM quarantine JOIN raw ON raw.sha256 = quarantine.raw_sha256 "
            "WHERE quarantine.raw_sha256 = ?", (raw_sha256,)).fetchone()
        if row is None or not row[0]:
            raise KeyError(raw_sha256)
        return unpack_raw(row[0])

    # --- classifications -------------------------------------------------------------

    @_guarded
    def save_classifications(self, items: Iterable[Classification], version: str) -> None:
        """Store (or replace) labels, recording the classifier version that made them."""
        with self.writing():
            self._conn.executemany(
                "INSERT OR REPLACE INTO classifications VALUES (?, ?, ?, ?, ?, ?)",
                ((c.key, c.label, c.confidence, c.source, c.explanation, version)
                 for c in items))

    @_guarded
    def classifications(self) -> dict[str, Classification]:
        rows = self._conn.execute(
            "SELECT key, label, confidence, source, explanation FROM classifications")
        return {row[0]: Classification(*row) for row in rows}

    @_guarded
    def classification_count(self) -> int:
        return self._conn.execute("SELECT count(*) FROM classifications").fetchone()[0]

    @_guarded
    def classification_versions(self) -> dict[str, str]:
        """Message key -> the classifier version that labelled it."""
        return dict(self._conn.execute("SELECT key, version FROM classifications"))

    @_guarded
    def stamped_classifications(self) -> tuple[dict[str, Classification], dict[str, str]]:
        """``classifications()`` and ``classification_versions()`` in one read."""
        labels: dict[str, Classification] = {}
        versions: dict[str, str] = {}
        rows = self._conn.execute("SELECT key, label, confidence, source, explanation, "
                                  "version FROM classifications")
        for key, label, confidence, source, explanation, version in rows:
            labels[key] = Classification(key, label, confidence, source, explanation)
            versions[key] = version
        return labels, versions

    # --- facts -----------------------------------------------------------------------

    @_guarded
    def save_facts(self, items: Iterable[MessageFacts], version: str) -> None:
        """Store (or replace) what messages state (amount, currency, intent), recording
        the version of the code and rules that read it."""
        with self.writing():
            self._conn.executemany(
                "INSERT OR REPLACE INTO facts VALUES (?, ?, ?, ?, ?)",
                ((f.key, str(f.amount) if f.amount is not None else None, f.currency,
                  int(f.high_intent), version) for f in items))

    @_guarded
    def facts(self, version: str) -> dict[str, MessageFacts]:
        """Message key -> its stored facts, those read by ``version`` only."""
        rows = self._conn.execute(
            "SELECT key, amount, currency, high_intent FROM facts WHERE version = ?",
            (version,))
        return {key: MessageFacts(key, Decimal(amount) if amount is not None else None,
                                  currency, bool(intent))
                for key, amount, currency, intent in rows}

    # --- threading -------------------------------------------------------------------

    @_guarded
    def threading(self, version: str) -> dict[str, tuple[str, str, str]]:
        """Message key -> (its thread's first message key, its header-linked part's
        first message key, its context) as ``save_threading`` kept them; empty when
        they were kept by another ``version`` or none are."""
        if self.get_meta("threading") != version:
            return {}
        rows = self._conn.execute("SELECT key, thread, part, context FROM threading")
        return {key: (thread, part, context) for key, thread, part, context in rows}

    @_guarded
    def save_threading(self, rows: Sequence[tuple[str, str, str, str]], version: str, *,
                       clear: bool) -> None:
        """Keep (key, thread, part, context) rows made by ``version``, replacing those
        kept for the same keys; ``clear``: every row kept before goes first. (No
        foreign key ties the rows to the messages: checking one per row was a third of
        the time; ``forget`` clears them all, and a reader checks its rows' keys.)"""
        with self.writing():
            if clear:
                self._conn.execute("DELETE FROM threading")
            self._conn.executemany("INSERT OR REPLACE INTO threading VALUES (?, ?, ?, ?)",
                                   sorted(rows))  # in key order: appended to the b-tree
            self._conn.execute("INSERT OR REPLACE INTO meta VALUES ('threading', ?)",
                               (version,))

    # --- meta and IMAP state ---------------------------------------------------------

    @_guarded
    def get_meta(self, key: str) -> str | None:
        row = self._conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    @_guarded
    def set_meta(self, key: str, value: str) -> None:
        with self.writing():
            self._conn.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (key, value))

    @_guarded
    def imap_state(self, account: str, folder: str) -> tuple[int, int] | None:
        """(UIDVALIDITY, last committed UID) of a server folder, None before its first
        fetch."""
        row = self._conn.execute(
            "SELECT uidvalidity, last_uid FROM imap_state WHERE account = ? AND folder = ?",
            (account, folder)).fetchone()
        return (row[0], row[1]) if row else None

    @_guarded
    def set_imap_state(self, account: str, folder: str, uidvalidity: int,
                       last_uid: int) -> None:
        with self.writing():
            self._conn.execute("INSERT OR REPLACE INTO imap_state VALUES (?, ?, ?, ?)",
                               (account, folder, uidvalidity, last_uid))

    # --- privacy and health ----------------------------------------------------------

    @_guarded
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

    @_guarded
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

    @_guarded
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
_WRITER_CACHE_KIB = -65_536  # negative: KiB, not pages
_BLANK = {"body": "''", "attachment_text": "''", "headers": "'[]'", "defects": "'[]'"}
_LIGHT_COLUMNS = tuple(_BLANK.get(column, column) for column in MESSAGE_COLUMNS)


def _row_order(row: tuple[Any, ...]) -> tuple[bool, str, str]:
    # ORDER BY date IS NULL, date, key (columns 2 and 0 of MESSAGE_COLUMNS).
    return (row[2] is None, row[2] or "", row[0])


def _sha256(raw: bytes) -> str:
    return hashlib.sha256(raw).hexdigest()
