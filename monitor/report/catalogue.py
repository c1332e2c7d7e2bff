"""The words of the report in English and Dutch: one frozen message table per language.

The report goes to the client (3.2.5) and is read by Dutch contract managers, so every
heading, label, verdict and 3.2.15 description of the HTML (and PDF) report comes from here,
in the language of ``report: {language: en|nl}``. The templates ask for a label by key
(``t("summary.title")``); the view and the descriptions format their sentences from the same
tables (``words.text("tally.met", met=3, total=4)``). A key missing from a table is an error
(``KeyError``), never an English fallback in a Dutch report; a test checks that both tables
have the same keys and the same placeholders.

Figures are written in the language's style: English keeps the report's long-standing
``99.092 %`` and ``2026-05-12 10:00``; Dutch writes ``99,092 %``, ``12-05-2026 10:00`` and
``1 november 2026`` (Babel's CLDR data for separators, month and day names). Percentages are
rounded down in both (a figure just below its norm must never read as meeting it).

The Dutch terms are the contract's: beschikbaarheid (3.2.10), bereikbaarheid van de
servicedesk (3.2.7, 3.2.8), beantwoordings- en reactietijd (3.2.9, 3.2.13, 3.2.14, 3.2.39),
onderhoudsvenster, norm, bandbreedte, groeipad, meetmethode, meetfrequentie (3.2.15),
gerealiseerd, niet-behaalde PI's (3.2.6), jaaroverzicht (3.2.4), afhandeltijd, binnen termijn
en overschrijding (3.2.40), bonus, neutraal en malus (3.2.19).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from types import MappingProxyType
from typing import Final, Literal
from zoneinfo import ZoneInfo

from babel.dates import format_date, get_day_names, get_month_names
from babel.numbers import format_decimal

from monitor.report._text import duration_text, instant_text, objective_text, percent_text

__all__ = ["LANGUAGES", "Language", "Words", "words_for"]

Language = Literal["en", "nl"]

_EN: Final[Mapping[str, str]] = MappingProxyType(
    {
        # -- page and header ----------------------------------------------------------------
        "report.title": "Service Level Report",
        "report.not_final_title": "NOT FINAL",
        "report.footer": (
            "Every figure in this report is computed by sla-monitor {version} from the stored "
            "outages, maintenance windows, monitoring sessions and service-desk requests shown "
            "or counted above. The JSON export of the same month lists every request with its "
            "deadline and outcome and every outage with the seconds it counted."
        ),
        "header.supplier": "Supplier",
        "header.client": "Client",
        "header.contract": "Contract reference",
        "header.period": "Period",
        "header.generated": "Generated",
        "header.final": "Final",
        "header.final_since": "final since {date}",
        "header.not_final": "not final",
        "header.final_from": "not final; final after {date}",
        "header.generated_at": "generated",
        "header.status_final": (
            "Final: no figure in this report can change any more through the passing of time."
        ),
        "page.page": "Page",
        "page.of": "of",
        "nav.contents": "Contents",
        "nav.summary": "Summary",
        "nav.misses": "Missed service levels",
        "nav.availability": "Availability per target",
        "nav.maintenance": "Maintenance",
        "nav.response": "Service-desk response",
        "nav.descriptions": "Service level descriptions (3.2.15)",
        "nav.policies": "Policies and calendars",
        # -- why a report is not final --------------------------------------------------------
        "not_final.running": (
            "The month is still running: figures cover the time up to {generated}."
        ),
        "not_final.pending.one": (
            "{count} service-desk request is still within its deadline and may yet be "
            "answered in time or late."
        ),
        "not_final.pending.other": (
            "{count} service-desk requests are still within their deadlines and may yet be "
            "answered in time or late."
        ),
        "not_final.after_deadline": (
            "The figures are final after the last possible response deadline, {deadline}."
        ),
        "not_final.after_month": "The figures are final once the month has ended, {end}.",
        # -- summary ----------------------------------------------------------------------------
        "summary.title": "1. Summary",
        "summary.service_level": "Service level",
        "summary.requirement": "Requirement",
        "summary.window": "Window",
        "summary.norm": "Norm",
        "summary.result": "Result",
        "summary.against": "Against the norm",
        "summary.legend": (
            "Availability bars show the unplanned downtime against the error budget the norm "
            "allows (the line is the norm); response bars show the share of decided requests "
            "answered in time (the line is the norm). Percentages are rounded down."
        ),
        "summary.availability": "Availability",
        "summary.response": "Response",
        "summary.within.one": "within {days} working day",
        "summary.within.other": "within {days} working days",
        "summary.within_calendar.one": "within {days} calendar day",
        "summary.within_calendar.other": "within {days} calendar days",
        "tally.met": "{met} of {total} service levels met their norm",
        "tally.unjudged": "; {count} without sufficient evidence",
        "tally.missed": "; {count} missed (see section 2).",
        "tally.end": ".",
        "bar.no_budget": "no downtime allowed",
        "bar.counted": "; {used} counted",
        "bar.budget": "{used} of {total} allowed",
        "bar.undecided": "nothing decided yet",
        "bar.ratio": "{met} of {decided} decided in time",
        # -- verdicts ---------------------------------------------------------------------------
        "verdict.met": "✓ met",
        "verdict.missed": "✗ missed",
        "verdict.insufficient": "⚠ insufficient evidence",
        "verdict.undecided": "no decided requests",
        "evidence.reason": "insufficient evidence: coverage {coverage} < {minimum}",
        "evidence.proven_met": (
            "even with the unmonitored time counted as down the objective is reached"
        ),
        "evidence.proven_missed": "the measured downtime alone already misses the objective",
        # -- misses (3.2.6) ---------------------------------------------------------------------
        "misses.title": "2. Missed service levels",
        "misses.intro": (
            "Every service level that missed its norm, with the evidence behind it and the "
            "analysis of requirement 3.2.6 (cause and measures) recorded for it."
        ),
        "misses.none": "Every service level met its norm in this month.",
        "misses.no_outage": "No outage counted; the miss comes from unmonitored time.",
        "misses.unmonitored": (
            "Plus {duration} of unmonitored time, which the policy counts as unavailable."
        ),
        "misses.availability": "{name} · {window}: {value} against a norm of {norm}",
        "misses.response": (
            "Response {name}: {value} of decided requests in time against a norm of {norm}"
        ),
        "analysis.title": "Analysis (3.2.6)",
        "analysis.cause": "Cause",
        "analysis.measures": "Measures",
        "analysis.recorded": "Recorded by {author} on {at}.",
        "analysis.missing": (
            "No analysis recorded yet (3.2.6: due ten working days after the end of the month)."
        ),
        # -- availability -----------------------------------------------------------------------
        "availability.title": "3. Availability per target",
        "availability.intro": (
            "A = 1 − D / T per window: T is the window time in the month, D the outage time in "
            "the window outside agreed maintenance (see the policies in section 7)."
        ),
        "legend.outage": "outage (probed)",
        "legend.import": "outage (imported)",
        "legend.maintenance": "agreed maintenance",
        "legend.unagreed": "registered maintenance that does not count",
        "legend.unmonitored": "unmonitored",
        "legend.closed": "weekend or holiday",
        "figures.window": "Window",
        "figures.requirement": "Req.",
        "figures.window_time": "Window time T",
        "figures.downtime": "Downtime D",
        "figures.maintenance": "Maintenance M",
        "figures.unmonitored": "Unmonitored",
        "figures.coverage": "Coverage",
        "figures.availability": "Availability",
        "figures.norm": "Norm",
        "figures.budget": "Budget left",
        "outages.start": "Outage start",
        "outages.end": "End",
        "outages.counted": "Counted",
        "outages.counted_in": "Counted {window}",
        "outages.cause": "Cause",
        "outages.source": "Source",
        "outages.measured": "measured: {end}",
        "outages.correction": "by {actor} on {at}:",
        "outages.none": "No outages in this month.",
        "targets.none": "No targets are configured.",
        "outages.seen_by": "seen from {locations}",
        "locations.title": "Probe locations",
        "locations.quorum": (
            "Quorum in force: {quorum} of {count} locations ({locations}). An instant counts "
            "as down when at least the quorum of the locations monitoring it sees the target "
            "down (all of them, while fewer than the quorum monitor); a failure seen by fewer "
            "is a location-only failure, listed here and never downtime."
        ),
        "locations.location": "Location",
        "locations.unmonitored": "Not monitoring",
        "locations.location_only": "Location-only failures",
        "locations.none_monitoring": "No location monitoring (unmonitored): {duration}.",
        "locations.degraded": (
            "Degraded vantage (judged by fewer monitoring locations than the quorum, counted "
            "by the rule all the same): {windows}."
        ),
        "locations.failures": "Location-only failures (never downtime)",
        "locations.start": "Start",
        "locations.duration": "Duration",
        "locations.no_failures": "No location-only failures in this month.",
        "source.probe": "probe",
        "source.import": "import",
        "timeline.label": "Timeline of {target} in {month}",
        "timeline.maintenance": "Agreed maintenance",
        "timeline.unagreed": "Registered maintenance, not counted",
        "timeline.unmonitored": "Unmonitored",
        "timeline.outage": "Outage ({source}): {cause};",
        "correction.annotate": "annotated",
        "correction.dispute": "disputed",
        "correction.close": "closed",
        "correction.void": "voided",
        "correction.closed_at": "closed at {at}",
        "correction.voided": "voided: counts 0 s in every figure",
        "corrected.void": "voided (counted as 0 s)",
        "corrected.close": "closed at a corrected end",
        "corrected.dispute": "disputed (still counted)",
        "corrected.annotate": "annotated",
        "corrected.note.one": (
            "These figures read {count} outage through corrections: {listed}. Each correction "
            "is listed under its outage below, with who made it, when and why; the measured "
            "evidence is kept unchanged."
        ),
        "corrected.note.other": (
            "These figures read {count} outages through corrections: {listed}. Each correction "
            "is listed under its outage below, with who made it, when and why; the measured "
            "evidence is kept unchanged."
        ),
        "still_open": "still open",
        # -- maintenance ------------------------------------------------------------------------
        "maintenance.title": "4. Maintenance",
        "maintenance.intro": (
            "Configured windows are the agreed schedule and always count. A window registered "
            "through the API in advance (with the agreed notice, if one is configured) forgives "
            "only downtime of outages that began after it was registered; a window registered "
            "after it started, or at short notice, forgives nothing until the client approves it "
            "with their own token. Approved windows forgive all downtime inside them."
        ),
        "maintenance.window": "Window",
        "maintenance.targets": "Targets",
        "maintenance.start": "Start",
        "maintenance.end": "End",
        "maintenance.counts": "Counts",
        "maintenance.standing": "Standing",
        "maintenance.registered": "Registered",
        "maintenance.approved": "Approved",
        "maintenance.reason": "Reason",
        "maintenance.yes": "yes",
        "maintenance.no": "no",
        "maintenance.none": "No maintenance windows in this month.",
        "standing.configured": "agreed schedule (configuration)",
        "standing.agreed": "registered in advance: forgives outages that began after registration",
        "standing.short_notice": "short notice: forgives nothing until approved",
        "standing.retroactive": "retroactive: forgives nothing until approved",
        "standing.approved": "approved: forgives all downtime inside it",
        "standing.retroactive_approved": "retroactive, approved: forgives all downtime inside it",
        "registered.configuration": "configuration",
        "registered.schedule": "configuration ({schedule})",
        "registered.by": " by {name}",
        "registered.requested_by": ", requested by {name}",
        "approved.not_needed": "not needed",
        "approved.not_approved": "not approved",
        "maintenance.retro.one": (
            "{count} window was registered after it started (retroactive reclassification): "
            "{approved} approved and counted, {rejected} not approved and therefore not counted."
        ),
        "maintenance.retro.other": (
            "{count} windows were registered after they started (retroactive reclassification): "
            "{approved} approved and counted, {rejected} not approved and therefore not counted."
        ),
        "maintenance.short.one": (
            "{count} window was registered with less than the agreed notice and forgives "
            "nothing until approved."
        ),
        "maintenance.short.other": (
            "{count} windows were registered with less than the agreed notice and forgive "
            "nothing until approved."
        ),
        # -- response ---------------------------------------------------------------------------
        "response.title": "5. Service-desk response",
        "response.intro": (
            "Ratio = met / (met + breached) over the requests received in the month; pending "
            "requests (unanswered, deadline not yet passed) are not counted until decided."
        ),
        "response.category": "Category",
        "response.requirement": "Requirement",
        "response.days": "Working days",
        "response.calendar_days": "calendar days",
        "response.norm": "Norm",
        "response.received": "Received",
        "response.met": "Met",
        "response.breached": "Breached",
        "response.pending": "Pending",
        "response.ratio": "Ratio",
        "response.uncategorised": (
            "Requests of categories that are not configured are not judged: {listed}."
        ),
        "response.late_title": "{category}: late and pending requests",
        "requests.request": "Request",
        "requests.received": "Received",
        "requests.deadline": "Deadline",
        "requests.answered": "Answered",
        "requests.late_by": "Late by",
        "requests.outcome": "Outcome",
        "requests.where": "Where the mail lies",
        "requests.request_mail": "request:",
        "requests.answer_mail": "answer:",
        "requests.unanswered": "unanswered",
        "requests.unlocated": "not located yet (the next mailbox scan records it)",
        "requests.not_mailbox": "not from a mailbox ({source})",
        "requests.unknown_source": "unknown source",
        "outcome.met": "met",
        "outcome.breached": "breached",
        "outcome.pending": "pending",
        # -- bonus/malus band outcome (B3.7, 3.2.19) --------------------------------------------
        "band_outcome.bonus": "bonus",
        "band_outcome.neutral": "neutral",
        "band_outcome.malus": "malus",
        "band_outcome.labelled": "{outcome} ({label})",
        "band_outcome.unknown": "band outcome unknown",
        # -- resolution time (3.2.40) -----------------------------------------------------------
        "resolution.title": "Resolution time (3.2.40)",
        "resolution.intro": (
            "Requests received in the month by resolution outcome: in time up to the first "
            "overrun tier, then the highest tier exceeded; pending while unresolved (an "
            "unresolved request past the last tier is counted in it)."
        ),
        "resolution.category": "Category",
        "resolution.term": "Term",
        "resolution.outcomes": "Outcomes",
        "resolution.pending_over": "Pending, already over",
        "resolution.term_working.one": "{count} working day ({tiers})",
        "resolution.term_working.other": "{count} working days ({tiers})",
        "resolution.term_calendar.one": "{count} calendar day ({tiers})",
        "resolution.term_calendar.other": "{count} calendar days ({tiers})",
        "resolution.tier": "{name} past {percent}",
        "resolution.over": "over_{number}",
        "resolution.in_time": "in_time",
        "resolution.pending": "pending",
        "resolution.already": "{count} already {name}",
        "resolution.count": "{outcome} {count}",
        # -- 3.2.15 descriptions ----------------------------------------------------------------
        "descriptions.title": "6. Service level descriptions (3.2.15)",
        "descriptions.intro": (
            "Per requirement 3.2.15: the indicator, norm, bandwidth, growth path, measurement "
            "method and measurement frequency of every service level in this report."
        ),
        "descriptions.requirement": "Requirement",
        "descriptions.indicator": "Indicator",
        "descriptions.norm": "Norm",
        "descriptions.bandwidth": "Bandwidth",
        "descriptions.growth_path": "Growth path",
        "descriptions.method": "Measurement method",
        "descriptions.frequency": "Measurement frequency",
        "descriptions.availability": "Availability {target} · {window}",
        "descriptions.response": "Response {category}",
        "describe.growth_step": "from {start} {norm}",
        "describe.band": "bonus at or above {bonus}, malus below {malus}, neutral in between",
        "describe.clock_calendar_end": (
            "calendar days: the deadline is the end (24:00) of day {days} after receipt"
        ),
        "describe.clock_calendar.one": (
            "calendar days: the clock starts at receipt and the deadline is the same clock time "
            "{days} local day later"
        ),
        "describe.clock_calendar.other": (
            "calendar days: the clock starts at receipt and the deadline is the same clock time "
            "{days} local days later"
        ),
        "describe.response_indicator_calendar.one": (
            "Requests of category {category} answered within {days} calendar day"
        ),
        "describe.response_indicator_calendar.other": (
            "Requests of category {category} answered within {days} calendar days"
        ),
        "describe.no_growth_path": "none agreed: the norm is the same every month",
        "describe.what": "Availability of {target}",
        "describe.what_described": "Availability of {target} ({description})",
        "describe.always": "{what}, around the clock (24/7 window)",
        "describe.in_window": "{what} in the window {calendar}",
        "describe.norm": "at least {norm} per calendar month",
        "describe.no_bandwidth": "none: any unplanned downtime in the window misses the norm",
        "describe.bandwidth": (
            "error budget {budget} this month: (1 − {norm}) × window time; unplanned downtime "
            "up to it still meets the norm"
        ),
        "describe.unmonitored_down": "counts as unavailable",
        "describe.unmonitored_up": "counts as available and is reported separately",
        "describe.method": (
            "{probe} probe; the target is down from the first of {failures} consecutive failed "
            "probes until the first successful one; imported outages count as measured "
            "downtime. A = 1 − D / {denominator}: T = window time in the month, M = agreed "
            "maintenance in it (configured windows, and API registrations made before the "
            "window started or approved afterwards), D = outage time in the window outside "
            "agreed maintenance. Time without probe results {unmonitored}."
        ),
        "describe.frequency": (
            "probed every {interval}; figure per calendar month in {zone}, reported monthly (3.2.5)"
        ),
        "describe.clock_hours": (
            "the clock starts at the first opening instant at or after receipt and runs "
            "{days} × {length} of opening time"
        ),
        "describe.clock_days": (
            "the deadline is the closing time of working day {days} after the local date of receipt"
        ),
        "describe.response_method": (
            "Receipt and answer instants come from the desk mailbox (the server's INTERNALDATE "
            "of the first inbound message of a thread and of the first human reply), from a "
            "ticket-system import or from its webhook. Calendar {calendar}; {clock}. A request "
            "is met when answered at or before its deadline, breached when answered later or "
            "still unanswered after it, pending otherwise; ratio = met / (met + breached) over "
            "the requests received in the month."
        ),
        "describe.intake_mailboxes": "mailboxes read every {interval}",
        "describe.intake_other": (
            "requests are recorded as they are imported or reported by the webhook"
        ),
        "describe.response_indicator.one": (
            "Requests of category {category} answered within {days} working day"
        ),
        "describe.response_indicator.other": (
            "Requests of category {category} answered within {days} working days"
        ),
        "describe.response_norm": "at least {norm} of the requests received in the month",
        "describe.response_bandwidth": (
            "none: requests still pending are left out of the ratio until answered or overdue"
        ),
        "describe.response_frequency": (
            "{intake}; ratio per calendar month in {zone}, reported monthly (3.2.5)"
        ),
        "calendar.text": "{name}: {weekdays} {hours} ({zone}), {closed}",
        "calendar.closed_country": "closed on {country} public holidays",
        "calendar.no_holidays": "no public holidays",
        "calendar.exceptions": " with the contract's exceptions (see the holiday list)",
        # -- policies and calendars ---------------------------------------------------------
        "policies.title": "7. Policies and calendars",
        "policies.maintenance_available": (
            "Agreed maintenance stays in the window time T and is not downtime (the contract's "
            "reading of 3.2.10)."
        ),
        "policies.maintenance_excluded": (
            "Agreed maintenance is taken out of the window: A = 1 − D / (T − M)."
        ),
        "policies.unmonitored_available": (
            "Time without probe results is not downtime; it is reported as unmonitored time "
            "and as coverage."
        ),
        "policies.unmonitored_unavailable": "Time without probe results counts as downtime.",
        "policies.business_hours": (
            "One working day is the calendar's daily opening length: a request received during "
            "opening hours is due at the same clock time on the next working day, one received "
            "outside them at closing time of the next working day."
        ),
        "policies.end_of_day": (
            "A request is due at closing time of the N-th working day after its local date of "
            "receipt."
        ),
        "policies.calendar": "The calendar in which response deadlines are computed.",
        "calendars.title": "Calendars and closed days in this month",
        "calendars.intro": (
            "Holidays are resolved per calendar from the public holidays of its country with "
            "the contract's inclusions and exclusions; contracts differ on Good Friday and on 5 "
            "May, so the list that was applied is printed here."
        ),
        "calendars.date": "Date",
        "calendars.day": "Day",
        "calendars.holiday": "Holiday",
        "calendars.none": "No closed days in {month}.",
        # -- the year view (3.2.4) --------------------------------------------------------------
        "year.title": "year",
        "year.heading": "the year",
        "year.calendar_year": "Calendar year {year}",
        "year.not_final": (
            "Not every month of the year is reported and final yet; months not yet measured "
            "are marked so."
        ),
        "year.final": "Final: every month of the year is reported and final.",
        "year.pis.title": "1. Every PI month by month",
        "year.pis.intro": (
            "Each month is judged by the norm in force in that month (norms may change over "
            "the year: 3.2.15, 3.2.17). Percentages are rounded down."
        ),
        "year.trend": "Trend of {title}",
        "year.figure": "Figure",
        "year.norm": "Norm",
        "year.verdict": "Verdict",
        "year.band": "Band",
        "year.availability": "Availability {name} · {window}",
        "year.response": "Response {name}",
        "year.not_yet_measured": "not yet measured",
        "year.not_configured": "not agreed",
        "year.summary": "{met} of {judged} judged months met the norm",
        "year.summary_missed": ", {missed} missed",
        "year.summary_band": "; band: {listed}",
        "year.summary_end": ".",
        "year.misses.title": "2. Missed service levels of the year",
        "year.misses.none": "Every judged month met its norm.",
        "year.miss": "{month} · {kind} {name}{where}: {value} against a norm of {norm}",
        "year.kind.availability": "availability",
        "year.kind.response": "response",
        "year.miss_outages": "{count} outage(s) counted, {duration} unavailable",
        "year.miss_requests": "{count} request(s) answered late or not at all",
        "year.miss_see": " (see the report of {month}).",
        "year.footer": (
            "Every figure on this page is a figure of the monthly report of its month, computed "
            "by sla-monitor {version} from the stored evidence; the monthly reports show how "
            "each was made."
        ),
    }
)

_NL: Final[Mapping[str, str]] = MappingProxyType(
    {
        "report.title": "Service Level Rapportage",
        "report.not_final_title": "NIET DEFINITIEF",
        "report.footer": (
            "Elk cijfer in deze rapportage is berekend door sla-monitor {version} uit de "
            "opgeslagen storingen, onderhoudsvensters, meetsessies en servicedeskverzoeken die "
            "hierboven staan of zijn meegeteld. De JSON-export van dezelfde maand bevat elk "
            "verzoek met zijn termijn en uitkomst en elke storing met de meegetelde seconden."
        ),
        "header.supplier": "Opdrachtnemer",
        "header.client": "Opdrachtgever",
        "header.contract": "Contractreferentie",
        "header.period": "Periode",
        "header.generated": "Opgesteld",
        "header.final": "Definitief",
        "header.final_since": "definitief sinds {date}",
        "header.not_final": "niet definitief",
        "header.final_from": "niet definitief; definitief na {date}",
        "header.generated_at": "opgesteld",
        "header.status_final": (
            "Definitief: geen cijfer in deze rapportage kan nog veranderen door het verstrijken "
            "van de tijd."
        ),
        "page.page": "Pagina",
        "page.of": "van",
        "nav.contents": "Inhoud",
        "nav.summary": "Samenvatting",
        "nav.misses": "Niet-behaalde service levels",
        "nav.availability": "Beschikbaarheid per doel",
        "nav.maintenance": "Onderhoud",
        "nav.response": "Reactietijd servicedesk",
        "nav.descriptions": "Beschrijving van de service levels (3.2.15)",
        "nav.policies": "Uitgangspunten en kalenders",
        "not_final.running": ("De maand loopt nog: de cijfers gaan over de tijd tot {generated}."),
        "not_final.pending.one": (
            "{count} servicedeskverzoek is nog binnen zijn termijn en kan nog op tijd of te laat "
            "worden beantwoord."
        ),
        "not_final.pending.other": (
            "{count} servicedeskverzoeken zijn nog binnen hun termijn en kunnen nog op tijd of "
            "te laat worden beantwoord."
        ),
        "not_final.after_deadline": (
            "De cijfers zijn definitief na de laatst mogelijke reactietermijn, {deadline}."
        ),
        "not_final.after_month": "De cijfers zijn definitief zodra de maand voorbij is, {end}.",
        "summary.title": "1. Samenvatting",
        "summary.service_level": "Service level",
        "summary.requirement": "Eis",
        "summary.window": "Venster",
        "summary.norm": "Norm",
        "summary.result": "Gerealiseerd",
        "summary.against": "Ten opzichte van de norm",
        "summary.legend": (
            "Beschikbaarheidsbalken tonen de ongeplande onbeschikbaarheid ten opzichte van de "
            "foutmarge die de norm toestaat (de lijn is de norm); reactiebalken tonen het deel "
            "van de besliste verzoeken dat op tijd is beantwoord (de lijn is de norm). "
            "Percentages zijn naar beneden afgerond."
        ),
        "summary.availability": "Beschikbaarheid",
        "summary.response": "Reactietijd",
        "summary.within.one": "binnen {days} werkdag",
        "summary.within.other": "binnen {days} werkdagen",
        "summary.within_calendar.one": "binnen {days} kalenderdag",
        "summary.within_calendar.other": "binnen {days} kalenderdagen",
        "tally.met": "{met} van {total} service levels hebben hun norm gehaald",
        "tally.unjudged": "; {count} zonder voldoende meetgegevens",
        "tally.missed": "; {count} niet behaald (zie hoofdstuk 2).",
        "tally.end": ".",
        "bar.no_budget": "geen onbeschikbaarheid toegestaan",
        "bar.counted": "; {used} meegeteld",
        "bar.budget": "{used} van {total} toegestaan",
        "bar.undecided": "nog niets beslist",
        "bar.ratio": "{met} van {decided} beslist op tijd",
        "verdict.met": "✓ behaald",
        "verdict.missed": "✗ niet behaald",
        "verdict.insufficient": "⚠ onvoldoende meetgegevens",
        "verdict.undecided": "geen besliste verzoeken",
        "evidence.reason": "onvoldoende meetgegevens: dekking {coverage} < {minimum}",
        "evidence.proven_met": (
            "ook als de niet-gemeten tijd als onbeschikbaar telt, is de norm gehaald"
        ),
        "evidence.proven_missed": "de gemeten onbeschikbaarheid alleen haalt de norm al niet",
        "misses.title": "2. Niet-behaalde service levels",
        "misses.intro": (
            "Elk service level dat zijn norm niet heeft gehaald, met de onderbouwing en de "
            "analyse van eis 3.2.6 (oorzaak en maatregelen) die ervoor is vastgelegd."
        ),
        "misses.none": "Alle service levels hebben deze maand hun norm gehaald.",
        "misses.no_outage": (
            "Geen storing meegeteld; de norm is niet gehaald door niet-gemeten tijd."
        ),
        "misses.unmonitored": (
            "Daarnaast {duration} niet-gemeten tijd, die volgens het uitgangspunt als "
            "onbeschikbaar telt."
        ),
        "misses.availability": "{name} · {window}: {value} tegen een norm van {norm}",
        "misses.response": (
            "Reactietijd {name}: {value} van de besliste verzoeken op tijd tegen een norm van "
            "{norm}"
        ),
        "analysis.title": "Analyse (3.2.6)",
        "analysis.cause": "Oorzaak",
        "analysis.measures": "Maatregelen",
        "analysis.recorded": "Vastgelegd door {author} op {at}.",
        "analysis.missing": (
            "Nog geen analyse vastgelegd (3.2.6: uiterlijk tien werkdagen na afloop van de maand)."
        ),
        "availability.title": "3. Beschikbaarheid per doel",
        "availability.intro": (
            "A = 1 − D / T per venster: T is de venstertijd in de maand, D de storingstijd in "
            "het venster buiten het afgesproken onderhoud (zie de uitgangspunten in hoofdstuk "
            "7)."
        ),
        "legend.outage": "storing (gemeten)",
        "legend.import": "storing (geïmporteerd)",
        "legend.maintenance": "afgesproken onderhoud",
        "legend.unagreed": "geregistreerd onderhoud dat niet telt",
        "legend.unmonitored": "niet gemeten",
        "legend.closed": "weekend of feestdag",
        "figures.window": "Venster",
        "figures.requirement": "Eis",
        "figures.window_time": "Venstertijd T",
        "figures.downtime": "Onbeschikbaar D",
        "figures.maintenance": "Onderhoud M",
        "figures.unmonitored": "Niet gemeten",
        "figures.coverage": "Dekking",
        "figures.availability": "Beschikbaarheid",
        "figures.norm": "Norm",
        "figures.budget": "Resterende marge",
        "outages.start": "Begin storing",
        "outages.end": "Einde",
        "outages.counted": "Meegeteld",
        "outages.counted_in": "Meegeteld {window}",
        "outages.cause": "Oorzaak",
        "outages.source": "Bron",
        "outages.measured": "gemeten: {end}",
        "outages.correction": "door {actor} op {at}:",
        "outages.none": "Geen storingen in deze maand.",
        "targets.none": "Er zijn geen doelen geconfigureerd.",
        "outages.seen_by": "waargenomen vanuit {locations}",
        "locations.title": "Meetlocaties",
        "locations.quorum": (
            "Geldend quorum: {quorum} van {count} locaties ({locations}). Een moment telt als "
            "onbeschikbaar wanneer ten minste het quorum van de meetlocaties die het doel op "
            "dat moment meten het doel onbeschikbaar ziet (alle, zolang minder dan het quorum "
            "meten); een storing die door minder locaties wordt gezien is een locatiegebonden "
            "storing: hier vermeld en nooit onbeschikbaarheid."
        ),
        "locations.location": "Locatie",
        "locations.unmonitored": "Niet gemeten",
        "locations.location_only": "Locatiegebonden storingen",
        "locations.none_monitoring": "Door geen enkele locatie gemeten (niet gemeten): {duration}.",
        "locations.degraded": (
            "Beperkt zicht (beoordeeld door minder meetlocaties dan het quorum, wel volgens "
            "dezelfde regel meegeteld): {windows}."
        ),
        "locations.failures": "Locatiegebonden storingen (nooit onbeschikbaarheid)",
        "locations.start": "Begin",
        "locations.duration": "Duur",
        "locations.no_failures": "Geen locatiegebonden storingen in deze maand.",
        "source.probe": "meting",
        "source.import": "import",
        "timeline.label": "Tijdlijn van {target} in {month}",
        "timeline.maintenance": "Afgesproken onderhoud",
        "timeline.unagreed": "Geregistreerd onderhoud, telt niet",
        "timeline.unmonitored": "Niet gemeten",
        "timeline.outage": "Storing ({source}): {cause};",
        "correction.annotate": "toegelicht",
        "correction.dispute": "betwist",
        "correction.close": "afgesloten",
        "correction.void": "vervallen",
        "correction.closed_at": "afgesloten op {at}",
        "correction.voided": "vervallen: telt 0 s in elk cijfer",
        "corrected.void": "vervallen (telt als 0 s)",
        "corrected.close": "afgesloten op een gecorrigeerd einde",
        "corrected.dispute": "betwist (telt nog mee)",
        "corrected.annotate": "toegelicht",
        "corrected.note.one": (
            "Deze cijfers lezen {count} storing door correcties heen: {listed}. Elke correctie "
            "staat hieronder bij haar storing, met wie haar maakte, wanneer en waarom; de "
            "gemeten gegevens blijven ongewijzigd bewaard."
        ),
        "corrected.note.other": (
            "Deze cijfers lezen {count} storingen door correcties heen: {listed}. Elke correctie "
            "staat hieronder bij haar storing, met wie haar maakte, wanneer en waarom; de "
            "gemeten gegevens blijven ongewijzigd bewaard."
        ),
        "still_open": "nog open",
        "maintenance.title": "4. Onderhoud",
        "maintenance.intro": (
            "Geconfigureerde vensters zijn de afgesproken onderhoudsvensters en tellen altijd. "
            "Een venster dat vooraf via de API is geregistreerd (met de afgesproken "
            "aankondigingstermijn, als die is ingesteld) vergeeft alleen onbeschikbaarheid van "
            "storingen die na de registratie begonnen; een venster dat na zijn begin of te kort "
            "van tevoren is geregistreerd vergeeft niets tot Opdrachtgever het met een eigen "
            "token goedkeurt. Goedgekeurde vensters vergeven alle onbeschikbaarheid erbinnen."
        ),
        "maintenance.window": "Venster",
        "maintenance.targets": "Doelen",
        "maintenance.start": "Begin",
        "maintenance.end": "Einde",
        "maintenance.counts": "Telt",
        "maintenance.standing": "Status",
        "maintenance.registered": "Geregistreerd",
        "maintenance.approved": "Goedgekeurd",
        "maintenance.reason": "Reden",
        "maintenance.yes": "ja",
        "maintenance.no": "nee",
        "maintenance.none": "Geen onderhoudsvensters in deze maand.",
        "standing.configured": "afgesproken onderhoudsvenster (configuratie)",
        "standing.agreed": (
            "vooraf geregistreerd: vergeeft storingen die na de registratie begonnen"
        ),
        "standing.short_notice": "te kort van tevoren: vergeeft niets tot goedkeuring",
        "standing.retroactive": "achteraf: vergeeft niets tot goedkeuring",
        "standing.approved": "goedgekeurd: vergeeft alle onbeschikbaarheid erbinnen",
        "standing.retroactive_approved": (
            "achteraf, goedgekeurd: vergeeft alle onbeschikbaarheid erbinnen"
        ),
        "registered.configuration": "configuratie",
        "registered.schedule": "configuratie ({schedule})",
        "registered.by": " door {name}",
        "registered.requested_by": ", aangevraagd door {name}",
        "approved.not_needed": "niet nodig",
        "approved.not_approved": "niet goedgekeurd",
        "maintenance.retro.one": (
            "{count} venster is na zijn begin geregistreerd (herclassificatie achteraf): "
            "{approved} goedgekeurd en meegeteld, {rejected} niet goedgekeurd en daarom niet "
            "meegeteld."
        ),
        "maintenance.retro.other": (
            "{count} vensters zijn na hun begin geregistreerd (herclassificatie achteraf): "
            "{approved} goedgekeurd en meegeteld, {rejected} niet goedgekeurd en daarom niet "
            "meegeteld."
        ),
        "maintenance.short.one": (
            "{count} venster is korter dan de afgesproken termijn van tevoren geregistreerd en "
            "vergeeft niets tot goedkeuring."
        ),
        "maintenance.short.other": (
            "{count} vensters zijn korter dan de afgesproken termijn van tevoren geregistreerd "
            "en vergeven niets tot goedkeuring."
        ),
        "response.title": "5. Reactietijd servicedesk",
        "response.intro": (
            "Ratio = op tijd / (op tijd + te laat) over de verzoeken die in de maand zijn "
            "ontvangen; openstaande verzoeken (onbeantwoord, termijn nog niet verstreken) tellen "
            "pas mee als ze beslist zijn."
        ),
        "response.category": "Categorie",
        "response.requirement": "Eis",
        "response.days": "Werkdagen",
        "response.calendar_days": "kalenderdagen",
        "response.norm": "Norm",
        "response.received": "Ontvangen",
        "response.met": "Op tijd",
        "response.breached": "Te laat",
        "response.pending": "Open",
        "response.ratio": "Gerealiseerd",
        "response.uncategorised": (
            "Verzoeken in categorieën die niet zijn geconfigureerd worden niet beoordeeld: "
            "{listed}."
        ),
        "response.late_title": "{category}: te late en openstaande verzoeken",
        "requests.request": "Verzoek",
        "requests.received": "Ontvangen",
        "requests.deadline": "Termijn",
        "requests.answered": "Beantwoord",
        "requests.late_by": "Te laat met",
        "requests.outcome": "Uitkomst",
        "requests.where": "Vindplaats van de e-mail",
        "requests.request_mail": "verzoek:",
        "requests.answer_mail": "antwoord:",
        "requests.unanswered": "onbeantwoord",
        "requests.unlocated": "nog niet gevonden (de volgende mailboxscan legt het vast)",
        "requests.not_mailbox": "niet uit een mailbox ({source})",
        "requests.unknown_source": "onbekende bron",
        "outcome.met": "op tijd",
        "outcome.breached": "te laat",
        "outcome.pending": "open",
        "band_outcome.bonus": "bonus",
        "band_outcome.neutral": "neutraal",
        "band_outcome.malus": "malus",
        "band_outcome.labelled": "{outcome} ({label})",
        "band_outcome.unknown": "bonus/malus onbekend",
        "resolution.title": "Afhandeltijd (3.2.40)",
        "resolution.intro": (
            "De in de maand ontvangen verzoeken per uitkomst van de afhandeling: binnen termijn "
            "tot de eerste overschrijdingsgrens, daarna de hoogste overschreden grens; open "
            "zolang niet afgehandeld (een open verzoek voorbij de laatste grens telt daarin mee)."
        ),
        "resolution.category": "Categorie",
        "resolution.term": "Termijn",
        "resolution.outcomes": "Uitkomsten",
        "resolution.pending_over": "Open, termijn al overschreden",
        "resolution.term_working.one": "{count} werkdag ({tiers})",
        "resolution.term_working.other": "{count} werkdagen ({tiers})",
        "resolution.term_calendar.one": "{count} kalenderdag ({tiers})",
        "resolution.term_calendar.other": "{count} kalenderdagen ({tiers})",
        "resolution.tier": "{name}: meer dan {percent} over de termijn",
        "resolution.over": "overschrijding {number} %",
        "resolution.in_time": "binnen termijn",
        "resolution.pending": "open",
        "resolution.already": "{count} al in {name}",
        "resolution.count": "{outcome}: {count}",
        "descriptions.title": "6. Beschrijving van de service levels (3.2.15)",
        "descriptions.intro": (
            "Volgens eis 3.2.15: de indicator, norm, bandbreedte, het groeipad, de meetmethode "
            "en de meetfrequentie van elk service level in deze rapportage."
        ),
        "descriptions.requirement": "Eis",
        "descriptions.indicator": "Indicator",
        "descriptions.norm": "Norm",
        "descriptions.bandwidth": "Bandbreedte",
        "descriptions.growth_path": "Groeipad",
        "descriptions.method": "Meetmethode",
        "descriptions.frequency": "Meetfrequentie",
        "descriptions.availability": "Beschikbaarheid {target} · {window}",
        "descriptions.response": "Reactietijd {category}",
        "describe.growth_step": "vanaf {start} {norm}",
        "describe.band": "bonus vanaf {bonus}, malus onder {malus}, neutraal daartussen",
        "describe.clock_calendar_end": (
            "kalenderdagen: de termijn eindigt om 24:00 uur op dag {days} na ontvangst"
        ),
        "describe.clock_calendar.one": (
            "kalenderdagen: de klok start bij ontvangst en de termijn is hetzelfde kloktijdstip "
            "{days} dag later"
        ),
        "describe.clock_calendar.other": (
            "kalenderdagen: de klok start bij ontvangst en de termijn is hetzelfde kloktijdstip "
            "{days} dagen later"
        ),
        "describe.response_indicator_calendar.one": (
            "Verzoeken in categorie {category} beantwoord binnen {days} kalenderdag"
        ),
        "describe.response_indicator_calendar.other": (
            "Verzoeken in categorie {category} beantwoord binnen {days} kalenderdagen"
        ),
        "describe.no_growth_path": "geen afgesproken: de norm is elke maand gelijk",
        "describe.what": "Beschikbaarheid van {target}",
        "describe.what_described": "Beschikbaarheid van {target} ({description})",
        "describe.always": "{what}, de klok rond (24/7-beschikbaarheidsvenster)",
        "describe.in_window": "{what} in het venster {calendar}",
        "describe.norm": "ten minste {norm} per kalendermaand",
        "describe.no_bandwidth": (
            "geen: elke ongeplande onbeschikbaarheid in het venster haalt de norm niet"
        ),
        "describe.bandwidth": (
            "foutmarge {budget} deze maand: (1 − {norm}) × venstertijd; ongeplande "
            "onbeschikbaarheid tot die grens haalt de norm nog"
        ),
        "describe.unmonitored_down": "telt als onbeschikbaar",
        "describe.unmonitored_up": "telt als beschikbaar en wordt apart gerapporteerd",
        "describe.method": (
            "{probe}-meting; het doel is onbeschikbaar vanaf de eerste van {failures} "
            "opeenvolgende mislukte metingen tot de eerste geslaagde; geïmporteerde storingen "
            "tellen als gemeten onbeschikbaarheid. A = 1 − D / {denominator}: T = venstertijd "
            "in de maand, M = afgesproken onderhoud daarin (geconfigureerde vensters, en "
            "API-registraties die vóór het begin van het venster zijn gedaan of achteraf zijn "
            "goedgekeurd), D = storingstijd in het venster buiten afgesproken onderhoud. Tijd "
            "zonder meetresultaten {unmonitored}."
        ),
        "describe.frequency": (
            "gemeten elke {interval}; cijfer per kalendermaand in {zone}, maandelijks "
            "gerapporteerd (3.2.5)"
        ),
        "describe.clock_hours": (
            "de klok start op het eerste openingsmoment op of na ontvangst en loopt {days} × "
            "{length} openingstijd"
        ),
        "describe.clock_days": (
            "de termijn is de sluitingstijd van werkdag {days} na de lokale ontvangstdatum"
        ),
        "describe.response_method": (
            "Ontvangst- en antwoordmomenten komen uit de servicedeskmailbox (de INTERNALDATE van "
            "de server van het eerste inkomende bericht van een draad en van het eerste "
            "menselijke antwoord), uit een import van het ticketsysteem of uit zijn webhook. "
            "Kalender {calendar}; {clock}. Een verzoek is op tijd als het op of vóór de termijn "
            "is beantwoord, te laat als het later of na de termijn nog niet is beantwoord, "
            "anders open; ratio = op tijd / (op tijd + te laat) over de verzoeken die in de "
            "maand zijn ontvangen."
        ),
        "describe.intake_mailboxes": "mailboxen gelezen elke {interval}",
        "describe.intake_other": (
            "verzoeken worden vastgelegd zodra ze worden geïmporteerd of door de webhook gemeld"
        ),
        "describe.response_indicator.one": (
            "Verzoeken in categorie {category} beantwoord binnen {days} werkdag"
        ),
        "describe.response_indicator.other": (
            "Verzoeken in categorie {category} beantwoord binnen {days} werkdagen"
        ),
        "describe.response_norm": "ten minste {norm} van de in de maand ontvangen verzoeken",
        "describe.response_bandwidth": (
            "geen: openstaande verzoeken tellen pas mee als ze beantwoord of verlopen zijn"
        ),
        "describe.response_frequency": (
            "{intake}; ratio per kalendermaand in {zone}, maandelijks gerapporteerd (3.2.5)"
        ),
        "calendar.text": "{name}: {weekdays} {hours} ({zone}), {closed}",
        "calendar.closed_country": "gesloten op de feestdagen van {country}",
        "calendar.no_holidays": "geen feestdagen",
        "calendar.exceptions": " met de uitzonderingen van het contract (zie de feestdagenlijst)",
        "policies.title": "7. Uitgangspunten en kalenders",
        "policies.maintenance_available": (
            "Afgesproken onderhoud blijft in de venstertijd T en telt niet als onbeschikbaar "
            "(de lezing van 3.2.10 in het contract)."
        ),
        "policies.maintenance_excluded": (
            "Afgesproken onderhoud gaat van het venster af: A = 1 − D / (T − M)."
        ),
        "policies.unmonitored_available": (
            "Tijd zonder meetresultaten telt niet als onbeschikbaar; hij wordt gerapporteerd als "
            "niet-gemeten tijd en als dekking."
        ),
        "policies.unmonitored_unavailable": "Tijd zonder meetresultaten telt als onbeschikbaar.",
        "policies.business_hours": (
            "Eén werkdag is de dagelijkse openingstijd van de kalender: een verzoek dat binnen "
            "openingstijd binnenkomt moet op hetzelfde tijdstip de volgende werkdag beantwoord "
            "zijn, een verzoek daarbuiten bij sluitingstijd van de volgende werkdag."
        ),
        "policies.end_of_day": (
            "Een verzoek moet beantwoord zijn bij sluitingstijd van de N-de werkdag na de lokale "
            "ontvangstdatum."
        ),
        "policies.calendar": "De kalender waarin de reactietermijnen worden berekend.",
        "calendars.title": "Kalenders en gesloten dagen in deze maand",
        "calendars.intro": (
            "Feestdagen worden per kalender bepaald uit de officiële feestdagen van het land, "
            "met de toevoegingen en uitzonderingen van het contract; contracten verschillen op "
            "Goede Vrijdag en 5 mei, daarom staat de toegepaste lijst hier."
        ),
        "calendars.date": "Datum",
        "calendars.day": "Dag",
        "calendars.holiday": "Feestdag",
        "calendars.none": "Geen gesloten dagen in {month}.",
        "year.title": "jaaroverzicht",
        "year.heading": "jaaroverzicht",
        "year.calendar_year": "Kalenderjaar {year}",
        "year.not_final": (
            "Nog niet elke maand van het jaar is gerapporteerd en definitief; maanden die nog "
            "niet gemeten zijn, staan als zodanig vermeld."
        ),
        "year.final": "Definitief: elke maand van het jaar is gerapporteerd en definitief.",
        "year.pis.title": "1. Elke PI per maand",
        "year.pis.intro": (
            "Elke maand wordt beoordeeld tegen de norm die in die maand gold (normen kunnen in "
            "de loop van het jaar wijzigen: 3.2.15, 3.2.17). Percentages zijn naar beneden "
            "afgerond."
        ),
        "year.trend": "Verloop van {title}",
        "year.figure": "Gerealiseerd",
        "year.norm": "Norm",
        "year.verdict": "Oordeel",
        "year.band": "Bonus/malus",
        "year.availability": "Beschikbaarheid {name} · {window}",
        "year.response": "Reactietijd {name}",
        "year.not_yet_measured": "nog niet gemeten",
        "year.not_configured": "niet afgesproken",
        "year.summary": "{met} van {judged} beoordeelde maanden hebben de norm gehaald",
        "year.summary_missed": ", {missed} niet behaald",
        "year.summary_band": "; bonus/malus: {listed}",
        "year.summary_end": ".",
        "year.misses.title": "2. Niet-behaalde service levels van het jaar",
        "year.misses.none": "Elke beoordeelde maand heeft de norm gehaald.",
        "year.miss": "{month} · {kind} {name}{where}: {value} tegen een norm van {norm}",
        "year.kind.availability": "beschikbaarheid",
        "year.kind.response": "reactietijd",
        "year.miss_outages": "{count} storing(en) meegeteld, {duration} onbeschikbaar",
        "year.miss_requests": "{count} verzoek(en) te laat of niet beantwoord",
        "year.miss_see": " (zie de rapportage van {month}).",
        "year.footer": (
            "Elk cijfer op deze pagina is een cijfer uit de maandrapportage van zijn maand, "
            "berekend door sla-monitor {version} uit de opgeslagen meetgegevens; de "
            "maandrapportages laten zien hoe elk cijfer tot stand kwam."
        ),
    }
)

_TABLES: Final[Mapping[str, Mapping[str, str]]] = MappingProxyType({"en": _EN, "nl": _NL})
LANGUAGES: Final = tuple(_TABLES)

_WEEKDAYS_EN = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_MONTHS_EN = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class Words:
    """The messages and the figure style of one language."""

    language: str
    messages: Mapping[str, str]

    def text(self, key: str, /, **values: object) -> str:
        """The message ``key`` with its ``{placeholders}`` filled in."""
        message = self.messages[key]
        return message.format(**values) if values else message

    def plural(self, key: str, count: int, /, **values: object) -> str:
        """``key.one`` for a count of one, ``key.other`` otherwise (both languages have
        just these two forms)."""
        return self.text(f"{key}.{'one' if count == 1 else 'other'}", count=count, **values)

    @property
    def english(self) -> bool:
        return self.language == "en"

    def percent(self, ratio: float, places: int = 3) -> str:
        """A figure, rounded down: ``99.092 %`` or ``99,092 %``."""
        text = percent_text(ratio, places)
        if self.english:
            return text
        number = Decimal(text.removesuffix(" %"))
        pattern = "#,##0" + ("." + "0" * places if places else "")
        return f"{self._decimal(number, pattern)} %"

    def objective(self, ratio: float) -> str:
        """A norm as the contract writes it: ``99.5 %`` or ``99,5 %``."""
        text = objective_text(ratio)
        if self.english:
            return text
        return f"{self._decimal(Decimal(text.removesuffix(' %')), '#,##0.##########')} %"

    def integer(self, value: int) -> str:
        return str(value) if self.english else self._decimal(Decimal(value), "#,##0")

    def _decimal(self, number: Decimal, pattern: str) -> str:
        # The number is already rounded (down) to its places; Babel only spells it.
        return format_decimal(number, format=pattern, locale=self.language)

    def duration(self, duration: timedelta) -> str:
        """``2 h 05 min`` (English) or ``2 u 05 min`` (Dutch: uur)."""
        text = duration_text(duration)
        return text if self.english else text.replace(" h", " u")

    def instant(self, instant: datetime | None, zone: ZoneInfo) -> str:
        """``2026-05-12 10:00`` or ``12-05-2026 10:00``; seconds only when not zero."""
        if instant is None:
            return self.text("still_open")
        if self.english:
            return instant_text(instant, zone)
        local = instant.astimezone(zone)
        if local.second or local.microsecond:
            return local.strftime("%d-%m-%Y %H:%M:%S")
        return local.strftime("%d-%m-%Y %H:%M")

    def day(self, day: date) -> str:
        """A date in a table: ``2026-05-14`` or ``14-05-2026``."""
        return day.isoformat() if self.english else day.strftime("%d-%m-%Y")

    def long_date(self, day: date) -> str:
        """``1 November 2026`` or ``1 november 2026``."""
        if self.english:
            return f"{day.day} {_MONTHS_EN[day.month - 1]} {day.year}"
        return format_date(day, format="d MMMM y", locale=self.language)

    def long_instant(self, instant: datetime, zone: ZoneInfo) -> str:
        """``1 November 2026 18:00``: a date people sign under, with its clock time."""
        local = instant.astimezone(zone)
        return f"{self.long_date(local.date())} {local.strftime('%H:%M')}"

    def month_title(self, year: int, month: int) -> str:
        """``November 2026`` or ``november 2026``."""
        if self.english:
            return f"{_MONTHS_EN[month - 1]} {year}"
        return f"{get_month_names('wide', locale=self.language)[month]} {year}"

    def month_abbreviation(self, month: int) -> str:
        """January = 1: ``Jan`` or ``jan`` (``mrt``, ``mei``, ``okt``: CLDR's, without its dot)."""
        if self.english:
            return _MONTHS_EN[month - 1][:3]
        return str(get_month_names("abbreviated", locale=self.language)[month]).rstrip(".")

    def weekday(self, index: int) -> str:
        """Monday = 0: ``mon`` or ``ma``."""
        if self.english:
            return _WEEKDAYS_EN[index]
        return str(get_day_names("abbreviated", locale=self.language)[index]).rstrip(".")


def words_for(language: str) -> Words:
    """The :class:`Words` of ``language`` (``en`` or ``nl``); anything else is an error."""
    try:
        return Words(language, _TABLES[language])
    except KeyError:
        raise ValueError(
            f"unknown report language {language!r}; use one of {', '.join(LANGUAGES)}"
        ) from None
