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
    (local(2026, 10, 24, 23, 30), local(2026, 10, 26, 0, 30), 0,
     "Saturday 23:30 CEST to Monday 00:30 CET: still a weekend request"),
    (local(2026, 10, 25, 23, 30), local(2026, 10, 26, 9), 0,
     "Sunday 23:30 on the DST day is Sunday (22:30 UTC)"),
    (local(2026, 11, 23, 23, 30), local(2026, 11, 24, 0, 30), 1,
     "Monday 23:30 to Tuesday 00:30 local: one day, one hour apart"),
    (datetime(2026, 11, 23, 22, 30, tzinfo=UTC), local(2026, 11, 23, 9), 0,
     "22:30 UTC is Monday 23:30 in Brussels: the same day"),
    (datetime(2026, 9, 14, 22, 30, tzinfo=UTC), local(2026, 9, 15, 9), 0,
     "22:30 UTC in summer is already Tuesday 00:30 in Brussels"),
    (local(2026, 11, 6), local(2026, 11, 16), 5, "Friday to Monday a week later, over 11 Nov"),
    (local(2026, 8, 14), local(2026, 8, 17), 1, "15 Aug on a Saturday changes nothing"),
    (local(2026, 12, 31), local(2027, 1, 4), 1, "over New Year (Friday 1 Jan 2027)"),
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


def test_extra_holiday_on_top_of_the_country_list(tmp_path):
    config = tmp_path / "c.toml"
    config.write_text("extra_holidays = [2026-12-24, 2026-12-31]\n", encoding="utf-8")
    clock = WorkClock.from_settings(load_settings(config, env={}), [2026, 2027])
    # Wed 23 Dec -> Mon 4 Jan: Wed 23, Mon 28, Tue 29, Wed 30 (24, 25, 31 and 1 off).
    assert clock.wd_between(local(2026, 12, 23), local(2027, 1, 4)) == 4
    assert date(2026, 11, 11) in clock.holidays  # the country list stays


def test_other_country_and_time_zone(tmp_path):
    config = tmp_path / "c.toml"
    config.write_text('country = "NL"\ntimezone = "Europe/Amsterdam"\n', encoding="utf-8")
    clock = WorkClock.from_settings(load_settings(config, env={}), [2026])
    assert clock.is_workday(date(2026, 11, 11))  # no holiday in the Netherlands
    assert not clock.is_workday(date(2026, 4, 27))  # Koningsdag


def test_add_workdays_is_the_inverse_of_the_count(clock):
    start = date(2026, 11, 6)  # a Friday before the 11 Nov holiday
    for n in range(12):
        end = clock.add_workdays(start, n)
        assert clock.is_workday(end)
        assert clock.wd_between_dates(start, end) == n
