"""The parse stage never crashes and stays bounded in time and memory, whatever it is fed.

Property tests (hypothesis) feed it truncated mail, random bytes in headers, broken
base64 and quoted-printable, unknown charsets and random MIME trees; every outcome must
be a ``Message`` that the store can keep, or a ``ParseError`` with a one-line reason.
The huge cases (1,000-deep nesting, a 50 MB attachment, 10,000 recipients, a 5 MB
single-line HTML body, ...) each run in a fresh process that measures its time and peak
memory; the limits they rely on are listed in docs/reliability.md.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from mailfactory import (
    mail,
    many_recipients,
    multipart,
    nested_multipart,
    part,
    raw_mail,
    single_line_html,
    tiny_pdf,
    with_attachment,
)

from inbox_audit import attachments, mimetext
from inbox_audit import parse as parse_mod
from inbox_audit.models import Message
from inbox_audit.parse import ParseError, parse_message
from inbox_audit.store import Store

FUZZ = settings(max_examples=150, deadline=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory):
    with Store.open(tmp_path_factory.mktemp("fuzz") / "fuzz.db") as opened:
        yield opened


def check(raw: bytes, store: Store | None = None) -> Message | ParseError:
    """Parse ``raw``: a Message within the limits (that the store keeps exactly), or a
    ParseError with a one-line reason. Anything else fails the test."""
    try:
        msg = parse_message(raw, folder="INBOX")
    except ParseError as exc:
        assert exc.reason and "\n" not in exc.reason and len(exc.reason) < 300
        return exc
    assert msg.key and msg.size == len(raw)
    assert len(msg.text) <= mimetext.BODY_TEXT_CAP
    assert len(msg.attachment_text) <= attachments.ATTACHMENT_TEXT_CAP
    assert len(msg.to) <= parse_mod.ADDRESSES_KEPT and len(msg.cc) <= parse_mod.ADDRESSES_KEPT
    assert len(msg.references) <= parse_mod.REFERENCES_KEPT
    assert len(msg.subject) <= parse_mod.SUBJECT_CAP
    assert all("\n" not in d for d in msg.defects)
    if store is not None and store.add_message(msg, raw, "fuzz"):
        assert store.get_message(msg.key) == msg
    return msg


# --- property tests ----------------------------------------------------------------------

def _realistic() -> bytes:
    return multipart(
        [part("text/plain; charset=iso-8859-1", "Prijs voor de caf\xe9: 1.250 EUR".encode(
            "latin-1")),
         b"Content-Type: text/html; charset=utf-8\nContent-Transfer-Encoding: "
         b"quoted-printable\n\n<p>Offerte =C3=A9t=C3=A9 =3D 1.250 EUR</p>=\n",
         part("application/pdf", tiny_pdf("Totaal EUR 1.250,00"), filename="offerte.pdf",
              base64_encode=True)],
        headers=[("Subject", "=?utf-8?q?Offerte_caf=C3=A9?="),
                 ("References", "<a@b.be> <c@d.be>"), ("Cc", "Jos <jos@x.be>, b@y.be")])


REALISTIC = _realistic()


@FUZZ
@given(cut=st.integers(min_value=0, max_value=len(REALISTIC)))
def test_truncated_mail(cut, store):
    check(REALISTIC[:cut], store)
    check(REALISTIC[cut:], store)


header_names = st.sampled_from(["From", "To", "Cc", "Subject", "Date", "Message-ID",
                                "References", "In-Reply-To", "Content-Type", "Received",
                                "Content-Transfer-Encoding", "Auto-Submitted", "X-Junk"])


@FUZZ
@given(headers=st.lists(st.tuples(header_names, st.binary(max_size=300)), max_size=12),
       body=st.binary(max_size=2000))
def test_random_bytes_in_headers(headers, body, store):
    check(raw_mail(headers, body), store)


@FUZZ
@given(encoding=st.sampled_from(["base64", "quoted-printable", "BASE64", "x-uuencode", "8bit"]),
       payload=st.binary(max_size=3000) | st.text(max_size=3000).map(str.encode),
       subtype=st.sampled_from(["text/plain", "text/html", "application/pdf",
                                "application/octet-stream"]))
def test_broken_transfer_encodings(encoding, payload, subtype, store):
    broken = (f"Content-Type: {subtype}\nContent-Transfer-Encoding: {encoding}\n"
              'Content-Disposition: attachment; filename="x.pdf"\n\n').encode() + payload
    check(multipart([part("text/plain", "zie bijlage"), broken]), store)
    check(mail(extra=[("Content-Transfer-Encoding", encoding)], body=payload,
               content_type=subtype), store)


charsets = st.sampled_from(["utf-8", "x-unknown", "utf-16", "iso-2022-jp", "cp1252", "",
                            "utf-7", "koi8-r", "\"", "us-ascii", "big5", "x-mac-roman",
                            "unicode-1-1-utf-7", "iso-8859-99"]) | st.text(max_size=20)


@FUZZ
@given(charset=charsets, body=st.binary(max_size=2000), word=st.binary(max_size=60))
def test_unknown_and_wrong_charsets(charset, body, word, store):
    safe = charset.replace("\n", " ").replace("\r", " ")
    encoded = "=?" + safe + "?b?" + __import__("base64").b64encode(word).decode() + "?="
    raw = mail(subject=encoded, sender=f"{encoded} <jan@x.be>", body=body,
               content_type=f"text/plain; charset={safe}")
    check(raw, store)


@st.composite
def mime_tree(draw, depth: int = 0) -> bytes:
    kind = draw(st.sampled_from(["text/plain", "text/html", "application/pdf",
                                 "message/rfc822"] + (["multipart"] * 2 if depth < 6 else [])))
    if kind != "multipart":
        body = draw(st.binary(max_size=400))
        name = draw(st.none() | st.text(max_size=30))
        head = f"Content-Type: {kind}\n"
        if name is not None:
            head += f'Content-Disposition: attachment; filename="{name}"\n'
        return head.encode("utf-8", "surrogateescape") + b"\n" + body
    boundary = draw(st.sampled_from(["b", "B1", "=_x", "same"])) + str(depth)
    children = draw(st.lists(mime_tree(depth + 1), max_size=4))
    close = draw(st.booleans())
    body = b"".join(b"--" + boundary.encode() + b"\n" + c + b"\n" for c in children)
    if close:
        body += b"--" + boundary.encode() + b"--\n"
    return (f'Content-Type: multipart/{draw(st.sampled_from(["mixed", "alternative"]))}; '
            f'boundary="{boundary}"\n\n').encode() + body


@FUZZ
@given(tree=mime_tree())
def test_random_mime_trees(tree, store):
    check(b"From: a@b.be\nSubject: boom\nMessage-ID: <t@b.be>\nMIME-Version: 1.0\n" + tree,
          store)


# --- the huge and hostile cases, each measured in its own process ----------------------

_MEASURE = textwrap.dedent("""
    import json, resource, sys, time
    from pathlib import Path
    from inbox_audit.parse import ParseError, parse_message
    raw = Path(sys.argv[1]).read_bytes()
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    start = time.perf_counter()
    try:
        msg = parse_message(raw)
        out = {"outcome": "stored", "text": len(msg.text), "to": len(msg.to),
               "sizes": [a.size for a in msg.attachments], "defects": list(msg.defects),
               "body": msg.text[:200], "refs": len(msg.references)}
    except ParseError as exc:
        out = {"outcome": "quarantined", "reason": exc.reason}
    out["seconds"] = time.perf_counter() - start
    out["grew_mb"] = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
    print(json.dumps(out))
