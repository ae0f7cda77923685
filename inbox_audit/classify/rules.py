"""The classification rules as data: load and validate ``rules/*.toml``.

A rules folder holds ``common.toml`` (language-neutral patterns: quote headers that start
the quoted history, signature starts, attachment names, no-reply senders, reply prefixes)
and one file per language (``nl.toml``, ``en.toml``, ...) with stopwords for language
identification and groups of weighted cue patterns. ``rules/README.md`` documents the
format for users who keep their own copy. Every problem is reported as a
:class:`~inbox_audit.errors.RulesError` naming the file and the line.
"""

from __future__ import annotations

import bisect
import functools
import hashlib
import re
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from inbox_audit.classify.cueindex import CueIndex, required_text, required_words
from inbox_audit.classify.cuestart import cue_matches, exact_lowering, start_pattern
from inbox_audit.errors import RulesError
from inbox_audit.resources import rules_dir

# The cue groups a language file may hold, and what each means to the classifier.
CUE_GROUPS: tuple[str, ...] = (
    "request",  # the buyer asks for an offer, a price, information, an appointment
    "quote",  # a supplier states an offer or a price
    "followup",  # continuing a conversation: checking in, answering, chasing
    "silence",  # out-of-office, acknowledgement, ticket receipt, bounce, no-reply
    "other",  # newsletter, marketing, invoice, payment reminder
    "high_intent",  # test drive, demo, visit, site survey, showroom, trial
)
STRONG_WEIGHT = 2.0
WEAK_WEIGHT = 1.0

_LANGUAGE_KEYS = {"version", "language", "name", "stopwords", *CUE_GROUPS}
_GROUP_KEYS = {"strong", "weak"}
_COMMON_TABLES = {
    "history": {"patterns"},
    "signature": {"patterns"},
    "attachments": {"quote", "other"},
    "senders": {"noreply"},
    "subject": {"reply_prefixes"},
}


@dataclass(frozen=True, slots=True)
class Cue:
    """One compiled pattern of a cue group; ``source`` is the text as written."""

    pattern: re.Pattern[str]
    source: str
    weight: float
    language: str
    # Lower-cased strings of which every match contains at least one (None: unknown).
    # Checking them with ``in`` is far cheaper than running the pattern.
    triggers: frozenset[str] | None = None
    # Sets of whole words, each of which must share a word with the text's words.
    words: tuple[frozenset[str], ...] = ()
    # Finds, in the lower-cased text, where a match can start (None: anywhere).
    starts: re.Pattern[str] | None = None


@dataclass(frozen=True, slots=True)
class LanguageRules:
    """The rules of one language file."""

    code: str
    version: str
    stopwords: frozenset[str]
    cues: Mapping[str, tuple[Cue, ...]]


@dataclass(frozen=True, slots=True)
class CommonRules:
    """Language-neutral patterns from ``common.toml``."""

    version: str
    history: tuple[re.Pattern[str], ...]
    signature: tuple[re.Pattern[str], ...]
    quote_attachments: tuple[re.Pattern[str], ...]
    other_attachments: tuple[re.Pattern[str], ...]
    noreply_senders: tuple[re.Pattern[str], ...]
    reply_prefixes: tuple[re.Pattern[str], ...]


@dataclass(frozen=True, slots=True)
class Rules:
    """Everything the classifier reads from a rules folder.

    ``digest`` is a hash of the files' bytes, so stored classifications can tell which
    rules produced them.
    """

    folder: Path
    digest: str
    common: CommonRules
    languages: Mapping[str, LanguageRules]
    index: CueIndex | None = None  # built by load_rules; find_cues needs it

    def cues(self, group: str) -> Iterable[Cue]:
        """Every language's cues of ``group``."""
        for lang in self.languages.values():
            yield from lang.cues.get(group, ())


@dataclass(frozen=True, slots=True)
class Match:
    """A cue found in a text: where, which cue, how much it weighs there."""

    group: str
    start: int
    end: int
    cue: Cue
    weight: float
    found: str  # the matched words, for explanations


def load_rules(folder: Path | None = None) -> Rules:
    """Load and validate a rules folder (``None``: the bundled ``rules/``).

    Raises :class:`RulesError` naming the file and line of the first problem.
    """
    folder, digest, common_path, lang_paths = _rule_files(folder)
    return _compiled(folder, digest, common_path, lang_paths)


def rules_digest(folder: Path | None = None) -> str:
    """``load_rules(folder).digest`` without compiling the rules (which takes about a
    second): what a run needs to know whether stored results are still current."""
    return _rule_files(folder)[1]


