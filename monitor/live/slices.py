"""CPU-bound work on the event loop, in slices short enough that probes keep their schedule.

The SLA snapshot and its exposition are pure Python over every target: seconds of CPU at
10,000 targets. Run in a thread beside the event loop they hold the GIL for the whole build,
and the loop, which gives the GIL up at every socket call (connect, send, receive, close)
and must wait up to the interpreter's switch interval (5 ms) for it each time, manages a
fraction of its probes: dispatch lag grew to seconds. So the builds are written as
generators that yield between targets, and a :class:`Slicer` runs them on the loop itself,
handing control back to the loop whenever a slice has used its budget. The loop then waits
at most one slice, and no CPU is lost to GIL hand-overs. Work that leaves the GIL (zlib)
still goes to a thread.
"""

from __future__ import annotations

import asyncio
import functools
import time
from collections.abc import Callable, Generator
from datetime import timedelta
from typing import ParamSpec, TypeVar, cast

__all__ = ["Slicer", "Steps", "drain", "drained"]

T = TypeVar("T")
P = ParamSpec("P")

Steps = Generator[None, None, T]
"""Work that yields at points where it may be paused, and returns its result."""


def drain(steps: Steps[T]) -> T:
    """Run ``steps`` to the end without pausing: for callers off the event loop."""
    while True:
        try:
            next(steps)
        except StopIteration as done:
            return cast(T, done.value)


def drained(steps: Callable[P, Steps[T]]) -> Callable[P, T]:
    """``steps`` as a plain function that runs them to the end (:func:`drain`)."""

    @functools.wraps(steps)
    def run(*args: P.args, **kwargs: P.kwargs) -> T:
        return drain(steps(*args, **kwargs))

    return run


class Slicer:
    """Runs :data:`Steps` on the event loop, at most ``budget`` at a time."""

    def __init__(
        self,
        budget: timedelta = timedelta(milliseconds=5),
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._budget = budget.total_seconds()
        self._monotonic = monotonic
        self.pauses = 0
        """How often the work gave the loop its turn (for tests and curiosity)."""

    async def run(self, steps: Steps[T]) -> T:
        deadline = self._monotonic() + self._budget
        while True:
            try:
                next(steps)
            except StopIteration as done:
                return cast(T, done.value)
            if self._monotonic() >= deadline:
                self.pauses += 1
                await asyncio.sleep(0)
                deadline = self._monotonic() + self._budget
