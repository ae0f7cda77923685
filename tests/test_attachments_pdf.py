"""PDF text (``attachments.pdf_text``): PDFium in every process, bounded, plain "\\n" text,
and every broken or locked file a defect, never an error."""

from __future__ import annotations

import hashlib
import random
from pathlib import Path

import pytest
from mailfactory import multipart, part, pdf_file, tiny_pdf

from inbox_audit.attachments import ATTACHMENT_TEXT_CAP, PDF_MAX_PAGES, pdf_text
from inbox_audit.classify.facts import largest_amount
from inbox_audit.parsepool import ParsePool, prepare_raw
from inbox_audit.sources.files import RawMail

ROOT = Path(__file__).resolve().parent.parent
# "\x80" is the euro sign's byte in the PDF's WinAnsi encoding.
QUOTE = ("OFFERTE 2026-0412 - Zonnepanelen Jacobs bv",
         "40 x zonnepaneel 440 Wp full black        EUR   9.960,00",
         "Omvormer hybride 15 kW + monitoring    \x80 3.480,00",
         "Totaal incl. btw: 16.378,60 EUR - geldig 30 dagen, ça va, Brüssel")
# The padding of passwords in the PDF standard security handler (ISO 32000-1, 7.6.3.3).
_PAD = bytes.fromhex("28bf4e5e4e758a4164004e56fffa01082e2e00b6d0683e802f0ca9fe6453697a")
_FILE_ID = bytes(range(16))


def _rc4(key: bytes, data: bytes) -> bytes:
    box = list(range(256))
    j = 0
    for i in range(256):
        j = (j + box[i] + key[i % len(key)]) % 256
        box[i], box[j] = box[j], box[i]
    out = bytearray()
    i = j = 0
    for byte in data:
        i = (i + 1) % 256
        j = (j + box[i]) % 256
        box[i], box[j] = box[j], box[i]
        out.append(byte ^ box[(box[i] + box[j]) % 256])
    return bytes(out)


