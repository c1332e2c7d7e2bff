"""Error budget: how much unavailability the objective still allows this month.

docs/rules.md: budget = (1 − objective) × T, remaining = budget − D. T is the *whole* month's
window (minus maintenance under ``exclude_from_window``), not the elapsed part, so the figure
answers the operator's question "how much more downtime can we afford before month end".
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

__all__ = ["ErrorBudget"]


@dataclass(frozen=True, slots=True)
class ErrorBudget:
    objective: float
    window: timedelta
    spent: timedelta

    def __post_init__(self) -> None:
        if not 0.0 <= self.objective <= 1.0:
            raise ValueError(f"objective must be within 0..1, got {self.objective}")

    @property
    def total(self) -> timedelta:
        return self.window * (1.0 - self.objective)

    @property
    def remaining(self) -> timedelta:
        """Negative once the budget is overspent; that is the size of the miss."""
        return self.total - self.spent

    @property
    def remaining_ratio(self) -> float:
        """Share of the budget left, 0 when exhausted; 1.0 for an objective of 100 % unspent."""
        if self.total <= timedelta(0):
            return 1.0 if self.spent <= timedelta(0) else 0.0
        return max(0.0, self.remaining / self.total)
