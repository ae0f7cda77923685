"""The shortcuts that keep reports on years of mail fast give exactly what the plain
computation gives: numpy's statistics, numpy's working-day offsets, the local-date
period test and the head of the review list."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import holidays
import numpy as np
import pytest

from inbox_audit.clock import WorkClock, in_period_test
from inbox_audit.metrics_frames import _median, _p90
from inbox_audit.models import Address, Classification, Message, Period
from inbox_audit.review import needs_review

TZ = ZoneInfo("Europe/Brussels")


def test_median_and_p90_are_numpys_to_the_last_bit():
    rnd = random.Random(7)
    for _ in range(3000):
        values = [float(rnd.randrange(0, rnd.choice((3, 10, 60, 400))))
                  for _ in range(rnd.randrange(1, 40))]
        ordered = sorted(values)
        assert _median(ordered) == float(np.nanmedian(np.array(values)))
        expected = float(np.quantile(np.array(values), np.array([0.9]), method="linear")[0])
        assert _p90(ordered).hex() == expected.hex()
    assert _median([]) is None and _p90([]) is None


@pytest.mark.parametrize("weekmask", ["1111100", "1111110", "0111110", "1000000"])
def test_add_workdays_is_numpys_busday_offset(weekmask):
    days = tuple(sorted(holidays.country_holidays("BE", years=range(1989, 2102))))
    clock = WorkClock(TZ, weekmask, days)
    rnd = random.Random(3)
    starts = [date(1990, 1, 1), date(2099, 12, 31), date(2100, 1, 1), date(1989, 12, 31)]
    starts += [date(1990, 1, 1) + timedelta(days=rnd.randrange(40_200)) for _ in range(300)]
    for day in starts:
        for count in (0, 1, 2, 5, -1, -3, 400, -400, 30_000):
            expected = np.busday_offset(np.datetime64(day, "D"), count, roll="forward",
                                        busdaycal=clock._calendar).astype(date)
            assert clock.add_workdays(day, count) == expected, (day, count)


def test_period_test_is_the_local_date_in_the_period():
    rnd = random.Random(5)
    periods = [Period(date(2026, 3, 23), date(2026, 3, 29), "2026-W13"),  # DST switch
               Period(date(2026, 10, 26), date(2026, 11, 1), "2026-W44"),
               Period(date(2026, 1, 1), None, "since"), Period(None, date(2026, 1, 1), "to"),
               Period(None, None, "all")]
    base = datetime(2025, 12, 1, tzinfo=UTC)
    instants = [base + timedelta(minutes=rnd.randrange(60 * 24 * 400)) for _ in range(3000)]
    for period in periods:
        for zone in (TZ, ZoneInfo("Pacific/Kiritimati"), ZoneInfo("Pacific/Pago_Pago")):
            test = in_period_test(period, zone)
            for when in instants:
                assert test(when) == period.contains(when.astimezone(zone).date())


def test_review_head_is_the_head_of_the_full_list():
    rnd = random.Random(11)
    t0 = datetime(2026, 3, 2, tzinfo=UTC)
    messages, labels = [], {}
    for i in range(400):
        key = f"m{i}@x"
        messages.append(Message(
            key=key, message_id=f"<{key}>", date=t0 + timedelta(hours=rnd.randrange(500)),
            date_source="header", sender=Address("", "a@b.be"), to=(), cc=(), subject="s",
            in_reply_to=(), references=(), text="", html_only=False, attachments=(),
            headers=(), content_type="text/plain", folder="INBOX", raw_sha256="0" * 64,
            size=1))
        # Few distinct confidences, some equal only once rounded: many ties.
        confidence = rnd.choice((0.5, 0.6, 0.6000001, 0.7, 0.9)) + rnd.choice((0, 1e-9))
        labels[key] = Classification(key, "quote", confidence, rnd.choice(("rule", "model")))
    as_of = t0 + timedelta(days=30)
    period = Period(date(2026, 3, 2), date(2026, 3, 20), "p")
    full = needs_review(messages, labels, period, as_of, TZ)
    for limit in (0, 1, 7, 50, 200, 1000):
        assert needs_review(messages, labels, period, as_of, TZ, limit) == full[:limit]


def test_day_numbers_of_a_timeline_are_those_of_each_instant():
    clock = WorkClock(TZ, "1111100", (date(2026, 4, 6),))
    t0 = datetime(2026, 3, 28, 23, 30, tzinfo=UTC)
    instants = [t0 + timedelta(hours=7 * k) for k in range(40)]
    assert clock.day_numbers(instants) == [clock.day_number(t) for t in instants]
