"""The trained stage: a spaCy bag-of-words text classifier, trained on first use.

Training data is the labelled corpus shipped with the tool (``samples/labelled/``:
``train.mbox``, ``truth.csv``, ``labelled.toml``) plus the buyer's corrections. Each
message becomes one text (:func:`~inbox_audit.classify.features.feature_text`: marker
tokens for rules, headers and context, then the new text). The corpus is split by
deal: 80 % trains, 20 % (the *dev split*) tunes the review threshold and gives an
honest score of its own. Corrections always train.

The model is cached on disk under the user cache directory
(``platformdirs.user_cache_dir("inbox-audit")/models/<fingerprint>/``), keyed by a hash
of the corpus, the rules, the corrections and this code; a different fingerprint trains
a new model (a few seconds), an existing one is loaded. No binary model ships.
"""

from __future__ import annotations

import contextlib
import csv
import hashlib
import json
import os
import random
import shutil
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import platformdirs

from inbox_audit.classify.bow import TOKEN, BagOfWords, Tokens, make_doc
from inbox_audit.config import APP, Settings, load_settings
from inbox_audit.errors import InboxAuditError
from inbox_audit.models import LABELS, Classification, Label, Message, MessageContext
from inbox_audit.resources import labelled_dir

MODEL_VERSION = "2"
SEED = 20260
EPOCHS = 8
BATCH_SIZE = 16
DEV_SHARE = 0.2  # share of the corpus' deals held out to tune the threshold
CORRECTION_REPEAT = 3  # a correction weighs as much as three corpus messages
HASH_BUCKETS = 2 ** 17
# The review threshold is the lowest confidence above which dev-split labels were at
# least this precise; it is kept within these bounds.
TARGET_PRECISION = 0.98
THRESHOLD_BOUNDS = (0.55, 0.9)

Corrections = Mapping[str, tuple[Message, MessageContext, Label]]


class ModelError(InboxAuditError):
    """The labelled corpus is missing or unreadable."""


@dataclass(frozen=True)
class ModelInfo:
    """A trained model on disk and what it was trained on."""

    path: Path  # folder of the cached model
    fingerprint: str  # sha256 hex of corpus + rules + corrections + model code
    trained_now: bool  # this call trained it (cache miss or force)
    examples: int  # training examples used (corpus train split + corrections)
    corrections: int  # how many of them came from the correction file
    threshold: float  # confidence below which a label needs review
    dev: Mapping[str, Any] = field(default_factory=dict)  # scores on the dev split


@dataclass(frozen=True)
class Example:
    """One training or dev message as the model sees it."""

    key: str
    text: str
    label: Label
    language: str | None
    dev: bool = False
    # What the combined decision needs besides the model: (context, header, rule).
    verdicts: tuple[Any, ...] = ()


class TextModel:
    """A loaded model: ``predict`` gives one probability per label per text."""

    def __init__(self, nlp: Any, info: ModelInfo) -> None:
        self.nlp = nlp
        self.info = info
        self._ids: dict[str, int] = {}

    @property
    def threshold(self) -> float:
        return self.info.threshold

    def predict(self, texts: Sequence[str]) -> list[dict[str, float]]:
        """Label probabilities (summing to 1) for each text, in order."""
        textcat = self.nlp.get_pipe("textcat")
        labels = list(textcat.labels)
        bow = BagOfWords.of(textcat.model)
        out: list[dict[str, float]] = []
        for start in range(0, len(texts), 512):  # batches amortise the model's overhead
            docs = [self._tokens(text) for text in texts[start:start + 512]]
            # spaCy's textcat.predict gives the same scores, n-gram counting doc by doc.
            scores = (bow.predict(docs) if bow is not None and all(docs)
                      else textcat.predict(docs))
            for row in scores.tolist():
                out.append(dict(zip(labels, row, strict=True)))
        return out

    def _tokens(self, text: str) -> Tokens:
        # The ORTH id of a word is the StringStore's id of it, as a Doc built by
        # make_doc would carry; looked up once per distinct word.
        ids = self._ids
        if len(ids) > _MAX_IDS:  # new words are endless (numbers, names): stay bounded
            ids.clear()
        words = TOKEN.findall(text)
        orths = list(map(ids.get, words))  # known words in one C loop, then the new ones
        if None in orths:
            add = self.nlp.vocab.strings.add
            for i, orth in enumerate(orths):
                if orth is None:
                    word = words[i]
                    orth = ids.get(word)  # new earlier in this text
                    orths[i] = ids[word] = add(word) if orth is None else orth
        return Tokens(self.nlp, words, orths)


