"""``forget`` removes stored mail for good, and ``keep_raw = false`` keeps no raw mail.

"For good": the rows are gone, their bytes are no longer anywhere in the store file or
its log, and importing the same mailbox again does not bring them back.
"""

from __future__ import annotations

import contextlib
import sqlite3
from pathlib import Path

import pytest
from mailfactory import mail, mbox, raw_mail, write

from inbox_audit.store import Store

ME = "koen@vdbroeck-bouw.be"


def _mailbox() -> list[bytes]:
    peeters = [
        mail(subject="Offerte bestelwagen", message_id="<p1@garage-peeters.be>",
             sender="Jan <jan@garage-peeters.be>", to=ME,
             date="Tue, 04 Nov 2025 10:00:00 +0100",
             body="Offerte: EUR 31.500. Geheim-PEETERS-7731 (ons kenmerk).\n"),
        mail(subject="Re: Offerte bestelwagen", message_id="<p2@garage-peeters.be>",
             sender="Jan <jan@sales.garage-peeters.be>", to=ME,
             date="Mon, 14 Jan 2019 10:00:00 +0100", body="Oude offerte Geheim-PEETERS-7731\n"),
    ]
    # One request to two suppliers: it holds both addresses.
    joint = mail(subject="Aanvraag offerte", message_id="<r1@vdbroeck-bouw.be>",
                 sender=f"Koen <{ME}>", to="jan@garage-peeters.be, info@dakwerken-janssens.be",
                 date="Mon, 03 Nov 2025 08:00:00 +0100", body="Graag een offerte.\n")
    janssens = [
        mail(subject="Offerte dak", message_id=f"<j{i}@dakwerken-janssens.be>",
             sender="Els <els@dakwerken-janssens.be>", to=ME,
             date=f"Wed, 0{5 + i} Nov 2025 10:00:00 +0100", body="Offerte dak: EUR 9.800\n")
        for i in range(2)]
    old = mail(subject="Nieuwjaar", message_id="<old@dakwerken-janssens.be>",
               sender="els@dakwerken-janssens.be", to=ME, date="Tue, 02 Jan 2018 09:00:00 +0100")
    undated = mail(subject="Zonder datum", message_id="<nodate@dakwerken-janssens.be>",
                   sender="els@dakwerken-janssens.be", to=ME, date=None)
    junk_old = raw_mail([("X-Junk", "1"),
                         ("Received", "from a by b; Mon, 01 Jan 2018 10:00:00 +0100")], "?")
    junk_undated = raw_mail([("X-Junk", "2")], "??")
    return [*peeters, joint, *janssens, old, undated, junk_old, junk_undated]


@pytest.fixture
def setup(tmp_path: Path, cli):
    # An mbox "From " line carries a time; a loose .eml does not: the undated mail
    # comes as a file of its own so that it stays undated.
    undated = [m for m in _mailbox() if b"<nodate@" in m]
    box = write(tmp_path / "mail" / "leveranciers.mbox",
                mbox([m for m in _mailbox() if m not in undated]))
    loose = write(tmp_path / "mail" / "undated.eml", undated[0])
    store = tmp_path / "store.db"
    config = tmp_path / "inbox-audit.toml"
    config.write_text(f'me = ["{ME}"]\nstore = "{store}"\n'
                      '[suppliers]\nnames = {"garage-peeters.be" = "Garage Peeters"}\n',
                      encoding="utf-8")
    assert cli("import", box, loose, "--config", config, "-q").exit_code == 0
    report = cli("report", "--config", config, "--all", "-q", "--json", tmp_path / "m.json")
    assert report.exit_code == 0, report.output
    return config, store, [box, loose]


def keys(store: Path) -> set[str]:
    with Store.open(store) as opened:
        return {m.key for m in opened.iter_messages()}


def store_bytes(store: Path) -> bytes:
    return b"".join(p.read_bytes() for p in store.parent.glob(store.name + "*")
                    if p.suffix != ".lock")


def counts(store: Path) -> dict[str, int]:
    with contextlib.closing(sqlite3.connect(store)) as conn:
        return {t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
                for t in ("messages", "raw", "quarantine", "classifications", "forgotten")}


