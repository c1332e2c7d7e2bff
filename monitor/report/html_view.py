"""The HTML report's view model: every text and number the page prints, nothing it lays out.

The page is the monthly Service Level Report of requirement 3.2.5, with the evidence behind
every missed service level for its 3.2.6 analysis and the 3.2.15 description of each
(``docs/rules.md#the-monthly-report``).
:func:`report_view` reads a :class:`~monitor.report.model.Report` and writes each figure,
instant and sentence the way people read it (``_text``: percentages rounded down, instants
in the report's zone), and places the timeline's spans on a 0..1000 scale of the month. The
templates under ``templates/`` decide markup, classes and order; they receive only the frozen
values below (strings, numbers, booleans and tuples of them), so no template reaches into the
model or computes a figure. What the page shows, section by section, is described at the top
of ``templates/report.html.j2``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from monitor.config import ALWAYS
from monitor.figures.vantage import VantageFigures
from monitor.report.catalogue import Words, words_for
from monitor.report.describe import Description
from monitor.report.model import (
    AvailabilityEntry,
    CalendarSummary,
    MaintenanceKind,
    MaintenanceLine,
    Miss,
    Report,
    ResponseEntry,
    TargetReport,
)
from monitor.sla.availability import (
    AvailabilityFigure,
    EvidenceVerdict,
    MaintenancePolicy,
    Outage,
    UnmonitoredPolicy,
)
from monitor.sla.corrections import OutageCorrection, corrected_end
from monitor.sla.intervals import Interval, as_utc
from monitor.sla.norms import Band, BandOutcome
from monitor.sla.resolution import IN_TIME, PENDING
from monitor.sla.response import BusinessDayMode, ResponseVerdict
from monitor.store.records import MailLocator

__all__ = [
    "AnalysisView",
    "Badge",
    "Bar",
    "CalendarView",
    "ClosedDayView",
    "CorrectionView",
    "DayView",
    "DescriptionView",
    "FigureRow",
    "HeaderView",
    "LocationFailureRow",
    "LocationRow",
    "LocationsView",
    "MaintenanceRow",
    "MissView",
    "OutageRow",
    "OutcomeView",
    "PolicyView",
    "ReportView",
    "RequestList",
    "RequestRow",
    "ResolutionCount",
    "ResolutionRow",
    "ResponseRow",
    "Span",
    "SummaryRow",
    "TargetView",
    "Timeline",
    "Verdict",
    "evidence_reason",
    "outcome_view",
    "report_view",
]

_TIMELINE_WIDTH = 1000
"""SVG user units across a month; the template's ``viewBox`` reads it from the view."""
_ZERO = timedelta(0)
_MICROSECOND = timedelta(microseconds=1)


@dataclass(frozen=True, slots=True)
class Verdict:
    """Met, missed or undecided (``None``); ``reason`` when the evidence is short (a proven
    miss stays a miss, an unproven figure shows the reason instead of a tick)."""

    met: bool | None
    reason: str | None = None


@dataclass(frozen=True, slots=True)
class Bar:
    """A summary bar: the share ``fill`` filled and the norm line at ``marker``, both 0..1;
    ``colour`` is met, missed or none."""

    fill: float
    colour: str
    marker: float | None
    text: str


@dataclass(frozen=True, slots=True)
class SummaryRow:
    kind: str
    name: str
    requirement: str | None
    window: str
    norm: str
    key: str
    result: str
    bar: Bar
    verdict: Verdict
    outcome: OutcomeView | None = None


@dataclass(frozen=True, slots=True)
class OutcomeView:
    """Where a month landed in the PI's bonus/malus band (B3.7, 3.2.19): ``kind`` is
    ``bonus``, ``neutral``, ``malus`` or ``unknown`` (insufficient evidence, nothing
    decided); ``text`` adds the configured label."""

    kind: str
    text: str


def outcome_view(
    band: Band | None, outcome: BandOutcome | None, words: Words
) -> OutcomeView | None:
    """``None`` for a PI without a band: nothing to show. The outcome in the report's words
    (``neutraal``), the configured label as written."""
    if band is None:
        return None
    if outcome is None:
        return OutcomeView("unknown", words.text("band_outcome.unknown"))
    label = band.label(outcome)
    text = words.text(f"band_outcome.{outcome.value}")
    if label:
        text = words.text("band_outcome.labelled", outcome=text, label=label)
    return OutcomeView(outcome.value, text)


@dataclass(frozen=True, slots=True)
class Badge:
    kind: str
    text: str


@dataclass(frozen=True, slots=True)
class CorrectionView:
    key: str
    what: str
    actor: str
    recorded_at: str
    reason: str


@dataclass(frozen=True, slots=True)
class OutageRow:
    """An outage as listed: ``end`` is the end that counts, ``measured_end`` the stored one
    when a close correction moved it; ``counted`` holds one duration per window of its
    target. ``x``, ``width`` and ``title`` place its bar on the target's timeline (``x`` is
    ``None`` when it has none: voided, or outside the month)."""

    source: str
    source_text: str
    voided: bool
    start: str
    end: str
    measured_end: str | None
    counted: tuple[str, ...]
    cause: str
    badges: tuple[Badge, ...]
    corrections: tuple[CorrectionView, ...]
    x: float | None
    width: float
    title: str
    seen_by: str | None = None
    """With several probe locations, which of them saw the counted outage."""


