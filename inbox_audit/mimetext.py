"""Text out of MIME: bytes in any (or a wrong) charset, RFC 2047 headers, and the body
text of a mail (its text/plain parts, else its HTML as text), within fixed limits.

The limits keep one message's time and memory bounded whatever it holds; past a limit
the text is cut and the cut is named in the message's defects (docs/reliability.md).
"""

from __future__ import annotations

import email.message
import re
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from email.header import decode_header

import html2text

# Body text kept, in characters: classification reads the new text at the top.
BODY_TEXT_CAP = 100_000
# HTML converted to text, in characters (after dropping styles, scripts and inline
# images): html2text needs about 1.7 s per MB.
HTML_INPUT_CAP = 300_000
# MIME parts nested deeper than this are not read for body text.
MIME_DEPTH_CAP = 50
# What an HTML body carries that is no text: styles, scripts, comments, inline images.
_NOISE_TAGS = (("<style", "</style>"), ("<script", "</script>"), ("<!--", "-->"))
_ESCAPED_BYTE = re.compile("[\udc80-\udcff]")
_FOLD = re.compile(r"\r?\n[ \t]*")
_DATA_URI = re.compile(r"data:[a-z0-9.+/-]+;base64,[a-z0-9+/=\s]*", re.I)


def decode_bytes(data: bytes, charset: str | None = None) -> tuple[str, bool]:
    """Decode with the declared charset, then utf-8, then cp1252; True if it had to guess."""
    if charset:
        try:
            text = data.decode(charset)
            text.encode("utf-8")  # some codecs (utf-16) can yield lone surrogates
            return text, False
        except (LookupError, ValueError, TypeError):
            pass
    try:
        return data.decode("utf-8"), charset is not None
    except UnicodeDecodeError:
        # cp1252 is what 8-bit Western mail almost always is; latin-1 never fails.
        try:
            return data.decode("cp1252"), True
        except UnicodeDecodeError:
            return data.decode("latin-1"), True


def has_8bit(value: str) -> bool:
    """True if ``value`` holds 8-bit header bytes (kept by the stdlib parser as
    surrogate escapes)."""
    return not value.isascii() and _ESCAPED_BYTE.search(value) is not None


def header_text(value: str) -> str:
    """A header as readable text: 8-bit bytes recovered, RFC 2047 decoded, unfolded."""
    # The stdlib parser keeps 8-bit header bytes as surrogate escapes.
    if has_8bit(value):
        value = decode_bytes(value.encode("utf-8", "surrogateescape"))[0]
    if "=?" in value:
        value = _FOLD.sub(" ", value)
        try:
            chunks = decode_header(value)
        except Exception:  # malformed encoded words: keep the text as it came
            chunks = [(value, None)]
        parts = []
        for chunk, charset in chunks:
            if isinstance(chunk, str):
                parts.append(chunk)
            elif charset is None:  # unencoded run, returned by decode_header as escapes
                parts.append(chunk.decode("raw-unicode-escape", "replace"))
            else:
                parts.append(decode_bytes(chunk, charset)[0])
        value = "".join(parts)
    return " ".join(value.split())


@dataclass(frozen=True, slots=True)
class PartFacts:
    """What the body and attachment readers ask of a MIME part, read from its headers
    once (the stdlib re-parses a header on every question)."""

    content_type: str  # lower case, with the stdlib's defaults ("text/plain", ...)
    disposition: str  # lower case; "" when the part has no Content-Disposition
    filename: str | None  # as written, still encoded

    @property
    def maintype(self) -> str:
        return self.content_type.partition("/")[0]

    @property
    def subtype(self) -> str:
        return self.content_type.partition("/")[2]

    @property
    def is_attachment(self) -> bool:
        # A named part is a file even when sent "inline" (Outlook does that with PDFs).
        return self.disposition == "attachment" or self.filename is not None


class PartIndex:
    """``PartFacts`` of the parts of one parsed mail, each read on first use."""

    def __init__(self) -> None:
        self._facts: dict[int, PartFacts] = {}

    def of(self, part: email.message.Message) -> PartFacts:
        # Keyed by id(): the parts live as long as the mail they belong to.
        facts = self._facts.get(id(part))
        if facts is None:
            facts = self._facts[id(part)] = _part_facts(part)
        return facts


# PartFacts and charsets by the header values they are read from (the same few recur
# in part after part, mail after mail); each memo starts over past _MEMO_SIZE entries.
_MEMO_SIZE = 10_000
_FACTS: dict[tuple[str | None, str | None, str], PartFacts] = {}
_CHARSETS: dict[str, str | None] = {}


def _part_facts(part: email.message.Message) -> PartFacts:
    """``PartFacts`` as ``get_content_type()``, ``get_content_disposition()`` and
    ``get_filename()`` give them, from one pass over the part's headers (each ``get``
    lower-cases every header name of the part, and a mail's own header block is long)."""
    content_type = disposition = None
    for field in part._headers:  # the order get() searches in
        lower = field[0].lower()
        if lower == "content-type":
            if content_type is None:
                content_type = field
        elif lower == "content-disposition" and disposition is None:
            disposition = field
    # The answers depend on these values alone (and on the default type); values with
    # 8-bit bytes, which the stdlib reads as Header objects, are not memoised.
    type_value = None if content_type is None else content_type[1]
    disposition_value = None if disposition is None else disposition[1]
    if ((type_value is None or type_value.isascii())
            and (disposition_value is None or disposition_value.isascii())):
        key = (type_value, disposition_value, part.get_default_type())
        facts = _FACTS.get(key)
        if facts is None:
            if len(_FACTS) >= _MEMO_SIZE:
                _FACTS.clear()
            facts = _FACTS[key] = _read_facts(part, content_type, disposition)
        return facts
    return _read_facts(part, content_type, disposition)


