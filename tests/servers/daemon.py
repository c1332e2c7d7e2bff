"""``sla-monitor run`` as a real subprocess, for end-to-end tests.

The daemon runs in its own process so SIGTERM, SIGHUP and ``kill -9`` are the real thing; its
JSON log lines are collected so a test can wait for an event (``outage_opened``) instead of
sleeping and hoping.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import sys
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

import aiohttp

from monitor.store import Store
from tests.polling import eventually
from tests.servers.http import SwitchableHttpServer

__all__ = ["INTERVAL", "TIMEOUT", "DaemonProcess", "Harness", "config_text", "get"]

INTERVAL = timedelta(milliseconds=400)
TIMEOUT = timedelta(milliseconds=300)


def config_text(url: str, *, extra_target: bool = False) -> str:
    targets = f"""
  - name: web
    probe: {{type: http, url: "{url}", timeout: {TIMEOUT.total_seconds()}s}}
    interval: {INTERVAL.total_seconds()}s
    failures_before_down: 2
    slas:
      - {{window: 24x7, objective: 0.99}}
"""
    if extra_target:
        targets += f"""
  - name: web-two
    probe: {{type: http, url: "{url}", timeout: {TIMEOUT.total_seconds()}s}}
    interval: {INTERVAL.total_seconds()}s
    slas:
      - {{window: 24x7, objective: 0.99}}
"""
    return f"timezone: Europe/Amsterdam\ntargets:{targets}"


async def get(port: int | None, path: str) -> tuple[int, str]:
    """One request, bounded: a daemon that stopped answering fails the test, it never hangs it."""
    async with (
        aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10)) as session,
        session.get(f"http://127.0.0.1:{port}{path}") as response,
    ):
        return response.status, await response.text()


@dataclass
class DaemonProcess:
    """One ``sla-monitor run`` subprocess and its JSON log lines."""

    process: asyncio.subprocess.Process
    events: list[dict[str, object]] = field(default_factory=list)
    lines: list[bytes] = field(default_factory=list)
    """Every line the daemon wrote to stderr, JSON or not (a traceback is not JSON)."""
    reader: asyncio.Task[None] | None = None
    port: int | None = None

    async def _read(self) -> None:
        assert self.process.stderr is not None
        async for raw in self.process.stderr:
            self.lines.append(raw)
            with contextlib.suppress(ValueError):
                self.events.append(json.loads(raw))

    async def wait_for(self, event: str, within: float = 15.0) -> dict[str, object]:
        """The first logged ``event``; a daemon that exits first fails at once."""

        def logged() -> dict[str, object] | None:
            for item in self.events:
                if item.get("event") == event:
                    return item
            if self.process.returncode is not None:
                raise AssertionError(f"daemon exited before {event}: {self.events}")
            return None

        return await eventually(logged, f"the daemon to log {event}", within=within)

    def count(self, event: str) -> int:
        return sum(1 for item in self.events if item.get("event") == event)

    async def stop(self, sig: signal.Signals = signal.SIGTERM) -> int:
        self.process.send_signal(sig)
        async with asyncio.timeout(20):
            code = await self.process.wait()
        if self.reader is not None:
            await self.reader
        return code


class Harness:
    def __init__(self, tmp_path: Path, server: SwitchableHttpServer) -> None:
        self.config = tmp_path / "sla-monitor.yaml"
        self.config.write_text(config_text(server.url), encoding="utf-8")
        self.database = f"sqlite+aiosqlite:///{tmp_path / 'sla.db'}"
        self.server = server
        self.running: list[DaemonProcess] = []

    async def spawn(self, extra_env: dict[str, str] | None = None) -> DaemonProcess:
        """Start the process and collect its log; :meth:`start` also waits until it serves."""
        env = {
            **os.environ,
            "SLA_MONITOR_DATABASE_URL": self.database,
            "SLA_MONITOR_LISTEN": "127.0.0.1:0",
            "SLA_MONITOR_CONFIG": str(self.config),
            **(extra_env or {}),
        }
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "monitor.cli",
            "run",
            "--log-format",
            "json",
            stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.PIPE,
            env=env,
        )
        daemon = DaemonProcess(process)
        daemon.reader = asyncio.create_task(daemon._read())
        self.running.append(daemon)
        return daemon

    async def start(self, extra_env: dict[str, str] | None = None) -> DaemonProcess:
        daemon = await self.spawn(extra_env)
        started = await daemon.wait_for("daemon_started")
        listen = started["listen"]
        assert isinstance(listen, list)
        daemon.port = int(str(listen[0]).rsplit(":", 1)[1])
        return daemon

    async def exit_code(self, extra_env: dict[str, str] | None = None) -> tuple[int, DaemonProcess]:
        """Run a daemon that is expected to give up at start-up; the timeout catches a hang."""
        daemon = await self.spawn(extra_env)
        async with asyncio.timeout(30):
            code = await daemon.process.wait()
            assert daemon.reader is not None
            await daemon.reader
        return code, daemon

    async def store(self) -> Store:
        return await Store.open(self.database)

    async def close(self) -> None:
        for daemon in self.running:
            if daemon.process.returncode is None:
                daemon.process.kill()
                await daemon.process.wait()
            if daemon.reader is not None:
                daemon.reader.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await daemon.reader
