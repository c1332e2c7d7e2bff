"""The daemon's memory of outage events the store has not confirmed yet.

The writer may not have written the last second's events (or the database may be away).
:class:`LiveOverlay` sits between the runner and the writer and remembers outage events until
the store confirms them, so a figure computed right after an outage opened already contains
it, and a database outage never makes a live figure look better.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from monitor.figures.evidence import Evidence
from monitor.probing.runner import RecordSink
from monitor.sla.availability import Outage
from monitor.sla.coverage import SessionExtended, SessionStarted
from monitor.sla.outages import OutageClosed, OutageOpened
from probes.base import ProbeResult

__all__ = ["LiveOverlay"]


class LiveOverlay:
    """A :class:`RecordSink` decorator that remembers outage events until they are stored."""

    def __init__(self, inner: RecordSink) -> None:
        self._inner = inner
        self._opened: dict[str, OutageOpened] = {}
        self._closed: dict[str, OutageClosed] = {}

    def probe_result(self, target: str, result: ProbeResult) -> None:
        self._inner.probe_result(target, result)

    def outage_opened(self, event: OutageOpened) -> None:
        self._opened[event.id] = event
        self._inner.outage_opened(event)

    def outage_closed(self, event: OutageClosed) -> None:
        self._closed[event.outage_id] = event
        self._inner.outage_closed(event)

    def session_started(self, event: SessionStarted) -> None:
        self._inner.session_started(event)

    def session_extended(self, event: SessionExtended) -> None:
        self._inner.session_extended(event)

    def apply(self, evidence: Evidence) -> Evidence:
        """Evidence with the unconfirmed events laid over it; confirmed ones are forgotten.
        Only the targets with such events get new tuples: the others keep the ones read,
        so the figures can tell them unchanged by identity (:mod:`monitor.figures.settled`)."""
        if not self._opened and not self._closed:
            return evidence
        touched = {e.target for e in self._opened.values()}
        touched |= {e.target for e in self._closed.values()}
        merged = {target: {o.id: o for o in evidence.outages_of(target)} for target in touched}
        for event in list(self._opened.values()):
            stored = merged[event.target].get(event.id)
            if stored is not None:
                del self._opened[event.id]
                continue
            merged[event.target][event.id] = Outage(
                start=event.start, end=None, cause=event.cause, id=event.id
            )
        for closed in list(self._closed.values()):
            known = merged[closed.target].get(closed.outage_id)
            if known is None:
                continue
            if known.end is not None and closed.outage_id not in self._opened:
                del self._closed[closed.outage_id]
            else:
                merged[closed.target][closed.outage_id] = replace(known, end=closed.end)
        laid = {t: tuple(sorted(v.values(), key=_start)) for t, v in merged.items() if v}
        return replace(evidence, outages={**evidence.outages, **laid})


def _start(outage: Outage) -> datetime:
    return outage.start
