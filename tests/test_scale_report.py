"""A report over years of mail stays one readable file: a few thousand deals, hundreds
of suppliers and thousands of open silences, over all mail and for one week. The file
keeps to its size budget, still lists the worst monsters with their timelines, says
what it leaves out, and every link still points at a row of the report."""

from __future__ import annotations

import json
import re
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from inbox_audit import report_scale
from inbox_audit.clock import WorkClock
from inbox_audit.config import Settings
from inbox_audit.metrics import AuditMetrics, compute_metrics, metrics_json
from inbox_audit.models import Address, Classification, Deal, DealMessage, Message, Period
from inbox_audit.report import build_context, render_html

TZ = ZoneInfo("Europe/Brussels")
AS_OF = datetime(2026, 11, 30, 8, tzinfo=TZ)
WEEK = Period(date(2026, 11, 16), date(2026, 11, 22), "2026-W47")
ALL = Period(None, None, "all")
DEALS = 3000
SUPPLIERS = 300
MB = 1_000_000


def _at(day: date, hour: int) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=TZ)


def _dm(key: str, when: datetime, label: str, me: bool, amount: int | None = None,
        intent: bool = False) -> DealMessage:
    return DealMessage(key=key, date=when, from_me=me, label=label, confidence=0.9,
                       source="rule", sender="jan@buyer.be" if me else f"sales@{key[:5]}.be",
                       subject="Offerte", amount=Decimal(amount) if amount else None,
                       currency="EUR" if amount else None, high_intent=intent)


