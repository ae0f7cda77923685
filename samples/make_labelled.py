#!/usr/bin/env python3
# ruff: noqa: E501  (mail text is data: one paragraph is one line, as mail clients send it)
"""Generate the labelled training corpus ``samples/labelled/`` of the classifier.

Usage: ``python samples/make_labelled.py [OUT_DIR]`` (default: ``samples/labelled``).

Writes ``train.mbox`` (several buyers' correspondence with their suppliers in Dutch,
English, French and German), ``truth.csv`` (``message_id,label,deal,supplier,note``:
the same format as ``samples/demo-truth.csv``) and ``labelled.toml`` (who the buyers
are, so threading tells the buyer's side from the suppliers'). Standard library only,
fixed seed: two runs give byte-identical files.

This corpus is deliberately *unlike* the demo mailbox, which stays a held-out test:
other buyers (a caterer, a veterinary clinic, an events agency, a hotel, a bakery),
other suppliers and products, other people, and wording written from scratch and
combined at random from phrase pools. It includes the hard cases: replies quoting an
offer, out-of-office mail with and without headers, acknowledgements that quote the
request, suppliers' newsletters that praise "our offer", invoices with amounts and VAT,
chases, questions, revised offers, HTML-only mail, PDFs named like offers (and offers
in PDFs named like nothing), bounces and booking notifications.
"""

from __future__ import annotations

import csv
import email
import html
import mailbox
import random
import sys
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from email import policy
from email.header import Header
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path

SEED = 4711
HERE = Path(__file__).resolve().parent
POLICY = policy.default.clone(linesep="\n")
CET = timezone(timedelta(hours=1))
START = datetime(2025, 1, 13, 8, 30, tzinfo=CET)


@dataclass(frozen=True)
class Person:
    first: str
    last: str
    addr: str
    lang: str

    @property
    def name(self) -> str:
        return f"{self.first} {self.last}"


@dataclass(frozen=True)
class Supplier:
    key: str  # organisation key (registrable domain or free-mail address)
    company: str
    people: tuple[Person, ...]
    products: tuple[str, ...]
    price: tuple[int, int]  # range of a typical total, euro
    unit: str = "stuk"


@dataclass(frozen=True)
class Buyer:
    person: Person
    colleague: Person
    company: str
    suppliers: tuple[Supplier, ...]


def P(first: str, last: str, addr: str, lang: str) -> Person:
    return Person(first, last, addr, lang)


BUYERS: tuple[Buyer, ...] = (
    Buyer(P("Lotte", "Verstraeten", "lotte@traiteur-dekroon.be", "nl"),
          P("Wim", "Baert", "wim@traiteur-dekroon.be", "nl"), "Traiteur De Kroon", (
        Supplier("koeltechniek-verbeke.be", "Koeltechniek Verbeke",
                 (P("Dirk", "Verbeke", "dirk@koeltechniek-verbeke.be", "nl"), P("Ann", "Seghers", "offertes@koeltechniek-verbeke.be", "nl")),
                 ("koelcel van 6 m²", "diepvrieskast", "onderbouwkoeling", "ijsblokjesmachine"), (1800, 14500)),
        Supplier("horecatotaal-roels.be", "Horeca Totaal Roels",
                 (P("Griet", "Roels", "griet@horecatotaal-roels.be", "nl"), P("Stijn", "Buys", "stijn.buys@horecatotaal-roels.be", "nl")),
                 ("combisteamer", "vaatwasmachine met kap", "inductiefornuis", "warmhoudkar"), (2400, 21000)),
        Supplier("koffie-aerts.be", "Koffiebranderij Aerts",
                 (P("Koen", "Aerts", "koen@koffie-aerts.be", "nl"),),
                 ("espressomachine met twee groepen", "koffiemolen", "bonen voor een jaar"), (900, 7800)),
        Supplier("linnen-smits.be", "Linnenservice Smits",
                 (P("Els", "Smits", "els@linnen-smits.be", "nl"), P("Jonas", "Wuyts", "planning@linnen-smits.be", "nl")),
                 ("huur van tafellinnen", "wekelijkse was van koksvesten", "servetten met logo"), (350, 4200)),
        Supplier("bakfietsen-cargoo.be", "Cargoo Bakfietsen",
                 (P("Ruben", "Declercq", "ruben@bakfietsen-cargoo.be", "nl"),),
                 ("elektrische bakfiets met koelbox", "leasing van twee bakfietsen"), (3900, 11800)),
        Supplier("kasmo.be", "Kasmo kassasystemen",
                 (P("Yasmine", "El Idrissi", "yasmine@kasmo.be", "nl"),),
                 ("kassasysteem met twee terminals", "bestelzuil"), (1200, 6900)),
        Supplier("hugo.daems.tuinwerken@telenet.be", "Hugo Daems tuinwerken",
                 (P("Hugo", "Daems", "hugo.daems.tuinwerken@telenet.be", "nl"),),
                 ("aanleg van het terras", "onderhoud van de tuin"), (800, 9500)),
    )),
    Buyer(P("Ellen", "Claeys", "ellen@dierenkliniek-terheide.be", "nl"),
          P("Bart", "Rombouts", "bart@dierenkliniek-terheide.be", "nl"), "Dierenkliniek Ter Heide", (
        Supplier("vetsupply.nl", "VetSupply",
                 (P("Marloes", "de Groot", "marloes@vetsupply.nl", "nl"), P("Sander", "Bakker", "verkoop@vetsupply.nl", "nl")),
                 ("narcoseapparaat", "behandeltafel", "autoclaaf", "infuuspomp"), (1500, 18500)),
        Supplier("rx-debacker.be", "Röntgen De Backer",
                 (P("Filip", "De Backer", "filip@rx-debacker.be", "nl"),),
                 ("digitale röntgenplaat", "echotoestel"), (9000, 42000)),
        Supplier("meubelmakerij-willems.be", "Meubelmakerij Willems",
                 (P("Tom", "Willems", "tom@meubelmakerij-willems.be", "nl"),),
                 ("balie voor het onthaal", "kasten voor de apotheek"), (2800, 16000)),
        Supplier("net-en-proper.be", "Net & Proper schoonmaak",
                 (P("Sandra", "Lievens", "sandra@net-en-proper.be", "nl"), P("Info", "Net & Proper", "info@net-en-proper.be", "nl")),
                 ("dagelijkse schoonmaak van de praktijk", "ramen wassen per kwartaal"), (600, 5200)),
    )),
    Buyer(P("Nadia", "Okafor", "nadia@northgate-events.be", "en"),
          P("Chris", "Hall", "chris@northgate-events.be", "en"), "Northgate Events", (
        Supplier("stagecraft-lighting.co.uk", "Stagecraft Lighting",
                 (P("Oliver", "Pike", "oliver@stagecraft-lighting.co.uk", "en"), P("Sales", "Team", "sales@stagecraft-lighting.co.uk", "en")),
                 ("moving-head lighting rig", "LED uplighters", "truss and rigging"), (1900, 16500)),
        Supplier("marqueemasters.com", "Marquee Masters",
                 (P("Hannah", "Reid", "hannah@marqueemasters.com", "en"),),
                 ("20 x 40 m marquee", "stretch tent", "flooring and heating"), (4500, 38000)),
        Supplier("clearsound-rentals.com", "Clearsound Rentals",
                 (P("Daniel", "Osei", "daniel@clearsound-rentals.com", "en"),),
                 ("PA system for 800 guests", "wireless microphones", "interpretation booths"), (1200, 9900)),
        Supplier("coachlink.eu", "CoachLink Travel",
                 (P("Priya", "Nair", "priya@coachlink.eu", "en"), P("Bookings", "CoachLink", "bookings@coachlink.eu", "en")),
                 ("three coaches Brussels airport - Ghent", "shuttle service for two days"), (1400, 7800)),
        Supplier("badgeworks.co.uk", "Badgeworks",
                 (P("Liam", "Carter", "liam@badgeworks.co.uk", "en"),),
                 ("1,200 printed badges and lanyards", "RFID wristbands"), (700, 5400)),
    )),
    Buyer(P("Sophie", "Lemaire", "s.lemaire@hotel-lestilleuls.be", "fr"),
          P("Julien", "Marchal", "j.marchal@hotel-lestilleuls.be", "fr"), "Hôtel Les Tilleuls", (
        Supplier("literie-moreau.be", "Literie Moreau",
                 (P("Céline", "Moreau", "celine@literie-moreau.be", "fr"),),
                 ("quarante matelas", "sommiers pour les chambres doubles"), (6800, 24000)),
        Supplier("blanchisserie-dubois.be", "Blanchisserie Dubois",
                 (P("Luc", "Dubois", "luc@blanchisserie-dubois.be", "fr"), P("Service", "clients", "service@blanchisserie-dubois.be", "fr")),
                 ("location et entretien du linge de lit", "nettoyage des peignoirs"), (900, 7600)),
        Supplier("serrures-fontaine.be", "Serrures Fontaine",
                 (P("Nicolas", "Fontaine", "nicolas@serrures-fontaine.be", "fr"),),
                 ("serrures électroniques pour 32 chambres", "badges clients"), (5200, 19800)),
        Supplier("ascenseurs-mercier.be", "Ascenseurs Mercier",
                 (P("Isabelle", "Mercier", "i.mercier@ascenseurs-mercier.be", "fr"),),
                 ("contrat d'entretien de l'ascenseur", "modernisation de la cabine"), (1100, 28000)),
        Supplier("equip-leclercq.fr", "Équipements Leclercq",
                 (P("Antoine", "Leclercq", "antoine@equip-leclercq.fr", "fr"),),
                 ("buffet chaud du petit-déjeuner", "machine à jus d'orange"), (1300, 9400)),
        Supplier("jardins.renard@gmail.com", "Jardins Renard",
                 (P("Pascal", "Renard", "jardins.renard@gmail.com", "fr"),),
                 ("entretien du jardin", "taille des tilleuls"), (450, 3800)),
    )),
    Buyer(P("Markus", "Hennes", "einkauf@baeckerei-hennes.be", "de"),
          P("Petra", "Hennes", "petra@baeckerei-hennes.be", "de"), "Bäckerei Hennes", (
        Supplier("muehle-schreiber.de", "Mühlenwerke Schreiber",
                 (P("Jörg", "Schreiber", "j.schreiber@muehle-schreiber.de", "de"),),
                 ("Weizenmehl Type 550 für ein Quartal", "Roggenmehl in Silolieferung"), (2100, 12500)),
        Supplier("ofenbau-hartmann.de", "Ofenbau Hartmann",
                 (P("Sabine", "Hartmann", "s.hartmann@ofenbau-hartmann.de", "de"), P("Vertrieb", "Hartmann", "vertrieb@ofenbau-hartmann.de", "de")),
                 ("Etagenbackofen", "Gärunterbrecher"), (8500, 46000)),
        Supplier("verpackung-zimmermann.de", "Verpackung Zimmermann",
                 (P("Lukas", "Zimmermann", "lukas@verpackung-zimmermann.de", "de"),),
                 ("Brotbeutel mit Logo", "Tortenkartons"), (600, 4800)),
        Supplier("kuehltheken-becker.de", "Kühltheken Becker",
                 (P("Andrea", "Becker", "andrea@kuehltheken-becker.de", "de"),),
                 ("gekühlte Verkaufstheke", "Kühlvitrine für Torten"), (3200, 15800)),
    )),
)


