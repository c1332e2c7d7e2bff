"""The monthly Service Level Report as a value: what every output format prints.

Requirement 3.2.5: "Opdrachtnemer heeft de plicht om maandelijks een Service Level
Rapportage op te stellen over de daadwerkelijk geleverde prestaties op alle PI's over de
voorgaande maand en deelt deze Service Level Rapportage uiterlijk vijf werkdagen na afloop
van de voorgaande maand met Opdrachtgever." Requirement 3.2.6: "Opdrachtnemer heeft de plicht
om een analyse uit te voeren op niet-behaalde PI's over de voorgaande maand en deelt de
analyse uiterlijk tien werkdagen na afloop van de voorgaande maand met Opdrachtgever." The
report therefore carries, next to every figure, the evidence behind it: the outages with the
part of each that counted, the maintenance windows that excused time (and whether they were
registered after the fact, and who approved that), the monitoring gaps, and every request
with its deadline and outcome; :attr:`Report.misses` collects what lies behind each missed
service level, the raw material of the 3.2.6 analysis.

:func:`build_report` is pure: configuration, evidence, requests and "now" in, a frozen value
out. Availability figures come from :class:`monitor.figures.maker.FigureMaker`, the same code that
feeds the live metrics (requirement 3.2.10), so the dashboard and the report cannot disagree;
response figures come from :func:`monitor.sla.response.monthly_response`. Nothing here
computes a figure a second way.

Finality: a report is *final* when the month has ended **and** no response outcome can
still change, i.e. the deadline of a request received at the month's last instant has passed
in every category (:attr:`MonthlyResponse.final`). Evidence added later (an import of old
outages, a late approval) would still change a recomputation; that is why an export records
``generated_at`` and is written once.
"""

from __future__ import annotations

import functools
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Protocol
from zoneinfo import ZoneInfo

import holidays as holidays_lib

from monitor import __version__
from monitor.config import ALWAYS, Config
from monitor.figures.evidence import Evidence
from monitor.figures.maker import FigureMaker, SlaFigure
from monitor.figures.vantage import VantageFigures, vantage_figures
from monitor.report.catalogue import Words, words_for
from monitor.report.describe import (
    Description,
    availability_description,
    calendar_text,
    response_description,
)
from monitor.sla.availability import (
    AvailabilityFigure,
    CountedOutage,
    MaintenancePolicy,
    Outage,
    OutageSource,
    UnmonitoredPolicy,
)
from monitor.sla.calendar import BusinessCalendar, ClosedDay
from monitor.sla.intervals import Interval, IntervalSet, as_utc
from monitor.sla.months import Month
from monitor.sla.norms import Band, BandOutcome, NormSchedule
from monitor.sla.reporting import MonthDelivery, analysis_due, report_due
from monitor.sla.resolution import (
    MonthlyResolution,
    ResolutionJudge,
    ResolutionVerdict,
    ResolvedRequest,
)
from monitor.sla.response import (
    BusinessDayMode,
    MonthlyResponse,
    Outcome,
    ReceivedRequest,
    RequestJudge,
    ResponseVerdict,
)
from monitor.store.records import (
    MaintenanceWindowRecord,
    MissAnalysisRecord,
    ReportDelivery,
    RequestLocator,
)

__all__ = [
    "AvailabilityEntry",
    "CalendarSummary",
    "MaintenanceKind",
    "MaintenanceLine",
    "Miss",
    "Report",
    "ReportDeadlines",
    "ReportHeader",
    "ReportPolicies",
    "RequestLike",
    "ResponseEntry",
    "TargetReport",
    "build_report",
    "month_is_final",
]

_TICK = timedelta(microseconds=1)


class RequestLike(ReceivedRequest, Protocol):
    """What the report needs of a stored service-desk request (``RequestRecord`` fits)."""

    @property
    def source(self) -> str: ...

    @property
    def resolved_at(self) -> datetime | None: ...


class MaintenanceKind(StrEnum):
    CONFIGURED = "configured"
    REGISTERED = "registered"


