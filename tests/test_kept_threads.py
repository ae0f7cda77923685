"""Threads kept in the store (kept_threads): new mail threaded against the kept threads
gives exactly the threads and contexts that threading every message gives, whatever
the mail; and whatever can change old threads makes everything be threaded again."""

from __future__ import annotations

import hashlib
import random
from dataclasses import replace
from pathlib import Path

import pytest
from test_threads import ME, make_message

from inbox_audit import kept_threads as kept_mod
from inbox_audit.config import Settings, SuppliersSettings
from inbox_audit.kept_threads import kept_threads, threading_version
from inbox_audit.models import Message
from inbox_audit.parties import Parties
from inbox_audit.store import Store
from inbox_audit.threads import build_threads, message_contexts, sort_key

SETTINGS = Settings(me=[ME], my_domains=["bedrijf.be"])
SUPPLIERS = ["jan@garage-peeters.be", "an@garage-peeters.be", "els@claes-bouw.be",
             "marc.d@gmail.com", "info@dubois-sa.fr", "collega@bedrijf.be"]
SUBJECTS = ["Offerte", "Re: Offerte", "AW: Offerte", "Prijsaanvraag bestelwagen",
            "RE: Prijsaanvraag bestelwagen", "Fwd: Offerte", "Vraag", "", "[EXT] Re: Vraag"]


def random_mail(rng: random.Random, n: int, prefix: str = "m") -> list[Message]:
    """``n`` messages over months: mostly conversations (a reply names the mail it
    answers and its references, keeps its subject, goes back to its sender), also fresh
    mails with reused subjects to one or two suppliers, replies that name mail of other
    conversations or mail we never got, mail without a Message-ID or with an empty one,
    and a few undated."""
    msgs: list[Message] = []
    hours = 0
    for i in range(n):
        hours += rng.choice([1, 3, 20, 70, 300, 900, 1600])
        key = f"{prefix}{i}@x"
        fields = {"key": key, "date": None if rng.random() < 0.04 else hours,
                  "raw_sha256": hashlib.sha256(key.encode()).hexdigest()}
        roll = rng.random()
        if msgs and roll < 0.5:
            parent = rng.choice(msgs[-12:])
            named = [*parent.references, *parent.in_reply_to[:1]]
            if not parent.key.startswith("sha256:"):
                named.append(parent.key)
            fields["in_reply_to"], fields["references"] = named[-1:], named[:-1]
            fields["subject"] = rng.choice(["Re: ", "", "AW: "]) + parent.subject
            if parent.sender is not None and parent.sender.addr == ME:
                fields["sender"], fields["to"] = parent.to[0].addr, [ME]
            else:
                fields["sender"] = ME
                fields["to"] = [parent.sender.addr if parent.sender else SUPPLIERS[0]]
        else:
            fields["subject"] = rng.choice(SUBJECTS)
            if rng.random() < 0.5:
                fields["sender"], fields["to"] = ME, rng.sample(SUPPLIERS, rng.choice([1, 1, 2]))
            else:
                fields["sender"], fields["to"] = rng.choice(SUPPLIERS), [ME]
            if msgs and roll > 0.95:  # names mail of any conversation, or mail we never got
                fields["references"] = [rng.choice(msgs[-8:]).key
                                        if rng.random() < 0.5 else f"gone{rng.randrange(4)}@x"]
        if rng.random() < 0.06:
            fields["key"] = "sha256:" + hashlib.sha256(key.encode()).hexdigest()
        msg = make_message(**fields)
        if msg.key.startswith("sha256:"):
            msg = replace(msg, message_id="<>" if rng.random() < 0.5 else None)
        msgs.append(msg)
    return msgs


def mail(**fields) -> Message:
    """``make_message`` with its own raw hash (the store holds each raw mail once)."""
    return make_message(raw_sha256=hashlib.sha256(fields["key"].encode()).hexdigest(),
                        **fields)


