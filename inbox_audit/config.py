"""One typed settings object, one precedence: defaults < TOML file < environment < flags.

Every key is declared once, as a dataclass field with a type and a ``doc`` in its
metadata; the loader checks names and types against those declarations, so a typo or
a wrong type is refused naming the key. ``docs/configuration.md`` is tested to cover
every field.
"""

from __future__ import annotations

import dataclasses
import os
import tomllib
import types
import typing
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import holidays
import platformdirs

from inbox_audit.errors import ConfigError

APP = "inbox-audit"
CONFIG_NAME = "inbox-audit.toml"
ENV_PREFIX = "INBOX_AUDIT_"
WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def _doc(text: str, **kw: Any) -> Any:
    return field(metadata={"doc": text}, **kw)


@dataclass(frozen=True)
class ImapSettings:
    host: str | None = _doc("IMAP server host name.", default=None)
    port: int | None = _doc("IMAP port; default 993 with TLS, 143 otherwise.", default=None)
    tls: bool = _doc("Implicit TLS (port 993). Certificates are always verified.", default=True)
    starttls: bool = _doc("Upgrade a plain connection with STARTTLS (port 143); wins over tls.",
                          default=False)
    ca_file: Path | None = _doc("Extra CA bundle to trust (self-hosted servers).", default=None)
    username: str | None = _doc("Login name.", default=None)
    folders: list[str] = _doc("Folders to audit, e.g. [\"INBOX\", \"Leveranciers\"].",
                              default_factory=lambda: ["INBOX"])
    include_sent: bool = _doc("Also read the SPECIAL-USE \\Sent folder (your requests).",
                              default=True)
    password_env: str | None = _doc("Name of an environment variable holding the password.",
                                    default=None)
    password_command: str | None = _doc("Command that prints the password (like PassCmd).",
                                        default=None)
    keyring: bool = _doc("Read the password from the system keyring (service inbox-audit).",
                         default=False)
    oauth2_token_command: str | None = _doc(
        "Command that prints an OAuth2 access token (XOAUTH2; Gmail, Microsoft 365).",
        default=None)
    fetch_since: date | None = _doc("Only fetch mail on or after this date on the first run.",
                                    default=None)
    timeout: float = _doc("Connect and read timeout in seconds.", default=60.0)
    batch_size: int = _doc("Messages fetched per round trip and committed together.",
                           default=100)


@dataclass(frozen=True)
class SmtpSettings:
    host: str | None = _doc("SMTP server for delivering the weekly report.", default=None)
    port: int | None = _doc("SMTP port; default 465 with TLS, 587 with STARTTLS.", default=None)
    tls: bool = _doc("Implicit TLS.", default=True)
    starttls: bool = _doc("STARTTLS on a plain connection.", default=False)
    username: str | None = _doc("Login name.", default=None)
    password_env: str | None = _doc("Environment variable holding the password.", default=None)
    password_command: str | None = _doc("Command that prints the password.", default=None)
    keyring: bool = _doc("Read the password from the system keyring (service inbox-audit, "
                         "user name = smtp.username).", default=False)
    ca_file: Path | None = _doc("Extra CA bundle to trust (self-hosted servers).", default=None)
    timeout: float = _doc("Connect and read timeout in seconds.", default=60.0)
    sender: str | None = _doc("From address of the report mail.", default=None)
    to: list[str] = _doc("Recipients of the report mail.", default_factory=list)


@dataclass(frozen=True)
class SuppliersSettings:
    names: dict[str, str] = _doc(
        "Display names per supplier key, e.g. {\"garage-peeters.be\" = \"Garage Peeters\"}.",
        default_factory=dict)
    merge: dict[str, list[str]] = _doc(
        "Domains or addresses that count as one supplier: {\"peeters.be\" = [\"peeters.nl\"]}.",
        default_factory=dict)
    ignore: list[str] = _doc(
        "Domains or addresses never counted as suppliers (newsletters, banks).",
        default_factory=list)


