"""Label each message request / quote / follow-up / silence / other (SPEC §4).

Stages run in order on an :class:`Evidence` record: the header stage (``Auto-Submitted``
and friends), then the rule stage on the new text only, then (when a trained model is
given) the model, which reads the text plus the rules' and headers' findings as marker
tokens (``features.py``). How they combine (:func:`combine`):

1. A final header verdict (auto-reply, bounce) decides alone (source ``header``).
2. Direction vetoes impossible labels: the buyer never sends a quote, his first message
   of a conversation can only be a request (or his own auto-reply, or unrelated mail),
   his later ones only a follow-up; a supplier never sends a request.
3. Among the remaining labels the model's probabilities are renormalised and the most
   probable label wins (source ``model``), with the surer of the two confidences when
   the rules agree. When they disagree the confidence drops with the rules' confidence
   (``p * (1 - r / 2)``), so such labels come up for review; only when the model is
   unsure (``p < MODEL_UNSURE``) and the rules are sure (``r >= RULE_SURE``) do the
   rules decide (source ``rule``).
4. A yielding header verdict (bulk mail) stands unless the winner is a label it yields
   to with at least ``OVERRIDE_CONFIDENCE``.

Without a model step 3 is the rule verdict. Corrections override all of this outside
the classifier (source ``correction``).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterable, Mapping, MutableMapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from inbox_audit.classify.evidence import Evidence, Prepared, prepare
from inbox_audit.classify.facts import message_facts, remember_facts
from inbox_audit.classify.features import explain_markers, feature_text
from inbox_audit.classify.headers import CLASSIFIER_HEADERS, header_verdict
from inbox_audit.classify.rules import (
    CUE_GROUPS,
    Cue,
    Match,
    Rules,
    load_rules,
    rules_digest,
)
from inbox_audit.classify.text import new_text
from inbox_audit.models import Classification, Label, Message, MessageContext, Source

if TYPE_CHECKING:
    from inbox_audit.classify.model import TextModel

__all__ = [
    "CLASSIFIER_HEADERS", "CLASSIFIER_VERSION", "CODE_DIGEST", "CUE_GROUPS", "STAGES", "Evidence",
    "Rules",
    "Verdict", "allowed_labels", "classifier_version", "classify_message", "classify_messages",
    "combine", "load_rules", "message_facts", "new_text", "rules_digest", "stage_verdicts",
]

# Bump when the logic changes in a way a source hash would not show (it rarely is).
CODE_VERSION = "1"
OVERRIDE_CONFIDENCE = 0.8
# The model decides among the allowed labels, unless it is unsure and the rules are sure.
MODEL_UNSURE = 0.5
RULE_SURE = 0.8
# A message nobody put in context: someone else's, opening its own conversation.
DEFAULT_CONTEXT = MessageContext(from_me=False, first_in_thread=True, supplier=None)
_ATTACHMENT_QUOTE = 3.0  # an offer-named attachment outweighs any single phrase
_ATTACHMENT_OTHER = 2.0
_NOREPLY = 2.0
_ATTACHMENT_TEXT_CAP = 2.0  # PDFs are long; their wording may tip, never dominate


@dataclass(frozen=True, slots=True)
class Verdict:
    """What one stage concluded. ``yields_to``: labels a later stage may give instead
    when it is at least ``OVERRIDE_CONFIDENCE`` sure (empty: the verdict is final)."""

    label: Label
    confidence: float
    source: Source
    explanation: str
    yields_to: tuple[Label, ...] = ()



Stage = Callable[[Evidence], Verdict | None]


def header_stage(ev: Evidence) -> Verdict | None:
    """Auto-reply and bounce headers (final); bulk and notification headers (yielding)."""
    verdict = header_verdict(ev.msg, ev.is_reply)
    if verdict is None:
        return None
    return Verdict(verdict.label, verdict.confidence, "header", verdict.explanation,
                   verdict.yields_to)


def rule_stage(ev: Evidence) -> Verdict:
    """Cue patterns on the new text, attachment names and direction decide."""
    return _buyer(ev) if ev.ctx.from_me else _supplier(ev)


STAGES: tuple[Stage, ...] = (header_stage, rule_stage)


def classify_message(msg: Message, ctx: MessageContext, rules: Rules,
                     stages: Iterable[Stage] = STAGES) -> Classification:
    """The one label of ``msg``, with confidence, source and a short explanation (its
    facts are remembered, as by :func:`classify_messages`)."""
    ev = Evidence.build(msg, ctx, rules)
    remember_facts(msg, rules.digest, ev.facts())
    provisional: Verdict | None = None
    for stage in stages:
        verdict = stage(ev)
        if verdict is None:
            continue
        if provisional is None:
            if not verdict.yields_to:
                return _classification(msg, verdict)
            provisional = verdict
            continue
        if (verdict.label in provisional.yields_to
                and verdict.confidence >= OVERRIDE_CONFIDENCE):
            why = f"{verdict.explanation} (despite {provisional.explanation})"
            return _classification(msg, Verdict(verdict.label, verdict.confidence,
                                                verdict.source, why))
    if provisional is None:
        return Classification(msg.key, "other", 0.4, "rule", "no stage decided")
    return _classification(msg, provisional)


def classify_messages(messages: Iterable[Message], contexts: Mapping[str, MessageContext],
                      rules: Rules, model: TextModel | None = None, *,
                      prepared: MutableMapping[str, Prepared] | None = None,
                      ) -> list[Classification]:
    """One classification per message, in order; a message missing from ``contexts``
    (keyed by ``Message.key``) counts as someone else's, first in its thread. Without
    ``model`` the header and rule stages decide alone. Each message's facts, found on
    the way, are remembered for :func:`message_facts` (see ``facts.remember_facts``).
    ``prepared``: messages prepared earlier with these rules (``evidence.prepare``), by
    key; those used are taken out of it."""
    if model is None:
        return [classify_message(m, contexts.get(m.key, DEFAULT_CONTEXT), rules)
                for m in messages]
    staged = []
    digest = rules.digest
    for msg in messages:
        ready = prepared.pop(msg.key, None) if prepared else None
        if ready is None or ready.msg != msg:  # not prepared, or another message
            ready = prepare(msg, rules)
        ev = Evidence.placed(ready, contexts.get(msg.key, DEFAULT_CONTEXT))
        remember_facts(msg, digest, ev.facts())
        header = header_stage(ev)
        rule = rule_stage(ev) if header is None or header.yields_to else None
        staged.append((ev, header, rule))
    texts = [feature_text(ev, rule, header) for ev, header, rule in staged if rule is not None]
    probs = iter(model.predict(texts))
    text_iter = iter(texts)
    out = []
    for ev, header, rule in staged:
        if rule is None:  # a final header verdict: the model is not asked
            assert header is not None
            out.append(_classification(ev.msg, header))
            continue
        out.append(_classification(ev.msg, combine(ev.ctx, header, rule, next(probs),
                                                   next(text_iter))))
    return out


def stage_verdicts(ev: Evidence) -> tuple[Verdict | None, Verdict]:
    """The header stage's verdict (None when the headers say nothing) and the rule
    stage's verdict of one message."""
    return header_stage(ev), rule_stage(ev)


