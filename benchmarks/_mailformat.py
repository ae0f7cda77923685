"""Raw mail pieces for benchmarks/make_mailbox.py: headers as mail clients and servers
write them, client-style HTML, MIME parts, PDFs and PNGs of realistic size. Everything is
built as text and bytes directly (the email package's header objects cost milliseconds a
message); every random choice comes from the caller's ``random.Random``."""

from __future__ import annotations

import base64
import html
import quopri
import random
import re
import zlib
from datetime import datetime
from email.utils import format_datetime

import make_labelled as ml  # samples/ is on sys.path (make_mailbox.py puts it there)

OUTLOOK_HEAD = (
    '<html xmlns:v="urn:schemas-microsoft-com:vml" xmlns:o="urn:schemas-microsoft-com:office:'
    'office" xmlns:w="urn:schemas-microsoft-com:office:word" xmlns:m="http://schemas.microsoft'
    '.com/office/2004/12/omml" xmlns="http://www.w3.org/TR/REC-html40"><head><meta http-equiv='
    '"Content-Type" content="text/html; charset=utf-8"><meta name="Generator" content='
    '"Microsoft Word 15 (filtered medium)"><style><!--\n/* Font Definitions */\n'
    + "".join(f"@font-face\n\t{{font-family:\"{f}\";\n\tpanose-1:2 15 5 2 2 2 4 3 2 4;}}\n"
              for f in ("Cambria Math", "Calibri", "Aptos", "Segoe UI"))
    + "/* Style Definitions */\np.MsoNormal, li.MsoNormal, div.MsoNormal\n\t{margin:0cm;\n\t"
    "font-size:11.0pt;\n\tfont-family:\"Calibri\",sans-serif;\n\tmso-fareast-language:EN-US;}\n"
    "a:link, span.MsoHyperlink\n\t{mso-style-priority:99;\n\tcolor:#0563C1;\n\ttext-decoration:"
    "underline;}\nspan.E-mailStijl17\n\t{mso-style-type:personal-compose;\n\tfont-family:"
    "\"Calibri\",sans-serif;\n\tcolor:windowtext;}\n.MsoChpDefault\n\t{mso-style-type:export-"
    "only;\n\tfont-size:10.0pt;\n\tmso-ligatures:none;}\n@page WordSection1\n\t{size:612.0pt "
    "792.0pt;\n\tmargin:70.85pt 70.85pt 70.85pt 70.85pt;}\ndiv.WordSection1\n\t{page:"
    "WordSection1;}\n--></style><!--[if gte mso 9]><xml>\n<o:shapedefaults v:ext=\"edit\" "
    "spidmax=\"1026\" />\n</xml><![endif]--><!--[if gte mso 9]><xml>\n<o:shapelayout v:ext="
    "\"edit\">\n<o:idmap v:ext=\"edit\" data=\"1\" />\n</o:shapelayout></xml><![endif]--></head>"
    '<body lang="{lang}" link="#0563C1" vlink="#954F72" style="word-wrap:break-word">'
    '<div class="WordSection1">')
MSO_P = ('<p class="MsoNormal"><span style="font-size:11.0pt;font-family:&quot;Calibri&quot;,'
         'sans-serif;color:#1F3864">{}<o:p></o:p></span></p>\n')


def png(rng: random.Random, size: int) -> bytes:
    """A valid RGB PNG of noise (incompressible, so about ``size`` bytes)."""
    width = 96
    rows = max(4, size // (width * 3))
    raw = b"".join(b"\x00" + rng.randbytes(width * 3) for _ in range(rows))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (len(data).to_bytes(4, "big") + kind + data
                + zlib.crc32(kind + data).to_bytes(4, "big"))
    ihdr = width.to_bytes(4, "big") + rows.to_bytes(4, "big") + b"\x08\x02\x00\x00\x00"
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(raw, 1))
            + chunk(b"IEND", b""))


