"""Raw mail bytes -> ``models.Message``.

mail-parser reads the MIME structure, the addresses, the Date and the attachments; the
stdlib ``email`` message it builds underneath gives us the raw headers, which we decode
ourselves because mail-parser drops 8-bit header bytes and keeps References folded.
Real-world mail is broken in every way, so every step degrades to a defect note instead
of failing; only input that cannot be a mail at all raises ``ParseError``.

``parse_message`` is a pure function of its arguments, so it can run in a process pool.
"""

from __future__ import annotations

import base64
import binascii
import email.message
import hashlib
import io
import logging
import re
import warnings
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email.header import decode_header
from email.utils import parsedate_to_datetime

import html2text
import mailparser
import pypdf
from mailparser.utils import get_addresses

from inbox_audit.models import Address, Attachment, DateSource, Message

KEPT_HEADERS = frozenset({
    "auto-submitted", "x-autoreply", "x-autorespond", "x-autoresponder", "precedence",
    "x-precedence", "return-path", "list-id", "list-unsubscribe", "list-post", "feedback-id",
    "x-auto-response-suppress", "x-mailer", "x-loop", "x-ms-exchange-generated-message-source",
    "x-failed-recipients", "content-language",
})
# Without at least one of these the bytes are not a mail we could ever use.
_IDENTIFYING = ("from", "to", "subject", "date", "message-id")
ATTACHMENT_TEXT_CAP = 20_000
_PDF_MAX_PAGES = 30
_EARLIEST = datetime(1990, 1, 1, tzinfo=UTC)
_SLACK = timedelta(days=1)
# Zone names mail-parser reads as UTC (RFC 5322 "unknown zone") but that European
# mailers really send; a CET date read as UTC would be an hour off on the clock.
_EXTRA_ZONES = {"CET": "+0100", "CEST": "+0200", "MET": "+0100", "MEST": "+0200",
                "BST": "+0100", "EET": "+0200", "EEST": "+0300", "WET": "+0000",
                "WEST": "+0100"}
_ZONE_WORD = re.compile(r"\b(" + "|".join(_EXTRA_ZONES) + r")\b\s*(\([^)]*\))?\s*$", re.I)
# mail-parser names a nameless attachment with 10 random letters + .txt/.rtf.
_INVENTED_NAME = re.compile(r"[a-z]{10}\.(txt|rtf)")
_ANGLE_ID = re.compile(r"<\s*([^<>\s]+?)\s*>")

# mail-parser and pypdf log a warning for every oddity of every broken mail; without a
# handler of their own, Python's last-resort handler would print them all on stderr.
# A NullHandler silences that while an application's own logging still sees them.
for _name in ("mailparser", "pypdf"):
    logging.getLogger(_name).addHandler(logging.NullHandler())


