"""Threads and message contexts kept in the store, so a report threads only new mail.

Threading 100,000 messages (``threads.build_threads``) and working out their contexts
takes seconds, on every run, while a weekly run adds a few hundred messages. The store
keeps, per message, the first message of its thread, the first message of its
header-linked part (pass 1 of the threading) and its context. New mail is then threaded
against what is kept, exactly as ``build_threads`` would thread everything, when that is
certain to give the same threads:

- every new message is dated, and later than every kept dated message (so every kept
  conversation was threaded before it, in the same order);
- new mail that its headers link to kept mail links to one part only, whose first
  message is dated; a subject it brings that part is on no kept mail, and a supplier
  it brings is on no kept mail of other conversations (either could change which
  conversations joined by subject);
- no kept undated part shares a subject and a supplier with a conversation the new
  mail joins or starts (undated mail is threaded last, into the latest such
  conversation).

Otherwise everything is threaded again and kept anew; so it is when the threading
code, the buyer's addresses or the supplier settings change, and after mail is
forgotten (that can split a thread). Kept contexts are reused as they are: a message's
context depends only on the messages before it in its thread, and new mail comes after
every dated one (the contexts of a changed thread are worked out again all the same).
"""

from __future__ import annotations

import bisect
import hashlib
import sys
from collections.abc import Iterable, Sequence
from datetime import datetime
from pathlib import Path

import tldextract

from inbox_audit import parties as parties_mod
from inbox_audit import threads as threads_mod
from inbox_audit.config import Settings
from inbox_audit.models import Message, MessageContext, Thread
from inbox_audit.parties import Parties
from inbox_audit.store import Store
from inbox_audit.threads import (
    NO_DATE,
    SUBJECT_JOIN_WINDOW,
    Group,
    best_match,
    clean_id,
    date_or_last,
    linking_ids,
    message_contexts,
    normalise_subject,
    sort_key,
    thread_id_for,
    threads_and_parts,
)

Contexts = dict[str, MessageContext]
Row = tuple[str, str, str, str]  # key, thread, part, context (as the store keeps them)


def threading_version(settings: Settings) -> str:
    """Identifies what threads and contexts depend on besides the mail: this code, the
    threading and party code, the buyer's addresses, the supplier merges and ignores,
    and the public suffix list (tldextract's)."""
    digest = hashlib.sha256()
    for module in (threads_mod, parties_mod, sys.modules[__name__]):
        digest.update(Path(module.__file__).read_bytes())
    suppliers = settings.suppliers
    digest.update(repr((
        sorted(a.lower() for a in settings.me),
        sorted(d.lower() for d in settings.my_domains),
        sorted((k, sorted(v)) for k, v in suppliers.merge.items()),
        sorted(suppliers.ignore),
        tldextract.__version__,
    )).encode())
    return digest.hexdigest()[:20]


def kept_threads(store: Store, settings: Settings, messages: Sequence[Message],
                 parties: Parties, *, keep: bool = True) -> tuple[list[Thread], Contexts]:
    """``build_threads(messages)`` and ``message_contexts`` of them, from what the store
    kept for the same messages plus the new ones threaded against it, or made anew (and
    kept, unless ``keep`` is false: a command that only reads the store) when that
    cannot be certain to give the same. ``messages``: every stored message
    (``iter_messages``, light or whole)."""
    version = threading_version(settings)
    kept = store.threading(version)
    done = _extended(messages, kept, parties) if kept else None
    if done is None:
        threads, parts = threads_and_parts(messages, parties)
        contexts = message_contexts(messages, threads, parties)
        if keep:
            # Rows of another version, or of messages no longer stored, go first; else
            # only the rows that changed are written.
            rows = _rows(threads, parts, contexts)
            clear = not kept or len(kept) > len(parts) or not all(k in parts for k in kept)
            if not clear:
                rows = [row for row in rows if kept.get(row[0]) != row[1:]]
            store.save_threading(rows, version, clear=clear)
        return threads, contexts
    threads, contexts, rows = done
    if rows and keep:
        store.save_threading(rows, version, clear=False)
    return threads, contexts


def _rows(threads: Iterable[Thread], parts: dict[str, str], contexts: Contexts,
          ) -> list[Row]:
    return [(key, thread.keys[0], parts[key], _context_text(contexts[key]))
            for thread in threads for key in thread.keys]


