"""Poll IMAP folders into the store: incremental, read-only, resumable.

Per folder the store keeps (UIDVALIDITY, last committed UID). A run lists the UIDs
above that, fetches them in batches of explicit UIDs with ``BODY.PEEK[]`` (so no
``\\Seen`` flag is set; folders are also selected read-only), parses them, and commits
each batch together with the new last UID in one transaction: a crash, a dropped
connection or Ctrl-C loses at most the batch in flight, and the next attempt resumes
after the last committed UID. A changed UIDVALIDITY means the server renumbered the
folder: it is read again from the start and the store's dedupe (Message-ID, raw hash)
keeps it free of duplicates.
"""

from __future__ import annotations

import imaplib
import time
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone

from imapclient import IMAPClient
from imapclient.imapclient import SENT

from inbox_audit import secrets
from inbox_audit.config import ImapSettings, Settings
from inbox_audit.errors import SourceError
from inbox_audit.parse import ParseError
from inbox_audit.parsepool import Parsed, ParsePool, not_stored
from inbox_audit.sources.files import RawMail
from inbox_audit.sources.imap_connect import (
    CONNECTION_LOST,
    Connector,
    endpoint,
    reason,
    tls_context,
)
from inbox_audit.store import Store

Progress = Callable[[int, int | None], None]

FETCH_ITEMS = [b"BODY.PEEK[]", b"INTERNALDATE"]
# UIDs whose sizes are asked in one go (keeps command lines far below server limits),
# and the most message bytes fetched and held in memory per batch.
SIZE_WINDOW = 500
MAX_BATCH_BYTES = 32 * 1024 * 1024
# Batches fetched ahead while older ones are parsed (in worker processes) and committed.
PIPELINE_DEPTH = 2
# Waits before each reconnect after a dropped connection; then we give up with an error
# (the next run resumes from the last committed batch anyway).
RETRY_DELAYS: tuple[float, ...] = (1.0, 4.0, 15.0)
# Sent folders of servers that do not announce SPECIAL-USE, in the languages we meet.
SENT_NAMES = ("Sent", "Sent Items", "Sent Messages", "Sent Mail", "Verzonden items",
              "Verzonden", "Verzonden berichten", "Éléments envoyés", "Envoyés",
              "Messages envoyés", "Gesendete Elemente", "Gesendet", "Gesendete Objekte")
_NOT_SELECTABLE = {b"\\noselect", b"\\nonexistent"}


@dataclass(frozen=True)
class FolderSummary:
    """What one folder gave: newly stored, already stored, quarantined (unparseable)."""

    folder: str
    new: int = 0
    duplicates: int = 0
    quarantined: int = 0
    resynced: bool = False  # UIDVALIDITY changed: the folder was read again from the start


@dataclass(frozen=True)
class FetchSummary:
    """The result of one ``fetch``; ``line()`` is the summary the CLI prints."""

    account: str
    folders: tuple[FolderSummary, ...]
    notes: tuple[str, ...] = ()

    @property
    def new(self) -> int:
        return sum(f.new for f in self.folders)

    @property
    def duplicates(self) -> int:
        return sum(f.duplicates for f in self.folders)

    @property
    def quarantined(self) -> int:
        return sum(f.quarantined for f in self.folders)

    def line(self) -> str:
        """One line: the total and, per folder, new / duplicates / quarantined."""
        parts = []
        for f in self.folders:
            text = f"{f.folder}: {f.new} new, {f.duplicates} duplicates, " \
                   f"{f.quarantined} quarantined"
            parts.append(text + (" (UIDVALIDITY changed, re-read)" if f.resynced else ""))
        line = f"fetched {self.new} new messages from {self.account} ({'; '.join(parts)})"
        return line + "".join(f"; {note}" for note in self.notes)


@dataclass
class _Folder:
    """Mutable per-folder progress of one run, kept across reconnects."""

    name: str
    new: int = 0
    duplicates: int = 0
    quarantined: int = 0
    resynced: bool = False
    done: bool = False
    pending: list[int] = field(default_factory=list)
    uidvalidity: int = 0


@dataclass
class _Tally:
    """Messages handled so far in this run (committed batches) and the run's total."""

    progress: Progress | None
    done: int = 0
    total: int = 0

    def report(self) -> None:
        if self.progress is not None:
            self.progress(self.done, self.total)


