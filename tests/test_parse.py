"""parse_message: real-world mail, broken in the usual ways, becomes a usable Message."""

from __future__ import annotations

import contextlib
import hashlib
import os
from datetime import UTC, datetime

import pytest
from mailfactory import mail, multipart, part, raw_mail, tiny_pdf

from inbox_audit.models import Address
from inbox_audit.parse import ParseError, parse_message


def test_plain_mail_fields():
    raw = mail(extra=[("Cc", '"Doe, John" <John.Doe@Example.COM>')])
    msg = parse_message(raw, folder="INBOX")
    assert msg.key == msg.message_id == "m1@garage-peeters.be"
    assert msg.date == datetime(2025, 11, 3, 9, 15, tzinfo=UTC)
    assert msg.date_source == "header"
    assert msg.sender == Address("Jan", "jan@garage-peeters.be")
    assert msg.to == (Address("", "me@buyer.be"),)
    assert msg.cc == (Address("Doe, John", "john.doe@example.com"),)
    assert msg.subject == "Offerte bestelwagen"
    assert msg.text == "Hallo,\n\nPrijs.\n"
    assert not msg.html_only
    assert msg.folder == "INBOX"
    assert msg.content_type == "text/plain"
    assert msg.size == len(raw)
    assert msg.raw_sha256 == hashlib.sha256(raw).hexdigest()
    assert msg.defects == ()


def test_multipart_alternative_prefers_plain_text():
    raw = multipart([part("text/plain; charset=utf-8", "Goedendag, de prijs is 100 EUR."),
                     part("text/html; charset=utf-8", "<p>HTML <b>versie</b></p>")],
                    subtype="alternative")
    msg = parse_message(raw)
    assert msg.text.strip() == "Goedendag, de prijs is 100 EUR."
    assert not msg.html_only
    assert msg.content_type == "multipart/alternative"
    assert msg.attachments == ()


def test_html_only_mail_becomes_text_without_link_noise():
    html = ('<html><head><style>p {color: red}</style></head><body><p>Beste klant,</p>'
            '<p>Uw <b>offerte</b> staat <a href="https://track.example/x">online</a>.'
            '<img src="https://track.example/pixel.gif"></p></body></html>')
    msg = parse_message(mail(body=html, content_type="text/html; charset=utf-8"))
    assert msg.html_only
    assert "Beste klant," in msg.text
    assert "Uw offerte staat online." in msg.text
    assert "http" not in msg.text and "<" not in msg.text and "**" not in msg.text


def test_pdf_attachment_text_is_extracted():
    pdf = tiny_pdf("OFFERTE 2025-117", "Totaal incl. BTW: EUR 12.345,00")
    raw = multipart([part("text/plain; charset=utf-8", "Zie bijlage."),
                     part("application/pdf", pdf, filename="offerte.pdf", base64_encode=True)])
    msg = parse_message(raw)
    assert msg.text.strip() == "Zie bijlage."
    assert [(a.filename, a.content_type, a.size) for a in msg.attachments] == [
        ("offerte.pdf", "application/pdf", len(pdf))]
    assert "EUR 12.345,00" in msg.attachment_text
    assert "OFFERTE 2025-117" in msg.attachment_text


def test_broken_pdf_is_a_defect_not_a_failure():
    raw = multipart([part("text/plain", "Zie bijlage."),
                     part("application/pdf", b"%PDF-1.4 garbage", filename="kapot.pdf",
                          base64_encode=True)])
    msg = parse_message(raw)
    assert msg.attachments[0].filename == "kapot.pdf"
    assert msg.attachment_text == ""
    assert any("kapot.pdf" in d for d in msg.defects)


def test_text_attachment_text_is_kept_and_capped():
    raw = multipart([part("text/plain", "body"),
                     part("text/plain; charset=utf-8", "Prijs: 950 EUR\n" * 5000,
                          filename="prijs.txt")])
    msg = parse_message(raw)
    assert msg.text.strip() == "body"
    assert msg.attachment_text.startswith("Prijs: 950 EUR")
    assert len(msg.attachment_text) <= 20_000


def test_rfc2047_subject_and_names():
    raw = mail(subject="=?iso-8859-1?q?Offerte_voor_uw_caf=E9?= - =?utf-8?b?w6l0w6k=?=",
               sender="=?utf-8?q?Andr=C3=A9_Fran=C3=A7ois?= <Andre@Leverancier.FR>")
    msg = parse_message(raw)
    assert msg.subject == "Offerte voor uw café - été"
    assert msg.sender == Address("André François", "andre@leverancier.fr")