def make_pdf(pages: list[list[str]], *, user_password: str | None = None,
             security: bytes = b"/Standard") -> bytes:
    """A PDF with one page per entry of ``pages``, each holding its lines; encrypted
    (RC4 40-bit, revision 2) when ``user_password`` is given, "" meaning none."""
    count = len(pages)
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>",
               b"<< /Type /Pages /Kids [%s] /Count %d >>" % (
                   b" ".join(b"%d 0 R" % (4 + 2 * i) for i in range(count)), count),
               b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica "
               b"/Encoding /WinAnsiEncoding >>"]
    key = b""
    trailer = b""
    if user_password is not None:
        user = (user_password.encode("latin-1") + _PAD)[:32]
        owner = _rc4(hashlib.md5(b"eigenaar" + _PAD[:24]).digest()[:5], user)
        permissions = (-4).to_bytes(4, "little", signed=True)
        key = hashlib.md5(user + owner + permissions + _FILE_ID).digest()[:5]
        encrypt = 4 + 2 * count
        trailer = b" /Encrypt %d 0 R /ID [<%s> <%s>]" % (encrypt, _FILE_ID.hex().encode(),
                                                         _FILE_ID.hex().encode())
    for i, lines in enumerate(pages):
        ops = ["BT", "/F1 10 Tf", "40 800 Td", "12 TL", *(f"({line}) Tj T*" for line in lines)]
        stream = "\n".join([*ops, "ET"]).encode("latin-1")
        number = 5 + 2 * i
        if key:  # each object's stream has a key of its own (algorithm 1)
            object_key = hashlib.md5(key + number.to_bytes(3, "little") + b"\0\0").digest()[:10]
            stream = _rc4(object_key, stream)
        objects.append(b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
                       b"/Contents %d 0 R /Resources << /Font << /F1 3 0 R >> >> >>" % number)
        objects.append(b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream")
    if key:
        objects.append(b"<< /Filter %s /V 1 /R 2 /O <%s> /U <%s> /P -4 >>" % (
            security, owner.hex().encode(), _rc4(key, _PAD).hex().encode()))
    return pdf_file(objects, trailer)


def read(data: bytes) -> tuple[str, list[str]]:
    defects: list[str] = []
    return pdf_text(data, "offerte.pdf", defects), defects


def test_a_quote_reads_as_plain_lines_with_its_amounts():
    text, defects = read(tiny_pdf(*QUOTE))
    assert defects == []
    assert text.split("\n") == [
        "OFFERTE 2026-0412 - Zonnepanelen Jacobs bv",
        # PDFium writes a run of spaces as one.
        "40 x zonnepaneel 440 Wp full black EUR 9.960,00",
        "Omvormer hybride 15 kW + monitoring € 3.480,00",
        "Totaal incl. btw: 16.378,60 EUR - geldig 30 dagen, ça va, Brüssel"]
    assert str(largest_amount(text)[0]) == "16378.60"


def test_line_ends_are_line_feeds_without_blanks_form_feeds_or_nuls():
    text, _ = read(tiny_pdf("prijs   12,00   ", "a\x00b", "c\x0cd", "laatste regel"))
    assert text == "prijs 12,00\nab\nc\nd\nlaatste regel"


def test_a_word_hyphenated_at_a_line_end_keeps_its_hyphen_and_line_break():
    # PDFium joins the two lines and marks the hyphen U+FFFE; the text keeps them as drawn.
    text, _ = read(tiny_pdf("Levering van zonne-", "panelen en BTW-", "nummer BE 0123"))
    assert text == "Levering van zonne-\npanelen en BTW-\nnummer BE 0123"


def test_pages_are_joined_by_a_line_feed():
    text, _ = read(make_pdf([["pagina een"], ["pagina twee"]]))
    assert text == "pagina een\npagina twee"


@pytest.mark.parametrize("data", [
    b"", b"%PDF-1.4 garbage", b"\x00" * 5000, b"GIF89a" + bytes(200),
    tiny_pdf(*QUOTE)[:200], tiny_pdf(*QUOTE)[:-60]],
    ids=["empty", "garbage", "zeros", "not-a-pdf", "cut-early", "cut-late"])
def test_a_broken_or_truncated_pdf_is_one_defect_never_an_error(data):
    text, defects = read(data)
    if defects:
        assert text == ""
        assert defects == ["unreadable PDF 'offerte.pdf' (damaged or not a PDF)"]
    else:
        # PDFium rebuilds a cut-off file's cross-reference table when the pages survive.
        assert "Zonnepanelen" in text


def test_a_page_that_cannot_be_loaded_is_one_defect():
    # The page tree promises a third page that is not there.
    pdf = make_pdf([["pagina een"], ["pagina twee"]]).replace(b"/Count 2", b"/Count 3")
    assert read(pdf) == ("", ["unreadable PDF 'offerte.pdf' (damaged page)"])


def test_a_pdf_locked_with_a_password_is_a_defect():
    text, defects = read(make_pdf([["Totaal EUR 12.000"]], user_password="geheim"))
    assert text == ""
    assert defects == ["unreadable PDF 'offerte.pdf' (encrypted with a password)"]


def test_a_pdf_encrypted_without_a_user_password_is_read():
    text, defects = read(make_pdf([["Totaal EUR 12.000"]], user_password=""))
    assert (text, defects) == ("Totaal EUR 12.000", [])


def test_an_unknown_security_handler_is_a_defect():
    text, defects = read(make_pdf([["Totaal EUR 12.000"]], user_password="",
                                  security=b"/GeheimeHandler"))
    assert text == ""
    assert defects == ["unreadable PDF 'offerte.pdf' (unsupported encryption)"]


def test_a_pdf_without_pages_has_no_text():
    assert read(make_pdf([])) == ("", [])


def test_only_the_first_pages_are_read():
    text, _ = read(make_pdf([[f"pagina {n}"] for n in range(1, PDF_MAX_PAGES + 6)]))
    assert text.split("\n") == [f"pagina {n}" for n in range(1, PDF_MAX_PAGES + 1)]


def test_reading_stops_at_the_page_that_passes_the_text_cap():
    line = "x" * 80
    per_page = 60 * (len(line) + 1)
    text, _ = read(make_pdf([[line] * 60 for _ in range(PDF_MAX_PAGES)]))
    pages_read = -(-ATTACHMENT_TEXT_CAP // per_page)
    assert ATTACHMENT_TEXT_CAP < len(text) < ATTACHMENT_TEXT_CAP + per_page
    assert text.count("\n") == pages_read * 60 - 1


def test_the_benchmark_mailbox_pdfs_are_read(monkeypatch):
    monkeypatch.syspath_prepend(str(ROOT / "samples"))
    monkeypatch.syspath_prepend(str(ROOT / "benchmarks"))
    from _mailformat import pdf

    lines = ["OFFERTE 2026-118", "Bouwmaterialen Peeters nv", "", "Totaal: € 4.780,50"]
    text, defects = read(pdf(lines, random.Random(7).randbytes(30_000)))
    assert defects == []
    # An empty line draws nothing, so it leaves no line in the text.
    assert text.split("\n") == ["OFFERTE 2026-118", "Bouwmaterialen Peeters nv",
                                "Totaal: € 4.780,50"]


def test_damaged_pdfs_give_text_or_one_defect():
    # Hostile or damaged files: flipped bytes, cut and doubled stretches of a real PDF.
    rng = random.Random(2026)
    good = make_pdf([list(QUOTE[:2]), list(QUOTE[2:])], user_password="")
    for _ in range(300):
        data = bytearray(good)
        for _ in range(rng.randint(1, 8)):
            at = rng.randrange(len(data))
            if rng.random() < 0.7:
                data[at] = rng.randrange(256)
            else:
                end = at + rng.randint(1, 60)
                data[at:end] = data[at:end] * rng.randint(0, 3)
        text, defects = read(bytes(data))
        assert len(defects) <= 1 and (text == "" or not defects)


def _pdf_mail(number: int) -> RawMail:
    raw = multipart([part("text/plain; charset=utf-8", f"Offerte {number} in bijlage."),
                     part("application/pdf", tiny_pdf(*QUOTE), filename="offerte.pdf",
                          base64_encode=True),
                     part("application/pdf", b"%PDF-1.4 kapot", filename="kapot.pdf",
                          base64_encode=True)],
                    headers=[("Message-ID", f"<pdf{number}@leverancier.be>")])
    return RawMail(raw, f"test:{number}", "INBOX", None)


def test_a_worker_process_stores_the_same_row_as_this_process():
    mails = [_pdf_mail(n) for n in range(6)]
    here = [prepare_raw(mail) for mail in mails]
    with ParsePool(2) as pool:
        there = pool.submit(mails)()
    assert [r.row for r in there] == [r.row for r in here]
    # The row holds the PDF's text and the broken PDF's defect, not empty fields.
    assert any(isinstance(v, str) and "black EUR 9.960,00" in v for v in here[0].row)
    assert any(isinstance(v, str) and "unreadable PDF 'kapot.pdf'" in v for v in here[0].row)
