"""The whole ``/metrics`` page of a running daemon, read as Prometheus reads it.

Every family the daemon exposes is listed here with its type and label names, so a family
added, renamed or relabelled without this table being updated fails the test. The page is
parsed with prometheus_client's own parser, the way a scrape would see it.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families
from prometheus_client.samples import Sample

from monitor import __version__
from tests.polling import eventually
from tests.servers.daemon import INTERVAL, TIMEOUT, DaemonProcess, Harness, get
from tests.servers.http import SwitchableHttpServer
from tests.servers.tls import CertificateSet

pytestmark = pytest.mark.slow

TARGETS = ("web", "secure")
WINDOWS = ("24x7", "business-hours")
CATEGORIES = ("email", "complaint", "escalation", "information_request")
MAILBOXES = ("desk",)
PERIODS = ("current_month", "previous_month")

TARGET = frozenset({"target"})
TARGET_WINDOW = frozenset({"target", "window"})
TARGET_WINDOW_PERIOD = frozenset({"target", "window", "period"})
CATEGORY = frozenset({"category"})
PERIOD = frozenset({"period"})
YEARS = ("current_year", "previous_year")
NONE: frozenset[str] = frozenset()

# Family name as the parser reports it (a counter without its ``_total``) → type, label names.
FAMILIES: Mapping[str, tuple[str, frozenset[str]]] = {
    # daemon-wide, through prometheus_client
    "sla_monitor_storage_errors": ("counter", NONE),
    "sla_monitor_mailbox_scan_errors": ("counter", frozenset({"mailbox"})),
    "sla_monitor_config_last_reload_successful": ("gauge", NONE),
    "sla_monitor_scheduler_lag_seconds": ("histogram", NONE),
    "sla_monitor_build_info": ("gauge", frozenset({"version"})),
    "sla_monitor_leader": ("gauge", frozenset({"location"})),
    # per target, live from the probes
    "probe_success": ("gauge", TARGET),
    "probe_duration_seconds": ("gauge", TARGET),
    "probe_ssl_earliest_cert_expiry": ("gauge", TARGET),
    "sla_probe_results": ("counter", frozenset({"target", "result"})),
    "sla_target_up": ("gauge", TARGET),
    "sla_monitor_last_probe_timestamp_seconds": ("gauge", TARGET),
    "sla_target_probing": ("gauge", TARGET),
    # the SLA snapshot
    "sla_availability_ratio": ("gauge", TARGET_WINDOW_PERIOD),
    "sla_objective_ratio": ("gauge", TARGET_WINDOW),
    "sla_objective_in_force_ratio": ("gauge", TARGET_WINDOW_PERIOD),
    "sla_unplanned_downtime_seconds": ("gauge", TARGET_WINDOW_PERIOD),
    "sla_unmonitored_seconds": ("gauge", TARGET_WINDOW_PERIOD),
    "sla_error_budget_remaining_seconds": ("gauge", TARGET_WINDOW),
    "sla_coverage_ratio": ("gauge", TARGET_WINDOW_PERIOD),
    "sla_evidence_min_coverage_ratio": ("gauge", TARGET_WINDOW),
    "sla_window_seconds": ("counter", TARGET_WINDOW),
    "sla_unavailable_seconds": ("counter", TARGET_WINDOW),
    "sla_monitor_snapshot_timestamp_seconds": ("gauge", NONE),
    # what the probe locations saw
    "sla_counted_down": ("gauge", TARGET),
    "sla_location_up": ("gauge", frozenset({"target", "location"})),
    "sla_location_monitoring": ("gauge", frozenset({"target", "location"})),
    "sla_degraded_vantage_seconds": ("gauge", TARGET_WINDOW_PERIOD),
    "sla_location_only_failure_seconds": ("gauge", frozenset({"target", "location", "period"})),
    # the service desk
    "servicedesk_response_ratio": ("gauge", frozenset({"category", "period"})),
    "servicedesk_response_objective_ratio": ("gauge", CATEGORY),
    "servicedesk_response_objective_in_force_ratio": ("gauge", frozenset({"category", "period"})),
    "servicedesk_requests_open": ("gauge", CATEGORY),
    "servicedesk_requests_overdue": ("gauge", CATEGORY),
    "servicedesk_requests": ("counter", frozenset({"category", "outcome"})),
    # the reporting itself (3.2.5, 3.2.6, 3.2.38); servicedesk_resolution_* exist only for a
    # category with a resolution term, sla_miss_analysed only for a missed service level
    "sla_report_delivery_due_timestamp_seconds": ("gauge", PERIOD),
    "sla_report_delivered": ("gauge", PERIOD),
    "sla_report_delivered_timestamp_seconds": ("gauge", PERIOD),
    "sla_miss_analysis_due_timestamp_seconds": ("gauge", PERIOD),
    "sla_misses_unanalysed": ("gauge", PERIOD),
    "sla_report_on_time_ratio": ("gauge", PERIOD),
    "sla_report_on_time_objective_ratio": ("gauge", NONE),
    # the scrape instant
    "sla_window_open": ("gauge", TARGET_WINDOW),
    "sla_in_maintenance": ("gauge", TARGET),
}

# Every label value that may appear: configured names and fixed words, never a month or an id.
BOUNDED: Mapping[str, frozenset[str]] = {
    "target": frozenset(TARGETS),
    "window": frozenset(WINDOWS),
    "period": frozenset(PERIODS + YEARS),
    "category": frozenset(CATEGORIES),
    "mailbox": frozenset(MAILBOXES),
    "result": frozenset({"success", "failure"}),
    "outcome": frozenset({"received", "met", "breached"}),
    "version": frozenset({__version__}),
    "location": frozenset({"local"}),
}

# Families with a series for only some of the configured names: the certificate expiry exists
# only for a target whose probe saw a certificate.
ONLY: Mapping[str, Mapping[str, tuple[str, ...]]] = {
    "probe_ssl_earliest_cert_expiry": {"target": ("secure",)},
    "sla_misses_unanalysed": {"period": ("previous_month",)},
    "sla_report_on_time_ratio": {"period": YEARS},
}


def config_text(web: str, secure: str, ca_file: Path) -> str:
    probe = f"timeout: {TIMEOUT.total_seconds()}s"
    slas = "[{window: 24x7, objective: 0.99}, {window: business-hours, objective: 0.995}]"
    return f"""timezone: Europe/Amsterdam