@dataclass
class Mail:
    msg: EmailMessage
    label: str
    deal: str
    supplier: str
    note: str
    when: datetime
    text: str = ""
    sender: Person | None = None


@dataclass
class Corpus:
    rng: random.Random
    mails: list[Mail] = field(default_factory=list)
    counter: int = 0

    def mid(self, domain: str) -> str:
        self.counter += 1
        token = "".join(self.rng.choice("0123456789ABCDEFGHJKLMNPQRSTUVWXYZ") for _ in range(10))
        return f"<{token}.{self.counter:04d}@{domain.split('@')[-1]}>"


# --- phrase pools ---------------------------------------------------------------------
# {first}: the addressee's first name, {product}, {amount}, {ref}, {qty}, {day}, {company}

GREET = {
    "nl": ["Beste {first},", "Dag {first},", "Hallo {first},", "Goedemorgen {first},", "Hoi {first},", "Beste,", "Goeiedag,", "Geachte,"],
    "en": ["Hi {first},", "Dear {first},", "Hello {first},", "Good morning {first},", "Hi,", "Dear Sir or Madam,", "Hello,"],
    "fr": ["Bonjour {first},", "Chère Madame, cher Monsieur,", "Bonjour,", "Madame, Monsieur,", "Bonsoir {first},", "Cher {first},"],
    "de": ["Hallo {first},", "Sehr geehrte Damen und Herren,", "Guten Tag {first},", "Liebe Frau {first},", "Guten Morgen,", "Moin {first},"],
}
CLOSE = {
    "nl": ["Met vriendelijke groeten,", "Vriendelijke groet,", "Groeten,", "Mvg,", "Alvast bedankt.\nGroeten,", "Hartelijke groeten,", "Tot later,"],
    "en": ["Kind regards,", "Best regards,", "Thanks,", "Best,", "Many thanks,", "Cheers,", "Regards,"],
    "fr": ["Cordialement,", "Bien à vous,", "Meilleures salutations,", "Bien cordialement,", "Merci d'avance,\nCordialement,", "Salutations distinguées,"],
    "de": ["Mit freundlichen Grüßen", "Viele Grüße", "Beste Grüße", "Freundliche Grüße", "Danke und viele Grüße", "LG"],
}

REQUEST = {
    "nl": [
        "Wij zijn op zoek naar een {product} voor onze keuken. Kunt u ons een prijs bezorgen, inclusief plaatsing?",
        "Voor onze nieuwe vestiging hebben we een {product} nodig. Mag ik een offerte vragen? Levering liefst tegen {day}.",
        "Graag had ik een prijsopgave ontvangen voor een {product}. Hoeveel bedraagt de levertijd momenteel?",
        "Via een collega kreeg ik uw naam. Wij willen een {product} aanschaffen en vergelijken enkele leveranciers. Zou u een voorstel kunnen opmaken?",
        "Is het mogelijk om langs te komen in jullie toonzaal om de {product} te bekijken? En wat is ongeveer de kostprijs?",
        "Kan iemand van jullie eens ter plaatse komen kijken voor een {product}? Daarna ontvang ik graag een offerte.",
        "We overwegen een {product}. Bieden jullie ook huur of leasing aan? Wat zijn de voorwaarden?",
        "Ik zoek een {product}, {qty} stuks. Wat zou dat kosten, geleverd in Gent?",
        "Zouden jullie ons een prijs kunnen geven voor een {product}? De oude is stuk en we hebben dringend vervanging nodig.",
        "Wij organiseren binnenkort een groot feest en hebben een {product} nodig. Hebben jullie nog beschikbaarheid en wat is jullie tarief?",
        "Mogen we een demonstratie van de {product} inplannen? Volgende week dinsdag of donderdag past ons.",
        "Ik ben geïnteresseerd in een {product}. Kan u mij wat meer informatie en een prijsindicatie sturen?",
    ],
    "en": [
        "We are planning an event for 600 guests in {day} and need a {product}. Could you send us a quote?",
        "Could you let me know your price for a {product}? Delivery and collection in Antwerp.",
        "I'm looking for a {product} for a conference in Ghent. What would that cost, all in?",
        "We'd like to book a site visit so you can see the venue before quoting for the {product}. Does next Tuesday work?",
        "Do you have a {product} available for the weekend of {day}? Please send availability and pricing.",
        "A colleague recommended you. We need a {product} for a product launch; can you put together a proposal?",
        "Please could you quote for a {product}? We would need it for three days including set-up.",
        "Is a demo of the {product} possible at your warehouse? We are comparing two suppliers.",
    ],
    "fr": [
        "Nous souhaitons remplacer notre {product}. Pourriez-vous nous faire parvenir un devis ?",
        "Pouvez-vous me donner un prix pour {product} ? Livraison à Namur.",
        "Je me permets de vous contacter pour {product}. Quel serait le coût, installation comprise ?",
        "Serait-il possible de passer à l'hôtel pour voir sur place avant d'établir une offre pour {product} ?",
        "Nous aimerions recevoir une proposition pour {product}. Quels sont vos délais actuellement ?",
        "Auriez-vous la possibilité de nous envoyer votre tarif pour {product} ? Nous comparons plusieurs fournisseurs.",
        "Je souhaiterais un rendez-vous dans votre showroom pour découvrir {product}. Et pourriez-vous m'indiquer une fourchette de prix ?",
    ],
    "de": [
        "wir möchten {product_de} anschaffen und bitten um ein Angebot.",
        "könnten Sie uns bitte Ihre Preise für {product_de} nennen? Lieferung nach Eupen.",
        "ich interessiere mich für {product_de}. Was würde das kosten, inklusive Montage?",
        "wäre eine Vorführung in Ihrer Ausstellung möglich? Wir überlegen, {product_de} zu kaufen, und hätten danach gern ein Angebot.",
        "bitte senden Sie uns ein unverbindliches Angebot für {product_de}. Wie lang ist die Lieferzeit?",
        "wir suchen {product_de}. Können Sie uns einen Preis machen?",
    ],
}

QUOTE_BODY = {
    "nl": [
        "Bedankt voor uw aanvraag. Voor de {product} kunnen wij u het volgende aanbieden:\n\n{lines}\n\nTotaal: {amount} excl. btw, levering en plaatsing inbegrepen. Deze prijs is geldig tot {day}.",
        "Zoals beloofd de prijs voor de {product}: {amount} exclusief btw. Levertermijn ongeveer drie weken na bestelling. Betaling 30 dagen na factuurdatum.",
        "Na ons bezoek ter plaatse kunnen we u de {product} aanbieden aan {amount} (excl. 21% btw), inclusief montage en opleiding van uw personeel.",
        "Voor {qty} x {product} komen we op een totaalbedrag van {amount} + btw. Transport is gratis vanaf dit bedrag.",
        "Hierbij onze prijs voor de gevraagde {product}:\n{lines}\nAlle prijzen zijn exclusief btw en geldig gedurende 30 dagen.",
        "U vroeg naar de kostprijs van een {product}. Wij rekenen daarvoor {amount} excl. btw, inclusief twee jaar garantie.",
    ],
    "en": [
        "Thanks for your enquiry. For the {product} we can offer the following:\n\n{lines}\n\nTotal: {amount} excluding VAT, delivery and set-up included. Prices valid for 30 days.",
        "As promised, our price for the {product} is {amount} + VAT. This includes delivery, installation and collection.",
        "Following the site visit, we can supply the {product} for {amount} (ex. VAT). Payment terms 50% on booking, balance 14 days after the event.",
        "Please see our pricing for the {product} below:\n{lines}\nAll prices exclude VAT. The offer is valid until {day}.",
    ],
    "fr": [
        "Suite à votre demande, voici notre proposition pour {product} :\n\n{lines}\n\nTotal : {amount} HTVA, livraison et installation comprises. Offre valable 30 jours.",
        "Pour {product}, notre prix s'élève à {amount} hors TVA, placement compris. Délai de livraison : trois semaines.",
        "Comme convenu lors de notre visite, nous pouvons vous proposer {product} pour un montant de {amount} TVAC.",
        "Veuillez trouver ci-dessous notre tarif pour {product} :\n{lines}\nConditions de paiement : 30 jours fin de mois.",
    ],
    "de": [
        "vielen Dank für Ihre Anfrage. Für {product_de} können wir Ihnen folgendes Angebot machen:\n\n{lines}\n\nGesamtpreis: {amount} zzgl. MwSt., frei Haus. Das Angebot gilt bis {day}.",
        "wie besprochen beträgt der Preis für {product_de} {amount} netto, inklusive Lieferung und Montage.",
        "anbei unsere Preise für {product_de}:\n{lines}\nAlle Preise verstehen sich zuzüglich der gesetzlichen Mehrwertsteuer.",
    ],
}

QUOTE_PDF = {
    "nl": [
        "In bijlage vindt u onze offerte voor de {product}. Laat gerust iets weten als u vragen heeft.",
        "Bijgevoegd onze prijsofferte zoals gevraagd. De prijzen zijn geldig tot {day}.",
        "Hierbij stuur ik u ons voorstel voor de {product}. Bij akkoord volstaat het de offerte ondertekend terug te sturen.",
        "Zoals telefonisch besproken: in de bijlage de offerte met twee opties (met en zonder installatie).",
        "Zie bijlage voor onze prijsopgave. Wij kunnen leveren binnen de twee weken.",
        "Dank voor uw interesse! U vindt onze offerte in bijlage.",
    ],
    "en": [
        "Please find attached our quotation for the {product}. Let me know if you have any questions.",
        "Attached is our proposal as discussed. Prices are valid until {day}.",
        "Thank you for your enquiry - our quote for the {product} is attached.",
        "As requested, I've attached our price offer with two options. Happy to adjust if your numbers change.",
    ],
    "fr": [
        "Veuillez trouver en annexe notre devis pour {product}. Je reste à votre disposition pour toute question.",
        "Comme convenu, je vous transmets ci-joint notre offre de prix.",
        "Suite à votre visite, voici en pièce jointe notre proposition pour {product}.",
        "Vous trouverez en pièce jointe notre devis détaillé, valable jusqu'au {day}.",
    ],
    "de": [
        "anbei erhalten Sie unser Angebot für {product_de}. Bei Fragen stehe ich Ihnen gern zur Verfügung.",
        "wie gewünscht sende ich Ihnen im Anhang unser Angebot.",
        "im Anhang finden Sie den Kostenvoranschlag für {product_de}, gültig bis {day}.",
    ],
}

