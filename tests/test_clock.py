"""The working-day clock of SPEC §5, against hand-computed answers."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from inbox_audit.clock import WorkClock
from inbox_audit.config import load_settings

BRU = ZoneInfo("Europe/Brussels")


@pytest.fixture(scope="module")
def clock() -> WorkClock:
    return WorkClock.from_settings(load_settings(None, env={}), range(2025, 2028))


def local(y, m, d, h=10, mi=0) -> datetime:
    return datetime(y, m, d, h, mi, tzinfo=BRU)


@pytest.mark.parametrize(("t0", "t1", "expected", "why"), [
    (local(2026, 11, 23), local(2026, 11, 23, 17), 0, "same day"),
    (local(2026, 11, 23), local(2026, 11, 24), 1, "Monday to Tuesday"),
    (local(2026, 11, 20), local(2026, 11, 23), 1, "Friday to Monday"),
    (local(2026, 11, 21), local(2026, 11, 23), 0, "Saturday request answered Monday"),
    (local(2026, 11, 10), local(2026, 11, 12), 1, "over Wed 11 Nov (Armistice, BE)"),
    (local(2026, 10, 30), local(2026, 11, 3), 2, "Sun 1 Nov; Mon 2 Nov is a working day"),
    (local(2026, 11, 13), local(2026, 11, 16), 1, "Sun 15 Nov is no BE holiday anyway"),
    (local(2026, 12, 24), local(2026, 12, 28), 1, "Christmas Friday"),
    (local(2026, 11, 2), local(2026, 11, 30), 19, "four weeks minus 11 Nov"),
    (local(2026, 10, 23), local(2026, 10, 26), 1, "over the DST switch of 25 Oct"),
])
def test_latency_in_working_days(clock, t0, t1, expected, why):
    assert clock.wd_between(t0, t1) == expected, why


def test_local_date_not_utc_date(clock):
    # 23:30 in Brussels on Monday is already Monday 22:30 UTC, but 00:30 on Tuesday in
    # Brussels is still Monday in UTC: the clock must read the Brussels date.
    late = datetime(2026, 11, 23, 23, 30, tzinfo=UTC)  # Tue 00:30 local
    assert clock.local_date(late) == date(2026, 11, 24)
    assert clock.wd_between(local(2026, 11, 23, 9), late) == 1
    summer = datetime(2026, 7, 6, 22, 30, tzinfo=UTC)  # Tue 00:30 CEST
    assert clock.local_date(summer) == date(2026, 7, 7)


def test_extra_holiday_and_weekmask(tmp_path):
    config = tmp_path / "c.toml"
    config.write_text("extra_holidays = [2026-11-24]\nworkdays = ['Mon','Tue','Wed','Thu']\n",
                      encoding="utf-8")
    clock = WorkClock.from_settings(load_settings(config, env={}), [2026])
    assert clock.wd_between(local(2026, 11, 23), local(2026, 11, 25)) == 1  # Tue off
    assert clock.wd_between(local(2026, 11, 26), local(2026, 11, 30)) == 1  # Fri off


def test_holidays_are_exactly_the_package_list(clock):
    assert date(2026, 11, 11) in clock.holidays
    assert date(2026, 11, 2) not in clock.holidays
    assert date(2026, 11, 15) not in clock.holidays
    assert not clock.is_workday(date(2026, 11, 11))
    assert clock.is_workday(date(2026, 11, 2))


def test_negative_when_reversed(clock):
    start = local(2026, 11, 23)
    assert clock.wd_between(start + timedelta(days=2), start) == -2
