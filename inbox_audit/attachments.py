"""Attachments of a parsed mail: name, type, size, and the text the classifier may read.

Attachment bytes are never written anywhere: the store keeps only the name, type and
size of each attachment (plus the raw mail, unless ``keep_raw = false``), and a name is
only ever text, never a path. Reading is bounded: a binary attachment is measured from
its base64 length without decoding it, only PDFs up to ``PDF_MAX_BYTES`` and text
attachments are decoded, and all attachment text together is cut at
``ATTACHMENT_TEXT_CAP`` characters. PDF text comes from PDFium (pypdfium2) in every
process, so the text stored for a mail does not depend on which process parsed it.
"""

from __future__ import annotations

import base64
import binascii
import email.message
import re
import threading
from typing import TYPE_CHECKING

from inbox_audit.mimetext import PartIndex, content_charset, decode_bytes, header_text
from inbox_audit.models import Attachment

if TYPE_CHECKING:
    import pypdfium2

# Characters of attachment text kept per message (all attachments together).
ATTACHMENT_TEXT_CAP = 20_000
# Larger PDFs are listed but not read: reading time grows with the file, and a quote
# that matters is a few pages, not a 50 MB brochure.
PDF_MAX_BYTES = 10 * 1024 * 1024
PDF_MAX_PAGES = 30
# A mail bigger than this has each base64 run longer than ``BASE64_RUN_CUT`` (an
# attachment's encoded bytes) replaced by a short size marker before parsing: Python's
# email parser needs about 8 times a message's size in memory, and an attachment that
# big is listed with its size but never read anyway. The stored raw mail stays whole.
SHRINK_ABOVE = 24 * 1024 * 1024
BASE64_RUN_CUT = 1024 * 1024
# A stretch of base64 characters and line breaks (one character class: the regex engine
# runs through it without keeping any backtracking state).
_B64_RUN = re.compile(rb"[A-Za-z0-9+/\r\n]{%d,}" % BASE64_RUN_CUT)
_CUT_MARK = b"\x00inbox-audit:cut:"
_B64_WHITESPACE = ("\n", "\r", " ", "\t")


def read_attachments(msg: email.message.Message, defects: list[str],
                     parts: PartIndex | None = None) -> tuple[tuple[Attachment, ...], str]:
    """The attachments of a parsed mail -> (attachments, their text for the classifier).

    An attachment is a part with a file name, a part with a Content-ID that is not a
    text body (an inline image), an RTF part, or any part (a forwarded mail too) sent
    with ``Content-Disposition: attachment``; the same choice mail-parser makes.
    ``parts`` shares what is read of the parts' headers with other readers of the mail.
    """
    parts = parts or PartIndex()
    found: list[Attachment] = []
    texts: list[str] = []
    budget = ATTACHMENT_TEXT_CAP
    for part in msg.walk():
        facts = parts.of(part)
        disposition = facts.disposition
        if part.is_multipart() and disposition != "attachment":
            continue
        # A file name is display text only: path parts are kept as written, never used.
        filename = header_text(str(facts.filename or "")).strip("<>")
        subtype = facts.subtype
        if not filename:
            content_id = str(part.get("content-id") or "")
            if content_id and subtype not in ("html", "plain"):
                filename = header_text(content_id).strip("<>")
            elif subtype != "rtf" and disposition != "attachment":
                continue  # a body part, not an attachment
        ctype = facts.content_type
        binary = False
        if part.is_multipart():
            payload: str | bytes = "".join(_as_text(p) for p in part.get_payload())
        elif str(part.get("content-transfer-encoding", "")).strip().lower() == "base64":
            payload = str(part.get_payload(decode=False) or "")
            binary = True
        else:
            payload = part.get_payload(decode=True) or b""
        is_pdf = ctype == "application/pdf" or filename.lower().endswith(".pdf")
        is_text = ctype.startswith("text/") and ctype != "text/html"
        if binary:
            size, shrunk = _b64_size(payload), _cut_size(payload)
        else:
            size, shrunk = len(payload.encode("utf-8", "surrogateescape")
                               if isinstance(payload, str) else payload), None
        found.append(Attachment(filename, ctype, size if shrunk is None else shrunk))
        if budget <= 0 or not (is_pdf or is_text) or shrunk is not None:
            continue  # never decoded: nothing would read it
        if is_pdf and size > PDF_MAX_BYTES:
            defects.append(f"PDF {filename!r} of {size // 1_048_576} MB not read "
                           f"(limit {PDF_MAX_BYTES // 1_048_576} MB)")
            continue
        if binary:
            # Text needs only its start; a PDF needs all of it (at most PDF_MAX_BYTES).
            data = _b64_decode(payload, None if is_pdf else budget * 4, filename, defects)
        elif isinstance(payload, str):
            data = payload[:budget * 4].encode("utf-8", "surrogateescape")
        else:
            data = payload[:budget * 4]
        if is_pdf:
            text = pdf_text(data, filename, defects)
        else:
            text = decode_bytes(data, content_charset(part))[0]
        text = text.strip()[:budget]
        if text:
            texts.append(text)
            budget -= len(text)
    return tuple(found), "\n\n".join(texts)


