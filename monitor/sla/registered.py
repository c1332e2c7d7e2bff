"""Maintenance registered through the API, and when it counts as agreed (DESIGN §2).

The configuration file is the agreed schedule: its windows count, past ones too. A window
registered through the API is an agreement only if it was registered *before* it started;
registering downtime after the fact would otherwise turn any outage into "maintenance". A
late registration counts only with an ``approved_by`` (someone on the client's side accepted
the reclassification), and the report lists it as a retroactive reclassification so the
client sees exactly which downtime was excused and by whom.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from monitor.sla.intervals import Interval, IntervalSet, as_utc

__all__ = ["RegisteredMaintenance", "agreed_maintenance"]


@dataclass(frozen=True, slots=True)
class RegisteredMaintenance:
    id: str
    name: str
    targets: frozenset[str]
    start: datetime
    end: datetime
    registered_at: datetime
    approved_by: str | None = None

    @property
    def interval(self) -> Interval:
        return Interval(self.start, self.end)

    @property
    def retroactive(self) -> bool:
        """Registered at or after its start: the downtime was already under way or over."""
        return as_utc(self.registered_at) >= as_utc(self.start)

    @property
    def agreed(self) -> bool:
        return not self.retroactive or bool(self.approved_by)

    def applies_to(self, target: str) -> bool:
        return target in self.targets


def agreed_maintenance(windows: Iterable[RegisteredMaintenance], target: str) -> IntervalSet:
    """The agreed registered maintenance of one target as an interval set."""
    return IntervalSet(w.interval for w in windows if w.agreed and w.applies_to(target))
