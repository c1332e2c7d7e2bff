"""Small validated value types shared by the configuration sections.

Each type carries its own error message, written for the person editing the YAML file: the
message says what is expected, not which pydantic rule failed.
"""

from __future__ import annotations

import math
import re
from datetime import date
from typing import Annotated, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict

from monitor.sla.calendar import OpeningHours

__all__ = [
    "ALWAYS",
    "DEFAULT_CALENDAR",
    "HolidayEntry",
    "Objective",
    "OpeningText",
    "Section",
    "Slug",
    "TimeZoneName",
    "Weekday",
]

ALWAYS = "24x7"
"""The reserved window name for round-the-clock windows (3.2.10's 24/7 window)."""

DEFAULT_CALENDAR = "business-hours"
"""The calendar that exists even when none is configured (3.2.7, 3.2.8, 3.2.10)."""

_SLUG = re.compile(r"[a-z0-9](?:[a-z0-9._-]{0,62})")


class Section(BaseModel):
    """Every section rejects unknown keys (a typo must not silently fall back to a default),
    is frozen (a loaded configuration is a value that a reload replaces whole) and keeps
    input values out of ``ValidationError`` texts (a probe header may hold a token)."""

    model_config = ConfigDict(extra="forbid", frozen=True, hide_input_in_errors=True)


def _slug(value: str) -> str:
    if not _SLUG.fullmatch(value):
        raise ValueError(
            f"{value!r} is not a valid name: use up to 63 lowercase letters, digits, '-', '_' "
            "or '.', starting with a letter or digit"
        )
    return value


Slug = Annotated[str, AfterValidator(_slug)]
"""Names that end up in metric labels, URLs, CSV files and report headings."""


def _zone(value: str) -> str:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError) as error:
        raise ValueError(
            f"unknown time zone {value!r}; use an IANA name such as Europe/Amsterdam"
        ) from error
    return value


TimeZoneName = Annotated[str, AfterValidator(_zone)]


def _not_boolean(value: object) -> object:
    if isinstance(value, bool):
        raise ValueError("an objective is a number between 0 and 1, e.g. 0.99 for 99 %")
    return value


def _fraction(value: float) -> float:
    if math.isnan(value) or not 0.0 <= value <= 1.0:
        hint = f"; write {value / 100:g} for {value:g} %" if 50 <= value <= 100 else ""
        raise ValueError(f"an objective lies between 0 and 1 (0.99 = 99 %), got {value:g}{hint}")
    return value


Objective = Annotated[float, BeforeValidator(_not_boolean), AfterValidator(_fraction)]
"""A target ratio: 0.99 for 99 %. Percentages are refused so 99 never means 9900 %."""


def _lower(value: object) -> object:
    return value.strip().lower() if isinstance(value, str) else value


Weekday = Annotated[
    Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"], BeforeValidator(_lower)
]


def _opening(value: str) -> str:
    return str(OpeningHours.parse(value))


OpeningText = Annotated[str, AfterValidator(_opening)]


def _holiday_entry(value: object) -> object:
    # YAML reads an unquoted 2026-12-24 as a date; the calendar wants its text form.
    if isinstance(value, date):
        return value.isoformat()
    return value


HolidayEntry = Annotated[str, BeforeValidator(_holiday_entry)]
"""A date (``2026-12-24``), an annual date (``12-31``) or a holiday name."""
