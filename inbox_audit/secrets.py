"""Where the IMAP and SMTP passwords or the OAuth2 token come from: never the config file.

Exactly one password source may be set: ``password_env`` (an environment variable),
``password_command`` (a command that prints it, like mbsync's PassCmd) or ``keyring``
(the system keyring, service ``inbox-audit``, user name = the IMAP user name).
``oauth2_token_command`` prints an access token for XOAUTH2 (Gmail, Microsoft 365).

Secrets are returned to the caller and nothing else: they are never logged, stored, or
put in an error message, and a failing command's stderr is not repeated (password
managers sometimes echo what they were given).
"""

from __future__ import annotations

import os
import shlex
import subprocess

from inbox_audit.config import Settings
from inbox_audit.errors import ConfigError, SourceError

KEYRING_SERVICE = "inbox-audit"
# Long enough for a password manager that asks for its own passphrase (pinentry).
COMMAND_TIMEOUT = 120.0


def imap_password(settings: Settings) -> str:
    """The IMAP password from the one configured source.

    Raises ConfigError when no source (or more than one) is configured and SourceError
    when the source cannot deliver (variable unset, command failed, keyring empty).
    """
    imap = settings.imap
    return _password("imap", imap.password_env, imap.password_command, imap.keyring,
                     imap.username or "",
                     hint=" (or imap.oauth2_token_command for Gmail / Microsoft 365)")


def smtp_password(settings: Settings) -> str | None:
    """The SMTP password from the one configured ``[smtp]`` source; None when
    ``smtp.username`` is not set (a relay that needs no login). Raises like
    ``imap_password``."""
    smtp = settings.smtp
    if not smtp.username:
        return None
    return _password("smtp", smtp.password_env, smtp.password_command, smtp.keyring,
                     smtp.username)


def _password(table: str, env: str | None, command: str | None, keyring: bool,
              username: str, *, hint: str = "") -> str:
    """The password from exactly one of a table's sources: env, command or keyring."""
    sources = [name for name, value in (("password_env", env),
                                        ("password_command", command),
                                        ("keyring", keyring)) if value]
    if not sources:
        raise ConfigError(f"{table}: no password source; set {table}.password_env, "
                          f"{table}.password_command or {table}.keyring = true{hint}")
    if len(sources) > 1:
        raise ConfigError(f"{table}: set only one password source, not {' and '.join(sources)}")
    if env:
        value = os.environ.get(env)
        if not value:
            raise SourceError(f"{table}.password_env: environment variable {env} "
                              "is not set or empty")
        return value
    if command:
        return _run_secret_command(command, f"{table}.password_command")
    return _keyring_password(username, key=f"{table}.keyring")


def oauth2_token(settings: Settings) -> str | None:
    """An OAuth2 access token from ``oauth2_token_command``; None when it is not set."""
    command = settings.imap.oauth2_token_command
    if not command:
        return None
    return _run_secret_command(command, "imap.oauth2_token_command")


def _run_secret_command(command: str, key: str) -> str:
    """The first line the command prints on stdout (trailing newline removed)."""
    try:
        argv = shlex.split(command)
    except ValueError as exc:
        raise ConfigError(f"{key}: cannot split the command: {exc}") from None
    if not argv:
        raise ConfigError(f"{key}: the command is empty")
    try:
        # No shell: the command line is split like a shell would, but nothing in it is
        # expanded or interpreted. stderr is captured so it never reaches our output.
        done = subprocess.run(argv, stdin=subprocess.DEVNULL, capture_output=True,
                              timeout=COMMAND_TIMEOUT, check=False)
    except FileNotFoundError:
        raise SourceError(f"{key}: command not found: {argv[0]}") from None
    except PermissionError:
        raise SourceError(f"{key}: not executable: {argv[0]}") from None
    except subprocess.TimeoutExpired:
        raise SourceError(f"{key}: {argv[0]} gave no answer within "
                          f"{COMMAND_TIMEOUT:.0f} s") from None
    except OSError as exc:
        raise SourceError(f"{key}: cannot run {argv[0]}: {exc.strerror}") from None
    if done.returncode != 0:
        raise SourceError(f"{key}: {argv[0]} failed with exit status {done.returncode}")
    try:
        lines = done.stdout.decode("utf-8").splitlines()
    except UnicodeDecodeError:
        raise SourceError(f"{key}: {argv[0]} printed text that is not UTF-8") from None
    secret = lines[0].rstrip("\r\n") if lines else ""
    if not secret:
        raise SourceError(f"{key}: {argv[0]} printed nothing")
    return secret


def _keyring_password(username: str, key: str = "imap.keyring") -> str:
    try:
        import keyring  # optional: only users who choose the keyring need it
        import keyring.errors
    except ImportError:
        raise ConfigError(f"{key}: the keyring package is not installed; "
                          "run `pip install keyring` or use password_command") from None
    try:
        value = keyring.get_password(KEYRING_SERVICE, username)
    except keyring.errors.KeyringError as exc:
        raise SourceError(f"{key}: the system keyring cannot be read "
                          f"({type(exc).__name__})") from None
    if not value:
        raise SourceError(f"{key}: no password for {username!r} in service "
                          f"{KEYRING_SERVICE!r}; store it with "
                          f"`keyring set {KEYRING_SERVICE} {username}`")
    return value
