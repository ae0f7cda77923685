"""The working-day clock (SPEC §5).

Latency in working days from t0 to t1 is ``numpy.busday_count(local_date(t0),
local_date(t1), weekmask, holidays)``: same day 0, Monday to Tuesday 1, Friday to
Monday 1, a Saturday request answered on Monday 0. Only the *local calendar dates*
count, never the hours: 23:30 on Monday in Brussels is Monday, even though it is
already Tuesday in some other zone, and the DST switch changes nothing.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from zoneinfo import ZoneInfo

import holidays
import numpy as np

from inbox_audit.config import Settings
from inbox_audit.models import Period

# The span of the lookup table: any mailbox's dates fall in it; others ask numpy.
_FIRST_DAY = date(1990, 1, 1)
_LAST_DAY = date(2100, 1, 1)
_FIRST = _FIRST_DAY.toordinal()
_MEMO_SIZE = 1_000_000


@dataclass(frozen=True)
class WorkClock:
    """Working days in one time zone, with a weekmask and a holiday list.

    ``weekmask`` is numpy's: seven 0/1 characters, Monday first (``1111100`` is
    Monday to Friday). ``holidays`` are non-working dates on top of the weekmask.
    """

    tz: ZoneInfo
    weekmask: str = "1111100"
    holidays: tuple[date, ...] = ()
    # numpy's precompiled calendar: the weekmask and holidays are parsed once, not on
    # every latency (the metrics ask for thousands).
    _calendar: np.busdaycalendar = field(init=False, repr=False, compare=False)
    # Working days counted from _FIRST_DAY, one entry per day up to _LAST_DAY (built on
    # first use): busday_count(d0, d1) is then table[d1] - table[d0], a list lookup
    # instead of a numpy call per latency (a large mailbox asks for hundreds of
    # thousands).
    _table: list[int] = field(init=False, repr=False, compare=False)
    # Local dates already computed: the metrics ask for the date of the same message
    # several times, and a time-zone conversion costs more than the lookup.
    _dates: dict[datetime, date] = field(init=False, repr=False, compare=False)
    # The same as day numbers (ordinal minus _FIRST): the working-day counts need only
    # those.
    _days: dict[datetime, int] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        calendar = np.busdaycalendar(weekmask=self.weekmask,
                                     holidays=[np.datetime64(d, "D") for d in self.holidays])
        object.__setattr__(self, "_calendar", calendar)
        object.__setattr__(self, "_table", [])
        object.__setattr__(self, "_dates", {})
        object.__setattr__(self, "_days", {})

    @classmethod
    def from_settings(cls, settings: Settings, years: Iterable[int]) -> WorkClock:
        """The clock of ``settings``, with the public holidays of ``years``.

        Holidays are exactly the `holidays` package's list for the country (so in BE
        2 and 15 November are working days), plus ``extra_holidays``.
        """
        years = sorted(set(years))
        public = holidays.country_holidays(settings.country, years=years) if years else {}
        days = set(public.keys()) | set(settings.extra_holidays)
        return cls(tz=settings.tz, weekmask=settings.weekmask, holidays=tuple(sorted(days)))

    def local(self, when: datetime) -> datetime:
        """``when`` in the clock's time zone."""
        return when.astimezone(self.tz)

    def local_date(self, when: datetime) -> date:
        """The calendar date of ``when`` in the clock's time zone."""
        day = self._dates.get(when)  # equal datetimes are the same instant: same date
        if day is None:  # (not try/except: a miss per message, and raising costs more)
            if len(self._dates) >= _MEMO_SIZE:
                self._dates.clear()
            day = self._dates[when] = when.astimezone(self.tz).date()
        return day

    def day_number(self, when: datetime) -> int:
        """The local date of ``when`` as a number of days (consecutive dates, consecutive
        numbers): what ``wd_between_days`` counts between."""
        number = self._days.get(when)
        if number is None:
            if len(self._days) >= _MEMO_SIZE:
                self._days.clear()
            number = self._days[when] = self.local_date(when).toordinal() - _FIRST
        return number

    def date_of_number(self, number: int) -> date:
        """The local date whose ``day_number`` is ``number``."""
        return date.fromordinal(number + _FIRST)

    def day_numbers(self, instants: Iterable[datetime]) -> list[int]:
        """``day_number`` of each of ``instants`` (one call for a whole timeline)."""
        days, out = self._days, []
        for when in instants:
            number = days.get(when)
            out.append(self.day_number(when) if number is None else number)
        return out

    def wd_between(self, t0: datetime, t1: datetime) -> int:
        """Working days from t0 to t1 (negative when t1 is before t0)."""
        return self.wd_between_days(self.day_number(t0), self.day_number(t1))

    def wd_between_days(self, i0: int, i1: int) -> int:
        """``wd_between_dates`` of two ``day_number`` values."""
        table = self._table or self._build_table()
        # numpy counts a backwards span as minus the working days in (d1, d0].
        j0, j1 = (i0 + 1, i1 + 1) if i1 < i0 else (i0, i1)
        if 0 <= j0 < len(table) and 0 <= j1 < len(table):
            return table[j1] - table[j0]
        return int(np.busday_count(date.fromordinal(i0 + _FIRST),
                                   date.fromordinal(i1 + _FIRST), busdaycal=self._calendar))

    def wd_between_dates(self, d0: date, d1: date) -> int:
        """Working days from local date d0 to local date d1: ``busday_count(d0, d1)``.

        Counts the working days in [d0, d1): d0 itself counts when it is a working day,
        d1 does not. That is why a Saturday request answered on Monday took 0.
        """
        return self.wd_between_days(d0.toordinal() - _FIRST, d1.toordinal() - _FIRST)

    def _build_table(self) -> list[int]:
        # table[i] = working days in [_FIRST_DAY, _FIRST_DAY + i): exactly what
        # busday_count(_FIRST_DAY, day) says for every day of the span.
        days = np.arange(np.datetime64(_FIRST_DAY, "D"), np.datetime64(_LAST_DAY, "D"))
        busy = np.is_busday(days, busdaycal=self._calendar)
        table = [0, *np.cumsum(busy, dtype=np.int64).tolist()]
        self._table.extend(table)
        return self._table

    def is_workday(self, day: date) -> bool:
        """Whether ``day`` is a working day (weekmask and holidays)."""
        return bool(np.is_busday(day, busdaycal=self._calendar))

    def add_workdays(self, day: date, count: int) -> date:
        """The ``count``-th working day after ``day`` (``day`` itself rolled forward to a
        working day first): ``busday_offset(day, count, roll="forward")``."""
        table = self._table or self._build_table()
        i = day.toordinal() - _FIRST
        if 0 <= i < len(table) - 1:
            # The working days before the one we want; the first day that follows that
            # many working days, minus one, is it (rolling forward changes no count).
            before = table[i] + count
            if 0 <= before < table[-1]:
                return date.fromordinal(bisect.bisect_left(table, before + 1) - 1 + _FIRST)
        offset = np.busday_offset(np.datetime64(day, "D"), count, roll="forward",
                                  busdaycal=self._calendar)
        return offset.astype(date)


def in_period_test(period: Period, tz: tzinfo) -> Callable[[datetime], bool]:
    """A test of whether the local date (in ``tz``) of an aware datetime is in ``period``.

    Same answer as ``period.contains(when.astimezone(tz).date())``, but an instant two
    days or more outside the period is out without a time-zone conversion (a local date
    is less than a day from the UTC date), and an unbounded period takes everything: a
    weekly report over years of mail converts only the mail of about that week.
    """
    if period.start is None and period.end is None:
        return lambda when: True
    low = (datetime.combine(period.start - timedelta(days=2), time(), UTC)
           if period.start is not None else None)
    high = (datetime.combine(period.end + timedelta(days=3), time(), UTC)
            if period.end is not None else None)
    contains = period.contains

    def test(when: datetime) -> bool:
        if (low is not None and when < low) or (high is not None and when >= high):
            return False
        return contains(when.astimezone(tz).date())

    return test
