"""What the API answers, as models: the handlers build every JSON body through these, and the
OpenAPI document's response schemas are generated from them, so the two cannot drift.

Instants are :data:`~monitor.server.api.fields.LocalInstant` s, already in the configured
zone; durations are seconds. Validation on construction is the last check before a body
leaves: a figure outside its documented range fails here, as a 500 naming no internals,
instead of reaching a client as a promise the document does not make.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from monitor.server.api.context import TargetStateName
from monitor.server.api.fields import LocalInstant, WindowId
from monitor.sla.corrections import CorrectionKind
from monitor.sla.registered import Standing
from monitor.store.records import MaintenanceAction, MissKind, OutageSource, RequestSource

__all__ = [
    "Answer",
    "CategoryStatus",
    "MaintenanceChange",
    "MaintenanceList",
    "MaintenanceWindow",
    "MaintenanceWindowDetail",
    "MissAnalysis",
    "MissAnalysisList",
    "OnTimeYear",
    "Outage",
    "OutageCorrection",
    "OutageList",
    "ReportDeliveries",
    "ReportDelivery",
    "ReportingMiss",
    "ReportingStatus",
    "Request",
    "RequestResolution",
    "ResolutionMonth",
    "ResolutionStatus",
    "ResponseMonth",
    "SlaStatus",
    "Status",
    "TargetStatus",
]

Count = Annotated[int, Field(ge=0)]
Ratio = Annotated[float, Field(ge=0, le=1)]
Seconds = Annotated[float, Field(ge=0)]


class Answer(BaseModel):
    """A response body: frozen, and nothing in it that the document does not name."""

    model_config = ConfigDict(
        extra="forbid", frozen=True, json_schema_serialization_defaults_required=True
    )


class MaintenanceChange(Answer):
    action: MaintenanceAction
    at: Annotated[LocalInstant, Field(description="When.")]
    who: str


class MaintenanceWindow(Answer):
    id: WindowId
    name: str
    targets: Annotated[tuple[str, ...], Field(min_length=1)]
    start: Annotated[LocalInstant, Field(description="First instant of the window.")]
    end: Annotated[LocalInstant, Field(description="First instant after the window.")]
    reason: str
    requested_by: Annotated[str, Field(description="Who asked for the window.")]
    approved_by: Annotated[
        str | None, Field(description="Name of the write token that approved the window.")
    ]
    registered_at: Annotated[LocalInstant, Field(description="When the daemon stored it.")]
    retroactive: Annotated[
        bool,
        Field(
            description="Registered at or after its start: a reclassification of time that "
            "had already passed, listed as such in the report."
        ),
    ]
    agreed: Annotated[
        bool,
        Field(
            description="Counts as agreed maintenance: registered before its start or "
            "approved, and not withdrawn."
        ),
    ]
    registered_by: Annotated[
        str, Field(description="Name of the write token that registered the window.")
    ]
    approved_at: Annotated[LocalInstant | None, Field(description="When it was approved.")]
    standing: Annotated[
        Standing,
        Field(
            description="approved: forgives all downtime in it; agreed: only downtime of "
            "outages that began after registration; short_notice, retroactive: none until "
            "approved."
        ),
    ]
    deleted_at: Annotated[LocalInstant | None, Field(description="When it was withdrawn.")]
    deleted_by: str | None


class MaintenanceWindowDetail(MaintenanceWindow):
    changes: Annotated[
        tuple[MaintenanceChange, ...], Field(description="The audit trail, oldest first.")
    ]


class MaintenanceList(Answer):
    windows: tuple[MaintenanceWindow, ...]


class OutageCorrection(Answer):
    id: int
    kind: CorrectionKind
    at: Annotated[LocalInstant | None, Field(description="The instant of a close; else null.")]
    reason: str
    actor: Annotated[str, Field(description="Name of the acting token.")]
    recorded_at: Annotated[LocalInstant, Field(description="When it was recorded.")]


class Outage(Answer):
    id: str
    target: str
    start: Annotated[LocalInstant, Field(description="The first failed probe of the run.")]
    end: Annotated[
        LocalInstant | None,
        Field(description="The first successful probe after it; null while open."),
    ]
    cause: str
    source: OutageSource
    corrections: tuple[OutageCorrection, ...]


class OutageList(Answer):
    since: Annotated[LocalInstant, Field(description="Start of the listed range.")]
    until: Annotated[
        LocalInstant | None, Field(description="End of the listed range; null for open-ended.")
    ]
    outages: tuple[Outage, ...]


class MissAnalysis(Answer):
    id: int
    month: str
    kind: MissKind
    name: str
    window: str | None
    cause: str
    measures: str
    author: Annotated[str, Field(description="Name of the recording token.")]
    recorded_at: Annotated[LocalInstant, Field(description="When it was recorded.")]


class MissAnalysisList(Answer):
    month: str
    analyses: tuple[MissAnalysis, ...]


class RequestResolution(Answer):
    """A request's resolution term and outcome as of the answer (3.2.40)."""

    due: Annotated[LocalInstant, Field(description="The end of the resolution term.")]
    outcome: Annotated[
        str,
        Field(
            description="in_time, an overrun tier name (over_20, over_50 by default) or "
            "pending; an unresolved request past the last tier is in that tier."
        ),
    ]
    ratio: Annotated[
        float | None,
        Field(ge=0, description="Time to resolution / term; null while unresolved."),
    ]
    at_least: Annotated[
        str | None,
        Field(description="Pending: the highest overrun tier already exceeded, if any."),
    ]