@dataclass(frozen=True)
class ReportSettings:
    folder: Path = _doc("Where `run` writes the weekly reports.", default=Path("reports"))
    review_limit: int = _doc("How many least-confident messages the report lists for review.",
                             default=15)
    deliver: list[Literal["smtp", "imap"]] = _doc(
        "How `run` delivers the weekly report: \"smtp\" (mail it, see [smtp]) and/or "
        "\"imap\" (append it to report.imap_folder of your own mailbox); [] writes files only.",
        default_factory=list)
    imap_folder: str = _doc("Folder of your mailbox (the [imap] account) that receives the "
                            "report when deliver has \"imap\"; created when missing.",
                            default="inbox-audit reports")


@dataclass(frozen=True)
class Settings:
    me: list[str] = _doc("Your own addresses (the buyer).", default_factory=list)
    my_domains: list[str] = _doc("Domains of colleagues who count as you.",
                                 default_factory=list)
    timezone: str = _doc("Time zone for dates and working days.", default="Europe/Brussels")
    country: str = _doc("Country whose public holidays are not working days "
                        "(ISO code, `holidays` package).", default="BE")
    extra_holidays: list[date] = _doc("Extra non-working dates (bridge days, closures).",
                                      default_factory=list)
    workdays: list[str] = _doc("Working weekdays.",
                               default_factory=lambda: ["Mon", "Tue", "Wed", "Thu", "Fri"])
    quote_sla_wd: int = _doc("Working days a supplier has to quote.", default=5)
    followup_sla_wd: int = _doc("Working days a supplier has to follow up after a quote.",
                                default=1)
    store: Path | None = _doc("The SQLite store; default in the user data directory.",
                              default=None)
    keep_raw: bool = _doc("Keep each mail's raw bytes in the store (compressed), so later "
                          "versions can re-read it; false keeps only the parsed fields "
                          "and a hash.", default=True)
    corrections: Path | None = _doc("The correction file; default corrections.csv beside "
                                    "the store.", default=None)
    rules: Path | None = _doc("Your own rules folder instead of the bundled rules/.",
                              default=None)
    language: Literal["en", "nl"] = _doc("Report language.", default="en")
    imap: ImapSettings = _doc("[imap] table.", default_factory=ImapSettings)
    smtp: SmtpSettings = _doc("[smtp] table.", default_factory=SmtpSettings)
    suppliers: SuppliersSettings = _doc("[suppliers] table.",
                                        default_factory=SuppliersSettings)
    report: ReportSettings = _doc("[report] table.", default_factory=ReportSettings)
    # Where the settings came from; not a key of the file.
    config_path: Path | None = field(default=None, metadata={"internal": True})

    # --- derived views -------------------------------------------------------------
    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def weekmask(self) -> str:
        """numpy.busday weekmask, e.g. ``1111100``."""
        return "".join("1" if day in self.workdays else "0" for day in WEEKDAYS)

    @property
    def store_path(self) -> Path:
        if self.store is not None:
            return self.store
        return Path(platformdirs.user_data_dir(APP)) / "store.db"

    @property
    def corrections_path(self) -> Path:
        if self.corrections is not None:
            return self.corrections
        return self.store_path.with_name("corrections.csv")

    def holiday_dates(self, years: range) -> list[date]:
        """Public holidays of ``country`` in ``years`` plus ``extra_holidays``."""
        calendar = holidays.country_holidays(self.country, years=list(years))
        return sorted(set(calendar.keys()) | set(self.extra_holidays))

    def is_me(self, addr: str) -> bool:
        """True for the buyer's own addresses and colleagues in ``my_domains``."""
        addr = addr.lower()
        if addr in self._me_set:
            return True
        domain = addr.rpartition("@")[2]
        return any(domain == d or domain.endswith("." + d) for d in self._my_domains_set)

    @property
    def _me_set(self) -> frozenset[str]:
        return frozenset(a.lower() for a in self.me)

    @property
    def _my_domains_set(self) -> frozenset[str]:
        return frozenset(d.lower().lstrip("@") for d in self.my_domains)


# --- loading ---------------------------------------------------------------------------

