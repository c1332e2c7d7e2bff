"""The sections of the configuration file, one model each (docs/interfaces.md).

Each section validates what it can see on its own: field types, ranges, the syntax of
recurring windows, the holiday country and names of a calendar. Checks that need the whole
file (does this calendar exist? does that target?) live in :mod:`monitor.config._model`.
"""

from __future__ import annotations

import difflib
import re
from datetime import date, timedelta
from ipaddress import ip_address
from pathlib import Path
from typing import Annotated, Literal
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import holidays as holidays_lib
from pydantic import AfterValidator, AwareDatetime, BeforeValidator, Field, model_validator

from monitor.config._norms import BandSchedule, ObjectiveSchedule
from monitor.config._problems import Loc, duplicate_name, raise_problems
from monitor.config._types import (
    ALWAYS,
    DEFAULT_CALENDAR,
    HolidayEntry,
    Objective,
    OpeningText,
    Section,
    Slug,
    TimeZoneName,
    Weekday,
)
from monitor.sla.availability import AvailabilityPolicies, MaintenancePolicy, UnmonitoredPolicy
from monitor.sla.calendar import BusinessCalendar, HolidayRules, OpeningHours, parse_weekday
from monitor.sla.maintenance import OneOffWindow, RecurringWindow
from monitor.sla.resolution import ResolutionNorm
from monitor.sla.response import BusinessDayMode, DayUnit
from probes.config import Duration, ProbeConfig, SecretRef

__all__ = [
    "HOLIDAY_NAME_YEARS",
    "CalendarConfig",
    "CategoryConfig",
    "EvidenceConfig",
    "HolidaysConfig",
    "LocationConfig",
    "MailboxConfig",
    "MaintenanceConfig",
    "OAuth2Auth",
    "PasswordAuth",
    "PoliciesConfig",
    "ProbingConfig",
    "ReportConfig",
    "ReportHeaderConfig",
    "ResolutionConfig",
    "RetentionConfig",
    "ServiceDeskConfig",
    "SlaConfig",
    "TargetConfig",
]

HOLIDAY_NAME_YEARS = range(2000, 2101)
"""Years searched for a holiday named in ``include``/``exclude``. Wide, because a name that
occurs in any of them (Queen's Day before 2014, King's Day after) is a real holiday, and
fixed, so the same file validates the same way in every year."""

_UTC = ZoneInfo("UTC")


# -- calendars ------------------------------------------------------------------------------


def _country(value: object) -> object:
    if isinstance(value, bool):
        # YAML 1.1 reads an unquoted NO (Norway) as false.
        raise ValueError('quote the country code, e.g. "NO": unquoted, YAML reads NO as false')
    return value


class HolidaysConfig(Section):
    """Public holidays of a country (via the ``holidays`` package) plus contract exceptions."""

    country: Annotated[str | None, BeforeValidator(_country)] = "NL"
    subdivision: str | None = None
    include: tuple[HolidayEntry, ...] = ()
    exclude: tuple[HolidayEntry, ...] = ()

    def rules(self) -> HolidayRules:
        return HolidayRules(self.country, self.subdivision, self.include, self.exclude)


_WORKING_WEEK: tuple[Weekday, ...] = ("mon", "tue", "wed", "thu", "fri")


class CalendarConfig(Section):
    """A business calendar (docs/rules.md#business-calendar), default "werkdagen 8.00-18.00"."""

    opening: OpeningText = "08:00-18:00"
    weekdays: Annotated[tuple[Weekday, ...], Field(min_length=1)] = _WORKING_WEEK
    holidays: HolidaysConfig = HolidaysConfig()
    timezone: TimeZoneName | None = None

    def build(self, name: str, default_zone: ZoneInfo) -> BusinessCalendar:
        zone = ZoneInfo(self.timezone) if self.timezone is not None else default_zone
        return BusinessCalendar(
            zone=zone,
            weekdays=frozenset(parse_weekday(day) for day in self.weekdays),
            hours=OpeningHours.parse(self.opening),
            holidays=self.holidays.rules(),
            name=name,
        )

    @model_validator(mode="after")
    def _holidays_resolve(self) -> CalendarConfig:
        """Fail at load time on anything that would otherwise fail, or silently not match,
        at the first deadline: the holiday list decides which days count
        (docs/rules.md#business-calendar)."""
        problems = _holiday_problems(self.holidays)
        problems += _unknown_name_problems(self.holidays, {loc for loc, _ in problems})
        raise_problems("CalendarConfig", problems)
        return self