@dataclass(frozen=True, slots=True)
class MaintenanceLine:
    """One maintenance occurrence overlapping the month, as agreed (not clipped).

    ``counted`` says whether its time is subtracted from downtime: configured windows always
    are; a registered one only when registered before it started or approved afterwards.
    ``retroactive`` marks a registration made at or after the start: a reclassification of
    downtime that the client must be able to see, with ``approved_by``.
    """

    name: str
    kind: MaintenanceKind
    start: datetime
    end: datetime
    targets: tuple[str, ...]
    counted: bool
    retroactive: bool
    schedule: str | None = None
    reason: str | None = None
    id: str | None = None
    registered_at: datetime | None = None
    registered_by: str | None = None
    approved_by: str | None = None
    standing: str | None = None
    requested_by: str | None = None
    approved_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class AvailabilityEntry:
    """One availability service level of one target for the month (3.2.10)."""

    target: str
    window: str
    objective: float
    figure: AvailabilityFigure
    description: Description
    band: Band | None = None
    """The bonus/malus band in force in the month (B3.7, 3.2.19); ``None``: none agreed."""

    @property
    def availability(self) -> float:
        return self.figure.availability

    @property
    def outcome(self) -> BandOutcome | None:
        """Bonus, neutral or malus; ``None`` without a band or without sufficient evidence
        (docs/rules.md#bonus-malus-band)."""
        return None if self.band is None else self.figure.outcome(self.band)

    @property
    def requirement(self) -> str | None:
        """The contract requirement this figure answers to (3.2.10, or 3.2.7/3.2.8)."""
        return self.description.requirement

    @property
    def met(self) -> bool | None:
        """Whether the norm was met; ``None`` when coverage is below the evidence threshold."""
        return self.figure.met

    @property
    def counted_outages(self) -> tuple[CountedOutage, ...]:
        """The outages that took time off this figure: the evidence behind a miss."""
        return tuple(c for c in self.figure.outages if c.counted > timedelta(0))


@dataclass(frozen=True, slots=True)
class TargetReport:
    """A target's service levels and what the month's timeline of it shows.

    ``maintenance`` is the agreed maintenance as the figures subtract it (union, clipped to
    the month); ``unagreed`` the registered windows that do not count; ``unmonitored`` the
    elapsed part of the month without probe results or imported outages. With several probe
    locations ``outages`` are the counted outages of the quorum rule (plus imported ones) and
    ``unmonitored`` the time no location monitored (docs/rules.md#quorum).
    """

    name: str
    description: str | None
    entries: tuple[AvailabilityEntry, ...]
    outages: tuple[Outage, ...]
    maintenance: IntervalSet
    unagreed: IntervalSet
    unmonitored: IntervalSet
    vantage: VantageFigures | None = None
    """What each probe location saw in the month (docs/rules.md#quorum)."""


@dataclass(frozen=True, slots=True)
class ResponseEntry:
    """One request category for the month (3.2.9, 3.2.13, 3.2.14, 3.2.39)."""

    result: MonthlyResponse
    description: Description
    last_deadline: datetime
    sources: Mapping[str, str]
    locators: Mapping[str, RequestLocator] = field(default_factory=dict)
    """Where the desk finds the mail of a request and its answer, by request id."""
    band: Band | None = None
    """The bonus/malus band in force in the month (B3.7, 3.2.19); ``None``: none agreed."""

    resolution: MonthlyResolution | None = None
    """Resolution outcomes (3.2.40) of a category with a resolution term."""
    unit: str = "working_days"
    """What ``days`` count: ``working_days`` or ``calendar_days`` (3.2.39, 3.2.41)."""

    @property
    def outcome(self) -> BandOutcome | None:
        """Bonus, neutral or malus; ``None`` without a band or while nothing is decided."""
        return None if self.band is None else self.result.outcome(self.band)

    def resolutions(self) -> dict[str, ResolutionVerdict]:
        """The resolution verdicts by request id; empty for a category without a term."""
        if self.resolution is None:
            return {}
        return {v.request.id: v for v in self.resolution.verdicts}

    @property
    def category(self) -> str:
        return self.result.category

    @property
    def requirement(self) -> str | None:
        """The contract requirement of the category (3.2.9, 3.2.13, 3.2.14, 3.2.39, ...)."""
        return self.description.requirement

    def locator(self, verdict: ResponseVerdict, generated_at: datetime) -> RequestLocator | None:
        """Where the desk finds a request's mail and its answer, as known at ``generated_at``:
        an answer sent after that instant is not named, as the outcome does not count it.
        ``None`` for a request that did not come from a mailbox (import, webhook)."""
        located = self.locators.get(verdict.request.id)
        if located is None or located.answer is None:
            return located
        answered = verdict.request.answered_at
        if answered is None or answered > generated_at:
            return RequestLocator(located.request, None)
        return located

    @property
    def late(self) -> tuple[ResponseVerdict, ...]:
        """Breached requests: answered late or not answered by the deadline."""
        return tuple(v for v in self.result.verdicts if v.outcome is Outcome.BREACHED)

    @property
    def pending(self) -> tuple[ResponseVerdict, ...]:
        return tuple(v for v in self.result.verdicts if v.outcome is Outcome.PENDING)


