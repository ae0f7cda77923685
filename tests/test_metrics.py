"""Metrics (SPEC §6, §7): hand-computed truth on deals built directly.

Calendar used below (March 2026, no Belgian public holiday): Mon 2, Tue 3, Wed 4,
Thu 5, Fri 6, Mon 9, Tue 10, Wed 11, Thu 12, Fri 13, Mon 16. Easter Monday is 6 April.
"""

from __future__ import annotations

import json
from datetime import date, datetime, time
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from inbox_audit.clock import WorkClock
from inbox_audit.config import Settings
from inbox_audit.metrics import STATUSES, AuditMetrics, compute_metrics, metrics_json
from inbox_audit.models import Address, Classification, Deal, DealMessage, Message, Period

TZ = ZoneInfo("Europe/Brussels")
ALL = Period(None, None, "all")
SETTINGS = Settings(me=["koper@example.be"])


def at(day: str, hour: int = 10) -> datetime:
    """A local Brussels time on ``day`` (YYYY-MM-DD)."""
    return datetime.combine(date.fromisoformat(day), time(hour), tzinfo=TZ)


def m(key: str, day: str, label: str, *, me: bool | None = None, hour: int = 10,
      amount: str | None = None, currency: str | None = None,
      high_intent: bool = False) -> DealMessage:
    """A deal message; requests and buyer chases are from the buyer unless told."""
    from_me = (label == "request") if me is None else me
    return DealMessage(
        key=key, date=at(day, hour), from_me=from_me, label=label, confidence=0.9,
        source="rule", sender="koper@example.be" if from_me else "sales@supplier.be",
        subject="Offerte bestelwagen", amount=Decimal(amount) if amount else None,
        currency=currency or ("EUR" if amount else None), high_intent=high_intent)


def deal(deal_id: str, *msgs: DealMessage, supplier: str = "supplier.be",
         name: str = "Supplier") -> Deal:
    return Deal(deal_id=deal_id, supplier=supplier, supplier_name=name,
                subject="Offerte bestelwagen", thread_id="t-" + deal_id,
                messages=tuple(sorted(msgs, key=lambda x: x.date)))


def as_message(dm: DealMessage) -> Message:
    return Message(
        key=dm.key, message_id=f"<{dm.key}>", date=dm.date, date_source="header",
        sender=Address("", dm.sender), to=(), cc=(), subject=dm.subject, in_reply_to=(),
        references=(), text="", html_only=False, attachments=(), headers=(),
        content_type="text/plain", folder="INBOX", raw_sha256="0" * 64, size=100)


def run(deals: list[Deal], as_of: datetime, period: Period = ALL,
        settings: Settings = SETTINGS) -> AuditMetrics:
    """compute_metrics the way the pipeline calls it, messages and index derived."""
    seen: dict[str, DealMessage] = {}
    index: dict[str, list[str]] = {}
    for d in deals:
        for dm in d.messages:
            seen.setdefault(dm.key, dm)
            index.setdefault(dm.key, []).append(d.deal_id)
    messages = [as_message(dm) for dm in seen.values()]
    labels = {k: Classification(k, dm.label, dm.confidence, dm.source)
              for k, dm in seen.items()}
    clock = WorkClock.from_settings(settings, range(2025, 2028))
    return compute_metrics(deals, messages, labels, clock=clock, settings=settings,
                           as_of=as_of, period=period, deal_index=index)


def only(metrics: AuditMetrics):
    assert len(metrics.deals) == 1
    return metrics.deals[0]


# --- per deal --------------------------------------------------------------------------

def test_quote_on_day_three_is_within_sla():
    d = only(run([deal("d1", m("r", "2026-03-02", "request"),
                       m("q", "2026-03-05", "quote", amount="12500"))],
                 at("2026-03-06", 9)))
    assert (d.quote_wd, d.first_response_wd) == (3, 3)
    assert d.status == "quoted"
    assert d.quote_amount == Decimal("12500") and d.currency == "EUR"