def content_charset(part: email.message.Message) -> str | None:
    """``part.get_content_charset()``, remembered by the Content-Type value."""
    value = next((v for name, v in part._headers if name.lower() == "content-type"), None)
    if value is None or not value.isascii():
        return part.get_content_charset()
    try:
        return _CHARSETS[value]
    except KeyError:
        if len(_CHARSETS) >= _MEMO_SIZE:
            _CHARSETS.clear()
        charset = _CHARSETS[value] = part.get_content_charset()
        return charset


def _read_facts(part: email.message.Message, type_field: tuple[str, str] | None,
                disposition_field: tuple[str, str] | None) -> PartFacts:
    """``_part_facts`` from the first Content-Type and Content-Disposition fields."""
    fetch = part.policy.header_fetch_parse
    content_type = None if type_field is None else fetch(*type_field)
    disposition = None if disposition_field is None else fetch(*disposition_field)
    if content_type is None:
        ctype = part.get_default_type()
    else:
        ctype = _main_value(content_type)
        if ctype.count("/") != 1:  # RFC 2045 5.2: an invalid type reads as text/plain
            ctype = "text/plain"
    # A file name is the "filename" parameter of Content-Disposition or the "name"
    # parameter of Content-Type (RFC 2231 pieces "filename*0*" included): a part whose
    # two headers do not contain "name" has none, and their parameters are not parsed.
    named = any(value is not None and "name" in str(value).lower()
                for value in (disposition, content_type))
    return PartFacts(ctype, "" if disposition is None else _main_value(disposition),
                     part.get_filename() if named else None)


def _main_value(value: object) -> str:
    # What the stdlib's ``_splitparam(value)[0].lower()`` gives: the value before any
    # parameters.
    return str(value).partition(";")[0].strip().lower()


def _body_parts(msg: email.message.Message, defects: list[str],
                parts: PartIndex) -> Iterator[email.message.Message]:
    """The leaf parts of the body, in order, down to ``MIME_DEPTH_CAP`` levels; a
    forwarded mail attached as message/rfc822 is an attachment, not this mail's text."""
    stack = [(msg, 0)]
    while stack:
        part, depth = stack.pop()
        if part.is_multipart() and parts.of(part).maintype == "message":
            continue
        if part.is_multipart():
            if depth >= MIME_DEPTH_CAP:
                defects.append(f"MIME parts nested deeper than {MIME_DEPTH_CAP} levels "
                               "not read")
                continue
            children = [c for c in part.get_payload() if isinstance(c, email.message.Message)]
            stack.extend((child, depth + 1) for child in reversed(children))
        elif not parts.of(part).is_attachment:
            yield part


def _part_text(part: email.message.Message, defects: list[str]) -> str:
    payload = part.get_payload(decode=True)
    if not isinstance(payload, bytes) or not payload:
        return ""
    charset = content_charset(part)
    text, guessed = decode_bytes(payload, charset)
    if guessed and charset:
        defects.append(f"charset {charset!r} did not decode; text decoded by guess")
    return text.replace("\r\n", "\n")


def body_text(msg: email.message.Message, defects: list[str],
              parts: PartIndex | None = None) -> tuple[str, bool]:
    """The text/plain body, or the HTML body as text (second value True); at most
    ``BODY_TEXT_CAP`` characters. ``parts`` shares what is read of the parts' headers
    with other readers of the same mail."""
    parts = parts or PartIndex()
    plain: list[str] = []
    html_parts: list[email.message.Message] = []
    for part in _body_parts(msg, defects, parts):
        subtype = parts.of(part).content_type
        if subtype == "text/plain":
            plain.append(_part_text(part, defects))
        elif subtype == "text/html":
            html_parts.append(part)
    text = "\n".join(t for t in plain if t.strip())
    # The HTML is only decoded (and its charset problems only noted) when it is the text.
    html = [_part_text(part, defects) for part in html_parts] if not text.strip() else []
    html_only = any(h.strip() for h in html)
    if html_only:
        text = _html_to_text(_trim_html("\n".join(html), defects))
    if len(text) > BODY_TEXT_CAP:
        defects.append(f"body text of {len(text):,} characters cut at {BODY_TEXT_CAP:,}")
        text = text[:BODY_TEXT_CAP]
    return text, html_only


def _trim_html(html: str, defects: list[str]) -> str:
    """At most ``HTML_INPUT_CAP`` characters of HTML, after dropping what holds no text
    (styles, scripts, comments, inline images) so that the cut keeps the most text."""
    if len(html) <= HTML_INPUT_CAP:
        return html
    html = _DATA_URI.sub("", _drop_noise(html))
    if len(html) > HTML_INPUT_CAP:
        defects.append(f"HTML body of {len(html):,} characters read up to "
                       f"{HTML_INPUT_CAP:,}")
        html = html[:HTML_INPUT_CAP]
    return html


def _drop_noise(html: str) -> str:
    """``html`` without <style>/<script> blocks and comments, in one linear pass (a
    regex would rescan to the end for every unclosed tag)."""
    lower = html.lower()
    out: list[str] = []
    pos = 0
    while True:
        starts = [(i, close) for opener, close in _NOISE_TAGS
                  if (i := lower.find(opener, pos)) >= 0]
        if not starts:
            out.append(html[pos:])
            return "".join(out)
        start, close = min(starts)
        out.append(html[pos:start])
        end = lower.find(close, start)
        if end < 0:
            return "".join(out)  # never closed: the rest is not text
        pos = end + len(close)


def _html_to_text(html: str) -> str:
    converter = html2text.HTML2Text()
    converter.ignore_links = True
    converter.ignore_images = True
    converter.ignore_emphasis = True
    converter.body_width = 0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return converter.handle(html).strip() + "\n"
