#!/usr/bin/env python3
"""Write a large, realistic buyer's mailbox for the scale benchmark (``benchmarks/run``).

Usage: ``benchmarks/make_mailbox.py N [-o OUT.mbox] [--seed S] [--config FILE]
[--extra K --extra-out NEW.mbox] [--info FILE] [--truth FILE]``

N messages of one Flemish buyer over the years (about 10,000 a year, at least one year,
ending in October 2026), in time order: deals with about N/40 suppliers (requests,
quotes, questions, out-of-office mail, acknowledgements, chasers, silences), supplier
newsletters, invoices, bulk mail, internal and private mail, in Dutch, English, French
and German. The stories, phrase pools and quoting come from the labelled corpus'
generator (``samples/make_labelled.py``, imported); this script adds what a real mailbox
has on top: many suppliers with a few big ones, transport and client headers (Received,
DKIM, Outlook's Thread-Index), multipart/alternative with client-style HTML in most
mail, quoted history that grows down a thread, signatures and disclaimers, inline logos
and PDFs (a text page plus a scanned-logo image) of realistic size.

Seeded: the same N and seed give byte-identical files. ``--extra K`` also writes the K
messages that follow the first N (later dates, some in open threads) to
``--extra-out``: "new mail" for a re-run. Memory stays flat: messages are written as
the simulated time passes them.
"""

from __future__ import annotations

import argparse
import heapq
import json
import random
import re
import sys
import time
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.message import Message
from email.utils import format_datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "samples"))
import make_labelled as ml  # noqa: E402  (a script folder, not a package)
from _mailformat import (  # noqa: E402
    address,
    attachment,
    client_headers,
    encode_words,
    html_body,
    inline_image,
    multipart,
    newsletter_html,
    part,
    pdf,
    png,
    transport_headers,
)

BRUSSELS = ZoneInfo("Europe/Brussels")
# About where the N-th message falls. Every date, the new mail's too (a week or two
# later), must be in the past when the benchmark runs: a mail dated in the future has an
# absurd date, and inbox-audit stores it undated.
END = datetime(2026, 10, 23, 17, 0, tzinfo=BRUSSELS)
PER_YEAR = 10_000  # "ten years of mail has 100k+ messages"
BUYER = ml.Buyer(ml.P("Lies", "Van Acker", "lies@vanacker-interieur.be", "nl"),
                 ml.P("Tom", "Claessens", "tom.claessens@vanacker-interieur.be", "nl"),
                 "Van Acker Interieur", ())
BUYER_SIG = ("\n--\n{name}\nVan Acker Interieur BV\nIndustrieweg 14, 9070 Destelbergen\n"
             "T +32 9 228 41 07 | www.vanacker-interieur.be\nBTW BE 0456.789.123")
LANGS = ("nl", "en", "fr", "de")
LANG_WEIGHTS = (62, 15, 15, 8)
TLDS = {"nl": (".be", ".be", ".be", ".nl"), "en": (".co.uk", ".com", ".eu"),
        "fr": (".be", ".fr", ".fr"), "de": (".de", ".de", ".be")}
FREEMAIL = ("gmail.com", "telenet.be", "hotmail.com", "outlook.com", "skynet.be")
MORE_LAST = {
    "nl": ("Peeters", "Janssens", "Maes", "Jacobs", "Mertens", "Willems", "Claes", "Goossens",
           "Wouters", "Hermans", "Aerts", "Pauwels", "Michiels", "Lemmens", "Segers", "Bogaert",
           "Coppens", "Martens", "Desmet", "Hendrickx", "Stevens", "Smets", "Verhoeven",
           "Vandenberghe", "Dewulf", "Van_Damme", "De_Clercq"),
    "en": ("Smith", "Taylor", "Brown", "Wilson", "Evans", "Walker", "Wright", "Robinson",
           "Thompson", "Hughes", "Clarke"),
    "fr": ("Dubois", "Lambert", "Martin", "Dupont", "Leroy", "Simon", "Laurent", "Lefebvre",
           "Michel", "Mathieu", "Gérard"),
    "de": ("Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Meyer", "Wagner", "Schulz",
           "Hoffmann", "Koch", "Richter"),
}
MORE_FIRST = {
    "nl": ("An", "Bart", "Els", "Koen", "Sara", "Wout", "Ine", "Joris", "Leen", "Pieter",
           "Hanne", "Dries", "Eva", "Lars", "Nele"),
    "en": ("James", "Emma", "Oliver", "Sophie", "Jack", "Chloe", "Harry", "Grace", "Tom", "Lucy"),
    "fr": ("Marie", "Pierre", "Camille", "Thomas", "Julie", "Nicolas", "Claire", "Olivier",
           "Manon"),
    "de": ("Anna", "Thomas", "Julia", "Stefan", "Laura", "Michael", "Katrin", "Jan", "Sabine"),
}
ROLES = {"nl": ("info", "verkoop", "offertes"), "en": ("sales", "info", "quotes"),
         "fr": ("info", "ventes", "devis"), "de": ("info", "vertrieb", "angebote")}
