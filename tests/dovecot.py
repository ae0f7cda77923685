"""A real Dovecot for the IMAP tests and the fetch benchmark.

``Dovecot.start()`` runs ``dovecot -F -c <conf>`` in the foreground on 127.0.0.1 with
everything (config, passwd-file, maildirs, base_dir, certificates) in one temporary
folder, and two listeners: plain IMAP (STARTTLS offered) and implicit TLS on a
certificate signed by a CA made at start time. ``new_account()`` hands out a user
nobody has used yet, so every test gets an empty mailbox from one server. ``stop()``
ends the server and removes the folder.

Missing ``dovecot`` is an error, never a skip: CI installs the Debian package
``dovecot-imapd`` and a test run without it must say so.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import pwd
import shutil
import signal
import socket
import ssl
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterable, Sequence
from pathlib import Path

from imapclient import IMAPClient

from inbox_audit.config import ImapSettings, Settings

DOVECOT = shutil.which("dovecot") or next(
    (p for p in ("/usr/sbin/dovecot", "/usr/local/sbin/dovecot") if os.access(p, os.X_OK)),
    None)
PASSWORD = "s3cret-Pa55!"
ACCOUNTS = 500
# EC keys: made in milliseconds, where RSA takes most of the fixture's start time.
_EC_KEY = ("-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1")

_CONF = """\
base_dir = {root}/run
state_dir = {root}/state
instance_name = inbox-audit-test-{port}
listen = 127.0.0.1
protocols = imap
log_path = {root}/dovecot.log
info_log_path = {root}/dovecot.log
default_internal_user = {internal_user}
default_internal_group = {internal_group}
default_login_user = {login_user}
first_valid_uid = {uid}
first_valid_gid = {gid}
disable_plaintext_auth = no
auth_mechanisms = plain login
# Wrong-password tests must not slow down the logins of the tests after them.
auth_failure_delay = 0
ssl = yes
ssl_cert = <{root}/server.pem
ssl_key = <{root}/server.key
ssl_dh = <{root}/dh.pem
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {root}/passwd
}}
userdb {{
  driver = static
  args = uid={uid} gid={gid} home={root}/mail/%u
}}
mail_location = maildir:~/Maildir
namespace inbox {{
  inbox = yes
  separator = /
  mailbox Sent {{
    special_use = \\Sent
    auto = subscribe
  }}
  mailbox Trash {{
    special_use = \\Trash
    auto = subscribe
  }}
}}
service imap-login {{
  chroot = {chroot}
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    address = 127.0.0.1
    port = {tls_port}
    ssl = yes
  }}
}}
service pop3-login {{
  chroot = {chroot}
}}
service submission-login {{
  chroot = {chroot}
}}
service imap {{
  process_limit = 64
}}
service anvil {{
  unix_listener anvil-auth-penalty {{
    mode = 0
  }}
}}
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class DovecotMissing(RuntimeError):
    pass


