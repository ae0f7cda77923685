"""Store: a real SQLite file that keeps every message exactly, and never two writers."""

from __future__ import annotations

import json
import random
import sqlite3
import subprocess
import sys
import textwrap
import threading
import time
import zlib
from datetime import UTC, datetime

import pytest
from mailfactory import mail, multipart, part, tiny_pdf

from inbox_audit.errors import StoreError
from inbox_audit.models import Classification
from inbox_audit.parse import parse_message
from inbox_audit.store import SCHEMA_VERSION, Store
from inbox_audit.store_rows import RowDecoder, unpack_raw


@pytest.fixture
def store(tmp_path):
    with Store.open(tmp_path / "data" / "store.sqlite") as opened:
        yield opened


def _rich_message():
    raw = multipart(
        [part("text/plain; charset=utf-8", "Prijs in bijlage — café"),
         part("application/pdf", tiny_pdf("Totaal EUR 1.250,00"), filename="offerte.pdf",
              base64_encode=True)],
        headers=[("Cc", "=?utf-8?q?Jos_P=C3=A9?= <jos@x.be>, b@y.be"),
                 ("References", "<a@b>\n <c@d>"), ("In-Reply-To", "<c@d>"),
                 ("Auto-Submitted", "no"), ("Date", "Mon, 3 Nov 2025 9:05:07")])
    return parse_message(raw, folder="Leveranciers/Peeters"), raw


def test_message_round_trips_exactly(store):
    msg, raw = _rich_message()
    assert msg.defects and msg.attachments and msg.cc and msg.references
    assert store.add_message(msg, raw, "demo.mbox#1")
    assert store.get_message(msg.key) == msg
    assert list(store.iter_messages()) == [msg]
    assert store.raw(msg.key) == raw
    assert store.message_count() == 1


def test_messages_survive_reopening(tmp_path):
    msg, raw = _rich_message()
    with Store.open(tmp_path / "s.sqlite") as store:
        store.add_message(msg, raw, "x")
    with Store.open(tmp_path / "s.sqlite") as store:
        assert store.get_message(msg.key) == msg


def test_iter_messages_in_date_order_undated_last(store):
    dates = ["Wed, 05 Nov 2025 10:00:00 +0100", None, "Mon, 03 Nov 2025 23:00:00 +0100",
             "Mon, 03 Nov 2025 20:00:00 -0500"]
    for n, date in enumerate(dates):
        raw = mail(date=date, message_id=f"<d{n}@x.be>")
        store.add_message(parse_message(raw), raw, "t")
    assert [m.key for m in store.iter_messages()] == ["d2@x.be", "d3@x.be", "d0@x.be",
                                                      "d1@x.be"]


def test_many_distinct_senders_decode_right_past_the_memo_size(store, monkeypatch):
    # The reader remembers decoded address lists; when its memo starts over, every
    # message still gets its own sender, recipients and (empty) lists.
    monkeypatch.setattr(RowDecoder, "MEMO_SIZE", 3)
    stored = []
    for n in range(12):
        raw = mail(sender=f"Verkoper {n} <v{n}@lev{n % 5}.be>", to=f"k{n % 2}@koper.be",
                   message_id=f"<m{n}@x.be>", date=f"Mon, 03 Nov 2025 10:{n:02d}:00 +0100")
        msg = parse_message(raw)
        store.add_message(msg, raw, "t")
        stored.append(msg)
    assert list(store.iter_messages()) == stored
    assert [m.sender.addr for m in store.iter_messages(light=True)] == [
        f"v{n}@lev{n % 5}.be" for n in range(12)]


def test_duplicate_by_key_and_by_raw_bytes(store):
    raw = mail()
    msg = parse_message(raw)
    assert store.add_message(msg, raw, "a")
    assert not store.add_message(msg, raw, "a again")
    # Same Message-ID, other bytes (e.g. the copy in Sent): same message.
    other = mail(subject="Re-sent copy")
    assert not store.add_message(parse_message(other), other, "b")
    assert store.has_raw_sha256(msg.raw_sha256)
    assert store.message_count() == 1


def test_raw_mail_packed_by_older_versions_still_reads(tmp_path):
    # Stores written before the switch to zstd hold zlib-packed raw mail.
    msg, raw = _rich_message()
    path = tmp_path / "store.sqlite"
    with Store.open(path) as store:
        store.add_message(msg, raw, "demo.mbox#1")
        store.add_quarantine("demo.mbox#2", "empty message", b" \n")
    conn = sqlite3.connect(path)
    with conn:
        for sha, data in conn.execute("SELECT sha256, data FROM raw").fetchall():
            old = zlib.compress(unpack_raw(data), 1)
            conn.execute("UPDATE raw SET data = ? WHERE sha256 = ?", (old, sha))
    conn.close()
    with Store.open(path) as store:
        assert store.raw(msg.key) == raw
        [item] = store.quarantined()
        assert store.quarantined_raw(item.raw_sha256) == b" \n"


