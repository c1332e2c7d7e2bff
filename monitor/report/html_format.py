"""The report as one self-contained HTML file: what the client reads (3.2.5) and prints.

Requirement 3.2.5 asks for a monthly report "over de daadwerkelijk geleverde prestaties op
alle PI's", 3.2.6 for an analysis of every missed one and 3.2.15 for each PI's indicator,
norm, bandwidth, method and frequency. The page is built for that reader:

1. a summary with every service level against its norm;
2. the missed service levels with the outages or late requests behind each, and the 3.2.6
   analysis (cause, measures, author) recorded for each;
3. per target, a timeline of the month (outages, agreed maintenance shaded, monitoring gaps)
   and a table that adds every figure up from its parts, with every correction of an outage
   (annotated, disputed, closed, voided: who, when, why) next to the outage it changed;
4. the maintenance windows: who registered and who approved each, and its standing
   (agreed in advance, short notice, retroactive);
5. service-desk response per category, with every late and pending request and where its
   mail and answer lie on the IMAP server (never a subject, body or address);
6. the 3.2.15 descriptions; 7. the policies in force and the resolved holiday list.

One file, nothing fetched: inline CSS, inline SVG, no script (it reads the same in a mail
client, an archive and on paper). Print CSS gives A4 pages, keeps tables and timelines in one
piece where they fit, repeats table heads, and stamps "NOT FINAL" on every page of a report
that is not final. Every piece of text from configuration or evidence is escaped. Figures
carry ``data-key`` attributes so tests (and scrapers) can find them without parsing prose.
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Sequence
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from monitor.config import ALWAYS
from monitor.report._text import duration_text, instant_text, objective_text, percent_text
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
    MaintenancePolicy,
    Outage,
    OutageSource,
    UnmonitoredPolicy,
)
from monitor.sla.calendar import WEEKDAY_NAMES
from monitor.sla.corrections import OutageCorrection, corrected_end
from monitor.sla.intervals import Interval, as_utc
from monitor.sla.response import BusinessDayMode, ResponseVerdict
from monitor.store.records import MailLocator, MissAnalysisRecord

__all__ = ["render_html"]

_MONTHS = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip
_WIDTH = 1000.0  # SVG user units across a month
_ZERO = timedelta(0)


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


def _month_title(report: Report) -> str:
    return f"{_MONTHS[report.month.month - 1]} {report.month.year}"


def render_html(report: Report) -> str:
    """The whole document as a string."""
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f'<meta name="generator" content="sla-monitor {_e(report.version)}">',
        f"<title>Service Level Report {_e(report.month)}"
        f"{'' if report.final else ' (NOT FINAL)'}</title>",
        f"<style>{_CSS}</style>",
        "</head>",
        f'<body class="{"final" if report.final else "provisional"}">',
        _SVG_DEFS,
        _header(report),
        _contents(),
        _summary(report),
        _misses(report),
        _availability(report),
        _maintenance(report),
        _response(report),
        _descriptions(report),
        _policies(report),
        _footer(report),
        "</body>",
        "</html>",
    ]
    return "\n".join(parts) + "\n"


# -- header ---------------------------------------------------------------------------------


def _header(report: Report) -> str:
    zone = report.zone
    period = f"{instant_text(report.period.start, zone)} – {instant_text(report.period.end, zone)}"
    lines = [
        "<header>",
        f'<h1>Service Level Report <span class="month">{_e(_month_title(report))}</span></h1>',
        f'<p class="meta">Period {_e(period)} ({_e(zone)}) · generated '
        f'<span data-key="generated_at">{_e(instant_text(report.generated_at, zone))}</span>'
        f" · sla-monitor {_e(report.version)}</p>",
    ]
    if report.final:
        lines.append(
            '<p class="status final" data-key="final">Final: no figure in this report can '
            "change any more through the passing of time.</p>"
        )
    else:
        lines.append('<div class="watermark" aria-hidden="true">NOT FINAL</div>')
        lines.append(
            f'<div class="status provisional" role="alert" data-key="final">'
            f"<strong>NOT FINAL.</strong> {_e(_why_not_final(report))}</div>"
        )
    lines.append("</header>")
    return "\n".join(lines)


def _why_not_final(report: Report) -> str:
    zone = report.zone
    reasons = []
    if not report.month_ended:
        reasons.append(
            f"The month is still running: figures cover the time up to "
            f"{instant_text(report.generated_at, zone)}."
        )
    pending = sum(r.result.pending for r in report.response)
    if pending:
        reasons.append(
            f"{pending} service-desk request{'s are' if pending != 1 else ' is'} still within "
            f"{'their deadlines' if pending != 1 else 'its deadline'} and may yet be answered "
            "in time or late."
        )
    if report.last_deadline is not None:
        reasons.append(
            "The figures are final after the last possible response deadline, "
            f"{instant_text(report.last_deadline, zone)}."
        )
    else:
        reasons.append(
            "The figures are final once the month has ended, "
            f"{instant_text(report.period.end, zone)}."
        )
    return " ".join(reasons)


def _contents() -> str:
    items = (
        ("summary", "Summary"),
        ("misses", "Missed service levels"),
        ("availability", "Availability per target"),
        ("maintenance", "Maintenance"),
        ("response", "Service-desk response"),
        ("descriptions", "Service level descriptions (3.2.15)"),
        ("policies", "Policies and calendars"),
    )
    links = "".join(f'<li><a href="#{key}">{_e(title)}</a></li>' for key, title in items)
    return f'<nav aria-label="Contents"><ol>{links}</ol></nav>'


# -- summary --------------------------------------------------------------------------------


def _verdict(met: bool | None, *, pending: str = "no decided requests") -> str:
    if met is None:
        return f'<span class="verdict none">{_e(pending)}</span>'
    if met:
        return '<span class="verdict met">✓ met</span>'
    return '<span class="verdict missed">✗ missed</span>'


def _availability_verdict(figure: AvailabilityFigure) -> str:
    """✓/✗, or a visible mark when coverage is below the threshold; the reason beside
    either when the evidence is short (a proven miss stays a miss)."""
    reason = figure.evidence.reason
    if reason is None:
        return _verdict(figure.met)
    if figure.met is None:
        mark = (
            f'<span class="verdict insufficient" title="{_e(reason)}">'
            "⚠ insufficient evidence</span>"
        )
    else:
        mark = _verdict(figure.met)
    return f"{mark}<br><small>{_e(reason)}</small>"


def _bar(fill: float, colour: str, marker: float | None) -> str:
    """A 160×12 bar filled to ``fill`` (0..1), with a norm marker at ``marker``."""
    width = 160.0
    filled = max(0.0, min(fill, 1.0)) * width
    parts = [
        f'<svg class="bar" viewBox="0 0 {width:.0f} 12" width="{width:.0f}" height="12" '
        'role="img" aria-hidden="true">',
        f'<rect x="0" y="1" width="{width:.0f}" height="10" class="bar-bg"/>',
        f'<rect x="0" y="1" width="{filled:.2f}" height="10" class="{colour}"/>',
    ]
    if marker is not None:
        x = max(0.0, min(marker, 1.0)) * width
        parts.append(f'<line x1="{x:.2f}" x2="{x:.2f}" y1="0" y2="12" class="norm"/>')
    parts.append("</svg>")
    return "".join(parts)


def _budget_cell(entry: AvailabilityEntry) -> str:
    figure = entry.figure
    budget = figure.budget
    used = figure.penalised
    if budget.total <= _ZERO:
        fill = 1.0 if used > _ZERO else 0.0
        text = "no downtime allowed" + (f"; {duration_text(used)} counted" if used else "")
    else:
        fill = used / budget.total
        text = f"{duration_text(used)} of {duration_text(budget.total)} allowed"
    colour = {True: "fill-met", False: "fill-missed", None: "fill-none"}[figure.met]
    return f"{_bar(fill, colour, 1.0 if budget.total > _ZERO else None)} <small>{_e(text)}</small>"


def _ratio_cell(entry: ResponseEntry) -> str:
    result = entry.result
    decided = result.met + result.breached
    if result.ratio is None:
        return f"{_bar(0.0, 'fill-none', result.objective)} <small>nothing decided yet</small>"
    colour = "fill-met" if result.objective_met else "fill-missed"
    text = f"{result.met} of {decided} decided in time"
    return f"{_bar(result.ratio, colour, result.objective)} <small>{_e(text)}</small>"


def _when(instant: datetime | None, zone: ZoneInfo) -> str:
    """A table cell with an instant; never wrapped, so dates and times stay on one line."""
    return f'<td class="when">{_e(instant_text(instant, zone))}</td>'


def _key(*parts: str) -> str:
    return _e(":".join(parts))


def _summary(report: Report) -> str:
    rows = []
    for entry in report.availability:
        key = ("a", entry.target, entry.window)
        rows.append(
            "<tr>"
            f"<td>Availability <strong>{_e(entry.target)}</strong></td>"
            f"<td>{_e(_window_name(entry.window))}</td>"
            f'<td class="num">{_e(objective_text(entry.objective))}</td>'
            f'<td class="num figure" data-key="{_key(*key, "summary")}">'
            f"{_e(percent_text(entry.availability))}</td>"
            f'<td class="against">{_budget_cell(entry)}</td>'
            f"<td>{_availability_verdict(entry.figure)}</td>"
            "</tr>"
        )
    for response in report.response:
        result = response.result
        ratio = "—" if result.ratio is None else percent_text(result.ratio)
        requirement = response.description.requirement
        rows.append(
            "<tr>"
            f"<td>Response <strong>{_e(result.category)}</strong>"
            f"{f' <small>({_e(requirement)})</small>' if requirement else ''}</td>"
            f"<td>within {result.days} working day{'s' if result.days != 1 else ''}</td>"
            f'<td class="num">{_e(objective_text(result.objective))}</td>'
            f'<td class="num figure" data-key="{_key("r", result.category, "summary")}">'
            f"{_e(ratio)}</td>"
            f'<td class="against">{_ratio_cell(response)}</td>'
            f"<td>{_verdict(result.objective_met)}</td>"
            "</tr>"
        )
    missed = len(report.misses)
    unjudged = sum(1 for entry in report.availability if entry.met is None)
    total = len(report.availability) + len(report.response)
    tally = (
        f"{total - missed - unjudged} of {total} service levels met their norm"
        + (f"; {unjudged} without sufficient evidence" if unjudged else "")
        + (f"; {missed} missed (see section 2)." if missed else ".")
    )
    return (
        '<section id="summary"><h2>1. Summary</h2>'
        f'<p class="tally" data-key="tally">{_e(tally)}</p>'
        '<table class="summary"><thead><tr><th>Service level</th><th>Window</th>'
        "<th>Norm</th><th>Result</th><th>Against the norm</th><th></th></tr></thead>"
        f"<tbody>{''.join(rows)}</tbody></table>"
        '<p class="legend">Availability bars show the unplanned downtime against the error '
        "budget the norm allows (the line is the norm); response bars show the share of decided "
        "requests answered in time (the line is the norm). Percentages are rounded down.</p>"
        "</section>"
    )


def _window_name(window: str) -> str:
    return "24/7" if window == ALWAYS else window


# -- misses (3.2.6) -------------------------------------------------------------------------


def _misses(report: Report) -> str:
    misses = report.misses
    intro = (
        "Every service level that missed its norm, with the evidence behind it and the "
        "analysis of requirement 3.2.6 (cause and measures) recorded for it."
    )
    if not misses:
        body = '<p class="ok">Every service level met its norm in this month.</p>'
    else:
        body = "".join(_miss(miss, report) for miss in misses)
    return f'<section id="misses"><h2>2. Missed service levels</h2><p>{intro}</p>{body}</section>'


def _miss(miss: Miss, report: Report) -> str:
    zone = report.zone
    value = "—" if miss.value is None else percent_text(miss.value)
    if miss.kind == "availability":
        title = (
            f"{miss.name} · {_window_name(miss.window or '')}: {value} against a norm of "
            f"{objective_text(miss.objective)}"
        )
        rows = "".join(
            f'<tr class="{_outage_css(c.outage)}">'
            f"{_when(c.outage.start, zone)}"
            f"{_end_cell(c.outage, zone)}"
            f'<td class="num">{_e(duration_text(c.counted))}</td>'
            f"<td>{_e(c.outage.cause)}{_badges(c.outage)}</td>"
            f"<td>{_e(c.outage.source.value)}</td>"
            "</tr>" + _trail(c.outage, 5, zone)
            for c in miss.outages
        )
        table = (
            "<table><thead><tr><th>Outage start</th><th>End</th><th>Counted</th><th>Cause</th>"
            f"<th>Source</th></tr></thead><tbody>{rows}</tbody></table>"
            if miss.outages
            else "<p>No outage counted; the miss comes from unmonitored time.</p>"
        )
        extra = (
            f"<p>Plus {_e(duration_text(miss.unmonitored))} of unmonitored time, which the "
            "policy counts as unavailable.</p>"
            if miss.unmonitored
            else ""
        )
        analysis = _analyses(miss, zone)
        return f'<div class="miss"><h3>{_e(title)}</h3>{table}{extra}{analysis}</div>'
    title = (
        f"Response {miss.name}: {value} of decided requests in time against a norm of "
        f"{objective_text(miss.objective)}"
    )
    entry = next(r for r in report.response if r.category == miss.name)
    table = _request_table(miss.requests, entry, report)
    return f'<div class="miss"><h3>{_e(title)}</h3>{table}{_analyses(miss, zone)}</div>'


def _analyses(miss: Miss, zone: ZoneInfo) -> str:
    """The 3.2.6 analyses of a miss, oldest first; a later one revises, both stay."""
    key = _key(miss.kind, miss.name, *((miss.window,) if miss.window is not None else ()))
    if not miss.analyses:
        return (
            f'<p class="analysis missing" data-key="analysis:{key}">No analysis recorded yet '
            "(3.2.6: due ten working days after the end of the month).</p>"
        )
    return "".join(_analysis(a, key, zone) for a in miss.analyses)


def _analysis(analysis: MissAnalysisRecord, key: str, zone: ZoneInfo) -> str:
    return (
        f'<div class="analysis" data-key="analysis:{key}"><h4>Analysis (3.2.6)</h4>'
        f'<dl><dt>Cause</dt><dd class="text">{_e(analysis.cause)}</dd>'
        f'<dt>Measures</dt><dd class="text">{_e(analysis.measures)}</dd></dl>'
        f'<p class="quiet">Recorded by {_e(analysis.author)} on '
        f"{_e(instant_text(analysis.recorded_at, zone))}.</p></div>"
    )


# -- corrections of outages -----------------------------------------------------------------

_CORRECTED = {"annotate": "annotated", "dispute": "disputed", "close": "closed", "void": "voided"}


def _outage_css(outage: Outage) -> str:
    css = [outage.source.value]
    if outage.voided:
        css.append("voided")
    if outage.corrections:
        css.append("corrected")
    return " ".join(css)


def _end_cell(outage: Outage, zone: ZoneInfo) -> str:
    """The end that counts; after a close, the measured end beside it."""
    end = corrected_end(outage.end, outage.corrections)
    if end == outage.end:
        return _when(outage.end, zone)
    return (
        f'<td class="when">{_e(instant_text(end, zone))}'
        f'<small class="measured">measured: {_e(instant_text(outage.end, zone))}</small></td>'
    )


def _badges(outage: Outage) -> str:
    made = {c.kind for c in outage.corrections}
    kinds = [k for k in ("void", "close", "dispute") if k in made]
    return "".join(
        f' <span class="badge {_e(kind)}">{_e(_CORRECTED[kind])}</span>' for kind in kinds
    )


def _trail(outage: Outage, columns: int, zone: ZoneInfo) -> str:
    """Every correction of the outage, oldest first, in a row under it."""
    if not outage.corrections:
        return ""
    items = "".join(_correction(outage, c, zone) for c in outage.corrections)
    return (
        f'<tr class="trail"><td colspan="{columns}"><ul class="corrections">{items}</ul></td></tr>'
    )


def _correction(outage: Outage, correction: OutageCorrection, zone: ZoneInfo) -> str:
    what = _CORRECTED[correction.kind]
    if correction.kind == "close":
        what += f" at {instant_text(correction.at, zone)}"
    elif correction.kind == "void":
        what += ": counts 0 s in every figure"
    return (
        f'<li data-key="{_key("correction", outage.id, correction.kind)}">'
        f"<strong>{_e(what)}</strong> by {_e(correction.actor)} on "
        f"{_e(instant_text(correction.recorded_at, zone))}: "
        f'<span class="text">{_e(correction.reason)}</span></li>'
    )


def _mail_text(mail: MailLocator, zone: ZoneInfo) -> str:
    """``ekv-desk · INBOX · UIDVALIDITY 1712 · UID 42 · 2026-11-03 09:12``: enough to open
    the message on the IMAP server (UID FETCH, or a search on the INTERNALDATE)."""
    parts = [mail.mailbox, mail.folder, f"UIDVALIDITY {mail.uidvalidity}", f"UID {mail.uid}"]
    if mail.internaldate is not None:
        parts.append(instant_text(mail.internaldate, zone))
    return " · ".join(parts)


def _where_cell(verdict: ResponseVerdict, entry: ResponseEntry, report: Report) -> str:
    """Where the desk finds the request and its answer (3.2.6 analysis of a late one); the
    report names no subject, body or address, the store has none."""
    locator = entry.locator(verdict, report.generated_at)
    if locator is None:
        source = entry.sources.get(verdict.request.id)
        text = (
            "not located yet (the next mailbox scan records it)"
            if source == "mailbox"
            else f"not from a mailbox ({source or 'unknown source'})"
        )
        return f'<td class="where quiet">{_e(text)}</td>'
    lines = [f"request: {_mail_text(locator.request, report.zone)}"]
    if locator.answer is not None:
        lines.append(f"answer: {_mail_text(locator.answer, report.zone)}")
    return f'<td class="where">{"<br>".join(_e(line) for line in lines)}</td>'


def _request_table(
    verdicts: Sequence[ResponseVerdict], entry: ResponseEntry, report: Report
) -> str:
    zone = report.zone
    rows = []
    for verdict in verdicts:
        request = verdict.request
        answered = request.answered_at
        if answered is not None and answered > report.generated_at:
            answered = None
        if answered is not None:
            delay = answered - verdict.deadline
            answered_text = instant_text(answered, zone)
        else:
            delay = report.generated_at - verdict.deadline
            answered_text = "unanswered"
        late_text = duration_text(delay) if delay > _ZERO else "—"
        rows.append(
            f'<tr class="{_e(verdict.outcome.value)}">'
            f"<td>{_e(request.id)}</td>"
            f"{_when(request.received_at, zone)}"
            f"{_when(verdict.deadline, zone)}"
            f"<td>{_e(answered_text)}</td>"
            f'<td class="num">{_e(late_text)}</td>'
            f"<td>{_e(verdict.outcome.value)}</td>"
            f"{_where_cell(verdict, entry, report)}"
            "</tr>"
        )
    return (
        "<table><thead><tr><th>Request</th><th>Received</th><th>Deadline</th><th>Answered</th>"
        "<th>Late by</th><th>Outcome</th><th>Where the mail lies</th></tr></thead>"
        f"<tbody>{''.join(rows)}</tbody></table>"
    )


# -- availability ---------------------------------------------------------------------------


def _availability(report: Report) -> str:
    if not report.targets:
        body = "<p>No targets are configured.</p>"
    else:
        body = "".join(_target(target, report) for target in report.targets)
    legend = (
        '<p class="legend"><span class="key k-outage"></span> outage (probed) '
        '<span class="key k-import"></span> outage (imported) '
        '<span class="key k-maint"></span> agreed maintenance '
        '<span class="key k-unagreed"></span> registered maintenance that does not count '
        '<span class="key k-gap"></span> unmonitored '
        '<span class="key k-closed"></span> weekend or holiday</p>'
    )
    return (
        '<section id="availability"><h2>3. Availability per target</h2>'
        "<p>A = 1 − D / T per window: T is the window time in the month, D the outage time "
        "in the window outside agreed maintenance (see the policies in section 7).</p>"
        f"{legend}{body}</section>"
    )


def _target(target: TargetReport, report: Report) -> str:
    description = f"<p>{_e(target.description)}</p>" if target.description else ""
    return (
        f'<article class="target" id="target-{_e(target.name)}">'
        f"<h3>{_e(target.name)}</h3>{description}"
        f"{_timeline(target, report)}"
        f"{_figure_table(target)}"
        f"{_corrected_note(target)}"
        f"{_outage_table(target, report)}"
        "</article>"
    )


def _figure_table(target: TargetReport) -> str:
    rows = []
    for entry in target.entries:
        figure = entry.figure
        key = ("a", entry.target, entry.window)

        def cell(name: str, text: str, key: tuple[str, ...] = key) -> str:
            return f'<td class="num" data-key="{_key(*key, name)}">{_e(text)}</td>'

        rows.append(
            "<tr>"
            f'<th scope="row">{_e(_window_name(entry.window))}</th>'
            + cell("window", duration_text(figure.window))
            + cell("downtime", duration_text(figure.unplanned_downtime))
            + cell("maintenance", duration_text(figure.maintenance))
            + cell("unmonitored", duration_text(figure.unmonitored))
            + cell("coverage", percent_text(figure.coverage))
            + cell("availability", percent_text(figure.availability))
            + f'<td class="num">{_e(objective_text(entry.objective))}</td>'
            + cell("budget", duration_text(figure.budget.remaining))
            + f'<td data-key="{_key(*key, "met")}">{_availability_verdict(figure)}</td>'
            + "</tr>"
        )
    return (
        '<table class="figures"><thead><tr><th>Window</th><th>Window time T</th>'
        "<th>Downtime D</th><th>Maintenance M</th><th>Unmonitored</th><th>Coverage</th>"
        "<th>Availability</th><th>Norm</th><th>Budget left</th><th></th></tr></thead>"
        f"<tbody>{''.join(rows)}</tbody></table>"
    )


def _corrected_note(target: TargetReport) -> str:
    """Which corrections the figures above were read through, so no change goes unseen."""
    corrected = [o for o in target.outages if o.corrections]
    if not corrected:
        return ""
    counts = [
        (sum(1 for o in corrected if any(c.kind == kind for c in o.corrections)), text)
        for kind, text in (
            ("void", "voided (counted as 0 s)"),
            ("close", "closed at a corrected end"),
            ("dispute", "disputed (still counted)"),
            ("annotate", "annotated"),
        )
    ]
    listed = ", ".join(f"{n} {text}" for n, text in counts if n)
    return (
        f'<p class="corrected-note" data-key="{_key("corrected", target.name)}">'
        f"These figures read {len(corrected)} outage{'s' if len(corrected) != 1 else ''} "
        f"through corrections: {_e(listed)}. Each correction is listed under its outage "
        "below, with who made it, when and why; the measured evidence is kept unchanged.</p>"
    )


def _outage_table(target: TargetReport, report: Report) -> str:
    if not target.outages:
        return '<p class="quiet">No outages in this month.</p>'
    zone = report.zone
    windows = [entry.window for entry in target.entries]
    counted = {
        (entry.window, c.outage.id, c.outage.start): c.counted
        for entry in target.entries
        for c in entry.figure.outages
    }
    head = "".join(f"<th>Counted {_e(_window_name(w))}</th>" for w in windows)
    rows = []
    for outage in target.outages:
        cells = "".join(
            f'<td class="num">'
            f"{_e(duration_text(counted.get((w, outage.id, outage.start), _ZERO)))}</td>"
            for w in windows
        )
        rows.append(
            f'<tr class="{_outage_css(outage)}">'
            f"{_when(outage.start, zone)}"
            f"{_end_cell(outage, zone)}{cells}"
            f"<td>{_e(outage.cause)}{_badges(outage)}</td><td>{_e(outage.source.value)}</td></tr>"
            + _trail(outage, len(windows) + 4, zone)
        )
    return (
        '<table class="outages"><thead><tr><th>Outage start</th><th>End</th>'
        f"{head}<th>Cause</th><th>Source</th></tr></thead><tbody>{''.join(rows)}</tbody></table>"
    )


def _timeline(target: TargetReport, report: Report) -> str:
    """The month from left to right: day grid, closed days, maintenance, outages, gaps."""
    period = report.period
    span = (period.end - period.start) / timedelta(microseconds=1)
    zone = report.zone

    def x(instant: datetime) -> float:
        offset = (as_utc(instant) - period.start) / timedelta(microseconds=1)
        return max(0.0, min(_WIDTH, offset / span * _WIDTH))

    def rects(spans: Iterable[Interval], y: float, h: float, css: str, title: str) -> str:
        out = []
        for s in spans:
            if s.end <= period.start or s.start >= period.end:
                continue
            left, right = x(s.start), x(s.end)
            width = max(right - left, 1.5)
            label = f"{title} {instant_text(s.start, zone)} – {instant_text(s.end, zone)}"
            out.append(
                f'<rect x="{left:.2f}" y="{y}" width="{width:.2f}" height="{h}" class="{css}">'
                f"<title>{_e(label)}</title></rect>"
            )
        return "".join(out)

    closed = _closed_dates(report)
    parts = [
        f'<svg class="timeline" viewBox="0 0 {_WIDTH:.0f} 74" preserveAspectRatio="none" '
        f'role="img" aria-label="{_e(f"Timeline of {target.name} in {_month_title(report)}")}">'
    ]
    day = period.start.astimezone(zone).date()
    end_day = (period.end - timedelta(microseconds=1)).astimezone(zone).date()
    while day <= end_day:
        start = _local_midnight(day, zone)
        stop = _local_midnight(day + timedelta(days=1), zone)
        left, right = x(start), x(stop)
        if day.weekday() >= 5 or day in closed:
            parts.append(
                f'<rect x="{left:.2f}" y="14" width="{right - left:.2f}" height="48" '
                'class="closed"/>'
            )
        parts.append(f'<line x1="{left:.2f}" x2="{left:.2f}" y1="12" y2="64" class="grid"/>')
        parts.append(f'<text x="{(left + right) / 2:.2f}" y="10" class="day">{day.day}</text>')
        day += timedelta(days=1)
    parts.append(rects(target.maintenance, 14, 48, "maint", "Agreed maintenance"))
    parts.append(rects(target.unagreed, 14, 48, "unagreed", "Registered maintenance, not counted"))
    for outage in target.outages:
        interval = outage.interval(report.generated_at)
        if interval is None:
            continue
        css = "outage-import" if outage.source is OutageSource.IMPORT else "outage"
        label = f"Outage ({outage.source.value}): {outage.cause};"
        parts.append(rects((interval,), 24, 28, css, label))
    parts.append(f'<rect x="0" y="66" width="{_WIDTH:.0f}" height="6" class="covered"/>')
    parts.append(rects(target.unmonitored, 66, 6, "gap", "Unmonitored"))
    if not report.month_ended:
        now = x(report.generated_at)
        parts.append(f'<line x1="{now:.2f}" x2="{now:.2f}" y1="12" y2="74" class="now"/>')
    parts.append("</svg>")
    return "".join(parts)


def _local_midnight(day: date, zone: ZoneInfo) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=zone)


def _closed_dates(report: Report) -> set[date]:
    """Holidays of the calendars of this report (shaded like weekends in the timelines)."""
    return set(report.holidays)


# -- maintenance ----------------------------------------------------------------------------


def _maintenance(report: Report) -> str:
    lines = report.maintenance
    if not lines:
        body = "<p>No maintenance windows in this month.</p>"
    else:
        body = (
            '<table class="maintenance"><thead><tr><th>Window</th><th>Targets</th><th>Start</th>'
            "<th>End</th><th>Counts</th><th>Standing</th><th>Registered</th><th>Approved</th>"
            "<th>Reason</th></tr></thead><tbody>"
            f"{''.join(_maintenance_row(line, report) for line in lines)}</tbody></table>"
        )
    notes = []
    retro = [line for line in lines if line.retroactive]
    if retro:
        approved = sum(1 for line in retro if line.counted)
        notes.append(
            f'<p class="retro-note">{len(retro)} window{"s were" if len(retro) != 1 else " was"} '
            f"registered after {'they' if len(retro) != 1 else 'it'} started (retroactive "
            f"reclassification): {approved} approved and counted, {len(retro) - approved} not "
            "approved and therefore not counted.</p>"
        )
    short = [line for line in lines if line.standing == "short_notice"]
    if short:
        notes.append(
            f'<p class="retro-note">{len(short)} window{"s were" if len(short) != 1 else " was"} '
            "registered with less than the agreed notice and "
            f"{'forgive' if len(short) != 1 else 'forgives'} nothing until approved.</p>"
        )
    return (
        '<section id="maintenance"><h2>4. Maintenance</h2>'
        "<p>Configured windows are the agreed schedule and always count. A window registered "
        "through the API in advance (with the agreed notice, if one is configured) forgives "
        "only downtime of outages that began after it was registered; a window registered "
        "after it started, or at short notice, forgives nothing until the client approves it "
        "with their own token. Approved windows forgive all downtime inside them.</p>"
        f"{''.join(notes)}{body}</section>"
    )


_STANDING = {
    "approved": "approved",
    "agreed": "registered in advance: forgives outages that began after registration",
    "short_notice": "short notice: forgives nothing until approved",
    "retroactive": "retroactive: forgives nothing until approved",
}


def _standing(line: MaintenanceLine) -> str:
    if line.kind is MaintenanceKind.CONFIGURED:
        return "agreed schedule (configuration)"
    text = _STANDING.get(line.standing or "", line.standing or "")
    if line.standing == "approved" and line.retroactive:
        text = "retroactive, approved: forgives all downtime inside it"
    elif line.standing == "approved":
        text = "approved: forgives all downtime inside it"
    return text


def _maintenance_row(line: MaintenanceLine, report: Report) -> str:
    zone = report.zone
    key = line.id or line.name
    if line.kind is MaintenanceKind.CONFIGURED:
        registered = f"configuration ({line.schedule})" if line.schedule else "configuration"
        approved = "—"
    else:
        registered = instant_text(line.registered_at, zone)
        if line.registered_by:
            registered += f" by {line.registered_by}"
        if line.requested_by:
            registered += f", requested by {line.requested_by}"
        if line.approved_by:
            approved = line.approved_by
            if line.approved_at is not None:
                approved += f", {instant_text(line.approved_at, zone)}"
        else:
            approved = "not needed" if line.standing == "agreed" else "not approved"
    counts = "yes" if line.counted else "no"
    css = " ".join(
        c for c in ("retro" if line.retroactive else "", line.standing or "") if c and c != "agreed"
    )
    return (
        f'<tr class="{_e(css)}">'
        f'<td class="name">{_e(line.name)}</td><td class="name">{_e(", ".join(line.targets))}</td>'
        f"{_when(line.start, zone)}{_when(line.end, zone)}"
        f'<td class="{"met" if line.counted else "missed"}-text">{counts}</td>'
        f'<td data-key="{_key("m", key, "standing")}">{_e(_standing(line))}</td>'
        f'<td data-key="{_key("m", key, "registered")}">{_e(registered)}</td>'
        f'<td data-key="{_key("m", key, "approved")}">{_e(approved)}</td>'
        f'<td class="text">{_e(line.reason or "")}</td></tr>'
    )


# -- response -------------------------------------------------------------------------------


def _response(report: Report) -> str:
    rows = []
    for entry in report.response:
        result = entry.result
        category = result.category

        def cell(name: str, text: str, category: str = category) -> str:
            return f'<td class="num" data-key="{_key("r", category, name)}">{_e(text)}</td>'

        ratio = "—" if result.ratio is None else percent_text(result.ratio)
        rows.append(
            "<tr>"
            f'<th scope="row">{_e(category)}</th>'
            f"<td>{_e(entry.description.requirement or '')}</td>"
            f'<td class="num">{result.days}</td>'
            f'<td class="num">{_e(objective_text(result.objective))}</td>'
            + cell("received", str(result.received))
            + cell("met", str(result.met))
            + cell("breached", str(result.breached))
            + cell("pending", str(result.pending))
            + cell("ratio", ratio)
            + f'<td data-key="{_key("r", category, "objective_met")}">'
            f"{_verdict(result.objective_met)}</td>"
            "</tr>"
        )
    details = []
    for entry in report.response:
        listed = (*entry.late, *entry.pending)
        if listed:
            details.append(
                f'<div class="requests"><h3>{_e(entry.category)}: late and pending requests'
                f"</h3>{_request_table(listed, entry, report)}</div>"
            )
    other = ""
    if report.uncategorised:
        counts = ", ".join(f"{c}: {n}" for c, n in report.uncategorised)
        other = (
            f'<p class="warning">Requests of categories that are not configured are not '
            f"judged: {_e(counts)}.</p>"
        )
    return (
        '<section id="response"><h2>5. Service-desk response</h2>'
        "<p>Ratio = met / (met + breached) over the requests received in the month; pending "
        "requests (unanswered, deadline not yet passed) are not counted until decided.</p>"
        '<table class="response"><thead><tr><th>Category</th><th>Requirement</th>'
        "<th>Working days</th><th>Norm</th><th>Received</th><th>Met</th><th>Breached</th>"
        "<th>Pending</th><th>Ratio</th><th></th></tr></thead>"
        f"<tbody>{''.join(rows)}</tbody></table>{other}{''.join(details)}</section>"
    )


# -- 3.2.15 ---------------------------------------------------------------------------------


def _description_table(title: str, description: Description) -> str:
    rows = (
        ("Requirement", description.requirement or "—"),
        ("Indicator", description.indicator),
        ("Norm", description.norm),
        ("Bandwidth", description.bandwidth),
        ("Growth path", description.growth_path),
        ("Measurement method", description.method),
        ("Measurement frequency", description.frequency),
    )
    body = "".join(f'<tr><th scope="row">{_e(k)}</th><td>{_e(v)}</td></tr>' for k, v in rows)
    return f'<div class="describe"><h3>{_e(title)}</h3><table>{body}</table></div>'


def _descriptions(report: Report) -> str:
    tables = [
        _description_table(
            f"Availability {entry.target} · {_window_name(entry.window)}", entry.description
        )
        for entry in report.availability
    ]
    tables += [
        _description_table(f"Response {entry.category}", entry.description)
        for entry in report.response
    ]
    return (
        '<section id="descriptions"><h2>6. Service level descriptions (3.2.15)</h2>'
        "<p>Per requirement 3.2.15: the indicator, norm, bandwidth, growth path, measurement "
        "method and measurement frequency of every service level in this report.</p>"
        f"{''.join(tables)}</section>"
    )


# -- policies and calendars -----------------------------------------------------------------


def _policies(report: Report) -> str:
    policies = report.policies
    maintenance = (
        "Agreed maintenance stays in the window time T and is not downtime (the contract's "
        "reading of 3.2.10)."
        if policies.maintenance is MaintenancePolicy.COUNT_AS_AVAILABLE
        else "Agreed maintenance is taken out of the window: A = 1 − D / (T − M)."
    )
    unmonitored = (
        "Time without probe results is not downtime; it is reported as unmonitored time "
        "and as coverage."
        if policies.unmonitored is UnmonitoredPolicy.COUNT_AS_AVAILABLE
        else "Time without probe results counts as downtime."
    )
    business_day = (
        "One working day is the calendar's daily opening length: a request received during "
        "opening hours is due at the same clock time on the next working day, one received "
        "outside them at closing time of the next working day."
        if policies.business_day is BusinessDayMode.BUSINESS_HOURS
        else "A request is due at closing time of the N-th working day after its local date "
        "of receipt."
    )
    items = (
        ("maintenance", policies.maintenance.value, maintenance),
        ("unmonitored", policies.unmonitored.value, unmonitored),
        ("business_day", policies.business_day.value, business_day),
        (
            "servicedesk calendar",
            policies.servicedesk_calendar,
            "The calendar in which response deadlines are computed.",
        ),
    )
    listed = "".join(
        f'<dt>{_e(name)}: <code data-key="policy:{_e(name)}">{_e(value)}</code></dt>'
        f"<dd>{_e(text)}</dd>"
        for name, value, text in items
    )
    calendars = "".join(_calendar(c, report) for c in report.calendars)
    return (
        '<section id="policies"><h2>7. Policies and calendars</h2>'
        f'<dl class="policies">{listed}</dl>'
        "<h3>Calendars and closed days in this month</h3>"
        "<p>Holidays are resolved per calendar from the public holidays of its country with "
        "the contract's inclusions and exclusions; contracts differ on Good Friday and on 5 "
        "May, so the list that was applied is printed here.</p>"
        f"{calendars}</section>"
    )


def _calendar(calendar: CalendarSummary, report: Report) -> str:
    if calendar.closed_days:
        rows = "".join(
            f'<tr><td data-key="holiday">{_e(d.day.isoformat())}</td>'
            f"<td>{_e(WEEKDAY_NAMES[d.day.weekday()])}</td><td>{_e(d.name)}</td></tr>"
            for d in calendar.closed_days
        )
        days = (
            '<table class="holidays"><thead><tr><th>Date</th><th>Day</th><th>Holiday</th>'
            f"</tr></thead><tbody>{rows}</tbody></table>"
        )
    else:
        days = f"<p>No closed days in {_e(_month_title(report))}.</p>"
    return f'<div class="calendar"><h4>{_e(calendar.text)}</h4>{days}</div>'


def _footer(report: Report) -> str:
    return (
        "<footer><p>Every figure in this report is computed by sla-monitor "
        f"{_e(report.version)} from the stored outages, maintenance windows, monitoring "
        "sessions and service-desk requests shown or counted above. The JSON export of the "
        "same month lists every request with its deadline and outcome and every outage with "
        "the seconds it counted.</p></footer>"
    )


_SVG_DEFS = (
    '<svg class="defs" aria-hidden="true" width="0" height="0"><defs>'
    '<pattern id="hatch" width="6" height="6" patternUnits="userSpaceOnUse" '
    'patternTransform="rotate(45)"><rect width="6" height="6" fill="#fff3e0"/>'
    '<line x1="0" y1="0" x2="0" y2="6" stroke="#ef6c00" stroke-width="2"/></pattern>'
    "</defs></svg>"
)

_CSS = """
:root { --ink: #1b1f24; --muted: #5b6570; --line: #d0d7de; --met: #1a7f37;
  --missed: #c62828; --maint: #90caf9; --bg-alt: #f6f8fa; }
* { box-sizing: border-box; }
html { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
body { font-family: "DejaVu Sans", "Segoe UI", Helvetica, Arial, sans-serif; color: var(--ink);
  font-size: 14px; line-height: 1.45; max-width: 1120px; margin: 0 auto; padding: 24px; }
h1 { font-size: 26px; margin: 0 0 4px; }
h1 .month { color: var(--muted); font-weight: normal; }
h2 { font-size: 20px; border-bottom: 2px solid var(--ink); padding-bottom: 2px;
  margin-top: 32px; break-after: avoid; }
h3 { font-size: 16px; margin: 18px 0 6px; break-after: avoid; }
h4 { font-size: 14px; margin: 12px 0 4px; }
.meta, .legend, .quiet, small { color: var(--muted); }
.status { padding: 10px 14px; border-radius: 4px; margin: 12px 0; }
.status.final { background: #e6f4ea; border: 1px solid var(--met); }
.status.provisional { background: #fdecea; border: 3px solid var(--missed);
  font-size: 16px; }
.status.provisional strong { color: var(--missed); font-size: 18px; }
.watermark { display: none; }
nav ol { columns: 2; margin: 8px 0; padding-left: 20px; }
table { border-collapse: collapse; width: 100%; margin: 6px 0 12px; font-size: 13px; }
th, td { border-bottom: 1px solid var(--line); padding: 4px 6px; text-align: left;
  vertical-align: top; }
thead th { background: var(--bg-alt); border-bottom: 2px solid var(--line); }
tbody tr:nth-child(even) { background: #fbfcfd; }
td.num, th.num { text-align: right; white-space: nowrap; font-variant-numeric: tabular-nums; }
td.figure { font-weight: bold; }
.verdict { white-space: nowrap; font-weight: bold; }
td.when, td.name { white-space: nowrap; }
td.where { font-size: 12px; }
td.against small { display: block; }
.verdict.met, .met-text { color: var(--met); }
.verdict.missed, .missed-text { color: var(--missed); }
.verdict.none { color: var(--muted); font-weight: normal; }
.verdict.insufficient { color: var(--missed); }
svg.bar { vertical-align: middle; }
.bar-bg { fill: #eaeef2; }
.fill-met { fill: var(--met); }
.fill-missed { fill: var(--missed); }
.fill-none { fill: #eaeef2; }
.norm { stroke: var(--ink); stroke-width: 2; }
.miss { border-left: 4px solid var(--missed); padding: 2px 0 2px 12px; margin: 12px 0;
  break-inside: avoid; }
.ok { color: var(--met); font-weight: bold; }
.warning, .retro-note { background: #fff3e0; border-left: 4px solid #ef6c00;
  padding: 6px 10px; }
tr.retro td, tr.short_notice td { background: #fff3e0; }
tr.voided td.when { text-decoration: line-through; color: var(--muted); }
tr.trail td { background: #fbfcfd; border-top: none; padding-top: 0; }
ul.corrections { margin: 0; padding-left: 18px; font-size: 12px; }
.badge { display: inline-block; font-size: 11px; font-weight: bold; padding: 0 5px;
  border-radius: 3px; margin-left: 4px; white-space: nowrap; }
.badge.void { background: #eceff1; color: var(--ink); border: 1px solid var(--muted); }
.badge.close { background: #e3f2fd; color: #0d47a1; }
.badge.dispute { background: #fff3e0; color: #e65100; }
small.measured { display: block; color: var(--muted); }
.text { white-space: pre-line; }
.corrected-note { background: #e3f2fd; border-left: 4px solid #1565c0; padding: 6px 10px; }
.analysis { margin: 8px 0 4px; }
.analysis dl { margin: 0; }
.analysis dt { font-weight: bold; }
.analysis dd { margin: 0 0 4px 16px; }
.analysis.missing { color: var(--muted); font-style: italic; }
tr.breached td { color: var(--missed); }
article.target { break-inside: avoid; margin-bottom: 20px; }
svg.defs { position: absolute; width: 0; height: 0; }
svg.timeline { width: 100%; height: 74px; display: block; margin: 4px 0 8px;
  border: 1px solid var(--line); background: #fff; }
svg.timeline .day { font-size: 9px; text-anchor: middle; fill: var(--muted); }
svg.timeline .grid { stroke: #e4e8ec; stroke-width: 0.5; }
svg.timeline .closed { fill: #f0f2f4; }
svg.timeline .maint { fill: var(--maint); fill-opacity: 0.6; }
svg.timeline .unagreed { fill: url(#hatch); fill-opacity: 0.9; }
svg.timeline .outage { fill: var(--missed); }
svg.timeline .outage-import { fill: #6a1b9a; }
svg.timeline .covered { fill: #c8e6c9; }
svg.timeline .gap { fill: #757575; }
svg.timeline .now { stroke: var(--ink); stroke-dasharray: 3 2; }
.key { display: inline-block; width: 14px; height: 10px; margin: 0 4px 0 10px;
  vertical-align: middle; border: 1px solid var(--line); }
.k-outage { background: var(--missed); } .k-import { background: #6a1b9a; }
.k-maint { background: var(--maint); }
.k-unagreed { background: repeating-linear-gradient(45deg, #ef6c00 0 2px, #fff3e0 2px 5px); }
.k-gap { background: #757575; } .k-closed { background: #f0f2f4; }
.describe table th { width: 190px; background: var(--bg-alt); }
.describe { break-inside: avoid; }
dl.policies dt { font-weight: bold; margin-top: 8px; }
dl.policies dd { margin-left: 20px; }
footer { margin-top: 32px; border-top: 1px solid var(--line); color: var(--muted);
  font-size: 12px; }
@page { size: A4; margin: 14mm 12mm; }
@media print {
  body { max-width: none; padding: 0; font-size: 9.5pt; }
  nav { display: none; }
  h2 { break-before: page; }
  #summary h2, #misses h2 { break-before: auto; }
  table { font-size: 8.5pt; }
  thead { display: table-header-group; }
  tr, .describe, .calendar { break-inside: avoid; }
  a { color: inherit; text-decoration: none; }
  .watermark { display: block; position: fixed; top: 38%; left: 0; right: 0;
    text-align: center; font-size: 80pt; font-weight: bold; color: rgba(198, 40, 40, 0.13);
    transform: rotate(-30deg); z-index: -1; }
}
"""
