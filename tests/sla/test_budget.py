"""Error budget arithmetic."""

from __future__ import annotations

from datetime import timedelta

import pytest

from monitor.sla.budget import ErrorBudget

H = timedelta(hours=1)


def test_budget_of_99_percent_over_a_thirty_day_month_is_7_point_2_hours() -> None:
    """(1 − 0.99) × 720 h = 7.2 h; 2 h spent leaves 5.2 h."""
    budget = ErrorBudget(0.99, 720 * H, 2 * H)
    assert budget.total == timedelta(hours=7.2)
    assert budget.remaining == timedelta(hours=5.2)
    assert budget.remaining_ratio == pytest.approx(5.2 / 7.2)


def test_an_overspent_budget_goes_negative_and_its_ratio_stops_at_zero() -> None:
    """The negative remainder is the size of the miss; the ratio is clamped for gauges."""
    budget = ErrorBudget(0.99, 720 * H, 10 * H)
    assert budget.remaining == -timedelta(hours=2.8)
    assert budget.remaining_ratio == 0.0


def test_a_hundred_percent_objective_has_no_budget() -> None:
    """Nothing may be spent; unspent it is whole, any downtime exhausts it."""
    assert ErrorBudget(1.0, 220 * H, timedelta(0)).remaining_ratio == 1.0
    assert ErrorBudget(1.0, 220 * H, timedelta(seconds=1)).remaining_ratio == 0.0


def test_an_objective_outside_zero_and_one_is_refused() -> None:
    """99 means nothing as a ratio; it must be written 0.99."""
    with pytest.raises(ValueError, match="objective"):
        ErrorBudget(99, 720 * H, timedelta(0))