def test_quarantine_keeps_reason_and_bytes_once(store):
    assert store.add_quarantine("demo.mbox#3", "empty message", b" \n")
    assert not store.add_quarantine("demo.mbox#9", "empty message", b" \n")
    [item] = store.quarantined()
    assert (item.origin, item.reason) == ("demo.mbox#3", "empty message")
    assert store.quarantine_count() == 1
    assert store.has_raw_sha256(item.raw_sha256)
    assert store.quarantined_raw(item.raw_sha256) == b" \n"


def test_new_store_gets_the_schema_from_an_empty_file(tmp_path):
    path = tmp_path / "empty.sqlite"
    path.write_bytes(b"")
    with Store.open(path) as store:
        assert store.get_meta("schema_version") == str(SCHEMA_VERSION)
        assert store.message_count() == 0


def test_refuses_a_store_from_a_newer_version(tmp_path):
    path = tmp_path / "s.sqlite"
    Store.open(path).close()
    with sqlite3.connect(path) as conn:
        conn.execute("UPDATE meta SET value = '999' WHERE key = 'schema_version'")
    with pytest.raises(StoreError, match="newer inbox-audit"):
        Store.open(path)


def test_refuses_a_file_that_is_not_sqlite(tmp_path):
    path = tmp_path / "notes.sqlite"
    path.write_text("these are my notes, not a database\n" * 100)
    with pytest.raises(StoreError, match="not an inbox-audit store") as caught:
        Store.open(path)
    assert "\n" not in str(caught.value)
    assert path.read_text().startswith("these are my notes")


