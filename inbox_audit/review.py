"""Writing the correction file: what needs review, merged with what the buyer typed.

:func:`needs_review` is the one definition of "needs review": the report's section shows
its head, ``inbox-audit review`` writes all of it. :func:`merge` and :func:`write_table`
regenerate the file without ever losing a value typed in ``correct`` or ``note``:

- rows already in the file keep their place and their typed cells (and any column the
  buyer added); the informative cells are refreshed from the store;
- rows whose message is no longer in the store are kept, flagged in ``status``;
- untouched rows (nothing typed) of messages outside the period are dropped — the file
  stays this period's to-do list, and nothing typed is lost;
- new messages are appended, least confident first.
"""

from __future__ import annotations

import csv
import heapq
import io
import os
import shutil
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo
from operator import itemgetter
from pathlib import Path

from inbox_audit.clock import in_period_test
from inbox_audit.corrections import (
    COLUMNS,
    GONE,
    TYPED_COLUMNS,
    Table,
    defuse,
    undefuse,
)
from inbox_audit.errors import CorrectionsError
from inbox_audit.models import Classification, Message, Period
from inbox_audit.report import ReviewItem


@dataclass(frozen=True)
class ReviewResult:
    """What ``inbox-audit review`` wrote."""

    path: Path
    rows: int  # data rows in the file now
    added: int  # rows for messages new to the file
    kept: int  # rows that were already in the file
    typed: int  # rows with a value typed in correct or note
    gone: int  # rows flagged "message no longer in store"
    dropped: int  # untouched rows of messages outside the period
    backup: Path | None  # the previous version, None when there was none or no change
    problems: tuple[str, ...] = ()  # what the next report will refuse, line by line

    def line(self) -> str:
        """One line for the terminal."""
        parts = [f"{self.rows} rows ({self.added} new, {self.kept} kept, "
                 f"{self.typed} with your corrections or notes"]
        if self.gone:
            parts.append(f", {self.gone} of messages no longer in the store")
        if self.dropped:
            parts.append(f", {self.dropped} untouched rows of other periods dropped")
        kept = f"; previous version kept as {self.backup}" if self.backup else ""
        return "".join(parts) + f") -> {self.path}{kept}"


def review_item(msg: Message, label: Classification) -> ReviewItem:
    """One message as the review lists it, with its machine label."""
    return ReviewItem(key=msg.key, date=msg.date, sender=str(msg.sender or ""),
                      subject=msg.subject, label=label.label, confidence=label.confidence,
                      source=label.source, explanation=label.explanation)


def needs_review(messages: Iterable[Message], labels: Mapping[str, Classification],
                 period: Period, as_of: datetime, tz: tzinfo,
                 limit: int | None = None) -> list[ReviewItem]:
    """Every machine-labelled message of ``period`` up to ``as_of``, least confident first
    (ties: oldest first), or only the first ``limit`` of them. Messages the buyer
    already corrected are left out."""
    in_period = in_period_test(period, tz)
    bounded = period.start is not None or period.end is not None
    if as_of.tzinfo is not None:
        # Stored dates are UTC: against a UTC as_of the test below compares fields
        # instead of converting both sides (for every message).
        as_of = as_of.astimezone(UTC)
    # The date first: a weekly report over years of mail looks up no label for the
    # messages of other weeks; the lookups run in ``map`` (this is every message).
    dated = [m for m in messages if (when := m.date) is not None and when <= as_of
             and (not bounded or in_period(when))]
    candidates = [(label.confidence, msg, label)
                  for msg, label in zip(dated, map(labels.get, [m.key for m in dated]),
                                        strict=True)
                  if label is not None and label.source != "correction"]
    if limit is not None and len(candidates) > limit:
        # Only the least confident can make the head: those whose rounded confidence is
        # at most the limit-th smallest one (ties included), ordered in full below.
        # Rounding keeps the order, so the cut is found before rounding anything.
        if limit > 0:
            cut = round(heapq.nsmallest(limit, [c[0] for c in candidates])[-1], 6)
            candidates = [c for c in candidates
                          if c[0] <= cut + 1e-6 and round(c[0], 6) <= cut]
        else:
            candidates = []
    ranked = sorted((((round(conf, 6), msg.date, msg.key), msg, label)
                     for conf, msg, label in candidates), key=itemgetter(0))
    order = ranked[:limit] if limit is not None else ranked
    return [review_item(msg, label) for _, msg, label in order]


