"""Shared fixtures: every test runs in its own folder with its own user directories,
so nothing reads or writes the real ~/.config or ~/.local of whoever runs the suite."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from dovecot import Dovecot, DovecotMissing

REPO = Path(__file__).resolve().parent.parent
SAMPLES = REPO / "samples"


@pytest.fixture(autouse=True)
def isolated_home(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch):
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / ".local" / "share"))
    for name in list(os.environ):
        if name.startswith("INBOX_AUDIT_"):
            monkeypatch.delenv(name)
    work = tmp_path_factory.mktemp("cwd")
    monkeypatch.chdir(work)
    return home


@pytest.fixture
def demo_mbox() -> Path:
    return SAMPLES / "demo.mbox"


@pytest.fixture
def demo_config() -> Path:
    return SAMPLES / "demo.toml"


@pytest.fixture
def store_path(tmp_path: Path) -> Path:
    return tmp_path / "store.db"


@pytest.fixture
def cli():
    """Run the real command line in-process: ``cli("import", path)`` -> click Result."""
    from inbox_audit.cli import cli as command

    runner = CliRunner()

    def run(*args: object):
        return runner.invoke(command, [str(a) for a in args], catch_exceptions=False)

    return run


@pytest.fixture(scope="module")
def demo_parsed() -> tuple[list, dict]:
    """The demo mailbox parsed (no store) and each message's thread context."""
    from inbox_audit.config import load_settings
    from inbox_audit.ingest import parse_raw
    from inbox_audit.parties import Parties
    from inbox_audit.sources.files import iter_raw_mail
    from inbox_audit.threads import build_threads, message_contexts

    settings = load_settings(SAMPLES / "demo.toml", env={}, explicit=True)
    messages = [parse_raw(r) for r in iter_raw_mail([SAMPLES / "demo.mbox"])]
    parties = Parties(settings)
    return messages, message_contexts(messages, build_threads(messages, parties), parties)


@pytest.fixture(scope="module")
def dovecot() -> Iterator[Dovecot]:
    """A real Dovecot on 127.0.0.1 for one test module; a missing server fails, never
    skips (CI installs it)."""
    try:
        server = Dovecot()
    except DovecotMissing as exc:
        pytest.fail(str(exc), pytrace=False)
    server.start()
    try:
        yield server
    finally:
        server.stop()