@dataclass(frozen=True, slots=True)
class ReportDeadlines:
    """docs/rules.md#reporting-deadlines: this report is due five working days after the
    month (3.2.5), the analyses of its misses ten (3.2.6)."""

    report_due: datetime
    analyses_due: datetime
    previous: MonthDelivery


@dataclass(frozen=True, slots=True)
class Miss:
    """A missed service level and the evidence behind it: the input of a 3.2.6 analysis."""

    kind: str  # "availability" | "response"
    name: str
    window: str | None
    objective: float
    value: float | None
    outages: tuple[CountedOutage, ...] = ()
    unmonitored: timedelta = timedelta(0)
    requests: tuple[ResponseVerdict, ...] = ()
    analyses: tuple[MissAnalysisRecord, ...] = ()


@dataclass(frozen=True, slots=True)
class ReportPolicies:
    maintenance: MaintenancePolicy
    unmonitored: UnmonitoredPolicy
    business_day: BusinessDayMode
    servicedesk_calendar: str


@dataclass(frozen=True, slots=True)
class CalendarSummary:
    """A calendar used by a figure, with its closed days inside the month."""

    name: str
    text: str
    closed_days: tuple[ClosedDay, ...]


@dataclass(frozen=True, slots=True)
class ReportHeader:
    """The parties and the contract the report is between (``report: {header: ...}``)."""

    supplier: str | None = None
    client: str | None = None
    contract_reference: str | None = None


@dataclass(frozen=True, slots=True)
class Report:
    """The Service Level Report of one month, as of ``generated_at``, in ``language``."""

    month: Month
    zone: ZoneInfo
    period: Interval
    generated_at: datetime
    final: bool
    last_deadline: datetime | None
    policies: ReportPolicies
    calendars: tuple[CalendarSummary, ...]
    targets: tuple[TargetReport, ...]
    response: tuple[ResponseEntry, ...]
    maintenance: tuple[MaintenanceLine, ...]
    uncategorised: tuple[tuple[str, int], ...]
    version: str
    analyses: tuple[MissAnalysisRecord, ...] = ()
    deadlines: ReportDeadlines | None = None
    """When this report and its analyses are due, and how the previous one was delivered."""
    language: str = "en"
    header: ReportHeader = ReportHeader()

    @property
    def final_at(self) -> datetime:
        """When the figures are (or were) final: the end of the month, or the last response
        deadline of a request received in it when that is later."""
        if self.last_deadline is None:
            return self.period.end
        return max(self.period.end, as_utc(self.last_deadline))

    def analyses_of(
        self, kind: str, name: str, window: str | None
    ) -> tuple[MissAnalysisRecord, ...]:
        """The 3.2.6 analyses recorded for one figure of this month, oldest first."""
        return tuple(a for a in self.analyses if (a.kind, a.name, a.window) == (kind, name, window))

    def vantage_of(self, target: str) -> VantageFigures | None:
        """What the probe locations saw of ``target`` this month."""
        return next((t.vantage for t in self.targets if t.name == target), None)

    @property
    def month_ended(self) -> bool:
        return self.generated_at >= self.period.end

    @property
    def availability(self) -> tuple[AvailabilityEntry, ...]:
        """Every SLA of every configured target, in configuration order."""
        return tuple(entry for target in self.targets for entry in target.entries)

    @property
    def holidays(self) -> tuple[date, ...]:
        """The closed days inside the month of every calendar the figures use."""
        return tuple(sorted({d.day for c in self.calendars for d in c.closed_days}))

    @property
    def misses(self) -> tuple[Miss, ...]:
        """Every missed service level with the outages or late requests behind it. A figure
        whose verdict the unmeasured time could still change is neither met nor missed, and
        not listed here; a miss the measured downtime proves is."""
        misses: list[Miss] = []
        for entry in self.availability:
            if entry.met is not False:
                continue
            figure = entry.figure
            unmonitored = (
                figure.unmonitored
                if figure.policies.unmonitored is UnmonitoredPolicy.COUNT_AS_UNAVAILABLE
                else timedelta(0)
            )
            misses.append(
                Miss(
                    "availability",
                    entry.target,
                    entry.window,
                    entry.objective,
                    entry.availability,
                    outages=entry.counted_outages,
                    unmonitored=unmonitored,
                    analyses=self.analyses_of("availability", entry.target, entry.window),
                )
            )
        for response in self.response:
            if response.result.objective_met is False:
                misses.append(
                    Miss(
                        "response",
                        response.category,
                        None,
                        response.result.objective,
                        response.result.ratio,
                        requests=response.late,
                        analyses=self.analyses_of("response", response.category, None),
                    )
                )
        return tuple(misses)