def is_typed(cells: Mapping[str, str]) -> bool:
    """True when the buyer typed something in ``correct`` or ``note``."""
    return any(cells.get(c, "").strip() for c in TYPED_COLUMNS)


def merge(table: Table | None, items: Sequence[ReviewItem],
          current: Mapping[str, ReviewItem], tz: tzinfo
          ) -> tuple[list[dict[str, str]], tuple[str, ...], dict[str, int]]:
    """The rows of the regenerated file, its header and counts (added, kept, typed, gone,
    dropped).

    ``items``: what needs review now; ``current``: every stored message with its machine
    label, to refresh the rows of earlier periods that the buyer typed in.
    """
    extra = tuple(c for c in (table.columns if table else ()) if c and c not in COLUMNS)
    wanted = {i.key for i in items}
    rows: list[dict[str, str]] = []
    seen: set[str] = set()
    counts = dict.fromkeys(("added", "kept", "typed", "gone", "dropped"), 0)
    for old in table.rows if table else ():
        cells = {c: old.get(c) for c in (*COLUMNS, *extra)}
        key, typed = old.key, is_typed(old.cells)
        if key in current:
            if not typed and key not in wanted:
                counts["dropped"] += 1
                continue
            cells.update(_info(current[key], tz))
            cells["status"] = ""
        elif key or typed:
            cells["status"] = GONE
            counts["gone"] += 1
        else:
            continue  # an empty line a spreadsheet left behind
        seen.add(key)
        counts["kept"] += 1
        counts["typed"] += typed
        rows.append(cells)
    for item in items:
        if item.key not in seen:
            seen.add(item.key)
            rows.append({**dict.fromkeys((*COLUMNS, *extra), ""), **_info(item, tz)})
            counts["added"] += 1
    return rows, (*COLUMNS, *extra), counts


def render(columns: Sequence[str], rows: Iterable[Mapping[str, str]], delimiter: str) -> str:
    """The CSV text: header row, one line per row, every cell safe in a spreadsheet."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(columns)
    for row in rows:
        # Typed cells go back as typed; defuse(undefuse()) only keeps our own mark stable.
        writer.writerow([defuse(undefuse(row.get(c, ""))) for c in columns])
    return buffer.getvalue()


def write_table(path: Path, text: str) -> Path | None:
    """Write ``text`` as UTF-8 with BOM (what Excel needs to read accents), atomically.

    The previous version, if different, is kept as ``<name>.bak``; returns its path, or
    None when nothing was replaced. Raises CorrectionsError when the file cannot be
    written (for instance: still open in Excel on Windows).
    """
    path = Path(path)
    data = text.encode("utf-8-sig")
    try:
        if path.is_file() and path.read_bytes() == data:
            return None  # unchanged: keep the backup of the last real change
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    except OSError as exc:
        raise CorrectionsError(f"{path}: cannot write: {exc.strerror}") from None
    backup = None
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        if path.is_file():
            backup = path.with_name(path.name + ".bak")
            shutil.copy2(path, backup)
            shutil.copymode(path, tmp)
        os.replace(tmp, path)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise CorrectionsError(f"{path}: cannot write ({exc.strerror}); is it open in a "
                               "spreadsheet?") from None
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return backup


def _info(item: ReviewItem, tz: tzinfo) -> dict[str, str]:
    when = item.date.astimezone(tz).strftime("%Y-%m-%d %H:%M") if item.date else ""
    return {"message_id": item.key, "date": when, "from": item.sender,
            "subject": item.subject, "predicted": item.label,
            "confidence": f"{item.confidence:.2f}", "source": item.source,
            "explanation": item.explanation}
