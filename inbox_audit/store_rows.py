"""Rows of the ``messages`` table <-> ``Message`` records (lists as JSON, times as
fixed-width UTC ISO text so text order is time order), and ``StoredForm``: a message
as the store writes it (row + packed raw bytes), made in the parse workers."""

from __future__ import annotations

import json
import zlib
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson
import zstandard

from inbox_audit.errors import StoreError
from inbox_audit.models import Address, Attachment, Message

MESSAGE_COLUMNS = ("key", "message_id", "date", "date_source", "sender", "to_addrs",
                    "cc_addrs", "subject", "in_reply_to", "refs", "body", "html_only",
                    "attachments", "headers", "content_type", "folder", "raw_sha256", "size",
                    "attachment_text", "defects")


# The raw mail is kept packed with zstd at level 1: it packs mail (text and base64) as
# tightly as zlib level 1 in a fifth of the time, which matters because every imported
# or fetched mail is packed (level 3, the default, packs the benchmark's mail 0.7 %
# smaller for a quarter more instructions). Any level reads back the same. Stores written
# before hold zlib data, told apart by zstd's frame magic (a zlib stream starts with 0x78).
_ZSTD_MAGIC = b"\x28\xb5\x2f\xfd"
_packer = zstandard.ZstdCompressor(level=1)
_unpacker = zstandard.ZstdDecompressor()


def pack_raw(raw: bytes) -> bytes:
    """``raw`` as the store keeps it."""
    return _packer.compress(raw)


def unpack_raw(data: bytes) -> bytes:
    """The raw bytes of a stored ``pack_raw`` result (or of older stores' zlib data)."""
    return _unpacker.decompress(data) if data[:4] == _ZSTD_MAGIC else zlib.decompress(data)


@dataclass(frozen=True, slots=True)
class StoredForm:
    """A parsed message as the store writes it: its row and its packed raw bytes."""

    key: str
    raw_sha256: str
    row: tuple[Any, ...]
    packed: bytes


def stored_form(msg: Message, raw: bytes) -> StoredForm:
    """What ``Store.add_stored`` writes for ``msg`` (a pure function: parse workers run
    it, so encoding and compressing cost the writing process nothing)."""
    return StoredForm(msg.key, msg.raw_sha256, message_row(msg), pack_raw(raw))


def now() -> str:
    return iso(datetime.now(UTC))


def iso(value: datetime) -> str:
    # Fixed width (always microseconds, always UTC) so text order is time order.
    return value.astimezone(UTC).isoformat(timespec="microseconds")


# The text json.dumps(value, ensure_ascii=False, separators=(",", ":")) gives: orjson
# writes the same for the strings and numbers of a row, several times faster (a row
# holds seven such lists). What orjson refuses (a lone surrogate, kept from bytes that
# did not decode; an integer past 64 bits) goes to an encoder made once.
_encode = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


def _dumps(value: Any) -> str:
    if not value:
        return "[]"
    try:
        return orjson.dumps(value).decode()
    except orjson.JSONEncodeError:
        return _encode(value)


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
    return RowDecoder(path)(row)


class RowDecoder:
    """Turns ``messages`` rows into ``Message`` records, many rows in a row.

    Most list columns repeat from message to message (the same sender, the same
    recipients, no attachment, no defect): each distinct JSON text is decoded once and
    its (immutable) value shared, which saves the JSON decoding and the memory of a
    large mailbox. The memo is bounded: it starts over past ``MEMO_SIZE`` texts.
    """

    MEMO_SIZE = 50_000

    def __init__(self, path: Path) -> None:
        self.path = path
        # One memo per kind of column, keyed by the JSON text: a hit is one dict lookup
        # of a string whose hash Python keeps (a report decodes six such columns for
        # every message of a large mailbox).
        self._memos: tuple[dict[str, Any], ...] = tuple({} for _ in range(5))
        self._size = 0
        self._start()

    def _start(self) -> None:
        for memo in self._memos:
            memo.clear()
        for kind in (_ADDRESSES, _ATTACHMENTS, _HEADERS, _LIST):
            self._memos[kind]["[]"] = ()  # most lists are empty
        self._size = 0

    def __call__(self, row: tuple[Any, ...]) -> Message:
        try:
            return self._message(row)
        except (ValueError, TypeError, KeyError, IndexError) as exc:
            raise StoreError(f"{self.path} is damaged (a message row does not decode: "
                             f"{type(exc).__name__}): move it aside and import your mail "
                             "again into a new store, or restore a backup") from None

    def _value(self, kind: int, text: str) -> Any:
        """The decoded value of a list column's ``text`` when the memo lacks it."""
        data = _loads(text)
        if kind == _SENDER:
            value = Address(*data) if data else None
        elif kind == _ADDRESSES:
            value = tuple(Address(*a) for a in data)
        elif kind == _ATTACHMENTS:
            value = tuple(Attachment(*a) for a in data)
        elif kind == _HEADERS:
            value = tuple((k, v) for k, v in data)
        else:
            value = tuple(data)
        if self._size >= self.MEMO_SIZE:
            self._start()
        self._memos[kind][text] = value
        self._size += 1
        return value

    def _message(self, row: tuple[Any, ...]) -> Message:
        (key, message_id, date, date_source, sender, to_addrs, cc_addrs, subject,
         in_reply_to, refs, body, html_only, attachments, headers, content_type, folder,
         raw_sha256, size, attachment_text, defects) = row
        senders, addresses, files, heads, lists = self._memos
        miss = self._value
        # Inlined lookups, a miss decodes: this runs for every stored message.
        if sender:
            found = senders.get(sender)
            sender = miss(_SENDER, sender) if found is None else found
        else:
            sender = None
        to = addresses.get(to_addrs)
        if to is None:
            to = miss(_ADDRESSES, to_addrs)
        cc = addresses.get(cc_addrs)
        if cc is None:
            cc = miss(_ADDRESSES, cc_addrs)
        files_ = files.get(attachments)
        if files_ is None:
            files_ = miss(_ATTACHMENTS, attachments)
        heads_ = heads.get(headers)
        if heads_ is None:
            heads_ = miss(_HEADERS, headers)
        defects_ = lists.get(defects)
        if defects_ is None:
            defects_ = miss(_LIST, defects)
        # Positional, in Message's field order.
        return Message(
            key, message_id, datetime.fromisoformat(date) if date else None, date_source,
            sender, to, cc, subject,
            # Ids are mostly unique per message: not worth remembering, except "none".
            _ids(in_reply_to), _ids(refs), body, bool(html_only), files_, heads_,
            content_type, folder, raw_sha256, size, attachment_text, defects_,
        )


_SENDER, _ADDRESSES, _ATTACHMENTS, _HEADERS, _LIST = range(5)
_MISSING = object()


def _ids(text: str) -> tuple[str, ...]:
    return () if text == "[]" else tuple(_loads(text))


def _loads(text: str) -> Any:
    # orjson reads what json.dumps wrote, to the same values, several times faster;
    # json.loads still decides about text orjson refuses (it has no NaN, for one).
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError:
        return json.loads(text)
