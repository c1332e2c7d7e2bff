"""Maintenance registered through the API, and how much downtime it may forgive (3.2.10).

The configuration file is the agreed schedule: its windows count, past ones too. A window
registered through the API is an agreement only if it was registered *before* it started;
registering downtime after the fact would otherwise turn any outage into "maintenance".

Even a window registered in time may not excuse an outage that was already running when it
was registered: a window registered 68 s before its start, 4 s after an outage began, would
otherwise forgive that outage. So an unapproved API window forgives only downtime of outages
that *began after* it was registered. An optional minimum notice (``maintenance.notice``)
demands that a window be registered that long before it starts. A window that misses either
rule counts only once it is *approved*: approval is the act of a named write token (someone
on the client's side), and the report lists who registered and who approved every window.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from monitor.sla.intervals import Interval, IntervalSet, as_utc

__all__ = [
    "ForwardMaintenance",
    "RegisteredCover",
    "RegisteredMaintenance",
    "Standing",
    "agreed_maintenance",
    "registered_cover",
]

Standing = Literal["approved", "agreed", "short_notice", "retroactive"]
"""How a registered window stands: ``approved`` forgives all downtime inside it; ``agreed``
(registered in time, with enough notice) forgives downtime of outages that began after it was
registered; ``short_notice`` and ``retroactive`` forgive nothing until approved."""


@dataclass(frozen=True, slots=True)
class RegisteredMaintenance:
    id: str
    name: str
    targets: frozenset[str]
    start: datetime
    end: datetime
    registered_at: datetime
    approved_by: str | None = None
    registered_by: str | None = None
    approved_at: datetime | None = None

    @property
    def interval(self) -> Interval:
        return Interval(self.start, self.end)

    @property
    def retroactive(self) -> bool:
        """Registered at or after its start: the downtime was already under way or over."""
        return as_utc(self.registered_at) >= as_utc(self.start)

    def standing(self, notice: timedelta | None = None) -> Standing:
        """The window's standing under the registration rules, with an optional notice."""
        if self.approved_by:
            return "approved"
        if self.retroactive:
            return "retroactive"
        if notice is not None and as_utc(self.start) - as_utc(self.registered_at) < notice:
            return "short_notice"
        return "agreed"

    def counts(self, notice: timedelta | None = None) -> bool:
        """Whether it forgives any downtime at all (``agreed`` only for later outages)."""
        return self.standing(notice) in ("approved", "agreed")

    @property
    def agreed(self) -> bool:
        return self.counts()

    def applies_to(self, target: str) -> bool:
        return target in self.targets


@dataclass(frozen=True, slots=True)
class ForwardMaintenance:
    """Window time that forgives only outages that began after ``registered_at``."""

    intervals: IntervalSet
    registered_at: datetime

    def forgives(self, outage_start: datetime) -> bool:
        """An outage already running when the window was registered is not forgiven."""
        return as_utc(outage_start) > as_utc(self.registered_at)


@dataclass(frozen=True, slots=True)
class RegisteredCover:
    """The registered maintenance of one target: what always counts, what counts forward."""

    approved: IntervalSet
    forward: tuple[ForwardMaintenance, ...]

    @property
    def in_force(self) -> IntervalSet:
        """Every window that counts for some downtime: what ``sla_in_maintenance`` shows."""
        return self.approved.union(*(f.intervals for f in self.forward))


def registered_cover(
    windows: Iterable[RegisteredMaintenance], target: str, notice: timedelta | None = None
) -> RegisteredCover:
    """Split the target's registered windows by how much downtime they may forgive."""
    approved: list[Interval] = []
    forward: list[ForwardMaintenance] = []
    for window in windows:
        if not window.applies_to(target):
            continue
        standing = window.standing(notice)
        if standing == "approved":
            approved.append(window.interval)
        elif standing == "agreed":
            forward.append(
                ForwardMaintenance(IntervalSet((window.interval,)), as_utc(window.registered_at))
            )
    return RegisteredCover(IntervalSet(approved), tuple(forward))


def agreed_maintenance(
    windows: Iterable[RegisteredMaintenance], target: str, notice: timedelta | None = None
) -> IntervalSet:
    """The registered maintenance of one target that counts for some downtime."""
    return registered_cover(windows, target, notice).in_force
