"""Classify a big job on every CPU: worker processes plus this one.

A first report on a large mailbox classifies tens of thousands of messages; one core
does about 2,500 a second, so the other cores should help. Each worker loads the rules
and the trained model once (from the model cache on disk, see ``model.ensure_model``)
and then classifies chunks of messages sent to it with their contexts. This process
works too: it takes chunks from the end of the job while the workers take them from the
front, so the seconds a worker needs to start (importing spaCy) are not lost. The result
is what :func:`~inbox_audit.classify.classify_messages` gives in this process, in the
same order: the classifier is a pure function of message, context, rules and model.

Small jobs stay in this process: a worker that starts after the job is done is waste.
A worker that dies (or fails to start: a model missing from the cache, rules changed
under it) loses nothing: its chunks are classified here.

A caller that knows a big job is coming (a first report) starts a :class:`WarmPool`
before it reads the store: the workers compile the rules and import spaCy on the idle
cores meanwhile, and :func:`classify_all` then uses them.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import threading
import time
from collections.abc import Callable, Mapping, MutableMapping, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from contextlib import nullcontext
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from inbox_audit.classify import Rules, classify_messages, load_rules
from inbox_audit.classify.evidence import Prepared, prepare
from inbox_audit.classify.facts import remember_facts, take_facts
from inbox_audit.models import Classification, Message, MessageContext, MessageFacts

if TYPE_CHECKING:
    from inbox_audit.classify.model import ModelInfo, TextModel

# Below this many messages a job is classified in this process: a worker needs about
# two seconds of CPU to start (spaCy and the model), in which this process alone
# classifies about 5,000 messages.
POOL_MIN_MESSAGES = 10_000
CHUNK = 500  # messages per task: about 0.2 s of work, so progress moves and ends align
# What the workers prepare at most before a job starts: a first report on 100,000 mails
# gives them about three seconds (of the six this process takes to read and thread).
PREPARE_MAX = 10_000

Progress = Callable[[int, int], None]
Finished = Callable[[list[Classification]], None]
_Chunk = tuple[list[Classification], list[MessageFacts | None]]  # what a worker returns


class WarmPool:
    """``workers`` worker processes (default: one less than the CPUs), started now: each
    compiles the rules of ``rules_folder`` (None: the bundled rules) and imports spaCy,
    then waits for :func:`classify_all` (``pool=``). Workers load the model of the job's
    ``model_info`` at their first chunk. Use as a context manager; :meth:`close` lets
    the workers go without waiting for one that is still starting."""

    def __init__(self, rules_folder: Path | None, workers: int | None = None) -> None:
        self.workers = (os.cpu_count() or 1) - 1 if workers is None else workers
        self.rules_folder = rules_folder
        self.executor: ProcessPoolExecutor | None = None
        self.ready: list[Future[bool]] = []
        self.preparing: list[Future[None]] = []
        if self.workers >= 1:
            # "spawn": forking a process that has threads is unsafe; workers import what
            # they use. Spawned workers start at the first submit: the ready probes.
            self.executor = ProcessPoolExecutor(
                self.workers, mp_context=multiprocessing.get_context("spawn"),
                initializer=_worker_init, initargs=(rules_folder, os.getpid()))
            self.ready = [self.executor.submit(_ready) for _ in range(self.workers)]

    def __enter__(self) -> WarmPool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def prepare(self, messages: Sequence[Message]) -> None:
        """Have the workers prepare the first messages of the job to come (at most
        ``PREPARE_MAX``; see ``evidence.prepare``) while this process builds the threads
        the job needs: most of the work of classifying them is done by then, on cores
        that would otherwise wait. :func:`classify_all` cancels what has not started."""
        if self.executor is None:
            return
        for start in range(0, min(len(messages), PREPARE_MAX), CHUNK):
            self.preparing.append(self.executor.submit(
                _prepare_chunk, list(messages[start:start + CHUNK])))

    def stop_preparing(self) -> None:
        """Cancel the preparing not started yet: the job's chunks come first now."""
        for future in self.preparing:
            future.cancel()
        self.preparing = []

    def close(self) -> None:
        if self.executor is not None:
            # Every chunk is back; the workers leave on their own (a worker still
            # starting exits once it has), and so do the executor's threads here.
            self.executor.shutdown(wait=False, cancel_futures=True)
            self.executor = None


