"""Business calendars: when the service desk must be reachable and the clock of a request runs.

Requirements 3.2.7, 3.2.8 and 3.2.10 speak of "werkdagen tussen 8.00 uur en 18.00 uur", and
3.2.9, 3.2.13 and 3.2.14 of "binnen één werkdag". Both need the same object: which local days
are working days (weekdays minus public holidays, with contract-specific additions and
removals) and which hours of those days are open.

Holidays come from the ``holidays`` package, because contracts differ on Good Friday and on
5 May (Liberation Day is a public holiday in the package only every fifth year): the
``include`` and ``exclude`` lists settle such differences by date or by holiday name, and
:meth:`BusinessCalendar.closed_days` prints the resolved list so the report shows which reading
was applied.

All arithmetic is done on local *dates* and converted to UTC instants per day, so an opening
time is always the same wall-clock time, whatever the UTC offset of that day is, and a
duration is the real elapsed time between two instants.
"""

from __future__ import annotations

import contextlib
import re
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import cached_property
from zoneinfo import ZoneInfo

import holidays as holidays_lib

from monitor.sla.intervals import Interval, IntervalSet, as_utc

__all__ = [
    "WEEKDAY_NAMES",
    "BusinessCalendar",
    "ClosedDay",
    "HolidayRules",
    "OpeningHours",
    "parse_weekday",
]

WEEKDAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_MINUTES_PER_DAY = 24 * 60
_DAY = timedelta(days=1)
# A calendar search that finds no business day within this many days is misconfigured
# (for example every weekday excluded); we stop instead of looping forever.
_MAX_SEARCH_DAYS = 3 * 366
_ANNUAL_DATE = re.compile(r"^(\d{2})-(\d{2})$")


def parse_weekday(text: str) -> int:
    """``mon`` .. ``sun`` (any case, also full English names) to 0 .. 6."""
    key = text.strip().lower()[:3]
    if key not in WEEKDAY_NAMES:
        raise ValueError(f"unknown weekday {text!r}; use one of {', '.join(WEEKDAY_NAMES)}")
    return WEEKDAY_NAMES.index(key)


@dataclass(frozen=True, slots=True)
class OpeningHours:
    """Daily opening hours as minutes after local midnight; ``closes`` may be 1440 (24:00)."""

    opens: int = 8 * 60
    closes: int = 18 * 60

    def __post_init__(self) -> None:
        if not 0 <= self.opens < self.closes <= _MINUTES_PER_DAY:
            raise ValueError(
                f"opening hours must satisfy 00:00 <= opening < closing <= 24:00, got "
                f"{_format_minute(self.opens)}-{_format_minute(self.closes)}"
            )

    @classmethod
    def parse(cls, text: str) -> OpeningHours:
        """Parse ``"08:00-18:00"``; ``24:00`` is accepted as the end of the day."""
        match = re.fullmatch(r"\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*", text)
        if match is None:
            raise ValueError(f"opening hours {text!r} are not of the form HH:MM-HH:MM")
        oh, om, ch, cm = (int(g) for g in match.groups())
        if om > 59 or cm > 59 or oh > 23 or ch > 24 or (ch == 24 and cm != 0):
            raise ValueError(f"opening hours {text!r} contain an impossible clock time")
        return cls(oh * 60 + om, ch * 60 + cm)

    @property
    def nominal_length(self) -> timedelta:
        """Wall-clock length of an opening day: "one working day" (docs/rules.md#response-times)."""
        return timedelta(minutes=self.closes - self.opens)

    def __str__(self) -> str:
        return f"{_format_minute(self.opens)}-{_format_minute(self.closes)}"


def _format_minute(minute: int) -> str:
    return f"{minute // 60:02d}:{minute % 60:02d}"


@dataclass(frozen=True, slots=True)
class HolidayRules:
    """Which days are closed besides the non-working weekdays.

    ``include`` adds closed days, ``exclude`` removes them. Each entry is a date
    (``2026-12-24``), an annual date (``12-31``) or a holiday name as the ``holidays`` package
    spells it, in English or in the country's own language (``Good Friday``, ``Goede Vrijdag``,
    ``Liberation Day``). A name in ``include`` may come from the country's optional holidays,
    which is how "5 May every year" is written.
    """

    country: str | None = "NL"
    subdivision: str | None = None
    include: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class ClosedDay:
    """A date on which a working day is closed, and why; printed in the report."""

    day: date
    name: str