@dataclass(frozen=True, slots=True)
class RequestRow:
    """A late or pending request; ``request_mail``/``answer_mail`` say where its mail lies
    on the IMAP server (never subject, body or address), ``unlocated`` why it is not known."""

    id: str
    outcome: str
    outcome_text: str
    received: str
    deadline: str
    answered: str
    late: str
    request_mail: str | None
    answer_mail: str | None
    unlocated: str


@dataclass(frozen=True, slots=True)
class AnalysisView:
    cause: str
    measures: str
    author: str
    recorded_at: str


@dataclass(frozen=True, slots=True)
class MissView:
    """A missed service level (``kind`` ``availability`` or ``response``) with its evidence
    and its 3.2.6 analyses, oldest first."""

    kind: str
    title: str
    outages: tuple[OutageRow, ...]
    column: int
    """Which of an outage row's ``counted`` durations is this miss's window."""
    unmonitored: str | None
    requests: tuple[RequestRow, ...]
    analysis_key: str
    analyses: tuple[AnalysisView, ...]


@dataclass(frozen=True, slots=True)
class Span:
    """A stretch of the timeline: ``x`` and ``width`` in units of ``_TIMELINE_WIDTH``."""

    x: float
    width: float
    title: str


@dataclass(frozen=True, slots=True)
class DayView:
    """A day of the timeline from local midnight ``x`` to the next, ``end``."""

    x: float
    end: float
    number: int
    closed: bool


@dataclass(frozen=True, slots=True)
class Timeline:
    width: int
    label: str
    days: tuple[DayView, ...]
    maintenance: tuple[Span, ...]
    unagreed: tuple[Span, ...]
    outages: tuple[OutageRow, ...]
    unmonitored: tuple[Span, ...]
    now: float | None


@dataclass(frozen=True, slots=True)
class FigureRow:
    window: str
    requirement: str
    key: str
    window_time: str
    downtime: str
    maintenance: str
    unmonitored: str
    coverage: str
    availability: str
    norm: str
    budget: str
    verdict: Verdict


@dataclass(frozen=True, slots=True)
class LocationRow:
    """One probe location's month: when it did not monitor, and what it alone saw down."""

    location: str
    unmonitored: str
    location_only: str


@dataclass(frozen=True, slots=True)
class LocationFailureRow:
    """A stretch one location saw the target down without a quorum: never downtime."""

    location: str
    start: str
    end: str
    duration: str
    cause: str


@dataclass(frozen=True, slots=True)
class LocationsView:
    """What the probe locations of a target saw (docs/rules.md#quorum): the quorum in force,
    time no location monitored, degraded vantage per window, and per location."""

    quorum: str
    unmonitored: str
    degraded: str
    locations: tuple[LocationRow, ...]
    failures: tuple[LocationFailureRow, ...]


@dataclass(frozen=True, slots=True)
class TargetView:
    name: str
    description: str | None
    timeline: Timeline
    figures: tuple[FigureRow, ...]
    corrected: str | None
    windows: tuple[str, ...]
    columns: tuple[int, ...]
    outages: tuple[OutageRow, ...]
    locations: LocationsView | None = None
    """Only for a target probed from several locations."""


@dataclass(frozen=True, slots=True)
class MaintenanceRow:
    key: str
    name: str
    targets: str
    start: str
    end: str
    counted: bool
    retroactive: bool
    standing: str
    standing_text: str
    registered: str
    approved: str
    reason: str


@dataclass(frozen=True, slots=True)
class ResponseRow:
    category: str
    requirement: str
    days: int
    norm: str
    received: str
    met: str
    breached: str
    pending: str
    ratio: str
    verdict: Verdict
    unit: str = "working_days"


@dataclass(frozen=True, slots=True)
class ResolutionCount:
    """The requests of one resolution outcome: ``name`` as in JSON and CSV (``over_20``),
    ``text`` in the report's words."""

    name: str
    text: str
    count: str


@dataclass(frozen=True, slots=True)
class ResolutionRow:
    """A category's resolution term (3.2.40) and its month's requests per outcome."""

    category: str
    term: str
    outcomes: tuple[ResolutionCount, ...]
    pending_over: str


@dataclass(frozen=True, slots=True)
class RequestList:
    category: str
    requests: tuple[RequestRow, ...]


@dataclass(frozen=True, slots=True)
class DescriptionView:
    """The 3.2.15 description of one service level."""

    title: str
    requirement: str
    indicator: str
    norm: str
    bandwidth: str
    growth_path: str
    method: str
    frequency: str


@dataclass(frozen=True, slots=True)
class PolicyView:
    name: str
    value: str
    text: str


@dataclass(frozen=True, slots=True)
class ClosedDayView:
    day: str
    weekday: str
    name: str


@dataclass(frozen=True, slots=True)
class CalendarView:
    text: str
    closed_days: tuple[ClosedDayView, ...]


@dataclass(frozen=True, slots=True)
class HeaderView:
    """The header the client signs under: parties, contract, period and dates. A party not
    configured is ``None`` and its line is left out."""

    supplier: str | None
    client: str | None
    contract_reference: str | None
    period: str
    generated: str
    final: str