def store_with(path: Path, msgs: list[Message]) -> Store:
    store = Store.open(path)
    for msg in msgs:
        store.add_message(msg, msg.key.encode(), "test")
    return store


def threaded_anew(store: Store, settings: Settings = SETTINGS):
    msgs = list(store.iter_messages(light=True))
    parties = Parties(settings)
    threads = build_threads(msgs, parties)
    return threads, message_contexts(msgs, threads, parties)


@pytest.fixture
def full_runs(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Counts the runs that threaded every message."""
    runs: list[int] = []
    whole = kept_mod.threads_and_parts

    def counted(*args, **kwargs):
        runs.append(1)
        return whole(*args, **kwargs)

    monkeypatch.setattr(kept_mod, "threads_and_parts", counted)
    return runs


def later_split(rng: random.Random, msgs: list[Message]) -> tuple[list, list]:
    """Old mail and the new mail that came after it (the weekly case)."""
    ordered = sorted(msgs, key=sort_key)
    dated = [m for m in ordered if m.date is not None]
    cut = rng.randrange(len(dated) // 2, len(dated))
    undated = [m for m in ordered if m.date is None]
    return dated[:cut] + undated, dated[cut:]


@pytest.mark.parametrize("seed", range(12))
def test_new_mail_threads_as_if_all_were_threaded_anew(tmp_path: Path, seed: int,
                                                       full_runs: list[int]) -> None:
    fast = 0
    for round_ in range(25):
        rng = random.Random(seed * 1000 + round_)
        msgs = random_mail(rng, rng.randrange(5, 60))
        old, new = later_split(rng, msgs) if round_ % 5 else (
            rng.sample(msgs, len(msgs) // 2), [])  # and now and then any order at all
        if not new:
            new = [m for m in msgs if m not in old]
        path = tmp_path / f"s{round_}.db"
        with store_with(path, old) as store:
            kept_threads(store, SETTINGS, list(store.iter_messages(light=True)),
                         Parties(SETTINGS))
            for msg in new:
                store.add_message(msg, msg.key.encode(), "test")
            runs = len(full_runs)
            for _ in range(2):  # with new mail, then with none
                got = kept_threads(store, SETTINGS, list(store.iter_messages(light=True)),
                                   Parties(SETTINGS))
                assert got == threaded_anew(store)
            fast += len(full_runs) == runs
            # What is kept now is what threading everything keeps: later mail builds on it.
            version = threading_version(SETTINGS)
            kept = store.threading(version)
            with store_with(tmp_path / f"f{round_}.db", old + new) as fresh:
                kept_threads(fresh, SETTINGS, list(fresh.iter_messages(light=True)),
                             Parties(SETTINGS))
                assert kept == fresh.threading(version)
    assert fast >= 5  # the point: most weekly rounds thread only the new mail


def test_a_reply_threads_only_the_new_mail(tmp_path: Path, full_runs: list[int]) -> None:
    rfq = mail(key="rfq@b", sender=ME, to=["jan@garage-peeters.be"], date=0)
    quote = mail(key="q@p", subject="Re: Offerte", in_reply_to=["rfq@b"], date=30)
    with store_with(tmp_path / "s.db", [rfq, quote]) as store:
        kept_threads(store, SETTINGS, list(store.iter_messages()), Parties(SETTINGS))
        chase = mail(key="c@b", sender=ME, to=["jan@garage-peeters.be"],
                             subject="Re: Offerte", in_reply_to=["q@p"], date=200)
        store.add_message(chase, b"chase", "test")
        threads, contexts = kept_threads(store, SETTINGS, list(store.iter_messages()),
                                         Parties(SETTINGS))
    assert len(full_runs) == 1
    assert [t.keys for t in threads] == [("rfq@b", "q@p", "c@b")]
    assert contexts["c@b"].from_me and not contexts["c@b"].first_in_thread


def test_a_new_supplier_in_an_old_conversation_threads_everything(
        tmp_path: Path, full_runs: list[int]) -> None:
    # The new mail copies a second dealer: the old conversation could now join another
    # by subject, so everything is threaded again.
    rfq = mail(key="rfq@b", sender=ME, to=["jan@garage-peeters.be"], date=0)
    other = mail(key="o@c", sender="els@claes-bouw.be", date=5)
    with store_with(tmp_path / "s.db", [rfq, other]) as store:
        kept_threads(store, SETTINGS, list(store.iter_messages()), Parties(SETTINGS))
        fwd = mail(key="f@b", sender=ME, to=["els@claes-bouw.be"],
                           subject="Fwd: Offerte", references=["rfq@b"], date=40)
        store.add_message(fwd, b"fwd", "test")
        got = kept_threads(store, SETTINGS, list(store.iter_messages()), Parties(SETTINGS))
        assert got == threaded_anew(store)
    assert len(full_runs) == 2


def test_forgetting_mail_or_changing_the_parties_threads_everything_again(
        tmp_path: Path, full_runs: list[int]) -> None:
    rfq = mail(key="rfq@b", sender=ME, to=["jan@garage-peeters.be"], date=0)
    middle = mail(key="q@p", in_reply_to=["rfq@b"], date=30)
    last = mail(key="r@p", subject="Re: Re: Offerte 2026-117", in_reply_to=["q@p"], date=60)
    with store_with(tmp_path / "s.db", [rfq, middle, last]) as store:
        kept_threads(store, SETTINGS, list(store.iter_messages()), Parties(SETTINGS))
        store.forget(["q@p"])  # the link between the two others goes with it
        threads, _ = kept_threads(store, SETTINGS, list(store.iter_messages()),
                                  Parties(SETTINGS))
        assert [t.keys for t in threads] == [("rfq@b",), ("r@p",)]
        assert len(full_runs) == 2
        merged = Settings(me=[ME], my_domains=["bedrijf.be"], suppliers=SuppliersSettings(
            merge={"peeters": ["garage-peeters.be"]}))
        got = kept_threads(store, merged, list(store.iter_messages()), Parties(merged))
        assert len(full_runs) == 3
        assert got == threaded_anew(store, merged)
        assert got[1]["r@p"].supplier == "peeters"


def test_the_threads_are_kept_and_read_back(tmp_path: Path) -> None:
    msgs = random_mail(random.Random(7), 40)
    with store_with(tmp_path / "s.db", msgs) as store:
        assert store.threading(threading_version(SETTINGS)) == {}
        first = kept_threads(store, SETTINGS, list(store.iter_messages()), Parties(SETTINGS))
        kept = store.threading(threading_version(SETTINGS))
        assert set(kept) == {m.key for m in msgs}
        assert kept_threads(store, SETTINGS, list(store.iter_messages()),
                            Parties(SETTINGS)) == first


def test_a_reading_command_keeps_nothing(tmp_path: Path) -> None:
    msgs = random_mail(random.Random(3), 20)
    with store_with(tmp_path / "s.db", msgs) as store:
        got = kept_threads(store, SETTINGS, list(store.iter_messages()), Parties(SETTINGS),
                           keep=False)
        assert got == threaded_anew(store)
        assert store.threading(threading_version(SETTINGS)) == {}


def test_rows_of_mail_no_longer_stored_are_not_trusted(tmp_path: Path) -> None:
    msgs = random_mail(random.Random(5), 20)
    with store_with(tmp_path / "s.db", msgs) as store:
        kept_threads(store, SETTINGS, list(store.iter_messages()), Parties(SETTINGS))
        version = threading_version(SETTINGS)
        store.save_threading([("gone@x", "gone@x", "gone@x", "00")], version, clear=False)
        got = kept_threads(store, SETTINGS, list(store.iter_messages()), Parties(SETTINGS))
        assert got == threaded_anew(store)
        assert "gone@x" not in store.threading(version)
