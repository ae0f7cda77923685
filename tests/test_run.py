"""``inbox-audit run``, the weekly job: fetch from a real Dovecot, report the last complete
week into the report folder, deliver by SMTP (aiosmtpd) and IMAP APPEND; a second run
changes nothing and sends nothing."""

from __future__ import annotations

import dataclasses
import email
import email.policy
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import filelock
import pytest
from conftest import SAMPLES
from dovecot import PASSWORD as IMAP_PASSWORD
from dovecot import Dovecot
from smtpserver import PASSWORD, USER, SmtpServer

from inbox_audit.config import ReportSettings, Settings, SmtpSettings, load_settings
from inbox_audit.errors import StoreError
from inbox_audit.pipeline import run_import
from inbox_audit.sources.files import iter_raw_mail
from inbox_audit.weekly import run_weekly

pytestmark = [pytest.mark.slow,
              pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")]

TZ = ZoneInfo("Europe/Brussels")
MONDAY = datetime(2026, 11, 30, 7, 30, tzinfo=TZ)  # the week before: 2026-W48
REPORT_FOLDER = "inbox-audit reports"


@pytest.fixture
def smtp(tmp_path, monkeypatch) -> Iterator[SmtpServer]:
    monkeypatch.setenv("SMTP_TEST_PASSWORD", PASSWORD)
    server = SmtpServer(tmp_path).start()
    yield server
    server.stop()


def demo_settings(tmp_path: Path) -> Settings:
    base = load_settings(SAMPLES / "demo.toml", env={}, explicit=True)
    return dataclasses.replace(base, store=tmp_path / "store.db",
                               corrections=tmp_path / "corrections.csv")


def smtp_table(server: SmtpServer) -> SmtpSettings:
    return SmtpSettings(host=server.host, port=server.port, tls=False, username=USER,
                        password_env="SMTP_TEST_PASSWORD", timeout=10.0,
                        to=["jan@vdbroeck-bouw.be"])


def report_folder_uids(dovecot: Dovecot, user: str) -> list[int]:
    with dovecot.client(user) as client:
        if not client.folder_exists(REPORT_FOLDER):
            return []
        client.select_folder(REPORT_FOLDER, readonly=True)
        return client.search("ALL")


def test_run_fetches_reports_delivers_and_never_twice(tmp_path, dovecot, smtp, monkeypatch):
    monkeypatch.setenv("IMAP_TEST_PASSWORD", IMAP_PASSWORD)
    user = dovecot.new_account()
    dovecot.append(user, "INBOX", [m.raw for m in iter_raw_mail([SAMPLES / "demo.mbox"])])
    settings = dataclasses.replace(
        demo_settings(tmp_path), imap=dovecot.settings(user).imap, smtp=smtp_table(smtp),
        report=ReportSettings(folder=tmp_path / "reports", deliver=["smtp", "imap"],
                              imap_folder=REPORT_FOLDER))

    first = run_weekly(settings, now=MONDAY)
    assert first.week == "2026-W48" and first.fetch is not None and first.fetch.new == 204
    html, js = tmp_path / "reports" / "2026-W48.html", tmp_path / "reports" / "2026-W48.json"
    assert (first.html_path, first.json_path) == (html, js)
    assert [(d.channel, d.status) for d in first.deliveries] == [("smtp", "delivered"),
                                                                ("imap", "delivered")]
    # The report of the week is as of Monday 00:00 after it, whenever the job runs.
    assert first.report is not None
    assert first.report.metrics.as_of == datetime(2026, 11, 30, 0, 0, tzinfo=TZ)
    assert '"schema": "inbox-audit/metrics/v1"' in js.read_text(encoding="utf-8")
    sent = smtp.messages
    assert len(sent) == 1
    assert sent[0]["Subject"].startswith("Supplier audit 2026-W48: ")
    attachment = next(sent[0].iter_attachments())
    assert attachment.get_filename() == "2026-W48.html"
    assert attachment.get_payload(decode=True) == html.read_bytes()
    assert "The monsters" in sent[0].get_body(("plain",)).get_content()
    uids = report_folder_uids(dovecot, user)
    assert len(uids) == 1
    with dovecot.client(user) as client:
        client.select_folder(REPORT_FOLDER, readonly=True)
        raw = client.fetch(uids, ["RFC822"])[uids[0]][b"RFC822"]
    appended = email.message_from_bytes(raw, policy=email.policy.default)
    assert next(appended.iter_attachments()).get_filename() == "2026-W48.html"

    before = {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in html.parent.iterdir()}
    again = run_weekly(settings, now=MONDAY.replace(hour=9))
    assert again.report is None and again.fetch is not None and again.fetch.new == 0
    assert [(d.channel, d.status) for d in again.deliveries] == [("smtp", "already"),
                                                                ("imap", "already")]
    after = {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in html.parent.iterdir()}
    assert after == before  # the same two files, untouched
    assert len(smtp.messages) == 1 and len(report_folder_uids(dovecot, user)) == 1

    forced = run_weekly(settings, now=MONDAY.replace(hour=10), force=True)
    assert forced.report is not None
    assert len(smtp.messages) == 2 and len(report_folder_uids(dovecot, user)) == 2


def test_wrong_smtp_password_fails_in_one_line_and_the_next_run_retries(
        tmp_path, smtp, cli, monkeypatch):
    config = tmp_path / "inbox-audit.toml"
    config.write_text(
        (SAMPLES / "demo.toml").read_text(encoding="utf-8").replace(
            '[suppliers]',
            f'store = "store.db"\ncorrections = "corrections.csv"\n\n'
            f'[smtp]\nhost = "{smtp.host}"\nport = {smtp.port}\ntls = false\n'
            f'username = "{USER}"\npassword_env = "SMTP_TEST_PASSWORD"\n'
            f'to = ["jan@vdbroeck-bouw.be"]\n\n'
            f'[report]\nfolder = "reports"\ndeliver = ["smtp"]\n\n[suppliers]', 1),
        encoding="utf-8")
    assert cli("import", "--config", config, SAMPLES / "demo.mbox").exit_code == 0
    monkeypatch.setenv("SMTP_TEST_PASSWORD", "wrong-secret-123")
    failed = cli("run", "--config", config, "--week", "2026-W47")
    assert failed.exit_code == 1
    lines = failed.output.strip().splitlines()
    assert lines[-1].startswith(f"Error: smtp: login to 127.0.0.1 as {USER} refused: 535")
    assert "wrong-secret-123" not in failed.output
    assert (tmp_path / "reports" / "2026-W47.html").is_file()  # written before delivery
    assert smtp.messages == []

    monkeypatch.setenv("SMTP_TEST_PASSWORD", PASSWORD)
    done = cli("run", "--config", config, "--week", "2026-W47")
    assert done.exit_code == 0, done.output
    assert "fetch skipped: no [imap] host configured" in done.output
    assert "smtp: delivered to jan@vdbroeck-bouw.be" in done.output
    assert len(smtp.messages) == 1
    again = cli("run", "--config", config, "--week", "2026-W47")
    assert again.exit_code == 0
    assert "already reported" in again.output and "not sent again" in again.output
    assert len(smtp.messages) == 1


def test_run_without_delivery_writes_the_files_only(tmp_path):
    settings = dataclasses.replace(demo_settings(tmp_path),
                                   report=ReportSettings(folder=tmp_path / "out"))
    run_import(settings, [SAMPLES / "demo.mbox"])
    result = run_weekly(settings, now=MONDAY)
    assert result.notes == ("fetch skipped: no [imap] host configured",)
    assert result.deliveries == ()
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["2026-W48.html",
                                                                    "2026-W48.json"]


def test_two_runs_at_once_are_refused(tmp_path):
    settings = demo_settings(tmp_path)
    with filelock.FileLock(str(settings.store_path) + ".run.lock"), \
            pytest.raises(StoreError, match="another `inbox-audit run` is busy"):
        run_weekly(settings, now=MONDAY, fetch=False)