def classify_all(messages: Sequence[Message], contexts: Mapping[str, MessageContext],
                 rules: Rules, model: TextModel | None = None, *,
                 rules_folder: Path | None = None, model_info: ModelInfo | None = None,
                 progress: Progress | None = None, workers: int | None = None,
                 min_messages: int | None = None, chunk: int | None = None,
                 share: bool = True, pool: WarmPool | None = None,
                 finished: Finished | None = None) -> list[Classification]:
    """``classify_messages(messages, contexts, rules, model)``, in worker processes too
    when the job has at least ``min_messages`` (default ``POOL_MIN_MESSAGES``) messages,
    sent in chunks of ``chunk`` (default ``CHUNK``). ``rules_folder`` is the folder
    ``rules`` was loaded from (None: the bundled rules) and ``model_info`` the cached
    model ``model`` was loaded from: workers load their own copies. ``workers`` (default:
    one less than the CPUs, this process being the last) of 0 classifies in-process;
    ``share=False`` leaves every chunk to the workers. ``pool``: workers started
    earlier for ``rules_folder`` (``workers`` is then the pool's); the caller closes it.
    ``progress(done, total)`` is called in this process as chunks complete, and
    ``finished(labels)`` with each chunk's labels (a caller that stores them does it
    meanwhile: while this process writes, the workers take more of the job)."""
    total = len(messages)
    min_messages = POOL_MIN_MESSAGES if min_messages is None else min_messages
    chunk = chunk or CHUNK
    chunks = [messages[i:i + chunk] for i in range(0, total, chunk)]
    if pool is not None:
        workers = pool.workers if pool.executor is not None else 0
    elif workers is None:
        workers = (os.cpu_count() or 1) - 1
    if model is not None and model_info is None:
        workers = 0  # a model the workers cannot load
    if workers < 1 or total < min_messages or len(chunks) < 2:
        return _in_process(chunks, contexts, rules, model, total, progress, finished)
    if pool is not None:
        pool.stop_preparing()
    job = _Job(rules.digest, model_info if model is not None else None)
    with nullcontext(pool) if pool is not None else WarmPool(rules_folder, workers) as ready:
        assert ready.executor is not None
        return _run(ready, job, chunks, contexts, rules, model, total, progress, share,
                    finished)


def _in_process(chunks: list[Sequence[Message]], contexts: Mapping[str, MessageContext],
                rules: Rules, model: TextModel | None, total: int,
                progress: Progress | None, finished: Finished | None,
                ) -> list[Classification]:
    out: list[Classification] = []
    for chunk in chunks:
        labels = classify_messages(chunk, contexts, rules, model)
        out.extend(labels)
        if finished:
            finished(labels)
        if progress:
            progress(len(out), total)
    return out


