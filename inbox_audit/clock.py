"""The working-day clock (SPEC §5).

Latency in working days from t0 to t1 is ``numpy.busday_count(local_date(t0),
local_date(t1), weekmask, holidays)``: same day 0, Monday to Tuesday 1, Friday to
Monday 1, a Saturday request answered on Monday 0.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

import holidays
import numpy as np

from inbox_audit.config import Settings


@dataclass(frozen=True)
class WorkClock:
    """Working days in one time zone, with a weekmask and a holiday list."""

    tz: ZoneInfo
    weekmask: str = "1111100"
    holidays: tuple[date, ...] = ()

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
        return when.astimezone(self.tz)

    def local_date(self, when: datetime) -> date:
        """The calendar date of ``when`` in the clock's time zone."""
        return when.astimezone(self.tz).date()

    def wd_between(self, t0: datetime, t1: datetime) -> int:
        """Working days from t0 to t1 (negative when t1 is before t0)."""
        return int(np.busday_count(self.local_date(t0), self.local_date(t1),
                                   weekmask=self.weekmask, holidays=list(self.holidays)))

    def is_workday(self, day: date) -> bool:
        return bool(np.is_busday(day, weekmask=self.weekmask, holidays=list(self.holidays)))
