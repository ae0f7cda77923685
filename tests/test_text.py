"""new_text: only what the sender wrote now, whatever client quoted the history."""

from __future__ import annotations

import pytest

from inbox_audit.classify import load_rules
from inbox_audit.classify.text import detect_language, new_text, split_new_text


@pytest.fixture(scope="module")
def rules():
    return load_rules()


QUOTED_REQUEST = "Graag een offerte voor drie bestelwagens.\nJan"

HISTORY_FORMATS = {
    "dutch gmail": "Op ma 23 nov. 2026 om 10:14 schreef Jan Janssens <jan@koper.be>:\n",
    "dutch gmail wrapped after the name": (
        "Op ma 23 nov. 2026 om 10:14 schreef Jan Janssens\n<jan@koper.be>:\n"),
    "dutch gmail wrapped inside the address": (
        "Op ma 23 nov. 2026 om 10:14 schreef Jan Janssens <\njan@koper.be>:\n"),
    "english gmail": "On Mon, Nov 23, 2026 at 10:14 AM Jan Janssens <jan@koper.be> wrote:\n",
    "apple mail": "On 23 Nov 2026, at 10:14, Jan Janssens <jan@koper.be> wrote:\n",
    "french gmail": "Le lun. 23 nov. 2026 à 10:14, Jan Janssens <jan@koper.be> a écrit :\n",
    "german gmail": "Am Mo., 23. Nov. 2026 um 10:14 Uhr schrieb Jan Janssens <jan@koper.be>:\n",
    "outlook nl": ("Van: Jan Janssens <jan@koper.be>\nVerzonden: maandag 23 november 2026 10:14\n"
                   "Aan: Piet <piet@garage.be>\nOnderwerp: Offerte\n\n"),
    "outlook en": ("________________________________\nFrom: Jan Janssens <jan@koper.be>\n"
                   "Sent: Monday, November 23, 2026 10:14 AM\nTo: Piet\nSubject: Quote\n\n"),
    "outlook fr": ("De : Jan Janssens <jan@koper.be>\nEnvoyé : lundi 23 novembre 2026 10:14\n"
                   "À : Piet\nObjet : Devis\n\n"),
    "outlook de": ("Von: Jan Janssens <jan@koper.be>\nGesendet: Montag, 23. November 2026 10:14\n"
                   "An: Piet\nBetreff: Angebot\n\n"),
    "outlook bold (html converted)": ("**From:** Jan Janssens <jan@koper.be>\n"
                                      "**Sent:** Monday, November 23, 2026\n**To:** Piet\n\n"),
    "original message": "-----Original Message-----\nFrom: Jan\n",
    "oorspronkelijk bericht": "----- Oorspronkelijk bericht -----\n",
    "forwarded": "---------- Forwarded message ---------\nVan: Jan\n",
    "ursprüngliche nachricht": "-----Ursprüngliche Nachricht-----\n",
}


@pytest.mark.parametrize("header", HISTORY_FORMATS.values(), ids=HISTORY_FORMATS.keys())
def test_quoted_history_is_stripped_for_each_client_format(rules, header):
    mail = f"Dag Jan,\n\nIk bel u morgen.\n\n{header}{QUOTED_REQUEST}\n"
    assert new_text(mail, rules) == "Dag Jan,\n\nIk bel u morgen."


def test_quote_marked_lines_are_dropped_even_inline(rules):
    mail = "> Kan u leveren in december?\nJa, dat lukt.\n> En de prijs?\nZie bijlage."
    assert new_text(mail, rules) == "Ja, dat lukt.\nZie bijlage."


def test_signature_after_separator_is_apart_from_the_body(rules):
    body, signature = split_new_text("Ik kom morgen langs.\n-- \nPiet\nwww.garage.be", rules)
    assert body == "Ik kom morgen langs."
    assert "www.garage.be" in signature


@pytest.mark.parametrize("closing", ["Met vriendelijke groeten,", "Kind regards,",
                                     "Cordialement,", "Mit freundlichen Grüßen", "Mvg"])
def test_signature_starts_at_a_closing_formula(rules, closing):
    mail = f"In bijlage de offerte.\n\n{closing}\nPiet Peeters\nBTW BE 0123.456.789"
    body, signature = split_new_text(mail, rules)
    assert body == "In bijlage de offerte."
    assert "BTW BE" in signature


def test_mobile_footer_is_signature(rules):
    assert new_text("Prima, tot morgen.\n\nVerzonden vanaf mijn iPhone", rules) == (
        "Prima, tot morgen.")


def test_a_sentence_starting_with_op_is_not_a_quote_header(rules):
    mail = "Op maandag kom ik langs om te meten.\nGroeten"
    assert new_text(mail, rules) == "Op maandag kom ik langs om te meten."


def test_message_without_history_is_kept_whole(rules):
    mail = "Beste,\n\nKan u mij een prijs geven voor 20 m² tegels?\nDank u"
    assert new_text(mail, rules) == mail


def test_crlf_and_typographic_quotes_are_normalised(rules):
    assert new_text("It\u2019s fine.\r\n\r\n> old", rules) == "It's fine."


@pytest.mark.parametrize(("text", "language"), [
    ("Beste Piet, kan u mij een offerte bezorgen voor de wagen? Met dank", "nl"),
    ("Dear Piet, could you please send me a quote for the car? Thanks", "en"),
    ("Bonjour, pourriez-vous nous envoyer un devis pour la voiture ? Merci", "fr"),
    ("Sehr geehrte Damen und Herren, bitte senden Sie uns ein Angebot für das Auto", "de"),
])
def test_language_is_guessed_from_stopwords(rules, text, language):
    assert detect_language(text, rules) == language


def test_language_is_unknown_for_too_little_text(rules):
    assert detect_language("OK!", rules) is None


@pytest.mark.parametrize("header", HISTORY_FORMATS.values(), ids=HISTORY_FORMATS.keys())
def test_library_cut_matches_mail_parser_reply(header):
    """Our fast cut gives what EmailReplyParser.read(...).replies[0] gives."""
    from mailparser_reply import EmailReplyParser

    from inbox_audit.classify.text import _library_cut

    for text in (f"Prima, tot dan.\n\n{header}\n{QUOTED_REQUEST}",
                 f"{header}{QUOTED_REQUEST}", "Alleen nieuwe tekst,  \n  zonder historiek.  "):
        first = EmailReplyParser(languages=["nl", "fr", "de"]).read(text).replies[0]
        expected = text
        if not first.headers and first.content.strip():
            content = first.content.strip()
            expected = content if len(content) < len(text.strip()) else text
        assert _library_cut(text) == expected
