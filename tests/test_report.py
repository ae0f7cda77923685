"""The HTML report: every section, hostile mail content made inert, self-contained,
the template reading exactly the documented context, both languages, a real browser."""

from __future__ import annotations

import dataclasses
import re
import tomllib
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from html.parser import HTMLParser
from pathlib import Path
from zoneinfo import ZoneInfo

import jinja2
import pytest
from jinja2 import meta

from inbox_audit import league, report_deals, svg
from inbox_audit.clock import WorkClock
from inbox_audit.config import Settings
from inbox_audit.metrics import AuditMetrics, Figures, compute_metrics
from inbox_audit.models import Address, Classification, Deal, DealMessage, Message, Period
from inbox_audit.report import (
    STRINGS,
    TEMPLATE,
    ReportContext,
    ReviewItem,
    build_context,
    render_html,
    render_summary,
)
from inbox_audit.report_format import Fmt
from inbox_audit.resources import templates_dir

TZ = ZoneInfo("Europe/Brussels")
EVIL = "<script>alert(1)</script>"
WEEK10 = Period(date(2026, 3, 2), date(2026, 3, 8), "2026-W10")


def at(day: str, hour: int = 10) -> datetime:
    return datetime.combine(date.fromisoformat(day), time(hour), tzinfo=TZ)


def dm(key: str, day: str, label: str, *, me: bool, amount: str | None = None,
       high_intent: bool = False, sender: str = "") -> DealMessage:
    return DealMessage(key=key, date=at(day), from_me=me, label=label, confidence=0.9,
                       source="rule", sender=sender or ("me@buyer.be" if me else "x@sup.be"),
                       subject="Offerte", amount=Decimal(amount) if amount else None,
                       currency="EUR" if amount else None, high_intent=high_intent)


def deal(deal_id: str, name: str, subject: str, *msgs: DealMessage) -> Deal:
    return Deal(deal_id, deal_id + ".be", name, subject, "t-" + deal_id, tuple(msgs))


def message(d: DealMessage) -> Message:
    return Message(key=d.key, message_id=f"<{d.key}>", date=d.date, date_source="header",
                   sender=Address("", d.sender), to=(), cc=(), subject=d.subject,
                   in_reply_to=(), references=(), text="", html_only=False, attachments=(),
                   headers=(), content_type="text/plain", folder="INBOX",
                   raw_sha256="0" * 64, size=1)


def metrics_for(deals: list[Deal], settings: Settings, as_of: datetime | None = None,
                period: Period = WEEK10) -> AuditMetrics:
    as_of = as_of or at("2026-03-16", 8)  # Monday morning after week 10
    msgs = {d.key: d for deal_ in deals for d in deal_.messages}
    index: dict[str, list[str]] = {}
    for deal_ in deals:
        for d in deal_.messages:
            index.setdefault(d.key, []).append(deal_.deal_id)
    labels = {k: Classification(k, d.label, d.confidence, d.source) for k, d in msgs.items()}
    clock = WorkClock.from_settings(settings, range(2025, 2028))
    return compute_metrics(deals, [message(d) for d in msgs.values()], labels, clock=clock,
                           settings=settings, as_of=as_of, period=period, deal_index=index,
                           stats={"stored": len(msgs), "quarantined": 2})


def sample_deals() -> list[Deal]:
    return [
        deal("tesla", "Tesla Antwerpen", "Proefrit Model Y",
             dm("t1", "2026-02-23", "request", me=True, high_intent=True),
             dm("t2", "2026-02-24", "quote", me=False, amount="104500")),
        deal("peeters", "Garage Peeters", "Offerte bestelwagen",
             dm("p1", "2026-03-02", "request", me=True),
             dm("p2", "2026-03-02", "silence", me=False),
             dm("p3", "2026-03-04", "quote", me=False, amount="38900"),
             dm("p4", "2026-03-05", "follow-up", me=False)),
        deal("evil", f"Evil {EVIL} BV", f"Re: {EVIL}",
             dm("e1", "2026-03-03", "request", me=True),
             dm("e2", "2026-03-04", "follow-up", me=True, sender=f"{EVIL}@buyer.be")),
    ]


