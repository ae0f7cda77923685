"""Which cues can match a text, decided without running their regular expressions.

The rule stage has ~500 cue patterns; running them all over every message cost 7 ms per
message. Each pattern is parsed once (``re._parser``) for what every match must
contain: literals (:func:`required_text`) and whole words (:func:`required_words`).
:class:`CueIndex` then picks, per text, the few cues worth running. Both analyses are
conservative: when unsure they require nothing, so a cue that can match is never
skipped.
"""

from __future__ import annotations

import functools
import re
import re._constants as sre_constants
import re._parser as sre_parse
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from inbox_audit.classify.rules import Cue, LanguageRules


def required_text(source: str) -> frozenset[str] | None:
    """Lower-cased literals of which every match of ``source`` contains one, or None.

    Read from the parsed pattern: a run of literal characters must occur; an
    alternation needs one of its branches' literals; optional parts count for nothing.
    Of all such sets the one whose shortest string is longest is kept.
    """
    try:
        parsed = sre_parse.parse(source, re.IGNORECASE)
    except re.error:
        return None
    return _required(list(parsed))


def _required(items: list) -> frozenset[str] | None:
    best: frozenset[str] | None = None
    run: list[str] = []

    def consider(candidates: frozenset[str] | None) -> None:
        nonlocal best
        if candidates and (best is None or min(map(len, candidates)) > min(map(len, best))):
            best = candidates

    for op, arg in items:
        if op is sre_constants.LITERAL:
            run.append(chr(arg))
            continue
        if run:
            consider(frozenset({"".join(run).lower()}))
            run = []
        if op is sre_constants.SUBPATTERN:
            consider(_required(list(arg[3])))
        elif op is sre_constants.BRANCH:
            branches = [_required(list(b)) for b in arg[1]]
            if all(branches):
                consider(frozenset().union(*branches))  # type: ignore[arg-type]
        elif op in (sre_constants.MAX_REPEAT, sre_constants.MIN_REPEAT) and arg[0] >= 1:
            consider(_required(list(arg[2])))
    if run:
        consider(frozenset({"".join(run).lower()}))
    return best


def required_words(pattern: str) -> tuple[frozenset[str], ...]:
    """Sets of lower-cased whole words: every match of ``pattern`` contains, as a whole
    word, one word of each set. Read where the pattern itself guarantees word edges
    (``\\b``, a space, punctuation); anything uncertain is left out, so a text whose
    words miss one of the sets cannot match."""
    try:
        items = list(sre_parse.parse(pattern, re.IGNORECASE))
    except re.error:
        return ()
    out: list[frozenset[str]] = []
    _words(items, False, False, out)
    return tuple(out)


_WORD = re.compile(r"\w+")
_EDGES_BEFORE = (sre_constants.AT_BOUNDARY, sre_constants.AT_BEGINNING,
                 sre_constants.AT_BEGINNING_STRING)
_EDGES_AFTER = (sre_constants.AT_BOUNDARY, sre_constants.AT_END, sre_constants.AT_END_STRING)


def _edge(items: list, i: int, outer: bool, after: bool) -> bool:
    """Is there a word edge just before (after) item ``i``?"""
    j = i + 1 if after else i - 1
    if j < 0 or j >= len(items):
        return outer
    op, arg = items[j]
    if op is sre_constants.AT:
        return arg in (_EDGES_AFTER if after else _EDGES_BEFORE)
    return op is sre_constants.LITERAL and not _WORD.fullmatch(chr(arg))


def _full_words(run: str, left: bool, right: bool) -> list[str]:
    return [m.group() for m in _WORD.finditer(run)
            if (m.start() > 0 or left) and (m.end() < len(run) or right)]


def _words(items: list, left: bool, right: bool, out: list[frozenset[str]]) -> None:
    i = 0
    while i < len(items):
        op, arg = items[i]
        if op is sre_constants.LITERAL:
            j = i
            while j < len(items) and items[j][0] is sre_constants.LITERAL:
                j += 1
            run = "".join(chr(a) for _, a in items[i:j]).lower()
            out.extend(frozenset({w}) for w in _full_words(
                run, _edge(items, i, left, False), _edge(items, j - 1, right, True)))
            i = j
            continue
        before, after = _edge(items, i, left, False), _edge(items, i, right, True)
        if op is sre_constants.SUBPATTERN:
            sub = list(arg[3])
            if len(sub) == 1 and sub[0][0] is sre_constants.BRANCH:
                _branch(sub[0][1][1], before, after, out)
            else:
                _words(sub, before, after, out)
        elif op is sre_constants.BRANCH:
            _branch(arg[1], before, after, out)
        i += 1


