"""The systemd units: ``systemd-analyze verify`` has nothing to say about them, the daemon's
unit is hardened to an exposure of 2.0 or better, and its settings fit the daemon.

``verify`` checks that every ``ExecStart=`` binary exists. ``/usr/bin/sla-monitor`` exists
only on an installed machine, so the tests copy the units to a temporary directory with that
path replaced by the ``sla-monitor`` console script of the running interpreter's venv (the
same program a package installs), and verify the copies.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from monitor.daemon import DaemonOptions
from tests.prometheus.promql import REPOSITORY, tool

UNITS = REPOSITORY / "systemd"
NAMES = ["sla-monitor.service", "sla-monitor-report.service", "sla-monitor-report.timer"]
INSTALLED = "/usr/bin/sla-monitor"


def systemd_analyze(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [tool("systemd-analyze", "systemd"), *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def settings(name: str) -> dict[str, list[str]]:
    """Every ``Key=value`` of a unit, values in order (keys may repeat)."""
    found: dict[str, list[str]] = {}
    for line in (UNITS / name).read_text(encoding="utf-8").splitlines():
        if "=" in line and not line.startswith(("#", ";", "[")):
            key, value = line.split("=", 1)
            found.setdefault(key.strip(), []).append(value.strip())
    return found


@pytest.fixture
def units(tmp_path: Path) -> Path:
    """The units, with the installed binary's path pointing at this venv's sla-monitor."""
    program = Path(sys.executable).parent / "sla-monitor"
    assert program.exists(), "install the project into the venv: pip install -e ."
    for name in NAMES:
        text = (UNITS / name).read_text(encoding="utf-8")
        (tmp_path / name).write_text(text.replace(INSTALLED, str(program)), encoding="utf-8")
    return tmp_path


def test_the_units_start_the_installed_program() -> None:
    """The shipped units run ``/usr/bin/sla-monitor``, the path the tests substitute."""
    assert settings("sla-monitor.service")["ExecStart"] == [f"{INSTALLED} run"]
    assert settings("sla-monitor-report.service")["ExecStart"] == [
        f"{INSTALLED} report --export-dir /var/lib/sla-monitor/reports"
    ]


def test_systemd_analyze_verify_prints_nothing(units: Path) -> None:
    """``systemd-analyze verify`` of the three units succeeds without a word."""
    result = systemd_analyze("verify", "--man=no", *(str(units / name) for name in NAMES))
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout + result.stderr == ""


def test_systemd_analyze_verify_complains_about_a_missing_program(units: Path) -> None:
    """The check has teeth: a unit whose program does not exist makes verify speak up."""
    broken = units / "sla-monitor.service"
    text = broken.read_text(encoding="utf-8")
    broken.write_text(
        re.sub(r"^ExecStart=\S+", "ExecStart=/nonexistent/sla-monitor", text, flags=re.M)
    )
    result = systemd_analyze("verify", "--man=no", str(broken))
    assert "/nonexistent/sla-monitor" in result.stdout + result.stderr


@pytest.mark.parametrize("name", ["sla-monitor.service", "sla-monitor-report.service"])
def test_systemd_analyze_security_rates_the_service_2_or_better(units: Path, name: str) -> None:
    """The overall exposure level of ``systemd-analyze security --offline=true`` is <= 2.0."""
    result = systemd_analyze("security", "--offline=true", "--no-pager", str(units / name))
    output = result.stdout + result.stderr
    level = re.search(rf"Overall exposure level for {re.escape(name)}: (\d+\.\d+)", output)
    assert level is not None, output
    assert float(level.group(1)) <= 2.0, output


def test_the_stop_timeout_outlasts_the_daemons_grace_periods() -> None:
    """TimeoutStopSec exceeds the drain and writer graces, so SIGKILL never cuts a flush."""
    [timeout] = settings("sla-monitor.service")["TimeoutStopSec"]
    seconds = int(timeout.removesuffix("s"))
    options = DaemonOptions()
    graces = (options.drain_grace + options.writer_stop_grace).total_seconds()
    assert seconds > graces + 5


def test_the_daemon_reloads_with_sighup_after_checking_the_config() -> None:
    """``systemctl reload`` checks the file first, then sends SIGHUP to the main process."""
    service = settings("sla-monitor.service")
    assert service["ExecReload"] == [
        f"{INSTALLED} check-config",
        "/bin/kill -HUP $MAINPID",
    ]
    assert service["Type"] == ["exec"]


def test_the_database_and_the_reports_live_in_the_state_directory() -> None:
    """Both services share the user and StateDirectory where the SQLite file and reports go."""
    for name in ("sla-monitor.service", "sla-monitor-report.service"):
        service = settings(name)
        assert service["DynamicUser"] == ["yes"]
        assert service["User"] == ["sla-monitor"]
        assert service["StateDirectory"][0].split()[0] == "sla-monitor"
        assert service["WorkingDirectory"] == ["%S/sla-monitor"]
        environment = dict(value.split("=", 1) for value in service["Environment"])
        assert environment["SLA_MONITOR_DATABASE_URL"] == (
            "sqlite+aiosqlite:////var/lib/sla-monitor/sla-monitor.db"
        )
        assert environment["SLA_MONITOR_CONFIG"] == "/etc/sla-monitor/sla-monitor.yaml"


def test_the_mailbox_password_comes_as_a_credential() -> None:
    """The IMAP password is a LoadCredential, never an Environment= line."""
    service = settings("sla-monitor.service")
    assert service["LoadCredential"] == ["imap:/etc/sla-monitor/imap-password"]
    assert not any("PASSWORD" in value.upper() for value in service["Environment"])


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("NoNewPrivileges", "yes"),
        ("ProtectSystem", "strict"),
        ("ProtectHome", "yes"),
        ("PrivateTmp", "yes"),
        ("PrivateDevices", "yes"),
        ("RestrictAddressFamilies", "AF_INET AF_INET6 AF_UNIX"),
        ("CapabilityBoundingSet", ""),
        ("SystemCallFilter", "@system-service"),
    ],
)
def test_the_daemon_has_the_hardening_the_issue_names(key: str, value: str) -> None:
    """Each hardening setting of the issue is present with its value."""
    assert value in settings("sla-monitor.service")[key]


def test_the_timer_runs_the_export_job_every_hour() -> None:
    """The timer starts the report service hourly (the job decides which month is due)."""
    timer = settings("sla-monitor-report.timer")
    assert timer["Unit"] == ["sla-monitor-report.service"]
    assert timer["Persistent"] == ["true"]
    result = systemd_analyze("calendar", "--iterations=3", timer["OnCalendar"][0])
    assert result.returncode == 0, result.stderr
    hours = re.findall(r"\d{4}-\d{2}-\d{2} (\d{2}):00:00", result.stdout)
    assert len(hours) == 3
    assert len(set(hours)) == 3
