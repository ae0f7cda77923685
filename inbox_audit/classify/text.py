"""Only what the sender wrote now: quoted history and signatures stripped.

A reply carries the conversation below it ("Op ma 23 nov. 2026 om 10:14 schreef ...",
Outlook's "Van:/Verzonden:" block, "> " lines), so a supplier's acknowledgement that
quotes the buyer's request for an "offerte" would otherwise look like a quote. The
patterns live in ``rules/common.toml``; the ``mail-parser-reply`` library adds the
reply headers it knows (more languages and client variants) as a second opinion.
"""

from __future__ import annotations

import functools
import re
import re._constants as sre_constants
import re._parser as sre_parse
import unicodedata
from collections.abc import Callable, Iterator

from mailparser_reply import EmailReplyParser
from mailparser_reply.parser import EmailMessage

from inbox_audit.classify.cuestart import start_prefixes
from inbox_audit.classify.rules import Rules

_QUOTED_LINE = re.compile(r"^\s*>")
_SPACES = re.compile(r"\s+")
_WORDS = re.compile(r"[^\W\d_]+(?:[-'][^\W\d_]+)*")
_TYPOGRAPHIC_MAP = {"\u2019": "'", "\u2018": "'", "\u00a0": " ", "\u202f": " ",
                    "\u201c": '"', "\u201d": '"', "\u2013": "-", "\u2014": "-"}
# A substitution touches only the rare characters; str.translate visits every one.
_TYPOGRAPHIC = re.compile("[" + "".join(_TYPOGRAPHIC_MAP) + "]")
_BACKREFERENCE = re.compile(r"\\[1-9]|\(\?P=")
# mail-parser-reply knows these of our four languages; English is always added by it.
_LIBRARY_LANGUAGES = ["nl", "fr", "de"]
_MIN_LANGUAGE_HITS = 2
_OUTLOOK_SEPARATOR = re.compile(r"([^\n])(\n{2,} ?[_-]{32,})")
# Every reply header mail-parser-reply knows contains one of these: "schreef:", "a écrit",
# "schrieb", "wrote:", "-----Original Message-----", or a line starting with a header
# name and a colon ("Van:", "From:", "De :", ...). A cheap test that skips its big pattern.
_LIBRARY_HINT = re.compile(
    r"schreef:|crit|schrieb|wrote:|-----|^[> *]*(?:(?:van|verzonden|aan|onderwerp|datum|cc"
    r"|de|envoy\w*|à|objet|von|gesendet|an|betreff|organi[sz]ation|from|sent|to|subject"
    r"|date)\s*)?:", re.IGNORECASE | re.MULTILINE)

_Find = Callable[[str], object]
_CRIT = re.compile("crit", re.IGNORECASE)  # as _LIBRARY_HINT folds case (also "ı", "İ")


def new_text(text: str, rules: Rules) -> str:
    """The part of ``text`` the sender wrote now: no quoted history, no signature."""
    return split_new_text(text, rules)[0]


def split_new_text(text: str, rules: Rules) -> tuple[str, str]:
    """``(body, signature)`` of what the sender wrote now, quoted history dropped.

    The signature is kept apart because out-of-office and newsletter wording often sits
    below the closing formula, while offers, amounts and requests never count there.
    """
    lines = _strip_history(_clean(text), rules)
    current = "\n".join(lines).strip("\n")
    current = _library_cut(current)
    return _split_signature(current.split("\n"), rules)


def match_text(text: str) -> str:
    """``text`` folded for cue matching: typographic quotes and dashes plain, every run of
    whitespace one space (so cues match across line breaks)."""
    return _SPACES.sub(" ", _plain(unicodedata.normalize("NFC", text))).strip()


def is_reply_subject(subject: str, rules: Rules) -> bool:
    """True when the subject starts with a reply or forward prefix (Re:, AW:, Fwd:, ...)."""
    return any(find(subject) for find in _finders(rules.common.reply_prefixes, False))


def detect_language(text: str, rules: Rules) -> str | None:
    """The rules language whose stopwords occur most in ``text``, or None when too few
    words are known to tell (a cheap guess, used only to prefer that language's cues)."""
    words = [w.lower() for w in _WORDS.findall(text)]
    if not words:
        return None
    scores = {code: sum(1 for w in words if w in lang.stopwords)
              for code, lang in rules.languages.items()}
    ranked = sorted(scores.items(), key=lambda kv: kv[1], reverse=True)
    best, hits = ranked[0]
    if hits < _MIN_LANGUAGE_HITS or (len(ranked) > 1 and ranked[1][1] == hits):
        return None
    return best


def _clean(text: str) -> str:
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return _plain(text)


