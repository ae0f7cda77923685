"""Import mail files into the store: read, skip what is stored, parse, store in batches.

Each batch is one transaction, so an interrupted (even killed) import keeps every
finished batch and re-running it picks up where it stopped (stored bytes are skipped
before parsing). The run holds the store's write lock from start to end: a second run
waits, then stops with a one-line error, instead of interleaving with this one.
"""

from __future__ import annotations

import os
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path

from inbox_audit.parse import ParseError
from inbox_audit.parsepool import Parsed, ParsePool, not_stored, parse_raw
from inbox_audit.sources.files import RawMail, check_paths, iter_raw_mail
from inbox_audit.store import Store, StoredForm

__all__ = ["ImportSummary", "import_paths", "parse_raw"]

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
                 batch_size: int = 500, workers: int | None = None) -> ImportSummary:
    """Import every mail under ``paths`` into ``store``; never raises for bad mail.

    Mail that cannot be parsed is quarantined with its reason. ``progress(done, None)``
    is called with the number of mails handled so far. The whole run holds the store's
    write lock; each batch is one transaction. From the second batch on, parsing runs
    in worker processes (``workers``; default one per CPU on machines with two or
    more; 0 parses in-process) while the previous batch is stored. Raises
    ``SourceError`` (before importing anything) when a path is missing or unreadable,
    ``StoreError`` when the store is in use by another run or cannot be written.
    """
    paths = [Path(p) for p in paths]
    check_paths(paths)
    summary = ImportSummary(sources=len(paths))
    seen = [0] * len(paths)
    done = 0
    in_flight: deque[tuple[list[RawMail], Callable[[], list[Parsed]], int]] = deque()
    pool: ParsePool | None = None

    def commit(keep: int) -> None:
        nonlocal done
        while len(in_flight) > keep:
            fresh, results, duplicates = in_flight.popleft()
            _store_batch(store, fresh, results(), summary)
            summary.duplicates += duplicates
            done += len(fresh) + duplicates
            if progress is not None:
                progress(done, None)

    with store.exclusive():
        try:
            for number, tagged in enumerate(_batches(paths, batch_size)):
                for index, _mail in tagged:
                    seen[index] += 1
                batch = [mail for _index, mail in tagged]
                fresh = not_stored(store, batch)
                if number == 1 and pool is None and _worth_workers(workers):
                    pool = ParsePool(workers)  # a second batch: worth starting workers
                submit = (pool or ParsePool(0)).submit
                in_flight.append((fresh, submit(fresh), len(batch) - len(fresh)))
                commit(keep=1)  # parse this batch while the previous one is stored
            commit(keep=0)
        finally:
            if pool is not None:
                pool.close()
    summary.empty_sources = [str(path) for path, n in zip(paths, seen, strict=True) if not n]
    return summary


def _worth_workers(workers: int | None) -> bool:
    # The workers parse, encode and compress; this process reads, hashes and inserts,
    # a small share of the work, so two CPUs already gain from two workers.
    return workers != 0 and (workers is not None or (os.cpu_count() or 1) > 1)


def _store_batch(store: Store, fresh: list[RawMail], results: list[Parsed],
                 summary: ImportSummary) -> None:
    # Cheap re-import: stored bytes were skipped before parsing (counted as duplicates).
    # Parsed mail is written in runs (a few statements per run, not four per mail);
    # a mail that did not parse ends the run before it, so rows keep the mailbox order.
    run: list[StoredForm] = []
    origins: list[str] = []

    def write_run() -> None:
        if not run:
            return
        added = sum(store.add_stored_many(run, origins))
        summary.imported += added
        summary.duplicates += len(run) - added
        run.clear()
        origins.clear()

    with store.writing():
        for mail, result in zip(fresh, results, strict=True):
            if isinstance(result, ParseError):
                write_run()
                if store.add_quarantine(mail.origin, result.reason, mail.raw, result.date):
                    summary.quarantined += 1
                else:
                    summary.duplicates += 1
            else:
                run.append(result)
                origins.append(mail.origin)
        write_run()


def _batches(paths: list[Path], size: int) -> Iterator[list[tuple[int, RawMail]]]:
    """Batches of (index of its path, mail), in order; a batch spans paths, so many
    small files still make few transactions."""
    tagged = ((index, mail) for index, path in enumerate(paths)
              for mail in iter_raw_mail([path]))
    while batch := list(islice(tagged, max(1, size))):
        yield batch
