#!/usr/bin/env python3
# ruff: noqa: E501  (mail text is data: one paragraph is one line, as mail clients send it)
"""Generate the bundled demo mailbox ``samples/demo.mbox`` and its truth file.

Usage: ``python samples/make_demo.py [OUT_DIR]`` (default: the folder of this script).

Writes ``demo.mbox`` (the correspondence of one buyer, Jan Van den Broeck of
Van den Broeck Bouw & Renovatie, with his suppliers, 31 Aug - 27 Nov 2026),
``demo-truth.csv`` (the label, deal and supplier every message should get) and
``demo-deals.csv`` (the figures every deal should get, computed here from the stories
with ``numpy.busday_count`` and a hand-written holiday list, never with inbox_audit
code). Standard library plus numpy, fixed seed, every Date, Message-ID and MIME boundary
fixed: two runs give byte-identical files. The report is meant to be read as of
Mon 2026-11-30 08:00 Europe/Brussels (``AS_OF``). ``samples/README.md`` describes what the mailbox holds.
"""

from __future__ import annotations

import csv
import hashlib
import html
import mailbox
import random
import re
import sys
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from email import policy
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path

import numpy as np

SEED = 2026
AS_OF = "2026-11-30T08:00:00+01:00"
HERE = Path(__file__).resolve().parent
POLICY = policy.default.clone(linesep="\n")
CEST = timezone(timedelta(hours=2))
CET = timezone(timedelta(hours=1))
LABELS = ("request", "quote", "follow-up", "silence", "other")


# --- people ------------------------------------------------------------------------------

@dataclass(frozen=True)
class Person:
    """A correspondent and the habits of his mail client."""

    name: str
    addr: str
    sig: str = ""
    client: str = "gmail_nl"  # how replies quote: gmail_nl, outlook_nl, apple_nl, ...
    body: str = "text"  # text | alt (multipart/alternative) | html (text/html only)
    mid: str = "plain"  # Message-ID style: plain | gmail | outlook | apple
    cte: str | None = None  # force quoted-printable/base64, else the email package picks
    prefix: str = "Re: "  # what the client puts before a reply's subject
    extra: tuple[tuple[str, str], ...] = ()  # X-Mailer, User-Agent, ...


JAN_SIG = """Jan Van den Broeck
Zaakvoerder
Van den Broeck Bouw & Renovatie bv
Kapelstraat 112, 2640 Mortsel
T +32 3 455 18 20 | M +32 477 38 12 90
www.vdbroeck-bouw.be"""

OUTLOOK = (("X-MS-Has-Attach", ""), ("Content-Language", "nl-BE"))
JAN = Person("Jan Van den Broeck", "jan@vdbroeck-bouw.be", JAN_SIG, "outlook_nl", "alt",
             "plain", prefix="RE: ", extra=OUTLOOK)
JAN_IPHONE = Person("Jan Van den Broeck", "jan@vdbroeck-bouw.be", "Verzonden vanaf mijn iPhone",
                    "apple_nl", "text", "apple", extra=(("X-Mailer", "iPhone Mail (22B91)"),))
SOFIE = Person("Sofie Mertens", "sofie@vdbroeck-bouw.be",
               "Sofie Mertens\nAdministratie & aankoop\nVan den Broeck Bouw & Renovatie bv\nT +32 3 455 18 21",
               "outlook_nl", "alt", "plain", "quoted-printable", "RE: ", OUTLOOK)

PEETERS_TOM = Person("Tom Peeters", "tom.peeters@garage-peeters.be",
                     "Tom Peeters\nVerkoopadviseur bedrijfsvoertuigen\nGarage Peeters nv | Boomsesteenweg 41, 2610 Wilrijk\nT 03 828 14 50 | GSM 0476 21 88 03",
                     "outlook_nl", "alt", "outlook", prefix="RE: ")
PEETERS_DESK = Person("Nathalie Goris", "onthaal@garage-peeters.be",
                      "Nathalie Goris - onthaal & planning atelier\nGarage Peeters nv\n03 828 14 50",
                      "thunderbird_nl", "text", extra=(("User-Agent", "Mozilla Thunderbird"),))
CLAES_SALES = Person("Kevin Smets", "verkoop@verkoop.autohuis-claes.be",
                     "Kevin Smets\nVerkoop bedrijfswagens | Autohuis Claes\nTel. 015 41 22 70",
                     "outlook_nl", "alt", "outlook", prefix="RE: ")
CLAES_AN = Person("An Claes", "an.claes@autohuis-claes.be",
                  "An Claes\nSales manager\nAutohuis Claes bv - Mechelsesteenweg 305, 2800 Mechelen\n+32 15 41 22 70 | +32 495 60 44 18",
                  "outlook_nl", "alt", "outlook", "quoted-printable", "RE: ")
VANHOUTTE_PJ = Person("Pieter-Jan Vanhoutte", "pieterjan@vanhoutte-premium.be",
                      "Pieter-Jan Vanhoutte\nBrand specialist Audi e-tron\nVanhoutte Premium Cars | Antwerpsesteenweg 480, 2630 Aartselaar\nM +32 478 11 02 36",
                      "outlook_nl", "alt", "outlook", prefix="RE: ")
VANHOUTTE_BOT = Person("Vanhoutte Premium Cars", "noreply@vanhoutte-premium.be", body="html")
DESMET = Person("Katrien Desmet", "verhuur@verhuur-desmet.be",
                "Katrien Desmet\nDesmet Verhuur bvba - machineverhuur\nIndustrieweg 14, 2850 Boom\nTel 03 888 40 12 - noodnummer 0477 40 12 00",
                "thunderbird_nl", "text", extra=(("User-Agent", "Mozilla Thunderbird"),))
DESMET_BILLING = Person("Desmet Verhuur - facturatie", "facturatie@verhuur-desmet.be")
MAES = Person("Bart Maes", "bart@steigerbouw-maes.be",
              "Bart Maes\nSteigerbouw Maes\n0486 70 31 55", "gmail_nl", "alt", "gmail")
MAES_INFO = Person("Steigerbouw Maes", "info@steigerbouw-maes.be")
WOUTERS = Person("Dirk Wouters", "verhuur@wouters-stellingen.be",
                 "Met vriendelijke groet,\nDirk Wouters\nWouters Stellingen nv\nT 03 353 90 90 - F 03 353 90 91",
                 "outlook_nl_old", "text", "outlook", "quoted-printable", "Antw: ")
SCAFFTECH_SALES = Person("Scafftech", "sales@scafftech.be")
SCAFFTECH_BOT = Person("Scafftech Service Desk", "noreply@scafftech.be", body="html")
VERMEULEN = Person("Lotte Vermeulen", "verkoop@houthandel-vermeulen.be",
                   "Lotte Vermeulen\nBinnendienst verkoop\nHouthandel Vermeulen nv - Hoogstraat 220, 2570 Duffel\nT 015 31 12 12",
                   "outlook_nl", "alt", "outlook", prefix="RE: ")
VERMEULEN_NEWS = Person("Houthandel Vermeulen", "nieuwsbrief@houthandel-vermeulen.be", body="html")
DEWILDE = Person("Ann De Wilde", "info@tegelhuis-dewilde.be",
                 "Ann De Wilde\nTegelhuis De Wilde\nTel. 03 440 17 77 - GSM 0472 90 33 14",
                 "gmail_nl", "alt", "gmail")
DEWILDE_BILLING = Person("Tegelhuis De Wilde - boekhouding", "boekhouding@tegelhuis-dewilde.be")
ISOLATIE = Person("Isolatie Center", "offerte@isolatie-center.be")
ISOLATIE_BOT = Person("Isolatie Center", "noreply@isolatie-center.be", body="html")
KRAUSE = Person("Markus Krause", "m.krause@fensterbau-krause.de",
                "Mit freundlichen Grüßen\n\nMarkus Krause\nVertrieb Benelux\nFensterbau Krause GmbH\nIndustriestraße 7, 52070 Aachen\nTel. +49 241 55 80 12 | Mobil +49 171 4402 918",
                "outlook_de", "alt", "outlook", "quoted-printable", "AW: ",
                (("Content-Language", "de-DE"),))
KRAUSE_OFFERS = Person("Fensterbau Krause GmbH - Angebote", "angebote@fensterbau-krause.de",
                       "Fensterbau Krause GmbH\nIndustriestraße 7, 52070 Aachen\nTel. +49 241 55 80 0",
                       "outlook_de", "text", prefix="AW: ")
LAMBERT = Person("Françoise Lambert", "f.lambert@pierres-lambert.fr",
                 "Françoise Lambert\nService commercial export\nPierres Lambert SAS - Carrières de Bourgogne\n21190 Meursault - France\nTél. +33 3 80 21 45 60",
                 "gmail_fr", "alt", "gmail")
LAMBERT_LOG = Person("Julien Morel", "logistique@pierres-lambert.fr",
                     "Julien Morel\nLogistique - Pierres Lambert\n+33 3 80 21 45 68",
                     "outlook_fr", "text", "outlook", prefix="RE : ")
LAMBERT_NEWS = Person("Pierres Lambert", "actualites@pierres-lambert.fr", body="html")
GILSON = Person("Michel Gilson", "michel@toitures-gilson.be",
                "Michel Gilson\nToitures Gilson sprl\nRue de la Station 18, 1410 Waterloo\nGSM 0475 62 18 40",
                "outlook_fr", "text", "outlook", prefix="RE : ")
JANSSENS = Person("Wim Janssens", "info@dakwerken-janssens.be",
                  "Wim Janssens\nDakwerken Janssens\n0494 12 77 50", "gmail_nl", "alt", "gmail")
JANSSENS_TYPO = Person("", "ofertes@dakwerken-janssens.be")
ITWERKT = Person("Nick Verstraeten", "nick@itwerkt.be",
                 "Nick Verstraeten\nITwerkt - IT voor kmo's\nT 03 297 61 61 | support@itwerkt.be",
                 "outlook_nl", "alt", "outlook", prefix="RE: ")
BELCOM = Person("Belcom Business", "business@belcom-business.be")
BELCOM_BOT = Person("Belcom Business Support", "noreply@belcom-business.be")
BELCOM_SARAH = Person("Sarah El Amrani", "sarah.elamrani@belcom-business.be",
                      "Sarah El Amrani\nAccount manager KMO\nBelcom Business\n+32 2 808 44 10",
                      "outlook_nl", "alt", "outlook", "base64", "RE: ")
JACOBS = Person("Stijn Jacobs", "stijn@zonnepanelen-jacobs.be",
                "Stijn Jacobs\nZonnepanelen Jacobs - zon, batterij & laadpalen\n0479 30 55 81 | www.zonnepanelen-jacobs.be",
                "gmail_nl", "alt", "gmail")
COOLS = Person("Els Cools", "els@boekhouding-cools.be",
               "Els Cools\nCools & Partners - accountants en belastingconsulenten\nTel. 03 454 09 80",
               "outlook_nl_old", "text", "outlook", prefix="Antw: ")
KRIS = Person("Kris Timmerman", "kris.timmerman.schrijnwerk@gmail.com",
              "-- \nKris Timmerman - schrijnwerk op maat\n0498 55 21 07", "gmail_nl", "alt", "gmail")
GOOSSENS = Person("Containerdienst Goossens", "planning@containerdienst-goossens.be",
                  "Containerdienst Goossens bv\nPlanning: 03 877 02 02", "outlook_nl", "html", prefix="RE: ")
DEVOS = Person("Peter De Vos", "peter@sanitair-devos.be",
               "Peter De Vos\nSanitair De Vos - toonzaal & groothandel\nT 03 440 90 30", "outlook_nl", "alt", "outlook",
               prefix="RE: ")
DEVOS_LINDA = Person("Linda Peeters", "linda@sanitair-devos.be",
                     "Linda Peeters\nSanitair De Vos - binnendienst\nT 03 440 90 32", "outlook_nl", "alt", "outlook",
                     prefix="RE: ")
WERKPLEK = Person("Mark de Jong", "zakelijk@werkplekwinkel.nl",
                  "Met vriendelijke groet,\nMark de Jong\nZakelijk team Werkplekwinkel.nl\n+31 (0)30 760 44 20",
                  "gmail_nl", "alt", "plain")
HENDRICKX = Person("Sven Hendrickx", "sven@printshop-hendrickx.be",
                   "Sven Hendrickx\nPrintshop Hendrickx - belettering & textieldruk\n03 449 30 08",
                   "outlook_nl_old", "text", "plain", prefix="Antw: ")
SITEBOOK = Person("Emily Carter", "emily.carter@sitebook.io",
                  "Emily Carter\nAccount Executive, Europe | Sitebook\n+1 617 555 0143 | sitebook.io",
                  "gmail_en", "alt", "gmail")
SITEBOOK_NEWS = Person("Sitebook", "events@sitebook.io", body="html")
HARTLEY = Person("James Whitfield", "james@hartley-plant.co.uk",
                 "Kind regards,\n\nJames Whitfield\nSales Director | Hartley Plant Sales Ltd\nUnit 4, Riverside Park, Leeds LS10 1RT\nT +44 113 496 0718 | M +44 7700 900 412",
                 "outlook_en", "alt", "outlook", prefix="RE: ")
VANDAMME = Person("Jeroen Van Damme", "orders@beton-vandamme.be",
                  "Jeroen Van Damme\nBetoncentrale Van Damme - orderdesk\n03 870 55 00", "outlook_nl", "text",
                  prefix="RE: ")
BANK = Person("Meridiaan Bank", "noreply@meridiaanbank.be", body="html")
NEWS = Person("Bouwvak Nieuws", "nieuwsbrief@bouwvaknieuws.be", body="html")
DRIES = Person("Dries Van den Broeck", "dries.vdbroeck@telenet.be", "Dries", "gmail_nl", "text")

NAMES = {
    "garage-peeters.be": "Garage Peeters", "autohuis-claes.be": "Autohuis Claes",
    "vanhoutte-premium.be": "Vanhoutte Premium Cars", "verhuur-desmet.be": "Desmet Verhuur",
    "steigerbouw-maes.be": "Steigerbouw Maes", "wouters-stellingen.be": "Wouters Stellingen",
    "scafftech.be": "Scafftech", "houthandel-vermeulen.be": "Houthandel Vermeulen",
    "tegelhuis-dewilde.be": "Tegelhuis De Wilde", "isolatie-center.be": "Isolatie Center",
    "fensterbau-krause.de": "Fensterbau Krause", "pierres-lambert.fr": "Pierres Lambert",
    "toitures-gilson.be": "Toitures Gilson", "dakwerken-janssens.be": "Dakwerken Janssens",
    "itwerkt.be": "ITwerkt", "belcom-business.be": "Belcom Business",
    "zonnepanelen-jacobs.be": "Zonnepanelen Jacobs", "boekhouding-cools.be": "Cools & Partners",
    "kris.timmerman.schrijnwerk@gmail.com": "Kris Timmerman (schrijnwerker)",
    "containerdienst-goossens.be": "Containerdienst Goossens", "sanitair-devos.be": "Sanitair De Vos",
    "werkplekwinkel.nl": "Werkplekwinkel.nl", "printshop-hendrickx.be": "Printshop Hendrickx",
    "sitebook.io": "Sitebook", "hartley-plant.co.uk": "Hartley Plant Sales",
    "beton-vandamme.be": "Betoncentrale Van Damme",
}


# --- dates, quoting, html ----------------------------------------------------------------

DAY_NL = ("maandag", "dinsdag", "woensdag", "donderdag", "vrijdag", "zaterdag", "zondag")
MON_NL = ("januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus",
          "september", "oktober", "november", "december")
MON_NL_S = ("jan.", "feb.", "mrt.", "apr.", "mei", "jun.", "jul.", "aug.", "sep.", "okt.",
            "nov.", "dec.")
DAY_EN = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
MON_EN = ("January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December")
DAY_FR = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")
MON_FR = ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août",
          "septembre", "octobre", "novembre", "décembre")
MON_FR_S = ("janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.", "oct.",
            "nov.", "déc.")
DAY_DE = ("Montag", "Dienstag", "Mittwoch", "Donnerstag", "Freitag", "Samstag", "Sonntag")
MON_DE = ("Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August", "September",
          "Oktober", "November", "Dezember")


def is_buyer(p: Person) -> bool:
    return p.addr.endswith("@vdbroeck-bouw.be")


def who(p: Person) -> str:
    return f"{p.name} <{p.addr}>" if p.name else p.addr