QUOTE_REVISED = {
    "nl": [
        "Zoals gevraagd hebben we de offerte aangepast: zonder de installatie komen we op {amount} excl. btw. De nieuwe versie zit in bijlage.",
        "Na overleg met mijn verantwoordelijke kan ik u een extra korting geven. Nieuwe prijs: {amount} exclusief btw.",
        "Hierbij de herziene offerte met de extra opties die u vroeg. Totaal {amount} + btw.",
    ],
    "en": [
        "We've revised the quote as requested: without the extra day the total comes to {amount} + VAT. Updated version attached.",
        "I spoke to my manager and we can do {amount} ex. VAT if you confirm this week.",
    ],
    "fr": [
        "Suite à vos remarques, voici notre offre révisée : {amount} HTVA au lieu du prix initial.",
        "Nous avons adapté le devis selon vos souhaits. Le nouveau montant est de {amount} hors TVA.",
    ],
    "de": [
        "wie gewünscht haben wir das Angebot überarbeitet. Der neue Gesamtpreis beträgt {amount} zzgl. MwSt.",
        "anbei das geänderte Angebot mit dem vereinbarten Rabatt: {amount} netto.",
    ],
}

SUP_QUESTION = {
    "nl": [
        "Bedankt voor uw aanvraag. Om een correcte prijs te kunnen geven: hoeveel ruimte is er beschikbaar en is er krachtstroom aanwezig?",
        "Nog een vraagje voor ik de offerte opmaak: wenst u de {product} in inox of in wit?",
        "Mag ik vragen voor wanneer u de {product} ongeveer nodig heeft? Dan kijk ik wat er op stock is.",
        "Ik heb uw mail goed gekregen. Kan ik u morgen even bellen om de details te overlopen?",
        "Heeft u misschien een foto of een plan van de ruimte? Dan kunnen we beter inschatten wat er nodig is.",
    ],
    "en": [
        "Thanks for reaching out. Before I price it up: how many days would you need the {product}, and is there power on site?",
        "Quick question before we quote - is the venue accessible for a 7.5 t truck?",
        "Could you send me the floor plan? That way we can size the {product} properly.",
        "Happy to help. Would you have time for a short call tomorrow to go through the details?",
    ],
    "fr": [
        "Merci pour votre demande. Avant d'établir le devis, pourriez-vous me préciser les dimensions exactes ?",
        "Une petite question : souhaitez-vous que nous reprenions l'ancien matériel ?",
        "Pourrais-je vous appeler demain matin pour en discuter ?",
    ],
    "de": [
        "danke für Ihre Anfrage. Damit wir ein passendes Angebot erstellen können: welche Maße hat der Raum?",
        "eine kurze Frage vorab: benötigen Sie die Lieferung mit Montage oder nur frei Bordsteinkante?",
        "darf ich Sie morgen kurz anrufen, um die Details zu klären?",
    ],
}

SUP_PROMISE = {
    "nl": [
        "Goed ontvangen, ik maak de offerte in de loop van deze week op.",
        "Bedankt voor uw bericht. Onze technieker komt donderdag langs, daarna bezorgen we u een voorstel.",
        "Ik ben de prijzen nog aan het navragen bij de fabrikant. U hoort van mij tegen vrijdag.",
        "Bedankt voor het aangename gesprek vandaag. Ik werk de cijfers uit en stuur ze u begin volgende week.",
    ],
    "en": [
        "Got it, thanks - I'll have the quote over to you by Friday.",
        "Thanks for the details. I'm checking availability with our warehouse and will come back to you tomorrow.",
        "Great to speak earlier. I'll work out the numbers and send them across early next week.",
    ],
    "fr": [
        "Bien reçu, je vous prépare une proposition pour la fin de la semaine.",
        "Merci pour ces précisions. Je reviens vers vous dès que j'ai les prix du fabricant.",
    ],
    "de": [
        "danke, ich melde mich bis Ende der Woche mit den Preisen.",
        "vielen Dank für das nette Gespräch. Ich rechne alles durch und schicke Ihnen die Zahlen Anfang nächster Woche.",
    ],
}

SUP_CHECKIN = {
    "nl": [
        "Ik wou even horen of u de offerte goed ontvangen heeft en of er nog vragen zijn.",
        "Heeft u al tijd gehad om ons voorstel te bekijken? Ik help u graag verder.",
        "Even een korte opvolging van onze offerte van vorige week. Zullen we een afspraak maken om alles te overlopen?",
        "Ik kom even terug op de prijsofferte die ik u stuurde. Is er nog iets dat ik kan verduidelijken?",
        "Onze actieprijs loopt eind deze maand af, daarom even een seintje. Laat maar weten of u wil bestellen.",
        "Nog bedankt voor uw bezoek aan onze zaak. Ik hoor graag wat u van het voorstel vindt.",
    ],
    "en": [
        "Just checking in on the quote I sent last week - any questions I can help with?",
        "Did you get a chance to look at our proposal? Happy to jump on a call.",
        "Following up on our offer: we still have the date on hold for you until Friday.",
        "Hope the planning is going well. Let me know if you'd like to change anything in the quote.",
    ],
    "fr": [
        "Je me permets de revenir vers vous concernant notre devis. Avez-vous pu en prendre connaissance ?",
        "Avez-vous eu l'occasion d'examiner notre proposition ? Je reste disponible pour en discuter.",
        "Petit suivi de notre offre : souhaitez-vous que nous passions la revoir ensemble ?",
    ],
    "de": [
        "ich wollte kurz nachfragen, ob Sie unser Angebot erhalten haben und ob noch Fragen offen sind.",
        "hatten Sie schon Gelegenheit, sich unser Angebot anzusehen?",
        "kurze Nachfrage zu unserem Angebot von letzter Woche: dürfen wir den Liefertermin reservieren?",
    ],
}

SUP_ANSWER = {
    "nl": [
        "Ja, dat kan. De {product} past ook in een nis van 60 cm diep. De garantie bedraagt twee jaar op onderdelen.",
        "Levering is mogelijk op zaterdag, daar rekenen we niets extra voor.",
        "De installatie duurt ongeveer een halve dag. Uw keuken moet die dag niet dicht.",
        "Goede vraag: het toestel werkt op 230 V, dus geen krachtstroom nodig.",
    ],
    "en": [
        "Yes, the {product} can be set up the evening before at no extra cost.",
        "Good question - our crew needs about four hours for the build and two for the take-down.",
        "The price includes two technicians for the whole day.",
    ],
    "fr": [
        "Oui, c'est possible. La garantie couvre deux ans pièces et main d'œuvre.",
        "L'installation prend une journée, sans fermeture de l'hôtel.",
    ],
    "de": [
        "ja, das ist möglich. Die Montage dauert etwa einen halben Tag.",
        "die Garantie beträgt zwei Jahre auf alle Teile.",
    ],
}

BUYER_CHASE = {
    "nl": [
        "Ik had u vorige week een aanvraag gestuurd voor de {product}. Is er al nieuws?",
        "Mag ik nog eens polsen naar de offerte? We willen graag snel beslissen.",
        "Even een herinnering aan mijn vraag hieronder. Kunnen jullie dit nog bekijken?",
        "Nog geen antwoord ontvangen, daarom stuur ik mijn vraag opnieuw.",
        "Hebben jullie al zicht op de prijs? Onze opening nadert.",
    ],
    "en": [
        "Any update on the quote? We need to confirm suppliers by Friday.",
        "Following up on my email below - are you able to help with this?",
        "Just a gentle reminder about our request. Thanks!",
    ],
    "fr": [
        "Je me permets de vous relancer concernant ma demande ci-dessous.",
        "Avez-vous pu avancer sur le devis ? Nous devons décider rapidement.",
        "Sans nouvelles de votre part, je reviens vers vous pour ma demande de prix.",
    ],
    "de": [
        "ich wollte kurz nachhaken: gibt es schon Neuigkeiten zu unserem Angebot?",
        "leider habe ich noch keine Antwort erhalten. Können Sie mir kurz Bescheid geben?",
    ],
}

BUYER_REPLY = {
    "nl": [
        "Bedankt voor de offerte. Is er nog wat korting mogelijk als we ook het onderhoudscontract nemen?",
        "Dank u. We bespreken het intern en laten u volgende week iets weten.",
        "Prima, we gaan akkoord. Wanneer kunnen jullie leveren?",
        "Bedankt, maar we hebben voor een andere leverancier gekozen.",
        "Kan de levering ook op een zaterdag? En is de opleiding inbegrepen?",
        "Dank voor de snelle reactie! De ruimte is 3 op 4 meter en er is krachtstroom.",
        "Dinsdag om 10 uur past perfect. Tot dan!",
        "Kunnen jullie de offerte aanpassen zonder de installatie? Die doen we zelf.",
    ],
    "en": [
        "Thanks for the quote. Is there any flexibility on price if we book for both days?",
        "Thanks - we'll discuss it internally and get back to you next week.",
        "Great, let's go ahead. Could you send the booking form?",
        "The venue has a loading bay and three-phase power. Floor plan attached.",
        "Tuesday at 2 pm works for us, see you then.",
    ],
    "fr": [
        "Merci pour le devis. Une remise serait-elle possible pour une commande plus importante ?",
        "Merci, nous en discutons en interne et revenons vers vous.",
        "C'est d'accord pour nous. Quand pourriez-vous livrer ?",
        "Les dimensions sont de 4 m sur 5 m. Le passage fait 90 cm.",
    ],
    "de": [
        "vielen Dank für das Angebot. Ist beim Preis noch etwas möglich?",
        "danke, wir besprechen das intern und melden uns.",
        "einverstanden, bitte liefern Sie in der KW 14.",
        "der Raum ist 3 x 5 Meter groß, Starkstrom ist vorhanden.",
    ],
}

