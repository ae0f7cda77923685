"""The classifier's shortcuts find exactly what the plain way finds: cue starts, the word
memo of the cue index, anchored patterns tried with ``match``, the amount prefilter, the
lines where quoted history can start."""

from __future__ import annotations

import random
import re

import pytest

from inbox_audit.classify import CUE_GROUPS, load_rules
from inbox_audit.classify.cueindex import CueIndex
from inbox_audit.classify.cuestart import cue_matches, exact_lowering, start_pattern
from inbox_audit.classify.facts import _AMOUNT, _amount_matches
from inbox_audit.classify.text import (
    _QUOTED_LINE,
    _anchored,
    _finders,
    _starts_pattern,
    _strip_history,
    match_text,
)
from inbox_audit.ingest import parse_raw
from inbox_audit.resources import samples_dir
from inbox_audit.sources.files import iter_raw_mail

# Case-folding oddities: long s, dotless i, dotted I, Kelvin sign, final sigma, sharp s.
ODD = ["ſ", "ı", "İ", "K", "Σ", "ς", "ß", "ẞ", "µ", "Å"]


@pytest.fixture(scope="module")
def rules():
    return load_rules()


@pytest.fixture(scope="module")
def texts() -> list[str]:
    demo = [m for m in (parse_raw(r) for r in iter_raw_mail([samples_dir() / "demo.mbox"]))]
    found = [match_text(m.subject + "\n" + m.text) for m in demo]
    rng = random.Random(5)
    odd = []
    for text in found[:30]:  # the same mail, shouted and sprinkled with odd letters
        chars = list(text.upper())
        for _ in range(8):
            chars.insert(rng.randrange(len(chars) + 1), rng.choice(ODD))
        odd.append("".join(chars))
    return found + odd + ["OFFERTE İN BİJLAGE", "prijſofferte", "Σ offerte Σ", "ÜBERWEISUNG"]


def spans(matches) -> list[tuple[int, int, str]]:
    return [(m.start(), m.end(), m.group()) for m in matches]


@pytest.mark.slow
def test_cue_starts_find_what_finditer_finds(rules, texts):
    cues = [cue for _, cue in rules.index.table if cue.starts is not None]
    assert len(cues) > 400  # nearly every bundled cue has literal starts
    for text in texts:
        lowered = text.lower()
        if not exact_lowering(text, lowered):
            continue  # find_cues falls back to finditer there
        for cue in cues:
            assert spans(cue_matches(cue.pattern, cue.starts, text, lowered)) == \
                spans(cue.pattern.finditer(text)), (cue.source, text[:60])


def test_odd_case_folding_falls_back_to_finditer():
    assert not exact_lowering("İstanbul", "İstanbul".lower())  # lower() adds a character
    assert not exact_lowering("prijſ", "prijſ")  # "ſ" matches "s" case-insensitively
    assert exact_lowering("Prijs € 100", "prijs € 100")


def test_start_pattern_reads_literal_starts():
    def starts(pattern: str) -> set[str] | None:
        found = start_pattern(pattern)
        return None if found is None else set(found.pattern.replace("\\", "").split("|"))

    assert starts(r"\b(prix|total|co(û|u)t)s?\b") == {"prix", "total", "coût", "cout"}
    assert starts(r"d(é|e)mo") == {"démo", "demo"}
    assert starts(r"(graag )?offerte") == {"graag ", "offert"}  # six letters suffice
    assert starts(r"\w*offerte") is None
    assert starts(r"(a|b)?") is None  # may match the empty string
    assert start_pattern("ab|c", min_chars=2) is None


@pytest.mark.slow
def test_index_candidates_hold_every_cue_that_matches(rules, texts):
    index = CueIndex.build(rules.languages, CUE_GROUPS)
    every = [(group, cue) for group in CUE_GROUPS for lang in rules.languages.values()
             for cue in lang.cues.get(group, ())]
    for text in texts:
        lowered = text.lower()
        if not exact_lowering(text, lowered):
            continue  # "prijſ" matches prijs, but its literals are not in the text
        matching = {(group, cue.source) for group, cue in every
                    if any(m.end() > m.start() for m in cue.pattern.finditer(text))}
        for groups in (CUE_GROUPS, ("silence", "other"), ("other", "quote")):
            run = [(g, c.source) for g, c in index.candidates(lowered, groups)]
            order = [groups.index(g) for g, _ in run]
            assert order == sorted(order)
            assert {m for m in matching if m[0] in groups} <= set(run), text[:60]