def attribution(parent: Mail, style: str) -> tuple[str, bool]:
    """The line(s) a mail client writes above a quoted mail, and whether it prefixes '>'."""
    t, s = parent.when, parent.sender
    wd, hm = t.weekday(), f"{t:%H:%M}"
    to = "; ".join(who(p) for p in parent.to)
    cc = "; ".join(who(p) for p in parent.cc)
    subj = parent.subject
    if style == "gmail_nl":
        return f"Op {DAY_NL[wd][:2]} {t.day} {MON_NL_S[t.month - 1]} {t.year} om {hm} schreef {who(s)}:", True
    if style == "apple_nl":
        return f"Op {t.day} {MON_NL_S[t.month - 1]} {t.year} om {hm} heeft {who(s)} het volgende geschreven:", True
    if style == "thunderbird_nl":
        return f"Op {t:%d-%m-%Y} om {hm} schreef {s.name or s.addr}:", True
    if style == "gmail_en":
        return f"On {DAY_EN[wd][:3]}, {t.day} {MON_EN[t.month - 1][:3]} {t.year} at {hm}, {who(s)} wrote:", True
    if style == "gmail_fr":
        return f"Le {DAY_FR[wd][:3]}. {t.day} {MON_FR_S[t.month - 1]} {t.year} à {hm}, {who(s)} a écrit :", True
    if style == "gmail_de":
        return f"Am {DAY_DE[wd][:2]}., {t.day}. {MON_DE[t.month - 1][:3]}. {t.year} um {hm} Uhr schrieb {who(s)}:", True
    if style == "outlook_nl":
        lines = ["________________________________", f"Van: {who(s)}",
                 f"Verzonden: {DAY_NL[wd]} {t.day} {MON_NL[t.month - 1]} {t.year} {hm}", f"Aan: {to}"]
        lines += [f"CC: {cc}"] if cc else []
        return "\n".join(lines + [f"Onderwerp: {subj}"]), False
    if style == "outlook_nl_old":
        lines = ["-----Oorspronkelijk bericht-----", f"Van: {s.name} [mailto:{s.addr}]",
                 f"Verzonden: {DAY_NL[wd]} {t.day} {MON_NL[t.month - 1]} {t.year} {hm}", f"Aan: {to}"]
        return "\n".join(lines + [f"Onderwerp: {subj}"]), False
    if style == "outlook_en":
        h12 = f"{(t.hour - 1) % 12 + 1}:{t:%M} {'AM' if t.hour < 12 else 'PM'}"
        lines = [f"From: {who(s)}", f"Sent: {DAY_EN[wd]}, {t.day} {MON_EN[t.month - 1]} {t.year} {h12}",
                 f"To: {to}"]
        return "\n".join(lines + [f"Subject: {subj}"]), False
    if style == "outlook_fr":
        lines = [f"De : {who(s)}", f"Envoyé : {DAY_FR[wd]} {t.day} {MON_FR[t.month - 1]} {t.year} {hm}",
                 f"À : {to}"]
        return "\n".join(lines + [f"Objet : {subj}"]), False
    if style == "outlook_de":
        lines = [f"Von: {who(s)}", f"Gesendet: {DAY_DE[wd]}, {t.day}. {MON_DE[t.month - 1]} {t.year} {hm}",
                 f"An: {to}"]
        return "\n".join(lines + [f"Betreff: {subj}"]), False
    raise ValueError(style)


def quote_text(parent: Mail, style: str) -> str:
    head, marks = attribution(parent, style)
    body = parent.text.rstrip("\n")
    if marks:
        body = "\n".join(">" + (" " + line if line and not line.startswith(">") else line)
                         for line in body.split("\n"))
    return f"{head}\n{body}" if marks else f"{head}\n\n{body}"


def text_html(text: str) -> str:
    paras = [p for p in text.strip("\n").split("\n\n") if p.strip()]
    return "\n".join(f"<p>{'<br>'.join(html.escape(line) for line in p.split(chr(10)))}</p>"
                     for p in paras)


def html_doc(new_text: str, parent: Mail | None, style: str) -> str:
    parts = [f'<div style="font-family:Calibri,Arial,Helvetica,sans-serif;font-size:11pt">{text_html(new_text)}</div>']
    if parent is not None:
        head, marks = attribution(parent, style)
        quoted = parent.html_quote or text_html(parent.text)
        if marks:
            parts.append(f'<div class="gmail_quote"><div dir="ltr" class="gmail_attr">{html.escape(head)}<br></div>'
                         f'<blockquote class="gmail_quote" style="margin:0px 0px 0px 0.8ex;border-left:1px solid rgb(204,204,204);padding-left:1ex">{quoted}</blockquote></div>')
        else:
            head_html = "<br>".join(html.escape(line) for line in head.split("\n")
                                    if not line.startswith(("___", "-----")))
            parts.append('<div id="appendonsend"></div><hr style="display:inline-block;width:98%" tabindex="-1">'
                         f'<div id="divRplyFwdMsg" dir="ltr"><font face="Calibri, sans-serif" style="font-size:11pt" color="#000000">{head_html}</font><div>&nbsp;</div></div>'
                         f"<div>{quoted}</div>")
    return ('<html><head><meta http-equiv="Content-Type" content="text/html; charset=utf-8"></head>\n'
            '<body dir="ltr">\n' + "\n".join(parts) + "\n</body></html>\n")


REPLY_PREFIX = re.compile(r"^(re|aw|antw)\s*:\s*", re.I)


def reply_subject(subject: str, prefix: str) -> str:
    return prefix + REPLY_PREFIX.sub("", subject, count=1)


# --- PDF ---------------------------------------------------------------------------------

def make_pdf(title: str, lines: list[str]) -> bytes:
    """A small valid one-page PDF (Helvetica, WinAnsi) whose text pdf readers extract."""
    def lit(text: str) -> bytes:
        raw = text.encode("cp1252")
        return b"(" + raw.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)") + b")"

    ops = [b"BT", b"/F2 15 Tf", b"56 780 Td", lit(title) + b" Tj", b"/F1 10.5 Tf", b"15 TL", b"T* T*"]
    ops += [lit(line) + b" Tj T*" for line in lines]
    ops.append(b"ET")
    stream = b"\n".join(ops)
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
        b"/Resources << /Font << /F1 4 0 R /F2 5 0 R >> >> /Contents 6 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica-Bold /Encoding /WinAnsiEncoding >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Title " + lit(title) + b" /Producer (make_demo.py) >>",
    ]
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % off for off in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R /Info 7 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1, xref)
    return bytes(out)


# --- the mailbox builder -----------------------------------------------------------------

@dataclass
class Mail:
    mid: str
    sender: Person
    to: list[Person]
    cc: list[Person]
    subject: str
    when: datetime  # local Brussels time
    text: str  # the whole plain text, quoted history included (what a reply quotes)
    label: str
    deal: str
    supplier: str
    note: str
    refs: list[str] = field(default_factory=list)
    html_quote: str = ""  # the html body, so a reply in html quotes html
    raw: bytes = b""
    order: int = 0


class Demo:
    """Collects the demo's messages; every random choice comes from one seeded RNG."""

    def __init__(self) -> None:
        self.rng = random.Random(SEED)
        self.mails: list[Mail] = []
        self._ids: set[str] = set()
        self._pools: dict[str, list[str]] = {}

    # -- small helpers -----------------------------------------------------------------
    def at(self, month: int, day: int, hour: int, minute: int, second: int | None = None) -> datetime:
        """A local Brussels time in 2026 (CEST until Sun 25 Oct, CET after)."""
        sec = self.rng.randrange(60) if second is None else second
        tz = CEST if (month, day) < (10, 25) else CET
        return datetime(2026, month, day, hour, minute, sec, tzinfo=tz)

    @staticmethod
    def later(mail: Mail, seconds: int) -> datetime:
        """``seconds`` after ``mail``: automatic replies come within the same minute."""
        return mail.when + timedelta(seconds=seconds)

    def take(self, pool: list[str], **fmt: str) -> str:
        """A phrasing from ``pool``, never the same one twice until the pool is used up."""
        key = pool[0]
        if not self._pools.get(key):
            fresh = list(pool)
            self.rng.shuffle(fresh)
            self._pools[key] = fresh
        return self._pools[key].pop().format(**fmt)

    def _new_id(self, sender: Person, when: datetime) -> str:
        rng, domain = self.rng, sender.addr.rpartition("@")[2]
        while True:
            if sender.mid == "gmail":
                alnum = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
                mid = "CA" + "".join(rng.choice(alnum + "+_-") for _ in range(44)) + "@mail.gmail.com"
            elif sender.mid == "outlook":
                box = f"{rng.choice(['AM', 'DB', 'VI', 'PA'])}{rng.randrange(1, 10)}PR0{rng.randrange(1, 10)}MB{rng.randrange(1000, 9999)}"
                mid = f"{box}{rng.getrandbits(152):038X}@{box}.eurprd0{rng.randrange(1, 9)}.prod.outlook.com"
            elif sender.mid == "apple":
                h = f"{rng.getrandbits(128):032X}"
                mid = f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}@{domain}"
            else:
                mid = f"{when:%Y%m%d%H%M%S}.{rng.randrange(1000, 10000)}@{domain}"
            if mid not in self._ids:
                self._ids.add(mid)
                return mid

    # -- composing ---------------------------------------------------------------------
    def send(self, sender: Person, to: list[Person], when: datetime, subject: str, body: str, *,
             label: str, deal: str, supplier: str, note: str, cc: tuple[Person, ...] = (),
             attach: tuple[tuple[str, bytes], ...] = (), headers: tuple[tuple[str, str], ...] = (),
             fmt: str | None = None, utc: bool = False, date_raw: str | None = None,
             parent: Mail | None = None, threaded: bool = True, quoted: bool = True,
             style: str | None = None) -> Mail:
        """Add one message; a ``parent`` makes it a reply that quotes it (unless ``quoted``
        is False) and carries In-Reply-To/References (unless ``threaded`` is False)."""
        assert label in LABELS, label
        new_text = body.strip("\n") + (f"\n\n{sender.sig}" if sender.sig else "") + "\n"
        text, style = new_text, style or sender.client
        if parent is not None and quoted:
            text = new_text + "\n" + quote_text(parent, style) + "\n"
        mail = Mail(self._new_id(sender, when), sender, list(to), list(cc), subject, when, text,
                    label, deal, supplier, note, order=len(self.mails))
        if parent is not None and threaded:
            mail.refs = [*parent.refs[-8:], parent.mid]
        fmt = fmt or sender.body
        doc = html_doc(new_text, parent if quoted else None, style)
        mail.html_quote = doc.split("<body dir=\"ltr\">\n", 1)[1].rsplit("</body>", 1)[0]
        msg = EmailMessage(policy=POLICY)
        msg["From"] = Address(sender.name, addr_spec=sender.addr)
        msg["To"] = [Address(p.name, addr_spec=p.addr) for p in to]
        if cc:
            msg["Cc"] = [Address(p.name, addr_spec=p.addr) for p in cc]
        msg["Subject"] = subject
        msg["Date"] = format_datetime(when.astimezone(UTC) if utc else when)
        msg["Message-ID"] = f"<{mail.mid}>"
        if mail.refs:
            msg["In-Reply-To"] = f"<{parent.mid}>"
            msg["References"] = " ".join(f"<{r}>" for r in mail.refs)
        for name, value in (*sender.extra, *headers):
            msg[name] = value
        if fmt == "html":
            msg.set_content(doc, subtype="html", cte=sender.cte)
        else:
            msg.set_content(text, cte=sender.cte)
            if fmt == "alt":
                msg.add_alternative(doc, subtype="html", cte=sender.cte)
        for filename, data in attach:
            msg.add_attachment(data, maintype="application", subtype="pdf", filename=filename)
        for part in msg.walk():
            if part is not msg:  # the email package stamps every sub-part; clients do not
                del part["MIME-Version"]
        self._fix_boundaries(msg, mail.mid, sender.client)
        raw = msg.as_bytes(policy=POLICY)
        # The email package folds a long Subject by moving all of it to a continuation
        # line; mail clients keep it on the header line (under 998 characters is legal).
        raw = re.sub(rb"(?m)^Subject:\n ", b"Subject: ", raw, count=1)
        if date_raw is not None:  # a hand-written Date header, exactly as given
            raw = re.sub(rb"(?m)^Date: .*$", b"Date: " + date_raw.encode(), raw, count=1)
        mail.raw = raw
        self.mails.append(mail)
        return mail

    def reply(self, parent: Mail, sender: Person, when: datetime, body: str, *, label: str,
              note: str, to: list[Person] | None = None, subject: str | None = None,
              deal: str | None = None, supplier: str | None = None, **kw) -> Mail:
        """Reply to ``parent``: same deal and supplier unless given, quoted below."""
        if to is None:
            same_side = parent.sender.addr == sender.addr or (is_buyer(parent.sender) and is_buyer(sender))
            to = parent.to if same_side else [parent.sender]
        return self.send(sender, to, when, subject or reply_subject(parent.subject, sender.prefix),
                         body, label=label, deal=deal or parent.deal,
                         supplier=supplier or parent.supplier, note=note, parent=parent, **kw)

    def raw(self, sender: Person, when: datetime, raw: bytes, *, label: str, deal: str,
            supplier: str, note: str, subject: str) -> Mail:
        """Add a message built by hand (a bounce), bytes as given."""
        mail = Mail(raw.split(b"Message-ID: <", 1)[1].split(b">", 1)[0].decode(), sender, [], [],
                    subject, when, "", label, deal, supplier, note, raw=raw, order=len(self.mails))
        self._ids.add(mail.mid)
        self.mails.append(mail)
        return mail

    @staticmethod
    def _fix_boundaries(msg: EmailMessage, mid: str, client: str) -> None:
        # The email package picks random boundaries; fixed ones keep the output stable.
        multiparts = [part for part in msg.walk() if part.is_multipart()]
        for index, part in enumerate(multiparts):
            digest = hashlib.sha256(f"{mid}/{index}".encode()).hexdigest()
            if client.startswith("gmail"):
                boundary = "0000000000" + digest[:16]
            elif client.startswith("outlook"):
                boundary = f"_00{index}_{digest[:20].upper()}_"
            else:
                boundary = f"------------{digest[:24]}"
            part.set_boundary(boundary)

    # -- output ------------------------------------------------------------------------
    def write(self, out_dir: Path) -> None:
        out_dir.mkdir(parents=True, exist_ok=True)
        mails = sorted(self.mails, key=lambda m: (m.when.astimezone(UTC), m.order))
        path = out_dir / "demo.mbox"
        path.unlink(missing_ok=True)
        box = mailbox.mbox(str(path), create=True)
        try:
            for mail in mails:
                envelope = "MAILER-DAEMON" if mail.sender.addr.startswith("MAILER") else mail.sender.addr
                stamp = time.asctime(mail.when.astimezone(UTC).timetuple())
                box.add(f"From {envelope} {stamp}\n".encode() + mail.raw)
            box.flush()
        finally:
            box.close()
        with open(out_dir / "demo-truth.csv", "w", newline="", encoding="utf-8") as fh:
            writer = csv.writer(fh, lineterminator="\n")
            writer.writerow(["message_id", "label", "deal", "supplier", "note"])
            for mail in mails:
                writer.writerow([mail.mid, mail.label, mail.deal, mail.supplier, mail.note])
        with open(out_dir / "demo-deals.csv", "w", newline="", encoding="utf-8") as fh:
            writer = csv.DictWriter(fh, DEAL_COLUMNS, lineterminator="\n")
            writer.writeheader()
            writer.writerows(deal_truth(mails))


# --- deal-level truth --------------------------------------------------------------------
# What every deal should measure (SPEC §5, §6), computed from the stories themselves: the
# label, deal, sender, recipients and local Brussels time each story gave its mails. Only
# numpy.busday_count and the holiday list below are used, never inbox_audit code, so
# tests/test_timeline_truth.py can hold the pipeline against it.

# Belgian public holidays of 2026, as the `holidays` package lists them (SPEC §5: exactly
# its list; 2 and 15 November are working days). Written out by hand on purpose;
# tests/test_timeline_truth.py checks the package still agrees.
BE_HOLIDAYS_2026 = ("2026-01-01", "2026-04-05", "2026-04-06", "2026-05-01", "2026-05-14",
                    "2026-05-24", "2026-05-25", "2026-07-21", "2026-08-15", "2026-11-01",
                    "2026-11-11", "2026-12-25")
WEEKMASK = "1111100"
QUOTE_SLA_WD, FOLLOWUP_SLA_WD = 5, 1
AS_OF_DAY = "2026-11-30"  # the local date of AS_OF

# Read by hand from each deal's first quote (new text and PDF, not the quoted history):
# the largest amount it states, VAT-inclusive totals included (SPEC §6), and its currency.
FIRST_QUOTE_AMOUNTS = {
    "peeters-bestelwagen": ("56712.70", "EUR"),  # PDF: total incl. BTW
    "vermeulen-balken": ("1168.00", "EUR"),
    "desmet-minigraver": ("1650", "EUR"),  # "EUR 1 650"
    "goossens-container-sep": ("285.00", "EUR"),
    "claes-pickup": ("52300.00", "EUR"),
    "itwerkt-laptops": ("3037.00", "EUR"),
    "timmerman-trap": ("6850", "EUR"),
    "jacobs-zonnepanelen": ("24860.00", "EUR"),  # PDF: total with the battery option
    "dewilde-vloertegels": ("4283.78", "EUR"),  # incl. 6% btw
    "krause-fenster": ("18640.00", "EUR"),
    "hendrickx-belettering": ("1250", "EUR"),  # "1.250 euro"
    "sitebook-demo": ("5340.00", "EUR"),
    "werkplek-bureaus": ("3272", "EUR"),  # "3.272 euro"
    "devos-badkamer": ("4712.00", "EUR"),
    "lambert-natuursteen": ("6535.50", "EUR"),
    "janssens-platdak": ("9120.00", "EUR"),
    "vanhoutte-proefrit": ("104500.00", "EUR"),
    "belcom-gsm": ("225.00", "EUR"),
    "maes-gevelstelling": ("3980.00", "EUR"),
    "wouters-gevelstelling": ("4420.00", "EUR"),
    "hartley-spiderlift": ("38750.00", "GBP"),
    "vermeulen-terrashout": ("5312.40", "EUR"),
    "goossens-container-okt": ("395.00", "EUR"),
    "desmet-hoogwerker": ("525.00", "EUR"),
    "peeters-winterbanden": ("1713.36", "EUR"),  # incl. btw
    "dewilde-wandtegels": ("1408.00", "EUR"),
    "jacobs-laadpalen": ("4920.00", "EUR"),
    "timmerman-inbouwkasten": ("4980", "EUR"),
    "vandamme-beton": ("2039.00", "EUR"),
    "krause-haustuer": ("6980.00", "EUR"),
    "devos-boiler": ("2145.00", "EUR"),
    "maes-stelling-kessel-lo": ("2640.00", "EUR"),
    "claes-elektrische-bestelwagen": ("49990.00", "EUR"),
    "itwerkt-wifi": ("1826.00", "EUR"),
    "desmet-graafmachine": ("2870.00", "EUR"),
}
# Deals whose request asks for a test drive, demo, site visit or trial (SPEC §6).
HIGH_INTENT = frozenset({"vanhoutte-proefrit", "claes-elektrische-bestelwagen", "sitebook-demo",
                         "jacobs-zonnepanelen", "itwerkt-wifi", "gilson-toiture"})