DISCLAIMER = {
    "nl": "Dit bericht is uitsluitend bestemd voor de geadresseerde en kan vertrouwelijke "
          "informatie bevatten. Bent u niet de geadresseerde, verwijder dit bericht dan en "
          "breng de afzender op de hoogte. Op al onze offertes zijn onze algemene "
          "verkoopsvoorwaarden van toepassing.",
    "en": "This e-mail and any attachments are confidential and intended solely for the "
          "addressee. If you have received it in error, please notify the sender and delete "
          "it. Registered in England and Wales. All quotations are subject to our terms.",
    "fr": "Ce message et ses pièces jointes sont confidentiels et destinés exclusivement à "
          "leur destinataire. Si vous l'avez reçu par erreur, merci d'en avertir "
          "l'expéditeur et de le supprimer. Nos conditions générales s'appliquent.",
    "de": "Diese E-Mail enthält vertrauliche Informationen. Wenn Sie nicht der richtige "
          "Adressat sind, informieren Sie bitte sofort den Absender und vernichten Sie "
          "diese Mail. Geschäftsführer: siehe Impressum. Amtsgericht Aachen HRB 4711.",
}
CLIENTS = ("outlook", "outlook", "outlook", "gmail", "gmail", "apple", "thunderbird", "web")


class HeaderStr(str):
    """A header value that also answers ``.addresses`` (make_labelled's bounce asks)."""

    @property
    def addresses(self) -> list[Any]:
        addr = self.rpartition("<")[2].rstrip(">") if "<" in self else str(self)
        return [type("Address", (), {"addr_spec": addr})()]


@dataclass(frozen=True)
class Org:
    """A supplier (make_labelled's Supplier) plus how its mail looks."""

    sup: ml.Supplier
    lang: str
    client: str
    disclaimer: bool
    logo: bytes | None


def _slug(text: str) -> str:
    table = str.maketrans("äöüéèëçàâ", "aoueeecaa")
    return re.sub(r"[^a-z0-9]+", "-", text.lower().translate(table)).strip("-")


