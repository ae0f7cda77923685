"""import_paths: a real mailbox with broken mail goes into the store, nothing is lost."""

from __future__ import annotations

from pathlib import Path

import pytest
from mailfactory import mail, maildir, mbox, multipart, part, raw_mail, tiny_pdf, write

from inbox_audit.errors import SourceError
from inbox_audit.ingest import ImportSummary, import_paths
from inbox_audit.store import Store

DEMO = Path(__file__).resolve().parent.parent / "samples" / "demo.mbox"


@pytest.fixture
def store(tmp_path):
    with Store.open(tmp_path / "store.sqlite") as opened:
        yield opened


def _broken_mailbox() -> tuple[list[bytes], int]:
    """An mbox's messages: good ones and the usual breakage; returns (raws, good count)."""
    good = [mail(subject=f"Offerte {n}", message_id=f"<good{n}@peeters.be>")
            for n in range(5)]
    truncated = multipart([part("text/plain", "Offerte in bijlage"),
                           part("application/pdf", tiny_pdf("EUR 9.999"), filename="o.pdf",
                                base64_encode=True)],
                          headers=[("Message-ID", "<trunc@peeters.be>")], close=False)[:-60]
    unknown_charset = mail(message_id="<cs@x.be>", body="Prijs: 10 €".encode("cp1252"),
                           content_type="text/plain; charset=x-unknown")
    no_date = mail(date=None, message_id="<nodate@x.be>")
    eight_bit = raw_mail([("From", "Fran\xe7ois <f@garage.fr>".encode("latin-1")),
                          ("Subject", "Re: Pr\xe9sentation".encode("latin-1")),
                          ("Message-ID", b"<8bit@garage.fr>")], "Bonjour")
    empty = b""
    garbage = bytes(range(128, 256)) * 3 + b"\n"
    raws = [*good, truncated, unknown_charset, no_date, eight_bit, empty, garbage]
    return raws, len(good) + 4


def test_acceptance_broken_mbox_and_empty_file(store, tmp_path):
    raws, importable = _broken_mailbox()
    box = write(tmp_path / "Leveranciers.mbox", mbox(raws))
    empty = write(tmp_path / "empty.mbox", b"")

    summary = import_paths(store, [box, empty], batch_size=3)

    assert summary.imported == importable
    assert summary.quarantined == 2
    assert summary.duplicates == 0
    assert summary.sources == 2
    assert summary.empty_sources == [str(empty)]
    reasons = {q.origin: q.reason for q in store.quarantined()}
    assert reasons[f"{box}#{len(raws) - 1}"] == "empty message"
    assert reasons[f"{box}#{len(raws)}"]  # the garbage, with some reason

    stored = {m.key: m for m in store.iter_messages()}
    assert len(stored) == importable
    assert any("truncated" in d for d in stored["trunc@peeters.be"].defects)
    assert stored["trunc@peeters.be"].text.strip() == "Offerte in bijlage"
    assert any("x-unknown" in d for d in stored["cs@x.be"].defects)
    # No Date: the mbox "From " line gives the time.
    assert stored["nodate@x.be"].date_source == "internaldate"
    assert stored["8bit@garage.fr"].subject == "Re: Présentation"
    assert stored["8bit@garage.fr"].sender.name == "François"
    assert {m.folder for m in stored.values()} == {"Leveranciers"}
    originals = {r.rstrip(b"\n") for r in raws}  # mbox adds the final newline
    for key in stored:  # every stored message keeps its original bytes
        assert store.raw(key).rstrip(b"\n") in originals

    again = import_paths(store, [box, empty])
    assert (again.imported, again.quarantined) == (0, 0)
    assert again.duplicates == len(raws)
    assert store.message_count() == importable


def test_summary_line():
    summary = ImportSummary(imported=212, duplicates=0, quarantined=2, sources=2,
                            empty_sources=["empty.mbox"])
    assert summary.line() == ("imported 212, duplicates 0, quarantined 2; "
                              "no mail found in empty.mbox")