@pytest.mark.parametrize(("request_day", "answer_day", "expected"), [
    ("2026-03-06", "2026-03-09", 1),   # Friday -> Monday
    ("2026-03-07", "2026-03-09", 0),   # a Saturday request answered on Monday
    ("2026-03-02", "2026-03-02", 0),   # same day
    ("2026-03-02", "2026-03-03", 1),   # Monday -> Tuesday
    ("2026-04-03", "2026-04-07", 1),   # Friday -> Tuesday over Easter Monday (BE)
])
def test_quote_latency_in_working_days(request_day, answer_day, expected):
    d = only(run([deal("d1", m("r", request_day, "request"),
                       m("q", answer_day, "quote"))], at("2026-04-30")))
    assert d.quote_wd == expected


def test_young_request_without_quote_is_not_matured():
    # Mon -> Thu is 3 working days: not late yet, so no rate can be given.
    metrics = run([deal("d1", m("r", "2026-03-02", "request"))], at("2026-03-05"))
    d = only(metrics)
    assert d.status == "awaiting quote" and not d.quote_matured
    assert d.silent_wd is None
    assert metrics.totals.requests == 1
    assert metrics.totals.quote_within_sla_rate is None
    assert metrics.totals.response_rate is None
    assert metrics.totals.open_silences == 0


@pytest.mark.parametrize(("as_of", "matured"), [
    ("2026-03-09", False),  # busday_count = 5, not more than the SLA of 5
    ("2026-03-10", True),   # 6 > 5
])
def test_maturity_is_strictly_more_than_the_sla(as_of, matured):
    metrics = run([deal("d1", m("r", "2026-03-02", "request"))], at(as_of))
    assert only(metrics).quote_matured is matured
    assert (metrics.totals.quote_within_sla_rate == 0.0) is matured
    assert (metrics.totals.open_silences == 1) is matured


def test_request_sent_yesterday_is_neither_on_time_nor_late():
    # Monday's request read on Tuesday: no quote yet, but nothing is late either. It
    # stays out of every rate instead of counting as a miss (SPEC §6, maturity).
    young = deal("young", m("r1", "2026-03-09", "request"), supplier="a.be")
    quoted = deal("quoted", m("r2", "2026-03-02", "request"),
                  m("q2", "2026-03-03", "quote"), supplier="b.be")
    metrics = run([young, quoted], at("2026-03-10"))
    d = next(f for f in metrics.deals if f.deal_id == "young")
    assert not d.quote_matured and not d.response_matured and d.silent_wd is None
    assert d.status == "awaiting quote" and d.age_wd == 1
    totals = metrics.totals
    assert totals.requests == 2
    assert (totals.quoted_within_sla, totals.quote_matured) == (1, 1)
    assert (totals.responded, totals.response_matured) == (1, 1)
    assert totals.quote_within_sla_rate == 1.0 and totals.response_rate == 1.0
    alone = run([young], at("2026-03-10")).totals
    assert alone.quote_within_sla_rate is None and alone.response_rate is None


@pytest.mark.parametrize(("as_of", "counted"), [
    ("2026-03-03", False),  # the quote came today
    ("2026-03-04", False),  # busday_count(Tue, Wed) = 1: not more than the SLA of 1
    ("2026-03-05", True),   # 2 > 1: the follow-up is late
])
def test_quote_whose_follow_up_window_has_not_passed_is_not_counted(as_of, counted):
    # A second deal whose follow-up came keeps the rate defined in every case.
    waiting = deal("waiting", m("r1", "2026-03-02", "request"),
                   m("q1", "2026-03-03", "quote"), supplier="a.be")
    done = deal("done", m("r2", "2026-02-23", "request"), m("q2", "2026-02-24", "quote"),
                m("f2", "2026-02-25", "follow-up", me=False), supplier="b.be")
    metrics = run([waiting, done], at(as_of, 18))
    d = next(f for f in metrics.deals if f.deal_id == "waiting")
    assert d.followup_matured is counted
    assert d.status == ("awaiting follow-up" if counted else "quoted")
    assert metrics.totals.followup_matured == 1 + counted
    assert metrics.totals.next_day_followup_rate == (0.5 if counted else 1.0)
    assert (d.silent_wd is not None) is counted