def review_items() -> list[ReviewItem]:
    return [ReviewItem(key="abc@mail.example", date=at("2026-03-03"),
                       sender=f"{EVIL} <a@b.be>", subject=f"Offerte {EVIL}",
                       label="follow-up", confidence=0.41, source="model",
                       explanation=f"matched {EVIL}")]


def render(language: str = "en", deals: list[Deal] | None = None,
           review: list[ReviewItem] | None = None, **kw) -> str:
    settings = Settings(me=["me@buyer.be"], language=language)
    m = metrics_for(sample_deals() if deals is None else deals, settings, **kw)
    ctx = build_context(m, settings, generated_at=datetime(2026, 3, 16, 7, tzinfo=UTC),
                        correction_file=Path("/data/corrections.csv"),
                        review=review_items() if review is None else review)
    return render_html(ctx)


@pytest.fixture(scope="module")
def html() -> str:
    return render()


def test_every_section_is_present(html):
    for section in ("headline", "monsters", "league", "deals", "review", "method"):
        assert f'<section id="{section}"' in html
    assert "The monsters" in html and "Supplier league table" in html
    assert "Quoted within 5 working days" in html
    assert "34%" in html and "7 working days" in html  # the reference figures
    assert "Tesla Antwerpen" in html and "€104,500" in html
    assert "/data/corrections.csv" in html  # how to correct
    assert "Europe/Brussels" in html and "2026-W10" in html


def test_monsters_are_ranked_and_flagged(html):
    monsters = html[html.index('id="monsters"'):html.index('id="league"')]
    rows = re.findall(r'<tr class="monster (\w+)[^"]*" id="silence-([\w-]+)"', monsters)
    assert rows[0] == ("critical", "tesla")  # €104,500 and a test drive: first, in red
    assert [deal_id for _, deal_id in rows] == ["tesla", "evil"]
    assert "open silences" in html.lower()


def test_mail_content_is_escaped(html):
    assert "<script" not in html.lower()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "alert(1)" in html  # shown as text, not dropped


def test_report_is_self_contained(html):
    assert "http://" not in html and "https://" not in html
    for attr in re.findall(r'(?:src|href)\s*=\s*"([^"]*)"', html):
        assert attr.startswith("#"), attr
    assert "<link" not in html and "<img" not in html
    assert "<style>" in html and "--bad:" in html  # the stylesheet is inlined
    assert "@media print" in html


def test_template_reads_exactly_the_context_fields():
    env = jinja2.Environment(autoescape=True)
    source = (templates_dir() / TEMPLATE).read_text(encoding="utf-8")
    used = meta.find_undeclared_variables(env.parse(source))
    assert used == {f.name for f in dataclasses.fields(ReportContext)}


def test_a_missing_context_field_fails_loudly():
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(templates_dir())),
                             autoescape=True, undefined=jinja2.StrictUndefined)
    settings = Settings(me=["me@buyer.be"])
    ctx = build_context(metrics_for(sample_deals(), settings), settings,
                        generated_at=datetime(2026, 3, 16, tzinfo=UTC), correction_file=None,
                        review=[])
    fields = {f.name: getattr(ctx, f.name) for f in dataclasses.fields(ctx)}
    del fields["monsters"]
    with pytest.raises(jinja2.UndefinedError):
        env.get_template(TEMPLATE).render(**fields)


def test_dutch_report():
    html = render("nl")
    assert '<html lang="nl">' in html
    for heading in ("De monsters", "Rangschikking van leveranciers", "Deals in deze periode",
                    "Na te kijken", "Methode", "Offerte binnen 5 werkdagen"):
        assert heading in html
    assert "€\u00a0104.500" in html  # Belgian number format
    assert "mrt. 2026" in html or "mrt 2026" in html
    assert "wacht op opvolging" in html or "wacht op offerte" in html