DEAL_COLUMNS = ("deal", "supplier", "request_message_id", "request_date", "first_response_wd",
                "quote_wd", "quote_date", "followup_after_quote_wd", "buyer_chases",
                "quote_amount", "currency", "high_intent", "quote_matured",
                "response_matured", "followup_matured", "silent", "silent_wd", "awaited")


def wd(day0: str, day1: str) -> int:
    """Working days between two local dates (YYYY-MM-DD), SPEC §5."""
    return int(np.busday_count(day0, day1, weekmask=WEEKMASK, holidays=list(BE_HOLIDAYS_2026)))


def deal_truth(mails: list[Mail]) -> list[dict[str, str]]:
    """One row per deal: its figures as of AS_OF, in the order the deals were opened."""
    per_deal: dict[str, list[Mail]] = {}
    for mail in mails:  # already in time order
        for deal in filter(None, mail.deal.split(";")):
            per_deal.setdefault(deal, []).append(mail)
    rows = []
    for deal, items in per_deal.items():
        supplier = next(s for m in items for d, s in zip(m.deal.split(";"), m.supplier.split(";"), strict=True)
                        if d == deal)
        at = items.index(next(m for m in items if m.label == "request"))
        request, later = items[at], items[at + 1:]
        theirs = [m for m in later if not is_buyer(m.sender)]
        response = next((m for m in theirs if m.label in ("quote", "follow-up")), None)
        quote = next((m for m in theirs if m.label == "quote"), None)
        followup = None
        if quote is not None:
            followup = next((m for m in theirs[theirs.index(quote) + 1:] if m.label == "follow-up"), None)
        # A chase is a buyer follow-up that reached the supplier (not a note to a colleague).
        chases = [m for m in later if is_buyer(m.sender) and m.label == "follow-up"
                  and any(not is_buyer(p) for p in (*m.to, *m.cc))]
        human = [m for m in items if m.label in ("request", "quote", "follow-up")]
        last = human[-1]
        gap = wd(day(last), AS_OF_DAY)
        silent = (is_buyer(last.sender) and gap > QUOTE_SLA_WD) or (
            not is_buyer(last.sender) and last.label == "quote" and gap > FOLLOWUP_SLA_WD)
        age = wd(day(request), AS_OF_DAY)
        amount, currency = FIRST_QUOTE_AMOUNTS.get(deal, ("", ""))
        assert (quote is None) == (deal not in FIRST_QUOTE_AMOUNTS), deal
        rows.append({
            "deal": deal, "supplier": supplier, "request_message_id": request.mid,
            "request_date": day(request),
            "first_response_wd": since(request, response), "quote_wd": since(request, quote),
            "quote_date": day(quote) if quote else "",
            "followup_after_quote_wd": since(quote, followup), "buyer_chases": str(len(chases)),
            "quote_amount": amount, "currency": currency,
            "high_intent": flag(deal in HIGH_INTENT),
            "quote_matured": flag(quote is not None or age > QUOTE_SLA_WD),
            "response_matured": flag(response is not None or age > QUOTE_SLA_WD),
            "followup_matured": flag(quote is not None and (
                followup is not None or wd(day(quote), AS_OF_DAY) > FOLLOWUP_SLA_WD)),
            "silent": flag(silent), "silent_wd": str(gap) if silent else "",
            "awaited": ("follow-up" if quote else "quote") if silent else "",
        })
    assert set(HIGH_INTENT) <= set(per_deal)
    return sorted(rows, key=lambda r: (per_deal[r["deal"]][0].when.astimezone(UTC), r["deal"]))


def day(mail: Mail) -> str:
    """The local Brussels date a story gave the mail."""
    return mail.when.date().isoformat()


def since(start: Mail | None, end: Mail | None) -> str:
    return "" if start is None or end is None else str(wd(day(start), day(end)))


def flag(value: bool) -> str:
    return "true" if value else "false"



# --- phrasings (each pool is drawn without repeats, so no sentence appears everywhere) ----

HI_NL = ["Dag {n},", "Hallo {n},", "Beste {n},", "Hoi {n},", "Goeiedag {n},", "Dag {n}"]
HI_NL0 = ["Beste,", "Goeiedag,", "Dag,", "Geachte heer, mevrouw,", "Hallo,", "Goedemiddag,"]
BYE_JAN = ["Groeten,\nJan", "Met vriendelijke groeten,", "Alvast bedankt,\nJan", "Mvg\nJan",
           "Vriendelijke groet,", "Groetjes,\nJan", "Dank en groet,\nJan", "Alvast dank!"]
BYE_SOFIE = ["Vriendelijke groeten,", "Alvast bedankt!", "Met vriendelijke groet,", "Groetjes,\nSofie",
             "Dank u wel,"]
CHASE_NL = [
    "Nog nieuws over mijn aanvraag? Ik zou graag tegen het einde van de week knopen doorhakken.",
    "Ik heb nog niets ontvangen op onderstaande vraag. Wanneer mag ik een offerte verwachten?",
    "Even een herinnering: we wachten nog op jullie prijs voor onderstaande.",
    "Is mijn mail goed aangekomen? Ik hoorde nog niets terug.",
    "Mag ik eens polsen naar de stand van zaken? De werf start binnenkort en we moeten kunnen plannen.",
    "Ik kom nog even terug op mijn aanvraag hieronder. Kunnen jullie mij laten weten of jullie dit kunnen aanbieden?",
]
CHECKIN_NL = [
    "Ik wou even horen of u de offerte goed ontvangen hebt en of er nog vragen zijn.",
    "Heeft u al kunnen kijken naar ons voorstel? Ik kom het gerust eens toelichten.",
    "Even een kort berichtje om te polsen hoe het staat met uw beslissing.",
    "Mocht u nog aanpassingen wensen aan de offerte, laat gerust iets weten.",
    "Ik wil u niet overstelpen met mails, maar ik wou toch even opvolgen: past ons voorstel in uw planning?",
    "Zijn er nog punten in de offerte die ik moet verduidelijken?",
]


def hi(d: Demo, name: str = "") -> str:
    return d.take(HI_NL, n=name) if name else d.take(HI_NL0)


# --- the deals ---------------------------------------------------------------------------
# Each function is one supplier's story. Labels follow SPEC §4: only the buyer's first
# message of a conversation is a request; everything later from his side is a follow-up.

def garage_peeters(d: Demo) -> None:
    deal, sup = "peeters-bestelwagen", "garage-peeters.be"
    req = d.send(JAN, [PEETERS_TOM], d.at(8, 31, 9, 12), "Offerte Ford Transit Custom dubbele cabine", f"""
{hi(d)}

Wij zijn op zoek naar een nieuwe bestelwagen voor onze ploeg. Graag had ik een offerte ontvangen voor een Ford Transit Custom dubbele cabine, L2, 2.0 EcoBlue 150 pk, automaat, met trekhaak en houten laadvloer. Kleur wit, de belettering laten we zelf doen.

Kunnen jullie ook de levertermijn vermelden en wat jullie geven voor onze huidige Transit (2019, 148.000 km)?

{d.take(BYE_JAN)}""", cc=(SOFIE,), label="request", deal=deal, supplier=sup, note="request for a company van")
    pdf1 = make_pdf("Offerte 2026-1234", [
        "Garage Peeters nv - Boomsesteenweg 41, 2610 Wilrijk - BTW BE 0412.345.678",
        "Klant: Van den Broeck Bouw & Renovatie bv, Kapelstraat 112, 2640 Mortsel",
        "Datum: 01/09/2026 - geldig tot 30/09/2026", "",
        "Ford Transit Custom Dubbele Cabine L2H1 2.0 EcoBlue 150 pk A8 Trend",
        "Opties: trekhaak afneembaar, houten laadvloer, achteruitrijcamera",
        "Catalogusprijs opties inbegrepen:        EUR 52.340,00", "Korting fleet:                           EUR -5.470,00",
        "Totaal excl. BTW:                        EUR 46.870,00", "BTW 21%:                                 EUR 9.842,70",
        "Totaal incl. BTW:                        EUR 56.712,70", "",
        "Overname Ford Transit 2019 (148.000 km): EUR 14.500,00", "Levertermijn: 8 a 10 weken"])
    quote = d.reply(req, PEETERS_TOM, d.at(9, 1, 11, 40), f"""
{d.take(HI_NL, n="meneer Van den Broeck")}

Bedankt voor uw aanvraag. In bijlage vindt u onze offerte voor de Transit Custom dubbele cabine in de gevraagde uitvoering.

Prijs: € 46.870,00 excl. BTW (€ 56.712,70 incl. 21% BTW). Voor uw huidige Transit kunnen we € 14.500,00 bieden, onder voorbehoud van inspectie. Levertermijn momenteel 8 à 10 weken.

Met vriendelijke groeten,""", attach=(("Offerte_2026-1234.pdf", pdf1),), to=[JAN], cc=(SOFIE,),
        label="quote", note="fast quoter (next working day), offer as PDF")
    nxt = d.reply(quote, PEETERS_TOM, d.at(9, 2, 10, 5), f"""
Goeiemorgen Jan,

{d.take(CHECKIN_NL)} Een proefrit met een demowagen kan ook altijd, we hebben er een in dezelfde uitvoering staan.

Groeten,""", label="follow-up", note="next-day follow-up after the quote")
    ans = d.reply(nxt, JAN_IPHONE, d.at(9, 3, 19, 22), """
Dag Tom, goed ontvangen, bedankt. Ik vergelijk nog met een andere kandidaat en laat volgende week iets weten.
Jan""", label="follow-up", note="buyer answers, still comparing")
    week = d.reply(ans, PEETERS_TOM, d.at(9, 10, 9, 30), f"""
Dag Jan,

{d.take(CHECKIN_NL)} De wagen uit onze offerte kunnen we nog tot eind september aan die prijs vastleggen.

Groeten,""", label="follow-up", note="weekly polite check-in")
    haggle = d.reply(week, JAN, d.at(9, 14, 8, 15), f"""
{d.take(HI_NL, n="Tom")}

Ik heb intussen een voorstel dat een stuk scherper is, zowel op de prijs als op de overname. Kan je nog iets doen? Dan beslissen we deze week.

{d.take(BYE_JAN)}""", label="follow-up", note="buyer negotiates (not a request)")
    rev = d.reply(haggle, PEETERS_TOM, d.at(9, 15, 16, 2), """
Dag Jan,

Ik heb het voorgelegd aan onze zaakvoerder. Aangepaste offerte 2026-1234 versie 2:

Ford Transit Custom Dubbele Cabine L2H1 2.0 EcoBlue 150 pk A8 Trend
Totaal excl. BTW: € 44.950,00
Totaal incl. BTW: € 54.389,50
Overname Ford Transit 2019: € 15.250,00

Dit is echt ons scherpste voorstel.

Groeten,""", label="quote", note="revised offer is a quote")
    ok = d.reply(rev, JAN, d.at(9, 18, 11, 11), f"""
{d.take(HI_NL, n="Tom")}

Akkoord, we gaan ervoor. Stuur de bestelbon maar door, Sofie regelt de rest.

{d.take(BYE_JAN)}""", cc=(SOFIE,), label="follow-up", note="buyer accepts")
    d.reply(ok, PEETERS_TOM, d.at(9, 18, 14, 30), """
Dag Jan,

Super, bedankt voor het vertrouwen! De bestelbon volgt vandaag nog per mail ter ondertekening. Ik hou u op de hoogte van de leverdatum.

Groeten,""", cc=(SOFIE,), label="follow-up", note="supplier confirms order")

    deal = "peeters-winterbanden"
    req = d.send(SOFIE, [PEETERS_DESK], d.at(10, 30, 15, 47), "Prijs winterbanden 2 bestelwagens", f"""
{hi(d)}

Mogen wij een prijs vragen voor winterbanden voor onze twee Transits (bandenmaat 215/65 R16C), montage en balanceren inbegrepen? Liefst nog begin november.

{d.take(BYE_SOFIE)}""", label="request", deal=deal, supplier=sup, note="request by the colleague (my_domains)")
    q = d.reply(req, PEETERS_DESK, d.at(11, 2, 9, 5, 7), """
Goeiemorgen Sofie,

Hierbij onze prijs:
8 x Michelin Agilis Alpin 215/65 R16C à € 162,00 = € 1.296,00
montage en balanceren 8 banden: € 120,00
Totaal € 1.416,00 excl. btw (€ 1.713,36 incl. btw). Stockage zomerbanden gratis.

Zal ik ze inplannen voor donderdag 5/11?""", date_raw="Mon, 2 Nov 2026 9:05:07 +0100",
        label="quote", note="quote with unit price; Date header with single-digit hour; day after the 1 Nov holiday")
    a = d.reply(q, SOFIE, d.at(11, 2, 10, 12), """
Dag Nathalie,

Prima, plan ze maar in voor donderdag. Ik zet het door naar de jongens.

Groetjes,
Sofie""", label="follow-up", note="colleague confirms")
    d.reply(a, PEETERS_DESK, d.at(11, 2, 10, 48), """
Ingepland: donderdag 5/11 om 8u00 beide wagens. Reken op een uurtje per wagen.""",
        label="follow-up", note="supplier confirms")


def autohuis_claes(d: Demo) -> None:
    deal, sup = "claes-pickup", "autohuis-claes.be"
    req = d.send(JAN, [CLAES_SALES], d.at(9, 7, 10, 40), "Offerte Toyota Hilux dubbele cabine", f"""
{hi(d)}

Voor onze werfleider zoeken we een pick-up. Kan u mij een offerte bezorgen voor een Toyota Hilux dubbele cabine met laadbakcover en trekhaak (3,5 ton)?

{d.take(BYE_JAN)}""", label="request", deal=deal, supplier=sup, note="request to a sales subdomain")
    qst = d.reply(req, CLAES_SALES, d.at(9, 8, 14, 12), f"""
{d.take(HI_NL, n="meneer Van den Broeck")}

Bedankt voor uw interesse in de Hilux. Om u een correcte offerte te maken: welke uitvoering had u in gedachten (Comfort, Premium of Invincible), schakel of automaat, en gaat het om aankoop of financiële leasing? Wanneer zou de wagen geleverd moeten worden?

Met vriendelijke groeten,""", subject="RE: [EXT] Offerte Toyota Hilux dubbele cabine",
        label="follow-up", note="supplier asks a clarifying question before quoting; [EXT] tag")
    ans = d.reply(qst, JAN, d.at(9, 8, 21, 5), """
Dag Kevin,

Invincible, automaat, aankoop. Levering ten laatste in januari.

Groeten,
Jan""", label="follow-up", note="buyer answers the question")
    chase = d.reply(ans, SOFIE, d.at(9, 21, 8, 40), f"""
Dag Kevin,

{d.take(CHASE_NL)}

{d.take(BYE_SOFIE)}""", cc=(JAN,), label="follow-up", note="colleague chases (buyer's side)")
    quote = d.reply(chase, CLAES_AN, d.at(9, 24, 17, 15), """
Beste Sofie, beste Jan,

Excuses voor het wachten, we moesten de prijs bij de invoerder bevestigen. Hierbij onze offerte:

Toyota Hilux Double Cab 2.8 D-4D Invincible automaat
+ laadbakcover, trekhaak 3,5 t, rubberen bakmat
Prijs: € 52.300,00 incl. BTW
Levering: december 2026

Ik hoor graag of dit past.

Vriendelijke groeten,""", to=[SOFIE, JAN], label="quote", note="slow quoter (13 working days), from the main domain")
    fu = d.reply(quote, CLAES_SALES, d.at(10, 1, 10, 0), f"""
{d.take(HI_NL, n="Jan")}

{d.take(CHECKIN_NL)}

Met vriendelijke groeten,""", to=[JAN], label="follow-up", note="one-week follow-up from the subdomain again")
    no = d.reply(fu, JAN, d.at(10, 1, 12, 20), """
Dag Kevin,

Bedankt voor de opvolging. We hebben intussen voor een andere oplossing gekozen.

Groeten,
Jan""", label="follow-up", note="buyer declines")
    d.reply(no, CLAES_SALES, d.at(10, 1, 14, 3), """
Dag Jan,

Jammer, maar bedankt om het te laten weten. Mocht er in de toekomst iets veranderen, dan help ik u graag verder.

Met vriendelijke groeten,""", label="follow-up", note="supplier closes politely")

    deal = "claes-elektrische-bestelwagen"
    req = d.send(JAN, [CLAES_SALES], d.at(11, 16, 11, 5), "Elektrische bestelwagen + proefrit", f"""
{hi(d)}

We denken eraan om een elektrische bestelwagen in te zetten voor de kleine renovatiewerven in de stad. Is het mogelijk om een Toyota Proace Electric L2 eens een dag te testen (proefrit), en mij een prijs te bezorgen?

{d.take(BYE_JAN)}""", label="request", deal=deal, supplier=sup, note="high-intent request (test drive)")
    q = d.reply(req, CLAES_AN, d.at(11, 17, 9, 20), """
Dag Jan,

Leuk dat u opnieuw aan ons denkt. Een Proace Electric L2 75 kWh in de Professional-uitvoering kost € 49.990,00 excl. btw, laadkabel type 2 inbegrepen. Een demowagen staat vrijdag 20/11 voor u klaar als dat past.

Vriendelijke groeten,""", to=[JAN], label="quote", note="next-day quote with test drive offer")
    a = d.reply(q, JAN, d.at(11, 18, 7, 58), """
Dag An,

Vrijdag 20/11 past. Ik kom de wagen om 7u30 halen, als dat lukt.

Groeten,
Jan""", label="follow-up", note="buyer books the test drive")
    d.reply(a, CLAES_SALES, d.at(11, 23, 9, 15), """
Dag Jan,

Hoe is de proefrit met de Proace Electric bevallen? Als u wil, maak ik een leasingvoorstel op maat, of rekenen we de laadpaal thuis en op het bedrijf mee.

Met vriendelijke groeten,""", to=[JAN], label="follow-up", note="dealer follows up after the test drive")