@dataclass(frozen=True, slots=True)
class ReportView:
    """Everything ``report.html.j2`` prints, section by section; ``language`` is the page's
    ``lang`` and picks the words of :mod:`.catalogue` the templates ask for."""

    month: str
    month_title: str
    version: str
    language: str
    final: bool
    zone: str
    period: str
    generated_at: str
    not_final: str
    header: HeaderView
    summary: tuple[SummaryRow, ...]
    tally: str
    misses: tuple[MissView, ...]
    targets: tuple[TargetView, ...]
    maintenance: tuple[MaintenanceRow, ...]
    maintenance_notes: tuple[str, ...]
    response: tuple[ResponseRow, ...]
    uncategorised: str | None
    resolution: tuple[ResolutionRow, ...]
    request_lists: tuple[RequestList, ...]
    descriptions: tuple[DescriptionView, ...]
    policies: tuple[PolicyView, ...]
    calendars: tuple[CalendarView, ...]


class _Texts:
    """Instants and durations as ``_text`` writes them, each value written once per report:
    an outage's start, end and counted time appear in up to four places, a late request's
    in two, and ``strftime`` is the costliest step of a large month's page."""

    __slots__ = ("_durations", "_instants", "words", "zone")

    def __init__(self, zone: ZoneInfo, words: Words) -> None:
        self.zone = zone
        self.words = words
        self._instants: dict[datetime | None, str] = {}
        self._durations: dict[timedelta, str] = {}

    def instant(self, instant: datetime | None) -> str:
        text = self._instants.get(instant)
        if text is None:
            text = self._instants[instant] = self.words.instant(instant, self.zone)
        return text

    def duration(self, duration: timedelta) -> str:
        text = self._durations.get(duration)
        if text is None:
            text = self._durations[duration] = self.words.duration(duration)
        return text


@dataclass(frozen=True, slots=True)
class _Counts:
    """A category's figures, read once from :class:`MonthlyResponse` (each is a count over
    every verdict of the month)."""

    received: int
    met: int
    breached: int
    pending: int
    ratio: float | None
    objective_met: bool | None


def _counts(entry: ResponseEntry) -> _Counts:
    result = entry.result
    return _Counts(
        received=result.received,
        met=result.met,
        breached=result.breached,
        pending=result.pending,
        ratio=result.ratio,
        objective_met=result.objective_met,
    )


def report_view(report: Report) -> ReportView:
    """The view of ``report``: pure, so the same report always gives the same page."""
    zone = report.zone
    words = words_for(report.language)
    texts = _Texts(zone, words)
    scale = _MonthScale(report, texts)
    counts = {entry.category: _counts(entry) for entry in report.response}
    requests = _RequestRows(report, texts)
    outages = _OutageRows(scale, report.generated_at)
    targets = tuple(_target(target, report, scale, outages) for target in report.targets)
    misses = report.misses
    period = f"{texts.instant(report.period.start)} – {texts.instant(report.period.end)}"
    return ReportView(
        month=str(report.month),
        month_title=_month_title(report, words),
        version=report.version,
        language=report.language,
        final=report.final,
        zone=str(zone),
        period=period,
        generated_at=texts.instant(report.generated_at),
        not_final="" if report.final else _why_not_final(report, counts, texts),
        header=_header(report, texts),
        summary=_summary(report, counts, texts),
        tally=_tally(report, misses, words),
        misses=tuple(_miss(miss, report, requests, outages, texts) for miss in misses),
        targets=targets,
        maintenance=tuple(_maintenance_row(line, texts) for line in report.maintenance),
        maintenance_notes=_maintenance_notes(report.maintenance, words),
        response=tuple(
            _response_row(entry, counts[entry.category], words) for entry in report.response
        ),
        resolution=tuple(
            _resolution_row(entry, words)
            for entry in report.response
            if entry.resolution is not None
        ),
        uncategorised=(
            ", ".join(f"{c}: {n}" for c, n in report.uncategorised)
            if report.uncategorised
            else None
        ),
        request_lists=tuple(
            RequestList(entry.category, requests.rows((*entry.late, *entry.pending), entry))
            for entry in report.response
            if entry.late or entry.pending
        ),
        descriptions=_descriptions(report, words),
        policies=_policies(report, words),
        calendars=tuple(_calendar(calendar, words) for calendar in report.calendars),
    )


def _month_title(report: Report, words: Words) -> str:
    return words.month_title(report.month.year, report.month.month)


def _header(report: Report, texts: _Texts) -> HeaderView:
    """Parties, contract and dates as the client signs under them: the period and the
    generated and final dates written out (``1 november 2026``)."""
    words, zone = texts.words, report.zone
    last_day = (report.period.end - _MICROSECOND).astimezone(zone).date()
    first_day = report.period.start.astimezone(zone).date()
    final_at = words.long_instant(report.final_at, zone)
    return HeaderView(
        supplier=report.header.supplier,
        client=report.header.client,
        contract_reference=report.header.contract_reference,
        period=f"{words.long_date(first_day)} – {words.long_date(last_day)}",
        generated=words.long_instant(report.generated_at, zone),
        final=(
            words.text("header.final_since", date=final_at)
            if report.final
            else words.text("header.final_from", date=final_at)
        ),
    )


def _window_name(window: str) -> str:
    return "24/7" if window == ALWAYS else window


def _why_not_final(report: Report, counts: dict[str, _Counts], texts: _Texts) -> str:
    """Why the figures can still change, and from when they cannot: a month is final once
    it has ended and its last response deadline has passed."""
    words = texts.words
    reasons = []
    if not report.month_ended:
        reasons.append(
            words.text("not_final.running", generated=texts.instant(report.generated_at))
        )
    pending = sum(c.pending for c in counts.values())
    if pending:
        reasons.append(words.plural("not_final.pending", pending))
    if report.last_deadline is not None:
        reasons.append(
            words.text("not_final.after_deadline", deadline=texts.instant(report.last_deadline))
        )
    else:
        reasons.append(words.text("not_final.after_month", end=texts.instant(report.period.end)))
    return " ".join(reasons)


