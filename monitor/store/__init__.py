"""The store: probe results, outages, monitoring sessions, maintenance windows and
service-desk requests.

SQLite (WAL) is the embedded default, PostgreSQL the shared store; both run the same
schema, created and upgraded by the Alembic migrations in ``monitor/migrations`` whenever a
:class:`Store` is opened. The daemon writes through :class:`StoreWriter`, which never makes
the probe path wait for the database and never drops an outage.
"""

from monitor.store.engine import DEFAULT_DATABASE_URL, create_engine, safe_url
from monitor.store.migrate import migrate
from monitor.store.records import (
    FolderState,
    ImportedOutageRow,
    MailboxRequest,
    MailFact,
    MaintenanceChange,
    MaintenanceWindowRecord,
    MonitoringSession,
    OutageClosed,
    OutageImportConflict,
    OutageImportOutcome,
    OutageOpened,
    OutageSource,
    ProbeResultRow,
    RequestRecord,
    RequestSource,
    RequestSync,
    StoredOutage,
    WriteBatch,
    new_id,
)
from monitor.store.store import DEFAULT_PROBE_RETENTION, Store
from monitor.store.writer import BatchSink, StoreWriter

__all__ = [
    "DEFAULT_DATABASE_URL",
    "DEFAULT_PROBE_RETENTION",
    "BatchSink",
    "FolderState",
    "ImportedOutageRow",
    "MailFact",
    "MailboxRequest",
    "MaintenanceChange",
    "MaintenanceWindowRecord",
    "MonitoringSession",
    "OutageClosed",
    "OutageImportConflict",
    "OutageImportOutcome",
    "OutageOpened",
    "OutageSource",
    "ProbeResultRow",
    "RequestRecord",
    "RequestSource",
    "RequestSync",
    "Store",
    "StoreWriter",
    "StoredOutage",
    "WriteBatch",
    "create_engine",
    "migrate",
    "new_id",
    "safe_url",
]