def test_folded_references_become_clean_ids():
    raw = mail(extra=[("In-Reply-To", "<req-1@buyer.be> (Jan's message)"),
                      ("References", "<root@buyer.be>\n  junk text\n\t<req-1@buyer.be>\n"
                                     " < spaced@buyer.be >")])
    msg = parse_message(raw)
    assert msg.in_reply_to == ("req-1@buyer.be",)
    assert msg.references == ("root@buyer.be", "req-1@buyer.be", "spaced@buyer.be")


def test_single_digit_hour_date():
    msg = parse_message(mail(date="Mon, 3 Nov 2025 9:05:07 +0100"))
    assert msg.date == datetime(2025, 11, 3, 8, 5, 7, tzinfo=UTC)
    assert msg.date_source == "header"


def test_zone_less_date_is_utc_with_a_defect():
    msg = parse_message(mail(date="Mon, 3 Nov 2025 10:05:07"))
    assert msg.date == datetime(2025, 11, 3, 10, 5, 7, tzinfo=UTC)
    assert msg.date_source == "header"
    assert any("time zone" in d for d in msg.defects)


def test_european_zone_name_is_not_read_as_utc():
    msg = parse_message(mail(date="Mon, 3 Nov 2025 10:05:07 CET"))
    assert msg.date == datetime(2025, 11, 3, 9, 5, 7, tzinfo=UTC)


RECEIVED = [("Received", "from mx.garage-peeters.be by mx.buyer.be;\n"
                         " Tue, 04 Nov 2025 08:00:00 +0100"),
            ("Received", "from laptop by mx.garage-peeters.be;"
                         " Tue, 04 Nov 2025 07:59:00 +0100")]


def test_missing_date_falls_back_to_newest_received():
    msg = parse_message(mail(date=None, extra=RECEIVED))
    assert msg.date == datetime(2025, 11, 4, 7, 0, tzinfo=UTC)
    assert msg.date_source == "received"
    assert "no Date header" in msg.defects


def test_missing_date_and_received_falls_back_to_internaldate():
    internal = datetime(2025, 11, 5, 12, 0, tzinfo=UTC)
    msg = parse_message(mail(date=None), internaldate=internal)
    assert (msg.date, msg.date_source) == (internal, "internaldate")


def test_no_time_at_all():
    msg = parse_message(mail(date="not a date"))
    assert (msg.date, msg.date_source) == (None, "none")
    assert "unreadable Date header" in msg.defects


@pytest.mark.parametrize("date", ["Thu, 01 Jan 1970 00:00:00 +0000",
                                  "Fri, 01 Jan 2055 10:00:00 +0100"])
def test_absurd_date_falls_back(date):
    msg = parse_message(mail(date=date, extra=RECEIVED))
    assert msg.date_source == "received"
    assert msg.date == datetime(2025, 11, 4, 7, 0, tzinfo=UTC)
    assert any(d.startswith("absurd Date") for d in msg.defects)


def test_date_days_after_receipt_is_absurd():
    msg = parse_message(mail(date="Sat, 15 Nov 2025 10:00:00 +0100", extra=RECEIVED))
    assert msg.date_source == "received"


def test_no_message_id_keys_on_raw_hash():
    raw = mail(message_id=None)
    msg = parse_message(raw)
    assert msg.message_id is None
    assert msg.key == "sha256:" + hashlib.sha256(raw).hexdigest()
    assert parse_message(mail(message_id="   ")).key.startswith("sha256:")


def test_unknown_charset_decodes_with_replacement_and_defect():
    raw = mail(body="Prijs voor het café: 100 €".encode("cp1252"),
               content_type='text/plain; charset="x-unknown"')
    msg = parse_message(raw)
    assert msg.text.startswith("Prijs voor het café: 100 €")
    assert any("x-unknown" in d for d in msg.defects)


def test_raw_8bit_latin1_headers():
    raw = raw_mail([("From", "Andr\xe9 Dupr\xe9 <andre@dupre.be>".encode("latin-1")),
                    ("To", b"me@buyer.be"),
                    ("Subject", "Pr\xe9sentation caf\xe9 cr\xe8me".encode("latin-1")),
                    ("Date", b"Mon, 03 Nov 2025 10:15:00 +0100")], "body")
    msg = parse_message(raw)
    assert msg.subject == "Présentation café crème"
    assert msg.sender == Address("André Dupré", "andre@dupre.be")


