"""The configuration schema: defaults, cross-references, error locations and pure objects."""

from __future__ import annotations

import re
import textwrap
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from monitor.config import (
    MAX_CONFIG_BYTES,
    Config,
    ConfigError,
    ConfigProblem,
    SlaConfig,
    load_config,
    parse_config,
    secret_file_problems,
)
from monitor.sla.availability import AvailabilityPolicies, MaintenancePolicy, UnmonitoredPolicy
from monitor.sla.calendar import BusinessCalendar
from monitor.sla.intervals import IntervalSet
from monitor.sla.months import Month
from monitor.sla.norms import NormSchedule
from monitor.sla.response import BusinessDayMode
from probes.config import HttpProbeConfig

EXAMPLE = Path(__file__).resolve().parents[1] / "config" / "sla-monitor.example.yaml"
AMSTERDAM = ZoneInfo("Europe/Amsterdam")

TARGET = """
targets:
  - name: it-system
    probe: {type: http, url: "http://127.0.0.1:9630/-/healthy"}
    slas: [{window: 24x7, objective: 0.99}]
"""

MARCH = Month(2026, 3)
"""Any month: these norms hold for all time."""


def local(
    year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0
) -> datetime:
    return datetime(year, month, day, hour, minute, second, tzinfo=AMSTERDAM)


def parse(text: str) -> Config:
    return parse_config(textwrap.dedent(text), "test.yaml")


def problems(text: str) -> list[str]:
    """The rendered problem lines of an invalid configuration text."""
    with pytest.raises(ConfigError) as caught:
        parse(text)
    return caught.value.lines()


# -- the example and the defaults -----------------------------------------------------------


def uncommented(text: str) -> str:
    """The example with its templates switched on: each ``key: []`` line that is followed by
    a commented ``key:`` block is replaced by that block, one ``# `` removed from each line
    (the block ends at the first line that is not a comment at its indentation)."""
    lines = text.splitlines()
    out: list[str] = []
    index = 0
    while index < len(lines):
        line = lines[index]
        key = line.strip().removesuffix(" []")
        indent = line[: len(line) - len(line.lstrip())]
        following = lines[index + 1] if index + 1 < len(lines) else ""
        if line.endswith(": []") and following == f"{indent}# {key}":
            index += 1
            while index < len(lines) and lines[index].startswith(f"{indent}#"):
                out.append(indent + lines[index][len(indent) :].removeprefix("# "))
                index += 1
            continue
        out.append(line)
        index += 1
    return "\n".join(out) + "\n"


def test_the_shipped_example_runs_without_anything_that_depends_on_the_host() -> None:
    """No target, no maintenance of one, no mailbox: a first run on any machine opens no
    outage and polls nothing it cannot reach; the desk's norms are there."""
    config = load_config(EXAMPLE)
    assert config.timezone == "Europe/Amsterdam"
    assert config.targets == ()
    assert config.maintenance == ()
    assert config.servicedesk.mailboxes == ()
    assert config.servicedesk.categories["information_request"].days == 2


def test_the_shipped_example_templates_parse_when_uncommented() -> None:
    """The commented templates (targets, the phone queue's JSON conditions, maintenance,
    mailbox) are a working configuration, not just documentation: uncommented, they load and
    build their pure objects."""
    config = parse_config(uncommented(EXAMPLE.read_text(encoding="utf-8")), str(EXAMPLE))
    names = [t.name for t in config.targets]
    assert names == [
        "it-system",
        "servicedesk-mail",
        "servicedesk-phone",
        "servicedesk-phone-queue",
    ]
    probe = config.targets[0].probe
    assert isinstance(probe, HttpProbeConfig)
    assert probe.url == "https://it-system.example.nl/health"
    assert config.targets[0].interval == timedelta(seconds=30)
    assert [(s.window, s.objective.in_force(MARCH)) for s in config.targets[0].slas] == [
        ("24x7", 0.99),
        ("business-hours", 1.0),
    ]
    assert [t.probe.type for t in config.targets[1:]] == ["smtp", "sip", "http"]
    assert {t.schedule for t in config.targets[1:]} == {"business-hours"}
    queue = config.targets[3].probe
    assert isinstance(queue, HttpProbeConfig)
    assert [(str(c.path), c.expect, c.at_least) for c in queue.body_json] == [
        ("$.queues[?(@.name=='servicedesk')].open", True, None),
        ("$.queues[?(@.name=='servicedesk')].agents_available", None, 1.0),
    ]
    assert [m.name for m in config.maintenance] == ["release-2026-06", "weekly-patching"]
    [mailbox] = config.servicedesk.mailboxes
    assert mailbox.secret.password_env == "SLA_MONITOR_IMAP_PASSWORD"
    assert (mailbox.port, mailbox.tls) == (993, True)


