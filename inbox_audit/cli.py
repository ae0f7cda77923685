"""The ``inbox-audit`` command: parses options, loads settings, calls one library
function per command, and turns our errors into one-line messages (exit 1).
Usage errors exit 2 (click's convention)."""

from __future__ import annotations

import functools
import os
import sys
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import click

from inbox_audit import __version__, pipeline
from inbox_audit.config import Settings, load_settings
from inbox_audit.errors import InboxAuditError

EPILOG_WIDTH = 100


class Progress:
    """A progress line on stderr; silent when quiet or when stderr is not a terminal."""

    def __init__(self, label: str, quiet: bool) -> None:
        self.label = label
        self.enabled = not quiet and sys.stderr.isatty()
        self._last = 0.0

    def __call__(self, done: int, total: int | None) -> None:
        if not self.enabled:
            return
        now = time.monotonic()
        if now - self._last < 0.1 and done != total:
            return
        self._last = now
        if total:
            width = 30
            filled = int(width * done / total)
            bar = "#" * filled + "-" * (width - filled)
            text = f"\r{self.label} [{bar}] {done}/{total}"
        else:
            text = f"\r{self.label} {done}"
        sys.stderr.write(text)
        sys.stderr.flush()

    def close(self) -> None:
        if self.enabled and self._last:
            sys.stderr.write("\r\033[K")
            sys.stderr.flush()


def _common(func: Callable[..., Any]) -> Callable[..., Any]:
    """--config, --store and --quiet on every command."""

    @click.option("--config", "config_path", type=click.Path(dir_okay=False, path_type=Path),
                  envvar="INBOX_AUDIT_CONFIG",
                  help="Config file (default ./inbox-audit.toml, then the user config dir).")
    @click.option("--store", "store_path", type=click.Path(dir_okay=False, path_type=Path),
                  help="SQLite store (default from config, else the user data dir).")
    @click.option("--quiet", "-q", is_flag=True, help="No progress on stderr.")
    @functools.wraps(func)
    def wrapper(*args: Any, config_path: Path | None, store_path: Path | None, quiet: bool,
                **kwargs: Any) -> Any:
        try:
            settings = load_settings(config_path, explicit=config_path is not None,
                                     overrides={"store": store_path})
            return func(settings, quiet, *args, **kwargs)
        except InboxAuditError as exc:
            raise click.ClickException(str(exc)) from None

    return wrapper


def _parse_when(value: str, settings: Settings, *, end_of_day: bool = False) -> datetime:
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"expected an ISO date or date-time, got {value!r}") from None
    if len(value) <= 10 and end_of_day:
        parsed = parsed.replace(hour=23, minute=59, second=59)
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=settings.tz)
    return parsed


@click.group(context_settings={"help_option_names": ["-h", "--help"],
                               "max_content_width": EPILOG_WIDTH})
@click.version_option(__version__, prog_name="inbox-audit")
def cli() -> None:
    """Audit how fast your suppliers quote and follow up, from your own mailbox.

    \b
    Example:
      inbox-audit demo
      inbox-audit import ~/Mail/leveranciers.mbox
      inbox-audit report --week 2026-W47 --out week47.html
    """


@cli.command()
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path),
              default=Path("inbox-audit-demo.html"), show_default=True,
              help="Where to write the HTML report.")
@click.option("--json", "json_out", type=click.Path(dir_okay=False, path_type=Path),
              help="Also write the JSON metrics here.")
@click.option("--quiet", "-q", is_flag=True, help="No progress on stderr.")
@click.option("--config", "config_path", type=click.Path(path_type=Path), hidden=True,
              help="Ignored: the demo uses its bundled configuration.")
@click.option("--store", "store_path", type=click.Path(path_type=Path), hidden=True,
              help="Ignored: the demo uses a temporary store.")
def demo(out: Path, json_out: Path | None, quiet: bool, config_path: Path | None,
         store_path: Path | None) -> None:
    """Run the whole pipeline on the bundled demo mailbox; no server or config needed.

    \b
    Example:
      inbox-audit demo --out /tmp/demo.html
    """
    progress = Progress("demo", quiet)
    try:
        result = pipeline.run_demo(out, json_out=json_out, progress=progress)
    except InboxAuditError as exc:
        raise click.ClickException(str(exc)) from None
    finally:
        progress.close()
    totals = result.metrics.totals
    click.echo(f"{result.messages} demo messages, {totals.requests} requests, "
               f"{totals.open_silences} open silences")
    click.echo(f"report written to {out.resolve()}")


@cli.command(name="import")
@click.argument("paths", nargs=-1, required=True,
                type=click.Path(path_type=Path))