class ParseError(Exception):
    """The bytes cannot be a mail; ``reason`` is one line saying why."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def parse_message(raw: bytes, *, folder: str = "",
                  internaldate: datetime | None = None) -> Message:
    """Parse one mail into a ``Message``; raises only ``ParseError``.

    Problems that do not prevent reading the mail (bad charset, missing or absurd Date,
    truncated MIME, broken PDF) are listed in ``Message.defects``.
    """
    try:
        return _parse(raw, folder, internaldate)
    except ParseError:
        raise
    except Exception as exc:  # any input must end as a Message or a ParseError
        detail = " ".join(str(exc).split())[:200]
        raise ParseError(f"unreadable mail ({type(exc).__name__}: {detail})") from exc


def _parse(raw: bytes, folder: str, internaldate: datetime | None) -> Message:
    if not raw.strip():
        raise ParseError("empty message")
    mail = mailparser.parse_from_bytes(raw)
    msg: email.message.Message = mail.message
    names = {name.lower() for name, _ in msg.raw_items()}
    if not names:
        raise ParseError("no mail headers found")
    if not names.intersection(_IDENTIFYING):
        raise ParseError("no From, To, Subject, Date or Message-ID header")

    defects: list[str] = []
    sha = hashlib.sha256(raw).hexdigest()
    message_id = _first_id(_raw_header(msg, "message-id"))
    date, date_source = _message_date(mail, msg, internaldate, defects)
    text, html_only = _body_text(msg, defects)
    attachments, attachment_text = _attachments(mail.attachments, defects)
    senders = _addresses(msg, "from", defects)
    defects.extend(_mime_defects(msg))
    return Message(
        key=message_id or f"sha256:{sha}",
        message_id=message_id,
        date=date,
        date_source=date_source,
        sender=senders[0] if senders else None,
        to=_addresses(msg, "to", defects),
        cc=_addresses(msg, "cc", defects),
        subject=_header_text(_raw_header(msg, "subject") or ""),
        in_reply_to=_ids(_raw_header(msg, "in-reply-to")),
        references=_ids(_raw_header(msg, "references")),
        text=text,
        html_only=html_only,
        attachments=attachments,
        headers=tuple((name.lower(), _header_text(str(value))) for name, value in msg.raw_items()
                      if name.lower() in KEPT_HEADERS),
        content_type=msg.get_content_type(),
        folder=folder,
        raw_sha256=sha,
        size=len(raw),
        attachment_text=attachment_text,
        defects=tuple(dict.fromkeys(defects)),
    )


# --- headers ---------------------------------------------------------------------------

def _raw_headers(msg: email.message.Message, name: str) -> list[str]:
    # raw_items, not get(): compat32's get() turns 8-bit bytes into U+FFFD.
    return [str(value) for key, value in msg.raw_items() if key.lower() == name]


def _raw_header(msg: email.message.Message, name: str) -> str | None:
    values = _raw_headers(msg, name)
    return values[0] if values else None


def _decode_bytes(data: bytes, charset: str | None = None) -> tuple[str, bool]:
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


def _header_text(value: str) -> str:
    """A header as readable text: 8-bit bytes recovered, RFC 2047 decoded, unfolded."""
    # The stdlib parser keeps 8-bit header bytes as surrogate escapes.
    if any("\udc80" <= ch <= "\udcff" for ch in value):
        value = _decode_bytes(value.encode("utf-8", "surrogateescape"))[0]
    value = re.sub(r"\r?\n[ \t]*", " ", value)
    if "=?" in value:
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
                parts.append(_decode_bytes(chunk, charset)[0])
        value = "".join(parts)
    return " ".join(value.split())


def _first_id(value: str | None) -> str | None:
    ids = _ids(value)
    return ids[0] if ids else None


def _ids(value: str | None) -> tuple[str, ...]:
    """Message ids without angle brackets, in order, from a folded header with junk."""
    if not value:
        return ()
    value = _header_text(value)
    found = _ANGLE_ID.findall(value)
    if not found:  # some mailers drop the brackets
        found = [tok.strip("<>,;") for tok in value.split() if "@" in tok]
    return tuple(dict.fromkeys(i for i in found if i))


def _addresses(msg: email.message.Message, name: str,
               defects: list[str]) -> tuple[Address, ...]:
    """Every address of every ``name`` header, with RFC 2047 and 8-bit names decoded."""
    out = []
    for value in _raw_headers(msg, name):
        if any("\udc80" <= ch <= "\udcff" for ch in value):
            # mail-parser would keep 8-bit bytes as literal "\udce9" text in names.
            value = _decode_bytes(value.encode("utf-8", "surrogateescape"))[0]
        problems: list[dict] = []
        pairs = get_addresses(value, defects=problems, decode_names=True)
        if problems:
            defects.append(f"unreadable address in {name.capitalize()}")
        for display, addr in pairs:
            addr = " ".join((addr or "").split()).strip("<>").lower()
            if addr:
                out.append(Address(_header_text(display or "").strip(' "'), addr))
    return tuple(out)


# --- date ------------------------------------------------------------------------------

def _to_utc(value: datetime, defects: list[str], what: str) -> datetime:
    if value.tzinfo is None:
        defects.append(f"{what} has no time zone; taken as UTC")
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def _parse_date_text(text: str, defects: list[str], what: str) -> datetime | None:
    text = _ZONE_WORD.sub(lambda m: _EXTRA_ZONES[m.group(1).upper()], text.strip())
    try:
        value = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    return _to_utc(value, defects, what)


def _received_date(msg: email.message.Message, defects: list[str]) -> datetime | None:
    # The topmost Received header is the newest hop: the closest to when we got it.
    for value in _raw_headers(msg, "received"):
        _, sep, tail = value.rpartition(";")
        if sep:
            found = _parse_date_text(_header_text(tail), defects, "Received date")
            if found is not None:
                return found
    return None


def _message_date(mail: mailparser.MailParser, msg: email.message.Message,
                  internaldate: datetime | None,
                  defects: list[str]) -> tuple[datetime | None, DateSource]:
    now_limit = datetime.now(UTC) + _SLACK
    received = _received_date(msg, [])
    if received is not None and not _EARLIEST <= received <= now_limit:
        received = None  # a server with a broken clock proves nothing
    latest = received + _SLACK if received is not None else now_limit
    header = _raw_header(msg, "date")
    if header is None:
        defects.append("no Date header")
    else:
        value = mail.date if isinstance(mail.date, datetime) else None
        # mail-parser returns None for "9:05:07" and zone-less dates, and UTC for CET.
        if value is None or _ZONE_WORD.search(header):
            value = _parse_date_text(_header_text(header), defects, "Date")
        else:
            value = _to_utc(value, defects, "Date")
        if value is None:
            defects.append("unreadable Date header")
        elif value < _EARLIEST or value > latest:
            defects.append(f"absurd Date {value:%Y-%m-%d}")
        else:
            return value, "header"
    if received is not None:
        defects.append("time taken from Received header")
        return received, "received"
    if internaldate is not None:
        value = _to_utc(internaldate, defects, "internal date")
        if _EARLIEST <= value <= now_limit:
            defects.append("time taken from the mailbox's internal date")
            return value, "internaldate"
    defects.append("no usable time")
    return None, "none"


# --- body ------------------------------------------------------------------------------

def _is_attachment(part: email.message.Message) -> bool:
    # A named part is a file even when sent "inline" (Outlook does that with PDFs).
    return part.get_content_disposition() == "attachment" or part.get_filename() is not None


def _body_parts(part: email.message.Message) -> Iterator[email.message.Message]:
    """The leaf parts of the body; a forwarded mail attached as message/rfc822 is an
    attachment, not this mail's text."""
    if part.get_content_maintype() == "message" and part.is_multipart():
        return
    if part.is_multipart():
        for child in part.get_payload():
            if isinstance(child, email.message.Message):
                yield from _body_parts(child)
    elif not _is_attachment(part):
        yield part