def test_every_language_has_every_string():
    data = tomllib.loads((templates_dir() / STRINGS).read_text(encoding="utf-8"))
    for part, strings in data["en"].items():
        assert set(data["nl"][part]) == set(strings), part


def test_unknown_figures_show_as_a_dash_not_zero():
    # A request from yesterday: nothing matured, so no rate can be given.
    html = render(deals=[deal("young", "Young BV", "Vraag",
                              dm("y1", "2026-03-05", "request", me=True))],
                  as_of=at("2026-03-06"), review=[])
    cards = html[html.index('class="cards"'):html.index('class="panel trend"')]
    values = re.findall(r'<p class="value">([^<]*)</p>', cards)
    assert values[:4] == ["—", "—", "—", "—"]
    assert "0%" not in cards
    assert "No open silences" in html and "Nothing needs review" in html


def test_empty_mailbox_renders():
    html = render(deals=[], review=[])
    assert "No deal was opened in this period." in html
    assert "No supplier activity in this period." in html


def test_report_size_is_reasonable():
    deals = [deal(f"d{i:03d}", f"Supplier {i}", f"Offerte {i}",
                  dm(f"r{i}", "2026-03-03", "request", me=True),
                  dm(f"q{i}", "2026-03-04", "quote", me=False, amount=str(1000 + i)))
             for i in range(200)]
    html = render(deals=deals)
    assert len(html.encode()) < 1_500_000
    assert len(render().encode()) < 150_000


def test_svg_text_is_escaped():
    chart = svg.swimlane([svg.Mark(0, "request", True, EVIL)],
                         [svg.Gap(0, 8, True, EVIL, EVIL)], deadline_wd=5, now_wd=8,
                         lanes=(EVIL, EVIL), now_label=EVIL, unit=EVIL, label=EVIL)
    assert "<script" not in chart and "&lt;script&gt;" in chart
    bars = svg.bars([svg.Bar(EVIL, 0.5, True, EVIL)], reference=0.34,
                    reference_label=EVIL, label=EVIL)
    assert "<script" not in bars
    assert "<script" not in svg.legend({"request": EVIL, "open": EVIL})


def test_silence_new_in_the_period_is_marked():
    week11 = Period(date(2026, 3, 9), date(2026, 3, 15), "2026-W11")
    html = render(period=week11)
    monsters = html[html.index('id="monsters"'):html.index('id="league"')]
    # The unanswered chase of 4 March turned silent on 12 March, within week 11.
    evil = monsters[monsters.index('id="silence-evil"'):]
    assert '<span class="badge new">new</span>' in evil[:evil.index("</tr>")]
    assert "1 new this period" in html
    # Over all mail, "new" would mark everything, so it is not shown.
    assert 'class="badge new"' not in render(period=Period(None, None, "all"))


def context(language: str = "en", deals: list[Deal] | None = None,
            review: list[ReviewItem] | None = None, settings: Settings | None = None,
            **kw) -> ReportContext:
    settings = settings or Settings(me=["me@buyer.be"], language=language)
    m = metrics_for(sample_deals() if deals is None else deals, settings, **kw)
    return build_context(m, settings, generated_at=datetime(2026, 3, 16, 7, tzinfo=UTC),
                         correction_file=Path("/data/corrections.csv"),
                         review=review_items() if review is None else review)


def test_every_link_points_at_an_anchor_of_the_report(html):
    ids = set(re.findall(r'\bid="([^"]+)"', html))
    targets = re.findall(r'href="#([^"]+)"', html)
    assert targets and not [t for t in targets if t not in ids]
    assert "#deal-evil" in html and "#deal-tesla" in html  # monsters link to timelines


def test_each_deal_lists_the_message_ids_behind_it(html):
    row = html[html.index('id="deal-peeters"'):]
    row = row[:row.index("</tr>")]
    for key in ("p1", "p2", "p3", "p4"):
        assert f'<div class="key">{key}</div>' in row  # the message list
        assert f"· {key}</title>" in row  # and the timeline's hover texts


