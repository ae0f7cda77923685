"""Threading (SPEC §5): which messages belong to one conversation.

Two passes, in the spirit of JWZ threading:

1. **Headers.** Message-ID, In-Reply-To and References are joined with union-find over
   ids. A message joins the thread of every id it names, even when that message is not
   in the store: two replies to the same missing request still share a thread.
2. **Subject + supplier.** A conversation that the headers could not attach to anything
   earlier (mail clients that drop In-Reply-To, replies typed as new mails, a chase sent
   as a fresh mail) joins an earlier thread with the same normalised subject that
   involves the same supplier organisation and was active within
   ``SUBJECT_JOIN_WINDOW``. Later than that, the same subject starts a new thread.

Thread ids are derived from the root message's key, so they are stable across runs and
independent of the order in which messages are handed in.
"""

from __future__ import annotations

import bisect
import functools
import hashlib
import re
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime, timedelta

from inbox_audit.models import Message, MessageContext, Thread
from inbox_audit.parties import Parties

# A same-subject mail to the same supplier joins the earlier conversation only when that
# conversation saw a message within this window. Buyers reuse subjects ("Offerte",
# "Prijsaanvraag bestelwagen") for new purchases months apart; two months covers a slow
# quote-and-chase cycle (SLA 5 working days, chases weeks later) without gluing next
# season's request onto last season's deal.
SUBJECT_JOIN_WINDOW = timedelta(days=60)

# Reply and forward prefixes, nl/en/fr/de/es/it/nordic, matched case-insensitively before a
# colon (optionally "." and/or a counter like "[2]" or "(3)" and spaces first):
# "Re:", "RE :", "Re[2]:", "Antw.:", "AW:", "Fwd:", "TR:", "WG:", "Doorst:", "RV:", "SV:".
REPLY_PREFIXES: tuple[str, ...] = (
    "re", "aw", "antw", "antwoord", "ant", "fw", "fwd", "tr", "wg", "doorst",
    "doorgestuurd", "rv", "réf", "ref", "sv", "vs", "vb", "rif", "r", "res", "enc",
)
# Gateway tags that mail servers put in front of external mail: "[EXT]", "*EXTERNAL*",
# "(extern)". Matched only in brackets, asterisks or parentheses, or before a colon.
EXTERNAL_TAGS: tuple[str, ...] = (
    "ext", "external", "extern", "externe", "externo", "externer absender",
    "external sender", "external email", "external mail",
)

_COUNTER = r"(?:\s*[\[(]\s*\d+\s*[\])])?"
_PREFIX_RE = re.compile(
    r"^\s*(?:" + "|".join(re.escape(p) for p in REPLY_PREFIXES) + r")\.?"
    + _COUNTER + r"\s*[:：]",
    re.IGNORECASE,
)
# "Réf." is also written without a colon ("Réf. Offre 123"): strip it with its dot.
_REF_DOT_RE = re.compile(r"^\s*r[ée]f\.\s*", re.IGNORECASE)
_TAGS = "|".join(re.escape(t).replace(r"\ ", r"\s+") for t in EXTERNAL_TAGS)
_TAG_RE = re.compile(
    r"^\s*(?:\[\s*(?:" + _TAGS + r")\s*\]|\*\s*(?:" + _TAGS + r")\s*\*"
    r"|\(\s*(?:" + _TAGS + r")\s*\)|(?:" + _TAGS + r")\s*:)\s*:?",
    re.IGNORECASE,
)
_SPACE_RE = re.compile(r"\s+")

# Sorts undated messages after every dated one.
NO_DATE = datetime.max.replace(tzinfo=UTC)


@functools.lru_cache(maxsize=65_536)  # subjects recur: "Re: Offerte" thousands of times
def normalise_subject(subject: str) -> str:
    """The subject without reply/forward prefixes and gateway tags, repeated and mixed
    ("[EXT] Re: Fwd: AW: Offerte" -> "offerte"), whitespace collapsed, case-folded."""
    text = _SPACE_RE.sub(" ", subject or "").strip()
    while True:
        stripped = _PREFIX_RE.sub("", text, count=1)
        stripped = _TAG_RE.sub("", stripped, count=1)
        stripped = _REF_DOT_RE.sub("", stripped, count=1).strip()
        if stripped == text:
            break
        text = stripped
    return text.casefold()


def sort_key(msg: Message) -> tuple[datetime, str]:
    """Time order with undated messages last; the key breaks ties so order is stable."""
    return (msg.date or NO_DATE, msg.key)


def date_or_last(msg: Message) -> datetime:
    """``sort_key`` without the key: the date, undated messages after every date."""
    return msg.date or NO_DATE


def linking_ids(msg: Message) -> list[str]:
    """The ids pass 1 joins ``msg`` to other mail by (``_link_by_headers``, which spells
    the same out for speed): its key, its Message-ID cleaned (even when nothing is left
    of it) and every non-empty id it names."""
    ids = [msg.key]
    if msg.message_id:
        ids.append(clean_id(msg.message_id))
    ids.extend(ref for ref in map(clean_id, (*msg.in_reply_to, *msg.references)) if ref)
    return ids