def test_a_follow_up_that_came_matures_the_quote_at_once():
    d = only(run([deal("d1", m("r", "2026-03-02", "request"), m("q", "2026-03-03", "quote"),
                       m("f", "2026-03-03", "follow-up", me=False, hour=15))],
                 at("2026-03-03", 16)))
    assert d.followup_matured and d.followup_after_quote_wd == 0


def test_old_request_without_quote_counts_against_the_rate_and_is_silent():
    metrics = run([deal("d1", m("r", "2026-03-02", "request")),
                   deal("d2", m("r2", "2026-03-02", "request"), m("q2", "2026-03-04", "quote"),
                        m("f2", "2026-03-05", "follow-up"), supplier="other.be")],
                  at("2026-03-12"))
    assert metrics.totals.quote_within_sla_rate == 0.5
    assert metrics.totals.response_rate == 0.5
    (silence,) = metrics.silences
    assert silence.deal_id == "d1"
    assert (silence.silent_wd, silence.awaited, silence.status) == (8, "quote", "awaiting quote")


def test_late_quote_is_matured_and_counts_against_the_rate():
    metrics = run([deal("d1", m("r", "2026-03-02", "request"), m("q", "2026-03-12", "quote"),
                        m("f", "2026-03-13", "follow-up"))], at("2026-03-16"))
    assert only(metrics).quote_wd == 8
    assert metrics.totals.quote_within_sla_rate == 0.0
    assert metrics.totals.response_rate == 1.0


def test_silence_label_does_not_stop_the_first_response_clock():
    d = only(run([deal("d1", m("r", "2026-03-02", "request"),
                       m("ack", "2026-03-02", "silence", me=False, hour=11),
                       m("a", "2026-03-04", "follow-up", me=False))], at("2026-03-05")))
    assert d.first_response_wd == 2
    assert d.quote_wd is None
    assert d.status == "answered, no quote"


def test_only_an_auto_reply_leaves_the_request_unanswered():
    metrics = run([deal("d1", m("r", "2026-03-02", "request"),
                        m("ooo", "2026-03-02", "silence", me=False, hour=11))], at("2026-03-12"))
    d = only(metrics)
    assert d.first_response_wd is None and d.status == "awaiting quote"
    assert d.silent_wd == 8  # measured from the request: the auto-reply is no human message
    assert metrics.totals.response_rate == 0.0


def test_buyer_chases_are_counted():
    d = only(run([deal("d1", m("r", "2026-03-02", "request"),
                       m("c1", "2026-03-05", "follow-up", me=True),
                       m("c2", "2026-03-09", "follow-up", me=True),
                       m("a", "2026-03-10", "follow-up", me=False))], at("2026-03-11")))
    assert d.buyer_chases == 2
    assert d.first_response_wd == 6  # the buyer's own chases are no response


def test_later_buyer_message_mislabelled_request_is_a_chase():
    # SPEC §6: every later message from the buyer's side in a deal is a chase.
    d = only(run([deal("d1", m("r", "2026-03-02", "request"),
                       m("again", "2026-03-09", "request"))], at("2026-03-10")))
    assert d.request_message_id == "r" and d.buyer_chases == 1
    assert d.chase_message_ids == ("again",)


def test_each_figure_names_its_messages():
    d = only(run([deal("d1", m("r", "2026-03-02", "request"),
                       m("ooo", "2026-03-02", "silence", me=False, hour=11),
                       m("a", "2026-03-03", "follow-up", me=False),
                       m("c", "2026-03-04", "follow-up", me=True),
                       m("q", "2026-03-05", "quote"),
                       m("f1", "2026-03-06", "follow-up", me=False),
                       m("f2", "2026-03-13", "follow-up", me=False))], at("2026-03-16")))
    assert (d.request_message_id, d.response_message_id, d.quote_message_id,
            d.followup_message_id) == ("r", "a", "q", "f1")
    assert d.chase_message_ids == ("c",)
    assert d.supplier_followups == 2  # f1 and f2; "a" came before the quote
    assert d.message_ids == ("r", "ooo", "a", "c", "q", "f1", "f2")


