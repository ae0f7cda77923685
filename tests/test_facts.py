"""message_facts: the amount a message quotes, and whether it asks for a test drive,
demo, visit or trial; the same when found while classifying."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from inbox_audit.classify import classify_messages, load_rules, message_facts
from inbox_audit.classify import facts as facts_mod
from inbox_audit.classify.facts import find_amounts, take_facts
from inbox_audit.config import load_settings
from inbox_audit.ingest import parse_raw
from inbox_audit.models import Address, Message
from inbox_audit.parties import Parties
from inbox_audit.resources import samples_dir
from inbox_audit.sources.files import iter_raw_mail
from inbox_audit.threads import build_threads, message_contexts


@pytest.fixture(scope="module")
def rules():
    return load_rules()


def make_message(text: str, subject: str = "", attachment_text: str = "") -> Message:
    return Message(
        key="m1@garage.be", message_id="<m1@garage.be>", date=datetime(2026, 11, 23, tzinfo=UTC),
        date_source="header", sender=Address("Piet", "piet@garage.be"), to=(), cc=(),
        subject=subject, in_reply_to=(), references=(), text=text, html_only=False,
        attachments=(), headers=(), content_type="text/plain", folder="INBOX",
        raw_sha256="0" * 64, size=len(text), attachment_text=attachment_text)


@pytest.mark.parametrize(("text", "amount", "currency"), [
    ("Totaal: € 104.500,00 incl. btw", "104500.00", "EUR"),
    ("De prijs bedraagt EUR 3 250 excl. btw.", "3250", "EUR"),
    ("Dat kost 1.250 euro per maand.", "1250", "EUR"),
    ("Totaalprijs 12.450,- (btw inbegrepen)", "12450", "EUR"),
    ("€12.450,- all-in", "12450", "EUR"),
    ("Prix total : 104 500,00 € TTC", "104500.00", "EUR"),
    ("Total price GBP 2,500.00", "2500.00", "GBP"),
    ("The license is $1,234.56 per year", "1234.56", "USD"),
    ("USD 15,000 for the pilot", "15000", "USD"),
    ("Gesamtpreis CHF 1'250.00", "1250.00", "CHF"),
    ("Budget rond €100k", "100000", "EUR"),
    ("Model 2026 € 45.000", "45000", "EUR"),
])
def test_amount_formats(rules, text, amount, currency):
    facts = message_facts(make_message(text), rules)
    assert (facts.amount, facts.currency) == (Decimal(amount), currency)


def test_unit_price_not_quantity(rules):
    facts = message_facts(make_message("50 stuks à € 12,50"), rules)
    assert facts.amount == Decimal("12.50")


def test_numbers_without_currency_are_not_amounts(rules):
    text = ("Bel me op 0475 12 34 56 of +32 3 123 45 67. Adres: Kerkstraat 12, 2000 Antwerpen."
            " Levering op 23/11/2026. IBAN BE68 5390 0754 7034. Aantal: 250 stuks. Euro 6 motor.")
    facts = message_facts(make_message(text), rules)
    assert facts.amount is None and facts.currency is None


def test_largest_amount_wins_and_vat_inclusive_total_counts(rules):
    text = "Wagen € 86.363,64 excl. btw\nBTW 21%: € 18.136,36\nTotaal incl. btw: € 104.500,00"
    assert message_facts(make_message(text), rules).amount == Decimal("104500.00")


def test_amount_from_attached_pdf_text(rules):
    msg = make_message("Zie bijlage.", attachment_text="OFFERTE 2026-12\nTotaal € 23.900,00")
    assert message_facts(msg, rules).amount == Decimal("23900.00")


def test_amounts_in_quoted_history_and_signature_do_not_count(rules):
    text = ("Ik kom erop terug.\n\nMet vriendelijke groeten,\nPiet NV - kapitaal € 61.500\n\n"
            "Op ma 23 nov. 2026 om 10:14 schreef Jan <jan@koper.be>:\n> Budget € 90.000")
    assert message_facts(make_message(text), rules).amount is None


def test_find_amounts_lists_every_amount_in_order():
    assert find_amounts("€ 10 en daarna € 20,50") == [(Decimal("10"), "EUR"),
                                                        (Decimal("20.50"), "EUR")]


@pytest.mark.parametrize("text", [
    "Graag had ik een proefrit gemaakt met de XC60.",
    "Kunnen we een demo inplannen volgende week?",
    "Kan u langskomen voor een plaatsbezoek?",
    "Ik kom graag eens kijken in de showroom.",
    "Could we book a test drive on Saturday?",
    "We would like a site survey before ordering.",
    "Is a free trial possible?",
    "Serait-il possible de faire un essai du véhicule ?",
    "Wir möchten gerne eine Probefahrt vereinbaren.",
])
def test_high_intent_requests(rules, text):
    assert message_facts(make_message(text), rules).high_intent


@pytest.mark.parametrize("text", [
    "Graag een offerte voor 3 bestelwagens.",
    "Bezoek onze website voor meer info.",
    "Could you send me your price list?",
])
def test_ordinary_requests_are_not_high_intent(rules, text):
    assert not message_facts(make_message(text), rules).high_intent


def test_high_intent_from_own_subject_not_from_reply_subject(rules):
    assert message_facts(make_message("Wanneer past het?", subject="Proefrit XC60"),
                         rules).high_intent
    assert not message_facts(make_message("Prima.", subject="Re: Proefrit XC60"),
                             rules).high_intent


def test_facts_found_while_classifying_are_those_read_afresh(rules):
    samples = samples_dir()
    settings = load_settings(samples / "demo.toml", env={}, explicit=True)
    messages = [parse_raw(r) for r in iter_raw_mail([samples / "demo.mbox"])]
    parties = Parties(settings)
    contexts = message_contexts(messages, build_threads(messages, parties), parties)
    # Long mail: the intent cue sits past the part the cue stage reads.
    long = replace(make_message("Goedemiddag,\n" + "Wij rijden veel. " * 700
                                + "\nKunnen we een proefrit maken? Budget € 40.000"),
                   key="long@garage.be")
    messages.append(long)
    facts_mod._KNOWN.clear()
    fresh = [message_facts(m, rules) for m in messages]  # nothing remembered yet
    assert not facts_mod._KNOWN
    assert fresh[-1].high_intent and fresh[-1].amount == Decimal("40000")
    assert any(f.amount for f in fresh) and any(f.high_intent for f in fresh[:-1])
    classify_messages(messages, contexts, rules)
    assert all(m.key in facts_mod._KNOWN for m in messages)
    assert [message_facts(m, rules) for m in messages] == fresh
    # The same key with another text (or other rules) is read afresh.
    changed = replace(messages[0], text="Prijs: € 99")
    assert message_facts(changed, rules).amount == Decimal("99")
    assert take_facts(messages[1], "other rules") is None
    assert take_facts(messages[2], rules.digest) == fresh[2]
    assert messages[2].key not in facts_mod._KNOWN