calendars:
  business-hours:
    opening: "08:00-18:00"
    weekdays: [mon, tue, wed, thu, fri]
    holidays: {{country: NL}}
targets:
  - name: web
    probe: {{type: http, url: "{web}", {probe}}}
    interval: {INTERVAL.total_seconds()}s
    slas: {slas}
  - name: secure
    probe: {{type: http, url: "{secure}", ca_file: "{ca_file}", {probe}}}
    interval: {INTERVAL.total_seconds()}s
    slas: {slas}
servicedesk:
  calendar: business-hours
  mailboxes:
    - name: desk
      url: imap://127.0.0.1:1
      username: desk
      password_env: SLA_TEST_DESK_PASSWORD
      desk_addresses: [desk@example.nl]
  categories:
    email: {{days: 1, objective: 0.80}}
    complaint: {{days: 1, objective: 1.0}}
    escalation: {{days: 1, objective: 1.0}}
    information_request: {{days: 2, objective: 1.0}}
"""


@pytest.fixture
async def harness(
    tmp_path: Path, https_server: SwitchableHttpServer, tls_certificates: CertificateSet
) -> AsyncIterator[Harness]:
    async with SwitchableHttpServer() as server:
        h = Harness(tmp_path, server)
        h.config.write_text(
            config_text(server.url, https_server.url, tls_certificates.ca_file), encoding="utf-8"
        )
        try:
            yield h
        finally:
            await h.close()


def label_names(family: str, kind: str, sample: Sample) -> frozenset[str]:
    """The labels a sample must carry: the family's, plus ``le`` on a histogram bucket."""
    names = FAMILIES[family][1]
    if kind == "histogram" and sample.name.endswith("_bucket"):
        return names | {"le"}
    return names


async def whole_page(daemon: DaemonProcess) -> str:
    """``/metrics`` once both targets have a probe result and the lag histogram a count."""

    async def page() -> str | None:
        status, text = await get(daemon.port, "/metrics")
        ready = (
            'probe_ssl_earliest_cert_expiry{target="secure"}' in text
            and 'probe_success{target="web"} 1.0' in text
            and "sla_monitor_scheduler_lag_seconds_count 0.0" not in text
        )
        return text if status == 200 and ready else None

    return await eventually(page, "a /metrics page with both targets probed")


async def test_every_family_has_its_type_its_labels_and_a_series_for_every_configured_name(
    harness: Harness,
) -> None:
    """Parsed as Prometheus parses it, the page has exactly the families of the table, each
    with its type and label names, every target/window/period/category/mailbox its series,
    and no label value outside the configured names and fixed words."""
    daemon = await harness.start({"SLA_TEST_DESK_PASSWORD": "not-used"})
    text = await whole_page(daemon)
    assert await daemon.stop() == 0

    families = list(text_string_to_metric_families(text))
    names = [family.name for family in families]
    assert len(names) == len(set(names)), "a family appears twice"
    assert set(names) == set(FAMILIES)
    keys: dict[str, set[tuple[tuple[str, str], ...]]] = {}
    for family in families:
        kind, _ = FAMILIES[family.name]
        assert family.type == kind, family.name
        assert family.samples, f"{family.name} has no series"
        for sample in family.samples:
            assert frozenset(sample.labels) == label_names(family.name, kind, sample), sample
            for name, value in sample.labels.items():
                if name != "le":
                    assert value in BOUNDED[name], f"{sample.name}: unbounded {name}={value!r}"
            keys.setdefault(family.name, set()).add(
                tuple(sorted((k, v) for k, v in sample.labels.items() if k != "le"))
            )

    def every(**axes: tuple[str, ...]) -> set[tuple[tuple[str, str], ...]]:
        combos: list[dict[str, str]] = [{}]
        for axis, values in axes.items():
            combos = [{**combo, axis: value} for combo in combos for value in values]
        return {tuple(sorted(combo.items())) for combo in combos}

    for name, (_, labels) in FAMILIES.items():
        wanted = {
            axis: values
            for axis, values in (
                ("target", TARGETS),
                ("window", WINDOWS),
                ("period", PERIODS),
                ("category", CATEGORIES),
                ("mailbox", MAILBOXES),
                ("result", ("success", "failure")),
                ("outcome", ("received", "met", "breached")),
                ("version", (__version__,)),
                ("location", ("local",)),
            )
            if axis in labels
        } | dict(ONLY.get(name, {}))
        assert keys[name] == every(**wanted), name