def test_wal_mode_is_on(tmp_path):
    Store.open(tmp_path / "s.sqlite").close()
    with sqlite3.connect(tmp_path / "s.sqlite") as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_second_writer_from_another_process_is_refused(tmp_path):
    path = tmp_path / "s.sqlite"
    Store.open(path).close()
    holder = textwrap.dedent(f"""
        import sys
        from inbox_audit.store import Store
        with Store.open({str(path)!r}) as store, store.writing():
            print("locked", flush=True)
            sys.stdin.read()
    """)
    proc = subprocess.Popen([sys.executable, "-c", holder], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout.readline().strip() == "locked"
        with Store.open(path, lock_timeout=0.2) as store:
            with pytest.raises(StoreError, match="in use by another inbox-audit run"):
                store.set_meta("x", "1")
            assert store.message_count() == 0  # reading still works meanwhile
    finally:
        proc.communicate("", timeout=30)
    with Store.open(path, lock_timeout=0.2) as store:
        store.set_meta("x", "1")
        assert store.get_meta("x") == "1"


def test_failed_write_rolls_back(store):
    raw = mail()
    with pytest.raises(RuntimeError), store.writing():
        store.add_message(parse_message(raw), raw, "a")
        raise RuntimeError("interrupted")
    assert store.message_count() == 0
    assert not store.has_raw_sha256(parse_message(raw).raw_sha256)


def test_classifications_round_trip_with_version(store):
    msgs = []
    for n in range(2):
        raw = mail(message_id=f"<c{n}@x.be>")
        msgs.append(parse_message(raw))
        store.add_message(msgs[-1], raw, "t")
    items = [Classification("c0@x.be", "quote", 0.9, "rule", "offerte + bedrag"),
             Classification("c1@x.be", "silence", 1.0, "header")]
    store.save_classifications(items, "rules-1")
    assert store.classifications() == {c.key: c for c in items}
    store.save_classifications([Classification("c1@x.be", "other", 1.0, "correction")], "v2")
    assert store.classifications()["c1@x.be"].label == "other"
    assert store.classification_versions() == {"c0@x.be": "rules-1", "c1@x.be": "v2"}
    assert store.stamped_classifications() == (store.classifications(),
                                               store.classification_versions())


def test_meta_and_imap_state(store):
    assert store.get_meta("last_report") is None
    store.set_meta("last_report", "2025-W45")
    assert store.get_meta("last_report") == "2025-W45"
    assert store.imap_state("me@imap.x", "INBOX") is None
    store.set_imap_state("me@imap.x", "INBOX", 1700, 42)
    store.set_imap_state("me@imap.x", "INBOX", 1700, 57)
    assert store.imap_state("me@imap.x", "INBOX") == (1700, 57)


def test_dates_stored_as_utc(store):
    raw = mail(date="Mon, 03 Nov 2025 23:30:00 -0500")
    store.add_message(parse_message(raw), raw, "t")
    [msg] = store.iter_messages()
    assert msg.date == datetime(2025, 11, 4, 4, 30, tzinfo=UTC)
    assert msg.date.utcoffset().total_seconds() == 0


# --- issue 8: foreign files, errors, privacy ------------------------------------------------

def test_new_store_is_marked_as_ours_and_an_old_one_is_migrated(tmp_path):
    from inbox_audit.store import APPLICATION_ID, MIGRATIONS

    Store.open(tmp_path / "new.db").close()
    with sqlite3.connect(tmp_path / "new.db") as conn:
        assert conn.execute("PRAGMA application_id").fetchone()[0] == APPLICATION_ID
    # A version-1 store, as the first release wrote it (no application id yet).
    old = tmp_path / "old.db"
    with sqlite3.connect(old) as conn:
        for statement in MIGRATIONS[0][1].split(";\n"):
            conn.execute(statement)
        conn.execute("INSERT INTO meta VALUES ('schema_version', '1')")
    with Store.open(old) as store:
        assert store.get_meta("schema_version") == str(SCHEMA_VERSION)
        raw = mail()
        assert store.add_quarantine("x", "no headers", raw)
    with sqlite3.connect(old) as conn:
        assert conn.execute("PRAGMA application_id").fetchone()[0] == APPLICATION_ID


def test_another_programs_database_is_refused_untouched(tmp_path):
    path = tmp_path / "app.sqlite"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE notes (text TEXT)")
    before = path.read_bytes()
    with pytest.raises(StoreError, match="database of another program") as caught:
        Store.open(path)
    assert str(path) in str(caught.value) and "\n" not in str(caught.value)
    assert path.read_bytes() == before


def test_sqlite_failures_become_one_line_errors_that_say_what_to_do(tmp_path):
    from inbox_audit.store import store_error

    path = tmp_path / "s.db"
    full = store_error(path, sqlite3.OperationalError("database or disk is full"))
    assert "is full" in str(full) and "free some space" in str(full)
    bad = store_error(path, sqlite3.DatabaseError("database disk image is malformed"))
    assert "move it aside" in str(bad) and str(path) in str(bad)
    readonly = store_error(path, sqlite3.OperationalError("attempt to write a readonly "
                                                          "database"))
    assert "permissions" in str(readonly)


def test_forgotten_mail_is_gone_and_stays_out(store):
    raw = mail(message_id="<gone@x.be>")
    msg = parse_message(raw)
    store.add_message(msg, raw, "a")
    store.save_classifications([Classification("gone@x.be", "quote", 0.9, "rule")], "v")
    store.add_quarantine("b", "junk", b"X-Junk: 1\n\n", datetime(2018, 1, 1, tzinfo=UTC))
    [junk] = store.quarantined()
    assert store.quarantine_dates() == {junk.raw_sha256: datetime(2018, 1, 1, tzinfo=UTC)}

    store.forget(["gone@x.be"], [junk.raw_sha256])

    assert store.message_count() == 0 and store.quarantine_count() == 0
    assert store.classifications() == {}
    assert store.has_raw_sha256(msg.raw_sha256)  # remembered: a re-import skips it
    assert not store.add_message(msg, raw, "again")
    assert not store.add_quarantine("b", "junk", b"X-Junk: 1\n\n")
    assert store.check() == []


def test_drop_raw_blanks_kept_mail_once(tmp_path):
    raw = mail()
    with Store.open(tmp_path / "s.db") as store:
        store.add_message(parse_message(raw), raw, "a")
        assert store.drop_raw() == 1 and store.drop_raw() == 0
        with pytest.raises(KeyError):
            store.raw("m1@garage-peeters.be")
        assert store.get_message("m1@garage-peeters.be").text == "Hallo,\n\nPrijs.\n"
    with Store.open(tmp_path / "other.db", keep_raw=False) as store:
        store.add_message(parse_message(raw), raw, "a")
        assert store.drop_raw() == 0
        assert not store.add_message(parse_message(raw), raw, "again")


def test_a_long_run_checkpoints_its_log_in_the_background(tmp_path):
    # During an import or fetch (``exclusive``) committed pages reach the database file
    # without the writer stopping for it; afterwards no checkpoint thread is left.
    path = tmp_path / "store.sqlite"
    with Store.open(path) as store, store.exclusive():
        with store.writing():
            for i in range(40):
                raw = mail(subject=f"offerte {i}", body=random.Random(i).randbytes(20_000).hex(),
                           message_id=f"<bulk{i}@x.be>")
                store.add_message(parse_message(raw), raw, f"bulk#{i}")
        size_after_commit = path.stat().st_size
        deadline = time.monotonic() + 30
        # A checkpoint copies pages as it goes: wait for the megabytes, not the first page.
        while (path.stat().st_size <= size_after_commit + 1_000_000
               and time.monotonic() < deadline):
            time.sleep(0.05)
        assert path.stat().st_size > size_after_commit + 1_000_000
    assert not [t for t in threading.enumerate() if t.name == "inbox-audit checkpoint"]
    with Store.open(path) as store:
        assert store.message_count() == 40 and store.check() == []


@pytest.mark.parametrize("value", [
    [["Jan Peeters", "jan@garage-peeters.be"]], [["é 😀 \u2028 \x00 \x1f \" \\ /", "x"]],
    [["offerte.pdf", "application/pdf", 52_311]], ["<a@b>", "<c@d>"], [["k", "v\n\tw"]],
    ["\udce9 bytes that did not decode"], [2**70],
])
def test_list_columns_are_the_json_text_of_the_stdlib(value):
    # orjson writes them; what it refuses (a lone surrogate, a huge integer) the stdlib
    # does: either way the stored text is the same, and stores written before still match.
    from inbox_audit.store_rows import _dumps

    assert _dumps(value) == json.dumps(value, ensure_ascii=False, separators=(",", ":"))
