"""Threading: headers first, then subject + supplier within a window (SPEC §5)."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from inbox_audit.config import Settings
from inbox_audit.models import Address, Message
from inbox_audit.parties import Parties
from inbox_audit.threads import build_threads, message_contexts, normalise_subject

ME = "koen@bedrijf.be"
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)  # a Monday


def make_message(**overrides: Any) -> Message:
    """A plain message from a supplier to the buyer; override any field by name.

    ``sender``/``to``/``cc`` accept "addr" or "Name <addr>" strings; ``date`` may be an
    int (hours after T0).
    """
    fields: dict[str, Any] = {
        "key": "m1@x", "message_id": None, "date": T0, "date_source": "header",
        "sender": "jan@garage-peeters.be", "to": (ME,), "cc": (), "subject": "Offerte",
        "in_reply_to": (), "references": (), "text": "", "html_only": False,
        "attachments": (), "headers": (), "content_type": "text/plain", "folder": "INBOX",
        "raw_sha256": "0" * 64, "size": 100,
    }
    fields.update(overrides)
    if fields["message_id"] is None and not fields["key"].startswith("sha256:"):
        fields["message_id"] = f"<{fields['key']}>"
    if isinstance(fields["date"], int):
        fields["date"] = T0 + timedelta(hours=fields["date"])
    fields["sender"] = _addr(fields["sender"]) if fields["sender"] else None
    fields["to"] = tuple(_addr(a) for a in fields["to"])
    fields["cc"] = tuple(_addr(a) for a in fields["cc"])
    fields["in_reply_to"] = tuple(fields["in_reply_to"])
    fields["references"] = tuple(fields["references"])
    return Message(**fields)


def _addr(value: str | Address) -> Address:
    if isinstance(value, Address):
        return value
    if "<" in value:
        name, _, rest = value.partition("<")
        return Address(name.strip(), rest.rstrip(">").strip().lower())
    return Address("", value.lower())


@pytest.fixture
def parties() -> Parties:
    return Parties(Settings(me=[ME], my_domains=["bedrijf.be"]))


def thread_of(threads: list, key: str):
    return next(t for t in threads if key in t.keys)


def same_thread(threads: list, *keys: str) -> bool:
    return len({thread_of(threads, k).thread_id for k in keys}) == 1


# --- subjects --------------------------------------------------------------------------

@pytest.mark.parametrize("subject", [
    "Offerte bestelwagen", "Re: Offerte bestelwagen", "RE : Offerte bestelwagen",
    "AW: Offerte bestelwagen", "TR: Offerte bestelwagen", "Antw: Offerte bestelwagen",
    "Antw.: Offerte bestelwagen", "[EXT] Re: Fwd: Offerte bestelwagen",
    "Re[2]: offerte  BESTELWAGEN", "WG: Doorst: Offerte bestelwagen",
    "Doorgestuurd: Offerte bestelwagen", "*EXTERNAL* SV: RV: Offerte bestelwagen",
    "(extern) FW: Offerte bestelwagen", "[EXTERNAL] Fwd:Re: Offerte bestelwagen",
    "Réf. Offerte bestelwagen",
])
def test_reply_and_forward_prefixes_are_normalised(subject: str) -> None:
    assert normalise_subject(subject) == "offerte bestelwagen"


def test_words_that_only_start_like_a_prefix_are_kept() -> None:
    assert normalise_subject("Renault Trafic offerte") == "renault trafic offerte"
    assert normalise_subject("Reservatie testrit") == "reservatie testrit"
    assert normalise_subject("") == ""


# --- headers ---------------------------------------------------------------------------

def test_changed_subject_still_joins_by_references(parties: Parties) -> None:
    rfq = make_message(key="rfq@b", sender=ME, to=["info@garage-peeters.be"])
    reply = make_message(key="r1@p", date=5, subject="Uw prijsvraag - voorstel 2026-114",
                         in_reply_to=["<rfq@b>"], references=["<rfq@b>"])
    threads = build_threads([rfq, reply], parties)
    assert len(threads) == 1
    assert threads[0].keys == ("rfq@b", "r1@p")
    assert threads[0].subject == "Offerte"


def test_replies_to_the_same_missing_parent_share_a_thread(parties: Parties) -> None:
    # The buyer's request is not in the store (Sent folder not imported).
    a = make_message(key="a@p", subject="Prijs", references=["<gone@b>"])
    b = make_message(key="b@p", date=30, subject="Nog een vraag", in_reply_to=["gone@b"])
    threads = build_threads([a, b], parties)
    assert len(threads) == 1


def test_reply_from_another_person_at_the_same_supplier(parties: Parties) -> None:
    rfq = make_message(key="rfq@b", sender=ME, to=["jan@garage-peeters.be"])
    reply = make_message(key="r@p", date=3, sender="An Maes <an@garage-peeters.be>",
                         subject="Re: Offerte")  # no headers at all
    assert same_thread(build_threads([rfq, reply], parties), "rfq@b", "r@p")


def test_reply_from_a_subdomain_joins_by_subject(parties: Parties) -> None:
    rfq = make_message(key="rfq@b", sender=ME, to=["info@dealer-x.be"], subject="Testrit")
    reply = make_message(key="r@x", date=20, sender="piet@verkoop.dealer-x.be",
                         subject="RE: Testrit")
    assert same_thread(build_threads([rfq, reply], parties), "rfq@b", "r@x")


def test_reply_without_prefix_or_quote_joins_by_subject(parties: Parties) -> None:
    rfq = make_message(key="rfq@b", sender=ME, to=["info@garage-peeters.be"])
    reply = make_message(key="r@p", date=48, subject="offerte", text="Zie bijlage.")
    assert same_thread(build_threads([rfq, reply], parties), "rfq@b", "r@p")


def test_references_matching_nothing_fall_back_to_subject(parties: Parties) -> None:
    rfq = make_message(key="rfq@b", sender=ME, to=["info@garage-peeters.be"])
    reply = make_message(key="r@p", date=4, subject="Re: Offerte",
                         in_reply_to=["<id-our-server-rewrote@b>"])
    assert same_thread(build_threads([rfq, reply], parties), "rfq@b", "r@p")


def test_same_subject_from_another_supplier_is_another_thread(parties: Parties) -> None:
    a = make_message(key="a@p", subject="Offerte")
    b = make_message(key="b@q", date=1, sender="els@andere-garage.be", subject="Re: Offerte")
    threads = build_threads([a, b], parties)
    assert len(threads) == 2


def test_same_subject_five_months_later_is_a_new_thread(parties: Parties) -> None:
    first = make_message(key="rfq1@b", sender=ME, to=["info@garage-peeters.be"])
    reply = make_message(key="r1@p", date=24, in_reply_to=["rfq1@b"], subject="Re: Offerte")
    later = make_message(key="rfq2@b", date=24 * 150, sender=ME,
                         to=["info@garage-peeters.be"])
    threads = build_threads([first, reply, later], parties)
    assert len(threads) == 2
    assert thread_of(threads, "rfq2@b").keys == ("rfq2@b",)


def test_the_window_counts_the_activity_before_the_mail_not_after(parties: Parties) -> None:
    # The first conversation went quiet for five months and then got one late reply (by
    # headers). A fresh same-subject mail in the quiet months is a new purchase: the late
    # reply came after it and does not make the old conversation recent.
    first = make_message(key="rfq1@b", sender=ME, to=["info@garage-peeters.be"])
    quote = make_message(key="q1@p", date=24, in_reply_to=["rfq1@b"], subject="Re: Offerte")
    fresh = make_message(key="rfq2@b", date=24 * 120, sender=ME,
                         to=["info@garage-peeters.be"])
    late = make_message(key="late@p", date=24 * 150, in_reply_to=["q1@p"],
                        subject="Re: Offerte")
    threads = build_threads([first, quote, fresh, late], parties)
    assert thread_of(threads, "rfq2@b").keys == ("rfq2@b",)
    assert thread_of(threads, "late@p").keys == ("rfq1@b", "q1@p", "late@p")


def test_fresh_mail_with_same_subject_within_the_window_is_a_chase(
        parties: Parties) -> None:
    first = make_message(key="rfq1@b", sender=ME, to=["info@garage-peeters.be"])
    chase = make_message(key="rfq2@b", date=24 * 14, sender=ME,
                         to=["verkoop@garage-peeters.be"])
    assert same_thread(build_threads([first, chase], parties), "rfq1@b", "rfq2@b")


def test_one_rfq_to_three_suppliers_is_one_thread(parties: Parties) -> None:
    rfq = make_message(key="rfq@b", sender=ME, subject="Prijsaanvraag heftruck",
                       to=["info@a-lift.be", "sales@b-lift.nl"], cc=["jo@gmail.com"])
    replies = [
        make_message(key=f"r{i}@s", date=i, sender=s, subject="Re: Prijsaanvraag heftruck",
                     in_reply_to=["rfq@b"])
        for i, s in enumerate(["x@a-lift.be", "y@b-lift.nl", "jo@gmail.com"], start=1)
    ]
    threads = build_threads([rfq, *replies], parties)
    assert len(threads) == 1
    assert threads[0].keys == ("rfq@b", "r1@s", "r2@s", "r3@s")


def test_two_gmail_senders_with_the_same_subject_are_separate(parties: Parties) -> None:
    a = make_message(key="a@g", sender="jan.peeters@gmail.com", subject="Re: Bestelwagen")
    b = make_message(key="b@g", date=2, sender="piet.maes@gmail.com",
                     subject="Re: Bestelwagen")
    assert len(build_threads([a, b], parties)) == 2


def test_gmail_supplier_reply_without_headers_joins_its_own_rfq(parties: Parties) -> None:
    # On free mail the supplier is the whole address: the subject fallback joins only
    # the same person's reply, never another gmail.com user's mail with that subject.
    rfq = make_message(key="rfq@b", sender=ME, to=["kris.schrijnwerk@gmail.com"],
                       subject="Eiken trap")
    reply = make_message(key="r@g", date=30, sender="kris.schrijnwerk@gmail.com",
                         subject="Re: Eiken trap")
    stranger = make_message(key="s@g", date=31, sender="piet.trappen@gmail.com",
                            subject="Re: Eiken trap")
    threads = build_threads([rfq, reply, stranger], parties)
    assert same_thread(threads, "rfq@b", "r@g")
    assert not same_thread(threads, "rfq@b", "s@g")


def test_keys_in_time_order_with_undated_last(parties: Parties) -> None:
    rfq = make_message(key="rfq@b", sender=ME, to=["info@garage-peeters.be"], date=0)
    undated = make_message(key="u@p", date=None, date_source="none", in_reply_to=["rfq@b"])
    late = make_message(key="l@p", date=50, in_reply_to=["rfq@b"])
    early = make_message(key="e@p", date=2, in_reply_to=["rfq@b"])
    threads = build_threads([undated, late, rfq, early], parties)
    assert threads[0].keys == ("rfq@b", "e@p", "l@p", "u@p")


def test_thread_ids_are_stable_whatever_the_input_order(parties: Parties) -> None:
    msgs = [
        make_message(key="rfq@b", sender=ME, to=["info@garage-peeters.be", "x@dealer-x.be"]),
        make_message(key="r1@p", date=3, subject="Re: Offerte"),
        make_message(key="r2@x", date=5, sender="x@dealer-x.be", in_reply_to=["rfq@b"]),
        make_message(key="o@z", date=7, sender="info@zeta.be", subject="Iets anders"),
        make_message(key="sha256:abc", message_id=None, date=9, subject="Re: Iets anders",
                     sender="info@zeta.be"),
    ]
    first = build_threads(msgs, parties)
    shuffled = msgs[:]
    random.Random(4).shuffle(shuffled)
    second = build_threads(shuffled, parties)
    assert [(t.thread_id, t.keys) for t in first] == [(t.thread_id, t.keys) for t in second]
    assert len(first) == 2


def test_duplicate_copies_of_a_message_count_once(parties: Parties) -> None:
    a = make_message(key="a@p")
    threads = build_threads([a, a], parties)
    assert threads[0].keys == ("a@p",)


# --- contexts --------------------------------------------------------------------------

def test_message_contexts(parties: Parties) -> None:
    rfq = make_message(key="rfq@b", sender=ME, to=["info@garage-peeters.be"])
    reply = make_message(key="r@p", date=3, in_reply_to=["rfq@b"])
    internal = make_message(key="i@b", date=4, sender="collega@bedrijf.be", to=[ME],
                            in_reply_to=["r@p"])
    msgs = [rfq, reply, internal]
    ctx = message_contexts(msgs, build_threads(msgs, parties), parties)
    assert ctx["rfq@b"].from_me and ctx["rfq@b"].first_in_thread
    assert ctx["rfq@b"].supplier == "garage-peeters.be"
    assert not ctx["r@p"].from_me and not ctx["r@p"].first_in_thread
    assert ctx["r@p"].supplier == "garage-peeters.be"
    assert ctx["i@b"].from_me and ctx["i@b"].supplier is None


def test_rfq_forwarded_to_a_new_supplier_opens_a_conversation(parties: Parties) -> None:
    rfq = make_message(key="rfq@b", sender=ME, to=["info@garage-peeters.be"])
    reply = make_message(key="r@p", date=3, in_reply_to=["rfq@b"])
    chase = make_message(key="c@b", date=30, sender=ME, to=["jan@garage-peeters.be"],
                         in_reply_to=["r@p"])
    forward = make_message(key="f@b", date=40, sender=ME, to=["verkoop@dealer-x.be"],
                           subject="Fwd: Offerte", references=["rfq@b"])
    msgs = [rfq, reply, chase, forward]
    ctx = message_contexts(msgs, build_threads(msgs, parties), parties)
    assert not ctx["c@b"].first_in_thread
    assert ctx["f@b"].first_in_thread and ctx["f@b"].supplier == "dealer-x.be"


# --- against Dovecot's THREAD=REFERENCES (RFC 5256) -------------------------------------

@pytest.mark.slow
def test_demo_threads_agree_with_dovecot_thread_references() -> None:
    """Dovecot threads the demo mailbox with RFC 5256 REFERENCES: headers, then the base
    subject with only Re:/Fw:/Fwd: removed. Ours must be the same threads, except that
    we also join mail whose subject prefix RFC 5256 does not know (TR:, Antw:, AW:, ...)
    when it is the same supplier: each of our threads is a union of Dovecot threads with
    one normalised subject, and we never split a Dovecot thread."""
    import mailbox
    import re

    from conftest import SAMPLES
    from dovecot import Dovecot, DovecotMissing

    from inbox_audit.config import load_settings
    from inbox_audit.parse import parse_message
    from inbox_audit.sources.files import iter_raw_mail

    mbox = SAMPLES / "demo.mbox"
    try:
        server = Dovecot()
    except DovecotMissing as exc:
        pytest.fail(str(exc), pytrace=False)
    with server:
        user = server.new_account()
        box = mailbox.mbox(str(mbox), create=False)
        try:
            server.append(user, "INBOX", (m.as_bytes() for m in box))
        finally:
            box.close()
        with server.client(user) as client:
            client.select_folder("INBOX", readonly=True)
            tree = client.thread(algorithm="REFERENCES", criteria="ALL", charset="UTF-8")
            fetched = client.fetch(client.search("ALL"), ["BODY.PEEK[HEADER.FIELDS (MESSAGE-ID)]"])

    def flatten(node) -> list[int]:
        return [u for child in node for u in (flatten(child) if isinstance(child, tuple)
                                              else [child])]

    def message_id(uid: int) -> str:
        header = fetched[uid][b"BODY[HEADER.FIELDS (MESSAGE-ID)]"].decode()
        return re.sub(r"\s+", "", header.partition(":")[2]).strip("<>")

    dovecot = {frozenset(message_id(u) for u in flatten(node)) for node in tree}
    parties = Parties(load_settings(SAMPLES / "demo.toml", explicit=True))
    messages = [parse_message(r.raw, folder=r.folder, internaldate=r.internaldate)
                for r in iter_raw_mail([mbox])]
    ours = {frozenset(t.keys) for t in build_threads(messages, parties)}
    by_key = {m.key: m for m in messages}
    assert set().union(*dovecot) == set().union(*ours) == set(by_key)
    for theirs in dovecot - ours:
        assert any(theirs < mine for mine in ours), sorted(theirs)
    differ = ours - dovecot
    for mine in differ:
        parts = [d for d in dovecot if d <= mine]
        assert frozenset().union(*parts) == mine
        subjects = {normalise_subject(by_key[min(part, key=lambda k: by_key[k].date)].subject)
                    for part in parts}
        assert len(subjects) == 1, subjects
    # The demo has one such case: Pierres Lambert's colleague answering with "TR:".
    assert len(differ) <= 2
