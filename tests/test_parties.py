"""Who is who: the buyer's side and supplier organisations (SPEC §3)."""

from __future__ import annotations

from inbox_audit.config import load_settings
from inbox_audit.parties import Parties, registrable_domain


def parties(**overrides) -> Parties:
    base = {"me": ["jan@vdbroeck-bouw.be"], "my_domains": ["vdbroeck-bouw.be"]}
    base.update(overrides)
    return Parties(load_settings(None, env={}, overrides=base))


def test_registrable_domain_uses_the_public_suffix_list():
    assert registrable_domain("sales.garage-peeters.be") == "garage-peeters.be"
    assert registrable_domain("mail.shop.co.uk") == "shop.co.uk"
    assert registrable_domain("Verkoop.Dealer-X.BE") == "dealer-x.be"


def test_free_mail_is_keyed_by_the_whole_address():
    p = parties()
    assert p.supplier_key("Piet.Schrijnwerk@gmail.com") == "piet.schrijnwerk@gmail.com"
    assert p.supplier_key("a@telenet.be") != p.supplier_key("b@telenet.be")
    assert p.supplier_key("x@hotmail.it") == "x@hotmail.it"


def test_buyer_and_colleagues_are_not_suppliers():
    p = parties()
    assert p.supplier_key("jan@vdbroeck-bouw.be") is None
    assert p.is_me("sofie@vdbroeck-bouw.be")
    assert p.supplier_key("sofie@vdbroeck-bouw.be") is None


def test_merge_names_and_ignore():
    p = parties(suppliers={"merge": {"peeters.be": ["peeters-auto.nl"]},
                           "names": {"peeters.be": "Garage Peeters"},
                           "ignore": ["kbc.be", "news@mailchimp.com"]})
    assert p.supplier_key("info@sales.peeters-auto.nl") == "peeters.be"
    assert p.supplier_name("peeters.be") == "Garage Peeters"
    assert p.supplier_key("noreply@kbc.be") is None
    assert p.supplier_key("news@mailchimp.com") is None
    assert p.supplier_key("other@mailchimp.com") == "mailchimp.com"
