"""The correction file (SPEC §8): the buyer's labels override the classifier.

This module reads and validates the file. A bad file is refused as a whole, every
problem listed with its line number, and nothing is applied. Writing and merging the
file lives in :mod:`inbox_audit.review`.

The file is a CSV a spreadsheet saved: UTF-8 (with or without BOM; a Windows "ANSI"
save is read as cp1252, "Unicode text" as UTF-16), delimited by ``,``, ``;`` (a
Belgian Excel) or a tab, optionally with Excel's ``sep=`` first line. Only
``message_id`` and ``correct`` are required; ``note`` and ``status`` are read when
present, every other column is informative and regenerated from the store.
"""

from __future__ import annotations

import codecs
import csv
import difflib
import io
import re
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from inbox_audit.errors import CorrectionsError
from inbox_audit.models import LABELS, Classification, Label, Message

# The columns ``inbox-audit review`` writes, in this order; correct and note sit right
# after the prediction so the buyer edits next to what he reads.
COLUMNS = ("message_id", "date", "from", "subject", "predicted", "confidence", "correct",
           "note", "source", "explanation", "status")
REQUIRED_COLUMNS = ("message_id", "correct")
# Typed by the user: the merge keeps these verbatim.
TYPED_COLUMNS = ("correct", "note")
# The status of a row whose message is gone (store rebuilt, mail deleted). Such rows are
# kept so nothing typed is lost, and skipped when corrections are applied.
GONE = "message no longer in store"

# What people type in a spreadsheet for each label, compared without case, spaces,
# hyphens or underscores ("Follow Up", "followup", "follow_up" are one word).
_ALIASES: dict[str, Label] = {
    "request": "request", "quote": "quote", "followup": "follow-up",
    "silence": "silence", "other": "other",
    # Dutch, French, German: the buyer may label in his own language.
    "aanvraag": "request", "offerteaanvraag": "request", "vraag": "request",
    "offerte": "quote", "prijsofferte": "quote", "opvolging": "follow-up",
    "stilte": "silence", "autoreply": "silence", "ander": "other", "andere": "other",
    "overig": "other", "overige": "other",
    "demande": "request", "devis": "quote", "offre": "quote", "relance": "follow-up",
    "suivi": "follow-up", "autre": "other",
    "anfrage": "request", "angebot": "quote", "nachfassen": "follow-up",
    "stille": "silence", "sonstiges": "other",
}
_SQUASH = re.compile(r"[\s_\-‐-―]+")
# Spreadsheets run a cell that starts with one of these as a formula (CSV injection).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_SEP_LINE = re.compile(r"^sep=(.)\s*$", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Row:
    """One data row of the file: its first physical line and its cells by column."""

    line: int
    cells: Mapping[str, str]
    extra: tuple[str, ...] = ()  # non-empty cells beyond the header

    def get(self, column: str) -> str:
        return self.cells.get(column, "")

    @property
    def key(self) -> str:
        return message_key(self.get("message_id"))


@dataclass(frozen=True, slots=True)
class Table:
    """A correction file as read: header (lower-cased), rows, and how it was written."""

    columns: tuple[str, ...]
    rows: tuple[Row, ...]
    delimiter: str = ","


def normalise_label(text: str) -> Label | None:
    """``Follow Up`` -> ``follow-up``; None when it is no label we know."""
    return _ALIASES.get(_SQUASH.sub("", undefuse(text).strip().lower()))


def suggest_label(text: str) -> Label | None:
    """The valid label closest to a mistyped one (``qoute`` -> ``quote``), if any."""
    hint = difflib.get_close_matches(_SQUASH.sub("", text.strip().lower()), list(_ALIASES),
                                     n=1, cutoff=0.6)
    return _ALIASES[hint[0]] if hint else None


def message_key(text: str) -> str:
    """The store key of a typed message id: spaces and angle brackets removed."""
    return undefuse(text).strip().strip("<>").strip()


def defuse(text: str) -> str:
    """A cell value a spreadsheet shows as text, never runs as a formula.

    A leading ``'`` marks it as text (OWASP's advice against CSV injection); line breaks
    become spaces so one row stays one line. :func:`undefuse` takes the mark off again.
    """
    if "\n" in text or "\r" in text:
        text = " ".join(text.splitlines())
    return "'" + text if text.startswith(_FORMULA_START) else text


def undefuse(text: str) -> str:
    """The value :func:`defuse` protected, without its ``'`` mark."""
    if len(text) > 1 and text[0] == "'" and text[1] in "=+-@\t\r":
        return text[1:]
    return text


