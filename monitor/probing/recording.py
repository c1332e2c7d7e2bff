"""Hands the runner's results and core events to the store writer.

Outage events go as they are (the store takes the core's events); probe results and
sessions become the store's rows here, so the runner never knows the store.
"""

from __future__ import annotations

from monitor.sla.coverage import SessionExtended, SessionStarted
from monitor.sla.outages import OutageClosed, OutageOpened
from monitor.store import records
from monitor.store.writer import StoreWriter
from probes.base import ProbeResult

__all__ = ["WriterSink"]


class WriterSink:
    """A :class:`~monitor.probing.runner.RecordSink` that queues all on a :class:`StoreWriter`."""

    def __init__(self, writer: StoreWriter) -> None:
        self._writer = writer

    def probe_result(self, target: str, result: ProbeResult) -> None:
        self._writer.record_probe_result(
            records.ProbeResultRow(
                target=target,
                started_at=result.started_at,
                duration_seconds=result.duration.total_seconds(),
                ok=result.ok,
                error_class=result.error_class,
                error_message=result.error_message,
            )
        )

    def outage_opened(self, event: OutageOpened) -> None:
        self._writer.open_outage(event)

    def outage_closed(self, event: OutageClosed) -> None:
        self._writer.close_outage(event)

    def session_started(self, event: SessionStarted) -> None:
        self._writer.start_session(
            records.MonitoringSession(
                id=event.session_id,
                target=event.target,
                started_at=event.at,
                last_seen_at=event.at,
            )
        )

    def session_extended(self, event: SessionExtended) -> None:
        self._writer.extend_session(event.session_id, event.last_seen_at)
