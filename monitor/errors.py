"""The root of every error sla-monitor raises on purpose.

A caller that wants "anything this package refused or could not do" catches
:class:`SlaMonitorError`; a library's own exceptions (SQLAlchemy's, the IMAP client's) are
turned into one of ours at the one place they cross in, so no caller outside that place
needs to know which library is underneath. This module imports nothing, so the pure core
may use it too.
"""

from __future__ import annotations

__all__ = ["SlaMonitorError"]


class SlaMonitorError(Exception):
    """Something sla-monitor refused or could not do, said in one line for a person."""
