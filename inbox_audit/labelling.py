"""The labels and facts of the stored messages: kept in the store, made again only
where they are missing or stale.

A label is stamped with the classifier version (code, rules, trained model) and the
message's context; the facts (amount, currency, intent) with the code and rules. A
report asks for every message's label and many messages' facts, so what is current is
read back and only the rest is computed: by a standby process or the worker pool when
the caller started one, else here.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence

from inbox_audit import corrections as corrections_mod
from inbox_audit.classify import classifier_version, load_rules, message_facts, rules_digest
from inbox_audit.classify.model import ensure_model, load_model, training_corrections
from inbox_audit.classify.parallel import POOL_MIN_MESSAGES, WarmPool, classify_all
from inbox_audit.classify.standby import Standby
from inbox_audit.config import Settings
from inbox_audit.errors import InboxAuditError
from inbox_audit.models import Classification, Message, MessageFacts
from inbox_audit.parties import Parties
from inbox_audit.store import Store

Progress = Callable[[int, int | None], None]


def classify_store(store: Store, settings: Settings, messages: Sequence[Message],
                   parties: Parties, contexts: dict, *,
                   progress: Progress | None = None,
                   fixes: Mapping[str, Classification] | None = None,
                   light: bool = False, standby: Standby | None = None,
                   pool: WarmPool | None = None,
                   ) -> tuple[dict[str, Classification], int]:
    """Classify what is new or stale; return every message's classification.

    A stored classification is reused when it was made by the same classifier version
    (code + rules + trained model) on the same context (direction, place in thread,
    counterparty). The model is trained on the bundled corpus plus the corrections
    (``fixes``; default: the correction file, ignored when it is invalid), so a changed
    correction file refits it and reclassifies everything. ``light``: ``messages`` came
    from ``iter_messages(light=True)``; the few that are classified or trained on are
    read whole from the store. A job too small for the worker pool goes to ``standby``
    when one is given (it got the classifier ready while the store was read); a big one
    to ``pool``, workers started early for the same reason.
    """
    digest = rules_digest(settings.rules)  # compiled only when something is classified
    if fixes is None:
        try:
            fixes = corrections_mod.load(settings.corrections_path, {m.key for m in messages})
        except InboxAuditError:
            fixes = {}  # an invalid file is refused where it is applied, not here
    corrected = [m for m in messages if m.key in fixes]
    if light and corrected:
        corrected = store.messages(m.key for m in corrected)
    info = ensure_model(settings, training_corrections(fixes, corrected, contexts))
    version = classifier_version(digest, info.fingerprint)  # user's rules and model too
    stored, versions = store.stamped_classifications()

    # Contexts are shared instances (a few thousand for 100,000 messages): one stamp
    # each, looked up by identity (the contexts dict keeps every one alive).
    stamps: dict[int, str] = {}

    def stamp(key: str) -> str:
        ctx = contexts[key]
        text = stamps.get(id(ctx))
        if text is None:
            text = stamps[id(ctx)] = (f"{version}:{int(ctx.from_me)}"
                                      f"{int(ctx.first_in_thread)}:{ctx.supplier or ''}")
        return text

    todo = [m for m in messages if versions.get(m.key) != stamp(m.key) or m.key not in stored]

    def save(labels: Sequence[Classification]) -> None:
        with store.writing():
            # One stamp per context; save grouped so each row carries its own.
            by_stamp: dict[str, list[Classification]] = {}
            for item in labels:
                by_stamp.setdefault(stamp(item.key), []).append(item)
            for version, items in by_stamp.items():
                store.save_classifications(items, version)

    fresh: list[Classification] = []
    if todo and light:
        todo = store.messages(m.key for m in todo)
    if todo and standby is not None and len(todo) < POOL_MIN_MESSAGES:
        fresh = standby.classify(todo, contexts, digest, info) or []
        if fresh:
            save(fresh)
            if progress:
                progress(len(fresh), len(todo))
    if todo and not fresh:  # a re-run with nothing new does not even load the model
        # Big jobs run on every CPU (worker processes load the same rules and cached
        # model); the result is classify_messages' in this process, in the same order.
        # Each chunk's labels are stored as it is done, while the workers go on.
        fresh = classify_all(todo, contexts, load_rules(settings.rules), load_model(info),
                             rules_folder=settings.rules, model_info=info, progress=progress,
                             pool=pool, finished=save)
    result = dict(stored)
    result.update({c.key: c for c in fresh})
    return result, len(fresh)


def stored_facts(store: Store, keys: Iterable[str], settings: Settings, *,
                 loaded: Mapping[str, Message] | None = None,
                 standby: Standby | None = None) -> dict[str, MessageFacts]:
    """The facts (amount, currency, intent) of the stored messages named by ``keys``.
    They depend only on the message and the rules, so they are kept in the store like
    the labels: reading them is the slow part, and a large mailbox has tens of
    thousands. Only the messages whose facts are not stored yet are read whole (from
    ``loaded`` when the caller holds them whole already), and read by ``standby`` when
    one is given."""
    wanted = set(keys)
    if not wanted:
        return {}
    digest = rules_digest(settings.rules)
    version = classifier_version(digest)  # code and rules, no model
    stored = store.facts(version)
    facts = {key: stored[key] for key in wanted if key in stored}
    todo = sorted(key for key in wanted if key not in facts)
    fresh: list[MessageFacts] = []
    if todo:
        whole = (store.messages(todo) if loaded is None
                 else [loaded[key] for key in todo if key in loaded])
        fresh = (standby.facts(whole, digest) if standby is not None else None) or []
        if whole and not fresh:
            rules = load_rules(settings.rules)
            fresh = [message_facts(m, rules) for m in whole]
    if fresh:
        store.save_facts(fresh, version)
        facts.update((f.key, f) for f in fresh)
    return facts
