"""The lifecycle: components start in order and close in reverse, also after a failed start."""

from __future__ import annotations

import pytest

from monitor.daemon import Lifecycle, StartError


class Part:
    """A component that writes what happens to it into a shared journal."""

    def __init__(
        self, name: str, journal: list[str], *, fail_start: bool = False, fail_close: bool = False
    ) -> None:
        self.name = name
        self._journal = journal
        self._fail_start = fail_start
        self._fail_close = fail_close

    async def start(self) -> None:
        self._journal.append(f"start {self.name}")
        if self._fail_start:
            raise StartError("part_failed", f"{self.name} cannot start", 1)

    async def close(self) -> None:
        self._journal.append(f"close {self.name}")
        if self._fail_close:
            raise OSError("the close failed")


async def test_components_close_in_the_reverse_order_of_their_start() -> None:
    """Started a, b, c: closed c, b, a."""
    journal: list[str] = []
    lifecycle = Lifecycle()
    for name in "abc":
        await lifecycle.start(Part(name, journal))
    await lifecycle.close()
    assert journal == ["start a", "start b", "start c", "close c", "close b", "close a"]
    assert lifecycle.started == 3


async def test_a_failed_start_closes_that_component_and_those_before_it() -> None:
    """b fails to start: b releases what it got, then a is closed."""
    journal: list[str] = []
    lifecycle = Lifecycle()
    await lifecycle.start(Part("a", journal))
    with pytest.raises(StartError, match="b cannot start"):
        await lifecycle.start(Part("b", journal, fail_start=True))
    await lifecycle.close()
    assert journal == ["start a", "start b", "close b", "close a"]
    assert lifecycle.started == 1


async def test_a_failing_close_does_not_keep_the_components_before_it_open() -> None:
    """b's close raises: a is closed all the same, and closing again closes nothing twice."""
    journal: list[str] = []
    lifecycle = Lifecycle()
    for part in (Part("a", journal), Part("b", journal, fail_close=True)):
        await lifecycle.start(part)
    await lifecycle.close()
    await lifecycle.close()
    assert journal == ["start a", "start b", "close b", "close a"]
