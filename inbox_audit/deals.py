"""Deals (SPEC §5): the conversation between the buyer and one supplier organisation.

A thread is split by counterparty. A buyer message goes into the deal of every supplier
among its recipients (one RFQ to three suppliers opens three deals); a supplier message
goes into its own organisation's deal. A buyer message whose recipients are all on the
buyer's side or ignored (a quote forwarded to a colleague) never reached a supplier: it
is internal, on no deal, so it is neither a chase nor a restart of the silence clock. A
buyer message with no visible recipient at all (sent Bcc, "undisclosed recipients")
joins the deals of its thread that are already open. Messages labelled ``other``
and undated messages are not on any deal timeline: the first are never counted, the
second cannot be put on a clock. A supplier's automatic notice that arrived in a thread
of its own (a booking confirmation with its own subject, a ticket receipt) joins that
supplier's deal that was active just before it.
"""

from __future__ import annotations

import bisect
import hashlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from inbox_audit.metrics_deal import Entry, fact_keys
from inbox_audit.models import (
    Classification,
    Deal,
    DealMessage,
    Message,
    MessageFacts,
    Thread,
)
from inbox_audit.parties import Parties
from inbox_audit.threads import sort_key


def deal_id_for(thread_id: str, supplier: str) -> str:
    """Stable id of the deal with ``supplier`` in thread ``thread_id``."""
    digest = hashlib.sha1(f"{thread_id}|{supplier}".encode()).hexdigest()
    return "d-" + digest[:10]


# Automatic notices (booking confirmations, ticket receipts, bounces) often come with a
# subject of their own and no threading headers, so they land in a thread of their own.
# Such a stray notice belongs to the supplier's conversation that was active just
# before it; acknowledgements and bookings follow within days, so beyond this window a
# stray notice is left as it is rather than glued to an old deal.
NOTICE_JOIN_WINDOW = timedelta(days=30)

_Timeline = list[tuple[Message, bool]]  # (message, from the buyer's side), time order


@dataclass
class _Draft:
    thread_id: str
    supplier: str
    timeline: _Timeline
    notice: bool = False  # only the supplier's automatic notices (set once, never changes)


FactsReader = Callable[[list[str]], Mapping[str, MessageFacts]]


def build_deals(
    messages: Sequence[Message],
    threads: Sequence[Thread],
    labels: Mapping[str, Classification],
    parties: Parties,
    facts: Mapping[str, MessageFacts] | None = None,
    *,
    read_facts: FactsReader | None = None,
) -> list[Deal]:
    """One deal per (thread, supplier organisation), sorted by first message date.

    Each deal's messages are in time order. Messages without a classification in
    ``labels`` are left off (they have not been classified yet), as are ``other`` and
    undated ones. A thread holding nothing but a supplier's automatic notices
    (``silence``) joins that supplier's deal that was active just before it.
    ``facts`` adds the amount, currency and high-intent flag per message.
    ``read_facts`` is called once, before any deal is made, with the keys of the
    messages whose facts the deals' figures read (``metrics_deal.fact_keys``); what it
    returns is added like ``facts``. (Reading only those is what keeps a large
    mailbox's report quick: facts not stored yet are read from the whole message.)
    """
    by_key = {m.key: m for m in messages}
    facts = facts or {}
    drafts: list[_Draft] = []
    for thread in threads:
        members = [by_key[k] for k in thread.keys if k in by_key]
        if len(members) > 1:
            members.sort(key=sort_key)
        drafts.extend(_thread_drafts(thread, members, labels, parties))
    drafts = _attach_stray_notices(drafts)
    if read_facts is not None:
        wanted = [key for d in drafts for key in fact_keys(
            [Entry(m.key, m.date, mine, labels[m.key].label) for m, mine in d.timeline])]
        facts = {**facts, **read_facts(wanted)}
    deals = [
        Deal(
            deal_id=deal_id_for(d.thread_id, d.supplier),
            supplier=d.supplier,
            supplier_name=parties.supplier_name(
                d.supplier, _display_name(d.supplier, d.timeline, parties)),
            subject=d.timeline[0][0].subject,
            thread_id=d.thread_id,
            messages=tuple([_deal_message(m, mine, labels[m.key], facts.get(m.key))
                            for m, mine in d.timeline]),
        )
        for d in drafts
    ]
    deals.sort(key=lambda d: (d.messages[0].date, d.deal_id))
    return deals


