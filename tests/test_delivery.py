"""Delivering the report: by SMTP to a real local server (aiosmtpd) in plain text, with
STARTTLS and with implicit TLS; by IMAP APPEND into the real Dovecot. Failures are one
line without the password."""

from __future__ import annotations

import dataclasses
import email
import email.policy
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from dovecot import PASSWORD as IMAP_PASSWORD
from dovecot import Dovecot
from smtpserver import PASSWORD, USER, SmtpServer, free_port

from inbox_audit import delivery
from inbox_audit.config import ImapSettings, ReportSettings, Settings, SmtpSettings
from inbox_audit.delivery import DeliveryError, ReportMail
from inbox_audit.errors import ConfigError, InboxAuditError

pytestmark = pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")

NOW = datetime(2026, 11, 30, 7, 0, tzinfo=UTC)
REPORT = ("<!DOCTYPE html><html><body><h1>Supplier follow-up audit · 2026-W48</h1>"
          "<p>11 open silences</p></body></html>").encode()


def report_mail() -> ReportMail:
    return ReportMail(period="2026-W48", subject="Supplier audit 2026-W48: 11 open silences",
                      text="Supplier follow-up audit\n11 open silences\n",
                      html="<p>Supplier follow-up audit</p><p>11 open silences</p>",
                      attachment_name="2026-W48.html", attachment=REPORT)


def message(to: tuple[str, ...] = ("jan@vdbroeck-bouw.be",)):
    return delivery.build_message(report_mail(), sender="jan@vdbroeck-bouw.be", to=to,
                                  now=NOW)


def smtp_settings(server: SmtpServer, **smtp: object) -> Settings:
    values: dict[str, object] = {
        "host": server.host, "port": server.port, "tls": server.mode == "tls",
        "starttls": server.mode == "starttls", "ca_file": server.ca_file,
        "username": USER, "password_env": "SMTP_TEST_PASSWORD", "timeout": 10.0,
        "to": ["jan@vdbroeck-bouw.be"]}
    values.update(smtp)
    return Settings(me=["jan@vdbroeck-bouw.be"], smtp=SmtpSettings(**values))  # type: ignore[arg-type]


