"""Where a cue's match can start, so its pattern is tried only there.

Cue patterns are case-insensitive and most begin with ``\\b`` or a group, so the regular
expression engine has no prefix to skip ahead with: it tries a full match at every
character, and those failed attempts were half the cue stage's time. Most patterns
start with one of a few literal strings (``(prix|total|montant|co(û|u)t)s? ...`` starts
with "prix", "total", "montant" or "co"); :func:`start_pattern` reads those from the
parsed pattern, and :func:`cue_matches` tries the cue only where the lower-cased text
holds one of them. The result is what ``pattern.finditer(text)`` gives, match for match.
"""

from __future__ import annotations

import re
import re._compiler as sre_compile
import re._constants as sre_constants
import re._parser as sre_parse
from collections.abc import Iterator

# Prefixes longer than this add nothing to the search but size.
_PREFIX_CHARS = 6
_MAX_PREFIXES = 64
# Characters whose lower case alone does not say what a case-insensitive pattern
# matches: the engine's extra case equivalences ("ſ" matches "s", "ı" matches "i", ...),
# seen in a lower-cased text; "İ" and "Σ" lower-case by context or to two characters.
_SPECIAL = frozenset(
    ch for ch in ({chr(k) for k in sre_compile._EXTRA_CASES}
                  | {chr(v) for vs in sre_compile._EXTRA_CASES.values() for v in vs})
    if not ch.isascii())
_SPECIAL_CHARS = re.compile("[" + re.escape("".join(sorted(_SPECIAL | {"İ", "Σ"}))) + "]")
_Prefixes = set[tuple[str, bool]]  # (literal prefix, may the prefix still grow?)


def start_pattern(pattern: str, min_chars: int = 1) -> re.Pattern[str] | None:
    """A pattern finding, in a lower-cased text, every place where a case-insensitive
    match of ``pattern`` can start (a superset), or None when that cannot be told (the
    pattern may start with a character class, or match the empty string) or when some
    start is shorter than ``min_chars`` characters (too common to save anything)."""
    try:
        items = list(sre_parse.parse(pattern, re.IGNORECASE))
    except re.error:
        return None
    found = _sequence(items)
    if found is None:
        return None
    prefixes = {p for p, _ in found}
    if not prefixes or min(map(len, prefixes)) < max(1, min_chars):
        return None
    # Where "prixs" starts, "prix" does: only the shortest of such prefixes is needed.
    prefixes = {p for p in prefixes if not any(q != p and p.startswith(q) for q in prefixes)}
    # Any start of any prefix is a candidate; which alternative matches there is moot.
    return re.compile("|".join(re.escape(p) for p in sorted(prefixes)))


def start_prefixes(items: list) -> set[str] | None:
    """The lower-cased literal strings (of at most a few characters) one of which every
    case-insensitive match of the parsed pattern ``items`` (``re._parser.parse``) starts
    with; "" among them when a match may start with anything, None when unknown."""
    found = _sequence(items)
    return None if found is None else {prefix for prefix, _ in found}


def exact_lowering(text: str, lowered: str) -> bool:
    """True when ``lowered`` (``text.lower()``) lines up character for character with
    ``text`` and holds no character the engine folds in other ways: then a literal
    found in ``lowered`` is where a case-insensitive pattern matches it in ``text``."""
    return len(lowered) == len(text) and (lowered.isascii()
                                          or _SPECIAL_CHARS.search(lowered) is None)


def cue_matches(pattern: re.Pattern[str], starts: re.Pattern[str], text: str,
                lowered: str) -> Iterator[re.Match[str]]:
    """What ``pattern.finditer(text)`` yields, trying ``pattern`` only where ``starts``
    finds a possible beginning in ``lowered``. Only valid when
    :func:`exact_lowering` holds and ``starts`` comes from :func:`start_pattern` (whose
    patterns never match empty, so finditer's empty-match rule does not arise)."""
    pos = 0
    search, match = starts.search, pattern.match
    while True:
        start = search(lowered, pos)
        if start is None:
            return
        at = start.start()
        # match() at a position sees the text before it (lookbehinds, \b), as finditer's
        # own scan does; "^" holds only at 0 for both.
        m = match(text, at)
        if m is None:
            pos = at + 1
            continue
        yield m
        pos = m.end()


def _sequence(items: list) -> _Prefixes | None:
    """The literal prefixes every match of ``items`` in sequence starts with."""
    current: _Prefixes = {("", True)}
    for op, arg in items:
        if not any(grows for _, grows in current):
            break
        element = _element(op, arg)
        if element is None:
            return None
        nxt: _Prefixes = set()
        for prefix, grows in current:
            if not grows:
                nxt.add((prefix, False))
                continue
            for more, more_grows in element:
                joined = prefix + more
                nxt.add((joined[:_PREFIX_CHARS],
                         more_grows and len(joined) < _PREFIX_CHARS))
        if len(nxt) > _MAX_PREFIXES:
            return None
        current = nxt
    return current


def _element(op: object, arg: object) -> _Prefixes | None:
    if op is sre_constants.AT:  # zero width: \b, ^
        return {("", True)}
    if op is sre_constants.LITERAL:
        return _literal(arg)  # type: ignore[arg-type]
    if op is sre_constants.IN:  # "(é|e)" parses as a set of literals
        out_in: _Prefixes = set()
        for kind, value in arg:  # type: ignore[attr-defined]
            one = _literal(value) if kind is sre_constants.LITERAL else None
            if one is None:
                return {("", False)}
            out_in |= one
        return out_in
    if op is sre_constants.SUBPATTERN:
        return _sequence(list(arg[3]))  # type: ignore[index]
    if op is sre_constants.BRANCH:
        out: _Prefixes = set()
        for branch in arg[1]:  # type: ignore[index]
            found = _sequence(list(branch))
            if found is None:
                return None
            out |= found
        return out
    if op in (sre_constants.MAX_REPEAT, sre_constants.MIN_REPEAT):
        low, _, sub = arg  # type: ignore[misc]
        found = _sequence(list(sub))
        if found is None:
            return None
        # After one repetition the next may follow: the prefix stops growing there.
        stopped = {(p, False) for p, _ in found}
        return stopped | {("", True)} if low == 0 else stopped
    # A character class, any character, a lookaround, a backreference: unknown start.
    return {("", False)}


def _literal(code: int) -> _Prefixes | None:
    char = chr(code)
    lower = char.lower()
    if len(lower) != 1 or char in _SPECIAL or lower in _SPECIAL or char in "İΣ":
        return None
    return {(lower, True)}
