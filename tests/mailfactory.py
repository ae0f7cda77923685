"""Build test mail, mboxes, maildirs and PDFs at test time (no binary fixtures)."""

from __future__ import annotations

import base64
import re
from collections.abc import Iterable, Sequence
from pathlib import Path

Headers = Sequence[tuple[str, str | bytes]]


def raw_mail(headers: Headers, body: str | bytes = "", *, crlf: bool = False) -> bytes:
    """Exactly these header lines, a blank line, then the body; nothing is encoded."""
    lines = []
    for name, value in headers:
        value = value if isinstance(value, bytes) else value.encode("utf-8")
        lines.append(name.encode("ascii") + b": " + value)
    body = body if isinstance(body, bytes) else body.encode("utf-8")
    raw = b"\n".join(lines) + b"\n\n" + body
    return raw.replace(b"\n", b"\r\n") if crlf else raw


def mail(*, subject: str = "Offerte bestelwagen", sender: str = "Jan <jan@garage-peeters.be>",
         to: str = "me@buyer.be", date: str | None = "Mon, 03 Nov 2025 10:15:00 +0100",
         message_id: str | None = "<m1@garage-peeters.be>", body: str = "Hallo,\n\nPrijs.\n",
         extra: Headers = (), content_type: str = "text/plain; charset=utf-8",
         crlf: bool = False) -> bytes:
    """A simple valid text mail; pass None to leave out Date or Message-ID."""
    headers: list[tuple[str, str | bytes]] = [("From", sender), ("To", to),
                                              ("Subject", subject)]
    if date is not None:
        headers.append(("Date", date))
    if message_id is not None:
        headers.append(("Message-ID", message_id))
    headers += [("MIME-Version", "1.0"), ("Content-Type", content_type), *extra]
    return raw_mail(headers, body, crlf=crlf)


def part(content_type: str, body: str | bytes, *, filename: str | None = None,
         base64_encode: bool = False) -> bytes:
    """One MIME part (headers + body) for ``multipart``."""
    lines = [f"Content-Type: {content_type}"]
    if filename is not None:
        lines.append(f'Content-Disposition: attachment; filename="{filename}"')
    data = body if isinstance(body, bytes) else body.encode("utf-8")
    if base64_encode:
        lines.append("Content-Transfer-Encoding: base64")
        data = base64.encodebytes(data)
    return "\n".join(lines).encode() + b"\n\n" + data


def multipart(parts: Iterable[bytes], *, subtype: str = "mixed", headers: Headers = (),
              close: bool = True, boundary: str = "=-=BOUNDARY=-=") -> bytes:
    """A multipart mail; ``close=False`` leaves out the closing boundary (truncated)."""
    base: list[tuple[str, str | bytes]] = [
        ("From", "Jan <jan@garage-peeters.be>"), ("To", "me@buyer.be"),
        ("Subject", "Offerte"), ("Date", "Mon, 03 Nov 2025 10:15:00 +0100"),
        ("Message-ID", "<mp@garage-peeters.be>"), ("MIME-Version", "1.0"),
    ]
    names = {name.lower() for name, _ in headers}
    base = [(n, v) for n, v in base if n.lower() not in names] + list(headers)
    base.append(("Content-Type", f'multipart/{subtype}; boundary="{boundary}"'))
    body = b"".join(b"--" + boundary.encode() + b"\n" + p + b"\n" for p in parts)
    if close:
        body += b"--" + boundary.encode() + b"--\n"
    return raw_mail(base, body)


def tiny_pdf(*lines: str) -> bytes:
    """A small valid one-page PDF whose text layer holds ``lines``."""
    def esc(text: str) -> str:
        return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")

    ops = ["BT", "/F1 12 Tf", "72 720 Td", "14 TL"]
    ops += [f"({esc(line)}) Tj T*" for line in lines]
    ops.append("ET")
    stream = "\n".join(ops).encode("latin-1")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
    ]
    return pdf_file(objects)


def pdf_file(objects: list[bytes], trailer: bytes = b"") -> bytes:
    """A PDF file of ``objects`` (numbered from 1, the first the catalog) with its
    cross-reference table; ``trailer`` adds entries to the trailer dictionary."""
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, obj in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + obj + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % off for off in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R%s >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1, trailer, xref)
    return bytes(out)