# -- summary --------------------------------------------------------------------------------


def _availability_verdict(figure: AvailabilityFigure, words: Words) -> Verdict:
    """Met or missed; when the evidence is short, why."""
    return Verdict(figure.met, evidence_reason(figure.evidence, figure.met, words))


def evidence_reason(evidence: EvidenceVerdict, met: bool | None, words: Words) -> str | None:
    """Why a figure's evidence is short, if it is, in the report's words (the core's reason
    is English: its figures are spelled again here); ``met`` picks the core's note when the
    measured part decides all the same."""
    if evidence.reason is None or words.english:
        return evidence.reason
    reason = words.text(
        "evidence.reason",
        coverage=words.percent(evidence.coverage, 1),
        minimum=words.objective(evidence.min_coverage),
    )
    if evidence.note is not None:  # the measured part decides: the core's two notes
        reason += "; " + words.text("evidence.proven_met" if met else "evidence.proven_missed")
    return reason


def _bar(fill: float, colour: str, marker: float | None, text: str) -> Bar:
    """A bar filled to ``fill`` (0..1) with the norm line at ``marker`` (0..1), clamped."""
    return Bar(
        fill=max(0.0, min(fill, 1.0)),
        colour=colour,
        marker=None if marker is None else max(0.0, min(marker, 1.0)),
        text=text,
    )


def _budget_bar(entry: AvailabilityEntry, words: Words) -> Bar:
    """Unplanned downtime against the error budget the norm allows."""
    figure = entry.figure
    budget = figure.budget
    used = figure.penalised
    colour = {True: "fill-met", False: "fill-missed", None: "fill-none"}[figure.met]
    if budget.total <= _ZERO:
        text = words.text("bar.no_budget") + (
            words.text("bar.counted", used=words.duration(used)) if used else ""
        )
        return _bar(1.0 if used > _ZERO else 0.0, colour, None, text)
    text = words.text("bar.budget", used=words.duration(used), total=words.duration(budget.total))
    return _bar(used / budget.total, colour, 1.0, text)


def _ratio_bar(objective: float, counts: _Counts, words: Words) -> Bar:
    """The share of decided requests answered in time, against the norm."""
    if counts.ratio is None:
        return _bar(0.0, "fill-none", objective, words.text("bar.undecided"))
    colour = "fill-met" if counts.objective_met else "fill-missed"
    text = words.text(
        "bar.ratio",
        met=words.integer(counts.met),
        decided=words.integer(counts.met + counts.breached),
    )
    return _bar(counts.ratio, colour, objective, text)


def _summary(report: Report, counts: dict[str, _Counts], texts: _Texts) -> tuple[SummaryRow, ...]:
    words = texts.words
    rows = [
        SummaryRow(
            kind=words.text("summary.availability"),
            name=entry.target,
            requirement=entry.requirement,
            window=_window_name(entry.window),
            norm=words.objective(entry.objective),
            key=f"a:{entry.target}:{entry.window}",
            result=words.percent(entry.availability),
            bar=_budget_bar(entry, words),
            verdict=_availability_verdict(entry.figure, words),
            outcome=outcome_view(entry.band, entry.outcome, words),
        )
        for entry in report.availability
    ]
    for response in report.response:
        result = response.result
        figures = counts[result.category]
        rows.append(
            SummaryRow(
                kind=words.text("summary.response"),
                name=result.category,
                requirement=response.requirement,
                window=words.plural(
                    "summary.within_calendar"
                    if response.unit == "calendar_days"
                    else "summary.within",
                    result.days,
                    days=result.days,
                ),
                norm=words.objective(result.objective),
                key=f"r:{result.category}",
                result="—" if figures.ratio is None else words.percent(figures.ratio),
                bar=_ratio_bar(result.objective, figures, words),
                verdict=Verdict(figures.objective_met),
                outcome=outcome_view(response.band, response.outcome, words),
            )
        )
    return tuple(rows)


def _tally(report: Report, misses: Sequence[Miss], words: Words) -> str:
    """Met, unjudged (insufficient evidence) and missed service levels, in one sentence."""
    missed = len(misses)
    unjudged = sum(1 for entry in report.availability if entry.met is None)
    total = len(report.availability) + len(report.response)
    return (
        words.text("tally.met", met=total - missed - unjudged, total=total)
        + (words.text("tally.unjudged", count=unjudged) if unjudged else "")
        + (words.text("tally.missed", count=missed) if missed else words.text("tally.end"))
    )


# -- misses (3.2.6) -------------------------------------------------------------------------