def _holiday_problems(rules: HolidaysConfig) -> list[tuple[Loc, str]]:
    problems: list[tuple[Loc, str]] = []
    supported = holidays_lib.list_supported_countries()
    if rules.country is not None and rules.country not in supported:
        problems.append(
            (
                ("holidays", "country"),
                f"unknown holiday country {rules.country!r}; use an ISO 3166 code such as "
                "NL, BE or DE, or null for no public holidays",
            )
        )
    elif rules.subdivision is not None:
        if rules.country is None:
            problems.append((("holidays", "subdivision"), "a subdivision needs a country"))
        else:
            try:
                holidays_lib.country_holidays(rules.country, subdiv=rules.subdivision)
            except NotImplementedError:
                known = ", ".join(supported[rules.country]) or "none"
                problems.append(
                    (
                        ("holidays", "subdivision"),
                        f"{rules.country} has no subdivision {rules.subdivision!r} "
                        f"(known: {known})",
                    )
                )
    for field in ("include", "exclude"):
        for index, entry in enumerate(getattr(rules, field)):
            if _DATE_LIKE.fullmatch(entry.strip()) and not _is_date(entry.strip()):
                problems.append(
                    (
                        ("holidays", field, index),
                        f"{entry!r} is not a valid date; write 2026-12-24, or 12-31 for every year",
                    )
                )
                continue
            try:
                # Without a country this only parses the entry; no holiday tables are built.
                BusinessCalendar(holidays=HolidayRules(country=None, include=(entry,)))
            except ValueError as error:
                problems.append((("holidays", field, index), f"{entry!r}: {error}"))
    return problems


_DATE_LIKE = re.compile(r"(\d{4}-)?\d{1,2}-\d{1,2}")


def _is_date(text: str) -> bool:
    try:
        date.fromisoformat(text if text.count("-") == 2 else f"2000-{text}")
    except ValueError:
        return False
    return True


def _unknown_name_problems(rules: HolidaysConfig, bad: set[Loc]) -> list[tuple[Loc, str]]:
    """Names in include/exclude that match no holiday: a typo would silently keep a day open.

    Only the entries that parsed are looked up, so one bad date does not hide a misspelt
    name in the same list; with a bad country or subdivision there is nothing to look in.
    """
    if not (rules.include or rules.exclude):
        return []
    if any(loc[:2] in (("holidays", "country"), ("holidays", "subdivision")) for loc in bad):
        return []
    usable = HolidayRules(
        rules.country,
        rules.subdivision,
        tuple(e for i, e in enumerate(rules.include) if ("holidays", "include", i) not in bad),
        tuple(e for i, e in enumerate(rules.exclude) if ("holidays", "exclude", i) not in bad),
    )
    calendar = BusinessCalendar(zone=_UTC, holidays=usable)
    unknown = set(calendar.unknown_holiday_names(HOLIDAY_NAME_YEARS))
    return [
        (("holidays", field, index), _unknown_name(entry, rules))
        for field in ("include", "exclude")
        for index, entry in enumerate(getattr(rules, field))
        if entry.strip().casefold() in unknown
    ]


