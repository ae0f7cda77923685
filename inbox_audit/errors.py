"""Exceptions that reach the user as one line (the CLI maps them to exit status 1)."""


class InboxAuditError(Exception):
    """Base of every error the user can act on; ``str()`` is the one-line message."""


class ConfigError(InboxAuditError):
    """The configuration file, environment or flags are wrong."""


class StoreError(InboxAuditError):
    """The store cannot be opened, is locked by another run, or is from a newer version."""


class RulesError(InboxAuditError):
    """A rules file is malformed; the message names the file and line."""


class SourceError(InboxAuditError):
    """A mail source (file, folder, server) cannot be read at all."""


class CorrectionsError(InboxAuditError):
    """The correction file is refused as a whole; the message lists every problem."""