def test_the_example_release_night_and_patching_overlap_into_five_hours() -> None:
    """14 June 2026: patching 01:00-03:00 and release 02:00-06:00 forgive 01:00-06:00 once."""
    text = uncommented(EXAMPLE.read_text(encoding="utf-8"))
    schedule = parse_config(text, str(EXAMPLE)).maintenance_schedule()
    forgiven = schedule.for_target("it-system", local(2026, 6, 14), local(2026, 6, 15))
    assert forgiven == IntervalSet.of(local(2026, 6, 14, 1), local(2026, 6, 14, 6))
    names = [o.name for o in schedule.occurrences(local(2026, 6, 14), local(2026, 6, 15))]
    assert names == ["weekly-patching", "release-2026-06"]


def test_an_empty_configuration_means_the_contract_defaults() -> None:
    """Without a file: Amsterdam, Mon-Fri 08:00-18:00 with Dutch holidays, four categories."""
    config = Config()
    assert config.zone == AMSTERDAM
    assert config.calendar_names == ("business-hours",)
    assert config.calendar("business-hours") == BusinessCalendar()
    assert config.servicedesk.business_day is BusinessDayMode.BUSINESS_HOURS
    assert {
        n: (c.days, c.objective.in_force(MARCH)) for n, c in config.servicedesk.categories.items()
    } == {
        "email": (1, 0.80),
        "complaint": (1, 1.0),
        "escalation": (1, 1.0),
        "information_request": (2, 1.0),
    }
    assert config.availability_policies() == AvailabilityPolicies()


def test_target_defaults_are_thirty_seconds_two_failures_and_round_the_clock() -> None:
    """A target that names only probe and SLA gets the documented defaults."""
    target = parse(TARGET).targets[0]
    assert target.interval == timedelta(seconds=30)
    assert target.failures_before_down == 2
    assert target.schedule == "24x7"
    assert target.description is None


def test_overriding_a_default_category_keeps_its_other_fields() -> None:
    """Changing only the objective of information_request keeps its two days."""
    config = parse(
        """
        servicedesk:
          categories:
            information_request: {objective: 0.9}
            portal: {days: 1, objective: 0.8}
        """
    )
    categories = config.servicedesk.categories
    assert (
        categories["information_request"].days,
        categories["information_request"].objective.in_force(MARCH),
    ) == (
        2,
        0.9,
    )
    assert set(categories) == {"email", "complaint", "escalation", "information_request", "portal"}


def test_probe_results_are_kept_ninety_days_unless_configured() -> None:
    """Raw results are pruned after the retention; the default outlives a disputed month."""
    assert Config().retention.probe_results == timedelta(days=90)
    assert parse("retention: {probe_results: 400d}\n").retention.probe_results == timedelta(
        days=400
    )


def test_the_evidence_threshold_is_95_percent_unless_configured_globally_or_per_sla() -> None:
    """evidence.min_coverage: 0.95 by default; a global value; an SLA's own value wins."""
    default = parse(TARGET)
    assert default.min_coverage(default.targets[0].slas[0]) == 0.95
    config = parse(
        """
        evidence: {min_coverage: 0.9}
        targets:
          - name: it-system
            probe: {type: http, url: "http://127.0.0.1:9630/-/healthy"}
            slas:
              - {window: 24x7, objective: 0.99}
              - {window: business-hours, objective: 1.0, evidence: {min_coverage: 0.99}}
        """
    )
    assert [config.min_coverage(sla) for sla in config.targets[0].slas] == [0.9, 0.99]


def test_an_evidence_threshold_given_as_a_percentage_is_refused() -> None:
    """95 would mean 9500 %: the error names the field and the expected form."""
    lines = problems("evidence: {min_coverage: 95}\n" + TARGET)
    assert len(lines) == 1
    assert "evidence.min_coverage" in lines[0]
    assert "between 0 and 1" in lines[0]


def test_policies_map_to_the_core_enums() -> None:
    """The YAML words are the core's policy values, so nothing is translated by hand."""
    config = parse(
        """
        policies: {maintenance: exclude_from_window, unmonitored: count_as_unavailable}
        """
    )
    assert config.availability_policies() == AvailabilityPolicies(
        MaintenancePolicy.EXCLUDE_FROM_WINDOW, UnmonitoredPolicy.COUNT_AS_UNAVAILABLE
    )


# -- calendars ------------------------------------------------------------------------------


