"""Connecting and logging in to the IMAP server, and the one-line errors for it.

TLS by default with certificate verification (plus an optional private CA), STARTTLS
on request, plain text only to this computer; connect and read timeouts always set.
Every network failure at connect or login becomes a ``SourceError`` that names what to
fix and never contains the password or token.
"""

from __future__ import annotations

import imaplib
import socket
import ssl
from collections.abc import Sequence

from imapclient import IMAPClient
from imapclient.exceptions import LoginError
from imapclient.imapclient import SocketTimeout

from inbox_audit.config import ImapSettings
from inbox_audit.errors import ConfigError, SourceError
from inbox_audit.tls import is_loopback, verified_context

# What a lost connection looks like from inside imapclient/imaplib.
CONNECTION_LOST = (OSError, imaplib.IMAP4.abort, EOFError)

def endpoint(imap: ImapSettings) -> tuple[str, int, str]:
    """(host, port, mode) with mode "tls", "starttls" or "plain"; checks before any
    network traffic that no password would cross the network in clear text."""
    if not imap.host:
        raise ConfigError("imap.host is not set")
    if not imap.username:
        raise ConfigError("imap.username is not set")
    if imap.batch_size < 1:
        raise ConfigError("imap.batch_size: must be 1 or more")
    mode = "starttls" if imap.starttls else "tls" if imap.tls else "plain"
    port = imap.port or (993 if mode == "tls" else 143)
    if mode == "plain" and not is_loopback(imap.host):
        raise SourceError(f"refusing to log in to {imap.host}:{port} without encryption: "
                          "set imap.tls = true (port 993) or imap.starttls = true")
    return imap.host, port, mode


def tls_context(imap: ImapSettings) -> ssl.SSLContext:
    return verified_context(imap.ca_file, "imap.ca_file")


class Connector:
    """Opens logged-in sessions and turns connection failures into one-line errors."""

    def __init__(self, imap: ImapSettings, host: str, port: int, mode: str,
                 context: ssl.SSLContext | None, password: str | None,
                 token: str | None) -> None:
        self.imap, self.host, self.port, self.mode = imap, host, port, mode
        self.context, self.password, self.token = context, password, token
        self.secrets = tuple(s for s in (password, token) if s)

    def open(self, *, first: bool) -> IMAPClient:
        """A logged-in client. On a reconnect, network failures are left to the retry
        loop (the server may be coming back); on the first connect they are final."""
        where = f"{self.host}:{self.port}"
        try:
            client = IMAPClient(self.host, self.port, ssl=self.mode == "tls",
                                ssl_context=self.context,
                                timeout=SocketTimeout(self.imap.timeout, self.imap.timeout))
        except socket.gaierror:
            raise SourceError(f"unknown IMAP host {self.host!r} (name not found)") from None
        except ssl.SSLCertVerificationError as exc:
            raise SourceError(_cert_message(where, exc)) from None
        except ssl.SSLError as exc:
            raise SourceError(f"TLS handshake with {where} failed ({exc.reason or exc}); "
                              "is this the TLS port?") from None
        except ConnectionRefusedError:
            if not first:
                raise
            raise SourceError(f"connection to {where} refused: is the host and port "
                              "right and the server up?") from None
        except TimeoutError:
            if not first:
                raise
            raise SourceError(f"timed out connecting to {where} after "
                              f"{self.imap.timeout:g} s") from None
        except CONNECTION_LOST as exc:
            if not first:
                raise
            raise SourceError(f"cannot connect to {where}: {reason(exc, ())}") from None
        # imapclient turns imaplib's debug output on (level 5) to route it to a logger;
        # imaplib then formats the repr of every mail it receives into a message that
        # the logger drops: a quarter of a first sync's time in the fetching process.
        client._imap.debug = 0
        try:
            if self.mode == "starttls":
                self._starttls(client, where)
            if self.token:
                client.oauth2_login(self.imap.username, self.token)
            else:
                client.login(self.imap.username, self.password)
        except LoginError as exc:
            self.drop(client)
            raise SourceError(f"login to {self.host} as {self.imap.username} refused: "
                              f"{reason(exc, self.secrets)}") from None
        except SourceError:
            self.drop(client)
            raise
        except (CONNECTION_LOST + (imaplib.IMAP4.error,)) as exc:
            self.drop(client)
            if not first and isinstance(exc, CONNECTION_LOST):
                raise
            raise SourceError(f"login to {self.host} failed: "
                              f"{reason(exc, self.secrets)}") from None
        return client

    def _starttls(self, client: IMAPClient, where: str) -> None:
        if not client.has_capability("STARTTLS"):
            raise SourceError(f"{where} does not offer STARTTLS; set imap.tls = true "
                              "(port 993) instead")
        try:
            client.starttls(self.context)
        except ssl.SSLCertVerificationError as exc:
            raise SourceError(_cert_message(where, exc)) from None
        except ssl.SSLError as exc:
            raise SourceError(f"STARTTLS with {where} failed ({exc.reason or exc})") from None

    @staticmethod
    def close(client: IMAPClient) -> None:
        try:
            client.logout()
        except (*CONNECTION_LOST, imaplib.IMAP4.error):
            Connector.drop(client)

    @staticmethod
    def drop(client: IMAPClient | None) -> None:
        if client is None:
            return
        try:
            client.shutdown()
        except (*CONNECTION_LOST, imaplib.IMAP4.error):
            pass


# OpenSSL's verify codes for the refusals a user can act on differently.
_EXPIRED, _NOT_YET_VALID = 10, 9
_WRONG_HOST = (62, 64)  # X509_V_ERR_HOSTNAME_MISMATCH, X509_V_ERR_IP_ADDRESS_MISMATCH


def _cert_message(where: str, exc: ssl.SSLCertVerificationError) -> str:
    detail = exc.verify_message or exc.reason or "verification failed"
    code = exc.verify_code
    if code in (_EXPIRED, _NOT_YET_VALID):
        return (f"the TLS certificate of {where} is not valid now ({detail}); refusing to "
                "connect: the server's certificate must be renewed (or this computer's "
                "clock is wrong)")
    if code in _WRONG_HOST:
        return (f"the TLS certificate of {where} is for another host ({detail}); refusing "
                "to connect: set imap.host to the name the certificate is for")
    return (f"the TLS certificate of {where} is not trusted ({detail}); if the server uses "
            "a private CA, point imap.ca_file at its certificate")


def reason(exc: BaseException, hidden: Sequence[str]) -> str:
    """The exception as readable single-line text, with any secret blanked out."""
    text = exc.args[0] if exc.args else ""
    if isinstance(exc, OSError) and exc.strerror:
        text = exc.strerror  # not the bare errno number
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    text = " ".join(str(text or exc.__class__.__name__).split())
    if text.startswith(("b'", 'b"')) and text[-1:] == text[1]:
        text = text[2:-1]  # imapclient wraps server bytes in str(): b'[...] Failed.'
    for secret in hidden:
        text = text.replace(secret, "***")
    return text[:300]
