"""Probe-level and daemon metrics (docs/interfaces.md#metrics).

The probe-level names are blackbox_exporter's, so existing dashboards and alerts keep working.
Every configured target gets its series at start-up (zero where nothing happened yet), so a
dashboard or an alert never meets a gap; a target removed by a reload loses its series.
Labels are bounded: target names from the configuration and ``success``/``failure``, never an
id, a month or an error message (the error class is in the logs and the status API).

Per-target values live in plain slotted rows updated on the event loop after every probe and
rendered straight to text (see :mod:`monitor.live.exposition` for why not through
prometheus_client). The few daemon-wide metrics — build info, storage errors, reload status,
scheduler lag — stay in a private prometheus_client registry, where a counter and a
histogram are worth the library.
"""

from __future__ import annotations

from datetime import datetime

from prometheus_client import (
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    disable_created_metrics,
    generate_latest,
)

from monitor.promtext import family_header, format_value, label_set
from monitor.sla.calendar import BusinessCalendar
from monitor.sla.outages import OutageTracker
from probes.base import ProbeResult

__all__ = ["DaemonMetrics", "ProbeBoard"]


class _Row:
    """The live probe values of one target."""

    __slots__ = (
        "cert_expiry",
        "duration",
        "failures",
        "labels",
        "last_probe",
        "schedule",
        "success",
        "successes",
        "up",
    )

    def __init__(self, target: str, location: str | None = None) -> None:
        # Several locations: each instance's probe series say where they were measured.
        self.labels = (
            label_set(target=target)
            if location is None
            else label_set(target=target, location=location)
        )
        self.success = 0.0
        self.duration = 0.0
        self.cert_expiry: float | None = None
        self.successes = 0
        self.failures = 0
        self.up = 1.0
        self.last_probe = 0.0
        self.schedule: BusinessCalendar | None = None


class ProbeBoard:
    """Per-target probe metrics: cheap to update, rendered to text at scrape time."""

    def __init__(self) -> None:
        self._rows: dict[str, _Row] = {}

    def register_target(
        self,
        target: str,
        schedule: BusinessCalendar | None = None,
        location: str | None = None,
    ) -> None:
        """``schedule`` is the calendar the target is probed in (``None``: round the clock);
        ``location`` the probe location, labelled when several are configured."""
        self._rows.setdefault(target, _Row(target, location)).schedule = schedule

    def restore(self, target: str, ok: bool, duration: float, started_at: datetime) -> None:
        """The last stored outcome, for a target not probed since start-up.

        A target outside its probing schedule (a weekend) is not probed after a restart;
        without this its ``probe_success`` would read 0, a failure nobody saw.
        """
        row = self._rows.get(target)
        if row is None or row.last_probe:
            return
        row.success = 1.0 if ok else 0.0
        row.duration = duration
        row.last_probe = started_at.timestamp()

    def forget_target(self, target: str) -> None:
        self._rows.pop(target, None)

    def forget_certificate(self, target: str) -> None:
        """After the probe of a target changed: an old certificate must not keep alerting."""
        row = self._rows.get(target)
        if row is not None:
            row.cert_expiry = None

    def targets(self) -> list[str]:
        return list(self._rows)

    def observe(self, target: str, result: ProbeResult, tracker: OutageTracker) -> None:
        row = self._rows.get(target)
        if row is None:
            row = self._rows[target] = _Row(target)
        row.success = 1.0 if result.ok else 0.0
        row.duration = result.duration.total_seconds()
        if result.cert_expiry is not None:
            row.cert_expiry = result.cert_expiry.timestamp()
        if result.ok:
            row.successes += 1
        else:
            row.failures += 1
        row.up = 0.0 if tracker.is_down else 1.0
        row.last_probe = result.started_at.timestamp()

    def render(self, now: datetime) -> str:
        rows = list(self._rows.values())
        open_now: dict[int, bool] = {}  # one look per calendar, not per target
        probing = []
        for r in rows:
            schedule = r.schedule
            if schedule is None:
                inside = True
            elif (known := open_now.get(id(schedule))) is not None:
                inside = known
            else:
                inside = open_now[id(schedule)] = schedule.is_open(now)
            probing.append(f"sla_target_probing{r.labels} {'1.0' if inside else '0.0'}\n")
        parts = [
            family_header("probe_success", "gauge", "Whether the last probe succeeded"),
            *(f"probe_success{r.labels} {format_value(r.success)}\n" for r in rows),
            family_header("probe_duration_seconds", "gauge", "Duration of the last probe"),
            *(f"probe_duration_seconds{r.labels} {format_value(r.duration)}\n" for r in rows),
            family_header(
                "probe_ssl_earliest_cert_expiry",
                "gauge",
                "Expiry of the earliest certificate seen by the last probe, Unix time",
            ),
            *(
                f"probe_ssl_earliest_cert_expiry{r.labels} {format_value(r.cert_expiry)}\n"
                for r in rows
                if r.cert_expiry is not None
            ),
            family_header(
                "sla_probe_results_total",
                "counter",
                "Probe results by outcome (success or failure)",
            ),
        ]
        for r in rows:
            inner = r.labels[1:-1]
            parts.append(f'sla_probe_results_total{{{inner},result="success"}} {r.successes}.0\n')
            parts.append(f'sla_probe_results_total{{{inner},result="failure"}} {r.failures}.0\n')
        parts += [
            family_header(
                "sla_target_up",
                "gauge",
                "1 unless the target is in an outage (consecutive failures reached the threshold)",
            ),
            *(f"sla_target_up{r.labels} {format_value(r.up)}\n" for r in rows),
            family_header(
                "sla_monitor_last_probe_timestamp_seconds",
                "gauge",
                "When the last probe of the target started, Unix time",
            ),
            *(
                f"sla_monitor_last_probe_timestamp_seconds{r.labels} {format_value(r.last_probe)}\n"
                for r in rows
            ),
            family_header(
                "sla_target_probing",
                "gauge",
                "1 while the target is inside its probing schedule; outside it probe_success "
                "keeps the last outcome",
            ),
            *probing,
        ]
        return "".join(parts)


