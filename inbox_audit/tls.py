"""TLS and plaintext rules shared by every server we talk to (IMAP, SMTP)."""

from __future__ import annotations

import ipaddress
import ssl
from pathlib import Path

from inbox_audit.errors import ConfigError


def is_loopback(host: str) -> bool:
    """localhost or a loopback address: the only place a plaintext login is allowed."""
    if host.rstrip(".").lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def verified_context(ca_file: Path | None, setting: str) -> ssl.SSLContext:
    """A certificate-verifying context, trusting ``ca_file`` too when given.

    ``setting`` names the key in errors, e.g. ``imap.ca_file``.
    """
    context = ssl.create_default_context()
    if ca_file is not None:
        try:
            context.load_verify_locations(cafile=str(ca_file))
        except FileNotFoundError:
            raise ConfigError(f"{setting}: no such file: {ca_file}") from None
        except (ssl.SSLError, OSError) as exc:
            raise ConfigError(f"{setting}: {ca_file} is not a PEM certificate bundle "
                              f"({exc.__class__.__name__})") from None
    return context
