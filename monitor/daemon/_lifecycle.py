"""Components and the order they live in: started one after another, closed in reverse.

Each piece of the daemon (store, writer, targets, recompute, web server, housekeeping,
scheduler) is a :class:`Component`. :class:`Lifecycle` starts them in the order given and
closes, in reverse, every one whose start was begun, also when a later start fails: a
half-started daemon releases what it holds (the store first of all) before it exits.
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any, Protocol

import structlog

__all__ = ["Component", "Lifecycle", "StartError", "cancel"]


class Component(Protocol):
    """One part of the running daemon.

    ``close`` is called whenever ``start`` was called, even if ``start`` raised: it releases
    whatever the start had acquired so far and must not assume the start completed.
    """

    @property
    def name(self) -> str: ...

    async def start(self) -> None: ...

    async def close(self) -> None: ...


class StartError(Exception):
    """A start step failed for a reason the operator can fix; one log line says which.

    ``event`` and ``problem`` are the error log line (never a secret), ``exit_code`` what
    the process returns: 2 for a bad setting, 1 when a resource is unavailable.
    """

    def __init__(self, event: str, problem: str, exit_code: int) -> None:
        super().__init__(problem)
        self.event = event
        self.problem = problem
        self.exit_code = exit_code


class Lifecycle:
    """The components begun so far, to be closed in reverse."""

    def __init__(self) -> None:
        self._begun: list[Component] = []
        self._started = 0
        self._log = structlog.get_logger("monitor.daemon")

    @property
    def started(self) -> int:
        """How many components completed their start."""
        return self._started

    async def start(self, component: Component) -> None:
        self._begun.append(component)
        await component.start()
        self._started += 1
        self._log.debug("component_started", component=component.name)

    async def close(self) -> None:
        """Close every begun component, last first; one failing close does not stop the rest."""
        while self._begun:
            component = self._begun.pop()
            try:
                await component.close()
            except Exception as error:
                self._log.warning(
                    "component_close_failed", component=component.name, error=type(error).__name__
                )
                continue
            self._log.debug("component_closed", component=component.name)


async def cancel(task: asyncio.Task[Any] | None) -> None:
    """Cancel a task that has not finished and wait for it; what it raises is moot now."""
    if task is not None and not task.done():
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await task