def allowed_labels(ctx: MessageContext) -> tuple[Label, ...]:
    """The labels a message may get given who sent it and where it sits (SPEC §6)."""
    if ctx.from_me:
        return ("request" if ctx.first_in_thread else "follow-up", "silence", "other")
    return ("quote", "follow-up", "silence", "other")


def combine(ctx: MessageContext, header: Verdict | None, rule: Verdict,
            probs: Mapping[str, float] | None, text: str = "") -> Verdict:
    """The one verdict from the header stage, the rule stage and the model's label
    probabilities (None: no model); ``text`` is the model's input, for explanations."""
    if header is not None and not header.yields_to:
        return header
    choice = rule if probs is None else _with_model(ctx, rule, probs, text)
    if header is None:
        return choice
    if choice.label in header.yields_to and choice.confidence >= OVERRIDE_CONFIDENCE:
        return replace(choice, explanation=f"{choice.explanation} (despite {header.explanation})")
    return header


def _with_model(ctx: MessageContext, rule: Verdict, probs: Mapping[str, float],
                text: str) -> Verdict:
    allowed = allowed_labels(ctx)
    total = sum(probs.get(label, 0.0) for label in allowed) or 1.0
    share = {label: probs.get(label, 0.0) / total for label in allowed}
    best = max(allowed, key=share.__getitem__)
    sure = share[best]
    found = " ".join(explain_markers(text))
    evidence = f"; features: {found}" if found else ""
    if best == rule.label:
        return Verdict(best, max(sure, rule.confidence), "model",
                       f"model {sure:.2f}, agrees with {rule.explanation}{evidence}")
    if sure < MODEL_UNSURE and rule.confidence >= RULE_SURE:
        return Verdict(rule.label, rule.confidence * (1 - sure / 2), "rule",
                       f"{rule.explanation}; model unsure: {best} {sure:.2f}")
    # Disagreeing with sure rules costs confidence, so such labels come up for review.
    return Verdict(best, sure * (1 - rule.confidence / 2), "model",
                   f"model {best} {sure:.2f} over {rule.explanation}{evidence}")