OOO = {
    "nl": [
        "Ik ben afwezig tot en met {day}. Uw bericht wordt niet doorgestuurd. Voor dringende zaken kan u terecht bij {colleague}.",
        "Bedankt voor uw e-mail. Ik ben momenteel met verlof en lees mijn mails terug vanaf {day}.",
        "Onze zaak is gesloten wegens jaarlijkse vakantie tot {day}. Vanaf dan behandelen wij uw vraag zo snel mogelijk.",
        "Ik ben vandaag niet op kantoor en heb beperkt toegang tot mijn mail. Ik antwoord u zo snel mogelijk na mijn terugkeer.",
    ],
    "en": [
        "I am out of the office until {day} with limited access to email. For urgent matters please contact {colleague}.",
        "Thank you for your message. I'm currently on annual leave and will reply when I'm back on {day}.",
        "I'm away at a trade show this week and will respond on my return.",
    ],
    "fr": [
        "Je suis absente du bureau jusqu'au {day} inclus. En cas d'urgence, veuillez contacter {colleague}.",
        "Merci pour votre message. Je suis actuellement en congé et je vous répondrai dès mon retour le {day}.",
        "Nos bureaux sont fermés pour congés annuels jusqu'au {day}.",
    ],
    "de": [
        "ich bin bis einschließlich {day} nicht im Büro. In dringenden Fällen wenden Sie sich bitte an {colleague}.",
        "vielen Dank für Ihre Nachricht. Ich bin derzeit im Urlaub und ab dem {day} wieder erreichbar.",
    ],
}

ACK = {
    "nl": [
        "Bedankt voor uw bericht. Wij hebben uw aanvraag goed ontvangen en behandelen ze binnen de twee werkdagen. Uw referentie: {ref}.",
        "Dit is een automatische bevestiging: uw vraag werd geregistreerd onder ticketnummer {ref}. Gelieve niet te antwoorden op deze e-mail.",
        "Uw aanvraag is bij ons toegekomen. Een medewerker neemt zo spoedig mogelijk contact met u op.",
    ],
    "en": [
        "Thank you for contacting us. Your request has been received and a member of our team will get back to you within 24 hours. Reference: {ref}.",
        "This is an automated message to confirm we have received your enquiry (ticket {ref}). Please do not reply to this email.",
    ],
    "fr": [
        "Nous accusons bonne réception de votre demande, enregistrée sous la référence {ref}. Un conseiller vous répondra dans les meilleurs délais.",
        "Ceci est un message automatique. Votre demande a bien été transmise à notre service commercial.",
    ],
    "de": [
        "vielen Dank für Ihre Anfrage. Diese ist bei uns eingegangen und wird unter der Vorgangsnummer {ref} bearbeitet. Dies ist eine automatisch erzeugte Nachricht.",
        "hiermit bestätigen wir den Eingang Ihrer Nachricht. Wir melden uns schnellstmöglich bei Ihnen.",
    ],
}

BOOKING = {
    "nl": "Uw afspraak op {day} om 14:00 werd bevestigd. Wijzigen of annuleren kan via de link in deze e-mail. Dit bericht werd automatisch verzonden.",
    "en": "Your appointment on {day} at 2:00 pm is confirmed. You can reschedule or cancel using the link below. This message was sent automatically.",
    "fr": "Votre rendez-vous du {day} à 14h00 est confirmé. Pour le modifier, utilisez le lien ci-dessous. Ce message est envoyé automatiquement.",
    "de": "Ihr Termin am {day} um 14:00 Uhr ist bestätigt. Zum Verschieben oder Absagen nutzen Sie bitte den Link unten. Diese Nachricht wurde automatisch versendet.",
}

NEWSLETTER = {
    "nl": [
        ("Lenteactie bij {company}", "Ontdek onze nieuwe collectie! Tot eind april krijgt u 15% korting op alle {product_plain}. Bekijk ons aanbod in de webshop.\n\nU ontvangt deze nieuwsbrief omdat u klant bent bij {company}. Uitschrijven kan hier."),
        ("Nieuws van {company}: onze opendeurdag", "Graag nodigen wij u uit op onze opendeurdag op {day}. Maak kennis met de nieuwste toestellen en geniet van een hapje en een drankje.\n\nWil je deze e-mails niet meer ontvangen? Klik dan hier om af te melden."),
        ("Nieuwe prijslijst {year}", "Beste klant,\n\nVanaf 1 maart passen wij onze prijzen aan. De nieuwe prijslijst vindt u op onze website. Bestellingen geplaatst voor die datum worden nog aan de oude tarieven gefactureerd.\n\nMet vriendelijke groeten,\nHet team van {company}"),
        ("Onze beste offerte van het jaar!", "Alleen deze week: {product_plain} aan een scherpe prijs, vanaf {amount} excl. btw. Bestel nu, zolang de voorraad strekt.\n\nBekijk deze e-mail in je browser | Uitschrijven"),
    ],
    "en": [
        ("Spring newsletter from {company}", "New this season: our updated range of {product_plain}. Book before the end of March and save 10%.\n\nYou are receiving this email because you subscribed. Unsubscribe | Manage preferences"),
        ("Join our webinar: planning outdoor events", "Register now for our free webinar on {day}. Our experts share tips on weather-proof event planning.\n\nUnsubscribe from these emails."),
        ("Exclusive offer for our customers", "For a limited time only: {product_plain} from {amount} + VAT. Don't miss out!\n\nView in browser. Unsubscribe."),
    ],
    "fr": [
        ("Les nouveautés de {company}", "Découvrez notre nouvelle gamme de {product_plain} ! Profitez de 10 % de remise jusqu'à la fin du mois.\n\nVous recevez cet e-mail car vous êtes client chez {company}. Se désinscrire."),
        ("Invitation : salon Horeca Expo", "Venez nous rencontrer sur notre stand au salon le {day}. Entrée gratuite avec ce code.\n\nPour ne plus recevoir notre lettre d'information, cliquez ici."),
    ],
    "de": [
        ("Neuigkeiten von {company}", "Entdecken Sie unsere neuen {product_plain}. Nur diesen Monat mit 10 % Frühbucherrabatt.\n\nSie erhalten diesen Newsletter, weil Sie Kunde sind. Abmelden"),
        ("Einladung zur Hausmesse", "Wir laden Sie herzlich zu unserer Hausmesse am {day} ein.\n\nNewsletter abbestellen"),
    ],
}

INVOICE = {
    "nl": [
        ("Factuur {ref}", "In bijlage vindt u factuur {ref} van {day}. Te betalen bedrag: {amount} (btw inbegrepen). Gelieve te betalen binnen 30 dagen op rekening BE68 5390 0754 7034.", "factuur_{ref}.pdf"),
        ("Betalingsherinnering factuur {ref}", "Volgens onze gegevens staat factuur {ref} van {amount} nog open. De vervaldag is verstreken. Mogen wij u vragen het openstaande bedrag zo spoedig mogelijk over te maken? Indien u reeds betaalde, mag u dit bericht als onbestaande beschouwen.", ""),
        ("Uw bestelling {ref} is verzonden", "Goed nieuws: uw bestelling {ref} werd vandaag verzonden en wordt binnen twee werkdagen geleverd. U kan de zending volgen via de link hieronder.", ""),
        ("Orderbevestiging {ref}", "Bedankt voor uw bestelling. Hierbij de bevestiging van order {ref} voor een bedrag van {amount} incl. btw. Levering voorzien op {day}.", ""),
    ],
    "en": [
        ("Invoice {ref}", "Please find attached invoice {ref} for {amount}. Payment is due within 30 days. Thank you for your business.", "invoice_{ref}.pdf"),
        ("Payment reminder: invoice {ref} overdue", "Our records show that invoice {ref} for {amount} is now overdue. Please arrange payment at your earliest convenience.", ""),
        ("Your order {ref} has shipped", "Your order {ref} is on its way. Track your parcel with the link below.", ""),
    ],
    "fr": [
        ("Facture {ref}", "Veuillez trouver en annexe la facture {ref} d'un montant de {amount} TVAC, payable à 30 jours.", "facture_{ref}.pdf"),
        ("Rappel de paiement", "Sauf erreur de notre part, la facture {ref} de {amount} reste impayée à ce jour. Merci de régulariser dans les plus brefs délais.", ""),
    ],
    "de": [
        ("Rechnung {ref}", "anbei erhalten Sie die Rechnung {ref} über {amount}. Bitte überweisen Sie den Betrag innerhalb von 14 Tagen.", "Rechnung_{ref}.pdf"),
        ("Zahlungserinnerung", "leider konnten wir zu unserer Rechnung {ref} über {amount} noch keinen Zahlungseingang feststellen. Bitte überweisen Sie den offenen Betrag bis {day}.", ""),
    ],
}

PERSONAL = {
    "nl": ("Bedankt!", "Nog eens bedankt voor het fijne gesprek op de beurs. Veel succes met de nieuwe zaak en tot een volgende keer!"),
    "en": ("Great to meet you", "It was great meeting you at the trade fair last week. Best of luck with the summer season!"),
    "fr": ("Bonne année", "Toute l'équipe vous souhaite une excellente année et vous remercie pour votre confiance."),
    "de": ("Frohe Ostern", "Wir wünschen Ihnen und Ihrem Team frohe Ostern und erholsame Feiertage!"),
}

