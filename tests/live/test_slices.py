"""Work run on the event loop in slices (monitor/live/slices.py)."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from monitor.live.slices import Slicer, Steps, drain


def counting(upto: int, seen: list[int]) -> Steps[int]:
    total = 0
    for number in range(upto):
        seen.append(number)
        total += number
        yield
    return total


def test_drained_steps_return_what_the_work_returns() -> None:
    """Run to the end without pausing, the work's result is the generator's return value."""
    seen: list[int] = []
    assert drain(counting(5, seen)) == 10
    assert seen == [0, 1, 2, 3, 4]


async def test_the_loop_runs_other_work_between_slices_and_the_result_is_the_same() -> None:
    """With a clock that says every step used the budget, another task gets its turn between
    any two steps, and the work still returns the same result in the same order."""
    ticks = iter(range(10_000))
    slicer = Slicer(budget=timedelta(seconds=1), monotonic=lambda: float(next(ticks)))
    seen: list[int] = []
    turns: list[int] = []

    async def other() -> None:
        while True:
            turns.append(len(seen))
            await asyncio.sleep(0)

    neighbour = asyncio.create_task(other())
    try:
        result = await slicer.run(counting(4, seen))
    finally:
        neighbour.cancel()
    assert result == 6
    assert seen == [0, 1, 2, 3]
    assert slicer.pauses == 4
    assert turns[:4] == [1, 2, 3, 4]


async def test_work_within_its_budget_runs_without_giving_up_the_loop() -> None:
    """A clock that stands still never exhausts the budget: no pause at all."""
    slicer = Slicer(budget=timedelta(seconds=1), monotonic=lambda: 0.0)
    assert await slicer.run(counting(100, [])) == 4950
    assert slicer.pauses == 0
