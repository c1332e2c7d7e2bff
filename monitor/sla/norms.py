"""Norms over time and the bonus/malus band of a performance indicator.

Requirement 3.2.15 asks for each PI's norm, its *bandbreedte* (bandwidth) and its *groeipad*
(growth path); 3.2.17 lets the client change PIs and norms every year. A norm is therefore
not one number but a schedule: a list of steps, each in force from a month on until the
next step (docs/rules.md#norms-over-time). Every month is judged by the step in force in that
month, so adding next year's norm never changes a past month's figure or verdict.

The band (B3.7, 3.2.19) splits the figure's range into bonus, neutral and malus territory
(docs/rules.md#bonus-malus-band). Amounts are agreed elsewhere; a band only names the
territory a month lands in.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from itertools import pairwise
from typing import Generic, TypeVar

from monitor.sla.months import Month

__all__ = [
    "Band",
    "BandOutcome",
    "Bound",
    "NormSchedule",
    "NormStep",
    "bands_in_force",
    "judged_outcome",
]

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class NormStep(Generic[T]):
    """One entry of a growth path: ``value`` is in force from ``start`` on. ``start`` is
    ``None`` only for a norm given as a plain value, which holds for all time."""

    start: Month | None
    value: T


@dataclass(frozen=True, slots=True)
class NormSchedule(Generic[T]):
    """What is in force in which month (3.2.15 groeipad, 3.2.17 yearly change).

    The steps' months strictly increase. The first step also covers every month before its
    ``start``: a month before the growth path begins is judged by the norm first agreed, so
    a report of an early month always has a norm to print (docs/rules.md#norms-over-time).
    """

    steps: tuple[NormStep[T], ...]

    def __post_init__(self) -> None:
        if not self.steps:
            raise ValueError("a norm schedule needs at least one step")
        starts = [s.start for s in self.steps]
        if None in starts and len(starts) > 1:
            raise ValueError("only a single, plain norm holds for all time")
        for earlier, later in pairwise(starts):
            if earlier is not None and later is not None and not earlier < later:
                raise ValueError(f"from {later} does not come after from {earlier}")

    @classmethod
    def always(cls, value: T) -> NormSchedule[T]:
        """A norm that never changes: a plain number in the configuration."""
        return cls((NormStep(None, value),))

    @classmethod
    def of(cls, steps: Iterable[tuple[Month, T]]) -> NormSchedule[T]:
        return cls(tuple(NormStep(start, value) for start, value in steps))

    def step_in_force(self, month: Month) -> NormStep[T]:
        """The last step whose ``start`` is at or before ``month``; the first step before
        the growth path begins."""
        current = self.steps[0]
        for step in self.steps[1:]:
            if step.start is not None and step.start <= month:
                current = step
            else:
                break
        return current

    def in_force(self, month: Month) -> T:
        """The norm in force in ``month`` (3.2.15, 3.2.17)."""
        return self.step_in_force(month).value

    @property
    def changes(self) -> bool:
        """Whether the norm differs over time (the report then says since when)."""
        return len(self.steps) > 1


class BandOutcome(StrEnum):
    """Where a month's figure lands in the band (B3.7, 3.2.19)."""

    BONUS = "bonus"
    NEUTRAL = "neutral"
    MALUS = "malus"


class Bound(StrEnum):
    """Which way the true figure can lie from the measured one when evidence is missing:
    with unmonitored time counted as available the measured availability is an upper bound
    of the truth, counted as unavailable it is a lower bound."""

    UPPER = "upper"
    LOWER = "lower"


@dataclass(frozen=True, slots=True)
class Band:
    """The bandwidth of a PI (3.2.15 bandbreedte): at or above ``bonus_at_or_above`` is
    bonus, below ``malus_below`` is malus, in between neutral. ``labels`` are the contract's
    own words for an outcome (e.g. "malus 5 %"), printed next to it."""

    bonus_at_or_above: float
    malus_below: float
    labels: tuple[tuple[BandOutcome, str], ...] = ()

    def __post_init__(self) -> None:
        for name, value in (
            ("bonus_at_or_above", self.bonus_at_or_above),
            ("malus_below", self.malus_below),
        ):
            if not 0.0 <= value <= 1.0:
                raise ValueError(f"{name} must be within 0..1, got {value}")
        if self.malus_below > self.bonus_at_or_above:
            raise ValueError(
                f"malus_below {self.malus_below:g} lies above bonus_at_or_above "
                f"{self.bonus_at_or_above:g}: a figure would be bonus and malus at once"
            )

    def classify(self, value: float) -> BandOutcome:
        if value >= self.bonus_at_or_above:
            return BandOutcome.BONUS
        if value < self.malus_below:
            return BandOutcome.MALUS
        return BandOutcome.NEUTRAL

    def label(self, outcome: BandOutcome | None) -> str | None:
        """The configured label of ``outcome``; ``None`` when none is configured."""
        return next((text for key, text in self.labels if key is outcome), None)


def judged_outcome(
    band: Band, value: float | None, *, sufficient: bool, bound: Bound
) -> BandOutcome | None:
    """The month's outcome in ``band`` (B3.7, 3.2.19), or ``None`` when it is not known.

    ``None`` when nothing is measured (``value`` is ``None``). With insufficient evidence
    only an outcome that no result of the unmeasured time could change is given, the rule
    ``met`` follows (docs/rules.md#evidence): an upper bound already in malus territory
    proves malus, a lower bound already in bonus territory proves bonus; anything else could
    still move and is ``None``.
    """
    if value is None:
        return None
    outcome = band.classify(value)
    if sufficient:
        return outcome
    if bound is Bound.UPPER and outcome is BandOutcome.MALUS:
        return outcome
    if bound is Bound.LOWER and outcome is BandOutcome.BONUS:
        return outcome
    return None


def bands_in_force(
    band: NormSchedule[Band] | None, current: Month
) -> tuple[Band | None, Band | None]:
    """The bands in force in ``current`` and in the month before: the live gauges judge
    each month by its own band (docs/rules.md#norms-over-time)."""
    if band is None:
        return (None, None)
    return (band.in_force(current), band.in_force(current.previous()))
