"""Probe-level and daemon metrics (DESIGN §3 "Prometheus metrics").

The probe-level names are blackbox_exporter's, so existing dashboards and alerts keep working.
Every configured target gets its series at start-up (zero where nothing happened yet), so a
dashboard or an alert never meets a gap; a target removed by a reload loses its series.
Labels are bounded: target names from the configuration and a small fixed set of result
classes, never an id, a month or an error message.

Everything here lives in a private registry passed in by the daemon; nothing is global.
"""

from __future__ import annotations

from prometheus_client import (
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    disable_created_metrics,
)

from monitor.sla.outages import OutageTracker
from probes.base import ProbeResult

__all__ = ["DaemonMetrics"]

# Two outcomes per target: the error class is in the logs and the status API, and a label per
# class would multiply the series of 10,000 targets by twenty.
RESULTS = ("success", "failure")


class DaemonMetrics:
    """The metric objects of one daemon, and how a probe result updates them."""

    def __init__(self, registry: CollectorRegistry, version: str) -> None:
        # ``*_created`` series double the output for nothing Prometheus needs here. The switch
        # is process-wide in prometheus_client; the daemon owns its process.
        disable_created_metrics()  # type: ignore[no-untyped-call]  # untyped upstream
        self.registry = registry
        self.probe_success = Gauge(
            "probe_success", "Whether the last probe succeeded", ["target"], registry=registry
        )
        self.probe_duration = Gauge(
            "probe_duration_seconds", "Duration of the last probe", ["target"], registry=registry
        )
        self.cert_expiry = Gauge(
            "probe_ssl_earliest_cert_expiry",
            "Expiry of the earliest certificate seen by the last probe, Unix time",
            ["target"],
            registry=registry,
        )
        self.results = Counter(
            "sla_probe_results",
            "Probe results by outcome (success or failure)",
            ["target", "result"],
            registry=registry,
        )
        self.target_up = Gauge(
            "sla_target_up",
            "1 unless the target is in an outage (consecutive failures reached the threshold)",
            ["target"],
            registry=registry,
        )
        self.last_probe = Gauge(
            "sla_monitor_last_probe_timestamp_seconds",
            "When the last probe of the target started, Unix time",
            ["target"],
            registry=registry,
        )
        self.storage_errors = Counter(
            "sla_monitor_storage_errors",
            "Failed writes to the store (results stay buffered and are retried)",
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
        build = Gauge(
            "sla_monitor_build_info", "Build of the running daemon", ["version"], registry=registry
        )
        build.labels(version=version).set(1)
        self.config_reload_ok.set(1)
        self._targets: set[str] = set()

    def register_target(self, target: str) -> None:
        """Create every series of a target at zero, so it is visible before the first probe."""
        self._targets.add(target)
        self.probe_success.labels(target)
        self.probe_duration.labels(target)
        self.target_up.labels(target).set(1)
        self.last_probe.labels(target)
        for result in RESULTS:
            self.results.labels(target, result)

    def forget_target(self, target: str) -> None:
        self._targets.discard(target)
        for gauge in (
            self.probe_success,
            self.probe_duration,
            self.cert_expiry,
            self.target_up,
            self.last_probe,
        ):
            _remove(gauge, target)
        for result in RESULTS:
            _remove(self.results, target, result)

    def observe(self, target: str, result: ProbeResult, tracker: OutageTracker) -> None:
        """Matches :class:`monitor.runner.ResultObserver`."""
        self.probe_success.labels(target).set(1 if result.ok else 0)
        self.probe_duration.labels(target).set(result.duration.total_seconds())
        if result.cert_expiry is not None:
            self.cert_expiry.labels(target).set(result.cert_expiry.timestamp())
        self.results.labels(target, "success" if result.ok else "failure").inc()
        self.target_up.labels(target).set(0 if tracker.is_down else 1)
        self.last_probe.labels(target).set(result.started_at.timestamp())


def _remove(metric: Gauge | Counter, *labels: str) -> None:
    try:
        metric.remove(*labels)
    except KeyError:
        return