@pytest.fixture
def smtp_password(monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("SMTP_TEST_PASSWORD", PASSWORD)
    return PASSWORD


@pytest.fixture
def server(tmp_path) -> Iterator[SmtpServer]:
    running = SmtpServer(tmp_path).start()
    yield running
    running.stop()


def check_report_mail(received) -> None:
    assert received["Subject"] == "Supplier audit 2026-W48: 11 open silences"
    assert received["Auto-Submitted"] == "auto-generated"
    assert received["X-Inbox-Audit-Report"] == "2026-W48"
    body = received.get_body(("plain",))
    html = received.get_body(("html",))
    assert "11 open silences" in body.get_content()
    assert "<p>11 open silences</p>" in html.get_content()
    attachments = list(received.iter_attachments())
    assert [a.get_filename() for a in attachments] == ["2026-W48.html"]
    assert attachments[0].get_content_type() == "text/html"
    assert attachments[0].get_payload(decode=True) == REPORT


def test_smtp_delivers_the_summary_with_the_report_attached(server, smtp_password):
    note = delivery.send_smtp(smtp_settings(server), message())
    assert note == "to jan@vdbroeck-bouw.be"
    assert server.envelopes == [("jan@vdbroeck-bouw.be", ["jan@vdbroeck-bouw.be"])]
    check_report_mail(server.messages[0])


@pytest.mark.parametrize("mode", ["starttls", "tls"])
def test_smtp_over_tls_verifies_the_certificate(tmp_path, smtp_password, mode):
    server = SmtpServer(tmp_path, mode).start()
    try:
        delivery.send_smtp(smtp_settings(server), message())
        check_report_mail(server.messages[0])
        # Without the private CA the certificate is not trusted: one line, what to do.
        with pytest.raises(DeliveryError) as caught:
            delivery.send_smtp(smtp_settings(server, ca_file=None), message())
        assert "not trusted" in str(caught.value) and "smtp.ca_file" in str(caught.value)
        assert len(server.messages) == 1
    finally:
        server.stop()


def test_wrong_smtp_password_is_a_one_line_error(server, monkeypatch):
    monkeypatch.setenv("SMTP_TEST_PASSWORD", "wrong-secret-123")
    with pytest.raises(DeliveryError) as caught:
        delivery.send_smtp(smtp_settings(server), message())
    text = str(caught.value)
    assert "\n" not in text and "wrong-secret-123" not in text
    assert text.startswith(f"smtp: login to 127.0.0.1 as {USER} refused: 535")
    assert server.messages == []


def test_smtp_problems_are_one_line_errors(server, smtp_password, monkeypatch):
    closed = free_port()
    with pytest.raises(DeliveryError, match="connection to 127.0.0.1:.* refused"):
        delivery.send_smtp(smtp_settings(server, port=closed), message())
    # A password never crosses the network in clear text, checked before connecting.
    with pytest.raises(DeliveryError, match="without encryption"):
        delivery.send_smtp(smtp_settings(server, host="smtp.example.be"), message())
    with pytest.raises(ConfigError, match="smtp.host is not set"):
        delivery.send_smtp(Settings(), message())
    monkeypatch.delenv("SMTP_TEST_PASSWORD")
    with pytest.raises(InboxAuditError, match="SMTP_TEST_PASSWORD is not set"):
        delivery.send_smtp(smtp_settings(server), message())


def test_smtp_addresses_fall_back_to_me():
    settings = Settings(me=["jan@vdbroeck-bouw.be"])
    assert delivery.smtp_addresses(settings) == ("jan@vdbroeck-bouw.be",
                                                 ["jan@vdbroeck-bouw.be"])
    with pytest.raises(ConfigError, match="smtp.to"):
        delivery.smtp_addresses(Settings(smtp=SmtpSettings(sender="x@y.be")))


# --- IMAP APPEND ------------------------------------------------------------------------

def imap_settings(dovecot: Dovecot, user: str, **report: object) -> Settings:
    base = dovecot.settings(user)
    return dataclasses.replace(base, me=["jan@vdbroeck-bouw.be"],
                               report=ReportSettings(deliver=["imap"], **report))  # type: ignore[arg-type]


def test_imap_append_puts_the_report_in_its_own_folder(dovecot, monkeypatch):
    monkeypatch.setenv("IMAP_TEST_PASSWORD", IMAP_PASSWORD)
    user = dovecot.new_account()
    settings = imap_settings(dovecot, user, imap_folder="Audit/Reports")
    sender, to = delivery.imap_addresses(settings)
    assert (sender, to) == ("jan@vdbroeck-bouw.be", ["jan@vdbroeck-bouw.be"])
    msg = delivery.build_message(report_mail(), sender=sender, to=to, now=NOW)
    note = delivery.append_imap(settings, msg, now=NOW)
    assert note == f"to folder 'Audit/Reports' of {user}@127.0.0.1"
    with dovecot.client(user) as client:
        client.select_folder("Audit/Reports", readonly=True)
        uids = client.search("ALL")
        assert len(uids) == 1
        data = client.fetch(uids, ["RFC822", "FLAGS"])[uids[0]]
        assert b"\\Seen" not in data[b"FLAGS"]  # the buyer sees it as new mail
        client.select_folder("INBOX", readonly=True)
        assert client.search("ALL") == []  # the audited folder is not touched
    check_report_mail(email.message_from_bytes(data[b"RFC822"], policy=email.policy.default))


def test_imap_append_refuses_an_audited_folder(dovecot, monkeypatch):
    monkeypatch.setenv("IMAP_TEST_PASSWORD", IMAP_PASSWORD)
    user = dovecot.new_account()
    settings = imap_settings(dovecot, user, imap_folder="INBOX")
    with pytest.raises(ConfigError, match="is one of imap.folders"):
        delivery.append_imap(settings, message(), now=NOW)


def test_imap_append_with_a_wrong_password_is_one_line(dovecot, monkeypatch):
    monkeypatch.setenv("IMAP_TEST_PASSWORD", "not-the-password")
    user = dovecot.new_account()
    settings = imap_settings(dovecot, user)
    with pytest.raises(InboxAuditError) as caught:
        delivery.append_imap(settings, message(), now=NOW)
    assert "\n" not in str(caught.value) and "not-the-password" not in str(caught.value)
    assert "refused" in str(caught.value)


def test_imap_settings_defaults():
    assert ImapSettings().folders == ["INBOX"]
    assert ReportSettings().imap_folder not in ImapSettings().folders
