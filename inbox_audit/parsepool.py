"""Parse mail in worker processes while the caller goes on reading or fetching.

Parsing (MIME, charsets, HTML, PDF text) costs several times what reading and writing
cost, so a big import or first sync hands it to one worker per CPU. The workers also
turn each message into the row and packed raw bytes the store writes
(``store.stored_form``): the calling process is then left with little more than SQL
inserts, and gets small tuples back instead of whole ``Message`` objects to unpickle.
Small jobs run in this process: starting workers (about 0.3 s each) would cost more
than it saves.
"""

from __future__ import annotations

import hashlib
import multiprocessing
import os
import signal
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import replace
from datetime import datetime
from typing import Any

from inbox_audit.models import Message
from inbox_audit.parse import ParseError, parse_message
from inbox_audit.sources.files import RawMail
from inbox_audit.store import Store, StoredForm, stored_form
from inbox_audit.store_rows import message_row, pack_raw

Parsed = StoredForm | ParseError
# Below this many messages a job is parsed in this process.
POOL_MIN_MESSAGES = 500


def not_stored(store: Store, mails: Sequence[RawMail]) -> list[RawMail]:
    """The mails whose exact bytes ``store`` does not hold (nor forgot): the ones worth
    parsing, with their ``sha256``. One question to the store per batch, not per mail."""
    shas = [hashlib.sha256(mail.raw).hexdigest() for mail in mails]
    known = store.known_raw(shas)
    return [replace(mail, sha256=sha) for mail, sha in zip(mails, shas, strict=True)
            if sha not in known]


def parse_raw(mail: RawMail) -> Message | ParseError:
    """Parse one raw mail, returning the error instead of raising it (a pure function
    of its argument, so it runs the same in a worker process)."""
    try:
        return parse_message(mail.raw, folder=mail.folder, internaldate=mail.internaldate,
                             sha256=mail.sha256)
    except ParseError as exc:
        return exc


def prepare_raw(mail: RawMail) -> Parsed:
    """Parse one raw mail into what the store writes, or the reason it cannot."""
    parsed = parse_raw(mail)
    return parsed if isinstance(parsed, ParseError) else stored_form(parsed, mail.raw)


def prepare_many(mails: Sequence[RawMail]) -> list[Parsed]:
    """``prepare_raw`` of each mail, in order. All are parsed before any is packed:
    zstd's tables then stay in the CPU cache from one mail to the next (packing right
    after each parse took about twice as long)."""
    parsed = [parse_raw(mail) for mail in mails]
    return [result if isinstance(result, ParseError) else
            StoredForm(result.key, result.raw_sha256, message_row(result), pack_raw(mail.raw))
            for result, mail in zip(parsed, mails, strict=True)]


class ParsePool:
    """``submit(mails)`` starts parsing and returns a function that waits for the
    results (``prepare_raw``'s), in order. Use as a context manager; ``workers=0``
    parses in-process."""

    def __init__(self, workers: int | None = None) -> None:
        self.workers = (os.cpu_count() or 1) if workers is None else workers
        self._executor: ProcessPoolExecutor | None = None
        if self.workers > 1:
            # "spawn": forking a process that has threads is unsafe (and warned about on
            # Python 3.12+); the workers only need the parser's imports.
            self._executor = ProcessPoolExecutor(
                self.workers, mp_context=multiprocessing.get_context("spawn"),
                initializer=_worker_init, initargs=(os.getpid(),))

    @classmethod
    def for_job(cls, messages: int) -> ParsePool:
        """A pool sized for ``messages``: in-process for small jobs."""
        return cls(None if messages >= POOL_MIN_MESSAGES else 0)

    def submit(self, mails: Sequence[RawMail]) -> Callable[[], list[Parsed]]:
        if self._executor is None or len(mails) < 2:
            return lambda: prepare_many(mails)
        size = -(-len(mails) // self.workers)
        chunks = [list(mails[i:i + size]) for i in range(0, len(mails), size)]
        try:
            futures = [self._executor.submit(_parse_chunk, [
                (mail.raw, mail.folder, mail.internaldate, mail.sha256) for mail in chunk])
                for chunk in chunks]
        except BrokenProcessPool:
            self._broken()
            return lambda: prepare_many(mails)
        return lambda: self._gather(futures, chunks)

    def _gather(self, futures: list[Future[list[_Sent]]],
                chunks: list[list[RawMail]]) -> list[Parsed]:
        results: list[Parsed] = []
        for future, chunk in zip(futures, chunks, strict=True):
            try:
                results.extend(item if isinstance(item, ParseError) else StoredForm(*item)
                               for item in future.result())
            except BrokenProcessPool:
                # A worker died (out of memory, killed): finish here, without workers.
                self._broken()
                results.extend(prepare_many(chunk))
        return results

    def _broken(self) -> None:
        if self._executor is not None:
            self._executor.shutdown(wait=False, cancel_futures=True)
            self._executor = None

    def close(self) -> None:
        if self._executor is not None:
            self._executor.shutdown(wait=True, cancel_futures=True)
            self._executor = None

    def __enter__(self) -> ParsePool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


# What travels to and from a worker: plain tuples, which pickle with less work than
# ``RawMail`` and ``StoredForm`` objects (a dict or slots each).
_Mail = tuple[bytes, str, datetime | None, str | None]
_Sent = tuple[str, str, tuple[Any, ...], bytes] | ParseError


def _parse_chunk(mails: list[_Mail]) -> list[_Sent]:
    prepared = prepare_many([RawMail(raw, "", folder, internaldate, sha256)
                             for raw, folder, internaldate, sha256 in mails])
    return [item if isinstance(item, ParseError) else
            (item.key, item.raw_sha256, item.row, item.packed) for item in prepared]


def _worker_init(parent: int) -> None:
    # Ctrl-C is the parent's to handle (it rolls back the batch in flight); workers
    # that also caught it would only print tracebacks.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # A parent killed outright (kill -9, out of memory) cannot stop its workers, and
    # they would wait on their queue forever, holding the terminal's output open. The
    # parent's pid comes from the parent: one killed while this worker was starting
    # is already gone here, and os.getppid() would name the adopting process instead.
    threading.Thread(target=_exit_with, args=(parent,), daemon=True).start()


def _exit_with(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(0.5)
    os._exit(1)
