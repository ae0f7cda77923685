"""The trained stage: features, training, the on-disk cache, corrections, combining."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime

import pytest

from inbox_audit.classify import (
    Evidence,
    Verdict,
    classifier_version,
    classify_messages,
    combine,
    load_rules,
    stage_verdicts,
)
from inbox_audit.classify import model as model_mod
from inbox_audit.classify.bow import BagOfWords
from inbox_audit.classify.features import feature_text, markers
from inbox_audit.classify.model import (
    cache_root,
    corpus_examples,
    ensure_model,
    load_model,
    train_nlp,
    training_corrections,
)
from inbox_audit.config import Settings
from inbox_audit.models import LABELS, Address, Attachment, Classification, Message, MessageContext

BUYER_FIRST = MessageContext(from_me=True, first_in_thread=True, supplier="garage.be")
BUYER_LATER = MessageContext(from_me=True, first_in_thread=False, supplier="garage.be")
SUPPLIER_REPLY = MessageContext(from_me=False, first_in_thread=False, supplier="garage.be")


@pytest.fixture(scope="module")
def rules():
    return load_rules()


@pytest.fixture(scope="module")
def corpus(rules):
    return corpus_examples(rules)


def msg(text: str, subject: str = "", key: str = "m1@mail.example",
        attachments: tuple[str, ...] = (), headers: dict[str, str] | None = None) -> Message:
    return Message(
        key=key, message_id=f"<{key}>", date=datetime(2026, 11, 23, 9, 0, tzinfo=UTC),
        date_source="header", sender=Address("", "piet@garage.be"), to=(), cc=(),
        subject=subject, in_reply_to=(), references=(), text=text, html_only=False,
        attachments=tuple(Attachment(n, "application/pdf", 1000) for n in attachments),
        headers=tuple((k.lower(), v) for k, v in (headers or {}).items()),
        content_type="text/plain", folder="INBOX", raw_sha256=key.ljust(64, "0")[:64],
        size=len(text))


def test_corpus_is_big_enough_in_every_language_and_label(corpus):
    assert len(corpus) >= 500
    assert {e.label for e in corpus} == set(LABELS)
    languages = {e.language for e in corpus}
    assert {"nl", "en", "fr", "de"} <= languages
    for label in LABELS:
        assert sum(e.label == label for e in corpus) >= 40, label
    dev = [e for e in corpus if e.dev]
    assert 0.1 < len(dev) / len(corpus) < 0.35  # a real held-out split


def test_markers_carry_direction_attachments_amounts_and_rules(rules):
    m = msg("In bijlage onze offerte: totaal € 12.450,00 excl. btw.",
            attachments=("Offerte_2026-118.pdf",))
    ev = Evidence.build(m, SUPPLIER_REPLY, rules)
    header, rule = stage_verdicts(ev)
    found = markers(ev, rule, header)
    assert {"featfromthem", "featlater", "featquoteattach", "featamount", "featpdf",
            "featrulequote"} <= set(found)
    assert all(t.isalnum() and t.islower() for t in found)  # blank tokenizers keep them whole
    text = feature_text(ev, rule, header)
    assert text == text.lower() and "offerte" in text


def test_training_is_deterministic(corpus):
    sample = [e for e in corpus if not e.dev][:150]
    texts = [e.text for e in corpus if e.dev][:20]
    first = model_mod.TextModel(train_nlp(sample), None).predict(texts)  # type: ignore[arg-type]
    second = model_mod.TextModel(train_nlp(sample), None).predict(texts)  # type: ignore[arg-type]
    assert first == second


def test_model_is_cached_on_disk_and_reused(tmp_path):
    settings = Settings()
    trained = ensure_model(settings, force=True)
    assert trained.trained_now and trained.examples >= 400 and trained.corrections == 0
    assert trained.path.parent == cache_root()
    meta = json.loads((trained.path / "meta.json").read_text(encoding="utf-8"))
    assert meta["fingerprint"] == trained.fingerprint
    assert 0.5 <= trained.threshold <= 0.9
    assert trained.dev["messages"] > 50 and trained.dev["accuracy"] >= 0.9
    again = ensure_model(settings)
    assert not again.trained_now and again.fingerprint == trained.fingerprint
    # A new process finds it on disk: forget the in-memory copy and load it back.
    texts = ["featfromthem featlater featquoteattach\nin bijlage onze offerte"]
    before = load_model(trained).predict(texts)
    model_mod._LOADED.clear()
    from_disk = ensure_model(settings)
    assert not from_disk.trained_now
    after = load_model(from_disk).predict(texts)
    assert after == before and abs(sum(after[0].values()) - 1) < 1e-6


def test_corrections_become_training_data_and_refit_the_model(rules):
    settings = Settings()
    base = ensure_model(settings)
    # A kind of mail the corpus never shows: a supplier's Christmas-hamper order form.
    hamper = msg("Kerstpakketten zijn er weer! Vul het bestelformulier voor de "
                 "kerstpakketten in voor 5 december.", subject="Re: Kerstpakketten 2026",
                 key="hamper@x")
    ctx = SUPPLIER_REPLY
    fixes = {"hamper@x": Classification("hamper@x", "other", 1.0, "correction")}
    corrections = training_corrections(fixes, [hamper], {"hamper@x": ctx})
    assert set(corrections) == {"hamper@x"}
    refit = ensure_model(settings, corrections)
    assert refit.trained_now and refit.corrections == 1
    assert refit.fingerprint != base.fingerprint
    assert classifier_version(rules, refit.fingerprint) != classifier_version(rules,
                                                                              base.fingerprint)
    ev = Evidence.build(hamper, ctx, rules)
    header, rule = stage_verdicts(ev)
    text = feature_text(ev, rule, header)
    p_before = load_model(base).predict([text])[0]["other"]
    p_after = load_model(refit).predict([text])[0]["other"]
    assert p_after > p_before
    # The same corrections again: the cached model, not a new one.
    assert not ensure_model(settings, corrections).trained_now


def test_buyer_can_never_get_a_quote_whatever_the_model_says():
    rule = Verdict("request", 0.7, "rule", "rule request")
    quote_heavy = {"quote": 0.9, "request": 0.05, "follow-up": 0.03, "silence": 0.01,
                   "other": 0.01}
    assert combine(BUYER_FIRST, None, rule, quote_heavy).label == "request"
    later = Verdict("follow-up", 0.8, "rule", "rule follow-up")
    assert combine(BUYER_LATER, None, later, quote_heavy).label == "follow-up"


def test_supplier_can_never_send_a_request():
    rule = Verdict("follow-up", 0.6, "rule", "rule follow-up")
    probs = {"request": 0.8, "follow-up": 0.1, "quote": 0.05, "silence": 0.03, "other": 0.02}
    verdict = combine(SUPPLIER_REPLY, None, rule, probs)
    assert verdict.label == "follow-up" and verdict.source == "model"


def test_model_decides_unless_unsure_against_sure_rules():
    sure_rule = Verdict("silence", 0.9, "rule", "rule silence")
    confident = {"follow-up": 0.9, "silence": 0.05, "quote": 0.03, "other": 0.02, "request": 0}
    verdict = combine(SUPPLIER_REPLY, None, sure_rule, confident)
    assert verdict.label == "follow-up" and verdict.source == "model"
    assert verdict.confidence < 0.9  # disagreeing with sure rules: up for review
    unsure = {"follow-up": 0.4, "silence": 0.35, "quote": 0.15, "other": 0.1, "request": 0}
    verdict = combine(SUPPLIER_REPLY, None, sure_rule, unsure)
    assert verdict.label == "silence" and verdict.source == "rule"
    assert "model unsure" in verdict.explanation


def test_final_header_verdict_is_never_overruled():
    header = Verdict("silence", 0.98, "header", "header Auto-Submitted: auto-replied")
    rule = Verdict("quote", 0.9, "rule", "rule quote")
    probs = {"quote": 0.99, "follow-up": 0.01, "silence": 0, "other": 0, "request": 0}
    assert combine(SUPPLIER_REPLY, header, rule, probs) == header


def test_classify_with_model_explains_rules_and_features(rules):
    model = load_model(ensure_model(Settings()))
    messages = [
        msg("In bijlage vindt u onze offerte voor de koelcel.", key="q",
            attachments=("Offerte_77.pdf",)),
        msg("Ik ben afwezig tot 4 januari.", key="ooo",
            headers={"Auto-Submitted": "auto-replied"}),
    ]
    contexts = {"q": SUPPLIER_REPLY, "ooo": SUPPLIER_REPLY}
    quote, ooo = classify_messages(messages, contexts, rules, model)
    assert quote.label == "quote" and quote.source == "model"
    assert "rule" in quote.explanation and "quoteattach" in quote.explanation
    assert ooo.label == "silence" and ooo.source == "header"
    assert 0 <= quote.confidence <= 1


def test_stored_version_includes_the_model(rules):
    info = ensure_model(Settings())
    assert info.fingerprint[:10] in classifier_version(rules, info.fingerprint)
    assert classifier_version(rules) != classifier_version(rules, info.fingerprint)


def test_a_changed_rules_folder_gives_another_model(tmp_path, rules):
    import shutil

    own = tmp_path / "rules"
    shutil.copytree(rules.folder, own)
    with (own / "nl.toml").open("a", encoding="utf-8") as fh:
        fh.write("\n")
    assert load_rules(own).digest != rules.digest
    assert (model_mod.fingerprint(load_rules(own).digest, {})
            != model_mod.fingerprint(rules.digest, {}))


def test_message_date_does_not_matter_to_the_fingerprint_of_no_corrections():
    # Sanity: an empty correction set is stable across calls.
    a = model_mod.fingerprint("x", {})
    b = model_mod.fingerprint("x", {})
    assert a == b
    m = replace(msg("x", key="k"), date=datetime(2026, 1, 1, tzinfo=UTC))
    c = model_mod.fingerprint("x", {"k": (m, SUPPLIER_REPLY, "other")})
    assert c != a


def test_batch_bag_of_words_scores_as_spacy_does(corpus):
    model = load_model(ensure_model(Settings()))
    textcat = model.nlp.get_pipe("textcat")
    bow = BagOfWords.of(textcat.model)
    assert bow is not None
    texts = [e.text for e in corpus] + ["x", "a b a b a", "featfromme ? ?"]
    for size in (1, 7, 512):
        for start in range(0, len(texts), size):
            docs = [model._tokens(t) for t in texts[start:start + size]]
            ours, spacys = bow.predict(docs), textcat.predict(docs)
            assert ours.dtype == spacys.dtype and (ours == spacys).all()  # bit for bit
    assert BagOfWords.of(train_nlp(corpus[:40]).get_pipe("textcat").model) is not None
    assert BagOfWords.of(textcat.model.layers[0]) is None  # not the whole model