@_common
def import_(settings: Settings, quiet: bool, paths: tuple[Path, ...]) -> None:
    """Import .eml files, folders of them, mbox files and maildirs into the store.

    Re-importing the same mail adds nothing. Mail that cannot be parsed is kept in
    quarantine with its reason.

    \b
    Example:
      inbox-audit import ~/Mail/leveranciers.mbox ~/Maildir --store audit.db
    """
    progress = Progress("import", quiet)
    try:
        summary = pipeline.run_import(settings, list(paths), progress=progress)
    finally:
        progress.close()
    click.echo(f"{summary.line()} -> {settings.store_path}")


@cli.command()
@_common
def fetch(settings: Settings, quiet: bool) -> None:
    """Poll the configured IMAP folders (and the Sent folder) into the store.

    Read-only: folders are selected read-only and bodies fetched with BODY.PEEK, so no
    flag changes on the server. Incremental: only new UIDs are fetched; an interrupted
    fetch resumes where it stopped.

    \b
    Example:
      INBOX_AUDIT_IMAP__HOST=imap.example.be inbox-audit fetch --config inbox-audit.toml
    """
    progress = Progress("fetch", quiet)
    try:
        summary = pipeline.run_fetch(settings, progress=progress)
    except KeyboardInterrupt:
        progress.close()
        click.echo("interrupted; everything fetched so far is stored", err=True)
        sys.exit(130)
    finally:
        progress.close()
    click.echo(summary.line())


@cli.command()
@click.option("--week", help="ISO week, e.g. 2026-W47.")
@click.option("--since", type=click.DateTime(["%Y-%m-%d"]), help="First day (YYYY-MM-DD).")
@click.option("--until", type=click.DateTime(["%Y-%m-%d"]), help="Last day (YYYY-MM-DD).")
@click.option("--all", "all_", is_flag=True, help="Everything in the store.")
@click.option("--as-of", "as_of", help="Report as if it were this time (ISO 8601); "
              "default now.")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path),
              help="Write the HTML report here.")
@click.option("--json", "json_out", type=click.Path(dir_okay=False, path_type=Path),
              help="Write the JSON metrics (schema inbox-audit/metrics/v1) here.")
@_common
def report(settings: Settings, quiet: bool, week: str | None, since: datetime | None,
           until: datetime | None, all_: bool, as_of: str | None, out: Path | None,
           json_out: Path | None) -> None:
    """Classify what is new, build the deals, and write the HTML report and/or JSON.

    Without --week, --since/--until or --all the report covers the last complete ISO
    week before --as-of. Without --out and --json the HTML goes to
    <report folder>/<period>.html.

    \b
    Example:
      inbox-audit report --week 2026-W47 --out week47.html --json week47.json
      inbox-audit report --all --as-of 2026-11-30T08:00 --json metrics.json
    """
    chosen = [name for name, on in (("--week", week), ("--since/--until", since or until),
                                    ("--all", all_)) if on]
    if len(chosen) > 1:
        raise click.UsageError(f"choose one of {', '.join(chosen)}")
    when = _parse_when(as_of, settings) if as_of else None
    period = None
    try:
        if week:
            period = pipeline.week_period(week)
        elif since or until:
            period = pipeline.range_period(since.date() if since else None,
                                           until.date() if until else None)
        elif all_:
            period = pipeline.ALL
        if out is None and json_out is None:
            label = (period or pipeline.last_complete_week(
                when or datetime.now().astimezone(), settings)).label
            out = settings.report.folder / f"{label.replace('..', '_')}.html"
        progress = Progress("classify", quiet)
        try:
            result = pipeline.run_report(settings, period=period, as_of=when, html_out=out,
                                         json_out=json_out, progress=progress)
        finally:
            progress.close()
    except InboxAuditError as exc:
        raise click.ClickException(str(exc)) from None
    totals = result.metrics.totals
    click.echo(f"{result.metrics.period.label}: {totals.requests} requests, "
               f"{totals.quotes} quoted, {totals.open_silences} open silences "
               f"({result.classified} messages classified now)")
    for path in (result.html_path, result.json_path):
        if path is not None:
            click.echo(f"written {Path(path).resolve()}")


def main(argv: list[str] | None = None) -> None:
    """Console entry point: never shows a traceback unless INBOX_AUDIT_DEBUG is set."""
    try:
        cli.main(args=argv, prog_name="inbox-audit", standalone_mode=True)
    except KeyboardInterrupt:
        click.echo("interrupted; everything committed so far is kept", err=True)
        sys.exit(130)
    except Exception as exc:  # noqa: BLE001 - the last line of defence
        if os.environ.get("INBOX_AUDIT_DEBUG"):
            raise
        click.echo(f"Error: internal error ({type(exc).__name__}: {exc}); "
                   "set INBOX_AUDIT_DEBUG=1 for details", err=True)
        sys.exit(1)