def test_forget_a_supplier_removes_its_mail_everywhere_for_good(setup, cli):
    config, store, sources = setup
    assert b"Geheim-PEETERS-7731" in store_bytes(store)
    before = counts(store)

    result = cli("forget", "--supplier", "Garage Peeters", "--config", config)

    assert result.exit_code == 0, result.output
    assert result.output.startswith("forgot 3 messages and 0 quarantined mails of supplier "
                                    "garage-peeters.be")
    assert keys(store) == {"j0@dakwerken-janssens.be", "j1@dakwerken-janssens.be",
                           "old@dakwerken-janssens.be", "nodate@dakwerken-janssens.be"}
    after = counts(store)
    assert after["messages"] == before["messages"] - 3
    assert after["raw"] == before["raw"] - 3 and after["forgotten"] == 3
    assert after["classifications"] == after["messages"]  # labels went with them
    # Not in the file, not in the log, not in freed pages.
    assert b"Geheim-PEETERS-7731" not in store_bytes(store)
    with Store.open(store) as opened:
        assert opened.check() == []

    again = cli("import", *sources, "--config", config, "-q")
    assert "imported 0," in again.output
    assert "garage-peeters" not in " ".join(keys(store))
    assert cli("report", "--config", config, "--all", "-q").exit_code == 0


def test_forget_before_a_day_takes_quarantined_mail_too_and_keeps_undated(setup, cli):
    config, store, _ = setup
    dry = cli("forget", "--before", "2020-01-01", "--dry-run", "--config", config)
    assert dry.output.startswith("would forget 2 messages and 1 quarantined mails; "
                                 "1 messages without a date were kept")
    assert counts(store)["messages"] == 7

    result = cli("forget", "--before", "2020-01-01", "--config", config)

    assert result.exit_code == 0
    assert result.output.startswith("forgot 2 messages and 1 quarantined mails")
    assert not {"p2@garage-peeters.be", "old@dakwerken-janssens.be"} & keys(store)
    assert "nodate@dakwerken-janssens.be" in keys(store)
    with Store.open(store) as opened:
        [left] = opened.quarantined()
        assert left.origin.endswith("#8")  # the junk without any date stays
    assert counts(store)["quarantine"] == 1


def test_forget_both_options_together_and_how_a_supplier_is_named(setup, cli):
    config, store, _ = setup
    both = cli("forget", "--supplier", "jan@garage-peeters.be", "--before", "2020-01-01",
               "--config", config)
    assert both.output.startswith("forgot 1 messages and 0 quarantined mails of supplier "
                                  "garage-peeters.be")
    assert "p1@garage-peeters.be" in keys(store)

    usage = cli("forget", "--config", config)
    assert usage.exit_code == 2 and "--supplier, --before or both" in usage.output
    freemail = cli("forget", "--supplier", "gmail.com", "--config", config)
    assert freemail.exit_code == 1 and "free-mail provider" in freemail.output
    me = cli("forget", "--supplier", ME, "--config", config)
    assert me.exit_code == 1 and "not a supplier" in me.output
    nobody = cli("forget", "--supplier", "unknown-supplier.be", "--config", config)
    assert nobody.output.startswith("forgot 0 messages")


def test_keep_raw_false_keeps_no_raw_mail_and_everything_still_works(tmp_path, cli):
    box = write(tmp_path / "box.mbox", mbox(_mailbox()))
    store = tmp_path / "store.db"
    config = tmp_path / "inbox-audit.toml"
    config.write_text(f'me = ["{ME}"]\nstore = "{store}"\nkeep_raw = false\n',
                      encoding="utf-8")

    first = cli("import", box, "--config", config, "-q")

    assert "imported 7, duplicates 0, quarantined 2" in first.output
    with contextlib.closing(sqlite3.connect(store)) as conn:
        assert conn.execute("SELECT count(*), sum(length(data)) FROM raw").fetchone() == (9, 0)
    with Store.open(store) as opened, pytest.raises(KeyError):
        opened.raw("p1@garage-peeters.be")
    # Later stages work from the parsed fields; a re-import still knows every mail.
    report = cli("report", "--config", config, "--all", "-q", "--json", tmp_path / "m.json")
    assert report.exit_code == 0, report.output
    again = cli("import", box, "--config", config, "-q")
    assert "imported 0, duplicates 9, quarantined 0" in again.output


def test_turning_keep_raw_off_blanks_what_was_kept(tmp_path, cli):
    box = write(tmp_path / "box.mbox", mbox(_mailbox()))
    store = tmp_path / "store.db"
    config = tmp_path / "inbox-audit.toml"
    config.write_text(f'me = ["{ME}"]\nstore = "{store}"\n', encoding="utf-8")
    assert cli("import", box, "--config", config, "-q").exit_code == 0
    with contextlib.closing(sqlite3.connect(store)) as conn:
        blobs = [row[0] for row in conn.execute("SELECT data FROM raw")]
    assert all(blobs)

    config.write_text(config.read_text() + "keep_raw = false\n", encoding="utf-8")
    assert cli("report", "--config", config, "--all", "-q").exit_code == 0

    with contextlib.closing(sqlite3.connect(store)) as conn:
        assert conn.execute("SELECT sum(length(data)) FROM raw").fetchone() == (0,)
    data = store_bytes(store)
    assert not any(blob[:48] in data for blob in blobs if len(blob) >= 48)
