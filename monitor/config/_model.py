"""The whole configuration file, its cross-references, and the pure objects built from it."""

from __future__ import annotations

import functools
import hashlib
import json
from collections import defaultdict
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from pydantic import Field, model_validator

from monitor.config._problems import Loc, duplicate_name, raise_problems
from monitor.config._sections import (
    CalendarConfig,
    EvidenceConfig,
    LocationConfig,
    MaintenanceConfig,
    PoliciesConfig,
    ProbingConfig,
    ReportConfig,
    RetentionConfig,
    ServiceDeskConfig,
    SlaConfig,
    TargetConfig,
)
from monitor.config._types import ALWAYS, DEFAULT_CALENDAR, Section, Slug, TimeZoneName
from monitor.sla.availability import AvailabilityPolicies
from monitor.sla.calendar import BusinessCalendar
from monitor.sla.maintenance import MaintenanceSchedule, MaintenanceWindow
from monitor.sla.resolution import ResolutionJudge
from monitor.sla.response import RequestJudge
from monitor.sla.vantage import default_quorum
from probes.config import Duration

__all__ = ["Config"]


@functools.lru_cache(maxsize=128)
def _build_calendar(section: CalendarConfig, name: str, timezone: str) -> BusinessCalendar:
    return section.build(name, ZoneInfo(timezone))


