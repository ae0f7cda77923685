"""Who is who (SPEC §3): the buyer's side, and supplier organisations.

A supplier is keyed by the registrable domain of its address
(``sales.garage-peeters.be`` -> ``garage-peeters.be``), found with the public suffix
list bundled in ``tldextract`` (never fetched at run time). On free-mail providers the
key is the whole address, since two gmail.com users are two suppliers.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache

import tldextract

from inbox_audit.config import Settings
from inbox_audit.models import Address, Message

# Consumer mail providers: the domain says nothing about the organisation.
FREEMAIL_DOMAINS = frozenset({
    "gmail.com", "googlemail.com", "outlook.com", "outlook.be", "outlook.fr",
    "hotmail.com", "hotmail.be", "hotmail.fr", "hotmail.nl", "hotmail.de", "hotmail.co.uk",
    "live.com", "live.be", "live.fr", "live.nl", "msn.com", "yahoo.com", "yahoo.fr",
    "yahoo.co.uk", "yahoo.de", "ymail.com", "icloud.com", "me.com", "mac.com", "aol.com",
    "telenet.be", "skynet.be", "proximus.be", "scarlet.be", "base.be", "pandora.be",
    "gmx.com", "gmx.net", "gmx.de", "gmx.fr", "gmx.at", "gmx.ch", "web.de", "t-online.de",
    "freenet.de", "orange.fr", "wanadoo.fr", "free.fr", "sfr.fr", "laposte.net",
    "protonmail.com", "proton.me", "zoho.com", "mail.com", "ziggo.nl", "kpnmail.nl",
    "planet.nl", "home.nl", "hetnet.nl", "xs4all.nl", "quicknet.nl",
})
# Families whose every country domain is free mail (hotmail.it, live.co.uk, ...).
FREEMAIL_FAMILIES = ("hotmail.", "live.", "yahoo.", "gmx.", "outlook.")

_EXTRACT = tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None)


@lru_cache(maxsize=65536)
def registrable_domain(domain: str) -> str:
    """``sales.garage-peeters.be`` -> ``garage-peeters.be``; unknown suffixes stay whole."""
    domain = domain.lower().strip(".")
    parts = _EXTRACT(domain)
    return parts.top_domain_under_public_suffix or domain


def is_freemail(domain: str) -> bool:
    domain = domain.lower()
    return domain in FREEMAIL_DOMAINS or domain.startswith(FREEMAIL_FAMILIES)


class Parties:
    """The buyer's side and the supplier organisations, as configured."""

    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self._names = {k.lower(): v for k, v in settings.suppliers.names.items()}
        self._merge: dict[str, str] = {}
        for target, aliases in settings.suppliers.merge.items():
            for alias in aliases:
                self._merge[alias.lower().lstrip("@")] = target.lower()
        self._ignore = frozenset(i.lower().lstrip("@") for i in settings.suppliers.ignore)
        # Every answer is remembered (the settings never change): threading, the message
        # contexts and the deals each ask about the same few thousand addresses for each
        # of up to 100,000 messages.
        self._me: dict[str | None, bool] = {}
        self._keys: dict[str | None, str | None] = {}
        # (sent by the buyer's side, counterparties) per sender for mail from the other
        # side (_BUYER for the buyer's side), and per To and Cc for the buyer's mail,
        # whose answer depends on its recipients.
        self._of_sender: dict[str, tuple[bool, tuple[str, ...]] | object] = {}
        self._of_recipients: dict[tuple[int, int], tuple[tuple[Address, ...],
                                                          tuple[Address, ...],
                                                          tuple[bool, tuple[str, ...]]]] = {}

    def is_me(self, addr: str | None) -> bool:
        """The buyer himself or a colleague in ``my_domains``."""
        answer = self._me.get(addr)
        if answer is None:
            answer = self._me[addr] = bool(addr) and self._settings.is_me(addr)
        return answer

    def supplier_key(self, addr: str | None) -> str | None:
        """The organisation key of a correspondent; None for the buyer's side, ignored
        correspondents and empty addresses."""
        if addr in self._keys:
            return self._keys[addr]
        answer = self._keys[addr] = self._supplier_key(addr)
        return answer

    def _supplier_key(self, addr: str | None) -> str | None:
        if not addr or "@" not in addr or self.is_me(addr):
            return None
        addr = addr.lower()
        domain = addr.rpartition("@")[2]
        if addr in self._ignore or domain in self._ignore:
            return None
        key = addr if is_freemail(domain) else registrable_domain(domain)
        if key in self._ignore:
            return None
        return self._merge.get(addr) or self._merge.get(domain) or self._merge.get(key) or key

    def supplier_name(self, key: str, fallback: str = "") -> str:
        """The configured display name, else ``fallback``, else the key."""
        return self._names.get(key) or fallback or key

    def counterparties(self, msg: Message) -> list[str]:
        """Supplier keys on the other side of ``msg``, in header order, no repeats.

        From the buyer: every supplier among To and Cc (one RFQ to three suppliers
        gives three). From anyone else: the sender's organisation.
        """
        return list(self.sides(msg)[1])

    def sides(self, msg: Message) -> tuple[bool, tuple[str, ...]]:
        """(whether the buyer's side sent ``msg``, ``counterparties(msg)`` as a tuple,
        shared: do not change it): what threading, the contexts and the deals ask of
        every message, each several times."""
        if msg.sender is None:
            return False, ()
        sender = msg.sender.addr
        answer = self._of_sender.get(sender)
        if answer is None:
            if self.is_me(sender):
                answer = _BUYER
            else:
                key = self.supplier_key(sender)
                answer = (False, (key,) if key else ())
            self._of_sender[sender] = answer
        if answer is not _BUYER:
            return answer  # type: ignore[return-value]
        # The buyer's answer depends on the recipients only. Messages read from the
        # store share one tuple per distinct list of addresses (store_rows), so the
        # answer is kept per pair of tuples: by identity, beside the tuples themselves.
        to, cc = msg.to, msg.cc
        known = self._of_recipients.get((id(to), id(cc)))
        if known is not None and known[0] is to and known[1] is cc:
            return known[2]
        mine = (True, tuple(_unique(self.supplier_key(a.addr) for a in (*to, *cc))))
        self._of_recipients[(id(to), id(cc))] = (to, cc, mine)
        return mine


_BUYER = object()  # Parties._of_sender: the buyer's side; the recipients decide


def _unique(keys: Iterable[str | None]) -> list[str]:
    seen: dict[str, None] = {}
    for key in keys:
        if key:
            seen.setdefault(key, None)
    return list(seen)
