"""inbox-audit evaluate: honest scores on a labelled mailbox the model never trained on."""

from __future__ import annotations

import csv
import json
import shutil

import pytest
from conftest import SAMPLES

from inbox_audit.classify.evaluate import evaluate, find_truth, scores
from inbox_audit.classify.model import ModelError, read_truth
from inbox_audit.config import load_settings


@pytest.fixture(scope="module")
def demo_settings():
    return load_settings(SAMPLES / "demo.toml", env={}, explicit=True)


def test_scores_per_label_and_macro_f1():
    pairs = [("quote", "quote"), ("quote", "follow-up"), ("follow-up", "follow-up"),
             ("silence", "silence"), ("request", "request")]
    result = scores(pairs)
    assert result["labels"]["quote"] == {"precision": 1.0, "recall": 0.5, "f1": 0.6667,
                                         "support": 2, "predicted": 1}
    assert result["labels"]["follow-up"]["precision"] == 0.5
    assert result["confusion"]["quote"]["follow-up"] == 1
    assert result["accuracy"] == 0.8
    # "other" never occurs in truth nor predictions: it does not drag the mean down.
    assert result["macro_f1"] == round((0.6667 + 0.6667 + 1 + 1) / 4, 4)


def test_truth_file_is_found_beside_the_mailbox(tmp_path):
    mbox = tmp_path / "week.mbox"
    mbox.write_text("")
    with pytest.raises(ModelError, match="--truth"):
        find_truth(mbox)
    (tmp_path / "truth.csv").write_text("message_id,label\n")
    assert find_truth(mbox) == tmp_path / "truth.csv"
    (tmp_path / "week-truth.csv").write_text("message_id,label\n")
    assert find_truth(mbox) == tmp_path / "week-truth.csv"
    folder = tmp_path / "maildir"
    folder.mkdir()
    (folder / "truth.csv").write_text("message_id,label\n")
    assert find_truth(folder) == folder / "truth.csv"


def test_truth_file_with_an_unknown_label_names_the_line(tmp_path):
    path = tmp_path / "truth.csv"
    path.write_text("message_id,label\n<a@b>,quote\nc@d,offer\n", encoding="utf-8")
    with pytest.raises(ModelError, match="line 3: unknown label 'offer'"):
        read_truth(path)
    path.write_text("id,what\n1,quote\n", encoding="utf-8")
    with pytest.raises(ModelError, match="line 1"):
        read_truth(path)


def test_rules_alone_on_the_demo(demo_settings):
    result = evaluate(demo_settings, SAMPLES / "demo.mbox", use_model=False)
    assert result["messages"] == 204 and result["missing"] == 0
    assert result["macro_f1"] >= 0.9
    assert set(result["sources"]) <= {"header", "rule"}


def test_acceptance_held_out_demo_with_the_trained_model(demo_settings):
    """The demo mailbox is not in the training corpus: these are held-out figures."""
    result = evaluate(demo_settings, SAMPLES / "demo.mbox")
    assert result["messages"] == 204
    assert result["macro_f1"] >= 0.90
    assert result["labels"]["silence"]["f1"] >= 0.95
    assert "model" in result["sources"]
    assert {"nl", "en", "fr", "de"} <= set(result["languages"])
    for mistake in result["mistakes"]:
        assert mistake["explanation"] and mistake["expected"] != mistake["predicted"]


def test_demo_messages_are_not_in_the_training_corpus():
    demo = set(read_truth(SAMPLES / "demo-truth.csv"))
    corpus = set(read_truth(SAMPLES / "labelled" / "truth.csv"))
    assert not demo & corpus
    demo_text = (SAMPLES / "demo.mbox").read_text(encoding="utf-8", errors="replace")
    with (SAMPLES / "labelled" / "truth.csv").open(encoding="utf-8") as fh:
        suppliers = {row["supplier"] for row in csv.DictReader(fh) if row["supplier"]}
    assert not [s for s in suppliers if s in demo_text]  # other suppliers altogether


def test_cli_evaluate_prints_scores_confusion_languages_and_mistakes(cli, tmp_path):
    out = tmp_path / "eval.json"
    result = cli("evaluate", SAMPLES / "demo.mbox", "--config", SAMPLES / "demo.toml",
                 "--json", out)
    assert result.exit_code == 0, result.output
    for needle in ("macro-F1", "precision", "confusion", "per language", "silence",
                   "decided by"):
        assert needle in result.output
    saved = json.loads(out.read_text(encoding="utf-8"))
    assert saved["messages"] == 204 and "confusion" in saved


def test_cli_evaluate_without_truth_is_one_line_error(cli, tmp_path):
    mbox = tmp_path / "box.mbox"
    shutil.copy(SAMPLES / "demo.mbox", mbox)
    result = cli("evaluate", mbox)
    assert result.exit_code == 1
    assert "no truth file" in result.output and len(result.output.strip().splitlines()) == 1


def test_cli_evaluate_with_explicit_truth(cli, tmp_path):
    mbox = tmp_path / "box.mbox"
    shutil.copy(SAMPLES / "demo.mbox", mbox)
    result = cli("evaluate", mbox, "--truth", SAMPLES / "demo-truth.csv", "--config",
                 SAMPLES / "demo.toml", "--rules-only", "--worst", "2")
    assert result.exit_code == 0, result.output
    assert "204 labelled messages" in result.output


def test_cli_train_forces_a_refit(cli):
    result = cli("train")
    assert result.exit_code == 0, result.output
    assert "model trained on" in result.output and "review below confidence" in result.output