def vanhoutte(d: Demo) -> None:
    deal, sup = "vanhoutte-proefrit", "vanhoutte-premium.be"
    req = d.send(JAN, [VANHOUTTE_PJ], d.at(10, 2, 16, 20), "Proefrit Audi Q8 e-tron (2 dagen)", f"""
{hi(d, "Pieter-Jan")}

Zoals besproken in de toonzaal vorige zaterdag: ik zou graag een proefrit van twee dagen doen met de Audi Q8 e-tron 55 quattro, zodat ik hem eens op een gewone werkdag kan gebruiken (werven, autosnelweg, laden op kantoor). Graag ook een prijsofferte voor de configuratie die we samen bekeken: S line, Daytonagrijs, pano-dak, trekhaak, 22 inch.

Wanneer zou dat kunnen?

{d.take(BYE_JAN)}""", label="request", deal=deal, supplier=sup, note="MONSTER: two-day test drive request (high intent)")
    slot = d.reply(req, VANHOUTTE_PJ, d.at(10, 5, 10, 31), """
Dag Jan,

Met plezier! De Q8 e-tron staat voor u klaar van donderdag 15 oktober 8u tot vrijdag 16 oktober 18u. Past dat? De offerte bezorg ik u voor de proefrit.

Groeten,""", label="follow-up", note="dealer proposes the test drive dates")
    conf = d.reply(slot, JAN, d.at(10, 5, 12, 2), """
Dag Pieter-Jan,

Perfect, ik kom donderdag 15/10 om 8u.

Groeten,
Jan""", label="follow-up", note="buyer confirms the test drive")
    d.send(VANHOUTTE_BOT, [JAN], d.at(10, 5, 12, 9), "Bevestiging afspraak: proefrit Audi Q8 e-tron", """
Beste Jan Van den Broeck,

Uw afspraak is bevestigd.

Type: proefrit (2 dagen)
Wagen: Audi Q8 e-tron 55 quattro S line
Ophalen: donderdag 15 oktober 2026 om 08:00
Terugbrengen: vrijdag 16 oktober 2026 om 18:00
Adres: Vanhoutte Premium Cars, Antwerpsesteenweg 480, 2630 Aartselaar

Neem uw rijbewijs mee. Dit is een automatisch bericht; antwoorden op deze mail worden niet gelezen.""",
        headers=(("Auto-Submitted", "auto-generated"), ("X-Auto-Response-Suppress", "All")),
        label="silence", deal=deal, supplier=sup, note="booking notification (automatic)")
    pdf = make_pdf("Offerte VH-2026-0871", [
        "Vanhoutte Premium Cars bv - Antwerpsesteenweg 480, 2630 Aartselaar",
        "Klant: Van den Broeck Bouw & Renovatie bv - Jan Van den Broeck", "Datum: 14/10/2026 - geldig 30 dagen", "",
        "Audi Q8 e-tron 55 quattro S line 300 kW (408 pk) - Daytonagrijs parelmoer",
        "Panoramisch glazen dak, trekhaak elektrisch, 22\" velgen, Bang & Olufsen, matrix LED",
        "Catalogusprijs basismodel:                 € 89.650,00",
        "Opties:                                    € 18.920,00",
        "Korting:                                   € -4.070,00",
        "Totaal excl. BTW:                          € 86.363,64",
        "BTW 21%:                                   € 18.136,36",
        "TOTAAL incl. BTW:                          € 104.500,00", "",
        "Levertermijn: januari 2027. Leasing via Audi Financial Services op aanvraag."])
    quote = d.reply(conf, VANHOUTTE_PJ, d.at(10, 14, 17, 48), """
Dag Jan,

Zoals beloofd alvast de offerte voor de configuratie die we samen bekeken hebben: totaalprijs € 104.500,00 incl. BTW, levering januari 2027. Details in bijlage.

Tot morgen om 8u, de wagen staat volgeladen klaar!

Groeten,""", attach=(("Offerte_VH-2026-0871.pdf", pdf),), label="quote", note="MONSTER: quote € 104.500,00 incl. BTW")
    d.reply(quote, JAN, d.at(10, 16, 18, 5), """
Dag Pieter-Jan,

De wagen staat terug bij jullie, sleutel ligt aan het onthaal. Indrukwekkende wagen, ook op de werf. Ik had nog een paar vragen over een leasingformule via de zaak en over de levertermijn; bel me gerust volgende week even.

Groeten,
Jan""", label="follow-up", note="MONSTER: buyer returns the car; dealer never follows up")


def desmet(d: Demo) -> None:
    sup = "verhuur-desmet.be"
    deal = "desmet-minigraver"
    req = d.send(JAN, [DESMET], d.at(9, 3, 16, 45), "Huur minigraver + dumper", f"""
{hi(d)}

Graag een prijs voor de huur van een minigraver 2,5 ton en een dumper 1 ton, van maandag 14/9 tot vrijdag 25/9, werf Edegemsestraat in Mortsel. Levering en ophaling door jullie.

{d.take(BYE_JAN)}""", label="request", deal=deal, supplier=sup, note="request for machine rental")
    q = d.reply(req, DESMET, d.at(9, 4, 8, 20), """
Goeiemorgen,

Voor de periode 14/9 - 25/9 (10 werkdagen):
- minigraver Kubota U27-4 (2,5 t), 3 bakken + sloophamer optioneel: € 95,00/dag
- dumper Thwaites 1 t: € 55,00/dag
- transport heen en terug: € 150,00
Totaal EUR 1 650 excl. btw, brandstof niet inbegrepen. Verzekering breuk inbegrepen.

Groeten,""", label="quote", note="next-day quote, 'EUR 1 650' format")
    fu = d.reply(q, DESMET, d.at(9, 7, 8, 5), """
Goeiemorgen,

Mag ik de reservatie voor maandag 14/9 bevestigen? De minigravers gaan snel weg in september.

Groeten,""", threaded=False, quoted=False, label="follow-up",
        note="follow-up next working day (Fri to Mon); no In-Reply-To/References")
    a = d.reply(fu, JAN, d.at(9, 7, 9, 40), """
Dag Katrien,

Ja, bevestigd. Levering maandag 14/9 om 7u30 graag.

Groeten,
Jan""", label="follow-up", note="buyer confirms")
    d.reply(a, DESMET, d.at(9, 7, 10, 2), "Genoteerd, tot maandag!", label="follow-up", note="supplier confirms")

    deal = "desmet-hoogwerker"
    req = d.send(SOFIE, [DESMET], d.at(10, 26, 8, 10), "Schaarhoogwerker 28-30 oktober", f"""
{hi(d, "Katrien")}

Hebben jullie nog een elektrische schaarhoogwerker (± 10 m werkhoogte) vrij van woensdag 28 tot vrijdag 30 oktober? Graag een prijs, levering op de werf in Kessel-Lo.

{d.take(BYE_SOFIE)}""", label="request", deal=deal, supplier=sup, note="request by the colleague")
    q = d.reply(req, DESMET, d.at(10, 26, 10, 45), """
Dag Sofie,

Ja, we hebben een Genie GS-2632 vrij. Prijs: € 145,00 per dag, 3 dagen = € 435,00, transport € 90,00, dus € 525,00 excl. btw in totaal.

Groeten,""", fmt="html", label="quote", note="same-day quote, HTML-only mail")
    fu = d.reply(q, DESMET, d.at(10, 27, 9, 0), """
Dag Sofie,

Nog vragen over de hoogwerker? We maken vandaag de planning voor woensdag op, dus laat gerust iets weten.

Groeten,""", to=[SOFIE], label="follow-up", note="next-day follow-up after the quote")
    ok = d.reply(fu, SOFIE, d.at(10, 27, 9, 25), """
Dag Katrien,

Sorry, vergeten te antwoorden. Is goed, bevestigd voor woensdag.

Groetjes,
Sofie""", label="follow-up", note="colleague confirms")
    d.reply(ok, DESMET, d.at(10, 27, 10, 3), "Prima, staat genoteerd. Levering woensdag voor 8u.",
            label="follow-up", note="supplier confirms")

    deal = "desmet-graafmachine"
    req = d.send(JAN, [DESMET], d.at(11, 23, 7, 30), "Rupskraan 8 ton december", f"""
{hi(d, "Katrien")}

Voor de grondwerken in Boechout zoek ik een rupskraan van ± 8 ton voor twee weken vanaf maandag 7/12, met slotenbak en sorteergrijper. Wat is jullie prijs?

{d.take(BYE_JAN)}""", label="request", deal=deal, supplier=sup, note="request in the last week before as-of")
    q = d.reply(req, DESMET, d.at(11, 24, 8, 55), """
Dag Jan,

Rupskraan Volvo EC85 (8,5 t) met slotenbak en sorteergrijper: € 265,00/dag, 10 werkdagen € 2.650,00, transport heen en terug € 220,00. Totaal € 2.870,00 excl. btw.

Groeten,""", label="quote", note="next-day quote")
    d.reply(q, DESMET, d.at(11, 25, 14, 12), """
Dag Jan,

Ik hou de kraan voorlopig voor u vast tot vrijdag. Nog vragen, dan hoor ik het graag.

Groeten,""", to=[JAN], label="follow-up", note="next-day follow-up after the quote")
    pdf = make_pdf("Factuur 2026/0412", [
        "Desmet Verhuur bvba - Industrieweg 14, 2850 Boom - BTW BE 0455.123.987",
        "Klant: Van den Broeck Bouw & Renovatie bv", "Factuurdatum: 01/10/2026 - vervaldatum: 31/10/2026", "",
        "Huur minigraver Kubota U27-4, 14/09 - 25/09, 10 dagen x 95,00     950,00",
        "Huur dumper Thwaites 1 t, 10 dagen x 55,00                        550,00",
        "Transport                                                          150,00",
        "Brandstof 62 l                                                    111,60",
        "Totaal excl. BTW                                               EUR 1.761,60",
        "BTW 21%                                                        EUR   369,94",
        "Te betalen                                                     EUR 2.131,54",
        "Gestructureerde mededeling: +++412/2026/04127+++"])
    d.send(DESMET_BILLING, [JAN], d.at(10, 1, 6, 2), "Factuur 2026/0412 - Desmet Verhuur", """
Geachte klant,

In bijlage vindt u factuur 2026/0412 voor de huur van een minigraver en dumper (14/09 - 25/09).
Gelieve het bedrag van € 2.131,54 te betalen voor 31/10/2026 met mededeling +++412/2026/04127+++.

Met dank voor uw vertrouwen,
Desmet Verhuur bvba - boekhouding""", attach=(("Factuur_2026-0412.pdf", pdf),),
        label="other", deal="", supplier="", note="invoice with PDF (not a quote)")


def scaffolding_rfq(d: Demo) -> None:
    """One request mailed to three suppliers at once: three deals."""
    maes, wouters, scaff = "maes-gevelstelling", "wouters-gevelstelling", "scafftech-gevelstelling"
    rfq = d.send(JAN, [MAES_INFO, WOUTERS, SCAFFTECH_SALES], d.at(10, 8, 7, 45),
                 "Prijsvraag gevelstelling - renovatie Edegemsestraat Mortsel", f"""
Beste,

Voor de gevelrenovatie van een rijwoning in de Edegemsestraat 41 in Mortsel zoeken we een gevelstelling:
- gevel 24 m breed, 9 m hoog (tot dakrand)
- plaatsing, 6 weken huur en afbraak
- start maandag 26 oktober

Graag jullie prijs tegen vrijdag 16 oktober.

{d.take(BYE_JAN)}""", cc=(SOFIE,), label="request", deal=f"{maes};{wouters};{scaff}",
                 supplier="steigerbouw-maes.be;wouters-stellingen.be;scafftech.be",
                 note="one RFQ to three suppliers: three deals")
    ack = d.reply(rfq, SCAFFTECH_BOT, d.later(rfq, 38), """
Beste klant,

Bedankt voor uw bericht. Wij hebben uw aanvraag goed ontvangen en er werd een ticket aangemaakt met nummer #SC-20817. Een van onze medewerkers neemt zo snel mogelijk contact met u op.

Vermeld dit ticketnummer in al uw verdere correspondentie.

Met vriendelijke groeten,
Scafftech Service Desk

Dit is een automatisch gegenereerd bericht.""", to=[JAN], subject="[Ticket #SC-20817] Prijsvraag gevelstelling - renovatie Edegemsestraat Mortsel",
        quoted=False, headers=(("Auto-Submitted", "auto-replied"), ("X-Auto-Response-Suppress", "All"),
                               ("Precedence", "auto_reply")),
        label="silence", deal=scaff, supplier="scafftech.be", note="auto-acknowledgement with ticket number")
    qst = d.reply(rfq, WOUTERS, d.at(10, 8, 11, 20), """
Geachte heer Van den Broeck,

Wij bekijken uw aanvraag graag. Nog enkele vragen: staat de stelling op het voetpad (verhard) of in een voortuin? Wenst u netten en een ladderstelling, en gaat het om één gevel of ook de zijgevel?""",
        to=[JAN], label="follow-up", deal=wouters, supplier="wouters-stellingen.be",
        note="supplier asks a clarifying question; quoted request says 'prijs'")
    ans = d.reply(qst, JAN, d.at(10, 9, 8, 5), """
Dag meneer Wouters,

Eén gevel, op het voetpad (verhard), met netten en een ladderstelling. Een inname openbaar domein vragen wij zelf aan.

Groeten,
Jan""", label="follow-up", note="buyer answers the question")
    q_maes = d.reply(rfq, MAES, d.at(10, 12, 13, 37), """
Dag Jan,

Bedankt voor de aanvraag. Voor de gevel van 24 x 9 m:
plaatsing + afbraak: € 1.850,00
huur 6 weken à € 355,00/week: € 2.130,00
netten inbegrepen
Totaal: € 3.980,00 excl. btw

Start 26/10 kan.

Mvg,""", to=[JAN], label="quote", deal=maes, supplier="steigerbouw-maes.be",
        note="quote from another address of the supplier (bart@ vs info@)")
    fu_maes = d.reply(q_maes, MAES, d.at(10, 13, 9, 10), """
Hoi Jan,

Heb je de prijs goed ontvangen? Ik kan de 26e nog inplannen, maar niet lang meer want de planning loopt vol.

Bart""", label="follow-up", note="next-day follow-up after the quote")
    pdf = make_pdf("Offerte W-2026-311", [
        "Wouters Stellingen nv - Kempenlaan 9, 2160 Wommelgem",
        "Betreft: gevelstelling Edegemsestraat 41, 2640 Mortsel", "Datum: 14/10/2026", "",
        "Gevelstelling 24 m x 9 m, inclusief consoles en kantplanken    216 m2",
        "Plaatsing en afbraak                                          EUR 2.160,00",
        "Huur 6 weken                                                  EUR 1.728,00",
        "Netten en ladderstelling                                      EUR   532,00",
        "Totaal excl. BTW                                              EUR 4.420,00",
        "Geldigheid: 30 dagen. Betaling 30 dagen factuurdatum."])
    q_w = d.reply(ans, WOUTERS, d.at(10, 14, 10, 48), """
Geachte heer Van den Broeck,

In bijlage onze offerte W-2026-311 voor de gevelstelling, totaal € 4.420,00 excl. btw, netten en ladderstelling inbegrepen.""",
        attach=(("Offerte_W-2026-311.pdf", pdf),), label="quote", note="quote as PDF after the question")
    neg = d.reply(q_w, JAN, d.at(10, 14, 14, 20), """
Dag meneer Wouters,

Bedankt. Ik heb een voorstel dat een stuk lager ligt. Kan u nog iets doen aan de prijs?

Groeten,
Jan""", label="follow-up", note="buyer negotiates")
    rev = d.reply(neg, WOUTERS, d.at(10, 16, 11, 2), """
Geachte heer Van den Broeck,

Na herberekening kunnen wij de gevelstelling aanbieden aan € 3.890,00 excl. btw (netten en ladderstelling inbegrepen, 6 weken huur). Herziene offerte: plaatsing en afbraak € 1.950,00, huur € 1.560,00, netten € 380,00.""",
        label="quote", note="revised offer (a quote, not a follow-up)")
    yes = d.reply(rev, JAN, d.at(10, 19, 8, 2), """
Dag meneer Wouters,

Akkoord met de herziene offerte. Plaatsing maandag 26/10 vanaf 7u30.

Groeten,
Jan""", cc=(SOFIE,), label="follow-up", note="buyer accepts")
    no = d.reply(fu_maes, JAN, d.at(10, 19, 8, 10), """
Dag Bart,

Bedankt voor de snelle prijs. We zijn deze keer met een andere firma in zee gegaan.

Groeten,
Jan""", label="follow-up", note="buyer declines")
    d.reply(yes, WOUTERS, d.at(10, 19, 10, 35), """
Geachte heer Van den Broeck,

Dank u voor de opdracht. De ploeg is maandag 26/10 om 7u30 ter plaatse; gelieve het voetpad vrij te houden.""",
        label="follow-up", note="supplier confirms the order")
    d.reply(no, MAES, d.at(10, 19, 12, 1), """
Jammer Jan, maar bedankt om het te laten weten. Tot een volgende keer!

Bart""", label="follow-up", note="supplier closes politely")
    chase = d.reply(ack, JAN, d.at(10, 19, 10, 10), f"""
Beste,

{d.take(CHASE_NL)} Ik ontving enkel een automatisch bericht met een ticketnummer.

{d.take(BYE_JAN)}""", to=[SCAFFTECH_SALES], label="follow-up", note="buyer chases after an auto-ack")
    d.reply(chase, SCAFFTECH_BOT, d.later(chase, 41), """
Uw reactie werd toegevoegd aan ticket #SC-20817. U hoeft niets te doen; wij nemen contact met u op zodra uw ticket behandeld wordt.

Scafftech Service Desk - automatisch bericht""", to=[JAN], quoted=False,
        headers=(("Auto-Submitted", "auto-replied"),), label="silence", note="ticket update receipt; then nothing (open silence)")


