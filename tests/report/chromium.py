"""Headless Chromium driven over the DevTools protocol: load a page, collect its errors.

Debian's ``chromium`` runs with a fresh profile and every background service off, listening
for DevTools on a loopback port it picks itself. The test talks to it with aiohttp's
websocket client: it enables the Runtime, Log, Network and Page domains, loads the file and
records uncaught exceptions, ``console.error`` calls, error log entries and every URL the
page asked for (a self-contained report asks for none but its own). Then it takes a
full-page screenshot.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import itertools
import json
import re
import shutil
import tempfile
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp

__all__ = ["PageVisit", "chromium_problem", "visit"]

_LISTENING = re.compile(rb"DevTools listening on (ws://\S+)")
_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-extensions",
    "--remote-debugging-port=0",
    "--remote-allow-origins=*",
)


def chromium_problem() -> str | None:
    """Why Chromium cannot run here, or ``None``."""
    if shutil.which("chromium") is None:
        return "Debian chromium is not installed (apt-get install --no-install-recommends chromium)"
    return None


@dataclass
class PageVisit:
    """What a page did while it loaded."""

    errors: list[str] = field(default_factory=list)
    requested: list[str] = field(default_factory=list)
    screenshot: bytes = b""
    height: int = 0


class _Session:
    def __init__(self, socket: aiohttp.ClientWebSocketResponse, visit: PageVisit) -> None:
        self._socket = socket
        self._visit = visit
        self._ids = itertools.count(1)
        self._waiting: dict[int, asyncio.Future[dict[str, Any]]] = {}
        self._events: dict[str, asyncio.Event] = {}
        self._reader = asyncio.create_task(self._read())

    def event(self, method: str) -> asyncio.Event:
        return self._events.setdefault(method, asyncio.Event())

    async def call(self, method: str, **params: Any) -> dict[str, Any]:
        ident = next(self._ids)
        future: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        self._waiting[ident] = future
        await self._socket.send_str(json.dumps({"id": ident, "method": method, "params": params}))
        return await asyncio.wait_for(future, 30)

    async def _read(self) -> None:
        async for message in self._socket:
            if message.type is not aiohttp.WSMsgType.TEXT:
                break
            data = json.loads(message.data)
            if "id" in data:
                future = self._waiting.pop(data["id"])
                if "error" in data:
                    future.set_exception(RuntimeError(str(data["error"])))
                else:
                    future.set_result(data.get("result", {}))
                continue
            self._note(data["method"], data.get("params", {}))
            self.event(data["method"]).set()

    def _note(self, method: str, params: dict[str, Any]) -> None:
        errors = self._visit.errors
        if method == "Runtime.exceptionThrown":
            errors.append(f"exception: {params['exceptionDetails'].get('text')}")
        elif method == "Runtime.consoleAPICalled" and params.get("type") in ("error", "assert"):
            args = [str(a.get("value", a.get("description"))) for a in params.get("args", [])]
            errors.append(f"console.{params['type']}: {' '.join(args)}")
        elif method == "Log.entryAdded" and params["entry"].get("level") == "error":
            errors.append(f"log: {params['entry'].get('text')}")
        elif method == "Network.requestWillBeSent":
            self._visit.requested.append(params["request"]["url"])

    async def close(self) -> None:
        self._reader.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._reader


@contextlib.asynccontextmanager
async def _browser() -> AsyncIterator[str]:
    """Start Chromium; yield its browser websocket URL; stop it (and only it) afterwards."""
    profile = Path(tempfile.mkdtemp(prefix="sla-report-chromium-"))
    process = await asyncio.create_subprocess_exec(
        "chromium",
        *_FLAGS,
        f"--user-data-dir={profile}",
        "about:blank",
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE,
    )
    assert process.stderr is not None
    try:
        url = None
        async with asyncio.timeout(60):
            while url is None:
                line = await process.stderr.readline()
                if not line:
                    raise RuntimeError("chromium exited before DevTools was listening")
                found = _LISTENING.search(line)
                url = found.group(1).decode() if found else None
        drain = asyncio.create_task(_drain(process.stderr))
        yield url
    finally:
        if process.returncode is None:
            process.terminate()
            try:
                async with asyncio.timeout(10):
                    await process.wait()
            except TimeoutError:
                process.kill()
                await process.wait()
        if "drain" in locals():
            drain.cancel()
        shutil.rmtree(profile, ignore_errors=True)


async def _drain(stream: asyncio.StreamReader) -> None:
    while await stream.readline():
        continue  # read and drop: a full pipe would block Chromium


async def visit(url: str, *, width: int = 1280) -> PageVisit:
    """Load ``url`` (a ``file://`` URL) and return its errors, requests and a screenshot."""
    result = PageVisit()
    async with _browser() as browser_url, aiohttp.ClientSession() as http:
        async with http.ws_connect(browser_url, max_msg_size=0) as browser_socket:
            browser = _Session(browser_socket, PageVisit())
            target = await browser.call("Target.createTarget", url="about:blank")
            await browser.close()
        host = browser_url.split("/devtools/")[0]
        page_url = f"{host}/devtools/page/{target['targetId']}"
        async with http.ws_connect(page_url, max_msg_size=0) as socket:
            session = _Session(socket, result)
            for domain in ("Runtime", "Log", "Network", "Page"):
                await session.call(f"{domain}.enable")
            await session.call(
                "Emulation.setDeviceMetricsOverride",
                width=width,
                height=900,
                deviceScaleFactor=1,
                mobile=False,
            )
            loaded = session.event("Page.loadEventFired")
            loaded.clear()
            await session.call("Page.navigate", url=url)
            await asyncio.wait_for(loaded.wait(), 30)
            metrics = await session.call("Page.getLayoutMetrics")
            size = metrics["cssContentSize"]
            result.height = int(size["height"])
            shot = await session.call(
                "Page.captureScreenshot",
                format="png",
                captureBeyondViewport=True,
                clip={"x": 0, "y": 0, "width": width, "height": size["height"], "scale": 1},
            )
            result.screenshot = base64.b64decode(shot["data"])
            await session.close()
    return result
