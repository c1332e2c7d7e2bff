"""The report as CSV: one row per figure, then one per late request, for spreadsheets.

The first six columns are ``kind`` (``availability``, ``response`` or ``late_request``),
``name`` (the target or the category), ``window`` (the SLA window; for response rows the
business calendar the clock runs in), ``objective``, ``value`` and ``met``. The next are the
components each figure is made of, so a spreadsheet can recompute it:
``1 − unplanned_downtime_seconds / window_seconds`` for availability (under the default
policies), ``requests_met / (requests_met + breached)`` for response. Columns that do not
apply to a row's kind are empty.

After the figures comes one ``late_request`` row for every breached request (requirement
3.2.6: the analysis of a miss starts from the requests behind it): its id, receipt,
deadline, answer and source, and for mail the locator of the request and of its answer:
mailbox, folder, UIDVALIDITY, UID and INTERNALDATE, enough to open the message on the IMAP
server. Never a subject, body or address: the store has none. The locator columns are empty
for imported and webhook requests, the answer's while no answer was known at
``generated_at``.

A category with a resolution term (3.2.40) adds one ``resolution`` row per outcome
(``in_time``, each overrun tier, ``pending``; ``received`` is the count of the month's
requests with that outcome) and one ``overrun_request`` row per request past a tier,
resolved or not (``outcome`` the tier, or ``pending`` with the tier it already exceeded in
``at_least``), with ``resolved_at``, ``resolution_due`` and ``resolution_ratio``. ``unit``
says what ``days`` count (``working_days`` or ``calendar_days``). These columns come after
the older ones, so a spreadsheet that reads columns by position keeps working.

Values are exact (the core's floats, seconds to the microsecond; instants ISO-8601 with the
offset of the report's zone); ``value`` and ``met`` are empty while nothing is decided (a
category without decided requests). An availability figure whose verdict the unmeasured
time could still change says ``insufficient evidence`` in ``met``: it is neither true nor
false. ``band_outcome`` (``bonus``, ``neutral``, ``malus``) and its configured label are
filled on figure rows whose PI has a bonus/malus band and a known outcome (B3.7, 3.2.19).
The column ``requirement`` (the last one with a single probe location) is the contract
requirement the row answers to (3.2.10, 3.2.7, 3.2.8, 3.2.9, ...). Column names and values
stay English in every report language: the CSV is for machines and spreadsheets, not for
reading aloud.

A target probed from several locations (docs/rules.md#quorum) fills ``quorum`` and
``degraded_vantage_seconds`` (window time judged by fewer monitoring locations than the
quorum) on its availability rows, and adds at the end one ``location`` row per location
(``location``, its own ``unmonitored_seconds`` and ``location_only_failure_seconds``) and one
``location_only_failure`` row per stretch a location alone saw the target down (``location``,
``start``, ``end``, ``location_only_failure_seconds`` its length, ``cause``): listed, never
downtime. These seven columns come after ``requirement``, and only when some target has
several locations (which the configuration decides, so the header is the same every month).
RFC 4180: comma, CRLF, quotes only where needed.
"""

from __future__ import annotations

import csv
import io
from datetime import datetime
from zoneinfo import ZoneInfo

from monitor.figures.vantage import VantageFigures
from monitor.report._text import seconds
from monitor.report.model import AvailabilityEntry, Report, ResponseEntry
from monitor.sla.norms import Band, BandOutcome
from monitor.sla.resolution import IN_TIME, PENDING
from monitor.store.records import MailLocator

__all__ = ["COLUMNS", "INSUFFICIENT_EVIDENCE", "LOCATION_COLUMNS", "render_csv"]

COLUMNS = (
    "month",
    "final",
    "kind",
    "name",
    "window",
    "objective",
    "value",
    "met",
    "window_seconds",
    "unplanned_downtime_seconds",
    "maintenance_seconds",
    "unmonitored_seconds",
    "unavailable_seconds",
    "coverage",
    "days",
    "received",
    "requests_met",
    "breached",
    "pending",
    "analysis",
    "request_id",
    "received_at",
    "deadline",
    "answered_at",
    "outcome",
    "source",
    *(
        f"{role}_{part}"
        for role in ("request", "answer")
        for part in ("mailbox", "folder", "uidvalidity", "uid", "internaldate")
    ),
    "band_outcome",
    "band_outcome_label",
    "unit",
    "resolved_at",
    "resolution_due",
    "resolution_ratio",
    "at_least",
    "requirement",
)