def mbox(messages: Iterable[bytes], *, crlf: bool = False) -> bytes:
    """An mboxrd file: From_ separator lines, ">From " escaping, blank line after each."""
    out = bytearray()
    for raw in messages:
        raw = raw.replace(b"\r\n", b"\n")
        body = re.sub(rb"(?m)^(>*From )", rb">\1", raw)
        if not body.endswith(b"\n"):
            body += b"\n"
        out += b"From MAILER-DAEMON Mon Nov  3 09:15:00 2025\n" + body + b"\n"
    data = bytes(out)
    return data.replace(b"\n", b"\r\n") if crlf else data


def write(path: Path, data: bytes) -> Path:
    """Write ``data`` to ``path`` (parents created) and return the path."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def maildir(root: Path, messages: dict[str, Sequence[bytes]]) -> Path:
    """A Maildir++ tree; keys are "" for the inbox or ".Sent", ".Leveranciers.Peeters"."""
    for folder, raws in messages.items():
        base = root / folder if folder else root
        for sub in ("cur", "new", "tmp"):
            (base / sub).mkdir(parents=True, exist_ok=True)
        for n, raw in enumerate(raws):
            sub = "cur" if n % 2 == 0 else "new"
            name = f"17621{n:05d}.M{n}P1.host" + (":2,S" if sub == "cur" else "")
            (base / sub / name).write_bytes(raw)
    return root


# --- hostile and huge mail (tests/test_fuzz.py, tests/test_faults.py) ---------------------

_HEAD = (b"From: Jan <jan@garage-peeters.be>\nTo: me@buyer.be\nSubject: Offerte\n"
         b"Date: Mon, 03 Nov 2025 10:15:00 +0100\nMessage-ID: <%s@garage-peeters.be>\n"
         b"MIME-Version: 1.0\n")


def nested_multipart(depth: int, *, text: str = "diep verstopte offerte") -> bytes:
    """A mail whose text part sits inside ``depth`` nested multipart/mixed parts."""
    head = _HEAD % b"nested" + b'Content-Type: multipart/mixed; boundary="b0"\n\n'
    opening = b"".join(b'--b%d\nContent-Type: multipart/mixed; boundary="b%d"\n\n' % (i, i + 1)
                       for i in range(depth - 1))
    leaf = b"--b%d\nContent-Type: text/plain\n\n%s\n" % (depth - 1, text.encode())
    closing = b"".join(b"--b%d--\n" % i for i in reversed(range(depth)))
    return head + opening + leaf + closing


def with_attachment(data: bytes, *, filename: str = "bijlage.bin",
                    content_type: str = "application/octet-stream",
                    body: str = "Zie bijlage.", message_id: str = "att") -> bytes:
    """A text mail with ``data`` attached (base64)."""
    return (_HEAD % message_id.encode()
            + b'Content-Type: multipart/mixed; boundary="B"\n\n--B\n'
            + b"Content-Type: text/plain; charset=utf-8\n\n" + body.encode() + b"\n--B\n"
            + b"Content-Type: " + content_type.encode() + b"\n"
            + b'Content-Disposition: attachment; filename="' + filename.encode() + b'"\n'
            + b"Content-Transfer-Encoding: base64\n\n" + base64.encodebytes(data) + b"--B--\n")


def many_recipients(count: int) -> bytes:
    """A mail to ``count`` named recipients in one To header."""
    to = ", ".join(f'"Klant {i}, afdeling {i % 7}" <klant{i}@bedrijf{i % 50}.be>'
                   for i in range(count))
    return raw_mail([("From", "jan@garage-peeters.be"), ("To", to), ("Subject", "Nieuwsbrief"),
                     ("Date", "Mon, 03 Nov 2025 10:15:00 +0100"),
                     ("Message-ID", "<many@garage-peeters.be>")], "Beste klant,\n")


def single_line_html(size: int) -> bytes:
    """An HTML-only mail whose body is one line of about ``size`` bytes."""
    unit = "<td>Offerte <b>prijs</b> EUR 1.250,00</td>"
    html = "<html><body><table><tr>" + unit * (size // len(unit)) + "</tr></table></body></html>"
    return mail(content_type="text/html; charset=utf-8", body=html, message_id="<html@x.be>")
