"""The report's words and number formats: strings per language and Babel formatting.

The strings are data (``templates/report_strings.toml``); ``Fmt`` formats dates,
percentages, working days and money in the report's locale (``en`` -> en_GB,
``nl`` -> nl_BE), and shows an unknown figure as a dash, never as 0.
"""

from __future__ import annotations

import functools
import tomllib
from collections.abc import Callable
from datetime import UTC, date, datetime
from decimal import Decimal

from babel import Locale
from babel.dates import format_date
from babel.numbers import format_currency, format_decimal, format_percent

from inbox_audit.config import Settings
from inbox_audit.errors import InboxAuditError
from inbox_audit.resources import templates_dir

STRINGS = "report_strings.toml"  # UI strings per language: data, beside the template
LOCALES = {"en": "en_GB", "nl": "nl_BE"}
DASH = "—"


@functools.cache
def strings(lang: str) -> dict[str, dict[str, str]]:
    """The report's strings in ``lang`` (``ui``, ``phrases``, ``labels``, ``statuses``)
    from ``templates/report_strings.toml``; a missing key falls back to English."""
    path = templates_dir() / STRINGS
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise InboxAuditError(f"{path}: cannot read the report strings: {exc}") from None
    english = data["en"]
    chosen = data.get(lang, {})
    return {part: {**english[part], **chosen.get(part, {})} for part in english}


def report_language(settings: Settings) -> str:
    """``settings.language`` when the report speaks it, else English."""
    return settings.language if settings.language in LOCALES else "en"


class Fmt:
    """Locale-aware formatting for one report.

    Each formatted value is remembered: a report over years of mail formats thousands
    of dates, amounts and counts, most of them many times, and Babel takes far longer
    to format one than a lookup. The key holds the value's type and ``repr`` so values
    that are equal but print differently (``1`` and ``1.0``, ``Decimal("1.50")``) are
    never confused.
    """

    def __init__(self, lang: str, settings: Settings) -> None:
        self.lang = lang
        self.locale = LOCALES.get(lang, "en_GB")
        # Babel parses a locale name on every call; the parsed locale is used as it is.
        self._babel = Locale.parse(self.locale)
        self.tz = settings.tz
        text = strings(lang)
        self.phrases = text["phrases"]
        self.labels = text["labels"]
        self.statuses = text["statuses"]
        self._done: dict[tuple, str] = {}

    def _memo(self, kind: str, value: object, make: Callable[[], str],
              extra: object = None) -> str:
        key = (kind, type(value), repr(value), extra)
        text = self._done.get(key)
        if text is None:
            text = self._done[key] = make()
        return text

    def pct(self, rate: float | None) -> str:
        if rate is None:
            return DASH
        return self._memo("pct", rate, lambda: format_percent(
            rate, format="#,##0%", locale=self._babel))

    def num(self, value: float | None) -> str:
        if value is None:
            return DASH
        return self._memo("num", value, lambda: format_decimal(
            value, format="#,##0.#", locale=self._babel))

    def wd(self, value: float | None) -> str:
        return DASH if value is None else self.phrases["wd_value"].format(x=self.num(value))

    def money(self, amount: Decimal | None, currency: str | None) -> str:
        if amount is None:
            return DASH
        return self._memo("money", amount, lambda: self._money(amount, currency), currency)

    def _money(self, amount: Decimal, currency: str | None) -> str:
        if not currency:
            return format_decimal(amount, format="#,##0.##", locale=self._babel)
        if amount == amount.to_integral_value():
            # Whole amounts read better without ",00": the locale's pattern minus decimals.
            pattern = self._babel.currency_formats["standard"].pattern
            return format_currency(amount, currency, format=pattern.replace(".00", ""),
                                   currency_digits=False, locale=self._babel)
        return format_currency(amount, currency, locale=self._babel)

    def day(self, value: date | datetime | None) -> str:
        if value is None:
            return DASH
        return self._memo("day", value, lambda: self._day(value))

    def _day(self, value: date | datetime) -> str:
        if isinstance(value, datetime):
            value = value.astimezone(self.tz).date()
        return format_date(value, format="medium", locale=self._babel)

    def local_month(self, value: datetime) -> str:
        """``2026-03``: the local month of ``value``."""
        # A zone is less than a day from UTC, so a UTC time from the 2nd to the 27th of
        # a month is in that month anywhere (no conversion: the archive asks for every
        # deal of years of mail).
        if value.tzinfo is UTC and 2 <= value.day <= 27:
            return f"{value.year}-{value.month:02d}"
        local = value.astimezone(self.tz)
        return f"{local.year}-{local.month:02d}"  # strftime("%Y-%m"), at a fraction of it

    def short_day(self, value: datetime) -> str:
        """``Mon 2 Nov 14:05``: the timeline's hover texts; Babel's ``EEE d MMM HH:mm``."""
        return self._at(value, "EEE d MMM")

    def moment(self, value: datetime) -> str:
        """``2 Nov 2026 14:05``: Babel's ``d MMM yyyy HH:mm``."""
        return self._at(value, "d MMM yyyy")

    def _at(self, value: datetime, day_pattern: str) -> str:
        # Babel's ``<day_pattern> HH:mm`` in the report's zone, with the day part
        # formatted once per local day: Babel takes some 30 µs per date and time, and
        # the timelines show a thousand. ``HH:mm`` is two zero-padded numbers. Like
        # Babel, a naive time is read as UTC.
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        local = value.astimezone(self.tz)
        day = local.date()
        text = self._memo(day_pattern, day,
                          lambda: format_date(day, format=day_pattern, locale=self._babel))
        return f"{text} {local.hour:02d}:{local.minute:02d}"

    def phrase(self, key: str, **kw: object) -> str:
        return self.phrases[key].format(**kw)

    def label(self, label: str) -> str:
        return self.labels.get(label, label)

    def status(self, status: str) -> str:
        return self.statuses.get(status, status)