LOCATION_COLUMNS = (
    "location",
    "quorum",
    "degraded_vantage_seconds",
    "location_only_failure_seconds",
    "start",
    "end",
    "cause",
)
"""After ``requirement``, only in the report of a configuration with a target probed from
several locations: a single-location installation's CSV stays exactly as it was."""


def _bool(value: bool | None) -> str:
    return "" if value is None else ("true" if value else "false")


INSUFFICIENT_EVIDENCE = "insufficient evidence"


def _number(value: float | None) -> str:
    return "" if value is None else repr(value)


def _instant(instant: datetime | None, zone: ZoneInfo) -> str:
    return "" if instant is None else instant.astimezone(zone).isoformat()


def _mail(role: str, mail: MailLocator | None, zone: ZoneInfo) -> dict[str, str]:
    if mail is None:
        return {}
    return {
        f"{role}_mailbox": mail.mailbox,
        f"{role}_folder": mail.folder,
        f"{role}_uidvalidity": str(mail.uidvalidity),
        f"{role}_uid": str(mail.uid),
        f"{role}_internaldate": _instant(mail.internaldate, zone),
    }


def _analysis(report: Report, kind: str, name: str, window: str | None) -> str:
    """The 3.2.6 analyses of the figure, one "cause — measures (author)" per line."""
    return "\n".join(
        f"{a.cause} — {a.measures} ({a.author})" for a in report.analyses_of(kind, name, window)
    )


def _outcome(band: Band | None, outcome: BandOutcome | None) -> dict[str, str]:
    if band is None or outcome is None:
        return {}
    return {"band_outcome": outcome.value, "band_outcome_label": band.label(outcome) or ""}


def _resolution_rows(
    writer: csv.DictWriter[str], report: Report, response: ResponseEntry, common: dict[str, str]
) -> None:
    """The counts per resolution outcome and the requests past a tier (3.2.40)."""
    month = response.resolution
    if month is None:
        return
    zone = report.zone
    base = {
        **common,
        "name": response.category,
        "window": report.policies.servicedesk_calendar,
        "days": str(month.norm.days),
        "unit": month.norm.unit.value,
    }
    for outcome, count in month.counts().items():
        writer.writerow({**base, "kind": "resolution", "outcome": outcome, "received": str(count)})
    for verdict in month.verdicts:
        if verdict.outcome == IN_TIME or (verdict.outcome == PENDING and not verdict.at_least):
            continue
        request = verdict.request
        writer.writerow(
            {
                **base,
                "kind": "overrun_request",
                "request_id": request.id,
                "received_at": _instant(request.received_at, zone),
                "resolved_at": _instant(
                    request.resolved_at if verdict.ratio is not None else None, zone
                ),
                "resolution_due": _instant(verdict.due, zone),
                "resolution_ratio": _number(verdict.ratio),
                "outcome": verdict.outcome,
                "at_least": verdict.at_least or "",
                "source": response.sources.get(request.id, ""),
            }
        )


def _several(vantage: VantageFigures | None) -> VantageFigures | None:
    """The vantage of a target probed from several locations; ``None`` for one location."""
    return vantage if vantage is not None and len(vantage.views) > 1 else None


def _quorum(report: Report, entry: AvailabilityEntry) -> dict[str, str]:
    vantage = _several(report.vantage_of(entry.target))
    if vantage is None:
        return {}
    degraded = vantage.degraded.get(entry.window)
    return {
        "quorum": str(vantage.quorum),
        "degraded_vantage_seconds": "" if degraded is None else _number(seconds(degraded)),
    }


