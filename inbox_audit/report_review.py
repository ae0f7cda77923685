"""The report's review section: the machine labels that most need the buyer's eye,
each with links to the deals of the report it belongs to."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from inbox_audit.metrics import AuditMetrics, message_record
from inbox_audit.report_format import Fmt
from inbox_audit.report_headline import DealLink, link

if TYPE_CHECKING:  # report.py imports this module
    from inbox_audit.report import ReviewItem


@dataclass(frozen=True)
class ReviewRow:
    """One message of the review section, formatted."""

    key: str
    date: str
    sender: str
    subject: str
    label: str
    confidence: str
    source: str
    explanation: str
    deals: tuple[DealLink, ...]  # the deals of this report the message belongs to


def review_rows(items: Sequence[ReviewItem], m: AuditMetrics, shown: Collection[str],
                fmt: Fmt) -> tuple[ReviewRow, ...]:
    """The review section's rows: ``items`` (least confident first) with links to
    their deals among ``shown`` (the deals that have a row in the report)."""
    # Only the listed messages' deals are needed, not an index of every message: each
    # is looked up by its date (a message missing there is looked for by key alone).
    deal_ids: dict[str, tuple[str, ...]] = {}
    for r in items:
        record = message_record(m, r.key, r.date)
        if record is not None:
            deal_ids[r.key] = record.deal_ids
    missing = {r.key for r in items} - deal_ids.keys()
    if missing:
        deal_ids.update((r.message_id, r.deal_ids) for r in m.messages
                        if r.message_id in missing)
    wanted = {i for ids in deal_ids.values() for i in ids if i in shown}
    names = {d.deal_id: d for d in (*m.deals, *m.silences) if d.deal_id in wanted}
    rows = []
    for r in items:
        links = tuple(link(names[i]) for i in deal_ids.get(r.key, ())
                      if i in shown and i in names)
        rows.append(ReviewRow(
            key=r.key, date=fmt.day(r.date), sender=r.sender, subject=r.subject,
            label=r.label, confidence=fmt.pct(r.confidence), source=r.source,
            explanation=r.explanation, deals=links))
    return tuple(rows)
