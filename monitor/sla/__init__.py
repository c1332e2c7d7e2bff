"""The pure SLA core: interval algebra, business calendars, availability, response, budget,
norms over time and bonus/malus bands.

Nothing in here performs I/O or reads the clock: "now" is always an argument. That keeps every
figure reproducible (a report for a past month is recomputed from the same inputs to the same
number) and lets the tests pin each rule with real dates. ``tests/test_architecture.py`` and
an import-linter contract keep it that way.
"""

from monitor.sla.availability import (
    AvailabilityFigure,
    AvailabilityPolicies,
    CountedOutage,
    EvidenceVerdict,
    MaintenancePolicy,
    Outage,
    OutageSource,
    UnmonitoredPolicy,
    compute_availability,
    sla_window,
)
from monitor.sla.budget import ErrorBudget
from monitor.sla.burn import BurnCounter, settle_time
from monitor.sla.calendar import BusinessCalendar, ClosedDay, HolidayRules, OpeningHours
from monitor.sla.coverage import CoverageTracker, SessionExtended, SessionStarted, covered_time
from monitor.sla.intervals import Interval, IntervalSet, as_utc
from monitor.sla.months import Month
from monitor.sla.norms import (
    Band,
    BandOutcome,
    Bound,
    NormSchedule,
    NormStep,
    bands_in_force,
    judged_outcome,
)
from monitor.sla.outages import Observation, OutageClosed, OutageOpened, OutageTracker
from monitor.sla.response import (
    BusinessDayMode,
    MonthlyResponse,
    Outcome,
    ReceivedRequest,
    RequestJudge,
    RequestTiming,
    ResponseNorm,
    ResponseVerdict,
    judge_request,
    monthly_response,
    response_deadline,
)

__all__ = [
    "AvailabilityFigure",
    "AvailabilityPolicies",
    "Band",
    "BandOutcome",
    "Bound",
    "BurnCounter",
    "BusinessCalendar",
    "BusinessDayMode",
    "ClosedDay",
    "CountedOutage",
    "CoverageTracker",
    "ErrorBudget",
    "EvidenceVerdict",
    "HolidayRules",
    "Interval",
    "IntervalSet",
    "MaintenancePolicy",
    "Month",
    "MonthlyResponse",
    "NormSchedule",
    "NormStep",
    "Observation",
    "OpeningHours",
    "Outage",
    "OutageClosed",
    "OutageOpened",
    "OutageSource",
    "OutageTracker",
    "Outcome",
    "ReceivedRequest",
    "RequestJudge",
    "RequestTiming",
    "ResponseNorm",
    "ResponseVerdict",
    "SessionExtended",
    "SessionStarted",
    "UnmonitoredPolicy",
    "as_utc",
    "bands_in_force",
    "compute_availability",
    "covered_time",
    "judge_request",
    "judged_outcome",
    "monthly_response",
    "response_deadline",
    "settle_time",
    "sla_window",
]