def _unknown_name(entry: str, rules: HolidaysConfig) -> str:
    if rules.country is None:
        return (
            f"holiday name {entry!r} needs a holiday country; without one, write dates "
            "(2026-12-24) or annual dates (12-31)"
        )
    years = f"{HOLIDAY_NAME_YEARS.start}-{HOLIDAY_NAME_YEARS.stop - 1}"
    close = difflib.get_close_matches(
        entry.strip(), _holiday_names(rules.country, rules.subdivision), n=1, cutoff=0.6
    )
    hint = (
        f"did you mean {close[0]!r}?"
        if close
        else "spell it as `sla-monitor holidays` prints it, or in the country's language"
    )
    return (
        f"unknown holiday name {entry!r}: no {rules.country} holiday is called that "
        f"in {years} ({hint})"
    )


def _holiday_names(country: str, subdivision: str | None) -> list[str]:
    """Holiday names of a country in English and its own language, for a "did you mean"."""
    probe = holidays_lib.country_holidays(country, subdiv=subdivision)
    supported = set(getattr(probe, "supported_languages", ()) or ())
    languages = {getattr(probe, "default_language", None), "en_US"}
    categories = tuple(getattr(probe, "supported_categories", ("public",)))
    names: set[str] = set()
    for language in languages:
        if language is None or (supported and language not in supported):
            continue
        table = holidays_lib.country_holidays(
            country,
            subdiv=subdivision,
            years=range(2010, 2031),
            categories=categories,
            language=language,
        )
        for joined in table.values():
            names.update(str(joined).split("; "))
    return sorted(names)


# -- maintenance ----------------------------------------------------------------------------


def _recurrence(value: str) -> str:
    return str(RecurringWindow.parse(value, _UTC))


class MaintenanceConfig(Section):
    """An agreed maintenance window (3.2.10: downtime inside it does not count).

    One-off: ``start`` and ``end`` with a UTC offset. Recurring: ``every``, in the configured
    zone's wall-clock time, optionally limited to ``valid_from``..``valid_until`` (local dates,
    inclusive), so a schedule agreed later does not rewrite earlier months.
    """

    name: Slug
    targets: Annotated[tuple[str, ...], Field(min_length=1)]
    reason: str | None = None
    start: AwareDatetime | None = None
    end: AwareDatetime | None = None
    every: Annotated[str, AfterValidator(_recurrence)] | None = None
    valid_from: date | None = None
    valid_until: date | None = None

    @model_validator(mode="after")
    def _one_kind(self) -> MaintenanceConfig:
        problems: list[tuple[Loc, str]] = []
        one_off = self.start is not None or self.end is not None
        if self.every is not None and one_off:
            problems.append(
                (("every",), "give start and end for a one-off window or every, not both")
            )
        elif self.every is None and not one_off:
            problems.append(
                ((), "needs start and end (a one-off window) or every (a recurring one)")
            )
        elif self.every is None:
            if self.start is None:
                problems.append((("start",), "a one-off window needs a start"))
            if self.end is None:
                problems.append((("end",), "a one-off window needs an end"))
            if self.start is not None and self.end is not None and self.end <= self.start:
                what = "is empty: end equals start" if self.end == self.start else "is reversed"
                problems.append(
                    (
                        ("end",),
                        f"the window {what} ({self.start.isoformat()} .. {self.end.isoformat()})",
                    )
                )
            for field in ("valid_from", "valid_until"):
                if getattr(self, field) is not None:
                    problems.append(((field,), f"{field} applies only to a recurring window"))
        if (
            self.valid_from is not None
            and self.valid_until is not None
            and self.valid_until < self.valid_from
        ):
            problems.append((("valid_until",), "valid_until lies before valid_from"))
        raise_problems("MaintenanceConfig", problems)
        return self

    def timing(self, zone: ZoneInfo) -> OneOffWindow | RecurringWindow:
        """The pure window; recurring ones are read in ``zone`` (the configured timezone)."""
        if self.every is not None:
            return RecurringWindow.parse(
                self.every, zone, valid_from=self.valid_from, valid_until=self.valid_until
            )
        if self.start is None or self.end is None:  # excluded by the validator above
            raise ValueError(f"maintenance window {self.name!r} has no start or end")
        return OneOffWindow(self.start, self.end)