def maes_second(d: Demo) -> None:
    deal, sup = "maes-stelling-kessel-lo", "steigerbouw-maes.be"
    req = d.send(JAN, [MAES], d.at(11, 16, 10, 0), "Stelling achtergevel Kessel-Lo", f"""
{d.take(HI_NL, n="Bart")}

Nieuw project: achtergevel van een halfopen woning in Kessel-Lo, 11 m breed en 7 m hoog, 4 weken, start 7 december. Kan je mij een prijs geven?

{d.take(BYE_JAN)}""", label="request", deal=deal, supplier=sup, note="repeat customer request")
    d.reply(req, MAES, d.at(11, 18, 16, 40), """
Hoi Jan,

Voor Kessel-Lo: plaatsing en afbraak € 980,00, huur 4 weken à € 415,00 = € 1.660,00. Totaal € 2.640,00 excl. btw. 7/12 staat voorlopig in potlood in de planning.

Mvg,""", label="quote", note="quote, then no follow-up (open silence after quote)")


def vermeulen(d: Demo) -> None:
    sup = "houthandel-vermeulen.be"
    deal = "vermeulen-balken"
    req = d.send(JAN, [VERMEULEN], d.at(9, 1, 7, 5), "Prijsopgave balken en OSB - levering Mortsel", f"""
{hi(d)}

Graag een prijsopgave voor:
- 50 balken vuren 63 x 175 mm, 4,20 m
- 20 platen OSB/3 18 mm
levering op de werf in Mortsel volgende week.

{d.take(BYE_JAN)}""", label="request", deal=deal, supplier=sup, note="request for materials")
    q = d.reply(req, VERMEULEN, d.at(9, 2, 10, 30), """
Goedemorgen meneer Van den Broeck,

Hierbij onze prijs:
50 stuks à € 12,50 = € 625,00 (vuren 63 x 175 mm, 4,20 m, C24)
20 platen OSB/3 18 mm à € 24,90 = € 498,00
levering werf Mortsel: € 45,00
Totaal € 1.168,00 excl. btw

Levering mogelijk vanaf maandag 7/9.

Met vriendelijke groeten,""", label="quote", note="quote with quantity x unit price ('50 stuks à € 12,50')")
    a = d.reply(q, JAN, d.at(9, 3, 7, 50), """
Dag Lotte,

Prima, bestel maar. Levering maandag 7/9 in de voormiddag?

Groeten,
Jan""", label="follow-up", note="buyer orders")
    d.reply(a, VERMEULEN, d.at(9, 3, 9, 15), """
Dag Jan,

Genoteerd, levering maandag 7/9 in de voormiddag. De chauffeur belt een halfuur op voorhand.

Met vriendelijke groeten,""", label="follow-up", note="supplier confirms")

    deal = "vermeulen-terrashout"
    req = d.send(JAN_IPHONE, [VERMEULEN], d.at(10, 17, 10, 22), "Padoek terrasplanken", """
Dag Lotte,

Kan ik een prijs krijgen voor 62 m² padoek terrasplanken 21x145, met onderbalken en inox schroeven? Voor een klant in Lier.

Jan""", label="request", deal=deal, supplier=sup, note="Saturday request (answered Monday = 0 working days)")
    q = d.reply(req, VERMEULEN, d.at(10, 19, 11, 5), """
Dag Jan,

Padoek 21 x 145 mm glad: € 68,50/m², 62 m² = € 4.247,00
onderbalken padoek 45 x 70 mm: € 712,40
inox schroeven + bits: € 353,00
Totaal € 5.312,40 excl. btw, levering inbegrepen.

Met vriendelijke groeten,""", label="quote", note="quote on Monday after a Saturday request")
    a = d.reply(q, JAN, d.at(10, 20, 7, 40), """
Dag Lotte,

Top. Kunnen jullie leveren op dinsdag 3 november?

Groeten,
Jan""", label="follow-up", note="buyer asks delivery date")
    d.reply(a, VERMEULEN, d.at(10, 20, 13, 55), """
Dag Jan,

Ja hoor, dinsdag 3/11 is vastgelegd.

Met vriendelijke groeten,""", label="follow-up", note="supplier answers")

    deal = "vermeulen-gevelbekleding"
    d.send(JAN, [VERMEULEN], d.at(11, 25, 16, 12), "Prijsvraag thermowood gevelbekleding", f"""
{d.take(HI_NL, n="Lotte")}

Voor een project in Hove zoeken we thermowood gevelbekleding (rhombus 28 x 68), ongeveer 85 m², met regelwerk en zwarte schroeven. Kan je mij hiervoor een prijs maken? Levering ten vroegste half december.

{d.take(BYE_JAN)}""", label="request", deal=deal, supplier=sup, note="request not yet matured as of 30 Nov")
    d.send(VERMEULEN_NEWS, [JAN], d.at(9, 8, 6, 0, 0), "Nieuwsbrief september: FSC-hout in promo + nieuwe openingsuren", """
Houthandel Vermeulen - nieuwsbrief september

Deze maand in promo: FSC-gecertificeerde vurenhouten balken -15%, OSB/3 platen vanaf € 21,90 per plaat (afhalen), en een najaarsactie op terrasplanken.

Nieuw: vanaf 1 oktober zijn we op zaterdag open van 8u tot 12u.

Wil je deze nieuwsbrief niet meer ontvangen? Schrijf je uit via de link onderaan.""",
        headers=(("List-Unsubscribe", "<https://news.houthandel-vermeulen.be/unsubscribe?u=8f31a2>, <mailto:unsubscribe@houthandel-vermeulen.be>"),
                 ("List-Unsubscribe-Post", "List-Unsubscribe=One-Click"),
                 ("List-Id", "Nieuwsbrief Houthandel Vermeulen <nieuwsbrief.houthandel-vermeulen.be>"),
                 ("Precedence", "bulk")),
        label="other", deal="", supplier="", note="supplier's own newsletter (bulk)")


def dewilde(d: Demo) -> None:
    sup = "tegelhuis-dewilde.be"
    deal = "dewilde-vloertegels"
    req = d.send(JAN, [DEWILDE], d.at(9, 14, 13, 20), "Offerte vloertegels 60x60 - renovatie Edegem", f"""
{hi(d)}

Voor een renovatie van een woning ouder dan 10 jaar in Edegem zoeken we 85 m² keramische vloertegels 60 x 60 cm, gerectificeerd, lichtgrijs (bv. Marazzi Mystone of gelijkwaardig). Graag jullie beste prijs inclusief lijm en voegsel, btw 6%.

{d.take(BYE_JAN)}""", label="request", deal=deal, supplier=sup, note="request")
    d.reply(req, DEWILDE, d.later(req, 53), """
Bedankt voor uw mail.

Ik ben afwezig tot en met maandag 21 september en lees mijn mails niet. Uw bericht wordt niet doorgestuurd; ik beantwoord het zo snel mogelijk na mijn terugkeer. Voor dringende zaken kan u de winkel bellen op 03 440 17 77.

Ann De Wilde""", quoted=False, label="silence", note="out-of-office WITHOUT any auto-reply header")
    chase = d.reply(req, JAN, d.at(9, 28, 8, 30), f"""
{d.take(HI_NL, n="Ann")}

{d.take(CHASE_NL)}

{d.take(BYE_JAN)}""", label="follow-up", note="buyer chases")
    q = d.reply(chase, DEWILDE, d.at(10, 1, 16, 55), """
Dag Jan,

Sorry voor het late antwoord, na mijn verlof lag er een hele stapel. Hierbij twee voorstellen:

1) Marazzi Mystone Pietra di Vals 60x60 grigio: € 44,50/m²
2) Atlas Concorde Boost Pearl 60x60: € 39,95/m²

Voor 85 m² + 10% snijverlies = 94 m²:
1) € 4.183,00 / 2) € 3.755,30
lijm en voegsel: € 286,00
Totaal voorstel 2: € 4.041,30 excl. btw, € 4.283,78 incl. 6% btw.

Groetjes,""", label="quote", note="slow quoter (13 working days)")
    ok = d.reply(q, JAN, d.at(10, 5, 9, 2), """
Dag Ann,

Akkoord voor voorstel 2. Levering graag in week 44.

Groeten,
Jan""", label="follow-up", note="buyer accepts")
    d.reply(ok, DEWILDE, d.at(10, 5, 11, 48), """
Dag Jan,

Super, de tegels zijn besteld. Ik laat je de exacte leverdag weten zodra ik bevestiging van de fabriek heb.

Groetjes,""", label="follow-up", note="supplier confirms the order")

    deal = "dewilde-wandtegels"
    req = d.send(SOFIE, [DEWILDE], d.at(11, 5, 9, 0), "Wandtegels 30x90 badkamer", f"""
{d.take(HI_NL, n="Ann")}

Voor de badkamer in Edegem hebben we nog 32 m² wandtegels 30 x 90 wit mat nodig. Mag ik hiervoor een prijs vragen?

{d.take(BYE_SOFIE)}""", label="request", deal=deal, supplier=sup, note="request by the colleague")
    d.reply(req, DEWILDE, d.at(11, 17, 15, 40), """
Dag Sofie,

Wandtegel 30x90 wit mat (Marazzi Color Code): € 44,00/m², 32 m² = € 1.408,00 excl. btw. Levertermijn 1 week.

Groetjes,""", label="quote", note="slow quote (7 working days), then no follow-up")
    d.send(DEWILDE_BILLING, [JAN], d.at(11, 18, 10, 30), "Herinnering: openstaande factuur F26-1187", """
Geachte klant,

Volgens onze boekhouding staat factuur F26-1187 van 12/10/2026 (€ 4.283,78) nog open. Vervaldatum was 11/11/2026.

Mogen wij u vragen het bedrag binnen de 8 dagen over te maken op BE68 5390 0754 7034? Heeft u intussen betaald, dan mag u deze herinnering als nietig beschouwen.

Met vriendelijke groeten,
Tegelhuis De Wilde - boekhouding""", label="other", deal="", supplier="", note="payment reminder")


def isolatie_center(d: Demo) -> None:
    deal, sup = "isolatiecenter-pir", "isolatie-center.be"
    req = d.send(JAN, [ISOLATIE], d.at(9, 21, 10, 15), "Offerteaanvraag PIR-isolatie dak", f"""
{hi(d)}

Graag een offerte voor PIR-isolatieplaten met alu-cachering:
- 240 m² dikte 120 mm (dakisolatie)
- 40 m² dikte 60 mm
levering op werf in Boechout, begin oktober.

{d.take(BYE_JAN)}""", label="request", deal=deal, supplier=sup, note="request")
    d.reply(req, ISOLATIE_BOT, d.later(req, 9), """
Beste klant,

We hebben uw aanvraag goed ontvangen. Uw referentie is IC-2026-3381.
Een van onze adviseurs bezorgt u binnen 48 uur een offerte op maat.

Dit is een automatisch bericht, gelieve hierop niet te antwoorden.

Team Isolatie Center""", quoted=False, subject="Uw aanvraag IC-2026-3381 is goed ontvangen",
        headers=(("Auto-Submitted", "auto-generated"), ("X-Auto-Response-Suppress", "All")),
        label="silence", note="acknowledgement 'we hebben uw aanvraag goed ontvangen', then nothing")
    d.reply(req, SOFIE, d.at(10, 6, 9, 0), f"""
{hi(d)}

Wij ontvingen op 21/9 enkel een automatische bevestiging (ref. IC-2026-3381). {d.take(CHASE_NL)}

{d.take(BYE_SOFIE)}""", subject="RE: Offerteaanvraag PIR-isolatie dak", cc=(JAN,), label="follow-up",
        note="colleague chases; never answered (open silence)")


def krause(d: Demo) -> None:
    sup = "fensterbau-krause.de"
    deal = "krause-fenster"
    req = d.send(JAN, [KRAUSE], d.at(9, 16, 14, 10), "Anfrage Holz-Alu-Fenster - Renovierung Gent", """
Sehr geehrter Herr Krause,

auf Empfehlung eines Kollegen wende ich mich an Sie. Für die Renovierung eines Stadthauses in Gent benötigen wir 14 Holz-Alu-Fenster (Eiche innen, RAL 7016 außen), davon 4 Dreh-Kipp-Fenster 120 x 150 cm, 8 Fenster 90 x 150 cm und 2 Balkontüren 90 x 230 cm.

Könnten Sie uns ein Angebot inklusive Lieferung nach Belgien machen?

Mit freundlichen Grüßen
Jan Van den Broeck""", label="request", deal=deal, supplier=sup, note="German request")
    qst = d.reply(req, KRAUSE, d.at(9, 17, 9, 30), """
Sehr geehrter Herr Van den Broeck,

vielen Dank für Ihre Anfrage. Zwei Fragen vorab: Wünschen Sie Dreifachverglasung (Ug 0,6) oder Zweifachverglasung, und erfolgt die Montage durch Ihr eigenes Team oder durch unsere Monteure?""",
        label="follow-up", note="German clarifying question (AW: prefix)")
    ans = d.reply(qst, JAN, d.at(9, 17, 20, 45), """
Sehr geehrter Herr Krause,

Dreifachverglasung bitte, Montage durch unser eigenes Team.

Mit freundlichen Grüßen
Jan Van den Broeck""", label="follow-up", note="buyer answers (German)")
    pdf = make_pdf("Angebot Nr. 2026-0917", [
        "Fensterbau Krause GmbH - Industriestraße 7, 52070 Aachen - USt-IdNr. DE 812 345 678",
        "Kunde: Van den Broeck Bouw & Renovatie bv, Mortsel (BE)", "Datum: 28.09.2026", "",
        "Pos. 1  4 St. Holz-Alu-Fenster DK 120 x 150, 3-fach Ug 0,6   je 1.285,00   5.140,00",
        "Pos. 2  8 St. Holz-Alu-Fenster DK 90 x 150, 3-fach Ug 0,6    je 1.040,00   8.320,00",
        "Pos. 3  2 St. Balkontür 90 x 230, 3-fach                     je 1.960,00   3.920,00",
        "Pos. 4  Lieferung nach Belgien                                            1.260,00",
        "Gesamtsumme netto:                                                  18.640,00 EUR",
        "Innergemeinschaftliche Lieferung, steuerfrei (Reverse Charge).",
        "Lieferzeit: 8 Wochen nach Auftragsbestätigung."])
    q = d.reply(ans, KRAUSE_OFFERS, d.at(9, 29, 1, 15), """
Sehr geehrter Herr Van den Broeck,

anbei erhalten Sie unser Angebot Nr. 2026-0917 über 14 Holz-Alu-Fenster mit Dreifachverglasung. Gesamtsumme netto 18.640,00 EUR inkl. Lieferung nach Mortsel.""",
        utc=True, attach=(("Angebot_2026-0917.pdf", pdf),), label="quote",
        note="German offer as PDF; Date in UTC (+0000), UTC date is the day before")
    fu = d.reply(q, KRAUSE, d.at(10, 6, 10, 20), """
Sehr geehrter Herr Van den Broeck,

haben Sie unser Angebot erhalten? Gerne stehe ich Ihnen für Rückfragen zur Verfügung, auch telefonisch.""",
        to=[JAN], label="follow-up", note="one-week follow-up (German)")
    last = d.reply(fu, JAN, d.at(10, 7, 8, 15), """
Sehr geehrter Herr Krause,

ja, vielen Dank. Wir entscheiden Ende Oktober und melden uns dann.

Mit freundlichen Grüßen
Jan Van den Broeck""", label="follow-up", note="buyer answers")
    d.reply(last, KRAUSE, d.at(10, 7, 9, 5), """
Sehr geehrter Herr Van den Broeck,

vielen Dank für Ihre Rückmeldung. Wir halten die Preise bis Ende Oktober für Sie fest.""",
        label="follow-up", note="supplier acknowledges (German)")

    deal = "krause-haustuer"
    req = d.send(JAN, [KRAUSE], d.at(11, 12, 8, 40), "Anfrage Haustür Aluminium mit Seitenteil", """
Guten Tag Herr Krause,

für ein weiteres Projekt bräuchten wir eine Aluminium-Haustür mit einem Seitenteil (Gesamtbreite 150 cm, Höhe 230 cm, RAL 9005, Sicherheitsbeschlag RC2). Können Sie uns dafür ein Angebot schicken?

Viele Grüße
Jan Van den Broeck""", label="request", deal=deal, supplier=sup, note="German request")
    d.reply(req, KRAUSE, d.later(req, 22), """
Vielen Dank für Ihre Nachricht.

Ich bin bis einschließlich 20.11.2026 nicht im Büro und habe keinen Zugriff auf meine E-Mails. In dringenden Fällen wenden Sie sich bitte an meine Kollegin Sabine Hof (s.hof@fensterbau-krause.de, +49 241 55 80 14).""",
        subject="Abwesenheitsnotiz: Anfrage Haustür Aluminium mit Seitenteil", quoted=False,
        headers=(("Auto-Submitted", "auto-replied"), ("X-Auto-Response-Suppress", "All")),
        label="silence", note="German out-of-office with Auto-Submitted header")
    d.reply(req, KRAUSE, d.at(11, 24, 10, 15), """
Sehr geehrter Herr Van den Broeck,

zurück aus dem Urlaub, entschuldigen Sie die Verzögerung. Für die Aluminium-Haustür mit Seitenteil (150 x 230 cm, RAL 9005, RC2) können wir Ihnen folgendes Angebot machen: 6.980,00 EUR netto zzgl. Lieferung 240,00 EUR. Lieferzeit ca. 6 Wochen.""",
        label="quote", note="slow quote in the body (German, 7 working days)")