def test_buyer_note_to_a_colleague_is_no_chase_and_no_restart_of_the_silence():
    from inbox_audit.deals import build_deals
    from inbox_audit.deals import deal_index as index_of
    from inbox_audit.parties import Parties
    from inbox_audit.threads import build_threads

    settings = Settings(me=["koper@example.be"], my_domains=["example.be"])
    parties = Parties(settings)

    def mail(key, day, sender, to, refs=()):
        return Message(
            key=key, message_id=f"<{key}>", date=at(day), date_source="header",
            sender=Address("", sender), to=tuple(Address("", a) for a in to), cc=(),
            subject="Offerte", in_reply_to=tuple(refs[-1:]), references=tuple(refs),
            text="", html_only=False, attachments=(), headers=(),
            content_type="text/plain", folder="INBOX", raw_sha256="0" * 64, size=1)

    msgs = [mail("r", "2026-03-02", "koper@example.be", ["sales@supplier.be"]),
            mail("fwd", "2026-03-09", "koper@example.be", ["collega@example.be"], ["r"])]
    labels = {"r": Classification("r", "request", 1.0, "correction"),
              "fwd": Classification("fwd", "follow-up", 1.0, "correction")}
    deals = build_deals(msgs, build_threads(msgs, parties), labels, parties)
    clock = WorkClock.from_settings(settings, [2026])
    metrics = compute_metrics(deals, msgs, labels, clock=clock, settings=settings,
                              as_of=at("2026-03-10"), period=ALL, deal_index=index_of(deals))
    d = only(metrics)
    assert d.buyer_chases == 0 and d.message_ids == ("r",)
    assert d.silent_wd == 6  # measured from the request: the supplier saw nothing since


def test_persistence_and_chases_per_supplier():
    deals = [
        deal("a1", m("ra1", "2026-03-02", "request"), m("qa1", "2026-03-03", "quote"),
             m("fa1", "2026-03-04", "follow-up", me=False),
             m("fa2", "2026-03-11", "follow-up", me=False), supplier="a.be", name="A"),
        deal("a2", m("ra2", "2026-03-02", "request"),
             m("ca2", "2026-03-09", "follow-up", me=True),
             m("qa2", "2026-03-10", "quote"), supplier="a.be", name="A"),
        deal("a3", m("ra3", "2026-03-02", "request"),
             m("ca3", "2026-03-09", "follow-up", me=True),
             m("cb3", "2026-03-12", "follow-up", me=True), supplier="a.be", name="A"),
    ]
    metrics = run(deals, at("2026-03-16"))
    (a,) = metrics.suppliers
    f = a.figures
    assert (f.supplier_followups, f.quotes, f.followups_per_quote) == (2, 2, 1.0)
    assert (f.buyer_chases, f.chases_per_request) == (3, 1.0)
    assert f.median_quote_wd == 3.5  # 1 and 6
    doc = metrics_json(metrics)
    assert doc["suppliers"][0]["followups_per_quote"] == 1.0
    assert doc["totals"]["chases_per_request"] == 1.0
    by_id = {d["deal_id"]: d for d in doc["deals"]}
    assert by_id["a3"]["chase_message_ids"] == ["ca3", "cb3"]
    assert by_id["a1"]["supplier_followups"] == 2


def test_revised_offer_is_a_quote_not_the_follow_up():
    metrics = run([deal("d1", m("r", "2026-03-02", "request"),
                        m("q1", "2026-03-03", "quote", amount="1000"),
                        m("q2", "2026-03-04", "quote", amount="900"),
                        m("f", "2026-03-06", "follow-up", me=False))], at("2026-03-09"))
    d = only(metrics)
    assert d.followup_after_quote_wd == 3  # Tue quote -> Fri follow-up
    assert d.quote_amount == Decimal("1000")  # from the first quote
    assert metrics.totals.next_day_followup_rate == 0.0


