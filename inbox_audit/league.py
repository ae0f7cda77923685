"""The supplier league table: per supplier the period's figures, persistence, the
chases the buyer needed, and one score that ranks them (documented in docs/report.md).

The score, 0..100, higher is better::

    parts (each 0..1; a part that is unknown is left out and the weights renormalised)
      Q  quote within the quote deadline, share of matured requests   weight 40
      F  follow-up within the follow-up deadline, of matured quotes    weight 20
      R  requests that got any human answer, of matured requests       weight 20
      S  speed: max(0, 1 - median first response / (2 x quote deadline)) weight 20
    base    = 100 x sum(weight x part) / sum(weights of the known parts)
    penalty = 15 x open silences + 5 x buyer chases per request
    score   = base - penalty, kept within 0..100, rounded

A supplier with no known part has no score (shown as a dash, ranked last), unless it
has open silences: then its score is 0. Ties rank by more requests, then by name.
Follow-ups per quote (persistence) are shown beside the score but not part of it: the
follow-up rate already rewards the follow-up that matters, the one the next day.
"""

from __future__ import annotations

from dataclasses import dataclass

from inbox_audit.metrics import AuditMetrics, DealFigures, Figures

WEIGHTS = {"quote": 40, "followup": 20, "response": 20, "speed": 20}
SILENCE_PENALTY = 15
CHASE_PENALTY = 5


@dataclass(frozen=True)
class LeagueEntry:
    """One supplier of the league table, with the deals its figures come from."""

    rank: int
    supplier: str
    name: str
    figures: Figures
    score: int | None
    followups_per_quote: float | None  # supplier follow-ups after the first quote, per quote
    chases: int  # the buyer's chases over the supplier's deals of the period
    chases_per_request: float | None
    deals: tuple[DealFigures, ...]  # the period's deals, then older deals still silent


def score(figures: Figures, chases_per_request: float | None, quote_sla_wd: int) -> int | None:
    """The league score of one supplier (module docstring), None when unknown."""
    parts: dict[str, float] = {}
    if figures.quote_within_sla_rate is not None:
        parts["quote"] = figures.quote_within_sla_rate
    if figures.next_day_followup_rate is not None:
        parts["followup"] = figures.next_day_followup_rate
    if figures.response_rate is not None:
        parts["response"] = figures.response_rate
    if figures.median_first_response_wd is not None:
        horizon = 2 * max(quote_sla_wd, 1)
        parts["speed"] = max(0.0, 1 - figures.median_first_response_wd / horizon)
    penalty = SILENCE_PENALTY * figures.open_silences + CHASE_PENALTY * (chases_per_request or 0)
    if not parts:
        return 0 if figures.open_silences else None
    base = 100 * sum(WEIGHTS[k] * v for k, v in parts.items()) / sum(WEIGHTS[k] for k in parts)
    return round(min(100.0, max(0.0, base - penalty)))


def league(m: AuditMetrics) -> list[LeagueEntry]:
    """Every supplier of the report, best first, with its rank (1 = best)."""
    period_deals: dict[str, list[DealFigures]] = {}
    for d in m.deals:
        period_deals.setdefault(d.supplier, []).append(d)
    silent_earlier: dict[str, list[DealFigures]] = {}
    period_ids = {d.deal_id for d in m.deals}
    for d in m.silences:
        if d.deal_id not in period_ids:
            silent_earlier.setdefault(d.supplier, []).append(d)
    rows = []
    for s in m.suppliers:
        own = period_deals.get(s.supplier, [])
        requested = [d for d in own if d.has_request]
        quoted = [d for d in requested if d.quote_message_id is not None]
        chases = sum(d.buyer_chases for d in requested)
        per_request = chases / len(requested) if requested else None
        # A quoted deal's supplier_followups: its supplier follow-ups after the first
        # quote (counted by the metrics, so its timeline is not read).
        persistence = (sum(d.supplier_followups for d in quoted) / len(quoted)
                       if quoted else None)
        rows.append((s, score(s.figures, per_request, m.quote_sla_wd), persistence, chases,
                     per_request, tuple(own) + tuple(silent_earlier.get(s.supplier, []))))
    rows.sort(key=lambda r: (r[1] is None, -(r[1] or 0), -r[0].figures.requests,
                             r[0].name.casefold(), r[0].supplier))
    return [LeagueEntry(rank=i, supplier=s.supplier, name=s.name, figures=s.figures,
                        score=sc, followups_per_quote=persistence, chases=chases,
                        chases_per_request=per_request, deals=deals)
            for i, (s, sc, persistence, chases, per_request, deals) in enumerate(rows, 1)]