def month_is_final(config: Config, month: Month, now: datetime) -> bool:
    """Whether the report of ``month`` is final at ``now`` (see the module docstring).

    Asks :func:`monthly_response` itself, with no requests, so the export schedule and the
    report's ``final`` flag can never apply two different rules.
    """
    period = month.interval(config.zone)
    if as_utc(now) < period.end:
        return False
    judge = config.request_judge()
    return all(judge.month(name, (), period, now).final for name in judge.norms)


def build_report(
    config: Config,
    month: Month,
    evidence: Evidence,
    requests: Iterable[RequestLike],
    now: datetime,
    *,
    registrations: Sequence[MaintenanceWindowRecord] = (),
    locators: Mapping[str, RequestLocator] | None = None,
    analyses: Sequence[MissAnalysisRecord] = (),
    deliveries: Sequence[ReportDelivery] = (),
) -> Report:
    """The report of ``month`` from the evidence and requests known at ``now``.

    ``evidence`` must cover the month (``load_evidence`` over its interval); ``requests``
    may include others, only those received in the month are judged. ``registrations`` are
    the stored records of the API-registered windows, for who registered them and why;
    ``deliveries`` the recorded report deliveries (the previous month's is printed).
    """
    now = as_utc(now)
    evidence = evidence.known_at(now)
    # Config.calendar builds and validates a section on every call (milliseconds each); a
    # month of 200 targets asks for the same few calendars hundreds of times.
    calendar_of = functools.cache(config.calendar)
    maker = FigureMaker(config)
    words = words_for(config.report.language)
    period = maker.period(month)
    details = {record.id: record for record in registrations}
    lines = _maintenance_lines(config, evidence, period, details, config.maintenance_notice)
    targets = tuple(
        _target_report(config, maker, month, evidence, now, calendar_of, words, name=target.name)
        for target in config.targets
    )
    response, uncategorised = _response(
        config, month, requests, now, calendar_of, locators or {}, words
    )
    final = now >= period.end and all(entry.result.final for entry in response)
    desk = config.servicedesk
    return Report(
        month=month,
        zone=config.zone,
        period=period,
        generated_at=now,
        final=final,
        last_deadline=max((r.last_deadline for r in response), default=None),
        policies=ReportPolicies(
            maintenance=config.policies.maintenance,
            unmonitored=config.policies.unmonitored,
            business_day=desk.business_day,
            servicedesk_calendar=desk.calendar,
        ),
        calendars=_calendars(config, month, calendar_of, words),
        targets=targets,
        response=response,
        maintenance=lines,
        uncategorised=uncategorised,
        version=__version__,
        analyses=tuple(
            a for a in analyses if a.month == str(month) and as_utc(a.recorded_at) <= now
        ),
        language=words.language,
        header=ReportHeader(
            supplier=config.report.header.supplier,
            client=config.report.header.client,
            contract_reference=config.report.header.contract_reference,
        ),
        deadlines=_deadlines(calendar_of(desk.calendar), month, deliveries, now),
    )


def _deadlines(
    calendar: BusinessCalendar, month: Month, deliveries: Sequence[ReportDelivery], now: datetime
) -> ReportDeadlines:
    """Due instants of this report, and the previous month's delivery as known at ``now``."""
    previous = month.previous()
    found = next(
        (d for d in deliveries if d.month == str(previous) and as_utc(d.exported_at) <= now),
        None,
    )
    return ReportDeadlines(
        report_due=report_due(calendar, month),
        analyses_due=analysis_due(calendar, month),
        previous=MonthDelivery.of(
            calendar,
            previous,
            delivered_at=None if found is None else found.exported_at,
            final=None if found is None else found.final,
        ),
    )


