"""What the report shows of a long history: years of mail stay one readable file.

A weekly report over a mailbox of 100,000 messages still carries every open silence
since the first mail (thousands), and a report over all mail every deal (tens of
thousands). Drawing each would make a file of tens of megabytes that no browser scrolls
and no mail server accepts. So the report lists one by one only what a reader acts on,
and counts the rest, saying where to find it (the JSON holds every deal and silence):

- **monsters**: the ``MONSTER_LIMIT`` worst silences, plus those that turned silent in
  the period (up to ``NEW_MONSTER_LIMIT`` more); the others are summed up per supplier
  (``SilenceGroup``, the suppliers with most silences first);
- **deal timelines**: the period's newest deals and the listed monsters (report_deals);
  the period's other deals as one-line rows, the newest ``ARCHIVE_LIMIT`` of them, and
  the older ones counted per month (``ArchiveMonth``);
- **league table**: the ``LEAGUE_LIMIT // 2`` best and worst ranked suppliers when there
  are more than ``LEAGUE_LIMIT``;
- **lists of deals** (headline cards, league rows): only deals that have a row in the
  report, at most ``LINK_LIMIT``, and how many more.

Nothing of this applies to a usual week: the limits are far above what one week holds.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from inbox_audit.metrics import AuditMetrics, DealFigures
from inbox_audit.report_format import Fmt

MONSTER_LIMIT = 100
NEW_MONSTER_LIMIT = 50
SILENCE_GROUP_LIMIT = 100
ARCHIVE_LIMIT = 1500
LEAGUE_LIMIT = 100
LINK_LIMIT = 50


@dataclass(frozen=True)
class SilenceGroup:
    """The open silences of one supplier that are not listed one by one."""

    supplier: str
    key: str
    count: int
    amount: str  # their quotes' total, per currency
    high_intent: int  # how many followed a test drive, demo or visit request
    longest: str  # the longest silence, in working days
    oldest: str  # the day the oldest of them was opened


@dataclass(frozen=True)
class ArchiveMonth:
    """The period's deals of one month that have no row of their own."""

    month: str  # "2024-03"
    deals: int
    quoted: int
    followed_up: int
    silent: int


def listed_silences(m: AuditMetrics, bounded: bool) -> tuple[DealFigures, ...]:
    """The silences listed one by one, worst first: the worst ``MONSTER_LIMIT`` and, in
    a bounded period, those that turned silent in it (up to ``NEW_MONSTER_LIMIT``)."""
    head = list(m.silences[:MONSTER_LIMIT])
    if bounded:
        head += [s for s in m.silences[MONSTER_LIMIT:] if s.new_silence][:NEW_MONSTER_LIMIT]
    return tuple(head)


def silence_groups(rest: Iterable[DealFigures], fmt: Fmt
                   ) -> tuple[tuple[SilenceGroup, ...], int]:
    """(the silences not listed, per supplier, most first; how many suppliers more)."""
    by_supplier: dict[str, list[DealFigures]] = {}
    for s in rest:
        by_supplier.setdefault(s.supplier, []).append(s)
    ordered = sorted(by_supplier.values(),
                     key=lambda group: (-len(group), group[0].supplier))
    out = []
    for group in ordered[:SILENCE_GROUP_LIMIT]:
        first = group[0]
        out.append(SilenceGroup(
            supplier=first.supplier_name or first.supplier, key=first.supplier,
            count=len(group), amount=_total(group, fmt),
            high_intent=sum(1 for s in group if s.high_intent),
            longest=fmt.wd(max(s.silent_wd or 0 for s in group)),
            oldest=fmt.day(min(s.opened for s in group))))
    return tuple(out), max(0, len(ordered) - SILENCE_GROUP_LIMIT)


def archive_months(deals: Sequence[DealFigures], fmt: Fmt) -> tuple[ArchiveMonth, ...]:
    """Deals counted per month they were opened in (local time), newest month first."""
    months: dict[str, list[DealFigures]] = {}
    for d in deals:
        months.setdefault(fmt.local_month(d.opened), []).append(d)
    return tuple(ArchiveMonth(
        month=month, deals=len(group),
        quoted=sum(1 for d in group if d.quote_wd is not None),
        followed_up=sum(1 for d in group if d.status == "followed up"),
        silent=sum(1 for d in group if d.silent_wd is not None))
        for month, group in sorted(months.items(), reverse=True))


def league_window(count: int) -> tuple[range, range]:
    """(ranks shown at the top, ranks shown at the bottom) of a league of ``count``
    suppliers, 0-based positions; the bottom is empty when all fit."""
    if count <= LEAGUE_LIMIT:
        return range(count), range(0)
    half = LEAGUE_LIMIT // 2
    return range(half), range(count - half, count)


def capped(items: Sequence, limit: int = LINK_LIMIT) -> tuple[tuple, int]:
    """(the first ``limit`` items, how many more)."""
    return tuple(items[:limit]), max(0, len(items) - limit)


def _total(group: Sequence[DealFigures], fmt: Fmt) -> str:
    totals: dict[str, Decimal] = {}
    for s in group:
        if s.quote_amount is not None and s.currency:
            totals[s.currency] = totals.get(s.currency, Decimal(0)) + s.quote_amount
    return " + ".join(fmt.money(v, c) for c, v in sorted(totals.items())) or fmt.money(None, None)
