"""The SQLite connection under ``Store`` (store.py): opening a file (schema check and
migrations, pragmas), the write lock and transactions, and the ``meta`` table."""

from __future__ import annotations

import contextlib
import functools
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Self

import filelock

from inbox_audit.checkpointer import Checkpointer
from inbox_audit.errors import StoreError
from inbox_audit.store_schema import check_ours, migrate, reason, store_error

# A writer's page cache (see StoreBase.exclusive); negative: KiB, not pages.
_WRITER_CACHE_KIB = -65_536


def guarded(method: Callable[..., Any]) -> Callable[..., Any]:
    """SQLite errors of a ``Store`` method become one-line ``StoreError``s."""

    @functools.wraps(method)
    def wrapper(self: StoreBase, *args: Any, **kwargs: Any) -> Any:
        try:
            return method(self, *args, **kwargs)
        except sqlite3.Error as exc:
            raise store_error(self.path, exc) from None

    return wrapper


class StoreBase:
    """An open SQLite store: the connection, the write lock and transactions. ``Store``
    adds what is kept in it."""

    def __init__(self, path: Path, conn: sqlite3.Connection, lock_timeout: float,
                 keep_raw: bool = True) -> None:
        self.path = path
        self.keep_raw = keep_raw
        self._conn = conn
        self._lock_timeout = lock_timeout
        self._lock = filelock.FileLock(str(path) + ".lock", timeout=lock_timeout)
        self._depth = 0

    @classmethod
    def open(cls, path: Path, *, lock_timeout: float = 10.0, keep_raw: bool = True) -> Self:
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

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def exclusive(self) -> Iterator[Self]:
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
    def writing(self) -> Iterator[Self]:
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

    # --- meta ------------------------------------------------------------------------

    @guarded
    def get_meta(self, key: str) -> str | None:
        row = self._conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    @guarded
    def set_meta(self, key: str, value: str) -> None:
        with self.writing():
            self._conn.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (key, value))