def read_table(path: Path) -> Table | None:
    """The file's rows, None when it does not exist or is empty.

    Raises CorrectionsError when it cannot be read as a CSV with the required columns.
    """
    if not path.is_file():
        return None
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise CorrectionsError(f"{path}: cannot read: {exc.strerror}") from None
    text = _decode(data, path)
    if not text.strip():
        return None
    lines = text.splitlines(keepends=True)
    first_line = 1
    while lines and not lines[0].strip():  # blank lines above the header
        lines, first_line = lines[1:], first_line + 1
    delimiter = None
    if lines and (sep := _SEP_LINE.match(lines[0])):  # Excel's "sep=;" hint line
        delimiter, lines, first_line = sep.group(1), lines[1:], first_line + 1
    delimiter = delimiter or _delimiter(lines[0] if lines else "")
    reader = csv.reader(io.StringIO("".join(lines), newline=""), delimiter=delimiter,
                        strict=True)
    problems: list[str] = []
    rows: list[Row] = []
    columns: list[str] = []
    end = 0  # physical line where the previous record ended
    try:
        for record in reader:
            line = first_line + end
            end = reader.line_num
            if not columns:
                columns = [c.strip().strip('"').lower() for c in record]
                columns[0] = columns[0].lstrip("\ufeff")  # a BOM inside a re-save
                _check_header(columns, line, problems)
                if problems:
                    break
                continue
            if not any(cell.strip() for cell in record):
                continue  # blank or ";;;;" lines that spreadsheets leave
            cells = {name: value for name, value in zip(columns, record, strict=False)
                     if name}
            extra = tuple(v for v in record[len(columns):] if v.strip())
            rows.append(Row(line, cells, extra))
    except csv.Error as exc:
        problems.append(f"line {first_line + end}: broken CSV: {exc}")
    if problems:
        raise _refusal(path, problems)
    return Table(tuple(columns), tuple(rows), delimiter)


def load(path: Path, known_keys: Collection[str]) -> dict[str, Classification]:
    """The valid corrections of ``path`` as classifications with source ``correction``.

    A missing or empty file means no corrections. Rows without a typed ``correct`` are
    ignored; so are rows flagged ``message no longer in store`` whose message is still
    gone. Raises CorrectionsError listing every problem (``line N: ...``) when anything
    in the file is wrong: nothing is applied then.
    """
    table = read_table(path)
    if table is None:
        return {}
    problems = validate(table, known_keys)
    if problems:
        raise _refusal(path, problems)
    chosen: dict[str, tuple[Label, int]] = {}
    for row, label in _typed(table):
        if row.key in known_keys:
            chosen.setdefault(row.key, (label, row.line))
    return {key: Classification(key, label, 1.0, "correction", f"corrected on line {line}")
            for key, (label, line) in chosen.items()}


def validate(table: Table, known_keys: Collection[str]) -> list[str]:
    """Every problem of the typed rows, one ``line N: ...`` string each (empty: valid)."""
    problems: list[str] = []
    chosen: dict[str, tuple[Label, int]] = {}
    for row in table.rows:
        wanted = undefuse(row.get("correct")).strip()
        if not wanted:
            continue
        if row.extra:
            problems.append(f"line {row.line}: more fields than columns "
                            f"({len(table.columns) + len(row.extra)} or more for "
                            f"{len(table.columns)} columns); is a value not quoted?")
            continue
        label = normalise_label(wanted)
        if label is None:
            hint = suggest_label(wanted)
            tip = f" (did you mean {hint!r}?)" if hint else ""
            problems.append(f"line {row.line}: unknown label {wanted!r}{tip}; "
                            f"use one of {', '.join(LABELS)}")
            continue
        key = row.key
        if not key:
            problems.append(f"line {row.line}: label {wanted!r} but no message_id")
            continue
        if key not in known_keys:
            if not is_gone(row):
                problems.append(f"line {row.line}: unknown message {key!r} (not in "
                                f"the store; if it was deleted, `inbox-audit review` "
                                f"flags its row)")
            continue
        if key in chosen and chosen[key][0] != label:
            problems.append(f"line {row.line}: message {key!r} is corrected to {label!r} "
                            f"here but to {chosen[key][0]!r} on line {chosen[key][1]}")
            continue
        chosen.setdefault(key, (label, row.line))
    return problems


def is_gone(row: Row) -> bool:
    """True when the row carries the flag of a message no longer in the store."""
    return GONE in row.get("status").lower()


def training_examples(fixes: Mapping[str, Classification],
                      messages: Iterable[Message]) -> dict[str, tuple[Message, Label]]:
    """The corrected messages with their labels: what the model learns from."""
    return {m.key: (m, fixes[m.key].label) for m in messages if m.key in fixes}


def _typed(table: Table) -> Iterable[tuple[Row, Label]]:
    for row in table.rows:
        label = normalise_label(row.get("correct"))
        if label is not None:
            yield row, label


def _check_header(columns: list[str], line: int, problems: list[str]) -> None:
    missing = [c for c in REQUIRED_COLUMNS if c not in columns]
    if missing:
        problems.append(f"line {line}: missing column(s) {', '.join(missing)} "
                        f"(the header row must name them)")
    twice = sorted({c for c in columns if c and columns.count(c) > 1})
    if twice:
        problems.append(f"line {line}: column(s) {', '.join(twice)} appear more than once")


def _decode(data: bytes, path: Path) -> str:
    # Excel offers "CSV UTF-8", "CSV" (the Windows code page: cp1252 in Belgium) and
    # "Unicode text" (UTF-16 with BOM, tab-delimited); accept all three.
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise CorrectionsError(f"{path}: broken UTF-16 text (byte {exc.start})") from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        try:
            return data.decode("cp1252")
        except UnicodeDecodeError:
            raise CorrectionsError(f"{path}: not UTF-8 text (byte {exc.start}); save it "
                                   "as \"CSV UTF-8\"") from None


def _delimiter(header: str) -> str:
    # Decide on the header line only: data cells may hold any punctuation.
    counts = {d: header.count(d) for d in (",", ";", "\t")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def _refusal(path: Path, problems: list[str]) -> CorrectionsError:
    # One line per problem, so the buyer can walk the list in his spreadsheet.
    head = f"{path}: refused, nothing applied ({len(problems)} problem(s)):"
    return CorrectionsError("\n".join([head, *(f"  {p}" for p in problems)]))
