"""Every service level described the way requirement 3.2.15 asks.

3.2.15: "Opdrachtnemer dient bij elke voorgestelde PI de indicator, norm c.q.
prestatieniveau, eventuele bandbreedte, eventueel groeipad, meetmethode en meetfrequentie
inzichtelijk te maken." The report prints this next to each figure, so a reader can check
*how* a number was made without opening the configuration. The texts are generated from the
configuration that made the figure, never written by hand, so they cannot drift from it.
The growth path ("groeipad") lists the norm's steps over time; a norm without steps says so
rather than leaving the field out. The bandwidth names the bonus/malus band when one is agreed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from monitor.config import ALWAYS, Config, SlaConfig, TargetConfig
from monitor.report._text import duration_text, objective_text
from monitor.sla.availability import MaintenancePolicy, UnmonitoredPolicy
from monitor.sla.calendar import WEEKDAY_NAMES, BusinessCalendar
from monitor.sla.months import Month
from monitor.sla.norms import Band, NormSchedule
from monitor.sla.response import BusinessDayMode, DayUnit

__all__ = [
    "CATEGORY_REQUIREMENTS",
    "Description",
    "availability_description",
    "calendar_text",
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

_NO_GROWTH_PATH = "none agreed: the norm is the same every month"


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


def _weekdays(calendar: BusinessCalendar) -> str:
    return ", ".join(WEEKDAY_NAMES[day] for day in sorted(calendar.weekdays))


def calendar_text(calendar: BusinessCalendar) -> str:
    """``business-hours: mon, tue, wed, thu, fri 08:00-18:00 (Europe/Amsterdam), closed on NL
    public holidays``: the window in words."""
    country = calendar.holidays.country
    closed = f"closed on {country} public holidays" if country else "no public holidays"
    if calendar.holidays.include or calendar.holidays.exclude:
        closed += " with the contract's exceptions (see the holiday list)"
    return f"{calendar.name}: {_weekdays(calendar)} {calendar.hours} ({calendar.zone}), {closed}"


def _duration(amount: timedelta) -> str:
    return duration_text(amount)


def _growth_path(objective: NormSchedule[float]) -> str:
    """The norm's steps (3.2.15 groeipad, 3.2.17), e.g. ``from 2026-01 99 %; from 2027-01
    99.5 %``."""
    if not objective.changes:
        return _NO_GROWTH_PATH
    return "; ".join(f"from {s.start} {objective_text(s.value)}" for s in objective.steps)


def _band_text(band: NormSchedule[Band] | None, month: Month) -> str | None:
    """The bonus/malus band in force in ``month`` in words (B3.7, 3.2.19)."""
    if band is None:
        return None
    current = band.in_force(month)
    return (
        f"bonus at or above {objective_text(current.bonus_at_or_above)}, "
        f"malus below {objective_text(current.malus_below)}, neutral in between"
    )


def _with_band(bandwidth: str, band: NormSchedule[Band] | None, month: Month) -> str:
    text = _band_text(band, month)
    return bandwidth if text is None else f"{bandwidth}; {text}"


def availability_description(
    config: Config,
    target: TargetConfig,
    sla: SlaConfig,
    budget: timedelta,
    calendar: BusinessCalendar | None,
    month: Month,
) -> Description:
    """The description of one availability SLA (3.2.10 style: A = 1 − D / T per month).

    ``budget`` is the month's error budget, ``(1 − objective) × T``: the bandwidth within
    which unplanned downtime still meets the norm. ``calendar`` is the SLA window's calendar
    (``None`` for 24x7), passed in because building one from the configuration is not free.
    """
    policies = config.availability_policies()
    what = f"Availability of {target.name}"
    if target.description:
        what += f" ({target.description})"
    if sla.window == ALWAYS or calendar is None:
        indicator = f"{what}, around the clock (24/7 window)"
    else:
        indicator = f"{what} in the window {calendar_text(calendar)}"
    objective = sla.objective.in_force(month)
    norm = f"at least {objective_text(objective)} per calendar month"
    if objective >= 1.0:
        bandwidth = "none: any unplanned downtime in the window misses the norm"
    else:
        bandwidth = (
            f"error budget {_duration(budget)} this month: (1 − {objective_text(objective)})"
            " × window time; unplanned downtime up to it still meets the norm"
        )
    denominator = "T − M" if policies.maintenance is MaintenancePolicy.EXCLUDE_FROM_WINDOW else "T"
    unmonitored = (
        "counts as unavailable"
        if policies.unmonitored is UnmonitoredPolicy.COUNT_AS_UNAVAILABLE
        else "counts as available and is reported separately"
    )
    method = (
        f"{target.probe.type} probe; the target is down from the first of "
        f"{target.failures_before_down} consecutive failed probes until the first successful "
        f"one; imported outages count as measured downtime. A = 1 − D / {denominator}: "
        "T = window time in the month, M = agreed maintenance in it (configured windows, and "
        "API registrations made before the window started or approved afterwards), D = outage "
        f"time in the window outside agreed maintenance. Time without probe results {unmonitored}."
    )
    frequency = (
        f"probed every {_duration(target.interval)}; figure per calendar month in "
        f"{config.timezone}, reported monthly (3.2.5)"
    )
    return Description(
        None,
        indicator,
        norm,
        _with_band(bandwidth, sla.band, month),
        _growth_path(sla.objective),
        method,
        frequency,
    )


def response_description(
    config: Config, category: str, calendar: BusinessCalendar, month: Month
) -> Description:
    """The description of one request category (3.2.9, 3.2.13, 3.2.14, 3.2.39); ``calendar``
    is the service desk's."""
    desk = config.servicedesk
    norm_config = desk.categories[category]
    days = norm_config.days
    calendar_days = norm_config.unit is DayUnit.CALENDAR_DAYS
    day_word = ("calendar day" if calendar_days else "working day") + ("" if days == 1 else "s")
    if calendar_days and desk.business_day is BusinessDayMode.END_OF_NEXT_BUSINESS_DAY:
        clock = f"calendar days: the deadline is the end (24:00) of day {days} after receipt"
    elif calendar_days:
        clock = (
            "calendar days: the clock starts at receipt and the deadline is the same clock "
            f"time {days} local day{'s' if days != 1 else ''} later"
        )
    elif desk.business_day is BusinessDayMode.BUSINESS_HOURS:
        clock = (
            f"the clock starts at the first opening instant at or after receipt and runs "
            f"{days} × {_duration(calendar.hours.nominal_length)} of opening time"
        )
    else:
        clock = (
            f"the deadline is the closing time of working day {days} after the local date "
            "of receipt"
        )
    method = (
        "Receipt and answer instants come from the desk mailbox (the server's INTERNALDATE of "
        "the first inbound message of a thread and of the first human reply), from a "
        f"ticket-system import or from its webhook. Calendar {calendar_text(calendar)}; "
        f"{clock}. A request is met when answered at or before its deadline, breached when "
        "answered later or still unanswered after it, pending otherwise; "
        "ratio = met / (met + breached) over the requests received in the month."
    )
    polls = sorted(m.poll_interval for m in desk.mailboxes if m.category == category)
    intake = (
        f"mailboxes read every {_duration(polls[0])}"
        if polls
        else "requests are recorded as they are imported or reported by the webhook"
    )
    return Description(
        CATEGORY_REQUIREMENTS.get(category),
        f"Requests of category {category} answered within {days} {day_word}",
        f"at least {objective_text(norm_config.objective.in_force(month))} of the requests "
        "received in the month",
        _with_band(
            "none: requests still pending are left out of the ratio until answered or overdue",
            norm_config.band,
            month,
        ),
        _growth_path(norm_config.objective),
        method,
        f"{intake}; ratio per calendar month in {config.timezone}, reported monthly (3.2.5)",
    )
