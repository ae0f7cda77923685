"""The JSON metrics (SPEC §7), schema ``inbox-audit/metrics/v1``.

Every key of the SPEC is always present; unknown figures are ``null``, never 0. Extra
keys make every figure traceable: ``weeks``, ``silences``, the counts behind each rate,
and per deal the ``message_ids`` plus the message behind each latency
(``request_message_id``, ``response_message_id``, ``quote_message_id``,
``followup_message_id``) and behind ``buyer_chases`` (``chase_message_ids``). Dates are
ISO-8601 with the offset of the configured time zone; amounts are JSON numbers; message
ids carry no angle brackets.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

import orjson

if TYPE_CHECKING:  # metrics.py imports this module; only the types are needed here
    from inbox_audit.metrics import AuditMetrics, DealFigures, Figures, MessageRecord

SCHEMA = "inbox-audit/metrics/v1"


def metrics_json(m: AuditMetrics, *, messages: bool = True) -> dict[str, Any]:
    """The SPEC §7 document for ``m``, ready for ``json.dumps``. ``messages=False``: a
    placeholder stands for the message list (``json_chunks`` writes it)."""
    tz = ZoneInfo(m.timezone)

    def when(value: datetime | None) -> str | None:
        return value.astimezone(tz).isoformat() if value is not None else None

    # Over all mail every silence is also one of the period's deals: its object is
    # built once and written twice (tens of thousands of deals).
    deals = [_deal(d, when) for d in m.deals]
    built = {id(d): doc for d, doc in zip(m.deals, deals, strict=True)}
    return {
        "schema": SCHEMA,
        "as_of": when(m.as_of),
        "period": {
            "start": m.period.start.isoformat() if m.period.start else None,
            "end": m.period.end.isoformat() if m.period.end else None,
            "label": m.period.label,
        },
        "settings": {
            "timezone": m.timezone, "country": m.country, "workdays": list(m.workdays),
            "quote_sla_wd": m.quote_sla_wd, "followup_sla_wd": m.followup_sla_wd,
            "holidays": [d.isoformat() for d in m.holidays],
        },
        "totals": {**_figures(m.totals), "new_silences": m.new_silences},
        "suppliers": [{"supplier": s.supplier, "name": s.name, **_figures(s.figures)}
                      for s in m.suppliers],
        "weeks": [{"week": w.week, "start": w.start.isoformat(), **_figures(w.figures)}
                  for w in m.weeks],
        "deals": deals,
        "silences": [built.get(id(d)) or _deal(d, when) for d in m.silences],
        "messages": _messages(m.messages, tz) if messages else _PLACEHOLDER,
        "stats": dict(m.stats),
    }


def json_chunks(m: AuditMetrics) -> Iterator[bytes | memoryview]:
    """``dumps(metrics_json(m))`` in pieces, to write one after the other: the message
    list (a hundred thousand objects in a large mailbox) is made and encoded a slice at
    a time, so its objects never all exist at once, and its dates are formatted by
    orjson."""
    head = dumps(metrics_json(m, messages=False))
    # The placeholder is the document's last string but the stats' names (ours), so the
    # last match is it whatever a subject holds. Views, not copies: the head holds
    # every deal, tens of megabytes.
    marker = orjson.dumps(_PLACEHOLDER)
    at = head.rindex(marker)
    yield memoryview(head)[:at]
    records = m.messages
    if not records:
        yield b"[]"
    else:
        tz = ZoneInfo(m.timezone)
        yield b"[\n"
        for start in range(0, len(records), _SLICE):
            items = _messages(records[start:start + _SLICE], tz, native=True)
            # A list at the top, indented as an item of the document's "messages":
            # every line two spaces deeper, without its own brackets (JSON strings hold
            # no raw newline: each one is the indenter's).
            text = orjson.dumps(items, option=orjson.OPT_INDENT_2)[2:-2]
            yield (b",\n  " if start else b"  ") + text.replace(b"\n", b"\n  ")
        yield b"\n  ]"
    yield memoryview(head)[at + len(marker):]


# Stands for the message list in the document json_chunks encodes around it.
_PLACEHOLDER = "\x00messages\x00"
_SLICE = 2_000
# orjson writes an offset in whole minutes; the time zones' offsets are whole minutes
# since 1972 (before, some local mean times had seconds: Brussels was +00:17:30), so
# orjson's text is isoformat's for the dates after this one.
_WHOLE_MINUTE_OFFSETS = datetime(1973, 1, 1, tzinfo=UTC)


def _messages(records: Sequence[MessageRecord], tz: ZoneInfo, *,
              native: bool = False) -> list[dict[str, Any]]:
    # One object per message (a hundred thousand in a large mailbox): written out here
    # rather than through helpers, each call of which costs about what the object does.
    # ``native``: dates are left as datetimes for orjson to write (the same text).
    out = []
    append = out.append
    for key, ids, label, confidence, source, date in records:  # MessageRecord
        if date is None:
            local = None
        elif native and date >= _WHOLE_MINUTE_OFFSETS:
            local = date.astimezone(tz)
        else:
            local = date.astimezone(tz).isoformat()
        if len(ids) > 1:
            append({"message_id": key, "deal_id": ids[0], "deal_ids": list(ids),
                    "label": label, "confidence": confidence, "source": source,
                    "date": local})
        else:
            append({"message_id": key, "deal_id": ids[0] if ids else None,
                    "label": label, "confidence": confidence, "source": source,
                    "date": local})
    return out


def dumps(value: Any) -> bytes:
    """``value`` as UTF-8 JSON indented by two spaces, ending in a newline: the text
    ``json.dumps(value, indent=2, ensure_ascii=False)`` writes for a report's document
    (orjson, about 40 times faster: the stdlib's indenting encoder is pure Python and
    took seconds on a 100,000-message report). Two differences outside what
    ``metrics_json`` makes: a float that is not finite is written ``null`` (the stdlib
    writes ``NaN``, which is not JSON), and large or tiny floats are written without
    the exponent's ``+`` and leading zero (``1e16``, ``1e-5``)."""
    return orjson.dumps(value, option=orjson.OPT_INDENT_2 | orjson.OPT_APPEND_NEWLINE)