def _part_text(part: email.message.Message, defects: list[str]) -> str:
    payload = part.get_payload(decode=True)
    if not isinstance(payload, bytes) or not payload:
        return ""
    charset = part.get_content_charset()
    text, guessed = _decode_bytes(payload, charset)
    if guessed and charset:
        defects.append(f"charset {charset!r} did not decode; text decoded by guess")
    return text.replace("\r\n", "\n")


def _body_text(msg: email.message.Message, defects: list[str]) -> tuple[str, bool]:
    """The text/plain body, or the HTML body as text (second value True)."""
    plain: list[str] = []
    html: list[str] = []
    for part in _body_parts(msg):
        subtype = part.get_content_type()
        if subtype == "text/plain":
            plain.append(_part_text(part, defects))
        elif subtype == "text/html":
            html.append(_part_text(part, defects))
    text = "\n".join(t for t in plain if t.strip())
    if text.strip() or not any(h.strip() for h in html):
        return text, False
    return _html_to_text("\n".join(html)), True


def _html_to_text(html: str) -> str:
    converter = html2text.HTML2Text()
    converter.ignore_links = True
    converter.ignore_images = True
    converter.ignore_emphasis = True
    converter.body_width = 0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return converter.handle(html).strip() + "\n"


# --- attachments -----------------------------------------------------------------------

def _attachments(items: list[dict], defects: list[str]) -> tuple[tuple[Attachment, ...], str]:
    found: list[Attachment] = []
    texts: list[str] = []
    budget = ATTACHMENT_TEXT_CAP
    for item in items:
        filename = _header_text(str(item.get("filename") or "")).strip("<>")
        disposition = str(item.get("content-disposition") or "").lower()
        if _INVENTED_NAME.fullmatch(filename) and "name" not in disposition:
            filename = ""  # mail-parser made up a random name: keep parsing deterministic
        ctype = str(item.get("mail_content_type") or "application/octet-stream").lower()
        payload = item.get("payload") or ""
        if item.get("binary"):
            try:
                data = base64.b64decode(payload)
            except (binascii.Error, ValueError):
                defects.append(f"attachment {filename!r} is not valid base64")
                data = b""
        else:
            data = str(payload).encode("utf-8", "surrogateescape")
        found.append(Attachment(filename, ctype, len(data)))
        if budget <= 0:
            continue
        text = ""
        if ctype == "application/pdf" or filename.lower().endswith(".pdf"):
            text = _pdf_text(data, filename, defects)
        elif ctype.startswith("text/") and ctype != "text/html":
            charset = item.get("charset")
            text = _decode_bytes(data, str(charset) if charset else None)[0]
        text = text.strip()[:budget]
        if text:
            texts.append(text)
            budget -= len(text)
    return tuple(found), "\n\n".join(texts)


def _pdf_text(data: bytes, filename: str, defects: list[str]) -> str:
    """The text of a PDF, or "" with a defect when it is broken or encrypted."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            reader = pypdf.PdfReader(io.BytesIO(data))
            if reader.is_encrypted:
                reader.decrypt("")
            pages = []
            for page in reader.pages[:_PDF_MAX_PAGES]:
                pages.append(page.extract_text() or "")
                if sum(map(len, pages)) > ATTACHMENT_TEXT_CAP:
                    break
            return "\n".join(pages)
    except Exception as exc:  # pypdf raises many types on broken files
        defects.append(f"unreadable PDF {filename!r} ({type(exc).__name__})")
        return ""


def _mime_defects(msg: email.message.Message) -> list[str]:
    found = []
    for part in msg.walk():
        for defect in part.defects:
            name = type(defect).__name__.removesuffix("Defect")
            # Spell the common ones out for the report reader.
            found.append({
                "CloseBoundaryNotFound": "truncated MIME: closing boundary missing",
                "StartBoundaryNotFound": "truncated MIME: no part found",
                "MissingHeaderBodySeparator": "header block ends without a blank line",
            }.get(name, f"MIME defect: {name}"))
    return found
