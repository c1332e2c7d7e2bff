"""Agreed maintenance windows: one-off and recurring, per target (requirement 3.2.10).

3.2.10 says "Niet-beschikbaarheid als gevolg van onderhoud binnen de vastgestelde
onderhoudsvensters valt hierbuiten": downtime inside an agreed maintenance window does not
count against the 99 %. This module turns the agreed schedule into UTC interval sets that the
availability computation subtracts, and into named occurrences that the report lists, so every
second of maintenance in a figure can be traced back to a window in the configuration.

Recurring windows are agreed in local wall-clock time ("every Sunday 01:00-03:00"), so they
are expanded *per local date* in the configured IANA zone and only then converted to UTC. The
window therefore keeps its wall-clock times across DST and its real length changes: on the
night the clocks go forward (Europe/Amsterdam, 2026-03-29) a 01:00-03:00 window lasts 1 h, on
the night they go back (2026-10-25) it lasts 3 h.

Local times that do not exist or exist twice are mapped by one rule: a bound is **the first
instant at which the local clock shows that time or a later one**. Consequences:

* a time in the spring-forward gap (02:30 on 2026-03-29 in Europe/Amsterdam) maps to the end
  of the gap, 03:00 CEST (01:00 UTC); a window lying wholly inside the gap (02:00-02:30) is
  empty that night and produces no occurrence;
* a time in the repeated hour of autumn (02:30 on 2026-10-25) maps to its first occurrence,
  02:30 CEST (00:30 UTC).

The rule is monotonic (a later wall-clock time never maps to an earlier instant), so a window
never ends before it starts and a longer agreed window is never shorter in reality.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from monitor.sla.calendar import WEEKDAY_NAMES
from monitor.sla.intervals import Interval, IntervalSet, as_utc

__all__ = [
    "MaintenanceOccurrence",
    "MaintenanceSchedule",
    "MaintenanceWindow",
    "OneOffWindow",
    "RecurringWindow",
]

_MINUTES_PER_DAY = 24 * 60
_DAY = timedelta(days=1)
_FULL_DAY_NAMES = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_RULE = re.compile(
    r"\s*(?P<days>\S(?:.*?\S)?)\s+(?P<opens>\d{1,2}:\d{2})\s*-\s*(?P<closes>\d{1,2}:\d{2})\s*"
)
_RULE_HELP = (
    'write DAYS HH:MM-HH:MM, e.g. "sun 01:00-03:00", "mon,wed 22:00-23:30", '
    '"mon-fri 22:00-06:00" or "daily 02:00-03:00"'
)
_DAYS_HELP = "use mon..sun, a range like mon-fri, a list like mon,wed, or daily"


@dataclass(frozen=True, slots=True)
class OneOffWindow:
    """A single agreed window between two instants, e.g. a release night."""

    start: datetime
    end: datetime

    def __post_init__(self) -> None:
        start, end = as_utc(self.start), as_utc(self.end)
        if end < start:
            raise ValueError(
                f"maintenance window ends ({end.isoformat()}) before it starts "
                f"({start.isoformat()})"
            )
        if end == start:
            raise ValueError(f"maintenance window starting {start.isoformat()} is empty")
        object.__setattr__(self, "start", start)
        object.__setattr__(self, "end", end)

    @property
    def interval(self) -> Interval:
        return Interval(self.start, self.end)

    def spans(self, start: datetime, end: datetime) -> tuple[Interval, ...]:
        """The window, unclipped, if it overlaps ``[start, end)``: what a report lists."""
        start, end = as_utc(start), as_utc(end)
        if self.start < end and start < self.end:
            return (self.interval,)
        return ()

    def occurrences(self, start: datetime, end: datetime) -> IntervalSet:
        """The window clipped to ``[start, end)``: what a figure may subtract."""
        return IntervalSet((self.interval,)).clip(as_utc(start), as_utc(end))

    def __str__(self) -> str:
        return f"{self.start.isoformat()}/{self.end.isoformat()}"


@dataclass(frozen=True, slots=True)
class RecurringWindow:
    """A window at fixed local wall-clock times on given weekdays.

    ``opens`` and ``closes`` are minutes after local midnight; ``closes`` may be 1440 (24:00).
    When ``closes <= opens`` the window crosses midnight and ends on the next local date
    ("mon-fri 22:00-06:00": Friday 22:00 to Saturday 06:00). ``weekdays`` are the days on
    which the window *starts*. ``valid_from`` / ``valid_until`` (inclusive local dates, both
    optional) bound the dates on which it starts, so a schedule agreed later does not
    reclassify downtime from before the agreement.
    """

    weekdays: frozenset[int]
    opens: int
    closes: int
    zone: ZoneInfo = field(default_factory=lambda: ZoneInfo("Europe/Amsterdam"))
    valid_from: date | None = None
    valid_until: date | None = None

    def __post_init__(self) -> None:
        if not self.weekdays:
            raise ValueError("a recurring maintenance window needs at least one weekday")
        if not self.weekdays <= set(range(7)):
            raise ValueError("weekday numbers must lie in 0..6 (Monday..Sunday)")
        if not 0 <= self.opens < _MINUTES_PER_DAY:
            raise ValueError("a maintenance window must start between 00:00 and 23:59")
        if not 0 <= self.closes <= _MINUTES_PER_DAY:
            raise ValueError("a maintenance window must end between 00:00 and 24:00")
        if self.opens == self.closes % _MINUTES_PER_DAY and self.closes != _MINUTES_PER_DAY:
            raise ValueError(
                f"maintenance window {_clock(self.opens)}-{_clock(self.closes)} has no length; "
                "for a whole day write 00:00-24:00"
            )
        if (
            self.valid_from is not None
            and self.valid_until is not None
            and self.valid_until < self.valid_from
        ):
            raise ValueError(
                f"valid_until ({self.valid_until}) lies before valid_from ({self.valid_from})"
            )

    @classmethod
    def parse(
        cls,
        text: str,
        zone: ZoneInfo,
        *,
        valid_from: date | None = None,
        valid_until: date | None = None,
    ) -> RecurringWindow:
        """Read the config's ``every:`` text, so one spelling is used everywhere."""
        match = _RULE.fullmatch(text)
        if match is None:
            raise ValueError(f"{text!r} is not a recurring window; {_RULE_HELP}")
        weekdays = _parse_days(match.group("days"))
        opens = _parse_clock(match.group("opens"), allow_midnight_end=False)
        closes = _parse_clock(match.group("closes"), allow_midnight_end=True)
        return cls(weekdays, opens, closes, zone, valid_from, valid_until)

    @property
    def crosses_midnight(self) -> bool:
        return self.closes < self.opens

    def _starts_on(self, day: date) -> bool:
        if day.weekday() not in self.weekdays:
            return False
        if self.valid_from is not None and day < self.valid_from:
            return False
        return self.valid_until is None or day <= self.valid_until

    def occurrence_on(self, day: date) -> Interval | None:
        """The window that starts on local date ``day``, or ``None``.

        ``None`` also when DST swallows the window whole (a window inside the spring-forward
        gap), because no wall-clock time of the agreed window happened that night.
        """
        if not self._starts_on(day):
            return None
        end_day = day + _DAY if self.crosses_midnight else day
        start = _first_instant_at(day, self.opens, self.zone)
        end = _first_instant_at(end_day, self.closes, self.zone)
        if end <= start:
            return None
        return Interval(start, end)

    def spans(self, start: datetime, end: datetime) -> tuple[Interval, ...]:
        """Every occurrence overlapping ``[start, end)``, unclipped, in order."""
        start, end = as_utc(start), as_utc(end)
        if end <= start:
            return ()
        found: list[Interval] = []
        # An occurrence lasts at most one day plus a DST hour, so one that overlaps ``start``
        # began on the local date of ``start`` or the day before.
        day = start.astimezone(self.zone).date() - _DAY
        last = end.astimezone(self.zone).date()
        while day <= last:
            span = self.occurrence_on(day)
            if span is not None and span.start < end and start < span.end:
                found.append(span)
            day += _DAY
        return tuple(found)

    def occurrences(self, start: datetime, end: datetime) -> IntervalSet:
        """Occurrences clipped to ``[start, end)``; touching ones merge (daily 00:00-24:00)."""
        start, end = as_utc(start), as_utc(end)
        return IntervalSet(self.spans(start, end)).clip(start, end)

    def __str__(self) -> str:
        text = f"{_format_days(self.weekdays)} {_clock(self.opens)}-{_clock(self.closes)}"
        if self.valid_from is not None:
            text += f" from {self.valid_from.isoformat()}"
        if self.valid_until is not None:
            text += f" until {self.valid_until.isoformat()}"
        return text