_MAX_IDS = 500_000
_LOADED: dict[str, TextModel] = {}


def cache_root() -> Path:
    """Where trained models are cached (one folder per fingerprint)."""
    return Path(platformdirs.user_cache_dir(APP)) / "models"


def ensure_model(settings: Settings, corrections: Corrections | None = None, *,
                 force: bool = False) -> ModelInfo:
    """The model for these settings (rules folder) and corrections: loaded from the
    cache when its fingerprint is there, trained (deterministically) otherwise or when
    ``force``. ``corrections`` maps a message key to (message, context, correct label)."""
    from inbox_audit.classify import load_rules, rules_digest

    corrections = corrections or {}
    fp = fingerprint(rules_digest(settings.rules), corrections)
    path = cache_root() / fp[:24]
    if not force:
        loaded = _LOADED.get(fp)
        if loaded is not None:  # trained or loaded earlier in this process
            return replace(loaded.info, trained_now=False)
        info = _read_info(path, fp)
        if info is not None:
            return info
    rules = load_rules(settings.rules)  # only now: compiling them takes a second
    corpus = corpus_examples(rules)
    extra = correction_examples(corrections, rules)
    nlp, info = _train_and_tune(corpus, extra, rules, path, fp)
    _save(nlp, info)
    _LOADED[fp] = TextModel(nlp, info)
    return info


def load_model(info: ModelInfo) -> TextModel:
    """The model of ``info``, loaded once per process."""
    cached = _LOADED.get(info.fingerprint)
    if cached is not None:
        return cached
    import spacy

    model = TextModel(spacy.load(info.path / "nlp"), info)
    _LOADED[info.fingerprint] = model
    return model


def training_corrections(fixes: Mapping[str, Classification], messages: Iterable[Message],
                         contexts: Mapping[str, MessageContext],
                         ) -> dict[str, tuple[Message, MessageContext, Label]]:
    """The correction file's rows (``corrections.load``) as training data: key ->
    (message, context, label), for the corrected messages that are in ``messages``."""
    out = {}
    for msg in messages:
        fix = fixes.get(msg.key)
        if fix is not None and msg.key in contexts:
            out[msg.key] = (msg, contexts[msg.key], fix.label)
    return out


def fingerprint(rules_digest: str, corrections: Corrections) -> str:
    """A hash of everything the model depends on."""
    from inbox_audit.classify import CODE_DIGEST

    digest = hashlib.sha256()
    digest.update(f"model {MODEL_VERSION} code {CODE_DIGEST} rules {rules_digest}\n".encode())
    digest.update(_spacy_version().encode() + b"\n")
    folder = labelled_dir()
    for name in ("train.mbox", "truth.csv", "labelled.toml"):
        path = folder / name
        digest.update(name.encode() + b"\0")
        digest.update(hashlib.sha256(path.read_bytes()).digest() if path.is_file() else b"-")
    for key in sorted(corrections):
        msg, ctx, label = corrections[key]
        digest.update(f"{key}\0{label}\0{msg.raw_sha256}\0{int(ctx.from_me)}"
                      f"{int(ctx.first_in_thread)}\0{ctx.supplier or ''}\n".encode())
    return digest.hexdigest()


# --- training data ----------------------------------------------------------------------