def build_threads(messages: Sequence[Message], parties: Parties) -> list[Thread]:
    """Group ``messages`` into threads; every message lands in exactly one.

    Returns threads ordered by their first message; each thread's ``keys`` are in time
    order (undated last) and its ``subject`` is the first message's subject.
    """
    return threads_and_parts(messages, parties)[0]


def threads_and_parts(messages: Sequence[Message],
                      parties: Parties) -> tuple[list[Thread], dict[str, str]]:
    """``build_threads``, and per message key the key of the first message of its
    header-linked part (pass 1's component): what ``kept_threads`` stores to thread
    new mail against the old without threading everything again."""
    unique = _unique_by_key(messages)
    components = _link_by_headers(unique)
    parts = {m.key: component[0].key for component in components for m in component}
    groups = _join_by_subject(components, parties)
    threads = []
    for group in groups:
        # One component is already in time order; merged ones are sorted again.
        members = group.messages if group.parts == 1 else sorted(group.messages, key=sort_key)
        root = members[0]
        threads.append(Thread(
            thread_id=thread_id_for(root.key),
            keys=tuple([m.key for m in members]),
            subject=root.subject,
        ))
    return threads, parts


def thread_id_for(root_key: str) -> str:
    """Stable id of the thread whose first message has ``root_key``."""
    return "t-" + hashlib.sha1(root_key.encode("utf-8")).hexdigest()[:12]


def message_contexts(
    messages: Sequence[Message], threads: Sequence[Thread], parties: Parties
) -> dict[str, MessageContext]:
    """Per message key: whether the buyer's side sent it, whether it opens a
    conversation, and the organisation key of the other party (the first one, None when
    unknown).

    ``first_in_thread`` is True for the first message of a thread, and also for a buyer
    message that brings only suppliers new to the thread (an RFQ forwarded to another
    dealer): a deal is the conversation with one supplier, and that mail opens it.
    """
    by_key = {m.key: m for m in messages}
    sides = parties.sides
    opening: set[str] = set()
    for thread in threads:
        if len(thread.keys) == 1:
            if thread.keys[0] in by_key:
                opening.add(thread.keys[0])
            continue
        seen: set[str] = set()
        for index, key in enumerate(thread.keys):
            msg = by_key.get(key)
            if msg is None:
                continue
            from_me, suppliers = sides(msg)
            if index == 0 or (suppliers and from_me and seen.isdisjoint(suppliers)):
                opening.add(key)
            seen.update(suppliers)
    # The contexts are immutable and take few distinct values: one instance per value.
    shared: dict[tuple[bool, bool, str | None], MessageContext] = {}
    contexts: dict[str, MessageContext] = {}
    for msg in messages:
        from_me, suppliers = sides(msg)
        value = (from_me, msg.key in opening, suppliers[0] if suppliers else None)
        context = shared.get(value)
        if context is None:
            context = shared[value] = MessageContext(*value)
        contexts[msg.key] = context
    return contexts


# --- pass 1: headers -------------------------------------------------------------------

def _unique_by_key(messages: Iterable[Message]) -> list[Message]:
    # The same mail can reach us twice (INBOX and a copy in Sent); one key, one message.
    seen: dict[str, Message] = {}
    for msg in sorted(messages, key=sort_key):
        seen.setdefault(msg.key, msg)
    return list(seen.values())


def clean_id(value: str) -> str:
    return value.strip().strip("<>").strip()


def _link_by_headers(messages: list[Message]) -> list[list[Message]]:
    """Connected components of messages linked by their ids, in time order of roots."""
    # Union-find over ids with path halving. A key is the Message-ID without brackets,
    # so keys and referenced ids share one namespace; a ``sha256:`` key (mail without
    # Message-ID) is simply never referenced. Which id ends up a root does not matter:
    # only the components are used, and those are the same whatever the union order.
    parent: dict[str, str] = {}

    def find(item: str) -> str:
        up = parent.get(item)
        if up is None:
            parent[item] = item
            return item
        while up != item:
            # Path halving, iteratively: long reply chains must not hit recursion limits.
            grand = parent[up]
            parent[item] = grand
            item, up = grand, parent[grand]
        return item

    for msg in messages:
        root = parent.get(msg.key)
        if root is None:
            root = parent[msg.key] = msg.key
        elif root != msg.key:
            root = find(msg.key)
        if msg.message_id:
            # Joined even when nothing is left of it once cleaned.
            other = find(clean_id(msg.message_id))
            if other != root:
                parent[other] = root
        for value in (*msg.in_reply_to, *msg.references):
            ref = value.strip().strip("<>").strip()  # clean_id, inlined: 300k calls
            if not ref:
                continue
            # find(), inlined for the usual answers: an id seen for the first time, or
            # one that is its own root.
            other = parent.get(ref)
            if other is None:
                parent[ref] = root
                continue
            if other != ref:
                other = find(ref)
            if other != root:
                parent[other] = root
    components: dict[str, list[Message]] = {}
    for msg in messages:  # in time order: so are the components, by their first message
        root = find(msg.key)
        members = components.get(root)
        if members is None:
            components[root] = [msg]
        else:
            members.append(msg)
    return list(components.values())


