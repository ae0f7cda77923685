"""Rules are data: the bundled folder loads, a user's copy works, and every mistake in a
rules file is refused naming the file and the line."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from inbox_audit.classify import CLASSIFIER_VERSION, classifier_version, load_rules
from inbox_audit.classify.rules import CUE_GROUPS, find_cues
from inbox_audit.errors import RulesError
from inbox_audit.resources import rules_dir


@pytest.fixture
def user_rules(tmp_path: Path) -> Path:
    folder = tmp_path / "myrules"
    shutil.copytree(rules_dir(), folder)
    return folder


def test_bundled_rules_cover_four_languages_and_every_group():
    rules = load_rules()
    assert set(rules.languages) >= {"nl", "en", "fr", "de"}
    for lang in rules.languages.values():
        assert lang.stopwords
        for group in CUE_GROUPS:
            assert lang.cues[group], f"{lang.code} has no {group} cues"
    assert rules.common.history and rules.common.quote_attachments


def test_user_copy_loads_and_changes_the_version(user_rules: Path):
    bundled = load_rules()
    (user_rules / "nl.toml").write_text(
        (user_rules / "nl.toml").read_text(encoding="utf-8").replace(
            "[quote]\n", "[quote]\n# my own tweak\n", 1), encoding="utf-8")
    mine = load_rules(user_rules)
    assert mine.folder == user_rules
    assert classifier_version(mine) != classifier_version(bundled)
    assert classifier_version(bundled) == CLASSIFIER_VERSION


def test_a_user_can_add_a_language(user_rules: Path):
    (user_rules / "es.toml").write_text(
        'version = 1\nstopwords = ["el", "la"]\n[quote]\nstrong = ["presupuesto"]\n',
        encoding="utf-8")
    rules = load_rules(user_rules)
    assert [m.group for m in find_cues("Adjunto el presupuesto", rules, ["quote"])] == ["quote"]


def test_bad_toml_names_file_and_line(user_rules: Path):
    path = user_rules / "fr.toml"
    lines = path.read_text(encoding="utf-8").splitlines()
    lines.insert(4, "stopwords = [\"le\"")  # line 5: unclosed array
    path.write_text("\n".join(lines), encoding="utf-8")
    with pytest.raises(RulesError) as err:
        load_rules(user_rules)
    assert str(err.value).startswith(f"{path}: line ")
    assert "\n" not in str(err.value)


def test_toml_syntax_error_line_is_the_broken_line(user_rules: Path):
    path = user_rules / "nl.toml"
    path.write_text('version = 1\nstopwords = ["de"]\n[quote\nstrong = ["x"]\n', encoding="utf-8")
    with pytest.raises(RulesError, match=r"nl\.toml: line 3: "):
        load_rules(user_rules)


def test_two_files_for_one_language_are_refused(user_rules: Path):
    (user_rules / "vlaams.toml").write_text('version = 1\nlanguage = "nl"\n', encoding="utf-8")
    with pytest.raises(RulesError, match="'nl' is already defined"):
        load_rules(user_rules)


def test_bad_regex_names_file_and_line(user_rules: Path):
    path = user_rules / "en.toml"
    text = path.read_text(encoding="utf-8")
    text = text.replace("[other]\nstrong = [\n", "[other]\nstrong = [\n    'news(letter',\n", 1)
    path.write_text(text, encoding="utf-8")
    line = text.splitlines().index("    'news(letter',") + 1
    with pytest.raises(RulesError, match=rf"en\.toml: line {line}: bad pattern 'news\(letter'"):
        load_rules(user_rules)


def test_bad_regex_in_common_names_its_line(user_rules: Path):
    path = user_rules / "common.toml"
    text = path.read_text(encoding="utf-8").replace(
        "quote = [\n", "quote = [\n    '^offerte[',\n", 1)
    path.write_text(text, encoding="utf-8")
    line = text.splitlines().index("    '^offerte[',") + 1
    with pytest.raises(RulesError, match=rf"common\.toml: line {line}: bad pattern"):
        load_rules(user_rules)


def test_unknown_key_names_file_line_and_key(user_rules: Path):
    path = user_rules / "de.toml"
    text = path.read_text(encoding="utf-8").replace(
        "[followup]\nstrong", "[followup]\nstrnog = ['x']\nstrong", 1)
    path.write_text(text, encoding="utf-8")
    line = text.splitlines().index("strnog = ['x']") + 1
    with pytest.raises(RulesError, match=rf"de\.toml: line {line}: unknown key 'followup.strnog'"):
        load_rules(user_rules)


def test_unknown_group_is_refused(user_rules: Path):
    path = user_rules / "nl.toml"
    path.write_text(path.read_text(encoding="utf-8") + "\n[qoute]\nstrong = ['x']\n",
                    encoding="utf-8")
    with pytest.raises(RulesError, match=r"nl\.toml: line \d+: unknown key 'qoute'"):
        load_rules(user_rules)


def test_wrong_type_is_refused(user_rules: Path):
    (user_rules / "nl.toml").write_text(
        'version = 1\n\n# words\nstopwords = "de het"\n', encoding="utf-8")
    with pytest.raises(RulesError, match=r"nl\.toml: line 4: stopwords must be a list"):
        load_rules(user_rules)


def test_missing_version_and_missing_common_are_refused(user_rules: Path, tmp_path: Path):
    (user_rules / "en.toml").write_text("[quote]\nstrong = ['offer']\n", encoding="utf-8")
    with pytest.raises(RulesError, match=r"en\.toml: line 1: missing 'version'"):
        load_rules(user_rules)
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(RulesError, match="no common.toml"):
        load_rules(empty)
    with pytest.raises(RulesError, match="does not exist"):
        load_rules(tmp_path / "nowhere")


def test_longest_overlapping_cue_wins():
    rules = load_rules()
    groups = [m.group for m in find_cues("wij sturen u graag een offerte", rules, CUE_GROUPS)]
    assert "quote" not in groups  # "graag een offerte" is the request, not an offer
    found = find_cues("offerteaanvraag", rules, ["quote", "request"])
    assert [m.group for m in found] == ["request"]


def test_cues_match_whole_words_only():
    rules = load_rules()
    assert not find_cues("de demonstrant kwam", rules, ["high_intent"])
    assert find_cues("graag een demo", rules, ["high_intent"])


def _every_cue(text: str, rules, groups) -> list[tuple[str, int, int, str]]:
    """All matches of all cues, without the trigger index (the slow, obvious way)."""
    found = []
    for group in groups:
        for cue in rules.cues(group):
            found += [(group, m.start(), m.end(), cue.source)
                      for m in cue.pattern.finditer(text) if m.end() > m.start()]
    return sorted(found)


def test_trigger_index_never_skips_a_cue_that_matches():
    """find_cues runs only the cues whose literal triggers occur in the text; on the
    demo mailbox and the training corpus every cue that matches must have been run."""
    from inbox_audit.classify.cueindex import CueIndex
    from inbox_audit.classify.text import match_text
    from inbox_audit.ingest import parse_raw
    from inbox_audit.sources.files import iter_raw_mail

    rules = load_rules()
    samples = rules_dir().parent / "samples"
    texts = [match_text(m.subject + "\n" + m.text)
             for m in (parse_raw(r) for r in iter_raw_mail([samples / "demo.mbox"]))]
    texts += ["ÜBERWEISUNG", "İstanbul offerte", "PRIJSOFFERTE IN BIJLAGE", "Kostenvoranschlag"]
    index = CueIndex.build(rules.languages, CUE_GROUPS)
    for text in texts:
        run = {(g, c.source) for g, c in index.candidates(text.lower(), CUE_GROUPS)}
        for group, _, _, source in _every_cue(text, rules, CUE_GROUPS):
            assert (group, source) in run, (source, text[:80])


def test_required_text_of_patterns():
    from inbox_audit.classify.cueindex import required_text

    assert required_text("offerte") == {"offerte"}
    assert required_text("(graag|gaarne) een offerte") == {" een offerte"}
    assert required_text("(offerte|prijs(offerte|opgave)?)") == {"offerte", "prijs"}
    assert required_text(r"\w*offertenummer") == {"offertenummer"}
    assert required_text("ge(ï|i)nteresseerd") == {"nteresseerd"}
    assert required_text(r"(a|\w+)b?") is None  # nothing is certain
