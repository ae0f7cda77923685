"""Settings: one precedence, refusals that name the key, paths relative to the file."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from inbox_audit.config import load_settings
from inbox_audit.errors import ConfigError


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "inbox-audit.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_defaults_follow_the_spec():
    s = load_settings(None, env={})
    assert s.timezone == "Europe/Brussels" and s.country == "BE"
    assert s.quote_sla_wd == 5 and s.followup_sla_wd == 1
    assert s.weekmask == "1111100"
    assert s.language == "en"
    assert s.imap.include_sent is True


def test_precedence_defaults_file_env_flags(tmp_path):
    path = write(tmp_path, "quote_sla_wd = 3\nfollowup_sla_wd = 2\ntimezone = 'UTC'\n")
    env = {"INBOX_AUDIT_FOLLOWUP_SLA_WD": "4", "INBOX_AUDIT_TIMEZONE": "Europe/Paris"}
    s = load_settings(path, env=env, overrides={"timezone": "Europe/Amsterdam"})
    assert s.quote_sla_wd == 3  # file beats default
    assert s.followup_sla_wd == 4  # env beats file
    assert s.timezone == "Europe/Amsterdam"  # flag beats env


def test_env_reaches_tables_and_lists():
    s = load_settings(None, env={"INBOX_AUDIT_IMAP__HOST": "imap.example.be",
                                 "INBOX_AUDIT_ME": "jan@a.be, sofie@a.be"})
    assert s.imap.host == "imap.example.be"
    assert s.me == ["jan@a.be", "sofie@a.be"]


@pytest.mark.parametrize(("text", "named"), [
    ("quote_sla_wdd = 3", "quote_sla_wdd"),
    ("[imap]\nhots = 'x'", "imap.hots"),
    ("quote_sla_wd = 'five'", "quote_sla_wd"),
    ("me = 'jan@a.be'", "me"),
    ("language = 'fr'", "language"),
    ("timezone = 'Mars/Olympus'", "timezone"),
    ("country = 'XX'", "country"),
    ("workdays = ['Monday']", "workdays"),
    ("extra_holidays = ['2026-13-01']", "extra_holidays[0]"),
    ("[imap]\npassword = 'hunter2'", "imap.password"),
    ("[suppliers]\nnames = { 'a.be' = 3 }", "suppliers.names.a.be"),
])
def test_bad_settings_are_refused_naming_the_key(tmp_path, text, named):
    with pytest.raises(ConfigError) as err:
        load_settings(write(tmp_path, text), env={})
    assert named in str(err.value)
    assert "\n" not in str(err.value)


def test_secret_in_config_is_not_echoed(tmp_path):
    with pytest.raises(ConfigError) as err:
        load_settings(write(tmp_path, "[imap]\npassword = 'hunter2'"), env={})
    assert "hunter2" not in str(err.value)


def test_broken_toml_gives_one_line_with_position(tmp_path):
    with pytest.raises(ConfigError) as err:
        load_settings(write(tmp_path, "me = []\nquote_sla_wd = = 2\n"), env={})
    assert "not valid TOML" in str(err.value) and "line" in str(err.value)


def test_missing_explicit_file_is_an_error(tmp_path):
    with pytest.raises(ConfigError, match="not found"):
        load_settings(tmp_path / "nope.toml", env={}, explicit=True)


def test_paths_in_file_are_relative_to_the_file(tmp_path):
    folder = tmp_path / "conf"
    folder.mkdir()
    s = load_settings(write(folder, "store = 'data/audit.db'\n[report]\nfolder = 'out'"), env={})
    assert s.store_path == folder / "data" / "audit.db"
    assert s.report.folder == folder / "out"


def test_default_file_in_cwd_is_found(tmp_path, monkeypatch):
    write(tmp_path, "quote_sla_wd = 7")
    monkeypatch.chdir(tmp_path)
    assert load_settings(None, env={}).quote_sla_wd == 7


def test_store_defaults_to_user_data_dir(isolated_home):
    s = load_settings(None, env={})
    assert str(s.store_path).startswith(str(isolated_home))


def test_extra_holidays_and_colleagues(tmp_path):
    s = load_settings(write(tmp_path, "extra_holidays = [2026-12-24]\n"
                                      "me = ['Jan@A.be']\nmy_domains = ['a.be']"), env={})
    assert s.extra_holidays == [date(2026, 12, 24)]
    assert s.is_me("jan@a.be") and s.is_me("sofie@a.be") and s.is_me("x@sales.a.be")
    assert not s.is_me("x@nota.be")
