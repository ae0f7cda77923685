"""Copy a store's write-ahead log into the database from a thread of its own while a
long import or fetch writes.

SQLite's automatic checkpoint runs inside the COMMIT that crosses its threshold: the
writing process stops there while tens of megabytes are copied and synced to disk, and
with it stop the parse workers waiting for work and the IMAP server waiting for the next
request. A checkpoint from another connection does the same copy while the writer goes
on (in WAL mode a checkpoint and a writer do not block each other, and Python's sqlite3
releases the GIL while SQLite works). The writer's own automatic checkpoint stays as a
safety net in case this thread falls behind.
"""

from __future__ import annotations

import contextlib
import sqlite3
import threading
from pathlib import Path

# Seconds between checkpoints: small enough that the log stays a few megabytes.
INTERVAL = 0.5


class Checkpointer:
    """A context manager: while it is entered, the log of the SQLite file at ``path``
    is checkpointed every ``interval`` seconds."""

    def __init__(self, path: Path, interval: float = INTERVAL) -> None:
        self._path = path
        self._interval = interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="inbox-audit checkpoint",
                                        daemon=True)

    def __enter__(self) -> Checkpointer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        try:
            conn = sqlite3.connect(self._path, isolation_level=None, timeout=1)
        except sqlite3.Error:
            return  # the writer's own checkpoints still happen
        try:
            while not self._stop.wait(self._interval):
                # PASSIVE: copy what is committed, never wait for the writer. Any
                # failure (a full disk, a busy file) leaves the log to the writer.
                with contextlib.suppress(sqlite3.Error):
                    conn.execute("PRAGMA wal_checkpoint(PASSIVE)")
        finally:
            conn.close()