def _context_text(ctx: MessageContext) -> str:
    return f"{int(ctx.from_me)}{int(ctx.first_in_thread)}{ctx.supplier or ''}"


def _extended(messages: Sequence[Message], kept: dict[str, tuple[str, str, str]],
              parties: Parties) -> tuple[list[Thread], Contexts, list[Row]] | None:
    """The threads, contexts and rows to keep for the new messages (those ``kept`` has
    no row for), or None when only threading everything again is certain to be right."""
    by_key = {m.key: m for m in messages}
    new = sorted((m for m in messages if m.key not in kept), key=sort_key)
    if len(by_key) != len(messages) or len(kept) + len(new) != len(messages):
        return None  # repeated keys, or rows kept for messages no longer here
    old = sorted((m for m in messages if m.key in kept), key=sort_key)
    newest = next((m.date for m in reversed(old) if m.date is not None), None)
    if any(m.date is None or (newest is not None and m.date <= newest) for m in new):
        return None

    # The old threads as they were, their members in time order.
    members: dict[str, list[Message]] = {}
    for msg in old:
        thread, part, _ = kept[msg.key]
        group = members.get(thread)
        if group is None:
            if thread != msg.key:
                return None  # not what threading gives: its first message opens it
            members[thread] = [msg]
        else:
            group.append(msg)
        if part not in by_key:
            return None

    joined = _join_new(new, old, by_key, kept, members, parties) if new else ({}, {})
    if joined is None:
        return None
    changed, new_parts = joined  # thread (first key) -> all its messages; key -> part
    remade: dict[str, Thread] = {}
    for root, group in changed.items():
        group.sort(key=sort_key)
        remade[root] = Thread(thread_id_for(root), tuple([m.key for m in group]),
                              group[0].subject)
    fresh = list(remade.values())
    # In the order of their first messages, as threading gives them: the old threads
    # are (members follows the time order), and the new ones start after every dated
    # old message, so they go before the old threads that start undated.
    threads: list[Thread] = []
    started = sorted((t for root, t in remade.items() if root not in members),
                     key=lambda t: sort_key(by_key[t.keys[0]]))
    for root, group in members.items():
        if started and group[0].date is None:
            threads.extend(started)
            started = []
        thread = remade.get(root)
        threads.append(thread if thread is not None else Thread(
            thread_id_for(root), tuple([m.key for m in group]), group[0].subject))
    threads.extend(started)

    shared: dict[str, MessageContext] = {}
    contexts: Contexts = {}
    for key, (_, _, text) in kept.items():
        ctx = shared.get(text)
        if ctx is None:
            ctx = shared[text] = MessageContext(text[0] == "1", text[1] == "1",
                                                text[2:] or None)
        contexts[key] = ctx
    redone = message_contexts([by_key[k] for t in fresh for k in t.keys], fresh, parties)
    rows: list[Row] = []
    for thread in fresh:
        for key in thread.keys:
            ctx = redone[key]
            text = _context_text(ctx)
            if key in kept and kept[key][2] == text:
                continue  # unchanged (an older message of a thread the new mail joins)
            contexts[key] = ctx
            part = new_parts[key] if key in new_parts else kept[key][1]
            rows.append((key, thread.keys[0], part, text))
    return threads, contexts, rows


