"""The report as JSON: the public contract of docs/interfaces.md#the-monthly-report.

Monthly export jobs parse this, so the names and shapes of docs/interfaces.md are kept exactly; the
fields this module adds (``period``, ``last_deadline``, ``calendars``, ``maintenance``,
``misses``, ``uncategorised_requests``, ``generated_by``, ``language``, ``header`` (supplier,
client, contract reference), ``final_at``; per entry ``requirement``, ``description`` (3.2.15),
``coverage``, ``evidence``, ``unavailable_seconds``, budget figures, ``final``,
``last_deadline``; per outage ``id``; per request ``source``) only ever come *in addition*.
``met`` is ``null`` when the coverage is below the evidence threshold, with the reason in
``evidence``.

Numbers are exact: ratios are the float the core computed (no rounding), durations are
float seconds from integer microseconds. Instants are ISO-8601 with the offset of the
configured zone. ``allow_nan=False``: a figure that is not a number fails here, loudly,
instead of reaching a client as JSON most parsers reject.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from monitor.figures.vantage import VantageFigures
from monitor.report._text import seconds
from monitor.report.describe import Description
from monitor.report.model import (
    AvailabilityEntry,
    MaintenanceLine,
    Miss,
    Report,
    ResponseEntry,
)
from monitor.sla.availability import CountedOutage, OutageSource
from monitor.sla.norms import Band, BandOutcome
from monitor.sla.resolution import MonthlyResolution, ResolutionVerdict
from monitor.sla.response import ResponseVerdict
from monitor.store.records import MailLocator, MissAnalysisRecord, RequestLocator

__all__ = ["locator_to_dict", "miss_to_dict", "render_json", "report_to_dict"]

JSONObject = dict[str, Any]


def render_json(report: Report) -> str:
    """The report as a JSON document (UTF-8 text, two-space indent, trailing newline)."""
    return json.dumps(report_to_dict(report), indent=2, ensure_ascii=False, allow_nan=False) + "\n"


def _iso(instant: datetime | None, zone: ZoneInfo) -> str | None:
    return None if instant is None else instant.astimezone(zone).isoformat()


def report_to_dict(report: Report) -> JSONObject:
    zone = report.zone
    return {
        "month": str(report.month),
        "timezone": str(zone),
        "generated_at": _iso(report.generated_at, zone),
        "final": report.final,
        "policies": {
            "maintenance": report.policies.maintenance.value,
            "unmonitored": report.policies.unmonitored.value,
            "business_day": report.policies.business_day.value,
            "servicedesk_calendar": report.policies.servicedesk_calendar,
        },
        "holidays": [day.isoformat() for day in report.holidays],
        "availability": [_availability(entry, report) for entry in report.availability],
        "response": [_response(entry, report) for entry in report.response],
        # -- additions to the documented shape ----------------------------------------------
        "generated_by": f"sla-monitor {report.version}",
        "period": {
            "start": _iso(report.period.start, zone),
            "end": _iso(report.period.end, zone),
        },
        "last_deadline": _iso(report.last_deadline, zone),
        "reporting": _reporting(report),
        "calendars": [
            {
                "name": calendar.name,
                "description": calendar.text,
                "closed_days": [
                    {"date": closed.day.isoformat(), "name": closed.name}
                    for closed in calendar.closed_days
                ],
            }
            for calendar in report.calendars
        ],
        "maintenance": [_maintenance(line, zone) for line in report.maintenance],
        "misses": [miss_to_dict(miss, zone) for miss in report.misses],
        "uncategorised_requests": [
            {"category": category, "received": count} for category, count in report.uncategorised
        ],
        "language": report.language,
        "header": {
            "supplier": report.header.supplier,
            "client": report.header.client,
            "contract_reference": report.header.contract_reference,
        },
        "final_at": _iso(report.final_at, zone),
        "locations": [
            _vantage(target.vantage, zone) for target in report.targets if target.vantage
        ],
    }


def _description(description: Description) -> JSONObject:
    return {
        "requirement": description.requirement,
        "indicator": description.indicator,
        "norm": description.norm,
        "bandwidth": description.bandwidth,
        "growth_path": description.growth_path,
        "measurement_method": description.method,
        "measurement_frequency": description.frequency,
    }


def _availability(entry: AvailabilityEntry, report: Report) -> JSONObject:
    zone = report.zone
    figure = entry.figure
    budget = figure.budget
    vantage = report.vantage_of(entry.target)
    return {
        "target": entry.target,
        "window": entry.window,
        "objective": entry.objective,
        "window_seconds": seconds(figure.window),
        "unplanned_downtime_seconds": seconds(figure.unplanned_downtime),
        "maintenance_seconds": seconds(figure.maintenance),
        "unmonitored_seconds": seconds(figure.unmonitored),
        "availability": figure.availability,
        "met": figure.met,
        "outages": [
            {**_outage(counted, zone), **_seen_by(counted, vantage, report.generated_at, zone)}
            for counted in figure.outages
        ],
        # -- additions --
        "requirement": entry.requirement,
        "analysis": [
            _analysis(a, zone)
            for a in report.analyses_of("availability", entry.target, entry.window)
        ],
        "unavailable_seconds": seconds(figure.penalised),
        "coverage": figure.coverage,
        "evidence": {
            "min_coverage": figure.evidence.min_coverage,
            "sufficient": figure.evidence.sufficient,
            "reason": figure.evidence.reason,
        },
        "budget_seconds": seconds(budget.total),
        "budget_remaining_seconds": seconds(budget.remaining),
        "description": _description(entry.description),
        **_outcome(entry.band, entry.outcome),
        **_quorum(entry, vantage),
    }


def _outcome(band: Band | None, outcome: BandOutcome | None) -> JSONObject:
    """The band in force in the month and where the month landed (B3.7, 3.2.19)."""
    return {
        "band": None
        if band is None
        else {
            "bonus_at_or_above": band.bonus_at_or_above,
            "malus_below": band.malus_below,
            "labels": {key.value: text for key, text in band.labels},
        },
        "outcome": None if outcome is None else outcome.value,
        "outcome_label": None if band is None else band.label(outcome),
    }


def _quorum(entry: AvailabilityEntry, vantage: VantageFigures | None) -> JSONObject:
    """The quorum in force for the figure and the time it was judged with fewer locations."""
    if vantage is None:
        return {}
    return {
        "quorum": vantage.quorum,
        "degraded_vantage_seconds": seconds(vantage.degraded.get(entry.window, timedelta(0))),
    }


def _seen_by(
    counted: CountedOutage, vantage: VantageFigures | None, now: datetime, zone: ZoneInfo
) -> JSONObject:
    """Which locations saw a counted outage, each with its own start and cause."""
    if vantage is None or counted.outage.source is not OutageSource.PROBE:
        return {}
    span = counted.outage.measured(now)
    sightings = [
        s
        for q in vantage.vantage.outages
        if span is not None and q.span.intersection(span) is not None
        for s in q.sightings
    ]
    return {
        "locations": sorted({s.location for s in sightings}),
        "sightings": [
            {"location": s.location, "start": _iso(s.start, zone), "cause": s.cause}
            for s in sightings
        ],
    }


def _vantage(vantage: VantageFigures, zone: ZoneInfo) -> JSONObject:
    """Per target: every location's unmonitored time and its location-only failures."""
    judged = vantage.vantage
    return {
        "target": vantage.target,
        "quorum": vantage.quorum,
        "degraded_vantage_seconds": seconds(judged.degraded.total),
        "unmonitored_seconds": seconds(judged.unmonitored.total),
        "locations": [
            {
                "location": view.location,
                "unmonitored_seconds": seconds(judged.not_monitoring[view.location].total),
                "location_only_failure_seconds": seconds(vantage.location_only(view.location)),
            }
            for view in vantage.views
        ],
        "location_only_failures": [
            {
                "location": failure.location,
                "start": _iso(failure.span.start, zone),
                "end": _iso(failure.span.end, zone),
                "seconds": seconds(failure.span.duration),
                "cause": failure.cause,
            }
            for failure in judged.failures
        ],
    }