def classifier_version(rules: Rules | str, model_fingerprint: str | None = None) -> str:
    """Identifies the code, the rules (or their ``rules_digest``) and the model that
    produce classifications; stored with each one so a change of any invalidates them."""
    digest = rules if isinstance(rules, str) else rules.digest
    version = f"{CODE_VERSION}+{CODE_DIGEST[:10]}+{digest[:10]}"
    return f"{version}+m{model_fingerprint[:10]}" if model_fingerprint else version


def _buyer(ev: Evidence) -> Verdict:
    # The buyer never sends a quote: his first message of a conversation is the request,
    # everything later from his side is a chase, even when it repeats the question.
    asks = ev.found("request") + ev.found("followup")
    other = ev.found("other", tail=True) + _named(ev.other_attachments, "other")
    silence = ev.found("silence")
    if _weight(silence) >= 2 and _strong(silence) and not asks and "?" not in ev.body:
        return _rule(ev, "silence", 0.7, silence, "own automatic reply")
    if ev.ctx.supplier is None:
        return _rule(ev, "other", 0.6, other, "buyer's side, no supplier addressed")
    if _weight(other) >= 2 and _strong(other) and not asks:
        return _rule(ev, "other", 0.6, other, "buyer, unrelated mail")
    if ev.ctx.first_in_thread:
        requests = ev.found("request")
        confidence = 0.9 if _weight(requests) >= 2 else 0.8 if requests else 0.7
        return _rule(ev, "request", confidence, requests, "buyer opens the conversation")
    chases = ev.found("followup") + ev.found("request")
    return _rule(ev, "follow-up", 0.9 if chases else 0.8, chases, "buyer, later in thread")


def _supplier(ev: Evidence) -> Verdict:
    hard = (_named(ev.quote_attachments, "quote") + _capped(ev.in_attachments("quote")))
    quote = ev.found("quote") + hard
    if ev.amount is not None and quote:
        hard.append(_pseudo("quote", 1.0, f"amount {ev.amount}"))
        quote.append(hard[-1])
    silence = ev.found("silence", tail=True)
    other = (ev.found("other", tail=True) + _capped(ev.in_attachments("other"))
             + _named(ev.other_attachments, "other"))
    if ev.noreply:
        # A no-reply sender answering a request is a notification about it; one that
        # writes out of the blue (a bank, a shop) is unrelated mail.
        if ev.is_reply or silence:
            silence.append(_pseudo("silence", _NOREPLY, "no-reply sender"))
        else:
            other.append(_pseudo("other", 1.0, "no-reply sender"))
    talk = ev.found("followup") + ev.found("request")
    if "?" in ev.body:  # auto-replies state, people ask
        talk.append(_pseudo("followup", 1.0, "asks a question"))
    scores = {"silence": _weight(silence), "other": _weight(other), "quote": _weight(quote)}
    evidence = {"silence": silence, "other": other, "quote": quote}
    # Only strong evidence decides alone; ties go to silence, then other: an
    # acknowledgement announces "your offer follows", a newsletter praises "our offer".
    ranked = [k for k in sorted(scores, key=lambda k: -scores[k])
              if scores[k] >= 2 and _strong(evidence[k])]
    chat = _weight(talk)
    if ranked:
        best = ranked[0]
        # Talking about an offer (no document, no amount) or an absence note inside
        # a real answer: the conversation outweighs the keyword.
        if chat > scores[best] and (best == "silence" or (best == "quote" and not hard)):
            return _rule(ev, "follow-up", 0.6, talk, f"outweighs {best} wording")
        runner_up = max([scores[k] for k in scores if k != best] + [chat - 1])
        return _rule(ev, best, _confidence(scores[best], runner_up), evidence[best])
    if quote and ev.amount is not None:
        return _rule(ev, "quote", 0.6, quote, "offer wording with an amount")
    body_silence = ev.found("silence")
    if _weight(body_silence) >= 2 and not talk and not quote:
        return _rule(ev, "silence", 0.55, body_silence, "weak auto-reply wording")
    if ev.is_reply:
        confidence = 0.75 if chat >= 2 else 0.65 if talk else 0.55
        return _rule(ev, "follow-up", confidence, talk, "supplier reply in a thread")
    cues = [m for m in talk if m.cue is not _PSEUDO_CUE]
    if cues:
        return _rule(ev, "follow-up", 0.5, cues, "supplier writes unprompted")
    if other:
        return _rule(ev, "other", 0.55, other, "outside any conversation")
    return _rule(ev, "other", 0.45, [], "supplier mail outside any conversation")


