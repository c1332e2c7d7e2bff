"""The assembled daemon in this process: start order, reverse close, nothing left open."""

from __future__ import annotations

import asyncio
import socket
import threading
from collections.abc import Callable
from pathlib import Path

import structlog

from monitor.daemon import Daemon, DaemonOptions
from monitor.settings import Settings
from monitor.store import Store
from tests.servers.sqlite_faults import overwrite_table_root_page

START_ORDER = [
    "store",
    "membership",
    "writer",
    "targets",
    "recompute",
    "web",
    "housekeeping",
    "scheduler",
]


def settings(tmp_path: Path, listen: str = "127.0.0.1:0") -> Settings:
    return Settings(database_url=f"sqlite+aiosqlite:///{tmp_path / 'sla.db'}", listen=listen)


def daemon(tmp_path: Path, listen: str = "127.0.0.1:0") -> Daemon:
    return Daemon(
        settings(tmp_path, listen),
        config_path=None,
        options=DaemonOptions(install_signal_handlers=False),
    )


def sqlite_threads() -> list[threading.Thread]:
    """aiosqlite runs each open connection in a thread of its own."""
    return [t for t in threading.enumerate() if "_connection_worker_thread" in t.name]


async def until(condition: Callable[[], bool]) -> None:
    """Poll ``condition`` until it holds; a hang ends in the caller's timeout."""
    while True:
        if condition():
            return
        await asyncio.sleep(0.02)


async def no_sqlite_thread_left() -> None:
    await asyncio.wait_for(until(lambda: not sqlite_threads()), timeout=10)


async def test_the_daemon_starts_its_components_in_order_and_closes_them_in_reverse(
    tmp_path: Path,
) -> None:
    """Store first and scheduler last; on stop the scheduler first and the store last, and
    one summary line."""
    running = daemon(tmp_path)
    with structlog.testing.capture_logs() as logs:
        task = asyncio.create_task(running.run())
        await asyncio.wait_for(
            until(lambda: any(e["event"] == "daemon_started" for e in logs)), timeout=20
        )
        running.request_stop()
        assert await asyncio.wait_for(task, timeout=30) == 0
    started = [e["component"] for e in logs if e["event"] == "component_started"]
    closed = [e["component"] for e in logs if e["event"] == "component_closed"]
    assert started == START_ORDER
    assert closed == START_ORDER[::-1]
    assert [e["event"] for e in logs].count("daemon_stopped") == 1
    await no_sqlite_thread_left()


async def test_a_store_whose_open_outages_cannot_be_read_is_closed_before_exit_1(
    tmp_path: Path,
) -> None:
    """The outages table is damaged after the migration succeeded: one store_unavailable
    line, exit 1, and the store's connections are closed."""
    store = await Store.open(settings(tmp_path).database_url.get_secret_value())
    await store.close()
    database = tmp_path / "sla.db"
    overwrite_table_root_page(database, "outages")
    with structlog.testing.capture_logs() as logs:
        assert await asyncio.wait_for(daemon(tmp_path).run(), timeout=30) == 1
    errors = [e for e in logs if e["log_level"] == "error"]
    assert [e["event"] for e in errors] == ["store_unavailable"]
    assert "is damaged" in errors[0]["problem"]
    assert [e["component"] for e in logs if e["event"] == "component_closed"] == ["store"]
    await no_sqlite_thread_left()


async def test_a_listen_failure_closes_every_component_started_before_the_web_server(
    tmp_path: Path,
) -> None:
    """The address is taken: exit 2, and recompute, targets, writer and store are closed."""
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with structlog.testing.capture_logs() as logs:
            code = await asyncio.wait_for(daemon(tmp_path, f"127.0.0.1:{port}").run(), 30)
    assert code == 2
    assert [e["event"] for e in logs if e["log_level"] == "error"] == ["listen_failed"]
    closed = [e["component"] for e in logs if e["event"] == "component_closed"]
    assert closed == ["web", "recompute", "targets", "writer", "membership", "store"]
    await no_sqlite_thread_left()
