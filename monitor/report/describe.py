"""Every service level described the way requirement 3.2.15 asks.

3.2.15: "Opdrachtnemer dient bij elke voorgestelde PI de indicator, norm c.q.
prestatieniveau, eventuele bandbreedte, eventueel groeipad, meetmethode en meetfrequentie
inzichtelijk te maken." The report prints this next to each figure, so a reader can check
*how* a number was made without opening the configuration. The texts are generated from the
configuration that made the figure, never written by hand, so they cannot drift from it.
The growth path ("groeipad") lists the norm's steps over time; a norm without steps says so
rather than leaving the field out. The bandwidth names the bonus/malus band when one is
agreed. The words are the report's language (:mod:`.catalogue`).

Every description names the requirement its figure answers to: 3.2.10 for availability,
3.2.7 and 3.2.8 for the service desk's phone and mail channels (probes of type sip, smtp and
imap: the contract asks the desk to be reachable by phone and e-mail, for the client in
3.2.7 and for ekv users in 3.2.8, so a channel serves both), and the contract's own for the
four request categories; ``requirement`` on an SLA entry or a category overrides it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from monitor.config import ALWAYS, Config, SlaConfig, TargetConfig
from monitor.report.catalogue import Words
from monitor.sla.availability import MaintenancePolicy, UnmonitoredPolicy
from monitor.sla.calendar import BusinessCalendar
from monitor.sla.months import Month
from monitor.sla.norms import Band, NormSchedule
from monitor.sla.response import BusinessDayMode, DayUnit

__all__ = [
    "AVAILABILITY_REQUIREMENT",
    "CATEGORY_REQUIREMENTS",
    "DESK_CHANNEL_REQUIREMENT",
    "Description",
    "availability_description",
    "availability_requirement",
    "calendar_text",
    "category_requirement",
    "response_description",
]

CATEGORY_REQUIREMENTS: dict[str, str] = {
    "email": "3.2.9",
    "escalation": "3.2.13",
    "complaint": "3.2.14",
    "information_request": "3.2.39",
    "woo_request": "3.2.41",
}
"""The contract requirement behind each of the default request categories."""

AVAILABILITY_REQUIREMENT = "3.2.10"
"""Availability of the IT system, 24/7 and in working hours."""

DESK_CHANNEL_REQUIREMENT = "3.2.7, 3.2.8"
"""Reachability of the service desk by phone and e-mail (for the client; for ekv users)."""

_DESK_PROBES = frozenset({"sip", "smtp", "imap"})


def availability_requirement(target: TargetConfig, sla: SlaConfig) -> str:
    """The requirement id printed on an availability row: the SLA's own, else by probe."""
    if sla.requirement is not None:
        return sla.requirement
    return (
        DESK_CHANNEL_REQUIREMENT if target.probe.type in _DESK_PROBES else AVAILABILITY_REQUIREMENT
    )


def category_requirement(config: Config, category: str) -> str | None:
    """The requirement id of a request category: configured, else the contract's default."""
    configured = config.servicedesk.categories[category].requirement
    return configured if configured is not None else CATEGORY_REQUIREMENTS.get(category)


@dataclass(frozen=True, slots=True)
class Description:
    """The 3.2.15 description of one service level."""

    requirement: str | None
    indicator: str
    norm: str
    bandwidth: str
    growth_path: str
    method: str
    frequency: str


def _weekdays(calendar: BusinessCalendar, words: Words) -> str:
    return ", ".join(words.weekday(day) for day in sorted(calendar.weekdays))


def calendar_text(calendar: BusinessCalendar, words: Words) -> str:
    """``business-hours: mon, tue, wed, thu, fri 08:00-18:00 (Europe/Amsterdam), closed on NL
    public holidays``: the window in words."""
    country = calendar.holidays.country
    closed = (
        words.text("calendar.closed_country", country=country)
        if country
        else words.text("calendar.no_holidays")
    )
    if calendar.holidays.include or calendar.holidays.exclude:
        closed += words.text("calendar.exceptions")
    return words.text(
        "calendar.text",
        name=calendar.name,
        weekdays=_weekdays(calendar, words),
        hours=calendar.hours,
        zone=calendar.zone,
        closed=closed,
    )


def _growth_path(objective: NormSchedule[float], words: Words) -> str:
    """The norm's steps (3.2.15 groeipad, 3.2.17), e.g. ``from 2026-01 99 %; from 2027-01
    99.5 %``."""
    if not objective.changes:
        return words.text("describe.no_growth_path")
    return "; ".join(
        words.text("describe.growth_step", start=s.start, norm=words.objective(s.value))
        for s in objective.steps
    )