@dataclass(frozen=True, slots=True)
class _DayRule:
    """A parsed include/exclude entry: exactly one of the three forms is set."""

    on_date: date | None = None
    annual: tuple[int, int] | None = None
    name: str | None = None

    @classmethod
    def parse(cls, text: str) -> _DayRule:
        stripped = text.strip()
        if not stripped:
            raise ValueError("an empty holiday entry")
        with contextlib.suppress(ValueError):  # not a date: maybe an annual date or a name
            return cls(on_date=date.fromisoformat(stripped))
        annual = _ANNUAL_DATE.match(stripped)
        if annual is not None:
            month, day = int(annual.group(1)), int(annual.group(2))
            date(2000, month, day)  # a leap year, so 02-29 is accepted; raises on 13-01
            return cls(annual=(month, day))
        return cls(name=stripped.casefold())

    def matches(self, day: date, names: frozenset[str]) -> bool:
        if self.on_date is not None:
            return day == self.on_date
        if self.annual is not None:
            return (day.month, day.day) == self.annual
        return self.name in names


@dataclass(frozen=True)
class BusinessCalendar:
    """Working days and opening hours in one IANA zone (requirements 3.2.7, 3.2.8, 3.2.10).

    The default is the contract's window: Monday to Friday 08:00-18:00 in Europe/Amsterdam,
    closed on Dutch public holidays.
    """

    zone: ZoneInfo = field(default_factory=lambda: ZoneInfo("Europe/Amsterdam"))
    weekdays: frozenset[int] = frozenset(range(5))
    hours: OpeningHours = OpeningHours()
    holidays: HolidayRules = HolidayRules()
    name: str = "business-hours"
    _closed_cache: dict[int, dict[date, str]] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )

    def __post_init__(self) -> None:
        if not self.weekdays:
            raise ValueError(f"calendar {self.name!r} has no working weekdays")
        if not self.weekdays <= set(range(7)):
            raise ValueError(f"calendar {self.name!r} has weekday numbers outside 0..6")
        # Parse the rules once, so a typo fails when the configuration is loaded, not later.
        _ = self._include_rules, self._exclude_rules
        if self.holidays.country is not None:
            self._holidays_for(2000)  # unknown countries and subdivisions raise here

    @cached_property
    def _include_rules(self) -> tuple[_DayRule, ...]:
        return tuple(_DayRule.parse(entry) for entry in self.holidays.include)

    @cached_property
    def _exclude_rules(self) -> tuple[_DayRule, ...]:
        return tuple(_DayRule.parse(entry) for entry in self.holidays.exclude)

    # -- holidays -------------------------------------------------------------------------

    def _holidays_for(
        self, year: int
    ) -> tuple[dict[date, str], dict[date, frozenset[str]], dict[date, str]]:
        """Public holidays, every (case-folded) name known for a date, and a display name.

        The second map spans all categories and both the country's language and English, so
        an ``include``/``exclude`` entry can name a holiday either way.
        """
        rules = self.holidays
        if rules.country is None:
            return {}, {}, {}
        country = holidays_lib.country_holidays(rules.country, subdiv=rules.subdivision)
        languages = {getattr(country, "default_language", None), "en_US"}
        supported = set(getattr(country, "supported_languages", ()) or ())
        # English names in the report, so a reader abroad and the tests see one spelling.
        display_language = "en_US" if "en_US" in supported else None
        public = dict(
            holidays_lib.country_holidays(
                rules.country, subdiv=rules.subdivision, years=year, language=display_language
            )
        )
        names: dict[date, set[str]] = {}
        display: dict[date, str] = {}
        categories = tuple(getattr(country, "supported_categories", ("public",)))
        for language in languages:
            if language is None or (supported and language not in supported):
                continue
            table = holidays_lib.country_holidays(
                rules.country,
                subdiv=rules.subdivision,
                years=year,
                categories=categories,
                language=language,
            )
            for day, joined in table.items():
                if language == display_language or day not in display:
                    display[day] = str(joined)
                for single in str(joined).split("; "):
                    names.setdefault(day, set()).add(single.casefold())
        frozen = {d: frozenset(v) for d, v in names.items()}
        return {d: str(n) for d, n in public.items()}, frozen, display

    def _closed_in_year(self, year: int) -> dict[date, str]:
        cached = self._closed_cache.get(year)
        if cached is not None:
            return cached
        public, names, display = self._holidays_for(year)
        closed: dict[date, str] = {}
        for day, name in public.items():
            day_names = names.get(day, frozenset()) | {n.casefold() for n in name.split("; ")}
            if not any(rule.matches(day, day_names) for rule in self._exclude_rules):
                closed[day] = name
        day = date(year, 1, 1)
        while day.year == year:
            day_names = names.get(day, frozenset())
            if day not in closed and any(
                rule.matches(day, day_names) for rule in self._include_rules
            ):
                closed[day] = public.get(day) or display.get(day) or "closed (include)"
            day += _DAY
        result = dict(sorted(closed.items()))
        self._closed_cache[year] = result
        return result

    def unknown_holiday_names(self, years: range) -> list[str]:
        """Names in include/exclude that match no holiday in ``years``: almost always typos."""
        seen: set[str] = set()
        for year in years:
            for day_names in self._holidays_for(year)[1].values():
                seen |= day_names
        wanted = [r.name for r in (*self._include_rules, *self._exclude_rules) if r.name]
        return [name for name in wanted if name not in seen]

    def closed_days(self, year: int) -> list[ClosedDay]:
        """The resolved holiday list of a year, weekends included when a holiday falls there."""
        return [ClosedDay(day, name) for day, name in self._closed_in_year(year).items()]

    def is_business_day(self, day: date) -> bool:
        return day.weekday() in self.weekdays and day not in self._closed_in_year(day.year)

    # -- instants -------------------------------------------------------------------------

    def local_date(self, instant: datetime) -> date:
        return as_utc(instant).astimezone(self.zone).date()

    def _local_instant(self, day: date, minute: int) -> datetime:
        if minute >= _MINUTES_PER_DAY:
            day, minute = day + _DAY, minute - _MINUTES_PER_DAY
        local = datetime.combine(day, time(minute // 60, minute % 60), tzinfo=self.zone)
        return as_utc(local)

    def opening_interval(self, day: date) -> Interval | None:
        """The open span of a local date as UTC instants, or ``None`` on a closed day.

        A wall-clock time the clocks skip when they go forward (02:30 on the last Sunday of
        March in Amsterdam) is read as the instant one skipped hour later, as the standard
        library does. Opening hours inside the skipped hour can then close before they open
        (02:01 to 03:00): the clock never shows them that day, so the day has no open time
        (docs/rules.md#business-calendar).
        """
        if not self.is_business_day(day):
            return None
        opens = self._local_instant(day, self.hours.opens)
        closes = self._local_instant(day, self.hours.closes)
        if closes <= opens:
            return None
        return Interval(opens, closes)

    def opening(self, day: date) -> datetime:
        """Opening instant of a local date, business day or not."""
        return self._local_instant(day, self.hours.opens)

    def closing(self, day: date) -> datetime:
        """Closing instant of a local date, business day or not."""
        return self._local_instant(day, self.hours.closes)

    def business_intervals(self, start: datetime, end: datetime) -> IntervalSet:
        """Open time inside ``[start, end)``, as a normalised set of UTC intervals."""
        start, end = as_utc(start), as_utc(end)
        if end <= start:
            return IntervalSet()
        spans: list[Interval] = []
        # Start one day early: a 24:00 closing time belongs to the previous local date.
        day = self.local_date(start) - _DAY
        last = self.local_date(end)
        while day <= last:
            span = self.opening_interval(day)
            if span is not None:
                clipped = span.intersection(Interval(start, end))
                if clipped is not None:
                    spans.append(clipped)
            day += _DAY
        return IntervalSet(spans)

    def business_duration(self, start: datetime, end: datetime) -> timedelta:
        """Open time between two instants; zero when ``end <= start``."""
        return self.business_intervals(start, end).total

    def is_open(self, instant: datetime) -> bool:
        instant = as_utc(instant)
        day = self.local_date(instant)
        for candidate in (day - _DAY, day):
            span = self.opening_interval(candidate)
            if span is not None and span.contains(instant):
                return True
        return False

    def next_business_instant(self, instant: datetime) -> datetime:
        """``instant`` itself while open, otherwise the next opening instant.

        docs/rules.md#response-times: the response clock starts here.
        """
        instant = as_utc(instant)
        day = self.local_date(instant) - _DAY
        for _ in range(_MAX_SEARCH_DAYS):
            span = self.opening_interval(day)
            if span is not None and instant < span.end:
                return max(instant, span.start)
            day += _DAY
        raise ValueError(f"calendar {self.name!r} has no business day within three years")

    def add_business_time(self, start: datetime, amount: timedelta) -> datetime:
        """The earliest instant ``t >= start`` with ``business_duration(start, t) == amount``.

        An amount that is used up exactly at closing time ends *at* closing time, not at the
        next opening: a deadline of 18:00 is kept by an answer at 18:00.
        """
        if amount < timedelta(0):
            raise ValueError("cannot add a negative business time")
        current = as_utc(start)
        if amount == timedelta(0):
            return current
        remaining = amount
        day = self.local_date(current) - _DAY
        closed_run = 0  # consecutive days without open time; a guard against endless loops
        while closed_run <= _MAX_SEARCH_DAYS:
            span = self.opening_interval(day)
            day += _DAY
            if span is None or span.end <= current:
                closed_run += 1
                continue
            closed_run = 0
            begin = max(current, span.start)
            available = span.end - begin
            if remaining <= available:
                return begin + remaining
            remaining -= available
            current = span.end
        raise ValueError(f"calendar {self.name!r} has no business day within three years")

    def nth_business_day_after(self, day: date, n: int) -> date:
        """The ``n``-th business day strictly after ``day`` (``n >= 1``)."""
        if n < 1:
            raise ValueError("n must be at least 1")
        found = 0
        for _ in range(_MAX_SEARCH_DAYS * n):
            day += _DAY
            if self.is_business_day(day):
                found += 1
                if found == n:
                    return day
        raise ValueError(f"calendar {self.name!r} has no business day within three years")