def deal_index(deals: Sequence[Deal]) -> dict[str, list[str]]:
    """Message key -> ids of the deals it stands in (a buyer RFQ can be in several)."""
    index: dict[str, list[str]] = {}
    for deal in deals:
        deal_id = deal.deal_id
        for dm in deal.messages:
            ids = index.get(dm.key)
            if ids is None:
                index[dm.key] = [deal_id]
            else:
                ids.append(deal_id)
    return index


def _thread_drafts(
    thread: Thread,
    members: list[Message],
    labels: Mapping[str, Classification],
    parties: Parties,
) -> list[_Draft]:
    # supplier key -> the messages of its deal, in the order the deals open (dict order).
    timelines: dict[str, _Timeline] = {}
    for msg in members:
        label = labels.get(msg.key)
        if msg.date is None or label is None or label.label == "other" or msg.sender is None:
            continue
        # From the buyer: every supplier among the recipients; from anyone else: the
        # sender's organisation, none for an ignored one (bank, newsletter).
        from_me, targets = parties.sides(msg)
        if from_me and not targets and not msg.recipients:
            targets = tuple(timelines)  # Bcc to the supplier: the thread says whom
        for supplier in targets:
            timeline = timelines.get(supplier)
            if timeline is None:
                timelines[supplier] = [(msg, from_me)]
            else:
                timeline.append((msg, from_me))
    return [_Draft(thread.thread_id, supplier, tl,
                   all(not mine and labels[m.key].label == "silence" for m, mine in tl))
            for supplier, tl in timelines.items()]


def _date_of(item: tuple[Message, bool]) -> datetime:
    return item[0].date  # type: ignore[return-value]  # drafts hold dated messages only


def _attach_stray_notices(drafts: list[_Draft]) -> list[_Draft]:
    """Move every draft made only of a supplier's ``silence`` messages into the same
    supplier's draft with the latest message before it, within NOTICE_JOIN_WINDOW."""
    def start(draft: _Draft) -> datetime:
        return draft.timeline[0][0].date or datetime.min.replace(tzinfo=UTC)

    kept: list[_Draft] = []
    # The same drafts per supplier that can take a notice (not notices themselves), in
    # the same order: a notice looks only at its own supplier's conversations.
    hosts: dict[str, list[_Draft]] = {}
    for draft in sorted(drafts, key=start):
        when = start(draft)
        host = None
        if draft.notice:
            cutoff = when - NOTICE_JOIN_WINDOW
            for other in hosts.get(draft.supplier, ()):
                if _date_of(other.timeline[-1]) < cutoff:
                    continue  # quiet for longer than the window (a quick test first)
                # Timelines are in time order: the latest message up to ``when``.
                index = bisect.bisect_right(other.timeline, when, key=_date_of)
                if not index:
                    continue
                last = other.timeline[index - 1][0].date
                if when - last <= NOTICE_JOIN_WINDOW and (host is None or last >= host[0]):
                    host = (last, other)
        if host is None:
            kept.append(draft)
            if not draft.notice:
                hosts.setdefault(draft.supplier, []).append(draft)
        else:
            host[1].timeline = sorted([*host[1].timeline, *draft.timeline],
                                      key=lambda item: sort_key(item[0]))
    return kept


def _display_name(supplier: str, timeline: list[tuple[Message, bool]],
                  parties: Parties) -> str:
    """The supplier's first sender's display name, else the name the buyer addressed
    the supplier by, else empty (the caller falls back to the key)."""
    for msg, from_me in timeline:
        if not from_me and msg.sender is not None and msg.sender.name:
            return msg.sender.name
    for msg, from_me in timeline:
        if from_me:
            for addr in msg.recipients:
                if addr.name and parties.supplier_key(addr.addr) == supplier:
                    return addr.name
    return ""


def _deal_message(msg: Message, from_me: bool, label: Classification,
                  fact: MessageFacts | None) -> DealMessage:
    assert msg.date is not None  # undated messages were filtered out before
    # Positional, in DealMessage's field order: this runs for every message on a deal.
    return DealMessage(
        msg.key, msg.date, from_me, label.label, label.confidence, label.source,
        msg.sender.addr if msg.sender else "", msg.subject,
        tuple([a.filename for a in msg.attachments]) if msg.attachments else (),
        fact.amount if fact else None, fact.currency if fact else None,
        fact.high_intent if fact else False)
