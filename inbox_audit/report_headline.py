"""The report's headline: the period's cards against the reference figures, the
12-week trend (bars and table), and the deals behind each figure that missed the mark.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from zoneinfo import ZoneInfo

from markupsafe import Markup

from inbox_audit import svg
from inbox_audit.metrics import AuditMetrics, DealFigures, Figures, WeekFigures
from inbox_audit.report_format import Fmt
from inbox_audit.report_scale import capped

# The buyer's own audit (SPEC §1): the benchmarks every report is read against.
REFERENCE_QUOTE_RATE = 0.34
REFERENCE_FOLLOWUP_RATE = 0.25
DOCTRINE_WD = 7
TREND_WEEKS = 12
_NOTHING = Figures(messages=0, requests=0, quotes=0, quote_within_sla_rate=None,
                   next_day_followup_rate=None, response_rate=None,
                   median_first_response_wd=None, p90_first_response_wd=None,
                   open_silences=0)


@dataclass(frozen=True)
class DealLink:
    """A reference to a deal shown in the report (anchor ``#deal-<deal_id>``)."""

    deal_id: str
    text: str


@dataclass(frozen=True)
class Headline:
    """One headline card: the period's figure against the benchmark and past weeks,
    and the deals behind it that missed the mark."""

    label: str
    value: str
    detail: str  # e.g. "12 of 35 matured"
    reference: str  # the benchmark it is read against, or ""
    previous: str  # the same figure over the weeks before the period, or ""
    verdict: str  # "good", "bad" or "neutral": the card's colour
    spark: Markup  # the trend over the last 12 weeks
    evidence_title: str  # e.g. "23 not quoted in time", "" when there is none
    evidence: tuple[DealLink, ...]  # those that have a row in the report, the first few
    evidence_more: str = ""  # "… and 12 more" when some are not linked


@dataclass(frozen=True)
class WeekRow:
    """One ISO week of the 12-week trend table."""

    week: str
    in_period: bool
    requests: int
    quote_rate: str
    quote_detail: str  # "3 of 5"
    quote_class: str  # "good", "bad" or "" against the reference
    followup_rate: str
    followup_class: str
    response_rate: str
    median: str
    median_class: str
    silences: int  # deals opened that week that are silent now


def link(d: DealFigures) -> DealLink:
    return DealLink(d.deal_id, f"{d.supplier_name or d.supplier} · {d.subject}")


def bounded(m: AuditMetrics) -> bool:
    return m.period.start is not None or m.period.end is not None


def recent(m: AuditMetrics) -> list[WeekFigures]:
    """The 12 ISO weeks that end with the period (or with the report time's week)."""
    last = m.period.end or m.as_of.astimezone(ZoneInfo(m.timezone)).date()
    weeks = [w for w in m.weeks if w.start <= last][-TREND_WEEKS:]
    # The metrics' series starts at the oldest request: weeks before it had none.
    monday = weeks[0].start if weeks else last - timedelta(days=last.weekday())
    while len(weeks) < TREND_WEEKS:
        monday -= timedelta(weeks=1) if weeks else timedelta(0)
        iso = monday.isocalendar()
        weeks.insert(0, WeekFigures(f"{iso.year}-W{iso.week:02d}", monday, _NOTHING))
    return weeks


def previous(m: AuditMetrics) -> list[WeekFigures]:
    """Up to four weeks before the period: what this period is compared with."""
    if m.period.start is None:
        return []
    return [w for w in m.weeks if w.start < m.period.start][-4:]


def pooled(weeks: list[WeekFigures], hits: str, matured: str) -> float | None:
    total = sum(getattr(w.figures, matured) for w in weeks)
    return sum(getattr(w.figures, hits) for w in weeks) / total if total else None


def verdict(value: float | None, ref: float, *, lower_is_better: bool = False) -> str:
    if value is None:
        return "neutral"
    return "good" if (value <= ref if lower_is_better else value >= ref) else "bad"


def headlines(m: AuditMetrics, t: Mapping[str, str], fmt: Fmt,
              shown: Collection[str] | None = None) -> tuple[Headline, ...]:
    """The headline cards; ``shown``: ids of the deals that have a row in the report
    (default: all), the only ones a card links to."""
    tot, weeks, prev = m.totals, recent(m), previous(m)
    qsla, fsla = m.quote_sla_wd, m.followup_sla_wd

    def prev_text(value: float | None) -> str:
        return fmt.phrase("previous", x=fmt.pct(value)) if prev and value is not None else ""

    def spark(attr: str, ref: float | None, label: str) -> Markup:
        return svg.sparkline([getattr(w.figures, attr) for w in weeks], reference=ref,
                             label=label)

    def evidence(key: str, deals: Iterable[DealFigures]
                 ) -> tuple[str, tuple[DealLink, ...], str]:
        missed = list(deals)
        links = [link(d) for d in missed if shown is None or d.deal_id in shown]
        head, more = capped(links)
        more += len(missed) - len(links)
        return ((fmt.phrase(key, n=len(missed), d=DOCTRINE_WD) if missed else ""), head,
                fmt.phrase("more_links", n=fmt.num(more)) if more else "")

    missed_quote = evidence("missed_quote", (
        d for d in m.deals if d.quote_matured and (d.quote_wd is None or d.quote_wd > qsla)))
    missed_followup = evidence("missed_followup", (
        d for d in m.deals if d.followup_matured
        and (d.followup_after_quote_wd is None or d.followup_after_quote_wd > fsla)))
    unanswered = evidence("unanswered", (
        d for d in m.deals if d.response_matured and d.first_response_wd is None))
    slow = evidence("slow", (d for d in m.deals if d.first_response_wd is not None
                             and d.first_response_wd > DOCTRINE_WD))
    median = tot.median_first_response_wd
    return (
        Headline(t["hl_quote"], fmt.pct(tot.quote_within_sla_rate),
                 fmt.phrase("of_matured", a=tot.quoted_within_sla, b=tot.quote_matured),
                 t["ref_quote"], prev_text(pooled(prev, "quoted_within_sla", "quote_matured")),
                 verdict(tot.quote_within_sla_rate, REFERENCE_QUOTE_RATE),
                 spark("quote_within_sla_rate", REFERENCE_QUOTE_RATE, t["hl_quote"]),
                 *missed_quote),
        Headline(t["hl_followup"], fmt.pct(tot.next_day_followup_rate),
                 fmt.phrase("of_matured", a=tot.followed_up_within_sla,
                            b=tot.followup_matured),
                 t["ref_followup"],
                 prev_text(pooled(prev, "followed_up_within_sla", "followup_matured")),
                 verdict(tot.next_day_followup_rate, REFERENCE_FOLLOWUP_RATE),
                 spark("next_day_followup_rate", REFERENCE_FOLLOWUP_RATE, t["hl_followup"]),
                 *missed_followup),
        Headline(t["hl_response"], fmt.pct(tot.response_rate),
                 fmt.phrase("of_matured", a=tot.responded, b=tot.response_matured), "",
                 prev_text(pooled(prev, "responded", "response_matured")), "neutral",
                 spark("response_rate", None, t["hl_response"]), *unanswered),
        Headline(t["hl_median"], fmt.wd(median),
                 fmt.phrase("p90", x=fmt.wd(tot.p90_first_response_wd))
                 if tot.p90_first_response_wd is not None else "",
                 t["ref_doctrine"], "",
                 verdict(median, DOCTRINE_WD, lower_is_better=True),
                 spark("median_first_response_wd", DOCTRINE_WD, t["hl_median"]), *slow),
        Headline(t["hl_volume"], fmt.num(tot.requests),
                 fmt.phrase("volume", q=tot.quotes, n=tot.messages), "", "", "neutral",
                 spark("requests", None, t["hl_volume"]), "", (), ""),
    )


def trend(m: AuditMetrics, t: Mapping[str, str], fmt: Fmt) -> Markup:
    items = []
    for w in recent(m):
        f = w.figures
        title = (f"{w.week}: {fmt.pct(f.quote_within_sla_rate)} "
                 f"({fmt.phrase('of_matured', a=f.quoted_within_sla, b=f.quote_matured)})")
        items.append(svg.Bar(w.week[-3:], f.quote_within_sla_rate,
                             overlaps(w.start, m), title))
    return svg.bars(items, reference=REFERENCE_QUOTE_RATE, reference_label=t["ref_line"],
                    label=t["h_trend"])


def overlaps(monday: date, m: AuditMetrics) -> bool:
    """Whether the week of ``monday`` overlaps a bounded report period."""
    if not bounded(m):
        return False
    return ((m.period.end is None or monday <= m.period.end)
            and (m.period.start is None or monday + timedelta(days=6) >= m.period.start))


def week_row(w: WeekFigures, m: AuditMetrics, fmt: Fmt) -> WeekRow:
    f = w.figures

    def cls(value: float | None, ref: float, lower: bool = False) -> str:
        said = verdict(value, ref, lower_is_better=lower)
        return "" if said == "neutral" else said

    return WeekRow(
        week=w.week, in_period=overlaps(w.start, m), requests=f.requests,
        quote_rate=fmt.pct(f.quote_within_sla_rate),
        quote_detail=fmt.phrase("a_of_b", a=f.quoted_within_sla, b=f.quote_matured),
        quote_class=cls(f.quote_within_sla_rate, REFERENCE_QUOTE_RATE),
        followup_rate=fmt.pct(f.next_day_followup_rate),
        followup_class=cls(f.next_day_followup_rate, REFERENCE_FOLLOWUP_RATE),
        response_rate=fmt.pct(f.response_rate), median=fmt.wd(f.median_first_response_wd),
        median_class=cls(f.median_first_response_wd, DOCTRINE_WD, True),
        silences=f.open_silences)
