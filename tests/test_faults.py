"""Injected faults: kill -9, two runs at once, a full disk, a damaged or foreign store,
an IMAP server that stalls, a certificate that is expired or for another host.

After each fault the store holds exactly what was committed (whole batches, nothing
half-written, no duplicates), opens and reads, and a re-run completes the job. Each
fault's outcome is listed in docs/reliability.md, which names the test proving it; the
last test here checks those names still exist.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import socket
import sqlite3
import ssl
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import REPO
from dovecot import PASSWORD, CuttingProxy, Dovecot
from mailfactory import mail, mbox, write

from inbox_audit.errors import SourceError
from inbox_audit.sources import imap
from inbox_audit.sources.imap import fetch
from inbox_audit.store import Store

BATCH = 500  # import's batch size: what a killed import keeps is a multiple of it


# --- helpers ---------------------------------------------------------------------------

def mails(prefix: str, count: int, *, filler: int = 2) -> list[bytes]:
    body = "Hallo,\n\nPrijs en voorwaarden in bijlage.\n" + "Regel tekst.\n" * 40 * filler
    return [mail(subject=f"Offerte {prefix} {i}", message_id=f"<{prefix}-{i}@peeters.be>",
                 body=body, crlf=True) for i in range(count)]


def ids(prefix: str, count: int) -> set[str]:
    return {f"{prefix}-{i}@peeters.be" for i in range(count)}


def cli_process(*args: object) -> subprocess.Popen[str]:
    """The real command line in its own process (so it can be killed)."""
    return subprocess.Popen([sys.executable, "-m", "inbox_audit", *map(str, args)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            cwd=REPO)


def cli_run(*args: object, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "inbox_audit", *map(str, args)],
                          capture_output=True, text=True, cwd=REPO, timeout=timeout,
                          check=False)


def committed(path: Path) -> int:
    """Messages committed in the store, read like any other reader would."""
    if not path.exists():
        return 0
    try:
        with contextlib.closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True,
                                                timeout=5)) as conn:
            return conn.execute("SELECT count(*) FROM messages").fetchone()[0]
    except sqlite3.OperationalError:
        return 0  # not created yet


def kill_when(proc: subprocess.Popen[str], path: Path, at_least: int,
              delay: float = 0.0, limit: float = 120) -> None:
    """SIGKILL ``proc`` once ``path`` holds ``at_least`` messages (plus ``delay``)."""
    deadline = time.monotonic() + limit
    while committed(path) < at_least:
        assert proc.poll() is None, f"finished before the kill: {proc.communicate()}"
        assert time.monotonic() < deadline, "no progress to kill in"
        time.sleep(0.02)
    time.sleep(delay)
    proc.send_signal(signal.SIGKILL)
    proc.wait(30)
    # Returns only once no process holds its output open: parse workers it started
    # went down with it instead of lingering as orphans.
    proc.communicate(timeout=20)


def intact(path: Path) -> set[str]:
    """The store opens, passes SQLite's and our checks; its message keys."""
    with Store.open(path) as store:
        assert store.check() == []
        keys = [m.key for m in store.iter_messages()]
        # Every message and every quarantined mail has its raw row, and nothing more.
        raw_rows = store._conn.execute("SELECT count(*) FROM raw").fetchone()[0]
        assert raw_rows == len(keys) + store.quarantine_count()
    assert len(keys) == len(set(keys))
    return set(keys)