class Request(Answer):
    """A service-desk request with its deadline and outcome as of the answer."""

    id: str
    category: str
    received_at: Annotated[LocalInstant, Field(description="When the request came in.")]
    answered_at: Annotated[
        LocalInstant | None, Field(description="The first human answer; null if none.")
    ]
    channel: str | None
    source: RequestSource
    deadline: Annotated[
        LocalInstant, Field(description="The last instant an answer still meets the norm.")
    ]
    outcome: Annotated[
        Literal["met", "breached", "pending"],
        Field(
            description="As of now: met (answered by the deadline), breached (answered "
            "late, or unanswered past it), pending (neither yet)."
        ),
    ]
    resolved_at: Annotated[
        LocalInstant | None,
        Field(description="The resolution as last recorded (3.2.40); null if none."),
    ] = None
    resolution: Annotated[
        RequestResolution | None,
        Field(description="Null for a category without a resolution term."),
    ] = None


BandOutcomeName = Literal["bonus", "neutral", "malus"]

_OUTCOME = (
    "Month-to-date place in the bonus/malus band in force this month (B3.7, 3.2.19); null "
    "without a band, with insufficient evidence or while nothing is decided."
)


class SlaStatus(Answer):
    """One SLA window of a target; the figures are null until the first computation."""

    window: Annotated[str, Field(description="24x7 or a calendar name.")]
    objective: Ratio
    availability: Annotated[
        float | None,
        Field(
            le=1,
            description="Month-to-date availability, 0..1; null until the first computation "
            "after start-up or a reload.",
        ),
    ] = None
    window_seconds: Annotated[
        Seconds | None, Field(description="Window time elapsed this month (T).")
    ] = None
    unplanned_downtime_seconds: Annotated[
        Seconds | None, Field(description="Downtime outside agreed maintenance (D).")
    ] = None
    maintenance_seconds: Annotated[
        Seconds | None, Field(description="Agreed maintenance inside the window (M).")
    ] = None
    unmonitored_seconds: Annotated[
        Seconds | None, Field(description="Window time without probe results (U).")
    ] = None
    error_budget_remaining_seconds: Annotated[
        float | None,
        Field(
            description="The month's error budget minus what was spent; negative once overspent."
        ),
    ] = None
    met: Annotated[bool | None, Field(description="availability >= objective.")] = None
    outcome: Annotated[
        BandOutcomeName | None,
        Field(description=_OUTCOME),
    ] = None


class LocationStatus(Answer):
    location: str
    monitoring: Annotated[
        bool, Field(description="In a monitoring session now, with its canary (if any) up.")
    ]
    up: Annotated[
        bool | None, Field(description="Whether it sees the target up; null while not monitoring.")
    ]
    location_only_failure_seconds: Annotated[
        float,
        Field(description="This month: time it saw the target down without a quorum."),
    ]
    unmonitored_seconds: Annotated[
        float, Field(description="This month so far: time it was not monitoring the target.")
    ]


class TargetStatus(Answer):
    name: str
    state: Annotated[
        TargetStateName,
        Field(
            description="down while an outage is open; unknown before the first probe "
            "result since start-up."
        ),
    ]
    since: Annotated[
        LocalInstant | None, Field(description="Start of the current state, as far as known.")
    ]
    last_probe_at: Annotated[LocalInstant | None, Field(description="Start of the latest probe.")]
    last_error: Annotated[str | None, Field(description="Cause of the latest probe if it failed.")]
    slas: tuple[SlaStatus, ...]
    quorum: Annotated[
        int | None,
        Field(description="Monitoring locations that must see it down; null before the figures."),
    ] = None
    locations: Annotated[
        tuple[LocationStatus, ...],
        Field(description="Each probe location's view this month (docs/rules.md#quorum)."),
    ] = ()
    degraded_vantage_seconds: Annotated[
        float | None,
        Field(description="This month: time judged by fewer monitoring locations than the quorum."),
    ] = None


class ResponseMonth(Answer):
    received: Count
    met: Count
    breached: Count
    pending: Count
    ratio: Annotated[
        Ratio | None,
        Field(description="met / (met + breached); null while nothing is decided."),
    ]
    objective_met: bool | None
    final: Annotated[bool, Field(description="No outcome can change any more.")]