def lambert(d: Demo) -> None:
    deal, sup = "lambert-natuursteen", "pierres-lambert.fr"
    req = d.send(JAN, [LAMBERT], d.at(9, 28, 11, 0), "Demande de devis - dalles en pierre de Bourgogne", """
Bonjour Madame Lambert,

Nous sommes une entreprise de rénovation près d'Anvers (Belgique). Pour une terrasse, nous cherchons 48 m² de dalles en pierre de Bourgogne, format 60 x 40 cm, épaisseur 3 cm, finition adoucie.

Pourriez-vous nous faire parvenir un devis, livraison à Mortsel comprise ?

Cordialement,
Jan Van den Broeck""", label="request", deal=deal, supplier=sup, note="French request")
    pdf = make_pdf("DEVIS N° 4471", [
        "Pierres Lambert SAS - Carrières de Bourgogne - 21190 Meursault - TVA FR 47 512 345 678",
        "Client : Van den Broeck Bouw & Renovatie bv, Kapelstraat 112, 2640 Mortsel, Belgique",
        "Date : 30/09/2026 - validité 2 mois", "",
        "Dallage pierre de Bourgogne 60 x 40 x 3 cm, adouci     48 m²   x 118,50 €   5 688,00 €",
        "Palettes et emballage                                                      147,50 €",
        "Transport Meursault - Mortsel (camion grue)                               700,00 €",
        "Total HT :                                                               6 535,50 €",
        "Autoliquidation - TVA due par le preneur (art. 283-2 du CGI)"])
    q = d.reply(req, LAMBERT, d.at(9, 30, 15, 12), """
Bonjour Monsieur Van den Broeck,

Merci pour votre demande. Veuillez trouver ci-joint notre devis n° 4471 pour 48 m² de dallage en pierre de Bourgogne 60 x 40 x 3 cm adouci, pour un montant total de 6 535,50 € HT, transport inclus.

Bien cordialement,""", attach=(("devis_4471.pdf", pdf),), label="quote", note="French quote (devis) as PDF")
    a = d.reply(q, JAN, d.at(10, 1, 9, 20), """
Bonjour Madame Lambert,

Merci pour le devis. Quel serait le délai de livraison ? Le camion peut-il décharger lui-même (rue étroite) ?

Cordialement,
Jan Van den Broeck""", label="follow-up", note="buyer asks a question (French)")
    d.reply(a, LAMBERT_LOG, d.at(10, 2, 14, 5), """
Bonjour Monsieur,

Mme Lambert m'a transmis votre question. Livraison possible en semaine 43, par camion grue de 19 t qui décharge lui-même ; prévoyez un accès de 3,5 m de large. Je vous appelle la veille pour fixer l'heure.

Cordialement,""", subject="TR: RE: Demande de devis - dalles en pierre de Bourgogne", threaded=False,
        label="follow-up", note="answer by a colleague, TR: prefix, no In-Reply-To/References")
    d.send(LAMBERT_NEWS, [JAN], d.at(10, 22, 7, 30, 0), "Nos nouveautés de l'automne - Pierres Lambert", """
Pierres Lambert - Lettre d'information

Découvrez nos nouvelles finitions vieillies pour la pierre de Bourgogne, notre gamme de margelles et nos dates de fermeture pour les fêtes (du 21 décembre au 4 janvier).

Vous recevez ce message car vous êtes client. Se désinscrire : lien en bas de page.""",
        headers=(("List-Unsubscribe", "<mailto:desinscription@pierres-lambert.fr?subject=unsubscribe>"),
                 ("List-Id", "<actualites.pierres-lambert.fr>"), ("Precedence", "bulk")),
        label="other", deal="", supplier="", note="French newsletter")


def gilson(d: Demo) -> None:
    deal, sup = "gilson-toiture", "toitures-gilson.be"
    req = d.send(JAN, [GILSON], d.at(11, 1, 20, 15), "Demande de visite - rénovation toiture Waterloo", """
Bonjour Monsieur Gilson,

Nous rénovons une villa à Waterloo (Drève des Chasseurs) et nous cherchons un couvreur pour remplacer la toiture en ardoises (environ 180 m², avec isolation et nouvelles gouttières en zinc).

Serait-il possible de prévoir une visite sur place pour établir un devis ?

Bien à vous,""", label="request", deal=deal, supplier=sup,
        note="request for a site visit (high intent), sent on Sunday 1 Nov (holiday)")
    slot = d.reply(req, GILSON, d.at(11, 3, 8, 50), """
Bonjour Monsieur Van den Broeck,

Merci pour votre demande. Je peux passer sur le chantier le mardi 10 novembre à 14h. Est-ce que cela vous convient ?

Bien à vous,""", label="follow-up", note="French answer proposing a visit ('RE :' prefix)")
    ok = d.reply(slot, JAN, d.at(11, 3, 10, 2), """
Bonjour Monsieur Gilson,

C'est parfait, à mardi 14h sur place.

Cordialement,
Jan""", label="follow-up", note="buyer confirms the visit")
    d.reply(ok, JAN, d.at(11, 19, 9, 30), """
Bonjour Monsieur Gilson,

Merci encore pour votre visite du 10 novembre. Avez-vous pu avancer sur le devis ? Le client souhaite planifier les travaux pour le printemps.

Cordialement,
Jan Van den Broeck""", to=[GILSON], label="follow-up",
        note="buyer chases after the visit; no answer (open silence)")


def janssens(d: Demo) -> None:
    deal, sup = "janssens-platdak", "dakwerken-janssens.be"
    req = d.send(JAN, [JANSSENS_TYPO], d.at(9, 29, 9, 5), "Offerteaanvraag plat dak EPDM - Boechout", f"""
{hi(d)}

Graag een offerte voor de renovatie van een plat dak in Boechout: ± 95 m², bestaande roofing verwijderen, nieuwe dampscherm, PIR 120 mm en EPDM, nieuwe dakrandprofielen.

{d.take(BYE_JAN)}""", label="request", deal=deal, supplier=sup, note="request to a mistyped address")
    when = d.later(req, 29)
    bounce_id = f"{when.astimezone(UTC):%Y%m%d%H%M%S}.B3F1C2A0417@mx1.dakwerken-janssens.be"
    boundary = "B3F1C2A0417.1790665541/mx1.dakwerken-janssens.be"
    original = req.raw.split(b"\n\n", 1)[0].decode("ascii")
    bounce = f"""Return-Path: <>
Date: {format_datetime(when)}
From: Mail Delivery System <MAILER-DAEMON@mx1.dakwerken-janssens.be>
To: jan@vdbroeck-bouw.be
Subject: Undelivered Mail Returned to Sender
Message-ID: <{bounce_id}>
Auto-Submitted: auto-replied
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status;
 boundary="{boundary}"

This is a MIME-encapsulated message.

--{boundary}
Content-Description: Notification
Content-Type: text/plain; charset=us-ascii

This is the mail system at host mx1.dakwerken-janssens.be.

I'm sorry to have to inform you that your message could not
be delivered to one or more recipients. It's attached below.

                   The mail system

<ofertes@dakwerken-janssens.be>: unknown user: "ofertes"

--{boundary}
Content-Description: Delivery report
Content-Type: message/delivery-status

Reporting-MTA: dns; mx1.dakwerken-janssens.be
Arrival-Date: {format_datetime(req.when)}

Final-Recipient: rfc822; ofertes@dakwerken-janssens.be
Original-Recipient: rfc822;ofertes@dakwerken-janssens.be
Action: failed
Status: 5.1.1
Diagnostic-Code: x-unix; unknown user: "ofertes"

--{boundary}
Content-Description: Undelivered Message Headers
Content-Type: text/rfc822-headers

{original}

--{boundary}--
"""
    d.raw(Person("Mail Delivery System", "MAILER-DAEMON@mx1.dakwerken-janssens.be"), when,
          bounce.encode("utf-8"), label="silence", deal=deal, supplier=sup,
          note="bounce (multipart/report) for a mistyped supplier address",
          subject="Undelivered Mail Returned to Sender")
    fwd_body = f"""
{d.take(HI_NL, n="meneer Janssens")}

Mijn vorige mail kwam terug (verkeerd adres), daarom stuur ik ze opnieuw door. Zie hieronder.

{d.take(BYE_JAN)}"""
    fwd = d.send(JAN, [JANSSENS], d.at(9, 29, 11, 30), "Fwd: Offerteaanvraag plat dak EPDM - Boechout",
                 fwd_body, parent=req, threaded=False, label="follow-up", deal=deal, supplier=sup,
                 note="buyer re-sends to the right address (Fwd:, no threading headers)")
    q = d.reply(fwd, JANSSENS, d.at(10, 9, 18, 40), """
Goeiedag Jan,

Excuses voor de wachttijd, we zaten vol met werven. Ik ben gaan kijken in Boechout en kom op het volgende:

- afbraak bestaande roofing en afvoer: € 1.140,00
- dampscherm + PIR 120 mm: € 3.515,00
- EPDM 1,52 mm volledig verkleefd: € 3.610,00
- dakrandprofielen alu + afwerking: € 855,00

Totaal: € 9.120,00 excl. btw. Uitvoering ten vroegste week 45.

Mvg
Wim""", subject="Re: Offerteaanvraag plat dak EPDM - Boechout", label="quote",
        note="slow quoter (8 working days)")
    a = d.reply(q, JAN, d.at(10, 13, 7, 45), """
Dag Wim,

Akkoord met de offerte. Wanneer kunnen jullie juist starten?

Groeten,
Jan""", label="follow-up", note="buyer accepts")
    d.reply(a, JANSSENS, d.at(10, 13, 12, 10), """
Dag Jan, normaal maandag 2 november, ik bevestig nog de week ervoor.
Wim""", label="follow-up", note="supplier answers")


def itwerkt(d: Demo) -> None:
    sup = "itwerkt.be"
    deal = "itwerkt-laptops"
    req = d.send(SOFIE, [ITWERKT], d.at(9, 9, 10, 20), "Offerte laptops + Microsoft 365", f"""
{d.take(HI_NL, n="Nick")}

We willen drie nieuwe laptops voor de werfleiders (14 inch, robuust, 16 GB) en overstappen naar Microsoft 365 voor 8 gebruikers, met de installatie erbij. Kan je ons een offerte bezorgen?

{d.take(BYE_SOFIE)}""", label="request", deal=deal, supplier=sup, note="IT request by the colleague")
    q = d.reply(req, ITWERKT, d.at(9, 9, 15, 5), """
Dag Sofie,

Hierbij ons voorstel:

3 x Lenovo ThinkPad E14 Gen 6 (i5, 16 GB, 512 GB SSD) à € 899,00 = € 2.697,00
8 x Microsoft 365 Business Standard à € 11,70 per gebruiker per maand (jaarcontract)
installatie en migratie mailboxen: 4 uur à € 85,00 = € 340,00

Totaal eenmalig: € 3.037,00 excl. btw, licenties € 93,60 per maand excl. btw.

Groeten,""", label="quote", note="same-day quote (multipart/alternative)")
    a = d.reply(q, SOFIE, d.at(9, 10, 8, 45), """
Dag Nick,

Dank je, ik leg het voor aan Jan en laat je iets weten.

Groetjes,
Sofie""", label="follow-up", note="colleague answers")
    ok = d.reply(a, JAN, d.at(9, 14, 13, 10), """
Dag Nick,

Ok voor ons, bestel maar. Installatie liefst op een vrijdagnamiddag.

Groeten,
Jan""", to=[ITWERKT], cc=(SOFIE,), label="follow-up", note="buyer accepts")
    d.reply(ok, ITWERKT, d.at(9, 14, 16, 30), """
Dag Jan,

Besteld! Levering verwacht eind volgende week, ik plan de installatie op vrijdag 25/9 na de middag.

Groeten,""", cc=(SOFIE,), label="follow-up", note="supplier confirms")

    deal = "itwerkt-wifi"
    req = d.send(JAN, [ITWERKT], d.at(11, 16, 13, 30), "Wifi werkplaats en magazijn", f"""
{d.take(HI_NL, n="Nick")}

In de werkplaats en het magazijn hebben we nauwelijks wifi, terwijl de jongens daar de planning op hun tablet moeten zien. Kan je eens langskomen om te bekijken wat er nodig is (plaatsbezoek) en ons dan een prijs geven?

{d.take(BYE_JAN)}""", label="request", deal=deal, supplier=sup, note="request with a site visit (high intent)")
    slot = d.reply(req, ITWERKT, d.at(11, 17, 9, 12), """
Dag Jan,

Zeker. Past maandag 23/11 om 10u? Ik heb een halfuurtje nodig om te meten.

Groeten,""", label="follow-up", note="supplier proposes the visit")
    ok = d.reply(slot, JAN, d.at(11, 17, 9, 40), """
Dag Nick, maandag 10u is ok. Groeten, Jan""", label="follow-up", note="buyer confirms")
    d.reply(ok, ITWERKT, d.at(11, 26, 16, 20), """
Dag Jan,

Bedankt voor de rondleiding maandag. Mijn voorstel:

3 x Ubiquiti U7 Pro access point à € 219,00 = € 657,00
1 x PoE-switch 8 poorten: € 389,00
bekabeling en installatie (1 dag): € 780,00

Totaal € 1.826,00 excl. btw.

Groeten,""", label="quote", note="quote after the visit; no follow-up yet (silent after quote)")


def belcom(d: Demo) -> None:
    sup = "belcom-business.be"
    deal = "belcom-gsm"
    req = d.send(SOFIE, [BELCOM], d.at(10, 6, 11, 0), "Offerte gsm-abonnementen 6 lijnen", f"""
{hi(d)}

Wij hebben momenteel 6 gsm-abonnementen en 2 data-simkaarten bij een andere operator. Graag een offerte voor een zakelijk pakket met onbeperkt bellen en voldoende data, met nummerbehoud.

{d.take(BYE_SOFIE)}""", label="request", deal=deal, supplier=sup, note="telecom request")
    d.reply(req, BELCOM_BOT, d.later(req, 14), """
Beste klant,

Bedankt om Belcom Business te contacteren. Uw vraag werd geregistreerd onder ticketnummer 48213.

Onze gemiddelde antwoordtijd bedraagt momenteel 2 werkdagen. U kan de status van uw ticket volgen in MyBelcom.

Met vriendelijke groeten,
Belcom Business Support

Deze e-mail werd automatisch verzonden.""", subject="Uw ticket 48213 werd aangemaakt", quoted=False,
        headers=(("Auto-Submitted", "auto-generated"), ("X-Auto-Response-Suppress", "All")),
        label="silence", note="ticket receipt")
    qst = d.reply(req, BELCOM_SARAH, d.at(10, 8, 14, 30), """
Goedemiddag mevrouw Mertens,

Ik ben uw account manager voor ticket 48213. Om een correcte offerte te maken: kan u mij de huidige gsm-nummers, het dataverbruik per lijn en de einddatum van uw huidige contract bezorgen?

Met vriendelijke groeten,""", label="follow-up", note="supplier asks for details before quoting")
    ans = d.reply(qst, SOFIE, d.at(10, 8, 16, 0), """
Dag Sarah,

Hierbij: 0477 38 12 90, 0477 38 12 91, 0478 22 10 05, 0478 22 10 06, 0479 50 61 17 en 0479 50 61 18; verbruik 5 à 15 GB per maand; de 2 datakaarten zitten in de tablets (± 30 GB). Contract loopt af eind december.

Groetjes,
Sofie""", label="follow-up", note="colleague answers")
    q = d.reply(ans, BELCOM_SARAH, d.at(10, 14, 10, 5), """
Dag Sofie,

Ons voorstel:
6 x Business Unlimited (onbeperkt bellen, 50 GB) à € 32,50 per maand
2 x Data Only 50 GB à € 15,00 per maand
Totaal € 225,00 per maand excl. btw, activatie en nummerbehoud gratis, 24 maanden.

Met vriendelijke groeten,""", label="quote", note="quote (6 working days) in a base64-encoded mail")
    fu = d.reply(q, BELCOM_SARAH, d.at(10, 21, 9, 40), f"""
Dag Sofie,

{d.take(CHECKIN_NL)} Tot eind oktober krijgt u bovendien 3 maanden korting van 20%.

Met vriendelijke groeten,""", label="follow-up", note="one-week follow-up after the quote")
    no = d.reply(fu, SOFIE, d.at(10, 22, 11, 30), """
Dag Sarah,

Bedankt. We blijven voorlopig bij onze huidige operator, die heeft zijn prijs aangepast.

Vriendelijke groeten,
Sofie""", label="follow-up", note="colleague declines")
    d.reply(no, BELCOM_SARAH, d.at(10, 22, 14, 20), """
Dag Sofie,

Bedankt voor uw eerlijke feedback. Ik sluit ticket 48213 af; aarzel niet om mij te contacteren bij het einde van uw nieuwe contract.

Met vriendelijke groeten,""", label="follow-up", note="supplier closes politely")

    deal = "belcom-glasvezel"
    req = d.send(JAN, [BELCOM], d.at(11, 18, 9, 45), "Glasvezel nieuw depot Boechout", f"""
{hi(d)}

We verhuizen ons materiaaldepot naar de Provinciesteenweg in Boechout. Is daar glasvezel beschikbaar en wat kost een zakelijke internetlijn (min. 500 Mbps) met vast IP?

{d.take(BYE_JAN)}""", label="request", deal=deal, supplier=sup, note="request answered only by a ticket receipt")
    d.reply(req, BELCOM_BOT, d.later(req, 47), """
Beste klant,

Bedankt om Belcom Business te contacteren. Uw vraag werd geregistreerd onder ticketnummer 51877. U ontvangt een antwoord van een van onze medewerkers.

Belcom Business Support - automatisch bericht""", subject="Uw ticket 51877 werd aangemaakt", quoted=False,
        headers=(("Auto-Submitted", "auto-generated"),), label="silence",
        note="ticket receipt, then nothing (open silence)")


