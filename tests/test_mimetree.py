"""``mimetree.mime_tree`` builds exactly the tree ``email.message_from_bytes`` builds:
the same parts, headers, payloads, preambles, epilogues and defects, on real mail from
three corpora and on random line soup made of every kind of line that steers the
stdlib parser (boundaries, headers, continuations, "From " lines, blank lines, lone CRs,
message/rfc822 and delivery-status parts). Both of its ways are checked on their own:
the direct builder for well-formed mail (on mail it takes, and on random MIME trees
with random damage), and the shortened feed parser that everything else goes through."""

from __future__ import annotations

import email
import email.feedparser
import email.message
import re
from collections.abc import Callable

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
    """No direct builder, and every run replaced however short (of body lines and of
    header fields), so that random mail exercises the markers."""
    def unusual(*args: object) -> email.message.Message:
        raise mimetree._Unusual
    monkeypatch.setattr(mimetree, "_part", unusual)
    monkeypatch.setattr(mimetree, "_MIN_RUN", 0)
    monkeypatch.setattr(mimetree, "_MIN_FIELD_LINES", 0)


def direct(raw: bytes) -> bool:
    """True if the direct builder takes this mail (and then gives the stdlib's tree)."""
    text = raw.decode("ascii", "surrogateescape")
    if "\r" in text and text.count("\r") != text.count("\r\n"):
        return False  # mime_tree never hands lone CRs to the builder
    try:
        tree = mimetree._part(text, 0, len(text), 0)
    except mimetree._Unusual:
        return False
    assert shape(tree) == shape(stdlib_tree(raw))
    return True


def real_mails() -> list[bytes]:
    files = spam_files() + sorted((REPO / "samples").rglob("*.mbox"))
    data = cpython_data()
    if data is not None:
        files += sorted(data.glob("msg_*.txt"))
    mails = [raw.raw for raw in iter_raw_mail(files)]
    assert len(mails) > 6_000
    return mails


def test_real_mail_gives_the_stdlib_tree() -> None:
    mails = real_mails()
    taken = 0
    for raw in mails:
        same_as_stdlib(raw)
        taken += direct(raw)
    assert taken > len(mails) * 3 // 4  # most mail is built directly


def test_real_mail_gives_the_stdlib_tree_through_the_feed_parser(hollow_everything) -> None:
    mails = real_mails()
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


def test_well_formed_mail_is_built_directly_and_the_rest_is_not() -> None:
    inner = ('Content-Type: multipart/alternative; boundary="alt"\r\n\r\n--alt\r\n'
             "Content-Type: text/plain; charset=utf-8\r\n\r\nPrijs: 1.250 EUR\r\n\r\n"
             "--alt\r\nContent-Type: text/html\r\n\r\n<p>Prijs</p>\r\n--alt--\r\n\r\n")
    mail = ("From: a@b.be\r\nReceived: from x\r\n\tby y\r\nSubject: offerte\r\n"
            'Content-Type: multipart/mixed;\r\n\tboundary="mix"\r\n\r\n'
            "This is a multi-part message in MIME format.\r\n--mix\r\n" + inner +
            "--mix\r\nContent-Type: application/pdf; name=o.pdf\r\n"
            "Content-Transfer-Encoding: base64\r\n\r\nJVBERi0=\r\n--mix--\r\nepilogue\r\n")
    assert direct(mail.encode())
    tree = mime_tree(mail.encode())
    assert tree.preamble == "This is a multi-part message in MIME format."
    assert tree.get_payload(0).epilogue == "" and tree.epilogue == "epilogue\r\n"
    for unusual in (mail.replace("--mix--", "--mix-"),  # no closing boundary
                    mail.replace("multipart/mixed", "multipart/digest"),
                    mail.replace("Subject: offerte", "Subject offerte"),  # not a field
                    mail.replace("\r\n--mix\r\nContent-Type: app", "\r\n--mix\r\n--mix\r\n"
                                 "Content-Type: app"),  # a doubled boundary line
                    mail.replace("application/pdf; name=o.pdf", "message/delivery-status")):
        assert not direct(unusual.encode())
        same_as_stdlib(unusual.encode())


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


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(raw=line_soup())
def test_any_line_soup_gives_the_stdlib_tree_directly(raw: bytes) -> None:
    direct(raw)
    same_as_stdlib(raw)


BOUNDARY_PIECES = st.sampled_from([
    "multipart/mixed", "Multipart/Related", "text/plain", ";", "; ", ";\n\t", " ", "\t",
    "\x0c", "=", "boundary", "BOUNDARY", "Boundary", "boundary*", "boundary*0", "name",
    "type", '"', "\\", "<", ">", "*", "b", "a b", "=_x", "''", "(c)", "caf\xe9", "utf-8''x"])


