"""Metrics (SPEC §6): working-day latencies per deal, rates, silences, per supplier/week.

``compute_metrics`` turns the deals into plain frozen records (``AuditMetrics``); pandas
is used for the aggregation and never leaves this module. ``metrics_json`` (in
``metrics_json.py``, re-exported here) writes the SPEC §7 JSON.

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

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal

import numpy as np
import pandas as pd

from inbox_audit.clock import WorkClock
from inbox_audit.config import Settings
from inbox_audit.metrics_json import SCHEMA, metrics_json
from inbox_audit.models import Classification, Deal, DealMessage, Label, Message, Period

__all__ = [
    "SCHEMA", "STATUSES", "AuditMetrics", "DealFigures", "Figures", "MessageRecord",
    "SupplierFigures", "TimelinePoint", "WeekFigures", "compute_metrics", "iso_week",
    "metrics_json",
]

STATUSES = ("no request", "awaiting quote", "answered, no quote", "quoted",
            "awaiting follow-up", "followed up")
_HUMAN: frozenset[str] = frozenset({"request", "quote", "follow-up"})
_ANSWERS: frozenset[str] = frozenset({"quote", "follow-up"})
TREND_WEEKS = 12  # the weekly series always covers at least this many weeks


@dataclass(frozen=True)
class TimelinePoint:
    """One message on a deal's timeline; ``wd`` is working days from the deal's opening
    (negative for a message before the request)."""

    key: str
    date: datetime
    wd: int
    from_me: bool
    label: Label
    sender: str


@dataclass(frozen=True)
class DealFigures:
    """Every figure of one deal, with the message ids it was computed from."""

    deal_id: str
    supplier: str
    supplier_name: str
    subject: str
    opened: datetime  # the first request, or the first message when there is none
    week: str  # ISO week of ``opened``, local time: ``2026-W47``
    in_period: bool
    request_message_id: str | None
    first_response_wd: int | None
    quote_wd: int | None
    followup_after_quote_wd: int | None
    buyer_chases: int
    quote_amount: Decimal | None
    currency: str | None
    high_intent: bool
    status: str  # one of STATUSES
    silent_wd: int | None  # working days since the last human message, when silent
    awaited: str | None  # "quote" or "follow-up" when silent
    silent_since: date | None  # the local day the deal turned silent
    new_silence: bool  # turned silent within the report period
    last_human: datetime | None
    age_wd: int  # working days from ``opened`` to the report time
    quote_message_id: str | None
    followup_message_id: str | None
    # Maturity (SPEC §6): the answer arrived or the deadline passed as of the report time.
    quote_matured: bool
    response_matured: bool
    followup_matured: bool
    message_ids: tuple[str, ...]
    timeline: tuple[TimelinePoint, ...]

    @property
    def has_request(self) -> bool:
        return self.request_message_id is not None


@dataclass(frozen=True)
class Figures:
    """The headline figures of a set of deals. Rates are None when nothing has matured;
    the medians are None when no deal got a first response."""

    messages: int
    requests: int
    quotes: int
    quote_within_sla_rate: float | None
    next_day_followup_rate: float | None
    response_rate: float | None
    median_first_response_wd: float | None
    p90_first_response_wd: float | None
    open_silences: int
    # The counts behind the rates (numerator / matured items).
    quoted_within_sla: int = 0
    quote_matured: int = 0
    followed_up_within_sla: int = 0
    followup_matured: int = 0
    responded: int = 0
    response_matured: int = 0


@dataclass(frozen=True)
class SupplierFigures:
    supplier: str
    name: str
    figures: Figures


@dataclass(frozen=True)
class WeekFigures:
    week: str  # ``2026-W47``
    start: date  # its Monday
    figures: Figures


@dataclass(frozen=True)
class MessageRecord:
    """One message of the JSON ``messages`` list."""

    message_id: str
    deal_ids: tuple[str, ...]
    label: str | None
    confidence: float | None
    source: str | None
    date: datetime | None


@dataclass(frozen=True)
class AuditMetrics:
    """Everything the report and the JSON show, as plain records.

    ``deals`` are the period's deals (opened in it), newest first; ``silences`` are all
    open silences as of ``as_of`` (also of older deals), ranked worst first;
    ``weeks`` is the weekly series, oldest first, ending with the week of ``as_of``.
    """

    as_of: datetime
    period: Period
    timezone: str
    country: str
    workdays: tuple[str, ...]
    holidays: tuple[date, ...]  # non-working days within the span the report covers
    quote_sla_wd: int
    followup_sla_wd: int
    totals: Figures
    suppliers: tuple[SupplierFigures, ...]
    weeks: tuple[WeekFigures, ...]
    deals: tuple[DealFigures, ...]
    silences: tuple[DealFigures, ...]
    messages: tuple[MessageRecord, ...]
    stats: dict[str, int] = field(default_factory=dict)

    @property
    def new_silences(self) -> int:
        return sum(1 for s in self.silences if s.new_silence)


def iso_week(day: date) -> str:
    """``2026-W47`` for any day of that ISO week."""
    iso = day.isocalendar()
    return f"{iso.year}-W{iso.week:02d}"


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
    qsla, fsla = settings.quote_sla_wd, settings.followup_sla_wd
    all_deals = [f for d in deals
                 if (f := _deal_figures(d, clock, as_of, period, qsla, fsla)) is not None]
    period_deals = sorted((f for f in all_deals if f.in_period),
                          key=lambda f: (f.opened, f.deal_id), reverse=True)
    silences = sorted((f for f in all_deals if f.silent_wd is not None), key=_silence_rank)

    def in_period(msg: Message) -> bool:
        if msg.date is None:  # cannot be placed: only an unbounded period holds it
            return period.start is None and period.end is None
        return msg.date <= as_of and period.contains(clock.local_date(msg.date))

    period_msgs = [m for m in messages if in_period(m)]
    frame = _frame(all_deals, qsla, fsla)
    period_frame = frame[frame["in_period"]] if len(frame) else frame
    totals = _figures(period_frame, len(period_msgs), len(silences))
    suppliers = _per_supplier(all_deals, period_frame, period_msgs, silences, deal_index)
    weeks = _per_week(frame, messages, clock, as_of)
    records = _message_records(messages, period_msgs, period_deals, classifications,
                               deal_index)
    span_start = period.start or min((clock.local_date(f.opened) for f in all_deals),
                                     default=clock.local_date(as_of))
    span_end = min(period.end or clock.local_date(as_of), clock.local_date(as_of))
    holidays = tuple(d for d in clock.holidays if span_start <= d <= span_end)
    return AuditMetrics(
        as_of=as_of, period=period, timezone=settings.timezone, country=settings.country,
        workdays=tuple(settings.workdays), holidays=holidays, quote_sla_wd=qsla,
        followup_sla_wd=fsla, totals=totals, suppliers=suppliers, weeks=weeks,
        deals=tuple(period_deals), silences=tuple(silences), messages=records,
        stats=dict(stats or {}))


# --- one deal --------------------------------------------------------------------------

def _deal_figures(deal: Deal, clock: WorkClock, as_of: datetime, period: Period,
                  qsla: int, fsla: int) -> DealFigures | None:
    """The figures of one deal as of ``as_of``; None when nothing of it exists yet."""
    msgs = sorted((m for m in deal.messages if m.date <= as_of), key=lambda m: m.date)
    if not msgs:
        return None
    req_i = next((i for i, m in enumerate(msgs) if m.label == "request" and m.from_me), None)
    request = msgs[req_i] if req_i is not None else None
    opened = request.date if request else msgs[0].date
    # Latencies only look at what came after the request.
    after = msgs[req_i + 1:] if req_i is not None else []
    supplier_after = [m for m in after if not m.from_me]
    first_resp = next((m for m in supplier_after if m.label in _ANSWERS), None)
    first_quote = next((m for m in supplier_after if m.label == "quote"), None)
    # The follow-up after the first quote; a revised offer is another quote, not it.
    followup = None
    if first_quote is not None:
        quote_at = next(i for i, m in enumerate(supplier_after) if m is first_quote)
        followup = next((m for m in supplier_after[quote_at + 1:] if m.label == "follow-up"),
                        None)
    # The amount comes from the first quote, even on a deal without request.
    amount_quote = first_quote or next(
        (m for m in msgs if not m.from_me and m.label == "quote"), None)

    def wd(a: DealMessage | None, b: DealMessage | None) -> int | None:
        return None if a is None or b is None else clock.wd_between(a.date, b.date)

    def age(m: DealMessage) -> int:
        return clock.wd_between(m.date, as_of)

    quote_matured = request is not None and (first_quote is not None or age(request) > qsla)
    response_matured = request is not None and (first_resp is not None or age(request) > qsla)
    followup_matured = first_quote is not None and (followup is not None
                                                    or age(first_quote) > fsla)
    status = _status(request, first_resp, first_quote, followup, followup_matured)

    silent_wd = awaited = silent_since = None
    last_human = next((m for m in reversed(msgs) if m.label in _HUMAN), None)
    if request is not None and last_human is not None:
        gap = age(last_human)
        if last_human.from_me and gap > qsla:
            silent_wd, awaited = gap, ("follow-up" if first_quote else "quote")
            silent_since = _turns_silent(clock, last_human.date, qsla)
        elif not last_human.from_me and last_human.label == "quote" and gap > fsla:
            silent_wd, awaited = gap, "follow-up"
            silent_since = _turns_silent(clock, last_human.date, fsla)
    opened_day = clock.local_date(opened)
    return DealFigures(
        deal_id=deal.deal_id, supplier=deal.supplier, supplier_name=deal.supplier_name,
        subject=deal.subject, opened=opened, week=iso_week(opened_day),
        in_period=period.contains(opened_day),
        request_message_id=request.key if request else None,
        first_response_wd=wd(request, first_resp), quote_wd=wd(request, first_quote),
        followup_after_quote_wd=wd(first_quote, followup) if request else None,
        buyer_chases=sum(1 for m in msgs if m.from_me and m.label == "follow-up"),
        quote_amount=amount_quote.amount if amount_quote else None,
        currency=amount_quote.currency if amount_quote and amount_quote.amount else None,
        high_intent=bool(request and request.high_intent),
        status=status, silent_wd=silent_wd, awaited=awaited, silent_since=silent_since,
        new_silence=silent_since is not None and period.contains(silent_since),
        last_human=last_human.date if last_human else None,
        age_wd=clock.wd_between(opened, as_of),
        quote_message_id=first_quote.key if first_quote else None,
        followup_message_id=followup.key if followup else None,
        quote_matured=quote_matured, response_matured=response_matured,
        followup_matured=followup_matured,
        message_ids=tuple(m.key for m in msgs),
        timeline=tuple(TimelinePoint(m.key, m.date, clock.wd_between(opened, m.date),
                                     m.from_me, m.label, m.sender) for m in msgs))


def _status(request: DealMessage | None, first_resp: DealMessage | None,
            first_quote: DealMessage | None, followup: DealMessage | None,
            followup_matured: bool) -> str:
    if request is None:
        return "no request"
    if first_quote is not None:
        if followup is not None:
            return "followed up"
        return "awaiting follow-up" if followup_matured else "quoted"
    return "answered, no quote" if first_resp is not None else "awaiting quote"


def _turns_silent(clock: WorkClock, since: datetime, sla: int) -> date:
    """The first local day on which ``busday_count(since, day) > sla``."""
    start = np.datetime64(clock.local_date(since), "D")
    nth = np.busday_offset(start, sla, roll="forward", weekmask=clock.weekmask,
                           holidays=list(clock.holidays))
    return nth.astype(date) + timedelta(days=1)


def _silence_rank(f: DealFigures) -> tuple:
    # Deal value first (unknown last), then high intent, then the longest silence.
    amount = f.quote_amount
    return (amount is None, -(amount or 0), not f.high_intent, -(f.silent_wd or 0),
            f.opened, f.deal_id)


# --- aggregation (pandas) --------------------------------------------------------------

_COLUMNS = ("deal_id", "supplier", "supplier_name", "week", "in_period", "has_request",
            "has_quote", "quote_matured", "quote_hit", "response_matured", "responded",
            "followup_matured", "followup_hit", "first_response_wd", "silent")


def _frame(deals: Sequence[DealFigures], qsla: int, fsla: int) -> pd.DataFrame:
    rows = [{
        "deal_id": f.deal_id, "supplier": f.supplier, "supplier_name": f.supplier_name,
        "week": f.week, "in_period": f.in_period, "has_request": f.has_request,
        "has_quote": f.has_request and f.quote_wd is not None,
        "quote_matured": f.quote_matured,
        "quote_hit": f.quote_matured and f.quote_wd is not None and f.quote_wd <= qsla,
        "response_matured": f.response_matured,
        "responded": f.response_matured and f.first_response_wd is not None,
        "followup_matured": f.followup_matured,
        "followup_hit": f.followup_matured and f.followup_after_quote_wd is not None
        and f.followup_after_quote_wd <= fsla,
        "first_response_wd": (float(f.first_response_wd)
                              if f.first_response_wd is not None else np.nan),
        "silent": f.silent_wd is not None,
    } for f in deals]
    return pd.DataFrame(rows, columns=list(_COLUMNS))


def _rate(hits: int, matured: int) -> float | None:
    return hits / matured if matured else None


def _figures(rows: pd.DataFrame, messages: int, open_silences: int) -> Figures:
    req = rows[rows["has_request"]] if len(rows) else rows
    first = req["first_response_wd"].dropna() if len(req) else pd.Series(dtype=float)
    counts = {c: int(req[c].sum()) if len(req) else 0 for c in (
        "has_quote", "quote_matured", "quote_hit", "response_matured", "responded",
        "followup_matured", "followup_hit")}
    return Figures(
        messages=messages, requests=len(req), quotes=counts["has_quote"],
        quote_within_sla_rate=_rate(counts["quote_hit"], counts["quote_matured"]),
        next_day_followup_rate=_rate(counts["followup_hit"], counts["followup_matured"]),
        response_rate=_rate(counts["responded"], counts["response_matured"]),
        median_first_response_wd=float(first.median()) if len(first) else None,
        p90_first_response_wd=float(first.quantile(0.9)) if len(first) else None,
        open_silences=open_silences,
        quoted_within_sla=counts["quote_hit"], quote_matured=counts["quote_matured"],
        followed_up_within_sla=counts["followup_hit"],
        followup_matured=counts["followup_matured"],
        responded=counts["responded"], response_matured=counts["response_matured"])


def _per_supplier(all_deals: Sequence[DealFigures], period_frame: pd.DataFrame,
                  period_msgs: Sequence[Message], silences: Sequence[DealFigures],
                  deal_index: Mapping[str, list[str]]) -> tuple[SupplierFigures, ...]:
    """Figures per supplier: the period's deals, and every open silence of the supplier."""
    names: dict[str, str] = {}
    supplier_of: dict[str, str] = {}
    for f in all_deals:
        names.setdefault(f.supplier, f.supplier_name or f.supplier)
        supplier_of[f.deal_id] = f.supplier
    msg_count: dict[str, int] = {}
    for msg in period_msgs:
        # One buyer RFQ to three suppliers is a message of each of them.
        for supplier in {supplier_of[d] for d in deal_index.get(msg.key, ())
                         if d in supplier_of}:
            msg_count[supplier] = msg_count.get(supplier, 0) + 1
    silent_count: dict[str, int] = {}
    for f in silences:
        silent_count[f.supplier] = silent_count.get(f.supplier, 0) + 1
    groups = {key: rows for key, rows in period_frame.groupby("supplier")} \
        if len(period_frame) else {}
    keys = set(groups) | set(silent_count)
    out = [SupplierFigures(key, names.get(key, key),
                           _figures(groups.get(key, period_frame.iloc[0:0]),
                                    msg_count.get(key, 0), silent_count.get(key, 0)))
           for key in keys]
    return tuple(sorted(out, key=lambda s: (s.name.casefold(), s.supplier)))