def _miss(
    miss: Miss, report: Report, requests: _RequestRows, outages: _OutageRows, texts: _Texts
) -> MissView:
    """A missed service level with the outages or late requests behind it: the material of
    its 3.2.6 analysis, and the analyses recorded so far."""
    words = texts.words
    value = "—" if miss.value is None else words.percent(miss.value)
    key = ":".join((miss.kind, miss.name, *((miss.window,) if miss.window is not None else ())))
    analyses = tuple(
        AnalysisView(a.cause, a.measures, a.author, texts.instant(a.recorded_at))
        for a in miss.analyses
    )
    if miss.kind == "availability":
        return MissView(
            kind=miss.kind,
            title=words.text(
                "misses.availability",
                name=miss.name,
                window=_window_name(miss.window or ""),
                value=value,
                norm=words.objective(miss.objective),
            ),
            outages=outages.of_miss(miss),
            column=outages.column(miss),
            unmonitored=texts.duration(miss.unmonitored) if miss.unmonitored else None,
            requests=(),
            analysis_key=key,
            analyses=analyses,
        )
    entry = next(r for r in report.response if r.category == miss.name)
    return MissView(
        kind=miss.kind,
        title=words.text(
            "misses.response", name=miss.name, value=value, norm=words.objective(miss.objective)
        ),
        outages=(),
        column=0,
        unmonitored=None,
        requests=requests.rows(miss.requests, entry),
        analysis_key=key,
        analyses=analyses,
    )


# -- outages and their corrections ----------------------------------------------------------


def _outage_row(
    outage: Outage,
    counted: tuple[str, ...],
    scale: _MonthScale,
    now: datetime,
    seen_by: str | None = None,
) -> OutageRow:
    texts = scale.texts
    words = texts.words
    interval = outage.interval(now)
    source = words.text(f"source.{outage.source.value}")
    span = (
        None
        if interval is None
        else scale.span(interval, words.text("timeline.outage", source=source, cause=outage.cause))
    )
    bar = (None, 0.0, "") if span is None else (span.x, span.width, span.title)
    if not outage.corrections:  # nearly every outage: nothing to read through
        return OutageRow(
            source=outage.source.value,
            source_text=source,
            voided=False,
            start=texts.instant(outage.start),
            end=texts.instant(outage.end),
            measured_end=None,
            counted=counted,
            cause=outage.cause,
            badges=(),
            corrections=(),
            x=bar[0],
            width=bar[1],
            title=bar[2],
            seen_by=seen_by,
        )
    end = corrected_end(outage.end, outage.corrections)
    made = {c.kind for c in outage.corrections}
    return OutageRow(
        source=outage.source.value,
        source_text=source,
        voided=outage.voided,
        start=texts.instant(outage.start),
        end=texts.instant(end),
        measured_end=None if end == outage.end else texts.instant(outage.end),
        counted=counted,
        cause=outage.cause,
        badges=tuple(
            Badge(kind, words.text(f"correction.{kind}"))
            for kind in ("void", "close", "dispute")
            if kind in made
        ),
        corrections=tuple(_correction(outage, c, texts) for c in outage.corrections),
        x=bar[0],
        width=bar[1],
        title=bar[2],
        seen_by=seen_by,
    )


def _correction(outage: Outage, correction: OutageCorrection, texts: _Texts) -> CorrectionView:
    words = texts.words
    what = words.text(f"correction.{correction.kind}")
    if correction.kind == "close":
        what = words.text("correction.closed_at", at=texts.instant(correction.at))
    elif correction.kind == "void":
        what = words.text("correction.voided")
    return CorrectionView(
        key=f"correction:{outage.id}:{correction.kind}",
        what=what,
        actor=correction.actor,
        recorded_at=texts.instant(correction.recorded_at),
        reason=correction.reason,
    )


# -- requests -------------------------------------------------------------------------------


def _mail_text(mail: MailLocator, texts: _Texts) -> str:
    """``ekv-desk · INBOX · UIDVALIDITY 1712 · UID 42 · 2026-11-03 09:12``: enough to open
    the message on the IMAP server (UID FETCH, or a search on the INTERNALDATE)."""
    parts = [mail.mailbox, mail.folder, f"UIDVALIDITY {mail.uidvalidity}", f"UID {mail.uid}"]
    if mail.internaldate is not None:
        parts.append(texts.instant(mail.internaldate))
    return " · ".join(parts)


class _RequestRows:
    """Late and pending requests as listed, with where their mail lies (for the 3.2.6
    analysis of a late one); an answer sent after the report was made is not named. A late
    request is listed under its miss and in its category: its row is made once."""

    __slots__ = ("_made", "_now", "_texts")

    def __init__(self, report: Report, texts: _Texts) -> None:
        self._now = report.generated_at
        self._texts = texts
        self._made: dict[tuple[str, str], RequestRow] = {}

    def rows(
        self, verdicts: Sequence[ResponseVerdict], entry: ResponseEntry
    ) -> tuple[RequestRow, ...]:
        made = self._made
        category = entry.category
        rows = []
        for verdict in verdicts:
            key = (category, verdict.request.id)
            row = made.get(key)
            if row is None:
                row = made[key] = self._row(verdict, entry)
            rows.append(row)
        return tuple(rows)

    def _row(self, verdict: ResponseVerdict, entry: ResponseEntry) -> RequestRow:
        texts, now = self._texts, self._now
        words = texts.words
        request = verdict.request
        answered = request.answered_at
        if answered is not None and answered > now:
            answered = None
        delay = (answered if answered is not None else now) - verdict.deadline
        locator = entry.locator(verdict, now)
        unlocated = ""
        if locator is None:
            source = entry.sources.get(request.id)
            unlocated = (
                words.text("requests.unlocated")
                if source == "mailbox"
                else words.text(
                    "requests.not_mailbox", source=source or words.text("requests.unknown_source")
                )
            )
        return RequestRow(
            id=request.id,
            outcome=verdict.outcome.value,
            outcome_text=words.text(f"outcome.{verdict.outcome.value}"),
            received=texts.instant(request.received_at),
            deadline=texts.instant(verdict.deadline),
            answered=(
                words.text("requests.unanswered") if answered is None else texts.instant(answered)
            ),
            late=texts.duration(delay) if delay > _ZERO else "—",
            request_mail=None if locator is None else _mail_text(locator.request, texts),
            answer_mail=(
                None
                if locator is None or locator.answer is None
                else _mail_text(locator.answer, texts)
            ),
            unlocated=unlocated,
        )


