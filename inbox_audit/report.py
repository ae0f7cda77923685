"""The HTML audit report (SPEC §7): one self-contained file, readable with JavaScript off.

``build_context`` is the only place that decides what the report shows: it turns the
metrics into one documented ``ReportContext`` of display-ready strings and our own SVG.
``render_html`` only lays that out with ``templates/report.html.j2``. Jinja2 escapes
everything (mail content is hostile input); the only unescaped HTML is the SVG that
``svg.py`` draws from numbers, and the bundled stylesheet.
"""

from __future__ import annotations

import dataclasses
import functools
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

from babel import Locale
from babel.dates import format_date, format_datetime
from babel.numbers import format_currency, format_decimal, format_percent
from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup

from inbox_audit import svg
from inbox_audit.config import Settings
from inbox_audit.errors import InboxAuditError
from inbox_audit.metrics import AuditMetrics, DealFigures, Figures, SupplierFigures
from inbox_audit.resources import templates_dir

TEMPLATE = "report.html.j2"
STYLESHEET = "report.css"
STRINGS = "report_strings.toml"  # UI strings per language: data, beside the template
LOCALES = {"en": "en_GB", "nl": "nl_BE"}
# The buyer's own audit (SPEC §1): the benchmarks every report is read against.
REFERENCE_QUOTE_RATE = 0.34
REFERENCE_FOLLOWUP_RATE = 0.25
DOCTRINE_WD = 7
# A silence on a quote of at least this much is drawn as a monster whatever its intent.
HIGH_VALUE = Decimal(10_000)
TREND_WEEKS = 12
DASH = "—"


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
class Headline:
    """One headline card: the period's figure against the benchmark and past weeks."""

    label: str
    value: str
    detail: str  # e.g. "12 of 35 matured"
    reference: str  # the benchmark it is read against, or ""
    previous: str  # the same figure over the weeks before the period, or ""
    verdict: str  # "good", "bad" or "neutral": the card's colour
    spark: Markup  # the weekly trend


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


@dataclass(frozen=True)
class SupplierRow:
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
    open_silences: int


@dataclass(frozen=True)
class DealRow:
    deal_id: str
    supplier: str
    subject: str
    opened: str
    status: str
    status_class: str  # "ok", "warn", "bad" or "muted"
    first_response: str
    quote: str
    followup: str
    chases: int
    amount: str
    high_intent: bool
    silent: str  # "" when not silent
    timeline: Markup


@dataclass(frozen=True)
class ReviewRow:
    key: str
    date: str
    sender: str
    subject: str
    label: str
    confidence: str
    source: str
    explanation: str


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
    - ``headlines``: the headline cards (``Headline``).
    - ``trend``: SVG bars of the quote rate over the last weeks.
    - ``monsters``: the open silences, worst first (``Monster``).
    - ``suppliers``: the league table, best first (``SupplierRow``).
    - ``deals``: the period's deals, newest first (``DealRow``).
    - ``legend``: SVG legend of the timeline colours.
    - ``review``: the messages that most need review (``ReviewRow``).
    - ``correction_file``: where the buyer corrects labels, None if unknown.
    - ``method``: (label, value) rows: report time, period, zone, holidays, SLAs, counts.
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
    monsters: tuple[Monster, ...]
    suppliers: tuple[SupplierRow, ...]
    deals: tuple[DealRow, ...]
    legend: Markup
    review: tuple[ReviewRow, ...]
    correction_file: str | None
    method: tuple[tuple[str, str], ...]


@functools.cache
def strings(lang: str) -> dict[str, dict[str, str]]:
    """The report's strings in ``lang`` (``ui``, ``phrases``, ``labels``, ``statuses``)
    from ``templates/report_strings.toml``; a missing key falls back to English."""
    path = templates_dir() / STRINGS
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise InboxAuditError(f"{path}: cannot read the report strings: {exc}") from None
    english = data["en"]
    chosen = data.get(lang, {})
    return {part: {**english[part], **chosen.get(part, {})} for part in english}