def test_raw_8bit_utf8_subject():
    raw = raw_mail([("From", b"a@b.be"), ("Subject", "Prijs café".encode())], "x")
    assert parse_message(raw).subject == "Prijs café"


def test_truncated_multipart_keeps_what_parsed():
    raw = multipart([part("text/plain; charset=utf-8", "Hierbij onze offerte."),
                     part("application/pdf", tiny_pdf("Prijs 500 EUR"), filename="o.pdf",
                          base64_encode=True)], close=False)
    raw = raw[: raw.rindex(b"\n", 0, len(raw) - 40)]  # cut inside the base64 as well
    msg = parse_message(raw)
    assert msg.text.strip() == "Hierbij onze offerte."
    assert msg.subject == "Offerte"
    assert any("truncated" in d for d in msg.defects)


@pytest.mark.parametrize("raw", [b"", b"   \r\n\n\t ", b"\n\n\n"])
def test_empty_input_is_a_parse_error(raw):
    with pytest.raises(ParseError) as caught:
        parse_message(raw)
    assert caught.value.reason == "empty message"


@pytest.mark.parametrize("raw", [bytes(range(256)) * 8,
                                 os.urandom(4096).replace(b":", b"_"),
                                 b"just a line of text\nand another\n",
                                 b"X-Foo: bar\nX-Bar: baz\n\nno real headers"])
def test_garbage_is_a_parse_error_with_one_line_reason(raw):
    with pytest.raises(ParseError) as caught:
        parse_message(raw)
    assert caught.value.reason and "\n" not in caught.value.reason


def test_auto_reply_headers_are_kept():
    raw = mail(extra=[("Auto-Submitted", "auto-replied"), ("X-Autoreply", "yes"),
                      ("Precedence", "bulk"), ("List-Id", "<news.peeters.be>"),
                      ("X-Auto-Response-Suppress", "All"), ("X-Spam-Score", "1"),
                      ("Return-Path", "<>")])
    msg = parse_message(raw)
    assert msg.header("Auto-Submitted") == "auto-replied"
    assert msg.header("x-autoreply") == "yes"
    assert msg.header("precedence") == "bulk"
    assert msg.header("list-id") == "<news.peeters.be>"
    assert msg.header("return-path") == "<>"
    assert msg.header("x-spam-score") is None


def test_crlf_mail_parses_like_lf():
    assert parse_message(mail(crlf=True)).text == "Hallo,\n\nPrijs.\n"


def test_multipart_report_bounce_keeps_content_type():
    raw = multipart([part("text/plain", "Delivery failed"),
                     part("message/delivery-status", "Status: 5.1.1\n")],
                    subtype="report", headers=[("From", "MAILER-DAEMON@mx.buyer.be")])
    msg = parse_message(raw)
    assert msg.content_type == "multipart/report"
    assert msg.sender == Address("", "mailer-daemon@mx.buyer.be")


def test_fuzzed_inputs_never_raise_anything_but_parse_error():
    base = multipart([part("text/plain", "x"), part("application/pdf", tiny_pdf("a"),
                                                    filename="a.pdf", base64_encode=True)])
    for cut in range(0, len(base), 37):
        for raw in (base[:cut], base[cut:], base[:cut] + b"\xff\xfe=?x?q?" + base[cut:]):
            with contextlib.suppress(ParseError):
                parse_message(raw)


def test_forwarded_mail_attachment_is_not_body_and_parsing_is_deterministic():
    inner = mail(subject="Oude offerte", body="inner body text\n")
    raw = multipart([part("text/plain", "Zie doorgestuurde mail"),
                     b"Content-Type: message/rfc822\nContent-Disposition: attachment\n\n"
                     + inner])
    msg = parse_message(raw)
    assert msg.text.strip() == "Zie doorgestuurde mail"
    assert [(a.filename, a.content_type) for a in msg.attachments] == [("", "message/rfc822")]
    assert parse_message(raw) == msg


@pytest.mark.parametrize(("date", "hour"), [("Mon, 3 Nov 2025 10:15:00 +0100 (CET)", 9),
                                            ("3 Nov 2025 10:15 CEST", 8),
                                            ("Mon, 3 Nov 25 10:15:00 +0100", 9)])
def test_date_variants(date, hour):
    msg = parse_message(mail(date=date))
    assert (msg.date.date().isoformat(), msg.date.hour) == ("2025-11-03", hour)


# --- fast paths: each gives exactly what the general code it skips gives ---------------