# -- availability per target ----------------------------------------------------------------


class _OutageRows:
    """Each outage of a target as one row with its counted time in every window of the
    target: the target's table lists them all, a miss lists those behind it and shows the
    column of its window, so an outage listed three times is written once."""

    __slots__ = ("_now", "_rows", "_scale", "_seen", "_texts", "_windows")

    def __init__(self, scale: _MonthScale, now: datetime) -> None:
        self._scale = scale
        self._now = now
        self._texts = scale.texts
        self._rows: dict[str, dict[tuple[str, datetime], OutageRow]] = {}
        self._windows: dict[str, tuple[str, ...]] = {}
        self._seen: dict[str, dict[str, str]] = {}

    def of_target(self, target: TargetReport) -> tuple[OutageRow, ...]:
        texts = self._texts
        windows = tuple(entry.window for entry in target.entries)
        counted = {
            (entry.window, c.outage.id, c.outage.start): c.counted
            for entry in target.entries
            for c in entry.figure.outages
        }
        seen = self._seen[target.name] = _seen_by(target.name, target.vantage, texts.words)
        rows = tuple(
            _outage_row(
                outage,
                tuple(
                    texts.duration(counted.get((w, outage.id, outage.start), _ZERO))
                    for w in windows
                ),
                self._scale,
                self._now,
                seen.get(outage.id),
            )
            for outage in target.outages
        )
        self._windows[target.name] = windows
        self._rows[target.name] = {
            (outage.id, outage.start): row for outage, row in zip(target.outages, rows, strict=True)
        }
        return rows

    def column(self, miss: Miss) -> int:
        return self._windows[miss.name].index(miss.window or "")

    def of_miss(self, miss: Miss) -> tuple[OutageRow, ...]:
        texts = self._texts
        listed = self._rows[miss.name]
        column = self.column(miss)
        rows = []
        for c in miss.outages:
            text = texts.duration(c.counted)
            row = listed.get((c.outage.id, c.outage.start))
            if row is None or row.counted[column] != text:
                # Two outages with the same id and start: the table row is the other's.
                row = _outage_row(
                    c.outage,
                    (text,) * len(self._windows[miss.name]),
                    self._scale,
                    self._now,
                    self._seen[miss.name].get(c.outage.id),
                )
            rows.append(row)
        return tuple(rows)


def _target(
    target: TargetReport, report: Report, scale: _MonthScale, outages: _OutageRows
) -> TargetView:
    rows = outages.of_target(target)
    words = scale.texts.words
    return TargetView(
        name=target.name,
        description=target.description or None,
        timeline=_timeline(target, report, scale, rows),
        figures=tuple(_figure_row(entry, scale.texts) for entry in target.entries),
        corrected=_corrected_note(target, words),
        windows=tuple(_window_name(entry.window) for entry in target.entries),
        columns=tuple(range(len(target.entries))),
        outages=rows,
        locations=_locations(target, scale.texts),
    )


def _seen_by(name: str, vantage: VantageFigures | None, words: Words) -> dict[str, str]:
    """Which locations saw each counted outage, by outage id; empty for one location."""
    if vantage is None or len(vantage.views) < 2:
        return {}
    return {
        q.as_outage(name).id: words.text("outages.seen_by", locations=", ".join(q.locations))
        for q in vantage.vantage.outages
    }


def _locations(target: TargetReport, texts: _Texts) -> LocationsView | None:
    """The probe locations' side of a target's month (docs/rules.md#quorum): the quorum in
    force, the time nobody monitored, degraded vantage per window, each location's own
    unmonitored and location-only time, and every location-only failure with its cause.
    ``None`` for a target probed from one location: its section stays as it always was."""
    vantage = target.vantage
    if vantage is None or len(vantage.views) < 2:
        return None
    words = texts.words
    judged = vantage.vantage
    names = [view.location for view in vantage.views]
    degraded = "; ".join(
        f"{_window_name(entry.window)} {texts.duration(vantage.degraded.get(entry.window, _ZERO))}"
        for entry in target.entries
    )
    return LocationsView(
        quorum=words.text(
            "locations.quorum",
            quorum=vantage.quorum,
            count=len(names),
            locations=", ".join(names),
        ),
        unmonitored=words.text(
            "locations.none_monitoring", duration=texts.duration(judged.unmonitored.total)
        ),
        degraded=words.text("locations.degraded", windows=degraded),
        locations=tuple(
            LocationRow(
                location=name,
                unmonitored=texts.duration(judged.not_monitoring[name].total),
                location_only=texts.duration(vantage.location_only(name)),
            )
            for name in names
        ),
        failures=tuple(
            LocationFailureRow(
                location=failure.location,
                start=texts.instant(failure.span.start),
                end=texts.instant(failure.span.end),
                duration=texts.duration(failure.span.duration),
                cause=failure.cause,
            )
            for failure in judged.failures
        ),
    )