class _Fmt:
    """Locale-aware formatting for one report."""

    def __init__(self, lang: str, settings: Settings) -> None:
        self.locale = LOCALES.get(lang, "en_GB")
        self.tz = settings.tz
        self.phrases = strings(lang)["phrases"]

    def pct(self, rate: float | None) -> str:
        return DASH if rate is None else format_percent(rate, format="#,##0%",
                                                        locale=self.locale)

    def num(self, value: float | None) -> str:
        return DASH if value is None else format_decimal(value, format="#,##0.#",
                                                         locale=self.locale)

    def wd(self, value: float | None) -> str:
        return DASH if value is None else self.phrases["wd_value"].format(x=self.num(value))

    def money(self, amount: Decimal | None, currency: str | None) -> str:
        if amount is None:
            return DASH
        if not currency:
            return format_decimal(amount, format="#,##0.##", locale=self.locale)
        if amount == amount.to_integral_value():
            # Whole amounts read better without ",00": the locale's pattern minus decimals.
            pattern = Locale.parse(self.locale).currency_formats["standard"].pattern
            return format_currency(amount, currency, format=pattern.replace(".00", ""),
                                   currency_digits=False, locale=self.locale)
        return format_currency(amount, currency, locale=self.locale)

    def day(self, value: date | datetime | None) -> str:
        if value is None:
            return DASH
        if isinstance(value, datetime):
            value = value.astimezone(self.tz).date()
        return format_date(value, format="medium", locale=self.locale)

    def moment(self, value: datetime) -> str:
        return format_datetime(value, format="d MMM yyyy HH:mm", tzinfo=self.tz,
                               locale=self.locale)

    def phrase(self, key: str, **kw: object) -> str:
        return self.phrases[key].format(**kw)


def build_context(m: AuditMetrics, settings: Settings, *, generated_at: datetime,
                  correction_file: Path | None,
                  review: Sequence[ReviewItem]) -> ReportContext:
    """The one context the report template renders, in ``settings.language``."""
    lang = settings.language if settings.language in LOCALES else "en"
    fmt = _Fmt(lang, settings)
    text = strings(lang)
    t = {k: v.format(q=m.quote_sla_wd, f=m.followup_sla_wd, d=DOCTRINE_WD)
         for k, v in text["ui"].items()}
    unbounded = m.period.start is None and m.period.end is None
    period_range = ("" if unbounded else
                    f"{fmt.day(m.period.start)} – {fmt.day(m.period.end)}")
    css = Markup((templates_dir() / STYLESHEET).read_text(encoding="utf-8"))
    return ReportContext(
        lang=lang, t=t, css=css,
        title=f"{t['title']} · {t['all_time'] if unbounded else m.period.label}",
        period_label=t["all_time"] if unbounded else m.period.label,
        period_range=period_range,
        as_of=fmt.moment(m.as_of), generated_at=fmt.moment(generated_at),
        alert=_alert(m, fmt),
        headlines=_headlines(m, t, fmt),
        trend=_trend(m, t, fmt),
        monsters=tuple(_monster(i, s, m, lang, fmt) for i, s in enumerate(m.silences, 1)),
        suppliers=tuple(_supplier_row(s, fmt) for s in _league(m.suppliers)),
        deals=tuple(_deal_row(d, m, lang, fmt) for d in m.deals),
        legend=svg.legend({k: text["labels"][k] for k in
                           ("request", "quote", "follow-up", "silence")}),
        review=tuple(ReviewRow(
            key=r.key, date=fmt.day(r.date), sender=r.sender, subject=r.subject,
            label=r.label, confidence=fmt.pct(r.confidence), source=r.source,
            explanation=r.explanation) for r in review),
        correction_file=str(correction_file) if correction_file else None,
        method=_method(m, t, fmt),
    )