def test_follow_up_the_day_after_the_quote():
    metrics = run([deal("d1", m("r", "2026-03-02", "request"), m("q", "2026-03-03", "quote"),
                        m("f", "2026-03-04", "follow-up", me=False))], at("2026-03-09"))
    d = only(metrics)
    assert d.followup_after_quote_wd == 1 and d.status == "followed up"
    assert metrics.totals.next_day_followup_rate == 1.0
    assert d.silent_wd is None


def test_quote_then_nothing_is_a_silence_awaiting_follow_up():
    metrics = run([deal("d1", m("r", "2026-03-02", "request"),
                        m("q", "2026-03-03", "quote", amount="100000"))], at("2026-03-06"))
    d = only(metrics)
    assert (d.status, d.silent_wd, d.awaited) == ("awaiting follow-up", 3, "follow-up")
    assert d.silent_since == date(2026, 3, 5)  # Tue + 1 working day, then the next day
    assert metrics.totals.next_day_followup_rate == 0.0
    assert metrics.totals.open_silences == 1


def test_quote_within_follow_up_deadline_is_not_yet_judged():
    metrics = run([deal("d1", m("r", "2026-03-02", "request"), m("q", "2026-03-03", "quote"))],
                  at("2026-03-04"))
    assert only(metrics).status == "quoted"
    assert metrics.totals.next_day_followup_rate is None
    assert metrics.totals.quote_within_sla_rate == 1.0


def test_chase_after_quote_left_unanswered_is_a_silence():
    d = only(run([deal("d1", m("r", "2026-03-02", "request"), m("q", "2026-03-03", "quote"),
                       m("f", "2026-03-04", "follow-up", me=False),
                       m("c", "2026-03-05", "follow-up", me=True))], at("2026-03-16")))
    assert (d.silent_wd, d.awaited) == (7, "follow-up")


def test_supplier_question_puts_the_ball_with_the_buyer():
    d = only(run([deal("d1", m("r", "2026-03-02", "request"),
                       m("a", "2026-03-03", "follow-up", me=False))], at("2026-03-16")))
    assert d.silent_wd is None


def test_one_rfq_to_three_suppliers_counts_three_requests():
    deals = [deal(f"d{i}", m("rfq", "2026-03-02", "request"), supplier=f"s{i}.be",
                  name=f"S{i}") for i in range(3)]
    deals[0] = deal("d0", m("rfq", "2026-03-02", "request"), m("q0", "2026-03-03", "quote"),
                    supplier="s0.be", name="S0")
    metrics = run(deals, at("2026-03-04"))
    assert metrics.totals.requests == 3
    assert metrics.totals.quotes == 1
    assert metrics.totals.messages == 2  # the RFQ is one message
    doc = metrics_json(metrics)
    (rfq,) = [r for r in doc["messages"] if r["message_id"] == "rfq"]
    assert rfq["deal_id"] == "d0" and rfq["deal_ids"] == ["d0", "d1", "d2"]
    assert {s["supplier"]: s["requests"] for s in doc["suppliers"]} == {
        "s0.be": 1, "s1.be": 1, "s2.be": 1}


def test_message_after_as_of_does_not_exist_yet():
    metrics = run([deal("d1", m("r", "2026-03-02", "request"),
                        m("q", "2026-03-12", "quote"))], at("2026-03-11"))
    d = only(metrics)
    assert d.quote_wd is None and d.status == "awaiting quote"
    assert "q" not in d.message_ids
    assert metrics.totals.messages == 1


def test_deal_entirely_after_as_of_is_left_out():
    metrics = run([deal("d1", m("r", "2026-03-12", "request"))], at("2026-03-11"))
    assert metrics.deals == () and metrics.totals.requests == 0