def fetch(settings: Settings, store: Store, *, progress: Progress | None = None
          ) -> FetchSummary:
    """Fetch every new message of the configured folders (plus ``\\Sent``) into ``store``.

    Returns the per-folder counts. Raises ``SourceError`` (one line, never a secret) for
    what the user can fix: login refused, unknown host, connection refused, TLS
    failure, timeout, unknown folder, plain-text login to a remote host; and
    ``ConfigError`` for missing settings. Everything committed before an error stays.
    """
    imap = settings.imap
    host, port, mode = endpoint(imap)
    context = tls_context(imap) if mode != "plain" else None
    token = secrets.oauth2_token(settings)
    password = None if token else secrets.imap_password(settings)
    account = f"{imap.username}@{host}:{port}"
    conn = Connector(imap, host, port, mode, context, password, token)
    run = _Run(store, account, imap.batch_size, _Tally(progress))
    # One fetch at a time: a second run waits for the lock, then stops with a one-line
    # error, before it connects.
    with store.exclusive():
        try:
            folders, notes = _fetch_with_retries(conn, run, imap)
        finally:
            if run.pool is not None:
                run.pool.close()
    summaries = tuple(FolderSummary(f.name, f.new, f.duplicates, f.quarantined, f.resynced)
                      for f in folders)
    return FetchSummary(account, summaries, tuple(notes))


def _fetch_with_retries(conn: Connector, run: _Run, imap: ImapSettings
                        ) -> tuple[list[_Folder], list[str]]:
    """Sessions until every folder is done; a lost connection is retried after a pause
    and the new session resumes from what the store has committed."""
    folders: list[_Folder] | None = None
    notes: list[str] = []
    done_before = attempt = 0
    while True:
        client = None
        try:
            client = conn.open(first=folders is None)
            if folders is None:
                folders, notes = _choose_folders(client, imap, conn.host)
            run.tally.total = run.tally.done + _plan(client, run, folders, imap)
            if run.pool is None:
                run.pool = ParsePool.for_job(run.tally.total)
            run.tally.report()
            for folder in folders:
                if not folder.done:
                    _sync(client, run, folder)
            run.commit()
            conn.close(client)
            return folders, notes
        except CONNECTION_LOST as exc:
            conn.drop(client)
            run.commit()  # batches fetched in full before the loss are good: keep them
            if run.tally.done > done_before:
                attempt = 0  # a flaky line that still makes progress may go on
            done_before = run.tally.done
            if attempt >= len(RETRY_DELAYS):
                raise SourceError(f"lost the connection to {conn.host}:{conn.port} "
                                  f"({reason(exc, conn.secrets)}); everything fetched so far "
                                  "is stored: run fetch again to resume") from None
            time.sleep(RETRY_DELAYS[attempt])
            attempt += 1
        except imaplib.IMAP4.error as exc:
            conn.drop(client)
            raise SourceError(f"{conn.host}: the server refused a command: "
                              f"{reason(exc, conn.secrets)}") from None
        except BaseException:
            # Ctrl-C and friends: what is not committed is dropped; the transaction of a
            # batch being written rolls back.
            conn.drop(client)
            raise


# --- folders -----------------------------------------------------------------------------

def _choose_folders(client: IMAPClient, imap: ImapSettings, host: str
                    ) -> tuple[list[_Folder], list[str]]:
    """The configured folders (checked to exist) plus the Sent folder, and notes."""
    listing = [(flags, name) for flags, _delim, name in client.list_folders()
               if not {f.lower() for f in flags} & _NOT_SELECTABLE]
    names = [name for _flags, name in listing]
    chosen: list[str] = []
    for wanted in imap.folders:
        found = _match(wanted, names)
        if found is None:
            raise SourceError(f"folder {wanted!r} not found on {host}; the folders are: "
                              + ", ".join(sorted(names, key=str.lower)))
        if found not in chosen:
            chosen.append(found)
    notes = []
    if imap.include_sent:
        sent = next((name for flags, name in listing if SENT in flags), None)
        if sent is None:
            sent = next((n for candidate in SENT_NAMES for n in names
                         if n.lower() == candidate.lower()
                         or n.lower().endswith(("." + candidate.lower(),
                                                "/" + candidate.lower()))), None)
        if sent is None:
            notes.append("no Sent folder found: add yours to imap.folders")
        elif sent not in chosen:
            chosen.append(sent)
    return [_Folder(name) for name in chosen], notes


def _match(wanted: str, names: Sequence[str]) -> str | None:
    if wanted in names:
        return wanted
    if wanted.upper() == "INBOX":  # INBOX is case-insensitive by RFC 3501
        return next((n for n in names if n.upper() == "INBOX"), None)
    return None


# --- syncing -----------------------------------------------------------------------------

def _plan(client: IMAPClient, run: _Run, folders: list[_Folder], imap: ImapSettings) -> int:
    """Select each unfinished folder and list the UIDs it still has to give; returns
    how many messages that is."""
    total = 0
    for folder in folders:
        if folder.done:
            continue
        info = client.select_folder(folder.name, readonly=True)
        uidvalidity = int(info[b"UIDVALIDITY"])
        state = run.store.imap_state(run.account, folder.name)
        if state is not None and state[0] != uidvalidity:
            folder.resynced = True
        last = state[1] if state is not None and state[0] == uidvalidity else 0
        if last == 0 and state != (uidvalidity, 0):
            # Remember the (new) UIDVALIDITY now, so a folder that stays empty or a run
            # that stops early does not count as a renumbering next time.
            with run.store.writing():
                run.store.set_imap_state(run.account, folder.name, uidvalidity, 0)
        if last == 0:
            criteria = ["SINCE", imap.fetch_since] if imap.fetch_since else ["ALL"]
        else:
            criteria = ["UID", f"{last + 1}:*"]
        # "UID n:*" always matches the highest UID, even one we already have: drop those.
        folder.pending = sorted(uid for uid in client.search(criteria) if uid > last)
        folder.uidvalidity = uidvalidity
        total += len(folder.pending)
    return total