INTERNAL = {
    "nl": [("Planning zaterdag", "Kan jij zaterdag de ochtendshift overnemen? Ik moet naar een communiefeest."),
           ("Sleutels magazijn", "De reservesleutels van het magazijn liggen in de bovenste lade van mijn bureau."),
           ("Personeelsfeest", "Wie gaat er mee naar het personeelsfeest op de 14de? Graag voor vrijdag laten weten."),
           ("Verlofaanvraag", "Ik zou graag de week na Pasen verlof nemen. Is dat ok voor jou?"),
           ("Notulen overleg", "In bijlage de notulen van ons overleg van dinsdag. Vergeet de actiepunten niet."),
           ("Lunch morgen?", "Gaan we morgen samen iets eten na de vergadering? Ik trakteer.")],
    "en": [("Team drinks Friday", "Drinks at the usual place on Friday from 6, partners welcome."),
           ("Holiday rota", "Could you fill in your leave days for summer in the shared sheet?"),
           ("Office keys", "I've left the spare keys with reception for tomorrow.")],
    "fr": [("Planning du week-end", "Peux-tu assurer la réception samedi matin ? Je serai à un mariage."),
           ("Réunion d'équipe", "La réunion de lundi est déplacée à 14h, salle du premier étage."),
           ("Congés d'été", "Merci d'indiquer vos dates de congé dans le tableau partagé.")],
    "de": [("Dienstplan", "kannst du am Samstag die Frühschicht übernehmen? Ich habe einen Termin."),
           ("Betriebsausflug", "wer kommt mit zum Betriebsausflug im Juni? Bitte bis Freitag Bescheid geben."),
           ("Urlaub", "ich würde gern in der Woche nach Ostern Urlaub nehmen. Passt das?")],
}
PRIVATE = {
    "nl": [("Etentje zaterdag", "Hey! Hebben jullie zin om zaterdag te komen eten? De kinderen mogen ook mee."),
           ("Foto's van het weekend", "Hier zijn de foto's van ons weekendje aan zee. Wat was het leuk!"),
           ("Fietstocht zondag", "Gaan we zondag fietsen als het droog blijft? Vertrek om 9 uur aan de kerk.")],
    "en": [("Dinner on Saturday?", "Fancy dinner on Saturday? We found a new Thai place near the station."),
           ("Photos from the wedding", "Here are the photos from Sarah's wedding, enjoy!")],
    "fr": [("Anniversaire de Louise", "On organise une petite fête pour les 40 ans de Louise samedi. Tu viens ?"),
           ("Balade dimanche", "Une balade dans les Ardennes dimanche, ça te dit ?")],
    "de": [("Grillen am Samstag", "wir grillen am Samstag im Garten. Habt ihr Lust vorbeizukommen?"),
           ("Fotos vom Urlaub", "anbei ein paar Fotos von unserem Urlaub am See.")],
}
FRIENDS = {"nl": ("Katrien", "Mortier", "katrien.mortier@gmail.com"), "en": ("Jess", "Turner", "jess.turner77@hotmail.com"),
           "fr": ("Aurélie", "Denis", "aurelie.denis@outlook.com"), "de": ("Stefan", "Krämer", "stefan.kraemer@gmx.de")}
SUBJECT_REQUEST = {
    "nl": ["Prijsvraag {product}", "Offerteaanvraag {product}", "Vraag naar {product}", "{product}", "Aanvraag: {product} voor {company}", "Info {product}?"],
    "en": ["Quote request: {product}", "{product} for our event", "Enquiry - {product}", "Pricing {product}", "{product}?"],
    "fr": ["Demande de devis : {product}", "Demande de prix", "{product}", "Renseignements {product}"],
    "de": ["Anfrage {product_de_short}", "Angebotsanfrage", "Preisanfrage {product_de_short}", "{product_de_short}"],
}
ATTACH_QUOTE = {
    "nl": ["Offerte_{ref}.pdf", "offerte {company_short}.pdf", "Prijsofferte-{ref}.pdf", "{ref}.pdf", "Scan_{ref}.pdf", "voorstel {company_short}.pdf"],
    "en": ["Quotation_{ref}.pdf", "Quote {ref}.pdf", "Proposal - {company_short}.pdf", "{ref}.pdf"],
    "fr": ["Devis_{ref}.pdf", "devis {company_short}.pdf", "Offre_{ref}.pdf", "DOC{ref}.pdf"],
    "de": ["Angebot_{ref}.pdf", "Angebot {company_short}.pdf", "AN-{ref}.pdf"],
}
PDF_HEAD = {"nl": "OFFERTE", "en": "QUOTATION", "fr": "DEVIS", "de": "ANGEBOT"}
PDF_TOTAL = {"nl": "Totaal excl. btw", "en": "Total excl. VAT", "fr": "Total HTVA", "de": "Gesamt netto"}
OOO_SUBJECT = {"nl": ["Afwezig: {s}", "Automatisch antwoord: {s}", "Afwezigheidsbericht", "RE: {s}"],
               "en": ["Out of Office: {s}", "Automatic reply: {s}", "Re: {s}"],
               "fr": ["Réponse automatique : {s}", "Absence du bureau", "RE : {s}"],
               "de": ["Abwesenheitsnotiz: {s}", "Automatische Antwort: {s}", "AW: {s}"]}
ACK_SUBJECT = {"nl": ["Ontvangstbevestiging: {s}", "[Ticket {ref}] {s}", "Uw aanvraag {ref}"],
               "en": ["[Ticket #{ref}] {s}", "We've received your request", "Re: {s} [ref {ref}]"],
               "fr": ["Accusé de réception - {s}", "[Demande {ref}] {s}"],
               "de": ["Eingangsbestätigung: {s}", "[Vorgang {ref}] {s}"]}
BOOKING_SUBJECT = {"nl": "Bevestiging van uw afspraak", "en": "Appointment confirmed",
                   "fr": "Confirmation de votre rendez-vous", "de": "Terminbestätigung"}
BOUNCE_SUBJECT = {"nl": "Onbestelbaar: {s}", "en": "Undelivered Mail Returned to Sender",
                  "fr": "Non remis : {s}", "de": "Unzustellbar: {s}"}
REPLY_PREFIX = {"nl": ["Re: ", "RE: ", "Antw: ", "Re: "], "en": ["Re: ", "RE: "], "fr": ["RE : ", "Re: ", "TR : "], "de": ["AW: ", "Re: ", "AW: "]}
DE_ARTICLE = {"Etagenbackofen": "einen Etagenbackofen", "Gärunterbrecher": "einen Gärunterbrecher",
              "gekühlte Verkaufstheke": "eine gekühlte Verkaufstheke", "Kühlvitrine für Torten": "eine Kühlvitrine für Torten",
              "Brotbeutel mit Logo": "Brotbeutel mit Logo", "Tortenkartons": "Tortenkartons",
              "Weizenmehl Type 550 für ein Quartal": "Weizenmehl Type 550 für ein Quartal",
              "Roggenmehl in Silolieferung": "Roggenmehl in Silolieferung"}
MONTHS = {"nl": ["jan.", "feb.", "mrt.", "apr.", "mei", "jun.", "jul.", "aug.", "sep.", "okt.", "nov.", "dec."],
          "en": ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"],
          "fr": ["janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.", "oct.", "nov.", "déc."],
          "de": ["Jan.", "Feb.", "März", "Apr.", "Mai", "Juni", "Juli", "Aug.", "Sept.", "Okt.", "Nov.", "Dez."]}
DAYS = {"nl": ["ma", "di", "wo", "do", "vr", "za", "zo"], "en": ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"],
        "fr": ["lun.", "mar.", "mer.", "jeu.", "ven.", "sam.", "dim."], "de": ["Mo.", "Di.", "Mi.", "Do.", "Fr.", "Sa.", "So."]}
OUTLOOK_KEYS = {"nl": ("Van", "Verzonden", "Aan", "Onderwerp"), "en": ("From", "Sent", "To", "Subject"),
                "fr": ("De", "Envoyé", "À", "Objet"), "de": ("Von", "Gesendet", "An", "Betreff")}


# --- formatting helpers ---------------------------------------------------------------

def fmt_day(when: datetime, lang: str) -> str:
    month = MONTHS[lang][when.month - 1].rstrip(".")
    if lang == "en":
        return f"{when.day} {month}"
    if lang == "de":
        return f"{when.day}. {month}"
    return f"{when.day} {month}"


def fmt_amount(rng: random.Random, value: float, lang: str, gbp: bool = False) -> str:
    whole = int(round(value))
    if lang == "en":
        sym = "£" if gbp else "€"
        code = "GBP" if gbp else "EUR"
        return rng.choice([f"{sym}{whole:,}", f"{sym}{value:,.2f}", f"{code} {whole:,}", f"{sym} {whole:,}.00"])
    dotted = f"{whole:,}".replace(",", ".")
    cents = f"{value:,.2f}".replace(",", " ").replace(".", ",").replace(" ", ".")
    spaced = f"{whole:,}".replace(",", " ")
    forms = [f"€ {cents}", f"{dotted} EUR", f"EUR {spaced}", f"{dotted},- euro", f"€{dotted}", f"{cents} €"]
    if lang == "fr":
        forms = [f"{cents} €", f"{spaced} EUR", f"€ {cents}", f"{spaced},00 euros"]
    if lang == "de":
        forms = [f"{cents} €", f"{dotted} EUR", f"EUR {cents}", f"{dotted},- €"]
    return rng.choice(forms)


def item_lines(rng: random.Random, product: str, total: float, lang: str, gbp: bool) -> tuple[list[str], float]:
    extra = {"nl": ["levering en plaatsing", "opleiding personeel", "onderhoudscontract 1 jaar", "afvoer oud toestel"],
             "en": ["delivery and collection", "technician on site", "set-up and take-down", "insurance"],
             "fr": ["livraison et installation", "reprise de l'ancien matériel", "contrat d'entretien", "formation"],
             "de": ["Lieferung und Montage", "Einweisung", "Wartungsvertrag 1 Jahr", "Entsorgung Altgerät"]}[lang]
    qty = rng.choice([1, 1, 2, 3, 4, 10])
    unit = round(total * 0.8 / qty, -1)
    lines = [f"- {qty} x {product} à {fmt_amount(rng, unit, lang, gbp)}"]
    rest = total - unit * qty
    for name in rng.sample(extra, rng.choice([1, 2])):
        part = round(rest / 2, -1)
        lines.append(f"- {name}: {fmt_amount(rng, part, lang, gbp)}")
    return lines, unit * qty + round(rest / 2, -1) * (len(lines) - 1)


def make_pdf(lines: list[str]) -> bytes:
    """A one-page PDF showing ``lines`` in Helvetica (enough for text extraction)."""
    def esc(s: str) -> str:
        s = s.encode("latin-1", "replace").decode("latin-1")
        return s.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
    stream = "BT /F1 11 Tf 56 780 Td 14 TL " + " ".join(f"({esc(line)}) '" for line in lines) + " ET"
    data = stream.encode("latin-1")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
        b"<< /Length %d >>\nstream\n" % len(data) + data + b"\nendstream",
    ]
    return pdf_file(objects)