def test_word_memo_gives_the_same_candidates_warm_and_cold(rules, texts):
    warm = CueIndex.build(rules.languages, CUE_GROUPS)
    for text in texts:
        warm.candidates(text.lower(), CUE_GROUPS)
    for text in texts:
        cold = CueIndex.build(rules.languages, CUE_GROUPS)
        assert warm.candidates(text.lower(), CUE_GROUPS) == \
            cold.candidates(text.lower(), CUE_GROUPS)


def test_anchored_patterns_are_recognised():
    assert _anchored(re.compile(r"^\s*Op\s"))
    assert _anchored(re.compile(r"(?:^a)|(?:\Ab)"))
    assert not _anchored(re.compile(r"^a|b"))
    assert not _anchored(re.compile(r"(?m)^a"))
    assert not _anchored(re.compile(r"(?m:^a)"))
    assert not _anchored(re.compile(r"a^"))


@pytest.mark.parametrize("text", [
    "Totaal € 12.450,00 excl. btw", "prijs: 12.450,- incl.", "3 250 EUR", "1.250 euro",
    "US$ 99", "CHF 1'250.50", "Ref. 12345, tel. 0475 12 34 56, 23/11/2026", "",
    "PRIJS 1.000 EUR", "1.000 ЕUR (Cyrillic E)", "uſd 100", "100 UſD",
])
def test_amount_prefilter_finds_what_the_pattern_finds(text):
    assert spans(_amount_matches(text)) == spans(_AMOUNT.finditer(text))


def _strip_history_plainly(text: str, rules) -> list[str]:
    """The quoted-history cut tried on every line, as before the line-start prefilter."""
    lines = text.split("\n")
    history = _finders(rules.common.history, True)
    kept = []
    for i, line in enumerate(lines):
        if _QUOTED_LINE.match(line):
            continue
        window = line if i == len(lines) - 1 else line + "\n" + lines[i + 1]
        if any(find(line) or find(window) for find in history):
            break
        kept.append(line)
    return kept


HISTORY_LINES = [
    "", " ", "\t", "*", "** ", "Dag Jan,", "de offerte volgt", "Van harte", "on", "Op",
    "Op ma 23 nov. 2026 om 10:14 schreef Jan Janssens", "<jan@koper.be>:",
    "Op ma 23 nov. 2026 om 10:14 schreef Jan <jan@koper.be>:", "> quoted", " > quoted",
    "On Mon, Nov 23, 2026 at 10:14 AM Jan <j@x.example> wrote:", "ON 3 MAY 2026 JAN WROTE:",
    "Le lun. 23 nov. 2026 à 10:14, Jan a écrit :", "Am Mo., 23. Nov. 2026 schrieb Jan:",
    "Van: Jan", "Verzonden: maandag", "**From:** Jan", "**Sent:** today", "De : Jan",
    "Envoyé : lundi", "Von: Jan", "An: Piet", "-----Original Message-----",
    "----- Oorspronkelijk bericht -----", "_" * 32, " " + "_" * 25 + " ", "wrote:",
    "schreef:", "a écrit :", "Date: x", "To: y", "À : w",
] + ODD


def test_history_prefilter_cuts_where_every_line_is_tried(rules, texts):
    rng = random.Random(9)
    soups = ["\n".join(rng.choice(HISTORY_LINES) for _ in range(rng.randint(0, 9)))
             for _ in range(3000)]
    for text in texts + soups:
        assert _strip_history(text, rules) == _strip_history_plainly(text, rules), text


def test_history_prefilter_needs_anchored_patterns_with_known_starts():
    def starts(*sources: str):
        return _starts_pattern(tuple(re.compile(s, re.IGNORECASE) for s in sources))

    found = starts(r"^\s*Op\s.*schreef", r"^[\s*]*(Van|From)\s?:", r"^\s*-{2,}\s*Original")
    assert found is not None
    assert [bool(found.match(t)) for t in ("  op 3 mei", "**from: x", "---x", "\n Van:")] == \
        [True, True, True, True]
    assert not found.match("Dag Jan")
    assert starts(r"schreef:$") is None  # may match anywhere in a line
    assert starts(r"(?m)^Op") is None
    assert starts(r"^\s*\w+ wrote:") is None  # starts with any word
