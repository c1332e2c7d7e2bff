"""The store: probe results, outages, monitoring sessions, maintenance windows and
service-desk requests.

SQLite (WAL) is the embedded default, PostgreSQL the shared store; both run the same
schema, created and upgraded by the Alembic migrations in ``monitor/migrations`` whenever a
:class:`Store` is opened. The daemon writes through :class:`StoreWriter`, which never makes
the probe path wait for the database and never drops an outage.
"""

from monitor.sla.outages import OutageClosed, OutageOpened
from monitor.store.engine import DEFAULT_DATABASE_URL, create_engine, safe_url
from monitor.store.errors import StoreError, StoreUnavailable, StoreUrlError, map_store_errors
from monitor.store.migrate import migrate
from monitor.store.records import (
    FolderState,
    ImportedOutageRow,
    MailboxRequest,
    MailFact,
    MailLocator,
    MaintenanceChange,
    MaintenanceWindowRecord,
    MissAnalysisRecord,
    MonitoringSession,
    OutageImportConflict,
    OutageImportOutcome,
    OutageSource,
    ProbeResultRow,
    RequestLocator,
    RequestRecord,
    RequestSource,
    RequestSync,
    StoredOutage,
    WriteBatch,
    checked_closed,
    checked_correction,
    checked_opened,
    new_id,
    new_outage,
)
from monitor.store.schema import DEFAULT_LOCATION
from monitor.store.store import DEFAULT_PROBE_RETENTION, Store
from monitor.store.trouble import describe_store_failure
from monitor.store.writer import BatchSink, StoreWriter

__all__ = [
    "DEFAULT_DATABASE_URL",
    "DEFAULT_LOCATION",
    "DEFAULT_PROBE_RETENTION",
    "BatchSink",
    "FolderState",
    "ImportedOutageRow",
    "MailFact",
    "MailLocator",
    "MailboxRequest",
    "MaintenanceChange",
    "MaintenanceWindowRecord",
    "MissAnalysisRecord",
    "MonitoringSession",
    "OutageClosed",
    "OutageImportConflict",
    "OutageImportOutcome",
    "OutageOpened",
    "OutageSource",
    "ProbeResultRow",
    "RequestLocator",
    "RequestRecord",
    "RequestSource",
    "RequestSync",
    "Store",
    "StoreError",
    "StoreUnavailable",
    "StoreUrlError",
    "StoreWriter",
    "StoredOutage",
    "WriteBatch",
    "checked_closed",
    "checked_correction",
    "checked_opened",
    "create_engine",
    "describe_store_failure",
    "map_store_errors",
    "migrate",
    "new_id",
    "new_outage",
    "safe_url",
]