# -- targets --------------------------------------------------------------------------------


class EvidenceConfig(Section):
    """The evidence threshold: the share of a window that must have been measured before a
    figure is judged met or missed (3.2.2: service levels are measured, not assumed)."""

    min_coverage: Objective = 0.95


_REQUIREMENT_ID = r"[0-9A-Za-z][0-9A-Za-z.\-]{0,19}"
_REQUIREMENT = re.compile(rf"{_REQUIREMENT_ID}(?:, ?{_REQUIREMENT_ID})*")


def _requirement(value: str) -> str:
    """A contract id as the report prints it (``3.2.10``; ``3.2.7, 3.2.8``): short, no
    markup, so it fits a table cell and a CSV column."""
    if _REQUIREMENT.fullmatch(value):
        return value
    raise ValueError(
        f"{value!r} is not a requirement id: write it as in the contract, e.g. 3.2.10, "
        "or several separated by commas (3.2.7, 3.2.8)"
    )


RequirementId = Annotated[str, AfterValidator(_requirement)]
"""The contract requirement a figure answers to, printed on its row of the report."""


class SlaConfig(Section):
    """One service level of a target: 3.2.10 gives the IT system a 24x7 and a working-hours
    window, each with its own objective. ``evidence`` overrides the global threshold;
    ``requirement`` the contract id the report prints on its row (by default 3.2.10, or
    3.2.7, 3.2.8 for the service desk's phone and mail channels). ``objective`` and ``band``
    may change over time (3.2.15, 3.2.17)."""

    window: str
    objective: ObjectiveSchedule
    evidence: EvidenceConfig | None = None
    band: BandSchedule = None
    requirement: RequirementId | None = None


class TargetConfig(Section):
    """Something probed, with the service levels its outages are measured against."""

    name: Slug
    description: str | None = None
    probe: ProbeConfig
    interval: Duration = timedelta(seconds=30)
    failures_before_down: Annotated[int, Field(ge=1)] = 2
    schedule: str = ALWAYS
    slas: tuple[SlaConfig, ...]
    locations: tuple[Slug, ...] | None = None
    """The probe locations that watch this target; ``None``: every configured location."""
    quorum: Annotated[int, Field(ge=1)] | None = None
    """How many monitoring locations must see it down (docs/rules.md#quorum); ``None``: a
    majority of the target's locations."""

    @model_validator(mode="after")
    def _slas_distinct(self) -> TargetConfig:
        """Two SLAs on one window would give two series with the same labels and two
        different verdicts for one figure."""
        problems: list[tuple[Loc, str]] = []
        if not self.slas:
            problems.append(
                (("slas",), "a target needs at least one SLA ({window: 24x7, objective: 0.99})")
            )
        first: dict[str, int] = {}
        for index, sla in enumerate(self.slas):
            if sla.window in first:
                problems.append(
                    (
                        ("slas", index, "window"),
                        f"window {sla.window!r} already has an SLA in slas[{first[sla.window]}]",
                    )
                )
            first.setdefault(sla.window, index)
        raise_problems("TargetConfig", problems)
        return self


class LocationConfig(Section):
    """A place the targets are probed from (docs/rules.md#quorum). ``canary`` probes
    something that is up whenever the location's own network is: while it fails, the
    location is not monitoring, so its own fault is never booked against the supplier."""

    name: Slug
    description: str | None = None
    canary: ProbeConfig | None = None
    canary_interval: Duration = timedelta(seconds=30)


# -- service desk ---------------------------------------------------------------------------

