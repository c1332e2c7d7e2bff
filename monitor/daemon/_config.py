"""The configuration file as the daemon reads it: at start, and on SIGHUP off the loop."""

from __future__ import annotations

import asyncio
import contextlib
import pickle
import threading
from datetime import timedelta
from pathlib import Path

from monitor.config import Config, ConfigError, load_config, secret_file_problems
from monitor.report.export import export_format_problems

__all__ = ["ConfigSource", "CurrentConfig"]


def _compact_config(path: Path) -> Config:
    """:func:`load_config`, copied once everything the parse made and dropped is gone.

    Parsing 10,000 targets makes some 100 MB of short-lived objects (the YAML nodes, the
    plain data, pydantic's intermediates) among the 24 MB of the models it keeps, which end
    up spread over memory pages that are then mostly empty and stay resident for good. The
    copy is made from the pickled bytes after the parse has returned and freed the rest, so
    the models lie close together and the emptied pages go back to the system. At 10,000
    targets the process is 48 MB smaller right after the load; the daemon fills much of that
    later anyway, and about 5 MB stays saved once it runs. The copy costs 0.7 s of CPU.
    """
    copy: Config = pickle.loads(_pickled_config(path))  # noqa: S301 -- made by this process
    return copy


def _pickled_config(path: Path) -> bytes:
    return pickle.dumps(load_config(path), protocol=pickle.HIGHEST_PROTOCOL)


class CurrentConfig:
    """The configuration in force; a reload replaces it, everyone reads it by calling this."""

    def __init__(self, config: Config) -> None:
        self.value = config

    def __call__(self) -> Config:
        return self.value


class _ReloadBusyError(Exception):
    """A reload was asked for while the previous one is still stuck reading the file."""


class ConfigSource:
    """Reads, validates and checks the secrets and export formats of the file against this
    host: what start-up and reload accept."""

    def __init__(self, path: Path | None, *, reload_timeout: timedelta) -> None:
        self._path = path
        self._timeout = reload_timeout
        self._loading: threading.Thread | None = None

    @property
    def path(self) -> Path | None:
        return self._path

    def load(self) -> Config:
        if self._path is None:
            return Config()
        config = _compact_config(self._path)
        problems = [*secret_file_problems(config), *export_format_problems(config)]
        if problems:
            raise ConfigError(str(self._path), problems)
        return config

    async def load_off_loop(self) -> Config:
        """:meth:`load` in a worker thread, given up after ``reload_timeout``.

        Parsing a large file is CPU work and reading one can block (a FIFO, a hung network
        file system): on the event loop either would stop probes, ``/metrics`` and SIGTERM.
        A thread cannot be killed, so the worker is a daemon thread that the process does
        not wait for when it exits; a second reload is refused while one is still stuck.
        """
        if self._loading is not None and self._loading.is_alive():
            raise _ReloadBusyError
        loop = asyncio.get_running_loop()
        future: asyncio.Future[Config] = loop.create_future()

        def deliver(outcome: Config | BaseException) -> None:
            if future.done():
                return
            if isinstance(outcome, BaseException):
                future.set_exception(outcome)
            else:
                future.set_result(outcome)

        def work() -> None:
            outcome: Config | BaseException
            try:
                outcome = self.load()
            except BaseException as error:  # handed to the loop, raised there
                outcome = error
            with contextlib.suppress(RuntimeError):  # the loop closed meanwhile
                loop.call_soon_threadsafe(deliver, outcome)

        self._loading = threading.Thread(target=work, name="config-reload", daemon=True)
        self._loading.start()
        return await asyncio.wait_for(future, self._timeout.total_seconds())

    def problems(self, error: BaseException) -> list[str]:
        """Why a reload failed, one line each, naming the file."""
        if isinstance(error, ConfigError):
            return error.lines()
        if isinstance(error, TimeoutError):
            seconds = self._timeout.total_seconds()
            return [f"{self._path}: reading and checking took longer than {seconds:g} s"]
        if isinstance(error, _ReloadBusyError):
            return [f"{self._path}: the previous reload is still reading the file"]
        if isinstance(error, OSError):
            return [str(error)]
        return [f"{self._path}: cannot be checked: {type(error).__name__}"]
