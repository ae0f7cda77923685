"""What a message states beyond its label: the amount it quotes and its intent.

Only currency-anchored amounts count (``€ 104.500,00``, ``EUR 3 250``, ``1.250 euro``,
``12.450,-``): phone numbers, dates, postcodes, IBANs and bare quantities carry no
currency and are ignored. ``price-parser`` turns the matched text into a number, so
Belgian/European and English separators both read right.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from decimal import Decimal

from price_parser import Price

from inbox_audit.classify.cuestart import exact_lowering
from inbox_audit.classify.rules import Rules, find_cues
from inbox_audit.classify.text import is_reply_subject, match_text, new_text
from inbox_audit.models import Message, MessageFacts

# A number: grouped thousands (dot, space, apostrophe, comma) with optional decimals, or
# plain digits with optional decimals. Each group must end where the digits end, so
# "3 250 2026" stops after "3 250".
_NUMBER = (r"\d{1,3}(?:[.,' \u00a0\u202f]\d{3}(?!\d))+(?:[.,]\d{1,2}(?!\d))?"
           r"|\d+(?:[.,]\d{1,2}(?!\d))?")
_SYMBOL = r"€|£|US\$|\$|\bEUR\b|\bGBP\b|\bUSD\b|\bCHF\b"
# "Euro 6" is an emission norm, so the word "euro" only counts after the number.
_WORD_AFTER = r"\beuros?\b|\beur\b"
_DASH_DECIMALS = r"(?:[.,]-{1,2}(?!\d))"
_KILO = r"(?:\s?[kK](?![a-zA-Z]))"
_AMOUNT = re.compile(
    rf"(?P<cur1>{_SYMBOL})\s?(?P<num1>{_NUMBER}){_DASH_DECIMALS}?(?P<k1>{_KILO})?"
    rf"|(?<![\d.,])(?P<num2>{_NUMBER})(?P<dash2>{_DASH_DECIMALS})?(?P<k2>{_KILO})?"
    # ... unless that currency sign opens the next amount ("model 2026 € 45.000").
    rf"\s?(?P<cur2>{_SYMBOL}|{_WORD_AFTER})(?!\s?\d)"
    # "12.450,-" with no currency sign: the ",-" is itself a Dutch money notation.
    rf"|(?<![\d.,])(?P<num3>\d{{1,3}}(?:\.\d{{3}}(?!\d))+|\d+),-{{1,2}}(?![\d-])",
    re.IGNORECASE,
)
# Where a match of _AMOUNT can start: a digit no number precedes (its other branches'
# lookbehind) or a currency sign (the first branch). Jumping between these and matching
# there finds what _AMOUNT.finditer finds, without trying its branches at every letter.
_START = re.compile(r"(?<![\d.,])\d|[€£$]|us\$|\b(?:eur|gbp|usd|chf)\b", re.IGNORECASE)
# Every match of _AMOUNT holds one of these (lower-cased): a currency sign or code, the
# word "euro", or the Dutch ",-".
_MONEY_MARKS = ("€", "£", "$", "eur", "gbp", "usd", "chf", ",-")
_CURRENCIES = {"€": "EUR", "eur": "EUR", "euro": "EUR", "euros": "EUR", "£": "GBP",
               "gbp": "GBP", "$": "USD", "us$": "USD", "usd": "USD", "chf": "CHF"}
# Beyond any price a buyer asks suppliers for; such "amounts" are account numbers.
_TOO_LARGE = Decimal("1e10")


# Facts found as a by-product of classifying (the classifier's evidence holds the new
# text, the amount and the intent cues), by message key: a report asks for the facts of
# every deal's first request and quotes right after classifying all of its mail, and
# would otherwise read those messages a second time. Each entry keeps the message and
# the rules digest it holds for; a key whose message or rules differ is computed anew.
_KNOWN: dict[str, tuple[Message, str, MessageFacts]] = {}
_MAX_KNOWN = 250_000  # a bound for long-lived processes; a report holds its mail anyway


def remember_facts(msg: Message, rules_digest: str, facts: MessageFacts) -> None:
    """Keep ``facts``, which are ``message_facts(msg, rules)`` for the rules of
    ``rules_digest``, for a later :func:`message_facts` in this process."""
    if len(_KNOWN) >= _MAX_KNOWN:
        _KNOWN.clear()
    _KNOWN[msg.key] = (msg, rules_digest, facts)


def take_facts(msg: Message, rules_digest: str) -> MessageFacts | None:
    """The facts remembered for ``msg`` and the rules of ``rules_digest`` (None: none),
    forgotten here: for a process that hands them on."""
    known = _KNOWN.pop(msg.key, None)
    return known[2] if known is not None and _same(known, msg, rules_digest) else None


def _same(known: tuple[Message, str, MessageFacts], msg: Message, rules_digest: str) -> bool:
    # Usually the very object that was classified; else a copy read again from the store.
    return known[1] == rules_digest and (known[0] is msg or known[0] == msg)


def message_facts(msg: Message, rules: Rules) -> MessageFacts:
    """The largest currency-anchored amount in the new text and the attachment text, its
    ISO currency, and whether the new text asks for a test drive, demo, visit or trial."""
    known = _KNOWN.get(msg.key)
    if known is not None and _same(known, msg, rules.digest):
        return known[2]
    body = new_text(msg.text, rules)
    amount, currency = largest_amount("\n".join((body, msg.attachment_text)))
    subject = "" if is_reply_subject(msg.subject, rules) else msg.subject
    intent = find_cues(match_text(subject + "\n" + body), rules, ["high_intent"])
    return MessageFacts(key=msg.key, amount=amount, currency=currency,
                        high_intent=bool(intent))


def find_amounts(text: str) -> list[tuple[Decimal, str]]:
    """Every currency-anchored amount in ``text`` as ``(amount, ISO code)``, in order."""
    found: list[tuple[Decimal, str]] = []
    for m in _amount_matches(text):
        if m["num3"]:
            number, symbol, kilo = m["num3"], "€", None
        elif m["num1"]:
            number, symbol, kilo = m["num1"], m["cur1"], m["k1"]
        else:
            number, symbol, kilo = m["num2"], m["cur2"], m["k2"]
        value = _parse_number(number)
        if value is None:
            continue
        if kilo:
            value *= 1000
        if 0 < value < _TOO_LARGE:
            found.append((value, _CURRENCIES[symbol.lower()]))
    return found


def _amount_matches(text: str) -> Iterator[re.Match[str]]:
    """What ``_AMOUNT.finditer(text)`` yields (the same matches, in order), faster."""
    lowered = text.lower()
    if exact_lowering(text, lowered) and not any(m in lowered for m in _MONEY_MARKS):
        return  # most mail names no currency: no amount can match
    pos = 0
    while True:
        start = _START.search(text, pos)
        if start is None:
            return
        m = _AMOUNT.match(text, start.start())  # lookbehinds still see text before pos
        if m is None:
            pos = start.start() + 1
            continue
        yield m
        pos = m.end()


def largest_amount(text: str) -> tuple[Decimal | None, str | None]:
    """The largest amount in ``text`` and its currency, or ``(None, None)``."""
    amounts = find_amounts(text)
    if not amounts:
        return None, None
    return max(amounts, key=lambda a: a[0])


def _parse_number(number: str) -> Decimal | None:
    # Thin spaces and no-break spaces are thousands separators price-parser may not know.
    cleaned = re.sub(r"[\s\u00a0\u202f']", " ", number).strip()
    if re.fullmatch(r"\d{1,3}(?: \d{3})+(?:[.,]\d{1,2})?", cleaned):
        cleaned = cleaned.replace(" ", "")
    return Price.fromstring(cleaned).amount
