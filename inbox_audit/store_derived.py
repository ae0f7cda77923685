"""What the store keeps that can be made again from the mail: each message's label
(stamped with the classifier version and context that made it), its facts (amount,
currency, intent) and its place in the threads. Reports read them back instead of
computing them again (labelling.py, kept_threads.py)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from decimal import Decimal

from inbox_audit.models import Classification, MessageFacts
from inbox_audit.store_base import StoreBase, guarded


class DerivedTables(StoreBase):
    """The ``classifications``, ``facts`` and ``threading`` tables of a store."""

    # --- classifications -------------------------------------------------------------

    @guarded
    def save_classifications(self, items: Iterable[Classification], version: str) -> None:
        """Store (or replace) labels, recording the classifier version that made them."""
        with self.writing():
            self._conn.executemany(
                "INSERT OR REPLACE INTO classifications VALUES (?, ?, ?, ?, ?, ?)",
                ((c.key, c.label, c.confidence, c.source, c.explanation, version)
                 for c in items))

    @guarded
    def classifications(self) -> dict[str, Classification]:
        rows = self._conn.execute(
            "SELECT key, label, confidence, source, explanation FROM classifications")
        return {row[0]: Classification(*row) for row in rows}

    @guarded
    def classification_count(self) -> int:
        return self._conn.execute("SELECT count(*) FROM classifications").fetchone()[0]

    @guarded
    def classification_versions(self) -> dict[str, str]:
        """Message key -> the classifier version that labelled it."""
        return dict(self._conn.execute("SELECT key, version FROM classifications"))

    @guarded
    def stamped_classifications(self) -> tuple[dict[str, Classification], dict[str, str]]:
        """``classifications()`` and ``classification_versions()`` in one read."""
        labels: dict[str, Classification] = {}
        versions: dict[str, str] = {}
        rows = self._conn.execute("SELECT key, label, confidence, source, explanation, "
                                  "version FROM classifications")
        for key, label, confidence, source, explanation, version in rows:
            labels[key] = Classification(key, label, confidence, source, explanation)
            versions[key] = version
        return labels, versions

    # --- facts -----------------------------------------------------------------------

    @guarded
    def save_facts(self, items: Iterable[MessageFacts], version: str) -> None:
        """Store (or replace) what messages state (amount, currency, intent), recording
        the version of the code and rules that read it."""
        with self.writing():
            self._conn.executemany(
                "INSERT OR REPLACE INTO facts VALUES (?, ?, ?, ?, ?)",
                ((f.key, str(f.amount) if f.amount is not None else None, f.currency,
                  int(f.high_intent), version) for f in items))

    @guarded
    def facts(self, version: str) -> dict[str, MessageFacts]:
        """Message key -> its stored facts, those read by ``version`` only."""
        rows = self._conn.execute(
            "SELECT key, amount, currency, high_intent FROM facts WHERE version = ?",
            (version,))
        return {key: MessageFacts(key, Decimal(amount) if amount is not None else None,
                                  currency, bool(intent))
                for key, amount, currency, intent in rows}

    # --- threading -------------------------------------------------------------------

    @guarded
    def threading(self, version: str) -> dict[str, tuple[str, str, str]]:
        """Message key -> (its thread's first message key, its header-linked part's
        first message key, its context) as ``save_threading`` kept them; empty when
        they were kept by another ``version`` or none are."""
        if self.get_meta("threading") != version:
            return {}
        rows = self._conn.execute("SELECT key, thread, part, context FROM threading")
        return {key: (thread, part, context) for key, thread, part, context in rows}

    @guarded
    def save_threading(self, rows: Sequence[tuple[str, str, str, str]], version: str, *,
                       clear: bool) -> None:
        """Keep (key, thread, part, context) rows made by ``version``, replacing those
        kept for the same keys; ``clear``: every row kept before goes first. (No
        foreign key ties the rows to the messages: checking one per row was a third of
        the time; ``forget`` clears them all, and a reader checks its rows' keys.)"""
        with self.writing():
            if clear:
                self._conn.execute("DELETE FROM threading")
            self._conn.executemany("INSERT OR REPLACE INTO threading VALUES (?, ?, ?, ?)",
                                   sorted(rows))  # in key order: appended to the b-tree
            self._conn.execute("INSERT OR REPLACE INTO meta VALUES ('threading', ?)",
                               (version,))
