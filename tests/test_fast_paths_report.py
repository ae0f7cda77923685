"""The shortcuts of the report's own stages give exactly what the plain computation
gives: timelines made on first use, the message records' order and lookup, the review
and metrics against an as-of in any zone, Babel's dates formatted per day, the local
month without a conversion, and a template cache that never gets in the way."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from babel.dates import format_datetime

from inbox_audit import report_env
from inbox_audit.clock import WorkClock
from inbox_audit.config import Settings
from inbox_audit.metrics import AuditMetrics, compute_metrics, message_record
from inbox_audit.models import Address, Classification, Deal, DealMessage, Message, Period
from inbox_audit.report import TEMPLATE
from inbox_audit.report_format import Fmt
from inbox_audit.review import needs_review

TZ = ZoneInfo("Europe/Brussels")
SETTINGS = Settings(me=["me@buyer.be"])
ALL = Period(None, None, "all")
WEEK = Period(date(2026, 3, 2), date(2026, 3, 8), "2026-W10")
LABELS = ("request", "quote", "follow-up", "silence", "other")


def mailbox(seed: int) -> tuple[list[Deal], list[Message], dict[str, Classification]]:
    """Random deals over a few months, dates in UTC as the store hands them over, some
    messages shared by two deals, some at the same instant."""
    rnd = random.Random(seed)
    t0 = datetime(2026, 1, 5, tzinfo=UTC)
    deals, messages, labels = [], {}, {}
    for i in range(60):
        when = t0 + timedelta(hours=rnd.randrange(24 * 80))
        msgs = []
        for j in range(rnd.randrange(1, 7)):
            key = f"m{i}.{j}@x"
            me = j == 0 or rnd.random() < 0.3
            label = "request" if j == 0 and rnd.random() < 0.9 else rnd.choice(LABELS)
            msgs.append(DealMessage(
                key=key, date=when, from_me=me, label=label, confidence=rnd.random(),
                source=rnd.choice(("rule", "model", "correction")),
                sender="me@buyer.be" if me else f"s{i % 7}@sup.be", subject="Offerte",
                amount=Decimal(rnd.randrange(100, 90_000)) if label == "quote" else None,
                currency="EUR" if label == "quote" else None, high_intent=rnd.random() < .2))
            if rnd.random() < 0.85:  # else the next one shares the instant
                when += timedelta(hours=rnd.randrange(1, 24 * 12))
        if deals and rnd.random() < 0.1:  # a buyer RFQ to two suppliers
            msgs.insert(0, deals[-1].messages[0])
        deals.append(Deal(f"d{i}", f"sup{i % 7}.be", f"Supplier {i % 7}", "Offerte",
                          f"t{i}", tuple(sorted(msgs, key=lambda m: m.date))))
        for d in msgs:
            messages[d.key] = Message(
                key=d.key, message_id=f"<{d.key}>", date=d.date, date_source="header",
                sender=Address("", d.sender), to=(), cc=(), subject=d.subject,
                in_reply_to=(), references=(), text="", html_only=False, attachments=(),
                headers=(), content_type="text/plain", folder="INBOX",
                raw_sha256="0" * 64, size=1)
            labels[d.key] = Classification(d.key, d.label, d.confidence, d.source)
    ordered = sorted(messages.values(), key=lambda m: (m.date, m.key))
    return deals, ordered, labels


def metrics(deals: list[Deal], messages: list[Message], labels: dict, as_of: datetime,
            period: Period = ALL) -> AuditMetrics:
    index: dict[str, list[str]] = {}
    for d in deals:
        for m in d.messages:
            index.setdefault(m.key, []).append(d.deal_id)
    clock = WorkClock.from_settings(SETTINGS, range(2025, 2028))
    return compute_metrics(deals, messages, labels, clock=clock, settings=SETTINGS,
                           as_of=as_of, period=period, deal_index=index)


@pytest.mark.parametrize("seed", range(4))
def test_timeline_made_on_first_use_is_each_messages_working_days(seed):
    deals, messages, labels = mailbox(seed)
    m = metrics(deals, messages, labels, datetime(2026, 4, 20, 8, tzinfo=TZ))
    clock = WorkClock.from_settings(SETTINGS, range(2025, 2028))
    for f in m.deals:
        points = f.timeline.points
        assert [p.key for p in points] == list(f.message_ids)
        assert [p.wd for p in points] == [clock.wd_between(f.opened, p.date) for p in points]
        assert f.timeline == points and hash(f.timeline) == hash(points)
        assert list(reversed(f.timeline)) == list(reversed(points))
        assert f.timeline[1:] == points[1:] and len(f.timeline) == len(points)
        if f.quote_message_id is not None and f.has_request:
            # league.py reads supplier_followups instead of counting on the timeline
            start = [p.key for p in points].index(f.quote_message_id)
            assert f.supplier_followups == sum(
                1 for p in points[start + 1:] if not p.from_me and p.label == "follow-up")


@pytest.mark.parametrize("period", [ALL, WEEK])
def test_as_of_in_any_zone_gives_the_same_figures_and_review(period):
    deals, messages, labels = mailbox(7)
    instant = datetime(2026, 3, 9, 7, 30, tzinfo=UTC)
    zones = (UTC, TZ, timezone(timedelta(hours=5, minutes=30)), timezone(-timedelta(hours=9)))
    runs = [metrics(deals, messages, labels, instant.astimezone(z), period) for z in zones]
    for other in runs[1:]:
        assert other.deals == runs[0].deals and other.silences == runs[0].silences
        assert other.messages == runs[0].messages and other.weeks == runs[0].weeks
        assert other.suppliers == runs[0].suppliers and other.totals == runs[0].totals
    reviews = [needs_review(messages, labels, period, instant.astimezone(z), TZ, 10)
               for z in zones]
    assert all(r == reviews[0] for r in reviews)


def test_message_records_in_time_order_whatever_the_input_order():
    deals, messages, labels = mailbox(3)
    as_of = datetime(2026, 6, 1, tzinfo=UTC)
    expected = metrics(deals, messages, labels, as_of).messages
    shuffled = messages[:]
    random.Random(1).shuffle(shuffled)
    assert metrics(deals, shuffled + shuffled[:5], labels, as_of).messages == expected
    m = metrics(deals, shuffled, labels, as_of)
    for r in m.messages:
        assert message_record(m, r.message_id, r.date) is r
    assert message_record(m, "nothing@x", expected[3].date) is None


def test_moment_and_short_day_are_babels():
    rnd = random.Random(1)
    for lang in ("en", "nl"):
        for zone in ("Europe/Brussels", "Pacific/Kiritimati", "America/St_Johns"):
            fmt = Fmt(lang, Settings(me=["me@buyer.be"], timezone=zone))
            for _ in range(400):
                value = datetime(1995, 1, 1, tzinfo=UTC) + timedelta(
                    seconds=rnd.randrange(40 * 365 * 86400))
                if rnd.random() < 0.2:
                    value = value.replace(tzinfo=None)  # Babel reads it as UTC
                elif rnd.random() < 0.3:
                    value = value.astimezone(timezone(timedelta(minutes=rnd.randrange(-700, 700))))
                for got, pattern in ((fmt.moment(value), "d MMM yyyy HH:mm"),
                                     (fmt.short_day(value), "EEE d MMM HH:mm")):
                    assert got == format_datetime(value, format=pattern, tzinfo=fmt.tz,
                                                  locale=fmt._babel), (value, pattern)


def test_local_month_is_the_month_of_the_local_date():
    rnd = random.Random(2)
    for zone in ("Europe/Brussels", "Pacific/Kiritimati", "Etc/GMT+12", "Asia/Kathmandu"):
        fmt = Fmt("en", Settings(me=["me@buyer.be"], timezone=zone))
        for _ in range(3000):
            value = datetime(1970, 1, 1, tzinfo=UTC) + timedelta(
                seconds=rnd.randrange(100 * 365 * 86400))
            local = value.astimezone(fmt.tz)
            assert fmt.local_month(value) == f"{local.year}-{local.month:02d}", value


def test_template_cache_is_used_and_never_in_the_way(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    report_env.environment.cache_clear()
    try:
        first = report_env.environment().get_template(TEMPLATE)
        assert list(report_env.cache_dir().glob("*.cache"))  # compiled once, kept
        report_env.environment.cache_clear()
        again = report_env.environment().get_template(TEMPLATE)
        assert again.render is not None and first.name == again.name
        # A cache folder that cannot be made: the template is compiled as before.
        blocker = tmp_path / "file"
        blocker.write_text("x")
        monkeypatch.setenv("XDG_CACHE_HOME", str(blocker))
        report_env.environment.cache_clear()
        assert report_env.environment().get_template(TEMPLATE).name == TEMPLATE
    finally:
        report_env.environment.cache_clear()
