"""Deals: one per thread and supplier organisation (SPEC §5)."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest

from inbox_audit.config import Settings, SuppliersSettings
from inbox_audit.deals import build_deals, deal_index
from inbox_audit.models import Address, Attachment, Classification, Label, Message, MessageFacts
from inbox_audit.parties import Parties
from inbox_audit.threads import build_threads

ME = "koen@bedrijf.be"
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def make_message(**overrides: Any) -> Message:
    """A message from a supplier to the buyer; ``sender``/``to``/``cc`` take
    "Name <addr>" strings and ``date`` an int of hours after T0."""
    fields: dict[str, Any] = {
        "key": "m1@x", "message_id": None, "date": T0, "date_source": "header",
        "sender": "jan@garage-peeters.be", "to": (ME,), "cc": (), "subject": "Offerte",
        "in_reply_to": (), "references": (), "text": "", "html_only": False,
        "attachments": (), "headers": (), "content_type": "text/plain", "folder": "INBOX",
        "raw_sha256": "0" * 64, "size": 100,
    }
    fields.update(overrides)
    fields["message_id"] = fields["message_id"] or f"<{fields['key']}>"
    if isinstance(fields["date"], int):
        fields["date"] = T0 + timedelta(hours=fields["date"])
    fields["sender"] = _addr(fields["sender"]) if fields["sender"] else None
    fields["to"] = tuple(_addr(a) for a in fields["to"])
    fields["cc"] = tuple(_addr(a) for a in fields["cc"])
    fields["in_reply_to"] = tuple(fields["in_reply_to"])
    fields["references"] = tuple(fields["references"])
    return Message(**fields)


def _addr(value: str) -> Address:
    if "<" in value:
        name, _, rest = value.partition("<")
        return Address(name.strip(), rest.rstrip(">").strip().lower())
    return Address("", value.lower())


def label(key: str, lbl: Label, confidence: float = 0.9) -> Classification:
    return Classification(key=key, label=lbl, confidence=confidence, source="rule")


@pytest.fixture
def parties() -> Parties:
    return Parties(Settings(me=[ME], my_domains=["bedrijf.be"],
                            suppliers=SuppliersSettings(names={"a-lift.be": "A-Lift NV"})))


def deals_for(msgs: list[Message], labels: dict[str, Label], parties: Parties,
              facts: dict[str, MessageFacts] | None = None):
    classes = {k: label(k, v) for k, v in labels.items()}
    return build_deals(msgs, build_threads(msgs, parties), classes, parties, facts)


def by_supplier(deals) -> dict:
    return {d.supplier: d for d in deals}


def test_one_rfq_to_three_suppliers_opens_three_deals(parties: Parties) -> None:
    rfq = make_message(key="rfq@b", sender=ME, subject="Prijsaanvraag heftruck",
                       to=["Verkoop A <info@a-lift.be>", "sales@b-lift.nl"],
                       cc=["Jo Smet <jo.smet@gmail.com>"])
    ra = make_message(key="ra@a", date=5, sender="Els <els@a-lift.be>",
                      subject="Re: Prijsaanvraag heftruck", in_reply_to=["rfq@b"])
    ra2 = make_message(key="ra2@a", date=30, sender="els@a-lift.be",
                       subject="Re: Prijsaanvraag heftruck", in_reply_to=["ra@a"])
    rb = make_message(key="rb@b", date=8, sender="Tom <tom@b-lift.nl>",
                      subject="Offerte heftruck", references=["rfq@b"])
    chase = make_message(key="ch@b", date=100, sender=ME, to=["sales@b-lift.nl"],
                         subject="Re: Prijsaanvraag heftruck", in_reply_to=["rb@b"])
    msgs = [rfq, ra, ra2, rb, chase]
    deals = deals_for(msgs, {"rfq@b": "request", "ra@a": "quote", "ra2@a": "follow-up",
                             "rb@b": "quote", "ch@b": "follow-up"}, parties)
    assert len({d.thread_id for d in deals}) == 1
    got = by_supplier(deals)
    assert set(got) == {"a-lift.be", "b-lift.nl", "jo.smet@gmail.com"}
    assert [m.key for m in got["a-lift.be"].messages] == ["rfq@b", "ra@a", "ra2@a"]
    assert [m.key for m in got["b-lift.nl"].messages] == ["rfq@b", "rb@b", "ch@b"]
    assert [m.key for m in got["jo.smet@gmail.com"].messages] == ["rfq@b"]
    # Names: configured, else the supplier's first sender, else how the buyer wrote it.
    assert got["a-lift.be"].supplier_name == "A-Lift NV"
    assert got["b-lift.nl"].supplier_name == "Tom"
    assert got["jo.smet@gmail.com"].supplier_name == "Jo Smet"
    assert all(d.subject == "Prijsaanvraag heftruck" for d in deals)
    assert deal_index(deals)["rfq@b"] == [d.deal_id for d in deals]
    assert len(deal_index(deals)["rb@b"]) == 1


def test_deal_message_carries_label_and_facts(parties: Parties) -> None:
    rfq = make_message(key="rfq@b", sender=ME, to=["info@a-lift.be"])
    quote = make_message(key="q@a", date=26, sender="els@a-lift.be", in_reply_to=["rfq@b"],
                         attachments=(Attachment("offerte.pdf", "application/pdf", 900),))
    facts = {"q@a": MessageFacts("q@a", Decimal("12500.00"), "EUR"),
             "rfq@b": MessageFacts("rfq@b", high_intent=True)}
    (deal,) = deals_for([rfq, quote], {"rfq@b": "request", "q@a": "quote"}, parties, facts)
    first, second = deal.messages
    assert first.from_me and first.high_intent and first.label == "request"
    assert first.sender == ME
    assert not second.from_me and second.label == "quote" and second.source == "rule"
    assert second.amount == Decimal("12500.00") and second.currency == "EUR"
    assert second.attachments == ("offerte.pdf",)
    assert second.confidence == pytest.approx(0.9)


def test_two_gmail_senders_same_subject_are_separate_deals(parties: Parties) -> None:
    a = make_message(key="a@g", sender="jan.peeters@gmail.com", subject="Re: Bestelwagen")
    b = make_message(key="b@g", date=2, sender="piet.maes@gmail.com",
                     subject="Re: Bestelwagen")
    deals = deals_for([a, b], {"a@g": "quote", "b@g": "quote"}, parties)
    assert sorted(d.supplier for d in deals) == ["jan.peeters@gmail.com",
                                                  "piet.maes@gmail.com"]


def test_subdomain_reply_lands_in_the_same_deal(parties: Parties) -> None:
    rfq = make_message(key="rfq@b", sender=ME, to=["info@dealer-x.be"], subject="Testrit")
    reply = make_message(key="r@x", date=20, sender="piet@verkoop.dealer-x.be",
                         subject="Antw: Testrit")
    (deal,) = deals_for([rfq, reply], {"rfq@b": "request", "r@x": "follow-up"}, parties)
    assert deal.supplier == "dealer-x.be"
    assert [m.key for m in deal.messages] == ["rfq@b", "r@x"]


def test_other_labelled_mail_is_left_off(parties: Parties) -> None:
    rfq = make_message(key="rfq@b", sender=ME, to=["info@a-lift.be"])
    news = make_message(key="n@a", date=3, sender="news@a-lift.be", subject="Re: Offerte")
    deals = deals_for([rfq, news], {"rfq@b": "request", "n@a": "other"}, parties)
    assert [m.key for m in deals[0].messages] == ["rfq@b"]
    only_other = deals_for([news], {"n@a": "other"}, parties)
    assert only_other == []


def test_undated_and_unclassified_messages_are_left_off(parties: Parties) -> None:
    rfq = make_message(key="rfq@b", sender=ME, to=["info@a-lift.be"])
    undated = make_message(key="u@a", date=None, date_source="none", sender="x@a-lift.be",
                           in_reply_to=["rfq@b"])
    unlabelled = make_message(key="n@a", date=4, sender="x@a-lift.be", in_reply_to=["rfq@b"])
    (deal,) = deals_for([rfq, undated, unlabelled],
                        {"rfq@b": "request", "u@a": "quote"}, parties)
    assert [m.key for m in deal.messages] == ["rfq@b"]


def test_buyer_note_to_colleague_is_on_no_deal(parties: Parties) -> None:
    # Forwarding the quote to a colleague is no chase: the supplier never saw it.
    rfq = make_message(key="rfq@b", sender=ME, to=["info@a-lift.be", "sales@b-lift.nl"])
    note = make_message(key="n@b", date=2, sender=ME, to=["collega@bedrijf.be"],
                        subject="Fwd: Offerte", references=["rfq@b"])
    deals = deals_for([rfq, note], {"rfq@b": "request", "n@b": "follow-up"}, parties)
    assert len(deals) == 2
    assert all([m.key for m in d.messages] == ["rfq@b"] for d in deals)
    lone = make_message(key="l@b", sender=ME, to=["collega@bedrijf.be"], subject="Intern")
    assert deals_for([lone], {"l@b": "request"}, parties) == []


def test_buyer_note_to_an_ignored_correspondent_is_on_no_deal() -> None:
    parties = Parties(Settings(me=[ME], suppliers=SuppliersSettings(ignore=["kbc.be"])))
    rfq = make_message(key="rfq@b", sender=ME, to=["info@a-lift.be"])
    note = make_message(key="n@b", date=2, sender=ME, to=["krediet@kbc.be"],
                        subject="Fwd: Offerte", references=["rfq@b"])
    (deal,) = deals_for([rfq, note], {"rfq@b": "request", "n@b": "follow-up"}, parties)
    assert [m.key for m in deal.messages] == ["rfq@b"]


def test_buyer_chase_sent_bcc_joins_the_open_deals(parties: Parties) -> None:
    # No visible recipient (Bcc, "undisclosed recipients"): the thread says whom.
    rfq = make_message(key="rfq@b", sender=ME, to=["info@a-lift.be"])
    chase = make_message(key="c@b", date=50, sender=ME, to=[], subject="Re: Offerte",
                         references=["rfq@b"])
    (deal,) = deals_for([rfq, chase], {"rfq@b": "request", "c@b": "follow-up"}, parties)
    assert [m.key for m in deal.messages] == ["rfq@b", "c@b"]


def test_chase_copying_a_colleague_stays_a_chase(parties: Parties) -> None:
    rfq = make_message(key="rfq@b", sender=ME, to=["info@a-lift.be"])
    chase = make_message(key="c@b", date=50, sender=ME, to=["collega@bedrijf.be"],
                         cc=["info@a-lift.be"], subject="Re: Offerte", references=["rfq@b"])
    (deal,) = deals_for([rfq, chase], {"rfq@b": "request", "c@b": "follow-up"}, parties)
    assert [m.key for m in deal.messages] == ["rfq@b", "c@b"]


def test_ignored_correspondents_open_no_deal() -> None:
    parties = Parties(Settings(me=[ME], suppliers=SuppliersSettings(ignore=["kbc.be"])))
    mail = make_message(key="k@kbc", sender="info@kbc.be", subject="Uw rekening")
    assert deals_for([mail], {"k@kbc": "follow-up"}, parties) == []


def test_deals_sorted_by_first_message_and_ids_stable(parties: Parties) -> None:
    msgs = [
        make_message(key="rfq2@b", date=48, sender=ME, to=["info@a-lift.be"],
                     subject="Tweede"),
        make_message(key="rfq1@b", sender=ME, to=["info@a-lift.be", "sales@b-lift.nl"]),
        make_message(key="r1@a", date=5, sender="els@a-lift.be", subject="Re: Offerte"),
        make_message(key="r2@a", date=50, sender="els@a-lift.be", in_reply_to=["rfq2@b"]),
    ]
    labels = {"rfq1@b": "request", "rfq2@b": "request", "r1@a": "quote",
              "r2@a": "follow-up"}
    first = deals_for(msgs, labels, parties)
    shuffled = msgs[:]
    random.Random(7).shuffle(shuffled)
    second = deals_for(shuffled, labels, parties)
    assert first == second
    assert [d.messages[0].key for d in first] == ["rfq1@b", "rfq1@b", "rfq2@b"]
    assert len({d.deal_id for d in first}) == 3
    assert all(d.deal_id.startswith("d-") for d in first)


def test_stray_notice_joins_the_suppliers_active_deal(parties: Parties) -> None:
    rfq = make_message(key="rfq@b", sender=ME, to=["verkoop@b-lift.nl"], subject="Proefrit")
    quote = make_message(key="q@b", date=20, sender="tom@b-lift.nl", in_reply_to=["rfq@b"])
    # A booking system writes with its own subject and no threading headers.
    booking = make_message(key="bk@b", date=22, sender="noreply@b-lift.nl",
                           subject="Bevestiging afspraak #4411")
    late = make_message(key="late@b", date=24 * 120, sender="noreply@b-lift.nl",
                        subject="Uw ticket #9000")
    stranger = make_message(key="s@z", date=30, sender="noreply@zeta.be",
                            subject="Wij hebben uw aanvraag ontvangen")
    msgs = [rfq, quote, booking, late, stranger]
    deals = deals_for(msgs, {"rfq@b": "request", "q@b": "quote", "bk@b": "silence",
                             "late@b": "silence", "s@z": "silence"}, parties)
    main = next(d for d in deals if d.messages[0].key == "rfq@b")
    assert [m.key for m in main.messages] == ["rfq@b", "q@b", "bk@b"]
    assert deal_index(deals)["bk@b"] == [main.deal_id]
    # Too late to belong to it, or no deal with that supplier at all: left on its own.
    assert sorted(d.messages[0].key for d in deals) == ["late@b", "rfq@b", "s@z"]