def _deals() -> list[Deal]:
    """Three years of deals, newest on the week before AS_OF: two in five answered and
    followed up, the others left silent after the request or after the quote; every
    97th deal asked for a test drive, every 61st quoted a six-figure amount."""
    deals = []
    for i in range(DEALS):
        day = date(2026, 11, 20) - timedelta(days=i * 365 * 3 // DEALS)
        sup = f"s{i % SUPPLIERS:03d}"
        big = 100_000 + i if i % 61 == 0 else None
        msgs = [_dm(f"{sup}-{i}-r", _at(day, 9), "request", True, intent=i % 97 == 0)]
        if i % 5 < 2:  # answered: quote and the next day's follow-up
            msgs += [_dm(f"{sup}-{i}-q", _at(day, 15), "quote", False, big or 1000 + i),
                     _dm(f"{sup}-{i}-f", _at(day + timedelta(days=1), 10), "follow-up",
                         False)]
        elif i % 5 == 2:  # quoted, then nothing
            msgs.append(_dm(f"{sup}-{i}-q", _at(day, 15), "quote", False, big or 2000 + i))
        elif i % 5 == 3:  # an auto-reply, then nothing: a silence on the request
            msgs.append(_dm(f"{sup}-{i}-a", _at(day, 9), "silence", False))
        deals.append(Deal(f"d{i:05d}", f"{sup}.be", f"Supplier {sup}", f"Offerte {i}",
                          f"t{i}", tuple(msgs)))
    return deals


def _message(d: DealMessage) -> Message:
    return Message(key=d.key, message_id=f"<{d.key}>", date=d.date, date_source="header",
                   sender=Address("", d.sender), to=(), cc=(), subject=d.subject,
                   in_reply_to=(), references=(), text="", html_only=False, attachments=(),
                   headers=(), content_type="text/plain", folder="INBOX",
                   raw_sha256="0" * 64, size=1)


@pytest.fixture(scope="module")
def mailbox() -> tuple[list[Deal], list[Message], dict[str, Classification],
                       dict[str, list[str]]]:
    deals = _deals()
    msgs = [dm for d in deals for dm in d.messages]
    labels = {m.key: Classification(m.key, m.label, m.confidence, m.source) for m in msgs}
    index = {m.key: [d.deal_id] for d in deals for m in d.messages}
    return deals, sorted((_message(m) for m in msgs), key=lambda m: m.date), labels, index


def _metrics(mailbox, period: Period) -> tuple[AuditMetrics, Settings]:
    deals, messages, labels, index = mailbox
    settings = Settings(me=["jan@buyer.be"])
    clock = WorkClock.from_settings(settings, range(2022, 2028))
    return compute_metrics(deals, messages, labels, clock=clock, settings=settings,
                           as_of=AS_OF, period=period, deal_index=index), settings


def _html(m: AuditMetrics, settings: Settings) -> str:
    ctx = build_context(m, settings, generated_at=datetime(2026, 11, 30, tzinfo=UTC),
                        correction_file=Path("/data/corrections.csv"), review=[])
    return render_html(ctx)


@pytest.fixture(scope="module")
def all_mail(mailbox) -> tuple[AuditMetrics, str]:
    m, settings = _metrics(mailbox, ALL)
    return m, _html(m, settings)


@pytest.fixture(scope="module")
def one_week(mailbox) -> tuple[AuditMetrics, str]:
    m, settings = _metrics(mailbox, WEEK)
    return m, _html(m, settings)


def _monster_ids(html: str) -> list[str]:
    return re.findall(r'id="silence-(d\d+)"', html)


def test_the_mailbox_is_as_large_as_meant(all_mail):
    m, _ = all_mail
    assert len(m.deals) == DEALS
    assert len(m.silences) > 1500  # three in five deals are left silent
    assert len(m.suppliers) == SUPPLIERS


@pytest.mark.parametrize("which, budget", [("all_mail", 3 * MB), ("one_week", MB)])
def test_the_report_keeps_to_its_size_budget(request, which, budget):
    _, html = request.getfixturevalue(which)
    assert len(html.encode()) < budget


@pytest.mark.parametrize("which", ["all_mail", "one_week"])
def test_the_worst_monsters_are_listed_with_their_timelines(request, which):
    m, html = request.getfixturevalue(which)
    listed = _monster_ids(html)
    worst = [s.deal_id for s in m.silences[:report_scale.MONSTER_LIMIT]]
    assert listed[:len(worst)] == worst  # worst first, none skipped
    assert m.silences[0].quote_amount >= 100_000  # the six-figure ones lead
    for deal_id in worst:
        row = html[html.index(f'id="deal-{deal_id}"'):]
        assert 'class="swimlane"' in row[:row.index("</tr>")]


@pytest.mark.parametrize("which", ["all_mail", "one_week"])
def test_what_is_left_out_is_counted_and_summed_up(request, which):
    m, html = request.getfixturevalue(which)
    unlisted = len(m.silences) - len(_monster_ids(html))
    assert unlisted > 1000
    assert f"{unlisted:,} more open silences are not listed one by one" in html
    assert 'class="silence-groups"' in html
    assert "every one is in the JSON metrics (silences)" in html


def test_a_new_silence_of_the_week_is_listed_even_when_not_among_the_worst(one_week):
    m, html = one_week
    new = [s.deal_id for s in m.silences[report_scale.MONSTER_LIMIT:] if s.new_silence]
    assert new and set(new) <= set(_monster_ids(html))


def test_old_deals_are_counted_per_month_over_all_mail(all_mail):
    m, html = all_mail
    assert "older deals of this period are not listed one by one" in html
    rows = html.count('id="deal-d')
    assert rows < DEALS  # not every deal has a row any more ...
    months = re.findall(r'<td class="nowrap">(\d{4}-\d\d)</td><td class="num">(\d+)</td>',
                        html)
    assert sum(int(n) for _, n in months) == DEALS - rows  # ... but each one is counted


def test_a_long_league_table_shows_its_top_and_its_bottom(all_mail):
    _, html = all_mail
    ranks = [int(r) for r in re.findall(r'id="supplier-(\d+)"', html)]
    half = report_scale.LEAGUE_LIMIT // 2
    assert ranks == [*range(1, half + 1), *range(SUPPLIERS - half + 1, SUPPLIERS + 1)]
    assert f"{SUPPLIERS - 2 * half} suppliers ranked {half + 1}–{SUPPLIERS - half}" in html


@pytest.mark.parametrize("which", ["all_mail", "one_week"])
def test_every_link_still_points_at_a_row_of_the_report(request, which):
    _, html = request.getfixturevalue(which)
    ids = set(re.findall(r'\bid="([^"]+)"', html))
    targets = set(re.findall(r'href="#([^"]+)"', html))
    assert targets and not targets - ids


def test_the_json_still_holds_every_deal_and_silence(all_mail):
    m, _ = all_mail
    doc = json.loads(json.dumps(metrics_json(m)))
    assert len(doc["deals"]) == DEALS and len(doc["silences"]) == len(m.silences)