def test_a_configured_calendar_applies_its_hours_weekdays_and_holiday_exceptions() -> None:
    """Liberation Day included by name and Good Friday excluded take effect in 2026."""
    config = parse(
        """
        calendars:
          desk:
            opening: "09:00-17:30"
            weekdays: [Mon, tue, wed, thu, fri, sat]
            holidays: {country: NL, include: [Liberation Day, 2026-12-24], exclude: [Good Friday]}
        """
    )
    desk = config.calendar("desk")
    assert desk.hours.nominal_length == timedelta(hours=8, minutes=30)
    assert desk.is_business_day(date(2026, 6, 6))  # a Saturday
    assert not desk.is_business_day(date(2026, 5, 5))
    assert not desk.is_business_day(date(2026, 12, 24))
    assert desk.is_business_day(date(2026, 4, 3))
    assert config.calendar_names == ("business-hours", "desk")


def test_a_calendar_may_live_in_its_own_time_zone() -> None:
    """A desk abroad opens at 08:00 of its own zone, not of the config's."""
    config = parse(
        """
        calendars:
          london: {timezone: Europe/London, holidays: {country: GB}}
        """
    )
    london = config.calendar("london")
    assert london.zone == ZoneInfo("Europe/London")
    assert london.opening(date(2026, 6, 8)) == datetime(2026, 6, 8, 7, tzinfo=UTC)


def test_the_configured_zone_is_used_by_the_built_in_calendar() -> None:
    """Changing ``timezone`` moves the default calendar's opening hours with it."""
    config = parse("timezone: America/New_York\n")
    assert config.calendar("business-hours").zone == ZoneInfo("America/New_York")


def test_equal_calendar_definitions_share_one_built_calendar() -> None:
    """Resolved holiday lists are cached in the calendar, so callers share one instance."""
    config = Config()
    assert config.calendar("business-hours") is config.calendar("business-hours")
    assert Config().calendar("business-hours") is config.calendar("business-hours")


def test_two_loads_of_one_file_compare_equal_after_use() -> None:
    """A reload can tell "nothing changed" by equality, whatever was built from the old one."""
    first, second = load_config(EXAMPLE), load_config(EXAMPLE)
    first.calendar("business-hours")
    first.maintenance_schedule()
    assert first == second


@pytest.mark.parametrize(
    ("name", "problem"),
    [
        ("24x7", "round-the-clock window, not a business calendar"),
        ("office", "unknown calendar 'office'; known: business-hours"),
    ],
)
def test_asking_for_a_calendar_that_is_not_one_fails_clearly(name: str, problem: str) -> None:
    """24x7 is a window without a calendar; other unknown names are typos."""
    with pytest.raises(ValueError, match=problem):
        Config().calendar(name)


def test_window_calendars_are_none_for_round_the_clock_windows() -> None:
    """The availability core reads ``None`` as the 24/7 window."""
    config = Config()
    assert config.window_calendar("24x7") is None
    assert config.window_calendar("business-hours") is config.calendar("business-hours")


# -- maintenance ----------------------------------------------------------------------------


def test_recurring_maintenance_is_read_in_the_configured_zone() -> None:
    """``every`` is local wall-clock time of ``timezone``, here New York."""
    config = parse(
        TARGET
        + """
maintenance:
  - {name: patching, targets: [it-system], every: "sun 01:00-03:00", valid_from: 2026-06-01}
timezone: America/New_York
"""
    )
    occurrences = config.maintenance_schedule().occurrences(
        datetime(2026, 5, 1, tzinfo=UTC), datetime(2026, 6, 15, tzinfo=UTC)
    )
    assert [(o.start, o.end) for o in occurrences] == [
        (datetime(2026, 6, 7, 5, tzinfo=UTC), datetime(2026, 6, 7, 7, tzinfo=UTC)),
        (datetime(2026, 6, 14, 5, tzinfo=UTC), datetime(2026, 6, 14, 7, tzinfo=UTC)),
    ]


def test_one_off_windows_that_only_touch_or_cover_other_targets_are_accepted() -> None:
    """Half-open windows that meet at 06:00 do not overlap; nor do windows of other targets."""
    config = parse(
        TARGET
        + """
  - name: portal
    probe: {type: tcp, host: 127.0.0.1, port: 443}
    slas: [{window: 24x7, objective: 0.99}]
maintenance:
  - {name: a, targets: [it-system], start: "2026-06-14T02:00+02:00", end: "2026-06-14T06:00+02:00"}
  - {name: b, targets: [it-system], start: "2026-06-14T06:00+02:00", end: "2026-06-14T07:00+02:00"}
  - {name: c, targets: [portal], start: "2026-06-14T03:00+02:00", end: "2026-06-14T04:00+02:00"}
  - {name: d, targets: [it-system], every: "sun 01:00-03:00"}
"""
    )
    schedule = config.maintenance_schedule()
    forgiven = schedule.for_target("it-system", local(2026, 6, 14), local(2026, 6, 15))
    assert forgiven.total == timedelta(hours=6)