def _join_new(new: list[Message], old: list[Message], by_key: dict[str, Message],
              kept: dict[str, tuple[str, str, str]], members: dict[str, list[Message]],
              parties: Parties) -> tuple[dict[str, list[Message]], dict[str, str]] | None:
    """Put the new messages in threads as ``threads_and_parts`` would: returns the
    threads that change (old ones with their new mail, and new ones), keyed by their
    first message, and each new message's part; None when that is not certain."""
    sides = parties.sides
    # Pass 1 among the new messages: union-find over their ids.
    parent: dict[str, str] = {}

    def find(item: str) -> str:
        while (up := parent.setdefault(item, item)) != item:
            parent[item] = parent.setdefault(up, up)
            item = up
        return item

    nodes_of = {m.key: linking_ids(m) for m in new}
    for nodes in nodes_of.values():
        root = find(nodes[0])
        for node in nodes[1:]:
            other = find(node)
            if other != root:
                parent[other] = root
    # Which kept part carries each id the new mail names (every message naming an id
    # is in the same part, so any one of them tells).
    wanted = set(parent)
    linked: dict[str, str] = {}
    for msg in old:
        if msg.key in wanted:
            linked[msg.key] = kept[msg.key][1]
        if msg.message_id and (node := clean_id(msg.message_id)) in wanted:
            linked[node] = kept[msg.key][1]
        for value in (*msg.in_reply_to, *msg.references):
            node = value.strip().strip("<>").strip()  # clean_id, inlined: 300k calls
            if node in wanted:
                linked[node] = kept[msg.key][1]
    components: dict[str, list[Message]] = {}
    for msg in new:  # in time order: so are the components, by their first message
        components.setdefault(find(msg.key), []).append(msg)

    changed: dict[str, list[Message]] = {}
    new_parts: dict[str, str] = {}
    unlinked: list[list[Message]] = []
    more_subjects: dict[str, tuple] = {}  # new to a part -> the earliest such part's start
    more_suppliers: dict[str, set[str]] = {}  # supplier -> threads it is new to a part of
    for component in components.values():
        touched = {linked[n] for m in component for n in nodes_of[m.key] if n in linked}
        if not touched:
            unlinked.append(component)
            continue
        if len(touched) > 1:
            return None  # new mail joins kept parts together
        part = touched.pop()
        if by_key[part].date is None:
            return None  # an undated part would start with the new mail
        thread = kept[part][0]
        in_part = [m for m in members[thread] if kept[m.key][1] == part]
        for subject in _subjects(component) - _subjects(in_part):
            start = sort_key(by_key[part])
            more_subjects[subject] = min(start, more_subjects.get(subject, start))
        had = {s for m in in_part for s in sides(m)[1]}
        for supplier in {s for m in component for s in sides(m)[1]} - had:
            more_suppliers.setdefault(supplier, set()).add(thread)
        changed.setdefault(thread, list(members[thread])).extend(component)
        new_parts.update((m.key, part) for m in component)
    if (more_subjects or more_suppliers) and not _kept_mail_unmoved(
            old, kept, more_subjects, more_suppliers, sides):
        return None

    # Only conversations active within the window before the first new one can take
    # in new mail by subject.
    since = unlinked[0][0].date - SUBJECT_JOIN_WINDOW if unlinked else None
    index = _SubjectIndex(old, by_key, kept, members, changed, sides, since)
    started: dict[str, Group] = {}  # new conversations, by their first key
    joined: dict[str, list[Message]] = {}  # old thread -> new mail joined by subject
    for component in unlinked:
        root = component[0]
        subject = normalise_subject(root.subject)
        suppliers = {s for m in component for s in sides(m)[1]}
        subjects = {normalise_subject(m.subject) for m in component} - {""}
        target = None
        if subject and suppliers:
            target = best_match(index.groups(subject), suppliers, root.date)
        if target is None:
            target = started[root.key] = Group()
        elif target.messages[0].key in members:
            joined.setdefault(target.messages[0].key, []).extend(component)
        target.add(component, subjects, suppliers)
        index.register(target, subjects)
        new_parts.update((m.key, root.key) for m in component)
    for thread, mail in joined.items():
        changed.setdefault(thread, list(members[thread])).extend(mail)
    for root_key, group in started.items():
        changed[root_key] = list(group.messages)
    if _undated_may_move(old, by_key, kept, changed.values(), sides):
        return None
    return changed, new_parts


def _undated_may_move(old: list[Message], by_key: dict[str, Message],
                      kept: dict[str, tuple[str, str, str]],
                      changed: Iterable[list[Message]], sides) -> bool:
    """Whether a kept undated part could now join another conversation: it is threaded
    last, into the latest conversation with its subject and one of its suppliers, and
    the new mail makes conversations later, or new, or gives them subjects and
    suppliers."""
    undated: dict[str, tuple[str, set[str]]] = {}  # part -> (its subject, its suppliers)
    # Undated mail comes last in time order; an undated part has only undated mail.
    for msg in old[bisect.bisect_left(old, NO_DATE, key=date_or_last):]:
        part = kept[msg.key][1]
        if by_key[part].date is None:
            _, suppliers = undated.setdefault(
                part, (normalise_subject(by_key[part].subject), set()))
            suppliers.update(sides(msg)[1])
    if not undated:
        return False
    wanted = {subject for subject, _ in undated.values() if subject}
    for group in changed:
        subjects = _subjects(group) & wanted
        if subjects:
            suppliers = {s for m in group for s in sides(m)[1]}
            if any(subject in subjects and not suppliers.isdisjoint(theirs)
                   for subject, theirs in undated.values()):
                return True
    return False