def corpus_examples(rules: Any) -> list[Example]:
    """The bundled labelled corpus as examples, contexts from the real threading."""
    from inbox_audit.classify import Evidence, stage_verdicts
    from inbox_audit.classify.features import feature_text
    from inbox_audit.parse import ParseError
    from inbox_audit.parsepool import parse_raw
    from inbox_audit.parties import Parties
    from inbox_audit.sources.files import iter_raw_mail
    from inbox_audit.threads import build_threads, message_contexts

    folder = labelled_dir()
    mbox, truth_path, config = (folder / n for n in ("train.mbox", "truth.csv", "labelled.toml"))
    for path in (mbox, truth_path, config):
        if not path.is_file():
            raise ModelError(f"the labelled training corpus is incomplete: {path} is missing")
    truth = read_truth(truth_path)
    settings = load_settings(config, env={}, explicit=True)
    messages = [m for m in (parse_raw(r) for r in iter_raw_mail([mbox]))
                if not isinstance(m, ParseError)]
    parties = Parties(settings)
    contexts = message_contexts(messages, build_threads(messages, parties), parties)
    examples = []
    for msg in messages:
        row = truth.get(msg.key)
        if row is None:
            continue
        ev = Evidence.build(msg, contexts[msg.key], rules)
        header, rule = stage_verdicts(ev)
        examples.append(Example(msg.key, feature_text(ev, rule, header), row[0], ev.language,
                                dev=_is_dev(row[1] or msg.key),
                                verdicts=(contexts[msg.key], header, rule)))
    return examples


def correction_examples(corrections: Corrections, rules: Any) -> list[Example]:
    from inbox_audit.classify import Evidence, stage_verdicts
    from inbox_audit.classify.features import feature_text

    out = []
    for key in sorted(corrections):
        msg, ctx, label = corrections[key]
        ev = Evidence.build(msg, ctx, rules)
        header, rule = stage_verdicts(ev)
        out.append(Example(key, feature_text(ev, rule, header), label, ev.language))
    return out


def read_truth(path: Path) -> dict[str, tuple[Label, str]]:
    """A truth file (``message_id,label[,deal,...]``) as key -> (label, deal)."""
    from inbox_audit.corrections import normalise_label

    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise ModelError(f"{path}: cannot read: {exc}") from None
    rows = list(csv.DictReader(text.splitlines()))
    if not rows or "message_id" not in rows[0] or "label" not in rows[0]:
        raise ModelError(f"{path}: line 1: expected the columns message_id and label")
    out: dict[str, tuple[Label, str]] = {}
    for line, row in enumerate(rows, start=2):
        label = normalise_label(row.get("label") or "")
        if label is None:
            raise ModelError(f"{path}: line {line}: unknown label {row.get('label')!r}")
        out[(row["message_id"] or "").strip().strip("<>")] = (label, row.get("deal") or "")
    return out


def _is_dev(group: str) -> bool:
    # Whole deals go to one side, so the dev split never sees a conversation it trained on.
    return int(hashlib.sha256(group.encode()).hexdigest()[:8], 16) / 2 ** 32 < DEV_SHARE


# --- training -----------------------------------------------------------------------------

def train_nlp(examples: Sequence[Example], seed: int = SEED) -> Any:
    """A blank multi-language pipeline with a bag-of-words ``textcat`` trained on
    ``examples`` (deterministic for a given seed and order)."""
    import spacy
    from spacy.training import Example as SpacyExample
    from spacy.util import fix_random_seed, minibatch

    fix_random_seed(seed)
    nlp = spacy.blank("xx")
    textcat = nlp.add_pipe("textcat", config={"model": {
        "@architectures": "spacy.TextCatBOW.v3", "exclusive_classes": True,
        "ngram_size": 2, "no_output_layer": False, "length": HASH_BUCKETS}})
    for label in LABELS:
        textcat.add_label(label)
    data = [SpacyExample.from_dict(make_doc(nlp, e.text),
                                   {"cats": {lab: float(lab == e.label) for lab in LABELS}})
            for e in examples]
    optimizer = nlp.initialize(lambda: data)
    order = random.Random(seed)
    for _ in range(EPOCHS):
        order.shuffle(data)
        for batch in minibatch(data, BATCH_SIZE):
            # The text classifier is the only trainable pipe; updating it directly skips
            # Language.update's defensive copy of every example (half the training time).
            textcat.update(batch, sgd=optimizer, losses={})
    return nlp