def test_unquoted_yaml_timestamps_with_an_offset_are_accepted() -> None:
    """YAML turns an unquoted instant into a datetime; its offset is kept."""
    config = parse(
        TARGET
        + """
maintenance:
  - name: a
    targets: [it-system]
    start: 2026-06-14T02:00:00+02:00
    end: 2026-06-14T06:00:00+02:00
"""
    )
    assert config.maintenance[0].start == datetime(2026, 6, 14, 0, tzinfo=UTC)


# -- errors: one per table row, with line, field path and problem ---------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            TARGET + "maintenance:\n  - {name: a, targets: [it-system]}\n",
            "test.yaml:7: maintenance[0]: needs start and end (a one-off window) or every",
        ),
        (
            TARGET
            + "maintenance:\n  - name: a\n    targets: [it-system]\n"
            + '    every: "sun 01:00-02:00"\n    start: "2026-06-14T02:00:00+02:00"\n',
            "test.yaml:9: maintenance[0].every: give start and end for a one-off window or "
            "every, not both",
        ),
        (
            TARGET
            + 'maintenance:\n  - {name: a, targets: [it-system], start: "2026-06-14T02:00:00Z"}\n',
            "test.yaml:7: maintenance[0].end: a one-off window needs an end",
        ),
        (
            TARGET
            + "maintenance:\n  - name: a\n    targets: [it-system]\n"
            + '    start: "2026-06-14T02:00:00Z"\n    end: "2026-06-14T03:00:00Z"\n'
            + "    valid_from: 2026-01-01\n",
            "test.yaml:11: maintenance[0].valid_from: valid_from applies only to a recurring "
            "window",
        ),
        (
            TARGET + "maintenance:\n  - {name: a, targets: [], every: daily 01:00-02:00}\n",
            "test.yaml:7: maintenance[0].targets: needs at least 1 entry",
        ),
        (
            TARGET.replace("slas:", "failures_before_down: 0\n    slas:"),
            "test.yaml:5: targets[0].failures_before_down: input should be greater than or "
            "equal to 1",
        ),
        (
            TARGET.replace("it-system", "IT System"),
            "test.yaml:3: targets[0].name: 'IT System' is not a valid name",
        ),
        (
            TARGET.replace(
                "slas: [{window: 24x7, objective: 0.99}]",
                "slas: [{window: 24x7, objective: 0.99}, {window: 24x7, objective: 0.9}]",
            ),
            "test.yaml:5: targets[0].slas[1].window: window '24x7' already has an SLA in slas[0]",
        ),
        (
            TARGET.replace("objective: 0.99", "objective: yes"),
            "test.yaml:5: targets[0].slas[0].objective: an objective is a number between 0 and 1",
        ),
        (
            "calendars:\n  office: {weekdays: []}\n",
            "test.yaml:2: calendars.office.weekdays: needs at least 1 entry",
        ),
        (
            'calendars:\n  office: {opening: "18:00-08:00"}\n',
            "test.yaml:2: calendars.office.opening: opening hours must satisfy",
        ),
        (
            "calendars:\n  office:\n    holidays: {country: NL, subdivision: Zuidd}\n",
            "test.yaml:3: calendars.office.holidays.subdivision: NL has no subdivision 'Zuidd'",
        ),
        (
            "calendars:\n  office:\n    holidays: {country: XX}\n",
            "test.yaml:3: calendars.office.holidays.country: unknown holiday country 'XX'",
        ),
        (
            "calendars:\n  office:\n    holidays: {country: null, include: [Good Friday]}\n",
            "test.yaml:3: calendars.office.holidays.include[0]: holiday name 'Good Friday' needs "
            "a holiday country",
        ),
        (
            "calendars:\n  office:\n    holidays:\n      exclude: ['2026-02-30']\n",
            "test.yaml:4: calendars.office.holidays.exclude[0]: '2026-02-30' is not a valid date",
        ),
        (
            "calendars:\n  office:\n    holidays:\n      exclude: [2026-02-30]\n",
            "test.yaml:4: '2026-02-30' is not a valid date or time",
        ),
        (
            "servicedesk: {business_day: next_day}\n",
            "test.yaml:1: servicedesk.business_day: input should be 'business_hours' or "
            "'end_of_next_business_day'",
        ),
        (
            "policies:\n  maintenance: ignore\n",
            "test.yaml:2: policies.maintenance: input should be 'count_as_available' or "
            "'exclude_from_window'",
        ),
        (
            "servicedesk:\n  categories:\n    email: {days: 0}\n",
            "test.yaml:3: servicedesk.categories.email.days: input should be greater than or "
            "equal to 1",
        ),
        (
            "targets:\n  - name: x\n    probe: {url: 'http://x'}\n    slas: []\n",
            "test.yaml:3: targets[0].probe.type: missing required field",
        ),
        (
            "targets:\n  - name: x\n    probe: {type: tcp, host: h}\n"
            "    slas: [{window: 24x7, objective: 1}]\n",
            "test.yaml:3: targets[0].probe.port: missing required field",
        ),
        (
            "targets:\n  - name: x\n    probe: {type: tcp, host: h, port: 1, tls: true}\n"
            "    slas: [{window: 24x7, objective: 1}]\n",
            "test.yaml:3: targets[0].probe.tls: unknown field (known: timeout, type, host, port)",
        ),
    ],
)
def test_invalid_configurations_name_line_field_and_problem(text: str, expected: str) -> None:
    """Each problem is one line: file, YAML line, field path, and what is wrong."""
    lines = problems(text)
    assert any(line.startswith(expected) for line in lines), lines