def test_deal_without_request_is_listed_but_not_rated():
    metrics = run([deal("d1", m("q", "2026-03-02", "quote", amount="50"))], at("2026-03-16"))
    d = only(metrics)
    assert d.status == "no request" and d.request_message_id is None
    assert d.quote_amount == Decimal("50")
    assert metrics.totals.requests == 0 and metrics.totals.quotes == 0
    assert metrics.totals.quote_within_sla_rate is None
    assert metrics.silences == ()


def test_high_intent_comes_from_the_request():
    d = only(run([deal("d1", m("r", "2026-03-02", "request", high_intent=True))],
                 at("2026-03-03")))
    assert d.high_intent


def test_median_and_p90_of_first_response():
    deals = [deal(f"d{i}", m(f"r{i}", "2026-03-02", "request"),
                  m(f"q{i}", day, "quote"), supplier=f"s{i}.be")
             for i, day in enumerate(["2026-03-02", "2026-03-03", "2026-03-04",
                                      "2026-03-05", "2026-03-12"])]
    deals.append(deal("dx", m("rx", "2026-03-02", "request"), supplier="x.be"))
    totals = run(deals, at("2026-03-16")).totals
    assert totals.median_first_response_wd == 2.0  # 0, 1, 2, 3, 8
    assert totals.p90_first_response_wd == pytest.approx(6.0)  # linear between 3 and 8
    assert totals.quote_within_sla_rate == pytest.approx(4 / 6)
    assert (totals.quoted_within_sla, totals.quote_matured) == (4, 6)


# --- period, silences, suppliers, weeks ------------------------------------------------

def test_period_selects_deals_but_silences_cover_every_deal():
    old = deal("old", m("r0", "2026-02-02", "request"),
               m("q0", "2026-02-03", "quote", amount="100000"), supplier="big.be")
    recent = deal("new", m("r1", "2026-03-02", "request"), supplier="small.be")
    week10 = Period(date(2026, 3, 2), date(2026, 3, 8), "2026-W10")
    metrics = run([old, recent], at("2026-03-10"), period=week10)
    assert [d.deal_id for d in metrics.deals] == ["new"]
    assert metrics.totals.requests == 1
    assert [s.deal_id for s in metrics.silences] == ["old", "new"]
    assert metrics.totals.open_silences == 2
    by_id = {s.deal_id: s for s in metrics.silences}
    assert not by_id["old"].new_silence  # silent since February
    assert not by_id["new"].new_silence  # turned silent on Tue 10 March, after the week


def test_silence_that_turned_silent_in_the_period_is_new():
    d = deal("d1", m("r", "2026-03-02", "request"))
    week = Period(date(2026, 3, 9), date(2026, 3, 15), "2026-W11")
    (s,) = run([d], at("2026-03-16"), period=week).silences
    assert s.silent_since == date(2026, 3, 10) and s.new_silence


def test_silences_are_ranked_by_value_then_intent_then_age():
    deals = [
        deal("small", m("r1", "2026-03-02", "request"), m("q1", "2026-03-03", "quote",
                                                          amount="900"), supplier="a.be"),
        deal("big", m("r2", "2026-03-04", "request"), m("q2", "2026-03-05", "quote",
                                                        amount="120000"), supplier="b.be"),
        deal("old", m("r3", "2026-02-02", "request"), supplier="c.be"),
        deal("demo", m("r4", "2026-03-02", "request", high_intent=True), supplier="d.be"),
    ]
    ranked = [s.deal_id for s in run(deals, at("2026-03-16")).silences]
    assert ranked == ["big", "small", "demo", "old"]