def _plain(text: str) -> str:
    return _TYPOGRAPHIC.sub(lambda m: _TYPOGRAPHIC_MAP[m.group()], text)


@functools.lru_cache(maxsize=32)
def _any_of(patterns: tuple[re.Pattern[str], ...]) -> tuple[re.Pattern[str], ...]:
    """One pattern that matches where any of ``patterns`` does (one search per line
    instead of one per pattern), or the patterns themselves when they cannot be joined."""
    if not patterns or any(_BACKREFERENCE.search(p.pattern) for p in patterns):
        return patterns
    try:
        return (re.compile("|".join(f"(?:{p.pattern})" for p in patterns), re.IGNORECASE),)
    except re.error:
        return patterns


# id of a rules pattern tuple -> (the tuple, kept so the id is not reused; joined?;
# its finders). Hashing compiled patterns (as lru_cache does) hashes their whole code.
_FINDERS: dict[int, tuple[tuple[re.Pattern[str], ...], bool, tuple[_Find, ...]]] = {}


def _finders(patterns: tuple[re.Pattern[str], ...], joined: bool) -> tuple[_Find, ...]:
    """``p.search`` of each pattern (of the one joined pattern when ``joined``: see
    :func:`_any_of`), or ``p.match`` where that finds the same: a pattern anchored at the
    start of the string (``^`` without MULTILINE, ``\\A``) can only match at 0, but
    ``search`` would still try every later position to find that out."""
    cached = _FINDERS.get(id(patterns))
    if cached is not None and cached[0] is patterns and cached[1] == joined:
        return cached[2]
    used = _any_of(patterns) if joined else patterns
    found = tuple(p.match if _anchored(p) else p.search for p in used)
    if len(_FINDERS) > 64:
        _FINDERS.clear()
    _FINDERS[id(patterns)] = (patterns, joined, found)
    return found


def _anchored(pattern: re.Pattern[str]) -> bool:
    items = _parsed(pattern)
    return items is not None and _starts_anchored(items)


def _parsed(pattern: re.Pattern[str]) -> list | None:
    """The parsed items of a pattern that anchors at the text's start only (None: one
    with MULTILINE, whose ``^`` anchors at every line, or one that does not parse)."""
    if pattern.flags & re.MULTILINE:
        return None
    try:
        return list(sre_parse.parse(pattern.pattern, pattern.flags))
    except re.error:
        return None


def _starts_anchored(items: list) -> bool:
    if not items:
        return False
    op, arg = items[0]
    if op is sre_constants.AT:
        return arg in (sre_constants.AT_BEGINNING, sre_constants.AT_BEGINNING_STRING)
    if op is sre_constants.SUBPATTERN:
        # (?m:^...) anchors at every line: not at the start only.
        return not arg[1] & re.MULTILINE and _starts_anchored(list(arg[3]))
    if op is sre_constants.BRANCH:
        return all(_starts_anchored(list(branch)) for branch in arg[1])
    return False


def _strip_history(text: str, rules: Rules) -> list[str]:
    """The lines of ``text`` before the first quote header, without "> " lines."""
    lines = text.split("\n")
    history = _finders(rules.common.history, True)
    starts = _header_starts(rules.common.history)
    quoted = _QUOTED_LINE.match
    last = len(lines) - 1
    cut = len(lines)
    # Only lines where a header can begin are tried (most mail has a few, if any).
    for i in range(len(lines)) if starts is None else _line_numbers(starts, text):
        line = lines[i]
        if quoted(line):
            continue
        # Headers may wrap over two lines; try the line alone, then joined with the next
        # (skipping nothing: a wrapped header has no blank line in between).
        window = line if i >= last else line + "\n" + lines[i + 1]
        if any(find(line) or find(window) for find in history):
            cut = i
            break
    return [line for line in lines[:cut] if not quoted(line)]


def _line_numbers(starts: re.Pattern[str], text: str) -> Iterator[int]:
    """The numbers (from 0) of the lines of ``text`` where ``starts`` matches."""
    number, previous = 0, 0
    for m in starts.finditer(text):
        number += text.count("\n", previous, m.start())
        previous = m.start()
        yield number


# id of a history pattern tuple -> (the tuple, its _header_starts)
_STARTS: dict[int, tuple[tuple[re.Pattern[str], ...], re.Pattern[str] | None]] = {}


def _header_starts(patterns: tuple[re.Pattern[str], ...]) -> re.Pattern[str] | None:
    """A pattern that matches (empty, MULTILINE) at the start of every line of a text
    where one of ``patterns`` can match, on the line alone or joined to the next one
    (a superset), or None when that cannot be told: a pattern not anchored at the start,
    or one whose first letters (after leading spaces) are unknown."""
    cached = _STARTS.get(id(patterns))
    if cached is not None and cached[0] is patterns:
        return cached[1]
    found = _starts_pattern(patterns)
    if len(_STARTS) > 64:
        _STARTS.clear()
    _STARTS[id(patterns)] = (patterns, found)
    return found