@settings(max_examples=1_000, deadline=None)
@given(pieces=st.lists(BOUNDARY_PIECES, max_size=12))
def test_the_boundary_is_the_stdlib_one(pieces: list[str]) -> None:
    def outcome(read: Callable[..., str | None], *args: object) -> object:
        try:
            return read(*args)
        except Exception as exc:  # some RFC 2231 pieces break the stdlib's reader
            return type(exc)

    for value in ("".join(pieces), 'multipart/mixed; boundary="' + "".join(pieces) + '"',
                  "multipart/mixed; boundary=" + "".join(pieces)):
        msg = email.message.Message()
        msg["Content-Type"] = value
        assert outcome(mimetree._boundary, msg, value) == outcome(msg.get_boundary), value


def test_a_simple_boundary_skips_the_general_parser() -> None:
    for value, boundary in [('multipart/mixed; boundary="----=_Part_1 "', "----=_Part_1"),
                            ("multipart/alternative;\r\n\tBOUNDARY=a=b", "a=b")]:
        assert mimetree._SIMPLE_BOUNDARY.fullmatch(value) is not None
        msg = email.message.Message()
        msg["Content-Type"] = value
        assert mimetree._boundary(msg, value) == msg.get_boundary() == boundary


BOUNDARIES = ["b", "c", "b2", "(b)", "a.b*", "b c", "=_d", "e"]
HEADER_LINES = ["From: a@b.be", "Subject: s", "X-Y:", "X-Z:  spaced", "X-F: a\n folded",
                "Received: a\n\tfolded\n ", "-x: y", "Subject: caf\xe9", "Content-Type: text",
                "Content-Transfer-Encoding: 7bit", "Content-Disposition: inline",
                "Content-Type: text/html; charset=utf-8"]
# Lines the direct builder leaves to the feed parser (or that end a header block).
ODD_HEADER_LINES = ["Name : spaced", ":nameless", "From x", "caf\xe9: x", "plain words",
                    " folded", "Content-Type: message/rfc822", "Content-Transfer-Encoding: base64"]
BODY_LINES = ["plain words", "QUJDRA==", "", " ", "From x", "From: a", "-- ", "--", "-x",
              "words: with a colon", "caf\xe9", "\t"]


@st.composite
def mime_soup(draw, depth: int = 0) -> str:
    """A random MIME part, mostly well formed: header lines (maybe one of them odd),
    then either a body of random lines or multipart parts between boundary lines,
    with a preamble and an epilogue, and maybe a little damage (a boundary line
    dropped, doubled or closing early, a part with no body)."""
    lines = draw(st.lists(st.sampled_from(HEADER_LINES), max_size=3))
    if draw(st.integers(0, 9)) == 0:
        lines.insert(draw(st.integers(0, len(lines))), draw(st.sampled_from(ODD_HEADER_LINES)))
    if depth < 3 and draw(st.booleans()):
        boundary = draw(st.sampled_from(BOUNDARIES))
        quoted = f'"{boundary}"' if draw(st.booleans()) else boundary
        subtype = draw(st.sampled_from(["mixed", "alternative", "related"] * 3 + ["digest"]))
        lines.insert(draw(st.integers(0, len(lines))),
                     f"Content-Type: multipart/{subtype}; boundary={quoted}")
        body = draw(st.lists(st.sampled_from(BODY_LINES), max_size=2))
        separator = "--" + boundary
        for child in draw(st.lists(mime_soup(depth + 1), min_size=1, max_size=3)):
            body += [separator + draw(st.sampled_from(["", "", "", "", " ", "\t", "x"])), child]
        body += [separator + "--" + draw(st.sampled_from(["", "", "", "", " ", "--"]))]
        body += draw(st.lists(st.sampled_from([*BODY_LINES, separator]), max_size=2))
        damage = draw(st.integers(0, 19))
        if damage == 0 and len(body) > 1:
            del body[draw(st.integers(0, len(body) - 1))]
        elif damage == 1:
            body.insert(draw(st.integers(0, len(body))), separator)
    else:
        body = draw(st.lists(st.sampled_from(BODY_LINES), max_size=4))
    blank = draw(st.sampled_from(["", "", "", "", "", "", "", "", "", "missing"]))
    return "\n".join(lines + ([] if blank == "missing" else [blank]) + body)


@st.composite
def mime_soup_mail(draw) -> bytes:
    text = draw(mime_soup())
    if draw(st.booleans()):
        text = text.replace("\n", "\r\n")
    text = draw(st.sampled_from(["", "From sender@x.be Mon Nov  3 10:15:00 2025\n"])) + text
    return (text + draw(st.sampled_from(["", "\n", "\r\n"]))).encode("utf-8",
                                                                  "surrogateescape")


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(raw=mime_soup_mail())
def test_any_mime_soup_gives_the_stdlib_tree(raw: bytes) -> None:
    direct(raw)
    same_as_stdlib(raw)


def test_mime_soup_is_mostly_built_directly() -> None:
    # The strategy must really reach the direct builder, not only its way out.
    taken = []

    @settings(max_examples=150, deadline=None, database=None,
              suppress_health_check=[HealthCheck.too_slow])
    @given(raw=mime_soup_mail())
    def count(raw: bytes) -> None:
        taken.append(direct(raw))

    count()
    assert sum(taken) > len(taken) // 4


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
