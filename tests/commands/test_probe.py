"""``sla-monitor probe TARGET``: one probe through the daemon's own code path, as installed."""

from __future__ import annotations

import asyncio
import json
import os
import sys
from pathlib import Path

from tests.servers.http import Mode, SwitchableHttpServer
from tests.servers.telephony import queue_status_server, queues


def config(tmp_path: Path, url: str, timeout: str = "5s") -> Path:
    path = tmp_path / "sla-monitor.yaml"
    path.write_text(
        "targets:\n"
        "  - name: web\n"
        f'    probe: {{type: http, url: "{url}", expect_status: [200], timeout: {timeout}}}\n'
        "    slas: [{window: 24x7, objective: 0.99}]\n"
        "  - name: portal\n"
        f'    probe: {{type: http, url: "{url}"}}\n'
        "    slas: [{window: 24x7, objective: 0.99}]\n",
        encoding="utf-8",
    )
    return path


async def probe(tmp_path: Path, *argv: str) -> tuple[int, str, str]:
    """The installed command in a subprocess, so the test's server keeps serving meanwhile."""
    env = {
        **os.environ,
        "SLA_MONITOR_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'store.db'}",
    }
    env.pop("SLA_MONITOR_CONFIG", None)
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "monitor.cli", "probe", *argv,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE, env=env,
    )  # fmt: skip
    out, err = await asyncio.wait_for(process.communicate(), 60)
    assert process.returncode is not None
    return process.returncode, out.decode(), err.decode()


async def test_a_target_that_answers_prints_success_and_its_status_and_exits_0(
    tmp_path: Path, http_server: SwitchableHttpServer
) -> None:
    """Outcome, duration and the HTTP status in readable lines; the store is not created."""
    path = config(tmp_path, http_server.url)
    code, out, err = await probe(tmp_path, "web", "--config", str(path))
    assert (code, err) == (0, "")
    lines = out.splitlines()
    assert lines[0].split() == ["target:", "web"]
    assert lines[1].split() == ["outcome:", "success"]
    assert lines[2].startswith("duration:")
    assert ["status_code:", "200"] in [line.split() for line in lines]
    assert not any(line.startswith("cause:") for line in lines)
    assert not (tmp_path / "store.db").exists()


async def test_a_target_whose_server_is_down_exits_1_and_names_the_cause(
    tmp_path: Path, http_server: SwitchableHttpServer
) -> None:
    """Connection refused is a classified failure with its cause, exit 1."""
    path = config(tmp_path, http_server.url)
    await http_server.set_mode(Mode.DOWN)
    code, out, err = await probe(tmp_path, "web", "--config", str(path))
    assert (code, err) == (1, "")
    assert ["outcome:", "failure"] in [line.split() for line in out.splitlines()]
    assert ["cause:", "connection_refused:", "connection", "refused"] in [
        line.split() for line in out.splitlines()
    ]
    assert not (tmp_path / "store.db").exists()


async def test_the_configured_timeout_is_applied_by_the_caller_as_in_the_daemon(
    tmp_path: Path, http_server: SwitchableHttpServer
) -> None:
    """A server slower than the target's timeout is a ``timeout`` failure, as a runner sees it."""
    path = config(tmp_path, http_server.url, timeout="300ms")
    await http_server.set_mode(Mode.SLOW)
    code, out, err = await probe(tmp_path, "web", "--config", str(path), "--json")
    assert (code, err) == (1, "")
    result = json.loads(out)
    assert (result["target"], result["ok"]) == ("web", False)
    assert (result["error_class"], result["error_message"]) == (
        "timeout",
        "no answer within 0.3s",
    )


async def test_json_prints_one_machine_readable_line(
    tmp_path: Path, http_server: SwitchableHttpServer
) -> None:
    """``--json``: one object with outcome, timings, cause and details."""
    path = config(tmp_path, http_server.url)
    code, out, err = await probe(tmp_path, "portal", "--config", str(path), "--json")
    assert (code, err) == (0, "")
    [line] = out.splitlines()
    result = json.loads(line)
    assert (result["target"], result["ok"], result["error_class"]) == ("portal", True, None)
    assert result["details"]["status_code"] == 200
    assert result["duration_seconds"] >= 0


async def test_an_unknown_target_exits_2_and_names_the_configured_ones(
    tmp_path: Path, http_server: SwitchableHttpServer
) -> None:
    """A typo is a usage error that lists what exists; nothing is probed."""
    path = config(tmp_path, http_server.url)
    code, out, err = await probe(tmp_path, "wbe", "--config", str(path))
    assert (code, out) == (2, "")
    assert err == "probe: unknown target 'wbe'; configured targets: web, portal\n"


async def test_a_bad_configuration_exits_2_naming_file_and_field(tmp_path: Path) -> None:
    """The same one-line-per-problem error as check-config."""
    path = tmp_path / "broken.yaml"
    path.write_text("targets:\n  - name: web\n    probe: {type: gopher}\n", encoding="utf-8")
    code, out, err = await probe(tmp_path, "web", "--config", str(path))
    assert (code, out) == (2, "")
    assert err.startswith(f"{path}:")


async def test_a_closed_phone_queue_prints_the_path_the_value_and_what_each_path_matched(
    tmp_path: Path,
) -> None:
    """A closed desk queue exits 1 with a cause naming path and value, and each path's matches."""
    path = tmp_path / "sla-monitor.yaml"
    async with queue_status_server() as pbx:
        pbx.serve_json(queues(("servicedesk", False, 3)))
        path.write_text(
            "targets:\n"
            "  - name: phone\n"
            f'    probe: {{type: http, url: "{pbx.url}", body_json: [\n'
            "      {path: \"$.queues[?(@.name=='servicedesk')].open\", expect: true},\n"
            "      {path: \"$.queues[?(@.name=='servicedesk')].agents_available\", at_least: 1}]}\n"
            "    slas: [{window: business-hours, objective: 1.0}]\n",
            encoding="utf-8",
        )
        code, out, err = await probe(tmp_path, "phone", "--config", str(path))
    assert (code, err) == (1, "")
    lines = [line.split(None, 1) for line in out.splitlines()]
    assert [
        "cause:",
        "json_mismatch: $.queues[?(@.name=='servicedesk')].open is false, expected true",
    ] in lines
    assert ["json[0]:", "[false]"] in lines
    assert ["json[1]:", "[3]"] in lines
