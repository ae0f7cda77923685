"""The commands as library functions: import, classify, report, demo.

Each function takes settings and a store, does one job, and returns a small result the
CLI turns into one line. Nothing here prints; long work reports through ``progress``.
"""

from __future__ import annotations

import gc
import os
import shutil
import tempfile
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from inbox_audit import corrections as corrections_mod
from inbox_audit import review as review_mod
from inbox_audit.classify.model import ModelInfo, ensure_model, training_corrections
from inbox_audit.classify.parallel import POOL_MIN_MESSAGES, WarmPool
from inbox_audit.classify.standby import Standby
from inbox_audit.clock import WorkClock
from inbox_audit.config import Settings, load_settings
from inbox_audit.deals import build_deals, deal_index
from inbox_audit.errors import ConfigError, InboxAuditError
from inbox_audit.kept_threads import kept_threads
from inbox_audit.labelling import classify_store, stored_facts
from inbox_audit.metrics import AuditMetrics, compute_metrics
from inbox_audit.metrics_json import json_chunks
from inbox_audit.models import Classification, Message, MessageFacts, Period
from inbox_audit.parties import Parties
from inbox_audit.report import ReportContext, ReviewItem, build_context, render_html
from inbox_audit.resources import samples_dir
from inbox_audit.sidejob import side_job
from inbox_audit.store import Store

if TYPE_CHECKING:
    # Imported where used: a report run does not load the parser, PDF reader or IMAP
    # client it never calls.
    from inbox_audit.forget import ForgetSummary
    from inbox_audit.ingest import ImportSummary
    from inbox_audit.sources.imap import FetchSummary

Progress = Callable[[int, int | None], None]


@dataclass(frozen=True)
class ReportResult:
    """What ``run_report`` produced."""

    html_path: Path | None
    json_path: Path | None
    metrics: AuditMetrics
    classified: int  # messages (re)classified in this run
    messages: int  # messages in the store
    context: ReportContext | None = None  # what the HTML shows, when it was written
    # The run's working data (messages, threads, labels, deals), referenced here so it
    # is freed with the result, not on the way out of the run: a command that ends its
    # process next (cli) then never frees it object by object, a second on 100k mails.
    kept: tuple[object, ...] = field(default=(), repr=False, compare=False)


# --- periods ---------------------------------------------------------------------------

def week_period(week: str) -> Period:
    """``2026-W47`` -> Monday to Sunday of that ISO week."""
    try:
        year_s, week_s = week.upper().split("-W")
        monday = date.fromisocalendar(int(year_s), int(week_s), 1)
    except ValueError:
        raise ConfigError(f"--week: expected YYYY-Www such as 2026-W47, got {week!r}") from None
    iso = monday.isocalendar()
    return Period(monday, monday + timedelta(days=6), f"{iso.year}-W{iso.week:02d}")


def last_complete_week(as_of: datetime, settings: Settings) -> Period:
    """The last ISO week that ended before ``as_of`` (local time)."""
    local = as_of.astimezone(settings.tz).date()
    this_monday = local - timedelta(days=local.weekday())
    iso = (this_monday - timedelta(days=7)).isocalendar()
    return week_period(f"{iso.year}-W{iso.week:02d}")


def range_period(since: date | None, until: date | None) -> Period:
    if since and until and until < since:
        raise ConfigError(f"--until {until} is before --since {since}")
    label = f"{since or '…'}..{until or '…'}"
    return Period(since, until, label)


ALL = Period(None, None, "all")


# --- import ----------------------------------------------------------------------------

def open_store(settings: Settings) -> Store:
    """The configured store; with ``keep_raw = false`` any raw mail still in it is
    blanked first (only its hash stays, for de-duplication)."""
    store = Store.open(settings.store_path, keep_raw=settings.keep_raw)
    if not settings.keep_raw:
        try:
            store.drop_raw()
        except BaseException:
            store.close()
            raise
    return store