Timing = OneOffWindow | RecurringWindow


@dataclass(frozen=True, slots=True)
class MaintenanceWindow:
    """A named, agreed window and the targets it covers; ``reason`` is shown in the report."""

    name: str
    targets: frozenset[str]
    timing: Timing
    reason: str | None = None

    def __post_init__(self) -> None:
        if not self.name.strip():
            raise ValueError("a maintenance window needs a name")
        if not self.targets:
            raise ValueError(f"maintenance window {self.name!r} covers no target")


@dataclass(frozen=True, slots=True)
class MaintenanceOccurrence:
    """One concrete occurrence of a named window: a line in the report's maintenance list.

    ``start`` and ``end`` are the occurrence as agreed, not clipped to the period asked for,
    so a window from 31 January 22:00 to 1 February 06:00 reads the same in both months.
    """

    start: datetime
    end: datetime
    name: str
    targets: tuple[str, ...]
    schedule: str
    reason: str | None = None

    @property
    def interval(self) -> Interval:
        return Interval(self.start, self.end)


@dataclass(frozen=True, slots=True)
class MaintenanceSchedule:
    """The agreed maintenance of all targets, as configured."""

    windows: tuple[MaintenanceWindow, ...] = ()

    def __post_init__(self) -> None:
        seen: set[str] = set()
        for window in self.windows:
            if window.name in seen:
                raise ValueError(f"maintenance window name {window.name!r} is used twice")
            seen.add(window.name)

    @property
    def targets(self) -> frozenset[str]:
        return frozenset(t for w in self.windows for t in w.targets)

    def for_target(self, target: str, start: datetime, end: datetime) -> IntervalSet:
        """Maintenance of ``target`` inside ``[start, end)`` (clipped, overlaps merged).

        Overlapping windows count once: the union is taken, never the sum.
        """
        return IntervalSet(
            span
            for window in self.windows
            if target in window.targets
            for span in window.timing.occurrences(start, end)
        )

    def occurrences(
        self, start: datetime, end: datetime, target: str | None = None
    ) -> tuple[MaintenanceOccurrence, ...]:
        """Named occurrences overlapping ``[start, end)``, unclipped, ordered by start and name.

        With ``target`` only the windows covering that target are listed.
        """
        return tuple(
            sorted(
                (
                    _named(window, span)
                    for window in self.windows
                    if target is None or target in window.targets
                    for span in window.timing.spans(start, end)
                ),
                key=lambda o: (o.start, o.name, o.end),
            )
        )

    def active(self, target: str, instant: datetime) -> tuple[MaintenanceOccurrence, ...]:
        """Occurrences covering ``target`` at ``instant`` (for ``sla_in_maintenance``).

        ``instant`` is passed in, never read from the clock, so the answer is reproducible.
        """
        instant = as_utc(instant)
        tick = instant + timedelta(microseconds=1)
        return self.occurrences(instant, tick, target)