""")


def measure(tmp_path: Path, raw: bytes) -> dict:
    """Parse ``raw`` in a fresh process: its outcome, seconds and peak memory growth."""
    path = tmp_path / "huge.eml"
    path.write_bytes(raw)
    done = subprocess.run([sys.executable, "-c", _MEASURE, str(path)], capture_output=True,
                          text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""  # no warnings, no tracebacks
    return json.loads(done.stdout)


# Per message: a few seconds at most, and memory in proportion to what is parsed.
SECONDS = 10.0


@pytest.mark.slow
def test_thousand_deep_nesting_is_quarantined_quickly(tmp_path):
    result = measure(tmp_path, nested_multipart(1000))
    assert result["outcome"] == "quarantined"
    assert result["reason"] == "MIME parts nested too deep to read (hostile or broken mail)"
    assert result["seconds"] < SECONDS and result["grew_mb"] < 100


def test_deep_but_parseable_nesting_reads_down_to_the_limit():
    shallow = check(nested_multipart(40))
    assert shallow.text.strip() == "diep verstopte offerte"
    deep = check(nested_multipart(120))
    assert isinstance(deep, Message) and deep.text == ""
    assert f"nested deeper than {mimetext.MIME_DEPTH_CAP} levels" in " ".join(deep.defects)


@pytest.mark.slow
def test_fifty_megabyte_attachment_is_measured_not_held(tmp_path):
    data = bytes(range(256)) * (50 * 1024 * 1024 // 256)
    raw = with_attachment(data, filename="../../etc/passwd")
    result = measure(tmp_path, raw)
    assert result["outcome"] == "stored"
    assert result["sizes"] == [len(data)]
    assert result["body"].strip() == "Zie bijlage."
    assert result["seconds"] < SECONDS
    # The parser never sees the 68 MB of base64 (replaced by its size): it grows by far
    # less than the message itself.
    assert result["grew_mb"] < 150, result
    assert not Path("/etc/passwd.bin").exists()


def test_a_small_attachment_is_not_shrunk_and_its_size_is_exact():
    data = bytes(range(256)) * 40
    msg = check(with_attachment(data))
    assert [a.size for a in msg.attachments] == [len(data)]


@pytest.mark.slow
def test_ten_thousand_recipients(tmp_path):
    result = measure(tmp_path, many_recipients(10_000))
    assert result["outcome"] == "stored"
    assert 0 < result["to"] <= parse_mod.ADDRESSES_KEPT
    assert any("To header of" in d for d in result["defects"])
    assert result["seconds"] < SECONDS and result["grew_mb"] < 100


@pytest.mark.slow
def test_five_megabyte_single_line_html(tmp_path):
    result = measure(tmp_path, single_line_html(5 * 1024 * 1024))
    assert result["outcome"] == "stored"
    assert result["body"].startswith("Offerte prijs EUR 1.250,00")
    assert result["text"] <= mimetext.BODY_TEXT_CAP
    assert any("HTML body of" in d for d in result["defects"])
    assert result["seconds"] < SECONDS and result["grew_mb"] < 200


@pytest.mark.slow
def test_unclosed_script_tags_do_not_make_html_quadratic(tmp_path):
    html = "<p>Offerte</p>" + "<script>x" * 400_000
    raw = mail(content_type="text/html", body=html, message_id="<scripts@x.be>")
    result = measure(tmp_path, raw)
    assert result["outcome"] == "stored" and result["body"].strip() == "Offerte"
    assert result["seconds"] < SECONDS


@pytest.mark.slow
def test_hundred_thousand_header_lines_and_a_fifty_megabyte_line(tmp_path):
    many = (b"From: a@b.be\nSubject: x\n"
            + b"".join(b"X-Spam-%d: %d\n" % (i, i) for i in range(100_000)) + b"\nbody\n")
    result = measure(tmp_path, many)
    assert result["outcome"] == "stored" and result["seconds"] < SECONDS
    endless = b"From: a@b.be\nSubject: x\n\n" + b"x" * (50 * 1024 * 1024)
    result = measure(tmp_path, endless)
    assert result["outcome"] == "stored" and result["seconds"] < SECONDS
    assert result["text"] == mimetext.BODY_TEXT_CAP
    assert any("read up to" in d for d in result["defects"])


def test_ten_thousand_references_keep_the_root_and_the_newest():
    refs = " ".join(f"<r{i}@x.be>" for i in range(10_000))
    msg = check(mail(extra=[("References", refs)]))
    assert len(msg.references) == parse_mod.REFERENCES_KEPT
    assert msg.references[0] == "r0@x.be" and msg.references[-1] == "r9999@x.be"


def test_three_digit_years_are_read_as_rfc_5322_says():
    # Old mailers wrote the years since 1900: "102" and "0102" mean 2002.
    for year in ("102", "0102"):
        msg = check(mail(date=f"Tue, 03 Dec {year} 17:08:50 +1100"))
        assert msg.date.year == 2002 and msg.date_source == "header"


def test_unparseable_mail_still_gets_a_date_for_forget():
    raw = b"X-Foo: 1\nReceived: from a by b; Mon, 03 Nov 2025 10:15:00 +0100\n\nbody\n"
    error = check(raw)
    assert isinstance(error, ParseError) and error.date.isoformat() == "2025-11-03T09:15:00+00:00"