def default_config_path(cwd: Path | None = None) -> Path | None:
    """``./inbox-audit.toml``, then the user config directory; None if neither exists."""
    for candidate in ((cwd or Path.cwd()) / CONFIG_NAME,
                      Path(platformdirs.user_config_dir(APP)) / CONFIG_NAME):
        if candidate.is_file():
            return candidate
    return None


def load_settings(
    path: Path | None = None,
    *,
    env: Mapping[str, str] | None = None,
    overrides: Mapping[str, Any] | None = None,
    explicit: bool = False,
) -> Settings:
    """Build the settings: defaults < TOML ``path`` < ``INBOX_AUDIT_*`` env < ``overrides``.

    ``path`` None means the default search; ``explicit`` True means the user named the
    file, so a missing file is an error. ``overrides`` uses dotted keys (``imap.host``).
    Raises ConfigError naming the key for unknown keys and wrong types.
    """
    env = os.environ if env is None else env
    if path is None:
        path = default_config_path()
    data: dict[str, Any] = {}
    if path is not None:
        data = _read_toml(path, explicit)
        _reject_secrets(data, str(path))
        _rebase_paths(data, path)
    for key, value in _env_values(env).items():
        _set_dotted(data, key, value)
    for key, value in (overrides or {}).items():
        if value is not None:
            _set_dotted(data, key, value)
    settings = _build(Settings, data, prefix="")
    return _validate(dataclasses.replace(settings, config_path=path))


def _read_toml(path: Path, explicit: bool) -> dict[str, Any]:
    try:
        with open(path, "rb") as fh:
            return tomllib.load(fh)
    except FileNotFoundError:
        if explicit:
            raise ConfigError(f"config file not found: {path}") from None
        return {}
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc.strerror}") from None


def _reject_secrets(data: dict[str, Any], where: str) -> None:
    # The promise is that secrets never sit in the config file: refuse them outright.
    for table in ("imap", "smtp"):
        section = data.get(table)
        if isinstance(section, dict):
            for key in ("password", "token", "secret"):
                if key in section:
                    raise ConfigError(
                        f"{where}: {table}.{key}: secrets are not read from the config file; "
                        "use password_env, password_command or keyring")


class _EnvText(str):
    """A value from the environment: text that may stand for a number, flag or list."""


def _env_values(env: Mapping[str, str]) -> dict[str, str]:
    """``INBOX_AUDIT_QUOTE_SLA_WD=3`` -> quote_sla_wd; ``INBOX_AUDIT_IMAP__HOST`` -> imap.host."""
    out = {}
    for name, value in env.items():
        if name.startswith(ENV_PREFIX) and name != ENV_PREFIX + "CONFIG":
            key = name[len(ENV_PREFIX):].lower().replace("__", ".")
            out[key] = _EnvText(value)
    return out


def _set_dotted(data: dict[str, Any], key: str, value: Any) -> None:
    parts = key.split(".")
    target = data
    for part in parts[:-1]:
        nxt = target.setdefault(part, {})
        if not isinstance(nxt, dict):
            raise ConfigError(f"{part}: expected a table")
        target = nxt
    target[parts[-1]] = value


def _build(cls: type, data: Any, prefix: str) -> Any:
    if not isinstance(data, dict):
        raise ConfigError(f"{prefix.rstrip('.') or 'config'}: expected a table")
    hints = typing.get_type_hints(cls)
    fields = {f.name: f for f in dataclasses.fields(cls) if not f.metadata.get("internal")}
    kwargs = {}
    for key, value in data.items():
        name = prefix + key
        if key not in fields:
            raise ConfigError(f"unknown setting: {name}")
        kwargs[key] = _coerce(hints[key], value, name)
    return cls(**kwargs)