def run_import(settings: Settings, paths: Sequence[Path], *,
               progress: Progress | None = None) -> ImportSummary:
    """Ingest .eml files, folders, mbox files and maildirs into the store."""
    from inbox_audit.ingest import import_paths

    with open_store(settings) as store:
        return import_paths(store, paths, progress=progress)


def run_fetch(settings: Settings, *, progress: Progress | None = None) -> FetchSummary:
    """Poll the configured IMAP folders into the store (incremental, read-only)."""
    from inbox_audit.sources.imap import fetch as imap_fetch

    with open_store(settings) as store:
        return imap_fetch(settings, store, progress=progress)


def run_forget(settings: Settings, *, supplier: str | None = None,
               before: date | None = None, dry_run: bool = False) -> ForgetSummary:
    """Remove a supplier's stored mail and/or the mail dated before a day (privacy)."""
    from inbox_audit.forget import forget_mail

    with open_store(settings) as store:
        return forget_mail(store, settings, supplier=supplier, before=before,
                           dry_run=dry_run)


# --- classification --------------------------------------------------------------------

def run_train(settings: Settings, *, force: bool = True) -> ModelInfo:
    """Refit the classifier's model from the bundled labelled corpus plus the
    corrections of the store's messages (``inbox-audit train``). A bad correction file
    is refused (CorrectionsError) and nothing is trained. Without a store, the corpus
    alone trains."""
    corrections: dict = {}
    if settings.store_path.is_file():
        with open_store(settings) as store:
            messages = list(store.iter_messages())
            fixes = corrections_mod.load(settings.corrections_path,
                                         {m.key for m in messages})
            if fixes:
                _, contexts = kept_threads(store, settings, messages, Parties(settings),
                                           keep=False)  # training writes no store
                corrections = training_corrections(fixes, messages, contexts)
    return ensure_model(settings, corrections, force=force)


def run_evaluate(settings: Settings, path: Path, *, truth: Path | None = None,
                 use_model: bool = True, worst: int = 10,
                 progress: Progress | None = None) -> dict:
    """Score the classifier on a labelled mailbox (``inbox-audit evaluate``): see
    :func:`inbox_audit.classify.evaluate.evaluate` for the dict it returns."""
    from inbox_audit.classify.evaluate import evaluate

    return evaluate(settings, path, truth, use_model=use_model, worst=worst,
                    progress=progress)


# --- report ----------------------------------------------------------------------------

def run_report(
    settings: Settings,
    *,
    period: Period | None = None,
    as_of: datetime | None = None,
    html_out: Path | None = None,
    json_out: Path | None = None,
    progress: Progress | None = None,
    store: Store | None = None,
    extra_stats: Mapping[str, int] | None = None,
) -> ReportResult:
    """Classify what is new, build the timeline, write the HTML report and/or JSON.
    ``extra_stats`` adds counts to the report's method section (e.g. ``fetched``)."""
    as_of = as_of or datetime.now(UTC)
    if as_of.tzinfo is None:
        as_of = as_of.replace(tzinfo=settings.tz)
    period = period or last_complete_week(as_of, settings)
    own = store is None
    store = store or open_store(settings)
    try:
        with _gc_paused():
            return _report(store, settings, period, as_of, html_out, json_out, progress,
                           extra_stats)
    finally:
        if own:
            store.close()