def pdf_file(objects: list[bytes], header: bytes = b"%PDF-1.4\n") -> bytes:
    """A PDF file of ``objects`` (numbered from 1, the first the catalog): the objects,
    their cross-reference table and the trailer."""
    out = bytearray(header)
    offsets = []
    for i, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for off in offsets:
        out += b"%010d 00000 n \n" % off
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def attribution(rng: random.Random, parent: Mail, lang: str) -> str:
    p = parent.sender
    assert p is not None
    w = parent.when
    hh = f"{w.hour:02d}:{w.minute:02d}"
    day, mon = DAYS[lang][w.weekday()], MONTHS[lang][w.month - 1]
    if lang == "nl":
        line = f"Op {day} {w.day} {mon} {w.year} om {hh} schreef {p.name} <{p.addr}>:"
    elif lang == "en":
        line = f"On {day}, {w.day} {mon} {w.year} at {hh}, {p.name} <{p.addr}> wrote:"
    elif lang == "fr":
        line = f"Le {day} {w.day} {mon} {w.year} à {hh}, {p.name} <{p.addr}> a écrit :"
    else:
        line = f"Am {day}, {w.day}. {mon} {w.year} um {hh} Uhr schrieb {p.name} <{p.addr}>:"
    if rng.random() < 0.3 and "<" in line:  # Gmail wraps long attributions
        cut = line.index("<")
        line = line[:cut].rstrip() + "\n" + line[cut:]
    return line


def quoted(rng: random.Random, parent: Mail, lang: str, style: str) -> str:
    body = parent.text.rstrip()
    p = parent.sender
    assert p is not None
    if style == "gmail":
        return "\n\n" + attribution(rng, parent, lang) + "\n\n" + "\n".join("> " + ln if ln else ">" for ln in body.split("\n"))
    if style == "gmail-plain":  # attribution, then the history without ">" (some clients)
        return "\n\n" + attribution(rng, parent, lang) + "\n\n" + body
    if style in ("outlook", "outlook-line", "original"):
        k = OUTLOOK_KEYS[lang]
        to = parent.msg["To"]
        when = format_datetime(parent.when)
        head = f"{k[0]}: {p.name} <{p.addr}>\n{k[1]}: {when}\n{k[2]}: {to}\n{k[3]}: {parent.msg['Subject']}"
        if lang == "fr":
            head = head.replace(": ", " : ", 4)
        lead = {"outlook": "\n\n", "outlook-line": "\n\n" + "_" * 32 + "\n",
                "original": "\n\n-----Original Message-----\n"}[style]
        return lead + head + "\n\n" + body
    return ""


def text_html(text: str) -> str:
    paras = [f"<p>{html.escape(p).replace(chr(10), '<br>')}</p>" for p in text.split("\n\n") if p.strip()]
    return "".join(paras)


# --- the corpus -----------------------------------------------------------------------