def test_header_end_is_where_the_blank_line_regex_matches():
    import random
    import re

    from inbox_audit.parse import _header_end

    blank_line = re.compile(rb"\r?\n\r?\n")
    rng = random.Random(7)
    pieces = [b"\n", b"\r", b"\r\n", b"a", b"From: x", b" ", b"\n\n", b"\r\n\r\n"]
    for _ in range(5_000):
        raw = b"".join(rng.choice(pieces) for _ in range(rng.randint(0, 12)))
        found = blank_line.search(raw)
        assert _header_end(raw) == (found.start() if found else len(raw)), raw


def _stdlib_date(text: str) -> tuple:
    """What ``_parse_date_text`` gave before its fast path (the stdlib parser alone)."""
    from email.utils import parsedate_to_datetime

    from inbox_audit import parse

    defects: list[str] = []
    text = parse._ZONE_WORD.sub(lambda m: parse._EXTRA_ZONES[m.group(1).upper()],
                                text.strip())
    try:
        value = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None, defects
    if value.tzinfo is None and parse._UNKNOWN_ZONE.search(text):
        value = value.replace(tzinfo=UTC)
    return parse._to_utc(value, defects, "Date"), defects


def test_plain_dates_read_as_the_stdlib_reads_them():
    import random

    from inbox_audit import parse

    rng = random.Random(3)
    fast = 0
    for _ in range(20_000):
        text = (rng.choice(["Mon, ", "", "Xyz, ", "Mon,"]) +
                f"{rng.choice([rng.randint(0, 40), '07'])} "
                f"{rng.choice([*parse._MONTH_NUMBER, 'jan', 'Foo'])} "
                f"{rng.choice([rng.randint(1900, 2100), rng.randint(1000, 9999), 99, '0102'])} "
                f"{rng.randint(0, 30):02d}:{rng.randint(0, 70):02d}:{rng.randint(0, 61):02d} "
                f"{rng.choice('+-')}{rng.choice([0, 100, 530, 1400, 2359, 2400, 99, 9999]):04d}"
                f"{rng.choice(['', ' (CET)', ' (a b)', ' CET', '  ', ' (x (y))'])}")
        fast += parse._PLAIN_DATE.fullmatch(text.strip()) is not None
        try:
            expected = _stdlib_date(text)
        except OverflowError:  # year 9999 pushed past the end of time: both raise
            with pytest.raises(OverflowError):
                parse._parse_date_text(text, [], "Date")
            continue
        defects: list[str] = []
        got = parse._parse_date_text(text, defects, "Date")
        assert (got, defects) == expected, text
        if got is not None:
            assert got.tzinfo == expected[0].tzinfo, text
    assert fast > 2_000  # the fast path is really taken


def test_part_facts_are_the_stdlib_ones():
    import email

    from inbox_audit.mimetext import PartFacts, _part_facts

    def stdlib(part: email.message.Message) -> PartFacts:
        return PartFacts(part.get_content_type(),
                         (part.get_content_disposition() or "").lower(), part.get_filename())

    cases = [
        'attachment; filename="offerte.pdf"', "inline; FILENAME=x.pdf",
        "attachment; filename*=utf-8''caf%C3%A9.pdf", "attachment; filename*0*=a; filename*1=b",
        'application/pdf; name="o.pdf"', "text/plain; charset=utf-8", "attachment",
        'application/octet-stream; NaMe="Scan 1.pdf"', "application/x; foo=name",
        "TEXT/HTML ; charset=x", "text", "a/b/c", "", "Attachment\xe9; name=\xe9.pdf",
    ]
    for header in ("Content-Disposition", "Content-Type", "content-TYPE"):
        for value in cases:
            for raw in (f"{header}: {value}\n\nx", f"{header}: {value}\n{header}: x/y\n\nx",
                        f"X-A: 1\nContent-Disposition: inline\n{header}: {value}\n\nx"):
                part = email.message_from_bytes(raw.encode("latin-1"))
                assert _part_facts(part) == stdlib(part), raw
    digest = email.message_from_string(
        'Content-Type: multipart/digest; boundary="d"\n\n--d\n\nx\n--d--\n')
    assert _part_facts(digest.get_payload(0)).content_type == "message/rfc822"
    from conftest import REPO
    from test_corpora import spam_files

    from inbox_audit.sources.files import iter_raw_mail

    named = 0
    files = sorted((REPO / "samples").rglob("*.mbox")) + spam_files()
    for raw in iter_raw_mail(files):
        for part in email.message_from_bytes(raw.raw).walk():
            assert _part_facts(part) == stdlib(part)
            named += part.get_filename() is not None
    assert named > 50