def jacobs(d: Demo) -> None:
    sup = "zonnepanelen-jacobs.be"
    deal = "jacobs-zonnepanelen"
    req = d.send(JAN, [JACOBS], d.at(9, 14, 7, 55), "Zonnepanelen magazijndak - plaatsbezoek", f"""
{hi(d)}

We overwegen zonnepanelen op het dak van ons magazijn (± 400 m², plat dak, Kapelstraat 112 Mortsel), ongeveer 40 panelen, eventueel met batterij. Kan er iemand langskomen voor een plaatsbezoek en daarna een offerte opmaken?

{d.take(BYE_JAN)}""", label="request", deal=deal, supplier=sup, note="request with a site visit (high intent)")
    slot = d.reply(req, JACOBS, d.at(9, 15, 12, 40), """
Dag Jan,

Bedankt voor je aanvraag! Kan ik vrijdag 18/9 om 9u langskomen? Ik bekijk dan het dak, de elektrische kast en de aansluiting.

Stijn""", label="follow-up", note="supplier proposes the visit")
    ok = d.reply(slot, JAN, d.at(9, 15, 13, 5), """
Dag Stijn,

Prima, tot vrijdag.

Groeten,
Jan""", label="follow-up", note="buyer confirms")
    pdf = make_pdf("Offerte ZJ-2026-0412", [
        "Zonnepanelen Jacobs bv - Lintsesteenweg 55, 2500 Lier", "Klant: Van den Broeck Bouw & Renovatie bv - magazijn Kapelstraat 112, Mortsel",
        "Datum: 22/09/2026", "",
        "40 x zonnepaneel 440 Wp full black (17,6 kWp)                  EUR 9.960,00",
        "Omvormer hybride 15 kW + monitoring                            EUR 3.480,00",
        "Montagesysteem plat dak oost-west + ballast                    EUR 1.890,00",
        "Plaatsing, bekabeling, AREI-keuring                            EUR 1.650,00",
        "Totaal installatie excl. BTW                                  EUR 16.980,00",
        "Optie: thuisbatterij 15 kWh                                    EUR 7.880,00",
        "Totaal met batterij excl. BTW                                 EUR 24.860,00"])
    quote = d.reply(ok, JACOBS, d.at(9, 22, 17, 30), """
Dag Jan,

Bedankt voor de ontvangst vrijdag. In bijlage de offerte: 40 panelen van 440 Wp (17,6 kWp) met hybride omvormer voor € 16.980,00 excl. btw, en als optie een batterij van 15 kWh voor € 7.880,00.

Ik hoor graag wat je ervan vindt.

Stijn""", attach=(("Offerte_ZJ-2026-0412.pdf", pdf),), label="quote", note="quote after the visit, PDF")
    weekly = [
        (d.at(9, 29, 10, 15), "Dag Jan,\n\nEven een vriendelijke opvolging van onze offerte van vorige week. Heb je ze al kunnen bekijken? Als je wil, overlopen we ze samen aan de telefoon.\n\nStijn", True),
        (d.at(10, 6, 9, 50), "Dag Jan,\n\nIk wil zeker niet aandringen, maar misschien nuttig om te weten: de panelen in de offerte zijn nog in voorraad aan de huidige prijs tot eind oktober.\n\nStijn", False),
        (d.at(10, 13, 11, 5), "Hallo Jan,\n\nNog eens een berichtje van mij. Zijn er nog vragen over de batterij of de terugverdientijd? Ik maak gerust een simulatie met jullie verbruiksprofiel.\n\nStijn", True),
        (d.at(10, 20, 8, 35), "Dag Jan,\n\nIk hoop dat alles goed gaat op de werven. Laat je mij gewoon weten of het project nog actueel is? Dan weet ik of ik de planning voor november mag vasthouden.\n\nFijne dag,\nStijn", True),
    ]
    last = quote
    for when, text, threaded in weekly:
        last = d.reply(last, JACOBS, when, text, threaded=threaded, quoted=threaded,
                       label="follow-up", note="persistent polite weekly follow-up"
                       + ("" if threaded else " (no In-Reply-To/References)"))
    ans = d.reply(last, JAN, d.at(10, 20, 12, 10), """
Dag Stijn,

Sorry voor de stilte, en bedankt voor je geduld. We beslissen na de jaarafsluiting, waarschijnlijk in januari. Het project is zeker nog actueel.

Groeten,
Jan""", label="follow-up", note="buyer finally answers")
    d.reply(ans, JACOBS, d.at(10, 21, 8, 20), """
Dag Jan,

Helemaal goed, ik noteer januari en neem dan opnieuw contact op. De prijzen bekijken we dan opnieuw.

Stijn""", label="follow-up", note="supplier acknowledges (human)")

    deal = "jacobs-laadpalen"
    req = d.send(SOFIE, [JACOBS], d.at(11, 9, 10, 30), "Laadpalen bedrijfsparking", f"""
{d.take(HI_NL, n="Stijn")}

Jan vroeg me om een prijs op te vragen voor twee laadpalen (dubbel) op onze parking, met laadpasbeheer zodat we de kosten per wagen kunnen opvolgen.

{d.take(BYE_SOFIE)}""", cc=(JAN,), label="request", deal=deal, supplier=sup, note="request by the colleague")
    q = d.reply(req, JACOBS, d.at(11, 12, 8, 45), """
Dag Sofie,

Voor twee dubbele laadpalen (Alfen Eve Double Pro-line, 2 x 11 kW), met laadpasbeheer en installatie: € 2.460,00 per stuk, dus € 4.920,00 excl. btw. De backoffice kost € 4,50 per laadpunt per maand.

Stijn""", to=[SOFIE], cc=(JAN,), label="quote", note="quote across the 11 Nov holiday (2 working days)")
    d.reply(q, JACOBS, d.at(11, 13, 9, 0), f"""
Dag Sofie,

{d.take(CHECKIN_NL)} Ik kan de installatie nog voor de kerstvakantie plannen.

Stijn""", label="follow-up", note="next-day follow-up after the quote")


def cools(d: Demo) -> None:
    deal, sup = "cools-boekhouding", "boekhouding-cools.be"
    req = d.send(JAN, [COOLS], d.at(9, 1, 20, 30), "Prijsvoorstel boekhouding", f"""
{d.take(HI_NL, n="mevrouw Cools")}

We overwegen om van boekhouder te veranderen. Wij zijn een bv met 9 werknemers (bouw en renovatie, omzet ± 2,1 miljoen). Doen jullie ook de loonadministratie, of werken jullie met een sociaal secretariaat? Graag ook een prijsvoorstel voor de boekhouding, de btw-aangiftes en de jaarafsluiting.

{d.take(BYE_JAN)}""", label="request", deal=deal, supplier=sup, note="request to an accountant")
    ans = d.reply(req, COOLS, d.at(9, 2, 11, 10), """
Geachte heer Van den Broeck,

Bedankt voor uw interesse. De lonen doen wij niet zelf: daarvoor werken wij nauw samen met een sociaal secretariaat, dat u rechtstreeks factureert. Boekhouding, btw-aangiftes, jaarafsluiting en fiscaal advies doen wij wel.

Ik bezorg u volgende week een voorstel op maat.

Met vriendelijke groeten,""", label="follow-up", note="answers the question but never quotes")
    chase = d.reply(ans, JAN, d.at(9, 21, 8, 12), f"""
{d.take(HI_NL, n="mevrouw Cools")}

{d.take(CHASE_NL)}

{d.take(BYE_JAN)}""", label="follow-up", note="buyer chases")
    d.reply(chase, COOLS, d.later(chase, 6), """
Ik ben afwezig tot en met 28 september. Voor dringende vragen kan u terecht bij mijn collega Tom Wuyts (tom@boekhouding-cools.be).

Els Cools""", subject="Afwezig: RE: Prijsvoorstel boekhouding", quoted=False, label="silence",
        note="out-of-office without header; then never an answer")


def timmerman(d: Demo) -> None:
    sup = "kris.timmerman.schrijnwerk@gmail.com"
    deal = "timmerman-trap"
    req = d.send(JAN, [KRIS], d.at(9, 11, 12, 15), "Eiken trap op maat - Kontich", f"""
{d.take(HI_NL, n="Kris")}

Ik kreeg je nummer van Geert. Voor een renovatie in Kontich zoeken we een eiken trap op maat: kwartdraai, 15 treden, open trap met eiken leuning, gelakt. Heb je daar een prijs voor, plaatsing inbegrepen?

{d.take(BYE_JAN)}""", label="request", deal=deal, supplier=sup, note="request to a freelance craftsman on gmail")
    q = d.reply(req, KRIS, d.at(9, 13, 21, 47), """
Dag Jan,

Bedankt om aan mij te denken. Voor een eiken kwartdraaitrap met 15 treden, open, leuning in eik en 3 lagen lak: EUR 6 850 all-in, plaatsing inbegrepen (excl. btw). Ik kan starten begin oktober.

Groeten""", label="quote", note="quote sent on a Sunday, price in the body")
    a = d.reply(q, JAN, d.at(9, 14, 7, 30), """
Dag Kris,

Akkoord! Wanneer kan je komen opmeten?

Groeten,
Jan""", label="follow-up", note="buyer accepts")
    d.reply(a, KRIS, d.at(9, 14, 12, 2), """
Dinsdag 22/9 na 17u? Stuur me het adres even door.""", label="follow-up", note="supplier answers")

    deal = "timmerman-inbouwkasten"
    req = d.send(JAN, [KRIS], d.at(11, 11, 10, 5), "Inbouwkasten zolder - project Kontich", f"""
{d.take(HI_NL, n="Kris")}

Dezelfde klant in Kontich wil nu ook inbouwkasten onder het schuine dak van de zolder (3 kasten, ± 6 m lang in totaal, mdf gelakt). Zou je dat willen doen, en wat zou het ongeveer kosten?

{d.take(BYE_JAN)}""", label="request", deal=deal, supplier=sup, note="request sent on 11 Nov (holiday)")
    slot = d.reply(req, KRIS, d.at(11, 11, 13, 40), """
Dag Jan,

Doe ik graag. Mag ik eerst komen opmeten? Zaterdag 14/11 in de voormiddag?

Kris""", label="follow-up", note="question on a holiday")
    d.reply(slot, JAN, d.at(11, 11, 14, 2), """
Dag Kris, zaterdag om 10u, de klant is thuis. Groeten, Jan""", label="follow-up", note="buyer confirms")
    d.send(KRIS, [JAN], d.at(11, 20, 22, 10), "Re: Inbouwkasten zolder - project Kontich", """
Dag Jan,

Zoals besproken zaterdag: 3 inbouwkasten onder het schuine dak, mdf gelakt in RAL 9010, met legplanken en 2 schuifladen. Prijs € 4.980 incl. btw en plaatsing.

Groeten""", label="quote", deal=deal, supplier=sup,
        note="quote without In-Reply-To/References (joins by subject); no follow-up after")


def goossens(d: Demo) -> None:
    sup = "containerdienst-goossens.be"
    deal = "goossens-container-sep"
    req = d.send(JAN, [GOOSSENS], d.at(9, 7, 7, 58), "Container 10 m3 bouwafval", f"""
{hi(d)}

Graag een prijs voor een container van 10 m³ voor gemengd bouw- en sloopafval, te plaatsen woensdag 9/9 in de Edegemsestraat 41 in Mortsel (op de oprit).

{d.take(BYE_JAN)}""", label="request", deal=deal, supplier=sup, note="request")
    q = d.reply(req, GOOSSENS, d.at(9, 7, 8, 44), """
Goedemorgen,

Container 10 m³ gemengd bouw- en sloopafval: € 285,00 per rotatie excl. btw, inclusief 1 ton. Elke extra ton wordt aangerekend aan € 135,00.

Plaatsing woensdag 9/9 is mogelijk.""", label="quote", note="fast quoter (same day), HTML-only mail")
    a = d.reply(q, JAN, d.at(9, 7, 9, 10), """
Ok, plaats maar woensdag in de voormiddag.

Jan""", label="follow-up", note="buyer orders")
    d.reply(a, GOOSSENS, d.at(9, 7, 9, 31), """
Genoteerd: plaatsing woensdag 9/9 in de voormiddag.""", label="follow-up", note="supplier confirms (HTML-only)")

    deal = "goossens-container-okt"
    req = d.send(SOFIE, [GOOSSENS], d.at(10, 23, 14, 25), "Container 20 m3 hout maandag", f"""
{hi(d)}

Kunnen jullie maandag 26/10 een container van 20 m³ voor B-hout plaatsen in de Molenstraat 3 in Lier? Wat is de prijs?

{d.take(BYE_SOFIE)}""", label="request", deal=deal, supplier=sup, note="Friday request")
    q = d.reply(req, GOOSSENS, d.at(10, 23, 15, 2), """
Goedemiddag,

Container 20 m³ B-hout: € 395,00 excl. btw per rotatie (inclusief 3 ton). Graag een bevestiging voor plaatsing maandag.""",
        label="quote", note="same-day quote")
    fu = d.reply(q, GOOSSENS, d.at(10, 26, 7, 30), """
Goedemorgen,

Mogen we de container vandaag plaatsen? Graag even een bevestiging, de chauffeur vertrekt om 9u.""",
        to=[SOFIE], label="follow-up", note="follow-up next working day (Fri to Mon, over the DST change)")
    ok = d.reply(fu, SOFIE, d.at(10, 26, 7, 52), """
Ja, graag! Sorry voor de late bevestiging.

Sofie""", label="follow-up", note="colleague confirms")
    d.reply(ok, GOOSSENS, d.at(10, 26, 8, 4), """
Bedankt, de container wordt vandaag tussen 10u en 12u geplaatst.""", label="follow-up",
        note="supplier confirms (HTML-only)")


def devos(d: Demo) -> None:
    sup = "sanitair-devos.be"
    deal = "devos-badkamer"
    req = d.send(JAN, [DEVOS], d.at(9, 28, 9, 40), "Prijs sanitair badkamer Edegem", f"""
{d.take(HI_NL, n="Peter")}

Voor de badkamer in Edegem zoek ik een prijs voor:
- inloopdouche 140 x 90 met glaswand en regendouche (thermostatisch)
- hangtoilet met inbouwreservoir
- badmeubel 120 cm met dubbele lavabo en spiegel

Liefst in mat zwart.

{d.take(BYE_JAN)}""", label="request", deal=deal, supplier=sup, note="request")
    d.reply(req, DEVOS, d.later(req, 5), """
Bedankt voor uw bericht. Ik ben met vakantie tot en met maandag 5 oktober. Voor offertes en bestellingen kan u terecht bij mijn collega Linda (linda@sanitair-devos.be, 03 440 90 32).

Peter De Vos""", subject="Automatisch antwoord: Prijs sanitair badkamer Edegem", quoted=False,
        headers=(("Auto-Submitted", "auto-replied"), ("X-Auto-Response-Suppress", "DR, OOF, AutoReply")),
        label="silence", note="out-of-office with Auto-Submitted header")
    q = d.reply(req, DEVOS_LINDA, d.at(10, 6, 11, 15), """
Dag meneer Van den Broeck,

Peter gaf mij uw vraag door. Ons voorstel, alles in mat zwart:

inloopdouche 140 x 90 (glaswand, thermostatische regendouche): € 1.865,00
hangtoilet + inbouwreservoir + bedieningsplaat: € 748,00
badmeubel 120 cm dubbele lavabo + spiegel met verlichting: € 2.099,00
Totaal: € 4.712,00 excl. btw

Vriendelijke groeten,""", to=[JAN], cc=(DEVOS,), label="quote", note="quote by a colleague of the contact (6 working days)")
    d.reply(q, DEVOS, d.at(10, 7, 8, 30), """
Dag Jan,

Terug van verlof. Ik zie dat Linda u de offerte bezorgd heeft. Als u wil, kan u de douche en het meubel komen bekijken in onze toonzaal.

Groeten,""", to=[JAN], label="follow-up", note="next-day follow-up after the quote")

    deal = "devos-boiler"
    req = d.send(SOFIE, [DEVOS], d.at(11, 13, 11, 20), "Warmtepompboiler 200 l", f"""
{d.take(HI_NL, n="Peter")}

Mag ik een prijs vragen voor een warmtepompboiler van 200 liter (bv. Ariston Nuos of gelijkwaardig) voor het project in Lier?

{d.take(BYE_SOFIE)}""", label="request", deal=deal, supplier=sup, note="request by the colleague")
    q = d.reply(req, DEVOS, d.at(11, 16, 8, 30), """
Dag Sofie,

Ariston Nuos Plus S2 200 liter wifi: € 2.145,00 excl. btw. Levering in 2 dagen.

Groeten,""", label="quote", note="quote next working day")
    a = d.reply(q, SOFIE, d.at(11, 16, 10, 10), """
Dag Peter,

Is dat inclusief de montagekit en de condensafvoer?

Vriendelijke groeten,
Sofie""", label="follow-up", note="colleague asks a question after the quote")
    d.reply(a, DEVOS, d.at(11, 16, 11, 0), """
Dag Sofie,

Ja, montagekit en condensafvoer zijn inbegrepen.

Groeten,""", label="follow-up", note="supplier answers")


