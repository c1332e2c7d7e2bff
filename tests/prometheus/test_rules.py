"""The Prometheus rules: promtool accepts them, every alert has unit tests that show it firing
and staying quiet, and every alert carries what an on-call engineer needs."""

from __future__ import annotations

import re
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.prometheus.promql import PUBLIC_METRICS, REPOSITORY, metric_names, promtool

RULES = REPOSITORY / "config" / "prometheus" / "sla-monitor.rules.yml"
UNIT_TESTS = sorted((REPOSITORY / "config" / "prometheus" / "tests").glob("*.test.yml"))
# The runbook: the operations guide.
RUNBOOKS = [REPOSITORY / "docs" / "operations.md"]


def rules() -> list[dict[str, Any]]:
    document = yaml.safe_load(RULES.read_text(encoding="utf-8"))
    return [rule for group in document["groups"] for rule in group["rules"]]


def alerts() -> dict[str, dict[str, Any]]:
    return {rule["alert"]: rule for rule in rules() if "alert" in rule}


def github_anchors(markdown: str) -> set[str]:
    """The anchors GitHub gives the headings of a Markdown text."""
    anchors = set()
    for line in markdown.splitlines():
        heading = re.match(r"^#{1,6}\s+(.*?)\s*#*\s*$", line)
        if heading:
            text = re.sub(r"[^\w\- ]", "", heading.group(1).lower())
            anchors.add(text.replace(" ", "-"))
    return anchors


def unit_test_cases() -> Iterator[dict[str, Any]]:
    for path in UNIT_TESTS:
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
        for case in document["tests"]:
            yield from case.get("alert_rule_test", [])


@pytest.fixture(scope="module")
def unit_test_results() -> dict[str, subprocess.CompletedProcess[str]]:
    """``promtool test rules`` for each file, all started at once (the slow ones take ~10 s)."""
    running = {
        path.name: subprocess.Popen(
            [promtool(), "test", "rules", str(path)],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        for path in UNIT_TESTS
    }
    results = {}
    for name, process in running.items():
        output, _ = process.communicate(timeout=300)
        results[name] = subprocess.CompletedProcess(process.args, process.returncode, output)
    return results


def test_promtool_accepts_the_rules_file() -> None:
    """``promtool check rules`` finds the rules valid."""
    result = subprocess.run(
        [promtool(), "check", "rules", str(RULES)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"SUCCESS: {len(rules())} rules found" in result.stdout


@pytest.mark.parametrize("path", UNIT_TESTS, ids=lambda path: path.name)
def test_promtool_unit_tests_pass(
    path: Path, unit_test_results: dict[str, subprocess.CompletedProcess[str]]
) -> None:
    """``promtool test rules`` passes for the file."""
    result = unit_test_results[path.name]
    assert result.returncode == 0, result.stdout
    assert "SUCCESS" in result.stdout


def test_every_alert_has_a_unit_test_that_fires_it_and_one_that_stays_quiet() -> None:
    """For each alert some case expects it firing and some case expects silence."""
    firing = {case["alertname"] for case in unit_test_cases() if case.get("exp_alerts")}
    quiet = {case["alertname"] for case in unit_test_cases() if not case.get("exp_alerts")}
    assert set(alerts()) <= firing, f"never seen firing: {sorted(set(alerts()) - firing)}"
    assert set(alerts()) <= quiet, f"never seen quiet: {sorted(set(alerts()) - quiet)}"
    unknown = (firing | quiet) - set(alerts())
    assert not unknown, f"unit tests name alerts that do not exist: {sorted(unknown)}"


@pytest.mark.parametrize("name", sorted(alerts()))
def test_alert_has_severity_summary_and_a_runbook_entry(name: str) -> None:
    """severity page or ticket, a summary and description, a runbook_url to its doc anchor."""
    rule = alerts()[name]
    assert rule["labels"]["severity"] in {"page", "ticket"}
    assert rule["annotations"]["summary"]
    assert rule["annotations"]["description"]
    anchor = f"alert-{name.lower()}"
    assert rule["annotations"]["runbook_url"] == f"docs/operations.md#{anchor}"
    documented = set().union(
        *(github_anchors(path.read_text(encoding="utf-8")) for path in RUNBOOKS if path.exists())
    )
    assert anchor in documented


def test_every_alert_has_a_for_duration() -> None:
    """No alert fires on a single evaluation: each waits a ``for`` duration."""
    assert all(rule.get("for") for rule in alerts().values())


def test_rules_use_only_published_metrics_and_their_own_recordings() -> None:
    """Each selected metric is in docs/interfaces.md, is Prometheus' ``up`` or is recorded here."""
    recorded = {rule["record"] for rule in rules() if "record" in rule}
    used = set().union(*(metric_names(rule["expr"]) for rule in rules()))
    assert used <= PUBLIC_METRICS | recorded | {"up"}, sorted(used - PUBLIC_METRICS - recorded)


@pytest.mark.parametrize(
    ("name", "pairs"),
    [
        ("SlaErrorBudgetBurnFast", {("1h", "14.4"), ("5m", "14.4"), ("6h", "6"), ("30m", "6")}),
        ("SlaErrorBudgetBurnSlow", {("1d", "3"), ("2h", "3"), ("3d", "1"), ("6h", "1")}),
    ],
)
def test_burn_rate_alerts_use_the_windows_and_factors_of_the_issue(
    name: str, pairs: set[tuple[str, str]]
) -> None:
    """Page 14.4x over 1h and 5m, 6x over 6h and 30m; ticket 3x over 1d/2h, 1x over 3d/6h."""
    expr = alerts()[name]["expr"]
    found = set(re.findall(r"ratio_rate(\w+) > ([\d.]+)", expr))
    assert found == pairs
    recorded = {rule["record"]: rule["expr"] for rule in rules() if "record" in rule}
    for window, _ in pairs:
        source = recorded[f"target_window:sla_error_budget_burn_rate:ratio_rate{window}"]
        assert f"rate(sla_unavailable_seconds_total[{window}])" in source
        assert f"rate(sla_window_seconds_total[{window}])" in source