def _run(pool: WarmPool, job: _Job, chunks: list[Sequence[Message]],
         contexts: Mapping[str, MessageContext], rules: Rules, model: TextModel | None,
         total: int, progress: Progress | None, share: bool,
         finished: Finished | None) -> list[Classification]:
    results: list[list[Classification] | None] = [None] * len(chunks)
    # Chunks go to the workers only once one has started (importing spaCy and compiling
    # the rules take seconds): a chunk queued earlier would wait, and the job with it.
    executor, workers, ready = pool.executor, pool.workers, pool.ready
    assert executor is not None
    sent: dict[int, Future[_Chunk]] = {}
    broken = False
    done = 0
    first, last = 0, len(chunks) - 1  # workers take from the front, this process the end

    def here(i: int) -> None:
        nonlocal done
        results[i] = labels = classify_messages(chunks[i], contexts, rules, model)
        done += len(chunks[i])
        if finished:
            finished(labels)
        if progress:
            progress(done, total)

    def collect(i: int) -> None:
        nonlocal broken, done
        try:
            results[i], facts = sent.pop(i).result()
        except Exception:
            # The worker died (BrokenProcessPool) or its result did not come back:
            # classify the chunk here. One that fails here too raises, as it would
            # without workers.
            broken = True
            here(i)
            return
        # What the worker found on the way, as if classified here (see classify_messages).
        for msg, found in zip(chunks[i], facts, strict=True):
            if found is not None:
                remember_facts(msg, rules.digest, found)
        if finished:
            finished(results[i])  # type: ignore[arg-type]
        done += len(chunks[i])
        if progress:
            progress(done, total)

    while first <= last:
        for i in [i for i, f in sent.items() if f.done()]:
            collect(i)
        if not broken and all(f.done() for f in ready):
            broken = all(f.exception() is not None for f in ready)  # none could start
        started = not broken and any(f.done() for f in ready)
        # One chunk queued behind each busy worker, so none waits between chunks.
        if started and len(sent) < workers + 1:
            sent[first] = executor.submit(
                _classify_chunk, job, list(chunks[first]),
                {m.key: contexts[m.key] for m in chunks[first] if m.key in contexts})
            first += 1
        elif share or broken:
            here(last)
            last -= 1
        else:  # nothing to do here but wait for a worker to start or finish
            wait(list(sent.values()) if started else ready, return_when=FIRST_COMPLETED)
    for i in sorted(sent):
        collect(i)
    return [c for part in results if part is not None for c in part]


# --- the worker side -------------------------------------------------------------------

class _Job(NamedTuple):
    """What a worker checks and loads for a chunk: the parent's rules and model."""

    rules_digest: str
    model_info: ModelInfo | None


_WORKER: dict[str, Any] = {}


def start_helper(parent: int, rules_folder: Path | None) -> Rules:
    """Set up this process as a helper of ``parent`` (a pool worker or the standby) and
    get the classifier ready: Ctrl-C is the parent's to handle, a parent killed outright
    still ends it, the rules of ``rules_folder`` are compiled and spaCy imported (the
    slow part of loading a model). Returns the rules."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # workers would only print tracebacks
    threading.Thread(target=_exit_with, args=(parent,), daemon=True).start()
    rules = load_rules(rules_folder)
    import spacy  # noqa: F401
    return rules


def checked_rules(rules: Rules | None, digest: str) -> Rules:
    """``rules`` when they are the ones the parent loaded (digest ``digest``); they may
    have been edited since, or not have loaded here: then the job is not ours."""
    if rules is None or rules.digest != digest:
        raise RuntimeError("the rules changed or did not load")
    return rules


def classify_job(rules: Rules | None, digest: str, messages: Sequence[Message],
                 contexts: Mapping[str, MessageContext],
                 model_info: ModelInfo | None,
                 prepared: MutableMapping[str, Prepared] | None = None,
                 ) -> list[Classification]:
    """In a helper process: ``classify_messages`` with the parent's rules (checked by
    digest) and the cached model of ``model_info`` (None: rules alone), using what was
    ``prepared`` with the same rules."""
    rules = checked_rules(rules, digest)
    model = None
    if model_info is not None:
        from inbox_audit.classify.model import load_model  # loaded once per process

        model = load_model(model_info)
    return classify_messages(messages, contexts, rules, model, prepared=prepared)


def _worker_init(rules_folder: Path | None, parent: int) -> None:
    _WORKER["rules"] = start_helper(parent, rules_folder)
    _WORKER["prepared"] = {}


def _prepare_chunk(messages: list[Message]) -> None:
    rules: Rules | None = _WORKER.get("rules")
    if rules is None:
        return
    prepared: dict[str, Prepared] = _WORKER["prepared"]
    for msg in messages:
        prepared[msg.key] = prepare(msg, rules)


def _ready() -> bool:
    return True


def _classify_chunk(job: _Job, messages: list[Message],
                    contexts: dict[str, MessageContext]) -> _Chunk:
    rules: Rules = _WORKER["rules"]
    out = classify_job(rules, job.rules_digest, messages, contexts, job.model_info,
                       _WORKER["prepared"])
    # The facts go back with the labels (a report asks for many of them next).
    return out, [take_facts(m, rules.digest) for m in messages]


def _exit_with(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(0.5)
    os._exit(1)