class Dovecot:
    """One running Dovecot; see the module docstring."""

    def __init__(self) -> None:
        if DOVECOT is None:
            raise DovecotMissing(
                "dovecot is not installed: the IMAP tests need a real server. "
                "Install it with `apt-get install dovecot-imapd` (CI does).")
        self.host = "127.0.0.1"
        self.root = Path(tempfile.mkdtemp(prefix="inbox-audit-dovecot-"))
        self.port = free_port()
        self.tls_port = free_port()
        self.ca_file = self.root / "ca.pem"
        self._proc: subprocess.Popen[bytes] | None = None
        self._users = itertools.count(1)

    # --- life cycle ------------------------------------------------------------------
    def start(self) -> Dovecot:
        # Dovecot never gives mail access to UID 0, so under root the mailboxes belong
        # to "nobody"; as an ordinary user everything runs as that user.
        if os.geteuid() == 0:
            mail = pwd.getpwnam("nobody")
            internal, login, chroot = "dovecot", "dovenull", "login"
        else:
            mail = pwd.getpwuid(os.geteuid())
            internal = login = mail.pw_name
            chroot = ""
        self.root.chmod(0o755)
        for sub in ("run", "state", "mail"):
            (self.root / sub).mkdir()
        if os.geteuid() == 0:
            os.chown(self.root / "mail", mail.pw_uid, mail.pw_gid)
        # Dovecot re-reads a changed passwd-file at most once a second, so every account
        # the run may need is written before the start; each mailbox appears on first use.
        (self.root / "passwd").write_text("".join(
            f"buyer{n}:{{PLAIN}}{PASSWORD}\n" for n in range(1, ACCOUNTS + 1)))
        self._make_certificates()
        group = internal if os.geteuid() == 0 else _group_name(mail.pw_gid)
        conf = _CONF.format(root=self.root, port=self.port, tls_port=self.tls_port,
                            uid=mail.pw_uid, gid=mail.pw_gid, internal_user=internal,
                            internal_group=group, login_user=login, chroot=chroot)
        (self.root / "dovecot.conf").write_text(conf)
        with open(self.root / "stderr.log", "wb") as stderr:
            self._proc = subprocess.Popen(
                [DOVECOT, "-F", "-c", str(self.root / "dovecot.conf")],
                stdout=subprocess.DEVNULL, stderr=stderr, start_new_session=True)
        self._wait_listening()
        return self

    def stop(self) -> None:
        if self._proc is not None and self._proc.poll() is None:
            self._proc.send_signal(signal.SIGTERM)
            try:
                self._proc.wait(10)
            except subprocess.TimeoutExpired:
                os.killpg(self._proc.pid, signal.SIGKILL)
                self._proc.wait(5)
        self._proc = None
        shutil.rmtree(self.root, ignore_errors=True)

    def __enter__(self) -> Dovecot:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def log(self) -> str:
        parts = []
        for name in ("stderr.log", "dovecot.log"):
            path = self.root / name
            if path.exists():
                parts.append(path.read_text(errors="replace"))
        return "\n".join(parts)

    def _wait_listening(self) -> None:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if self._proc is not None and self._proc.poll() is not None:
                raise RuntimeError(f"dovecot exited at start:\n{self.log()}")
            try:
                with socket.create_connection((self.host, self.port), timeout=1) as sock:
                    if sock.recv(100).startswith(b"* OK"):
                        return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError(f"dovecot did not start listening:\n{self.log()}")

    def _make_certificates(self) -> None:
        """A CA and a server certificate for localhost/127.0.0.1 signed by it."""
        r = self.root

        def openssl(*args: str) -> None:
            subprocess.run(["openssl", *args], check=True, capture_output=True, cwd=r)

        openssl("req", "-x509", *_EC_KEY, "-nodes", "-days", "3",
                "-keyout", "ca.key", "-out", "ca.pem", "-subj", "/CN=inbox-audit test CA",
                "-addext", "basicConstraints=critical,CA:TRUE",
                "-addext", "keyUsage=critical,keyCertSign,cRLSign")
        openssl("req", *_EC_KEY, "-nodes", "-keyout", "server.key",
                "-out", "server.csr", "-subj", "/CN=localhost")
        (r / "server.ext").write_text(
            "subjectAltName=DNS:localhost,IP:127.0.0.1\nbasicConstraints=CA:FALSE\n"
            "keyUsage=critical,digitalSignature,keyEncipherment\n"
            "extendedKeyUsage=serverAuth\nauthorityKeyIdentifier=keyid\n"
            "subjectKeyIdentifier=hash\n")
        openssl("x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key",
                "-CAcreateserial", "-days", "3", "-out", "server.pem",
                "-extfile", "server.ext")
        openssl("genpkey", "-genparam", "-algorithm", "DH", "-pkeyopt",
                "dh_param:ffdhe2048", "-out", "dh.pem")
        # The login processes read the key through the master (root or us): 0600 is fine.
        (r / "server.key").chmod(0o600)

    # --- accounts and mail -----------------------------------------------------------
    def new_account(self) -> str:
        """A user nobody has used yet, with an empty INBOX, Sent and Trash."""
        number = next(self._users)
        if number > ACCOUNTS:
            raise RuntimeError(f"only {ACCOUNTS} test accounts; raise ACCOUNTS")
        return f"buyer{number}"

    def client(self, user: str, *, password: str = PASSWORD) -> IMAPClient:
        """A logged-in plain-text client on loopback (for loading and checking)."""
        client = IMAPClient(self.host, self.port, ssl=False, timeout=30)
        client.login(user, password)
        return client

    def append(self, user: str, folder: str, messages: Iterable[bytes],
               flags: Sequence[bytes] = ()) -> None:
        with self.client(user) as client:
            if not client.folder_exists(folder):
                client.create_folder(folder)
            for raw in messages:
                client.append(folder, raw, flags=flags)

    def settings(self, user: str, *, tls: bool = False, **imap: object) -> Settings:
        """Settings pointing at this server; plaintext port unless ``tls``."""
        values: dict[str, object] = {
            "host": self.host, "port": self.tls_port if tls else self.port, "tls": tls,
            "username": user, "password_env": "IMAP_TEST_PASSWORD",
        }
        values.update(imap)
        return Settings(imap=ImapSettings(**values))  # type: ignore[arg-type]