def _named(window: MaintenanceWindow, span: Interval) -> MaintenanceOccurrence:
    return MaintenanceOccurrence(
        start=span.start,
        end=span.end,
        name=window.name,
        targets=tuple(sorted(window.targets)),
        schedule="one-off" if isinstance(window.timing, OneOffWindow) else str(window.timing),
        reason=window.reason,
    )


def _first_instant_at(day: date, minute: int, zone: ZoneInfo) -> datetime:
    """The first UTC instant at which the local clock in ``zone`` shows ``day`` ``minute``
    or later: the module's one rule for local times that DST skips or repeats."""
    if minute >= _MINUTES_PER_DAY:
        day, minute = day + _DAY, minute - _MINUTES_PER_DAY
    wall = datetime.combine(day, time(minute // 60, minute % 60))
    # fold=0 picks the first of two repeated wall-clock times, which is what the rule wants.
    candidate = wall.replace(tzinfo=zone, fold=0).astimezone(UTC)
    if _wall_clock(candidate, zone) == wall:
        return candidate
    # ``wall`` lies in a gap. fold=0 read it with the offset from before the jump, which lands
    # after the jump; fold=1 read it with the offset from after, which lands before. The jump
    # itself lies between, and it is the first instant whose wall clock is at or past ``wall``.
    # Transitions fall on whole seconds, so a binary search over seconds finds it exactly.
    before = wall.replace(tzinfo=zone, fold=1).astimezone(UTC)
    low, high = 0, int((candidate - before).total_seconds())
    while high - low > 1:
        middle = (low + high) // 2
        if _wall_clock(before + timedelta(seconds=middle), zone) >= wall:
            high = middle
        else:
            low = middle
    return before + timedelta(seconds=high)


def _wall_clock(instant: datetime, zone: ZoneInfo) -> datetime:
    return instant.astimezone(zone).replace(tzinfo=None, fold=0)


def _clock(minute: int) -> str:
    return f"{minute // 60:02d}:{minute % 60:02d}"


def _format_days(weekdays: frozenset[int]) -> str:
    """The shortest spelling the parser reads back: ``daily``, ``mon-fri``, ``mon,wed``."""
    if weekdays == frozenset(range(7)):
        return "daily"
    runs: list[list[int]] = []
    for day in sorted(weekdays):
        if runs and runs[-1][-1] == day - 1:
            runs[-1].append(day)
        else:
            runs.append([day])
    parts = []
    for run in runs:
        if len(run) >= 3:
            parts.append(f"{WEEKDAY_NAMES[run[0]]}-{WEEKDAY_NAMES[run[-1]]}")
        else:
            parts.extend(WEEKDAY_NAMES[day] for day in run)
    return ",".join(parts)


def _parse_clock(text: str, *, allow_midnight_end: bool) -> int:
    hours_text, minutes_text = text.split(":")
    hours, minutes = int(hours_text), int(minutes_text)
    if hours == 24 and minutes == 0:
        if allow_midnight_end:
            return _MINUTES_PER_DAY
        raise ValueError("a maintenance window cannot start at 24:00; write 00:00")
    if hours > 23 or minutes > 59:
        raise ValueError(f"{text!r} is not a clock time (00:00..23:59, or 24:00 as an end)")
    return hours * 60 + minutes


def _parse_day(text: str) -> int:
    key = text.lower()
    if key in WEEKDAY_NAMES:
        return WEEKDAY_NAMES.index(key)
    if key in _FULL_DAY_NAMES:
        return _FULL_DAY_NAMES.index(key)
    raise ValueError(f"unknown weekday {text!r}; {_DAYS_HELP}")


def _parse_days(text: str) -> frozenset[int]:
    compact = re.sub(r"\s+", "", text)
    if compact.lower() == "daily":
        return frozenset(range(7))
    days: set[int] = set()
    for item in compact.split(","):
        if not item:
            raise ValueError(f"empty weekday in {text!r}; {_DAYS_HELP}")
        first, dash, last = item.partition("-")
        if not dash:
            days.add(_parse_day(item))
            continue
        begin, finish = _parse_day(first), _parse_day(last)
        # A range may wrap over the weekend: fri-mon is fri, sat, sun, mon.
        days.update((begin + offset) % 7 for offset in range((finish - begin) % 7 + 1))
    return frozenset(days)
