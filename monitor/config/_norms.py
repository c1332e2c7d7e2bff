"""Objectives and bands as the configuration spells them: a plain value, or a growth path.

``objective: 0.99`` holds for all time; ``objective: [{from: 2026-01, value: 0.99}, {from:
2027-01, value: 0.995}]`` is a growth path (3.2.15 groeipad, 3.2.17 yearly change). A
``band`` is a mapping, or a list of such mappings each with a ``from``
(docs/rules.md#norms-over-time, docs/rules.md#bonus-malus-band). Both parse into the core's
:class:`monitor.sla.norms.NormSchedule`, so every reader asks "what is in force in month M"
and no reader can take a later norm for an earlier month.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Annotated, TypeVar

from pydantic import PlainSerializer, PlainValidator

from monitor.config._types import _fraction
from monitor.sla.months import Month
from monitor.sla.norms import Band, BandOutcome, NormSchedule, NormStep

__all__ = ["BandSchedule", "ObjectiveSchedule"]

T = TypeVar("T")

_BAND_KEYS = {"bonus_at_or_above", "malus_below", "labels"}


def _number(value: object, what: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(f"{what} is a number between 0 and 1, e.g. 0.99 for 99 %")
    return _fraction(float(value))


def _month(value: object, where: str) -> Month:
    try:
        return Month.parse(str(value))
    except ValueError as error:
        raise ValueError(f"{where}: from: {error}") from None


def _schedule(
    value: object, plain: Callable[[object], T | None], entry: Callable[[Mapping[str, object]], T]
) -> NormSchedule[T]:
    """A plain value for all time, or a list of ``{from: YYYY-MM, ...}`` entries whose months
    strictly increase."""
    single = plain(value)
    if single is not None:
        return NormSchedule.always(single)
    if not isinstance(value, list | tuple) or not value:
        raise ValueError(
            "expected a single value or a list of entries with from: YYYY-MM, "
            "e.g. [{from: 2026-01, value: 0.99}, {from: 2027-01, value: 0.995}]"
        )
    steps: list[NormStep[T]] = []
    for index, item in enumerate(value):
        where = f"entry {index + 1}"
        if not isinstance(item, Mapping) or "from" not in item:
            raise ValueError(f"{where}: a mapping with from: YYYY-MM is expected")
        start = _month(item["from"], where)
        if steps and steps[-1].start is not None and not steps[-1].start < start:
            raise ValueError(
                f"{where}: from {start} must come after the previous entry's {steps[-1].start}"
            )
        try:
            steps.append(NormStep(start, entry({k: v for k, v in item.items() if k != "from"})))
        except ValueError as error:
            raise ValueError(f"{where}: {error}") from None
    return NormSchedule(tuple(steps))


def _plain_objective(value: object) -> float | None:
    if isinstance(value, list | tuple):
        return None
    return _number(value, "an objective")


def _objective_entry(item: Mapping[str, object]) -> float:
    if set(item) != {"value"}:
        raise ValueError("an entry has exactly the keys from and value")
    return _number(item["value"], "value")


def _objective_schedule(value: object) -> NormSchedule[float]:
    return _schedule(value, _plain_objective, _objective_entry)


def _spelled(schedule: NormSchedule[T], value: Callable[[T], object]) -> object:
    """A schedule as the configuration spells it: the plain value for a norm that never
    changes, else the list of ``{from: YYYY-MM, ...}`` entries (what ``model_dump`` gives,
    so a dumped configuration reads back to the same schedule)."""
    if len(schedule.steps) == 1 and schedule.steps[0].start is None:
        return value(schedule.steps[0].value)
    return [{"from": str(step.start), **_entry_of(value(step.value))} for step in schedule.steps]


def _entry_of(spelled: object) -> dict[str, object]:
    return dict(spelled) if isinstance(spelled, Mapping) else {"value": spelled}


def _spelled_band(band: Band) -> dict[str, object]:
    return {
        "bonus_at_or_above": band.bonus_at_or_above,
        "malus_below": band.malus_below,
        "labels": {outcome.value: text for outcome, text in band.labels},
    }


def _dump_objective(schedule: NormSchedule[float]) -> object:
    return _spelled(schedule, lambda value: value)


def _dump_band(schedule: NormSchedule[Band] | None) -> object:
    return None if schedule is None else _spelled(schedule, _spelled_band)


ObjectiveSchedule = Annotated[
    NormSchedule[float], PlainValidator(_objective_schedule), PlainSerializer(_dump_objective)
]
"""``0.99``, or a growth path ``[{from: 2026-01, value: 0.99}, ...]``."""


def _band(item: Mapping[str, object]) -> Band:
    unknown = set(item) - _BAND_KEYS
    missing = {"bonus_at_or_above", "malus_below"} - set(item)
    if unknown or missing:
        names = ", ".join(sorted(unknown)) if unknown else ", ".join(sorted(missing))
        problem = "unknown key" if unknown else "missing key"
        raise ValueError(
            f"{problem} {names}; a band has bonus_at_or_above, malus_below and optional labels"
        )
    labels = item.get("labels") or {}
    if not isinstance(labels, Mapping) or not all(
        isinstance(v, str) and k in set(BandOutcome) for k, v in labels.items()
    ):
        raise ValueError("labels maps bonus, neutral or malus to a text")
    return Band(
        bonus_at_or_above=_number(item["bonus_at_or_above"], "bonus_at_or_above"),
        malus_below=_number(item["malus_below"], "malus_below"),
        labels=tuple((BandOutcome(k), str(v)) for k, v in labels.items()),
    )


def _plain_band(value: object) -> Band | None:
    return _band(value) if isinstance(value, Mapping) else None


def _band_schedule(value: object) -> NormSchedule[Band] | None:
    if value is None:
        return None
    return _schedule(value, _plain_band, _band)


BandSchedule = Annotated[
    NormSchedule[Band] | None, PlainValidator(_band_schedule), PlainSerializer(_dump_band)
]
"""``{bonus_at_or_above: 0.995, malus_below: 0.985}``, or a list of such with ``from``."""
