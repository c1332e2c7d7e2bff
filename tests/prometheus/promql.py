"""PromQL helpers shared by the rule, dashboard and alerting tests.

``PUBLIC_METRICS`` is the metric list of docs/interfaces.md, the public contract that alerts and
dashboards may build on. ``metric_names`` finds the metric names an expression selects,
and ``check_expressions`` has promtool parse expressions (as recording rules, the one
promtool command that parses PromQL without a server).
"""

from __future__ import annotations

import re
import shutil
import subprocess
from collections.abc import Mapping
from pathlib import Path

import yaml

__all__ = [
    "PUBLIC_METRICS",
    "REPOSITORY",
    "check_expressions",
    "metric_names",
    "promtool",
    "tool",
]

REPOSITORY = Path(__file__).resolve().parents[2]

# docs/interfaces.md#metrics, name for name.
PUBLIC_METRICS = frozenset(
    {
        "probe_success",
        "probe_duration_seconds",
        "probe_ssl_earliest_cert_expiry",
        "sla_probe_results_total",
        "sla_target_up",
        "sla_in_maintenance",
        "sla_window_open",
        "sla_availability_ratio",
        "sla_objective_ratio",
        "sla_unplanned_downtime_seconds",
        "sla_unmonitored_seconds",
        "sla_error_budget_remaining_seconds",
        "sla_window_seconds_total",
        "sla_unavailable_seconds_total",
        "sla_coverage_ratio",
        "sla_evidence_min_coverage_ratio",
        "servicedesk_response_ratio",
        "servicedesk_response_objective_ratio",
        "servicedesk_requests_open",
        "servicedesk_requests_overdue",
        "servicedesk_resolution_requests",
        "servicedesk_resolution_pending_over_requests",
        "sla_report_delivery_due_timestamp_seconds",
        "sla_report_delivered",
        "sla_report_delivered_timestamp_seconds",
        "sla_miss_analysis_due_timestamp_seconds",
        "sla_miss_analysed",
        "sla_misses_unanalysed",
        "sla_report_on_time_ratio",
        "sla_report_on_time_objective_ratio",
        "servicedesk_requests_total",
        "sla_monitor_build_info",
        "sla_monitor_last_probe_timestamp_seconds",
        "sla_monitor_storage_errors_total",
        "sla_monitor_config_last_reload_successful",
        # Added since the first list.
        "sla_target_probing",
        "sla_objective_in_force_ratio",
        "sla_pi_outcome",
        "servicedesk_response_objective_in_force_ratio",
        "sla_location_up",
        "sla_counted_down",
        "sla_location_monitoring",
        "sla_degraded_vantage_seconds",
        "sla_location_only_failure_seconds",
        "sla_monitor_leader",
    }
)

_STRINGS = re.compile(r'"(?:[^"\\]|\\.)*"|\'(?:[^\'\\]|\\.)*\'|`[^`]*`')
_MATCHERS = re.compile(r"\{[^{}]*\}")
_RANGES = re.compile(r"\[[^\[\]]*\]")
_GROUPING = re.compile(r"\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^()]*\)")
_IDENTIFIER = re.compile(r"(?<![\w:.])([A-Za-z_:][\w:]*)(\s*\()?")
_KEYWORDS = frozenset(
    {"and", "or", "unless", "bool", "offset", "group_left", "group_right", "inf", "nan"}
)


def metric_names(expr: str) -> set[str]:
    """The metric names an expression selects (not functions, keywords or label names)."""
    text = _STRINGS.sub('""', expr)
    text = _MATCHERS.sub("", text)
    text = _RANGES.sub("", text)
    text = _GROUPING.sub("", text)
    names = set()
    for match in _IDENTIFIER.finditer(text):
        name, call = match.groups()
        if call is None and name.lower() not in _KEYWORDS:
            names.add(name)
    return names


def tool(name: str, package: str) -> str:
    """The path of a Debian-packaged tool; scripts/test installs the package."""
    path = shutil.which(name)
    assert path is not None, f"{name} is missing: install Debian package {package!r}"
    return path


def promtool() -> str:
    return tool("promtool", "prometheus")


def check_expressions(
    expressions: Mapping[str, str], directory: Path
) -> subprocess.CompletedProcess[str]:
    """``promtool check rules`` on a rules file with one recording rule per expression."""
    rules = [
        {"record": f"check:expression:{index}", "expr": expr, "labels": {"source": source}}
        for index, (source, expr) in enumerate(expressions.items())
    ]
    path = directory / "expressions.rules.yml"
    path.write_text(
        yaml.safe_dump({"groups": [{"name": "expressions", "rules": rules}]}), encoding="utf-8"
    )
    return subprocess.run(
        [promtool(), "check", "rules", str(path)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