class Writer:
    def __init__(self, seed: int = SEED) -> None:
        self.rng = random.Random(seed)
        self.c = Corpus(self.rng)
        self.deals = 0
        self.recent: dict[tuple[str, str], datetime] = {}

    # one message -------------------------------------------------------------------
    def mail(self, sender: Person, to: Person, subject: str, text: str, when: datetime, *,
             label: str, deal: str, supplier: str, note: str, parent: Mail | None = None,
             style: str = "none", html_only: bool = False, attachments: tuple[tuple[str, bytes], ...] = (),
             headers: tuple[tuple[str, str], ...] = (), thread: bool = True, lang: str = "nl",
             content_type: str | None = None, from_name: str | None = None) -> Mail:
        rng = self.rng
        msg = EmailMessage(policy=POLICY)
        msg["From"] = f"{from_name if from_name is not None else sender.name} <{sender.addr}>"
        msg["To"] = f"{to.name} <{to.addr}>"
        msg["Subject"] = subject
        msg["Date"] = format_datetime(when)
        msg["Message-ID"] = self.c.mid(sender.addr)
        if parent is not None and thread:
            msg["In-Reply-To"] = parent.msg["Message-ID"]
            refs = (parent.msg.get("References", "") + " " + parent.msg["Message-ID"]).strip()
            msg["References"] = refs
        for name, value in headers:
            msg[name] = value
        full = text
        if parent is not None and style != "none":
            full = text + quoted(rng, parent, lang, style)
        if html_only:
            msg.set_content(f"<html><body>{text_html(full)}</body></html>", subtype="html")
        elif rng.random() < 0.25:  # many clients send both parts
            msg.set_content(full)
            msg.add_alternative(f"<html><body>{text_html(full)}</body></html>", subtype="html")
        else:
            msg.set_content(full)
        for name, data in attachments:
            msg.add_attachment(data, maintype="application", subtype="pdf", filename=name)
        for i, part in enumerate(msg.walk()):
            if part.is_multipart():  # the email package picks random boundaries otherwise
                part.set_boundary(f"=_part_{self.c.counter:05d}_{i}")
        m = Mail(msg, label, deal, supplier, note, when, text=text, sender=sender)
        self.c.mails.append(m)
        return m

    # pieces -------------------------------------------------------------------------
    def pick(self, pool: list[str]) -> str:
        return self.rng.choice(pool)

    def fill(self, template: str, **slots: str) -> str:
        return template.format(**slots)

    def letter(self, lang: str, core: str, sender: Person, to_first: str, company: str | None,
               supplier_side: bool) -> str:
        rng = self.rng
        greet = self.pick(GREET[lang]).format(first=to_first)
        close = self.pick(CLOSE[lang])
        name = sender.first if rng.random() < 0.6 else sender.name
        lines = [greet, "", core, "", close, name]
        if supplier_side and company:
            lines.append(company)
            if rng.random() < 0.6:
                lines.append(f"T +32 {rng.randint(2, 9)} {rng.randint(200, 899)} {rng.randint(10, 99)} {rng.randint(10, 99)}")
            if rng.random() < 0.15:
                lines.append({"nl": "Verzonden vanaf mijn iPhone", "en": "Sent from my iPhone",
                              "fr": "Envoyé de mon iPhone", "de": "Von meinem iPhone gesendet"}[lang])
        elif rng.random() < 0.5 and company:
            lines.append(company)
        return "\n".join(lines)

    def when_after(self, when: datetime, lo_h: int = 2, hi_h: int = 70) -> datetime:
        nxt = when + timedelta(hours=self.rng.randint(lo_h, hi_h), minutes=self.rng.randint(0, 59))
        while nxt.weekday() >= 5 and self.rng.random() < 0.85:
            nxt += timedelta(days=1)
        if nxt.hour < 7:
            nxt = nxt.replace(hour=7 + self.rng.randint(0, 3))
        return nxt

    def slots(self, sup: Supplier, product: str, lang: str, when: datetime) -> dict[str, str]:
        rng = self.rng
        return {
            "product": product, "product_de": DE_ARTICLE.get(product, product),
            "product_de_short": product.split(" für ")[0], "qty": str(rng.choice([2, 3, 4, 5, 10, 12])),
            "day": fmt_day(when + timedelta(days=rng.randint(10, 45)), lang), "company": sup.company,
            "ref": f"{rng.randint(2025, 2025)}-{rng.randint(100, 9999):04d}",
        }

    # scenario steps -------------------------------------------------------------------
    def _attach_quote(self, lang: str, sup: Supplier, product: str, amount: str, ref: str) -> tuple[str, bytes]:
        short = sup.company.split()[-1]
        name = self.pick(ATTACH_QUOTE[lang]).format(ref=ref, company_short=short)
        pdf = make_pdf([f"{PDF_HEAD[lang]} {ref}", sup.company, "", product, f"{PDF_TOTAL[lang]}: {amount}"])
        return name, pdf

    def reply_subject(self, subject: str, lang: str) -> str:
        return subject if subject.lower().startswith(("re", "aw", "antw")) else self.pick(REPLY_PREFIX[lang]) + subject

    def style(self) -> str:
        return self.rng.choices(["gmail", "gmail-plain", "outlook", "outlook-line", "original", "none"],
                                [30, 8, 25, 10, 7, 20])[0]

    def conversation(self, buyer: Buyer, sup: Supplier, lang: str, start: datetime) -> None:
        rng = self.rng
        self.deals += 1
        deal = f"{sup.key.split('.')[0].split('@')[0]}-{self.deals}"
        fresh = [p for p in sup.products if self.recent.get((sup.key, p), START - timedelta(days=999)) < start - timedelta(days=150)]
        product = rng.choice(fresh or list(sup.products))
        self.recent[(sup.key, product)] = start
        me = buyer.person if rng.random() < 0.75 else buyer.colleague
        rep = rng.choice(sup.people)
        other_rep = rng.choice(sup.people)
        gbp = sup.key.endswith(".co.uk")
        sl = self.slots(sup, product, lang, start)
        total = rng.uniform(*sup.price)
        amount = fmt_amount(rng, total, lang, gbp)
        for _ in range(20):  # a buyer does not reuse a subject with one supplier within weeks
            subject = self.pick(SUBJECT_REQUEST[lang]).format(**{**sl, "company": buyer.company})
            subject = subject[0].upper() + subject[1:]
            if self.recent.get((sup.key, subject.lower()), START - timedelta(days=999)) < start - timedelta(days=150):
                break
        self.recent[(sup.key, subject.lower())] = start
        key = sup.key
        log = []

        def say(sender: Person, to: Person, core: str, when: datetime, label: str, note: str,
                parent: Mail | None, **kw) -> Mail:
            supplier_side = sender.addr not in (buyer.person.addr, buyer.colleague.addr)
            text = self.letter(lang, core, sender, to.first if rng.random() < 0.8 else "", sup.company if supplier_side else buyer.company, supplier_side)
            subj = kw.pop("subject", None) or (self.reply_subject(subject, lang) if parent else subject)
            style = kw.pop("style", None) or (self.style() if parent else "none")
            m = self.mail(sender, to, subj, text, when, label=label, deal=deal, supplier=key, note=note,
                          parent=parent, style=style, lang=lang, **kw)
            log.append(m)
            return m

        # the request (sometimes to the wrong address first: a bounce)
        t = start
        if rng.random() < 0.05:
            wrong = Person(rep.first, rep.last, rep.addr.replace("@", "@mail."), lang)
            first = say(me, wrong, self.pick(REQUEST[lang]).format(**sl), t, "request", "request to a mistyped address", None)
            t = self.when_after(t, 0, 1)
            self.bounce(first, lang, deal, key, t)
            t = self.when_after(t, 1, 5)
            req = say(me, rep, self.pick(REQUEST[lang]).format(**sl), t, "follow-up", "buyer re-sends to the right address (a chase of his own request)", None,
                      subject=self.pick(["Fwd: ", "TR: ", "WG: ", ""]) + subject)
        else:
            req = say(me, rep, self.pick(REQUEST[lang]).format(**sl), t, "request", "request", None)
        last = req
        t = self.when_after(t)
        # the first answer
        first_answer = rng.choices(["quote", "question", "ooo", "ack", "promise", "none", "booking"],
                                   [30, 15, 15, 13, 12, 8, 7])[0]
        if first_answer == "ooo":
            last_ooo = self.ooo(sup, rep, me, req, lang, deal, t)
            t = self.when_after(t, 24, 120)
            if rng.random() < 0.6:
                last = say(me, rep, self.pick(BUYER_CHASE[lang]).format(**sl), t, "follow-up", "buyer chases after an out-of-office", last_ooo if rng.random() < 0.3 else req)
                t = self.when_after(t)
            first_answer = rng.choice(["quote", "promise", "none"])
        elif first_answer == "ack":
            self.ack(sup, me, req, lang, deal, t)
            t = self.when_after(t, 24, 140)
            if rng.random() < 0.5:
                last = say(me, rep, self.pick(BUYER_CHASE[lang]).format(**sl), t, "follow-up", "buyer chases after an acknowledgement", req)
                t = self.when_after(t)
                if rng.random() < 0.4:
                    self.ack(sup, me, last, lang, deal, t)
                    return
            first_answer = rng.choice(["quote", "question", "none"])
        elif first_answer == "booking":
            self.booking(sup, me, req, lang, deal, t)
            t = self.when_after(t, 30, 120)
            last = say(other_rep, me, self.pick(SUP_PROMISE[lang]).format(**sl), t, "follow-up", "supplier after the visit, offer promised", req)
            t = self.when_after(t)
            first_answer = rng.choice(["quote", "quote", "none"])
        if first_answer == "none":
            if rng.random() < 0.7:
                say(me, rep, self.pick(BUYER_CHASE[lang]).format(**sl), self.when_after(t, 48, 200), "follow-up", "buyer chases; no answer ever", last)
            return
        if first_answer == "question":
            q = say(rep, me, self.pick(SUP_QUESTION[lang]).format(**sl), t, "follow-up", "supplier asks before quoting", last)
            t = self.when_after(t, 1, 30)
            last = say(me, rep, self.pick(BUYER_REPLY[lang]).format(**sl), t, "follow-up", "buyer answers the question", q)
            t = self.when_after(t)
        if first_answer == "promise":
            last = say(rep, me, self.pick(SUP_PROMISE[lang]).format(**sl), t, "follow-up", "supplier promises an offer", last)
            t = self.when_after(t, 20, 100)
        # the quote
        quote = self.quote(say, rep if rng.random() < 0.8 else other_rep, me, last, lang, sup, product, sl, total, gbp, t)
        t = self.when_after(t, 16, 120)
        # after the quote
        after = rng.choices(["checkin", "buyer", "negotiate", "buyer-question", "signed", "none", "buyer-ooo"], [22, 20, 14, 12, 5, 22, 5])[0]
        if after == "checkin":
            last = say(rep, me, self.pick(SUP_CHECKIN[lang]).format(**sl), t, "follow-up", "supplier checks in after the quote",
                       quote if rng.random() < 0.7 else None,
                       **({"thread": False} if rng.random() < 0.2 else {}))
            t = self.when_after(t)
            if rng.random() < 0.5:
                say(me, rep, self.pick(BUYER_REPLY[lang]).format(**sl), t, "follow-up", "buyer answers the check-in", last)
        elif after == "buyer":
            say(me, rep, self.pick(BUYER_REPLY[lang]).format(**sl), t, "follow-up", "buyer replies to the quote (quoting it)", quote,
                style=rng.choice(["gmail", "outlook", "original"]))
        elif after == "negotiate":
            ask = say(me, rep, self.pick(BUYER_REPLY[lang][:1] + BUYER_REPLY[lang][-1:]).format(**sl), t, "follow-up", "buyer negotiates", quote)
            t = self.when_after(t)
            new_amount = fmt_amount(rng, total * rng.uniform(0.85, 0.95), lang, gbp)
            core = self.pick(QUOTE_REVISED[lang]).format(**{**sl, "amount": new_amount})
            att = (self._attach_quote(lang, sup, product, new_amount, sl["ref"] + "-v2"),) if rng.random() < 0.5 else ()
            say(rep, me, core, t, "quote", "revised offer", ask, attachments=att)
        elif after == "buyer-question":
            qq = say(me, rep, self.pick(BUYER_REPLY[lang][4:5] + BUYER_REPLY[lang][-2:]).format(**sl), t, "follow-up", "buyer asks about the quote", quote)
            t = self.when_after(t)
            say(rep, me, self.pick(SUP_ANSWER[lang]).format(**sl), t, "follow-up", "supplier answers a question after the quote", qq)
        elif after == "signed":
            core = {"nl": "In bijlage de ondertekende offerte. Graag een leveringsdatum.",
                    "en": "Please find the signed quote attached. When can you deliver?",
                    "fr": "Vous trouverez ci-joint le devis signé. Quand pouvez-vous livrer ?",
                    "de": "anbei das unterschriebene Angebot zurück. Wann können Sie liefern?"}[lang]
            name, pdf = self._attach_quote(lang, sup, product, amount, sl["ref"])
            say(me, rep, core, t, "follow-up", "buyer returns the signed offer (PDF named like an offer)", quote,
                attachments=(("signed_" + name, pdf),))
        elif after == "buyer-ooo":
            ck = say(rep, me, self.pick(SUP_CHECKIN[lang]).format(**sl), t, "follow-up", "supplier checks in after the quote", quote)
            t = self.when_after(t, 0, 1)
            self.own_ooo(buyer, me, rep, ck, lang, deal, key, t)

    def quote(self, say, rep: Person, me: Person, parent: Mail, lang: str, sup: Supplier, product: str,
              sl: dict[str, str], total: float, gbp: bool, t: datetime) -> Mail:
        rng = self.rng
        amount = fmt_amount(rng, total, lang, gbp)
        kind = rng.choices(["body", "pdf", "html", "pdf-body"], [35, 40, 10, 15])[0]
        lines, _ = item_lines(rng, product, total, lang, gbp)
        slots = {**sl, "amount": amount, "lines": "\n".join(lines)}
        att: tuple[tuple[str, bytes], ...] = ()
        if kind in ("pdf", "pdf-body"):
            att = (self._attach_quote(lang, sup, product, amount, sl["ref"]),)
        core = self.pick(QUOTE_PDF[lang] if kind == "pdf" else QUOTE_BODY[lang]).format(**slots)
        thread = rng.random() > 0.1
        return say(rep, me, core, t, "quote", f"quote ({kind})", parent, attachments=att,
                   html_only=(kind == "html"), thread=thread)

    # automatic mail ---------------------------------------------------------------------
    def ooo(self, sup: Supplier, rep: Person, me: Person, parent: Mail, lang: str, deal: str, t: datetime) -> Mail:
        rng = self.rng
        colleague = next((p for p in sup.people if p is not rep), None)
        cname = colleague.name + f" ({colleague.addr})" if colleague else ("mijn collega" if lang == "nl" else "info@" + sup.key.split("@")[-1])
        core = self.pick(OOO[lang]).format(day=fmt_day(t + timedelta(days=rng.randint(3, 14)), lang), colleague=cname)
        hdr = rng.choices([(("Auto-Submitted", "auto-replied"),), (("X-Autoreply", "yes"),),
                           (("Precedence", "auto_reply"),), (("Auto-Submitted", "auto-replied"), ("X-Auto-Response-Suppress", "All")), ()],
                          [30, 10, 8, 7, 45])[0]
        greet = self.pick(GREET[lang]).format(first="") if rng.random() < 0.5 else ""
        text = (greet + "\n\n" if greet else "") + core + "\n\n" + self.pick(CLOSE[lang]) + "\n" + rep.name
        subj = self.pick(OOO_SUBJECT[lang]).format(s=parent.msg["Subject"])
        m = self.mail(rep, me, subj, text, t, label="silence", deal=deal, supplier=sup.key,
                      note="out-of-office " + ("with headers" if hdr else "without any header"),
                      parent=parent, headers=hdr, lang=lang, thread=rng.random() < 0.8)
        return m

    def own_ooo(self, buyer: Buyer, me: Person, rep: Person, parent: Mail, lang: str, deal: str, key: str, t: datetime) -> None:
        core = self.pick(OOO[lang]).format(day=fmt_day(t + timedelta(days=6), lang), colleague=buyer.colleague.name)
        subj = self.pick(OOO_SUBJECT[lang]).format(s=parent.msg["Subject"])
        self.mail(me, rep, subj, core + "\n\n" + me.name, t, label="silence", deal=deal, supplier=key,
                  note="the buyer's own out-of-office", parent=parent, headers=(("Auto-Submitted", "auto-replied"),), lang=lang)

    def ack(self, sup: Supplier, me: Person, parent: Mail, lang: str, deal: str, t: datetime) -> None:
        rng = self.rng
        ref = f"{rng.choice(['T', 'REQ-', '#', 'SR'])}{rng.randint(10000, 99999)}"
        domain = sup.key.split("@")[-1]
        sender = Person("", "", rng.choice([f"noreply@{domain}", f"support@{domain}", f"info@{domain}", f"no-reply@{domain}"]), lang)
        core = self.pick(ACK[lang]).format(ref=ref)
        hdr = rng.choices([(("Auto-Submitted", "auto-generated"),), (("Auto-Submitted", "auto-replied"),), ()], [35, 20, 45])[0]
        text = self.pick(GREET[lang]).format(first=me.first) + "\n\n" + core + "\n\n" + self.pick(CLOSE[lang]) + "\n" + sup.company
        subj = self.pick(ACK_SUBJECT[lang]).format(s=parent.msg["Subject"], ref=ref)
        self.mail(sender, me, subj, text, t, label="silence", deal=deal, supplier=sup.key,
                  note="acknowledgement / ticket receipt", parent=parent, headers=hdr, lang=lang,
                  style=rng.choice(["none", "gmail", "outlook"]), from_name=sup.company,
                  thread=rng.random() < 0.85)

    def booking(self, sup: Supplier, me: Person, parent: Mail, lang: str, deal: str, t: datetime) -> None:
        rng = self.rng
        domain = sup.key.split("@")[-1]
        sender = Person("", "", f"no-reply@{domain}" if "@" not in sup.key else "calendar-notification@google.com", lang)
        text = BOOKING[lang].format(day=fmt_day(t + timedelta(days=rng.randint(2, 9)), lang))
        self.mail(sender, me, BOOKING_SUBJECT[lang], text, t, label="silence", deal=deal, supplier=sup.key,
                  note="booking notification from a no-reply sender", parent=parent, lang=lang,
                  headers=(("Auto-Submitted", "auto-generated"),) if rng.random() < 0.5 else (),
                  thread=rng.random() < 0.5, from_name=sup.company)

    def bounce(self, parent: Mail, lang: str, deal: str, key: str, t: datetime) -> None:
        rng = self.rng
        me = parent.sender
        assert me is not None
        domain = me.addr.split("@")[1]
        rcpt = parent.msg["To"].addresses[0].addr_spec
        explanation = (f"This is the mail system at host mx.{domain}.\n\nI'm sorry to have to inform you that your message "
                       f"could not be delivered to one or more recipients.\n\n<{rcpt}>: host not found")
        boundary = f"=_bounce_{self.c.counter:05d}"
        raw = (f"From: Mail Delivery System <MAILER-DAEMON@mx.{domain}>\nTo: {me.addr}\n"
               f"Subject: {Header(BOUNCE_SUBJECT[lang].format(s=parent.msg['Subject']), 'utf-8').encode()}\n"
               f"Date: {format_datetime(t)}\nMessage-ID: {self.c.mid('mx.' + domain)}\nMIME-Version: 1.0\n"
               f'Content-Type: multipart/report; report-type=delivery-status; boundary="{boundary}"\n\n'
               f"--{boundary}\nContent-Type: text/plain; charset=utf-8\n\n{explanation}\n\n"
               f"--{boundary}\nContent-Type: message/delivery-status\n\nReporting-MTA: dns; mx.{domain}\n\n"
               f"Final-Recipient: rfc822; {rcpt}\nAction: failed\nStatus: 5.1.2\n\n"
               f"--{boundary}\nContent-Type: text/rfc822-headers\n\nFrom: {me.addr}\nTo: {rcpt}\nMessage-ID: {parent.msg['Message-ID']}\n\n"
               f"--{boundary}--\n")
        msg = email.message_from_string(raw, policy=POLICY)
        if rng.random() < 0.5:
            msg["Return-Path"] = "<>"
        self.c.mails.append(Mail(msg, "silence", deal, key, "bounce (multipart/report)", t, text=explanation,
                                 sender=Person("Mail Delivery", "System", f"mailer-daemon@mx.{domain}", lang)))

    # unrelated mail ------------------------------------------------------------------------
    def unrelated(self, buyer: Buyer, sup: Supplier, lang: str, t: datetime) -> None:
        rng = self.rng
        rep = rng.choice(sup.people)
        me = buyer.person
        product_plain = rng.choice(sup.products)
        kind = rng.choices(["news", "invoice", "personal"], [55, 38, 7])[0]
        slots = {"company": sup.company, "product_plain": product_plain, "day": fmt_day(t + timedelta(days=12), lang),
                 "year": str(t.year + 1), "ref": f"{rng.choice(['F', 'INV', 'RE', 'FA'])}{rng.randint(2025000, 2025999)}",
                 "amount": fmt_amount(rng, rng.uniform(120, 6000), lang, sup.key.endswith(".co.uk"))}
        hdr: tuple[tuple[str, str], ...] = ()
        att: tuple[tuple[str, bytes], ...] = ()
        if kind == "news":
            subject, body = rng.choice(NEWSLETTER[lang])
            subject, body = subject.format(**slots), body.format(**slots)
            domain = sup.key.split("@")[-1]
            sender = Person(sup.company, "", rng.choice([f"news@{domain}", f"info@{domain}", f"marketing@{domain}", rep.addr]), lang)
            hdr = rng.choices([(("List-Unsubscribe", f"<mailto:unsubscribe@{domain}>"), ("List-Id", f"<news.{domain}>")),
                               (("List-Unsubscribe", f"<https://{domain}/unsubscribe>"),),
                               (("Precedence", "bulk"),), (("Feedback-ID", f"campaign42:{domain}"),), ()], [25, 20, 10, 10, 35])[0]
            html_only = rng.random() < 0.5
            note = "supplier newsletter / marketing " + ("with bulk headers" if hdr else "without bulk headers")
            self.mail(sender, me, subject, body, t, label="other", deal="", supplier=sup.key, note=note,
                      headers=hdr, html_only=html_only, lang=lang, from_name=sup.company)
            return
        if kind == "invoice":
            subject, body, fname = rng.choice(INVOICE[lang])
            subject, body = subject.format(**slots), body.format(**slots)
            if fname:
                att = ((fname.format(**slots), make_pdf([subject, sup.company, slots["amount"]])),)
            text = self.letter(lang, body, rep, me.first, sup.company, True)
            self.mail(rep, me, subject, text, t, label="other", deal="", supplier=sup.key,
                      note="invoice / payment reminder / order notice", attachments=att, lang=lang)
            return
        subject, body = PERSONAL[lang]
        text = self.letter(lang, body, rep, me.first, sup.company, True)
        self.mail(rep, me, subject, text, t, label="other", deal="", supplier=sup.key, note="personal mail", lang=lang)

    def internal(self, buyer: Buyer, lang: str, t: datetime) -> None:
        """The buyer writes to a colleague: no supplier in it, unrelated mail."""
        subject, body = self.rng.choice(INTERNAL[lang])
        me, colleague = (buyer.person, buyer.colleague) if self.rng.random() < 0.6 else (buyer.colleague, buyer.person)
        text = self.letter(lang, body, me, colleague.first, None, False)
        self.mail(me, colleague, subject, text, t, label="other", deal="", supplier="",
                  note="internal mail between colleagues", lang=lang)

    def private(self, buyer: Buyer, lang: str, t: datetime) -> None:
        """Personal mail with a friend on a free-mail address (and sometimes the reply)."""
        first, last, addr = FRIENDS[lang]
        friend = Person(first, last, addr, lang)
        subject, body = self.rng.choice(PRIVATE[lang])
        text = self.letter(lang, body, friend, buyer.person.first, None, False)
        m = self.mail(friend, buyer.person, subject, text, t, label="other", deal="", supplier=addr,
                      note="personal mail from a friend", lang=lang)
        if self.rng.random() < 0.5:
            answer = {"nl": "Leuk, wij zijn erbij!", "en": "Sounds great, count us in!",
                      "fr": "Avec plaisir, on sera là !", "de": "gern, wir sind dabei!"}[lang]
            self.mail(buyer.person, friend, self.reply_subject(subject, lang),
                      self.letter(lang, answer, buyer.person, first, None, False), self.when_after(t, 1, 20),
                      label="other", deal="", supplier=addr, note="the buyer answers personal mail",
                      parent=m, style=self.style(), lang=lang)

    def unprompted(self, buyer: Buyer, sup: Supplier, lang: str, t: datetime) -> None:
        """A supplier writes a fresh mail about an earlier visit or offer: a follow-up."""
        rep = self.rng.choice(sup.people)
        core = self.pick(SUP_CHECKIN[lang]).format(product=self.rng.choice(sup.products))
        text = self.letter(lang, core, rep, buyer.person.first, sup.company, True)
        subject = {"nl": "Opvolging", "en": "Following up", "fr": "Suivi de notre rencontre", "de": "Nachfrage"}[lang]
        self.mail(rep, buyer.person, subject, text, t, label="follow-up", deal="", supplier=sup.key,
                  note="supplier checks in with a fresh mail", lang=lang)

    # the whole corpus ----------------------------------------------------------------------
    def build(self) -> list[Mail]:
        rng = self.rng
        plan = {"traiteur-dekroon.be": 34, "dierenkliniek-terheide.be": 22, "northgate-events.be": 30,
                "hotel-lestilleuls.be": 30, "baeckerei-hennes.be": 22}
        for buyer in BUYERS:
            domain = buyer.person.addr.split("@")[1]
            t = START + timedelta(days=rng.randint(0, 20))
            lang = buyer.person.lang
            for i in range(plan[domain]):
                sup = rng.choice(buyer.suppliers)
                self.conversation(buyer, sup, lang, t)
                if i % 2 == 0:
                    self.unrelated(buyer, rng.choice(buyer.suppliers), lang, t + timedelta(hours=rng.randint(3, 90)))
                if i % 6 == 1:
                    self.internal(buyer, lang, t + timedelta(hours=rng.randint(3, 90)))
                if i % 8 == 3:
                    self.private(buyer, lang, t + timedelta(hours=rng.randint(3, 90)))
                if i % 9 == 4:
                    self.unprompted(buyer, rng.choice(buyer.suppliers), lang, t + timedelta(hours=rng.randint(3, 90)))
                t += timedelta(days=rng.randint(3, 9), hours=rng.randint(0, 6))
        self.c.mails.sort(key=lambda m: m.when)
        return self.c.mails