def _with_band(bandwidth: str, band: NormSchedule[Band] | None, month: Month, words: Words) -> str:
    """The bandwidth, and the bonus/malus band in force in ``month`` (B3.7, 3.2.19)."""
    if band is None:
        return bandwidth
    current = band.in_force(month)
    text = words.text(
        "describe.band",
        bonus=words.objective(current.bonus_at_or_above),
        malus=words.objective(current.malus_below),
    )
    return f"{bandwidth}; {text}"


def availability_description(
    config: Config,
    target: TargetConfig,
    sla: SlaConfig,
    budget: timedelta,
    calendar: BusinessCalendar | None,
    month: Month,
    words: Words,
) -> Description:
    """The description of one availability SLA (3.2.10 style: A = 1 − D / T per month).

    ``budget`` is the month's error budget, ``(1 − objective) × T``: the bandwidth within
    which unplanned downtime still meets the norm. ``calendar`` is the SLA window's calendar
    (``None`` for 24x7), passed in because building one from the configuration is not free.
    """
    policies = config.availability_policies()
    what = (
        words.text("describe.what_described", target=target.name, description=target.description)
        if target.description
        else words.text("describe.what", target=target.name)
    )
    if sla.window == ALWAYS or calendar is None:
        indicator = words.text("describe.always", what=what)
    else:
        indicator = words.text(
            "describe.in_window", what=what, calendar=calendar_text(calendar, words)
        )
    objective = sla.objective.in_force(month)
    norm = words.objective(objective)
    if objective >= 1.0:
        bandwidth = words.text("describe.no_bandwidth")
    else:
        bandwidth = words.text("describe.bandwidth", budget=words.duration(budget), norm=norm)
    denominator = "T − M" if policies.maintenance is MaintenancePolicy.EXCLUDE_FROM_WINDOW else "T"
    unmonitored = words.text(
        "describe.unmonitored_down"
        if policies.unmonitored is UnmonitoredPolicy.COUNT_AS_UNAVAILABLE
        else "describe.unmonitored_up"
    )
    method = words.text(
        "describe.method",
        probe=target.probe.type,
        failures=target.failures_before_down,
        denominator=denominator,
        unmonitored=unmonitored,
    )
    frequency = words.text(
        "describe.frequency", interval=words.duration(target.interval), zone=config.timezone
    )
    return Description(
        availability_requirement(target, sla),
        indicator,
        words.text("describe.norm", norm=norm),
        _with_band(bandwidth, sla.band, month, words),
        _growth_path(sla.objective, words),
        method,
        frequency,
    )


def response_description(
    config: Config, category: str, calendar: BusinessCalendar, month: Month, words: Words
) -> Description:
    """The description of one request category (3.2.9, 3.2.13, 3.2.14, 3.2.39); ``calendar``
    is the service desk's."""
    desk = config.servicedesk
    norm_config = desk.categories[category]
    days = norm_config.days
    calendar_days = norm_config.unit is DayUnit.CALENDAR_DAYS
    if calendar_days and desk.business_day is BusinessDayMode.END_OF_NEXT_BUSINESS_DAY:
        clock = words.text("describe.clock_calendar_end", days=days)
    elif calendar_days:
        clock = words.plural("describe.clock_calendar", days, days=days)
    elif desk.business_day is BusinessDayMode.BUSINESS_HOURS:
        clock = words.text(
            "describe.clock_hours",
            days=days,
            length=words.duration(calendar.hours.nominal_length),
        )
    else:
        clock = words.text("describe.clock_days", days=days)
    method = words.text(
        "describe.response_method", calendar=calendar_text(calendar, words), clock=clock
    )
    polls = sorted(m.poll_interval for m in desk.mailboxes if m.category == category)
    intake = (
        words.text("describe.intake_mailboxes", interval=words.duration(polls[0]))
        if polls
        else words.text("describe.intake_other")
    )
    return Description(
        category_requirement(config, category),
        words.plural(
            "describe.response_indicator_calendar"
            if calendar_days
            else "describe.response_indicator",
            days,
            category=category,
            days=days,
        ),
        words.text(
            "describe.response_norm", norm=words.objective(norm_config.objective.in_force(month))
        ),
        _with_band(words.text("describe.response_bandwidth"), norm_config.band, month, words),
        _growth_path(norm_config.objective, words),
        method,
        words.text("describe.response_frequency", intake=intake, zone=config.timezone),
    )