class Mailbox(ml.Writer):
    """make_labelled's Writer for one buyer over years; ``messages()`` yields the mail in
    time order. ``mail()`` is replaced: it writes raw bytes directly (the email package's
    header objects cost milliseconds a message) with client-style headers and HTML."""

    def __init__(self, n: int, seed: int) -> None:
        super().__init__(seed)
        rng = self.rng
        self.n = n
        years = min(12.0, max(1.0, n / PER_YEAR))
        self.first = END - timedelta(days=365.25 * years)
        ml.START = self.first  # make_labelled's "long ago" for products and subjects
        self.images = [zlib.compress(rng.randbytes(int(rng.lognormvariate(10.2, 0.7))), 1)
                       for _ in range(12)]
        self.orgs = [self._org(i) for i in range(max(8, n // 40))]
        # A few suppliers get most deals (Zipf-like), most get one or two over the years.
        rng.shuffle(self.orgs)
        self.cum = []
        total = 0.0
        for rank in range(len(self.orgs)):
            total += 1 / (rank + 1) ** 0.9
            self.cum.append(total)
        self.bulk = [self._org(i, bulk=True) for i in range(max(4, n // 2000))]
        self.by_addr: dict[str, Org] = {}
        for org in self.orgs + self.bulk:
            for person in org.sup.people:
                self.by_addr[person.addr] = org

    # --- suppliers --------------------------------------------------------------------
    def _org(self, number: int, bulk: bool = False) -> Org:
        rng = self.rng
        lang = rng.choices(LANGS, LANG_WEIGHTS)[0]
        templates = [s for b in ml.BUYERS for s in b.suppliers if s.people[0].lang == lang]
        base = rng.choice(templates)
        known = {p.last for p in base.people} | {p.first for p in base.people}
        words = [w for w in base.company.split() if w not in known] or base.company.split()[:1]
        sector = " ".join(words)
        sector = sector[0].upper() + sector[1:]
        known_people = [p for b in ml.BUYERS for s in b.suppliers for p in s.people
                        if p.lang == lang]
        lasts = [name.replace("_", " ") for name in MORE_LAST[lang]]
        lasts += [p.last for p in known_people]
        firsts = [*MORE_FIRST[lang], *(p.first for p in known_people)]
        family = rng.choice(lasts)
        people: list[ml.Person] = []
        if not bulk and rng.random() < 0.06:  # a one-man business on free mail
            first = rng.choice(firsts)
            addr = f"{_slug(first)}.{_slug(family)}{number}@{rng.choice(FREEMAIL)}"
            people.append(ml.P(first, family, addr, lang))
            company, key = f"{first} {family} ({sector.lower()})", addr
        else:
            company = f"{sector} {family}"
            key = f"{_slug(company)}{number if number % 7 == 0 else ''}{rng.choice(TLDS[lang])}"
            for _ in range(1 if bulk else rng.choice((1, 1, 2, 2, 3))):
                first, last = rng.choice(firsts), rng.choice(lasts)
                local = rng.choice([_slug(first), f"{_slug(first)}.{_slug(last)}",
                                    f"{_slug(first)[0]}.{_slug(last)}", rng.choice(ROLES[lang])])
                people.append(ml.P(first, last, f"{local}@{key}", lang))
        sup = ml.Supplier(key, company, tuple(people), base.products, base.price)
        logo = png(rng, int(rng.lognormvariate(8.8, 0.6))) if rng.random() < 0.25 else None
        return Org(sup, lang, rng.choice(CLIENTS), rng.random() < 0.4, logo)

    def supplier(self) -> Org:
        pick = self.rng.random() * self.cum[-1]
        lo, hi = 0, len(self.cum) - 1
        while lo < hi:
            mid = (lo + hi) // 2
            if self.cum[mid] < pick:
                lo = mid + 1
            else:
                hi = mid
        return self.orgs[lo]

    # --- one message ------------------------------------------------------------------
    def _attach_quote(self, lang: str, sup: ml.Supplier, product: str, amount: str,
                      ref: str) -> tuple[str, bytes]:
        rng = self.rng
        name = self.pick(ml.ATTACH_QUOTE[lang]).format(ref=ref,
                                                        company_short=sup.company.split()[-1])
        items, _ = ml.item_lines(rng, product, rng.uniform(*sup.price), lang, False)
        lines = [f"{ml.PDF_HEAD[lang]} {ref}", sup.company, f"{sup.key}", "",
                 f"{BUYER.company}", "Industrieweg 14", "9070 Destelbergen", "", product,
                 *items, "", f"{ml.PDF_TOTAL[lang]}: {amount}",
                 {"nl": "Geldig 30 dagen.", "en": "Valid for 30 days.", "fr": "Valable 30 jours.",
                  "de": "Gültig 30 Tage."}[lang]]
        return name, pdf(lines, rng.choice(self.images))

    def _client(self, addr: str) -> str:
        org = self.by_addr.get(addr)
        if org is not None:
            return org.client
        return "outlook" if addr.endswith("vanacker-interieur.be") else CLIENTS[zlib.crc32(
            addr.encode()) % len(CLIENTS)]

    def mail(self, sender: ml.Person, to: ml.Person, subject: str, text: str, when: datetime,
             *, label: str, deal: str, supplier: str, note: str, parent: ml.Mail | None = None,
             style: str = "none", html_only: bool = False,
             attachments: tuple[tuple[str, bytes], ...] = (),
             headers: tuple[tuple[str, str], ...] = (), thread: bool = True, lang: str = "nl",
             content_type: str | None = None, from_name: str | None = None) -> ml.Mail:
        rng = self.rng
        org = self.by_addr.get(sender.addr)
        automatic = label == "silence" or bool(headers)
        if sender.addr.endswith("@vanacker-interieur.be") and not automatic:
            text += BUYER_SIG.format(name=sender.name)
        elif org is not None and org.disclaimer and not automatic:
            text += "\n\n" + DISCLAIMER[org.lang]
        history = ""
        if parent is not None and style != "none":
            history = ml.quoted(rng, parent, lang, style)
        client = self._client(sender.addr)
        head = {"From": address(from_name if from_name is not None else sender.name, sender.addr),
                "To": HeaderStr(address(to.name, to.addr)), "Subject": subject,
                "Date": format_datetime(when), "Message-ID": self.c.mid(sender.addr)}
        if parent is not None and thread:
            head["In-Reply-To"] = parent.msg["Message-ID"]
            refs = (parent.msg.get("References", "") + " " + parent.msg["Message-ID"]).strip()
            head["References"] = " ".join(refs.split()[-8:])
        lines = transport_headers(rng, sender.addr, to.addr, when, client)
        lines += [f"{k}: {encode_words(v) if k == 'Subject' else v}" for k, v in head.items()]
        lines += [f"{k}: {v}" for k, v in headers]
        lines += client_headers(rng, client, subject, lang)
        bulk = any(name.startswith("List-") for name, _ in headers)
        body = self._body(rng, text, history, client, lang, html_only or rng.random() < 0.82,
                          html_only, org, attachments, automatic,
                          (from_name or sender.name) if bulk else None)
        raw = ("\n".join(lines) + "\nMIME-Version: 1.0\n").encode() + body
        m = ml.Mail(head, label, deal, supplier, note, when, text=text + history, sender=sender)  # type: ignore[arg-type]
        m.raw = raw  # type: ignore[attr-defined]
        self.c.mails.append(m)
        return m

    def _body(self, rng: random.Random, text: str, history: str, client: str, lang: str,
              with_html: bool, html_only: bool, org: Org | None,
              attachments: tuple[tuple[str, bytes], ...], automatic: bool,
              newsletter: str | None) -> bytes:
        number = self.c.counter
        flowed = "; format=flowed" if client == "apple" else ""
        plain = part("text/plain; charset=utf-8" + flowed, (text + history).encode(), rng)
        if with_html:
            page = (newsletter_html(rng, text, newsletter) if newsletter is not None
                    else html_body(text, history, client, lang))
            markup = part("text/html; charset=utf-8", page.encode(), rng)
            if org is not None and org.logo is not None and not automatic:
                logo = inline_image(org.logo, number)
                markup = multipart("related", [markup, logo], f"rel{number}")
            body = (markup if html_only
                    else multipart("alternative", [plain, markup], f"alt{number}"))
        else:
            body = plain
        if attachments:
            parts = [body] + [attachment(name, data) for name, data in attachments]
            body = multipart("mixed", parts, f"mix{number}")
        return body


class Simulation(Mailbox):
    """The mailbox's events over time: deals, supplier mail, bulk, internal, private."""

    def messages(self, total: int) -> Iterator[ml.Mail]:
        """The first ``total`` messages in time order; the first ``self.n`` end near END."""
        rng = self.rng
        heap: list[tuple[float, int, ml.Mail]] = []
        made = events = emitted = 0
        clock = t = self.first
        gap = 3600.0
        while emitted < total:
            # Pace the events on a steady clock so that N messages end near END; an event
            # that falls at night or on a weekend moves to the next working morning.
            if clock < END and made < self.n:
                per_event = made / events if events else 3.0
                gap = (END - clock).total_seconds() / max(1.0, (self.n - made) / per_event)
            clock += timedelta(seconds=rng.expovariate(1 / gap))
            t = max(t, self._working(clock))
            while heap and heap[0][0] < t.timestamp() and emitted < total:
                emitted += 1
                yield heapq.heappop(heap)[2]
            if (t.month == 8 and t.day < 21 or t.month == 12 and t.day > 23) and rng.random() < 0.6:
                continue  # holidays: less mail
            self._event(t)
            events += 1
            for m in self.c.mails:
                made += 1
                heapq.heappush(heap, (m.when.timestamp(), made, m))
            self.c.mails.clear()
            if len(heap) > 50_000:
                raise RuntimeError("event pacing broke: too much mail waiting")

    def when_after(self, when: datetime, lo_h: int = 2, hi_h: int = 70) -> datetime:
        # Replies come in working hours, mostly on working days.
        return self._working(super().when_after(when, lo_h, hi_h))

    def _working(self, t: datetime) -> datetime:
        rng = self.rng
        t = t.astimezone(BRUSSELS)
        for _ in range(10):
            if t.weekday() >= 5 and rng.random() < 0.92:
                t = (t + timedelta(days=7 - t.weekday())).replace(hour=7, minute=0)
                t += timedelta(minutes=rng.randint(0, 150))
            if t.hour < 7:
                t = t.replace(hour=7, minute=0) + timedelta(minutes=rng.randint(0, 150))
            elif t.hour >= 19:
                t = (t + timedelta(days=1)).replace(hour=7, minute=0) + timedelta(
                    minutes=rng.randint(0, 150))
            else:
                return t
        return t

    def _event(self, t: datetime) -> None:
        rng = self.rng
        kind = rng.random()
        org = self.supplier()
        if kind < 0.58:
            self.conversation(BUYER, org.sup, org.lang, t)
        elif kind < 0.76:
            self.unrelated(BUYER, org.sup, org.lang, t)
        elif kind < 0.91:
            self._bulk(rng.choice(self.bulk), t)
        elif kind < 0.95:
            self.internal(BUYER, "nl", t)
        elif kind < 0.97:
            self.private(BUYER, rng.choice(("nl", "nl", "fr", "en")), t)
        else:
            self.unprompted(BUYER, org.sup, org.lang, t)

    def _bulk(self, org: Org, t: datetime) -> None:
        rng = self.rng
        lang = org.lang
        subject, body = rng.choice(ml.NEWSLETTER[lang])
        slots = {"company": org.sup.company, "product_plain": rng.choice(org.sup.products),
                 "day": ml.fmt_day(t + timedelta(days=12), lang), "year": str(t.year + 1),
                 "amount": ml.fmt_amount(rng, rng.uniform(50, 900), lang)}
        domain = org.sup.key.rpartition("@")[2]
        self.mail(org.sup.people[0], BUYER.person, subject.format(**slots), body.format(**slots),
                  t, label="other", deal="", supplier=org.sup.key, note="bulk mail",
                  headers=(("List-Unsubscribe", f"<mailto:unsubscribe@{domain}>"),
                           ("List-Id", f"<news.{domain}>"), ("Precedence", "bulk")),
                  html_only=rng.random() < 0.6, lang=lang, from_name=org.sup.company)


FROM_LINE = re.compile(rb"(?m)^(>*From )")


def mbox_entry(m: ml.Mail) -> bytes:
    """One mboxrd entry: From_ line (UTC), the mail with "From " lines escaped, a blank line."""
    raw = getattr(m, "raw", None)
    if raw is None:
        assert isinstance(m.msg, Message)
        raw = m.msg.as_bytes(policy=ml.POLICY)  # make_labelled's bounce
    if raw.startswith((b"From ", b">")) or b"\nFrom " in raw or b"\n>" in raw:
        raw = FROM_LINE.sub(rb">\1", raw)
    if not raw.endswith(b"\n"):
        raw += b"\n"
    stamp = time.asctime(m.when.astimezone(UTC).timetuple())
    return b"From MAILER-DAEMON " + stamp.encode() + b"\n" + raw + b"\n"


def _message_id(m: ml.Mail) -> str:
    return str(m.msg["Message-ID"])


def config_text(**extra: str) -> str:
    """A config TOML saying who the buyer is; ``extra`` adds top-level string keys
    (store, corrections, ...)."""
    lines = ["# The buyer of benchmarks/make_mailbox.py's mailbox.",
             f'me = ["{BUYER.person.addr}"]',
             f'my_domains = ["{BUYER.person.addr.rpartition("@")[2]}"]',
             'timezone = "Europe/Brussels"', 'country = "BE"']
    lines += [f"{key} = {json.dumps(value)}" for key, value in extra.items()]
    return "\n".join(lines) + "\n"


def as_of_after(last: datetime) -> datetime:
    """Monday 08:00 (Brussels) after ``last``: the report time of the benchmark."""
    day = last.astimezone(BRUSSELS).date()
    monday = day + timedelta(days=7 - day.weekday())
    return datetime(monday.year, monday.month, monday.day, 8, 0, tzinfo=BRUSSELS)


def write(n: int, out: Path, *, seed: int = 2026, extra: int = 0,
          extra_out: Path | None = None, truth: Path | None = None) -> dict[str, Any]:
    """Write the mailbox (and the ``extra`` messages after it); return what was written.
    ``truth`` gets the intended label of every message (CSV: message_id,label)."""
    sim = Simulation(n, seed)
    truth_fh = truth.open("w", encoding="utf-8") if truth is not None else None
    if truth_fh is not None:
        truth_fh.write("message_id,label\n")
    info: dict[str, Any] = {"messages": n, "seed": seed, "extra": extra,
                            "labels": {}, "extra_labels": {}, "with_pdf": 0, "bytes": 0,
                            "suppliers": len(sim.orgs), "me": BUYER.person.addr}
    first = last = None
    fh = out.open("wb")
    try:
        for number, m in enumerate(sim.messages(n + extra)):
            if number == n:
                fh.close()
                assert extra_out is not None
                fh = extra_out.open("wb")
            entry = mbox_entry(m)
            fh.write(entry)
            if truth_fh is not None:
                truth_fh.write(f"{_message_id(m).strip('<>')},{m.label}\n")
            labels = info["labels" if number < n else "extra_labels"]
            labels[m.label] = labels.get(m.label, 0) + 1
            if number < n:
                info["bytes"] += len(entry)
                info["with_pdf"] += b"Content-Type: application/pdf" in entry
            first = first or m.when
            last = m.when
    finally:
        fh.close()
        if truth_fh is not None:
            truth_fh.close()
    assert first is not None and last is not None
    info["first"], info["last"] = first.isoformat(), last.isoformat()
    info["as_of"] = as_of_after(last).isoformat()
    return info


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("n", type=int, help="how many messages")
    parser.add_argument("-o", "--out", type=Path, help="mbox to write (default mailbox-N.mbox)")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--extra", type=int, default=0,
                        help="also write the K messages that follow, to --extra-out")
    parser.add_argument("--extra-out", type=Path)
    parser.add_argument("--config", type=Path, help="write the config TOML (who 'me' is) here")
    parser.add_argument("--info", type=Path, help="write what was generated as JSON here")
    parser.add_argument("--truth", type=Path,
                        help="write message_id,label (the intended labels) of all mail here")
    args = parser.parse_args(argv)
    if args.extra and args.extra_out is None:
        parser.error("--extra needs --extra-out")
    out = args.out or Path(f"mailbox-{args.n}.mbox")
    started = time.perf_counter()
    info = write(args.n, out, seed=args.seed, extra=args.extra, extra_out=args.extra_out,
                 truth=args.truth)
    info["seconds"] = round(time.perf_counter() - started, 1)
    if args.config:
        args.config.write_text(config_text(), encoding="utf-8")
    if args.info:
        args.info.write_text(json.dumps(info, indent=2) + "\n", encoding="utf-8")
    labels = ", ".join(f"{k} {v}" for k, v in sorted(info["labels"].items()))
    print(f"{args.n} messages, {info['bytes'] / 1e6:.1f} MB, {info['with_pdf']} with a PDF, "
          f"{info['suppliers']} suppliers, {info['first'][:10]} .. {info['last'][:10]} -> {out} "
          f"({info['seconds']} s)\nintended labels: {labels}\nme = {BUYER.person.addr}, "
          f"my_domains = {BUYER.person.addr.rpartition('@')[2]}; report as of {info['as_of']}")


if __name__ == "__main__":
    main()