def _per_week(frame: pd.DataFrame, messages: Sequence[Message], clock: WorkClock,
              as_of: datetime) -> tuple[WeekFigures, ...]:
    """Consecutive ISO weeks from the oldest request (at least TREND_WEEKS) to as_of's."""
    today = clock.local_date(as_of)
    last = today - timedelta(days=today.weekday())
    first = last - timedelta(weeks=TREND_WEEKS - 1)
    requested = frame[frame["has_request"]] if len(frame) else frame
    if len(requested):
        oldest = min(date.fromisocalendar(int(w[:4]), int(w[6:]), 1)
                     for w in requested["week"].unique())
        first = min(first, oldest)
    msg_weeks: dict[str, int] = {}
    for msg in messages:
        if msg.date is not None and msg.date <= as_of:
            week = iso_week(clock.local_date(msg.date))
            msg_weeks[week] = msg_weeks.get(week, 0) + 1
    groups = {key: rows for key, rows in frame.groupby("week")} if len(frame) else {}
    out = []
    monday = first
    while monday <= last:
        week = iso_week(monday)
        rows = groups.get(week, frame.iloc[0:0])
        silent = int(rows["silent"].sum()) if len(rows) else 0
        out.append(WeekFigures(week, monday, _figures(rows, msg_weeks.get(week, 0), silent)))
        monday += timedelta(weeks=1)
    return tuple(out)


def _message_records(messages: Sequence[Message], period_msgs: Sequence[Message],
                     period_deals: Sequence[DealFigures],
                     classifications: Mapping[str, Classification],
                     deal_index: Mapping[str, list[str]]) -> tuple[MessageRecord, ...]:
    """The period's messages plus every message of the period's deals (so each deal
    figure can be traced to its messages), in time order."""
    wanted = {m.key for m in period_msgs} | {k for f in period_deals for k in f.message_ids}
    seen: set[str] = set()
    out = []
    for msg in messages:
        if msg.key not in wanted or msg.key in seen:
            continue
        seen.add(msg.key)
        label = classifications.get(msg.key)
        out.append(MessageRecord(
            message_id=msg.key, deal_ids=tuple(deal_index.get(msg.key, ())),
            label=label.label if label else None,
            confidence=label.confidence if label else None,
            source=label.source if label else None, date=msg.date))
    out.sort(key=lambda r: (r.date is None, r.date or datetime.min, r.message_id))
    return tuple(out)
