"""The ``inbox-audit`` command: parses options, loads settings, calls one library
function per command, and turns our errors into one-line messages (exit 1).
Usage errors exit 2 (click's convention)."""

from __future__ import annotations

import atexit
import functools
import gc
import os
import sys
import threading
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any, NoReturn

import click

from inbox_audit import __version__, pipeline, weekly
from inbox_audit.config import Settings, load_settings
from inbox_audit.errors import InboxAuditError
from inbox_audit.progress import Progress

EPILOG_WIDTH = 100


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
        if _as_command:
            gc.disable()  # for good: the process ends after the report (see _leave)
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
    if _as_command:
        _leave(0)  # now, while the report's data is still referenced (see _leave)


@cli.command()
@click.option("--week", help="ISO week, e.g. 2026-W47 (default: the last complete week).")
@click.option("--all", "all_", is_flag=True, help="Every message in the store.")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path),
              help="Write or merge this file instead of the configured correction file.")
@_common
def review(settings: Settings, quiet: bool, week: str | None, all_: bool,
           out: Path | None) -> None:
    """Write or merge the correction file, least confident first.

    Open it in Excel or LibreOffice, type the right label in the "correct" column
    (request, quote, follow-up, silence, other) where the prediction is wrong, or the
    predicted one to confirm it; "note" is yours. The next report applies it and the
    classifier learns from it. Running review again keeps every value you typed; the
    previous version is kept as <file>.bak. See docs/corrections.md.

    \b
    Example:
      inbox-audit review --week 2026-W47
      inbox-audit review --all --out ~/corrections.csv
    """
    if week and all_:
        raise click.UsageError("choose one of --week, --all")
    progress = Progress("classify", quiet)
    try:
        period = pipeline.week_period(week) if week else (pipeline.ALL if all_ else None)
        result = pipeline.run_review(settings, period=period, out=out, progress=progress)
    except InboxAuditError as exc:
        raise click.ClickException(str(exc)) from None
    finally:
        progress.close()
    click.echo(f"written {result.line()}")
    if result.problems:
        click.echo(f"the next report will refuse this file until you fix "
                   f"{len(result.problems)} problem(s):", err=True)
        for problem in result.problems:
            click.echo(f"  {problem}", err=True)


@cli.command()
@click.option("--week", help="ISO week, e.g. 2026-W47 (default: the last complete week).")
@click.option("--no-fetch", is_flag=True, help="Do not poll IMAP; report on what is stored.")
@click.option("--no-deliver", is_flag=True, help="Write the files, deliver nothing.")
@click.option("--force", is_flag=True,
              help="Write the files and deliver again, even if this week was done.")
@_common
def run(settings: Settings, quiet: bool, week: str | None, no_fetch: bool, no_deliver: bool,
        force: bool) -> None:
    """The weekly job: fetch, classify, report the last complete ISO week, deliver.

    Writes <report folder>/<week>.html and .json and delivers them as configured in
    report.deliver: "smtp" mails a summary with the report attached, "imap" appends
    the same mail to report.imap_folder of your own mailbox. Running it again for a
    week that is done fetches new mail and changes nothing else: the files stay and
    nothing is sent twice. Without [imap] host the fetch is skipped. See docs/report.md
    for a cron line and a systemd timer.

    \b
    Example:
      inbox-audit run --config ~/.config/inbox-audit/inbox-audit.toml --quiet
      inbox-audit run --week 2026-W47 --no-fetch --no-deliver
    """
    progress = Progress("run", quiet)
    try:
        result = weekly.run_weekly(settings, week=week, fetch=not no_fetch,
                                   deliver=not no_deliver, force=force, progress=progress)
    except InboxAuditError as exc:
        raise click.ClickException(str(exc)) from None
    finally:
        progress.close()
    if result.fetch is not None:
        click.echo(result.fetch.line())
    for note in result.notes:
        click.echo(note)
    if result.report is None:
        click.echo(f"{result.week}: already reported on {result.reported_on}; "
                   f"files kept ({result.html_path.resolve()}); --force to redo")
    else:
        totals = result.report.metrics.totals
        click.echo(f"{result.week}: {totals.requests} requests, {totals.quotes} quoted, "
                   f"{totals.open_silences} open silences")
        for path in (result.html_path, result.json_path):
            click.echo(f"written {path.resolve()}")
    for item in result.deliveries:
        click.echo(item.line())
    if not result.deliveries and not no_deliver and not settings.report.deliver:
        click.echo("not delivered: report.deliver is empty (files only)")


@cli.command()
@click.option("--supplier", help="A supplier: its key as in the report (garage-peeters.be), "
              "an address or domain of it, or its configured name.")
@click.option("--before", type=click.DateTime(["%Y-%m-%d"]),
              help="Mail dated before this day (YYYY-MM-DD), quarantined mail included.")
