"""The Alertmanager example: amtool accepts it, and pages and tickets reach different
receivers, for every alert the rules define."""

from __future__ import annotations

import subprocess

import pytest
import yaml

from tests.prometheus.promql import REPOSITORY, tool

EXAMPLE = REPOSITORY / "config" / "alertmanager" / "alertmanager.example.yml"
RULES = REPOSITORY / "config" / "prometheus" / "sla-monitor.rules.yml"


def amtool(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [tool("amtool", "prometheus-alertmanager"), *args],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def alert_severities() -> dict[str, str]:
    document = yaml.safe_load(RULES.read_text(encoding="utf-8"))
    return {
        rule["alert"]: rule["labels"]["severity"]
        for group in document["groups"]
        for rule in group["rules"]
        if "alert" in rule
    }


def test_amtool_accepts_the_example() -> None:
    """``amtool check-config`` finds the example valid, with its two receivers."""
    result = amtool("check-config", str(EXAMPLE))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "SUCCESS" in result.stdout
    assert "2 receivers" in result.stdout


@pytest.mark.parametrize(("alertname", "severity"), sorted(alert_severities().items()))
def test_alert_is_routed_to_the_receiver_of_its_severity(alertname: str, severity: str) -> None:
    """``amtool config routes test`` sends pages to ``page`` and tickets to ``ticket``."""
    result = amtool(
        "config",
        "routes",
        "test",
        f"--config.file={EXAMPLE}",
        f"--verify.receivers={severity}",
        f"alertname={alertname}",
        f"severity={severity}",
        "target=it-system",
        "window=24x7",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip() == severity


def test_pages_and_tickets_use_different_receivers_with_different_urls() -> None:
    """The two receivers are distinct webhooks, so a ticket never wakes anyone."""
    receivers = {
        receiver["name"]: receiver["webhook_configs"][0]["url"]
        for receiver in yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))["receivers"]
    }
    assert set(receivers) == {"page", "ticket"}
    assert receivers["page"] != receivers["ticket"]