def _figure_row(entry: AvailabilityEntry, texts: _Texts) -> FigureRow:
    figure = entry.figure
    words = texts.words
    return FigureRow(
        window=_window_name(entry.window),
        requirement=entry.requirement or "—",
        key=f"a:{entry.target}:{entry.window}",
        window_time=words.duration(figure.window),
        downtime=words.duration(figure.unplanned_downtime),
        maintenance=words.duration(figure.maintenance),
        unmonitored=words.duration(figure.unmonitored),
        coverage=words.percent(figure.coverage),
        availability=words.percent(figure.availability),
        norm=words.objective(entry.objective),
        budget=words.duration(figure.budget.remaining),
        verdict=_availability_verdict(figure, words),
    )


def _corrected_note(target: TargetReport, words: Words) -> str | None:
    """Which corrections the figures were read through, so no change goes unseen."""
    corrected = [o for o in target.outages if o.corrections]
    if not corrected:
        return None
    counts = [
        (sum(1 for o in corrected if any(c.kind == kind for c in o.corrections)), kind)
        for kind in ("void", "close", "dispute", "annotate")
    ]
    listed = ", ".join(f"{n} {words.text(f'corrected.{kind}')}" for n, kind in counts if n)
    return words.plural("corrected.note", len(corrected), listed=listed)


class _MonthScale:
    """The month on the timeline's 0..``_TIMELINE_WIDTH`` scale: the same for every target,
    so its day grid is laid out once."""

    __slots__ = ("_span", "days", "end", "start", "texts")

    def __init__(self, report: Report, texts: _Texts) -> None:
        period = report.period
        self.start, self.end, self.texts = period.start, period.end, texts
        self._span = (period.end - period.start) / _MICROSECOND
        zone = report.zone
        closed = set(report.holidays)
        days = []
        day = period.start.astimezone(zone).date()
        end_day = (period.end - _MICROSECOND).astimezone(zone).date()
        while day <= end_day:
            days.append(
                DayView(
                    x=self.x(_local_midnight(day, zone)),
                    end=self.x(_local_midnight(day + timedelta(days=1), zone)),
                    number=day.day,
                    closed=day.weekday() >= 5 or day in closed,
                )
            )
            day += timedelta(days=1)
        self.days = tuple(days)

    def x(self, instant: datetime) -> float:
        offset = (as_utc(instant) - self.start) / _MICROSECOND
        return max(0.0, min(float(_TIMELINE_WIDTH), offset / self._span * _TIMELINE_WIDTH))

    def span(self, interval: Interval, title: str) -> Span | None:
        """The part of ``interval`` inside the month, at least 1.5 units wide so a
        one-second outage still shows; ``None`` outside the month."""
        if interval.end <= self.start or interval.start >= self.end:
            return None
        left = self.x(interval.start)
        return Span(
            x=left,
            width=max(self.x(interval.end) - left, 1.5),
            title=(
                f"{title} {self.texts.instant(interval.start)} – {self.texts.instant(interval.end)}"
            ),
        )

    def spans(self, intervals: Iterable[Interval], title: str) -> tuple[Span, ...]:
        return tuple(s for s in (self.span(i, title) for i in intervals) if s is not None)


def _timeline(
    target: TargetReport, report: Report, scale: _MonthScale, outages: tuple[OutageRow, ...]
) -> Timeline:
    """The month from left to right: days (weekends and holidays closed), agreed and
    unagreed maintenance, outages as they count (the target's outage rows that have a bar),
    unmonitored time, and "now" in a running month."""
    words = scale.texts.words
    return Timeline(
        width=_TIMELINE_WIDTH,
        label=words.text("timeline.label", target=target.name, month=_month_title(report, words)),
        days=scale.days,
        maintenance=scale.spans(target.maintenance, words.text("timeline.maintenance")),
        unagreed=scale.spans(target.unagreed, words.text("timeline.unagreed")),
        outages=tuple(row for row in outages if row.x is not None),
        unmonitored=scale.spans(target.unmonitored, words.text("timeline.unmonitored")),
        now=None if report.month_ended else scale.x(report.generated_at),
    )


def _local_midnight(day: date, zone: ZoneInfo) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=zone)


# -- maintenance ----------------------------------------------------------------------------

_STANDINGS = frozenset({"agreed", "short_notice", "retroactive"})


def _standing(line: MaintenanceLine, words: Words) -> str:
    if line.kind is MaintenanceKind.CONFIGURED:
        return words.text("standing.configured")
    if line.standing == "approved":
        return words.text(
            "standing.retroactive_approved" if line.retroactive else "standing.approved"
        )
    if line.standing in _STANDINGS:
        return words.text(f"standing.{line.standing}")
    return line.standing or ""


def _maintenance_row(line: MaintenanceLine, texts: _Texts) -> MaintenanceRow:
    """Who registered and who approved a window, and what it forgives (its standing)."""
    words = texts.words
    if line.kind is MaintenanceKind.CONFIGURED:
        registered = (
            words.text("registered.schedule", schedule=line.schedule)
            if line.schedule
            else words.text("registered.configuration")
        )
        approved = "—"
    else:
        registered = texts.instant(line.registered_at)
        if line.registered_by:
            registered += words.text("registered.by", name=line.registered_by)
        if line.requested_by:
            registered += words.text("registered.requested_by", name=line.requested_by)
        if line.approved_by:
            approved = line.approved_by
            if line.approved_at is not None:
                approved += f", {texts.instant(line.approved_at)}"
        else:
            approved = words.text(
                "approved.not_needed" if line.standing == "agreed" else "approved.not_approved"
            )
    return MaintenanceRow(
        key=f"m:{line.id or line.name}",
        name=line.name,
        targets=", ".join(line.targets),
        start=texts.instant(line.start),
        end=texts.instant(line.end),
        counted=line.counted,
        retroactive=line.retroactive,
        standing=line.standing or "",
        standing_text=_standing(line, words),
        registered=registered,
        approved=approved,
        reason=line.reason or "",
    )


