"""Service-desk response tracking: requirements 3.2.9, 3.2.13, 3.2.14 and 3.2.39.

The contract: a request "op niet-telefonische wijze (bijv. via de e-mail of een online
portaal)" is answered "in 80% van de gevallen binnen één werkdag" (3.2.9); escalations and
complaints get a reaction "binnen één werkdag" (3.2.13, 3.2.14); requests for information
"binnen twee dagen" (3.2.39). docs/rules.md#response-times fixes what a request, its receipt
and its answer are; this package finds them.

Sources of requests: desk mailboxes over IMAP (:class:`MailboxScanner`), CSV exports of a
ticket system (:func:`parse_requests_csv`) and, elsewhere, the ticket-system webhook. All of
them end as :class:`monitor.store.RequestRecord` rows; :func:`desk_figures` turns those into
the monthly figures through the pure core (:mod:`monitor.sla.response`).

The modules ``headers``, ``classify``, ``threading``, ``privacy``, ``importer`` and
``figures`` are pure (no I/O, no clock); ``imap`` and ``scanner`` are the shell.
"""

from monitor.servicedesk.classify import (
    DEFAULT_AUTO_ACK_SUBJECT,
    DEFAULT_SUBJECT_RULES,
    DEFAULT_TICKET_PATTERN,
    Classification,
    DeskRules,
    SubjectRule,
    classify,
)
from monitor.servicedesk.figures import CategoryFigures, DeskFigures, desk_figures, figures_since
from monitor.servicedesk.headers import MessageHeaders, parse_headers
from monitor.servicedesk.imap import (
    ImapReader,
    MailboxError,
    MailboxLoginError,
    MailboxUnreachableError,
    TokenRejectedError,
)
from monitor.servicedesk.importer import RequestImportError, RowProblem, parse_requests_csv
from monitor.servicedesk.oauth import OAuth2TokenSource, TokenSources
from monitor.servicedesk.privacy import digest, sender_hash
from monitor.servicedesk.scanner import (
    FolderScan,
    ImapConnector,
    MailboxReader,
    MailboxScanner,
    ScanSummary,
    derive_requests,
    desk_rules,
    request_id,
)
from monitor.servicedesk.threading import Message, Threading, ThreadRequest, find_requests

__all__ = [
    "DEFAULT_AUTO_ACK_SUBJECT",
    "DEFAULT_SUBJECT_RULES",
    "DEFAULT_TICKET_PATTERN",
    "CategoryFigures",
    "Classification",
    "DeskFigures",
    "DeskRules",
    "FolderScan",
    "ImapConnector",
    "ImapReader",
    "MailboxError",
    "MailboxLoginError",
    "MailboxReader",
    "MailboxScanner",
    "MailboxUnreachableError",
    "Message",
    "MessageHeaders",
    "OAuth2TokenSource",
    "RequestImportError",
    "RowProblem",
    "ScanSummary",
    "SubjectRule",
    "ThreadRequest",
    "Threading",
    "TokenRejectedError",
    "TokenSources",
    "classify",
    "derive_requests",
    "desk_figures",
    "desk_rules",
    "digest",
    "figures_since",
    "find_requests",
    "parse_headers",
    "parse_requests_csv",
    "request_id",
    "sender_hash",
]
