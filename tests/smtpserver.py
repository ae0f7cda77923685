"""A real SMTP server for the delivery tests: aiosmtpd in a thread on 127.0.0.1.

``SmtpServer(mode=...)`` listens in plain text (with AUTH allowed on loopback), with
STARTTLS required, or with implicit TLS, on a certificate signed by a CA made at start
time; it accepts the login ``buyer`` / ``PASSWORD`` and keeps every mail it receives.
"""

from __future__ import annotations

import email
import email.policy
import socket
import ssl
import subprocess
from email.message import EmailMessage
from pathlib import Path

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

USER = "buyer"
PASSWORD = "smtp-Pa55!"
_EC_KEY = ("-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def make_certificates(folder: Path) -> tuple[Path, Path, Path]:
    """(CA certificate, server certificate, server key) for 127.0.0.1/localhost."""

    def openssl(*args: str) -> None:
        subprocess.run(["openssl", *args], check=True, capture_output=True, cwd=folder)

    openssl("req", "-x509", *_EC_KEY, "-nodes", "-days", "2", "-keyout", "ca.key",
            "-out", "ca.pem", "-subj", "/CN=inbox-audit smtp test CA",
            "-addext", "basicConstraints=critical,CA:TRUE",
            "-addext", "keyUsage=critical,keyCertSign,cRLSign")
    openssl("req", *_EC_KEY, "-nodes", "-keyout", "server.key", "-out", "server.csr",
            "-subj", "/CN=localhost")
    (folder / "server.ext").write_text(
        "subjectAltName=DNS:localhost,IP:127.0.0.1\nbasicConstraints=CA:FALSE\n"
        "extendedKeyUsage=serverAuth\n")
    openssl("x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key",
            "-CAcreateserial", "-days", "2", "-out", "server.pem", "-extfile", "server.ext")
    return folder / "ca.pem", folder / "server.pem", folder / "server.key"


class _Handler:
    def __init__(self) -> None:
        self.received: list[tuple[str, list[str], bytes]] = []

    async def handle_DATA(self, server, session, envelope) -> str:  # noqa: N802 - aiosmtpd
        self.received.append((envelope.mail_from, list(envelope.rcpt_tos), envelope.content))
        return "250 Message accepted for delivery"


def _authenticator(server, session, envelope, mechanism, auth_data) -> AuthResult:
    ok = (isinstance(auth_data, LoginPassword) and auth_data.login == USER.encode()
          and auth_data.password == PASSWORD.encode())
    return AuthResult(success=ok, handled=False)


class SmtpServer:
    """One running aiosmtpd; ``mode`` is ``plain``, ``starttls`` or ``tls``."""

    def __init__(self, folder: Path, mode: str = "plain") -> None:
        self.mode = mode
        self.host = "127.0.0.1"
        self.port = free_port()
        self.handler = _Handler()
        self.ca_file: Path | None = None
        kwargs: dict[str, object] = {"authenticator": _authenticator, "auth_required": True}
        if mode == "plain":
            kwargs["auth_require_tls"] = False  # loopback only: the tests' plain login
        else:
            self.ca_file, cert, key = make_certificates(folder)
            context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            context.load_cert_chain(str(cert), str(key))
            if mode == "starttls":
                kwargs.update(tls_context=context, require_starttls=True)
            else:
                # aiosmtpd only counts STARTTLS as TLS for its AUTH rule; implicit TLS is
                # encrypted from the first byte all the same.
                kwargs.update(ssl_context=context, auth_require_tls=False)
        self.controller = Controller(self.handler, hostname=self.host, port=self.port,
                                     **kwargs)

    def start(self) -> SmtpServer:
        self.controller.start()
        return self

    def stop(self) -> None:
        self.controller.stop()

    @property
    def messages(self) -> list[EmailMessage]:
        return [email.message_from_bytes(raw, policy=email.policy.default)
                for _, _, raw in self.handler.received]

    @property
    def envelopes(self) -> list[tuple[str, list[str]]]:
        return [(sender, rcpt) for sender, rcpt, _ in self.handler.received]
