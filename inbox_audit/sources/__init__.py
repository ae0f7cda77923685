"""Where raw mail comes from: files (``files.py``) and, later, IMAP (``imap.py``)."""

from inbox_audit.sources.files import RawMail, iter_raw_mail

__all__ = ["RawMail", "iter_raw_mail"]