def _maintenance_notes(lines: Sequence[MaintenanceLine], words: Words) -> tuple[str, ...]:
    """Retroactive and short-notice windows, counted, above the table."""
    notes = []
    retro = [line for line in lines if line.retroactive]
    if retro:
        approved = sum(1 for line in retro if line.counted)
        notes.append(
            words.plural(
                "maintenance.retro", len(retro), approved=approved, rejected=len(retro) - approved
            )
        )
    short = [line for line in lines if line.standing == "short_notice"]
    if short:
        notes.append(words.plural("maintenance.short", len(short)))
    return tuple(notes)


# -- response -------------------------------------------------------------------------------


def _response_row(entry: ResponseEntry, counts: _Counts, words: Words) -> ResponseRow:
    result = entry.result
    return ResponseRow(
        category=result.category,
        requirement=entry.requirement or "—",
        days=result.days,
        norm=words.objective(result.objective),
        received=words.integer(counts.received),
        met=words.integer(counts.met),
        breached=words.integer(counts.breached),
        pending=words.integer(counts.pending),
        ratio="—" if counts.ratio is None else words.percent(counts.ratio),
        verdict=Verdict(counts.objective_met),
        unit=entry.unit,
    )


def _resolution_row(entry: ResponseEntry, words: Words) -> ResolutionRow:
    """The term with its overrun tiers and the month's count per outcome (3.2.40), in the
    report's words: a tier the configuration did not name is ``over_20`` in English and
    ``overschrijding 20 %`` in Dutch; a configured tier name is printed as written."""
    month = entry.resolution
    if month is None:  # the caller lists only categories with a term
        raise ValueError(f"category {entry.category!r} has no resolution term")
    norm = month.norm
    names = {IN_TIME: words.text("resolution.in_time"), PENDING: words.text("resolution.pending")}
    for name, tier in zip(norm.names, norm.tiers, strict=True):
        number = round(tier * 100)
        default = name == f"over_{number}"
        names[name] = words.text("resolution.over", number=number) if default else name
    tiers = ", ".join(
        words.text("resolution.tier", name=names[name], percent=words.objective(tier))
        for name, tier in zip(norm.names, norm.tiers, strict=True)
    )
    unit = "working" if norm.unit.value == "working_days" else "calendar"
    over = [
        words.text("resolution.already", count=words.integer(count), name=names[name])
        for name, count in month.pending_at_least().items()
        if count
    ]
    return ResolutionRow(
        category=entry.category,
        term=words.plural(f"resolution.term_{unit}", norm.days, tiers=tiers),
        outcomes=tuple(
            ResolutionCount(name, names[name], words.integer(count))
            for name, count in month.counts().items()
        ),
        pending_over=", ".join(over),
    )


# -- 3.2.15, policies and calendars ---------------------------------------------------------


def _description(title: str, description: Description) -> DescriptionView:
    return DescriptionView(
        title=title,
        requirement=description.requirement or "—",
        indicator=description.indicator,
        norm=description.norm,
        bandwidth=description.bandwidth,
        growth_path=description.growth_path,
        method=description.method,
        frequency=description.frequency,
    )


def _descriptions(report: Report, words: Words) -> tuple[DescriptionView, ...]:
    """Indicator, norm, bandwidth, growth path, method and frequency of every service
    level (3.2.15), availability first."""
    return tuple(
        _description(
            words.text(
                "descriptions.availability",
                target=entry.target,
                window=_window_name(entry.window),
            ),
            entry.description,
        )
        for entry in report.availability
    ) + tuple(
        _description(
            words.text("descriptions.response", category=entry.category), entry.description
        )
        for entry in report.response
    )


def _policies(report: Report, words: Words) -> tuple[PolicyView, ...]:
    policies = report.policies
    maintenance = words.text(
        "policies.maintenance_available"
        if policies.maintenance is MaintenancePolicy.COUNT_AS_AVAILABLE
        else "policies.maintenance_excluded"
    )
    unmonitored = words.text(
        "policies.unmonitored_available"
        if policies.unmonitored is UnmonitoredPolicy.COUNT_AS_AVAILABLE
        else "policies.unmonitored_unavailable"
    )
    business_day = words.text(
        "policies.business_hours"
        if policies.business_day is BusinessDayMode.BUSINESS_HOURS
        else "policies.end_of_day"
    )
    return (
        PolicyView("maintenance", policies.maintenance.value, maintenance),
        PolicyView("unmonitored", policies.unmonitored.value, unmonitored),
        PolicyView("business_day", policies.business_day.value, business_day),
        PolicyView(
            "servicedesk calendar",
            policies.servicedesk_calendar,
            words.text("policies.calendar"),
        ),
    )


def _calendar(calendar: CalendarSummary, words: Words) -> CalendarView:
    return CalendarView(
        text=calendar.text,
        closed_days=tuple(
            ClosedDayView(words.day(d.day), words.weekday(d.day.weekday()), d.name)
            for d in calendar.closed_days
        ),
    )
