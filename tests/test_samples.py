"""The bundled demo mailbox: reproducible, consistent with its truth file, and rich enough
to show every behaviour the report is about (SPEC §1, §4)."""

from __future__ import annotations

import csv
import email
import importlib.util
import mailbox
import sys
from collections import defaultdict
from email import policy
from email.message import EmailMessage
from email.utils import parsedate_to_datetime
from pathlib import Path
from types import ModuleType

import pytest

from inbox_audit.attachments import pdf_text
from inbox_audit.config import load_settings
from inbox_audit.models import LABELS
from inbox_audit.parties import Parties

SAMPLES = Path(__file__).resolve().parent.parent / "samples"
MONSTER = "vanhoutte-proefrit"
RFQ_DEALS = {"maes-gevelstelling", "wouters-gevelstelling", "scafftech-gevelstelling"}


def load_generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("make_demo", SAMPLES / "make_demo.py")
    module = importlib.util.module_from_spec(spec)
    # dataclasses look their module up in sys.modules while the file executes.
    sys.modules["make_demo"] = module
    try:
        spec.loader.exec_module(module)
    finally:
        del sys.modules["make_demo"]
    return module


def read_truth(path: Path = SAMPLES / "demo-truth.csv") -> list[dict[str, str]]:
    with open(path, newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def split(value: str) -> list[str]:
    return [part for part in value.split(";") if part]


@pytest.fixture(scope="module")
def messages() -> list[EmailMessage]:
    box = mailbox.mbox(str(SAMPLES / "demo.mbox"), create=False)
    try:
        return [email.message_from_bytes(m.as_bytes(), policy=policy.default) for m in box]
    finally:
        box.close()


@pytest.fixture(scope="module")
def truth() -> dict[str, dict[str, str]]:
    return {row["message_id"]: row for row in read_truth()}


def key(msg: EmailMessage) -> str:
    return str(msg["Message-ID"]).strip().strip("<>")


def body_text(msg: EmailMessage) -> str:
    part = msg.get_body(("plain", "html"))
    return part.get_content() if part is not None else ""


def test_committed_demo_equals_a_fresh_generation(tmp_path: Path):
    load_generator().main(tmp_path)
    for name in ("demo.mbox", "demo-truth.csv"):
        assert (tmp_path / name).read_bytes() == (SAMPLES / name).read_bytes(), (
            f"samples/{name} is stale: run `python samples/make_demo.py`")


def test_demo_is_small_enough_to_ship():
    assert (SAMPLES / "demo.mbox").stat().st_size < 5_000_000


def test_every_message_parses_cleanly(messages):
    assert len(messages) >= 150
    for msg in messages:
        assert msg["Message-ID"] and msg["Date"] and msg["From"], key(msg)
        assert parsedate_to_datetime(str(msg["Date"])).tzinfo is not None
        for part in msg.walk():
            assert not part.defects, (key(msg), part.defects)
        assert body_text(msg).strip(), key(msg)


def test_truth_covers_exactly_the_mailbox(messages, truth):
    keys = [key(m) for m in messages]
    assert len(keys) == len(set(keys)), "Message-IDs must be unique"
    assert len(read_truth()) == len(truth), "one truth row per message"
    assert set(keys) == set(truth)


def test_truth_rows_are_well_formed(truth):
    for mid, row in truth.items():
        assert row["label"] in LABELS, mid
        assert not mid.startswith("<") and not mid.endswith(">")
        assert row["note"], mid
        if row["label"] == "other":
            assert row["deal"] == "" and row["supplier"] == "", mid
        else:
            assert len(split(row["deal"])) == len(split(row["supplier"])) >= 1, mid


def test_enough_suppliers_and_deals(truth):
    deals = {d for row in truth.values() for d in split(row["deal"])}
    suppliers = {s for row in truth.values() for s in split(row["supplier"])}
    assert len(deals) >= 40
    assert len(suppliers) >= 15
    assert any("@" in s for s in suppliers), "a free-mail supplier keyed by full address"
    labels = {row["label"] for row in truth.values()}
    assert labels == set(LABELS)


def test_truth_suppliers_follow_the_party_rules(messages, truth):
    # The truth file must agree with SPEC §3 as implemented: registrable domain,
    # full address on free mail, one key per recipient organisation of an RFQ.
    parties = Parties(load_settings(SAMPLES / "demo.toml", explicit=True))
    for msg in messages:
        row = truth[key(msg)]
        if row["label"] == "other":
            continue
        sender = msg["From"].addresses[0].addr_spec
        if parties.is_me(sender):
            addrs = [a.addr_spec for h in ("To", "Cc") if msg[h] for a in msg[h].addresses]
            keys = list(dict.fromkeys(k for k in map(parties.supplier_key, addrs) if k))
        else:
            keys = [parties.supplier_key(sender)]
        assert keys == split(row["supplier"]), key(msg)


def test_only_the_buyers_first_message_of_a_deal_is_a_request(messages, truth):
    parties = Parties(load_settings(SAMPLES / "demo.toml", explicit=True))
    per_deal = defaultdict(list)
    for msg in messages:
        row = truth[key(msg)]
        when = parsedate_to_datetime(str(msg["Date"]))
        for deal in split(row["deal"]):
            per_deal[deal].append((when, row["label"], msg["From"].addresses[0].addr_spec))
    for deal, items in per_deal.items():
        items.sort()
        assert items[0][1] == "request" and parties.is_me(items[0][2]), deal
        assert [label for _, label, _ in items].count("request") == 1, deal
        # Later messages from the buyer's side are follow-ups, never requests or quotes.
        assert all(label == "follow-up" for _, label, sender in items[1:]
                   if parties.is_me(sender)), deal


def test_one_rfq_to_three_suppliers_opens_three_deals(truth):
    rfqs = [row for row in truth.values() if len(split(row["deal"])) > 1]
    assert len(rfqs) == 1
    assert rfqs[0]["label"] == "request"
    assert set(split(rfqs[0]["deal"])) == RFQ_DEALS


def test_the_monster_deal_gets_no_follow_up(messages, truth):
    rows = [(m, truth[key(m)]) for m in messages if MONSTER in split(truth[key(m)]["deal"])]
    labels = [row["label"] for _, row in rows]
    assert labels[0] == "request" and "quote" in labels
    assert "proefrit" in body_text(rows[0][0]).lower()
    quote_at = labels.index("quote")
    quote = rows[quote_at][0]
    assert "104.500,00" in body_text(quote)
    assert any(p.get_filename().lower().endswith(".pdf") for p in quote.iter_attachments())
    # After the quote: the buyer's note and nothing at all from the dealer.
    after = rows[quote_at + 1:]
    assert after and all(m["From"].addresses[0].addr_spec.endswith("@vdbroeck-bouw.be")
                         for m, _ in after)


def test_all_four_languages_are_present(messages):
    markers = {"nl": "offerte", "fr": "devis", "de": "angebot", "en": "quotation"}
    texts = [body_text(m).lower() for m in messages]
    for language, word in markers.items():
        assert sum(word in t for t in texts) >= 2, language


def test_offer_pdfs_hold_extractable_amounts(messages, truth):
    found = 0
    for msg in messages:
        for part in msg.iter_attachments():
            if part.get_content_type() != "application/pdf":
                continue
            text = pdf_text(part.get_content(), "offer.pdf", [])
            assert any(ch.isdigit() for ch in text) and ("EUR" in text or "€" in text)
            found += truth[key(msg)]["label"] == "quote"
    assert found >= 5


def test_mail_mechanics_are_varied(messages, truth):
    raw_dates = [str(m["Date"]) for m in messages]
    assert any(d.endswith("+0000") for d in raw_dates)
    assert any(d.endswith("+0200") for d in raw_dates)
    assert any(d.endswith("+0100") for d in raw_dates)
    assert any(m.get_content_type() == "text/html" for m in messages)
    assert any(m.get_content_type() == "multipart/report" for m in messages)
    assert any(m["List-Unsubscribe"] for m in messages)
    replies_without_threading = [
        m for m in messages
        if str(m["Subject"]).lower().startswith(("re", "tr", "fwd")) and not m["In-Reply-To"]
        and truth[key(m)]["label"] in ("quote", "follow-up")]
    assert len(replies_without_threading) >= 3
    auto = [m for m in messages if m["Auto-Submitted"] or m["X-Autoreply"]]
    assert {truth[key(m)]["label"] for m in auto} <= {"silence", "other"}
    headerless_silence = [m for m in messages if truth[key(m)]["label"] == "silence"
                          and not (m["Auto-Submitted"] or m["X-Autoreply"])]
    assert headerless_silence, "an out-of-office without any auto-reply header"


def test_demo_config_names_every_supplier(truth):
    settings = load_settings(SAMPLES / "demo.toml", explicit=True)
    assert settings.store is None
    suppliers = {s for row in truth.values() for s in split(row["supplier"])}
    assert suppliers <= set(settings.suppliers.names)
