"""The records the metrics hand to the report and the JSON (SPEC §6, §7).

Plain frozen dataclasses and one named tuple: no array ever leaves the metrics.
``metrics.py`` re-exports every name here; import them from there.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import NamedTuple, overload

from inbox_audit.models import Label, Period

# Status of a deal (``DealFigures.status``), as of the report time; docs/metrics.md.
STATUSES = ("no request", "awaiting quote", "answered, no quote", "quoted",
            "awaiting follow-up", "followed up")


@dataclass(frozen=True, slots=True)
class TimelinePoint:
    """One message on a deal's timeline; ``wd`` is working days from the deal's opening
    (negative for a message before the request)."""

    key: str
    date: datetime
    wd: int
    from_me: bool
    label: Label
    sender: str


class Timeline(Sequence[TimelinePoint]):
    """A deal's ``TimelinePoint``s, in time order, made on first use by ``make``.

    A report draws a few hundred deals of the tens of thousands a long history holds,
    and nothing else reads the points: making them for every deal (an object per
    message, and its working days) was a quarter of the figures' time. It reads, and
    compares equal, as the tuple of its points.
    """

    __slots__ = ("_make", "_points")

    def __init__(self, make: Callable[[], tuple[TimelinePoint, ...]]) -> None:
        self._make: Callable[[], tuple[TimelinePoint, ...]] | None = make
        self._points: tuple[TimelinePoint, ...] = ()

    @property
    def points(self) -> tuple[TimelinePoint, ...]:
        """The points as a tuple."""
        if self._make is not None:
            self._points, self._make = self._make(), None
        return self._points

    @overload
    def __getitem__(self, index: int) -> TimelinePoint: ...
    @overload
    def __getitem__(self, index: slice) -> tuple[TimelinePoint, ...]: ...
    def __getitem__(self, index: int | slice) -> TimelinePoint | tuple[TimelinePoint, ...]:
        return self.points[index]

    def __len__(self) -> int:
        return len(self.points)

    def __iter__(self) -> Iterator[TimelinePoint]:
        return iter(self.points)

    def __reversed__(self) -> Iterator[TimelinePoint]:
        return reversed(self.points)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Timeline):
            return self.points == other.points
        return self.points == other if isinstance(other, tuple) else NotImplemented

    def __hash__(self) -> int:
        return hash(self.points)

    def __repr__(self) -> str:
        return repr(self.points)


@dataclass(frozen=True, slots=True)
class DealFigures:
    """Every figure of one deal, with the message ids it was computed from."""

    deal_id: str
    supplier: str
    supplier_name: str
    subject: str
    opened: datetime  # the first request, or the first message when there is none
    week: str  # ISO week of ``opened``, local time: ``2026-W47``
    in_period: bool
    request_message_id: str | None
    first_response_wd: int | None
    quote_wd: int | None
    followup_after_quote_wd: int | None
    buyer_chases: int
    quote_amount: Decimal | None
    currency: str | None
    high_intent: bool
    status: str  # one of STATUSES
    silent_wd: int | None  # working days since the last human message, when silent
    awaited: str | None  # "quote" or "follow-up" when silent
    silent_since: date | None  # the local day the deal turned silent
    new_silence: bool  # turned silent within the report period
    last_human: datetime | None
    age_wd: int  # working days from ``opened`` to the report time
    quote_message_id: str | None
    followup_message_id: str | None
    # Maturity (SPEC §6): the answer arrived or the deadline passed as of the report time.
    quote_matured: bool
    response_matured: bool
    followup_matured: bool
    message_ids: tuple[str, ...]
    timeline: Timeline  # the points of message_ids
    # The message behind ``first_response_wd`` and those behind ``buyer_chases``.
    response_message_id: str | None = None
    chase_message_ids: tuple[str, ...] = ()
    # Supplier ``follow-up`` messages after the first quote (persistence; 0 without quote).
    supplier_followups: int = 0

    @property
    def has_request(self) -> bool:
        return self.request_message_id is not None


@dataclass(frozen=True, slots=True)
class Figures:
    """The headline figures of a set of deals. Rates are None when nothing has matured;
    the medians are None when no deal got a first response."""

    messages: int
    requests: int
    quotes: int
    quote_within_sla_rate: float | None
    next_day_followup_rate: float | None
    response_rate: float | None
    median_first_response_wd: float | None
    p90_first_response_wd: float | None
    open_silences: int
    # The counts behind the rates (numerator / matured items).
    quoted_within_sla: int = 0
    quote_matured: int = 0
    followed_up_within_sla: int = 0
    followup_matured: int = 0
    responded: int = 0
    response_matured: int = 0
    # The buyer's chases over the requested deals, and per request (None without one).
    buyer_chases: int = 0
    chases_per_request: float | None = None
    # Supplier follow-ups after the first quote over the quoted deals, and per quote
    # (persistence; None without a quote).
    supplier_followups: int = 0
    followups_per_quote: float | None = None
    # Median working days from request to first quote, over the quoted deals.
    median_quote_wd: float | None = None


@dataclass(frozen=True, slots=True)
class SupplierFigures:
    supplier: str
    name: str
    figures: Figures


@dataclass(frozen=True, slots=True)
class WeekFigures:
    week: str  # ``2026-W47``
    start: date  # its Monday
    figures: Figures


class MessageRecord(NamedTuple):
    """One message of the JSON ``messages`` list. A named tuple: immutable like the
    records above and the cheapest of them to make (one per message of a large
    mailbox: a frozen dataclass cost three times as much)."""

    message_id: str
    deal_ids: tuple[str, ...]
    label: str | None
    confidence: float | None
    source: str | None
    date: datetime | None


@dataclass(frozen=True, slots=True)
class AuditMetrics:
    """Everything the report and the JSON show, as plain records.

    ``deals`` are the period's deals (opened in it), newest first; ``silences`` are all
    open silences as of ``as_of`` (also of older deals), ranked worst first;
    ``weeks`` is the weekly series, oldest first, ending with the week of ``as_of``.
    """

    as_of: datetime
    period: Period
    timezone: str
    country: str
    workdays: tuple[str, ...]
    holidays: tuple[date, ...]  # non-working days within the span the report covers
    quote_sla_wd: int
    followup_sla_wd: int
    totals: Figures
    suppliers: tuple[SupplierFigures, ...]
    weeks: tuple[WeekFigures, ...]
    deals: tuple[DealFigures, ...]
    silences: tuple[DealFigures, ...]
    messages: tuple[MessageRecord, ...]
    stats: dict[str, int] = field(default_factory=dict)

    @property
    def new_silences(self) -> int:
        return sum(1 for s in self.silences if s.new_silence)


@functools.lru_cache(maxsize=1 << 16)  # a large mailbox asks it for every deal
def iso_week(day: date) -> str:
    """``2026-W47`` for any day of that ISO week."""
    iso = day.isocalendar()
    return f"{iso.year}-W{iso.week:02d}"