def _location_rows(writer: csv.DictWriter[str], report: Report, common: dict[str, str]) -> None:
    """Each location's month and its location-only failures, per target probed from several
    locations (docs/rules.md#quorum)."""
    zone = report.zone
    for target in report.targets:
        vantage = _several(target.vantage)
        if vantage is None:
            continue
        judged = vantage.vantage
        base = {**common, "name": target.name, "quorum": str(vantage.quorum)}
        for view in vantage.views:
            writer.writerow(
                {
                    **base,
                    "kind": "location",
                    "location": view.location,
                    "unmonitored_seconds": _number(
                        seconds(judged.not_monitoring[view.location].total)
                    ),
                    "location_only_failure_seconds": _number(
                        seconds(vantage.location_only(view.location))
                    ),
                }
            )
        for failure in judged.failures:
            writer.writerow(
                {
                    **base,
                    "kind": "location_only_failure",
                    "location": failure.location,
                    "start": _instant(failure.span.start, zone),
                    "end": _instant(failure.span.end, zone),
                    "location_only_failure_seconds": _number(seconds(failure.span.duration)),
                    "cause": failure.cause,
                }
            )


def render_csv(report: Report) -> str:
    buffer = io.StringIO()
    several = any(_several(target.vantage) is not None for target in report.targets)
    columns = COLUMNS + LOCATION_COLUMNS if several else COLUMNS
    writer = csv.DictWriter(buffer, fieldnames=columns, restval="", lineterminator="\r\n")
    writer.writeheader()
    common = {"month": str(report.month), "final": _bool(report.final)}
    for entry in report.availability:
        figure = entry.figure
        writer.writerow(
            {
                **common,
                "kind": "availability",
                "name": entry.target,
                "window": entry.window,
                "objective": _number(entry.objective),
                "value": _number(figure.availability),
                "met": INSUFFICIENT_EVIDENCE if figure.met is None else _bool(figure.met),
                "window_seconds": _number(seconds(figure.window)),
                "unplanned_downtime_seconds": _number(seconds(figure.unplanned_downtime)),
                "maintenance_seconds": _number(seconds(figure.maintenance)),
                "unmonitored_seconds": _number(seconds(figure.unmonitored)),
                "unavailable_seconds": _number(seconds(figure.penalised)),
                "coverage": _number(figure.coverage),
                "analysis": _analysis(report, "availability", entry.target, entry.window),
                **_outcome(entry.band, entry.outcome),
                "requirement": entry.requirement or "",
                **_quorum(report, entry),
            }
        )
    for response in report.response:
        result = response.result
        writer.writerow(
            {
                **common,
                "kind": "response",
                "name": result.category,
                "window": report.policies.servicedesk_calendar,
                "objective": _number(result.objective),
                "value": _number(result.ratio),
                "met": _bool(result.objective_met),
                "days": str(result.days),
                "received": str(result.received),
                "requests_met": str(result.met),
                "breached": str(result.breached),
                "pending": str(result.pending),
                "analysis": _analysis(report, "response", result.category, None),
                **_outcome(response.band, response.outcome),
                "unit": response.unit,
                "requirement": response.requirement or "",
            }
        )
    for response in report.response:
        _resolution_rows(writer, report, response, common)
    zone = report.zone
    for response in report.response:
        for verdict in response.late:
            request = verdict.request
            answered = request.answered_at
            known = answered is not None and answered <= report.generated_at
            locator = response.locator(verdict, report.generated_at)
            writer.writerow(
                {
                    **common,
                    "kind": "late_request",
                    "name": response.category,
                    "window": report.policies.servicedesk_calendar,
                    "days": str(response.result.days),
                    "request_id": request.id,
                    "received_at": _instant(request.received_at, zone),
                    "deadline": _instant(verdict.deadline, zone),
                    "answered_at": _instant(answered if known else None, zone),
                    "outcome": verdict.outcome.value,
                    "source": response.sources.get(request.id, ""),
                    **_mail("request", locator.request if locator else None, zone),
                    **_mail("answer", locator.answer if locator else None, zone),
                    "requirement": response.requirement or "",
                }
            )
    _location_rows(writer, report, common)
    return buffer.getvalue()
