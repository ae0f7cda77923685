"""Rows of the ``messages`` table <-> ``Message`` records (lists as JSON, times as
fixed-width UTC ISO text so text order is time order)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from inbox_audit.errors import StoreError
from inbox_audit.models import Address, Attachment, Message

MESSAGE_COLUMNS = ("key", "message_id", "date", "date_source", "sender", "to_addrs",
                    "cc_addrs", "subject", "in_reply_to", "refs", "body", "html_only",
                    "attachments", "headers", "content_type", "folder", "raw_sha256", "size",
                    "attachment_text", "defects")


def now() -> str:
    return iso(datetime.now(UTC))


def iso(value: datetime) -> str:
    # Fixed width (always microseconds, always UTC) so text order is time order.
    return value.astimezone(UTC).isoformat(timespec="microseconds")


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def message_row(m: Message) -> tuple[Any, ...]:
    return (
        m.key, m.message_id, iso(m.date) if m.date else None, m.date_source,
        _dumps([m.sender.name, m.sender.addr]) if m.sender else None,
        _dumps([[a.name, a.addr] for a in m.to]), _dumps([[a.name, a.addr] for a in m.cc]),
        m.subject, _dumps(m.in_reply_to), _dumps(m.references), m.text, int(m.html_only),
        _dumps([[a.filename, a.content_type, a.size] for a in m.attachments]),
        _dumps(m.headers), m.content_type, m.folder, m.raw_sha256, m.size,
        m.attachment_text, _dumps(m.defects),
    )


def decoded(path: Path, row: tuple[Any, ...]) -> Message:
    """A row as a ``Message``; a row that does not decode means a damaged file."""
    try:
        return _message_from_row(row)
    except (ValueError, TypeError, KeyError) as exc:
        raise StoreError(f"{path} is damaged (a message row does not decode: "
                         f"{type(exc).__name__}): move it aside and import your mail "
                         "again into a new store, or restore a backup") from None


def _message_from_row(row: tuple[Any, ...]) -> Message:
    r = dict(zip(MESSAGE_COLUMNS, row, strict=True))
    sender = json.loads(r["sender"]) if r["sender"] else None
    return Message(
        key=r["key"],
        message_id=r["message_id"],
        date=datetime.fromisoformat(r["date"]) if r["date"] else None,
        date_source=r["date_source"],
        sender=Address(*sender) if sender else None,
        to=tuple(Address(*a) for a in json.loads(r["to_addrs"])),
        cc=tuple(Address(*a) for a in json.loads(r["cc_addrs"])),
        subject=r["subject"],
        in_reply_to=tuple(json.loads(r["in_reply_to"])),
        references=tuple(json.loads(r["refs"])),
        text=r["body"],
        html_only=bool(r["html_only"]),
        attachments=tuple(Attachment(*a) for a in json.loads(r["attachments"])),
        headers=tuple((k, v) for k, v in json.loads(r["headers"])),
        content_type=r["content_type"],
        folder=r["folder"],
        raw_sha256=r["raw_sha256"],
        size=r["size"],
        attachment_text=r["attachment_text"],
        defects=tuple(json.loads(r["defects"])),
    )
