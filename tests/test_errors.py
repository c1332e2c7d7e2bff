"""Every error the package raises on purpose has one root a caller can catch."""

from __future__ import annotations

from monitor.commands._common import UsageError
from monitor.config import ConfigError
from monitor.errors import SlaMonitorError
from monitor.report.analyses import SubjectError
from monitor.report.outage_import import OutageImportError
from monitor.server.api.auth import TokenError
from monitor.server.api.errors import ApiError
from monitor.servicedesk.imap import MailboxError
from monitor.servicedesk.importer import RequestImportError
from monitor.sla.months import MonthOutOfRangeError
from monitor.store import StoreError, StoreUnavailable


def test_the_packages_own_errors_descend_from_one_root() -> None:
    """Config, store, API, import, mailbox and command errors are all SlaMonitorErrors."""
    for error in (
        ApiError,
        ConfigError,
        MailboxError,
        OutageImportError,
        RequestImportError,
        StoreError,
        StoreUnavailable,
        SubjectError,
        TokenError,
        UsageError,
    ):
        assert issubclass(error, SlaMonitorError), error.__name__


def test_errors_that_were_value_errors_still_are() -> None:
    """Callers that catch ValueError for bad input keep catching these."""
    for error in (SubjectError, TokenError):
        assert issubclass(error, ValueError), error.__name__


def test_the_pure_core_keeps_its_errors_free_of_the_shell() -> None:
    """The core imports only itself: its refusals stay plain ValueErrors."""
    assert issubclass(MonthOutOfRangeError, ValueError)
    assert not issubclass(MonthOutOfRangeError, SlaMonitorError)
