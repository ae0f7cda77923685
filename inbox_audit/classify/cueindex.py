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
from dataclasses import dataclass, field
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
    one of them). Both are looked up by the words (``\\w+`` runs) of the lower-cased
    text: a cue with word sets by the words themselves, the others by the literals a
    word contains. A literal of word characters only occurs inside one word; one with a
    space or a dot is looked up by its longest run of word characters, then tested
    against the text. What each distinct word leads to is remembered (words repeat
    from mail to mail), so a text costs about one dict lookup per distinct word.
    Only cues that pass every check are run.
    """

    table: tuple[tuple[str, Cue], ...]  # (group, cue), in the order of the groups
    by_word: Mapping[str, tuple[int, ...]]  # a word of a cue's key word set -> positions
    by_gram: Mapping[str, tuple[str, ...]]  # first three letters of a key -> triggers
    short: tuple[str, ...]  # triggers whose key is shorter than three letters
    by_trigger: Mapping[str, tuple[int, ...]]  # trigger -> positions (no-word cues)
    always: tuple[int, ...]  # cues with neither: always run
    key_of: Mapping[str, str] = field(default_factory=dict)  # trigger -> its key run
    keyless: tuple[str, ...] = ()  # triggers without a word character: test every text
    # Position of a word cue -> (its word sets but the key set, its triggers).
    rest: Mapping[int, tuple[tuple[frozenset[str], ...], tuple[str, ...] | None]] = field(
        default_factory=dict)
    # What each distinct word seen so far leads to (see _WordMemo).
    _memo: _WordMemo = field(default_factory=lambda: _WordMemo(), compare=False, repr=False)

    @classmethod
    def build(cls, languages: Mapping[str, LanguageRules], groups: Iterable[str]) -> CueIndex:
        """The index of every cue of ``groups`` (in that order) of ``languages``."""
        table = tuple((group, cue) for group in groups for lang in languages.values()
                      for cue in lang.cues.get(group, ()))
        by_word: dict[str, list[int]] = {}
        by_trigger: dict[str, list[int]] = {}
        rest = {}
        always = []
        for pos, (_, cue) in enumerate(table):
            if cue.words:
                # Index the rarest-looking set: the one whose shortest word is longest.
                key = max(cue.words, key=lambda ws: min(map(len, ws)))
                for word in key:
                    by_word.setdefault(word, []).append(pos)
                others = list(cue.words)
                others.remove(key)
                rest[pos] = (tuple(others), None if cue.triggers is None
                             else tuple(sorted(cue.triggers)))
            elif cue.triggers is None:
                always.append(pos)
            else:
                for trigger in cue.triggers:
                    by_trigger.setdefault(trigger, []).append(pos)
        key_of = {t: _key_run(t) for t in by_trigger}
        by_gram: dict[str, list[str]] = {}
        for trigger in sorted(by_trigger):
            if len(key_of[trigger]) >= 3:
                by_gram.setdefault(key_of[trigger][:3], []).append(trigger)
        return cls(table=table,
                   by_word={w: tuple(ps) for w, ps in by_word.items()},
                   by_gram={g: tuple(ts) for g, ts in by_gram.items()},
                   short=tuple(t for t in sorted(by_trigger) if 0 < len(key_of[t]) < 3),
                   by_trigger={t: tuple(ps) for t, ps in by_trigger.items()},
                   always=tuple(always), key_of=key_of, rest=rest,
                   keyless=tuple(t for t in sorted(by_trigger) if not key_of[t]))

    def candidates(self, lowered: str, groups: tuple[str, ...]) -> list[tuple[str, Cue]]:
        """The (group, cue) pairs of ``groups`` that may match ``lowered``, in the order
        of ``groups``, then languages, then the files."""
        # Runs a few times per message on short texts: set operations in C rather than
        # a Python loop over the words.
        words = _word_set(lowered)
        memo = self._memo
        new = words - memo.known
        if new:
            if len(memo.known) > _MAX_WORDS:  # new words are endless (numbers, names)
                memo.clear()
                new = words
            for word in new:
                memo.learn(word, self._word_hits(word))
        positions = set(self.always)
        found = words & memo.proven.keys()
        if found:
            positions.update(*map(memo.proven.__getitem__, found))
        by_trigger = self.by_trigger
        found = words & memo.spanning.keys()
        if found:
            for trigger in set().union(*map(memo.spanning.__getitem__, found)):
                if trigger in lowered:
                    positions.update(by_trigger[trigger])
        for trigger in self.keyless:
            if trigger in lowered:
                positions.update(by_trigger[trigger])
        table = self.table
        found = words & memo.checked.keys()
        if found:
            rest = self.rest
            for p in set().union(*map(memo.checked.__getitem__, found)) - positions:
                sets, triggers = rest[p]
                for ws in sets:
                    if ws.isdisjoint(words):
                        break
                else:
                    if triggers is None:
                        positions.add(p)
                        continue
                    for t in triggers:  # mostly one: a loop, not any() over a generator
                        if t in lowered:
                            positions.add(p)
                            break
        allowed, in_order = self._groups(groups)
        if in_order:  # positions already run in the order of the groups
            return [table[p] for p in sorted(positions & allowed)]
        order = _group_order(groups)
        return [table[p] for p in sorted(positions & allowed,
                                         key=lambda p: (order[table[p][0]], p))]

    def _groups(self, groups: tuple[str, ...]) -> tuple[frozenset[int], bool]:
        """The positions of cues of ``groups``, and whether sorting them by position
        sorts them by the order of ``groups`` too (the usual case)."""
        known = self._memo.groups.get(groups)
        if known is None:
            order = _group_order(groups)
            allowed = [p for p, (group, _) in enumerate(self.table) if group in order]
            ranks = [order[self.table[p][0]] for p in allowed]
            known = self._memo.groups[groups] = (frozenset(allowed), ranks == sorted(ranks))
        return known

    def _word_hits(self, word: str) -> _WordHits:
        """What ``word`` (one ``\\w+`` run of a text) tells: the cue positions it
        proves possible, those whose other conditions (more word sets, a literal beyond
        the word) the text must still meet, and the triggers with non-word characters
        whose key run it contains (to be tested against the whole text)."""
        positions = []
        checked = []
        for p in self.by_word.get(word, ()):
            cue = self.table[p][1]
            # The word is of the cue's key set; when that is its only set and the word
            # holds one of its literals, nothing is left to check.
            if len(cue.words) == 1 and (cue.triggers is None
                                        or any(t in word for t in cue.triggers)):
                positions.append(p)
            else:
                checked.append(p)
        found = set()
        by_gram = self.by_gram
        for i in range(len(word) - 2):
            for trigger in by_gram.get(word[i:i + 3], ()):
                if self.key_of[trigger] in word:
                    found.add(trigger)
        for trigger in self.short:
            if self.key_of[trigger] in word:
                found.add(trigger)
        spanning = []
        for trigger in sorted(found):
            if trigger == self.key_of[trigger]:  # word characters only: found in full
                positions.extend(self.by_trigger[trigger])
            else:
                spanning.append(trigger)
        return tuple(sorted(set(positions))), tuple(checked), tuple(spanning)


# Every ASCII character \w does not match, to a space: on ASCII text, translate + split
# gives the \w+ runs, several times faster than findall.
_ASCII_NON_WORD = str.maketrans({c: " " for c in map(chr, range(128))
                                 if not (c.isalnum() or c == "_")})


def _word_set(text: str) -> set[str]:
    """The distinct ``\\w+`` runs of ``text``."""
    if text.isascii():
        return set(text.translate(_ASCII_NON_WORD).split())
    return set(_WORD.findall(text))


def _key_run(trigger: str) -> str:
    """The longest ``\\w+`` run of ``trigger``: any text holding ``trigger`` holds it
    inside one of its words (the empty string when there is none)."""
    return max(_WORD.findall(trigger), key=len, default="")


_MAX_WORDS = 200_000
_WordHits = tuple[tuple[int, ...], tuple[int, ...], tuple[str, ...]]


class _WordMemo:
    """What each distinct word leads to, by kind; only words with something to say are
    keys, so ``words & memo.proven.keys()`` picks the few that matter in C."""

    __slots__ = ("checked", "groups", "known", "proven", "spanning")

    def __init__(self) -> None:
        self.known: set[str] = set()
        self.proven: dict[str, tuple[int, ...]] = {}
        self.checked: dict[str, tuple[int, ...]] = {}
        self.spanning: dict[str, tuple[str, ...]] = {}
        self.groups: dict[tuple[str, ...], tuple[frozenset[int], bool]] = {}

    def learn(self, word: str, hits: _WordHits) -> None:
        self.known.add(word)
        proven, checked, spanning = hits
        if proven:
            self.proven[word] = proven
        if checked:
            self.checked[word] = checked
        if spanning:
            self.spanning[word] = spanning

    def clear(self) -> None:
        for table in (self.known, self.proven, self.checked, self.spanning):
            table.clear()


@functools.lru_cache(maxsize=64)
def _group_order(groups: tuple[str, ...]) -> dict[str, int]:
    """Each group's first position in ``groups``."""
    return {g: i for i, g in reversed(list(enumerate(groups)))}

