"""Norms over time (3.2.15 groeipad, 3.2.17) and the bonus/malus band (B3.7, 3.2.19)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from monitor.sla.months import Month
from monitor.sla.norms import Band, BandOutcome, Bound, NormSchedule, judged_outcome

GROWTH = NormSchedule.of([(Month(2026, 1), 0.99), (Month(2027, 1), 0.995)])
BAND = Band(bonus_at_or_above=0.995, malus_below=0.985)

months = st.builds(Month, st.integers(2000, 2040), st.integers(1, 12))


def test_december_is_judged_by_the_old_norm_and_january_by_the_new_one() -> None:
    """The step of 2027-01 takes over exactly at the year boundary."""
    assert GROWTH.in_force(Month(2026, 12)) == 0.99
    assert GROWTH.in_force(Month(2027, 1)) == 0.995


def test_a_month_before_the_growth_path_is_judged_by_the_first_norm() -> None:
    """The first entry also covers earlier months: a report of 2025 still has a norm."""
    assert GROWTH.in_force(Month(2025, 6)) == 0.99


def test_a_plain_norm_holds_for_all_time() -> None:
    """One number in the configuration is the same norm in every month."""
    assert NormSchedule.always(0.8).in_force(Month(1999, 1)) == 0.8
    assert not NormSchedule.always(0.8).changes


def test_steps_must_come_in_strictly_increasing_months() -> None:
    """Two steps in one month would make the norm of that month ambiguous."""
    with pytest.raises(ValueError, match="does not come after"):
        NormSchedule.of([(Month(2027, 1), 0.99), (Month(2027, 1), 0.995)])


@given(st.lists(months, min_size=1, max_size=6, unique=True), months)
def test_the_norm_in_force_is_the_last_step_begun_by_then(
    starts: list[Month], month: Month
) -> None:
    """in_force is the value of the last step whose from is at or before the month."""
    ordered = sorted(starts)
    schedule = NormSchedule.of((start, index) for index, start in enumerate(ordered))
    begun = [index for index, start in enumerate(ordered) if start <= month]
    assert schedule.in_force(month) == (begun[-1] if begun else 0)


@given(st.lists(months, min_size=1, max_size=6, unique=True), months, months)
def test_a_rising_growth_path_never_lowers_the_norm_of_a_later_month(
    starts: list[Month], first: Month, second: Month
) -> None:
    """Monotone: with rising values a later month is never judged by a lower norm."""
    schedule = NormSchedule.of((start, i / 10) for i, start in enumerate(sorted(starts)))
    early, late = sorted((first, second))
    assert schedule.in_force(early) <= schedule.in_force(late)


@given(st.lists(months, min_size=1, max_size=5, unique=True), months)
def test_adding_a_later_step_never_changes_an_earlier_month(
    starts: list[Month], month: Month
) -> None:
    """Next year's norm, appended, leaves every month before it as it was."""
    ordered = sorted(starts)
    schedule = NormSchedule.of((s, i) for i, s in enumerate(ordered))
    later = Month(ordered[-1].year + 1, ordered[-1].month)
    extended = NormSchedule.of([*((s, i) for i, s in enumerate(ordered)), (later, 99)])
    if month < later:
        assert extended.in_force(month) == schedule.in_force(month)


@pytest.mark.parametrize(
    ("availability", "outcome"),
    [
        (0.996, BandOutcome.BONUS),
        (0.995, BandOutcome.BONUS),  # at or above
        (0.99, BandOutcome.NEUTRAL),
        (0.985, BandOutcome.NEUTRAL),  # not below
        (0.9849, BandOutcome.MALUS),
    ],
)
def test_a_month_lands_in_bonus_neutral_or_malus(availability: float, outcome: BandOutcome) -> None:
    """bonus at or above 99.5 %, malus below 98.5 %, neutral in between, edges included."""
    assert BAND.classify(availability) is outcome


def test_a_band_whose_malus_lies_above_its_bonus_is_refused() -> None:
    """A figure cannot be bonus and malus at once."""
    with pytest.raises(ValueError, match="bonus and malus at once"):
        Band(bonus_at_or_above=0.98, malus_below=0.99)


def test_without_enough_evidence_only_a_proven_outcome_is_given() -> None:
    """An upper bound in malus proves malus; one in neutral or bonus proves nothing."""
    assert judged_outcome(BAND, 0.98, sufficient=False, bound=Bound.UPPER) is BandOutcome.MALUS
    assert judged_outcome(BAND, 0.99, sufficient=False, bound=Bound.UPPER) is None
    assert judged_outcome(BAND, 0.999, sufficient=False, bound=Bound.UPPER) is None
    assert judged_outcome(BAND, 0.999, sufficient=False, bound=Bound.LOWER) is BandOutcome.BONUS
    assert judged_outcome(BAND, 0.98, sufficient=False, bound=Bound.LOWER) is None


def test_nothing_measured_has_no_outcome() -> None:
    """A month without decided requests is neither bonus nor malus."""
    assert judged_outcome(BAND, None, sufficient=True, bound=Bound.UPPER) is None


def test_a_label_names_the_outcome_as_the_contract_does() -> None:
    """Configured labels are returned per outcome; an unlabelled outcome has none."""
    band = Band(0.995, 0.985, labels=((BandOutcome.MALUS, "malus 5 %"),))
    assert band.label(BandOutcome.MALUS) == "malus 5 %"
    assert band.label(BandOutcome.BONUS) is None


ratios = st.floats(min_value=0.0, max_value=1.0)


@given(ratios, ratios, ratios, ratios)
def test_an_outcome_given_without_enough_evidence_holds_whatever_the_unmeasured_time_held(
    a: float, b: float, c: float, d: float
) -> None:
    """Any truth between the two bounds lands in the band outcome judged from the one the
    policy gives: the outcome is proven, never guessed."""
    malus, bonus = sorted((a, b))
    low, high = sorted((c, d))
    band = Band(bonus_at_or_above=bonus, malus_below=malus)
    for bound, measured in ((Bound.UPPER, high), (Bound.LOWER, low)):
        judged = judged_outcome(band, measured, sufficient=False, bound=bound)
        if judged is not None:
            assert band.classify(low) is band.classify(high) is judged