MAILBOX = """
servicedesk:
  mailboxes:
    - name: desk
      url: "{url}"
      username: desk
      desk_addresses: [desk@example.nl]
{extra}
"""


@pytest.mark.parametrize(
    ("url", "extra", "expected"),
    [
        (
            "imaps://imap.example.nl",
            "",
            "servicedesk.mailboxes[0]: needs password_file or password_env",
        ),
        (
            "imaps://imap.example.nl",
            "      password_env: A\n      password_file: /run/x",
            "servicedesk.mailboxes[0].password_env: give password_file or password_env, not both",
        ),
        ("https://imap.example.nl", "      password_env: A", "the URL must start with imaps://"),
        ("imaps://imap.example.nl/INBOX", "      password_env: A", "the URL names only the server"),
        ("imaps://imap.example.nl:99999", "      password_env: A", "the URL has an invalid port"),
        (
            "imaps://imap.example.nl",
            "      password_env: 1A",
            "'1A' is not an environment variable",
        ),
        (
            "imaps://imap.example.nl",
            "      password_env: A\n      category: portal",
            "servicedesk.mailboxes[0].category: unknown category 'portal'",
        ),
    ],
)
def test_mailboxes_need_one_secret_source_and_a_plain_server_url(
    url: str, extra: str, expected: str
) -> None:
    """The password is referenced, never written, and the URL carries only the server."""
    lines = problems(MAILBOX.format(url=url, extra=extra))
    assert any(expected in line for line in lines), lines


def test_a_mailbox_url_tells_its_host_port_and_tls() -> None:
    """The scanner connects where the URL says; imaps defaults to 993, imap to 143."""
    config = parse(MAILBOX.format(url="imaps://imap.example.nl", extra="      password_env: A"))
    mailbox = config.servicedesk.mailboxes[0]
    assert (mailbox.host, mailbox.port, mailbox.tls) == ("imap.example.nl", 993, True)
    assert mailbox.desk_addresses == ("desk@example.nl",)
    assert mailbox.poll_interval == timedelta(seconds=60)
    plain = parse(MAILBOX.format(url="imap://127.0.0.1:1143", extra="      password_env: A"))
    assert (plain.servicedesk.mailboxes[0].port, plain.servicedesk.mailboxes[0].tls) == (
        1143,
        False,
    )


@pytest.mark.parametrize(
    "text",
    [
        "retention: {probe_results: 90d, outages: 1y}\n",
        "calendars:\n  office: {open: '08:00-18:00'}\n",
        TARGET + "    interval_s: 30\n",
        TARGET.replace("0.99}", "0.99, note: x}"),
        "servicedesk: {calendar: business-hours, timezone: UTC}\n",
        "policies: {downtime: strict}\n",
        TARGET
        + "maintenance:\n  - {name: a, targets: [it-system], every: daily 01:00-02:00, why: x}\n",
    ],
)
def test_unknown_keys_are_refused_in_every_section(text: str) -> None:
    """A misspelt key never silently falls back to a default."""
    lines = problems(text)
    assert any("unknown field" in line for line in lines), lines


