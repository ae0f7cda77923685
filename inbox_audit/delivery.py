"""Delivering the weekly report: by SMTP, and/or by IMAP APPEND into a folder of the
buyer's own mailbox (no SMTP server needed).

Both send the same mail: a short plain-text + HTML summary in the body and the full
report attached as an HTML file. It carries ``Auto-Submitted: auto-generated`` (RFC
3834), so no auto-responder answers it and our own classifier never takes it for a
request when it lands in an audited folder.

SMTP uses implicit TLS (port 465) or STARTTLS (587), certificates verified; a plain
connection only to this computer. Every failure is a ``DeliveryError`` with one line
that names what to fix and never contains the password.
"""

from __future__ import annotations

import imaplib
import smtplib
import socket
import ssl
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

from imapclient.exceptions import IMAPClientError

from inbox_audit import secrets
from inbox_audit.config import Settings
from inbox_audit.errors import ConfigError, InboxAuditError
from inbox_audit.sources.imap_connect import (
    CONNECTION_LOST,
    Connector,
    endpoint,
    reason,
    tls_context,
)
from inbox_audit.tls import is_loopback, verified_context

REPORT_HEADER = "X-Inbox-Audit-Report"  # the report's period, e.g. 2026-W47


class DeliveryError(InboxAuditError):
    """The report could not be delivered; the files are written all the same."""


@dataclass(frozen=True)
class ReportMail:
    """What the report mail says: subject, the two summary bodies and the report."""

    period: str  # e.g. 2026-W47
    subject: str
    text: str
    html: str
    attachment_name: str  # e.g. 2026-W47.html
    attachment: bytes  # the full HTML report


def build_message(mail: ReportMail, *, sender: str, to: Sequence[str],
                  now: datetime) -> EmailMessage:
    """The MIME message: text and HTML alternatives, the report as an attachment."""
    msg = EmailMessage()
    msg["Subject"] = mail.subject
    msg["From"] = sender
    msg["To"] = ", ".join(to)
    msg["Date"] = format_datetime(now)
    domain = sender.rpartition("@")[2] or "inbox-audit.invalid"
    msg["Message-ID"] = make_msgid("inbox-audit", domain=domain)
    msg["Auto-Submitted"] = "auto-generated"
    msg[REPORT_HEADER] = mail.period
    msg.set_content(mail.text)
    msg.add_alternative(mail.html, subtype="html")
    msg.add_attachment(mail.attachment, maintype="text", subtype="html",
                       filename=mail.attachment_name)
    return msg


def smtp_addresses(settings: Settings) -> tuple[str, list[str]]:
    """(sender, recipients) of the SMTP mail: ``smtp.sender``/``smtp.to``, falling back
    to your first ``me`` address."""
    me = settings.me[0] if settings.me else None
    sender = settings.smtp.sender or me or settings.smtp.username
    to = list(settings.smtp.to) or ([me] if me else [])
    if not sender:
        raise ConfigError("smtp.sender is not set (nor me, nor smtp.username)")
    if not to:
        raise ConfigError("smtp.to: no recipient; set smtp.to or me")
    return sender, to


def imap_addresses(settings: Settings) -> tuple[str, list[str]]:
    """(From, To) of the copy appended to your own mailbox: you, to yourself."""
    me = settings.me[0] if settings.me else None
    owner = me or settings.imap.username or "inbox-audit@localhost"
    return settings.smtp.sender or owner, [owner]


# --- SMTP ------------------------------------------------------------------------------