def _train_and_tune(corpus: list[Example], extra: list[Example], rules: Any, path: Path,
                    fp: str) -> tuple[Any, ModelInfo]:
    train = [e for e in corpus if not e.dev] + extra * CORRECTION_REPEAT
    dev = [e for e in corpus if e.dev]
    nlp = train_nlp(train)
    provisional = ModelInfo(path, fp, True, len(train), len(extra), THRESHOLD_BOUNDS[0])
    scores, threshold = _dev_scores(TextModel(nlp, provisional), dev)
    info = ModelInfo(path, fp, True, len([e for e in corpus if not e.dev]) + len(extra),
                     len(extra), threshold, scores)
    return nlp, info


def _dev_scores(model: TextModel, dev: list[Example]) -> tuple[dict[str, Any], float]:
    """Accuracy on the dev split (the model alone and the combined decision) and the
    tuned review threshold: the lowest combined confidence from which on, going down
    from the surest, labels stayed ``TARGET_PRECISION`` precise."""
    from inbox_audit.classify import combine

    if not dev:
        return {"messages": 0}, THRESHOLD_BOUNDS[0]
    probs = model.predict([e.text for e in dev])
    alone = sum(max(p, key=p.__getitem__) == e.label for p, e in zip(probs, dev, strict=True))
    decided = [combine(*e.verdicts, p, e.text) for p, e in zip(probs, dev, strict=True)]
    ranked = sorted(((v.confidence, v.label == e.label) for v, e in zip(decided, dev, strict=True)),
                    reverse=True)
    threshold = THRESHOLD_BOUNDS[1]
    correct = 0
    for n, (confidence, ok) in enumerate(ranked, start=1):
        correct += ok
        if correct / n >= TARGET_PRECISION:
            threshold = confidence
    threshold = round(min(max(threshold, THRESHOLD_BOUNDS[0]), THRESHOLD_BOUNDS[1]), 3)
    combined = sum(ok for _, ok in ranked)
    return {"messages": len(dev), "model_accuracy": round(alone / len(dev), 4),
            "accuracy": round(combined / len(dev), 4)}, threshold


# --- the cache ------------------------------------------------------------------------------

def _save(nlp: Any, info: ModelInfo) -> None:
    info.path.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".train-", dir=info.path.parent))
    try:
        nlp.to_disk(tmp / "nlp")
        meta = {"fingerprint": info.fingerprint, "examples": info.examples,
                "corrections": info.corrections, "threshold": info.threshold,
                "dev": dict(info.dev), "model_version": MODEL_VERSION}
        (tmp / "meta.json").write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")
        if info.path.exists():  # forced retrain: replace the old copy
            shutil.rmtree(info.path, ignore_errors=True)
        # Another process may have saved the same fingerprint first: keep theirs.
        with contextlib.suppress(OSError):
            os.replace(tmp, info.path)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _read_info(path: Path, fp: str) -> ModelInfo | None:
    try:
        meta = json.loads((path / "meta.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if meta.get("fingerprint") != fp or not (path / "nlp").is_dir():
        return None
    return ModelInfo(path, fp, False, int(meta.get("examples", 0)),
                     int(meta.get("corrections", 0)), float(meta.get("threshold", 0.6)),
                     meta.get("dev", {}))


def _spacy_version() -> str:
    from importlib.metadata import version

    return "spacy " + version("spacy")