@click.option("--dry-run", is_flag=True, help="Only say what would be removed.")
@_common
def forget(settings: Settings, quiet: bool, supplier: str | None, before: datetime | None,
           dry_run: bool) -> None:
    """Remove stored mail for privacy: a supplier's, or everything before a day.

    Removes the parsed message, its raw bytes and its label; both options together
    remove the supplier's mail before that day. Removed space in the store is
    overwritten, and importing or fetching the same mail again does not bring it back.
    Your mailbox itself is never touched.

    \b
    Example:
      inbox-audit forget --supplier garage-peeters.be
      inbox-audit forget --before 2020-01-01 --dry-run
    """
    if supplier is None and before is None:
        raise click.UsageError("give --supplier, --before or both")
    try:
        summary = pipeline.run_forget(settings, supplier=supplier,
                                      before=before.date() if before else None,
                                      dry_run=dry_run)
    except InboxAuditError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"{summary.line()} -> {settings.store_path}")



@cli.command()
@_common
def train(settings: Settings, quiet: bool) -> None:
    """Refit the classifier from the bundled labelled corpus plus your corrections.

    The model is also refit automatically when the corrections, the rules or the
    corpus change; this command forces it. It prints the score on the corpus' dev
    split and the review threshold tuned there. See docs/classifier.md.

    \b
    Example:
      inbox-audit train --config inbox-audit.toml
    """
    info = pipeline.run_train(settings)
    dev = info.dev
    score = f", dev-split accuracy {dev['accuracy']:.1%} on {dev['messages']} messages" \
        if dev.get("messages") else ""
    click.echo(f"model trained on {info.examples} examples ({info.corrections} from "
               f"corrections){score}; review below confidence {info.threshold:.2f}")
    click.echo(f"cached in {info.path}")


@cli.command()
@click.argument("path", type=click.Path(exists=True, path_type=Path))
@click.option("--truth", type=click.Path(dir_okay=False, exists=True, path_type=Path),
              help="Truth CSV (message_id,label,...); default: <name>-truth.csv beside PATH.")
@click.option("--rules-only", is_flag=True, help="Score the header and rule stages alone.")
@click.option("--worst", default=10, show_default=True, help="How many mistakes to show.")
@click.option("--json", "json_out", type=click.Path(dir_okay=False, path_type=Path),
              help="Also write the full result as JSON here.")
@_common
def evaluate(settings: Settings, quiet: bool, path: Path, truth: Path | None,
             rules_only: bool, worst: int, json_out: Path | None) -> None:
    """Score the classifier on a labelled mailbox: per-label precision, recall, F1.

    PATH is an mbox, a folder of .eml files or a maildir; its truth file is a CSV with
    at least the columns message_id and label (samples/demo-truth.csv is one). Threads
    are built with the configured `me`, as in a report.

    \b
    Example:
      inbox-audit evaluate samples/demo.mbox --config samples/demo.toml
      inbox-audit evaluate ~/labelled/ --truth ~/labelled/truth.csv --worst 20
    """
    import json

    from inbox_audit.classify.evaluate import evaluation_lines

    progress = Progress("evaluate", quiet)
    try:
        result = pipeline.run_evaluate(settings, path, truth=truth, use_model=not rules_only,
                                       worst=worst, progress=progress)
    finally:
        progress.close()
    if json_out is not None:
        json_out.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n",
                            encoding="utf-8")
    for line in evaluation_lines(result):
        click.echo(line)


# Whether this module runs as the command (``main()`` without argv): the process then
# ends through ``_leave``.
_as_command = False


def main(argv: list[str] | None = None) -> None:
    """Console entry point: never shows a traceback unless INBOX_AUDIT_DEBUG is set.
    Called as the command itself (no ``argv``), it ends the process through
    :func:`_leave`."""
    global _as_command
    _as_command = argv is None
    try:
        cli.main(args=argv, prog_name="inbox-audit", standalone_mode=True)
    except SystemExit as done:
        if argv is None:
            _leave(done.code)
        raise
    except KeyboardInterrupt:
        click.echo("interrupted; everything committed so far is kept", err=True)
        sys.exit(130)
    except Exception as exc:  # noqa: BLE001 - the last line of defence
        if os.environ.get("INBOX_AUDIT_DEBUG"):
            raise
        click.echo(f"Error: internal error ({type(exc).__name__}: {exc}); "
                   "set INBOX_AUDIT_DEBUG=1 for details", err=True)
        sys.exit(1)



def _leave(code: object) -> NoReturn:
    """End the command's process once its work is done, without freeing its objects one
    by one. A report on a large mailbox holds millions of them, and the interpreter's
    teardown (a last collection over all of them, then every deallocation) took seconds
    after the last file was written. Everything that ``sys.exit`` would still do for us
    is done: other threads are waited for, exit handlers run and output is flushed.
    Files and the store are closed by then (the commands close what they open).

    ``report`` calls it itself once it has said what it wrote, with the report's data
    still referenced, and runs with the cycle collector off: otherwise freeing that data
    on the way out of the command and one collection over it cost 1.2 s more."""
    run_exit_handlers = getattr(atexit, "_run_exitfuncs", None)
    if run_exit_handlers is None:  # another Python: the ordinary way out
        raise SystemExit(code)
    for thread in threading.enumerate():
        if thread is not threading.current_thread() and not thread.daemon:
            thread.join()
    if code is not None and not isinstance(code, int):
        print(code, file=sys.stderr)  # what sys.exit does with a message
    run_exit_handlers()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code if isinstance(code, int) else (0 if code is None else 1))