def _rule_files(folder: Path | None) -> tuple[Path, str, Path, tuple[Path, ...]]:
    """The folder, the digest of its files, common.toml and the language files."""
    folder = Path(folder) if folder is not None else rules_dir()
    if not folder.is_dir():
        raise RulesError(f"rules folder {folder} does not exist")
    files = sorted(p for p in folder.glob("*.toml") if p.is_file())
    common_path = folder / "common.toml"
    if common_path not in files:
        raise RulesError(f"rules folder {folder} has no common.toml")
    lang_paths = [p for p in files if p != common_path]
    if not lang_paths:
        raise RulesError(f"rules folder {folder} has no language file (e.g. nl.toml)")
    digest = hashlib.sha256()
    for path in files:
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return folder, digest.hexdigest(), common_path, tuple(lang_paths)


@functools.lru_cache(maxsize=4)
def _compiled(folder: Path, digest: str, common_path: Path,
              lang_paths: tuple[Path, ...]) -> Rules:
    # Compiling ~500 cue patterns costs about a second; a run asks for the rules in
    # several stages, and the files' digest says when they must be read again.
    common = _load_common(common_path)
    languages = {}
    for path in lang_paths:
        lang = _load_language(path)
        if lang.code in languages:
            raise RulesError(f"{path}: line 1: language {lang.code!r} is already defined "
                             "by another file")
        languages[lang.code] = lang
    return Rules(folder=folder, digest=digest, common=common, languages=languages,
                 index=CueIndex.build(languages, CUE_GROUPS))


def find_cues(text: str, rules: Rules, groups: Iterable[str],
              prefer: str | None = None, foreign_factor: float = 0.75,
              seen: set[str] | None = None) -> list[Match]:
    """Cues of ``groups`` found in ``text``, overlaps resolved.

    When matches overlap, the longest (most specific) wins: "offerteaanvraag" or "graag
    een offerte" (request) beats the bare "offerte" (quote), and "heeft u onze offerte
    al kunnen bekijken" (follow-up) beats "onze offerte". Cues of the ``prefer``red
    language weigh fully, other languages' cues weigh ``foreign_factor`` as much.
    ``seen``, when given, receives the group of every match before overlaps are
    resolved: a group is in it exactly when ``find_cues(text, rules, [group])`` finds
    something.
    """
    matches: list[Match] = []
    if not text:
        return matches
    groups = tuple(groups)
    index = rules.index or CueIndex.build(rules.languages, CUE_GROUPS)
    lowered = text.lower()
    exact = exact_lowering(text, lowered)
    for group, cue in index.candidates(lowered, groups):
        factor = 1.0 if prefer is None or cue.language == prefer else foreign_factor
        found = (cue_matches(cue.pattern, cue.starts, text, lowered)
                 if exact and cue.starts is not None else cue.pattern.finditer(text))
        for m in found:
            start, end = m.span()
            if end > start:
                matches.append(Match(group, start, end, cue, cue.weight * factor,
                                     m.group(0)))
    if seen is not None:
        seen.update(m.group for m in matches)
    if len(matches) < 2:  # nothing can overlap
        return matches
    # Longest first, then heaviest; keep a match only where nothing kept overlaps it.
    matches.sort(key=lambda m: (-(m.end - m.start), -m.weight, m.start))
    # Kept spans never overlap, so sorted by start they are sorted by end too: the only
    # one that can overlap a new span is the first kept one ending after its start.
    kept: list[Match] = []
    ends: list[int] = []
    for m in matches:
        i = bisect.bisect_right(ends, m.start)
        if i == len(kept) or kept[i].start >= m.end:
            kept.insert(i, m)
            ends.insert(i, m.end)
    return kept


# --- loading ---------------------------------------------------------------------------


def _read_toml(path: Path) -> tuple[dict[str, Any], str]:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise RulesError(f"{path}: cannot read: {exc}") from None
    try:
        return tomllib.loads(text), text
    except tomllib.TOMLDecodeError as exc:
        # tomllib ends its message with "(at line N, column M)"; lead with the line.
        where = re.search(r"\s*\(at line (\d+), column (\d+)\)$", str(exc))
        if where:
            message = str(exc)[:where.start()]
            raise RulesError(f"{path}: line {where[1]}: {message} "
                             f"(column {where[2]})") from None
        raise RulesError(f"{path}: {exc}") from None


def _load_language(path: Path) -> LanguageRules:
    data, text = _read_toml(path)
    _check_keys(path, text, None, data, _LANGUAGE_KEYS)
    code = data.get("language", path.stem)
    if not isinstance(code, str) or not code:
        _fail(path, text, None, "language", "language must be a non-empty string")
    version = _version(path, text, data)
    stopwords = _string_list(path, text, None, "stopwords", data.get("stopwords", []))
    cues: dict[str, tuple[Cue, ...]] = {}
    for group in CUE_GROUPS:
        table = data.get(group, {})
        if not isinstance(table, dict):
            _fail(path, text, None, group, f"[{group}] must be a table with strong/weak lists")
        _check_keys(path, text, group, table, _GROUP_KEYS)
        compiled: list[Cue] = []
        for strength, weight in (("strong", STRONG_WEIGHT), ("weak", WEAK_WEIGHT)):
            for source in _string_list(path, text, group, strength, table.get(strength, [])):
                pattern = _compile(path, text, group, strength, source, word_edges=True)
                compiled.append(Cue(pattern, source, weight, code, required_text(source),
                                    required_words(pattern.pattern),
                                    # Single letters start too many places to save time.
                                    start_pattern(pattern.pattern, min_chars=2)))
        cues[group] = tuple(compiled)
    return LanguageRules(code=code, version=version,
                         stopwords=frozenset(w.lower() for w in stopwords), cues=cues)


