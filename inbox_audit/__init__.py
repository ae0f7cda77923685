"""inbox-audit: the buyer's reverse CRM.

Audits how fast suppliers quote and follow up, from the buyer's own mailbox.
"""

__version__ = "0.1.0"
