"""classify_message: one label per message, from headers, then from the new text.

Messages are built here, in the four languages the buyer's mail comes in.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from inbox_audit.classify import (
    CLASSIFIER_VERSION,
    STAGES,
    classify_message,
    classify_messages,
    load_rules,
)
from inbox_audit.models import LABELS, Address, Attachment, Message, MessageContext

SUPPLIER = "piet@garage-peeters.be"
BUYER = "jan@koper.be"
REPLY = MessageContext(from_me=False, first_in_thread=False, supplier="garage-peeters.be")
COLD = MessageContext(from_me=False, first_in_thread=True, supplier="garage-peeters.be")
MY_FIRST = MessageContext(from_me=True, first_in_thread=True, supplier="garage-peeters.be")
MY_LATER = MessageContext(from_me=True, first_in_thread=False, supplier="garage-peeters.be")


@pytest.fixture(scope="module")
def rules():
    return load_rules()


def make_message(text: str, subject: str = "", sender: str = SUPPLIER,
                 headers: dict[str, str] | None = None, attachments: tuple[str, ...] = (),
                 attachment_text: str = "", content_type: str = "text/plain",
                 key: str = "m1@mail.example") -> Message:
    return Message(
        key=key, message_id=f"<{key}>", date=datetime(2026, 11, 23, 9, 0, tzinfo=UTC),
        date_source="header", sender=Address("", sender), to=(), cc=(), subject=subject,
        in_reply_to=(), references=(), text=text, html_only=False,
        attachments=tuple(Attachment(n, "application/pdf", 1000) for n in attachments),
        headers=tuple((k.lower(), v) for k, v in (headers or {}).items()),
        content_type=content_type, folder="INBOX", raw_sha256="0" * 64, size=len(text),
        attachment_text=attachment_text)


def label(rules, msg: Message, ctx: MessageContext) -> tuple[str, str]:
    result = classify_message(msg, ctx, rules)
    assert result.label in LABELS and 0.0 <= result.confidence <= 1.0
    return result.label, result.source


# --- header stage ----------------------------------------------------------------------

@pytest.mark.parametrize("headers", [
    {"Auto-Submitted": "auto-replied"},
    {"Auto-Submitted": "auto-generated"},
    {"X-Autoreply": "yes"},
    {"X-Autorespond": "Out of office"},
    {"Precedence": "auto_reply"},
    {"X-Precedence": "auto_reply"},
    {"Return-Path": "<>"},
])
def test_auto_reply_headers_mean_silence_whatever_the_text(rules, headers):
    msg = make_message("In bijlage onze offerte.", headers=headers, attachments=("Offerte.pdf",))
    result = classify_message(msg, REPLY, rules)
    assert (result.label, result.source) == ("silence", "header")
    assert result.confidence >= 0.95
    assert result.explanation.startswith("header ")


def test_auto_submitted_explanation_names_the_header(rules):
    msg = make_message("Hello", headers={"Auto-Submitted": "auto-replied"})
    assert classify_message(msg, REPLY, rules).explanation == (
        "header Auto-Submitted: auto-replied")


def test_auto_submitted_no_is_an_ordinary_message(rules):
    msg = make_message("Heeft u al kunnen beslissen?", headers={"Auto-Submitted": "no"})
    assert label(rules, msg, REPLY) == ("follow-up", "rule")


def test_x_auto_response_suppress_alone_is_not_an_auto_reply(rules):
    msg = make_message("Beste Jan,\n\nIk bel u morgen even op.\n\nPiet",
                       headers={"X-Auto-Response-Suppress": "All"})
    assert label(rules, msg, REPLY) == ("follow-up", "rule")


@pytest.mark.parametrize(("sender", "content_type"), [
    ("MAILER-DAEMON@mx.garage-peeters.be", "text/plain"),
    ("postmaster@garage-peeters.be", "text/plain"),
    (SUPPLIER, "multipart/report"),
])
def test_bounces_are_silence(rules, sender, content_type):
    msg = make_message("Delivery to the following recipients failed.", sender=sender,
                       content_type=content_type)
    assert label(rules, msg, REPLY) == ("silence", "header")


def test_machine_notification_that_answers_nothing_is_other(rules):
    msg = make_message("Er werd aangemeld op uw account vanaf een nieuw toestel.",
                       sender="noreply@bank.example", subject="Nieuwe aanmelding",
                       headers={"Auto-Submitted": "auto-generated"})
    assert label(rules, msg, COLD) == ("other", "header")


def test_machine_acknowledgement_opening_its_own_thread_is_silence(rules):
    msg = make_message("Wij hebben uw aanvraag goed ontvangen. Uw ticketnummer is 4471.",
                       subject="[#4471] Uw aanvraag", sender="support@garage-peeters.be",
                       headers={"Auto-Submitted": "auto-generated"})
    assert label(rules, msg, COLD)[0] == "silence"


def test_newsletter_with_list_unsubscribe_is_other(rules):
    msg = make_message("Ontdek onze nieuwe modellen! Nu met korting.\nUitschrijven",
                       subject="Nieuwsbrief november",
                       headers={"List-Unsubscribe": "<mailto:unsub@garage-peeters.be>"})
    assert label(rules, msg, COLD) == ("other", "header")


def test_bulk_header_yields_to_a_clear_offer_in_a_conversation(rules):
    # Sales tools add List-Unsubscribe to real offers sent in reply to a request.
    msg = make_message("Beste Jan,\n\nIn bijlage vindt u onze offerte.\n",
                       subject="RE: Aanvraag offerte", attachments=("Offerte_1042.pdf",),
                       headers={"List-Unsubscribe": "<https://crm.example/u>"})
    result = classify_message(msg, REPLY, rules)
    assert (result.label, result.source) == ("quote", "rule")
    assert "List-Unsubscribe" in result.explanation


def test_bulk_header_outside_a_conversation_stays_other_despite_offer_words(rules):
    msg = make_message("Onze aanbieding van de week: € 499! Uitschrijven kan hier.",
                       headers={"List-Id": "<promo.garage-peeters.be>"})
    assert label(rules, msg, COLD) == ("other", "header")


# --- direction: the buyer's messages ---------------------------------------------------

def test_buyers_first_message_is_a_request(rules):
    msg = make_message("Beste,\n\nGraag een offerte voor een Volvo XC60.\n\nJan",
                       subject="Offerteaanvraag XC60", sender=BUYER)
    result = classify_message(msg, MY_FIRST, rules)
    assert (result.label, result.source) == ("request", "rule")
    assert result.confidence >= 0.85


def test_buyers_first_message_without_cue_words_is_still_a_request(rules):
    msg = make_message("Dag Piet, zie plan in bijlage. Jan", sender=BUYER)
    assert label(rules, msg, MY_FIRST) == ("request", "rule")


@pytest.mark.parametrize("text", ["Nog nieuws?", "Any news?", "Avez-vous pu avancer ?",
                                  "Haben Sie schon Neuigkeiten?",
                                  "Graag een offerte voor een Volvo XC60."])
def test_buyers_later_message_is_a_follow_up_even_repeating_the_question(rules, text):
    msg = make_message(text, subject="Re: Offerteaanvraag XC60", sender=BUYER)
    assert label(rules, msg, MY_LATER) == ("follow-up", "rule")


def test_buyers_mail_to_no_supplier_is_other(rules):
    internal = MessageContext(from_me=True, first_in_thread=True, supplier=None)
    msg = make_message("Hoi Jan, ok voor de teamlunch vrijdag?", sender="sofie@koper.be")
    assert label(rules, msg, internal)[0] == "other"


def test_buyer_never_sends_a_quote(rules):
    msg = make_message("Hierbij onze offerte voor uw project: € 12.000 excl. btw.",
                       sender=BUYER, attachments=("Offerte_klant.pdf",))
    assert label(rules, msg, MY_FIRST)[0] == "request"
    assert label(rules, msg, MY_LATER)[0] == "follow-up"


# --- suppliers: quotes -----------------------------------------------------------------

@pytest.mark.parametrize(("text", "subject"), [
    ("Beste Jan,\n\nIn bijlage vindt u onze offerte voor de XC60.\nDe prijs bedraagt "
     "€ 54.900 incl. btw.", "RE: Offerteaanvraag"),
    ("Dear Jan,\n\nPlease find attached our quotation. Total price EUR 45.000 excl. VAT, "
     "valid until 31/12.", "RE: Request for quotation"),
    ("Bonjour,\n\nVeuillez trouver ci-joint notre devis. Total TTC : 12.450,00 €.",
     "RE: Demande de devis"),
    ("Sehr geehrter Herr Janssens,\n\nanbei unser Angebot. Gesamtpreis zzgl. MwSt. "
     "9.800 EUR.", "AW: Anfrage"),
])
def test_supplier_offer_is_a_quote_in_each_language(rules, text, subject):
    result = classify_message(make_message(text, subject=subject), REPLY, rules)
    assert (result.label, result.source) == ("quote", "rule")
    assert result.confidence >= 0.85


def test_offer_named_pdf_makes_a_quote(rules):
    msg = make_message("Zie bijlage.\n\nMvg\nPiet", subject="RE: XC60",
                       attachments=("Offerte_2026-12.pdf",))
    result = classify_message(msg, REPLY, rules)
    assert result.label == "quote"
    assert "Offerte_2026-12.pdf" in result.explanation


@pytest.mark.parametrize("name", ["devis_4471.pdf", "Quotation Q-2026-88.pdf",
                                  "Angebot_2026.pdf", "prijsofferte.docx"])
def test_offer_named_attachments_in_other_languages(rules, name):
    msg = make_message("See attachment.", attachments=(name,))
    assert label(rules, msg, REPLY)[0] == "quote"


def test_offer_only_in_the_pdf_text(rules):
    msg = make_message("Zie bijlage.", attachments=("scan0001.pdf",),
                       attachment_text="OFFERTE nr 2026-118\nTotaal excl. btw € 12.000")
    assert label(rules, msg, REPLY)[0] == "quote"


def test_revised_offer_is_a_quote_not_a_follow_up(rules):
    msg = make_message("Dag Jan, zoals besproken in bijlage onze aangepaste offerte met "
                       "extra korting.", subject="RE: offerte XC60")
    assert label(rules, msg, REPLY)[0] == "quote"


def test_reply_quoting_a_request_for_an_offerte_is_not_a_quote(rules):
    msg = make_message(
        "Dag Jan,\n\nIk kijk het na en kom er morgen op terug.\n\nPiet\n\n"
        "Op ma 23 nov. 2026 om 10:14 schreef Jan Janssens <jan@koper.be>:\n"
        "> Graag een offerte voor 3 bestelwagens.\n> Wat is de prijs incl. btw?\n",
        subject="Re: Aanvraag offerte bestelwagens")
    assert label(rules, msg, REPLY) == ("follow-up", "rule")


@pytest.mark.parametrize("text", [
    "Bedankt voor uw telefoontje. De offerte volgt morgen.",
    "Ik bezorg u volgende week een voorstel op maat.",
    "Thanks, I will send you our quotation early next week.",
    "Je vous enverrai notre devis d'ici vendredi.",
    "Ich werde Ihnen das Angebot morgen zusenden.",
])
def test_announcing_an_offer_is_not_yet_a_quote(rules, text):
    assert label(rules, make_message(text, subject="RE: XC60"), REPLY)[0] == "follow-up"


@pytest.mark.parametrize("text", [
    "Heeft u onze offerte goed ontvangen? De wagen uit onze offerte blijft tot eind "
    "september aan die prijs beschikbaar.",
    "Are there any points in the quotation I should clarify? The price stays the same.",
])
def test_talking_about_an_earlier_offer_is_a_follow_up(rules, text):
    assert label(rules, make_message(text, subject="Re: offerte"), REPLY)[0] == "follow-up"


def test_price_plus_vat_is_a_quote(rules):
    msg = make_message("Dear Jan,\n\nMachine: £38,750.00 + VAT\nDelivery: £1,450.00\n",
                       subject="RE: used lift")
    assert label(rules, msg, REPLY)[0] == "quote"


# --- suppliers: silence ----------------------------------------------------------------

@pytest.mark.parametrize(("text", "subject"), [
    ("Goedemiddag,\n\nIk ben afwezig tot en met 30 november. Voor dringende zaken kan u "
     "terecht bij info@garage-peeters.be.", "Afwezig: Offerteaanvraag"),
    ("Thank you for your email. I am out of the office until Monday with limited access "
     "to email.", "Out of Office: quote"),
    ("Je suis absent du bureau jusqu'au 2 décembre.", "Réponse automatique : devis"),
    ("Ich bin bis 30.11. nicht im Büro. In dringenden Fällen wenden Sie sich an "
     "info@example.de.", "Abwesenheitsnotiz: Anfrage"),
])
def test_out_of_office_without_headers_is_silence(rules, text, subject):
    assert label(rules, make_message(text, subject=subject), REPLY) == ("silence", "rule")


@pytest.mark.parametrize("text", [
    "Wij hebben uw aanvraag goed ontvangen. Uw ticketnummer is 48213. U ontvangt binnen "
    "twee werkdagen onze offerte.",
    "We have received your request (case number 4471). A sales representative will "
    "contact you shortly.",
    "Nous avons bien reçu votre demande. Ceci est un message automatique, merci de ne pas "
    "répondre.",
    "Wir haben Ihre Anfrage erhalten. Ihre Ticketnummer lautet 5521.",
])
def test_acknowledgements_are_silence_even_when_they_promise_an_offer(rules, text):
    assert label(rules, make_message(text), REPLY)[0] == "silence"


@pytest.mark.parametrize("text", [
    "Hartelijk dank voor uw bericht. Ons kantoor is gesloten van 24/12 tot en met 2/1.",
    "Thank you for your email. Our office is closed until 4 January.",
    "Nos bureaux sont fermés jusqu'au 4 janvier pour congés annuels.",
    "Wegen Betriebsurlaub ist unser Büro bis 4. Januar geschlossen.",
])
def test_closure_notices_are_silence(rules, text):
    assert label(rules, make_message(text, subject="Re: offerte"), REPLY)[0] == "silence"


def test_absence_note_in_a_signature_does_not_make_silence(rules):
    text = ("Dag Jan,\n\nDat kan, ik reserveer de wagen voor u.\n\nMet vriendelijke groeten,\n"
            "Piet\nOpgelet: op woensdag ben ik afwezig.")
    assert label(rules, make_message(text), REPLY)[0] == "follow-up"
    assert label(rules, make_message(text, sender=BUYER), MY_FIRST)[0] == "request"


def test_no_reply_notification_is_silence(rules):
    msg = make_message("Your request has been registered.", sender="no-reply@crm.example")
    assert label(rules, msg, REPLY)[0] == "silence"


# --- suppliers: follow-up and other ----------------------------------------------------

@pytest.mark.parametrize("text", [
    "Heeft u onze offerte al kunnen bekijken? Laat gerust iets weten.",
    "Dear Jan, just checking in on the quote we sent last week. Any questions?",
    "Avez-vous pu consulter notre offre ? N'hésitez pas à me contacter.",
    "Haben Sie unser Angebot schon prüfen können? Bei Fragen stehe ich gerne zur Verfügung.",
])
def test_supplier_checking_in_after_a_quote_is_a_follow_up(rules, text):
    result = classify_message(make_message(text, subject="Re: offer"), REPLY, rules)
    assert result.label == "follow-up"
    assert result.confidence >= 0.7


def test_plain_supplier_reply_is_a_follow_up_with_modest_confidence(rules):
    result = classify_message(make_message("Prima, tot donderdag."), REPLY, rules)
    assert result.label == "follow-up"
    assert 0.4 <= result.confidence <= 0.7


@pytest.mark.parametrize(("text", "attachments"), [
    ("In bijlage uw factuur 2026-123. Gelieve te betalen voor de vervaldag.",
     ("Factuur_2026-123.pdf",)),
    ("Payment reminder: invoice 2026-77 is overdue.", ()),
    ("Votre facture n° 8812 est disponible. Échéance le 30/11.", ()),
    ("Zahlungserinnerung: Rechnung Nr. 4471 ist fällig am 30.11.", ()),
])
def test_invoices_and_reminders_are_other(rules, text, attachments):
    assert label(rules, make_message(text, attachments=attachments), COLD)[0] == "other"


def test_personal_mail_out_of_the_blue_is_other(rules):
    msg = make_message("Niet vergeten: zondag verjaardag, neem jij de taart mee?",
                       sender="broer@telenet.be", subject="Zondag")
    cold = MessageContext(from_me=False, first_in_thread=True, supplier="broer@telenet.be")
    assert label(rules, msg, cold)[0] == "other"


def test_newsletter_without_headers_is_other(rules):
    msg = make_message("Ontdek onze winteracties!\n\nKlik hier om je uit te schrijven voor "
                       "deze nieuwsbrief.", subject="Winteractie")
    assert label(rules, msg, COLD)[0] == "other"


# --- the batch API and versioning ------------------------------------------------------

def test_classify_messages_keeps_order_and_defaults_missing_contexts(rules):
    first = make_message("Graag een offerte.", sender=BUYER, key="a@x")
    second = make_message("Onze nieuwe collectie! Uitschrijven", key="b@x")
    results = classify_messages([first, second], {"a@x": MY_FIRST}, rules)
    assert [r.key for r in results] == ["a@x", "b@x"]
    assert results[0].label == "request"
    # b@x has no context: someone else's, opening its own thread, so never a follow-up.
    assert results[1].label == "other"


def test_every_classification_explains_itself(rules):
    msg = make_message("In bijlage onze offerte.", attachments=("Offerte_123.pdf",))
    explanation = classify_message(msg, REPLY, rules).explanation
    assert explanation.startswith("rule nl quote:")
    assert "'In bijlage onze offerte'" in explanation and "Offerte_123.pdf" in explanation


def test_stages_are_a_seam_for_more_sources(rules):
    from inbox_audit.classify import Verdict

    def model_stage(ev):
        return Verdict("quote", 0.9, "model", "model says quote")

    msg = make_message("Prima, tot donderdag.")
    result = classify_message(msg, REPLY, rules, stages=(STAGES[0], model_stage))
    assert (result.label, result.source) == ("quote", "model")


def test_classifier_version_is_a_nonempty_string():
    assert isinstance(CLASSIFIER_VERSION, str) and len(CLASSIFIER_VERSION) > 8