class ResolutionMonth(Answer):
    counts: Annotated[
        dict[str, Count],
        Field(description="Requests received in the month per resolution outcome."),
    ]
    pending_at_least: Annotated[
        dict[str, Count],
        Field(description="Unresolved requests per overrun tier they already exceeded."),
    ]


class ResolutionStatus(Answer):
    """A category's resolution term (3.2.40) and its counts this month and last."""

    days: Annotated[int, Field(ge=1)]
    unit: Literal["working_days", "calendar_days"]
    overrun_tiers: tuple[float, ...]
    tier_names: tuple[str, ...]
    current_month: ResolutionMonth
    previous_month: ResolutionMonth


class CategoryStatus(Answer):
    """One category of the service desk (3.2.9, 3.2.13, 3.2.14, 3.2.39)."""

    category: str
    objective: Ratio
    days: Annotated[int, Field(ge=1)]
    open: Annotated[Count, Field(description="Unanswered, in time.")]
    overdue: Annotated[Count, Field(description="Unanswered, late.")]
    current_month: ResponseMonth
    previous_month: ResponseMonth
    outcome: Annotated[BandOutcomeName | None, Field(description=_OUTCOME)] = None
    resolution: Annotated[
        ResolutionStatus | None,
        Field(description="Resolution counts (3.2.40); null without a resolution term."),
    ] = None


class WorkerStatus(Answer):
    """A probe worker process (``probing.workers``, ``SLA_MONITOR_WORKERS``)."""

    index: int
    pid: Annotated[int | None, Field(description="Its process id; null while it is down.")]
    targets: Annotated[int, Field(description="How many targets it probes.")]
    restarts: Annotated[int, Field(description="How often it died and was started again.")]


class Status(Answer):
    timezone: Annotated[str, Field(description="The configured IANA zone.")]
    computed_at: Annotated[
        LocalInstant | None, Field(description="When the figures were computed.")
    ]
    month: Annotated[str, Field(pattern="^[0-9]{4}-[0-9]{2}$")] | None
    location: Annotated[str, Field(description="The probe location of this instance.")] = "local"
    leads: Annotated[
        bool, Field(description="Whether this instance leads (exports, mailboxes, pruning).")
    ] = True
    leader: Annotated[
        str | None, Field(description="The location that became leader last, from the store.")
    ] = None
    targets: tuple[TargetStatus, ...]
    servicedesk: Annotated[
        tuple[CategoryStatus, ...],
        Field(
            description="Response figures per request category; empty until the first computation."
        ),
    ]
    workers: Annotated[
        tuple[WorkerStatus, ...],
        Field(description="The probe worker processes; empty when the daemon probes itself."),
    ] = ()


class ReportDelivery(Answer):
    """A month's report against its 3.2.5 deadline."""

    month: Annotated[str, Field(pattern="^[0-9]{4}-[0-9]{2}$")]
    due: Annotated[
        LocalInstant,
        Field(description="Closing time of the fifth working day after the month (3.2.5)."),
    ]
    analyses_due: Annotated[
        LocalInstant,
        Field(description="Closing time of the tenth working day after the month (3.2.6)."),
    ]
    delivered_at: Annotated[
        LocalInstant | None, Field(description="When the export job wrote it; null if not yet.")
    ]
    final: Annotated[bool | None, Field(description="Whether the export was final.")]
    on_time: Annotated[bool | None, Field(description="delivered_at <= due; null if not yet.")]


class ReportingMiss(Answer):
    """A service level missed in the previous month and its 3.2.6 analysis."""

    kind: MissKind
    target: str | None
    window: str | None
    category: str | None
    analysed_at: Annotated[
        LocalInstant | None, Field(description="When its first analysis was recorded.")
    ]


class OnTimeYear(Answer):
    """3.2.38: reports of a year delivered by their due instant, of those due so far."""

    year: int
    due: Count
    on_time: Count
    ratio: Annotated[Ratio | None, Field(description="on_time / due; null while none is due.")]


class ReportingStatus(Answer):
    previous_month: ReportDelivery
    current_month: ReportDelivery
    misses: tuple[ReportingMiss, ...]
    years: Annotated[
        tuple[OnTimeYear, ...], Field(description="This year and the last, this year first.")
    ]
    objective: Annotated[Ratio, Field(description="3.2.38: the share to reach (0.9).")]


class ReportDeliveries(Answer):
    """``GET /api/v1/reports/deliveries``: the reporting against its own deadlines."""

    computed_at: Annotated[LocalInstant | None, Field(description="When the status was computed.")]
    status: Annotated[
        ReportingStatus | None, Field(description="Null until the first computation.")
    ]
    deliveries: Annotated[
        tuple[ReportDelivery, ...], Field(description="Every recorded delivery, oldest first.")
    ]