def test_headline_cards_name_the_deals_that_missed_the_mark():
    ctx = context()
    quote_card = ctx.headlines[0]
    # Evil's request of 3 March got no answer at all by 16 March: not quoted in time.
    assert [d.deal_id for d in quote_card.evidence] == ["evil"]
    assert quote_card.evidence_title.startswith("1 not quoted in time")
    assert [d.deal_id for d in ctx.headlines[2].evidence] == ["evil"]  # unanswered


def test_trend_covers_the_twelve_weeks_ending_with_the_period():
    ctx = context()
    assert len(ctx.weeks) == 12
    assert ctx.weeks[-1].week == "2026-W10" and ctx.weeks[-1].in_period
    assert ctx.weeks[0].week == "2025-W51"


def test_league_score_formula():
    def figures(q, f, r, median, silences=0):
        return Figures(messages=1, requests=1, quotes=1, quote_within_sla_rate=q,
                       next_day_followup_rate=f, response_rate=r,
                       median_first_response_wd=median, p90_first_response_wd=median,
                       open_silences=silences)

    assert league.score(figures(1, 1, 1, 0), 0, 5) == 100
    assert league.score(figures(1, 1, 1, 0, silences=1), 0, 5) == 85
    assert league.score(figures(1, 1, 1, 0), 1.0, 5) == 95
    # Median 5 wd is half of twice the quote deadline: speed 0.5, weight 20 of 100.
    assert league.score(figures(1, 1, 1, 5), 0, 5) == 90
    # Unknown parts are left out: a 50% quote rate alone scores 50, not 20.
    assert league.score(figures(0.5, None, None, None), 0, 5) == 50
    assert league.score(figures(None, None, None, None), 0, 5) is None
    assert league.score(figures(None, None, None, None, silences=2), 0, 5) == 0


def test_league_table_is_ranked_by_score_with_persistence_and_chases():
    ctx = context()
    names = [s.name for s in ctx.suppliers]
    assert names[0] == "Garage Peeters"  # quoted in 2 wd and followed up the next day
    peeters = ctx.suppliers[0]
    assert peeters.rank == 1 and int(peeters.score) > 80
    assert peeters.persistence == "1" and peeters.chases == 0
    evil = next(s for s in ctx.suppliers if s.key == "evil.be")
    assert evil.score == "0" and evil.chases == 1 and evil.open_silences == 1
    assert [d.deal_id for d in evil.deals] == ["evil"]


def test_swimlane_shades_the_late_and_the_open_waits():
    settings = Settings(me=["me@buyer.be"])
    late = deal("late", "Late BV", "Offerte",
                dm("l1", "2026-03-02", "request", me=True),
                dm("l2", "2026-03-03", "silence", me=False),
                dm("l3", "2026-03-12", "quote", me=False, amount="1200"))
    m = metrics_for([late], settings)
    figures = m.deals[0]
    fmt = Fmt("en", settings)
    gaps = report_deals.gaps(figures, m.quote_sla_wd, m.followup_sla_wd, fmt)
    # The acknowledgement answers nothing: the quote came 8 working days after the
    # request (deadline 5), and no follow-up came in the 2 working days since.
    assert [(g.start_wd, g.end_wd, g.open) for g in gaps] == [(0, 8, False), (8, 10, True)]
    assert gaps[0].caption == "8 wd" and "deadline 5" in gaps[0].title
    html = render(deals=[late], review=[])
    lane = html[html.index('class="swimlane"'):]
    lane = lane[:lane.index("</svg>")]
    assert ">8 wd</text>" in lane and ">2 wd</text>" in lane
    assert 'class="axis">10</text>' in lane  # working days labelled on the axis


def test_older_silent_deals_are_shown_with_their_timeline(html):
    # Tesla's deal was opened before week 10 but is still silent: a monster, with a row.
    earlier = html[html.index('id="earlier"'):html.index('id="review"')]
    assert 'id="deal-tesla"' in earlier and 'class="swimlane"' in earlier


