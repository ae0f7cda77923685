"""The weekly job (``inbox-audit run``): fetch, classify, report the last complete ISO
week into the report folder, deliver.

Idempotent per week. The report of ``2026-W47`` is ``<report folder>/2026-W47.html``
and ``.json``, as of Monday 00:00 local time after that week, so it reads the same
whenever the job runs. The store remembers (in its ``meta`` table) when the week was
reported and when each channel delivered it. A second run for a week that is reported
and delivered fetches new mail and changes nothing else: the files stay as they are and
nothing is sent twice. A run after a failed delivery writes the files anew and retries
only the channels that have not delivered. ``force`` redoes both.

Two runs at once are refused (a lock file beside the store), so a cron job that fires
twice cannot deliver twice.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import filelock

from inbox_audit import delivery
from inbox_audit.config import Settings
from inbox_audit.errors import StoreError
from inbox_audit.pipeline import (
    ReportResult,
    last_complete_week,
    open_store,
    run_fetch,
    run_report,
    week_period,
)
from inbox_audit.report import render_summary
from inbox_audit.report_format import report_language, strings

if TYPE_CHECKING:  # the IMAP client (and the parser behind it) loads when run fetches
    from inbox_audit.sources.imap import FetchSummary

Progress = Callable[[int, int | None], None]
CHANNELS = ("smtp", "imap")


@dataclass(frozen=True)
class Delivery:
    """What one channel did: ``delivered`` now, or ``already`` on an earlier run."""

    channel: str
    status: str
    detail: str

    def line(self) -> str:
        if self.status == "already":
            return f"{self.channel}: already delivered on {self.detail}; not sent again"
        return f"{self.channel}: delivered {self.detail}"


@dataclass(frozen=True)
class WeeklyResult:
    """What ``run_weekly`` did; ``report`` is None when the week was already done."""

    week: str
    html_path: Path
    json_path: Path
    fetch: FetchSummary | None
    notes: tuple[str, ...]
    report: ReportResult | None
    reported_on: str | None  # when the files were written, if not by this run
    deliveries: tuple[Delivery, ...] = field(default_factory=tuple)


def report_paths(settings: Settings, week: str) -> tuple[Path, Path]:
    """Where the report of ``week`` lives: ``<report.folder>/<week>.html`` and ``.json``."""
    folder = settings.report.folder
    return folder / f"{week}.html", folder / f"{week}.json"


def run_weekly(settings: Settings, *, now: datetime | None = None, week: str | None = None,
               fetch: bool = True, deliver: bool = True, force: bool = False,
               progress: Progress | None = None) -> WeeklyResult:
    """The weekly job for ``week`` (default: the last complete ISO week before ``now``).

    Raises the pipeline's errors (one line each); a ``DeliveryError`` comes after the
    files are written and after every channel that did deliver has been recorded.
    """
    now = now or datetime.now(UTC)
    period = week_period(week) if week else last_complete_week(now, settings)
    # Monday 00:00 local after the week (now, when the week is not over yet).
    end = datetime.combine(period.end + timedelta(days=1), time(0), tzinfo=settings.tz)
    as_of = min(end, now)
    html_path, json_path = report_paths(settings, period.label)
    lock = filelock.FileLock(str(settings.store_path) + ".run.lock")
    settings.store_path.parent.mkdir(parents=True, exist_ok=True)
    try:
        lock.acquire(timeout=0)
    except filelock.Timeout:
        raise StoreError(f"another `inbox-audit run` is busy with {settings.store_path}; "
                         "try again when it has finished") from None
    try:
        notes: list[str] = []
        summary = None
        if fetch and settings.imap.host:
            summary = run_fetch(settings, progress=progress)
        elif fetch:
            notes.append("fetch skipped: no [imap] host configured")
        channels = [c for c in CHANNELS if c in settings.report.deliver] if deliver else []
        with open_store(settings) as store:
            done = {c: store.get_meta(f"delivered:{c}:{period.label}") for c in channels}
            reported = store.get_meta(f"reported:{period.label}")
            pending = [c for c in channels if force or not done[c]]
            if (reported and not force and not pending and html_path.is_file()
                    and json_path.is_file()):
                return WeeklyResult(period.label, html_path, json_path, summary,
                                    tuple(notes), None, reported,
                                    tuple(Delivery(c, "already", done[c] or "")
                                          for c in channels))
            extra = {"fetched": summary.new} if summary is not None else None
            result = run_report(settings, period=period, as_of=as_of, html_out=html_path,
                                json_out=json_path, progress=progress, store=store,
                                extra_stats=extra)
            store.set_meta(f"reported:{period.label}", _stamp(now, settings))
            deliveries = [Delivery(c, "already", done[c] or "") for c in channels
                          if c not in pending]
            if pending:
                mail = compose(settings, result, html_path)
                for channel in pending:
                    deliveries.append(_deliver(channel, settings, mail, now))
                    store.set_meta(f"delivered:{channel}:{period.label}", _stamp(now, settings))
            return WeeklyResult(period.label, html_path, json_path, summary, tuple(notes),
                                result, None, tuple(deliveries))
    finally:
        lock.release()


def compose(settings: Settings, result: ReportResult, html_path: Path) -> delivery.ReportMail:
    """The report mail for a written report: subject, summaries, the file attached."""
    context = result.context
    if context is None:  # run_report always builds it when it writes the HTML
        raise StoreError("the report was not rendered; nothing to deliver")
    label = result.metrics.period.label
    text, html = render_summary(context, html_path.name)
    subject = strings(report_language(settings))["phrases"]["mail_subject"].format(
        period=label, n=len(result.metrics.silences))
    return delivery.ReportMail(period=label, subject=subject, text=text, html=html,
                               attachment_name=html_path.name,
                               attachment=html_path.read_bytes())


def _deliver(channel: str, settings: Settings, mail: delivery.ReportMail,
             now: datetime) -> Delivery:
    if channel == "smtp":
        sender, to = delivery.smtp_addresses(settings)
        message = delivery.build_message(mail, sender=sender, to=to, now=now)
        return Delivery(channel, "delivered", delivery.send_smtp(settings, message))
    sender, to = delivery.imap_addresses(settings)
    message = delivery.build_message(mail, sender=sender, to=to, now=now)
    return Delivery(channel, "delivered", delivery.append_imap(settings, message, now=now))


def _stamp(now: datetime, settings: Settings) -> str:
    return now.astimezone(settings.tz).isoformat(timespec="minutes")