def _target_report(
    config: Config,
    maker: FigureMaker,
    month: Month,
    evidence: Evidence,
    now: datetime,
    calendar_of: Callable[[str], BusinessCalendar],
    words: Words,
    *,
    name: str,
) -> TargetReport:
    target = config.target(name)
    period = maker.period(month)
    figures = maker.month_figures(target, month, evidence, now)
    elapsed_end = min(period.end, now)
    elapsed = IntervalSet.of(period.start, elapsed_end) if elapsed_end > period.start else None
    # Listed by the span measured, so a voided outage (or one closed before the month)
    # stays in the report with its correction, counting nothing.
    outages = tuple(
        o
        for o in evidence.outages_of(name)
        if (span := o.measured(now)) is not None
        and span.start < elapsed_end
        and span.end > period.start
    )
    vantage = vantage_figures(maker, target, month, evidence, now)
    several = len(vantage.views) > 1
    if several:
        # Several locations: the outages that count are the quorum's, each naming who saw
        # it; what one location alone saw is listed as its location-only failure instead.
        counted = tuple(q.as_outage(name) for q in vantage.vantage.outages)
        others = tuple(o for o in outages if o.source is not OutageSource.PROBE)
        outages = tuple(sorted(counted + others, key=lambda o: (as_utc(o.start), o.id)))
    unmonitored = IntervalSet()
    if elapsed is not None:
        # The figures' own notion of monitored time (sessions plus closed schedule; with
        # several locations the time at least one of them monitored, canaries healthy), so
        # the grey in the timeline is exactly the time the figures call unmonitored.
        monitored = (
            vantage.vantage.monitored
            if several
            else maker.monitored(target, evidence, month, now, None)
        )
        imported = IntervalSet(
            span
            for o in outages
            if o.source is OutageSource.IMPORT and (span := o.interval(now)) is not None
        )
        unmonitored = (elapsed - monitored) - imported
    unagreed = IntervalSet(
        w.interval
        for w in evidence.registered
        if not w.counts(config.maintenance_notice) and w.applies_to(name)
    ).clip(period.start, period.end)
    return TargetReport(
        name=name,
        description=target.description,
        entries=tuple(_entry(config, f, calendar_of, month, words) for f in figures),
        outages=outages,
        maintenance=maker.maintenance(name, evidence, period),
        unagreed=unagreed,
        unmonitored=unmonitored,
        vantage=vantage,
    )


def _entry(
    config: Config,
    figure: SlaFigure,
    calendar_of: Callable[[str], BusinessCalendar],
    month: Month,
    words: Words,
) -> AvailabilityEntry:
    target = config.target(figure.target)
    budget = figure.figure.budget.total
    calendar = None if figure.window == ALWAYS else calendar_of(figure.window)
    return AvailabilityEntry(
        target=figure.target,
        window=figure.window,
        objective=figure.figure.objective,
        figure=figure.figure,
        band=_band_in_force(figure.sla.band, month),
        description=availability_description(
            config, target, figure.sla, budget, calendar, month, words
        ),
    )


def _maintenance_lines(
    config: Config,
    evidence: Evidence,
    period: Interval,
    details: Mapping[str, MaintenanceWindowRecord],
    notice: timedelta | None,
) -> tuple[MaintenanceLine, ...]:
    lines = [
        MaintenanceLine(
            name=o.name,
            kind=MaintenanceKind.CONFIGURED,
            start=o.start,
            end=o.end,
            targets=o.targets,
            counted=True,
            retroactive=False,
            schedule=o.schedule,
            reason=o.reason,
        )
        for o in config.maintenance_schedule().occurrences(period.start, period.end)
    ]
    for window in evidence.registered:
        if not (window.start < period.end and period.start < window.end):
            continue
        record = details.get(window.id)
        lines.append(
            MaintenanceLine(
                name=window.name,
                kind=MaintenanceKind.REGISTERED,
                start=as_utc(window.start),
                end=as_utc(window.end),
                targets=tuple(sorted(window.targets)),
                counted=window.counts(notice),
                retroactive=window.retroactive,
                standing=window.standing(notice),
                requested_by=record.requested_by if record is not None else None,
                approved_at=window.approved_at,
                reason=(record.reason or None) if record is not None else None,
                id=window.id,
                registered_at=as_utc(window.registered_at),
                registered_by=record.registered_by if record is not None else None,
                approved_by=window.approved_by,
            )
        )
    return tuple(sorted(lines, key=lambda line: (line.start, line.name, line.end)))


