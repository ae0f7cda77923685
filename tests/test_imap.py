"""``fetch`` against a real Dovecot: incremental, read-only, resumable, clear errors.

One Dovecot serves the whole module; every test gets its own fresh account (an empty
mailbox), so tests never see each other's mail.
"""

from __future__ import annotations

import logging
import socket
import sys
from collections.abc import Iterator
from datetime import UTC, date, datetime

import pytest
from dovecot import PASSWORD, CuttingProxy, Dovecot, free_port
from mailfactory import mail

from inbox_audit import parsepool
from inbox_audit.config import ImapSettings, Settings
from inbox_audit.errors import ConfigError, SourceError
from inbox_audit.sources import imap
from inbox_audit.sources.imap import fetch
from inbox_audit.store import Store


@pytest.fixture
def user(dovecot: Dovecot, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("IMAP_TEST_PASSWORD", PASSWORD)
    return dovecot.new_account()


@pytest.fixture
def store(tmp_path) -> Iterator[Store]:
    with Store.open(tmp_path / "store.db") as opened:
        yield opened


@pytest.fixture
def no_retry_wait(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(imap, "RETRY_DELAYS", (0.0, 0.0, 0.0))


def mails(prefix: str, count: int, *, body_kb: int = 0) -> list[bytes]:
    """Distinct valid mails with Message-IDs ``<prefix-N@garage-peeters.be>``."""
    filler = ("Prijs en voorwaarden in bijlage. " * 32 + "\n") * body_kb
    return [mail(subject=f"{prefix} {i}", message_id=f"<{prefix}-{i}@garage-peeters.be>",
                 body=f"Hallo,\n\nbericht {i}\n{filler}", crlf=True) for i in range(count)]


def ids(prefix: str, count: int) -> set[str]:
    return {f"{prefix}-{i}@garage-peeters.be" for i in range(count)}


def keys(store: Store) -> set[str]:
    return {m.key for m in store.iter_messages()}


def counts(summary: imap.FetchSummary) -> dict[str, tuple[int, int, int]]:
    return {f.folder: (f.new, f.duplicates, f.quarantined) for f in summary.folders}


# --- 1, 2: incremental ----------------------------------------------------------------

def test_first_sync_stores_exactly_inbox_and_sent_and_a_second_fetch_gets_nothing(
        dovecot, user, store):
    inbox, sent = mails("in", 7), mails("out", 3)
    no_id = mail(subject="zonder id", message_id=None, crlf=True)
    dovecot.append(user, "INBOX", [*inbox, no_id])
    dovecot.append(user, "Sent", sent)
    dovecot.append(user, "Trash", mails("trash", 2))
    settings = dovecot.settings(user, batch_size=3)

    seen: list[tuple[int, int | None]] = []
    summary = fetch(settings, store, progress=lambda done, total: seen.append((done, total)))

    assert counts(summary) == {"INBOX": (8, 0, 0), "Sent": (3, 0, 0)}
    stored = keys(store)
    assert ids("in", 7) | ids("out", 3) <= stored and len(stored) == 11
    assert {m.folder for m in store.iter_messages() if m.key.startswith("out-")} == {"Sent"}
    # The bytes are kept exactly as the server holds them.
    assert store.raw("in-0@garage-peeters.be") == inbox[0]
    assert seen[-1] == (11, 11)
    assert "fetched 11 new messages" in summary.line() and "\n" not in summary.line()

    again = fetch(settings, store)
    assert counts(again) == {"INBOX": (0, 0, 0), "Sent": (0, 0, 0)}
    assert store.message_count() == 11


def test_mail_appended_between_runs_is_fetched_and_nothing_else(dovecot, user, store):
    dovecot.append(user, "INBOX", mails("first", 4))
    settings = dovecot.settings(user)
    fetch(settings, store)
    dovecot.append(user, "INBOX", mails("second", 2))
    dovecot.append(user, "Sent", mails("reply", 1))

    summary = fetch(settings, store)

    assert counts(summary) == {"INBOX": (2, 0, 0), "Sent": (1, 0, 0)}
    assert keys(store) == ids("first", 4) | ids("second", 2) | ids("reply", 1)


def test_debug_logging_never_holds_mail_content(dovecot, user, store, caplog):
    # imapclient switches imaplib's own debug output on; it would put every fetched
    # mail (and the time to format it) into debug log records. We turn it off.
    caplog.set_level(logging.DEBUG)
    dovecot.append(user, "INBOX", [mail(subject="logged?", message_id="<log-1@x.be>",
                                        body="Vertrouwelijke prijs 48.250 EUR\n", crlf=True)])
    fetch(dovecot.settings(user), store)
    assert keys(store) == {"log-1@x.be"}
    assert caplog.records  # imapclient's own debug records still come
    assert "Vertrouwelijke" not in caplog.text and "48.250" not in caplog.text
    assert PASSWORD not in caplog.text


def test_an_empty_folder_is_fine_and_the_last_uid_is_not_fetched_again(dovecot, user, store):
    settings = dovecot.settings(user)
    assert fetch(settings, store).new == 0
    dovecot.append(user, "INBOX", mails("one", 1))
    assert fetch(settings, store).new == 1
    # "UID 2:*" still matches UID 1 on the server; it must not come back as a duplicate.
    assert counts(fetch(settings, store))["INBOX"] == (0, 0, 0)


def test_a_big_sync_parses_in_worker_processes_with_the_same_result(
        dovecot, user, store, tmp_path, monkeypatch, capfd):
    junk = b"X-Nothing: here\r\n\r\nno headers that make a mail\r\n"
    dovecot.append(user, "INBOX", [*mails("pool", 30, body_kb=1), junk])
    settings = dovecot.settings(user, batch_size=4, include_sent=False)
    with Store.open(tmp_path / "serial.db") as serial:
        fetch(settings, serial)
        expected = list(serial.iter_messages())
    monkeypatch.setattr(parsepool, "POOL_MIN_MESSAGES", 0)

    summary = fetch(settings, store)

    assert counts(summary) == {"INBOX": (30, 0, 1)}
    assert list(store.iter_messages()) == expected
    # The workers really parsed it (a broken pool falls back quietly but they complain).
    assert "Traceback" not in capfd.readouterr().err


def test_batches_are_also_cut_by_size(dovecot, user, store, monkeypatch):
    dovecot.append(user, "INBOX", mails("big", 6, body_kb=4))
    monkeypatch.setattr(imap, "MAX_BATCH_BYTES", 10_000)  # two 4-kB mails per batch
    seen: list[int] = []
    fetch(dovecot.settings(user, include_sent=False), store,
          progress=lambda done, total: seen.append(done))
    assert seen == [0, 2, 4, 6]
    assert keys(store) == ids("big", 6)


# --- 3: UIDVALIDITY ---------------------------------------------------------------------

def test_recreated_folder_is_read_again_without_duplicates_or_loss(dovecot, user, store):
    dovecot.append(user, "Leveranciers", mails("lev", 5))
    settings = dovecot.settings(user, folders=["Leveranciers"], include_sent=False)
    fetch(settings, store)
    with dovecot.client(user) as client:
        client.delete_folder("Leveranciers")
        client.create_folder("Leveranciers")
    dovecot.append(user, "Leveranciers", mails("lev", 5)[2:] + mails("nieuw", 2))

    summary = fetch(settings, store)

    assert counts(summary) == {"Leveranciers": (2, 3, 0)}
    assert summary.folders[0].resynced and "re-read" in summary.line()
    assert keys(store) == ids("lev", 5) | ids("nieuw", 2)
    assert counts(fetch(settings, store)) == {"Leveranciers": (0, 0, 0)}


# --- 4: dropped connections, Ctrl-C --------------------------------------------------

def test_connection_cut_mid_fetch_is_retried_and_resumes(dovecot, user, store, no_retry_wait):
    dovecot.append(user, "INBOX", mails("cut", 40, body_kb=4))
    with CuttingProxy((dovecot.host, dovecot.port), cuts=[60_000]) as proxy:
        settings = dovecot.settings(user, port=proxy.port, batch_size=5, include_sent=False)
        summary = fetch(settings, store)
    assert proxy.connections == 2
    assert counts(summary) == {"INBOX": (40, 0, 0)}
    assert keys(store) == ids("cut", 40)


def test_connection_that_keeps_dropping_fails_cleanly_and_the_next_run_resumes(
        dovecot, user, store, no_retry_wait):
    dovecot.append(user, "INBOX", mails("drop", 40, body_kb=4))
    # The first connection gets some batches through; the reconnects die at the login
    # or before the server's greeting (as when it restarts).
    cuts = [60_000, 1_000] + [0] * (len(imap.RETRY_DELAYS) - 1)
    with CuttingProxy((dovecot.host, dovecot.port), cuts=cuts) as proxy:
        settings = dovecot.settings(user, port=proxy.port, batch_size=5, include_sent=False)
        with pytest.raises(SourceError) as failure:
            fetch(settings, store)
        message = str(failure.value)
        assert "lost the connection" in message and "run fetch again" in message
        assert "\n" not in message and PASSWORD not in message
        kept = store.message_count()
        assert 0 < kept < 40 and kept % 5 == 0  # whole batches only
        assert proxy.connections == len(cuts)
        summary = fetch(settings, store)
    # The re-run starts after the last committed UID: nothing is fetched twice.
    assert counts(summary) == {"INBOX": (40 - kept, 0, 0)}
    assert keys(store) == ids("drop", 40)


def test_interrupt_keeps_committed_batches_and_the_next_run_takes_the_rest(
        dovecot, user, store):
    dovecot.append(user, "INBOX", mails("int", 9))
    settings = dovecot.settings(user, batch_size=4, include_sent=False)

    def interrupt(done: int, total: int | None) -> None:
        if done >= 4:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        fetch(settings, store, progress=interrupt)
    assert store.message_count() == 4
    assert counts(fetch(settings, store)) == {"INBOX": (5, 0, 0)}
    assert keys(store) == ids("int", 9)


# --- 5: read-only --------------------------------------------------------------------

def _flags(dovecot: Dovecot, user: str, folder: str) -> dict[int, set[bytes]]:
    with dovecot.client(user) as client:
        client.select_folder(folder, readonly=True)
        # \Recent belongs to the session, not the message.
        return {uid: set(data[b"FLAGS"]) - {b"\\Recent"}
                for uid, data in client.fetch(client.search(["ALL"]), ["FLAGS"]).items()}


def test_no_flag_changes_on_the_server(dovecot, user, store):
    dovecot.append(user, "INBOX", mails("unseen", 3))
    dovecot.append(user, "INBOX", mails("seen", 2), flags=[b"\\Seen"])
    dovecot.append(user, "INBOX", mails("flagged", 2), flags=[b"\\Flagged", b"\\Answered"])
    dovecot.append(user, "INBOX", mails("keyword", 1), flags=[b"$Offerte"])
    dovecot.append(user, "Sent", mails("sent", 2))
    before = {f: _flags(dovecot, user, f) for f in ("INBOX", "Sent")}
    assert sum(1 for fl in before["INBOX"].values() if not fl) == 3

    summary = fetch(dovecot.settings(user), store)

    assert summary.new == 10
    assert {f: _flags(dovecot, user, f) for f in ("INBOX", "Sent")} == before


# --- quarantine, fetch_since, folders ---------------------------------------------------

def test_unparseable_mail_is_quarantined_once_and_the_rest_stored(dovecot, user, store):
    junk = b"X-Nothing: here\r\n\r\nno headers that make a mail\r\n"
    dovecot.append(user, "INBOX", [*mails("ok", 2), junk])
    settings = dovecot.settings(user, include_sent=False)

    assert counts(fetch(settings, store)) == {"INBOX": (2, 0, 1)}
    assert store.quarantine_count() == 1
    assert store.quarantined()[0].origin == "imap:INBOX/3"
    assert counts(fetch(settings, store)) == {"INBOX": (0, 0, 0)}


def test_fetch_since_limits_the_first_run_by_arrival_date(dovecot, user, store):
    with dovecot.client(user) as client:
        for i, raw in enumerate(mails("old", 2)):
            client.append("INBOX", raw, msg_time=datetime(2024, 3, 1 + i, 9, tzinfo=UTC))
        for i, raw in enumerate(mails("recent", 2)):
            client.append("INBOX", raw, msg_time=datetime(2025, 11, 3 + i, 9, tzinfo=UTC))
    settings = dovecot.settings(user, fetch_since=date(2025, 1, 1), include_sent=False)

    fetch(settings, store)
    assert keys(store) == ids("recent", 2)
    dovecot.append(user, "INBOX", mails("later", 1))
    fetch(settings, store)
    assert keys(store) == ids("recent", 2) | ids("later", 1)


def test_configured_folders_are_read_and_sent_can_be_left_out(dovecot, user, store):
    dovecot.append(user, "Leveranciers/Garages", mails("garage", 2))
    dovecot.append(user, "Sent", mails("sent", 1))
    settings = dovecot.settings(user, folders=["inbox", "Leveranciers/Garages"],
                                include_sent=False)
    summary = fetch(settings, store)
    assert counts(summary) == {"INBOX": (0, 0, 0), "Leveranciers/Garages": (2, 0, 0)}


# --- 6: one-line errors --------------------------------------------------------------

def _one_line_error(settings: Settings, store: Store, *, secret: str = PASSWORD) -> str:
    with pytest.raises((SourceError, ConfigError)) as failure:
        fetch(settings, store)
    message = str(failure.value)
    assert "\n" not in message and secret not in message
    return message


def test_wrong_password_is_one_line_without_the_password(dovecot, user, store, monkeypatch):
    monkeypatch.setenv("IMAP_TEST_PASSWORD", "wrong-Passw0rd-42")
    message = _one_line_error(dovecot.settings(user), store, secret="wrong-Passw0rd-42")
    assert message.startswith(f"login to {dovecot.host} as {user} refused")
    assert store.message_count() == 0


def test_unknown_folder_lists_the_folders_that_exist(dovecot, user, store):
    message = _one_line_error(dovecot.settings(user, folders=["Leveranciers"]), store)
    assert "'Leveranciers' not found" in message
    assert "INBOX, Sent, Trash" in message


def test_plaintext_to_a_remote_host_is_refused_before_connecting(store, monkeypatch):
    monkeypatch.setenv("IMAP_TEST_PASSWORD", PASSWORD)
    settings = Settings(imap=ImapSettings(host="imap.example.com", tls=False,
                                          username="me", password_env="IMAP_TEST_PASSWORD"))
    message = _one_line_error(settings, store)
    assert "without encryption" in message and "imap.example.com:143" in message


def test_refused_connection_unknown_host_and_silent_server(dovecot, user, store):
    refused = _one_line_error(dovecot.settings(user, port=free_port()), store)
    assert "refused" in refused
    unknown = _one_line_error(dovecot.settings(user, host="no-such-host.invalid", tls=True,
                                               port=993), store)
    assert "unknown IMAP host 'no-such-host.invalid'" in unknown
    with socket.create_server(("127.0.0.1", 0)) as silent:  # accepts, never greets
        message = _one_line_error(
            dovecot.settings(user, port=silent.getsockname()[1], timeout=0.5), store)
    assert "timed out" in message


def test_missing_settings_are_named(store):
    message = _one_line_error(Settings(imap=ImapSettings(username="me")), store)
    assert message == "imap.host is not set"


# --- 7: TLS ---------------------------------------------------------------------------

def test_tls_with_a_private_ca_needs_ca_file(dovecot, user, store):
    dovecot.append(user, "INBOX", mails("tls", 2))
    untrusted = _one_line_error(dovecot.settings(user, tls=True), store)
    assert "not trusted" in untrusted and "imap.ca_file" in untrusted

    summary = fetch(dovecot.settings(user, tls=True, ca_file=dovecot.ca_file), store)
    assert summary.new == 2


def test_starttls_verifies_the_certificate_too(dovecot, user, store):
    dovecot.append(user, "INBOX", mails("starttls", 1))
    assert "not trusted" in _one_line_error(
        dovecot.settings(user, starttls=True, tls=False), store)
    summary = fetch(dovecot.settings(user, starttls=True, tls=False, ca_file=dovecot.ca_file),
                    store)
    assert summary.new == 1


def test_tls_against_a_plain_port_says_so(dovecot, user, store):
    message = _one_line_error(
        dovecot.settings(user, tls=True, port=dovecot.port, ca_file=dovecot.ca_file), store)
    assert "TLS handshake" in message


# --- secrets ------------------------------------------------------------------------------

def test_password_from_a_command(dovecot, user, store, monkeypatch):
    monkeypatch.delenv("IMAP_TEST_PASSWORD")
    dovecot.append(user, "INBOX", mails("cmd", 1))
    command = f"{sys.executable} -c 'print(\"{PASSWORD}\")'"
    settings = dovecot.settings(user, password_env=None, password_command=command)
    assert fetch(settings, store).new == 1


def test_failing_password_command_hides_its_stderr(dovecot, user, store):
    command = (f"{sys.executable} -c 'import sys; sys.stderr.write(\"{PASSWORD}\"); "
               "sys.exit(3)'")
    settings = dovecot.settings(user, password_env=None, password_command=command)
    message = _one_line_error(settings, store)
    assert "exit status 3" in message


def test_unset_password_env_is_named(dovecot, user, store, monkeypatch):
    monkeypatch.delenv("IMAP_TEST_PASSWORD")
    message = _one_line_error(dovecot.settings(user), store)
    assert "IMAP_TEST_PASSWORD is not set" in message


def test_password_command_is_split_like_a_shell_but_not_run_by_one(monkeypatch):
    from inbox_audit.secrets import imap_password

    script = "import sys; print(' '.join(sys.argv[1:])); print('second line')"
    command = f"{sys.executable} -c \"{script}\" 'two words' $HOME"
    settings = Settings(imap=ImapSettings(username="me", password_command=command))
    # Quotes group, nothing expands, only the first line counts.
    assert imap_password(settings) == "two words $HOME"


def test_password_sources_are_checked(monkeypatch):
    from inbox_audit.secrets import imap_password

    def error(**imap_values: object) -> str:
        settings = Settings(imap=ImapSettings(username="me", **imap_values))
        with pytest.raises((ConfigError, SourceError)) as failure:
            imap_password(settings)
        return str(failure.value)

    assert "no password source" in error()
    assert "only one password source" in error(password_env="X", password_command="pass x")
    assert "command not found: no-such-pass-tool" in error(
        password_command="no-such-pass-tool show mail")
    assert "printed nothing" in error(password_command=f"{sys.executable} -c pass")
    monkeypatch.setitem(sys.modules, "keyring", None)  # as if it were not installed
    assert "pip install keyring" in error(keyring=True)


def test_oauth2_token_is_used_instead_of_the_password_and_never_shown(dovecot, user, store):
    token = "ya29.secret-access-token"
    settings = dovecot.settings(user, password_env=None,
                                oauth2_token_command=f"{sys.executable} -c 'print(\"{token}\")'")
    # This Dovecot offers no XOAUTH2: the login fails, and says so without the token.
    message = _one_line_error(settings, store, secret=token)
    assert message.startswith(f"login to {dovecot.host}")


@pytest.mark.slow
def test_the_demo_mailbox_over_imap_stores_what_a_file_import_stores(
        dovecot, user, store, demo_mbox, demo_config, tmp_path):
    import email
    import email.utils

    from inbox_audit.config import load_settings
    from inbox_audit.ingest import import_paths
    from inbox_audit.sources.files import iter_raw_mail

    buyer = load_settings(demo_config, explicit=True)
    with dovecot.client(user) as client:
        for item in iter_raw_mail([demo_mbox]):
            sender = email.utils.parseaddr(email.message_from_bytes(item.raw)["From"] or "")[1]
            folder = "Sent" if buyer.is_me(sender) else "INBOX"
            client.append(folder, item.raw, msg_time=item.internaldate)

    summary = fetch(dovecot.settings(user), store)

    with Store.open(tmp_path / "imported.db") as imported:
        import_paths(imported, [demo_mbox])
        expected = {m.key for m in imported.iter_messages()}
    assert summary.new == len(expected) and keys(store) == expected
    sent = {m.key for m in store.iter_messages() if m.folder == "Sent"}
    assert sent and all(buyer.is_me(store.get_message(k).sender.addr) for k in sent)


# --- the command line ------------------------------------------------------------------

def _config(tmp_path, dovecot: Dovecot, user: str) -> str:
    path = tmp_path / "inbox-audit.toml"
    path.write_text(
        f'me = ["{user}@vdbroeck-bouw.be"]\n'
        f'store = "{tmp_path / "cli.db"}"\n'
        "[imap]\n"
        f'host = "{dovecot.host}"\nport = {dovecot.port}\ntls = false\n'
        f'username = "{user}"\npassword_env = "IMAP_TEST_PASSWORD"\n', encoding="utf-8")
    return str(path)


def test_fetch_command_then_report(cli, dovecot, user, tmp_path):
    dovecot.append(user, "INBOX", mails("cli", 4))
    config = _config(tmp_path, dovecot, user)
    first = cli("fetch", "--config", config, "-q")
    assert first.exit_code == 0, first.output
    assert "fetched 4 new messages" in first.output
    again = cli("fetch", "--config", config, "-q")
    assert again.exit_code == 0 and "fetched 0 new messages" in again.output
    report = cli("report", "--config", config, "--all", "--json", tmp_path / "m.json", "-q")
    assert report.exit_code == 0, report.output


def test_fetch_command_wrong_password_is_one_line(cli, dovecot, user, tmp_path,
                                                  monkeypatch):
    monkeypatch.setenv("IMAP_TEST_PASSWORD", "canary-Wr0ng-pass")
    result = cli("fetch", "--config", _config(tmp_path, dovecot, user), "-q")
    assert result.exit_code == 1
    assert len(result.output.strip().splitlines()) == 1
    assert "canary-Wr0ng-pass" not in result.output
    assert "Traceback" not in result.output