_ENV_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def _mailbox_url(value: str) -> str:
    # Never echo the URL: it might carry a password in its user-info part.
    parts = urlsplit(value)
    if parts.scheme not in ("imap", "imaps"):
        raise ValueError("the URL must start with imaps:// (or imap:// without TLS)")
    if parts.username is not None or parts.password is not None:
        raise ValueError(
            "the URL must not contain user or password; use username and password_file"
        )
    if not parts.hostname:
        raise ValueError("the URL has no host")
    try:
        _ = parts.port
    except ValueError as error:
        raise ValueError("the URL has an invalid port") from error
    if parts.path not in ("", "/") or parts.query or parts.fragment:
        raise ValueError("the URL names only the server; give folders as inbox and sent")
    return value


def _token_url(value: str) -> str:
    """HTTPS, or plain HTTP to this host only: the client secret travels in the request."""
    parts = urlsplit(value)
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise ValueError("give the token endpoint as https://host/path")
    if parts.scheme == "http" and not _loopback(parts.hostname):
        raise ValueError(
            "the token endpoint must use https:// (plain http:// only to this host itself)"
        )
    return value


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ip_address(host).is_loopback
    except ValueError:
        return False


def _address(value: str) -> str:
    local, at, domain = value.strip().rpartition("@")
    if not at or not local or "." not in domain:
        raise ValueError(f"{value!r} is not an e-mail address")
    return value.strip().lower()


def _env_name(value: str) -> str:
    if not _ENV_NAME.fullmatch(value):
        raise ValueError(f"{value!r} is not an environment variable name")
    return value


class PasswordAuth(Section):
    """Log in with the mailbox user's password (``password_file`` or ``password_env``)."""

    type: Literal["password"] = "password"


class OAuth2Auth(Section):
    """Log in with an OAuth2 access token from a client-credentials grant (RFC 6749 §4.4).

    The token is sent with ``AUTHENTICATE OAUTHBEARER`` (RFC 7628) or ``XOAUTH2``; the client
    secret lives in a file (a systemd credential) and never in the configuration.
    """

    type: Literal["oauth2"]
    token_url: Annotated[str, AfterValidator(_token_url)]
    client_id: Annotated[str, Field(min_length=1)]
    client_secret_file: Path
    scope: Annotated[str, Field(min_length=1)]

    def read_client_secret(self) -> str:
        """Read now, so a rotated secret is picked up at the next token request."""
        return self.client_secret_file.read_text(encoding="utf-8").strip()


class MailboxConfig(Section):
    """A desk mailbox scanned over IMAP for requests and answers (3.2.9, 3.2.13, 3.2.14)."""

    name: Slug
    url: Annotated[str, AfterValidator(_mailbox_url)]
    username: Annotated[str, Field(min_length=1)]
    auth: Annotated[PasswordAuth | OAuth2Auth, Field(discriminator="type")] = PasswordAuth()
    password_file: Path | None = None
    password_env: Annotated[str, AfterValidator(_env_name)] | None = None
    inbox: str = "INBOX"
    sent: str = "Sent"
    desk_addresses: Annotated[
        tuple[Annotated[str, AfterValidator(_address)], ...], Field(min_length=1)
    ]
    category: Slug = "email"
    poll_interval: Duration = timedelta(seconds=60)

    @model_validator(mode="after")
    def _one_secret(self) -> MailboxConfig:
        if isinstance(self.auth, OAuth2Auth):
            given = [f for f in ("password_file", "password_env") if getattr(self, f) is not None]
            raise_problems(
                "MailboxConfig",
                [
                    ((field,), "not used with auth type oauth2 (the client secret logs in)")
                    for field in given
                ],
            )
            return self
        if self.password_file is not None and self.password_env is not None:
            raise_problems(
                "MailboxConfig",
                [(("password_env",), "give password_file or password_env, not both")],
            )
        if self.password_file is None and self.password_env is None:
            raise_problems(
                "MailboxConfig",
                [((), "needs password_file or password_env (the password itself never goes here)")],
            )
        return self

    @property
    def oauth2(self) -> OAuth2Auth | None:
        """The OAuth2 settings, or ``None`` when the mailbox logs in with a password."""
        return self.auth if isinstance(self.auth, OAuth2Auth) else None

    @property
    def secret(self) -> SecretRef:
        return SecretRef(password_file=self.password_file, password_env=self.password_env)

    @property
    def tls(self) -> bool:
        return urlsplit(self.url).scheme == "imaps"

    @property
    def host(self) -> str:
        return urlsplit(self.url).hostname or ""

    @property
    def port(self) -> int:
        return urlsplit(self.url).port or (993 if self.tls else 143)


