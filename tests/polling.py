"""Wait for a condition with a bound, instead of sleeping and hoping.

A fixed sleep is either too short on a busy machine (a flaky test) or too long everywhere (a
slow one). :func:`eventually` asks again every ``every`` seconds until the check gives an
answer, and fails with what it waited for when ``within`` runs out.
"""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Awaitable, Callable
from typing import TypeVar, overload

__all__ = ["eventually"]

T = TypeVar("T")


@overload
async def eventually(
    check: Callable[[], Awaitable[T | None]], what: str, *, within: float = ..., every: float = ...
) -> T: ...
@overload
async def eventually(
    check: Callable[[], T | None], what: str, *, within: float = ..., every: float = ...
) -> T: ...
async def eventually(
    check: Callable[[], Awaitable[T | None]] | Callable[[], T | None],
    what: str,
    *,
    within: float = 15.0,
    every: float = 0.05,
) -> T:
    """The first answer of ``check`` that is neither ``None`` nor ``False``.

    ``check`` may be a plain or an async function. On timeout the AssertionError names
    ``what`` and the last answer, so a failure says which condition never came true.
    """
    last: object = None
    deadline = asyncio.timeout(within)
    try:
        async with deadline:
            while True:
                called = check()
                answer: T | None
                if inspect.isawaitable(called):
                    answer = await called
                else:
                    answer = called
                last = answer
                if answer is not None and answer is not False:
                    return answer
                await asyncio.sleep(every)
    except TimeoutError:
        if not deadline.expired():
            raise  # the check itself timed out: its own error says more
        raise AssertionError(
            f"waited {within:g} s for {what}; the last answer was {last!r}"
        ) from None