def test_review_rows_link_to_their_deal():
    ctx = context(review=[ReviewItem(key="p3", date=at("2026-03-04"), sender="x@sup.be",
                                     subject="Offerte", label="quote", confidence=0.5,
                                     source="rule", explanation="amount")])
    assert [d.deal_id for d in ctx.review[0].deals] == ["peeters"]


def test_method_lists_calendar_thresholds_and_counts():
    settings = Settings(me=["me@buyer.be"], extra_holidays=[date(2026, 3, 6)])
    method = dict(context(settings=settings).method)
    assert method["Extra holidays"] == "6 Mar 2026"
    assert method["Quote deadline"] == "5 wd" and method["Your decision window"] == "7 wd"
    assert method["Unreadable mail kept in quarantine"] == "2"
    assert method["Messages in the store"] == "8"
    assert "Time zone" in method and "Public holidays of" in method


def test_a_year_of_mail_stays_under_two_megabytes():
    deals = []
    start = date(2025, 3, 3)
    for i in range(1200):
        day = start + timedelta(days=(i * 7) // 23 * 7 // 7 + i % 5)
        d0 = day.isoformat()
        d1 = (day + timedelta(days=1)).isoformat()
        d2 = (day + timedelta(days=2)).isoformat()
        # Sixty suppliers, twenty deals each: request, acknowledgement, quote, a chase and
        # the supplier's follow-up.
        deals.append(Deal(f"y{i:04d}", f"s{i % 60}.be", f"Supplier {i % 60}",
                          f"Offerte {i} stelling", f"t{i}", (
                          dm(f"y{i}a", d0, "request", me=True),
                          dm(f"y{i}b", d0, "silence", me=False),
                          dm(f"y{i}c", d1, "quote", me=False, amount=str(900 + i)),
                          dm(f"y{i}d", d1, "follow-up", me=True),
                          dm(f"y{i}e", d2, "follow-up", me=False))))
    ctx = context(deals=deals, review=[], period=Period(None, None, "all"))
    assert len(ctx.deals) == report_deals.TIMELINE_LIMIT
    assert len(ctx.deals) + len(ctx.archive) == 1200
    html = render_html(ctx)
    assert len(html.encode()) < 2_000_000
    assert html.count('id="deal-y') == 1200  # every deal keeps its anchor


def test_summary_for_the_mail_is_short_and_escaped():
    text, html = render_summary(context(), "2026-W10.html")
    assert "2026-W10.html" in text and "2026-W10.html" in html
    assert "The monsters" in text and "Tesla Antwerpen" in text
    assert "<script" not in html.lower() and "&lt;script&gt;" in html
    assert "http://" not in html and "https://" not in html
    assert len(html) < 20_000


class _Links(HTMLParser):
    """Every URL-bearing attribute of a document, whatever its quoting."""

    URL_ATTRS = frozenset({"src", "href", "xlink:href", "action", "formaction", "srcset",
                           "poster", "data", "background", "cite"})

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.urls += [v or "" for k, v in attrs if k in self.URL_ATTRS]


def test_no_url_with_a_scheme_in_any_src_or_href():
    links = "Zie https://evil.example/offerte, javascript:alert(1) en data:text/html,x"
    hostile = deal("links", f"Links {links}", links,
                   dm("k1", "2026-03-03", "request", me=True, sender="me@buyer.be"),
                   dm("k2", "2026-03-04", "quote", me=False, amount="10"))
    html = render(deals=[*sample_deals(), hostile],
                  review=[ReviewItem(key="k2", date=at("2026-03-04"), sender=links,
                                     subject=links, label="quote", confidence=0.3,
                                     source="rule", explanation=links)])
    parser = _Links()
    parser.feed(html)
    assert parser.urls and all(u.startswith("#") for u in parser.urls), parser.urls[:5]
    assert not [u for u in parser.urls if re.match(r"\s*[a-zA-Z][a-zA-Z0-9+.-]*:", u)]
    assert "https://evil.example/offerte" in html  # shown as text, never as a link