def _figures(f: Figures) -> dict[str, Any]:
    return {
        "messages": f.messages,
        "requests": f.requests,
        "quotes": f.quotes,
        "quote_within_sla_rate": f.quote_within_sla_rate,
        "next_day_followup_rate": f.next_day_followup_rate,
        "response_rate": f.response_rate,
        "median_first_response_wd": f.median_first_response_wd,
        "p90_first_response_wd": f.p90_first_response_wd,
        "open_silences": f.open_silences,
        "median_quote_wd": f.median_quote_wd,
        "buyer_chases": f.buyer_chases,
        "chases_per_request": f.chases_per_request,
        "supplier_followups": f.supplier_followups,
        "followups_per_quote": f.followups_per_quote,
        "counts": {
            "quoted_within_sla": f.quoted_within_sla, "quote_matured": f.quote_matured,
            "followed_up_within_sla": f.followed_up_within_sla,
            "followup_matured": f.followup_matured,
            "responded": f.responded, "response_matured": f.response_matured,
        },
    }


def _deal(d: DealFigures, when: Any) -> dict[str, Any]:
    return {
        "deal_id": d.deal_id,
        "supplier": d.supplier,
        "supplier_name": d.supplier_name,
        "subject": d.subject,
        "opened": when(d.opened),
        "week": d.week,
        "in_period": d.in_period,
        "request_message_id": d.request_message_id,
        "first_response_wd": d.first_response_wd,
        "quote_wd": d.quote_wd,
        "followup_after_quote_wd": d.followup_after_quote_wd,
        "buyer_chases": d.buyer_chases,
        "quote_amount": float(d.quote_amount) if d.quote_amount is not None else None,
        "currency": d.currency,
        "high_intent": d.high_intent,
        "status": d.status,
        "silent_wd": d.silent_wd,
        "awaited": d.awaited,
        "silent_since": d.silent_since.isoformat() if d.silent_since else None,
        "new_silence": d.new_silence,
        "response_message_id": d.response_message_id,
        "quote_message_id": d.quote_message_id,
        "followup_message_id": d.followup_message_id,
        "chase_message_ids": list(d.chase_message_ids),
        "supplier_followups": d.supplier_followups,
        "matured": {"quote": d.quote_matured, "response": d.response_matured,
                    "followup": d.followup_matured},
        "message_ids": list(d.message_ids),
    }