def _kept_mail_unmoved(old: list[Message], kept: dict[str, tuple[str, str, str]],
                       subjects: dict[str, tuple], suppliers: dict[str, set[str]],
                       sides) -> bool:
    """Whether the kept threads stay as they are when new mail gives kept parts
    ``subjects`` (each with the start of the earliest such part) and ``suppliers`` (each
    with the threads of those parts) they did not have: an acknowledgement with a
    ticket number, a quote request forwarded to another dealer. The parts are threaded
    with them, from their start: they can change a conversation only when a kept part
    that starts later opens with such a subject (it may join the part's conversation
    by subject), or kept mail of another conversation has such a supplier (the part
    may join that mail's conversation, or that mail the part's)."""
    if subjects:
        earliest = min(subjects.values())
        for msg in old[bisect.bisect_right(old, earliest, key=sort_key):]:
            if kept[msg.key][1] == msg.key:
                start = subjects.get(normalise_subject(msg.subject))
                if start is not None and sort_key(msg) > start:
                    return False
    if not suppliers:
        return True
    for msg in old:
        for supplier in sides(msg)[1]:
            threads = suppliers.get(supplier)
            if threads is not None and kept[msg.key][0] not in threads:
                return False
    return True


def _subjects(group: list[Message]) -> set[str]:
    return {normalise_subject(m.subject) for m in group} - {""}


class _SubjectIndex:
    """The old threads by the subjects they were listed under when the new mail came
    (only their dated parts count: undated parts join last), made into ``Group``\\ s
    only when a new conversation may join them."""

    def __init__(self, old: list[Message], by_key: dict[str, Message],
                 kept: dict[str, tuple[str, str, str]], members: dict[str, list[Message]],
                 changed: dict[str, list[Message]], sides, since: datetime | None) -> None:
        self._by_key, self._kept, self._sides = by_key, kept, sides
        self._since = since
        # Old threads with the new mail their headers brought (its dates count).
        self._members = {**members, **changed}
        self._changed = changed
        self._threads: dict[str, set[str]] | None = None
        self._old = old
        self._made: dict[str, Group] = {}
        self._new: dict[str, list[Group]] = {}

    def groups(self, subject: str) -> list[Group]:
        if self._threads is None:
            self._threads = {}
            old = self._old
            first = bisect.bisect_left(old, self._since, key=date_or_last)
            recent = {self._kept[m.key][0] for m in old[first:] if m.date is not None}
            for thread in recent | set(self._changed):
                for msg in self._members[thread]:
                    if (msg.key not in self._kept or self._dated_part(msg)) and (
                            subject_of := normalise_subject(msg.subject)):
                        self._threads.setdefault(subject_of, set()).add(thread)
        found = [self._group(t) for t in sorted(self._threads.get(subject, ()))]
        return found + [g for g in self._new.get(subject, ()) if g not in found]

    def register(self, group: Group, subjects: set[str]) -> None:
        for subject in subjects:
            listed = self._new.setdefault(subject, [])
            if group not in listed:
                listed.append(group)

    def _dated_part(self, msg: Message) -> bool:
        return self._by_key[self._kept[msg.key][1]].date is not None

    def _group(self, thread: str) -> Group:
        group = self._made.get(thread)
        if group is None:
            group = self._made[thread] = Group()
            # Header-linked new mail is in a dated part: its subjects and suppliers
            # count from the part's start, long before any new conversation.
            listed = [m for m in self._members[thread] if m.key not in self._kept
                      or self._dated_part(m)]
            group.messages = list(self._members[thread])
            group.subjects = {normalise_subject(m.subject) for m in listed} - {""}
            group.suppliers = {s for m in listed for s in self._sides(m)[1]}
            group.dates = sorted([m.date for m in listed if m.date is not None])
            group.last = group.dates[-1] if group.dates else None
            group.parts = 1
        return group
