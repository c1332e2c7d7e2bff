"""Fixtures for the store tests: a fresh database of each engine, and a way to lose it.

PostgreSQL comes from ``SLA_MONITOR_TEST_POSTGRES_URL`` when that is set (a server whose
user may create databases), otherwise from a throwaway cluster that this file starts from
Debian's binaries on loopback for the test session. The PostgreSQL fixtures are
self-contained so that they can move to ``tests/conftest.py`` unchanged.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import shutil
import socket
import subprocess
import tempfile
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

import asyncpg
import pytest
from sqlalchemy.engine import make_url

from monitor.store import Store

POSTGRES_URL_ENV = "SLA_MONITOR_TEST_POSTGRES_URL"

ENGINES = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


# -- PostgreSQL ---------------------------------------------------------------------------


def _postgres_bindir() -> Path:
    """The newest Debian PostgreSQL installation, or a failed test saying how to get one."""

    def version(initdb: Path) -> tuple[int, ...]:
        return tuple(int(part) for part in re.findall(r"\d+", initdb.parent.parent.name))

    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"), key=version)
    if found:
        return found[-1].parent
    on_path = shutil.which("initdb")
    if on_path:
        return Path(on_path).parent
    pytest.fail(
        "PostgreSQL is not installed, and the store tests must run on it too: install it "
        "(`apt-get install postgresql`; .ci/run does) or point "
        f"{POSTGRES_URL_ENV} at a server, e.g. postgresql+asyncpg://user:pw@127.0.0.1:5432/postgres",
        pytrace=False,
    )


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@dataclass
class _Cluster:
    """A PostgreSQL cluster in a temporary directory, run as the ``postgres`` OS user.

    PostgreSQL refuses to run as root, so as root every command goes through ``runuser``
    and the directory belongs to ``postgres``.
    """

    bindir: Path
    base: Path = field(init=False)
    port: int = 0

    def __post_init__(self) -> None:
        self.base = Path(tempfile.mkdtemp(prefix="sla-monitor-pg-"))
        if os.geteuid() == 0:
            shutil.chown(self.base, "postgres", "postgres")
        self.base.chmod(0o700)

    @property
    def data(self) -> Path:
        return self.base / "data"

    def _run(self, *command: str) -> subprocess.CompletedProcess[str]:
        argv = [str(self.bindir / command[0]), *command[1:]]
        if os.geteuid() == 0:
            argv = ["runuser", "-u", "postgres", "--", *argv]
        return subprocess.run(argv, capture_output=True, text=True, check=False, timeout=120)

    def _must(self, *command: str) -> None:
        done = self._run(*command)
        if done.returncode != 0:
            log = self.base / "server.log"
            server_log = log.read_text() if log.exists() else ""
            pytest.fail(
                f"{command[0]} failed ({done.returncode}):\n{done.stdout}{done.stderr}"
                f"\n{server_log}",
                pytrace=False,
            )

    def start(self) -> None:
        if not self.data.exists():
            self._must(
                "initdb", "-D", str(self.data), "-U", "postgres", "--auth=trust",
                "--encoding=UTF8", "--locale=C", "--no-sync",
            )  # fmt: skip
        for _attempt in range(3):
            self.port = self.port or _free_port()
            options = (
                f"-c listen_addresses=127.0.0.1 -p {self.port} -k {self.base} "
                "-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
            )
            done = self._run(
                "pg_ctl", "-D", str(self.data), "-l", str(self.base / "server.log"),
                "-o", options, "-w", "-t", "60", "start",
            )  # fmt: skip
            if done.returncode == 0:
                return
            self.port = 0  # most likely someone took the port meanwhile; try another
        self._must("pg_ctl", "-D", str(self.data), "status")

    def stop(self) -> None:
        self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")

    def remove(self) -> None:
        shutil.rmtree(self.base, ignore_errors=True)


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """URL of a PostgreSQL server (its ``postgres`` database) for the whole test session."""
    external = os.environ.get(POSTGRES_URL_ENV)
    if external:
        yield external
        return
    cluster = _Cluster(_postgres_bindir())
    try:
        cluster.start()
        yield f"postgresql+asyncpg://postgres@127.0.0.1:{cluster.port}/postgres"
    finally:
        cluster.stop()
        cluster.remove()


async def _admin(server_url: str) -> asyncpg.Connection:
    url = make_url(server_url)
    return await asyncpg.connect(
        host=url.host,
        port=url.port,
        user=url.username,
        password=url.password,
        database=url.database or "postgres",
    )


@pytest.fixture
async def postgres_database_url(postgres_url: str) -> AsyncIterator[str]:
    """URL of a new, empty PostgreSQL database, dropped after the test."""
    name = f"sla_monitor_test_{uuid.uuid4().hex[:16]}"
    admin = await _admin(postgres_url)
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()
    yield make_url(postgres_url).set(database=name).render_as_string(hide_password=False)
    admin = await _admin(postgres_url)
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await admin.close()


# -- one database per engine --------------------------------------------------------------


def _sqlite_url(path: Path) -> str:
    return f"sqlite+aiosqlite:///{path}"


@pytest.fixture(params=ENGINES)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """URL of a fresh, empty database: a SQLite file, or a new PostgreSQL database."""
    if request.param == "sqlite":
        return _sqlite_url(tmp_path / "store.db")
    url: str = request.getfixturevalue("postgres_database_url")
    return url


@pytest.fixture
async def store(database_url: str) -> AsyncIterator[Store]:
    """A migrated store on a fresh database of each engine."""
    opened = await Store.open(database_url)
    try:
        yield opened
    finally:
        await opened.close()


# -- losing the database for real ---------------------------------------------------------


class SwitchableDatabase(Protocol):
    """A database that a test can make unreachable and bring back."""

    url: str

    async def cut(self, store: Store) -> None: ...

    async def restore(self) -> None: ...


class _SqliteSwitch:
    """Moves the database's directory away, so opening the file fails.

    Chmod does not stop root, a missing directory does. Pooled connections would keep the
    moved file open, so the pool is emptied as well.
    """

    def __init__(self, directory: Path) -> None:
        directory.mkdir()
        self._directory = directory
        self._away = directory.with_name(directory.name + "-away")
        self.url = _sqlite_url(directory / "store.db")

    async def cut(self, store: Store) -> None:
        self._directory.rename(self._away)
        await store.engine.dispose()

    async def restore(self) -> None:
        self._away.rename(self._directory)


class _TcpProxy:
    """A loopback TCP relay to PostgreSQL that can refuse and reset connections on demand.

    Going through it makes the server unreachable the way a network or a server restart
    does (refused connects, connections reset mid-session) without stopping a server that
    other tests share, or that belongs to whoever set ``SLA_MONITOR_TEST_POSTGRES_URL``.
    """

    def __init__(self, upstream_host: str, upstream_port: int) -> None:
        self._upstream = (upstream_host, upstream_port)
        self._server: asyncio.Server | None = None
        self._writers: set[asyncio.StreamWriter] = set()
        self._tasks: set[asyncio.Task[None]] = set()
        self.port = 0

    async def open(self) -> None:
        self._server = await asyncio.start_server(self._accept, "127.0.0.1", self.port)
        self.port = self._server.sockets[0].getsockname()[1]

    async def close(self) -> None:
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
            self._server = None
        for writer in list(self._writers):
            writer.transport.abort()
        if self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._tasks.add(task)
        self._writers.add(writer)
        try:
            up_reader, up_writer = await asyncio.open_connection(*self._upstream)
        except OSError:
            writer.transport.abort()
            self._writers.discard(writer)
            self._tasks.discard(task)
            return
        self._writers.add(up_writer)
        try:
            await asyncio.gather(self._pipe(reader, up_writer), self._pipe(up_reader, writer))
        finally:
            for end in (writer, up_writer):
                end.transport.abort()
                self._writers.discard(end)
            self._tasks.discard(task)

    @staticmethod
    async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        with contextlib.suppress(ConnectionError, OSError):
            while data := await reader.read(65536):
                writer.write(data)
                await writer.drain()
        writer.transport.abort()


class _PostgresSwitch:
    def __init__(self, proxy: _TcpProxy, database_url: str) -> None:
        self._proxy = proxy
        self.url = (
            make_url(database_url)
            .set(host="127.0.0.1", port=proxy.port)
            .render_as_string(hide_password=False)
        )

    async def cut(self, store: Store | None = None) -> None:
        await self._proxy.close()

    async def restore(self) -> None:
        await self._proxy.open()


@pytest.fixture
async def switchable_database(
    database_url: str, tmp_path: Path
) -> AsyncIterator[SwitchableDatabase]:
    """A fresh database of each engine that the test can cut off and restore."""
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        yield _SqliteSwitch(tmp_path / "db")
        return
    proxy = _TcpProxy(url.host or "127.0.0.1", url.port or 5432)
    await proxy.open()
    try:
        yield _PostgresSwitch(proxy, database_url)
    finally:
        await proxy.close()


@pytest.fixture
async def cuttable_postgres(postgres_database_url: str) -> AsyncIterator[_PostgresSwitch]:
    """A fresh PostgreSQL database behind a relay the test can cut, for a daemon process."""
    url = make_url(postgres_database_url)
    proxy = _TcpProxy(url.host or "127.0.0.1", url.port or 5432)
    await proxy.open()
    try:
        yield _PostgresSwitch(proxy, postgres_database_url)
    finally:
        await proxy.close()
