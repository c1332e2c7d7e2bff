"""Corrections of stored outages: evidence is append-only, its reading may be corrected.

A ghost outage (left open by a second process on the same database) would count "up to
now" for ever, and a false alarm would cost money, yet the original evidence must never be
overwritten: the client must be able to see what was measured and what was changed, by whom
and why. So a correction is a separate record laid over the outage when figures are made:

* ``annotate`` adds a note; the outage counts as before;
* ``dispute`` flags the outage as contested; it still counts until it is voided or closed;
* ``close`` ends the outage at an instant (``end = min(end, at)``), for one left open;
* ``void`` takes the outage out of every figure; it stays listed with zero counted time.

The report prints every correction next to the outage and figure it changed (3.2.5, 3.2.6).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Final, Literal

from monitor.sla.intervals import as_utc

__all__ = ["CORRECTION_KINDS", "CorrectionKind", "OutageCorrection", "corrected_end"]

CorrectionKind = Literal["annotate", "dispute", "close", "void"]
CORRECTION_KINDS: Final[tuple[CorrectionKind, ...]] = ("annotate", "dispute", "close", "void")


@dataclass(frozen=True, slots=True)
class OutageCorrection:
    """One correction of one outage: what, when recorded, by whom (a token name) and why."""

    kind: CorrectionKind
    reason: str
    actor: str
    recorded_at: datetime
    at: datetime | None = None
    id: int = 0

    def __post_init__(self) -> None:
        if self.kind not in CORRECTION_KINDS:
            raise ValueError(f"unknown correction {self.kind!r}; one of {CORRECTION_KINDS}")
        if (self.kind == "close") != (self.at is not None):
            raise ValueError("a close correction needs an instant, and only a close has one")


def corrected_end(
    end: datetime | None, corrections: tuple[OutageCorrection, ...]
) -> datetime | None:
    """The end of an outage after its close corrections: the earliest of them all."""
    result = None if end is None else as_utc(end)
    for correction in corrections:
        if correction.kind == "close" and correction.at is not None:
            at = as_utc(correction.at)
            result = at if result is None else min(result, at)
    return result
