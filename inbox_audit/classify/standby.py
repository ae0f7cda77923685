"""A classifier made ready in a second process while a report reads the store.

A weekly report on a large mailbox classifies only the mail that came in since the last
one: a few hundred messages, a fraction of a second of work. Getting ready for it costs
seconds: compiling the rules (about one), importing spaCy and loading the model (about
two). Those seconds do not depend on the new mail, so a report that knows it has
unclassified messages starts a :class:`Standby` first. The spare CPU gets the classifier
ready while this process reads the store and threads the mail; the new messages and the
facts of new deals are then sent to it.

The results are what this process would compute (the classifier is a pure function of
message, context, rules and model). A standby that cannot help (it failed to start, the
rules changed under it, it died) answers None, and the caller does the work itself:
nothing is lost, it only takes as long as without a standby.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from inbox_audit.classify import Rules, message_facts
from inbox_audit.classify.parallel import checked_rules, classify_job, start_helper
from inbox_audit.models import Classification, Message, MessageContext, MessageFacts

if TYPE_CHECKING:
    from multiprocessing.connection import Connection

    from inbox_audit.classify.model import ModelInfo

# How long close() waits for the process to leave before it is terminated: an idle
# standby leaves at once; one still starting (a report that failed early) is stopped.
_CLOSE_WAIT_S = 0.5


class Standby:
    """One spawned process that compiles the rules of ``rules_folder`` (None: the
    bundled rules) and imports spaCy as soon as it starts, then serves
    :meth:`classify` and :meth:`facts` until :meth:`close`. Use as a context manager."""

    def __init__(self, rules_folder: Path | None) -> None:
        # "spawn": forking a process that has threads is unsafe (see parallel.py).
        context = multiprocessing.get_context("spawn")
        self._conn, child = context.Pipe()
        self._process = context.Process(target=_serve, args=(child, rules_folder, os.getpid()),
                                        name="inbox-audit-standby", daemon=True)
        self._process.start()
        child.close()
        self._released = False

    def __enter__(self) -> Standby:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def classify(self, messages: Sequence[Message], contexts: Mapping[str, MessageContext],
                 rules_digest: str, model_info: ModelInfo | None,
                 ) -> list[Classification] | None:
        """``classify_messages(messages, contexts, rules, model)`` with the rules whose
        digest is ``rules_digest`` and the model of ``model_info`` (None: rules alone);
        None when the standby cannot give it."""
        wanted = {m.key: contexts[m.key] for m in messages if m.key in contexts}
        return self._ask(("classify", rules_digest, list(messages), wanted, model_info))

    def facts(self, messages: Sequence[Message], rules_digest: str,
              ) -> list[MessageFacts] | None:
        """``[message_facts(m, rules) for m in messages]``, or None."""
        return self._ask(("facts", rules_digest, list(messages)))

    def release(self) -> None:
        """Tell the process its work is done without waiting for it to leave (which
        takes it a moment: spaCy and the model are torn down); :meth:`close` waits."""
        if not self._released:
            self._released = True
            with contextlib.suppress(OSError, ValueError):  # died meanwhile
                self._conn.send(None)

    def close(self) -> None:
        """Let the process go (it is stopped if it does not leave at once)."""
        if self._process.is_alive():
            self.release()
            self._process.join(_CLOSE_WAIT_S)
            if self._process.is_alive():
                self._process.terminate()
                self._process.join(_CLOSE_WAIT_S)
        self._conn.close()

    def _ask(self, job: tuple[Any, ...]) -> Any:
        try:
            self._conn.send(job)
            status, result = self._conn.recv()
        except (OSError, EOFError, ValueError):  # died, or closed: do it yourself
            return None
        return result if status == "ok" else None


def _serve(conn: Connection, rules_folder: Path | None, parent: int) -> None:
    try:
        rules = start_helper(parent, rules_folder)
    except Exception:  # the parent's own attempt will say what is wrong
        rules = None
    while True:
        try:
            job = conn.recv()
        except (EOFError, OSError):
            return
        if job is None:
            return
        try:
            conn.send(("ok", _work(rules, job)))
        except Exception as exc:  # the parent does the work itself
            conn.send(("failed", f"{type(exc).__name__}: {exc}"))


def _work(rules: Rules | None, job: tuple[Any, ...]) -> Any:
    kind, digest, messages, *rest = job
    if kind == "facts":
        checked = checked_rules(rules, digest)
        return [message_facts(m, checked) for m in messages]
    contexts, model_info = rest
    return classify_job(rules, digest, messages, contexts, model_info)