def _group_name(gid: int) -> str:
    import grp

    return grp.getgrgid(gid).gr_name


class CuttingProxy:
    """A loopback TCP proxy to ``target``. Connection number i is dropped once the server
    has sent ``cuts[i]`` bytes through it; connections past the list pass untouched.
    With ``stall=True`` the connection is not dropped but goes silent, held open (a
    server that hangs mid-response)."""

    def __init__(self, target: tuple[str, int], *, cuts: Sequence[int],
                 stall: bool = False) -> None:
        self.target = target
        self.cuts = list(cuts)
        self.stall = stall
        self.connections = 0
        self._open: list[socket.socket] = []
        self._sock = socket.create_server(("127.0.0.1", 0))
        self.port = self._sock.getsockname()[1]
        self._closing = False
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def close(self) -> None:
        self._closing = True
        with contextlib.suppress(OSError):
            self._sock.shutdown(socket.SHUT_RDWR)  # wakes the blocked accept() on Linux
        self._sock.close()
        for sock in self._open:  # stalled connections end here
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            sock.close()
        self._thread.join(5)

    def __enter__(self) -> CuttingProxy:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _serve(self) -> None:
        while not self._closing:
            try:
                client, _ = self._sock.accept()
            except OSError:
                return
            limit = self.cuts[self.connections] if self.connections < len(self.cuts) else None
            self.connections += 1
            upstream = socket.create_connection(self.target)
            self._open += [client, upstream]
            threading.Thread(target=self._pipe, args=(client, upstream, None),
                             daemon=True).start()
            threading.Thread(target=self._pipe, args=(upstream, client, limit),
                             daemon=True).start()

    def _pipe(self, src: socket.socket, dst: socket.socket, limit: int | None) -> None:
        sent = 0
        try:
            while True:
                data = src.recv(65536)
                if not data:
                    break
                if limit is not None and sent + len(data) >= limit:
                    dst.sendall(data[: max(limit - sent, 0)])
                    if self.stall:
                        while src.recv(65536):  # swallow the rest: the client hears nothing
                            pass
                    break
                dst.sendall(data)
                sent += len(data)
        except OSError:
            pass
        finally:
            for sock in (src, dst):
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)
                sock.close()


def tls_context(ca_file: Path) -> ssl.SSLContext:
    return ssl.create_default_context(cafile=str(ca_file))