def _sync(client: IMAPClient, run: _Run, folder: _Folder) -> None:
    """Fetch ``folder.pending`` batch by batch; parsing and committing trail behind."""
    if folder.pending:
        info = client.select_folder(folder.name, readonly=True)
        if int(info[b"UIDVALIDITY"]) != folder.uidvalidity:
            # Renumbered between planning and fetching: treat it like a lost connection,
            # the retry plans again.
            raise ConnectionAbortedError(f"UIDVALIDITY of {folder.name} changed during fetch")
        client.normalise_times = False
    while folder.pending:
        # Sizes first, so a run of big attachments never sits in memory all at once.
        window = folder.pending[:SIZE_WINDOW]
        sizes = {uid: int(data.get(b"RFC822.SIZE", 0))
                 for uid, data in client.fetch(window, [b"RFC822.SIZE"]).items()}
        for batch in _batches(window, sizes, run.batch_size):
            run.start(folder, batch, client.fetch(batch, FETCH_ITEMS))
            del folder.pending[:len(batch)]
            run.commit(keep=PIPELINE_DEPTH)
    folder.done = True


def _batches(uids: list[int], sizes: dict[int, int], max_count: int) -> list[list[int]]:
    """``uids`` cut in order into batches of at most ``max_count`` messages and about
    ``MAX_BATCH_BYTES`` (a single bigger message makes a batch of its own)."""
    batches: list[list[int]] = []
    current: list[int] = []
    size = 0
    for uid in uids:
        item = sizes.get(uid, 0)
        if current and (len(current) >= max_count or size + item > MAX_BATCH_BYTES):
            batches.append(current)
            current, size = [], 0
        current.append(uid)
        size += item
    if current:
        batches.append(current)
    return batches


@dataclass
class _Batch:
    """A fetched batch on its way to the store."""

    folder: _Folder
    uids: list[int]
    mails: list[RawMail]  # the ones not stored yet, being parsed
    duplicates: int
    results: Callable[[], list[Parsed]]


@dataclass
class _Run:
    """One fetch run: where batches go, and the batches fetched but not yet committed."""

    store: Store
    account: str
    batch_size: int
    tally: _Tally
    pool: ParsePool | None = None
    in_flight: deque[_Batch] = field(default_factory=deque)

    def start(self, folder: _Folder, uids: list[int],
              response: dict[int, dict[bytes, object]]) -> None:
        """Hand a fetched batch to the parser; ``commit`` stores it later."""
        fetched = []
        for uid in uids:
            data = response.get(uid) or {}
            raw = data.get(b"BODY[]")
            if isinstance(raw, bytes):  # else expunged since the search: nothing to keep
                fetched.append(RawMail(raw, f"imap:{folder.name}/{uid}", folder.name,
                                       _plain_tz(data.get(b"INTERNALDATE"))))
        # A resync sends mail we already hold: skip the parse when the bytes match.
        mails = not_stored(self.store, fetched)
        duplicates = len(fetched) - len(mails)
        pool = self.pool or ParsePool(0)
        self.in_flight.append(_Batch(folder, uids, mails, duplicates, pool.submit(mails)))

    def commit(self, keep: int = 0) -> None:
        """Store the oldest batches until at most ``keep`` remain in flight. Each batch is
        one transaction together with its folder's new last UID."""
        while len(self.in_flight) > keep:
            batch = self.in_flight[0]
            results = batch.results()
            new = quarantined = 0
            duplicates = batch.duplicates
            with self.store.writing():
                for mail, result in zip(batch.mails, results, strict=True):
                    if isinstance(result, ParseError):
                        added = self.store.add_quarantine(mail.origin, result.reason,
                                                          mail.raw, result.date)
                        quarantined += added
                    else:
                        added = self.store.add_stored(result, mail.origin)
                        new += added
                    duplicates += not added
                self.store.set_imap_state(self.account, batch.folder.name,
                                          batch.folder.uidvalidity, max(batch.uids))
            self.in_flight.popleft()
            batch.folder.new += new
            batch.folder.duplicates += duplicates
            batch.folder.quarantined += quarantined
            self.tally.done += len(batch.uids)
            self.tally.report()


def _plain_tz(value: object) -> datetime | None:
    """INTERNALDATE with a stdlib ``timezone``: imapclient's own tzinfo cannot be pickled
    to the parse workers."""
    if not isinstance(value, datetime) or value.utcoffset() is None:
        return None
    return value.replace(tzinfo=timezone(value.utcoffset()))
