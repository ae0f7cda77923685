"""iter_raw_mail: every kind of mail file a user may point the tool at."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from mailfactory import mail, maildir, mbox, write

from inbox_audit.errors import SourceError
from inbox_audit.sources import iter_raw_mail


def _mails(n: int) -> list[bytes]:
    return [mail(subject=f"Mail {i}", message_id=f"<m{i}@x.be>") for i in range(n)]


def test_single_eml_file(tmp_path):
    raw = mail()
    path = write(tmp_path / "Leveranciers" / "offerte.eml", raw)
    [got] = iter_raw_mail([path])
    assert got.raw == raw
    assert got.origin == str(path)
    assert got.folder == "Leveranciers"


def test_folder_of_eml_files_recursive_in_stable_order(tmp_path):
    write(tmp_path / "b.eml", b"B" + mail())
    write(tmp_path / "a.EML", b"A" + mail())
    write(tmp_path / "sub" / "c.eml", b"C" + mail())
    write(tmp_path / "notes.txt", b"not mail")
    got = list(iter_raw_mail([tmp_path]))
    assert [g.raw[:1] for g in got] == [b"A", b"B", b"C"]
    assert got[2].folder == "sub"


def test_mbox_splits_unescapes_and_keeps_bytes(tmp_path):
    body = "Hallo,\n\nFrom our side: prijs 100 EUR.\n>From quoted\n\nFrom the team\n"
    raws = [mail(body=body, message_id="<a@x.be>"), mail(message_id="<b@x.be>"),
            mail(body="café\n", message_id="<c@x.be>")]
    path = write(tmp_path / "Leveranciers.mbox", mbox(raws))
    got = list(iter_raw_mail([path]))
    assert [g.raw for g in got] == raws
    assert [g.origin for g in got] == [f"{path}#1", f"{path}#2", f"{path}#3"]
    assert {g.folder for g in got} == {"Leveranciers"}
    assert got[0].internaldate == datetime(2025, 11, 3, 9, 15, tzinfo=UTC)


def test_mbox_with_crlf_line_ends(tmp_path):
    raws = [mail(message_id="<a@x.be>", body="From me\r\n"), mail(message_id="<b@x.be>")]
    path = write(tmp_path / "export", mbox(raws, crlf=True))  # no suffix: sniffed
    got = list(iter_raw_mail([path]))
    assert [g.raw for g in got] == [r.replace(b"\n", b"\r\n").replace(b"\r\r", b"\r")
                                    for r in raws]
    assert got[0].raw.endswith(b"From me\r\n")


def test_unescaped_from_in_a_body_is_not_a_separator(tmp_path):
    # mboxo writers that forget to escape: a body "From " line has no time in it.
    data = (b"From x Mon Nov  3 09:15:00 2025\n" + mail(message_id="<a@x.be>")
            + b"line\nFrom here on, text\n\nFrom the team of Garage Peeters\n\n")
    got = list(iter_raw_mail([write(tmp_path / "m.mbox", data)]))
    assert len(got) == 1
    assert got[0].raw.endswith(b"From here on, text\n\nFrom the team of Garage Peeters\n")


def test_gmail_takeout_separator_with_zone(tmp_path):
    line = b"From 1849202928719@xxx Sat Nov 01 12:00:00 +0000 2025\n"
    data = line + mail(message_id="<a@x.be>") + b"\n" + line + mail(message_id="<b@x.be>")
    got = list(iter_raw_mail([write(tmp_path / "All mail Including Spam.mbox", data)]))
    assert len(got) == 2
    assert got[1].internaldate == datetime(2025, 11, 1, 12, 0, tzinfo=UTC)
    assert got[1].folder == "All mail Including Spam"


def test_mbox_empty_message_between_separators_is_yielded_empty(tmp_path):
    data = mbox([mail(message_id="<a@x.be>")]) + b"From x Mon Nov  3 09:15:00 2025\n\n" + \
        mbox([mail(message_id="<b@x.be>")])
    got = list(iter_raw_mail([write(tmp_path / "m.mbox", data)]))
    assert [len(g.raw) > 0 for g in got] == [True, False, True]


def test_maildir_with_maildir_plus_plus_subfolders(tmp_path):
    root = maildir(tmp_path / "Maildir", {"": _mails(2), ".Sent": _mails(3),
                                          ".Leveranciers.Peeters": _mails(1)})
    (root / "tmp" / "123.inprogress").write_bytes(mail())  # not delivered yet
    got = list(iter_raw_mail([root]))
    folders = [g.folder for g in got]
    assert folders.count("INBOX") == 2
    assert folders.count("Sent") == 3
    assert folders.count("Leveranciers/Peeters") == 1
    sent = next(g for g in got if g.folder == "Sent")
    assert "/.Sent/" in sent.origin
    assert sent.internaldate is not None and sent.internaldate.year == 2025


def test_nested_maildir_inside_a_plain_folder(tmp_path):
    maildir(tmp_path / "export" / "Leveranciers", {"": _mails(2), ".Archief": _mails(1)})
    got = list(iter_raw_mail([tmp_path / "export"]))
    assert sorted(g.folder for g in got) == ["Archief", "Leveranciers", "Leveranciers"]


def test_maildir_subfolder_given_directly(tmp_path):
    root = maildir(tmp_path / "Maildir", {".Sent": _mails(2)})
    assert {g.folder for g in iter_raw_mail([root / ".Sent"])} == {"Sent"}


def test_unknown_file_is_tried_as_one_message(tmp_path):
    path = write(tmp_path / "Downloads" / "message.txt", mail())
    [got] = iter_raw_mail([path])
    assert got.raw == mail()
    assert got.folder == "Downloads"


def test_relative_eml_path_gets_its_folder_name(tmp_path, monkeypatch):
    write(tmp_path / "Offertes" / "a.eml", mail())
    monkeypatch.chdir(tmp_path / "Offertes")
    assert [g.folder for g in iter_raw_mail([Path("a.eml")])] == ["Offertes"]
    assert [g.folder for g in iter_raw_mail([Path(".")])] == ["Offertes"]


def test_missing_path_fails_before_anything_is_yielded(tmp_path):
    good = write(tmp_path / "a.eml", mail())
    with pytest.raises(SourceError, match="nope.mbox: no such file"):
        iter_raw_mail([good, tmp_path / "nope.mbox"])


def test_empty_file_yields_nothing(tmp_path):
    assert list(iter_raw_mail([write(tmp_path / "empty.mbox", b"")])) == []
    assert list(iter_raw_mail([write(tmp_path / "empty.eml", b"")])) == []


def test_progress_reports_bytes_up_to_total(tmp_path):
    path = write(tmp_path / "m.mbox", mbox(_mails(5)))
    seen: list[tuple[int, int | None]] = []
    list(iter_raw_mail([path], progress=lambda done, total: seen.append((done, total))))
    assert seen[-1] == (path.stat().st_size, path.stat().st_size)
    assert [d for d, _ in seen] == sorted(d for d, _ in seen)