def werkplek(d: Demo) -> None:
    deal, sup = "werkplek-bureaus", "werkplekwinkel.nl"
    req = d.send(SOFIE, [WERKPLEK], d.at(9, 24, 14, 0), "Offerte zit-sta bureaus en bureaustoelen", f"""
{hi(d)}

Voor ons kantoor in Mortsel zoeken we 4 elektrische zit-sta bureaus (160 x 80) en 4 ergonomische bureaustoelen. Kunnen jullie ons een offerte sturen, levering in België?

{d.take(BYE_SOFIE)}""", label="request", deal=deal, supplier=sup, note="request to a Dutch (NL) shop")
    d.reply(req, WERKPLEK, d.later(req, 31), """
Hoi!

Bedankt voor je bericht. We hebben je mail in goede orde ontvangen en reageren binnen 2 werkdagen.

Team Werkplekwinkel.nl""", subject="Bedankt voor je bericht", quoted=False,
        headers=(("X-Autoreply", "yes"), ("X-Autorespond", "Bedankt voor je bericht")),
        label="silence", note="auto-reply with X-Autoreply (no Auto-Submitted)")
    q = d.reply(req, WERKPLEK, d.at(9, 25, 11, 30), """
Hoi Sofie,

Leuk dat je aan ons denkt! Ons voorstel:

4x zit-sta bureau Elevate Pro 160x80 (eiken blad, zwart frame) à € 489,00
4x bureaustoel ErgoFlex Plus à € 329,00
Totaal 3.272 euro excl. btw, levering en montage in België gratis.""", label="quote",
        note="quote next day ('3.272 euro excl. btw')")
    d.reply(q, WERKPLEK, d.at(9, 28, 10, 5), """
Hoi Sofie,

Nog vragen over de offerte? De bureaus kunnen we volgende week al leveren.""", label="follow-up",
        note="follow-up next working day after the quote")


def hendrickx(d: Demo) -> None:
    sup = "printshop-hendrickx.be"
    deal = "hendrickx-belettering"
    req = d.send(JAN, [HENDRICKX], d.at(9, 21, 16, 5), "Belettering bestelwagens", f"""
{d.take(HI_NL, n="Sven")}

We krijgen een nieuwe Transit Custom en willen die en onze huidige Transit in dezelfde stijl laten beletteren (logo, website, telefoon, zijkanten en achterdeuren). Kan je mij een prijs geven?

{d.take(BYE_JAN)}""", label="request", deal=deal, supplier=sup, note="request")
    q = d.reply(req, HENDRICKX, d.at(9, 23, 11, 25), """
Dag Jan,

Belettering 2 bestelwagens (ontwerp op basis van jullie logo, plotten, plaatsen): 1.250 euro excl. btw. Plaatsing neemt een halve dag per wagen.

Groeten,""", label="quote", note="quote '1.250 euro excl. btw', Antw: prefix")
    a = d.reply(q, JAN, d.at(9, 28, 8, 0), """
Dag Sven,

Goed voor mij. De nieuwe Transit wordt pas in november geleverd; ik laat iets weten zodra hij er is.

Groeten,
Jan""", label="follow-up", note="buyer accepts")
    d.reply(a, HENDRICKX, d.at(9, 28, 9, 44), """
Geen probleem Jan, laat maar weten. Groeten, Sven""", label="follow-up", note="supplier answers")

    deal = "hendrickx-werkkledij"
    d.send(SOFIE, [HENDRICKX], d.at(11, 24, 9, 50), "Werkkledij met logo", f"""
{d.take(HI_NL, n="Sven")}

Wij zouden graag 12 sets werkkledij bedrukt laten (werkbroek, T-shirt en softshell, logo op borst en rug). Kan je ons een prijs geven, met levertermijn?

{d.take(BYE_SOFIE)}""", label="request", deal=deal, supplier=sup, note="request not yet matured as of 30 Nov")


def sitebook(d: Demo) -> None:
    deal, sup = "sitebook-demo", "sitebook.io"
    req = d.send(JAN, [SITEBOOK], d.at(9, 22, 15, 10), "Demo request - Sitebook for a 9-person renovation company", """
Hello,

We are a renovation company in Belgium with 9 people on site and 2 in the office. We are looking for a tool for site diaries, photos and planning on tablets. Could we schedule a demo of Sitebook, and could you send me your pricing for about 5 users?

Best regards,
Jan Van den Broeck""", label="request", deal=deal, supplier=sup, note="English demo request (high intent)")
    slot = d.reply(req, SITEBOOK, d.at(9, 22, 17, 2), """
Hi Jan,

Thanks for reaching out! I'd be happy to give you a demo. Would Thursday 24 September at 10:00 CET work for you? I'll send a Teams link.

Best,""", label="follow-up", note="supplier schedules the demo")
    ok = d.reply(slot, JAN, d.at(9, 22, 17, 30), """
Hi Emily,

Thursday at 10:00 works for me.

Regards,
Jan""", label="follow-up", note="buyer confirms")
    pdf = make_pdf("Quotation Q-889", [
        "Sitebook Inc. - 100 Summer Street, Boston MA 02110, USA",
        "Prepared for: Van den Broeck Bouw & Renovatie bv (Belgium)", "Date: September 25, 2026 - valid for 30 days", "",
        "Sitebook Pro plan, annual subscription, 5 users x EUR 89.00 x 12 months    EUR 5,340.00",
        "Onboarding and data import (one-off)                                      EUR 0.00",
        "Total (excl. VAT, reverse charge)                                         EUR 5,340.00"])
    q = d.reply(ok, SITEBOOK, d.at(9, 25, 16, 20), """
Hi Jan,

Thanks again for your time yesterday, it was great to see how you run your sites. As promised, please find attached our quotation Q-889 for the Pro plan: 5 users, annual billing, EUR 5,340.00 per year (excl. VAT). Onboarding is included at no cost.

Best,""", attach=(("Quotation Q-889.pdf", pdf),), label="quote", note="English quotation as PDF after the demo")
    fu = d.reply(q, SITEBOOK, d.at(9, 29, 0, 40), """
Hi Jan,

Just checking in: did you have a chance to look at the quotation? Happy to set up a free 14-day trial for your site managers if that helps.

Best,""", utc=True, label="follow-up",
        note="follow-up; Date in UTC (+0000) so the UTC date (Mon) differs from Brussels (Tue)")
    later = d.reply(fu, JAN, d.at(10, 2, 9, 5), """
Hi Emily,

Thanks. We will revisit this in Q1 next year; I'll get back to you then.

Regards,
Jan""", label="follow-up", note="buyer postpones")
    d.reply(later, SITEBOOK, d.at(10, 2, 15, 44), """
Hi Jan,

Totally understand, thanks for letting me know. I'll reach out in January; the quotation can be renewed at the same price.

Best,""", label="follow-up", note="supplier acknowledges")
    d.send(SITEBOOK_NEWS, [JAN], d.at(11, 10, 16, 0, 0), "Webinar: 5 ways to cut site admin in half", """
Join our live webinar on Thursday, 19 November at 16:00 CET: five practical ways construction teams cut their site admin in half with digital diaries, photo reports and automatic timesheets.

Register now - seats are limited.

You are receiving this email because you signed up for a Sitebook demo. Unsubscribe or manage your preferences.""",
        headers=(("List-Unsubscribe", "<https://sitebook.io/unsubscribe/4f9a1e77>"),
                 ("List-Unsubscribe-Post", "List-Unsubscribe=One-Click"), ("Precedence", "bulk"),
                 ("List-Id", "Sitebook Events <events.sitebook.io>")),
        label="other", deal="", supplier="", note="supplier's marketing mail (English)")


def hartley(d: Demo) -> None:
    deal, sup = "hartley-spiderlift", "hartley-plant.co.uk"
    req = d.send(JAN, [HARTLEY], d.at(10, 12, 10, 30), "Used spider lift 17 m - price and delivery to Belgium", """
Dear Mr Whitfield,

I found your used equipment list online. We are interested in a tracked spider lift with a working height of about 17 m (Hinowa Lightlift 17.75 or similar), preferably under 1,500 hours. Could you send me an offer including delivery to Antwerp, Belgium?

Kind regards,
Jan Van den Broeck
Van den Broeck Bouw & Renovatie bv, Mortsel, Belgium""", label="request", deal=deal, supplier=sup, note="English request to a UK supplier")
    d.reply(req, HARTLEY, d.later(req, 12), """
Thank you for your email. I am out of the office until Monday 19 October with limited access to email. For urgent enquiries please contact sales@hartley-plant.co.uk or call +44 113 496 0700.

James Whitfield""", subject="Automatic reply: Used spider lift 17 m - price and delivery to Belgium", quoted=False,
        headers=(("Auto-Submitted", "auto-replied"), ("X-Auto-Response-Suppress", "All")),
        label="silence", note="English out-of-office with Auto-Submitted header")
    q = d.reply(req, HARTLEY, d.at(10, 21, 1, 30), """
Dear Jan,

Apologies for the delay, I have just got back. We have a 2019 Hinowa Lightlift 17.75 Performance IIIS with 1,120 hours, serviced and LOLER-inspected:

Machine: £38,750.00 + VAT
Delivery to Antwerp (ferry, low loader): £1,450.00

Payment before collection; we can hold the machine for 7 days.""", utc=True, label="quote",
        note="English quote in GBP; Date in UTC at 23:30 (local date is the next day)")
    a = d.reply(q, JAN, d.at(10, 22, 8, 30), """
Dear James,

Thank you. Is the machine CE-marked, and can you supply the inspection certificate and the service history before we decide?

Kind regards,
Jan""", label="follow-up", note="buyer asks a question")
    d.reply(a, HARTLEY, d.at(10, 23, 14, 5), """
Dear Jan,

Yes, the machine is CE-marked. I have asked our workshop to send the LOLER certificate and the full service history; you will have them on Monday.""",
        label="follow-up", note="supplier answers")


def vandamme(d: Demo) -> None:
    deal, sup = "vandamme-beton", "beton-vandamme.be"
    req = d.send(JAN, [VANDAMME], d.at(11, 12, 7, 20), "Prijs stortklaar beton + pomp dinsdag 17/11", f"""
{hi(d)}

Graag een prijs voor 14 m³ stortklaar beton C30/37 EE3, consistentie S4, met betonpomp (± 4 uur), levering dinsdag 17/11 om 8u in Boechout.

{d.take(BYE_JAN)}""", label="request", deal=deal, supplier=sup, note="request on the day after the 11 Nov holiday")
    q = d.reply(req, VANDAMME, d.at(11, 13, 9, 10), """
Goedemorgen,

14 m³ C30/37 EE3 S4 à € 98,50/m³ = € 1.379,00
betonpomp 4 uur à € 165,00 = € 660,00
Totaal € 2.039,00 excl. btw.

Levering dinsdag 17/11 om 8u is mogelijk.""", label="quote", note="next-day quote with unit prices")
    fu = d.reply(q, VANDAMME, d.at(11, 16, 8, 0), """
Goedemorgen,

Mogen we de levering voor morgen 8u vastleggen? Zonder bevestiging vandaag kunnen we de pomp niet garanderen.""",
        label="follow-up", note="follow-up next working day after the quote")
    ok = d.reply(fu, JAN, d.at(11, 16, 8, 20), """
Ja, bevestigd: morgen 8u, Provinciesteenweg 210 Boechout.

Jan""", label="follow-up", note="buyer confirms")
    d.reply(ok, VANDAMME, d.at(11, 16, 8, 47), """
Goedemorgen,

Bevestigd: 14 m³ C30/37 + pomp, dinsdag 17/11 om 8u, Provinciesteenweg 210 Boechout. De pompist belt bij vertrek.""",
        label="follow-up", note="supplier confirms")


def unrelated(d: Demo) -> None:
    """Mail that is no part of any deal: bulk, bank, personal, internal."""
    bulk = (("Precedence", "bulk"),)
    d.send(BANK, [JAN], d.at(9, 2, 5, 12), "Uw rekeninguittreksel is beschikbaar", """
Beste klant,

Uw rekeninguittreksel nr. 17 voor rekening BE12 3456 7890 1234 (Van den Broeck Bouw & Renovatie bv) staat klaar in Meridiaan Online.

Meridiaan Bank zal u nooit vragen om uw pincode of responscodes door te geven.""", headers=bulk,
        label="other", deal="", supplier="", note="bank notification")
    d.send(BANK, [JAN], d.at(11, 2, 7, 41), "Nieuwe aanmelding in Meridiaan Online", """
Beste Jan Van den Broeck,

Er werd op 02/11/2026 om 07:40 aangemeld op Meridiaan Online vanaf een nieuw toestel (iPhone, Mortsel). Was u dit niet? Bel dan meteen 078 15 15 15.""",
        headers=(("Auto-Submitted", "auto-generated"),), label="other", deal="", supplier="",
        note="bank security notification (automatic but not about a request)")
    for month, day, subject, text in (
        (9, 18, "Bouwvak Nieuws week 38: nieuwe EPB-eisen 2027", "De nieuwe EPB-eisen voor renovaties vanaf 2027, de prijzen van bouwmaterialen in het derde kwartaal en een interview met een jonge aannemer uit Gent."),
        (11, 6, "Bouwvak Nieuws week 45: personeelstekort in de bouw", "Hoe lossen aannemers het personeelstekort op? Ook deze week: de renovatiepremie 2027 en een overzicht van de bouwverlof-data."),
    ):
        d.send(NEWS, [JAN], d.at(month, day, 6, 30, 0), subject, text + "\n\nU ontvangt deze nieuwsbrief als abonnee van Bouwvak Nieuws. Uitschrijven kan via de link onderaan.",
               headers=(("List-Unsubscribe", "<https://bouwvaknieuws.be/u/7731>"), ("List-Id", "<weekly.bouwvaknieuws.be>"),
                        ("Precedence", "bulk")),
               label="other", deal="", supplier="", note="trade newsletter")
    d.send(Person("Garage Peeters", "marketing@garage-peeters.be", body="html"), [JAN], d.at(10, 15, 11, 0, 0),
           "Winterbandenactie: 20% korting op montage", """
Winter komt eraan! Tot 30 november krijgt u 20% korting op de montage van winterbanden voor uw bedrijfswagens. Maak online een afspraak.

Garage Peeters nv - Boomsesteenweg 41, 2610 Wilrijk. U ontvangt deze mail omdat u klant bent. Uitschrijven.""",
           headers=(("List-Unsubscribe", "<mailto:uitschrijven@garage-peeters.be>"), ("Precedence", "bulk"),
                    ("List-Id", "Garage Peeters acties <acties.garage-peeters.be>")),
           label="other", deal="", supplier="", note="supplier's own marketing mail")
    d.send(DRIES, [JAN], d.at(9, 26, 10, 3), "Verjaardag mama zondag", """
Hey Jan,

Niet vergeten: zondag verjaardag van mama, we spreken af om 12u bij haar. Neem jij de taart mee? Ik zorg voor de bloemen.

Dries""", label="other", deal="", supplier="", note="personal mail on a Saturday")
    d.send(SOFIE, [JAN], d.at(11, 6, 12, 5), "Teamlunch vrijdag 18 december", """
Hoi Jan,

Ik heb voor de eindejaarslunch een tafel gereserveerd voor 12 personen op vrijdag 18 december om 12u30 bij De Kroon. Ok voor jou?

Sofie""", label="other", deal="", supplier="", note="internal mail between colleagues")


STORIES = (garage_peeters, autohuis_claes, vanhoutte, desmet, scaffolding_rfq, maes_second, vermeulen,
           dewilde, isolatie_center, krause, lambert, gilson, janssens, itwerkt, belcom, jacobs, cools,
           timmerman, goossens, devos, werkplek, hendrickx, sitebook, hartley, vandamme, unrelated)


def build() -> Demo:
    """The whole demo mailbox in memory."""
    demo = Demo()
    for story in STORIES:
        story(demo)
    return demo


def main(out_dir: Path | str | None = None) -> Demo:
    """Write ``demo.mbox`` and ``demo-truth.csv`` into ``out_dir`` (default: this folder)."""
    demo = build()
    demo.write(Path(out_dir) if out_dir is not None else HERE)
    return demo


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else None)