def test_every_problem_of_a_file_is_reported_in_line_order() -> None:
    """Users fix a file in one pass when they see all its problems, top to bottom."""
    lines = problems(
        """
        timezone: Mars/Olympus
        targets:
          - name: it-system
            probe: {type: http, url: "http://127.0.0.1:9630/-/healthy", expect_staus: [200]}
            interval: soon
            slas: [{window: 24x7, objective: 2}]
        """
    )
    assert [line.split(": ", 2)[1] for line in lines] == [
        "timezone",
        "targets[0].probe.expect_staus",
        "targets[0].interval",
        "targets[0].slas[0].objective",
    ]
    assert [line.split(":")[1] for line in lines] == ["2", "5", "6", "7"]


def test_yaml_anchors_and_merge_keys_are_allowed_and_located() -> None:
    """Shared probe settings via ``<<: *anchor`` work; an error inside names the user's field."""
    config = parse(
        """
        targets:
          - name: a
            probe: &probe {type: http, url: "http://127.0.0.1:9630/-/healthy", timeout: 5s}
            slas: [{window: 24x7, objective: 0.99}]
          - name: b
            probe: {<<: *probe, timeout: 2s}
            slas: [{window: 24x7, objective: 0.99}]
        """
    )
    assert [t.probe.timeout for t in config.targets] == [timedelta(seconds=5), timedelta(seconds=2)]


def test_duplicate_keys_are_refused_even_in_nested_mappings() -> None:
    """YAML would keep the last value silently; a second ``objective`` is a slip."""
    lines = problems(TARGET.replace("objective: 0.99}", "objective: 0.99, objective: 0.9}"))
    assert lines == [
        "test.yaml:5: targets[0].slas[0].objective: duplicate key (first at line 5)",
    ]


SECRET = "s3cret-value"


@pytest.mark.parametrize(
    "text",
    [
        TARGET.replace('healthy"', f'healthy", headers: {{Authorization: [{SECRET}]}}'),
        MAILBOX.format(url=f"imaps://desk:{SECRET}@imap.example.nl", extra="      password_env: A"),
        MAILBOX.format(url=f"ftp://desk:{SECRET}@x", extra="      password_env: A"),
        f"targets: [{{name: x, probe: {{type: http, url: 'ftp://u:{SECRET}@h'}}, slas: []}}]\n",
        f"targets:\n  - name: x\n    probe: {{type: http, url: 'http://x'}}\n"
        f"    slas: []\n    nope: {SECRET}\n",
    ],
)
def test_secrets_never_appear_in_error_messages(text: str) -> None:
    """A header token or a password in a URL stays out of every message."""
    with pytest.raises(ConfigError) as caught:
        parse(text)
    assert SECRET not in str(caught.value)


def test_validation_errors_raised_by_the_model_hide_their_input() -> None:
    """Code that validates a dict directly and logs the error does not log the secret."""
    with pytest.raises(ValidationError) as caught:
        Config.model_validate(
            {
                "targets": [
                    {
                        "name": "x",
                        "probe": {"type": "http", "url": "http://x", "headers": {"A": [SECRET]}},
                        "slas": [{"window": "24x7", "objective": 1}],
                    }
                ]
            }
        )
    assert SECRET not in str(caught.value)


# -- files ----------------------------------------------------------------------------------


def test_a_missing_file_is_a_config_error_naming_the_file(tmp_path: Path) -> None:
    """The daemon and check-config report an absent file the same way as a bad one."""
    path = tmp_path / "absent.yaml"
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert str(caught.value) == f"{path}: cannot read: No such file or directory"


def test_a_file_that_is_not_utf8_is_refused(tmp_path: Path) -> None:
    """A Latin-1 file would otherwise decode to wrong names."""
    path = tmp_path / "latin1.yaml"
    path.write_bytes("timezone: Europe/Amsterdam # \xe9\n".encode("latin-1"))
    with pytest.raises(ConfigError, match="not UTF-8 text"):
        load_config(path)


def test_config_errors_render_with_and_without_line_and_path() -> None:
    """The three shapes of a line: file:line: path: problem, file:line: problem, file: problem."""
    error = ConfigError(
        "c.yaml",
        [
            ConfigProblem(None, "", "the file is empty"),
            ConfigProblem(3, "timezone", "unknown time zone"),
            ConfigProblem(1, "", "YAML syntax error"),
        ],
    )
    assert error.lines() == [
        "c.yaml:1: YAML syntax error",
        "c.yaml:3: timezone: unknown time zone",
        "c.yaml: the file is empty",
    ]
    assert str(error) == "\n".join(error.lines())


