"""The aggregation of deal figures into headline figures (SPEC §6), with pandas.

Totals, per supplier and per ISO week all go through ``figures_of``, so a rate means
the same everywhere. pandas never leaves the metrics: these functions return records.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime, timedelta

import numpy as np
import pandas as pd

from inbox_audit.clock import WorkClock
from inbox_audit.metrics_records import DealFigures, Figures, SupplierFigures, WeekFigures, iso_week
from inbox_audit.models import Message

TREND_WEEKS = 12  # the weekly series always covers at least this many weeks

_COLUMNS = ("deal_id", "supplier", "supplier_name", "week", "in_period", "has_request",
            "has_quote", "quote_matured", "quote_hit", "response_matured", "responded",
            "followup_matured", "followup_hit", "first_response_wd", "quote_wd",
            "buyer_chases", "supplier_followups", "silent")
_COUNTS = ("has_quote", "quote_matured", "quote_hit", "response_matured", "responded",
           "followup_matured", "followup_hit", "buyer_chases", "supplier_followups")


def deal_frame(deals: Sequence[DealFigures], qsla: int, fsla: int) -> pd.DataFrame:
    """One row per deal with the booleans and latencies the figures are made of."""
    def num(value: int | None) -> float:
        return float(value) if value is not None else np.nan

    rows = [{
        "deal_id": f.deal_id, "supplier": f.supplier, "supplier_name": f.supplier_name,
        "week": f.week, "in_period": f.in_period, "has_request": f.has_request,
        "has_quote": f.has_request and f.quote_wd is not None,
        "quote_matured": f.quote_matured,
        "quote_hit": f.quote_matured and f.quote_wd is not None and f.quote_wd <= qsla,
        "response_matured": f.response_matured,
        "responded": f.response_matured and f.first_response_wd is not None,
        "followup_matured": f.followup_matured,
        "followup_hit": f.followup_matured and f.followup_after_quote_wd is not None
        and f.followup_after_quote_wd <= fsla,
        "first_response_wd": num(f.first_response_wd), "quote_wd": num(f.quote_wd),
        "buyer_chases": f.buyer_chases if f.has_request else 0,
        "supplier_followups": f.supplier_followups if f.has_request else 0,
        "silent": f.silent_wd is not None,
    } for f in deals]
    return pd.DataFrame(rows, columns=list(_COLUMNS))


_NONE = np.array([], dtype=np.intp)


def _rate(hits: int, total: int) -> float | None:
    return hits / total if total else None


def figures_of(rows: pd.DataFrame, messages: int, open_silences: int) -> Figures:
    """The headline figures of the deals in ``rows`` (a slice of ``deal_frame``).

    Only deals with a request count. Each rate is hits / matured items and None when
    nothing matured; the median and 90th percentile (linear interpolation, pandas'
    default) of the first response are over the deals that got one.
    """
    columns = _Columns(rows)
    return columns.figures(np.arange(len(rows)), messages, open_silences)


class _Columns:
    """The columns of a deal frame as numpy arrays, so that the figures of each of many
    groups (hundreds of suppliers, hundreds of weeks) cost a few array operations
    instead of a DataFrame slice per group. The statistics are the very numpy calls
    pandas makes for ``Series.median`` and ``Series.quantile``, so every figure is the
    same to the last bit."""

    def __init__(self, rows: pd.DataFrame) -> None:
        self.has_request = rows["has_request"].to_numpy(dtype=bool)
        self.counts = {c: rows[c].to_numpy(dtype=np.int64) for c in _COUNTS}
        self.first = rows["first_response_wd"].to_numpy(dtype=np.float64)
        self.quote = rows["quote_wd"].to_numpy(dtype=np.float64)

    def figures(self, positions: np.ndarray, messages: int, open_silences: int) -> Figures:
        """The figures of the rows at ``positions``."""
        req = positions[self.has_request[positions]]
        counts = {c: int(values[req].sum()) for c, values in self.counts.items()}
        first = _known(self.first[req])
        quoted = _known(self.quote[req])
        return Figures(
            messages=messages, requests=len(req), quotes=counts["has_quote"],
            quote_within_sla_rate=_rate(counts["quote_hit"], counts["quote_matured"]),
            next_day_followup_rate=_rate(counts["followup_hit"], counts["followup_matured"]),
            response_rate=_rate(counts["responded"], counts["response_matured"]),
            median_first_response_wd=_median(first),
            p90_first_response_wd=(float(np.quantile(first, _P90, method="linear")[0])
                                   if len(first) else None),
            open_silences=open_silences,
            quoted_within_sla=counts["quote_hit"], quote_matured=counts["quote_matured"],
            followed_up_within_sla=counts["followup_hit"],
            followup_matured=counts["followup_matured"],
            responded=counts["responded"], response_matured=counts["response_matured"],
            buyer_chases=counts["buyer_chases"],
            chases_per_request=_rate(counts["buyer_chases"], len(req)),
            supplier_followups=counts["supplier_followups"],
            followups_per_quote=_rate(counts["supplier_followups"], counts["has_quote"]),
            median_quote_wd=_median(quoted))


_P90 = np.array([0.9])


def _known(values: np.ndarray) -> np.ndarray:
    return values[~np.isnan(values)]


def _median(values: np.ndarray) -> float | None:
    return float(np.nanmedian(values)) if len(values) else None


def _groups(rows: pd.DataFrame, column: str) -> dict[str, np.ndarray]:
    """Group value -> positions of its rows (one pass over the frame)."""
    if not len(rows):
        return {}
    return {key: np.asarray(pos) for key, pos in rows.groupby(column, sort=False).indices.items()}


def per_supplier(all_deals: Sequence[DealFigures], period_frame: pd.DataFrame,
                 period_msgs: Sequence[Message], silences: Sequence[DealFigures],
                 deal_index: Mapping[str, list[str]]) -> tuple[SupplierFigures, ...]:
    """Figures per supplier: the period's deals, and every open silence of the supplier;
    sorted by name."""
    names: dict[str, str] = {}
    supplier_of: dict[str, str] = {}
    for f in all_deals:
        names.setdefault(f.supplier, f.supplier_name or f.supplier)
        supplier_of[f.deal_id] = f.supplier
    msg_count: dict[str, int] = {}
    for msg in period_msgs:
        # One buyer RFQ to three suppliers is a message of each of them.
        for supplier in {supplier_of[d] for d in deal_index.get(msg.key, ())
                         if d in supplier_of}:
            msg_count[supplier] = msg_count.get(supplier, 0) + 1
    silent_count: dict[str, int] = {}
    for f in silences:
        silent_count[f.supplier] = silent_count.get(f.supplier, 0) + 1
    columns = _Columns(period_frame)
    groups = _groups(period_frame, "supplier")
    keys = set(groups) | set(silent_count)
    out = [SupplierFigures(key, names.get(key, key),
                           columns.figures(groups.get(key, _NONE), msg_count.get(key, 0),
                                           silent_count.get(key, 0)))
           for key in keys]
    return tuple(sorted(out, key=lambda s: (s.name.casefold(), s.supplier)))


def per_week(frame: pd.DataFrame, messages: Sequence[Message], clock: WorkClock,
             as_of: datetime) -> tuple[WeekFigures, ...]:
    """Consecutive ISO weeks from the oldest request (at least TREND_WEEKS) to as_of's.

    A deal belongs to the week of its request; a week's ``open_silences`` are the
    silences among the deals opened in it.
    """
    today = clock.local_date(as_of)
    last = today - timedelta(days=today.weekday())
    first = last - timedelta(weeks=TREND_WEEKS - 1)
    requested = frame[frame["has_request"]] if len(frame) else frame
    if len(requested):
        oldest = min(date.fromisocalendar(int(w[:4]), int(w[6:]), 1)
                     for w in requested["week"].unique())
        first = min(first, oldest)
    msg_weeks: dict[str, int] = {}
    for msg in messages:
        if msg.date is not None and msg.date <= as_of:
            week = iso_week(clock.local_date(msg.date))
            msg_weeks[week] = msg_weeks.get(week, 0) + 1
    columns = _Columns(frame)
    silent = frame["silent"].to_numpy(dtype=bool)
    groups = _groups(frame, "week")
    out = []
    monday = first
    while monday <= last:
        week = iso_week(monday)
        rows = groups.get(week, _NONE)
        out.append(WeekFigures(week, monday, columns.figures(
            rows, msg_weeks.get(week, 0), int(silent[rows].sum()))))
        monday += timedelta(weeks=1)
    return tuple(out)