class Config(Section):
    """A validated configuration: everything in it refers to something that exists.

    ``Config()`` alone is the built-in default: Europe/Amsterdam, the ``business-hours``
    calendar (Mon-Fri 08:00-18:00, Dutch holidays), the contract's four request categories,
    no targets.
    """

    timezone: TimeZoneName = "Europe/Amsterdam"
    calendars: dict[Slug, CalendarConfig] = Field(default_factory=dict)
    maintenance: tuple[MaintenanceConfig, ...] = ()
    maintenance_notice: Duration | None = None
    """``maintenance: {notice: 48h, windows: [...]}``: the least time an API window must be
    registered before it starts to count without approval (3.2.10)."""
    targets: tuple[TargetConfig, ...] = ()
    servicedesk: ServiceDeskConfig = ServiceDeskConfig()
    policies: PoliciesConfig = PoliciesConfig()
    retention: RetentionConfig = RetentionConfig()
    probing: ProbingConfig = ProbingConfig()
    evidence: EvidenceConfig = EvidenceConfig()
    report: ReportConfig = ReportConfig()
    locations: tuple[LocationConfig, ...] = ()
    """The probe locations (docs/rules.md#quorum); none: one location, the process's own."""

    @model_validator(mode="before")
    @classmethod
    def _maintenance_section(cls, data: Any) -> Any:
        """``maintenance`` is a list of windows, or ``{notice: ..., windows: [...]}``."""
        if not isinstance(data, dict) or not isinstance(data.get("maintenance"), dict):
            return data
        section = dict(data["maintenance"])
        raise_problems(
            "Config",
            [
                (("maintenance", key), "unknown field (known: notice, windows)")
                for key in sorted(set(section) - {"notice", "windows"}, key=str)
            ],
        )
        result = {k: v for k, v in data.items() if k != "maintenance"}
        result["maintenance"] = section.get("windows") or ()
        if section.get("notice") is not None:
            result["maintenance_notice"] = section["notice"]
        return result

    @model_validator(mode="after")
    def _references_resolve(self) -> Config:
        """A name that points nowhere would make a figure silently use a default (or none),
        so every reference is checked here and all problems are reported at once."""
        problems: list[tuple[Loc, str]] = []
        if ALWAYS in self.calendars:
            problems.append(
                (("calendars", ALWAYS), f"the name {ALWAYS} is reserved for the 24/7 window")
            )
        problems += self._target_problems()
        problems += self._location_problems()
        problems += self._maintenance_problems()
        if self.servicedesk.calendar not in self.calendar_names:
            problems.append(
                (("servicedesk", "calendar"), self._unknown_calendar(self.servicedesk.calendar))
            )
        raise_problems("Config", problems)
        return self

    def _unknown_calendar(self, name: str, *, window: bool = False) -> str:
        known = ", ".join((ALWAYS, *self.calendar_names) if window else self.calendar_names)
        return f"unknown calendar {name!r}; known: {known}"

    def _target_problems(self) -> list[tuple[Loc, str]]:
        problems: list[tuple[Loc, str]] = []
        windows = {ALWAYS, *self.calendar_names}
        names = [target.name for target in self.targets]
        for index, target in enumerate(self.targets):
            problems += duplicate_name("targets", "target", names, index)
            if target.schedule not in windows:
                problems.append(
                    (
                        ("targets", index, "schedule"),
                        self._unknown_calendar(target.schedule, window=True),
                    )
                )
            for position, sla in enumerate(target.slas):
                if sla.window not in windows:
                    problems.append(
                        (
                            ("targets", index, "slas", position, "window"),
                            self._unknown_calendar(sla.window, window=True),
                        )
                    )
        return problems

    def _location_problems(self) -> list[tuple[Loc, str]]:
        """Every location a target names exists, and its quorum can be reached."""
        names = [location.name for location in self.locations]
        problems: list[tuple[Loc, str]] = []
        for index in range(len(names)):
            problems += duplicate_name("locations", "location", names, index)
        known = ", ".join(names) or "none configured"
        for index, target in enumerate(self.targets):
            for position, name in enumerate(target.locations or ()):
                if name not in names:
                    problems.append(
                        (
                            ("targets", index, "locations", position),
                            f"unknown location {name!r}; known: {known}",
                        )
                    )
            if target.locations is not None and not target.locations:
                problems.append((("targets", index, "locations"), "a target needs a location"))
            count = len(target.locations) if target.locations else max(1, len(names))
            if target.quorum is not None and target.quorum > count:
                problems.append(
                    (
                        ("targets", index, "quorum"),
                        f"quorum {target.quorum} is more than the target's {count} location(s)",
                    )
                )
        return problems

    def _maintenance_problems(self) -> list[tuple[Loc, str]]:
        problems: list[tuple[Loc, str]] = []
        targets = {t.name for t in self.targets}
        names = [entry.name for entry in self.maintenance]
        for index, entry in enumerate(self.maintenance):
            problems += duplicate_name("maintenance", "maintenance", names, index)
            for position, target in enumerate(entry.targets):
                if target not in targets:
                    known = ", ".join(sorted(targets)) or "none configured"
                    problems.append(
                        (
                            ("maintenance", index, "targets", position),
                            f"unknown target {target!r}; known: {known}",
                        )
                    )
        return problems + self._overlap_problems()

    def _overlap_problems(self) -> list[tuple[Loc, str]]:
        """Two one-off windows of one target that overlap are almost always a copy-paste
        slip (a release window entered twice with different times); the union would hide it."""
        spans: dict[str, list[tuple[datetime, datetime, int]]] = defaultdict(list)
        for index, entry in enumerate(self.maintenance):
            if entry.start is not None and entry.end is not None and entry.start < entry.end:
                for target in entry.targets:
                    spans[target].append((entry.start, entry.end, index))
        clashes: dict[tuple[int, int], list[str]] = defaultdict(list)
        for target, windows in spans.items():
            windows.sort()
            for position, (start, _end, index) in enumerate(windows):
                for _other_start, other_end, other in windows[:position]:
                    if start < other_end:
                        clashes[(min(index, other), max(index, other))].append(target)
        problems: list[tuple[Loc, str]] = []
        for (earlier, later), names in sorted(clashes.items()):
            problems.append(
                (
                    ("maintenance", later, "start"),
                    f"overlaps maintenance[{earlier}] ({self.maintenance[earlier].name}) for "
                    f"{', '.join(sorted(names))}",
                )
            )
        return problems

    # -- pure objects -------------------------------------------------------------------

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def calendar_names(self) -> tuple[str, ...]:
        """Configured calendars plus the built-in ``business-hours``, sorted."""
        return tuple(sorted({DEFAULT_CALENDAR, *self.calendars} - {ALWAYS}))

    def calendar(self, name: str) -> BusinessCalendar:
        """The business calendar ``name``.

        Equal definitions share one instance (and so one cache of resolved holiday lists)
        across calls and reloads; the cache lives outside the model so that two loads of the
        same file still compare equal.
        """
        if name == ALWAYS:
            raise ValueError(f"{ALWAYS} is the round-the-clock window, not a business calendar")
        section = self.calendars.get(name)
        if section is None:
            if name != DEFAULT_CALENDAR:
                raise ValueError(self._unknown_calendar(name))
            section = CalendarConfig()
        return _build_calendar(section, name, self.timezone)

    def request_judge(self) -> RequestJudge:
        """The desk's rule for judging requests: its calendar, norms and working-day reading."""
        desk = self.servicedesk
        return RequestJudge(
            self.calendar(desk.calendar), desk.categories, desk.business_day, desk.units()
        )

    def resolution_judge(self) -> ResolutionJudge:
        """The desk's rule for resolution terms (3.2.40), with the same calendar and reading
        of a working day as :meth:`request_judge`."""
        desk = self.servicedesk
        return ResolutionJudge(
            self.calendar(desk.calendar), desk.resolution_norms(), desk.business_day
        )

    def window_calendar(self, window: str) -> BusinessCalendar | None:
        """The calendar of an SLA window or schedule; ``None`` for 24x7, as
        :func:`monitor.sla.availability.sla_window` expects."""
        return None if window == ALWAYS else self.calendar(window)

    def target(self, name: str) -> TargetConfig:
        for target in self.targets:
            if target.name == name:
                return target
        raise ValueError(f"unknown target {name!r}")

    def maintenance_schedule(self) -> MaintenanceSchedule:
        """The agreed maintenance of the file (3.2.10), recurring windows in ``timezone``."""
        return MaintenanceSchedule(
            tuple(
                MaintenanceWindow(
                    name=entry.name,
                    targets=frozenset(entry.targets),
                    timing=entry.timing(self.zone),
                    reason=entry.reason,
                )
                for entry in self.maintenance
            )
        )

    def availability_policies(self) -> AvailabilityPolicies:
        return self.policies.availability_policies()

    def min_coverage(self, sla: SlaConfig) -> float:
        """The evidence threshold of one SLA: its own, else the global one."""
        return (sla.evidence or self.evidence).min_coverage

    # -- locations ------------------------------------------------------------------------

    def location_names(self, own: str) -> tuple[str, ...]:
        """The configured locations; without a ``locations`` section, ``own`` alone."""
        return tuple(location.name for location in self.locations) or (own,)

    def location(self, name: str) -> LocationConfig | None:
        for location in self.locations:
            if location.name == name:
                return location
        return None

    def target_locations(self, target: TargetConfig, own: str) -> tuple[str, ...]:
        """The locations that watch ``target``: its own list, else every location."""
        return target.locations or self.location_names(own)

    def quorum(self, target: TargetConfig, own: str) -> int:
        """The target's quorum: its own, else a majority of its locations."""
        if target.quorum is not None:
            return target.quorum
        return default_quorum(len(self.target_locations(target, own)))

    def targets_at(self, own: str) -> tuple[TargetConfig, ...]:
        """The targets the process at location ``own`` probes."""
        return tuple(t for t in self.targets if own in self.target_locations(t, own))

    def rules_digest(self) -> dict[str, str]:
        """A digest per part of the rules every location must share: which targets, their
        SLAs, schedules, thresholds, locations and quorum; maintenance; calendars; policies;
        the evidence threshold; the service desk's categories and calendar; the time zone.
        How a location reaches a target (URL, address, resolver, probe settings) is left out:
        it may differ per location."""
        targets = {
            t.name: {
                "slas": [sla.model_dump(mode="json") for sla in t.slas],
                "schedule": t.schedule,
                "interval": t.interval.total_seconds(),
                "failures_before_down": t.failures_before_down,
                "locations": list(self.target_locations(t, "local")),
                "quorum": self.quorum(t, "local"),
            }
            for t in self.targets
        }
        parts: dict[str, object] = {
            "timezone": self.timezone,
            "calendars": {n: c.model_dump(mode="json") for n, c in self.calendars.items()},
            "maintenance": {
                "windows": [m.model_dump(mode="json") for m in self.maintenance],
                "notice": None
                if self.maintenance_notice is None
                else self.maintenance_notice.total_seconds(),
            },
            "policies": self.policies.model_dump(mode="json"),
            "evidence": self.evidence.model_dump(mode="json"),
            "servicedesk": {
                "calendar": self.servicedesk.calendar,
                "business_day": self.servicedesk.business_day.value,
                "categories": {
                    name: category.model_dump(mode="json")
                    for name, category in sorted(self.servicedesk.categories.items())
                },
            },
            "locations": sorted(location.name for location in self.locations),
            **{f"target {name}": rules for name, rules in sorted(targets.items())},
        }
        return {
            part: hashlib.sha256(
                json.dumps(value, sort_keys=True, default=str).encode()
            ).hexdigest()
            for part, value in parts.items()
        }