def test_loaded_configurations_are_frozen() -> None:
    """A reload replaces the whole value; nothing edits a live configuration in place."""
    config = parse_config(uncommented(EXAMPLE.read_text(encoding="utf-8")), str(EXAMPLE))
    with pytest.raises(ValidationError):
        config.timezone = "UTC"  # type: ignore[misc]  # the frozen assignment under test
    with pytest.raises(ValidationError):
        config.targets[0].interval = timedelta(seconds=1)  # type: ignore[misc]  # frozen, on purpose


@given(objective=st.floats(min_value=0.0, max_value=1.0))
def test_every_ratio_between_zero_and_one_is_a_valid_objective(objective: float) -> None:
    """The bounds are inclusive: 0 and 1 (100 %) are objectives a contract can state."""
    assert SlaConfig(window="24x7", objective=objective).objective == NormSchedule.always(objective)


@given(
    objective=st.one_of(
        st.floats(max_value=-1e-9, allow_nan=False),
        st.floats(min_value=1.000001, allow_infinity=True),
        st.just(float("nan")),
    )
)
def test_no_ratio_outside_zero_and_one_is_a_valid_objective(objective: float) -> None:
    """Percentages, negative numbers, infinity and NaN are refused."""
    with pytest.raises(ValidationError):
        SlaConfig(window="24x7", objective=objective)


# -- hostile files ----------------------------------------------------------------------------

BILLION_LAUGHS = "a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n" + "".join(
    f"{name}: &{name} [{', '.join([f'*{previous}'] * 9)}]\n"
    for previous, name in zip("abcdefgh", "bcdefghi", strict=True)
)


def test_an_alias_bomb_is_refused_at_the_line_where_it_outgrows_the_bound() -> None:
    """Nine levels of nine aliases describe 9**9 values; the file is refused, not expanded."""
    lines = problems(BILLION_LAUGHS)
    assert len(lines) == 1
    assert re.fullmatch(r"test\.yaml:\d+: aliases expand to more than 100,000 extra .*", lines[0])


def test_merge_keys_that_multiply_are_refused_like_any_alias_bomb() -> None:
    """``<<: [*a, *a, ...]`` nested six deep expands as much as plain aliases do."""
    text = "a: &a {x: 1}\n" + "".join(
        f"{name}: &{name} {{<<: [{', '.join([f'*{previous}'] * 9)}], y: 1}}\n"
        for previous, name in zip("abcdefg", "bcdefgh", strict=True)
    )
    assert "aliases expand to more than" in problems(text)[0]


def test_an_aliased_subtree_with_a_duplicate_key_is_reported_once() -> None:
    """A shared probe mapping is checked once, at its first use, however often it is reused."""
    text = (
        "targets:\n"
        "  - name: a\n"
        '    probe: &probe {type: http, url: "http://127.0.0.1/", url: "http://x/"}\n'
        "    slas: [{window: 24x7, objective: 0.99}]\n"
        + "".join(
            f"  - {{name: t{i}, probe: *probe, slas: [{{window: 24x7, objective: 0.99}}]}}\n"
            for i in range(50)
        )
    )
    assert problems(text) == ["test.yaml:3: targets[0].probe.url: duplicate key (first at line 3)"]


def test_a_config_file_over_the_size_limit_is_refused_before_it_is_read(tmp_path: Path) -> None:
    """The error names the file, its size and the limit; nothing is parsed."""
    path = tmp_path / "huge.yaml"
    with path.open("wb") as handle:
        handle.truncate(MAX_CONFIG_BYTES + 1)  # sparse: no disk space needed
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert caught.value.lines() == [
        f"{path}: the file is {MAX_CONFIG_BYTES + 1:,} bytes, more than the limit of "
        f"{MAX_CONFIG_BYTES:,} bytes; is this the right file?"
    ]


def test_a_password_file_that_cannot_be_read_is_a_problem_of_its_field(tmp_path: Path) -> None:
    """A missing file and a directory are both named with the reason; a readable one is not."""
    readable = tmp_path / "imap-password"
    readable.write_text("pw\n", encoding="utf-8")
    mailboxes = "".join(
        f"    - name: desk-{i}\n      url: imaps://imap.example.nl\n      username: u\n"
        f"      password_file: {path}\n      desk_addresses: [desk@example.nl]\n"
        for i, path in enumerate([tmp_path / "missing", readable, tmp_path])
    )
    config = parse_config(f"servicedesk:\n  mailboxes:\n{mailboxes}", "test.yaml")
    assert [p.render("test.yaml") for p in secret_file_problems(config)] == [
        f"test.yaml: servicedesk.mailboxes[0].password_file: cannot read {tmp_path / 'missing'}: "
        "No such file or directory",
        f"test.yaml: servicedesk.mailboxes[2].password_file: cannot read {tmp_path}: "
        "Is a directory",
    ]


