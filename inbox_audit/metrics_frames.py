"""The aggregation of deal figures into headline figures (SPEC §6), with numpy.

Totals, per supplier and per ISO week all go through ``_grouped``, so a rate means
the same everywhere. The arrays never leave the metrics: these functions return records.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import numpy as np

from inbox_audit.clock import WorkClock
from inbox_audit.metrics_records import DealFigures, Figures, SupplierFigures, WeekFigures, iso_week
from inbox_audit.models import Message

TREND_WEEKS = 12  # the weekly series always covers at least this many weeks

# The counts summed per group, over the deals with a request.
_COUNTS = ("has_quote", "quote_matured", "quote_hit", "response_matured", "responded",
           "followup_matured", "followup_hit", "buyer_chases", "supplier_followups")


@dataclass(frozen=True, slots=True)
class DealRows:
    """One row per deal, in the order of the figures given: what the headline figures
    are made of, one array per column (numpy, not pandas: its import alone cost a third
    of a second on every command, for a few sums per group)."""

    supplier: np.ndarray  # object: the supplier key
    week: np.ndarray  # object: the ISO week of the deal's opening
    in_period: np.ndarray  # bool
    has_request: np.ndarray  # bool
    counts: dict[str, np.ndarray]  # int64 per name of _COUNTS
    first_response_wd: np.ndarray  # float64, NaN when none
    quote_wd: np.ndarray  # float64, NaN when none
    silent: np.ndarray  # bool

    def __len__(self) -> int:
        return len(self.supplier)

    def where(self, keep: np.ndarray) -> DealRows:
        """The rows where ``keep`` (a boolean array) is true."""
        return DealRows(self.supplier[keep], self.week[keep], self.in_period[keep],
                        self.has_request[keep], {c: v[keep] for c, v in self.counts.items()},
                        self.first_response_wd[keep], self.quote_wd[keep], self.silent[keep])


def deal_frame(deals: Sequence[DealFigures], qsla: int, fsla: int) -> DealRows:
    """One row per deal with the booleans and latencies the figures are made of."""
    # Built column by column from one tuple per deal: numpy converts a list per column
    # at C speed.
    rows = [(
        f.supplier, f.week, f.in_period, f.request_message_id is not None,
        f.request_message_id is not None and f.quote_wd is not None,
        f.quote_matured,
        f.quote_matured and f.quote_wd is not None and f.quote_wd <= qsla,
        f.response_matured,
        f.response_matured and f.first_response_wd is not None,
        f.followup_matured,
        f.followup_matured and f.followup_after_quote_wd is not None
        and f.followup_after_quote_wd <= fsla,
        f.buyer_chases if f.request_message_id is not None else 0,
        f.supplier_followups if f.request_message_id is not None else 0,
        f.first_response_wd, f.quote_wd,  # None becomes NaN in a float array
        f.silent_wd is not None,
    ) for f in deals]
    columns: list[Sequence] = (list(zip(*rows, strict=True)) if rows
                               else [() for _ in range(16)])
    return DealRows(
        supplier=np.array(columns[0], dtype=object),
        week=np.array(columns[1], dtype=object),
        in_period=np.array(columns[2], dtype=bool),
        has_request=np.array(columns[3], dtype=bool),
        counts={c: np.array(v, dtype=np.int64)
                for c, v in zip(_COUNTS, columns[4:13], strict=True)},
        first_response_wd=np.array(columns[13], dtype=np.float64),
        quote_wd=np.array(columns[14], dtype=np.float64),
        silent=np.array(columns[15], dtype=bool))


def _rate(hits: int, total: int) -> float | None:
    return hits / total if total else None


def figures_of(rows: DealRows, messages: int, open_silences: int) -> Figures:
    """The headline figures of the deals in ``rows`` (some rows of ``deal_frame``).

    Only deals with a request count. Each rate is hits / matured items and None when
    nothing matured; the median and 90th percentile (linear interpolation, numpy's
    default) of the first response are over the deals that got one.
    """
    (figures,) = _grouped(rows, np.zeros(len(rows), dtype=np.intp), [messages],
                          [open_silences])
    return figures


def _grouped(rows: DealRows, groups: np.ndarray, messages: Sequence[int],
             open_silences: Sequence[int]) -> list[Figures]:
    """``figures_of`` of each group of ``rows`` at once: ``groups`` numbers the group of
    each row (0 .. len(messages) - 1), ``messages`` and ``open_silences`` are per group.

    The counts are summed per group in one pass per column (thousands of suppliers cost
    a few array operations, not a slice each); the medians and percentiles are numpy's
    to the last bit (``_median``, ``_p90``).
    """
    count = len(messages)
    has_request = rows.has_request
    req_groups = groups[has_request]
    requests = np.bincount(req_groups, minlength=count).tolist()
    sums = {c: np.bincount(req_groups, weights=rows.counts[c][has_request],
                           minlength=count).astype(np.int64).tolist() for c in _COUNTS}
    first: list[list[float]] = [[] for _ in range(count)]
    quoted: list[list[float]] = [[] for _ in range(count)]
    for values, column in ((first, rows.first_response_wd), (quoted, rows.quote_wd)):
        known = column[has_request]
        keep = ~np.isnan(known)
        for group, value in zip(req_groups[keep].tolist(), known[keep].tolist(),
                                strict=True):
            values[group].append(value)
    out = []
    for g in range(count):
        counts = {c: sums[c][g] for c in _COUNTS}
        firsts = sorted(first[g])
        out.append(Figures(
            messages=messages[g], requests=requests[g], quotes=counts["has_quote"],
            quote_within_sla_rate=_rate(counts["quote_hit"], counts["quote_matured"]),
            next_day_followup_rate=_rate(counts["followup_hit"], counts["followup_matured"]),
            response_rate=_rate(counts["responded"], counts["response_matured"]),
            median_first_response_wd=_median(firsts),
            p90_first_response_wd=_p90(firsts),
            open_silences=open_silences[g],
            quoted_within_sla=counts["quote_hit"], quote_matured=counts["quote_matured"],
            followed_up_within_sla=counts["followup_hit"],
            followup_matured=counts["followup_matured"],
            responded=counts["responded"], response_matured=counts["response_matured"],
            buyer_chases=counts["buyer_chases"],
            chases_per_request=_rate(counts["buyer_chases"], requests[g]),
            supplier_followups=counts["supplier_followups"],
            followups_per_quote=_rate(counts["supplier_followups"], counts["has_quote"]),
            median_quote_wd=_median(sorted(quoted[g]))))
    return out


# Working days are whole numbers, so the statistics below are exact whichever way they
# are computed; they are computed here in plain Python, the way numpy does, because a
# numpy call per group costs more than the figures themselves.

def _median(ordered: list[float]) -> float | None:
    """``Series.median`` (numpy's median) of ``ordered``, sorted, NaN-free values."""
    n = len(ordered)
    if not n:
        return None
    if n % 2:
        return float(ordered[n // 2])
    return (ordered[n // 2 - 1] + ordered[n // 2]) / 2


def _p90(ordered: list[float]) -> float | None:
    """``np.quantile(values, 0.9, method="linear")`` of ``ordered``, sorted, NaN-free
    values: numpy's operations in numpy's order (numpy/lib/_function_base_impl.py,
    ``_quantile``, ``_get_indexes`` and ``_lerp``), so the float is the same."""
    n = len(ordered)
    if not n:
        return None
    index = (n - 1) * 0.9
    if index >= n - 1:
        return float(ordered[-1])
    below = math.floor(index)
    a, b = ordered[below], ordered[below + 1]
    gamma = index - below
    diff = b - a
    return float(b - diff * (1 - gamma)) if gamma >= 0.5 else float(a + diff * gamma)


def _numbered(keys: Sequence[str]) -> tuple[dict[str, int], np.ndarray]:
    """(key -> group number in order of first appearance, the number of each row)."""
    numbers: dict[str, int] = {}
    rows = [numbers.setdefault(k, len(numbers)) for k in keys]
    return numbers, np.array(rows, dtype=np.intp)


def per_supplier(all_deals: Sequence[DealFigures], period_frame: DealRows,
                 period_msgs: Sequence[Message], silences: Sequence[DealFigures],
                 deal_index: Mapping[str, list[str]]) -> tuple[SupplierFigures, ...]:
    """Figures per supplier: the period's deals, and every open silence of the supplier;
    sorted by name."""
    names: dict[str, str] = {}
    supplier_of: dict[str, str] = {}
    for f in all_deals:
        names.setdefault(f.supplier, f.supplier_name or f.supplier)
        supplier_of[f.deal_id] = f.supplier
    # Counted in C (map, Counter) over the deal ids of every message of the period: one
    # buyer RFQ to three suppliers is a message of each of them.
    found = [ids for ids in map(deal_index.get, [m.key for m in period_msgs]) if ids]
    msg_count = Counter(map(supplier_of.get, [ids[0] for ids in found if len(ids) == 1]))
    for ids in found:
        if len(ids) > 1:
            msg_count.update({supplier_of[d] for d in ids if d in supplier_of})
    msg_count.pop(None, None)  # a deal with nothing up to the report time
    silent_count = Counter([f.supplier for f in silences])
    numbers, groups = _numbered(period_frame.supplier.tolist())
    for key in silent_count:
        numbers.setdefault(key, len(numbers))
    keys = list(numbers)
    figures = _grouped(period_frame, groups, [msg_count.get(k, 0) for k in keys],
                       [silent_count.get(k, 0) for k in keys])
    out = [SupplierFigures(key, names.get(key, key), f)
           for key, f in zip(keys, figures, strict=True)]
    return tuple(sorted(out, key=lambda s: (s.name.casefold(), s.supplier)))


def per_week(frame: DealRows, messages: Sequence[Message], clock: WorkClock,
             as_of: datetime) -> tuple[WeekFigures, ...]:
    """Consecutive ISO weeks from the oldest request (at least TREND_WEEKS) to as_of's.

    A deal belongs to the week of its request; a week's ``open_silences`` are the
    silences among the deals opened in it.
    """
    today = clock.local_date(as_of)
    last = today - timedelta(days=today.weekday())
    first = last - timedelta(weeks=TREND_WEEKS - 1)
    requested = set(frame.week[frame.has_request].tolist())
    if requested:
        oldest = min(date.fromisocalendar(int(w[:4]), int(w[6:]), 1) for w in requested)
        first = min(first, oldest)
    # Messages per local day first: a day's week is worked out once, not per message.
    days = np.array(clock.day_numbers([m.date for m in messages
                                       if m.date is not None and m.date <= as_of]),
                    dtype=np.int64)
    numbers, counts = np.unique(days, return_counts=True)
    msg_weeks: dict[str, int] = {}
    for day, count in zip(numbers.tolist(), counts.tolist(), strict=True):
        week = iso_week(clock.date_of_number(day))
        msg_weeks[week] = msg_weeks.get(week, 0) + count
    mondays = []
    monday = first
    while monday <= last:
        mondays.append(monday)
        monday += timedelta(weeks=1)
    weeks = [iso_week(m) for m in mondays]
    # Rows of weeks outside the series (deals without request, older than the oldest
    # request) go to one more group, left out.
    number = {week: i for i, week in enumerate(weeks)}
    groups = np.array([number.get(w, len(weeks)) for w in frame.week.tolist()],
                      dtype=np.intp)
    silent = np.bincount(groups, weights=frame.silent.astype(np.int64),
                         minlength=len(weeks) + 1).astype(np.int64).tolist()
    figures = _grouped(frame, groups, [msg_weeks.get(w, 0) for w in weeks] + [0], silent)
    return tuple(WeekFigures(week, monday, f)
                 for week, monday, f in zip(weeks, mondays, figures[:-1], strict=True))