def pdf(lines: list[str], image: bytes) -> bytes:
    """A one-page PDF: ``lines`` as text (what a PDF reader extracts) and a scanned-logo
    image (noise, FlateDecode) that gives the file a realistic size."""
    def esc(s: str) -> str:
        s = s.replace("€", "\x80").encode("latin-1", "replace").decode("latin-1")
        return s.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
    height = max(1, len(image) // 300)
    stream = ("q 160 0 0 60 56 760 cm /Im1 Do Q BT /F1 10 Tf 56 700 Td 13 TL "
              + " ".join(f"({esc(line)}) '" for line in lines) + " ET").encode("latin-1")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 4 0 R"
        b" >> /XObject << /Im1 6 0 R >> >> /Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /XObject /Subtype /Image /Width 100 /Height %d /ColorSpace /DeviceRGB "
        b"/BitsPerComponent 8 /Filter /FlateDecode /Length %d >>\nstream\n" % (height, len(image))
        + image + b"\nendstream",
    ]
    # A binary-marker comment after the header, as real PDF writers put there.
    return ml.pdf_file(objects, header=b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")


def address(name: str, addr: str) -> str:
    if not name:
        return addr
    if name.isascii():
        return f'"{name}" <{addr}>' if any(c in name for c in ',.()&@') else f"{name} <{addr}>"
    return f"{encode_words(name)} <{addr}>"


def encode_words(value: str) -> str:
    """RFC 2047 encoded words for a non-ASCII header value (10 characters each)."""
    if value.isascii():
        return value
    words = (base64.b64encode(value[i:i + 10].encode()).decode() for i in range(0, len(value), 10))
    return "\n ".join(f"=?utf-8?b?{word}?=" for word in words)


def b64_lines(data: bytes) -> bytes:
    """base64 in 76-character lines (base64.encodebytes, without its per-line loop)."""
    flat = base64.b64encode(data)
    return b"\n".join(flat[i:i + 76] for i in range(0, len(flat), 76)) + b"\n"


def transport_headers(rng: random.Random, sender: str, to: str, when: datetime,
                      client: str) -> list[str]:
    domain = sender.rpartition("@")[2]
    date = format_datetime(when)
    hops = []
    for hop in range(rng.randint(2, 4)):
        ip = ".".join(str(rng.randint(1, 254)) for _ in range(4))
        qid = rng.randbytes(8).hex()
        hops.append(f"Received: from mail{hop}.{domain} (mail{hop}.{domain} [{ip}])\n\tby "
                    f"mx{hop}.mailhost.eu (Postfix) with ESMTPS id {qid}\n\tfor <{to}>; {date}")
    sig = base64.b64encode(rng.randbytes(256)).decode()
    folded = "\n\t ".join(sig[i:i + 70] for i in range(0, len(sig), 70))
    hops.append(f"DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; d={domain}; s=sel1;\n\t"
                f"h=from:to:subject:date:message-id:mime-version; bh="
                f"{base64.b64encode(rng.randbytes(32)).decode()};\n\t b={folded}")
    hops.append(f"Authentication-Results: mx0.mailhost.eu; dkim=pass header.d={domain};\n\t"
                f"spf=pass smtp.mailfrom={sender}; dmarc=pass header.from={domain}")
    if client == "gmail":
        hops.append("X-Google-Smtp-Source: " + base64.b64encode(rng.randbytes(60)).decode())
    return hops


def client_headers(rng: random.Random, client: str, subject: str, lang: str) -> list[str]:
    if client == "outlook":
        return [f"Thread-Topic: {encode_words(subject)}",
                f"Thread-Index: {base64.b64encode(rng.randbytes(22)).decode()}",
                f"Content-Language: {dict(nl='nl-BE', en='en-GB', fr='fr-BE', de='de-DE')[lang]}",
                "X-MS-Has-Attach: ", "X-MS-TNEF-Correlator: ",
                f"x-ms-exchange-messagesentrepresentingtype: 1\nx-ms-publictraffictype: Email\n"
                f"x-ms-office365-filtering-correlation-id: {rng.randbytes(16).hex()}\n"
                f"x-microsoft-antispam: BCL:0;ARA:{rng.randint(10**12, 10**13)}"]
    if client == "apple":
        return ["X-Mailer: Apple Mail (2.3774.500.171.1.1)"]
    if client == "thunderbird":
        return ["User-Agent: Mozilla Thunderbird", f"Content-Language: {lang}"]
    return []


def html_body(text: str, history: str, client: str, lang: str) -> str:
    def paras(chunk: str) -> str:
        if client == "outlook":
            return "".join(MSO_P.format(html.escape(line) or "&nbsp;")
                           for line in chunk.split("\n"))
        return "".join(f"<div>{html.escape(line) or '<br>'}</div>" for line in chunk.split("\n"))
    old = re.sub(r"(?m)^(> ?)+", "", history.strip("\n"))
    if client == "outlook":
        quoted = (f'<div style="border:none;border-top:solid #E1E1E1 1.0pt;padding:3.0pt 0cm 0cm '
                  f'0cm">{paras(old)}</div>') if old else ""
        return (OUTLOOK_HEAD.replace("{lang}", lang.upper()) + paras(text) + quoted
                + "</div></body></html>")
    quoted = (f'<div class="gmail_quote"><blockquote class="gmail_quote" style="margin:0px 0px 0px '
              f'0.8ex;border-left:1px solid rgb(204,204,204);padding-left:1ex">{paras(old)}'
              f"</blockquote></div>") if old else ""
    return f'<html><head></head><body><div dir="ltr">{paras(text)}</div>{quoted}</body></html>'


def part(ctype: str, data: bytes, rng: random.Random) -> bytes:
    if data.isascii() and max(map(len, data.split(b"\n"))) < 900:
        return f"Content-Type: {ctype}\nContent-Transfer-Encoding: 7bit\n\n".encode() + data
    if rng.random() < 0.12:
        return (f"Content-Type: {ctype}\nContent-Transfer-Encoding: base64\n\n".encode()
                + b64_lines(data))
    return (f"Content-Type: {ctype}\nContent-Transfer-Encoding: quoted-printable\n\n".encode()
            + quopri.encodestring(data))


def multipart(subtype: str, parts: list[bytes], boundary: str) -> bytes:
    mark = f"----=_Part_{boundary}".encode()
    out = b'Content-Type: multipart/%s; boundary="%s"\n\n' % (subtype.encode(), mark)
    for part in parts:
        out += b"--" + mark + b"\n" + part + b"\n"
    return out + b"--" + mark + b"--\n"


def inline_image(data: bytes, number: int) -> bytes:
    return (f'Content-Type: image/png; name="image001.png"\nContent-ID: <image001.png@{number}>\n'
            'Content-Disposition: inline; filename="image001.png"\n'
            "Content-Transfer-Encoding: base64\n\n").encode() + b64_lines(data)


def attachment(name: str, data: bytes) -> bytes:
    quoted = encode_words(name)
    return (f'Content-Type: application/pdf; name="{quoted}"\n'
            f'Content-Disposition: attachment; filename="{quoted}"\n'
            "Content-Transfer-Encoding: base64\n\n").encode() + b64_lines(data)


def newsletter_html(rng: random.Random, text: str, company: str) -> str:
    tile = ('<tr><td style="padding:12px 24px;font-family:Arial,Helvetica,sans-serif;font-size:'
            '14px;line-height:20px;color:#333333"><a href="https://click.mailer.example/{n}?u='
            '{tok}" style="color:#0b6e4f;text-decoration:none"><img src="https://img.mailer.'
            'example/{tok}.jpg" width="552" alt="" style="display:block;border:0"></a><h2 '
            'style="margin:12px 0 4px;font-size:18px">{title}</h2><p style="margin:0">{body}'
            '</p></td></tr>')
    paras = [p for p in text.split("\n") if p.strip()]
    tiles = "".join(tile.format(n=i, tok=rng.randbytes(12).hex(), title=html.escape(company),
                                body=html.escape(paras[i % len(paras)]))
                    for i in range(rng.randint(4, 14)))
    return ('<!DOCTYPE html><html><head><meta charset="utf-8"><style>@media only screen and '
            '(max-width:600px){.container{width:100%!important}}</style></head><body style="'
            'margin:0;background:#f4f4f4"><table class="container" width="600" align="center" '
            f'cellpadding="0" cellspacing="0" style="background:#ffffff">{tiles}</table><img src='
            f'"https://open.mailer.example/{rng.randbytes(16).hex()}.gif" width="1" height="1">'
            "</body></html>")
