"""The HTML report: every section, hostile mail content made inert, self-contained,
the template reading exactly the documented context, both languages, a real browser."""

from __future__ import annotations

import dataclasses
import re
import shutil
import subprocess
import tomllib
from datetime import UTC, date, datetime, time
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import jinja2
import pytest
from jinja2 import meta

from inbox_audit import svg
from inbox_audit.clock import WorkClock
from inbox_audit.config import Settings
from inbox_audit.metrics import AuditMetrics, compute_metrics
from inbox_audit.models import Address, Classification, Deal, DealMessage, Message, Period
from inbox_audit.report import (
    STRINGS,
    TEMPLATE,
    ReportContext,
    ReviewItem,
    build_context,
    render_html,
)
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
    chart = svg.timeline([svg.Dot(0, "request", True, EVIL)], deadline_wd=5, now_wd=3,
                         silent_from_wd=None, label=EVIL)
    assert "<script" not in chart and "&lt;script&gt;" in chart
    bars = svg.bars([svg.Bar(EVIL, 0.5, True, EVIL)], reference=0.34,
                    reference_label=EVIL, label=EVIL)
    assert "<script" not in bars


@pytest.mark.slow
def test_renders_in_a_headless_browser(tmp_path, html):
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        pytest.skip("chromium is not installed")
    page = tmp_path / "report.html"
    page.write_text(html, encoding="utf-8")
    result = subprocess.run(
        [chromium, "--headless", "--no-sandbox", "--disable-gpu",
         "--disable-background-networking", f"--user-data-dir={tmp_path / 'profile'}",
         "--dump-dom", page.as_uri()],
        capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "Supplier follow-up audit" in result.stdout
    assert "The monsters" in result.stdout and "Tesla Antwerpen" in result.stdout
    assert "<script" not in result.stdout.lower()


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