def test_per_supplier_figures():
    deals = [
        deal("a1", m("ra1", "2026-03-02", "request"), m("qa1", "2026-03-03", "quote"),
             m("fa1", "2026-03-04", "follow-up", me=False), supplier="a.be", name="A"),
        deal("a2", m("ra2", "2026-03-02", "request"), m("qa2", "2026-03-10", "quote"),
             supplier="a.be", name="A"),
        deal("b1", m("rb1", "2026-03-02", "request"), supplier="b.be", name="B"),
    ]
    metrics = run(deals, at("2026-03-16"))
    sup = {s.supplier: s for s in metrics.suppliers}
    a, b = sup["a.be"].figures, sup["b.be"].figures
    assert (a.requests, a.quotes, a.messages) == (2, 2, 5)
    assert a.quote_within_sla_rate == 0.5
    assert a.next_day_followup_rate == 0.5
    assert a.open_silences == 1  # a2: quote, no follow-up
    assert (b.requests, b.quotes, b.quote_within_sla_rate, b.response_rate) == (1, 0, 0.0, 0.0)
    assert b.median_first_response_wd is None
    assert sup["b.be"].name == "B"


def test_per_week_figures():
    deals = [
        deal("w9", m("r9", "2026-02-23", "request"), m("q9", "2026-02-24", "quote"),
             supplier="a.be"),
        deal("w10a", m("r10", "2026-03-02", "request"), m("q10", "2026-03-12", "quote"),
             supplier="b.be"),
        # Sunday 8 March still belongs to ISO week 10.
        deal("w10b", m("r10b", "2026-03-08", "request"), supplier="c.be"),
    ]
    metrics = run(deals, at("2026-03-16"))
    weeks = {w.week: w for w in metrics.weeks}
    assert len(metrics.weeks) >= 12 and metrics.weeks[-1].week == "2026-W12"
    assert list(weeks) == sorted(weeks)
    assert weeks["2026-W09"].figures.requests == 1
    assert weeks["2026-W09"].figures.quote_within_sla_rate == 1.0
    assert weeks["2026-W10"].figures.requests == 2
    # w10a quoted late (matured, missed); w10b, Sunday -> Monday 16 is 5 wd: not yet due.
    assert weeks["2026-W10"].figures.quote_within_sla_rate == 0.0
    assert weeks["2026-W10"].figures.quote_matured == 1
    assert weeks["2026-W10"].figures.open_silences == 1  # w10a awaits its follow-up
    assert weeks["2026-W10"].start == date(2026, 3, 2)
    assert weeks["2026-W11"].figures.requests == 0
    assert weeks["2026-W11"].figures.messages == 1  # the late quote of 12 March
    assert weeks["2026-W11"].figures.quote_within_sla_rate is None


def test_naive_as_of_is_read_in_the_configured_zone():
    metrics = run([deal("d1", m("r", "2026-03-02", "request"))], datetime(2026, 3, 12, 9))
    assert metrics.as_of.tzinfo is not None and only(metrics).silent_wd == 8


def test_statuses_are_documented_vocabulary():
    deals = [deal("a", m("r", "2026-03-02", "request")),
             deal("b", m("q", "2026-03-02", "quote"), supplier="b.be")]
    for d in run(deals, at("2026-03-03")).deals:
        assert d.status in STATUSES


# --- JSON ------------------------------------------------------------------------------

SPEC_TOTALS = {"messages", "requests", "quotes", "quote_within_sla_rate",
               "next_day_followup_rate", "response_rate", "median_first_response_wd",
               "open_silences"}
SPEC_DEAL = {"deal_id", "supplier", "subject", "opened", "request_message_id",
             "first_response_wd", "quote_wd", "followup_after_quote_wd", "buyer_chases",
             "quote_amount", "currency", "high_intent", "status", "silent_wd"}