class ResolutionConfig(Section):
    """A category's resolution term with its overrun tiers (3.2.40, docs/rules.md#resolution-time):
    resolved within ``days`` working or calendar days; a malus tier applies past each
    ``overrun_tiers`` fraction of the term (20 % and 50 % by default), named by ``tier_names``
    (default ``over_20``, ``over_50``)."""

    days: Annotated[int, Field(ge=1)]
    unit: DayUnit = DayUnit.WORKING_DAYS
    overrun_tiers: Annotated[tuple[Annotated[float, Field(gt=0)], ...], Field(min_length=1)] = (
        0.2,
        0.5,
    )
    tier_names: tuple[Slug, ...] | None = None

    @model_validator(mode="after")
    def _tiers_consistent(self) -> ResolutionConfig:
        try:
            self.norm()
        except ValueError as error:
            field = "overrun_tiers" if "ascending" in str(error) else "tier_names"
            raise_problems("ResolutionConfig", [((field,), str(error))])
        return self

    def norm(self) -> ResolutionNorm:
        return ResolutionNorm(self.days, self.unit, self.overrun_tiers, self.tier_names or ())


class CategoryConfig(Section):
    """A request category and its norm: answered within ``days`` working days (or calendar
    days, ``unit``) in ``objective`` of the cases (3.2.9: 80 % within one; 3.2.39 and
    3.2.41: two days), and optionally resolved within a term (3.2.40, ``resolution``).
    ``objective`` and ``band`` may change over time (3.2.15, 3.2.17)."""

    days: Annotated[int, Field(ge=1)]
    objective: ObjectiveSchedule
    band: BandSchedule = None
    unit: DayUnit = DayUnit.WORKING_DAYS
    resolution: ResolutionConfig | None = None
    requirement: RequirementId | None = None
    """The contract id printed on the category's rows; by default the contract's own for
    the four standard categories (3.2.9, 3.2.13, 3.2.14, 3.2.39)."""


DEFAULT_CATEGORIES: dict[str, dict[str, float | int]] = {
    "email": {"days": 1, "objective": 0.80},  # 3.2.9
    "complaint": {"days": 1, "objective": 1.0},  # 3.2.14
    "escalation": {"days": 1, "objective": 1.0},  # 3.2.13
    "information_request": {"days": 2, "objective": 1.0},  # 3.2.39
}


def _with_default_categories(value: object) -> object:
    """Fill in the contract's categories, field by field, so that overriding only the
    objective of ``information_request`` keeps its two days instead of resetting them."""
    if not isinstance(value, dict):
        return value
    merged: dict[object, object] = {k: dict(v) for k, v in DEFAULT_CATEGORIES.items()}
    for name, given in value.items():
        default = merged.get(name)
        if isinstance(default, dict) and isinstance(given, dict):
            merged[name] = {**default, **given}
        else:
            merged[name] = given
    return merged