def test_same_message_in_two_sources_is_stored_once(store, tmp_path):
    raw = mail()
    eml = write(tmp_path / "a" / "offerte.eml", raw)
    root = maildir(tmp_path / "Maildir", {".Sent": [raw, mail(message_id="<other@x.be>")]})
    summary = import_paths(store, [eml, root])
    assert (summary.imported, summary.duplicates) == (2, 1)
    assert {m.folder for m in store.iter_messages()} == {"a", "Sent"}


def test_interrupted_import_keeps_committed_batches(store, tmp_path):
    box = write(tmp_path / "big.mbox",
                mbox(mail(message_id=f"<n{n}@x.be>") for n in range(10)))

    def interrupt(done, total):
        if done >= 4:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        import_paths(store, [box], batch_size=4, progress=interrupt)
    assert store.message_count() == 4
    summary = import_paths(store, [box], batch_size=4)
    assert (summary.imported, summary.duplicates) == (6, 4)


def test_missing_source_imports_nothing(store, tmp_path):
    good = write(tmp_path / "a.eml", mail())
    with pytest.raises(SourceError):
        import_paths(store, [good, tmp_path / "missing"])
    assert store.message_count() == 0


def test_progress_counts_mails(store, tmp_path):
    box = write(tmp_path / "m.mbox", mbox(mail(message_id=f"<p{n}@x.be>") for n in range(7)))
    seen = []
    import_paths(store, [box], batch_size=3, progress=lambda d, t: seen.append((d, t)))
    assert seen == [(3, None), (6, None), (7, None)]


def test_demo_mailbox_imports_cleanly_and_only_once(store):
    first = import_paths(store, [DEMO])
    assert first.imported > 0
    assert first.quarantined == 0
    assert store.message_count() == first.imported
    second = import_paths(store, [DEMO])
    assert second.imported == 0
    assert second.duplicates == first.imported + first.duplicates


def test_parsing_in_worker_processes_stores_the_same(tmp_path):
    raws, _ = _broken_mailbox()
    box = write(tmp_path / "a.mbox", mbox(raws))
    files = [write(tmp_path / "eml" / f"{n}.eml", mail(message_id=f"<f{n}@x.be>"))
             for n in range(7)]
    results = {}
    for workers in (0, 2):
        with Store.open(tmp_path / f"w{workers}.db") as store:
            summary = import_paths(store, [box, *files], batch_size=3, workers=workers)
            results[workers] = (summary.line(), list(store.iter_messages()),
                                [(q.origin, q.reason) for q in store.quarantined()])
    assert results[0] == results[2]
    assert results[0][0] == "imported 16, duplicates 0, quarantined 2"


def test_a_batch_written_at_once_counts_duplicates_as_mail_by_mail(tmp_path):
    """Parsed mail is written in runs (``Store.add_stored_many``): a second copy of the
    same bytes or of the same Message-ID in the same batch, around mail that does not
    parse, is a duplicate exactly as when each mail was written on its own."""
    first = mail(message_id="<a@x.be>")
    same_id = mail(message_id="<a@x.be>", subject="Andere offerte")
    garbage = bytes(range(128, 256)) * 3 + b"\n"
    raws = [first, mail(message_id="<b@x.be>"), first, garbage, same_id,
            mail(message_id="<c@x.be>"), garbage]
    box = write(tmp_path / "a.mbox", mbox(raws))
    with Store.open(tmp_path / "batched.db") as store:
        summary = import_paths(store, [box], workers=0)
        assert summary.line() == "imported 3, duplicates 3, quarantined 1"
        assert [m.key for m in store.iter_messages()] == ["a@x.be", "b@x.be", "c@x.be"]
        assert store.get_message("a@x.be").subject == "Offerte bestelwagen"
    with Store.open(tmp_path / "single.db") as store:  # the same, one mail at a time
        singles = ImportSummary()
        for raw in raws:
            single = import_paths(store, [write(tmp_path / "one.eml", raw)], workers=0)
            singles.imported += single.imported
            singles.duplicates += single.duplicates
            singles.quarantined += single.quarantined
        assert singles.line() == summary.line()
