"""Properties of the clock and the metrics that must hold for any mailbox (hypothesis).

Deals are drawn at random: any mix of buyer and supplier messages with any label (the
classifier can be wrong), at any hour of any day, weekends and holidays included.
"""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta

import holidays
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_metrics import ALL, SETTINGS, as_message

from inbox_audit.clock import WorkClock
from inbox_audit.metrics import AuditMetrics, DealFigures, compute_metrics
from inbox_audit.metrics_deal import deal_figures
from inbox_audit.models import Classification, Deal, DealMessage

START = datetime(2026, 3, 2, tzinfo=UTC)  # a Monday; Easter Monday 6 April is in range
AS_OF = datetime(2026, 7, 1, 12, tzinfo=UTC)
LABELS = ("request", "quote", "follow-up", "silence")
LATENCIES = ("first_response_wd", "quote_wd", "followup_after_quote_wd")
CLOCK = WorkClock.from_settings(SETTINGS, [2025, 2026, 2027])
BE = holidays.country_holidays("BE", years=[2025, 2026, 2027])

PROPERTY = settings(max_examples=150, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])


@st.composite
def timelines(draw: st.DrawFn, min_size: int = 1) -> list[DealMessage]:
    """A deal's messages: usually opened by a buyer request, then anything."""
    size = draw(st.integers(min_size, 9))
    minutes = sorted(draw(st.lists(st.integers(0, 60 * 24 * 70), min_size=size,
                                   max_size=size, unique=True)))
    msgs = []
    for i, minute in enumerate(minutes):
        if i == 0 and draw(st.booleans()) or draw(st.integers(0, 9)) == 0:
            from_me, label = True, "request"
        else:
            from_me, label = draw(st.booleans()), draw(st.sampled_from(LABELS))
        msgs.append(message(f"m{i}", START + timedelta(minutes=minute), from_me, label))
    return msgs


def message(key: str, when: datetime, from_me: bool, label: str) -> DealMessage:
    return DealMessage(key=key, date=when, from_me=from_me, label=label, confidence=0.9,
                       source="rule", sender="koper@example.be" if from_me else "s@s.be",
                       subject="Offerte")


def as_deal(msgs: list[DealMessage], deal_id: str = "d1", supplier: str = "s.be") -> Deal:
    return Deal(deal_id=deal_id, supplier=supplier, supplier_name=supplier, subject="Offerte",
                thread_id="t-" + deal_id, messages=tuple(sorted(msgs, key=lambda m: m.date)))


def figures(msgs: list[DealMessage], as_of: datetime = AS_OF) -> DealFigures | None:
    """The figures of one deal, exactly as compute_metrics makes them."""
    return deal_figures(as_deal(msgs), CLOCK, as_of, ALL, SETTINGS.quote_sla_wd,
                        SETTINGS.followup_sla_wd)


def run(deals: list[Deal], as_of: datetime) -> AuditMetrics:
    """compute_metrics the way the pipeline calls it (messages and index derived)."""
    seen: dict[str, DealMessage] = {}
    index: dict[str, list[str]] = {}
    for d in deals:
        for dm in d.messages:
            seen.setdefault(dm.key, dm)
            index.setdefault(dm.key, []).append(d.deal_id)
    labels = {k: Classification(k, dm.label, dm.confidence, dm.source)
              for k, dm in seen.items()}
    return compute_metrics(deals, [as_message(dm) for dm in seen.values()], labels,
                           clock=CLOCK, settings=SETTINGS, as_of=as_of, period=ALL,
                           deal_index=index)


# --- the clock ---------------------------------------------------------------------------

def naive_workdays(d0: date, d1: date) -> int:
    """Weekdays in [d0, d1) that are no Belgian holiday, counted one by one."""
    days = (d0 + timedelta(days=i) for i in range((d1 - d0).days))
    return sum(1 for d in days if d.weekday() < 5 and d not in BE)


instants = st.datetimes(min_value=datetime(2025, 1, 1), max_value=datetime(2027, 12, 31),
                        timezones=st.just(UTC))


# Latencies always run forward in time (t0 <= t1), so that is what is checked here.

@PROPERTY
@given(instants, instants)
def test_clock_counts_what_a_calendar_counts(t0, t1):
    t0, t1 = sorted((t0, t1))
    expected = naive_workdays(CLOCK.local_date(t0), CLOCK.local_date(t1))
    assert CLOCK.wd_between(t0, t1) == expected


@PROPERTY
@given(instants, instants, instants)
def test_clock_is_additive(t0, t1, t2):
    t0, t1, t2 = sorted((t0, t1, t2))
    assert CLOCK.wd_between(t0, t1) + CLOCK.wd_between(t1, t2) == CLOCK.wd_between(t0, t2)


# --- one deal ----------------------------------------------------------------------------

