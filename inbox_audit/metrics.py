"""Metrics (SPEC §6): working-day latencies per deal, rates, silences, per supplier/week.

``compute_metrics`` turns the deals into plain frozen records (``AuditMetrics``); numpy
arrays are used for the aggregation and never leave the metrics modules:

- ``metrics_records.py``: the records (re-exported here; import them from here);
- ``metrics_deal.py``: the figures of one deal;
- ``metrics_frames.py``: totals, per supplier and per ISO week (numpy);
- ``metrics_json.py``: the SPEC §7 JSON (``metrics_json``, re-exported here).

docs/metrics.md explains every figure with worked examples.

Status of a deal (``DealFigures.status``), as of the report time:

- ``no request``: the deal holds no buyer ``request`` (listed, kept out of the rates
  and of the silences);
- ``awaiting quote``: a request, and no supplier ``quote`` or ``follow-up`` yet;
- ``answered, no quote``: the supplier replied (``follow-up``) but sent no quote;
- ``quoted``: a quote came, the follow-up deadline has not passed yet;
- ``awaiting follow-up``: a quote came, no supplier follow-up after it, and more than
  ``followup_sla_wd`` working days have passed;
- ``followed up``: a quote came and the supplier followed up after it.

Whether a deal is *silent* (an open loop) is separate: ``silent_wd`` is set, and
``awaited`` says what the buyer waits for (``quote`` or ``follow-up``).
"""

from __future__ import annotations

import bisect
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime

from inbox_audit.clock import WorkClock, in_period_test
from inbox_audit.config import Settings
from inbox_audit.metrics_deal import deal_figures, silence_rank
from inbox_audit.metrics_frames import TREND_WEEKS, deal_frame, figures_of, per_supplier, per_week
from inbox_audit.metrics_json import SCHEMA, metrics_json
from inbox_audit.metrics_records import (
    STATUSES,
    AuditMetrics,
    DealFigures,
    Figures,
    MessageRecord,
    SupplierFigures,
    Timeline,
    TimelinePoint,
    WeekFigures,
    iso_week,
)
from inbox_audit.models import Classification, Deal, Message, Period

__all__ = [
    "SCHEMA", "STATUSES", "TREND_WEEKS", "AuditMetrics", "DealFigures", "Figures",
    "MessageRecord", "SupplierFigures", "Timeline", "TimelinePoint", "WeekFigures",
    "compute_metrics", "iso_week", "message_record", "metrics_json",
]


def compute_metrics(
    deals: Sequence[Deal],
    messages: Sequence[Message],
    classifications: Mapping[str, Classification],
    *,
    clock: WorkClock,
    settings: Settings,
    as_of: datetime,
    period: Period,
    deal_index: Mapping[str, list[str]],
    stats: Mapping[str, int] | None = None,
) -> AuditMetrics:
    """All figures of the audit as of ``as_of`` for ``period``.

    Only messages dated up to ``as_of`` exist. Period figures cover the deals opened in
    the period (local dates); silences cover every deal opened up to ``as_of``; the
    weekly series covers every deal, by the ISO week of its request.
    """
    if as_of.tzinfo is None:
        as_of = as_of.replace(tzinfo=clock.tz)
    # The same instant in UTC, the zone of stored dates: comparing two datetimes of one
    # zone compares their fields, of two zones converts both (15 times slower, and it
    # is done for every message).
    now = as_of.astimezone(UTC)
    qsla, fsla = settings.quote_sla_wd, settings.followup_sla_wd
    all_deals = [f for d in deals
                 if (f := deal_figures(d, clock, now, period, qsla, fsla)) is not None]
    period_deals = sorted((f for f in all_deals if f.in_period),
                          key=lambda f: (f.opened, f.deal_id), reverse=True)
    silences = sorted((f for f in all_deals if f.silent_wd is not None), key=silence_rank)

    period_msgs = _period_messages(messages, clock, now, period)
    frame = deal_frame(all_deals, qsla, fsla)
    period_frame = frame.where(frame.in_period)
    totals = figures_of(period_frame, len(period_msgs), len(silences))
    suppliers = per_supplier(all_deals, period_frame, period_msgs, silences, deal_index)
    weeks = per_week(frame, messages, clock, now)
    records = _message_records(messages, period_msgs, period_deals, classifications,
                               deal_index)
    today = clock.local_date(as_of)
    span_start = period.start or min((clock.local_date(f.opened) for f in all_deals),
                                     default=today)
    span_end = min(period.end or today, today)
    holidays = tuple(d for d in clock.holidays if span_start <= d <= span_end)
    return AuditMetrics(
        as_of=as_of, period=period, timezone=settings.timezone, country=settings.country,
        workdays=tuple(settings.workdays), holidays=holidays, quote_sla_wd=qsla,
        followup_sla_wd=fsla, totals=totals, suppliers=suppliers, weeks=weeks,
        deals=tuple(period_deals), silences=tuple(silences), messages=records,
        stats=dict(stats or {}))


