"""``forget``: remove stored mail for privacy, by supplier and/or by date.

What goes: the parsed message, its raw bytes and its label; with ``before`` also the
quarantined mail whose Date is before that day. The SHA-256 of each forgotten mail is
kept so that importing the same mailbox again, or a re-fetch, does not bring it back.
Freed space in the store file is overwritten and its log emptied (see ``Store.forget``).

A supplier's mail is every message with one of its addresses in From, To or Cc: what
it sent, what the buyer sent to it, and what others copied it on. A request mailed to
three suppliers holds all three addresses, so forgetting one of them removes it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time

from inbox_audit.config import Settings
from inbox_audit.errors import ConfigError
from inbox_audit.models import Message
from inbox_audit.parties import Parties, is_freemail
from inbox_audit.store import Store


@dataclass(frozen=True)
class ForgetSummary:
    """What ``forget_mail`` removed (or would remove, when ``dry_run``)."""

    messages: int
    quarantined: int
    undated_kept: int  # stored messages without a date, which ``before`` cannot judge
    supplier: str | None
    dry_run: bool = False

    def line(self) -> str:
        """One line for the user."""
        verb = "would forget" if self.dry_run else "forgot"
        text = f"{verb} {self.messages} messages and {self.quarantined} quarantined mails"
        if self.supplier is not None:
            text += f" of supplier {self.supplier}"
        if self.undated_kept:
            text += f"; {self.undated_kept} messages without a date were kept"
        return text


def forget_mail(store: Store, settings: Settings, *, supplier: str | None = None,
                before: date | None = None, dry_run: bool = False) -> ForgetSummary:
    """Remove the stored mail of ``supplier`` and/or dated before ``before`` (local
    midnight in the configured time zone); both given means both must hold.

    ``supplier`` is a supplier key as the report shows it (``garage-peeters.be``, or an
    address on free mail), any address or domain of the supplier, or its configured
    name. Raises ``ConfigError`` when neither is given.
    """
    if supplier is None and before is None:
        raise ConfigError("forget: give --supplier, --before or both")
    parties = Parties(settings)
    key = resolve_supplier(supplier, parties, settings) if supplier is not None else None
    cutoff = datetime.combine(before, time(0), tzinfo=settings.tz) if before else None
    keys: list[str] = []
    undated = 0
    for msg in store.iter_messages():
        if key is not None and key not in _suppliers(msg, parties):
            continue
        if cutoff is not None:
            if msg.date is None:
                undated += 1
                continue
            if msg.date >= cutoff:
                continue
        keys.append(msg.key)
    quarantined: list[str] = []
    if cutoff is not None and key is None:
        quarantined = [sha for sha, when in store.quarantine_dates().items()
                       if when is not None and when < cutoff]
    if not dry_run and (keys or quarantined):
        store.forget(keys, quarantined)
    return ForgetSummary(len(keys), len(quarantined), undated, key, dry_run)


def resolve_supplier(text: str, parties: Parties, settings: Settings) -> str:
    """The supplier key ``text`` means: a configured name, an address, a domain."""
    wanted = text.strip().lower()
    if not wanted:
        raise ConfigError("forget --supplier: empty supplier")
    for name_key, name in settings.suppliers.names.items():
        if name.strip().lower() == wanted:
            return name_key.lower()
    if "@" not in wanted and is_freemail(wanted.lstrip("@")):
        raise ConfigError(f"forget --supplier: {text} is a free-mail provider; name the "
                          "supplier by its address (e.g. jan.peeters@gmail.com)")
    addr = wanted if "@" in wanted else f"someone@{wanted.lstrip('@')}"
    key = parties.supplier_key(addr)
    if key is None:
        raise ConfigError(f"forget --supplier: {text!r} is you or an ignored correspondent, "
                          "not a supplier")
    return key


def _suppliers(msg: Message, parties: Parties) -> set[str]:
    """Every supplier with an address in From, To or Cc: the mail holds their data."""
    addrs = [a.addr for a in (msg.sender, *msg.to, *msg.cc) if a is not None]
    return {k for k in (parties.supplier_key(a) for a in addrs) if k}
