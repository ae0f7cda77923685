"""The HTML audit report (SPEC §7): one self-contained file, readable with JavaScript off.

``build_context`` is the only place that decides what the report shows: it turns the
metrics into one documented ``ReportContext`` of display-ready strings and our own SVG.
``render_html`` only lays that out with ``templates/report.html.j2``; ``render_summary``
lays out the short summary that goes in the body of the report mail. Jinja2 escapes
everything (mail content is hostile input); the only unescaped HTML is the SVG that
``svg.py`` draws from numbers, and the bundled stylesheet.

Every figure refers to what is behind it: each deal has the anchor ``#deal-<id>`` and
lists its message ids, and the headline cards, monsters, league table and review rows
link to those anchors.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

from markupsafe import Markup

from inbox_audit import svg
from inbox_audit.clock import in_period_test
from inbox_audit.config import Settings
from inbox_audit.league import LeagueEntry, league
from inbox_audit.metrics import AuditMetrics, DealFigures
from inbox_audit.report_deals import ArchiveRow, DealRow, MessageRef, deal_sections
from inbox_audit.report_env import environment
from inbox_audit.report_format import DASH, STRINGS, Fmt, report_language, strings
from inbox_audit.report_headline import (
    DOCTRINE_WD,
    REFERENCE_FOLLOWUP_RATE,
    REFERENCE_QUOTE_RATE,
    DealLink,
    Headline,
    WeekRow,
    bounded,
    headlines,
    link,
    recent,
    trend,
    week_row,
)
from inbox_audit.report_review import ReviewRow, review_rows
from inbox_audit.report_scale import (
    ArchiveMonth,
    SilenceGroup,
    capped,
    league_window,
    listed_silences,
    silence_groups,
)
from inbox_audit.resources import templates_dir

__all__ = [
    "STRINGS", "TEMPLATE", "SUMMARY_TEMPLATE", "Alert", "ArchiveMonth", "ArchiveRow",
    "DealLink", "DealRow", "SilenceGroup",
    "Headline", "MessageRef", "Monster", "ReportContext", "ReviewItem", "ReviewRow",
    "SupplierRow", "WeekRow", "build_context", "render_html", "render_summary", "strings",
]

TEMPLATE = "report.html.j2"
SUMMARY_TEMPLATE = "summary.html.j2"
STYLESHEET = "report.css"
# A silence on a quote of at least this much is drawn as a monster whatever its intent.
HIGH_VALUE = Decimal(10_000)
_HUMAN = frozenset({"request", "quote", "follow-up"})


@dataclass(frozen=True)
class ReviewItem:
    """A message whose label most needs the buyer's eye (the pipeline lists them,
    least confident first)."""

    key: str
    date: datetime | None
    sender: str
    subject: str
    label: str
    confidence: float
    source: str
    explanation: str


@dataclass(frozen=True)
class Monster:
    """One open silence, worst first."""

    rank: int
    deal_id: str
    supplier: str
    subject: str
    amount: str
    high_intent: bool
    silent_wd: int
    awaited: str
    since: str  # local date of the last human message
    opened: str
    new: bool  # turned silent within the period
    severity: str  # "critical" (high intent or value) or "serious"
    beyond_doctrine: bool  # silent longer than the buyer's 7-day decision window
    last_key: str | None  # message id of the last human message: silence counts from it


@dataclass(frozen=True)
class SupplierRow:
    """One row of the league table (see ``inbox_audit.league`` for the score)."""

    rank: int
    score: str
    score_class: str  # "good", "warn", "bad" or "muted"
    name: str
    key: str
    requests: int
    quotes: int
    quote_rate: str
    quote_meter: Markup
    followup_rate: str
    followup_meter: Markup
    response_rate: str
    median: str
    p90: str
    persistence: str  # supplier follow-ups per quote
    chases: int  # buyer chases needed
    open_silences: int
    deals: tuple[DealLink, ...]  # those that have a row in the report, the first few
    deals_more: str = ""  # "… and 12 more" when some are not linked


@dataclass(frozen=True)
class Alert:
    """The banner above everything when suppliers left the buyer waiting."""

    count: int
    text: str  # "open silences", next to the big count
    detail: str  # "1 new this period · € 145.000 in quotes left hanging"


@dataclass(frozen=True)
class ReportContext:
    """Everything ``templates/report.html.j2`` shows, and nothing else.

    - ``lang``: ``en`` or ``nl``, the page language.
    - ``t``: the UI strings in that language (``[en.ui]`` of ``report_strings.toml``).
    - ``css``: the bundled stylesheet, inlined in ``<style>``.
    - ``title``: the page title.
    - ``period_label``, ``period_range``: the period's name and its formatted dates.
    - ``as_of``, ``generated_at``: the report time and when the file was written.
    - ``alert``: the open-silence banner, None when there is no silence.
    - ``headlines``: the headline cards (``Headline``), each with the deals it missed.
    - ``trend``: SVG bars of the quote rate over the last 12 weeks.
    - ``weeks``: the last 12 ISO weeks' figures (``WeekRow``), oldest first.
    - ``monsters``: the open silences listed one by one, worst first (``Monster``; a
      long history lists the worst and the new ones, see report_scale.py).
    - ``silences_unlisted``: "" or the line saying how many silences are not listed.
    - ``silence_groups``: those silences per supplier (``SilenceGroup``).
    - ``groups_unlisted``: "" or the line saying how many suppliers more have some.
    - ``suppliers``: the league table, best score first (``SupplierRow``); a very long
      one shows its top and its bottom.
    - ``league_gap``: how many rows of ``suppliers`` come before the gap (0: no gap).
    - ``league_gap_text``: the line in the gap saying what is left out.
    - ``deals``: the period's deals with their swimlanes, newest first (``DealRow``).
    - ``earlier_deals``: listed silences of deals opened before the period (``DealRow``).
    - ``archive``: the period's other deals past the drawing limit (``ArchiveRow``).
    - ``archive_months``: the period's deals beyond those, per month (``ArchiveMonth``).
    - ``archive_unlisted``: "" or the line saying how many deals that is.
    - ``legend``: SVG legend of the swimlane marks.
    - ``review``: the messages that most need review (``ReviewRow``).
    - ``correction_file``: where the buyer corrects labels, None if unknown.
    - ``method``: (label, value) rows: report time, period, zone, holidays, thresholds,
      counts of messages imported, ignored and quarantined.
    """

    lang: str
    t: Mapping[str, str]
    css: Markup
    title: str
    period_label: str
    period_range: str
    as_of: str
    generated_at: str
    alert: Alert | None
    headlines: tuple[Headline, ...]
    trend: Markup
    weeks: tuple[WeekRow, ...]
    monsters: tuple[Monster, ...]
    silences_unlisted: str
    silence_groups: tuple[SilenceGroup, ...]
    groups_unlisted: str
    suppliers: tuple[SupplierRow, ...]
    league_gap: int
    league_gap_text: str
    deals: tuple[DealRow, ...]
    earlier_deals: tuple[DealRow, ...]
    archive: tuple[ArchiveRow, ...]
    archive_months: tuple[ArchiveMonth, ...]
    archive_unlisted: str
    legend: Markup
    review: tuple[ReviewRow, ...]
    correction_file: str | None
    method: tuple[tuple[str, str], ...]


def build_context(m: AuditMetrics, settings: Settings, *, generated_at: datetime,
                  correction_file: Path | None,
                  review: Sequence[ReviewItem]) -> ReportContext:
    """The one context the report template renders, in ``settings.language``."""
    lang = report_language(settings)
    fmt = Fmt(lang, settings)
    text = strings(lang)
    t = {k: v.format(q=m.quote_sla_wd, f=m.followup_sla_wd, d=DOCTRINE_WD)
         for k, v in text["ui"].items()}
    unbounded = m.period.start is None and m.period.end is None
    period_range = ("" if unbounded else
                    f"{fmt.day(m.period.start)} – {fmt.day(m.period.end)}")
    css = Markup((templates_dir() / STYLESHEET).read_text(encoding="utf-8"))
    listed = listed_silences(m, bounded(m))
    listed_ids = {s.deal_id for s in listed}
    rank = {s.deal_id: i for i, s in enumerate(m.silences, 1)}
    groups, more_groups = silence_groups(
        (s for s in m.silences if s.deal_id not in listed_ids), fmt)
    unlisted = len(m.silences) - len(listed)
    deals, earlier, archive, months = deal_sections(m, t, fmt, listed_ids)
    shown = {d.deal_id for d in (*deals, *earlier, *archive)}
    ranked = league(m)
    top, bottom = league_window(len(ranked))
    hidden = len(ranked) - len(top) - len(bottom)
    return ReportContext(
        lang=lang, t=t, css=css,
        title=f"{t['title']} · {t['all_time'] if unbounded else m.period.label}",
        period_label=t["all_time"] if unbounded else m.period.label,
        period_range=period_range,
        as_of=fmt.moment(m.as_of), generated_at=fmt.moment(generated_at),
        alert=_alert(m, fmt),
        headlines=headlines(m, t, fmt, shown),
        trend=trend(m, t, fmt),
        weeks=tuple(week_row(w, m, fmt) for w in recent(m)),
        monsters=tuple(_monster(rank[s.deal_id], s, m, fmt) for s in listed),
        silences_unlisted=(fmt.phrase("silences_unlisted", n=fmt.num(unlisted))
                           if unlisted else ""),
        silence_groups=groups,
        groups_unlisted=(fmt.phrase("groups_unlisted", n=fmt.num(more_groups))
                         if more_groups else ""),
        suppliers=tuple(_supplier_row(ranked[i], fmt, shown) for i in (*top, *bottom)),
        league_gap=len(top) if hidden else 0,
        league_gap_text=(fmt.phrase("league_gap", n=fmt.num(hidden), a=len(top) + 1,
                                    b=len(top) + hidden) if hidden else ""),
        deals=deals, earlier_deals=earlier, archive=archive, archive_months=months,
        archive_unlisted=(fmt.phrase("archive_unlisted",
                                     n=fmt.num(sum(x.deals for x in months)))
                          if months else ""),
        legend=svg.legend({
            "request": fmt.label("request"), "quote": fmt.label("quote"),
            "follow-up": t["kind_followup"], "chase": t["kind_chase"],
            "silence": fmt.label("silence"), "late": t["legend_late"],
            "open": t["legend_open"], "deadline": t["legend_deadline"],
            "now": t["legend_now"]}),
        review=review_rows(review, m, shown, fmt),
        correction_file=str(correction_file) if correction_file else None,
        method=_method(m, settings, t, fmt),
    )


def render_html(ctx: ReportContext) -> str:
    """The report as one HTML document: inline CSS and SVG, no script, no URL."""
    fields = {f.name: getattr(ctx, f.name) for f in dataclasses.fields(ctx)}
    return environment().get_template(TEMPLATE).render(**fields)


def render_summary(ctx: ReportContext, attachment: str) -> tuple[str, str]:
    """(plain text, HTML) of the short summary in the body of the report mail: the
    headline figures and the worst silences; ``attachment`` names the full report."""
    top = ctx.monsters[:5]
    html = environment().get_template(SUMMARY_TEMPLATE).render(
        ctx=ctx, monsters=top, attachment=attachment)
    lines = [ctx.title, f"{ctx.t['period']}: {ctx.period_label}"
             + (f" ({ctx.period_range})" if ctx.period_range else "")
             + f" · {ctx.t['as_of']} {ctx.as_of}", ""]
    if ctx.alert:
        lines += [f"{ctx.alert.count} {ctx.alert.text}"
                  + (f" · {ctx.alert.detail}" if ctx.alert.detail else ""), ""]
    for h in ctx.headlines:
        lines.append(f"- {h.label}: {h.value}" + (f" ({h.detail})" if h.detail else ""))
    if top:
        lines += ["", ctx.t["h_monsters"] + ":"]
        for s in top:
            lines.append(f"{s.rank}. {s.supplier} · {s.subject} · {s.amount} · "
                         f"{s.silent_wd} {ctx.t['unit_wd']} · {s.awaited}")
    lines += ["", f"{ctx.t['mail_attached']} {attachment}"]
    return "\n".join(lines) + "\n", html


# --- sections --------------------------------------------------------------------------

def _alert(m: AuditMetrics, fmt: Fmt) -> Alert | None:
    if not m.silences:
        return None
    waiting: dict[str, Decimal] = {}
    for s in m.silences:
        if s.quote_amount is not None and s.currency:
            waiting[s.currency] = waiting.get(s.currency, Decimal(0)) + s.quote_amount
    # Over all mail every silence is "new": the mark only means something in a window.
    parts = [fmt.phrase("new_silences", n=m.new_silences)] if bounded(m) else []
    if waiting:
        total = " + ".join(fmt.money(v, c) for c, v in sorted(waiting.items()))
        parts.append(fmt.phrase("waiting_value", x=total))
    intent = sum(1 for s in m.silences if s.high_intent)
    if intent:
        parts.append(fmt.phrase("intent_silences", n=intent))
    count = len(m.silences)
    return Alert(count, fmt.phrase("open_silences_one" if count == 1 else "open_silences"),
                 " · ".join(parts))


def _last_human_key(d: DealFigures) -> str | None:
    return next((p.key for p in reversed(d.timeline) if p.label in _HUMAN), None)


def _monster(rank: int, s: DealFigures, m: AuditMetrics, fmt: Fmt) -> Monster:
    valuable = s.quote_amount is not None and s.quote_amount >= HIGH_VALUE
    return Monster(
        rank=rank, deal_id=s.deal_id, supplier=s.supplier_name or s.supplier,
        subject=s.subject, amount=fmt.money(s.quote_amount, s.currency),
        high_intent=s.high_intent, silent_wd=s.silent_wd or 0,
        awaited=fmt.label(s.awaited or ""),
        since=fmt.day(s.last_human), opened=fmt.day(s.opened),
        new=s.new_silence and bounded(m),
        severity="critical" if (s.high_intent or valuable) else "serious",
        beyond_doctrine=(s.silent_wd or 0) > DOCTRINE_WD,
        last_key=_last_human_key(s))


def _supplier_row(e: LeagueEntry, fmt: Fmt, shown: Collection[str]) -> SupplierRow:
    f = e.figures
    links, more = capped([link(d) for d in e.deals if d.deal_id in shown])
    more += sum(1 for d in e.deals if d.deal_id not in shown)
    score_class = ("muted" if e.score is None else "good" if e.score >= 70
                   else "warn" if e.score >= 40 else "bad")
    return SupplierRow(
        rank=e.rank, score=DASH if e.score is None else str(e.score), score_class=score_class,
        name=e.name, key=e.supplier, requests=f.requests, quotes=f.quotes,
        quote_rate=fmt.pct(f.quote_within_sla_rate),
        quote_meter=svg.meter(f.quote_within_sla_rate, reference=REFERENCE_QUOTE_RATE,
                              label=fmt.pct(f.quote_within_sla_rate)),
        followup_rate=fmt.pct(f.next_day_followup_rate),
        followup_meter=svg.meter(f.next_day_followup_rate, reference=REFERENCE_FOLLOWUP_RATE,
                                 label=fmt.pct(f.next_day_followup_rate)),
        response_rate=fmt.pct(f.response_rate), median=fmt.wd(f.median_first_response_wd),
        p90=fmt.wd(f.p90_first_response_wd), persistence=fmt.num(e.followups_per_quote),
        chases=e.chases, open_silences=f.open_silences,
        deals=links, deals_more=fmt.phrase("more_links", n=fmt.num(more)) if more else "")


def _method(m: AuditMetrics, settings: Settings, t: Mapping[str, str],
            fmt: Fmt) -> tuple[tuple[str, str], ...]:
    inside = in_period_test(m.period, ZoneInfo(m.timezone))
    everything = not bounded(m)
    on_deals = ignored = 0
    for _, ids, label, _, _, when in m.messages:  # MessageRecord, one per message
        if when is not None and (everything or inside(when)):
            if not ids or label == "other":
                ignored += 1
            else:
                on_deals += 1
    period = m.period.label if bounded(m) else t["all_time"]
    if m.period.start and m.period.end:
        period += f" ({fmt.day(m.period.start)} – {fmt.day(m.period.end)})"
    extra = ", ".join(fmt.day(d) for d in sorted(settings.extra_holidays)) or DASH
    rows = [
        (t["m_as_of"], fmt.moment(m.as_of)),
        (t["m_period"], period),
        (t["m_timezone"], m.timezone),
        (t["m_workdays"], ", ".join(m.workdays)),
        (t["m_country"], m.country),
        (t["m_holidays"], ", ".join(fmt.day(d) for d in m.holidays) or DASH),
        (t["m_extra_holidays"], extra),
        (t["m_quote_sla"], fmt.wd(m.quote_sla_wd)),
        (t["m_followup_sla"], fmt.wd(m.followup_sla_wd)),
        (t["m_doctrine"], fmt.wd(DOCTRINE_WD)),
        (t["m_high_value"], fmt.money(HIGH_VALUE, "EUR")),
        (t["m_messages"], fmt.num(m.totals.messages)),
        (t["m_on_deals"], fmt.num(on_deals)),
        (t["m_ignored"], fmt.num(ignored)),
    ]
    for key, value in m.stats.items():
        rows.append((t.get("stat_" + key, key.replace("_", " ")), fmt.num(value)))
    return tuple(rows)