def _branch(alternatives: list, before: bool, after: bool, out: list[frozenset[str]]) -> None:
    chosen = set()
    for alternative in alternatives:
        alternative = list(alternative)
        if not alternative or any(op is not sre_constants.LITERAL for op, _ in alternative):
            return
        words = _full_words("".join(chr(a) for _, a in alternative).lower(), before, after)
        if not words:
            return
        chosen.add(max(words, key=len))
    out.append(frozenset(chosen))



@dataclass(frozen=True, slots=True)
class CueIndex:
    """Which cues a text can possibly match, found without running their patterns.

    Running ~500 regular expressions over every message was most of the classifier's
    time; nearly all of them fail. Every cue knows what any match must contain: sets of
    whole words (``Cue.words``, one word of each set) and literals (``Cue.triggers``,
    one of them). A cue with word sets is looked up by the words of the text; the others
    by the three-letter fragments the text contains, which name the literals worth an
    ``in`` test.
    Only cues that pass every check are run.
    """

    table: tuple[tuple[str, Cue], ...]  # (group, cue), in the order of the groups
    by_word: Mapping[str, tuple[int, ...]]  # a word of a cue's key word set -> positions
    by_gram: Mapping[str, tuple[str, ...]]  # first three letters -> triggers (no-word cues)
    short: tuple[str, ...]  # triggers of fewer than three letters (no-word cues)
    by_trigger: Mapping[str, tuple[int, ...]]  # trigger -> positions (no-word cues)
    always: tuple[int, ...]  # cues with neither: always run
    # The keys of by_word as a set: set & frozenset is one C call, whereas
    # set.intersection(dict) walks the whole dict. Those of by_gram, to test each.
    word_keys: frozenset[str] = frozenset()
    gram_keys: frozenset[str] = frozenset()

    @classmethod
    def build(cls, languages: Mapping[str, LanguageRules], groups: Iterable[str]) -> CueIndex:
        """The index of every cue of ``groups`` (in that order) of ``languages``."""
        table = tuple((group, cue) for group in groups for lang in languages.values()
                      for cue in lang.cues.get(group, ()))
        by_word: dict[str, list[int]] = {}
        by_trigger: dict[str, list[int]] = {}
        always = []
        for pos, (_, cue) in enumerate(table):
            if cue.words:
                # Index the rarest-looking set: the one whose shortest word is longest.
                key = max(cue.words, key=lambda ws: min(map(len, ws)))
                for word in key:
                    by_word.setdefault(word, []).append(pos)
            elif cue.triggers is None:
                always.append(pos)
            else:
                for trigger in cue.triggers:
                    by_trigger.setdefault(trigger, []).append(pos)
        by_gram: dict[str, list[str]] = {}
        for trigger in sorted(by_trigger):
            if len(trigger) >= 3:
                by_gram.setdefault(trigger[:3], []).append(trigger)
        return cls(table=table,
                   by_word={w: tuple(ps) for w, ps in by_word.items()},
                   by_gram={g: tuple(ts) for g, ts in by_gram.items()},
                   short=tuple(t for t in sorted(by_trigger) if len(t) < 3),
                   by_trigger={t: tuple(ps) for t, ps in by_trigger.items()},
                   always=tuple(always), word_keys=frozenset(by_word),
                   gram_keys=frozenset(by_gram))

    def candidates(self, lowered: str, groups: tuple[str, ...]) -> list[tuple[str, Cue]]:
        """The (group, cue) pairs of ``groups`` that may match ``lowered``, in the order
        of ``groups``, then languages, then the files."""
        # Runs a few times per message: plain loops, no generator per cue.
        words = set(_WORD.findall(lowered))
        positions = set(self.always)
        by_word = self.by_word
        for word in words & self.word_keys:
            positions.update(by_word[word])
        by_gram, by_trigger = self.by_gram, self.by_trigger
        # ~120 substring tests cost less than slicing every three letters of the text.
        for gram in self.gram_keys:
            if gram not in lowered:
                continue
            for trigger in by_gram[gram]:
                if trigger in lowered:
                    positions.update(by_trigger[trigger])
        for trigger in self.short:
            if trigger in lowered:
                positions.update(by_trigger[trigger])
        order = _group_order(groups)
        table = self.table
        chosen = []
        for p in positions:
            group, cue = table[p]
            rank = order.get(group)
            if rank is None:
                continue
            if cue.words:
                if any(ws.isdisjoint(words) for ws in cue.words):
                    continue
                if cue.triggers is not None and not any(t in lowered for t in cue.triggers):
                    continue
            chosen.append((rank, p))
        chosen.sort()
        return [table[p] for _, p in chosen]


@functools.lru_cache(maxsize=64)
def _group_order(groups: tuple[str, ...]) -> dict[str, int]:
    """Each group's first position in ``groups``."""
    return {g: i for i, g in reversed(list(enumerate(groups)))}