def _outage(counted: CountedOutage, zone: ZoneInfo) -> JSONObject:
    outage = counted.outage
    return {
        "start": _iso(outage.start, zone),
        "end": _iso(outage.end, zone),
        "counted_seconds": seconds(counted.counted),
        "cause": outage.cause,
        "source": outage.source.value,
        "id": outage.id,
        "voided": outage.voided,
        "disputed": outage.disputed,
        "corrections": [
            {
                "kind": c.kind,
                "at": _iso(c.at, zone),
                "reason": c.reason,
                "actor": c.actor,
                "recorded_at": _iso(c.recorded_at, zone),
            }
            for c in outage.corrections
        ],
    }


def _analysis(analysis: MissAnalysisRecord, zone: ZoneInfo) -> JSONObject:
    return {
        "cause": analysis.cause,
        "measures": analysis.measures,
        "author": analysis.author,
        "recorded_at": _iso(analysis.recorded_at, zone),
    }


def _response(entry: ResponseEntry, report: Report) -> JSONObject:
    result = entry.result
    zone = report.zone
    resolved = entry.resolutions()
    return {
        "category": result.category,
        "objective": result.objective,
        "days": result.days,
        "received": result.received,
        "met": result.met,
        "breached": result.breached,
        "pending": result.pending,
        "ratio": result.ratio,
        "objective_met": result.objective_met,
        "requests": [_request(v, entry, report, resolved) for v in result.verdicts],
        # -- additions --
        "requirement": entry.requirement,
        "analysis": [
            _analysis(a, zone) for a in report.analyses_of("response", result.category, None)
        ],
        "final": result.final,
        "last_deadline": _iso(entry.last_deadline, zone),
        "description": _description(entry.description),
        **_outcome(entry.band, entry.outcome),
        "unit": entry.unit,
        "resolution": _resolution(entry.resolution),
    }