def _strong(matches: list[Match]) -> bool:
    """Any strong cue (a weak one weighs 1; a foreign strong cue still 1.5)."""
    return any(m.weight >= 1.5 for m in matches)


def _rule(ev: Evidence, label: Label, confidence: float, matches: list[Match],
          why: str = "") -> Verdict:
    lang = next((m.cue.language for m in matches if m.cue.language), ev.language)
    head = f"rule {lang} {label}" if lang else f"rule {label}"
    cues = []
    for m in matches:
        text = m.found if m.cue.language == "" else repr(m.found)
        if text not in cues:
            cues.append(text)
    detail = " + ".join(cues[:3])
    explanation = f"{head}: {detail}" if detail else head
    if why:
        explanation += f" ({why})" if detail else f": {why}"
    return Verdict(label, max(0.0, min(0.95, confidence)), "rule", explanation)


def _confidence(score: float, runner_up: float) -> float:
    """Stronger evidence, surer; a close second opinion, less sure."""
    confidence = 0.55 + 0.1 * min(score, 4.0)
    if runner_up >= score - 0.5:
        confidence -= 0.15
    elif runner_up >= score / 2:
        confidence -= 0.05
    return max(0.4, confidence)


def _weight(matches: list[Match]) -> float:
    return sum(m.weight for m in matches)


def _capped(matches: list[Match]) -> list[Match]:
    """Attachment-text cues count once, at most ``_ATTACHMENT_TEXT_CAP``."""
    if not matches:
        return []
    weight = min(_ATTACHMENT_TEXT_CAP, _weight(matches))
    return [_pseudo(matches[0].group, weight, f"attachment text {matches[0].found!r}")]


def _named(names: tuple[str, ...], group: str) -> list[Match]:
    weight = _ATTACHMENT_QUOTE if group == "quote" else _ATTACHMENT_OTHER
    return [_pseudo(group, weight, f"attachment {names[0]}")] if names else []


def _pseudo(group: str, weight: float, text: str) -> Match:
    """Evidence that is not a cue pattern (attachment, amount, sender), as a Match."""
    return Match(group, 0, 0, _PSEUDO_CUE, weight, text)


def _classification(msg: Message, verdict: Verdict) -> Classification:
    confidence = round(min(1.0, max(0.0, verdict.confidence)), 3)
    return Classification(msg.key, verdict.label, confidence, verdict.source,
                          verdict.explanation)


# Modules that only share the work out (worker processes, the standby) or score the
# classifier: a change to them changes no label, so it does not make every stored label
# stale (the next report would classify the whole store again).
_NOT_IN_DIGEST = frozenset({"parallel.py", "standby.py", "evaluate.py"})


def _code_digest() -> str:
    digest = hashlib.sha256()
    for path in sorted(Path(__file__).parent.glob("*.py")):
        if path.name not in _NOT_IN_DIGEST:
            digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def _bundled_version() -> str:
    try:
        return classifier_version(rules_digest())
    except Exception:  # bundled rules broken or missing: still importable, never matches
        return f"{CODE_VERSION}+{CODE_DIGEST[:10]}+norules"


_PSEUDO_CUE = Cue(re.compile(""), "", 0.0, "")
CODE_DIGEST = _code_digest()
CLASSIFIER_VERSION: str = _bundled_version()