@contextmanager
def _gc_paused() -> Iterator[None]:
    """Pause Python's cycle collector for a report. A large mailbox makes millions of
    long-lived objects (messages, deals, figures) and no reference cycles; each full
    collection walks all of them again, which made the report superlinear (a third of
    its time on 100,000 messages). Whatever cycles appear are collected afterwards."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _report(store: Store, settings: Settings, period: Period, as_of: datetime,
            html_out: Path | None, json_out: Path | None, progress: Progress | None,
            extra_stats: Mapping[str, int] | None) -> ReportResult:
    # Light messages when most are classified already: the timeline and the figures
    # never read the texts, and the few messages that need classifying or reading for
    # facts are read whole. A first report reads everything whole, once.
    classified, stored = store.classification_count(), store.message_count()
    light = classified * 2 >= stored
    # New mail to classify: other processes get the classifier ready (rules, spaCy,
    # model: seconds) while this one reads and threads. One standby for a few messages,
    # the worker pool for a big job.
    new = stored - classified
    with (Standby(settings.rules) if 0 < new < POOL_MIN_MESSAGES else nullcontext()
          ) as standby, (WarmPool(settings.rules) if new >= POOL_MIN_MESSAGES
                         else nullcontext()) as pool:
        return _report_with(store, settings, period, as_of, html_out, json_out, progress,
                            extra_stats, light, standby, pool)


def _report_with(store: Store, settings: Settings, period: Period, as_of: datetime,
                 html_out: Path | None, json_out: Path | None, progress: Progress | None,
                 extra_stats: Mapping[str, int] | None, light: bool,
                 standby: Standby | None, pool: WarmPool | None) -> ReportResult:
    messages = list(store.iter_messages(light=light))
    if pool is not None and not store.classification_count():
        pool.prepare(messages)  # a first report: the job will start with these
    # The correction file is validated before anything runs: a bad file is refused
    # whole, and neither the store nor the model changes.
    fixes = corrections_mod.load(settings.corrections_path, {m.key for m in messages})
    parties = Parties(settings)
    threads, contexts = kept_threads(store, settings, messages, parties)
    labels, classified = classify_store(store, settings, messages, parties, contexts,
                                        progress=progress, fixes=fixes, light=light,
                                        standby=standby, pool=pool)
    if pool is not None:
        # Done: the workers leave while the deals and figures are made, and the pool's
        # threads here with them (while they run, no child is forked: see sidejob).
        pool.close()
    labels.update(fixes)  # the buyer's word overrides the classifier
    # Amounts and intent are read only where the figures look (metrics_deal), and
    # before the deals are made, so each deal's messages are made once.
    loaded = None if light else {m.key: m for m in messages}

    def read_facts(keys: list[str]) -> dict[str, MessageFacts]:
        return stored_facts(store, keys, settings, loaded=loaded, standby=standby)

    deals = build_deals(messages, threads, labels, parties, read_facts=read_facts)
    if standby is not None:
        standby.release()  # done: it leaves while the figures are made
    # The clock's calendar spans the local years of the first and the last message.
    dates = [m.date for m in messages if m.date]
    years = {as_of.year}
    if dates:
        years |= {min(dates).astimezone(settings.tz).year, max(dates).astimezone(settings.tz).year}
    clock = WorkClock.from_settings(settings, range(min(years) - 1, max(years) + 2))
    stats = {
        "stored": len(messages),
        "quarantined": store.quarantine_count(),
        "classified_now": classified,
        "corrections": len(fixes),
        **(extra_stats or {}),
    }
    metrics = compute_metrics(deals, messages, labels, clock=clock, settings=settings,
                              as_of=as_of, period=period, deal_index=deal_index(deals),
                              stats=stats)
    context = None
    with (side_job(lambda: _write_atomic(json_out, json_chunks(metrics)),
                   fork=html_out is not None) if json_out is not None else nullcontext()):
        if html_out is not None:
            review = review_items(messages, labels, period, clock, as_of,
                                  settings.report.review_limit)
            context = build_context(metrics, settings, generated_at=datetime.now(UTC),
                                    correction_file=settings.corrections_path,
                                    review=review)
            _write_atomic(html_out, render_html(context))
    return ReportResult(html_out, json_out, metrics, classified, len(messages), context,
                        kept=(messages, fixes, threads, contexts, labels, deals))


def review_items(messages: Sequence[Message], labels: dict[str, Classification],
                 period: Period, clock: WorkClock, as_of: datetime,
                 limit: int) -> list[ReviewItem]:
    """The least confident machine labels of the period, least confident first: the
    first ``limit`` rows ``inbox-audit review`` writes for the same period."""
    return review_mod.needs_review(messages, labels, period, as_of, clock.tz, limit)


def run_review(
    settings: Settings,
    *,
    period: Period | None = None,
    as_of: datetime | None = None,
    out: Path | None = None,
    progress: Progress | None = None,
    store: Store | None = None,
) -> review_mod.ReviewResult:
    """Write or merge the correction file (default: the configured one), least confident
    first, keeping every value the buyer typed; see :mod:`inbox_audit.review`.

    A file that is not a readable CSV with ``message_id`` and ``correct`` columns is
    refused (CorrectionsError) and left as it is. Typed values the next report would
    refuse (unknown label, ...) are kept and listed in ``problems``.
    """
    as_of = as_of or datetime.now(UTC)
    if as_of.tzinfo is None:
        as_of = as_of.replace(tzinfo=settings.tz)
    period = period or last_complete_week(as_of, settings)
    out = Path(out) if out is not None else settings.corrections_path
    own = store is None
    store = store or open_store(settings)
    try:
        messages = list(store.iter_messages())
        known = {m.key for m in messages}
        table = corrections_mod.read_table(out)  # refuses a file it cannot merge safely
        problems = corrections_mod.validate(table, known) if table else []
        try:
            fixes = corrections_mod.load(settings.corrections_path, known)
        except corrections_mod.CorrectionsError:
            fixes = {}  # the problems are listed; the report will refuse the file
        parties = Parties(settings)
        _, contexts = kept_threads(store, settings, messages, parties)
        machine, _ = classify_store(store, settings, messages, parties, contexts,
                                    progress=progress, fixes=fixes)
        items = review_mod.needs_review(messages, {**machine, **fixes}, period, as_of,
                                        settings.tz)
        current = {m.key: review_mod.review_item(m, machine[m.key])
                   for m in messages if m.key in machine}
        rows, columns, counts = review_mod.merge(table, items, current, settings.tz)
        text = review_mod.render(columns, rows, table.delimiter if table else ",")
        backup = review_mod.write_table(out, text)
        return review_mod.ReviewResult(path=out, rows=len(rows), backup=backup,
                                       problems=tuple(problems), **counts)
    finally:
        if own:
            store.close()


def _write_atomic(path: Path, text: str | bytes | Iterable[bytes | memoryview]) -> None:
    """Write ``text`` (or its pieces, in order) to ``path``: all of it or, on any error,
    nothing (the file as it was stays)."""
    path = Path(path)
    if isinstance(text, str):
        text = text.encode("utf-8")
    pieces = (text,) if isinstance(text, bytes) else text
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            for piece in pieces:
                fh.write(piece)
        # mkstemp makes the file private; a report is an ordinary file (umask applies).
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


# --- demo ------------------------------------------------------------------------------

def demo_as_of(messages: Sequence[Message], settings: Settings) -> datetime:
    """Monday 08:00 local after the newest message: the demo always reads the same."""
    newest = max(m.date for m in messages if m.date).astimezone(settings.tz).date()
    monday = newest + timedelta(days=7 - newest.weekday())
    return datetime.combine(monday, time(8, 0), tzinfo=settings.tz)


def run_demo(out: Path, *, json_out: Path | None = None,
             progress: Progress | None = None) -> ReportResult:
    """The whole pipeline on the bundled demo mailbox, in a throw-away store."""
    samples = samples_dir()
    mbox, config = samples / "demo.mbox", samples / "demo.toml"
    if not mbox.is_file() or mbox.stat().st_size == 0:
        raise InboxAuditError(f"the bundled demo mailbox is missing: {mbox}")
    workdir = Path(tempfile.mkdtemp(prefix="inbox-audit-demo-"))
    try:
        settings = load_settings(config, env={}, explicit=True)
        settings = replace(settings, store=workdir / "demo.db",
                           corrections=workdir / "corrections.csv")
        run_import(settings, [mbox], progress=progress)
        with open_store(settings) as store:
            as_of = demo_as_of(list(store.iter_messages(light=True)), settings)
            return run_report(settings, period=ALL, as_of=as_of, html_out=out,
                              json_out=json_out, progress=progress, store=store)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
