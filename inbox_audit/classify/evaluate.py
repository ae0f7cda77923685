"""Score the classifier on a labelled mailbox: precision, recall, F1, confusion matrix.

A labelled mailbox is any mail source ``inbox-audit import`` reads (an mbox, a folder of
``.eml`` files, a maildir) plus a *truth file*: a CSV with a header row and at least the
columns ``message_id`` (with or without angle brackets) and ``label`` (one of request,
quote, follow-up, silence, other); further columns (``deal``, ``supplier``, ``note``)
are ignored. ``samples/demo-truth.csv`` is one. Without an explicit truth file the
first of these that exists is used: ``<name>-truth.csv`` and ``<name>.truth.csv``
beside an mbox ``<name>.mbox`` (or ``<name>``), then ``truth.csv`` in the same folder
(for a folder or maildir: inside it).

The messages are threaded exactly as the pipeline does (``threads.message_contexts``
with the configured ``me``), so the scores are those a report would get.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from inbox_audit.classify import classify_messages, load_rules
from inbox_audit.classify.model import ModelError, ensure_model, load_model, read_truth
from inbox_audit.classify.text import detect_language, match_text, new_text
from inbox_audit.config import Settings
from inbox_audit.models import LABELS, Classification, Label, Message

Progress = Callable[[int, int | None], None]


def find_truth(path: Path) -> Path:
    """The truth file of a labelled mailbox at ``path`` (see the module docstring)."""
    path = Path(path)
    if path.is_dir():
        candidates = [path / "truth.csv", path.with_name(path.name + "-truth.csv")]
    else:
        stem = path.stem if path.suffix else path.name
        candidates = [path.with_name(f"{stem}-truth.csv"), path.with_name(f"{stem}.truth.csv"),
                      path.with_name("truth.csv")]
    for candidate in candidates:
        if candidate.is_file():
            return candidate
    tried = ", ".join(str(c) for c in candidates)
    raise ModelError(f"no truth file for {path} (tried {tried}); name one with --truth")


def evaluate(settings: Settings, path: Path, truth: Path | None = None, *,
             use_model: bool = True, worst: int = 10,
             progress: Progress | None = None) -> dict[str, Any]:
    """Classify the labelled mailbox at ``path`` and compare with its truth file.

    Returns a dict: ``messages`` (scored), ``accuracy``, ``macro_f1``, ``labels`` (per
    label precision/recall/f1/support), ``confusion`` (truth -> predicted -> count),
    ``languages`` (per detected language: messages, accuracy, macro_f1), ``sources``
    (how many labels each stage gave), ``mistakes`` (the ``worst`` most confident wrong
    labels with their explanation), ``unlabelled`` (messages without truth),
    ``missing`` (truth rows without a message), ``model`` (fingerprint and dev score).
    """
    from inbox_audit.ingest import parse_raw
    from inbox_audit.parse import ParseError
    from inbox_audit.parties import Parties
    from inbox_audit.sources.files import check_paths, iter_raw_mail
    from inbox_audit.threads import build_threads, message_contexts

    truth_path = Path(truth) if truth is not None else find_truth(path)
    expected = {key: label for key, (label, _) in read_truth(truth_path).items()}
    check_paths([Path(path)])
    messages: list[Message] = []
    for parsed in (parse_raw(r) for r in iter_raw_mail([Path(path)], progress=progress)):
        if not isinstance(parsed, ParseError):
            messages.append(parsed)
    rules = load_rules(settings.rules)
    parties = Parties(settings)
    contexts = message_contexts(messages, build_threads(messages, parties), parties)
    model = None
    model_info: dict[str, Any] = {}
    if use_model:
        info = ensure_model(settings)
        model = load_model(info)
        model_info = {"fingerprint": info.fingerprint[:12], "threshold": info.threshold,
                      "dev": dict(info.dev), "trained_now": info.trained_now}
    labels = {c.key: c for c in classify_messages(messages, contexts, rules, model)}
    scored = [m for m in messages if m.key in expected]
    languages = {m.key: detect_language(match_text(m.subject + "\n" + new_text(m.text, rules)),
                                        rules) or "unknown" for m in scored}
    pairs = [(expected[m.key], labels[m.key].label) for m in scored]
    result = scores(pairs)
    result["languages"] = {
        lang: _brief(scores([(expected[m.key], labels[m.key].label) for m in scored
                             if languages[m.key] == lang]))
        for lang in sorted(set(languages.values()))}
    result["sources"] = dict(Counter(labels[m.key].source for m in scored))
    result["mistakes"] = _mistakes(scored, expected, labels, languages, worst)
    result["unlabelled"] = len(messages) - len(scored)
    result["missing"] = len(set(expected) - {m.key for m in messages})
    result["truth"] = str(truth_path)
    result["model"] = model_info
    return result


def scores(pairs: Sequence[tuple[Label, Label]]) -> dict[str, Any]:
    """Per-label precision/recall/F1, macro-F1 (over labels present in truth or
    predictions), accuracy and confusion matrix of (truth, predicted) pairs."""
    confusion = {t: {p: 0 for p in LABELS} for t in LABELS}
    for t, p in pairs:
        confusion[t][p] += 1
    per_label = {}
    for label in LABELS:
        tp = confusion[label][label]
        predicted = sum(confusion[t][label] for t in LABELS)
        support = sum(confusion[label].values())
        precision = tp / predicted if predicted else 0.0
        recall = tp / support if support else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        per_label[label] = {"precision": round(precision, 4), "recall": round(recall, 4),
                            "f1": round(f1, 4), "support": support, "predicted": predicted}
    present = [lab for lab in LABELS if per_label[lab]["support"] or per_label[lab]["predicted"]]
    macro = sum(per_label[lab]["f1"] for lab in present) / len(present) if present else 0.0
    correct = sum(confusion[lab][lab] for lab in LABELS)
    return {"messages": len(pairs), "accuracy": round(correct / len(pairs), 4) if pairs else 0.0,
            "macro_f1": round(macro, 4), "labels": per_label, "confusion": confusion}


def _brief(result: dict[str, Any]) -> dict[str, Any]:
    return {"messages": result["messages"], "accuracy": result["accuracy"],
            "macro_f1": result["macro_f1"]}


def _mistakes(scored: list[Message], expected: dict[str, Label],
              labels: dict[str, Classification], languages: dict[str, str],
              limit: int) -> list[dict[str, Any]]:
    wrong = [m for m in scored if labels[m.key].label != expected[m.key]]
    # Confidently wrong first: those are the ones a review would not catch.
    wrong.sort(key=lambda m: (-labels[m.key].confidence, m.key))
    return [{"message_id": m.key, "subject": m.subject, "sender": str(m.sender or ""),
             "language": languages[m.key], "expected": expected[m.key],
             "predicted": labels[m.key].label, "confidence": labels[m.key].confidence,
             "source": labels[m.key].source, "explanation": labels[m.key].explanation}
            for m in wrong[:limit]]


def evaluation_lines(result: dict[str, Any]) -> list[str]:
    """The evaluation dict as the lines ``inbox-audit evaluate`` prints."""
    labels = list(result["labels"])
    short = {"follow-up": "follow", "request": "request", "quote": "quote",
             "silence": "silence", "other": "other"}
    lines = [f"{result['messages']} labelled messages ({result['truth']}); "
             f"accuracy {result['accuracy']:.1%}, macro-F1 {result['macro_f1']:.3f}", "",
             f"{'label':<10} {'precision':>9} {'recall':>7} {'F1':>6} {'support':>8}"]
    for label, row in result["labels"].items():
        lines.append(f"{label:<10} {row['precision']:>9.3f} {row['recall']:>7.3f} "
                     f"{row['f1']:>6.3f} {row['support']:>8}")
    lines += ["", "confusion (rows: truth, columns: predicted)",
              f"{'':<10}" + "".join(f"{short.get(lab, lab):>9}" for lab in labels)]
    for truth_label, row in result["confusion"].items():
        lines.append(f"{truth_label:<10}" + "".join(f"{row[lab]:>9}" for lab in labels))
    lines += ["", "per language"]
    for lang, row in result["languages"].items():
        lines.append(f"  {lang:<8} {row['messages']:>4} messages  accuracy "
                     f"{row['accuracy']:.1%}  macro-F1 {row['macro_f1']:.3f}")
    sources = ", ".join(f"{k} {v}" for k, v in sorted(result["sources"].items()))
    lines += ["", f"decided by: {sources}"]
    if result["mistakes"]:
        lines += ["", "worst mistakes (most confident first)"]
        for m in result["mistakes"]:
            lines.append(f"  {m['expected']} -> {m['predicted']} ({m['confidence']:.2f}, "
                         f"{m['source']}) {m['subject'][:60]!r}")
            lines.append(f"      {m['explanation'][:160]}")
    return lines
