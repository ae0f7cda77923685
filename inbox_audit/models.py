"""The small frozen records that the pipeline stages hand each other.

parse -> Message; classify -> Classification; threads -> Thread; timeline -> Deal.
Every datetime in these records is timezone-aware UTC; stages that need local time
(the clock, the report) convert with the configured zone.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Literal

Label = Literal["request", "quote", "follow-up", "silence", "other"]
LABELS: tuple[Label, ...] = ("request", "quote", "follow-up", "silence", "other")

Source = Literal["header", "rule", "model", "correction"]
SOURCES: tuple[Source, ...] = ("header", "rule", "model", "correction")

# How the message's time was found, best first. "none" means no usable time at all:
# such a message is stored but left off the clock.
DateSource = Literal["header", "received", "internaldate", "none"]


@dataclass(frozen=True, slots=True)
class Address:
    """One mailbox: display name (may be empty) and lower-cased address."""

    name: str
    addr: str

    def __str__(self) -> str:
        return f"{self.name} <{self.addr}>" if self.name else self.addr


@dataclass(frozen=True, slots=True)
class Attachment:
    """What we keep of an attachment: never its bytes, except extracted text later."""

    filename: str
    content_type: str
    size: int


@dataclass(frozen=True, slots=True)
class Message:
    """One parsed mail, as stored.

    ``key`` identifies the message everywhere (store, JSON, correction file): the
    Message-ID without angle brackets, or ``sha256:<hex>`` of the raw bytes when the
    mail has no Message-ID.
    """

    key: str
    message_id: str | None
    date: datetime | None
    date_source: DateSource
    sender: Address | None
    to: tuple[Address, ...]
    cc: tuple[Address, ...]
    subject: str
    in_reply_to: tuple[str, ...]
    references: tuple[str, ...]
    text: str
    html_only: bool
    attachments: tuple[Attachment, ...]
    # Headers the classifier reads (auto-reply, bulk and list markers), name lower-cased.
    headers: tuple[tuple[str, str], ...]
    content_type: str
    folder: str
    raw_sha256: str
    size: int
    # Text extracted from PDF and text attachments (offers are often only in the PDF).
    attachment_text: str = ""
    # Problems that did not stop parsing (bad charset, no Date, ...), for the report.
    defects: tuple[str, ...] = ()

    def header(self, name: str) -> str | None:
        """First value of a kept header, by case-insensitive name."""
        name = name.lower()
        for key, value in self.headers:
            if key == name:
                return value
        return None

    @property
    def recipients(self) -> tuple[Address, ...]:
        return self.to + self.cc


@dataclass(frozen=True, slots=True)
class Quarantined:
    """A message we could not take, kept with its reason so nothing is lost."""

    origin: str
    reason: str
    raw_sha256: str


@dataclass(frozen=True, slots=True)
class Classification:
    """One label per message, with how sure we are and what decided it."""

    key: str
    label: Label
    confidence: float
    source: Source
    explanation: str = ""


@dataclass(frozen=True, slots=True)
class MessageFacts:
    """What a message states, beyond its label: the amount it quotes and whether it asks
    for a test drive, demo, visit or trial (``high_intent``)."""

    key: str
    amount: Decimal | None = None  # the largest currency-anchored amount, body or PDF
    currency: str | None = None  # ISO code: EUR, GBP, USD, CHF
    high_intent: bool = False


@dataclass(frozen=True, slots=True)
class MessageContext:
    """What the classifier may know about a message beyond its own content."""

    from_me: bool
    first_in_thread: bool
    supplier: str | None  # organisation key of the other party, None when unknown


@dataclass(frozen=True, slots=True)
class Thread:
    """Messages linked by Message-ID/In-Reply-To/References or by normalised subject."""

    thread_id: str
    keys: tuple[str, ...]  # in time order
    subject: str


@dataclass(frozen=True, slots=True)
class DealMessage:
    """One message as it stands on a deal's timeline."""

    key: str
    date: datetime
    from_me: bool
    label: Label
    confidence: float
    source: Source
    sender: str
    subject: str
    attachments: tuple[str, ...] = ()
    amount: Decimal | None = None
    currency: str | None = None
    high_intent: bool = False


@dataclass(frozen=True, slots=True)
class Deal:
    """The conversation between the buyer and one supplier organisation."""

    deal_id: str
    supplier: str  # organisation key, e.g. "garage-peeters.be" or a free-mail address
    supplier_name: str
    subject: str
    thread_id: str
    messages: tuple[DealMessage, ...] = field(default_factory=tuple)  # time order


@dataclass(frozen=True, slots=True)
class Period:
    """The reporting window: local dates, both ends inclusive; None means open-ended.

    ``label`` is what the report calls it: ``2026-W47``, ``2026-11-01..2026-11-30`` or
    ``all``.
    """

    start: date | None
    end: date | None
    label: str

    def contains(self, day: date) -> bool:
        return (self.start is None or day >= self.start) and (self.end is None or day <= self.end)
