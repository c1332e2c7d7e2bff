"""Adapts the runner's core events to the store writer's commands.

The core speaks in its own small events (it must not import the store); the writer speaks in
store records. This module is the one place that translates, so neither side knows the other.
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
        self._writer.open_outage(
            records.OutageOpened(
                id=event.outage_id, target=event.target, start=event.start, cause=event.cause
            )
        )

    def outage_closed(self, event: OutageClosed) -> None:
        self._writer.close_outage(event.outage_id, event.end)

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