class DaemonMetrics:
    """The metric objects of one daemon, and how a probe result updates them."""

    def __init__(self, registry: CollectorRegistry, version: str) -> None:
        # ``*_created`` series double the output for nothing Prometheus needs here. The switch
        # is process-wide in prometheus_client; the daemon owns its process.
        disable_created_metrics()  # type: ignore[no-untyped-call]  # untyped upstream
        self.registry = registry
        self.probes = ProbeBoard()
        self.storage_errors = Counter(
            "sla_monitor_storage_errors",
            "Failed writes to the store (results stay buffered and are retried)",
            registry=registry,
        )
        self.mailbox_errors = Counter(
            "sla_monitor_mailbox_scan_errors",
            "Failed scans of a configured service-desk mailbox",
            ["mailbox"],
            registry=registry,
        )
        self.config_reload_ok = Gauge(
            "sla_monitor_config_last_reload_successful",
            "1 if the last configuration (re)load succeeded",
            registry=registry,
        )
        self.scheduler_lag = Histogram(
            "sla_monitor_scheduler_lag_seconds",
            "Delay between a probe's scheduled and actual dispatch",
            buckets=(0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
            registry=registry,
        )
        self.leader = Gauge(
            "sla_monitor_leader",
            "1 while this process leads: it alone exports reports, polls mailboxes, prunes",
            ["location"],
            registry=registry,
        )
        build = Gauge(
            "sla_monitor_build_info", "Build of the running daemon", ["version"], registry=registry
        )
        build.labels(version=version).set(1)
        self.config_reload_ok.set(1)

    def set_leader(self, location: str, leads: bool) -> None:
        """``sla_monitor_leader{location}``: 1 while this process leads."""
        self.leader.labels(location).set(1 if leads else 0)

    def register_target(
        self,
        target: str,
        schedule: BusinessCalendar | None = None,
        location: str | None = None,
    ) -> None:
        self.probes.register_target(target, schedule, location)

    def forget_target(self, target: str) -> None:
        self.probes.forget_target(target)

    def observe(self, target: str, result: ProbeResult, tracker: OutageTracker) -> None:
        """Matches :data:`monitor.probing.runner.ResultObserver`."""
        self.probes.observe(target, result, tracker)

    def render(self, now: datetime) -> str:
        """Daemon-wide metrics (small, through prometheus_client) and the probe families."""
        return generate_latest(self.registry).decode("utf-8") + self.probes.render(now)
