"""The report's deal timelines: one swimlane per active deal, a compact list for the rest.

Active deals are the period's deals and every older deal that is still silent (the
monsters link to them). A period with more deals than ``TIMELINE_LIMIT`` (a report
over a year of mail) draws the newest ones and every listed silence, and lists the rest
without a drawing, so the file stays small; past ``ARCHIVE_LIMIT`` such rows the oldest
are counted per month (report_scale.py).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass

from markupsafe import Markup

from inbox_audit import svg
from inbox_audit.metrics import AuditMetrics, DealFigures
from inbox_audit.report_format import Fmt
from inbox_audit.report_scale import ARCHIVE_LIMIT, ArchiveMonth, archive_months

TIMELINE_LIMIT = 150  # deals drawn in full; a week never comes near it
_HUMAN = frozenset({"request", "quote", "follow-up"})
_STATUS_CLASS = {"followed up": "ok", "quoted": "ok", "answered, no quote": "warn",
                 "awaiting quote": "warn", "awaiting follow-up": "bad", "no request": "muted"}
_SETTLED = frozenset({"followed up", "no request"})


@dataclass(frozen=True)
class MessageRef:
    """One message of a deal, as the report lists it under the timeline."""

    key: str  # the Message-ID without angle brackets
    date: str
    label: str
    sender: str
    from_me: bool


@dataclass(frozen=True)
class DealRow:
    """One deal with its swimlane; ``messages`` are the ids behind its figures."""

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
    request_key: str | None
    timeline: Markup
    messages: tuple[MessageRef, ...]


@dataclass(frozen=True)
class ArchiveRow:
    """A settled deal listed without a drawing (only in very long periods)."""

    deal_id: str
    supplier: str
    subject: str
    opened: str
    status: str
    status_class: str
    quote: str
    amount: str
    request_key: str | None


def status_class(d: DealFigures) -> str:
    return "bad" if d.silent_wd is not None else _STATUS_CLASS.get(d.status, "muted")


def deal_sections(m: AuditMetrics, t: Mapping[str, str], fmt: Fmt,
                  listed: Collection[str] | None = None,
                  ) -> tuple[tuple[DealRow, ...], tuple[DealRow, ...], tuple[ArchiveRow, ...],
                             tuple[ArchiveMonth, ...]]:
    """(the period's deals drawn, older deals still silent, the period's deals listed
    without a drawing, the period's deals beyond those counted per month). Newest first;
    the older silent ones longest silence first.

    ``listed``: ids of the silences the report lists one by one (default: all); silent
    deals get a drawing only when listed, so their monster row can point at it.
    """
    drawn: list[DealRow] = []
    rest: list[DealFigures] = []
    for d in m.deals:
        silent = d.silent_wd is not None and (listed is None or d.deal_id in listed)
        if len(drawn) < TIMELINE_LIMIT or silent:
            drawn.append(deal_row(d, m, t, fmt))
        else:
            rest.append(d)
    archive = tuple(ArchiveRow(
        deal_id=d.deal_id, supplier=d.supplier_name or d.supplier, subject=d.subject,
        opened=fmt.day(d.opened), status=fmt.status(d.status),
        status_class=status_class(d), quote=fmt.wd(d.quote_wd),
        amount=fmt.money(d.quote_amount, d.currency),
        request_key=d.request_message_id) for d in rest[:ARCHIVE_LIMIT])
    in_period = {d.deal_id for d in m.deals}
    earlier = sorted((d for d in m.silences if d.deal_id not in in_period
                      and (listed is None or d.deal_id in listed)),
                     key=lambda d: (-(d.silent_wd or 0), d.deal_id))
    return (tuple(drawn), tuple(deal_row(d, m, t, fmt) for d in earlier), archive,
            archive_months(rest[ARCHIVE_LIMIT:], fmt))


def deal_row(d: DealFigures, m: AuditMetrics, t: Mapping[str, str], fmt: Fmt) -> DealRow:
    return DealRow(
        deal_id=d.deal_id, supplier=d.supplier_name or d.supplier, subject=d.subject,
        opened=fmt.day(d.opened), status=fmt.status(d.status), status_class=status_class(d),
        first_response=fmt.wd(d.first_response_wd), quote=fmt.wd(d.quote_wd),
        followup=fmt.wd(d.followup_after_quote_wd), chases=d.buyer_chases,
        amount=fmt.money(d.quote_amount, d.currency), high_intent=d.high_intent,
        silent=fmt.wd(d.silent_wd) if d.silent_wd is not None else "",
        request_key=d.request_message_id,
        timeline=_swimlane(d, m, t, fmt),
        messages=tuple(MessageRef(key=p.key, date=fmt.moment(p.date),
                                  label=_kind_name(p.label, p.from_me, t, fmt),
                                  sender=p.sender, from_me=p.from_me)
                       for p in d.timeline))


def _kind(label: str, from_me: bool) -> str:
    if label == "follow-up" and from_me:
        return "chase"
    return label if label in svg.MARK_KINDS else "other"


def _kind_name(label: str, from_me: bool, t: Mapping[str, str], fmt: Fmt) -> str:
    return t["kind_chase"] if _kind(label, from_me) == "chase" else fmt.label(label)


def gaps(d: DealFigures, quote_sla_wd: int, followup_sla_wd: int, fmt: Fmt) -> list[svg.Gap]:
    """The waits on the supplier that passed their deadline, in working days.

    A wait starts at the buyer's first unanswered message (deadline: the quote deadline)
    or at a supplier quote (deadline: the follow-up deadline) and ends at the supplier's
    next human message. The open silence, if any, runs from the last human message to
    now, exactly as the metrics measure it.
    """
    out: list[svg.Gap] = []
    since: int | None = None
    sla = quote_sla_wd
    for p in d.timeline:
        if p.label not in _HUMAN:
            continue  # an auto-reply answers nothing: the wait goes on
        if p.from_me:
            if since is None:
                since, sla = p.wd, quote_sla_wd
            continue
        if since is not None and p.wd - since > sla:
            out.append(svg.Gap(since, p.wd, False, fmt.wd(p.wd - since),
                               fmt.phrase("gap_late", n=fmt.num(p.wd - since),
                                          sla=fmt.num(sla))))
        since, sla = (p.wd, followup_sla_wd) if p.label == "quote" else (None, quote_sla_wd)
    if d.silent_wd is not None:
        start = d.age_wd - d.silent_wd
        out.append(svg.Gap(start, d.age_wd, True, fmt.wd(d.silent_wd),
                           fmt.phrase("gap_open", n=fmt.num(d.silent_wd),
                                      what=fmt.label(d.awaited or "quote"))))
    return out


def _swimlane(d: DealFigures, m: AuditMetrics, t: Mapping[str, str], fmt: Fmt) -> Markup:
    marks = [svg.Mark(p.wd, _kind(p.label, p.from_me), p.from_me,
                      f"{fmt.short_day(p.date)} · {_kind_name(p.label, p.from_me, t, fmt)} · "
                      f"{p.sender} · {p.key}")
             for p in d.timeline]
    open_deal = d.silent_wd is not None or d.status not in _SETTLED
    return svg.swimlane(
        marks, gaps(d, m.quote_sla_wd, m.followup_sla_wd, fmt),
        deadline_wd=m.quote_sla_wd if d.has_request else None,
        now_wd=d.age_wd if open_deal else None,
        lanes=(t["lane_you"], t["lane_supplier"]),
        now_label=fmt.phrase("now_mark", x=fmt.moment(m.as_of)), unit=t["unit_wd_short"],
        label=f"{d.supplier_name or d.supplier}: {d.subject}")
