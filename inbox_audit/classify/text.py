"""Only what the sender wrote now: quoted history and signatures stripped.

A reply carries the conversation below it ("Op ma 23 nov. 2026 om 10:14 schreef ...",
Outlook's "Van:/Verzonden:" block, "> " lines), so a supplier's acknowledgement that
quotes the buyer's request for an "offerte" would otherwise look like a quote. The
patterns live in ``rules/common.toml``; the ``mail-parser-reply`` library adds the
reply headers it knows (more languages and client variants) as a second opinion.
"""

from __future__ import annotations

import re
import unicodedata

from mailparser_reply import EmailReplyParser

from inbox_audit.classify.rules import Rules

_QUOTED_LINE = re.compile(r"^\s*>")
_SPACES = re.compile(r"\s+")
_WORDS = re.compile(r"[^\W\d_]+(?:[-'][^\W\d_]+)*")
_TYPOGRAPHIC = str.maketrans({"\u2019": "'", "\u2018": "'", "\u00a0": " ", "\u202f": " ",
                              "\u201c": '"', "\u201d": '"', "\u2013": "-", "\u2014": "-"})
# mail-parser-reply knows these of our four languages; English is always added by it.
_LIBRARY_LANGUAGES = ["nl", "fr", "de"]
_MIN_LANGUAGE_HITS = 2


def new_text(text: str, rules: Rules) -> str:
    """The part of ``text`` the sender wrote now: no quoted history, no signature."""
    return split_new_text(text, rules)[0]


def split_new_text(text: str, rules: Rules) -> tuple[str, str]:
    """``(body, signature)`` of what the sender wrote now, quoted history dropped.

    The signature is kept apart because out-of-office and newsletter wording often sits
    below the closing formula, while offers, amounts and requests never count there.
    """
    lines = _strip_history(_clean(text).split("\n"), rules)
    current = "\n".join(lines).strip("\n")
    current = _library_cut(current)
    return _split_signature(current.split("\n"), rules)


def match_text(text: str) -> str:
    """``text`` folded for cue matching: typographic quotes and dashes plain, every run of
    whitespace one space (so cues match across line breaks)."""
    return _SPACES.sub(" ", unicodedata.normalize("NFC", text).translate(_TYPOGRAPHIC)).strip()


def is_reply_subject(subject: str, rules: Rules) -> bool:
    """True when the subject starts with a reply or forward prefix (Re:, AW:, Fwd:, ...)."""
    return any(p.search(subject) for p in rules.common.reply_prefixes)


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
    return text.translate(_TYPOGRAPHIC)


def _strip_history(lines: list[str], rules: Rules) -> list[str]:
    """Lines before the first quote header, without "> " lines."""
    kept: list[str] = []
    for i, line in enumerate(lines):
        if _QUOTED_LINE.match(line):
            continue
        # Headers may wrap over two lines; try the line alone, then joined with the next
        # (skipping nothing: a wrapped header has no blank line in between).
        window = line if i + 1 >= len(lines) else line + "\n" + lines[i + 1]
        if any(p.search(line) or p.search(window) for p in rules.common.history):
            break
        kept.append(line)
    return kept


def _library_cut(text: str) -> str:
    """Ask mail-parser-reply for the first reply; keep it when it is shorter than what
    our own patterns left (it only ever removes history; its lines come back stripped)."""
    if not text.strip():
        return text
    try:
        message = EmailReplyParser(languages=list(_LIBRARY_LANGUAGES)).read(text)
    except Exception:  # a third-party regex failure must not lose the mail
        return text
    if not message.replies:
        return text
    first = message.replies[0]
    # The library skips an empty first part; then its first reply is quoted history.
    if first.headers or not first.content.strip():
        return text
    content = first.content.strip()
    return content if len(content) < len(text.strip()) else text


def _split_signature(lines: list[str], rules: Rules) -> tuple[str, str]:
    for i, line in enumerate(lines):
        if i == 0 or not any(s.strip() for s in lines[:i]):
            continue  # a closing formula with nothing above it is the whole message
        if any(p.search(line.strip()) for p in rules.common.signature) or line == "-- ":
            return _tidy(lines[:i]), _tidy(lines[i:])
    return _tidy(lines), ""


def _tidy(lines: list[str]) -> str:
    return "\n".join(lines).strip()