OAUTH2 = """\
      auth:
        type: oauth2
        token_url: "{token_url}"
        client_id: 00000000-aaaa-bbbb-cccc-000000000000
        client_secret_file: {secret_file}
        scope: "https://outlook.office365.com/.default"
"""
MICROSOFT_TOKEN_URL = "https://login.microsoftonline.com/example-tenant/oauth2/v2.0/token"


def test_an_oauth2_mailbox_needs_no_password_and_keeps_its_token_settings() -> None:
    """``auth: {type: oauth2}`` replaces password_file/password_env; the default is a password."""
    config = parse(
        MAILBOX.format(
            url="imaps://outlook.office365.com",
            extra=OAUTH2.format(token_url=MICROSOFT_TOKEN_URL, secret_file="/run/x"),
        )
    )
    auth = config.servicedesk.mailboxes[0].oauth2
    assert auth is not None
    assert (auth.token_url, auth.scope, auth.client_secret_file) == (
        MICROSOFT_TOKEN_URL,
        "https://outlook.office365.com/.default",
        Path("/run/x"),
    )
    password = parse(MAILBOX.format(url="imaps://imap.example.nl", extra="      password_env: A"))
    assert password.servicedesk.mailboxes[0].oauth2 is None


@pytest.mark.parametrize(
    ("extra", "expected"),
    [
        (
            OAUTH2.format(token_url=MICROSOFT_TOKEN_URL, secret_file="/run/x")
            + "      password_env: A\n",
            "servicedesk.mailboxes[0].password_env: not used with auth type oauth2",
        ),
        (
            OAUTH2.format(token_url="http://login.example.com/token", secret_file="/run/x"),
            "servicedesk.mailboxes[0].auth.token_url: the token endpoint must use https://",
        ),
        (
            OAUTH2.format(token_url=MICROSOFT_TOKEN_URL, secret_file="/run/x").replace(
                '        scope: "https://outlook.office365.com/.default"\n', ""
            ),
            "servicedesk.mailboxes[0].auth.scope: missing required field",
        ),
        (
            "      auth: {type: kerberos}\n",
            "servicedesk.mailboxes[0].auth.type: unknown type 'kerberos'; "
            "use one of password, oauth2",
        ),
    ],
)
def test_an_oauth2_mailbox_names_each_bad_field(extra: str, expected: str) -> None:
    """A password next to OAuth2, a plain-HTTP token endpoint elsewhere, a missing scope."""
    lines = problems(MAILBOX.format(url="imaps://outlook.office365.com", extra=extra))
    assert any(expected in line for line in lines), lines


def test_plain_http_to_a_token_endpoint_on_this_host_is_accepted() -> None:
    """The client secret never leaves the machine, so a local token proxy may speak HTTP."""
    config = parse(
        MAILBOX.format(
            url="imaps://outlook.office365.com",
            extra=OAUTH2.format(token_url="http://127.0.0.1:8400/token", secret_file="/run/x"),
        )
    )
    assert config.servicedesk.mailboxes[0].oauth2 is not None


def test_an_unreadable_client_secret_file_is_a_problem_of_its_field(tmp_path: Path) -> None:
    """check-config and reload refuse an OAuth2 mailbox whose secret cannot be read."""
    missing = tmp_path / "client-secret"
    text = MAILBOX.format(
        url="imaps://outlook.office365.com",
        extra=OAUTH2.format(token_url=MICROSOFT_TOKEN_URL, secret_file=missing),
    )
    config = parse_config(text, "test.yaml")
    assert [p.render("test.yaml") for p in secret_file_problems(config)] == [
        f"test.yaml: servicedesk.mailboxes[0].auth.client_secret_file: cannot read {missing}: "
        "No such file or directory"
    ]
    missing.write_text("s3cret\n", encoding="utf-8")
    assert secret_file_problems(config) == []


# -- probing ------------------------------------------------------------------------------


def test_probe_workers_default_to_none_and_take_a_count() -> None:
    """Without a ``probing`` section the daemon probes in its own process."""
    assert parse("timezone: Europe/Amsterdam\n").probing.workers == 0
    assert parse("probing: {workers: 4}\n").probing.workers == 4


def test_a_negative_worker_count_is_one_problem_naming_the_field() -> None:
    """``probing.workers: -1`` is refused with the field's path."""
    (line,) = problems("probing: {workers: -1}\n")
    assert "probing.workers" in line