def _as_text(part: object) -> str:
    """A sub-message of a multipart attachment as text (never raises)."""
    if not isinstance(part, email.message.Message):
        return str(part)
    try:
        return part.as_string()
    except Exception:  # broken headers or charsets: what is readable of it
        return str(part.get_payload())


def shrink_base64(raw: bytes, defects: list[str]) -> bytes:
    """``raw`` with every long base64 run replaced by a marker holding its decoded size,
    when ``raw`` is bigger than ``SHRINK_ABOVE``; else ``raw`` itself."""
    if len(raw) <= SHRINK_ABOVE:
        return raw
    out: list[bytes] = []
    pos = 0
    cut = 0
    for match in _B64_RUN.finditer(raw):
        span = _full_lines(raw, match.start(), match.end())
        if span is None:
            continue
        start, end, chars = span
        newline = b"\r\n" if raw[end - 2:end] == b"\r\n" else b"\n"
        out += [raw[pos:start], _marker(chars * 3 // 4) + newline]
        pos = end
        cut += 1
    if not cut:
        return raw
    out.append(raw[pos:])
    defects.append(f"mail of {len(raw) // 1_048_576} MB: {cut} attachment(s) over "
                   f"{BASE64_RUN_CUT // 1_048_576} MB measured, not read")
    return b"".join(out)


def _full_lines(raw: bytes, start: int, end: int) -> tuple[int, int, int] | None:
    """Within ``raw[start:end]``, the first long stretch of whole base64 lines of 60 to
    100 characters, each a multiple of 4 (so cutting it keeps the stream aligned):
    (start, end, base64 characters), or None when there is no such stretch."""
    first = raw.find(b"\n", start, end)
    if first < 0:
        return None
    # The run may begin inside a header line ("...: base64" + blank line): skip to the
    # first line that is all base64.
    begin = pos = first + 1
    chars = 0
    while pos < end:
        stop = raw.find(b"\n", pos, end)
        if stop < 0:
            break
        width = stop - pos - (raw[stop - 1:stop] == b"\r")
        if 60 <= width <= 100 and width % 4 == 0:
            chars += width
        elif chars >= BASE64_RUN_CUT:
            break
        else:
            begin, chars = stop + 1, 0  # a blank or short line: start counting again
        pos = stop + 1
    if chars < BASE64_RUN_CUT:
        return None
    return begin, pos, chars


def _marker(size: int) -> bytes:
    # 17 + 16 bytes: a multiple of 3, so its base64 has no padding and the rest of the
    # stream decodes as before.
    return base64.b64encode(_CUT_MARK + b"%016d" % size)


def _cut_size(payload: str) -> int | None:
    """The real size of a shrunk attachment (marker size + what followed it)."""
    head = payload.lstrip()[:48]
    if len(payload) > 4096 or not head:
        return None
    try:
        data = base64.b64decode("".join(payload.split()))
    except (binascii.Error, ValueError):
        return None
    if not data.startswith(_CUT_MARK):
        return None
    digits = data[len(_CUT_MARK):len(_CUT_MARK) + 16]
    return int(digits) + len(data) - len(_CUT_MARK) - 16 if digits.isdigit() else None


def _b64_size(payload: str) -> int:
    """Decoded size of base64 text, computed without decoding (or copying) it."""
    chars = len(payload) - sum(payload.count(c) for c in _B64_WHITESPACE)
    tail = payload.rstrip()
    padding = 2 if tail.endswith("==") else 1 if tail.endswith("=") else 0
    return max(0, chars * 3 // 4 - padding)


def _b64_decode(payload: str, limit: int | None, filename: str,
                defects: list[str]) -> bytes:
    """The decoded bytes (only about ``limit`` of them when given)."""
    if limit is not None:
        # Whitespace is at most one line break per 76 characters: twice as much text
        # always holds enough characters.
        chunk = "".join(payload[:limit * 2].split())
        payload = chunk[:len(chunk) // 4 * 4]
    try:
        return base64.b64decode(payload)
    except (binascii.Error, ValueError):
        defects.append(f"attachment {filename!r} is not valid base64")
        return b""


# PDFium is not thread-safe; parsing runs on one thread per process, the lock keeps that
# true should two threads ever parse at once.
_PDFIUM_LOCK = threading.Lock()
_TRAILING_BLANKS = re.compile(r"[ \t]+$", re.MULTILINE)


def pdf_text(data: bytes, filename: str, defects: list[str]) -> str:
    """The text of a PDF's first ``PDF_MAX_PAGES`` pages (no further page once
    ``ATTACHMENT_TEXT_CAP`` characters are passed), pages and lines separated by "\\n";
    or "" and one defect when the file is broken, truncated, locked with a password or
    otherwise unreadable. A PDF encrypted without a user password is read.

    PDFium reads it in every process (no other reader as a fallback), so a mail is stored
    with the same text whether a parse worker or the importing process read it."""
    import pypdfium2  # here: a run that meets no PDF does not load the library

    raw = pypdfium2.raw
    with _PDFIUM_LOCK:
        # Opened here rather than by PdfDocument(data), which raises on a PDF with no
        # pages without closing the document it loaded (a leak per such file).
        handle = raw.FPDF_LoadMemDocument64(data, len(data), None)
        if not handle:
            reason = {raw.FPDF_ERR_PASSWORD: "encrypted with a password",
                      raw.FPDF_ERR_SECURITY: "unsupported encryption"}
            defects.append(_unreadable(filename, reason.get(raw.FPDF_GetLastError())))
            return ""
        # The document reads ``data`` in place: ``data`` is held until it is closed.
        doc = pypdfium2.PdfDocument(handle)
        try:
            return "\n".join(_page_texts(doc))
        except Exception:  # a page PDFium cannot load: the file is damaged
            defects.append(_unreadable(filename, "damaged page"))
            return ""
        finally:
            doc.close()


def _page_texts(doc: pypdfium2.PdfDocument) -> list[str]:
    """The text of each page read (``pdf_text``'s limits), each closed once read: the
    memory is PDFium's, not Python's, and a long import reads thousands of PDFs."""
    texts: list[str] = []
    total = 0
    for number in range(min(len(doc), PDF_MAX_PAGES)):
        page = doc[number]
        try:
            textpage = page.get_textpage()
            try:
                text = _plain(textpage.get_text_range())
            finally:
                textpage.close()
        finally:
            page.close()
        texts.append(text)
        total += len(text)
        if total > ATTACHMENT_TEXT_CAP:
            break
    return texts


def _plain(text: str) -> str:
    """PDFium's page text as the rest of the code reads text: "\\n" line ends (PDFium
    writes "\\r\\n"), no NULs or form feeds, no blanks at line ends."""
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if "\ufffe" in text:
        # PDFium joins a line that ends in a hyphen to the next one and marks the hyphen
        # U+FFFE; put back the hyphen and the line break as drawn, so no word is made up.
        text = text.replace("\ufffe", "-\n")
    if "\x00" in text:
        text = text.replace("\x00", "")
    if "\f" in text or "\v" in text:
        text = text.replace("\f", "\n").replace("\v", "\n")
    return _TRAILING_BLANKS.sub("", text)


def _unreadable(filename: str, reason: str | None) -> str:
    return f"unreadable PDF {filename!r} ({reason or 'damaged or not a PDF'})"