class ServiceDeskConfig(Section):
    """How requests are read and judged (docs/rules.md#response-times)."""

    business_day: BusinessDayMode = BusinessDayMode.BUSINESS_HOURS
    calendar: str = DEFAULT_CALENDAR
    mailboxes: tuple[MailboxConfig, ...] = ()
    categories: Annotated[dict[Slug, CategoryConfig], BeforeValidator(_with_default_categories)] = (
        Field(default_factory=lambda: _default_categories())
    )

    @model_validator(mode="after")
    def _mailboxes_consistent(self) -> ServiceDeskConfig:
        problems: list[tuple[Loc, str]] = []
        names = [mailbox.name for mailbox in self.mailboxes]
        for index, mailbox in enumerate(self.mailboxes):
            problems += duplicate_name("mailboxes", "mailbox", names, index)
            if mailbox.category not in self.categories:
                problems.append(
                    (
                        ("mailboxes", index, "category"),
                        f"unknown category {mailbox.category!r}; "
                        f"configured: {', '.join(sorted(self.categories))}",
                    )
                )
        raise_problems("ServiceDeskConfig", problems)
        return self

    def units(self) -> dict[str, DayUnit]:
        """What each category's ``days`` count: working or calendar days (3.2.39, 3.2.41)."""
        return {name: category.unit for name, category in self.categories.items()}

    def resolution_norms(self) -> dict[str, ResolutionNorm]:
        """The resolution terms of the categories that have one (3.2.40)."""
        return {
            name: category.resolution.norm()
            for name, category in self.categories.items()
            if category.resolution is not None
        }


def _default_categories() -> dict[str, CategoryConfig]:
    return {name: CategoryConfig.model_validate(v) for name, v in DEFAULT_CATEGORIES.items()}


# -- retention ------------------------------------------------------------------------------


class RetentionConfig(Section):
    """How long raw probe results are kept. Outages, maintenance and requests are kept for
    good: they are the evidence behind reported figures (3.2.5) and their analyses (3.2.6).
    The default covers the reporting month, the five working days after it and a dispute."""

    probe_results: Duration = timedelta(days=90)


# -- probing --------------------------------------------------------------------------------

MAX_WORKERS = 64


class ProbingConfig(Section):
    """How the daemon spreads its probing over processes (docs/interfaces.md): a deployment
    fact, read at start; ``SLA_MONITOR_WORKERS`` overrides it."""

    workers: int = Field(default=0, ge=0, le=MAX_WORKERS)
    """Probe worker processes that share the targets; 0: the daemon's own process probes."""


# -- policies -------------------------------------------------------------------------------


class PoliciesConfig(Section):
    """How maintenance and unmonitored time count (docs/rules.md): the defaults are the contract's
    reading of 3.2.10."""

    maintenance: MaintenancePolicy = MaintenancePolicy.COUNT_AS_AVAILABLE
    unmonitored: UnmonitoredPolicy = UnmonitoredPolicy.COUNT_AS_AVAILABLE

    def availability_policies(self) -> AvailabilityPolicies:
        return AvailabilityPolicies(maintenance=self.maintenance, unmonitored=self.unmonitored)


# -- the report -----------------------------------------------------------------------------


class ReportHeaderConfig(Section):
    """Who the report is between and under which contract: printed at the top of every
    report (3.2.5: the report the supplier shares with the client) and in its JSON."""

    supplier: str | None = None
    client: str | None = None
    contract_reference: str | None = None


ReportLanguage = Literal["en", "nl"]
ReportFormatName = Literal["json", "csv", "html", "pdf"]


class ReportConfig(Section):
    """How the monthly report reads: its language, its header, and which files the export
    job writes for each month (JSON always: it is the evidence the manifest names)."""

    language: ReportLanguage = "en"
    header: ReportHeaderConfig = ReportHeaderConfig()
    export_formats: tuple[ReportFormatName, ...] = ("json", "csv", "html")

    @model_validator(mode="after")
    def _json_exported(self) -> ReportConfig:
        problems: list[tuple[Loc, str]] = []
        if "json" not in self.export_formats:
            problems.append(
                (("export_formats",), "must include json: it is the evidence of the export")
            )
        names = list(self.export_formats)
        for index in range(len(names)):
            if names[index] in names[:index]:
                problems.append((("export_formats", index), f"{names[index]} is listed twice"))
        raise_problems("ReportConfig", problems)
        return self