def test_json_has_every_spec_key_and_unknowns_are_null():
    metrics = run([deal("d1", m("r", "2026-03-02", "request")),
                   deal("d2", m("r2", "2026-03-02", "request"),
                        m("q2", "2026-03-03", "quote", amount="1234.50", currency="GBP"),
                        supplier="b.be")],
                  at("2026-03-04", 9))
    doc = json.loads(json.dumps(metrics_json(metrics)))
    assert doc["schema"] == "inbox-audit/metrics/v1"
    assert datetime.fromisoformat(doc["as_of"]).utcoffset() is not None
    assert doc["period"] == {"start": None, "end": None, "label": "all"}
    assert set(doc["totals"]) >= SPEC_TOTALS
    assert doc["totals"]["next_day_followup_rate"] is None  # nothing matured yet
    assert doc["totals"]["quote_within_sla_rate"] == 1.0  # only the quoted one matured
    for supplier in doc["suppliers"]:
        assert {"supplier", "name"} | SPEC_TOTALS <= set(supplier)
    deals = {d["deal_id"]: d for d in doc["deals"]}
    for d in deals.values():
        assert set(d) >= SPEC_DEAL
        assert datetime.fromisoformat(d["opened"]).utcoffset() is not None
    unanswered = deals["d1"]
    for key in ("first_response_wd", "quote_wd", "followup_after_quote_wd", "quote_amount",
                "currency", "silent_wd"):
        assert unanswered[key] is None, key
    assert unanswered["buyer_chases"] == 0
    assert deals["d2"]["quote_amount"] == 1234.5 and deals["d2"]["currency"] == "GBP"
    for record in doc["messages"]:
        assert {"message_id", "deal_id", "label", "confidence", "source"} <= set(record)
        assert not record["message_id"].startswith("<")


def test_json_period_dates_and_empty_mailbox():
    week = Period(date(2026, 3, 2), date(2026, 3, 8), "2026-W10")
    doc = metrics_json(run([], at("2026-03-09"), period=week))
    assert doc["period"] == {"start": "2026-03-02", "end": "2026-03-08", "label": "2026-W10"}
    assert doc["totals"]["requests"] == 0 and doc["totals"]["response_rate"] is None
    assert doc["totals"]["median_first_response_wd"] is None
    assert doc["deals"] == [] and doc["suppliers"] == [] and doc["messages"] == []
    json.dumps(doc)


def test_json_written_in_pieces_is_the_document(monkeypatch):
    """The report writes the JSON with json_chunks: byte for byte what dumps writes of
    the whole document, at any slicing, for dates of any century (some local mean
    times had offsets with seconds), undated messages and odd text."""
    from dataclasses import replace
    from datetime import UTC, timedelta

    from inbox_audit import metrics_json as mj
    from inbox_audit.metrics_records import MessageRecord

    metrics = run([deal("d1", m("r", "2026-03-02", "request"),
                        m("q", "2026-03-03", "quote", amount="10")),
                   deal("d2", m("r", "2026-03-02", "request"), supplier="b.be")],
                  at("2026-03-04", 9))
    metrics = replace(metrics, deals=(replace(metrics.deals[0], subject=mj._PLACEHOLDER),
                                      *metrics.deals[1:]))
    start = datetime(1850, 1, 1, tzinfo=UTC)
    records = [MessageRecord(f"k{i}\n\x00\"é", ("d1", "d2")[: i % 3], "quote", 0.5, "rule",
                             None if i % 11 == 0 else
                             start + timedelta(days=i * 367.3, microseconds=i % 4 * 1234))
               for i in range(230)]
    for tz in ("Europe/Brussels", "Asia/Kolkata", "UTC"):
        for size in (1, 7, 2_000):
            monkeypatch.setattr(mj, "_SLICE", size)
            for records_ in (records, [], records[:1]):
                doc = replace(metrics, messages=tuple(records_), timezone=tz)
                assert b"".join(mj.json_chunks(doc)) == mj.dumps(metrics_json(doc))


def test_time_zone_offsets_are_whole_minutes_since_1973():
    """What json_chunks relies on to let orjson write the dates (it writes an offset
    in whole minutes): true of every time zone this machine knows."""
    from datetime import UTC, timedelta
    from zoneinfo import available_timezones

    from inbox_audit.metrics_json import _WHOLE_MINUTE_OFFSETS

    instants = [_WHOLE_MINUTE_OFFSETS + timedelta(days=d) for d in range(0, 46_000, 61)]
    assert instants[0].tzinfo is UTC
    for name in available_timezones():
        tz = ZoneInfo(name)
        assert all(t.astimezone(tz).utcoffset() % timedelta(minutes=1) == timedelta(0)
                   for t in instants), name