def _coerce(tp: Any, value: Any, name: str) -> Any:  # noqa: PLR0911, PLR0912
    origin = typing.get_origin(tp)
    args = typing.get_args(tp)
    if dataclasses.is_dataclass(tp):
        return _build(tp, value, name + ".")
    if origin in (types.UnionType, typing.Union):
        inner = [a for a in args if a is not type(None)]
        if value is None or value == "":
            return None
        return _coerce(inner[0], value, name)
    if origin is Literal:
        if value not in args:
            choices = ", ".join(repr(a) for a in args)
            raise ConfigError(f"{name}: must be one of {choices}, not {value!r}")
        return value
    if origin is list:
        if isinstance(value, _EnvText):  # comma-separated
            value = [v.strip() for v in value.split(",") if v.strip()]
        if not isinstance(value, list):
            raise ConfigError(f"{name}: expected a list, got {type(value).__name__}")
        return [_coerce(args[0], v, f"{name}[{i}]") for i, v in enumerate(value)]
    if origin is dict:
        if not isinstance(value, dict):
            raise ConfigError(f"{name}: expected a table, got {type(value).__name__}")
        return {str(k): _coerce(args[1], v, f"{name}.{k}") for k, v in value.items()}
    if tp is bool:
        if isinstance(value, _EnvText) and value.lower() in ("1", "true", "yes", "on", "0", "false",
                                                        "no", "off"):
            return value.lower() in ("1", "true", "yes", "on")
        if not isinstance(value, bool):
            raise ConfigError(f"{name}: expected true or false, got {value!r}")
        return value
    if tp is int or tp is float:
        what = "a whole number" if tp is int else "a number"
        accepted = int if tp is int else int | float
        if isinstance(value, _EnvText):
            try:
                value = tp(value)
            except ValueError:
                raise ConfigError(f"{name}: expected {what}, got {value!r}") from None
        if isinstance(value, bool) or not isinstance(value, accepted):
            raise ConfigError(f"{name}: expected {what}, got {value!r}")
        return tp(value)
    if tp is str:
        if not isinstance(value, str):
            raise ConfigError(f"{name}: expected a string, got {value!r}")
        return value
    if tp is Path:
        if not isinstance(value, str | Path):
            raise ConfigError(f"{name}: expected a path, got {value!r}")
        return Path(value).expanduser()
    if tp is date:
        if isinstance(value, date):
            return value
        try:
            return date.fromisoformat(str(value))
        except ValueError:
            raise ConfigError(f"{name}: expected a date YYYY-MM-DD, got {value!r}") from None
    raise ConfigError(f"{name}: unsupported type")  # pragma: no cover - declarations only


def _rebase_paths(data: dict[str, Any], path: Path) -> None:
    """Relative paths in a config file are relative to that file, not to the cwd."""
    base = path.resolve().parent
    for table, key in ((None, "store"), (None, "corrections"), (None, "rules"),
                       ("report", "folder"), ("imap", "ca_file"), ("smtp", "ca_file")):
        section = data if table is None else data.get(table)
        if isinstance(section, dict) and isinstance(section.get(key), str):
            value = Path(section[key]).expanduser()
            section[key] = str(value if value.is_absolute() else base / value)


def _validate(settings: Settings) -> Settings:
    try:
        ZoneInfo(settings.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(f"timezone: unknown time zone {settings.timezone!r}") from None
    try:
        holidays.country_holidays(settings.country)
    except NotImplementedError:
        raise ConfigError(f"country: no holiday calendar for {settings.country!r}") from None
    bad = [d for d in settings.workdays if d not in WEEKDAYS]
    if bad or not settings.workdays:
        raise ConfigError(f"workdays: use names from {', '.join(WEEKDAYS)}; got {bad or '[]'}")
    for key in ("quote_sla_wd", "followup_sla_wd"):
        if getattr(settings, key) < 0:
            raise ConfigError(f"{key}: must be 0 or more")
    return settings


def settings_fields() -> list[tuple[str, str]]:
    """Every documented key as (dotted name, doc), for docs and their test."""
    out = []

    def walk(cls: type, prefix: str) -> None:
        for f in dataclasses.fields(cls):
            if f.metadata.get("internal"):
                continue
            tp = typing.get_type_hints(cls)[f.name]
            if dataclasses.is_dataclass(tp):
                walk(tp, prefix + f.name + ".")
            else:
                out.append((prefix + f.name, f.metadata["doc"]))

    walk(Settings, "")
    return out
