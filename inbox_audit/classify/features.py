"""What the trained model reads: the new text, lower-cased, plus marker tokens.

A bag-of-words model only sees tokens, so everything the rules and the headers know is
written into the text as one extra word each: ``featfromme`` (the buyer's side wrote
it), ``featfirst`` (it opens a conversation), ``featquoteattach`` (a PDF named like an
offer), ``featamount`` (a currency amount), ``featlangnl``, ``featcuequotestrong`` (a
strong quote cue fired), ``featrulequote`` (the rule stage's verdict), ``feathdrother``
(a bulk header) and so on. Markers are plain letters because blank tokenizers split on
underscores and punctuation; they are long and odd enough never to occur in mail.
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from inbox_audit.classify import Evidence, Verdict

# The model reads this much of the new text: what a message is about shows early, and
# tokenizing long PDFs or newsletters would cost time for nothing.
TEXT_CHARS = 1500
PREFIX = "feat"


@functools.lru_cache(maxsize=1024)  # a few dozen distinct markers, ~20 per message
def marker(*parts: str) -> str:
    """``marker("rule", "follow-up")`` -> ``featrulefollowup``."""
    return PREFIX + "".join(p.replace("-", "").replace("_", "") for p in parts).lower()


def markers(ev: Evidence, rule: Verdict | None, header: Verdict | None) -> list[str]:
    """The marker tokens of one message, in a fixed order."""
    out = [marker("fromme" if ev.ctx.from_me else "fromthem"),
           marker("first" if ev.ctx.first_in_thread else "later")]
    if ev.is_reply:
        out.append(marker("isreply"))
    if ev.ctx.supplier is None:
        out.append(marker("nosupplier"))
    if ev.quote_attachments:
        out.append(marker("quoteattach"))
    if ev.other_attachments:
        out.append(marker("otherattach"))
    if any(a.filename.lower().endswith(".pdf") for a in ev.msg.attachments):
        out.append(marker("pdf"))
    if ev.amount is not None:
        out.append(marker("amount"))
    out.append(marker("lang", ev.language or "unknown"))
    if "?" in ev.body:
        out.append(marker("question"))
    if ev.noreply:
        out.append(marker("noreply"))
    if len(ev.body.strip()) < 40:
        out.append(marker("short"))
    if ev.msg.html_only:
        out.append(marker("htmlonly"))
    if ev.msg.header("x-auto-response-suppress") is not None:
        out.append(marker("autosuppress"))
    for m in ev.matches:
        out.append(marker("cue", m.group, "strong" if m.cue.weight >= 2 else "weak"))
    for m in ev.tail:
        out.append(marker("sig", m.group))
    for m in ev.attachment_matches:
        out.append(marker("attcue", m.group))
    if header is not None:
        out.append(marker("hdr", header.label))
    if rule is not None:
        band = "hi" if rule.confidence >= 0.8 else "mid" if rule.confidence >= 0.6 else "lo"
        out += [marker("rule", rule.label), marker("rule", rule.label, band)]
    return out


def feature_text(ev: Evidence, rule: Verdict | None, header: Verdict | None) -> str:
    """The model's input for one message: markers first, then the own subject and the
    new text, lower-cased (the bag-of-words hashes exact tokens)."""
    own_subject = "" if ev.is_reply else ev.msg.subject
    words = (own_subject + "\n" + ev.body[:TEXT_CHARS]).lower()
    return " ".join(markers(ev, rule, header)) + "\n" + words


def explain_markers(text: str, limit: int = 6) -> list[str]:
    """The marker tokens of a feature text, without the prefix, for explanations."""
    head = text.split("\n", 1)[0].split()
    found = [t[len(PREFIX):] for t in head if t.startswith(PREFIX)]
    # Directions and language say little to a reader; the evidence comes first.
    skip = {"fromme", "fromthem", "first", "later"}
    return [t for t in found if t not in skip and not t.startswith("lang")][:limit]
