"""The figures of one deal (SPEC §6), as of the report time. docs/metrics.md explains
each one in plain words with worked examples.

Reading of a deal's timeline (messages up to ``as_of``, in time order):

- the **request** is the buyer's first message labelled ``request``; a deal without one
  is listed but never rated nor silent;
- **supplier answers** are the supplier's messages after the request; a ``silence``
  (auto-reply, acknowledgement, bounce) is no answer and never stops a clock;
- the **first response** is the first supplier ``quote`` or ``follow-up``; the **first
  quote** the first supplier ``quote``; the **follow-up after the quote** the first
  supplier ``follow-up`` after that quote (a revised offer is another quote, not it);
- a **chase** is every later buyer message labelled ``follow-up`` (or, mislabelled,
  ``request``: SPEC §6 says every later message from the buyer's side is a chase). A note
  only to colleagues never reaches a deal (deals.py), so it is never a chase.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta
from functools import partial
from typing import NamedTuple, TypeVar

from inbox_audit.clock import WorkClock
from inbox_audit.metrics_records import DealFigures, Timeline, TimelinePoint, iso_week
from inbox_audit.models import Deal, DealMessage, Period

HUMAN: frozenset[str] = frozenset({"request", "quote", "follow-up"})
ANSWERS: frozenset[str] = frozenset({"quote", "follow-up"})


def deal_figures(deal: Deal, clock: WorkClock, as_of: datetime, period: Period,
                 qsla: int, fsla: int) -> DealFigures | None:
    """The figures of ``deal`` as of ``as_of``; None when nothing of it exists yet."""
    msgs = _in_order(deal.messages, as_of)
    if not msgs:
        return None
    # One pass over the timeline finds what the figures are made of (this runs for
    # every deal of the mailbox: tens of thousands).
    request = first_resp = first_quote = quote_anywhere = last_human = None
    followups: list[DealMessage] = []
    chases: list[DealMessage] = []
    for m in msgs:
        label = m.label
        if label in HUMAN:
            last_human = m
        if m.from_me:
            if request is None:
                if label == "request":
                    request = m
            elif label == "request" or label == "follow-up":
                chases.append(m)
            continue
        if label == "quote" and quote_anywhere is None:
            quote_anywhere = m
        # Latencies only look at what came after the request.
        if request is None:
            continue
        if first_resp is None and label in ANSWERS:
            first_resp = m
        if first_quote is None:
            if label == "quote":
                first_quote = m
        elif label == "follow-up":
            followups.append(m)
    opened = request.date if request else msgs[0].date
    followup = followups[0] if followups else None
    # The amount comes from the first quote, even on a deal without request.
    amount_quote = first_quote or quote_anywhere

    # Working days between day numbers: the messages' days are looked up once each.
    day, between = clock.day_number, clock.wd_between_days
    now = day(as_of)

    def wd(a: DealMessage | None, b: DealMessage | None) -> int | None:
        return None if a is None or b is None else between(day(a.date), day(b.date))

    def age(m: DealMessage) -> int:
        return between(day(m.date), now)

    # Matured (SPEC §6): the answer arrived, or busday_count(t0, as_of) > SLA.
    quote_matured = request is not None and (first_quote is not None or age(request) > qsla)
    response_matured = request is not None and (first_resp is not None or age(request) > qsla)
    followup_matured = first_quote is not None and (followup is not None
                                                    or age(first_quote) > fsla)
    status = _status(request, first_resp, first_quote, followup, followup_matured)

    silent_wd = awaited = silent_since = None
    if request is not None and last_human is not None:
        gap = age(last_human)
        if last_human.from_me and gap > qsla:
            silent_wd, awaited = gap, ("follow-up" if first_quote else "quote")
            silent_since = _turns_silent(clock, last_human.date, qsla)
        elif not last_human.from_me and last_human.label == "quote" and gap > fsla:
            silent_wd, awaited = gap, "follow-up"
            silent_since = _turns_silent(clock, last_human.date, fsla)
    opened_day = clock.local_date(opened)
    start = day(opened)
    return DealFigures(
        deal_id=deal.deal_id, supplier=deal.supplier, supplier_name=deal.supplier_name,
        subject=deal.subject, opened=opened, week=iso_week(opened_day),
        in_period=period.contains(opened_day),
        request_message_id=request.key if request else None,
        first_response_wd=wd(request, first_resp), quote_wd=wd(request, first_quote),
        followup_after_quote_wd=wd(first_quote, followup),
        buyer_chases=len(chases),
        quote_amount=amount_quote.amount if amount_quote else None,
        currency=amount_quote.currency if amount_quote and amount_quote.amount else None,
        high_intent=bool(request and request.high_intent),
        status=status, silent_wd=silent_wd, awaited=awaited, silent_since=silent_since,
        new_silence=silent_since is not None and period.contains(silent_since),
        last_human=last_human.date if last_human else None,
        age_wd=between(start, now),
        quote_message_id=first_quote.key if first_quote else None,
        followup_message_id=followup.key if followup else None,
        quote_matured=quote_matured, response_matured=response_matured,
        followup_matured=followup_matured,
        message_ids=tuple([m.key for m in msgs]),
        timeline=Timeline(partial(_timeline, msgs, start, clock)),
        response_message_id=first_resp.key if first_resp else None,
        chase_message_ids=tuple([m.key for m in chases]),
        supplier_followups=len(followups))


def _timeline(msgs: Sequence[DealMessage], start: int, clock: WorkClock
              ) -> tuple[TimelinePoint, ...]:
    """The points of a deal's messages (in time order), ``start`` the day number of
    its opening."""
    day, between = clock.day_number, clock.wd_between_days
    return tuple([TimelinePoint(m.key, m.date, between(start, day(m.date)), m.from_me,
                                m.label, m.sender) for m in msgs])


class Entry(NamedTuple):
    """A timeline's message as its order and ``fact_keys`` read it: a ``DealMessage``
    has the same fields, and either will do (``build_deals`` reads the facts of its
    drafts, before their deal messages are made)."""

    key: str
    date: datetime
    from_me: bool
    label: str


_E = TypeVar("_E", Entry, DealMessage)


def fact_keys(messages: Sequence[Entry] | Sequence[DealMessage]) -> tuple[str, ...]:
    """Of a deal's ``messages`` (in time order), those whose facts (amount, currency,
    intent) its figures can read, whatever the report time: the buyer's first request
    (intent), the supplier's first quote after it and the supplier's first quote at all
    (amount). The figures read no other message's facts, so reading only these gives
    the same figures."""
    msgs = _in_order(messages)
    req_i = next((i for i, m in enumerate(msgs) if m.label == "request" and m.from_me), None)
    keys = [msgs[req_i].key] if req_i is not None else []
    after = msgs[req_i + 1:] if req_i is not None else []
    for candidates in (after, msgs):
        quote = next((m for m in candidates if not m.from_me and m.label == "quote"), None)
        if quote is not None and quote.key not in keys:
            keys.append(quote.key)
    return tuple(keys)


def _in_order(messages: Sequence[_E], as_of: datetime | None = None) -> Sequence[_E]:
    """``messages`` dated up to ``as_of`` (all when None) in timeline order."""
    # At the same instant the buyer's request comes first: nothing answers before it.
    # A deal's messages come in time order; when no two share an instant, that is it.
    for before, after in zip(messages, messages[1:], strict=False):
        if after.date <= before.date:
            return sorted((m for m in messages if as_of is None or m.date <= as_of),
                          key=_order)
    if as_of is not None and messages and messages[-1].date > as_of:
        return [m for m in messages if m.date <= as_of]
    return messages


def _order(m: Entry | DealMessage) -> tuple[datetime, bool]:
    return (m.date, not (m.from_me and m.label == "request"))


def silence_rank(f: DealFigures) -> tuple:
    """Sort key of the silences, worst first: deal value (unknown last), then high
    intent, then the longest silence."""
    amount = f.quote_amount
    return (amount is None, -(amount or 0), not f.high_intent, -(f.silent_wd or 0),
            f.opened, f.deal_id)


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
    """The first local day on which ``busday_count(since, day) > sla``: the day after
    the sla-th working day following ``since``'s day."""
    return clock.add_workdays(clock.local_date(since), sla) + timedelta(days=1)