def one_line(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 1, (result.stdout, result.stderr)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in result.stderr, result.stderr
    return lines[0]


# --- kill -9 ----------------------------------------------------------------------------

@pytest.mark.slow
def test_kill_9_during_import_then_rerun_stores_exactly_the_source(tmp_path):
    # Enough mail that the last kill (0.6 s after 1,500 are stored) lands mid-import:
    # an import stores these small mails at several thousand a second.
    total = 12_000
    source = write(tmp_path / "leveranciers.mbox", mbox(mails("kill", total)))
    store = tmp_path / "store.db"
    kept = []
    # Killed three times at different moments (just after a commit, mid-batch), then
    # left to finish: every kill leaves whole batches only.
    for attempt, delay in enumerate((0.0, 0.3, 0.6)):
        proc = cli_process("import", source, "--store", store, "-q")
        kill_when(proc, store, at_least=BATCH * (attempt + 1), delay=delay)
        keys = intact(store)
        assert len(keys) % BATCH == 0 and keys <= ids("kill", total)
        kept.append(len(keys))
    assert kept == sorted(kept) and kept[-1] < total
    done = cli_run("import", source, "--store", store, "-q")
    assert done.returncode == 0, done.stderr
    assert f"imported {total - kept[-1]}, duplicates {kept[-1]}, quarantined 0" in done.stdout
    assert intact(store) == ids("kill", total)


@pytest.fixture
def user(dovecot: Dovecot, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("IMAP_TEST_PASSWORD", PASSWORD)
    return dovecot.new_account()


def imap_config(tmp_path: Path, dovecot: Dovecot, user: str, store: Path, **extra: object
                ) -> Path:
    lines = [f'store = "{store}"', "[imap]", f'host = "{dovecot.host}"',
             f"port = {extra.pop('port', dovecot.port)}", "tls = false",
             f'username = "{user}"', 'password_env = "IMAP_TEST_PASSWORD"',
             "include_sent = false"]
    lines += [f"{key} = {value}" for key, value in extra.items()]
    path = tmp_path / "inbox-audit.toml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.mark.slow
def test_kill_9_during_fetch_then_rerun_fetches_the_rest_once(dovecot, user, tmp_path):
    # Enough mail that the kill, shortly after the first commits, lands mid-fetch.
    total = 3000
    dovecot.append(user, "INBOX", mails("imap", total))
    store = tmp_path / "store.db"
    config = imap_config(tmp_path, dovecot, user, store, batch_size=50)
    proc = cli_process("fetch", "--config", config, "-q")
    kill_when(proc, store, at_least=100, delay=0.05)
    keys = intact(store)
    assert 100 <= len(keys) < total and len(keys) % 50 == 0
    with Store.open(store) as opened:  # the committed UID matches what is stored
        [(uidvalidity, last_uid)] = opened._conn.execute(
            "SELECT uidvalidity, last_uid FROM imap_state").fetchall()
    assert last_uid == len(keys)

    done = cli_run("fetch", "--config", config, "-q")
    assert done.returncode == 0, done.stderr
    assert f"fetched {total - len(keys)} new messages" in done.stdout
    assert "0 duplicates" in done.stdout
    assert intact(store) == ids("imap", total)


# --- two runs at once --------------------------------------------------------------------

_HOLDER = textwrap.dedent("""
    import sys
    from inbox_audit.store import Store
    with Store.open(sys.argv[1]) as store, store.exclusive():
        print("holding", flush=True)
        sys.stdin.read()
""")


@pytest.mark.slow
def test_second_run_waits_a_bounded_time_then_stops_with_one_line(tmp_path):
    store = tmp_path / "store.db"
    box = write(tmp_path / "a.mbox", mbox(mails("first", 20)))
    assert cli_run("import", box, "--store", store, "-q").returncode == 0
    holder = subprocess.Popen([sys.executable, "-c", _HOLDER, str(store)],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "holding"
        start = time.monotonic()
        second = cli_run("import", write(tmp_path / "b.mbox", mbox(mails("second", 5))),
                         "--store", store, "-q")
        waited = time.monotonic() - start
    finally:
        holder.communicate("", timeout=30)
    message = one_line(second)
    assert f"the store {store} is in use by another inbox-audit run" in message
    assert "waited 10 s" in message
    assert 9.5 <= waited < 40
    assert intact(store) == ids("first", 20)


@pytest.mark.slow
def test_two_imports_at_once_both_finish_one_after_the_other(tmp_path):
    store = tmp_path / "store.db"
    boxes = [write(tmp_path / f"{name}.mbox", mbox(mails(name, 300)))
             for name in ("left", "right")]
    procs = [cli_process("import", box, "--store", store, "-q") for box in boxes]
    outputs = [proc.communicate(timeout=120) for proc in procs]
    assert [proc.returncode for proc in procs] == [0, 0], outputs
    assert intact(store) == ids("left", 300) | ids("right", 300)


# --- a full disk ---------------------------------------------------------------------------

@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A 2 MB tmpfs (we are root in CI; mounting needs it)."""
    if os.geteuid() != 0:
        pytest.skip("mounting a small tmpfs needs root (CI runs as root)")
    mount = tmp_path / "small"
    mount.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", str(mount)],
                          capture_output=True, text=True, check=False)
    if done.returncode != 0:
        pytest.fail(f"cannot mount a tmpfs as root: {done.stderr.strip()}", pytrace=False)
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def incompressible(prefix: str, count: int) -> list[bytes]:
    # Random text: compression cannot shrink the raw mail, so the disk fills quickly.
    return [mail(subject=f"{prefix} {i}", message_id=f"<{prefix}-{i}@peeters.be>",
                 body=os.urandom(6000).hex() + "\n") for i in range(count)]


@pytest.mark.slow
def test_disk_full_is_one_line_and_the_store_stays_readable(tmp_path, small_disk):
    store = small_disk / "store.db"
    first = write(tmp_path / "first.mbox", mbox(incompressible("ok", 20)))
    assert cli_run("import", first, "--store", store, "-q").returncode == 0
    flood = write(tmp_path / "flood.mbox", mbox(incompressible("flood", 400)))

    result = cli_run("import", flood, "--store", store, "-q")

    message = one_line(result)
    assert f"the disk holding the store {store} is full" in message
    assert "free some space" in message
    keys = intact(store)  # readable, consistent, whole batches only
    assert ids("ok", 20) <= keys
    assert len(keys - ids("ok", 20)) % BATCH == 0
    # With room again, the same import completes.
    subprocess.run(["mount", "-o", "remount,size=64m", str(small_disk)], check=True)
    assert cli_run("import", flood, "--store", store, "-q").returncode == 0
    assert intact(store) == ids("ok", 20) | ids("flood", 400)


# --- a damaged or foreign store --------------------------------------------------------------

@pytest.fixture
def filled_store(tmp_path: Path) -> Path:
    store = tmp_path / "store.db"
    box = write(tmp_path / "box.mbox", mbox(mails("good", 60)))
    assert cli_run("import", box, "--store", store, "-q").returncode == 0
    with Store.open(store) as opened:
        opened._flush_log()  # everything in the main file, as after a normal exit
    return store


def _page_of(path: Path, table: str) -> tuple[int, int]:
    with contextlib.closing(sqlite3.connect(path)) as conn:
        size = conn.execute("PRAGMA page_size").fetchone()[0]
        root = conn.execute("SELECT rootpage FROM sqlite_master WHERE name = ?",
                            (table,)).fetchone()[0]
    return size, root


@pytest.mark.parametrize("damage", ["messages page", "header", "truncated"])
def test_damaged_store_is_a_one_line_error_naming_the_file(filled_store, tmp_path, damage):
    data = bytearray(filled_store.read_bytes())
    if damage == "messages page":
        size, root = _page_of(filled_store, "messages")
        data[(root - 1) * size:root * size] = b"\xa5" * size
    elif damage == "header":
        data[:100] = b"\x00" * 100
    else:
        data = data[:len(data) // 3]
    filled_store.write_bytes(bytes(data))

    result = cli_run("report", "--store", filled_store, "--all", "-q",
                     "--json", tmp_path / "m.json")

    message = one_line(result)
    assert str(filled_store) in message
    assert "move it aside" in message or "not an inbox-audit store" in message


def test_foreign_database_is_refused_and_left_alone(tmp_path):
    foreign = tmp_path / "places.sqlite"
    with contextlib.closing(sqlite3.connect(foreign)) as conn:
        conn.execute("CREATE TABLE moz_places (id INTEGER PRIMARY KEY, url TEXT)")
        conn.execute("INSERT INTO moz_places (url) VALUES ('https://example.org')")
        conn.commit()
    before = foreign.read_bytes()
    box = write(tmp_path / "box.mbox", mbox(mails("x", 3)))

    message = one_line(cli_run("import", box, "--store", foreign, "-q"))

    assert message.startswith(f"Error: {foreign} is a database of another program")
    assert "--store" in message
    assert foreign.read_bytes() == before  # not a single byte written


def test_a_text_file_as_store_is_refused(tmp_path):
    notes = tmp_path / "notes.db"
    notes.write_text("my notes\n" * 500)
    message = one_line(cli_run("report", "--store", notes, "--all", "-q"))
    assert str(notes) in message and "not an inbox-audit store" in message
    assert notes.read_text() == "my notes\n" * 500


# --- IMAP: a server that stalls, certificates that must be refused --------------------------

@pytest.mark.slow
def test_server_stalling_mid_response_times_out_retries_and_resumes(
        dovecot, user, tmp_path, monkeypatch):
    monkeypatch.setattr(imap, "RETRY_DELAYS", (0.0, 0.0, 0.0))
    dovecot.append(user, "INBOX", mails("stall", 40, filler=4))
    proxy = CuttingProxy((dovecot.host, dovecot.port), cuts=[60_000], stall=True)
    try:
        settings = dovecot.settings(user, port=proxy.port, batch_size=5, include_sent=False,
                                    timeout=1.0)
        with Store.open(tmp_path / "store.db") as store:
            start = time.monotonic()
            summary = fetch(settings, store)
            elapsed = time.monotonic() - start
            keys = {m.key for m in store.iter_messages()}
    finally:
        proxy.close()
    assert proxy.connections == 2  # stalled once, resumed on a new connection
    assert summary.new == 40 and summary.duplicates == 0
    assert keys == ids("stall", 40)
    assert 1.0 <= elapsed < 30


def _openssl(cwd: Path, *args: str) -> None:
    subprocess.run(["openssl", *args], check=True, capture_output=True, cwd=cwd)


def _certificates(root: Path) -> dict[str, Path]:
    """A CA, a certificate for 127.0.0.1 that expired, and a valid one for another host."""
    ec = ("-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes")
    _openssl(root, "req", "-x509", *ec, "-days", "3", "-keyout", "ca.key", "-out", "ca.pem",
             "-subj", "/CN=inbox-audit fault CA",
             "-addext", "basicConstraints=critical,CA:TRUE",
             "-addext", "keyUsage=critical,keyCertSign,cRLSign")
    for name, days, san in (("expired", "-1", "IP:127.0.0.1,DNS:localhost"),
                            ("elsewhere", "3", "DNS:imap.elders.example")):
        _openssl(root, "req", *ec, "-keyout", f"{name}.key", "-out", f"{name}.csr",
                 "-subj", f"/CN={name}")
        (root / f"{name}.ext").write_text(f"subjectAltName={san}\n")
        _openssl(root, "x509", "-req", "-in", f"{name}.csr", "-CA", "ca.pem", "-CAkey",
                 "ca.key", "-CAcreateserial", "-days", days, "-out", f"{name}.pem",
                 "-extfile", f"{name}.ext")
    return {"ca": root / "ca.pem", "expired": root / "expired", "elsewhere": root / "elsewhere"}


@contextlib.contextmanager
def tls_server(cert: Path) -> Iterator[int]:
    """An IMAP greeting behind TLS with ``cert``; yields its port."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(f"{cert}.pem", f"{cert}.key")
    sock = socket.create_server(("127.0.0.1", 0))

    def serve() -> None:
        while True:
            try:
                conn, _ = sock.accept()
            except OSError:
                return
            with contextlib.suppress(OSError, ssl.SSLError), \
                    context.wrap_socket(conn, server_side=True) as tls:
                tls.sendall(b"* OK IMAP4rev1 ready\r\n")
                tls.recv(100)

    threading.Thread(target=serve, daemon=True).start()
    try:
        yield sock.getsockname()[1]
    finally:
        sock.close()


@pytest.mark.parametrize(("cert", "expected"), [("expired", "is not valid now"),
                                                ("elsewhere", "is for another host")])
def test_expired_or_wrong_host_certificate_is_refused_with_one_line(
        tmp_path, monkeypatch, cert, expected):
    if shutil.which("openssl") is None:
        pytest.fail("openssl is needed to make test certificates", pytrace=False)
    monkeypatch.setenv("IMAP_TEST_PASSWORD", PASSWORD)
    certs = _certificates(tmp_path)
    with tls_server(certs[cert]) as port:
        config = tmp_path / "inbox-audit.toml"
        config.write_text(
            f'store = "{tmp_path / "store.db"}"\n[imap]\nhost = "127.0.0.1"\nport = {port}\n'
            f'tls = true\nca_file = "{certs["ca"]}"\nusername = "buyer"\n'
            'password_env = "IMAP_TEST_PASSWORD"\ntimeout = 5\n', encoding="utf-8")
        message = one_line(cli_run("fetch", "--config", config, "-q"))
    assert f"the TLS certificate of 127.0.0.1:{port} {expected}" in message
    assert "refusing to connect" in message and PASSWORD not in message


def test_tls_is_verified_by_default():
    from inbox_audit.config import ImapSettings, Settings
    from inbox_audit.sources.imap_connect import endpoint, tls_context

    settings = Settings(imap=ImapSettings(host="imap.example.be", username="me"))
    assert endpoint(settings.imap) == ("imap.example.be", 993, "tls")
    context = tls_context(settings.imap)
    assert context.verify_mode == ssl.CERT_REQUIRED and context.check_hostname
    plain = Settings(imap=ImapSettings(host="imap.example.be", username="me", tls=False))
    with pytest.raises(SourceError, match="without encryption"):
        endpoint(plain.imap)


# --- the doc -------------------------------------------------------------------------------

def test_every_test_named_in_the_reliability_doc_exists():
    doc = (REPO / "docs" / "reliability.md").read_text(encoding="utf-8")
    named = set(re.findall(r"`(test_[a-z0-9_]+)`", doc))
    assert len(named) >= 10
    defined = set()
    for path in (REPO / "tests").glob("test_*.py"):
        defined |= set(re.findall(r"^def (test_[a-z0-9_]+)", path.read_text(encoding="utf-8"),
                                  re.M))
    assert named - defined == set()