# --- pass 2: subject + supplier --------------------------------------------------------

class Group:
    """One thread in the making: its messages, their normalised subjects, suppliers and
    dates (sorted, for the window checks; ``last`` is the latest, None when undated)."""

    __slots__ = ("dates", "last", "messages", "parts", "subjects", "suppliers")

    def __init__(self) -> None:
        self.messages: list[Message] = []
        self.subjects: set[str] = set()
        self.suppliers: set[str] = set()
        self.dates: list[datetime] = []
        self.last: datetime | None = None
        self.parts = 0  # header-linked components merged into it

    def add(self, msgs: list[Message], subjects: set[str], suppliers: set[str]) -> None:
        """Take in a component, with its normalised subjects (none empty) and suppliers."""
        self.messages.extend(msgs)
        self.parts += 1
        self.subjects |= subjects
        self.suppliers |= suppliers
        # A component is in time order, undated last: its dates come sorted.
        dates = [m.date for m in msgs if m.date is not None]
        if not dates:
            return
        if not self.dates:
            self.dates = dates
        elif dates[0] >= self.dates[-1]:
            self.dates.extend(dates)  # all later: still sorted
        else:
            self.dates = sorted(self.dates + dates)
        self.last = self.dates[-1]

    def last_date_before(self, when: datetime) -> datetime | None:
        index = bisect.bisect_right(self.dates, when)
        return self.dates[index - 1] if index else None


def _join_by_subject(components: list[list[Message]], parties: Parties) -> list[Group]:
    """Merge each header-linked component into an earlier thread with the same
    normalised subject and a shared supplier, when that thread is recent enough.

    Components are closed under their headers, so every component is a conversation the
    headers could not attach to anything earlier (no headers at all, or headers naming
    only mail we do not have) and is a candidate whatever its subject prefix says: a
    buyer's fresh mail with the same subject to the same supplier within the window is
    read as a chase in the same conversation, not as a new one.
    """
    sides = parties.sides
    groups: list[Group] = []
    by_subject: dict[str, list[Group]] = {}
    # The same groups minus those that fell out of the window. Components come in time
    # order (undated ones last), so a group quiet for longer than the window before one
    # component stays out of reach for later dated ones until it takes in more mail
    # (then it is listed again): dropping it keeps the search short when a subject
    # ("Offerte") recurs over years of mail, and gives the same answer as searching
    # every group of the subject. That sameness is what lets new mail be threaded
    # against the kept threads (kept_threads).
    recent: dict[str, dict[Group, None]] = {}
    for component in components:
        root = component[0]
        subject = normalise_subject(root.subject)
        if len(component) == 1:
            suppliers = set(sides(root)[1])
            subjects = {subject} if subject else set()
        else:
            suppliers = {s for m in component for s in sides(m)[1]}
            subjects = {normalise_subject(m.subject) for m in component}
            subjects.discard("")
        target = None
        if subject and suppliers:
            if root.date is None:
                target = best_match(by_subject.get(subject, []), suppliers, None)
            elif subject in recent:
                since = root.date - SUBJECT_JOIN_WINDOW
                live = recent[subject] = {g: None for g in recent[subject]
                                          if g.last is not None and g.last >= since}
                target = best_match(live, suppliers, root.date)
        if target is None:
            target = Group()
            groups.append(target)
        fresh = subjects - target.subjects
        last = target.last
        target.add(component, subjects, suppliers)
        for new_subject in fresh:
            by_subject.setdefault(new_subject, []).append(target)
        # Listed again under every subject it was dropped from when it got later mail.
        for new_subject in (target.subjects if target.last != last else fresh):
            recent.setdefault(new_subject, {})[target] = None
    return groups


def best_match(
    candidates: Iterable[Group], suppliers: set[str], when: datetime | None
) -> Group | None:
    """The most recently active candidate sharing a supplier, within the window."""
    best: tuple[datetime, Group] | None = None
    since = when - SUBJECT_JOIN_WINDOW if when is not None else None
    for group in candidates:
        if suppliers.isdisjoint(group.suppliers):
            continue
        if since is None:
            # Undated mail cannot be checked against the window; the most recent matching
            # conversation is the best guess (it stays off the clock anyway).
            last = group.last or datetime.min.replace(tzinfo=UTC)
        else:
            # Active within the window before ``when``: a reply that came later (joined
            # by headers) does not make a quiet conversation recent.
            last = group.last_date_before(when)
            if last is None or last < since:
                continue
        if best is None or last > best[0] or (
                # A tie goes to the conversation that started first, whatever order
                # the candidates come in.
                last == best[0] and sort_key(group.messages[0]) < sort_key(best[1].messages[0])):
            best = (last, group)
    return best[1] if best else None
