"""Import mail files into the store: read, skip what is stored, parse, store in batches.

Each batch is one transaction, so an interrupted import keeps every finished batch and
re-running it picks up where it stopped (stored bytes are skipped before parsing).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path

from inbox_audit.models import Message
from inbox_audit.parse import ParseError, parse_message
from inbox_audit.sources.files import RawMail, check_paths, iter_raw_mail
from inbox_audit.store import Store

Progress = Callable[[int, int | None], None]


@dataclass
class ImportSummary:
    """What an import did; ``line()`` says it in one line for the user."""

    imported: int = 0
    duplicates: int = 0
    quarantined: int = 0
    sources: int = 0
    empty_sources: list[str] = field(default_factory=list)

    def line(self) -> str:
        text = (f"imported {self.imported}, duplicates {self.duplicates}, "
                f"quarantined {self.quarantined}")
        if self.empty_sources:
            text += f"; no mail found in {', '.join(self.empty_sources)}"
        return text


def import_paths(store: Store, paths: Sequence[Path], *, progress: Progress | None = None,
                 batch_size: int = 500) -> ImportSummary:
    """Import every mail under ``paths`` into ``store``; never raises for bad mail.

    Mail that cannot be parsed is quarantined with its reason. ``progress(done, None)``
    is called with the number of mails handled so far. Raises ``SourceError`` (before
    importing anything) when a path is missing or unreadable, ``StoreError`` when the
    store is in use by another run.
    """
    paths = [Path(p) for p in paths]
    check_paths(paths)
    summary = ImportSummary(sources=len(paths))
    done = 0
    for path in paths:
        seen = 0
        for batch in _batches(iter_raw_mail([path]), batch_size):
            seen += len(batch)
            _import_batch(store, batch, summary)
            done += len(batch)
            if progress is not None:
                progress(done, None)
        if not seen:
            summary.empty_sources.append(str(path))
    return summary


def parse_raw(mail: RawMail) -> Message | ParseError:
    """Parse one raw mail, returning the error instead of raising it.

    A pure function of its argument, so a later version can map it over a process pool.
    """
    try:
        return parse_message(mail.raw, folder=mail.folder, internaldate=mail.internaldate)
    except ParseError as exc:
        return exc


def _import_batch(store: Store, batch: list[RawMail], summary: ImportSummary) -> None:
    fresh = []
    for mail in batch:
        if store.has_raw_sha256(hashlib.sha256(mail.raw).hexdigest()):
            summary.duplicates += 1  # cheap re-import: stored bytes are never re-parsed
        else:
            fresh.append(mail)
    results = [parse_raw(mail) for mail in fresh]
    with store.writing():
        for mail, result in zip(fresh, results, strict=True):
            if isinstance(result, ParseError):
                if store.add_quarantine(mail.origin, result.reason, mail.raw):
                    summary.quarantined += 1
                else:
                    summary.duplicates += 1
            elif store.add_message(result, mail.raw, mail.origin):
                summary.imported += 1
            else:
                summary.duplicates += 1


def _batches(items: Iterable[RawMail], size: int) -> Iterator[list[RawMail]]:
    iterator = iter(items)
    while batch := list(islice(iterator, max(1, size))):
        yield batch