def render_html(ctx: ReportContext) -> str:
    """The report as one HTML document: inline CSS and SVG, no script, no URL."""
    env = Environment(loader=FileSystemLoader(str(templates_dir())), autoescape=True,
                      undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    fields = {f.name: getattr(ctx, f.name) for f in dataclasses.fields(ctx)}
    return env.get_template(TEMPLATE).render(**fields)


# --- sections --------------------------------------------------------------------------

def _alert(m: AuditMetrics, fmt: _Fmt) -> Alert | None:
    if not m.silences:
        return None
    waiting: dict[str, Decimal] = {}
    for s in m.silences:
        if s.quote_amount is not None and s.currency:
            waiting[s.currency] = waiting.get(s.currency, Decimal(0)) + s.quote_amount
    # Over all mail every silence is "new": the mark only means something in a window.
    bounded = m.period.start is not None or m.period.end is not None
    parts = [fmt.phrase("new_silences", n=m.new_silences)] if bounded else []
    if waiting:
        total = " + ".join(fmt.money(v, c) for c, v in sorted(waiting.items()))
        parts.append(fmt.phrase("waiting_value", x=total))
    intent = sum(1 for s in m.silences if s.high_intent)
    if intent:
        parts.append(fmt.phrase("intent_silences", n=intent))
    count = len(m.silences)
    return Alert(count, fmt.phrase("open_silences_one" if count == 1 else "open_silences"),
                 " · ".join(parts))


def _recent(m: AuditMetrics) -> list:
    return list(m.weeks[-TREND_WEEKS:])


def _previous(m: AuditMetrics) -> list:
    """Up to four weeks before the period: what this period is compared with."""
    if m.period.start is None:
        return []
    return [w for w in m.weeks if w.start < m.period.start][-4:]


def _pooled(weeks: list, hits: str, matured: str) -> float | None:
    total = sum(getattr(w.figures, matured) for w in weeks)
    return sum(getattr(w.figures, hits) for w in weeks) / total if total else None


def _headlines(m: AuditMetrics, t: Mapping[str, str], fmt: _Fmt) -> tuple[Headline, ...]:
    tot, recent, prev = m.totals, _recent(m), _previous(m)

    def verdict(value: float | None, ref: float) -> str:
        return "neutral" if value is None else ("good" if value >= ref else "bad")

    def prev_text(value: float | None) -> str:
        return fmt.phrase("previous", x=fmt.pct(value)) if prev and value is not None else ""

    def spark(attr: str, ref: float | None, label: str) -> Markup:
        return svg.sparkline([getattr(w.figures, attr) for w in recent], reference=ref,
                             label=label)

    median = tot.median_first_response_wd
    return (
        Headline(t["hl_quote"], fmt.pct(tot.quote_within_sla_rate),
                 fmt.phrase("of_matured", a=tot.quoted_within_sla, b=tot.quote_matured),
                 t["ref_quote"], prev_text(_pooled(prev, "quoted_within_sla", "quote_matured")),
                 verdict(tot.quote_within_sla_rate, REFERENCE_QUOTE_RATE),
                 spark("quote_within_sla_rate", REFERENCE_QUOTE_RATE, t["hl_quote"])),
        Headline(t["hl_followup"], fmt.pct(tot.next_day_followup_rate),
                 fmt.phrase("of_matured", a=tot.followed_up_within_sla,
                            b=tot.followup_matured),
                 t["ref_followup"],
                 prev_text(_pooled(prev, "followed_up_within_sla", "followup_matured")),
                 verdict(tot.next_day_followup_rate, REFERENCE_FOLLOWUP_RATE),
                 spark("next_day_followup_rate", REFERENCE_FOLLOWUP_RATE, t["hl_followup"])),
        Headline(t["hl_response"], fmt.pct(tot.response_rate),
                 fmt.phrase("of_matured", a=tot.responded, b=tot.response_matured), "",
                 prev_text(_pooled(prev, "responded", "response_matured")), "neutral",
                 spark("response_rate", None, t["hl_response"])),
        Headline(t["hl_median"], fmt.wd(median),
                 fmt.phrase("p90", x=fmt.wd(tot.p90_first_response_wd))
                 if tot.p90_first_response_wd is not None else "",
                 t["ref_doctrine"], "",
                 "neutral" if median is None else
                 ("good" if median <= DOCTRINE_WD else "bad"),
                 spark("median_first_response_wd", DOCTRINE_WD, t["hl_median"])),
        Headline(t["hl_volume"], fmt.num(tot.requests),
                 fmt.phrase("volume", q=tot.quotes, n=tot.messages), "", "", "neutral",
                 spark("requests", None, t["hl_volume"])),
    )


def _trend(m: AuditMetrics, t: Mapping[str, str], fmt: _Fmt) -> Markup:
    items = []
    for w in _recent(m):
        f = w.figures
        title = (f"{w.week}: {fmt.pct(f.quote_within_sla_rate)} "
                 f"({fmt.phrase('of_matured', a=f.quoted_within_sla, b=f.quote_matured)})")
        items.append(svg.Bar(w.week[-3:], f.quote_within_sla_rate,
                             _overlaps(w.start, m), title))
    return svg.bars(items, reference=REFERENCE_QUOTE_RATE, reference_label=t["ref_line"],
                    label=t["h_trend"])


def _overlaps(monday: date, m: AuditMetrics) -> bool:
    """Whether the week of ``monday`` overlaps a bounded report period."""
    if m.period.start is None and m.period.end is None:
        return False
    return ((m.period.end is None or monday <= m.period.end)
            and (m.period.start is None or monday + timedelta(days=6) >= m.period.start))


def _monster(rank: int, s: DealFigures, m: AuditMetrics, lang: str, fmt: _Fmt) -> Monster:
    valuable = s.quote_amount is not None and s.quote_amount >= HIGH_VALUE
    return Monster(
        rank=rank, deal_id=s.deal_id, supplier=s.supplier_name or s.supplier,
        subject=s.subject, amount=fmt.money(s.quote_amount, s.currency),
        high_intent=s.high_intent, silent_wd=s.silent_wd or 0,
        awaited=strings(lang)["labels"].get(s.awaited or "", s.awaited or ""),
        since=fmt.day(s.last_human), opened=fmt.day(s.opened),
        new=s.new_silence and (m.period.start is not None or m.period.end is not None),
        severity="critical" if (s.high_intent or valuable) else "serious",
        beyond_doctrine=(s.silent_wd or 0) > DOCTRINE_WD)


def _league(suppliers: Sequence[SupplierFigures]) -> list[SupplierFigures]:
    """Best first: quote rate, then follow-up rate, then speed; unknowns last."""
    def key(s: SupplierFigures) -> tuple:
        f = s.figures
        return (f.quote_within_sla_rate is None, -(f.quote_within_sla_rate or 0),
                -(f.next_day_followup_rate or 0), f.median_first_response_wd is None,
                f.median_first_response_wd or 0, f.open_silences, s.name.casefold())
    return sorted(suppliers, key=key)


def _supplier_row(s: SupplierFigures, fmt: _Fmt) -> SupplierRow:
    f: Figures = s.figures
    return SupplierRow(
        name=s.name, key=s.supplier, requests=f.requests, quotes=f.quotes,
        quote_rate=fmt.pct(f.quote_within_sla_rate),
        quote_meter=svg.meter(f.quote_within_sla_rate, reference=REFERENCE_QUOTE_RATE,
                              label=fmt.pct(f.quote_within_sla_rate)),
        followup_rate=fmt.pct(f.next_day_followup_rate),
        followup_meter=svg.meter(f.next_day_followup_rate, reference=REFERENCE_FOLLOWUP_RATE,
                                 label=fmt.pct(f.next_day_followup_rate)),
        response_rate=fmt.pct(f.response_rate), median=fmt.wd(f.median_first_response_wd),
        open_silences=f.open_silences)


_STATUS_CLASS = {"followed up": "ok", "quoted": "ok", "answered, no quote": "warn",
                 "awaiting quote": "warn", "awaiting follow-up": "bad", "no request": "muted"}


def _deal_row(d: DealFigures, m: AuditMetrics, lang: str, fmt: _Fmt) -> DealRow:
    names = strings(lang)["labels"]
    dots = [svg.Dot(p.wd, p.label, p.from_me,
                    f"{fmt.day(p.date)} · {names.get(p.label, p.label)} · {p.sender}")
            for p in d.timeline]
    silent_from = None
    if d.silent_wd is not None:
        silent_from = d.age_wd - d.silent_wd
    return DealRow(
        deal_id=d.deal_id, supplier=d.supplier_name or d.supplier, subject=d.subject,
        opened=fmt.day(d.opened), status=strings(lang)["statuses"].get(d.status, d.status),
        status_class="bad" if d.silent_wd is not None else _STATUS_CLASS.get(d.status, "muted"),
        first_response=fmt.wd(d.first_response_wd), quote=fmt.wd(d.quote_wd),
        followup=fmt.wd(d.followup_after_quote_wd), chases=d.buyer_chases,
        amount=fmt.money(d.quote_amount, d.currency), high_intent=d.high_intent,
        silent=fmt.wd(d.silent_wd) if d.silent_wd is not None else "",
        timeline=svg.timeline(dots, deadline_wd=m.quote_sla_wd if d.has_request else None,
                              now_wd=d.age_wd, silent_from_wd=silent_from,
                              label=f"{d.supplier_name}: {d.subject}"))


def _method(m: AuditMetrics, t: Mapping[str, str], fmt: _Fmt) -> tuple[tuple[str, str], ...]:
    holidays = ", ".join(fmt.day(d) for d in m.holidays) or DASH
    rows = [
        (t["m_as_of"], fmt.moment(m.as_of)),
        (t["m_period"], m.period.label if m.period.start or m.period.end else t["all_time"]),
        (t["m_timezone"], m.timezone),
        (t["m_workdays"], ", ".join(m.workdays)),
        (t["m_country"], m.country),
        (t["m_holidays"], holidays),
        (t["m_quote_sla"], fmt.wd(m.quote_sla_wd)),
        (t["m_followup_sla"], fmt.wd(m.followup_sla_wd)),
        (t["m_messages"], fmt.num(m.totals.messages)),
    ]
    for key, value in m.stats.items():
        rows.append((t.get("stat_" + key, key.replace("_", " ")), fmt.num(value)))
    return tuple(rows)