def send_smtp(settings: Settings, message: EmailMessage) -> str:
    """Send ``message`` through ``[smtp]``; returns a one-line note (recipients, and any
    that were refused). Raises ConfigError or DeliveryError."""
    smtp = settings.smtp
    if not smtp.host:
        raise ConfigError("smtp.host is not set (report.deliver has \"smtp\")")
    mode = "starttls" if smtp.starttls else "tls" if smtp.tls else "plain"
    port = smtp.port or {"tls": 465, "starttls": 587, "plain": 25}[mode]
    where = f"{smtp.host}:{port}"
    password = secrets.smtp_password(settings)
    if mode == "plain" and password is not None and not is_loopback(smtp.host):
        raise DeliveryError(f"refusing to log in to {where} without encryption: set "
                            "smtp.tls = true (port 465) or smtp.starttls = true (587)")
    context = verified_context(settings.smtp.ca_file, "smtp.ca_file") if mode != "plain" else None
    hidden = (password,) if password else ()
    try:
        if mode == "tls":
            client: smtplib.SMTP = smtplib.SMTP_SSL(smtp.host, port, timeout=smtp.timeout,
                                                    context=context)
        else:
            client = smtplib.SMTP(smtp.host, port, timeout=smtp.timeout)
        with client:
            client.ehlo()
            if mode == "starttls":
                if not client.has_extn("starttls"):
                    raise DeliveryError(f"{where} does not offer STARTTLS; set smtp.tls = "
                                        "true (port 465) instead")
                client.starttls(context=context)
                client.ehlo()
            if password is not None:
                client.login(smtp.username or "", password)
            refused = client.send_message(message)
    except smtplib.SMTPAuthenticationError as exc:
        raise DeliveryError(f"smtp: login to {smtp.host} as {smtp.username} refused: "
                            f"{_smtp_reason(exc, hidden)}") from None
    except smtplib.SMTPNotSupportedError:
        raise DeliveryError(f"smtp: {where} offers no login (AUTH) on this connection; "
                            "use smtp.tls or smtp.starttls, or leave smtp.username "
                            "unset for a relay without login") from None
    except smtplib.SMTPRecipientsRefused as exc:
        refused_all = "; ".join(f"{addr}: {_smtp_reason(err, hidden)}"
                                for addr, err in exc.recipients.items())
        raise DeliveryError(f"smtp: {where} refused every recipient ({refused_all})") from None
    except smtplib.SMTPSenderRefused as exc:
        raise DeliveryError(f"smtp: {where} refused the sender {exc.sender}: "
                            f"{_smtp_reason(exc, hidden)}") from None
    except smtplib.SMTPResponseException as exc:
        raise DeliveryError(f"smtp: {where} said {_smtp_reason(exc, hidden)}") from None
    except ssl.SSLCertVerificationError as exc:
        detail = exc.verify_message or exc.reason or "verification failed"
        raise DeliveryError(f"the TLS certificate of {where} is not trusted ({detail}); "
                            "if the server uses a private CA, point smtp.ca_file at its "
                            "certificate") from None
    except ssl.SSLError as exc:
        raise DeliveryError(f"TLS with {where} failed ({exc.reason or exc}); is this the "
                            "TLS port?") from None
    except socket.gaierror:
        raise DeliveryError(f"unknown SMTP host {smtp.host!r} (name not found)") from None
    except ConnectionRefusedError:
        raise DeliveryError(f"connection to {where} refused: is the host and port right "
                            "and the server up?") from None
    except TimeoutError:
        raise DeliveryError(f"timed out talking to {where} after {smtp.timeout:g} s") from None
    except (smtplib.SMTPException, OSError) as exc:
        raise DeliveryError(f"smtp: delivery through {where} failed: "
                            f"{reason(exc, hidden)}") from None
    to = message["To"]
    if refused:
        return f"to {to}; refused: {', '.join(sorted(refused))}"
    return f"to {to}"


def _smtp_reason(exc: object, hidden: Sequence[str]) -> str:
    """``535 5.7.8 Authentication failed`` from an SMTP error or a (code, text) pair."""
    if isinstance(exc, tuple) and len(exc) == 2:
        code, text = exc
    else:
        code = getattr(exc, "smtp_code", "")
        text = getattr(exc, "smtp_error", b"")
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    line = " ".join(f"{code} {text}".split())
    for secret in hidden:
        line = line.replace(secret, "***")
    return line[:300]


# --- IMAP APPEND -----------------------------------------------------------------------

def append_imap(settings: Settings, message: EmailMessage, *, now: datetime) -> str:
    """Append ``message`` to ``report.imap_folder`` of the ``[imap]`` account (created
    when missing); returns a one-line note. The audited folders are never written."""
    folder = settings.report.imap_folder
    audited = {f.casefold() for f in settings.imap.folders}
    if not folder.strip():
        raise ConfigError("report.imap_folder is empty")
    if folder.casefold() in audited:
        raise ConfigError(f"report.imap_folder: {folder!r} is one of imap.folders; the "
                          "report must go to a folder that is not audited")
    imap = settings.imap
    host, port, mode = endpoint(imap)
    context = tls_context(imap) if mode != "plain" else None
    token = secrets.oauth2_token(settings)
    password = None if token else secrets.imap_password(settings)
    conn = Connector(imap, host, port, mode, context, password, token)
    client = conn.open(first=True)
    try:
        if not client.folder_exists(folder):
            client.create_folder(folder)
        client.append(folder, message.as_bytes(), flags=(), msg_time=now)
    except (IMAPClientError, imaplib.IMAP4.error) as exc:
        conn.drop(client)
        raise DeliveryError(f"imap: cannot append the report to {folder!r} on {host}: "
                            f"{reason(exc, conn.secrets)}") from None
    except CONNECTION_LOST as exc:
        conn.drop(client)
        raise DeliveryError(f"imap: connection to {host} lost while appending the report: "
                            f"{reason(exc, conn.secrets)}") from None
    conn.close(client)
    return f"to folder {folder!r} of {imap.username}@{host}"
