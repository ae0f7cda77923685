"""The evidence the classifier's stages read, computed once per message.

The new text (history and signature cut off), its language, the cue matches on it, on
the signature and on the attachment text, attachment names, the sender, the amount and
the intent cues: everything :mod:`inbox_audit.classify` decides on, and everything
:func:`~inbox_audit.classify.facts.message_facts` reports.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Any, NamedTuple

from inbox_audit.classify.facts import largest_amount
from inbox_audit.classify.rules import CUE_GROUPS, Match, Rules, find_cues
from inbox_audit.classify.text import detect_language, is_reply_subject, match_text, split_new_text
from inbox_audit.models import Message, MessageContext, MessageFacts

# Signatures say "on Wednesdays I am not in": below the greeting, cues count half.
_SIGNATURE_FACTOR = 0.5
# Cue matching costs time per character; what a message is about shows in its first
# pages (an offer's PDF names itself at the top). Amounts still read the whole text.
_BODY_CHARS = 10_000
_ATTACHMENT_CHARS = 4_000


@dataclass(frozen=True, slots=True)
class Evidence:
    """Everything the stages may look at for one message, computed once."""

    msg: Message
    ctx: MessageContext
    rules: Rules
    body: str  # new text only (no history, no signature)
    language: str | None
    matches: tuple[Match, ...]  # every cue group on own subject + body
    tail: tuple[Match, ...]  # silence/other cues on the signature
    attachment_matches: tuple[Match, ...]  # quote/other cues in attachment text
    quote_attachments: tuple[str, ...]
    other_attachments: tuple[str, ...]
    noreply: bool
    amount: Decimal | None
    is_reply: bool
    currency: str | None = None  # of ``amount``
    high_intent: bool = False  # asks for a test drive, demo, visit, trial (facts.py)

    @classmethod
    def build(cls, msg: Message, ctx: MessageContext, rules: Rules) -> Evidence:
        """The evidence of ``msg`` in its place ``ctx``."""
        return cls.placed(prepare(msg, rules), ctx)

    @classmethod
    def placed(cls, found: Prepared, ctx: MessageContext) -> Evidence:
        """The evidence of a prepared message (see :func:`prepare`) in its place."""
        return cls(msg=found.msg, ctx=ctx, is_reply=not ctx.first_in_thread or found.reply,
                   **found.fields)

    def facts(self) -> MessageFacts:
        """What :func:`message_facts` gives for this message (and these rules)."""
        return MessageFacts(self.msg.key, self.amount, self.currency, self.high_intent)

    def found(self, group: str, tail: bool = False) -> list[Match]:
        """Matches of ``group`` in the new text (and the signature), heaviest first."""
        found = [m for m in self.matches if m.group == group]
        if tail:
            found += [m for m in self.tail if m.group == group]
        return sorted(found, key=lambda m: -m.weight)

    def in_attachments(self, group: str) -> list[Match]:
        """Matches of ``group`` in the attachment text, heaviest first."""
        return sorted((m for m in self.attachment_matches if m.group == group),
                      key=lambda m: -m.weight)


class Prepared(NamedTuple):
    """What the evidence of a message is before its place in a thread is known: all of
    it but the context. A worker prepares messages while the threads are still being
    built (the expensive part of classifying), and places them once they are."""

    msg: Message
    reply: bool  # reply headers or a reply subject
    fields: dict[str, Any]


def prepare(msg: Message, rules: Rules) -> Prepared:
    """Everything :class:`Evidence` holds about ``msg`` that does not depend on its
    context."""
    body, signature = split_new_text(msg.text, rules)
    own_subject = "" if is_reply_subject(msg.subject, rules) else msg.subject
    text = match_text(own_subject + "\n" + body[:_BODY_CHARS])
    language = detect_language(text, rules)
    common = rules.common
    names = [a.filename for a in msg.attachments if a.filename]
    sender = msg.sender.addr if msg.sender else ""
    amount, currency = largest_amount(body + "\n" + msg.attachment_text)
    attachment_text = match_text(msg.attachment_text[:_ATTACHMENT_CHARS])
    seen: set[str] = set()
    matches = tuple(find_cues(text, rules, CUE_GROUPS, prefer=language, seen=seen))
    # message_facts reads the intent cues on the whole new text; this text is that but
    # for the cut of very long ones.
    intent = ("high_intent" in seen if len(body) <= _BODY_CHARS
              else bool(find_cues(match_text(own_subject + "\n" + body), rules,
                                  ("high_intent",))))
    return Prepared(msg, bool(msg.in_reply_to or msg.references)
                    or is_reply_subject(msg.subject, rules), dict(
        rules=rules, body=body, language=language, matches=matches,
        tail=_signature_cues(signature, rules, language),
        attachment_matches=tuple(find_cues(attachment_text, rules, ("quote", "other"),
                                           prefer=language)),
        quote_attachments=tuple(n for n in names
                                if any(p.search(n) for p in common.quote_attachments)),
        other_attachments=tuple(n for n in names
                                if any(p.search(n) for p in common.other_attachments)),
        noreply=any(p.search(sender) for p in common.noreply_senders),
        amount=amount, currency=currency, high_intent=intent,
    ))


def _signature_cues(signature: str, rules: Rules, language: str | None) -> tuple[Match, ...]:
    """Silence and other cues of a signature, weighing ``_SIGNATURE_FACTOR`` as much."""
    if not signature:
        return ()
    key = (signature, language, rules.digest)
    found = _SIGNATURES.get(key)
    if found is None:
        if len(_SIGNATURES) >= _MAX_SIGNATURES:
            _SIGNATURES.clear()
        found = _SIGNATURES[key] = tuple(
            replace(m, weight=m.weight * _SIGNATURE_FACTOR) for m in find_cues(
                match_text(signature[:_BODY_CHARS]), rules, ("silence", "other"),
                prefer=language))
    return found


# A sender signs every mail the same way: each distinct signature's cues are looked up
# once per process (Match records are immutable, so they are shared).
_SIGNATURES: dict[tuple[str, str | None, str], tuple[Match, ...]] = {}
_MAX_SIGNATURES = 20_000
