"""The correction file (SPEC §8): the buyer's labels override the classifier.

This module reads and validates the file. A bad file is refused as a whole, every
problem listed with its line number, and nothing is applied.
"""

from __future__ import annotations

import csv
import difflib
from collections.abc import Collection
from pathlib import Path

from inbox_audit.errors import CorrectionsError
from inbox_audit.models import LABELS, Classification, Label

REQUIRED_COLUMNS = ("message_id", "correct")

# What people type in a spreadsheet for each label.
_ALIASES: dict[str, Label] = {
    "followup": "follow-up", "follow up": "follow-up", "follow_up": "follow-up",
    "opvolging": "follow-up", "aanvraag": "request", "offerte": "quote",
    "stilte": "silence", "ander": "other", "overig": "other",
}


def normalise_label(text: str) -> Label | None:
    """``Follow Up`` -> ``follow-up``; None when it is no label we know."""
    value = " ".join(text.strip().lower().split())
    if value in LABELS:
        return value  # type: ignore[return-value]
    return _ALIASES.get(value)


def load(path: Path, known_keys: Collection[str]) -> dict[str, Classification]:
    """The valid corrections of ``path`` as classifications with source ``correction``.

    A missing file means no corrections. Raises CorrectionsError listing every problem
    (``line N: ...``) when anything in the file is wrong.
    """
    if not path.is_file():
        return {}
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise CorrectionsError(f"{path}: not UTF-8 text (byte {exc.start})") from None
    except OSError as exc:
        raise CorrectionsError(f"{path}: cannot read: {exc.strerror}") from None
    if not text.strip():
        return {}
    problems: list[str] = []
    chosen: dict[str, tuple[Label, int]] = {}
    delimiter = _delimiter(text)
    try:
        reader = csv.DictReader(text.splitlines(keepends=True), delimiter=delimiter,
                                strict=True)
        columns = [c.strip().lower() for c in reader.fieldnames or []]
        missing = [c for c in REQUIRED_COLUMNS if c not in columns]
        if missing:
            raise CorrectionsError(
                f"{path}: line 1: missing column(s) {', '.join(missing)}")
        reader.fieldnames = columns
        for row in reader:
            line = reader.line_num
            key = (row.get("message_id") or "").strip().strip("<>")
            wanted = (row.get("correct") or "").strip()
            if not wanted:
                continue
            if None in row:
                problems.append(f"line {line}: more fields than columns")
                continue
            label = normalise_label(wanted)
            if label is None:
                hint = difflib.get_close_matches(wanted.lower(), LABELS, n=1, cutoff=0.4)
                tip = f" (did you mean {hint[0]!r}?)" if hint else ""
                problems.append(f"line {line}: unknown label {wanted!r}{tip}; "
                                f"use one of {', '.join(LABELS)}")
                continue
            if key not in known_keys:
                problems.append(f"line {line}: unknown message {key!r}")
                continue
            if key in chosen and chosen[key][0] != label:
                problems.append(f"line {line}: message {key!r} is corrected to {label!r} "
                                f"here but to {chosen[key][0]!r} on line {chosen[key][1]}")
                continue
            chosen.setdefault(key, (label, line))
    except csv.Error as exc:
        problems.append(f"line {reader.line_num}: broken CSV: {exc}")
    if problems:
        # One line per problem, so the buyer can walk the list in his spreadsheet.
        head = f"{path}: refused, nothing applied ({len(problems)} problem(s)):"
        raise CorrectionsError("\n".join([head, *(f"  {p}" for p in problems)]))
    return {key: Classification(key, label, 1.0, "correction", f"corrected on line {line}")
            for key, (label, line) in chosen.items()}


def _delimiter(text: str) -> str:
    # A Belgian Excel saves with ';'. Decide on the header line only.
    header = text.splitlines()[0] if text else ""
    return ";" if header.count(";") > header.count(",") else ","
