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

import dataclasses
import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from inbox_audit.models import (
    Classification,
    Deal,
    DealMessage,
    Message,
    MessageFacts,
    Thread,
)
from inbox_audit.parties import Parties
from inbox_audit.threads import PartyMemo, sort_key


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


def build_deals(
    messages: Sequence[Message],
    threads: Sequence[Thread],
    labels: Mapping[str, Classification],
    parties: Parties,
    facts: Mapping[str, MessageFacts] | None = None,
) -> list[Deal]:
    """One deal per (thread, supplier organisation), sorted by first message date.

    Each deal's messages are in time order. Messages without a classification in
    ``labels`` are left off (they have not been classified yet), as are ``other`` and
    undated ones. A thread holding nothing but a supplier's automatic notices
    (``silence``) joins that supplier's deal that was active just before it.
    ``facts`` adds the amount, currency and high-intent flag per message.
    """
    parties = PartyMemo(parties)
    by_key = {m.key: m for m in messages}
    facts = facts or {}
    drafts: list[_Draft] = []
    for thread in threads:
        members = sorted((by_key[k] for k in thread.keys if k in by_key), key=sort_key)
        drafts.extend(_thread_drafts(thread, members, labels, parties))
    drafts = _attach_stray_notices(drafts, labels)
    deals = [
        Deal(
            deal_id=deal_id_for(d.thread_id, d.supplier),
            supplier=d.supplier,
            supplier_name=parties.supplier_name(
                d.supplier, _display_name(d.supplier, d.timeline, parties)),
            subject=d.timeline[0][0].subject,
            thread_id=d.thread_id,
            messages=tuple(_deal_message(m, mine, labels[m.key], facts.get(m.key))
                           for m, mine in d.timeline),
        )
        for d in drafts
    ]
    deals.sort(key=lambda d: (d.messages[0].date, d.deal_id))
    return deals


def with_facts(deals: Sequence[Deal], facts: Mapping[str, MessageFacts]) -> list[Deal]:
    """``deals`` with the amount, currency and intent of the messages in ``facts`` (what
    ``build_deals`` does with its ``facts``, for facts read after the deals were
    built)."""
    out = []
    for deal in deals:
        if any(dm.key in facts for dm in deal.messages):
            deal = dataclasses.replace(deal, messages=tuple(
                _with_fact(dm, facts[dm.key]) if dm.key in facts else dm
                for dm in deal.messages))
        out.append(deal)
    return out


def _with_fact(dm: DealMessage, fact: MessageFacts) -> DealMessage:
    return dataclasses.replace(dm, amount=fact.amount, currency=fact.currency,
                               high_intent=fact.high_intent)


def deal_index(deals: Sequence[Deal]) -> dict[str, list[str]]:
    """Message key -> ids of the deals it stands in (a buyer RFQ can be in several)."""
    index: dict[str, list[str]] = {}
    for deal in deals:
        for dm in deal.messages:
            index.setdefault(dm.key, []).append(deal.deal_id)
    return index


def _thread_drafts(
    thread: Thread,
    members: list[Message],
    labels: Mapping[str, Classification],
    parties: PartyMemo,
) -> list[_Draft]:
    # supplier key -> the messages of its deal, in the order the deals open (dict order).
    timelines: dict[str, _Timeline] = {}
    for msg in members:
        label = labels.get(msg.key)
        if msg.date is None or label is None or label.label == "other" or msg.sender is None:
            continue
        from_me = parties.is_me(msg.sender.addr)
        if from_me:
            targets = parties.counterparties(msg)
            if not targets and not msg.recipients:
                targets = list(timelines)  # Bcc to the supplier: the thread says whom
        else:
            key = parties.supplier_key(msg.sender.addr)
            # An ignored correspondent (bank, newsletter) speaking in a thread is no deal.
            targets = [key] if key else []
        for supplier in targets:
            timelines.setdefault(supplier, []).append((msg, from_me))
    return [_Draft(thread.thread_id, supplier, tl) for supplier, tl in timelines.items()]


def _attach_stray_notices(drafts: list[_Draft],
                          labels: Mapping[str, Classification]) -> list[_Draft]:
    """Move every draft made only of a supplier's ``silence`` messages into the same
    supplier's draft with the latest message before it, within NOTICE_JOIN_WINDOW."""
    def is_notice(draft: _Draft) -> bool:
        return all(not mine and labels[m.key].label == "silence" for m, mine in draft.timeline)

    def start(draft: _Draft) -> datetime:
        return draft.timeline[0][0].date or datetime.min.replace(tzinfo=UTC)

    kept: list[_Draft] = []
    # The same drafts per supplier, in the same order: a notice looks only at its own
    # supplier's conversations, not at every deal of the mailbox.
    by_supplier: dict[str, list[_Draft]] = {}
    for draft in sorted(drafts, key=start):
        when = start(draft)
        host = None
        if is_notice(draft):
            for other in by_supplier.get(draft.supplier, ()):
                if is_notice(other):
                    continue
                before = [m.date for m, _ in other.timeline if m.date and m.date <= when]
                if before and when - max(before) <= NOTICE_JOIN_WINDOW and (
                        host is None or max(before) >= host[0]):
                    host = (max(before), other)
        if host is None:
            kept.append(draft)
            by_supplier.setdefault(draft.supplier, []).append(draft)
        else:
            host[1].timeline = sorted([*host[1].timeline, *draft.timeline],
                                      key=lambda item: sort_key(item[0]))
    return kept


def _display_name(supplier: str, timeline: list[tuple[Message, bool]],
                  parties: PartyMemo) -> str:
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
    return DealMessage(
        key=msg.key,
        date=msg.date,
        from_me=from_me,
        label=label.label,
        confidence=label.confidence,
        source=label.source,
        sender=msg.sender.addr if msg.sender else "",
        subject=msg.subject,
        attachments=tuple(a.filename for a in msg.attachments),
        amount=fact.amount if fact else None,
        currency=fact.currency if fact else None,
        high_intent=fact.high_intent if fact else False,
    )