def _starts_pattern(patterns: tuple[re.Pattern[str], ...]) -> re.Pattern[str] | None:
    lead: set[str] = set()  # characters that may come before the literal start
    prefixes: set[str] = set()
    for pattern in patterns:
        items = _parsed(pattern)
        if not items or items[0] != (sre_constants.AT, sre_constants.AT_BEGINNING) and \
                items[0] != (sre_constants.AT, sre_constants.AT_BEGINNING_STRING):
            return None
        items = items[1:]
        # "^\s*", "^[\s*]*": optional spaces (which may cross into the next line), marks.
        while (items and items[0][0] in (sre_constants.MAX_REPEAT, sre_constants.MIN_REPEAT)
               and items[0][1][0] == 0):
            chars = _lead_chars(list(items[0][1][2]))
            if chars is None:
                break
            lead |= chars
            items = items[1:]
        found = start_prefixes(items)
        if found is None or "" in found:
            return None
        prefixes |= found
    if not prefixes:
        return None
    # Where "van:" starts, "van" does: only the shortest of such prefixes is needed.
    prefixes = {p for p in prefixes if not any(q != p and p.startswith(q) for q in prefixes)}
    before = "[" + "".join(sorted(lead)) + "]*" if lead else ""
    alternatives = "|".join(re.escape(p) for p in sorted(prefixes))
    return re.compile(f"^(?={before}(?:{alternatives}))", re.IGNORECASE | re.MULTILINE)


def _lead_chars(items: list) -> set[str] | None:
    """The class of a repeated single character (``\\s``, ``[\\s*]``, ``" "``) as
    regular expression class members, or None for anything else."""
    if len(items) != 1:
        return None
    op, arg = items[0]
    if op is sre_constants.LITERAL:
        return {re.escape(chr(arg))}
    if op is not sre_constants.IN:
        return None
    out = set()
    for kind, value in arg:
        if kind is sre_constants.LITERAL:
            out.add(re.escape(chr(value)))
        elif kind is sre_constants.CATEGORY and value is sre_constants.CATEGORY_SPACE:
            out.add(r"\s")
        else:
            return None
    return out


def _library_cut(text: str) -> str:
    """Cut at the first reply header mail-parser-reply knows; keep its cut when it is
    shorter than what our own patterns left (it only ever removes history; its lines
    come back stripped).

    This is what ``EmailReplyParser.read(text).replies[0]`` gives when that first reply
    has no header of its own, without splitting every later fragment and looking for
    signatures and disclaimers in each (we use neither): a third of the classifier's
    time went there.
    """
    if not text.strip():
        return text
    lines = text.replace("\r\n", "\n").split("\n")
    norm = "\n".join(line.strip() for line in lines)
    # The library's own normalisation, including its count argument (re.MULTILINE == 8).
    norm = _OUTLOOK_SEPARATOR.sub("\\1\n", norm, 8)
    try:
        header = None
        # Without a hint its header patterns cannot match; every hint but "crit" and
        # "-----" holds a colon, and most mail has none of the three (cheap to test).
        if ((":" in norm or "-----" in norm or _CRIT.search(norm))
                and _LIBRARY_HINT.search(norm)):
            header = next((g for m in _library_headers().finditer(norm)
                           for g in m.groups() if g), None)
    except Exception:  # a third-party regex failure must not lose the mail
        return text
    if header is None:
        content = norm.strip()
    else:
        position = norm.find(header)
        content = norm[:position].strip()
        if not content:
            return text  # the text starts with a header: nothing of our own to cut
    return content if len(content) < len(text.strip()) else text


@functools.cache
def _library_headers() -> re.Pattern[str]:
    parser = EmailReplyParser(languages=list(_LIBRARY_LANGUAGES))
    return EmailMessage(text="", languages=list(parser.languages)).HEADER_REGEX


def _split_signature(lines: list[str], rules: Rules) -> tuple[str, str]:
    signature = _finders(rules.common.signature, True)
    written = False  # any text above this line yet?
    for i, line in enumerate(lines):
        stripped = line.strip()
        # A closing formula with nothing above it is the whole message.
        if written and (line == "-- " or any(find(stripped) for find in signature)):
            return _tidy(lines[:i]), _tidy(lines[i:])
        written = written or bool(stripped)
    return _tidy(lines), ""


def _tidy(lines: list[str]) -> str:
    return "\n".join(lines).strip()