def _load_common(path: Path) -> CommonRules:
    data, text = _read_toml(path)
    _check_keys(path, text, None, data, {"version", *_COMMON_TABLES})
    version = _version(path, text, data)
    lists: dict[tuple[str, str], tuple[re.Pattern[str], ...]] = {}
    for table, keys in _COMMON_TABLES.items():
        values = data.get(table, {})
        if not isinstance(values, dict):
            _fail(path, text, None, table, f"[{table}] must be a table")
        _check_keys(path, text, table, values, keys)
        for key in keys:
            sources = _string_list(path, text, table, key, values.get(key, []))
            lists[table, key] = tuple(
                _compile(path, text, table, key, s, word_edges=False) for s in sources)
    return CommonRules(
        version=version,
        history=lists["history", "patterns"],
        signature=lists["signature", "patterns"],
        quote_attachments=lists["attachments", "quote"],
        other_attachments=lists["attachments", "other"],
        noreply_senders=lists["senders", "noreply"],
        reply_prefixes=lists["subject", "reply_prefixes"],
    )


def _version(path: Path, text: str, data: Mapping[str, Any]) -> str:
    if "version" not in data:
        raise RulesError(f"{path}: line 1: missing 'version'")
    version = data["version"]
    if isinstance(version, bool) or not isinstance(version, int | str):
        _fail(path, text, None, "version", "version must be a number or a string")
    return str(version)


def _compile(path: Path, text: str, table: str, key: str, source: str,
             word_edges: bool) -> re.Pattern[str]:
    # Cue patterns are matched as whole words at their edges, so "offerte" does not fire
    # inside "offerteaanvraag"; authors add \w* themselves to match inside compounds.
    body = source
    if word_edges:
        if body[:1].isalnum():
            body = r"\b" + body
        if body[-1:].isalnum():
            body = body + r"\b"
    try:
        return re.compile(body, re.IGNORECASE)
    except re.error as exc:
        line = _value_line(text, table, key, source)
        raise RulesError(f"{path}: line {line}: bad pattern {source!r} in "
                         f"{table}.{key}: {exc}") from None


def _string_list(path: Path, text: str, table: str | None, key: str, value: Any) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        where = f"{table}.{key}" if table else key
        _fail(path, text, table, key, f"{where} must be a list of non-empty strings")
    return value


def _check_keys(path: Path, text: str, table: str | None, data: Mapping[str, Any],
                allowed: set[str]) -> None:
    for key in data:
        if key not in allowed:
            where = f"{table}.{key}" if table else key
            _fail(path, text, table, key,
                  f"unknown key {where!r} (expected one of: {', '.join(sorted(allowed))})")


def _fail(path: Path, text: str, table: str | None, key: str, message: str) -> None:
    raise RulesError(f"{path}: line {_key_line(text, table, key)}: {message}")


# --- finding the line of a key or value in the file text (tomllib does not say) --------

_STRING_LITERAL = re.compile(r"'[^'\n]*'|\"(?:[^\"\\\n]|\\.)*\"")


def _table_start(lines: list[str], table: str | None) -> int:
    if table is None:
        return 0
    header = re.compile(rf"^\s*\[\s*{re.escape(table)}\s*\]")
    for i, line in enumerate(lines):
        if header.match(line):
            return i
    return 0


def _key_line(text: str, table: str | None, key: str) -> int:
    lines = text.splitlines()
    start = _table_start(lines, table)
    header = re.compile(rf"^\s*\[\s*{re.escape(key)}\s*\]")
    assign = re.compile(rf"^\s*(?:{re.escape(table)}\s*\.\s*)?\"?{re.escape(key)}\"?\s*="
                        if table else rf"^\s*\"?{re.escape(key)}\"?\s*[=.]")
    for i in range(start, len(lines)):
        if assign.match(lines[i]) or (table is None and header.match(lines[i])):
            return i + 1
    return start + 1


def _value_line(text: str, table: str, key: str, value: str) -> int:
    lines = text.splitlines()
    first = _key_line(text, table, key) - 1
    for i in range(first, len(lines)):
        for literal in _STRING_LITERAL.findall(lines[i]):
            try:
                decoded = tomllib.loads(f"v = {literal}")["v"]
            except tomllib.TOMLDecodeError:
                continue
            if decoded == value:
                return i + 1
    return first + 1