def _reporting(report: Report) -> JSONObject | None:
    """When this report and its analyses are due (3.2.5, 3.2.6), and whether the previous
    month's report was delivered on time (3.2.38)."""
    deadlines = report.deadlines
    if deadlines is None:
        return None
    zone = report.zone
    previous = deadlines.previous
    return {
        "report_due": _iso(deadlines.report_due, zone),
        "analyses_due": _iso(deadlines.analyses_due, zone),
        "previous_month": {
            "month": str(previous.month),
            "due": _iso(previous.due, zone),
            "delivered_at": _iso(previous.delivered_at, zone),
            "final": previous.final,
            "on_time": previous.on_time,
        },
    }


def _resolution(month: MonthlyResolution | None) -> JSONObject | None:
    """A category's resolution term and its counts per outcome (3.2.40); ``None`` without."""
    if month is None:
        return None
    norm = month.norm
    return {
        "days": norm.days,
        "unit": norm.unit.value,
        "overrun_tiers": list(norm.tiers),
        "tier_names": list(norm.names),
        "counts": month.counts(),
        "pending_at_least": month.pending_at_least(),
    }


def _request_resolution(verdict: ResolutionVerdict | None, zone: ZoneInfo) -> JSONObject | None:
    if verdict is None:
        return None
    resolved = verdict.request.resolved_at
    return {
        "resolved_at": _iso(resolved if verdict.ratio is not None else None, zone),
        "due": _iso(verdict.due, zone),
        "outcome": verdict.outcome,
        "ratio": verdict.ratio,
        "at_least": verdict.at_least,
    }


def _request(
    verdict: ResponseVerdict,
    entry: ResponseEntry,
    report: Report,
    resolved: dict[str, ResolutionVerdict],
) -> JSONObject:
    request = verdict.request
    answered = request.answered_at
    # An answer after generated_at was not known then; the outcome ignores it, and so does
    # the line, so outcome and answered_at always agree.
    if answered is not None and answered > report.generated_at:
        answered = None
    zone = report.zone
    return {
        "id": request.id,
        "received_at": _iso(request.received_at, zone),
        "deadline": _iso(verdict.deadline, zone),
        "answered_at": _iso(answered, zone),
        "outcome": verdict.outcome.value,
        "source": entry.sources.get(request.id),
        "locator": locator_to_dict(entry.locators.get(request.id), zone, answered is not None),
        "resolution": _request_resolution(resolved.get(request.id), zone),
    }


def _mail(mail: MailLocator, zone: ZoneInfo) -> JSONObject:
    return {
        "mailbox": mail.mailbox,
        "folder": mail.folder,
        "uidvalidity": mail.uidvalidity,
        "uid": mail.uid,
        "internaldate": _iso(mail.internaldate, zone),
    }


def locator_to_dict(
    locator: RequestLocator | None, zone: ZoneInfo, answered: bool = True
) -> JSONObject | None:
    """Where the desk finds the request mail and its answer; ``None`` for a request that did
    not come from a mailbox. An answer not known at ``generated_at`` is not named."""
    if locator is None:
        return None
    return {
        "request": _mail(locator.request, zone),
        "answer": None if locator.answer is None or not answered else _mail(locator.answer, zone),
    }


def _maintenance(line: MaintenanceLine, zone: ZoneInfo) -> JSONObject:
    return {
        "name": line.name,
        "kind": line.kind.value,
        "start": _iso(line.start, zone),
        "end": _iso(line.end, zone),
        "targets": list(line.targets),
        "counted": line.counted,
        "retroactive": line.retroactive,
        "schedule": line.schedule,
        "reason": line.reason,
        "id": line.id,
        "registered_at": _iso(line.registered_at, zone),
        "registered_by": line.registered_by,
        "approved_by": line.approved_by,
        "standing": line.standing,
        "requested_by": line.requested_by,
        "approved_at": _iso(line.approved_at, zone),
    }


def miss_to_dict(miss: Miss, zone: ZoneInfo) -> JSONObject:
    """A missed PI with the ids of its evidence and its 3.2.6 analyses."""
    return {
        "kind": miss.kind,
        "name": miss.name,
        "window": miss.window,
        "objective": miss.objective,
        "value": miss.value,
        "outage_ids": [c.outage.id for c in miss.outages],
        "request_ids": [v.request.id for v in miss.requests],
        "analysis": [_analysis(a, zone) for a in miss.analyses],
    }