def _response(
    config: Config,
    month: Month,
    requests: Iterable[RequestLike],
    now: datetime,
    calendar_of: Callable[[str], BusinessCalendar],
    locators: Mapping[str, RequestLocator],
    words: Words,
) -> tuple[tuple[ResponseEntry, ...], tuple[tuple[str, int], ...]]:
    desk = config.servicedesk
    period = month.interval(config.zone)
    calendar = calendar_of(desk.calendar)
    judge = RequestJudge(calendar, desk.categories, desk.business_day, desk.units())
    resolutions = ResolutionJudge(calendar, desk.resolution_norms(), desk.business_day)
    grouped: dict[str, list[RequestLike]] = defaultdict(list)
    sources: dict[str, dict[str, str]] = defaultdict(dict)
    others: Counter[str] = Counter()
    for request in requests:
        received = as_utc(request.received_at)
        # A request received after "now" was not known then (a report --as-of the past).
        if not period.contains(received) or received > now:
            continue
        if request.category not in desk.categories:
            others[request.category] += 1
            continue
        grouped[request.category].append(request)
        sources[request.category][request.id] = request.source
    entries = tuple(
        ResponseEntry(
            result=judge.month(name, grouped.get(name, ()), period, now),
            band=_band_in_force(desk.categories[name].band, month),
            description=response_description(config, name, calendar, month, words),
            last_deadline=judge.deadline(name, period.end - _TICK),
            sources=sources.get(name, {}),
            locators={
                request_id: locators[request_id]
                for request_id in sources.get(name, {})
                if request_id in locators
            },
            resolution=_resolution(resolutions, name, grouped.get(name, ()), period, now),
            unit=desk.categories[name].unit.value,
        )
        for name in desk.categories
    )
    return entries, tuple(sorted(others.items()))


def _band_in_force(band: NormSchedule[Band] | None, month: Month) -> Band | None:
    return None if band is None else band.in_force(month)


def _resolution(
    judge: ResolutionJudge,
    name: str,
    requests: Iterable[RequestLike],
    period: Interval,
    now: datetime,
) -> MonthlyResolution | None:
    """The resolution outcomes of ``name``'s requests (3.2.40); ``None`` without a term."""
    if name not in judge.norms:
        return None
    resolved = (ResolvedRequest(r.id, r.received_at, r.resolved_at) for r in requests)
    return judge.month(name, resolved, period, now)


def _calendars(
    config: Config, month: Month, calendar_of: Callable[[str], BusinessCalendar], words: Words
) -> tuple[CalendarSummary, ...]:
    """Every calendar a figure of this report depends on: SLA windows, probing schedules
    and the service desk's clock, each with its closed days inside the month."""
    names: dict[str, None] = {config.servicedesk.calendar: None}
    for target in config.targets:
        for window in (*(s.window for s in target.slas), target.schedule):
            if window != ALWAYS:
                names[window] = None
    return tuple(_summary(calendar_of(name), month, words) for name in sorted(names))


def _summary(calendar: BusinessCalendar, month: Month, words: Words) -> CalendarSummary:
    names = _holiday_names(calendar, month.year, words.language)
    closed = tuple(
        ClosedDay(d.day, names.get(d.day, d.name))
        for d in calendar.closed_days(month.year)
        if (d.day.year, d.day.month) == (month.year, month.month)
    )
    return CalendarSummary(calendar.name, calendar_text(calendar, words), closed)


def _holiday_names(calendar: BusinessCalendar, year: int, language: str) -> dict[date, str]:
    """The public holidays' names in the report's language where the holidays package has
    them (Dutch for NL: Hemelvaartsdag, Tweede pinksterdag); the calendar's English names
    otherwise, and always for days the contract added by hand."""
    rules = calendar.holidays
    if language == "en" or rules.country is None:
        return {}
    country = holidays_lib.country_holidays(rules.country, subdiv=rules.subdivision)
    if language not in (getattr(country, "supported_languages", ()) or ()):
        return {}
    table = holidays_lib.country_holidays(
        rules.country, subdiv=rules.subdivision, years=year, language=language
    )
    return {day: str(name) for day, name in table.items()}