def write(out_dir: Path, mails: list[Mail]) -> None:
    out_dir.mkdir(parents=True, exist_ok=True)
    mbox_path = out_dir / "train.mbox"
    if mbox_path.exists():
        mbox_path.unlink()
    box = mailbox.mbox(str(mbox_path), create=True)
    try:
        for m in mails:
            entry = mailbox.mboxMessage(m.msg.as_bytes(policy=POLICY))
            entry.set_from("MAILER-DAEMON", m.when.astimezone(UTC).timetuple())
            box.add(entry)
        box.flush()
    finally:
        box.close()
    with (out_dir / "truth.csv").open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(["message_id", "label", "deal", "supplier", "note"])
        for m in mails:
            writer.writerow([m.msg["Message-ID"].strip("<>"), m.label, m.deal, m.supplier, m.note])
    me = sorted({b.person.addr for b in BUYERS} | {b.colleague.addr for b in BUYERS})
    domains = sorted({b.person.addr.split("@")[1] for b in BUYERS})
    (out_dir / "labelled.toml").write_text(
        "# The buyers of the labelled training corpus (samples/labelled/train.mbox); written by\n"
        "# samples/make_labelled.py. Threading needs them to tell the buyer's side apart.\n"
        f"me = [{', '.join(repr(a).replace(chr(39), chr(34)) for a in me)}]\n"
        f"my_domains = [{', '.join(repr(d).replace(chr(39), chr(34)) for d in domains)}]\n",
        encoding="utf-8")


def main(out_dir: Path | str | None = None) -> list[Mail]:
    out = Path(out_dir) if out_dir else HERE / "labelled"
    mails = Writer().build()
    write(out, mails)
    return mails


if __name__ == "__main__":
    result = main(sys.argv[1] if len(sys.argv) > 1 else None)
    counts: dict[str, int] = {}
    for mail in result:
        counts[mail.label] = counts.get(mail.label, 0) + 1
    print(f"{len(result)} messages:", ", ".join(f"{k} {v}" for k, v in sorted(counts.items())))
