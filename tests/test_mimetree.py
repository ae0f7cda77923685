"""``mimetree.mime_tree`` builds exactly the tree ``email.message_from_bytes`` builds:
the same parts, headers, payloads, preambles, epilogues and defects, on real mail from
three corpora and on random line soup made of every kind of line that steers the
stdlib parser (boundaries, headers, continuations, "From " lines, blank lines, lone CRs,
message/rfc822 and delivery-status parts)."""

from __future__ import annotations

import email
import email.feedparser
import email.message
import re

import pytest
from conftest import REPO
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_corpora import cpython_data, spam_files

from inbox_audit import mimetree
from inbox_audit.mimetree import mime_tree
from inbox_audit.sources.files import iter_raw_mail


def shape(msg: email.message.Message) -> list:
    """Everything the stdlib's parser decides about a mail, comparable with ==."""
    payload = msg._payload
    return [type(msg).__name__, msg._headers, msg._unixfrom, msg._default_type,
            msg.preamble, msg.epilogue, [(type(d).__name__, str(d)) for d in msg.defects],
            [shape(p) for p in payload] if isinstance(payload, list) else payload]


def stdlib_tree(raw: bytes) -> email.message.Message:
    """The stdlib's own tree, with feedparser's real ``re`` (no boundary matchers)."""
    shim, email.feedparser.re = email.feedparser.re, re
    try:
        return email.message_from_bytes(raw)
    finally:
        email.feedparser.re = shim


def same_as_stdlib(raw: bytes) -> None:
    assert shape(mime_tree(raw)) == shape(stdlib_tree(raw))


@pytest.fixture
def hollow_everything(monkeypatch: pytest.MonkeyPatch) -> None:
    """Replace every run however short (of body lines and of header fields), so that
    random mail exercises the markers."""
    monkeypatch.setattr(mimetree, "_MIN_RUN", 0)
    monkeypatch.setattr(mimetree, "_MIN_FIELD_LINES", 0)


def test_real_mail_gives_the_stdlib_tree(hollow_everything) -> None:
    files = spam_files() + sorted((REPO / "samples").rglob("*.mbox"))
    data = cpython_data()
    if data is not None:
        files += sorted(data.glob("msg_*.txt"))
    mails = [raw.raw for raw in iter_raw_mail(files)]
    assert len(mails) > 6_000
    hollowed = 0
    for raw in mails:
        same_as_stdlib(raw)
        hollowed += mimetree._RUN.search(raw.decode("ascii", "surrogateescape")) is not None
    assert hollowed > len(mails) // 2  # the shortcut is really taken, not always avoided


def test_a_long_attachment_is_replaced_then_put_back() -> None:
    b64 = "".join(f"QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVo{i:05d}\r\n" for i in range(400))
    raw = ("From: a@b.be\r\nSubject: offerte\r\nContent-Type: multipart/mixed; "
           'boundary="xx"\r\n\r\n--xx\r\nContent-Type: text/plain\r\n\r\nZie bijlage.\r\n'
           "--xx\r\nContent-Type: application/pdf\r\nContent-Transfer-Encoding: base64\r\n"
           f"\r\n{b64}--xx--\r\n").encode()
    skeleton: list[str] = []
    mimetree._RUN.sub(lambda m: mimetree._hollow(m, skeleton), raw.decode())
    assert len(skeleton) == 1 and len(skeleton[0]) > 10_000
    tree = mime_tree(raw)
    assert tree.get_payload(1).get_payload() == b64.removesuffix("\r\n")
    same_as_stdlib(raw)


LINES = st.sampled_from([
    "--b", "--b--", "--c", "--c--", "--b  ", "-- ", "--", "-x", "From x", "From: a@b.be",
    "Subject: s", " folded", "\tfolded", "X-Y:", "Content-Type: multipart/mixed; boundary=c",
    "Content-Type: message/rfc822", "Content-Type: message/delivery-status",
    "Content-Type: text/plain", "Content-Transfer-Encoding: base64", "QUJDRA==",
    "plain words", "words: with a colon", "=E9t=E9", "caf\xe9", "",
    "--(b)", "--a.b*", "--[x]--", "Content-Type: multipart/mixed; boundary=\"(b)\"",
    "Content-Type: multipart/mixed; boundary=a.b*", "Content-Type: multipart/x; boundary=[x]",
    # header fields a run of fields may or may not hold
    "content-type: multipart/mixed; boundary=b", "CONTENT-TRANSFER-ENCODING: base64",
    "Content-type : message/rfc822", "-x: y", "X-Inbox-Audit-Fields: 0", " ", "Name : spaced",
    ":nameless", "Received: from a", "\tby b; Mon, 3 Nov 2025 09:15:00 +0100",
])
ENDS = st.sampled_from(["\n", "\r\n", "\r"])


@st.composite
def line_soup(draw) -> bytes:
    head = ("From: a@b.be\nContent-Type: multipart/mixed; boundary=b\n"
            if draw(st.booleans()) else "")
    lines = draw(st.lists(st.tuples(LINES, ENDS if draw(st.booleans()) else st.just("\n")),
                          max_size=60))
    tail = draw(st.sampled_from(["", "no line end", "\n"]))
    return (head + "".join(text + end for text, end in lines) + tail).encode(
        "utf-8", "surrogateescape")


@settings(max_examples=400, deadline=None, suppress_health_check=[
    HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(raw=line_soup())
def test_any_line_soup_gives_the_stdlib_tree(raw: bytes, hollow_everything) -> None:
    same_as_stdlib(raw)


def test_header_fields_are_replaced_then_put_back() -> None:
    received = "".join(f"Received: from mx{i}.example.be\r\n\tby mx{i + 1}.example.be; "
                       f"Mon, 3 Nov 2025 09:15:0{i} +0100\r\n" for i in range(5))
    raw = (f"{received}From: a@b.be\r\nX-Inbox-Audit-Fields: 0\r\nSubject: offerte\r\n"
           'Content-Type: multipart/mixed; boundary="xx"\r\n\r\n--xx\r\n'
           "Content-Type: text/plain\r\nX-A: 1\r\nX-B: 2\r\nX-C: 3\r\n\r\n"
           "From: quoted@c.be\r\nTo: d@e.be\r\nSubject: not a header here\r\n"
           "--xx--\r\n").encode()
    runs: list[str] = []
    skeleton = mimetree._hollow_fields(raw.decode(), runs)
    assert len(runs) == 3 and "Received" not in skeleton and "quoted@c.be" not in skeleton
    tree = mime_tree(raw)
    assert tree["X-Inbox-Audit-Fields"] == "0" and len(tree.get_all("received")) == 5
    assert tree.get_payload(0).get_payload().startswith("From: quoted@c.be\r\n")
    same_as_stdlib(raw)


def test_text_that_cannot_be_shortened_goes_to_the_stdlib_whole() -> None:
    body = "".join(f"regel {i}\n" for i in range(200))
    for raw in (f"Subject: a\n\n{body}".replace("\n", "\r", 3),  # lone CRs
                "Content-Type: message/delivery-status\n\nReporting-MTA: x\n\n" + body):
        same_as_stdlib(raw.encode())
    assert re.search("\ue000", shape(mime_tree(b"Subject: a\n\n" + body.encode())).__repr__()) \
        is None