def _period_messages(messages: Sequence[Message], clock: WorkClock, as_of: datetime,
                     period: Period) -> list[Message]:
    """The messages up to ``as_of`` whose local date is in ``period``. An undated one
    cannot be placed: only an unbounded period holds it."""
    if period.start is None and period.end is None:
        return [m for m in messages if m.date is None or m.date <= as_of]
    in_period = in_period_test(period, clock.tz)
    return [m for m in messages
            if m.date is not None and m.date <= as_of and in_period(m.date)]


def _message_records(messages: Sequence[Message], period_msgs: Sequence[Message],
                     period_deals: Sequence[DealFigures],
                     classifications: Mapping[str, Classification],
                     deal_index: Mapping[str, list[str]]) -> tuple[MessageRecord, ...]:
    """The period's messages plus every message of the period's deals (so each deal
    figure can be traced to its messages), in time order."""
    wanted = {m.key for m in period_msgs}
    if len(wanted) == len(messages):  # every message, each once
        chosen = messages
    else:
        for f in period_deals:
            wanted.update(f.message_ids)
        chosen = []
        for msg in messages:  # a key that comes twice is recorded once
            if msg.key in wanted:
                wanted.discard(msg.key)
                chosen.append(msg)
    keys = [m.key for m in chosen]
    out = []
    append = out.append
    # One record per message of a large mailbox: the lookups run in ``map``.
    for msg, key, label, ids in zip(chosen, keys, map(classifications.get, keys),
                                    map(deal_index.get, keys), strict=True):
        if label is None:
            append(MessageRecord(key, tuple(ids) if ids else (), None, None, None,
                                 msg.date))
        else:
            append(MessageRecord(key, tuple(ids) if ids else (), label.label,
                                 label.confidence, label.source, msg.date))
    if not _in_record_order(out):  # the store hands them over in this order already
        out.sort(key=_record_order)
    return tuple(out)


def _record_order(r: MessageRecord) -> tuple:
    return (r.date is None, r.date or datetime.min, r.message_id)


def message_record(m: AuditMetrics, key: str, date: datetime | None) -> MessageRecord | None:
    """The record of the message ``key`` dated ``date`` in ``m.messages``, None when
    there is none: a binary search, the records being in time order (ties by key)."""
    records = m.messages
    i = bisect.bisect_left(records, (date is None, date or datetime.min, key),
                           key=_record_order)
    return records[i] if i < len(records) and records[i].message_id == key else None


def _in_record_order(records: Sequence[MessageRecord]) -> bool:
    """Whether ``records`` are sorted by ``_record_order`` (checking is a fraction of
    the cost of sorting: no key tuple per record)."""
    for a, b in zip(records, records[1:], strict=False):
        if a.date is None:
            if b.date is not None or b.message_id < a.message_id:
                return False
        elif b.date is not None and (b.date < a.date or (
                b.date == a.date and b.message_id < a.message_id)):
            return False
    return True