@PROPERTY
@given(timelines())
def test_latencies_are_never_negative(msgs):
    f = figures(msgs)
    assert f is not None
    for name in (*LATENCIES, "silent_wd"):
        value = getattr(f, name)
        assert value is None or value >= 0, name
    assert f.age_wd >= 0
    assert all(p.wd >= 0 for p in f.timeline if p.date >= f.opened)
    if f.first_response_wd is not None and f.quote_wd is not None:
        assert f.first_response_wd <= f.quote_wd  # a quote is a response
    if f.has_request:
        assert f.quote_matured <= f.response_matured  # quoted implies answered
    else:
        assert all(getattr(f, name) is None for name in LATENCIES)
        assert f.silent_wd is None and f.buyer_chases == 0


@PROPERTY
@given(timelines(), st.integers(1, 60 * 24 * 30), st.booleans(), st.sampled_from(LABELS))
def test_a_later_message_never_changes_an_earlier_latency(msgs, minutes, from_me, label):
    before = figures(msgs)
    last = max(m.date for m in msgs)
    later = message("later", last + timedelta(minutes=minutes), from_me, label)
    after = figures([*msgs, later])
    assert before is not None and after is not None
    for name in (*LATENCIES, "request_message_id", "response_message_id",
                 "quote_message_id", "followup_message_id"):
        if getattr(before, name) is not None:
            assert getattr(after, name) == getattr(before, name), name
    assert after.buyer_chases >= before.buyer_chases
    assert (after.quote_amount, after.high_intent) == (before.quote_amount, before.high_intent) \
        or before.quote_message_id is None


@PROPERTY
@given(timelines(), st.integers(0, 60 * 24 * 60), st.integers(1, 60 * 24 * 60))
def test_time_passing_never_undoes_a_figure(msgs, early, step):
    first = min(m.date for m in msgs)
    t1 = first + timedelta(minutes=early)
    t2 = t1 + timedelta(minutes=step)
    a, b = figures(msgs, t1), figures(msgs, t2)
    assert a is not None and b is not None
    for name in LATENCIES:
        if getattr(a, name) is not None:
            assert getattr(b, name) == getattr(a, name), name
    # Maturity is for good: an item that matured stays matured.
    assert a.quote_matured <= b.quote_matured
    assert a.response_matured <= b.response_matured
    assert a.followup_matured <= b.followup_matured


# --- many deals --------------------------------------------------------------------------

def check_figures(f) -> None:
    for rate in (f.quote_within_sla_rate, f.next_day_followup_rate, f.response_rate,
                 f.chases_per_request, f.followups_per_quote):
        assert rate is None or rate >= 0
    for rate in (f.quote_within_sla_rate, f.next_day_followup_rate, f.response_rate):
        assert rate is None or rate <= 1
    assert f.quoted_within_sla <= f.quote_matured <= f.requests
    assert f.responded <= f.response_matured <= f.requests
    assert f.followed_up_within_sla <= f.followup_matured <= f.quotes <= f.requests
    assert f.quoted_within_sla <= f.responded
    if f.median_first_response_wd is not None:
        assert 0 <= f.median_first_response_wd <= f.p90_first_response_wd


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(timelines(), min_size=1, max_size=6), st.integers(0, 120), st.randoms())
def test_rates_and_counts_are_consistent(deal_msgs, as_of_day, rnd: random.Random):
    deals = [as_deal([DealMessage(**{**_fields(m), "key": f"{i}-{m.key}"}) for m in msgs],
                     f"d{i}", f"s{i % 3}.be") for i, msgs in enumerate(deal_msgs)]
    as_of = START + timedelta(days=as_of_day, hours=12)
    metrics = run(deals, as_of)
    check_figures(metrics.totals)
    for s in metrics.suppliers:
        check_figures(s.figures)
    for w in metrics.weeks:
        check_figures(w.figures)
    # With --all, the totals are the sum of the suppliers and of the weeks.
    for name in ("requests", "quotes", "quote_matured", "quoted_within_sla",
                 "followup_matured", "responded", "buyer_chases"):
        total = getattr(metrics.totals, name)
        assert sum(getattr(s.figures, name) for s in metrics.suppliers) == total, name
        assert sum(getattr(w.figures, name) for w in metrics.weeks) == total, name
    assert metrics.totals.open_silences == len(metrics.silences)
    # The order deals are handed in changes nothing.
    shuffled = list(deals)
    rnd.shuffle(shuffled)
    assert _summary(run(shuffled, as_of)) == _summary(metrics)


def _fields(m: DealMessage) -> dict:
    return {name: getattr(m, name) for name in DealMessage.__slots__}


def _summary(m: AuditMetrics) -> tuple:
    return (m.totals, m.suppliers, m.weeks, tuple(sorted(d.deal_id for d in m.deals)),
            tuple(s.deal_id for s in m.silences))
